#!/usr/bin/env bash
# The exec driver of the Auterity example, modelled on the guide's blue-green deployment script
# (Auterity deployment and operations guide, "Blue-Green Deployment Script"). Steward runs it once
# per action with the action as JSON on stdin (the environment's strategy included) and
# STEWARD_ACTION / STEWARD_RESOURCE / STEWARD_VERSION set; exit 0 is success and the last line of
# stdout may be a JSON answer.
#
# deploy / promote / rollback of a Deployment, strategy blue-green:
#   0. the pre-deployment checklist (ops/pre-deployment-checklist.sh)
#   1. database migration, then the guide's validation (required tables)
#   2. the release goes to the idle slot (the guide's "green service")
#   3. health check of the idle slot with retries (HEALTH_CHECK_ATTEMPTS x HEALTH_CHECK_INTERVAL);
#      when it never answers, the idle slot is emptied and the deploy fails: traffic never moved
#   4. the listener switches to it
#   5. the old slot keeps the old version (the guide deletes it; here it stays for an instant
#      rollback, DESIGN §10): a rollback to the version the old slot runs only switches back
# smokeTest: the guide's "verify traffic switch" - /api/health and /api/health/detailed on the
#   live slot, with retries; the result is the gate Steward rolls back on
# status: what the live slot runs (for drift), its detailed health and its request metrics
# configureAdapter / registerVersion (the guide's "build and push images") / undeploy /
# removeAdapter: the records under AUTERITY_HOME
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib/common.sh"
source "$here/lib/slots.sh"

home="${AUTERITY_HOME:?AUTERITY_HOME is not set: give it in the environment's driver.env}"
: "${STEWARD_ACTION:?run by Steward's exec driver: STEWARD_ACTION is not set}"
action=$(cat)
resource=${STEWARD_RESOURCE:?}
kind=${resource%%/*} name=${resource#*/}
attempts=${HEALTH_CHECK_ATTEMPTS:-10} interval=${HEALTH_CHECK_INTERVAL:-30}

answer() { jq -n -c --arg status "$1" --arg message "$2" --arg version "${3:-}" --arg id "${4:-}" \
  '{status: $status, message: $message} + (if $version == "" then {} else {version: $version} end)
   + (if $id == "" then {} else {deploymentId: $id} end)'; }

# The record of a RuntimeAdapter or AgentBlueprint version.
resource_file() {
  case "$kind" in
    RuntimeAdapter) echo "$home/config/$name.json" ;;
    AgentBlueprint) echo "$home/registry/$name.json" ;;
    *) fail "no record file for $resource" ;;
  esac
}

write_release() {
  local file=$1
  jq -S --arg at "$(now)" '{resource, version, commit, deployedAt: $at, strategy, document}' <<< "$action" | write_atomically "$file"
}

same_release() { [ -f "$1" ] && [ "$(jq -S -c .document "$1")" = "$(jq -S -c .document <<< "$action")" ]; }

# Asks an endpoint of SLOT up to N times, INTERVAL seconds apart; prints the last answer.
health_with_retries() {
  local slot=$1 depth=$2 tries=$3 i out
  for ((i = 1; i <= tries; i++)); do
    if out=$("$here/service-health.sh" "$home" "$slot" "$name" "$depth"); then echo "$out"; return 0; fi
    log "  attempt $i/$tries: $slot $depth health: $out"
    [ "$i" -lt "$tries" ] && sleep "$interval"
  done
  echo "$out"
  return 1
}

migrate() {
  pg_env_from_url "$(read_secret "$home" DATABASE_URL)"
  psql -X -q -v ON_ERROR_STOP=1 -f "$here/../db/auterity-schema.sql" >&2 || fail "database migration failed"
  local tables
  tables=$(psql -X -A -t -c "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'
    AND table_name IN ('users', 'workflows', 'workflow_executions')")
  [ "$tables" = 3 ] || fail "database validation failed: required tables missing after migration"
  local orphans
  orphans=$(psql -X -A -t -c "SELECT count(*) FROM workflow_executions we LEFT JOIN workflows w ON we.workflow_id = w.id WHERE w.id IS NULL")
  [ "$orphans" = 0 ] || log "warning: $orphans orphaned workflow executions"
  log "database migrated and validated"
}

deploy() {
  local version strategy live idle
  version=$(jq -r .version <<< "$action")
  strategy=$(jq -r '.strategy.type // "rolling"' <<< "$action")
  live=$(live_slot "$home" "$name")
  if [ "$strategy" != blue-green ]; then
    # Any other strategy: update the live slot in place (one slot, no switch).
    "$here/pre-deployment-checklist.sh" "$home" "$action" >&2
    migrate
    live=${live:-blue}
    write_release "$(slot_file "$home" "$live" "$name")"
    jq -n -c '{errorRate: 0.001, responseTime: 140}' | write_atomically "$(metrics_file "$home" "$live" "$name")"
    switch_listener "$home" "$name" "$live"
    answer deployed "$version updated in place on the $live slot ($strategy)" "$version" "$name@$live"
    return
  fi
  idle=$(other_slot "${live:-green}")
  # A rollback to the release the idle slot still runs: switch back at once (DESIGN §10).
  if [ "$STEWARD_ACTION" = rollback ] && [ -n "$live" ] && same_release "$(slot_file "$home" "$idle" "$name")"; then
    health_with_retries "$idle" basic "$attempts" > /dev/null || fail "the $idle slot kept for rollback does not answer /api/health"
    switch_listener "$home" "$name" "$idle"
    answer deployed "rolled back: traffic switched back to the $idle slot, which runs $version; $live keeps $(jq -r .version "$(slot_file "$home" "$live" "$name")")" "$version" "$name@$idle"
    return
  fi
  "$here/pre-deployment-checklist.sh" "$home" "$action" >&2
  migrate
  log "deploying $name $version to the idle $idle slot (live: ${live:-none})"
  write_release "$(slot_file "$home" "$idle" "$name")"
  jq -n -c '{errorRate: 0.001, responseTime: 140}' | write_atomically "$(metrics_file "$home" "$idle" "$name")"
  if ! out=$(health_with_retries "$idle" basic "$attempts"); then
    rm -f "$(slot_file "$home" "$idle" "$name")" "$(metrics_file "$home" "$idle" "$name")"
    fail "health check of the $idle slot failed after $attempts attempts ($out); traffic stays on ${live:-nothing}"
  fi
  log "health check of the $idle slot passed: $out"
  switch_listener "$home" "$name" "$idle"
  log "traffic switched to the $idle slot"
  local kept=""
  [ -n "$live" ] && [ -f "$(slot_file "$home" "$live" "$name")" ] \
    && kept="; $live keeps $(jq -r .version "$(slot_file "$home" "$live" "$name")") for rollback"
  answer deployed "$version live on the $idle slot$kept" "$version" "$name@$idle"
}

# The failing checks of a /api/health/detailed answer, as one line.
failing_checks() { jq -r '.checks // {} | to_entries | map(select(.value.status == "unhealthy") | "\(.key) \(.value.detail)") | join("; ")' <<< "$1"; }

smoke_test() {
  local live out
  live=$(live_slot "$home" "$name")
  [ -n "$live" ] || { answer failed "no slot gets traffic for $name"; return; }
  # Verify the traffic switch (the guide tries 5 times), then the detailed checks once.
  if ! out=$(health_with_retries "$live" basic 5); then answer failed "/api/health on the $live slot: $out"; return; fi
  if ! out=$("$here/service-health.sh" "$home" "$live" "$name" detailed); then
    answer failed "/api/health/detailed on the $live slot answered 503: $(failing_checks "$out")"
    return
  fi
  answer passed "/api/health and /api/health/detailed answer 200 on the $live slot ($(jq -r .version <<< "$out"))"
}

status() {
  if [ "$kind" != Deployment ]; then
    local file; file=$(resource_file)
    [ -f "$file" ] || { answer missing "$(basename "$file") is not there"; return; }
    same_release "$file" || answer drifted "$(basename "$file") differs from what Steward applied"
    return
  fi
  local live release out
  live=$(live_slot "$home" "$name")
  release=$(slot_file "$home" "${live:-blue}" "$name")
  [ -n "$live" ] && [ -f "$release" ] || { answer missing "no slot gets traffic for $name"; return; }
  same_release "$release" || { answer drifted "the release on the $live slot differs from what Steward applied"; return; }
  if ! out=$("$here/service-health.sh" "$home" "$live" "$name" detailed); then
    answer degraded "$live slot: /api/health/detailed answered 503: $(failing_checks "$out")" "$(jq -r .version "$release")"
    return
  fi
  answer healthy "live on the $live slot" "$(jq -r .version "$release")" \
    | jq -c --slurpfile m <(cat "$(metrics_file "$home" "$live" "$name")" 2>/dev/null || echo '{}') \
      '. + ($m[0] | {errorRate, responseTime} | with_entries(select(.value != null)))'
}

case "$STEWARD_ACTION" in
  configureAdapter | registerVersion)
    jq -S --arg at "$(now)" '{resource, version, commit, appliedAt: $at, document}' <<< "$action" | write_atomically "$(resource_file)"
    answer applied "$STEWARD_ACTION $name" ;;
  removeAdapter)
    rm -f "$(resource_file)"
    answer removed "removed $name" ;;
  deploy | promote | rollback)
    deploy ;;
  undeploy)
    rm -f "$home/listeners/$name" "$home"/slots/*/"$name".json "$home"/slots/*/"$name".metrics
    answer removed "undeployed $name from both slots" ;;
  smokeTest)
    smoke_test ;;
  status)
    status ;;
  *)
    fail "unknown action $STEWARD_ACTION" ;;
esac
