#!/usr/bin/env python3
"""The baseline pipeline of scripts/bench for one generated fleet (a git repository): `git ls-tree -r`
plus `git cat-file --batch` of its YAML blobs, then PyYAML's CSafeLoader parsing each of them.
Prints the two times in seconds: "GIT YAML"."""
import subprocess, sys, time, yaml

repo = sys.argv[1]
t = time.perf_counter()
tree = subprocess.run(["git", "-C", repo, "ls-tree", "-r", "HEAD"], capture_output=True, check=True).stdout.decode()
blobs = [line.split()[2] for line in tree.splitlines() if line.endswith((".yaml", ".yml"))]
out = subprocess.run(["git", "-C", repo, "cat-file", "--batch"], input=("\n".join(blobs) + "\n").encode(), capture_output=True, check=True).stdout
docs, i = [], 0
while i < len(out):
    header_end = out.index(b"\n", i)
    size = int(out[i:header_end].split()[2])
    docs.append(out[header_end + 1:header_end + 1 + size])
    i = header_end + 1 + size + 1
git_done = time.perf_counter()
for d in docs:
    list(yaml.load_all(d, Loader=yaml.CSafeLoader))
print(f"{git_done - t:.4f} {time.perf_counter() - git_done:.4f}")
