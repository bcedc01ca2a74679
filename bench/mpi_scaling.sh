#!/usr/bin/env bash
# mpi_scaling.sh [REPEATS] - strong and weak scaling of data-parallel training over MPI ranks on
# this host (ranks on localhost, one thread each): Burgers of the DN-PINN paper (8 x 20 tanh),
# 10000 collocation points (strong) or 5000 per rank (weak).  Per rank count: rank 0's wall ms per
# Adam epoch (summary.json), and the CPU ms per epoch of all ranks together, from /usr/bin/time of
# mpirun over two run lengths (E2 - E1 epochs), so setup and the reference solver cancel.  Minimum
# over REPEATS.  env: PINNC, RANKS (default "1 2 4"), E1, E2.
set -euo pipefail
cd "$(dirname "$0")/.."
reps=${1:-2}
pinnc=${PINNC:-build/pinnc} e1=${E1:-10} e2=${E2:-40}
export OMP_WAIT_POLICY=passive
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
json() { sed -n "s/.*\"$2\": \([-0-9.eE+naif]*\).*/\1/p" "$1" | head -1; }
run() { # N COLLOC EPOCHS: "cpu_s wall_ms_per_epoch"
  rm -rf "$tmp/run"
  /usr/bin/time -f "%U %S" -o "$tmp/t" mpirun --allow-run-as-root --oversubscribe --mca mpi_yield_when_idle 1 -np "$1" \
    "$pinnc" train bench/paper_dnpinn/burgers.yaml --out "$tmp/run" --quiet --threads 1 --set train.collocation="$2" \
    --set train.epochs="$3" --set train.eval_every=0 --set train.log_every="$3" --set train.lbfgs=0 \
    --set output.png=false --set output.grid=[20,20] >/dev/null
  echo "$(awk '{print $1 + $2}' "$tmp/t") $(json "$tmp/run/summary.json" adam_ms_per_epoch)"
}
echo "# $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores shared with other jobs; $(date -u +%FT%TZ)"
echo "| scaling | ranks | collocation | rank-0 wall ms/epoch | CPU ms/epoch, all ranks | CPU ms/epoch per rank |"
echo "|---|---|---|---|---|---|"
for mode in strong weak; do
  for n in ${RANKS:-1 2 4}; do
    col=10000
    [ $mode = weak ] && col=$((5000 * n))
    bw=1e9 bc=1e9
    for _ in $(seq "$reps"); do
      read -r c1 _ <<<"$(run "$n" "$col" "$e1")"
      read -r c2 w <<<"$(run "$n" "$col" "$e2")"
      c=$(awk -v a="$c1" -v b="$c2" -v d=$((e2 - e1)) 'BEGIN{print 1e3 * (b - a) / d}')
      bw=$(awk -v a="$bw" -v b="$w" 'BEGIN{print (b<a)?b:a}') bc=$(awk -v a="$bc" -v b="$c" 'BEGIN{print (b<a)?b:a}')
    done
    awk -v m=$mode -v n="$n" -v col="$col" -v w="$bw" -v c="$bc" \
      'BEGIN{printf "| %s | %d | %d | %.1f | %.1f | %.1f |\n", m, n, col, w, c, c/n}'
  done
done
