#!/usr/bin/env bash
# The exec driver of the MAOS example (DESIGN §5 exec). Steward runs it once per action, with the
# action as JSON on stdin and STEWARD_ACTION / STEWARD_RESOURCE / STEWARD_VERSION set; exit 0 is
# success, and the last line of stdout may be a JSON answer.
#
#   configureAdapter   write the runtime configuration the nodes load (config.yml)
#   registerVersion    pull the blueprint version's image onto the nodes
#   deploy, promote,   pre-deployment checks, database migration, then a rolling update: one node
#   rollback           at a time, each health-checked before the next (the guide's swarm
#                      update_config: parallelism 1, delay), then a first checkpoint
#   smokeTest          post-deployment verification: `maos health --all-components` (ops/health.sh)
#   status             what runs, for drift, and the health the gates watch: the components'
#                      health and the node's metrics (errorRate, responseTime in ms)
#   undeploy, removeAdapter   remove it from the nodes
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib/common.sh"
source "$here/lib/node.sh"

: "${MAOS_HOME:?MAOS_HOME is not set: give it in the environment's driver.env}"
: "${STEWARD_ACTION:?run by Steward's exec driver: STEWARD_ACTION is not set}"
action=$(cat)
resource=${STEWARD_RESOURCE:?}
name=${resource#*/}
record=$(record_file "$MAOS_HOME" "$resource")

answer() { jq -n -c --arg status "$1" --arg message "$2" --arg version "${3:-}" \
  '{status: $status, message: $message} + (if $version == "" then {} else {version: $version} end)'; }

rolling_update() {
  local version=$1 adapter replicas delay retries n node
  adapter=$(jq -r '.document.spec.runtimeAdapter // empty' <<< "$action")
  replicas=$(jq -r '.document.spec.config.replicas // 1' "$MAOS_HOME/config/$adapter.json" 2>/dev/null || echo 1)
  delay=${MAOS_UPDATE_DELAY:-30}
  retries=${MAOS_HEALTH_RETRIES:-3}
  for ((n = 1; n <= replicas; n++)); do
    node="$MAOS_HOME/nodes/maos-$n/$name.json"
    jq -n -c --arg version "$version" --arg at "$(now)" '{version: $version, startedAt: $at}' | write_atomically "$node"
    # the node's own healthcheck (interval, retries) before the update moves on: it runs the new
    # version and reaches the database (pg_isready, as the guide's postgres healthcheck)
    local try ok=false
    for ((try = 1; try <= retries; try++)); do
      if [ "$(jq -r .version "$node")" = "$version" ] && pg_isready -q -t 5; then ok=true; break; fi
      sleep 1
    done
    $ok || fail "maos-$n did not come up with $version after $retries health checks; the update stops here"
    log "maos-$n runs $name $version"
    if [ "$n" -lt "$replicas" ] && [ "$delay" != 0 ]; then sleep "$delay"; fi
  done
  echo "$replicas"
}

deploy() {
  local version replicas checkpoint
  version=$(jq -r '.version' <<< "$action")
  "$here/preflight.sh" "$MAOS_HOME" "$action" >&2
  # Database migration: the schema and the guide's indexes, idempotent.
  pg_env_from_url "$(read_secret "$MAOS_HOME" MAOS_DATABASE_PRIMARY_URL)"
  psql -X -q -v ON_ERROR_STOP=1 -f "$here/../db/maos-schema.sql" >&2 || fail "database migration failed"
  replicas=$(rolling_update "$version")
  # A first checkpoint of the coordinator, as MAOS writes one every checkpoint_interval.
  checkpoint="$MAOS_HOME/checkpoints/$name/$version-$(date -u +%Y%m%dT%H%M%SZ).json"
  jq -n -c --arg deployment "$name" --arg version "$version" --arg at "$(now)" \
    '{deployment: $deployment, version: $version, takenAt: $at, tasks: [], agents: []}' | write_atomically "$checkpoint"
  psql -X -q -v ON_ERROR_STOP=1 -v deployment="$name" -v version="$version" -v state="$(cat "$checkpoint")" \
    <<< "INSERT INTO checkpoints (deployment, version, state) VALUES (:'deployment', :'version', :'state');" >&2 \
    || fail "cannot record the checkpoint in the database"
  # The node's metrics start clean for the new version.
  jq -n -c '{errorRate: 0.0, responseTime: 180}' | write_atomically "$MAOS_HOME/metrics/$name.json"
  jq -S --arg at "$(now)" --argjson replicas "$replicas" \
    '{resource, version, commit, appliedAt: $at, replicas: $replicas, strategy, document}' <<< "$action" | write_atomically "$record"
  answer deployed "$STEWARD_ACTION of $name $version rolled out to $replicas node(s)" "$version" | jq -c --arg id "$name@$version" '. + {deploymentId: $id}'
}

status() {
  [ -f "$record" ] || { answer missing "$(basename "$record") is not on the nodes"; return; }
  record_matches "$record" "$action" || { answer drifted "$(basename "$(dirname "$record")")/$(basename "$record") differs from what Steward applied"; return; }
  [ "${resource%%/*}" = Deployment ] || return 0   # adapters and images: present and unchanged
  local version health metrics
  version=$(jq -r '.version' "$record")
  if ! health=$("$here/health.sh" "$MAOS_HOME" "$name"); then
    answer degraded "$(jq -r '.problems | join("; ")' <<< "$health")" "$version"
    return
  fi
  metrics="$MAOS_HOME/metrics/$name.json"
  answer healthy "all components healthy" "$version" | jq -c --slurpfile m <(cat "$metrics" 2>/dev/null || echo '{}') \
    '. + ($m[0] | {errorRate, responseTime} | with_entries(select(.value != null)))'
}

case "$STEWARD_ACTION" in
  configureAdapter | registerVersion)
    write_record "$record" "$action"
    answer applied "$STEWARD_ACTION $name" ;;
  removeAdapter)
    rm -f "$record"
    answer removed "removed $name" ;;
  deploy | promote | rollback)
    deploy ;;
  undeploy)
    rm -f "$record" "$MAOS_HOME"/nodes/maos-*/"$name.json" "$MAOS_HOME/metrics/$name.json"
    answer removed "undeployed $name (its checkpoints are kept)" ;;
  smokeTest)
    if health=$("$here/health.sh" "$MAOS_HOME" "$name"); then
      answer passed "maos health --all-components: $(jq -r '.components | to_entries | map("\(.key) \(.value)") | join(", ")' <<< "$health")"
    else
      # exit 0 with status "failed": Steward records the message as the reason the gate failed
      answer failed "maos health --all-components: $(jq -r '.problems | join("; ")' <<< "$health")"
    fi ;;
  status)
    status ;;
  *)
    fail "unknown action $STEWARD_ACTION" ;;
esac
