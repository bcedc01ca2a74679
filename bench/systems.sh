#!/bin/sh
# systems.sh [THREADS] [PINNC] - cost per Adam epoch of a 3-equation PDE system (Kovasznay flow,
# bench/kovasznay.yaml) against one of its equations alone, same network (4 x 50, 3 outputs) and
# points: the equations of a system share one forward pass over the union plan and, with fixed
# weights, one backward pass.  CPU time of 120 minus 20 epochs (set-up and the reference cancel),
# min of 3, so that a shared host's load matters less; also the matrix-product work per epoch.
set -e
cd "$(dirname "$0")/.."
THREADS=${1:-1}
PINNC=${2:-./build/pinnc}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
sed '/name: momentum_y/d; /name: continuity/d' bench/kovasznay.yaml > "$tmp/one.yaml"
cpu() { # yaml epochs -> CPU seconds
  rm -rf "$tmp/run"
  /usr/bin/time -f "%U %S" -o "$tmp/t" "$PINNC" train "$1" --quiet --out "$tmp/run" --threads "$THREADS" \
    --set train.epochs="$2" --set train.log_every=1000000 --set train.eval_every=0 --set train.checkpoint_every=0 \
    --set output.png=false >/dev/null
  awk '{print $1 + $2}' "$tmp/t"
}
per_epoch() { # yaml -> ms per epoch
  best=1e30
  for r in 1 2 3; do
    a=$(cpu "$1" 20); b=$(cpu "$1" 120)
    best=$(awk -v a="$a" -v b="$b" -v m="$best" 'BEGIN { x = (b - a) * 10; print (x < m ? x : m) }')
  done
  echo "$best"
}
three=$(per_epoch bench/kovasznay.yaml)
gf3=$(sed -n 's/.*"gemm_gflop_per_epoch": \([0-9.eE+-]*\).*/\1/p' "$tmp/run/summary.json")
one=$(per_epoch "$tmp/one.yaml")
gf1=$(sed -n 's/.*"gemm_gflop_per_epoch": \([0-9.eE+-]*\).*/\1/p' "$tmp/run/summary.json")
echo "3 equations: $three ms/epoch CPU, $gf3 GFLOP/epoch in products"
echo "1 equation:  $one ms/epoch CPU, $gf1 GFLOP/epoch in products"
awk -v a="$three" -v b="$one" 'BEGIN { printf "ratio 3/1: %.2f\n", a / b }'
