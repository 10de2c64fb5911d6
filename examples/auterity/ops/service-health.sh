#!/usr/bin/env bash
# The health endpoints of one slot of the workflow engine, as the guide's FastAPI backend serves
# them (Auterity deployment and operations guide, "Health Check Endpoints"):
#   basic      /api/health           the slot runs a release: {"status": "healthy", "version", "timestamp"}
#   detailed   /api/health/detailed  plus the checks of its dependencies: database (pg_isready with
#                                    DATABASE_URL), redis (redis-cli ping with REDIS_URL when
#                                    redis-cli is installed, else skipped), ai_service (the secret
#                                    the release's aiService needs is provisioned)
# Prints the answer as JSON; exits 0 for a 200 answer and 1 for a 503.
#
# Usage: ops/service-health.sh AUTERITY_HOME SLOT DEPLOYMENT basic|detailed
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib/common.sh"
source "$here/lib/slots.sh"

home=${1:?usage: service-health.sh AUTERITY_HOME SLOT DEPLOYMENT basic|detailed}
slot=${2:?} deployment=${3:?} depth=${4:-basic}
release=$(slot_file "$home" "$slot" "$deployment")
if [ ! -f "$release" ]; then
  jq -n -c --arg slot "$slot" '{status: "unhealthy", error: "no release on the \($slot) slot"}'
  exit 1
fi
version=$(jq -r .version "$release")
answer=$(jq -n -c --arg version "$version" --arg slot "$slot" --arg at "$(now)" \
  '{status: "healthy", version: $version, slot: $slot, timestamp: $at}')
if [ "$depth" = detailed ]; then
  checks='{}'
  add() { checks=$(jq -c --arg name "$1" --arg status "$2" --arg detail "$3" \
    '. + {($name): ({status: $status} + (if $detail == "" then {} else {detail: $detail} end))}' <<< "$checks"); }
  if [ -s "$home/secrets/DATABASE_URL" ]; then
    (pg_env_from_url "$(read_secret "$home" DATABASE_URL)"; pg_isready -t 5 > /dev/null 2>&1) \
      && add database healthy "" || add database unhealthy "pg_isready: no answer"
  else
    add database unhealthy "DATABASE_URL is not provisioned"
  fi
  if [ ! -s "$home/secrets/REDIS_URL" ]; then
    add redis unhealthy "REDIS_URL is not provisioned"
  elif command -v redis-cli > /dev/null; then
    [ "$(redis-cli -u "$(read_secret "$home" REDIS_URL)" ping 2>/dev/null)" = PONG ] \
      && add redis healthy "" || add redis unhealthy "redis-cli ping: no PONG"
  else
    add redis skipped "redis-cli is not installed"
  fi
  blueprint=$(jq -r '.document.spec.blueprint' "$release")
  key=$(jq -r '.document.spec.config.aiService.apiKeySecret // empty' "$home/registry/$blueprint@$version.json" 2>/dev/null || true)
  if [ -z "$key" ]; then add ai_service skipped "not used by $version"
  elif [ -s "$home/secrets/$key" ]; then add ai_service healthy ""
  else add ai_service unhealthy "secret $key is not provisioned"; fi
  answer=$(jq -c --argjson checks "$checks" \
    '. + {checks: $checks} | if ($checks | any(.[]; .status == "unhealthy")) then .status = "unhealthy" else . end' <<< "$answer")
fi
echo "$answer"
[ "$(jq -r .status <<< "$answer")" = healthy ]
