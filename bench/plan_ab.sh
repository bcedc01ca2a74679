#!/usr/bin/env bash
# plan_ab.sh [REPEATS] - the GEMM planner against the library kernel (pinnc's default before the
# planner) and PyTorch, alternating runs in one job on one thread: Burgers (8 x 20) and Allen-Cahn
# (4 x 128, 4096-point batches), float64 and float32 (build-f32/pinnc).  Per row the minimum
# over REPEATS of CPU ms per Adam epoch (pinnc: summary.json's adam_cpu_ms_per_epoch; PyTorch:
# process CPU time over its timed epochs), the products' rate against the CPU-time FMA peak of
# bench/peak.c, and the speed-up over PyTorch.  env: PINNC, PINNC32, PYTHON, EPOCHS_B, EPOCHS_A (pinnc), TEPOCHS_B, TEPOCHS_A (PyTorch,
# after its 5 warm-up epochs).
set -euo pipefail
cd "$(dirname "$0")/.."
reps=${1:-3}
pinnc=${PINNC:-build/pinnc} pinnc32=${PINNC32:-build-f32/pinnc} py=${PYTHON:-/usr/bin/python3}
export OMP_WAIT_POLICY=passive
export LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu/openblas-openmp${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export XDG_CACHE_HOME=$tmp/cache # a fresh plan: this run's timings
gcc -O3 -march=native -fopenmp bench/peak.c -o "$tmp/peak"
"$tmp/peak" >"$tmp/peak.txt"
p64=$(awk '$1=="float64" && $2=="cpu-time" {print $4}' "$tmp/peak.txt")
p32=$(awk '$1=="float32" && $2=="cpu-time" {print $4}' "$tmp/peak.txt")
echo "# $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores (shared); 1 thread; CPU-time peak float64 $p64, float32 $p32 GFLOP/s; $(date -u +%FT%TZ)"
json() { sed -n "s/.*\"$2\": \([-0-9.eE+naif]*\).*/\1/p" "$1" | head -1; }
pinnc_run() { # BIN YAML EPOCHS GEMM: "cpu_ms gflop_per_epoch"
  rm -rf "$tmp/run"
  "$1" train "$2" --out "$tmp/run" --quiet --threads 1 --gemm "$4" --set train.epochs="$3" --set train.eval_every=0 \
    --set train.log_every="$3" --set train.lbfgs=0 --set output.png=false >/dev/null
  echo "$(json "$tmp/run/summary.json" adam_cpu_ms_per_epoch) $(json "$tmp/run/summary.json" gemm_gflop_per_epoch)"
}
torch_run() { "$py" bench/torch_pinn.py "$1" --dtype "$2" --epochs "$3" --threads 1 | awk '{print $NF}'; }
min() { awk -v a="$1" -v b="$2" 'BEGIN{print (b+0<a+0)?b:a}'; }
echo "| case | precision | library ms | plan ms | plan / library | library % of peak | plan % of peak | PyTorch ms | speed-up (plan) | spread (max/min, plan) |"
echo "|---|---|---|---|---|---|---|---|---|---|"
for c in burgers allen_cahn; do
  ep=${EPOCHS_B:-30} tep=${TEPOCHS_B:-8}
  [ $c = allen_cahn ] && ep=${EPOCHS_A:-8} tep=${TEPOCHS_A:-3}
  for prec in float64 float32; do
    bin=$pinnc pk=$p64
    [ $prec = float32 ] && bin=$pinnc32 pk=$p32
    [ -x "$bin" ] || continue
    pinnc_run "$bin" "bench/paper_dnpinn/$c.yaml" 2 plan >/dev/null # plans (times) once
    bl=1e9 bp=1e9 bt=1e9 wp=0 gf=0
    for _ in $(seq "$reps"); do
      read -r l gf <<<"$(pinnc_run "$bin" "bench/paper_dnpinn/$c.yaml" "$ep" library)"
      read -r p gf <<<"$(pinnc_run "$bin" "bench/paper_dnpinn/$c.yaml" "$ep" plan)"
      t=$(torch_run $c $prec "$tep")
      bl=$(min "$bl" "$l") bp=$(min "$bp" "$p") bt=$(min "$bt" "$t")
      wp=$(awk -v a="$wp" -v b="$p" 'BEGIN{print (b>a)?b:a}')
    done
    awk -v c=$c -v pr=$prec -v l="$bl" -v p="$bp" -v t="$bt" -v g="$gf" -v pk="$pk" -v w="$wp" \
      'BEGIN{printf "| %s | %s | %.2f | %.2f | %.2f | %.0f %% | %.0f %% | %.2f | %.1fx | %.2f |\n", c, pr, l, p, p/l, 100*g*1e3/l/pk, 100*g*1e3/p/pk, t, t/p, w/p}'
  done
done
