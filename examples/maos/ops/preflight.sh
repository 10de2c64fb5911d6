#!/usr/bin/env bash
# The part of the guide's "Pre-Deployment Checklist" a node can check for itself before a
# deploy (MAOS deployment best practices, "Production Deployment Checklist"):
#   - API keys / credentials come from secret management: the database URL is provisioned
#   - PostgreSQL 14+ answers (connection pooling sized by the adapter's database.pool_size)
#   - checkpoint storage is configured and writable
#   - resource limits are set for agents (agents.defaults.max_memory, resources.limits)
#   - the image of the version is on the nodes (registerVersion ran)
# Steward has no pre-deploy gate yet (DESIGN §11 gates.preDeploy), so ops/maos-node.sh runs this
# before every deploy, promote and rollback; a failure fails that action with the reason.
#
# Usage: ops/preflight.sh MAOS_HOME ACTION_JSON
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib/common.sh"

home=${1:?usage: preflight.sh MAOS_HOME ACTION_JSON}
action=${2:?usage: preflight.sh MAOS_HOME ACTION_JSON}
blueprint=$(jq -r '.document.spec.blueprint' <<< "$action")
version=$(jq -r '.version' <<< "$action")
adapter=$(jq -r '.document.spec.runtimeAdapter // empty' <<< "$action")
config="$home/config/$adapter.json"

log "pre-deployment checklist for $blueprint $version:"
pg_env_from_url "$(read_secret "$home" MAOS_DATABASE_PRIMARY_URL)"
log "  ok: database credentials come from the secret store"
server=$(psql -X -A -t -c 'SHOW server_version_num' 2>&1) || fail "PostgreSQL at $PGHOST:$PGPORT does not answer: $server"
[ "$server" -ge 140000 ] || fail "PostgreSQL $server is older than 14"
log "  ok: PostgreSQL $((server / 10000)) answers at $PGHOST:$PGPORT"
[ -f "$config" ] || fail "no runtime configuration for adapter '$adapter' on the nodes"
for field in .document.spec.config.database.pool_size .document.spec.config.agents.defaults.max_memory .document.spec.config.resources.limits; do
  jq -e "$field" "$config" > /dev/null || fail "runtime configuration $adapter has no ${field#.document.spec.config.}"
done
log "  ok: connection pool and agent resource limits are set ($adapter)"
mkdir -p "$home/checkpoints" && [ -w "$home/checkpoints" ] || fail "checkpoint storage $home/checkpoints is not writable"
log "  ok: checkpoint storage $home/checkpoints is writable"
[ -f "$home/images/$blueprint@$version.json" ] || fail "image of $blueprint $version is not on the nodes"
log "  ok: image of $blueprint $version is on the nodes"
