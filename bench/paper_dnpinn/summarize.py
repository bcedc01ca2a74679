#!/usr/bin/env python3
"""Table of mean and standard error of the relative L2 error (and wall time) per row from the
run directories written by run.sh.  usage: summarize.py OUT/PROBLEM [scale]"""
import json, math, os, re, sys
from collections import defaultdict
root = sys.argv[1]; scale = float(sys.argv[2]) if len(sys.argv) > 2 else 1.0
rows = defaultdict(list)
for d in sorted(os.listdir(root)):
    m = re.match(r"(.+)-s(\d+)$", d)
    f = os.path.join(root, d, "summary.json")
    if not m or not os.path.exists(f):
        continue
    s = json.load(open(f))
    rows[m.group(1)].append((s["rel_l2"]["u"], s["wall_s"], s["epochs"]))
base = None
print(f"| row | runs | epochs | rel. L2 error (×10^{-round(math.log10(scale))}) mean (± s.e.) | time (s) |")
print("|---|---|---|---|---|")
for name, v in rows.items():
    e = [x[0] for x in v]; t = [x[1] for x in v]
    mean = sum(e) / len(e); se = (math.sqrt(sum((x - mean) ** 2 for x in e) / (len(e) - 1)) / math.sqrt(len(e))) if len(e) > 1 else float("nan")
    tm = sum(t) / len(t)
    if name == "pinn": base = tm
    over = f" ({100 * (tm / base - 1):+.1f} %)" if base and name != "pinn" else ""
    print(f"| {name} | {len(v)} | {v[0][2]} | {mean * scale:.2f} (± {se * scale:.2f}) | {tm:.1f}{over} |")
