#!/usr/bin/env bash
# Runs every YAML example as it is and prints one line per example: relative L2 error per field,
# recovered parameters, epochs and wall time (from summary.json).  usage: tools/run_examples.sh [OUT]
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-runs/examples}
mkdir -p "$out"
for f in ${EXAMPLES:-examples/*.yaml}; do
  name=$(basename "$f" .yaml)
  ./build/pinnc train "$f" --out "$out/$name" --force --quiet > "$out/$name.log" 2>&1 || { echo "$name: FAILED (see $out/$name.log)"; continue; }
  python3 - "$out/$name/summary.json" "$name" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
rel = ", ".join(f"{k} {v:.3e}" for k, v in s["rel_l2"].items())
par = ", ".join(f"{k} = {v:.6g}" for k, v in s["parameters"].items())
print(f"{sys.argv[2]}: rel L2 {rel}{'; ' + par if par else ''}; {s['epochs']} Adam epochs + {s['lbfgs_iterations']} L-BFGS; {s['wall_s']:.0f} s")
PY
done
