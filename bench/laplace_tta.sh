#!/bin/sh
# bench/laplace_tta.sh - time to accuracy on the 2-D multi-scale Laplace problem (n = 4): the
# finite-difference solver of src/ref (five-point stencil, Jacobi-CG) at several grid sizes, the
# ELM-FBPINN by least squares, the FBPINN and a PINN by Adam; e = mean|u - uh| / std(u) on the
# 201 x 201 evaluation grid and the CPU time (user + sys) of each process, one thread.
# usage: bench/laplace_tta.sh [fd] [elm] [adam]   (default: all).  Needs build/pinnc and python3.
set -e
B=${PINNC:-build/pinnc}
OUT=${OUT:-/tmp/laplace-tta}
L=examples/elm/laplace_multiscale.yaml
F=examples/fbpinn/laplace2d.yaml
mkdir -p "$OUT"
cpu() { awk '{printf "%.1f", $1 + $2}' "$1"; }
what=${*:-fd elm adam}
for w in $what; do case $w in
fd)
    "$B" reference $L --out "$OUT/exact" >/dev/null
    src='(2/n)*((2*pi)^2*sin(2*pi*x)*sin(2*pi*y) + (4*pi)^2*sin(4*pi*x)*sin(4*pi*y) + (8*pi)^2*sin(8*pi*x)*sin(8*pi*y) + (16*pi)^2*sin(16*pi*x)*sin(16*pi*y))'
    for m in 32 64 128 256 512 1024; do
        d="$OUT/fd_$m"
        /usr/bin/time -f "%U %S %M" -o "$d.time" "$B" reference $L --set "reference={solver: poisson_fd, source: \"$src\", boundary: \"0\", h: $(awk "BEGIN{print 1/$m}")}" --out "$d" >/dev/null
        mv "$d/reference.npy" "$d/solution.npy" && cp "$OUT/exact/reference.npy" "$d/reference.npy"
        echo "fd h = 1/$m: cpu $(cpu "$d.time") s, peak $(awk '{print int($3/1024)}' "$d.time") MB, $(python3 bench/npy_err.py "$d")"
    done ;;
elm)
    run() { n=$1; shift
        /usr/bin/time -f "%U %S %M" -o "$OUT/$n.time" "$B" train "$@" --threads 1 --out "$OUT/$n" --quiet --force >/dev/null 2>&1
        echo "$n: cpu $(cpu "$OUT/$n.time") s, peak $(awk '{print int($3/1024)}' "$OUT/$n.time") MB, $(python3 bench/npy_err.py "$OUT/$n")"; }
    run elm_k16_lsqr $L
    run elm_k16_spqr $L --set 'train.phases=[{kind: lstsq, solver: spqr}]'
    run elm_k32_spqr $L --set model.features=32 --set 'train.phases=[{kind: lstsq, solver: spqr}]'
    run elm_k16_poly4_spqr $L --set model.basis=both --set model.degree=4 --set 'train.phases=[{kind: lstsq, solver: spqr}]'
    run elm_k16_poly4_spqr_25k $L --set model.basis=both --set model.degree=4 --set train.collocation=25000 --set 'train.phases=[{kind: lstsq, solver: spqr}]'
    run elm_k48_spqr $L --set model.features=48 --set 'train.phases=[{kind: lstsq, solver: spqr}]'
    run elm_k48_spqr_30k $L --set model.features=48 --set train.collocation=30000 --set 'train.phases=[{kind: lstsq, solver: spqr}]' ;;
adam)
    run() { n=$1; shift
        /usr/bin/time -f "%U %S %M" -o "$OUT/$n.time" "$B" train "$@" --threads 1 --out "$OUT/$n" --quiet --force >/dev/null 2>&1
        echo "$n: cpu $(cpu "$OUT/$n.time") s, $(python3 bench/npy_err.py "$OUT/$n")"; }
    run fbpinn_16x16_3000 $F --set train.collocation=4096 --set output.grid=[201,201]
    run pinn_3x64_3000 $F --set train.collocation=4096 --set output.grid=[201,201] \
        --set 'model={kind: mlp, hidden: [64, 64, 64], activation: tanh, transform: "tanh(s*x)*tanh(s*(1 - x))*tanh(s*y)*tanh(s*(1 - y))*N"}' ;;
esac; done
