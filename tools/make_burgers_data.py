#!/usr/bin/env python3
"""Make examples/burgers_data.csv, the observations of the inverse example: 2000 points drawn
(seed 7) from the Cole-Hopf reference of examples/burgers.yaml (nu = 0.01/pi) on its 100 x 256
grid.  usage: build/pinnc reference examples/burgers.yaml --out /tmp/bref &&
              python3 tools/make_burgers_data.py /tmp/bref examples/burgers_data.csv"""
import sys
import numpy as np

ref_dir, out = sys.argv[1], sys.argv[2]
grid = np.load(f"{ref_dir}/grid.npy")          # [n][2] rows (t, x)
u = np.load(f"{ref_dir}/reference.npy").ravel()
rng = np.random.default_rng(7)
idx = rng.choice(len(u), size=2000, replace=False)
with open(out, "w") as f:
    f.write("t,x,u\n")
    for i in sorted(idx):
        f.write(f"{grid[i, 0]:.17g},{grid[i, 1]:.17g},{u[i]:.17g}\n")
