#!/bin/sh
# failure_keep.sh PINNC SOURCE [WORKDIR] - failures keep the last good checkpoint: a run that
# diverges (learning rate far too high) exits non-zero with a message naming the term, its
# checkpoint is the last finite state, and a resume with a lower rate continues from it; a run
# whose checkpoint cannot be written (file-size limit: the disk-full path) fails with a message
# and leaves the previous checkpoint loadable.  Prints "N passed, N failed".
set -u
pinnc=$1 src=$2 work=${3:-$(mktemp -d)}
mkdir -p "$work"
pass=0 fail=0
check() { if [ "$1" = 0 ]; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: $2"; fi; }
prob="$src/examples/heat.yaml"
base="--set train.collocation=400 --set train.lbfgs=0 --set train.log_every=10 --set train.eval_every=0
      --set model.hidden=[8,8] --set output.png=false --threads 1 --quiet"
# divergence: exp activations at lr 10 overflow within the first epochs; checkpoints every 5 epochs
rm -rf "$work/div"
# shellcheck disable=SC2086
"$pinnc" train "$prob" $base --set train.epochs=3000 --set train.lr=10 --set model.activation=exp --set train.checkpoint_every=5 \
  --out "$work/div" >/dev/null 2>"$work/err"
rc=$?
[ $rc != 0 ]
check $? "a diverged run exited 0"
grep -q "diverged\|not finite" "$work/err"
check $? "divergence message: $(cat "$work/err")"
[ -f "$work/div/checkpoint.bin" ]
check $? "no checkpoint kept"
"$pinnc" train --resume "$work/div" --set train.lr=1e-4 --set train.epochs=200 --quiet >/dev/null 2>"$work/err2"
check $? "resume with a lower rate: $(cat "$work/err2")"
grep -q '"final_loss": [0-9]' "$work/div/summary.json"
check $? "the resumed run has a finite final loss"
# a checkpoint that cannot be written: a file-size limit below the checkpoint's size
rm -rf "$work/full"
# shellcheck disable=SC2086
"$pinnc" train "$prob" $base --set train.epochs=20 --set train.checkpoint_every=10 --out "$work/full" >/dev/null 2>&1
check $? "first run"
cp "$work/full/checkpoint.bin" "$work/good.bin"
(
  trap '' XFSZ
  ulimit -f 1 # 512-byte blocks: writes past 512 bytes fail with EFBIG
  # shellcheck disable=SC2086
  "$pinnc" train --resume "$work/full" --set train.epochs=40 --quiet >/dev/null 2>"$work/err3"
)
rc=$?
[ $rc != 0 ]
check $? "a failed checkpoint write exited 0"
grep -q "checkpoint\|write\|File too large" "$work/err3"
check $? "write failure message: $(cat "$work/err3")"
cmp -s "$work/good.bin" "$work/full/checkpoint.bin"
check $? "the last good checkpoint was replaced"
"$pinnc" train --resume "$work/full" --set train.epochs=40 --quiet >/dev/null 2>"$work/err4"
check $? "resume after the failed write: $(cat "$work/err4")"
echo "$pass passed, $fail failed"
[ $fail = 0 ]
