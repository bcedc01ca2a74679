#!/usr/bin/env python3
"""python_pinnc.py LIB PINNC SOURCE OUT - the Python package against the CLI: train the heat
example for 200 epochs from Python, evaluate u and u_x at 100 points, and match `pinnc eval` on
the same run directory to 1e-12; a run loaded back from its directory predicts the same; the
history, summary and _repr_html_ are there; a problem given as a dict trains too."""
import os
import shutil
import subprocess
import sys

try:
    import numpy as np
except ImportError:
    raise SystemExit(f"python_pinnc: numpy missing for {sys.executable} (apt-get install python3-numpy)")

lib, pinnc_cli, src, out = sys.argv[1:5]
os.environ["PINNC_LIB"] = lib
sys.path.insert(0, os.path.join(src, "python"))
import pinnc  # noqa: E402

shutil.rmtree(out, ignore_errors=True)
os.makedirs(out)
fails = []


def check(cond, msg):
    if not cond:
        fails.append(msg)
        print("FAIL:", msg, file=sys.stderr)


run_dir = os.path.join(out, "heat")
run = pinnc.train(os.path.join(src, "examples", "heat.yaml"),
                  {"train": {"epochs": 200, "lbfgs": 0, "log_every": 50, "eval_every": 100, "collocation": 500}},
                  out=run_dir)
check(run.coords == ["t", "x"] and run.fields == ["u"] and run.time == 0, f"names: {run!r}")
rng = np.random.default_rng(7)
pts = np.column_stack([rng.uniform(0, 1, 100), rng.uniform(0, 1, 100)])
y = run.predict({"t": pts[:, 0], "x": pts[:, 1]}, ["u", "u_x"])
check(y.shape == (100, 2) and np.all(np.isfinite(y)), f"predict shape {y.shape}")

csv = os.path.join(out, "points.csv")
with open(csv, "w") as f:
    f.write("x,t\n")  # columns in another order than the problem's
    for t, x in pts:
        f.write(f"{x!r},{t!r}\n")
res = os.path.join(out, "cli.csv")
# the same OpenBLAS kernels as this process (PINNC_BLAS_CORE set: the CLI keeps OpenBLAS's own
# choice instead of restarting with OPENBLAS_CORETYPE; in float32 other kernels round differently)
subprocess.run([pinnc_cli, "eval", run_dir, "--points", csv, "--what", "u,u_x", "--out", res], check=True,
               env=dict(os.environ, PINNC_BLAS_CORE="keep"))
cli = np.loadtxt(res, delimiter=",", skiprows=1)
diff = np.max(np.abs(cli[:, 2:4] - y))
print(f"max |python - pinnc eval| over 100 points, u and u_x: {diff:.3e}")
check(diff <= 1e-12, f"python and CLI differ by {diff}")

again = pinnc.load(run_dir)
d2 = np.max(np.abs(again.predict(pts, ["u", "u_x"]) - y))
check(d2 <= 1e-12, f"loaded run differs by {d2}")
rel = again.evaluate()["u"]
check(abs(rel - run.summary["rel_l2"]["u"]) <= 1e-9 * max(1, rel), f"evaluate {rel} vs summary {run.summary['rel_l2']}")
h = run.history
check(len(h["epoch"]) >= 4 and h["epoch"][-1] == 200 and np.all(h["loss"] > 0), f"history {h.get('epoch')}")
check(h["phase"][0] == "adam", "history phase column")
check("<iframe" in run._repr_html_() and "report" in run._repr_html_(), "_repr_html_ shows the report")
check(run.nparams == 2241, f"parameters {run.nparams}")

prob = {"title": "dict problem", "domain": {"x": [0, 1]}, "fields": ["u"], "equations": ["u_xx = -1"],
        "conditions": [{"name": "ends", "on": "x = 0 or x = 1", "equation": "u = 0", "points": 2}],
        "model": {"kind": "mlp", "hidden": [8]}, "train": {"collocation": 32, "epochs": 20, "lbfgs": 0},
        "reference": {"solver": "exact", "u": "x*(1 - x)/2"}}
r2 = pinnc.train(prob, {"train.epochs": 30}, out=os.path.join(out, "dict"))
check(r2.summary["epochs"] == 30 and os.path.exists(os.path.join(out, "dict", "report.html")), "dict problem run")
try:
    pinnc.load(os.path.join(out, "nope"))
    check(False, "loading a missing run raised nothing")
except pinnc.PinncError as e:
    check("config.yaml" in str(e), f"error names the file: {e}")

if fails:
    sys.exit(1)
print("python_pinnc: ok")
