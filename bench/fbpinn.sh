#!/bin/sh
# bench/fbpinn.sh - the FBPINN figures of docs/benchmarks.md: each run with one thread, its error
# e = mean|u - uh| / std(u) and relative L2 on the evaluation grid, the CPU time of the process
# (user + sys) and the Adam wall time per step from summary.json.
# usage: bench/fbpinn.sh [what...]  (osc, sweep, ms1d, laplace, scaling, burgers, ms1d_pinn,
# levels, laplace_long; default the first five)
# Needs build/pinnc and python3 (no numpy: bench/npy_err.py reads the .npy files).
set -e
B=${PINNC:-build/pinnc}
OUT=${OUT:-/tmp/fbpinn-bench}
mkdir -p "$OUT"
run() { # name file [--set ...]
    n=$1; f=$2; shift 2
    /usr/bin/time -f "%U %S" -o "$OUT/$n.time" "$B" train "$f" --threads 1 --out "$OUT/$n" --quiet "$@" >"$OUT/$n.log" 2>&1 || { echo "$n: failed: $(tail -1 "$OUT/$n.log")"; return 0; }
    cpu=$(awk '{printf "%.1f", $1 + $2}' "$OUT/$n.time")
    ms=$(grep -o '"adam_ms_per_epoch": [0-9.]*' "$OUT/$n/summary.json" | awk '{printf "%.2f", $2}')
    steps=$(grep -o '"steps": [0-9]*' "$OUT/$n/summary.json" | awk '{print $2}')
    cms=$(grep -o '"adam_cpu_ms_per_epoch": [0-9.]*' "$OUT/$n/summary.json" | awk '{printf "%.2f", $2}')
    np=$(grep -o '"params": [0-9]*' "$OUT/$n/summary.json" | awk '{print $2}')
    echo "$n: steps $steps, params $np, cpu ${cpu} s, adam wall ${ms} ms/step, adam cpu ${cms} ms/step, $(python3 bench/npy_err.py "$OUT/$n")"
}
what=${*:-osc sweep ms1d laplace scaling}
export OMP_NUM_THREADS=1 OMP_WAIT_POLICY=passive OPENBLAS_NUM_THREADS=1
E=examples/fbpinn
for w in $what; do case $w in
osc)
    run osc_fb_1x16 $E/oscillator.yaml
    run osc_fb_2x16 $E/oscillator.yaml --set 'model.hidden=[16,16]'
    run osc_fb_2x16_30k $E/oscillator.yaml --set 'model.hidden=[16,16]' --set train.epochs=30000
    run osc_fb_1x16_ov2.1 $E/oscillator.yaml --set model.overlap=2.1
    run osc_pinn_2x64 $E/oscillator_pinn.yaml ;;
sweep) # oscillator_sweep.yaml (3 active, first stage 12 000 steps, 6 400 per stage, lr 3e-3), three
       # seeds, against all-active training for the same 120 800 steps; variants
    run osc_sweep $E/oscillator_sweep.yaml
    run osc_sweep_s2 $E/oscillator_sweep.yaml --seed 2
    run osc_sweep_s3 $E/oscillator_sweep.yaml --seed 3
    run osc_sweep_keep $E/oscillator_sweep.yaml --set model.schedule.partial=keep
    run osc_sweep_restart $E/oscillator_sweep.yaml --set model.schedule.restart=true
    run osc_all_120800 $E/oscillator.yaml --set train.epochs=120800 --set train.lr=3e-3
    run osc_all_120800_s2 $E/oscillator.yaml --set train.epochs=120800 --set train.lr=3e-3 --seed 2
    run osc_all_120800_s3 $E/oscillator.yaml --set train.epochs=120800 --set train.lr=3e-3 --seed 3 ;;
ms1d)
    run ms1d_fb_1000 $E/multiscale1d.yaml --set train.epochs=1000 --set train.collocation=500
    run ms1d_pinn_1000 $E/multiscale1d_pinn.yaml --set train.epochs=1000 --set train.collocation=500
    run ms1d_fb_10000 $E/multiscale1d.yaml ;;
laplace)
    run lap_fb_16x16 $E/laplace2d.yaml --set train.collocation=4096 --set train.epochs=1500
    run lap_fb_levels $E/laplace2d_multilevel.yaml --set train.collocation=4096 --set train.epochs=1500 ;;
burgers)
    run burgers_sweep $E/burgers_sweep.yaml
    run burgers_all $E/burgers_sweep.yaml --set model.schedule=all_active ;;
ms1d_pinn) # ~10 CPU minutes
    run ms1d_pinn_10000 $E/multiscale1d_pinn.yaml ;;
levels) # equal parameters (~16.6k) over levels, 4096 points, 3000 steps
    L="$E/laplace2d_multilevel.yaml --set train.collocation=4096 --set train.epochs=3000"
    run lev1 $L --set 'model.levels=[16]' --set 'model.hidden=[16]'
    run lev2 $L --set 'model.levels=[8,16]' --set 'model.hidden=[13]'
    run lev3 $L --set 'model.levels=[4,8,16]' --set 'model.hidden=[12]'
    run lev5 $L --set 'model.levels=[1,2,4,8,16]' --set 'model.hidden=[12]' ;;
laplace_long) # 16 x 16 and levels 8, 16 at equal parameters to e <= 5e-3: Adam 3 000 (lr 3e-3)
    # then L-BFGS 8 000, 16 384 grid points (~12 CPU min for one level, ~2x for two)
    P='train.phases=[{kind: adam, epochs: 3000, lr: 3.0e-3}, {kind: lbfgs, iterations: 8000}]'
    for s in 1 2 3; do
        run lap_long_16_s$s $E/laplace2d.yaml --set "$P" --seed $s
        run lap_long_8_16_s$s $E/laplace2d_multilevel.yaml --set "$P" --set train.collocation=16384 \
            --set 'model.levels=[8,16]' --set 'model.hidden=[13]' --seed $s
    done ;;
scaling) # 64 points (8 x 8) per subdomain, 10 steps
    for m in 4 8 16 32 64; do
        run scale_$m $E/laplace2d.yaml --set "model.subdomains=[$m,$m]" --set train.collocation=$((64 * m * m)) --set train.epochs=10
    done ;;
esac; done
