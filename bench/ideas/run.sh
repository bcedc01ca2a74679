#!/bin/sh
# bench/ideas/run.sh - the ideas laboratory (docs/ideas.md): every idea against its baseline,
# SEEDS seeds each, on the heat equation (smooth) and on Buckley-Leverett (a shock).
# usage: bench/ideas/run.sh [PINNC] [OUT]   (env: SEEDS=5, EPOCHS=600, COLL=500, THREADS=1, PROBLEMS="heat buckley_leverett")
# Short Adam-only budgets on one thread (the host is shared); the table is printed by summary.py.
set -eu
PINNC=${1:-build/pinnc}
OUT=${2:-runs/ideas}
SEEDS=${SEEDS:-5}
EPOCHS=${EPOCHS:-600}
COLL=${COLL:-500}
THREADS=${THREADS:-1}
export OMP_WAIT_POLICY=passive
mkdir -p "$OUT"
RES="$OUT/results${PROBLEMS:+_$(echo $PROBLEMS | tr " " _)}.csv"
echo "problem,variant,seed,rel_l2,rel_l2_500,rmse,shock_err,shock_mean_err,cpu_s" > "$RES"
# variant name and its --set options (K = n + 1 ReLU^k branches: heat n = 2, Buckley-Leverett n = 1)
variants() {
    k=$1
    echo "plain|model.normalize=false model.residual=false"
    echo "scaling|model.normalize=true model.residual=false"
    echo "scaling+residual|model.normalize=true model.residual=true"
    echo "relu^k_branches|model.ideas.branches=$k"
    echo "vq|model.ideas.vq.codes=8"
    echo "batch_norm|model.ideas.norm=batch"
    echo "layer_norm|model.ideas.norm=layer"
    if [ "$k" = 2 ]; then echo "welge_flux|constants.welge=1"; echo "welge+vq|constants.welge=1 model.ideas.vq.codes=8"; fi
}
for prob in ${PROBLEMS:-heat buckley_leverett}; do
    k=3
    [ "$prob" = buckley_leverett ] && k=2
    variants $k | while IFS='|' read -r name sets; do
        s=1
        while [ "$s" -le "$SEEDS" ]; do
            dir="$OUT/$prob/$name/s$s"
            args=""
            for kv in $sets; do args="$args --set $kv"; done
            mkdir -p "$(dirname "$dir")"
            # shellcheck disable=SC2086
            /usr/bin/time -f "%U %S" -o "$dir.time" nice "$PINNC" train "examples/ideas/$prob.yaml" --out "$dir" --force --quiet \
                --seed "$s" --threads "$THREADS" --set train.epochs="$EPOCHS" --set train.lbfgs=0 \
                --set train.collocation="$COLL" --set train.eval_every=250 --set train.log_every=250 $args > /dev/null 2>&1 || true
            cpu=$(awk '{print $1 + $2}' "$dir.time" 2>/dev/null || echo nan)
            python3 - "$dir" "$prob" "$name" "$s" "$cpu" >> "$RES" <<'PY'
import csv, json, math, sys
d, prob, name, seed, cpu = sys.argv[1:]
try:
    sm = json.load(open(d + "/summary.json"))
    rel = list(sm["rel_l2"].values())[0]
    sh = sm.get("shock", {})
    e500 = float("nan")
    rows = list(csv.DictReader(open(d + "/history.csv")))
    col = [c for c in rows[0] if c.startswith("rel_l2_")][0]
    for r in rows:
        if r[col] and int(r["epoch"]) >= 500:
            e500 = float(r[col]); break
    print(f"{prob},{name},{seed},{rel},{e500},{sh.get('rmse', float('nan'))},{sh.get('error', float('nan'))},"
          f"{sh.get('mean_error', float('nan'))},{cpu}")
except Exception as ex:  # a run that failed or diverged
    print(f"{prob},{name},{seed},nan,nan,nan,nan,nan,{cpu}")
PY
            s=$((s + 1))
        done
    done
done
python3 "$(dirname "$0")/summary.py" "$RES"
