#!/bin/sh
# make_corpus.sh OUTDIR - seed corpora of the fuzzing harnesses from examples/ and tests/bad/:
#   OUTDIR/expr  one file per expression-looking value of the problem files (kind byte + text)
#   OUTDIR/yaml  the problem files themselves (mode byte 0) and "--set" override lines (mode
#                byte 1; the problem file they apply to is fixed inside the harness)
#   OUTDIR/ckpt  checkpoint containers (written by tests/fuzz/ckpt_seeds, if built)
set -eu
root="$(cd "$(dirname "$0")/../.." && pwd)"
out="$1"
mkdir -p "$out/expr" "$out/yaml" "$out/ckpt"
i=0
for f in "$root"/examples/*.yaml "$root"/tests/bad/*.yaml; do
  i=$((i + 1))
  { printf '\000'; cat "$f"; } >"$out/yaml/$i.yaml"   # byte 0 even: a problem file
  # every double-quoted text of the file is an expression or a predicate
  grep -oE '"[^"]+"' "$f" | tr -d '"' | while IFS= read -r line; do
    i=$((i + 1))
    printf '\001%s' "$line" >"$out/expr/$i-eq"
    printf '\002%s' "$line" >"$out/expr/$i-pr"
  done
done
n=0
for s in 'train.epochs=10' 'train.lr=1e-3' 'conditions.0.points=50' 'model.hidden=[8, 8]' \
         'train.weighting={scheme: ma, beta: 0.9}' 'a: &x [*x]' 'domain.x=[0, 2]' 'fields=[u, v]' \
         'equations=["u_t = u_xx", "v = 0"]' 'train.optimizer={name: adam, lr: 0.01}'; do
  n=$((n + 1))
  printf '\001%s' "$s" >"$out/yaml/set-$n"   # byte 0 odd: --set lines
done
