#!/usr/bin/env bash
# The exec driver of the OPMAS example for staging and production (DESIGN §5 exec): Steward runs
# it once per action, the action as JSON on stdin, STEWARD_ACTION / STEWARD_RESOURCE /
# STEWARD_VERSION set; exit 0 is success and the last line of stdout may be a JSON answer.
# It carries out the OPMAS deployment guide's "7. Deployment Process" on OPMAS_HOME, a folder
# standing in for the cluster:
#   configureAdapter   the environment's configuration: config/ADAPTER.json and the
#                      .env file the services read (config/ADAPTER.env)
#   registerVersion    the release's images on the cluster (images/BLUEPRINT@VERSION.json)
#   deploy, promote,   7.1 pre-deployment checks, then 7.2: database migration (schema
#   rollback           version), then core, management API and UI in that order
#   smokeTest          7.2 verification: health checks and integration test (verify-deployment.sh)
#   status             what runs (drift), its verification and the service metrics (errorRate,
#                      responseTime) that Steward's health gate watches (7.3 post-deployment)
#   undeploy, removeAdapter   remove it
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib/common.sh"

home="${OPMAS_HOME:?OPMAS_HOME is not set: give it in the environment's driver.env}"
: "${STEWARD_ACTION:?run by Steward's exec driver: STEWARD_ACTION is not set}"
action=$(cat)
resource=${STEWARD_RESOURCE:?}
kind=${resource%%/*} name=${resource#*/}
case "$kind" in
  RuntimeAdapter) record="$home/config/$name.json" ;;
  AgentBlueprint) record="$home/images/$name.json" ;;
  Deployment) record="$home/deployments/$name.json" ;;
  *) fail "unknown kind $kind" ;;
esac

answer() { jq -n -c --arg status "$1" --arg message "$2" --arg version "${3:-}" \
  '{status: $status, message: $message} + (if $version == "" then {} else {version: $version} end)'; }
write_record() { jq -S --arg at "$(now)" '{resource, version, commit, appliedAt: $at, document}' <<< "$action" | write_atomically "$record"; }
matches() { [ "$(jq -S -c .document "$record")" = "$(jq -S -c .document <<< "$action")" ]; }

deploy() {
  local version blueprint image schema component
  version=$(jq -r .version <<< "$action")
  blueprint=$(jq -r .document.spec.blueprint <<< "$action")
  image="$home/images/$blueprint@$version.json"
  "$here/pre-deployment-checks.sh" "$home" "$action" >&2
  # 1. database migration: the schema the release needs (kept when it is already newer)
  schema=$(jq -r '.document.spec.config.schemaVersion' "$image")
  if [ "$(cat "$home/database/schema_version" 2>/dev/null || echo 0)" -lt "$schema" ]; then
    echo "$schema" | write_atomically "$home/database/schema_version"
    echo "$(now) migrated to schema $schema for $blueprint $version" >> "$home/database/migrations.log"
    log "database migrated to schema $schema"
  fi
  # 2. service deployment: core backend, management API, frontend UI
  for component in core management-api ui; do
    jq -n -c --arg version "$version" --arg at "$(now)" --slurpfile image "$image" \
      --arg component "$component" '{version: $version, startedAt: $at}
        + (if $component == "management-api" then {coreVersion: $version, agents: $image[0].document.spec.config.agents} else {} end)' \
      | write_atomically "$home/services/$name/$component.json"
    log "$component runs $version"
  done
  jq -n -c '{errorRate: 0.002, responseTime: 210}' | write_atomically "$home/metrics/$name.json"
  write_record
  answer deployed "$STEWARD_ACTION: $blueprint $version runs in $(jq -r .environment <<< "$action") (core, management API, UI)" "$version"
}

status() {
  [ -f "$record" ] || { answer missing "$(basename "$record") is not on the cluster"; return; }
  matches || { answer drifted "$(basename "$(dirname "$record")")/$(basename "$record") differs from what Steward applied"; return; }
  [ "$kind" = Deployment ] || return 0
  local version out
  version=$(jq -r .version "$record")
  if ! out=$("$here/verify-deployment.sh" "$home" "$name"); then
    answer degraded "$(jq -r '.problems | join("; ")' <<< "$out")" "$version"
    return
  fi
  answer healthy "core, management API and UI run $version" "$version" \
    | jq -c --slurpfile m <(cat "$home/metrics/$name.json" 2>/dev/null || echo '{}') \
      '. + ($m[0] | {errorRate, responseTime} | with_entries(select(.value != null)))'
}

case "$STEWARD_ACTION" in
  configureAdapter)
    write_record
    jq -r '.document.spec.config.env // {} | to_entries[] | "\(.key)=\(.value)"' <<< "$action" | write_atomically "$home/config/$name.env"
    answer applied "configuration $name applied ($(wc -l < "$home/config/$name.env") variables)" ;;
  registerVersion)
    write_record
    answer applied "image of $name on the cluster" ;;
  removeAdapter)
    rm -f "$record" "$home/config/$name.env"
    answer removed "configuration $name removed" ;;
  deploy | promote | rollback)
    deploy ;;
  undeploy)
    rm -rf "$record" "$home/services/$name" "$home/metrics/$name.json"
    answer removed "$name undeployed" ;;
  smokeTest)
    if out=$("$here/verify-deployment.sh" "$home" "$name"); then
      answer passed "health checks and integration test passed: $(jq -r '.checks | keys | join(", ")' <<< "$out")"
    else
      answer failed "verification failed: $(jq -r '.problems | join("; ")' <<< "$out")"
    fi ;;
  status)
    status ;;
  *)
    fail "unknown action $STEWARD_ACTION" ;;
esac
