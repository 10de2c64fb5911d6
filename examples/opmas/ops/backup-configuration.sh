#!/usr/bin/env bash
# Configuration backup of the OPMAS deployment guide ("4.2 Configuration Backup"): the
# environment files and runtime configuration applied on the cluster, as a tar.gz written to
# STEWARD_BACKUP_DESTINATION (Steward verifies, checksums and prunes it).
#
# Usage: ops/backup-configuration.sh OPMAS_HOME
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib/common.sh"

home=${1:?usage: backup-configuration.sh OPMAS_HOME}
out=${STEWARD_BACKUP_DESTINATION:?run by Steward: STEWARD_BACKUP_DESTINATION is not set}
[ -d "$home/config" ] || fail "no configuration at $home/config"
tar -czf "$out" -C "$home" config
jq -n -c --argjson files "$(find "$home/config" -type f | wc -l)" --argjson bytes "$(stat -c%s "$out")" \
  '{status: "succeeded", message: "configuration dump: \($files) files, \($bytes) bytes"}'
