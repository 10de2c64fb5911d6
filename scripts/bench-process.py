#!/usr/bin/env python3
"""The CLI as users and CI run it, for scripts/bench: each command a fresh `steward` process in a
controller folder whose store is converged on a generated fleet. Prints, over RUNS runs, the median
wall time and peak RSS of
  process start               steward --version (the runtime and libraries loading, nothing else)
  diff --detailed-exitcode    what a CI job runs on a converged fleet (exit 0 expected), with the
                              blobs, probe memo and document hashes the controller saved in
                              .steward/cache
  diff, nothing saved         the same with those three moved aside (a controller that never saved)
  validate --repo             the fleet's tip validated, no configuration or store
  status -o json              the store read and printed
and the baseline pipeline (scripts/bench-baseline.py: git ls-tree + cat-file, PyYAML CSafeLoader) run
right after each diff, so a pair sees the machine at the same speed; the ratio is the median of the
pairs' ratios. Asserts nothing.
usage: bench-process.py STEWARD CONTROLLER_FOLDER FLEET_REPO [RUNS]"""
import os, resource, statistics, subprocess, sys, time

steward, folder, fleet = sys.argv[1], sys.argv[2], sys.argv[3]
runs = int(sys.argv[4]) if len(sys.argv) > 4 else 5
here = os.path.dirname(os.path.abspath(__file__))


def timed(args, cwd):
    """Wall seconds, peak RSS in MB and exit code of one process."""
    started = time.perf_counter()
    child = subprocess.Popen(args, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - started
    child.stderr.close()
    return seconds, usage.ru_maxrss / 1024, os.waitstatus_to_exitcode(status)


def baseline():
    out = subprocess.run([sys.executable, os.path.join(here, "bench-baseline.py"), fleet], capture_output=True, check=True, text=True).stdout
    git, yaml = (float(x) for x in out.split())
    return git + yaml


saved = [os.path.join(folder, ".steward", "cache", name) for name in ("blobs-1", "probe-memo", "document-hashes")]


def put_saved_aside():
    """Moves aside what the controller saved for the next process (blob cache, probe memo, document hashes)."""
    for path in saved:
        if os.path.exists(path):
            os.rename(path, path + ".aside")


def put_saved_back():
    for path in saved:
        if os.path.exists(path + ".aside"):
            os.rename(path + ".aside", path)


rows = {}
diff = [steward, "diff", "--detailed-exitcode"]
commands = [
    ("process start (--version)", [steward, "--version"], None, None),
    ("diff, nothing saved", diff, put_saved_aside, put_saved_back),
    ("diff --detailed-exitcode", diff, None, None),
    ("validate --repo", [steward, "validate", "--repo", fleet], None, None),
    ("status -o json", [steward, "status", "-o", "json"], None, None),
]
ratios, baselines, codes = {}, [], set()
timed([steward, "diff"], folder)   # warm the page cache once, as a CI runner that just checked out
for _ in range(runs):
    for name, args, before, after in commands:
        if before:
            before()
        seconds, rss, code = timed(args, folder)
        if after:
            after()
        rows.setdefault(name, []).append((seconds, rss))
        if name.startswith("diff"):
            codes.add(code)
            base = baseline()
            baselines.append(base)
            ratios.setdefault(name, []).append(seconds / base)

print(f"{'process':28} {'median s':>9} {'peak RSS MB':>12}")
for name, values in rows.items():
    print(f"{name:28} {statistics.median(v[0] for v in values):9.3f} {statistics.median(v[1] for v in values):12.0f}")
print(f"{'baseline (git + PyYAML)':28} {statistics.median(baselines):9.3f}")
print(f"{'ratio diff / baseline':28} {statistics.median(ratios['diff --detailed-exitcode']):9.3f}  (median of {runs} back-to-back pairs; target <= 0.25 at 10,000)")
print(f"{'ratio, nothing saved':28} {statistics.median(ratios['diff, nothing saved']):9.3f}  (the first diff on a machine, same pairs)")
if codes != {0}:
    print(f"note: diff --detailed-exitcode exited {sorted(codes)} (0 expected on a converged fleet)")
