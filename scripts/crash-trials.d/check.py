#!/usr/bin/env python3
"""Checks one crash trial (scripts/crash-trials) by its effects: the target's own ledger, then the
event log, the store (`status -o json`) and the target against each other.

usage: check.py LEDGER LOGS_JSONL STATUS_JSON TARGET_DIR [SINCE_SEQ LEDGER_FROM]

The ledger (written by the target, scripts/crash-trials.d/apply.sh) has a `start` and a `done`
line per effect: action, resource, environment, version and spec. The rule checked is DESIGN §5's
"no completed action run twice", by effects, whatever keys say: an effect is never started while it
is the one in place on that resource (it completed, and nothing changed the resource since). An
effect started and interrupted (a `start` without its `done`, the script killed with the
controller) may start again. Only ledger lines after the first LEDGER_FROM and events after
SINCE_SEQ are reported (so one trial's finding is not reported again by the next); the store, the
event log and the target are compared as a whole. Prints problems and exits 1 if any.
"""
import collections
import json
import os
import sys

ledger_path, logs_path, status_path, target = sys.argv[1:5]
since_seq = int(sys.argv[5]) if len(sys.argv) > 5 else 0
ledger_from = int(sys.argv[6]) if len(sys.argv) > 6 else 0
EFFECTFUL = {"registerVersion", "configureAdapter", "removeAdapter", "deploy", "promote", "rollback", "undeploy", "switch"}
REMOVALS = {"undeploy", "removeAdapter"}
TARGET_KINDS = {"RuntimeAdapter", "AgentBlueprint", "Deployment"}
problems = []


def placed(environment, target):
    """Where an effect lands: the environment, or `environment@target` on a Target (as apply.sh writes it)."""
    return f"{environment}@{target}" if target else environment


def parse_effect(text):
    """`deploy/Deployment/dep-001-staging/staging/1.2.0/ab12…` → (action, resource, environment, version, spec)."""
    parts = text.split("/")
    return parts[0], "/".join(parts[1:-3]), parts[-3], parts[-2], parts[-1]


in_place = {}        # (resource, environment) → (effect, line) of the last effect completed there
done_effects = collections.Counter()
started_effects = set()
with open(ledger_path) as handle:
    for number, line in enumerate(handle, start=1):
        phase, effect_field, key_field = line.split()
        effect = parse_effect(effect_field.split("=", 1)[1])
        action, resource, environment, version, spec = effect
        place = (resource, environment)
        started_effects.add(effect[:4])
        if phase == "start":
            current = in_place.get(place)
            if current and current[0] == effect and number > ledger_from:
                problems.append(f"{action} {resource} in {environment} {version} started again (ledger line {number}, "
                                f"{key_field[:16]}) after it completed at line {current[1]} with nothing in between")
            # Until its `done`, what the resource holds is unknown: an interrupted effect may have changed it.
            in_place[place] = None
        elif phase == "done":
            in_place[place] = (effect, number)
            done_effects[effect[:4]] += 1

events = []
with open(logs_path) as handle:
    events = [json.loads(line) for line in handle if line.strip()]
succeeded = {}
last = {}
completed_effects = set()
for event in events:
    if event["type"] != "actionSucceeded":
        continue
    key = event["data"]["key"]
    where = placed(event["environment"], event["data"].get("target"))
    if key in succeeded and event["seq"] > since_seq:
        problems.append(f"key {key[:12]} ({event['resource']} in {where}) completed twice in the event log")
    succeeded[key] = event
    last[(event["resource"], where)] = event
    effect = (event["data"]["action"], event["resource"], where, event["data"].get("version") or "-")
    completed_effects.add(effect)
    # Found in place by asking the target (after a crash), or registered there before: nothing ran.
    ran = not event["message"].startswith(("found already applied on the target", "registered in "))
    if ran and event["seq"] > since_seq and event["data"]["action"] in EFFECTFUL and effect not in started_effects:
        problems.append(f"completed {effect[0]} {effect[1]} in {effect[2]} {effect[3]} (seq {event['seq']}) never reached the target")

with open(status_path) as handle:
    status = json.load(handle)
rows = {}
for row in status["resources"]:
    if row["kind"] in TARGET_KINDS:
        rows[(f"{row['kind']}/{row['name']}", placed(row.get("environment"), row.get("target")))] = row
for (resource, environment), row in rows.items():
    where = f"{resource} in {environment}"
    if row["sync"] != "Synced" or row["health"] != "Healthy":
        problems.append(f"{where} is {row['sync']}/{row['health']}: {row.get('message')}")
    event = last.get((resource, environment))
    if event is None:
        problems.append(f"{where} is in the store but no actionSucceeded event names it")
        continue
    if event["data"]["action"] in REMOVALS:
        problems.append(f"{where} is in the store but its last completed action was {event['data']['action']} (seq {event['seq']})")
    if (event["data"].get("version") or None) != (row.get("version") or None):
        problems.append(f"{where}: store version {row.get('version')} but last actionSucceeded (seq {event['seq']}) has {event['data'].get('version')}")
    if event["commit"] != row["commit"]:
        problems.append(f"{where}: store commit {row['commit'][:12]} but last actionSucceeded (seq {event['seq']}) has {event['commit'][:12]}")
    # A blue-green Deployment's router: its last switch set the slot file (apply.sh).
    state = os.path.join(target, environment, (".slot_" if event["data"]["action"] == "switch" else "") + resource.replace("/", "_"))
    if not os.path.exists(state):
        problems.append(f"{where} is in the store but not on the target")
    elif open(state).read().split()[0] != (row.get("version") or "-"):
        problems.append(f"{where}: the target runs {open(state).read().strip()}, the store says {row.get('version')}")
for (resource, environment), event in last.items():
    kind = resource.split("/", 1)[0]
    # A router is forgotten when its Deployment stops being blue-green; nothing is sent for it.
    if event["data"]["action"] not in REMOVALS | {"switch"} and (resource, environment) not in rows and kind != "AgentBlueprint":
        problems.append(f"{resource} in {environment}: last completed {event['data']['action']} (seq {event['seq']}) but the store has no record")
for environment in os.listdir(target):
    if environment.startswith("."):
        continue
    for name in os.listdir(os.path.join(target, environment)):
        kind, _, rest = name.partition("_")
        if kind in ("RuntimeAdapter", "Deployment") and not name.endswith(".tmp") and (f"{kind}/{rest}", environment) not in rows:
            problems.append(f"{kind}/{rest} runs on the target in {environment} but the store does not know it")

for problem in problems:
    print(problem)
print(f"{sum(done_effects.values())} effects done on the target, {len(succeeded)} completed actions, {len(rows)} resources in the store")
sys.exit(1 if problems else 0)
