#!/bin/sh
# bench/burgers_continuation.sh - Burgers (examples/elm/burgers_gn.yaml) by Gauss-Newton on an
# ELM-FBPINN with continuation in the viscosity: one `pinnc train` per value of nu, each started
# from the previous stage's coefficients (--from; the hidden weights are the same draw), the last
# one at the file's nu = 0.01/pi against Cole-Hopf.  Prints e, max error, relative L2 and the CPU
# time (user + sys) of every stage, one thread.
# usage: [NUS="0.1/pi 0.03/pi 0.01/pi"] [ITERS=10] [OUT=dir] bench/burgers_continuation.sh [--set ...]
# (extra arguments go to every stage, e.g. --set 'model.subdomains=[48, 8]').  Needs python3.
set -e
B=${PINNC:-build/pinnc}
OUT=${OUT:-/tmp/burgers-cont}
NUS=${NUS:-"0.1/pi 0.03/pi 0.01/pi"}
ITERS=${ITERS:-10}
SOLVER=${SOLVER:-spqr}
F=examples/elm/burgers_gn.yaml
mkdir -p "$OUT"
prev=""
total=0
i=0
for nu in $NUS; do
    i=$((i + 1))
    d="$OUT/stage$i"
    from=""
    [ -n "$prev" ] && from="--from $prev"
    # shellcheck disable=SC2086
    /usr/bin/time -f "%U %S %M" -o "$d.time" "$B" train $F "$@" --set "constants.nu=$nu" \
        --set "train.phases=[{kind: gauss_newton, iterations: $ITERS, solver: $SOLVER, damping: 1.0e-4}]" \
        $from --threads 1 --out "$d" --quiet --force >/dev/null 2>&1
    cpu=$(awk '{printf "%.1f", $1 + $2}' "$d.time")
    total=$(awk "BEGIN{printf \"%.1f\", $total + $cpu}")
    echo "stage $i nu = $nu: cpu $cpu s (total $total s), $(python3 tools/elm_error.py "$d" | cut -d, -f1-3)"
    prev="$d"
done
