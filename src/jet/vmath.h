/* vmath.h - array versions of exp, expm1 and tanh written so the compiler vectorises them
 * (branch-free range reduction and polynomials); accurate to a few ulp in double. */
#ifndef PINN_JET_VMATH_H
#define PINN_JET_VMATH_H

#include <stddef.h>

#include "pinnc/core.h"
#include "pinnc/jet.h"

/* Array kernels built for several x86-64 levels and picked at load time, at -O3 (GCC; not under
 * the sanitizers, whose instrumentation the clones would bypass). */
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && !defined(__SANITIZE_ADDRESS__)
#define PINN_SIMD_CLONES __attribute__((target_clones("default", "avx2", "avx512f"), optimize("O3")))
#else
#define PINN_SIMD_CLONES
#endif

void pinn_vexpm1(const pinn_real *x, pinn_real *y, size_t n);
void pinn_vexp(const pinn_real *x, pinn_real *y, size_t n);
void pinn_vtanh(const pinn_real *x, pinn_real *y, size_t n);
/* out[i] = sum_{j<=deg} c[j] y[i]^j */
void pinn_vpoly(const double *c, int deg, const pinn_real *y, pinn_real *out, size_t n);

/* tanh derivatives of orders 1..K (K <= 3) from t = tanh(x), into out[(k-1)*ld + i], i < n */
void pinn_vtanh_derivs(const pinn_real *t, size_t n, size_t ld, int K, pinn_real *out);
/* pinn_fn_derivs with derivative k at D + k*ld (ld >= n): a range of a longer array. */
void pinn_fn_derivs_ld(pinn_fn f, double p, const pinn_real *x, size_t n, size_t ld, int K, pinn_real *D);

#endif
