#!/usr/bin/env bash
# Runs the DN-PINN paper's experiments: every (scheme, beta, p, bias correction) row of tables 1-4
# for SEEDS seeds, JOBS runs at a time with one thread each, into OUT/<problem>/<row>-s<seed>/.
# usage: bench/paper_dnpinn/run.sh PROBLEM [SEEDS] [JOBS] [OUT] [extra --set ...]
#   PROBLEM: poisson | burgers | allen_cahn;  PINNC=path/to/pinnc overrides the binary.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
prob=$1; seeds=${2:-5}; jobs=${3:-$(nproc)}; out=${4:-runs/paper_dnpinn}; shift $(( $# < 4 ? $# : 4 ))
pinnc=${PINNC:-$here/../../build/pinnc}
rows=(
  "pinn fixed 0.99 2 false"
  "ma-0.9 ma 0.9 2 false"   "id-0.9 id 0.9 2 false"   "dn-0.9 dn 0.9 2 false"
  "ma-0.99 ma 0.99 2 false" "id-0.99 id 0.99 2 false" "dn-0.99 dn 0.99 2 false"
  "dn-0.9-p1 dn 0.9 1 false" "dn-0.9-pinf dn 0.9 inf false"
  "dn-0.99-p1 dn 0.99 1 false" "dn-0.99-pinf dn 0.99 inf false"
  "dnbc-0.9 dn 0.9 2 true" "dnbc-0.99 dn 0.99 2 true" "dnbc-0.999 dn 0.999 2 true" "dn-0.999 dn 0.999 2 false"
)
[ -n "${ROWS:-}" ] && mapfile -t rows < <(for r in "${rows[@]}"; do for w in $ROWS; do [ "${r%% *}" = "$w" ] && echo "$r"; done; done)
mkdir -p "$out/$prob"
for r in "${rows[@]}"; do
  read -r name scheme beta p bc <<<"$r"
  for s in $(seq 1 "$seeds"); do
    echo "$name $scheme $beta $p $bc $s"
  done
done | xargs -P "$jobs" -L 1 bash -c '
  name=$0 scheme=$1 beta=$2 p=$3 bc=$4 s=$5
  d="'"$out/$prob"'/$name-s$s"
  [ -f "$d/summary.json" ] && exit 0
  "'"$pinnc"'" train "'"$here/$prob.yaml"'" --out "$d" --force --seed "$s" --threads 1 --quiet \
    --set train.weighting.scheme=$scheme --set train.weighting.beta=$beta --set train.weighting.p=$p \
    --set train.weighting.bias_correction=$bc '"$*"' > "$d.log" 2>&1 || echo "FAILED $d" >&2
  grep -o "\"u\": [^}]*" "$d/summary.json" | sed "s/^/$name s$s /"'
