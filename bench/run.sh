#!/usr/bin/env bash
# Speed of pinnc against a PyTorch implementation of the same problems, in the same job,
# alternating runs: ms per training epoch (Adam step: all loss terms, gradient, update) for the
# DN-PINN paper's three problems, float64 and float32, with fixed weights and with DN-PINN
# weighting; the rate of pinnc's matrix products against the machine's measured FMA peak; peak
# memory of each process.  Needs Debian's python3-torch; torch gets the OpenMP build of OpenBLAS
# (Debian's default reference BLAS is several times slower).
# usage: bench/run.sh [EPOCHS] [REPEATS]          speed table (defaults 200 2)
#        bench/run.sh scaling [EPOCHS]            Burgers ms/epoch against points, width, order
# env: PINNC (float64 binary, default build/pinnc), PINNC32 (float32 binary, default
#      build-f32/pinnc if present: make test-float32 builds it), PRECS ("float64 float32" to choose),
#      PYTHON, THREADS (default nproc).
set -euo pipefail
cd "$(dirname "$0")/.."
pinnc=${PINNC:-build/pinnc}
pinnc32=${PINNC32:-build-f32/pinnc}
py=${PYTHON:-/usr/bin/python3}
threads=${THREADS:-$(nproc)}
export LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu/openblas-openmp${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

json() { # file key: the number after "key": in a summary.json
  sed -n "s/.*\"$2\": \([-0-9.eE+naif]*\).*/\1/p" "$1" | head -1
}
# pinnc_run BINARY YAML EPOCHS [--set ...]: prints "ms_per_epoch gemm_gflops max_rss_MB"
pinnc_run() {
  local bin=$1 yaml=$2 ep=$3 d="$tmp/run"
  shift 3
  rm -rf "$d"
  /usr/bin/time -f "%M" -o "$tmp/rss" "$bin" train "$yaml" --out "$d" --quiet --threads "$threads" \
    --set train.epochs="$ep" --set train.eval_every=0 --set train.log_every="$ep" --set output.png=false "$@" >/dev/null
  echo "$(json "$d/summary.json" adam_ms_per_epoch) $(json "$d/summary.json" gemm_gflops) $(($(cat "$tmp/rss") / 1024))"
}
# torch_run CASE DTYPE EPOCHS [--dn]: prints "ms_per_epoch max_rss_MB"
torch_run() {
  local c=$1 dt=$2 ep=$3
  shift 3
  local ms
  ms=$(/usr/bin/time -f "%M" -o "$tmp/rss" "$py" bench/torch_pinn.py "$c" --dtype "$dt" --epochs "$ep" \
    --threads "$threads" "$@" | awk '{print $4}')
  echo "$ms $(($(cat "$tmp/rss") / 1024))"
}
min() { awk -v a="$1" -v b="$2" 'BEGIN{print (b+0<a+0)?b:a}'; }

gcc -O3 -march=native -fopenmp bench/peak.c -o "$tmp/peak"
echo "# machine: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores, $threads threads used; $(date -u +%F)"
echo "# $("$pinnc" --version 2>/dev/null || echo pinnc); torch $("$py" -c 'import torch; print(torch.__version__)')"
"$tmp/peak" >"$tmp/peak.txt"
sed 's/^/# peak /' "$tmp/peak.txt"
peak64=$(awk -v t="$threads" '$1=="float64" && $3==t":" {print $4}' "$tmp/peak.txt")
peak32=$(awk -v t="$threads" '$1=="float32" && $3==t":" {print $4}' "$tmp/peak.txt")

if [ "${1:-}" = scaling ]; then
  ep=${2:-100}
  y=bench/paper_dnpinn/burgers.yaml
  echo "| varied | value | ms/epoch | GEMM GFLOP/s | % of peak |"
  echo "|---|---|---|---|---|"
  row() { read -r ms gf mb <<<"$(pinnc_run "$pinnc" "$y" "$ep" "${@:3}")"
          awk -v a="$1" -v b="$2" -v ms="$ms" -v gf="$gf" -v pk="$peak64" \
            'BEGIN{printf "| %s | %s | %.2f | %.1f | %.0f %% |\n", a, b, ms, gf, 100*gf/pk}'; }
  for n in 2500 5000 10000 20000 40000; do row points "$n" --set train.collocation="$n"; done
  for w in 10 20 40 80; do row width "8 x $w" --set "model.hidden=[$w,$w,$w,$w,$w,$w,$w,$w]"; done
  for o in 1 2 3 4; do
    case $o in 1) e="u_t + u*u_x = 0" ;; 2) e="u_t + u*u_x - nu*u_xx = 0" ;;
               3) e="u_t + u*u_x - nu*u_xxx = 0" ;; 4) e="u_t + u*u_x - nu*u_xxxx = 0" ;; esac
    row "derivative order" "$o" --set "equations.0.equation=$e"
  done
  exit 0
fi

epochs=${1:-200}; reps=${2:-2}
precs=${PRECS:-float64}
[ -z "${PRECS:-}" ] && [ -x "$pinnc32" ] && precs="float64 float32"
# "target needs": the share of peak the products alone would need to reach the speed issue's ratio
# (Burgers 15x in float64, 10x in float32, the others 8x) with free elementwise work:
# (GFLOP per epoch) / (PyTorch ms / target) / peak.
printf "| case | precision | weighting | pinnc ms/epoch | PyTorch ms/epoch | speed-up | pinnc GEMM GFLOP/s (%% of peak) | target needs | pinnc MB | PyTorch MB |\n"
printf "|---|---|---|---|---|---|---|---|---|---|\n"
for c in burgers poisson allen_cahn; do
  for prec in $precs; do
    bin=$pinnc pk=$peak64
    [ "$prec" = float32 ] && bin=$pinnc32 pk=$peak32
    for w in fixed dn; do
      flag=()
      [ "$w" = dn ] && flag=(--dn)
      bp=1e9 bt=1e9 gf=0 mp=0 mt=0
      for _ in $(seq "$reps"); do
        read -r p g m <<<"$(pinnc_run "$bin" "bench/paper_dnpinn/$c.yaml" "$epochs" --set train.weighting.scheme="$w")"
        read -r t mm <<<"$(torch_run "$c" "$prec" "$epochs" "${flag[@]}")"
        [ "$(min "$bp" "$p")" = "$p" ] && gf=$g
        bp=$(min "$bp" "$p") bt=$(min "$bt" "$t") mp=$m mt=$mm
      done
      tg=8
      [ "$c" = burgers ] && tg=15 && [ "$prec" = float32 ] && tg=10
      awk -v c="$c" -v pr="$prec" -v w="$w" -v p="$bp" -v t="$bt" -v g="$gf" -v pk="$pk" -v mp="$mp" -v mt="$mt" -v tg="$tg" \
        'BEGIN{printf "| %s | %s | %s | %.2f | %.2f | %.1fx | %.1f (%.0f %%) | %.0f %% for %dx | %d | %d |\n", c, pr, w, p, t, t/p, g, 100*g/pk, 100*g*p*tg/(t*pk), tg, mp, mt}'
    done
  done
done
