#!/usr/bin/env bash
# The database backup of the Auterity guide ("Database Backup"): pg_dump with --no-owner
# --no-privileges --clean --if-exists, gzipped, plus the guide's backup metadata as the JSON
# answer (kept in Steward's event log). Steward runs it for the BackupSchedule
# auterity-database-production and gives the file to write in STEWARD_BACKUP_DESTINATION; it
# names, verifies (gzip -t), checksums and prunes the archives (retention replaces the guide's
# S3 clean-up loop). The database URL comes from the environment's secret store, as the guide
# reads it from SSM, and reaches pg_dump only through PG* environment variables.
#
# Usage: ops/backup-database.sh AUTERITY_HOME
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib/common.sh"

home=${1:?usage: backup-database.sh AUTERITY_HOME}
out=${STEWARD_BACKUP_DESTINATION:?run by Steward: STEWARD_BACKUP_DESTINATION is not set}
pg_env_from_url "$(read_secret "$home" DATABASE_URL)"
log "starting database backup of $PGDATABASE on $PGHOST:$PGPORT"
pg_dump --no-owner --no-privileges --clean --if-exists | gzip -c > "$out"
jq -n -c --arg at "$(date -u +%Y%m%d_%H%M%S)" --arg database "$PGDATABASE" \
  --argjson size "$(stat -c%s "$out")" \
  '{status: "succeeded", message: "database backup of \($database): \($size) bytes",
    metadata: {timestamp: $at, database: $database, backup_size: $size, backup_type: "full"}}'
