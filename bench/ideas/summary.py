#!/usr/bin/env python3
"""summary.py RESULTS.csv - mean +- standard error over seeds of each (problem, variant) of
bench/ideas/run.sh, as a Markdown table (NaN runs counted as failures)."""
import csv, math, sys
from collections import OrderedDict

rows = list(csv.DictReader(open(sys.argv[1])))
groups = OrderedDict()
for r in rows:
    groups.setdefault((r["problem"], r["variant"]), []).append(r)

def ms(vals):
    v = [x for x in vals if math.isfinite(x)]
    if not v:
        return "—"
    m = sum(v) / len(v)
    se = math.sqrt(sum((x - m) ** 2 for x in v) / (len(v) - 1) / len(v)) if len(v) > 1 else float("nan")
    return f"{m:.3g} ± {se:.2g}"

print("| problem | variant | seeds | rel. L2 | rel. L2 at epoch 500 | RMSE | shock error (t = 0.5) | mean shock error | CPU s / run |")
print("|---|---|---|---|---|---|---|---|---|")
for (p, v), rs in groups.items():
    f = lambda k: [float(r[k]) for r in rs]
    ok = sum(math.isfinite(x) for x in f("rel_l2"))
    cpu = [x for x in f("cpu_s") if math.isfinite(x)]
    shock = p == "buckley_leverett"
    print(f"| {p} | {v} | {ok}/{len(rs)} | {ms(f('rel_l2'))} | {ms(f('rel_l2_500'))} | {ms(f('rmse')) if shock else '—'} | "
          f"{ms(f('shock_err')) if shock else '—'} | {ms(f('shock_mean_err')) if shock else '—'} | "
          f"{sum(cpu) / len(cpu):.1f} |" if cpu else "")
