#!/usr/bin/env bash
# ab.sh OLD_PINNC NEW_PINNC [EPOCHS] [REPEATS] - two pinnc builds on the speed table's problems
# (bench/paper_dnpinn: Burgers, Poisson, Allen-Cahn; fixed and DN weighting), runs alternating,
# one thread: the minimum over the repeats of each build's Adam ms/epoch (summary.json) and of its
# process CPU time, and the new/old ratio.  For refactors: "no slower than before, same machine".
set -euo pipefail
cd "$(dirname "$0")/.."
old=$1 new=$2 ep=${3:-60} rep=${4:-3}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
one() { # bin case scheme -> "ms cpu_s"
  local d="$tmp/r"
  rm -rf "$d"
  local e=$ep
  [ "$2" = allen_cahn ] && e=$((ep / 4 > 5 ? ep / 4 : 5))
  /usr/bin/time -f "%U %S" -o "$tmp/t" "$1" train "bench/paper_dnpinn/$2.yaml" --out "$d" --quiet --threads 1 \
    --set train.epochs="$e" --set train.lbfgs=0 --set train.eval_every=0 --set train.log_every="$e" \
    --set train.checkpoint_every=0 --set output.png=false --set train.weighting.scheme="$3" >/dev/null
  local ms cpu
  ms=$(sed -n 's/.*"adam_ms_per_epoch": \([-0-9.eE+]*\).*/\1/p' "$d/summary.json")
  cpu=$(awk '{print $1 + $2}' "$tmp/t")
  echo "$ms $cpu"
}
printf "%-12s %-6s %12s %12s %8s %10s %10s %8s\n" case scheme old_ms new_ms ratio old_cpu_s new_cpu_s ratio
for c in burgers poisson allen_cahn; do
  for w in fixed dn; do
    bo=1e30 bn=1e30 co=1e30 cn=1e30
    for r in $(seq "$rep"); do
      read -r m s <<<"$(one "$old" $c $w)"; bo=$(python3 -c "print(min($bo,$m))"); co=$(python3 -c "print(min($co,$s))")
      read -r m s <<<"$(one "$new" $c $w)"; bn=$(python3 -c "print(min($bn,$m))"); cn=$(python3 -c "print(min($cn,$s))")
    done
    printf "%-12s %-6s %12.2f %12.2f %8.3f %10.2f %10.2f %8.3f\n" $c $w "$bo" "$bn" "$(python3 -c "print($bn/$bo)")" "$co" "$cn" "$(python3 -c "print($cn/$co)")"
  done
done
