#!/usr/bin/env python3
"""PyTorch reference implementations of the benchmark PINNs, written the way users write them
(autograd with create_graph=True for input derivatives), timed per training epoch.

usage: torch_pinn.py CASE [--dtype float64|float32] [--epochs N] [--threads N] [--dn]
CASE: burgers (8x20 tanh, 10000+100+200 points, full batch), poisson (4x50 tanh, 2500+400),
      allen_cahn (4x128 tanh, 4096-point mini-batches of 20000, 512 initial, 200 periodic pairs).
--dn: DN-PINN weighting (per-term gradients each tau=10 epochs, as the published codes do).
Prints one line: CASE dtype weighting ms_per_epoch ms/epoch loss LOSS cpu_ms CPU_ms_per_epoch."""
import argparse, math, time
import torch

p = argparse.ArgumentParser()
p.add_argument("case")
p.add_argument("--dtype", default="float64")
p.add_argument("--epochs", type=int, default=200)
p.add_argument("--threads", type=int, default=2)
p.add_argument("--dn", action="store_true")
a = p.parse_args()
torch.set_num_threads(a.threads)
dt = torch.float64 if a.dtype == "float64" else torch.float32
torch.set_default_dtype(dt)
torch.manual_seed(1)
g = torch.Generator().manual_seed(1)

def mlp(d_in, width, layers, d_out):
    mods, w = [], d_in
    for _ in range(layers):
        lin = torch.nn.Linear(w, width)
        torch.nn.init.xavier_normal_(lin.weight); torch.nn.init.zeros_(lin.bias)
        mods += [lin, torch.nn.Tanh()]; w = width
    lin = torch.nn.Linear(w, d_out); torch.nn.init.xavier_normal_(lin.weight); torch.nn.init.zeros_(lin.bias)
    return torch.nn.Sequential(*(mods + [lin]))

def grad(y, x):
    return torch.autograd.grad(y, x, torch.ones_like(y), create_graph=True)[0]

def U(lo, hi, n, d):
    return lo + (hi - lo) * torch.rand(n, d, generator=g)

if a.case == "burgers":
    net = mlp(2, 20, 8, 1); nu = 0.01 / math.pi
    xc = torch.cat([U(0, 1, 10000, 1), U(-1, 1, 10000, 1)], 1)
    xi = torch.cat([torch.zeros(100, 1), U(-1, 1, 100, 1)], 1)
    xb = torch.cat([U(0, 1, 200, 1), torch.where(torch.rand(200, 1, generator=g) < 0.5, -1.0, 1.0)], 1)
    def losses(batch):
        x = xc.clone().requires_grad_(True); u = net(x); du = grad(u, x)
        ut, ux = du[:, :1], du[:, 1:]; uxx = grad(ux, x)[:, 1:]
        r = ut + u * ux - nu * uxx
        return [(r ** 2).mean(), ((net(xi) + torch.sin(math.pi * xi[:, 1:])) ** 2).mean(), (net(xb) ** 2).mean()]
elif a.case == "poisson":
    net = mlp(2, 50, 4, 1); w = 4 * math.pi
    xc = torch.cat([U(0, 1, 2500, 1), U(-1, 1, 2500, 1)], 1)
    xb1 = torch.cat([U(0, 1, 200, 1), torch.where(torch.rand(200, 1, generator=g) < 0.5, -1.0, 1.0)], 1)
    xb2 = torch.cat([torch.where(torch.rand(200, 1, generator=g) < 0.5, 0.0, 1.0), U(-1, 1, 200, 1)], 1)
    def losses(batch):
        x = xc.clone().requires_grad_(True); u = net(x); du = grad(u, x)
        uxx = grad(du[:, :1], x)[:, :1]; uyy = grad(du[:, 1:], x)[:, 1:]
        q = -2 * w * w * torch.cos(w * x[:, :1]) * torch.sin(w * x[:, 1:])
        return [((uxx + uyy - q) ** 2).mean(), (net(xb1) ** 2).mean(),
                ((net(xb2) - torch.sin(w * xb2[:, 1:])) ** 2).mean()]
else:
    net = mlp(2, 128, 4, 1)
    xc = torch.cat([U(0, 1, 20000, 1), U(-1, 1, 20000, 1)], 1)
    xi = torch.cat([torch.zeros(512, 1), U(-1, 1, 512, 1)], 1)
    tb = U(0, 1, 200, 1)
    def losses(batch):
        x = xc[batch].clone().requires_grad_(True); u = net(x); du = grad(u, x)
        uxx = grad(du[:, 1:], x)[:, 1:]
        r = du[:, :1] - 1e-4 * uxx - 5 * (u - u ** 3)
        xa = torch.cat([tb, -torch.ones_like(tb)], 1).requires_grad_(True)
        xb = torch.cat([tb, torch.ones_like(tb)], 1).requires_grad_(True)
        ua, ub = net(xa), net(xb)
        ga, gb = grad(ua, xa)[:, 1:], grad(ub, xb)[:, 1:]
        ic = net(xi) - xi[:, 1:] ** 2 * torch.cos(math.pi * xi[:, 1:])
        return [(r ** 2).mean(), (ic ** 2).mean(), ((ua - ub) ** 2).mean() + ((ga - gb) ** 2).mean()]

opt = torch.optim.Adam(net.parameters(), lr=1e-3)
params = [q for q in net.parameters()]
lam = [1.0] * 3

def step(ep):
    batch = torch.randint(0, xc.shape[0], (4096,), generator=g) if a.case == "allen_cahn" else None  # the paper draws 4096 of 20000
    L = losses(batch)
    if a.dn and ep % 10 == 0:  # DN-PINN: per-term gradient norms, as the published code computes them
        # allow_unused: a term may not reach every parameter (Poisson's single BC term and the
        # output bias of a pure second-derivative residual)
        gs = [torch.autograd.grad(l, params, retain_graph=True, allow_unused=True) for l in L]
        n = [torch.sqrt(sum((gg ** 2).sum() for gg in gk if gg is not None)) for gk in gs]
        for k in range(1, 3):
            lam[k] = 0.99 * lam[k] + 0.01 * float(n[0] / (n[k] + 1e-12))
    tot = sum(lk * l for lk, l in zip(lam, L))
    opt.zero_grad(); tot.backward(); opt.step()
    return float(tot)

for ep in range(5):
    step(ep)
t0, c0 = time.perf_counter(), time.process_time()
for ep in range(a.epochs):
    loss = step(ep)
ms = (time.perf_counter() - t0) / a.epochs * 1e3
cpu_ms = (time.process_time() - c0) / a.epochs * 1e3  # CPU time of all threads: the measure on a shared host
print(f"{a.case} {a.dtype} {'dn' if a.dn else 'fixed'} {ms:.3f} ms/epoch loss {loss:.4e} cpu_ms {cpu_ms:.3f}")
