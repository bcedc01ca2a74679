#!/usr/bin/env python3
"""SVG plot of the table printed by `bench/run.sh scaling`: ms/epoch against collocation points,
width and derivative order, one panel each (log-log for points and width).
usage: bench/run.sh scaling > scaling.md; bench/plot_scaling.py scaling.md docs/img/scaling.svg"""
import math, re, sys

rows = {}
for line in open(sys.argv[1]):
    m = re.match(r"\|\s*(points|width|derivative order)\s*\|\s*([^|]+?)\s*\|\s*([0-9.]+)\s*\|", line)
    if m:
        x = float(m.group(2).split("x")[-1])
        rows.setdefault(m.group(1), []).append((x, float(m.group(3))))

W, H, PAD = 260, 220, 45
panels = [("points", "collocation points", True), ("width", "hidden width (8 layers)", True),
          ("derivative order", "highest derivative order", False)]
out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W * 3}" height="{H}" font-family="sans-serif" font-size="11">',
       f'<rect width="{W * 3}" height="{H}" fill="white"/>']
for k, (key, label, logx) in enumerate(panels):
    pts = sorted(rows.get(key, []))
    if not pts:
        continue
    x0 = k * W
    fx = (lambda v: math.log10(v)) if logx else (lambda v: v)
    xs = [fx(p[0]) for p in pts]
    ys = [math.log10(p[1]) for p in pts]
    xlo, xhi = min(xs), max(xs)
    ylo, yhi = math.floor(min(ys) * 4) / 4, math.ceil(max(ys) * 4) / 4
    if yhi == ylo:
        yhi += 0.25
    sx = lambda v: x0 + PAD + (v - xlo) / ((xhi - xlo) or 1) * (W - PAD - 15)
    sy = lambda v: H - PAD + 10 - (v - ylo) / (yhi - ylo) * (H - PAD - 20)
    out.append(f'<line x1="{x0 + PAD}" y1="{H - PAD + 10}" x2="{x0 + W - 10}" y2="{H - PAD + 10}" stroke="black"/>')
    out.append(f'<line x1="{x0 + PAD}" y1="10" x2="{x0 + PAD}" y2="{H - PAD + 10}" stroke="black"/>')
    for e in [ylo + i * (yhi - ylo) / 4 for i in range(5)]:
        out.append(f'<text x="{x0 + PAD - 4}" y="{sy(e) + 4:.1f}" text-anchor="end">{10 ** e:.3g}</text>')
    for p, xv in zip(pts, xs):
        out.append(f'<text x="{sx(xv):.1f}" y="{H - PAD + 24}" text-anchor="middle">{p[0]:g}</text>')
    path = " ".join(f"{'M' if i == 0 else 'L'}{sx(a):.1f},{sy(b):.1f}" for i, (a, b) in enumerate(zip(xs, ys)))
    out.append(f'<path d="{path}" fill="none" stroke="#1f5fa8" stroke-width="2"/>')
    for a, b in zip(xs, ys):
        out.append(f'<circle cx="{sx(a):.1f}" cy="{sy(b):.1f}" r="3" fill="#1f5fa8"/>')
    out.append(f'<text x="{x0 + W / 2 + 15}" y="{H - 6}" text-anchor="middle">{label}</text>')
    out.append(f'<text x="{x0 + 12}" y="{H / 2}" transform="rotate(-90 {x0 + 12} {H / 2})" '
               f'text-anchor="middle">ms/epoch</text>')
out.append("</svg>")
open(sys.argv[2], "w").write("\n".join(out) + "\n")
