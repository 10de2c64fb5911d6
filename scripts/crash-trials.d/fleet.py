#!/usr/bin/env python3
"""Writes the crash-trial fleet for one trial into a repository work tree (scripts/crash-trials).

The quickstart's shape on the exec driver: staging and production, the quickstart's adapters and
blueprints, and D deployments whose presence, blueprint version and labels vary per trial, plus
the desktop adapter's memory, so every commit brings creates, updates, version changes and prunes.
"""
import argparse
import os
import random

parser = argparse.ArgumentParser()
parser.add_argument("repo")
parser.add_argument("--trial", type=int, required=True)
parser.add_argument("--deployments", type=int, default=40)
parser.add_argument("--seed", type=int, default=0)
parser.add_argument("--ledger", required=True)
parser.add_argument("--target", required=True)
parser.add_argument("--delay", default="0.03")
parser.add_argument("--targets", type=int, default=0, help="production spans this many Targets, rolled out by Steward")
args = parser.parse_args()
rng = random.Random(args.seed * 100_003 + args.trial)


def write(relative, text):
    path = os.path.join(args.repo, relative)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as handle:
        handle.write(text)


strategy = ["{type: rolling, maxUnavailable: 2}", "{type: canary, steps: [25, 50, 100]}", "{type: blue-green}"][args.trial % 3]
environments = []
for name in ("staging", "production"):
    environments.append(f"""apiVersion: steward/v1
kind: Environment
metadata:
  name: {name}
spec:
  driver:
    type: exec
    command: [./ops/apply.sh]
    timeoutSeconds: 60
    env: {{LEDGER: "{args.ledger}", TARGET: "{args.target}", DELAY: "{args.delay}"}}
  adapters: [robotics-main, desktop-main]
  strategy: {strategy if name == "production" and args.targets else "{type: rolling}"}
""")
write("environments/environments.yaml", "---\n".join(environments))
if args.targets:
    # Production spans robots: rolling batches, canary steps or blue-green slots, in turn per trial, so a kill lands mid-rollout.
    write("targets/robots.yaml", "---\n".join(f"""apiVersion: steward/v1
kind: Target
metadata:
  name: robot-{index:02d}
  labels: {{site: {"berlin" if index % 2 else "paris"}, slot: {"blue" if index % 2 else "green"}}}
spec:
  environment: production
  driver: {{env: {{ROBOT: "{index}"}}}}
""" for index in range(1, args.targets + 1)))

adapter_path = os.path.join(args.repo, "adapters/desktop-main.yaml")
with open(adapter_path) as handle:
    adapter = handle.read()
memory = [4096, 6144, 8192][args.trial % 3]
lines = [f"      memoryMb: {memory}" if line.strip().startswith("memoryMb:") else line for line in adapter.split("\n")]
write("adapters/desktop-main.yaml", "\n".join(lines))

folder = os.path.join(args.repo, "deployments")
os.makedirs(folder, exist_ok=True)
for entry in os.listdir(folder):
    os.remove(os.path.join(folder, entry))
for index in range(args.deployments):
    if args.trial > 0 and rng.random() < 0.12:
        continue  # absent in this trial: pruned, and created again later
    environment = "staging" if index % 2 == 0 else "production"
    if index % 3 == 0:
        blueprint, version, adapter_name = "desktop-assistant", "1.0.0", "desktop-main"
    else:
        blueprint, version, adapter_name = "robot-navigation-agent", rng.choice(["1.2.0", "1.3.0"]), "robotics-main"
    write(f"deployments/dep-{index:03d}.yaml", f"""apiVersion: steward/v1
kind: Deployment
metadata:
  name: dep-{index:03d}-{environment}
  labels:
    round: "{rng.randint(0, 2)}"
spec:
  blueprint: {blueprint}
  version: {version}
  environment: {environment}
  runtimeAdapter: {adapter_name}
""")
