#!/usr/bin/env bash
# Database backup of MAOS deployment best practices ("Backup Strategy": pg_dump | gzip), run by
# Steward for the BackupSchedule maos-database-production. Steward gives the file to write in
# STEWARD_BACKUP_DESTINATION (it names, verifies, checksums and prunes the archives); the
# database URL comes from the node's secret store and reaches pg_dump only through PG*
# environment variables.
#
# Usage: ops/backup-database.sh MAOS_HOME
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib/common.sh"

home=${1:?usage: backup-database.sh MAOS_HOME}
out=${STEWARD_BACKUP_DESTINATION:?run by Steward: STEWARD_BACKUP_DESTINATION is not set}
pg_env_from_url "$(read_secret "$home" MAOS_DATABASE_PRIMARY_URL)"
log "dumping database $PGDATABASE on $PGHOST:$PGPORT"
pg_dump --no-owner --no-privileges | gzip -c > "$out"
tables=$(gzip -dc "$out" | grep -c '^CREATE TABLE ' || true)
jq -n -c --arg database "$PGDATABASE" --argjson tables "$tables" --argjson bytes "$(stat -c%s "$out")" \
  '{status: "succeeded", message: "pg_dump of \($database): \($tables) tables, \($bytes) bytes gzipped"}'
