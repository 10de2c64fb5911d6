#!/usr/bin/env bash
# Puts the production database back as the backup before a failed release left it: Steward runs
# it for the BackupSchedule auterity-database-production (spec.restore) after rolling a failed
# production deploy back (autoRollback.restoreBackup), with the archive gates.backupBefore took
# before that release in STEWARD_BACKUP_ARCHIVE, checked against its recorded sha256 first. The
# dump was made with --clean --if-exists (ops/backup-database.sh), so it replaces what the failed
# release's migration changed; psql runs it in one transaction and stops at the first error.
# The database URL comes from the environment's secret store and reaches psql only through PG*
# environment variables.
#
# Usage: ops/restore-database.sh AUTERITY_HOME
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib/common.sh"

home=${1:?usage: restore-database.sh AUTERITY_HOME}
archive=${STEWARD_BACKUP_ARCHIVE:?run by Steward: STEWARD_BACKUP_ARCHIVE is not set}
pg_env_from_url "$(read_secret "$home" DATABASE_URL)"
log "restoring $PGDATABASE on $PGHOST:$PGPORT from $(basename "$archive")"
gzip -dc "$archive" | psql --quiet --no-psqlrc --set ON_ERROR_STOP=1 --single-transaction --output /dev/null
log "database $PGDATABASE restored"
