#!/usr/bin/env bash
# ac_ablation.sh [SEEDS] [JOBS] [OUT] - the Allen-Cahn recipe (examples/allen_cahn.yaml) with each
# technique removed in turn, SEEDS seeds each (default "1 2 3"), JOBS trainings at a time (default
# 2), one thread each.  Prints one line per run (row, seed, rel. L2 at the end, rel. L2 at the end
# of the Adam phase = the run without the lm phase, user CPU seconds) and then the table of means
# and worst values.  Run directories stay under OUT (default runs/ac_ablation); PINNC names the binary
# (default build/pinnc).
set -euo pipefail
cd "$(dirname "$0")/.."
seeds=${1:-1 2 3} jobs=${2:-2} out=${3:-runs/ac_ablation}
bin=${PINNC:-./build/pinnc}
export OMP_WAIT_POLICY=passive OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1
mkdir -p "$out"
# row name and its overrides (--set arguments, one per line)
rows=(full no_causal no_periodic no_timeweight no_hardic no_modified no_rwf plus_ff)
sets() {
  case $1 in
  full) ;;
  no_causal) echo 'train.phases=[{kind: adam, epochs: 20000}, {kind: lm, iterations: 60}]' ;;
  no_periodic)
    echo 'model.periodic=[]'
    echo 'conditions=[{name: periodic, periodic: x, points: 200, derivatives: 1}]' ;;
  no_rwf) echo 'model.rwf=false' ;;
  no_modified) echo 'model.modified=false' ;;
  no_timeweight) echo 'constants.tw=0' ;;
  no_hardic)
    echo 'model.transform=N'
    echo 'conditions=[{name: initial, on: "t = 0", equation: "u = x^2*cos(pi*x)", points: 512}]' ;;
  plus_ff)
    echo 'model.fourier_features=64'
    echo 'model.fourier_scale=1.0' ;;
  esac
}
one() { # row seed
  local d="$out/$1_s$2" args=()
  while IFS= read -r l; do [ -n "$l" ] && args+=(--set "$l"); done < <(sets "$1")
  /usr/bin/time -f "%U" -o "$d.time" "$bin" train examples/allen_cahn.yaml --out "$d" --force --quiet \
    --threads 1 --seed "$2" "${args[@]}" >"$d.log" 2>&1 || { echo "$1 $2 FAILED (see $d.log)"; return; }
  python3 - "$d" "$1" "$2" <<'EOF'
import csv, json, sys
d, row, seed = sys.argv[1:4]
s = json.load(open(d + "/summary.json"))
e = s["rel_l2"]["u"] if isinstance(s["rel_l2"], dict) else s["rel_l2"]
adam = [r for r in csv.DictReader(open(d + "/history.csv")) if r["phase"] == "adam" and r["rel_l2_u"]]
ea = float(adam[-1]["rel_l2_u"]) if adam else float("nan")
cpu = float(open(d + ".time").read().split()[-1])
print("%-14s %s %.3e %.3e %.0f" % (row, seed, e, ea, cpu))
EOF
}
export -f one sets
export out bin
for r in "${rows[@]}"; do for s in $seeds; do echo "$r $s"; done; done |
  xargs -P "$jobs" -L 1 bash -c 'one "$0" "$1"' | tee "$out/results.txt"
python3 - "$out/results.txt" <<'EOF'
import sys, collections
rows = collections.OrderedDict()
for l in open(sys.argv[1]):
    f = l.split()
    if len(f) == 5: rows.setdefault(f[0], []).append((float(f[2]), float(f[3]), float(f[4])))
print("| row | seeds | rel. L2 mean | worst | before lm (mean) | CPU s (mean) |")
print("|---|---|---|---|---|---|")
for k, v in rows.items():
    n = len(v)
    print("| %s | %d | %.2e | %.2e | %.2e | %.0f |" % (k, n, sum(a for a, _, _ in v) / n,
          max(a for a, _, _ in v), sum(b for _, b, _ in v) / n, sum(c for _, _, c in v) / n))
EOF
