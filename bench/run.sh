#!/usr/bin/env bash
# Speed of pinnc against a PyTorch implementation of the same problems, in the same job,
# alternating runs: ms per training epoch (Adam step: all loss terms, gradient, update) for the
# DN-PINN paper's three problems, with fixed weights and with DN-PINN weighting; plus the
# machine's measured FMA peak.  Needs Debian's python3-torch; torch gets the OpenMP build of
# OpenBLAS (Debian's default reference BLAS is several times slower).
# usage: bench/run.sh [EPOCHS] [REPEATS]        (defaults 200 2)
set -euo pipefail
cd "$(dirname "$0")/.."
epochs=${1:-200}; reps=${2:-2}
pinnc=${PINNC:-build/pinnc}
py=${PYTHON:-/usr/bin/python3}
export LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu/openblas-openmp${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
gcc -O3 -march=native -fopenmp bench/peak.c -o "$tmp/peak"
echo "# machine: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores; $(date -u +%F)"
"$tmp/peak" | sed 's/^/# peak /'
# pinnc ms/epoch: Adam wall time from history.csv over the epochs run (setup excluded)
pinnc_ms() { # case weighting
  local d="$tmp/run-$1-$2"
  rm -rf "$d"
  "$pinnc" train "bench/paper_dnpinn/$1.yaml" --out "$d" --quiet --set train.epochs="$epochs" \
    --set train.eval_every=0 --set train.log_every="$epochs" --set train.weighting.scheme="$2" >/dev/null
  awk -F, -v e="$epochs" '$2=="adam" && $1==e {printf "%.3f", 1000*$3/e}' "$d/history.csv"
}
torch_ms() { # case dn-flag
  "$py" bench/torch_pinn.py "$1" --epochs "$epochs" --threads "$(nproc)" $2 | awk '{print $4}'
}
printf "| case | weighting | pinnc ms/epoch | PyTorch ms/epoch | speed-up |\n|---|---|---|---|---|\n"
for c in burgers poisson allen_cahn; do
  for w in fixed dn; do
    flag=""; [ "$w" = dn ] && flag="--dn"
    best_p=1e9; best_t=1e9
    for r in $(seq "$reps"); do
      p=$(pinnc_ms "$c" "$w"); t=$(torch_ms "$c" "$flag")
      best_p=$(awk -v a="$best_p" -v b="$p" 'BEGIN{print (b<a)?b:a}')
      best_t=$(awk -v a="$best_t" -v b="$t" 'BEGIN{print (b<a)?b:a}')
    done
    awk -v c="$c" -v w="$w" -v p="$best_p" -v t="$best_t" 'BEGIN{printf "| %s | %s | %.2f | %.2f | %.1fx |\n", c, w, p, t, t/p}'
  done
done
