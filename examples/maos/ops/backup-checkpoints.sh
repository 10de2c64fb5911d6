#!/usr/bin/env bash
# Checkpoint backup of MAOS deployment best practices ("Backup Strategy": tar czf of the
# checkpoint folder), run by Steward for the BackupSchedule maos-checkpoints-production into
# STEWARD_BACKUP_DESTINATION. Steward then checks it with gzip -t and tar -tzf (verify: true).
#
# Usage: ops/backup-checkpoints.sh MAOS_HOME
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib/common.sh"

home=${1:?usage: backup-checkpoints.sh MAOS_HOME}
out=${STEWARD_BACKUP_DESTINATION:?run by Steward: STEWARD_BACKUP_DESTINATION is not set}
[ -d "$home/checkpoints" ] || fail "no checkpoint storage at $home/checkpoints"
files=$(find "$home/checkpoints" -type f -name '*.json' | wc -l)
tar -czf "$out" -C "$home" checkpoints
jq -n -c --argjson files "$files" --argjson bytes "$(stat -c%s "$out")" \
  '{status: "succeeded", message: "\($files) checkpoint files, \($bytes) bytes"}'
