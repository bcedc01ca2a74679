#!/usr/bin/env python3
"""report_browser.py PINNC SOURCE OUT - the results layer end to end, in a real browser.

Trains three short runs (heat: time x space; the L-shape: space x space with a masked region;
the oscillator: 1-D), then checks for each: report.html and the figures exist, every SVG figure
has axis names, tick labels and (heatmaps) a colour bar with values, the VTK files are there,
and headless Chromium opens the page with no console messages or errors, every image decoded,
and a screenshot that is not blank.  Also `pinnc compare` over the runs.

Without Chromium the test is skipped (exit 77) unless PINN_REQUIRE_BROWSER=1 (set by .ci/run),
where it fails."""
import os
import re
import shutil
import struct
import subprocess
import sys
import zlib

pinnc, src, out = sys.argv[1], sys.argv[2], sys.argv[3]
failures = []


def check(cond, msg):
    if not cond:
        failures.append(msg)
        print("FAIL:", msg, file=sys.stderr)


def run(*args):
    r = subprocess.run(list(args), capture_output=True, text=True, timeout=240)
    if r.returncode != 0:
        print(r.stdout, r.stderr, file=sys.stderr)
        raise SystemExit(f"command failed: {' '.join(args)}")
    return r.stdout


RUNS = {
    "heat": ["examples/heat.yaml", "train.epochs=60", "train.lbfgs=10", "train.collocation=400",
             "train.log_every=10", "train.eval_every=20", "output.grid=[21, 41]"],
    "lshape": ["examples/lshape.yaml", "train.epochs=30", "train.lbfgs=0", "train.collocation=300",
               "train.log_every=10", "train.eval_every=10", "reference.h=0.05", "output.grid=[41, 41]",
               "model.hidden=[16, 16]"],
    "oscillator": ["examples/oscillator.yaml", "train.epochs=60", "train.lbfgs=0", "train.log_every=10",
                   "train.eval_every=20"],
}

shutil.rmtree(out, ignore_errors=True)
os.makedirs(out)
for name, (problem, *sets) in RUNS.items():
    args = [pinnc, "train", os.path.join(src, problem), "--out", os.path.join(out, name), "--quiet", "--threads", "1"]
    for s in sets:
        args += ["--set", s]
    run(*args)


def svg_texts(path):
    with open(path, encoding="utf-8") as f:
        svg = f.read()
    return svg, re.findall(r"<text[^>]*>([^<]*)</text>", svg)


def number(s):
    try:
        float(s.replace("\u2212", "-"))
        return True
    except ValueError:
        return False


for name in RUNS:
    d = os.path.join(out, name)
    check(os.path.isfile(os.path.join(d, "report.html")), f"{name}: no report.html")
    figs = os.path.join(d, "figures")
    svgs = sorted(f for f in os.listdir(figs) if f.endswith(".svg")) if os.path.isdir(figs) else []
    check("loss.svg" in svgs, f"{name}: no loss figure ({svgs})")
    for f in svgs:
        svg, texts = svg_texts(os.path.join(figs, f))
        numbers = [t for t in texts if number(t)]
        words = [t for t in texts if not number(t)]
        check(len(numbers) >= 4, f"{name}/{f}: too few tick labels ({texts})")
        check(len(words) >= 3, f"{name}/{f}: title and axis names missing ({texts})")
        check(svg.count("<polyline") >= 4, f"{name}/{f}: no tick marks")
        if "<image" in svg:  # a heatmap: field image + colour bar
            check(svg.count("<image") >= 2, f"{name}/{f}: heatmap without a colour bar")
            check(len(numbers) >= 8, f"{name}/{f}: colour bar without values ({texts})")
    if name in ("heat", "lshape"):
        for f in ("solution.svg", "reference.svg", "error.svg", "slices.svg"):
            check(f in svgs, f"{name}: no {f}")
    if name == "heat":
        _, texts = svg_texts(os.path.join(figs, "solution.svg"))
        check("t" in texts and "x" in texts, f"heat: heatmap axes not named t and x ({texts})")
        check(os.path.isfile(os.path.join(d, "fields.pvd")), "heat: no fields.pvd")
    if name == "lshape":
        check(os.path.isfile(os.path.join(d, "fields.vti")), "lshape: no fields.vti")

table = run(pinnc, "compare", *(os.path.join(out, n) for n in RUNS), "--out", os.path.join(out, "compare"))
check(all(n in table for n in RUNS) and "rel. L2 error" in table, f"compare table incomplete:\n{table}")
check(os.path.isfile(os.path.join(out, "compare", "compare_loss.svg")), "compare: no compare_loss.svg")


def png_pixels(path):
    """Decode an 8-bit RGB/RGBA non-interlaced PNG (what Chromium writes) into rows of bytes."""
    data = open(path, "rb").read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, w = 8, b"", 0
    while pos < len(data):
        n, typ = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if typ == b"IHDR":
            w, h, depth, ctype = struct.unpack(">IIBB", body[:10])
            assert depth == 8 and ctype in (2, 6)
            bpp = 3 if ctype == 2 else 4
        elif typ == b"IDAT":
            idat += body
        pos += 12 + n
    raw, rows, prev = zlib.decompress(idat), [], bytearray(w * bpp)
    stride = w * bpp + 1
    for y in range(h):
        f, line = raw[y * stride], bytearray(raw[y * stride + 1:(y + 1) * stride])
        for i in range(len(line)):
            a = line[i - bpp] if i >= bpp else 0
            b, c = prev[i], prev[i - bpp] if i >= bpp else 0
            if f == 1: line[i] = (line[i] + a) & 255
            elif f == 2: line[i] = (line[i] + b) & 255
            elif f == 3: line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(bytes(line))
        prev = line
    return w, h, bpp, rows


browser = next((shutil.which(b) for b in ("chromium", "chromium-browser", "google-chrome") if shutil.which(b)), None)
if not browser:
    msg = "report_browser: Chromium not found (apt-get install chromium); the browser checks did not run"
    if os.environ.get("PINN_REQUIRE_BROWSER") == "1":
        check(False, msg)
    else:
        print(msg + " - SKIPPED")
        if failures:
            sys.exit(1)
        sys.exit(77)
else:
    flags = ["--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run", "--hide-scrollbars",
             "--disable-dev-shm-usage", f"--user-data-dir={os.path.join(out, 'chromium-profile')}"]
    for name in RUNS:
        url = "file://" + os.path.abspath(os.path.join(out, name, "report.html"))
        r = subprocess.run([browser, *flags, "--enable-logging=stderr", "--v=0", "--virtual-time-budget=10000",
                            "--dump-dom", url], capture_output=True, text=True, timeout=120)
        body = re.search(r"<body([^>]*)>", r.stdout)
        attrs = dict(re.findall(r'(data-[a-z-]+)="([^"]*)"', body.group(1))) if body else {}
        console = [l for l in r.stderr.splitlines() if "CONSOLE" in l]
        check(r.returncode == 0, f"{name}: chromium exited with {r.returncode}")
        check(not console, f"{name}: console messages: {console}")
        n_img, n_ok = int(attrs.get("data-images", -1)), int(attrs.get("data-images-loaded", -2))
        check(n_img >= 3, f"{name}: expected figures in the page, found {n_img} images ({attrs})")
        check(n_ok == n_img, f"{name}: {n_ok} of {n_img} images decoded")
        check(attrs.get("data-errors") == "0", f"{name}: errors in the page ({attrs})")
        shot = os.path.join(out, f"{name}.png")
        subprocess.run([browser, *flags, "--window-size=1280,1800", f"--screenshot={shot}", url],
                       capture_output=True, timeout=120)
        check(os.path.isfile(shot), f"{name}: no screenshot")
        if os.path.isfile(shot):
            w, h, bpp, rows = png_pixels(shot)
            colours, dark = set(), 0
            for row in rows[::8]:
                for x in range(0, w * bpp, 8 * bpp):
                    px = row[x:x + 3]
                    colours.add(px)
                    dark += sum(px) < 600
            check(len(colours) > 40 and dark > 200, f"{name}: screenshot looks blank ({len(colours)} colours, {dark} dark samples)")
        print(f"{name}: {n_ok}/{n_img} images, {len(console)} console messages")

if failures:
    print(f"{len(failures)} checks failed", file=sys.stderr)
    sys.exit(1)
print("report_browser: ok")
