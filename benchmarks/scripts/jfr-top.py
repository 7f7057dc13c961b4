#!/usr/bin/env python3
"""Summarizes a JFR recording's execution samples: top frames (self) and top Vireo frames (total).

usage: jfr-top.py RECORDING.jfr [N]
"""
import collections, re, subprocess, sys

path = sys.argv[1]
n = int(sys.argv[2]) if len(sys.argv) > 2 else 15
text = subprocess.run(["jfr", "print", "--stack-depth", "64", "--events", "jdk.ExecutionSample", path],
                      capture_output=True, text=True, check=True).stdout
self_counts, total_counts, vireo_total = collections.Counter(), collections.Counter(), collections.Counter()
samples = 0
for event in text.split("jdk.ExecutionSample")[1:]:
    frames = re.findall(r"^\s+([\w$.<>]+\([^)]*\))\s+line:", event, re.M)
    if not frames:
        continue
    samples += 1
    self_counts[frames[0]] += 1
    seen = set()
    for f in frames:
        if f not in seen:
            seen.add(f)
            total_counts[f] += 1
            if f.startswith("io.vireo.") and not f.startswith("io.vireo.benchmarks."):
                vireo_total[f] += 1
print(f"{samples} samples")
print("top frames (self):")
for f, c in self_counts.most_common(n):
    print(f"  {100.0 * c / samples:5.1f}%  {f}")
print("Vireo frames (total, inclusive):")
for f, c in vireo_total.most_common(n):
    print(f"  {100.0 * c / samples:5.1f}%  {f}")
