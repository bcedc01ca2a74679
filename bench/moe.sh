#!/usr/bin/env bash
# moe.sh PINNC [N] [REPEATS] - per-epoch CPU cost of a mixture of experts against its experts
# trained alone, and before/after pruning, one thread.  An epoch's cost is the process CPU time
# (user + sys) of a 2N-epoch run minus that of an N-epoch run, over N (setup and the reference
# solve cancel); the minimum over the repeats.  Cases: the L-shape example
# (4 identical 2x32 tanh experts, gate, sparsity) against 4 x the 2x32 MLP, and the mixture pruned
# to 2 experts at step 1 (threshold 1, keep 2); the Burgers example's 5 experts at 1000 points
# against the sum of the 5 MLPs alone (CASES=lshape: the first case only).
# FROM=summary: an epoch's cost is instead the Adam phase's own CPU time per epoch of a 2N-epoch run
# (summary.json timing.adam_cpu_ms_per_epoch), which leaves out the setup whose CPU time, on a host
# shared with other jobs, varies by more than the difference of the two runs resolves.
set -euo pipefail
cd "$(dirname "$0")/.."
P=$1 N=${2:-100} rep=${3:-2}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cpu() { # yaml epochs sets... -> cpu seconds
  local y=$1 e=$2; shift 2
  /usr/bin/time -f "%U %S" -o "$tmp/t" "$P" train "$y" --out "$tmp/r" --force --quiet --threads 1 \
    --set train.epochs="$e" --set train.lbfgs=0 --set train.eval_every=0 --set train.log_every="$e" \
    --set train.checkpoint_every=0 --set output.png=false "$@" >/dev/null
  awk '{print $1 + $2}' "$tmp/t"
}
per_epoch() { # yaml sets... -> ms per epoch (min over repeats)
  local best=1e30 a b
  for r in $(seq "$rep"); do
    if [ "${FROM:-diff}" = summary ]; then
      cpu "$1" $((2 * N)) "${@:2}" >/dev/null
      b=$(python3 -c "import json; print(json.load(open('$tmp/r/summary.json'))['timing']['adam_cpu_ms_per_epoch'])")
      best=$(python3 -c "print(min($best, $b))")
      continue
    fi
    a=$(cpu "$1" "$N" "${@:2}"); b=$(cpu "$1" $((2 * N)) "${@:2}")
    best=$(python3 -c "print(min($best, 1e3 * ($b - $a) / $N))")
  done
  echo "$best"
}
L=examples/moe/lshape_moe.yaml
mix=$(per_epoch $L)
one=$(per_epoch $L --set 'model={kind: mlp, hidden: [32, 32], activation: tanh}')
pruned=$(per_epoch $L --set 'model.prune={epochs: [1], threshold: 1.0, keep: 2}')
printf "lshape  mixture %.2f ms  4 x expert alone %.2f ms  overhead %+.1f %%  pruned to 2: %.2f ms (%.2f of the mixture)\n" \
  "$mix" "$(python3 -c "print(4 * $one)")" "$(python3 -c "print(100 * ($mix / (4 * $one) - 1))")" "$pruned" \
  "$(python3 -c "print($pruned / $mix)")"
[ "${CASES:-all}" = lshape ] && exit 0
B=examples/moe/burgers_moe.yaml
bs="--set train.collocation=1000"
bmix=$(per_epoch $B $bs)
sum=0
for e in "[64, 64], activation: tanh" "[64, 64], activation: sin" "[128, 128], activation: tanh" \
  "[128, 128, 128], activation: tanh" "[256, 256], activation: swish"; do
  t=$(per_epoch $B $bs --set "model={kind: mlp, hidden: $e}")
  sum=$(python3 -c "print($sum + $t)")
done
printf "burgers mixture %.2f ms  sum of the 5 experts alone %.2f ms  overhead %+.1f %%\n" "$bmix" "$sum" \
  "$(python3 -c "print(100 * ($bmix / $sum - 1))")"
