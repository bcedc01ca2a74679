#!/bin/sh
# petsc_lsq.sh PINNC SOURCE WORKDIR MPIRUN PYTHON3 [TOL] - the PETSc least-squares solvers (solver:
# petsc_lsqr, petsc_cgls): on the oscillator ELM-FBPINN (examples/elm/oscillator80.yaml with a
# degree-4 Taylor basis per subdomain, column scaling, tolerances 1e-15, so that the solve
# converges) one process and 2 MPI ranks (each assembling its own rows) give the same
# predictions as each other and as pinnc's serial LSQR to TOL (1e-10) relative (max |du| / max |u|);
# the same for petsc_cgls against the serial CGLS, and for 3 Gauss-Newton steps (damping rows) on
# a small Burgers case.  The summary names the solver and the rank count, and only rank 0
# reports.  Needs python3 with numpy (Debian's python3-numpy).  Prints "N passed, N failed".
set -u
pinnc=$1 src=$2 work=$3 mpirun=$4 py=$5 rtol=${6:-1e-10}
mkdir -p "$work"
pass=0 fail=0
check() { if [ "$1" = 0 ]; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: $2"; fi; }
export OMP_NUM_THREADS=1 OMP_WAIT_POLICY=passive OPENBLAS_NUM_THREADS=1
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
mpi() { n=$1; shift; "$mpirun" --allow-run-as-root --oversubscribe --mca mpi_yield_when_idle 1 -np "$n" "$@"; }
# same(A, B, TOL): the solutions of runs A and B agree to TOL relative
same() {
  "$py" -c "
import sys, numpy as np
a = np.load('$work/$1/solution.npy'); b = np.load('$work/$2/solution.npy')
d = float(abs(a - b).max() / abs(a).max())
print('$1 vs $2: %.3e' % d)
sys.exit(0 if a.shape == b.shape and d <= $3 else 1)"
}
osc="$src/examples/elm/oscillator80.yaml"
oset="--set model.basis=polynomial --set model.degree=4 --set output.png=false --set output.grid=[401] --quiet"
tol="precond: column, atol: 1.0e-15, btol: 1.0e-15, max_iter: 100000"
rm -rf "${work:?}"/*
run() { # run NAME RANKS(0: no launcher) PROBLEM SETTINGS PHASE
  name=$1 n=$2 prob=$3 sets=$4 phase=$5
  # shellcheck disable=SC2086
  if [ "$n" = 0 ]; then "$pinnc" train "$prob" $sets --set "train.phases=[$phase]" --out "$work/$name" >"$work/$name.out" 2>"$work/$name.err"
  else mpi "$n" "$pinnc" train "$prob" $sets --set "train.phases=[$phase]" --out "$work/$name" >"$work/$name.out" 2>"$work/$name.err"; fi
  check $? "$name: $(tail -3 "$work/$name.err")"
}
run rs 0 "$osc" "$oset" "{kind: lstsq, solver: lsqr, $tol}"
run r1 0 "$osc" "$oset" "{kind: lstsq, solver: petsc_lsqr, $tol}"
run r2 2 "$osc" "$oset" "{kind: lstsq, solver: petsc_lsqr, $tol}"
same r1 r2 "$rtol"; check $? "petsc_lsqr: 1 and 2 ranks differ"
same rs r2 "$rtol"; check $? "petsc_lsqr on 2 ranks differs from the serial LSQR"
same rs r1 "$rtol"; check $? "petsc_lsqr on 1 process differs from the serial LSQR"
grep -q '"method": "petsc_lsqr"' "$work/r2/summary.json"; check $? "the summary names petsc_lsqr"
grep -q '"ranks": 2' "$work/r2/summary.json"; check $? "the summary names 2 ranks"
grep -q '"stop": "normal-equation tolerance"' "$work/r2/summary.json"; check $? "petsc_lsqr converged"
[ "$(grep -c "run written" "$work/r2.out")" = 1 ]; check $? "2 ranks: one rank reports"
run rc 0 "$osc" "$oset" "{kind: lstsq, solver: cgls, $tol}"
run rc2 2 "$osc" "$oset" "{kind: lstsq, solver: petsc_cgls, $tol}"
same rc rc2 "$rtol"; check $? "petsc_cgls on 2 ranks differs from the serial CGLS"
# Gauss-Newton: damping rows (column norms over all ranks), accepted steps
bg="$src/examples/elm/burgers_gn.yaml"
bset="--set model.subdomains=[4,2] --set model.basis=polynomial --set model.degree=3 --set train.collocation=800
      --set conditions.0.points=80 --set conditions.1.points=40 --set output.grid=[41,21] --set output.png=false --quiet"
gn="kind: gauss_newton, iterations: 3, damping: 1.0e-4, $tol"
run gs 0 "$bg" "$bset" "{$gn, solver: lsqr}"
run g2 2 "$bg" "$bset" "{$gn, solver: petsc_lsqr}"
same gs g2 "$rtol"; check $? "Gauss-Newton: petsc_lsqr on 2 ranks differs from the serial LSQR"
echo "$pass passed, $fail failed"
[ $fail = 0 ]
