#!/bin/sh
# kill_resume.sh PINNC SOURCE KILLS [WORKDIR] - a run killed with SIGKILL KILLS times at random
# moments (Adam with mini-batches and resampling, then L-BFGS), resumed each time, must end with
# exactly the parameters and errors of an uninterrupted run; a SIGINT stops a run cleanly (exit
# 130, checkpoint written) and the resumed run ends the same too.  Prints "N passed, N failed".
set -u
pinnc=$1 src=$2 kills=${3:-5} work=${4:-$(mktemp -d)}
mkdir -p "$work"
pass=0 fail=0
check() { if [ "$1" = 0 ]; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: $2"; fi; }
prob="$src/examples/burgers.yaml"
set_="--set train.collocation=1200 --set train.batch=256 --set train.resample_every=37 --set train.epochs=400
      --set train.lbfgs=40 --set train.checkpoint_every=7 --set train.log_every=50 --set train.eval_every=0
      --set model.hidden=[16,16,16] --set output.png=false --threads 2 --quiet"
rm -rf "$work/ref" "$work/run"
# shellcheck disable=SC2086
"$pinnc" train "$prob" $set_ --out "$work/ref" >/dev/null 2>&1
check $? "uninterrupted run"
# shellcheck disable=SC2086
"$pinnc" train "$prob" $set_ --out "$work/run" >/dev/null 2>&1 &
pid=$!
i=0 resumed=0
while [ $i -lt "$kills" ]; do
  # a random delay of 0.2 to 1.4 s
  d=$(awk -v s="$i$$" 'BEGIN { srand(s); printf "%.2f", 0.2 + 1.2 * rand() }')
  sleep "$d"
  if kill -0 $pid 2>/dev/null; then kill -9 $pid 2>/dev/null; wait $pid 2>/dev/null; fi
  i=$((i + 1))
  if [ -f "$work/run/checkpoint.bin" ]; then
    "$pinnc" train --resume "$work/run" --quiet >/dev/null 2>"$work/err" &
    pid=$!
    resumed=$((resumed + 1))
  else
    # shellcheck disable=SC2086
    "$pinnc" train "$prob" $set_ --force --out "$work/run" >/dev/null 2>&1 &
    pid=$!
  fi
done
# a clean stop with SIGINT, then the last resume to the end
sleep 0.5
kill -INT $pid 2>/dev/null
wait $pid
rc=$?
[ $rc = 130 ] || [ $rc = 0 ]
check $? "SIGINT exit status $rc (130, or 0 when the run had finished)"
"$pinnc" train --resume "$work/run" --quiet >/dev/null 2>"$work/err"
check $? "final resume: $(cat "$work/err")"
cmp -s "$work/ref/solution.npy" "$work/run/solution.npy"
check $? "the final solutions differ (solution.npy)"
cut -d, -f1,2,4- "$work/ref/history.csv" > "$work/h1"
cut -d, -f1,2,4- "$work/run/history.csv" > "$work/h2"
cmp -s "$work/h1" "$work/h2"
check $? "the histories differ (wall time aside)"
a=$(grep -o '"rel_l2": {[^}]*}' "$work/ref/summary.json")
b=$(grep -o '"rel_l2": {[^}]*}' "$work/run/summary.json")
[ "$a" = "$b" ]
check $? "errors differ: $a vs $b"
echo "kill_resume: $kills kills, $resumed resumes"
echo "$pass passed, $fail failed"
[ $fail = 0 ]
