#!/bin/sh
# run.sh [SECONDS] [HARNESS...] - build the libFuzzer harnesses with clang (build-fuzz/) and run
# each for SECONDS (default 60) on a corpus seeded from examples/ and tests/bad/ (kept in
# build-fuzz/corpus/, so later runs continue from it).  Exits non-zero on the first crash, leak,
# timeout (> 10 s for one input) or sanitizer report; libFuzzer leaves the input in build-fuzz/.
set -eu
root="$(cd "$(dirname "$0")/../.." && pwd)"
secs="${1:-60}"
[ $# -gt 0 ] && shift
harnesses="${*:-fuzz_expr fuzz_yaml fuzz_ckpt}"
cd "$root"
CC=clang cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=Release -DPINN_FUZZ=ON -DPINN_WITH_OPENMP=OFF >/dev/null
cmake --build build-fuzz -j "$(nproc 2>/dev/null || echo 2)" --target $harnesses >/dev/null
corpus="$root/build-fuzz/corpus"
seeds="$root/build-fuzz/seeds"
rm -rf "$seeds"
sh "$root/tests/fuzz/make_corpus.sh" "$seeds"
for h in $harnesses; do
  case "$h" in
    fuzz_expr) kind=expr; len=512 ;;
    fuzz_yaml) kind=yaml; len=4096 ;;
    fuzz_ckpt) kind=ckpt; len=2048 ;;
    *) echo "unknown harness $h"; exit 2 ;;
  esac
  mkdir -p "$corpus/$kind"
  echo "== $h: ${secs} s"
  (cd build-fuzz && PINN_FUZZ_CKPT_SEEDS="$seeds/ckpt" ./"$h" -max_total_time="$secs" -max_len="$len" -timeout=10 \
      -rss_limit_mb=2048 -print_final_stats=1 "$corpus/$kind" "$seeds/$kind" 2>"$root/build-fuzz/$h.log") || {
    tail -40 "$root/build-fuzz/$h.log"
    exit 1
  }
  grep -E "^#[0-9]+\s+DONE|stat::number_of_executed_units" "$root/build-fuzz/$h.log" | tail -2
done
