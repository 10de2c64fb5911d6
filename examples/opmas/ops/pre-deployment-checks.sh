#!/usr/bin/env bash
# The pre-deployment checks of the OPMAS deployment guide ("7.1 Pre-deployment") that a cluster
# folder can answer, run by ops/opmas-deploy.sh before it changes anything (Steward has no
# pre-deploy gate yet, DESIGN §11 gates.preDeploy):
#   environment validation  the environment's configuration was applied and names the message
#                           bus, the database and the API (NATS_URL, DB_URL, API_URL, LOG_LEVEL)
#   configuration review    no credentials inline: no password in a URL, no value under a
#                           *PASSWORD / *SECRET / *TOKEN name (secrets are listed by name only)
#   release present         the image of the version is on the cluster (registerVersion ran)
# The guide's security scan and performance test need the real images; they are not part of
# this example.
#
# Usage: ops/pre-deployment-checks.sh OPMAS_HOME ACTION_JSON
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib/common.sh"

home=${1:?usage: pre-deployment-checks.sh OPMAS_HOME ACTION_JSON}
action=${2:?usage: pre-deployment-checks.sh OPMAS_HOME ACTION_JSON}
adapter=$(jq -r '.document.spec.runtimeAdapter // empty' <<< "$action")
blueprint=$(jq -r '.document.spec.blueprint' <<< "$action")
version=$(jq -r .version <<< "$action")
config="$home/config/$adapter.json"

log "pre-deployment checks for $blueprint $version:"
[ -f "$config" ] || fail "environment validation: no configuration $adapter on the cluster"
for name in NATS_URL DB_URL API_URL LOG_LEVEL; do
  jq -e --arg name "$name" '.document.spec.config.env[$name] | strings | length > 0' "$config" > /dev/null \
    || fail "environment validation: $adapter does not set $name"
done
log "  ok: environment validation ($adapter sets NATS_URL, DB_URL, API_URL, LOG_LEVEL)"
inline=$(jq -r '.document.spec.config.env // {} | to_entries[]
  | select((.key | test("PASSWORD|SECRET|TOKEN"; "i")) or (.value | tostring | test("://[^/@:]+:[^/@]+@")))
  | .key' "$config")
[ -z "$inline" ] || fail "configuration review: credentials inline in $adapter: $(echo $inline) (list secrets by name under secrets:)"
log "  ok: configuration review (no credentials inline)"
[ -f "$home/images/$blueprint@$version.json" ] || fail "the image of $blueprint $version is not on the cluster"
log "  ok: image of $blueprint $version present"
