#!/bin/sh
# make_corpus.sh OUTDIR - seed corpora of the fuzzing harnesses from examples/ and tests/bad/:
#   OUTDIR/expr  one file per expression-looking value of the problem files (kind byte + text)
#   OUTDIR/yaml  the problem files themselves
#   OUTDIR/set   "--set" override lines (a problem file body is fixed inside the harness)
#   OUTDIR/ckpt  a few checkpoint containers written by fuzz_ckpt -write_seeds
set -eu
root="$(cd "$(dirname "$0")/../.." && pwd)"
out="$1"
mkdir -p "$out/expr" "$out/yaml" "$out/set" "$out/ckpt"
i=0
for f in "$root"/examples/*.yaml "$root"/tests/bad/*.yaml; do
  i=$((i + 1))
  cp "$f" "$out/yaml/$i.yaml"
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
  printf '%s' "$s" >"$out/set/$n"
done
