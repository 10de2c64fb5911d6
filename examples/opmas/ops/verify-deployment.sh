#!/usr/bin/env bash
# Post-deployment verification of the OPMAS deployment guide ("7.2 Deployment Steps",
# step 3 Verification) for one deployment under OPMAS_HOME:
#   health checks      core, management API and UI run the deployed version; the message bus and
#                      the database are configured; the database schema is the release's
#   integration test   the management API reports the core's version and the agents of the
#                      release (what the UI shows)
# Prints {"status": "passed"|"failed", "checks": {...}, "problems": [...]}; exits 0 when passed.
#
# Usage: ops/verify-deployment.sh OPMAS_HOME DEPLOYMENT
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib/common.sh"

home=${1:?usage: verify-deployment.sh OPMAS_HOME DEPLOYMENT}
deployment=${2:?usage: verify-deployment.sh OPMAS_HOME DEPLOYMENT}
record="$home/deployments/$deployment.json"
declare -A checks=()
problems=()
check() { checks[$1]=$2; [ "$2" = passed ] || problems+=("$1: $3"); }

if [ -f "$record" ]; then
  IFS=$'\t' read -r version blueprint adapter < <(jq -r '[.version, .document.spec.blueprint, .document.spec.runtimeAdapter] | @tsv' "$record")
  image="$home/images/$blueprint@$version.json"
  for component in core management-api ui; do
    running=$(jq -r .version "$home/services/$deployment/$component.json" 2>/dev/null || echo none)
    if [ "$running" = "$version" ]; then check "$component" passed ""; else check "$component" failed "runs $running, not $version"; fi
  done
  if [ -s "$home/config/$adapter.env" ] && grep -q '^NATS_URL=' "$home/config/$adapter.env" && grep -q '^DB_URL=' "$home/config/$adapter.env"; then
    check configuration passed ""
  else
    check configuration failed "$adapter.env does not configure NATS_URL and DB_URL"
  fi
  # What the release needs: its schema version, and what the management API should report.
  IFS=$'\t' read -r want expected < <(jq -r --arg v "$version" \
    '[(.document.spec.config.schemaVersion // ""), ({core: $v, agents: .document.spec.config.agents} | tojson)] | @tsv' "$image" 2>/dev/null || echo)
  have=$(cat "$home/database/schema_version" 2>/dev/null || echo none)
  if [ -n "$want" ] && [ "$have" -ge "$want" ] 2>/dev/null; then check database passed ""; else check database failed "schema $have, release needs ${want:-?}"; fi
  reported=$(jq -c '{core: .coreVersion, agents: .agents}' "$home/services/$deployment/management-api.json" 2>/dev/null || echo '{}')
  if [ -n "$expected" ] && [ "$reported" = "$expected" ]; then check integration passed ""; else check integration failed "management API reports $reported"; fi
else
  check core failed "$deployment is not deployed"
fi

status=passed
[ ${#problems[@]} -eq 0 ] || status=failed
for name in "${!checks[@]}"; do printf '%s\t%s\n' "$name" "${checks[$name]}"; done | sort \
  | jq -R -s -c --arg status "$status" --args '{status: $status,
      checks: (split("\n") | map(select(length > 0) | split("\t") | {(.[0]): .[1]}) | add // {}),
      problems: $ARGS.positional}' "${problems[@]}"
[ "$status" = passed ]
