#!/bin/sh
# mpi_ranks.sh PINNC SOURCE WORKDIR MPIRUN - data-parallel training over MPI ranks: a plain run
# and runs on 1, 2 and 4 ranks end with bitwise the same solution and loss history; only rank 0
# writes; a 2-rank run killed (SIGKILL to a rank) after a checkpoint and resumed on 4 ranks ends
# as the uninterrupted run.  Prints "N passed, N failed".
set -u
pinnc=$1 src=$2 work=$3 mpirun=$4
mkdir -p "$work"
pass=0 fail=0
check() { if [ "$1" = 0 ]; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: $2"; fi; }
export OMP_WAIT_POLICY=passive
# under AddressSanitizer: OpenMPI's own allocations at exit are not pinnc's leaks
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
mpi() { n=$1; shift; "$mpirun" --allow-run-as-root --oversubscribe --mca mpi_yield_when_idle 1 -np "$n" "$@"; }
prob="$src/examples/burgers.yaml"
set_="--set train.collocation=1600 --set train.epochs=120 --set train.lbfgs=5 --set train.checkpoint_every=30
      --set train.log_every=10 --set train.eval_every=0 --set model.hidden=[16,16] --set output.png=false
      --threads 1 --quiet"
rm -rf "$work"/r*
# shellcheck disable=SC2086
"$pinnc" train "$prob" $set_ --out "$work/r0" >/dev/null 2>"$work/err"
check $? "plain run: $(cat "$work/err")"
cut -d, -f1,2,4- "$work/r0/history.csv" >"$work/h0"
for n in 1 2 4; do
  # shellcheck disable=SC2086
  mpi $n "$pinnc" train "$prob" $set_ --out "$work/r$n" >"$work/out$n" 2>"$work/err"
  check $? "$n ranks: $(tail -3 "$work/err")"
  cmp -s "$work/r0/solution.npy" "$work/r$n/solution.npy"
  check $? "$n ranks: the solution differs from the plain run's"
  cut -d, -f1,2,4- "$work/r$n/history.csv" >"$work/h$n"
  cmp -s "$work/h0" "$work/h$n"
  check $? "$n ranks: the loss history differs from the plain run's"
  grep -q "\"ranks\": $n" "$work/r$n/summary.json"
  check $? "$n ranks: summary.json names the rank count"
  [ "$(grep -c "run written" "$work/out$n")" = 1 ]
  check $? "$n ranks: one rank reports"
done
# killed after a checkpoint, resumed on another rank count
# shellcheck disable=SC2086
mpi 2 "$pinnc" train "$prob" $set_ --set train.epochs=1000 --out "$work/rk" >/dev/null 2>&1 &
job=$!
i=0
while [ ! -f "$work/rk/checkpoint.bin" ] && [ $i -lt 600 ]; do sleep 0.05; i=$((i + 1)); done
sleep 0.3
for p in $(pgrep -P $job); do kill -9 "$p" 2>/dev/null; break; done
wait $job 2>/dev/null
[ -f "$work/rk/checkpoint.bin" ] && [ ! -f "$work/rk/summary.json" ]
check $? "killed after a checkpoint, before the end"
# shellcheck disable=SC2086
"$pinnc" train "$prob" $set_ --set train.epochs=1000 --out "$work/rf" >/dev/null 2>&1
mpi 4 "$pinnc" train --resume "$work/rk" --quiet >/dev/null 2>"$work/err"
check $? "resume on 4 ranks: $(tail -3 "$work/err")"
cmp -s "$work/rf/solution.npy" "$work/rk/solution.npy"
check $? "the resumed run's solution differs from the uninterrupted one"
cut -d, -f1,2,4- "$work/rf/history.csv" >"$work/hf"
cut -d, -f1,2,4- "$work/rk/history.csv" >"$work/hk"
cmp -s "$work/hf" "$work/hk"
check $? "the resumed run's history differs"
echo "$pass passed, $fail failed"
[ $fail = 0 ]
