#!/bin/bash
# The exec driver's command in crash trials: a pretend target. Every effect is one line in $LEDGER
# (key, action, resource, environment, version); what the target runs is one file per resource
# under $TARGET/<environment>/. It never de-duplicates, so a key Steward runs twice shows twice.
# `status` answers probes: with STEWARD_IDEMPOTENCY_KEY set (a key started but not completed when
# the controller died) from the ledger, after waiting for that key's lock so an apply orphaned by
# the kill finishes first; without a key from the resource's file.
set -euo pipefail
cat > /dev/null
key=${STEWARD_IDEMPOTENCY_KEY:-}
environment=$STEWARD_ENVIRONMENT
resource=$STEWARD_RESOURCE
state="$TARGET/$environment/${resource//\//_}"
mkdir -p "$TARGET/$environment" "$TARGET/.locks"

if [ "$STEWARD_ACTION" = status ]; then
  if [ -n "$key" ]; then
    exec 9>"$TARGET/.locks/$key"
    flock 9
    line=$(grep -F "key=$key " "$LEDGER" | tail -n 1 || true)
    if [ -z "$line" ]; then
      echo '{"status":"unknown","message":"no effect recorded for this key"}'
    elif [[ "$line" == *" action=undeploy "* || "$line" == *" action=removeAdapter "* ]]; then
      echo '{"status":"missing"}'
    else
      echo '{"status":"healthy"}'
    fi
  elif [ -f "$state" ]; then
    echo '{"status":"healthy"}'
  else
    echo '{"status":"missing","message":"not on the target"}'
  fi
  exit 0
fi

exec 9>"$TARGET/.locks/${key:-none}"
flock 9
sleep "${DELAY:-0.02}"
case "$STEWARD_ACTION" in
  undeploy|removeAdapter) rm -f "$state" ;;
  smokeTest|backup|pruneBackups) ;;
  *) printf '%s\n' "${STEWARD_VERSION:-}" > "$state.tmp"; mv "$state.tmp" "$state" ;;
esac
printf 'key=%s action=%s resource=%s environment=%s version=%s\n' \
  "$key" "$STEWARD_ACTION" "$resource" "$environment" "${STEWARD_VERSION:--}" >> "$LEDGER"
