#!/bin/sh
# blas_core.sh PINNC SOURCE [WORKDIR] - the kernel set OpenBLAS runs under the pinnc command
# (summary.json, gemm.blas_core): on an x86 CPU with AVX2 + FMA it is never OpenBLAS's SSE3
# fallback "Prescott" (pinnc restarts itself with OPENBLAS_CORETYPE where OpenBLAS did not know the
# CPU), and a user's OPENBLAS_CORETYPE stands.  Builds without OpenBLAS record "" (nothing to
# check).  Prints "N passed, N failed".
set -u
pinnc=$1 src=$2 work=${3:-$(mktemp -d)}
mkdir -p "$work"
pass=0 fail=0
check() { if [ "$1" = 0 ]; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: $2"; fi; }
core() { # run dir -> blas_core
  sed -n 's/.*"blas_core": "\([^"]*\)".*/\1/p' "$1/summary.json"
}
run() { # out [env assignments...]
  out=$1; shift
  env -u OPENBLAS_CORETYPE -u PINNC_BLAS_CORE "$@" "$pinnc" train "$src/examples/heat.yaml" --out "$out" --force \
    --quiet --threads 1 --set train.epochs=5 --set train.lbfgs=0 --set train.collocation=100 \
    --set train.eval_every=0 --set output.png=false --set output.npy=false >/dev/null 2>&1
}
run "$work/auto"
check $? "pinnc train failed"
c=$(core "$work/auto")
avx2=0
grep -q ' avx2' /proc/cpuinfo 2>/dev/null && grep -q ' fma' /proc/cpuinfo && avx2=1
if [ -n "$c" ]; then
  [ "$avx2" = 1 ] && { [ "$c" != Prescott ]; check $? "AVX2 CPU but OpenBLAS runs Prescott kernels"; }
  run "$work/user" OPENBLAS_CORETYPE=Prescott
  check $? "pinnc train with OPENBLAS_CORETYPE failed"
  [ "$(core "$work/user")" = Prescott ]; check $? "OPENBLAS_CORETYPE=Prescott not kept: $(core "$work/user")"
fi
echo "blas core '$c': $pass passed, $fail failed"
[ "$fail" = 0 ]
