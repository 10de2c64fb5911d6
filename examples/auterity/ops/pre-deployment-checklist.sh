#!/usr/bin/env bash
# The pre-deployment checklist of the Auterity guide ("Pre-Deployment Checklist"), for one
# environment under AUTERITY_HOME, before a version goes to it:
#   1. the required environment variables are provisioned (the secret store, never Git)
#   2. the database answers (a query, with the password only in PGPASSWORD)
#   3. Redis answers (redis-cli ping; skipped where redis-cli is not installed)
#   4. the database migration applies: run in a transaction that is rolled back (a dry run)
#   5. the images of the version were pushed (Steward's registerVersion for it ran)
# Steward has no pre-deploy gate yet (DESIGN §11 gates.preDeploy): ops/blue-green-deploy.sh runs
# this first, and a failure fails the deploy before any slot is touched.
#
# Usage: ops/pre-deployment-checklist.sh AUTERITY_HOME ACTION_JSON
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib/common.sh"

home=${1:?usage: pre-deployment-checklist.sh AUTERITY_HOME ACTION_JSON}
action=${2:?usage: pre-deployment-checklist.sh AUTERITY_HOME ACTION_JSON}
blueprint=$(jq -r '.document.spec.blueprint' <<< "$action")
version=$(jq -r '.version' <<< "$action")

log "running the pre-deployment checklist for $blueprint $version in $(jq -r .environment <<< "$action")"
for name in DATABASE_URL REDIS_URL JWT_SECRET_KEY; do
  [ -s "$home/secrets/$name" ] || fail "missing required environment variable: $name (provision $home/secrets/$name)"
done
log "  ok: required environment variables are provisioned"

pg_env_from_url "$(read_secret "$home" DATABASE_URL)"
answer=$(psql -X -A -t -c 'SELECT 1' 2>&1) && [ "$answer" = 1 ] || fail "database connection failed: $answer"
log "  ok: database connection successful ($PGHOST:$PGPORT/$PGDATABASE)"

if command -v redis-cli > /dev/null; then
  [ "$(redis-cli -u "$(read_secret "$home" REDIS_URL)" ping 2>&1)" = PONG ] || fail "Redis connection failed"
  log "  ok: Redis connection successful"
else
  log "  skipped: Redis connectivity (redis-cli is not installed)"
fi

psql -X -q -v ON_ERROR_STOP=1 -c 'BEGIN' -f "$here/../db/auterity-schema.sql" -c 'ROLLBACK' > /dev/null 2>&1 \
  || fail "database migrations check failed: db/auterity-schema.sql does not apply"
log "  ok: database migrations apply (dry run, rolled back)"

[ -f "$home/registry/$blueprint@$version.json" ] || fail "images of $blueprint $version were not pushed"
log "  ok: images of $blueprint $version are in the registry"
log "pre-deployment checklist passed"
