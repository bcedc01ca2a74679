#!/usr/bin/env python3
"""latent_stats.py RUN [LAYER...] - does a PINN's latent space cluster by output value?  For the t-SNE
embedding RUN/latent/layer<l>_tsne.npy written by `pinnc latent`, and for the raw
activations of the same subsample, two ratios over the points of RUN/latent/points.npy:
  knn_du: mean |u_i - u_j| over each point's 10 nearest neighbours / over all pairs
          (small: neighbours share the output value);
  same_u: mean distance between points with nearly equal output (|du| < 2% of the range)
          / mean distance over all pairs (small: equal outputs sit together, i.e. clusters).
The same two ratios with the coordinates (normalised to [0, 1]) instead of u are printed too.
Pure Python (no numpy): O(m^2) per layer for m <= 1000 points."""
import math, os, struct, sys

def npy(path):
    with open(path, "rb") as f:
        f.read(6); major = f.read(1)[0]; f.read(1)
        hl = struct.unpack("<H" if major == 1 else "<I", f.read(2 if major == 1 else 4))[0]
        hdr = f.read(hl).decode()
        shape = tuple(int(x) for x in hdr.split("'shape':")[1].split("(")[1].split(")")[0].split(",") if x.strip())
        n = 1
        for s in shape: n *= s
        return shape, struct.unpack("<%dd" % n, f.read(8 * n))

def neighbours(Z, w, m):
    """For a subsample of at most 400 points: each point's distances to the others, sorted."""
    step = max(1, m // 400)
    idx = list(range(0, m, step))
    out = []
    for i in idx:
        zi = Z[i * w:(i + 1) * w]
        out.append((i, sorted((math.sqrt(sum((zi[k] - Z[j * w + k]) ** 2 for k in range(w))), j) for j in idx if j != i)))
    return out

def ratios(nb, vals):
    span = (max(vals) - min(vals)) or 1
    knn = allp = same = alld = 0.0
    ns = na = 0
    for i, dist in nb:
        knn += sum(abs(vals[i] - vals[j]) for _, j in dist[:10]) / 10
        for dd, j in dist:
            dv = abs(vals[i] - vals[j])
            allp += dv; alld += dd; na += 1
            if dv < 0.02 * span:
                same += dd; ns += 1
    return (knn / len(nb)) / (allp / na), (same / max(ns, 1)) / (alld / na)

run = sys.argv[1]
only = [int(a) for a in sys.argv[2:]]  # optional: the layers to measure
(m, pc), P = npy(os.path.join(run, "latent", "points.npy"))
d = pc - 1
cols = [[P[p * pc + c] for p in range(m)] for c in range(pc)]
for c in range(d):
    lo, hi = min(cols[c]), max(cols[c]); cols[c] = [(v - lo) / ((hi - lo) or 1) for v in cols[c]]
names = [f"coord{c}" for c in range(d)] + ["u"]
print("layer | space | knn_du(u) | same_u(u) | " + " | ".join(f"knn_d({n}) | same({n})" for n in names[:d]))
l = 1
while os.path.exists(os.path.join(run, "latent", f"layer{l}_pca.npy")):
    if only and l not in only:
        l += 1
        continue
    for emb in ("raw", "tsne"):
        if emb == "raw":
            (n, w), A = npy(os.path.join(run, "latent", f"layer{l}.npy"))
            stride = (n + m - 1) // m if n > m else 1
            Z = [A[(p * stride) * w + k] for p in range(m) for k in range(w)]
        else:
            path = os.path.join(run, "latent", f"layer{l}_{emb}.npy")
            if not os.path.exists(path): continue
            (_, w), Z = npy(path)
        nb = neighbours(Z, w, m)
        r = [ratios(nb, cols[c]) for c in [d] + list(range(d))]
        print(f"{l} | {emb} | " + " | ".join(f"{a:.3f} | {b:.3f}" for a, b in r))
    l += 1
