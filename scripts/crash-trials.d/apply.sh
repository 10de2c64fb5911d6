#!/bin/bash
# The exec driver's command in crash trials: a pretend target that keeps its own ledger of effects.
# Around every effect it writes a `start` line before touching its state and a `done` line after,
# each naming the effect — action, resource, environment (`environment@target` on a Target), version and spec (a hash of the document
# applied) — and the idempotency key it ran under. What the target runs is one file per resource
# holding its version and spec. It never de-duplicates: an effect started again shows as a second
# `start`, whatever key it came with.
# `status` answers from those files alone, never from keys (Steward's probe of an interrupted action
# asks whether the effect is there): missing, drifted (another version or spec runs), or healthy.
set -euo pipefail
input=$(cat)
key=${STEWARD_IDEMPOTENCY_KEY:-}
# On a Target (DESIGN §10) each target is a place of its own: `environment@target`.
environment=$STEWARD_ENVIRONMENT${STEWARD_TARGET:+@$STEWARD_TARGET}
resource=$STEWARD_RESOURCE
state="$TARGET/$environment/${resource//\//_}"
# A blue-green switch (DESIGN §10) sets the environment's active slot: a file of its own.
# Steward sets STEWARD_SLOT for the switch and for the status check of an interrupted one.
if [ -n "${STEWARD_SLOT:-}" ]; then state="$TARGET/$environment/.slot_${resource//\//_}"; fi
mkdir -p "$TARGET/$environment" "$TARGET/.locks"
document=$(printf '%s' "$input" | jq -cS '.document')
spec=$(printf '%s' "$document" | sha256sum | cut -c1-16)
want="${STEWARD_VERSION:--} $spec"
exec 9>"$TARGET/.locks/${environment}_${resource//\//_}"
flock 9

if [ "$STEWARD_ACTION" = status ]; then
  if [ -n "${STEWARD_SLOT:-}" ]; then
    # Which slot takes traffic: the one the last switch set, with the version and spec it set it for.
    if [ -f "$state" ] && [ "$(cat "$state")" = "$want" ]; then printf '{"activeSlot":"%s"}\n' "$STEWARD_SLOT"; else echo '{}'; fi
    exit 0
  fi
  if [ ! -f "$state" ]; then
    echo '{"status":"missing","message":"not on the target"}'
  elif [ "$document" != null ] && [ "$(cat "$state")" != "$want" ]; then
    printf '{"status":"drifted","message":"the target runs %s"}\n' "$(cat "$state")"
  else
    echo '{"status":"healthy"}'
  fi
  exit 0
fi

entry() {
  printf '%s effect=%s/%s/%s/%s/%s key=%s\n' "$1" "$STEWARD_ACTION" "$resource" "$environment" "${STEWARD_VERSION:--}" "$spec" "$key" >> "$LEDGER"
}
case "$STEWARD_ACTION" in
  smokeTest|backup|pruneBackups) exit 0 ;;   # checks, nothing lasting on the target
esac
entry start
sleep "${DELAY:-0.02}"
case "$STEWARD_ACTION" in
  undeploy|removeAdapter) rm -f "$state" ;;
  *) printf '%s\n' "$want" > "$state.tmp"; mv "$state.tmp" "$state" ;;
esac
entry done
