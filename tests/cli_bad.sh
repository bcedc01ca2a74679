#!/bin/sh
# cli_bad.sh PINNC SOURCE_DIR - the pinnc command on hostile input: every tests/bad/ file through
# `pinnc check` (exit 1, one line on stderr naming file:line), many --set/--seed/--threads options,
# an over-long --out, a fresh train into a used run directory (refused unless --force), --what
# with 100 items, NaN and out-of-domain points in `pinnc eval`.  Prints what failed; exit 1 if any.
set -u
P="$1"
SRC="$2"
H="$SRC/examples/heat.yaml"
W="$(mktemp -d "${TMPDIR:-/tmp}/pinnc-cli-bad.XXXXXX")"
trap 'rm -rf "$W"' EXIT
fails=0
n=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
ok() { n=$((n + 1)); }

# expect_fail RC WANT CMD... : exit status RC, and stderr is one line containing WANT
expect_fail() {
  rc="$1"; want="$2"; shift 2
  "$@" >"$W/out" 2>"$W/err"
  got=$?
  lines=$(wc -l <"$W/err")
  if [ "$got" -ne "$rc" ]; then fail "$* -> exit $got (wanted $rc): $(head -c 300 "$W/err")"
  elif [ "$lines" -ne 1 ]; then fail "$* -> $lines lines on stderr: $(head -c 300 "$W/err")"
  elif ! grep -qF -- "$want" "$W/err"; then fail "$* -> '$want' not in: $(cat "$W/err")"
  else ok; fi
}

for f in "$SRC"/tests/bad/*.yaml; do
  line=$(sed -n 's/^# expect-line: //p' "$f")
  expect_fail 1 "$f:$line:" "$P" check "$f"
done

# files that load but whose trainer refuses them (condition points): pinnc check builds the trainer
for f in "$SRC"/tests/bad_trainer/*.yaml; do
  line=$(sed -n 's/^# expect-line: //p' "$f")
  want=$(sed -n 's/^# expect: //p' "$f")
  expect_fail 1 "$f:$line:" "$P" check "$f"
  expect_fail 1 "$want" "$P" check "$f"
done

# many overrides: no fixed-size table; the last --seed / --threads wins
args=""
i=0
while [ $i -lt 100 ]; do args="$args --set train.epochs=$i --seed $i --threads 1"; i=$((i + 1)); done
# shellcheck disable=SC2086
if "$P" check "$H" $args >"$W/out" 2>"$W/err" && grep -q "seed: 99" "$W/out" && grep -q "epochs: 99" "$W/out"; then ok
else fail "100 x --set/--seed/--threads: $(head -c 300 "$W/err")"; fi
expect_fail 1 "recursive alias" "$P" check "$H" --set 'train.x=&a [*a]'
expect_fail 1 "model.shared: expected shared together with per_field" "$P" check "$H" --set model.shared=1
expect_fail 1 "model.shared: expected" "$P" check "$H" --set model.per_field=true --set model.shared=9
expect_fail 1 "more than 100000 YAML nodes" "$P" check "$H" --set \
  'train.x={a: &a [x,x,x,x,x,x,x,x,x,x], b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a], c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b], d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c], e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d], f: [*e,*e,*e,*e,*e,*e,*e,*e,*e,*e]}'
expect_fail 1 "--set train.seed=0x10: train.seed: expected" "$P" check "$H" --seed 0x10
expect_fail 1 "train.gemm" "$P" check "$H" --gemm fastest

# an --out path over the limit is an error, not silently cut
long="$W/$(printf '%0500d' 0)"
expect_fail 2 "the path is longer than" "$P" train "$H" --out "$long"

# a fresh train into a used directory is refused; --force overwrites it
tiny="--set train.epochs=2 --set train.lbfgs=0 --set train.collocation=20 --set output.grid=[5,5] --set train.eval_every=0 -q"
mkdir -p "$W/run" && echo keep >"$W/run/notes.txt"
# shellcheck disable=SC2086
expect_fail 1 "already exists and is not empty" "$P" train "$H" --out "$W/run" $tiny
[ "$(cat "$W/run/notes.txt")" = keep ] && ok || fail "the used directory was touched"
# shellcheck disable=SC2086
if "$P" train "$H" --out "$W/run" --force $tiny >"$W/out" 2>"$W/err" && [ -f "$W/run/checkpoint.bin" ]; then ok
else fail "--force: $(head -c 300 "$W/err")"; fi
# --from: a run whose parameters match nothing of the model, a missing run, --from with --resume
# shellcheck disable=SC2086
expect_fail 1 "no parameter slice of the earlier run matches" "$P" train "$SRC/examples/moe/lshape_moe.yaml" --out "$W/run2" --from "$W/run" $tiny
# shellcheck disable=SC2086
expect_fail 1 "--from $W/nothing: " "$P" train "$H" --out "$W/run3" --from "$W/nothing" $tiny
expect_fail 1 "--from and --resume exclude each other" "$P" train --resume "$W/run" --from "$W/run" -q

# eval: 100 --what items; NaN points refused with file:line; out-of-domain points warned about
what=u
i=1
while [ $i -lt 100 ]; do what="$what,u_x"; i=$((i + 1)); done
printf 't,x\n0.5,0.5\n0.25,0.75\n' >"$W/pts.csv"
if "$P" eval "$W/run" --points "$W/pts.csv" --what "$what" >"$W/out" 2>"$W/err" &&
   [ "$(head -1 "$W/out" | tr ',' '\n' | wc -l)" -eq 102 ]; then ok
else fail "--what with 100 items: $(head -c 300 "$W/err")"; fi
printf 't,x\n0.5,0.5\n0.5,nan\n' >"$W/nan.csv"
expect_fail 1 "$W/nan.csv:3: column 2 (x): 'nan' is not a finite" "$P" eval "$W/run" --points "$W/nan.csv"
printf 't,x\n0.5,0.5\n0.5,7\n' >"$W/far.csv"
if "$P" eval "$W/run" --points "$W/far.csv" >"$W/out" 2>"$W/err" && grep -q "1 of 2 points lie outside the domain (first: data row 2, x = 7" "$W/err"
then ok; else fail "out-of-domain warning: $(cat "$W/err")"; fi
printf 't,x\n' >"$W/empty.csv"
expect_fail 1 "no data rows" "$P" eval "$W/run" --points "$W/empty.csv"

# pinnc latent (docs/ideas.md): a missing run directory is one line; the trained run gives layer files
expect_fail 1 "pinnc latent: " "$P" latent "$W/no-such-run"
expect_fail 2 "unexpected argument '--bogus'" "$P" latent "$W/run" --bogus
if "$P" latent "$W/run" --quiet >"$W/out" 2>"$W/err" && [ -f "$W/run/latent/layer1.npy" ] && [ -f "$W/run/latent/layer1_pca.npy" ]; then ok
else fail "pinnc latent on a trained run: $(head -c 300 "$W/err")"; fi

echo "cli_bad: $n passed, $fails failed"
[ "$fails" -eq 0 ]
