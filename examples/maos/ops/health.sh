#!/usr/bin/env bash
# `maos health --all-components` for one deployment on the nodes under MAOS_HOME (MAOS deployment
# best practices: "Post-Deployment Verification", the docker-compose healthchecks and the
# Kubernetes /health and /ready probes):
#   api          every node of the rolling update runs the recorded version        (/health)
#   config       the node's runtime configuration is present                        (/ready)
#   database     PostgreSQL answers (pg_isready, as the postgres service's check)   (/ready)
#   checkpoints  checkpoint storage is writable and the latest checkpoint reads     (/health)
# Prints {"status": "healthy"|"unhealthy", "components": {...}, "problems": [...]} and exits 0
# when every component is healthy, 1 otherwise.
#
# Usage: ops/health.sh MAOS_HOME DEPLOYMENT
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib/common.sh"
source "$here/lib/node.sh"

home=${1:?usage: health.sh MAOS_HOME DEPLOYMENT}
deployment=${2:?usage: health.sh MAOS_HOME DEPLOYMENT}
record="$home/deployments/$deployment.json"
declare -A components=()
problems=()
check() { components[$1]=$2; [ "$2" = healthy ] || problems+=("$1: $3"); }

# api: each node runs the version Steward deployed
if [ -f "$record" ]; then
  version=$(jq -r '.version' "$record")
  replicas=$(jq -r '.replicas // 1' "$record")
  stale=()
  for ((n = 1; n <= replicas; n++)); do
    node="$home/nodes/maos-$n/$deployment.json"
    [ "$(jq -r '.version' "$node" 2>/dev/null)" = "$version" ] || stale+=("maos-$n")
  done
  if [ ${#stale[@]} -eq 0 ]; then check api healthy ""; else check api unhealthy "${stale[*]} not running $version"; fi
  adapter=$(jq -r '.document.spec.runtimeAdapter // empty' "$record")
  if [ -n "$adapter" ] && [ -f "$home/config/$adapter.json" ]; then check config healthy ""; else check config unhealthy "no runtime configuration ${adapter:-?}"; fi
else
  check api unhealthy "$deployment is not deployed"
  check config unhealthy "$deployment is not deployed"
fi

# database: pg_isready against the primary (the password stays in the environment)
if [ -s "$home/secrets/MAOS_DATABASE_PRIMARY_URL" ]; then
  pg_env_from_url "$(read_secret "$home" MAOS_DATABASE_PRIMARY_URL)"
  if answer=$(pg_isready -t 5 2>&1); then check database healthy ""; else check database unhealthy "$answer"; fi
else
  check database unhealthy "secret MAOS_DATABASE_PRIMARY_URL is not provisioned"
fi

# checkpoints: storage writable, the latest checkpoint of this deployment is valid JSON
storage="$home/checkpoints/$deployment"
if mkdir -p "$storage" 2>/dev/null && probe=$(mktemp "$storage/.write-test.XXXXXX" 2>/dev/null); then
  rm -f "$probe"
  latest=$(ls -1t "$storage"/*.json 2>/dev/null | head -n 1 || true)
  if [ -z "$latest" ] || jq -e . "$latest" > /dev/null 2>&1; then check checkpoints healthy ""
  else check checkpoints unhealthy "$(basename "$latest") is not readable"; fi
else
  check checkpoints unhealthy "checkpoint storage $storage is not writable"
fi

status=healthy
[ ${#problems[@]} -eq 0 ] || status=unhealthy
for name in "${!components[@]}"; do printf '%s\t%s\n' "$name" "${components[$name]}"; done | sort | jq -R -s -c --arg status "$status" --args '{status: $status,
    components: (split("\n") | map(select(length > 0) | split("\t") | {(.[0]): .[1]}) | add),
    problems: $ARGS.positional}' "${problems[@]}"
[ "$status" = healthy ]
