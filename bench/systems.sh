#!/bin/sh
# systems.sh [EPOCHS] [THREADS] - cost per Adam epoch of a 3-equation PDE system (Kovasznay flow)
# against one of its equations alone, same network and points: the equations of a system share
# one forward pass over the union plan and, with fixed weights, one backward pass.  Prints the
# time per epoch and the matrix-product work of each (min of 3 runs) and their ratio.
set -e
cd "$(dirname "$0")/.."
EPOCHS=${1:-300}
THREADS=${2:-2}
PINNC=${PINNC:-./build/pinnc}
tmp=$(mktemp -d)
run() { # name, extra --set options
  n=$1; shift
  best=""
  for r in 1 2 3; do
    $PINNC train bench/kovasznay.yaml --quiet --out "$tmp/$n-$r" --threads "$THREADS" \
      --set train.epochs="$EPOCHS" --set train.log_every=1000000 --set train.eval_every=0 \
      --set train.checkpoint_every=0 "$@" >/dev/null
    ms=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['timing']['adam_ms_per_epoch'])" "$tmp/$n-$r/summary.json")
    best=$(python3 -c "print(min([float(x) for x in '$best $ms'.split()]))")
  done
  gf=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['timing']['gemm_gflop_per_epoch'])" "$tmp/$n-1/summary.json")
  echo "$n $best $gf"
}
three=$(run three)
one=$(run one --set 'equations=["u*u_x + v*u_y + p_x - (u_xx + u_yy)/Re = 0"]')
echo "$three" | awk '{printf "3 equations: %.2f ms/epoch, %.3f GFLOP/epoch in products\n", $2, $3}'
echo "$one" | awk '{printf "1 equation:  %.2f ms/epoch, %.3f GFLOP/epoch in products\n", $2, $3}'
python3 -c "print('ratio 3/1: %.2f' % ($(echo "$three" | cut -d' ' -f2) / $(echo "$one" | cut -d' ' -f2)))"
rm -rf "$tmp"
