# What a MAOS node keeps under MAOS_HOME (sourced by the scripts of ops/):
#   secrets/MAOS_DATABASE_PRIMARY_URL   the database URL (provisioned by the operator)
#   config/ADAPTER.json                 the runtime configuration (config.yml of the guide)
#   images/BLUEPRINT@VERSION.json       the images pulled on the nodes
#   deployments/DEPLOYMENT.json         what runs, as Steward applied it
#   nodes/maos-N/DEPLOYMENT.json        the version each node of the rolling update runs
#   checkpoints/DEPLOYMENT/*.json       checkpoint storage (/var/lib/maos/checkpoints in the guide)
#   metrics/DEPLOYMENT.json             the node's metrics endpoint: errorRate, responseTime (ms)
# shellcheck shell=bash

# The record file of a resource: "Deployment/x" -> deployments/x.json, and so on.
record_file() {
  local home=$1 resource=$2
  case "${resource%%/*}" in
    RuntimeAdapter) echo "$home/config/${resource#*/}.json" ;;
    AgentBlueprint) echo "$home/images/${resource#*/}.json" ;;
    Deployment) echo "$home/deployments/${resource#*/}.json" ;;
    *) fail "unknown kind in $resource" ;;
  esac
}

# Writes the record of what was applied: the resource, version, commit and document from the action.
write_record() {
  local file=$1 action=$2
  jq -S --arg at "$(now)" '{resource, version, commit, appliedAt: $at, document}' <<< "$action" | write_atomically "$file"
}

# Whether the record's document is the one in the action (canonical comparison).
record_matches() {
  local file=$1 action=$2
  [ "$(jq -S -c '.document' "$file")" = "$(jq -S -c '.document' <<< "$action")" ]
}
