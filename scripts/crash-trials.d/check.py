#!/usr/bin/env python3
"""Checks one crash trial (scripts/crash-trials): the ledger against the event log, the store
(`status -o json`) against the event log, and the target against the store.

usage: check.py LEDGER LOGS_JSONL STATUS_JSON TARGET_DIR [SINCE_SEQ LEDGER_FROM]
Only events after SINCE_SEQ and ledger lines after the first LEDGER_FROM are checked for keys run
or completed twice (so one trial's finding is not reported again by the next); the store, the
event log and the target are compared as a whole. Prints problems and exits 1 if any.
"""
import collections
import json
import os
import sys

ledger_path, logs_path, status_path, target = sys.argv[1:5]
since_seq = int(sys.argv[5]) if len(sys.argv) > 5 else 0
ledger_from = int(sys.argv[6]) if len(sys.argv) > 6 else 0
EFFECTFUL = {"registerVersion", "configureAdapter", "removeAdapter", "deploy", "promote", "rollback", "undeploy"}
REMOVALS = {"undeploy", "removeAdapter"}
TARGET_KINDS = {"RuntimeAdapter", "AgentBlueprint", "Deployment"}
problems = []

runs = collections.Counter()
ledger = {}
recent = set()
with open(ledger_path) as handle:
    for number, line in enumerate(handle):
        fields = dict(part.split("=", 1) for part in line.split())
        runs[fields["key"]] += 1
        ledger[fields["key"]] = fields
        if number >= ledger_from:
            recent.add(fields["key"])
for key, count in runs.items():
    if count > 1 and key in recent:
        entry = ledger[key]
        problems.append(f"key {key[:12]} ({entry['action']} {entry['resource']} in {entry['environment']}) ran {count} times")

events = []
with open(logs_path) as handle:
    events = [json.loads(line) for line in handle if line.strip()]
succeeded = {}
last = {}
for event in events:
    if event["type"] != "actionSucceeded":
        continue
    key = event["data"]["key"]
    if key in succeeded and event["seq"] > since_seq:
        problems.append(f"key {key[:12]} ({event['resource']} in {event['environment']}) completed twice in the event log")
    succeeded[key] = event
    last[(event["resource"], event["environment"])] = event

for key, event in succeeded.items():
    if event["seq"] > since_seq and event["data"]["action"] in EFFECTFUL and runs[key] != 1:
        problems.append(f"completed {event['data']['action']} {event['resource']} in {event['environment']} "
                        f"(key {key[:12]}, seq {event['seq']}) appears {runs[key]} times in the ledger")
for key, entry in ledger.items():
    if key in recent and key not in succeeded:
        problems.append(f"effect {entry['action']} {entry['resource']} in {entry['environment']} (key {key[:12]}) "
                        "is in the ledger but was never recorded as completed")

with open(status_path) as handle:
    status = json.load(handle)
rows = {}
for row in status["resources"]:
    if row["kind"] in TARGET_KINDS:
        rows[(f"{row['kind']}/{row['name']}", row.get("environment"))] = row
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
    state = os.path.join(target, environment, resource.replace("/", "_"))
    if not os.path.exists(state):
        problems.append(f"{where} is in the store but not on the target")
for (resource, environment), event in last.items():
    kind = resource.split("/", 1)[0]
    if event["data"]["action"] not in REMOVALS and (resource, environment) not in rows and kind != "AgentBlueprint":
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
print(f"{len(runs)} keys in the ledger, {len(succeeded)} completed actions, {len(rows)} resources in the store")
sys.exit(1 if problems else 0)
