/* blas.h - internal matrix-product wrapper: CBLAS (OpenBLAS) when built with it, else a blocked
 * loop.  All matrices are row-major.  C = alpha * op(A) * op(B) + beta * C. */
#ifndef PINN_CORE_BLAS_H
#define PINN_CORE_BLAS_H

#include "pinnc/core.h"

/* op(A) is M x K, op(B) is K x N; ta/tb nonzero mean transpose. */
void pinn_gemm(int ta, int tb, int M, int N, int K, pinn_real alpha, const pinn_real *A, int lda,
               const pinn_real *B, int ldb, pinn_real beta, pinn_real *C, int ldc);

/* The same product always through the library (OpenBLAS, or the built-in loop), bypassing the
 * small-matrix kernel: for benchmarks and tests. */
void pinn_gemm_library(int ta, int tb, int M, int N, int K, pinn_real alpha, const pinn_real *A, int lda,
                       const pinn_real *B, int ldb, pinn_real beta, pinn_real *C, int ldc);

/* The product through a chosen kernel: kind is a pinn_gemm_kind (pinnc/ctx.h): 0 auto (the shape
 * policy of gemm_small.c where the small kernel is built), 1 the library, 2 the small kernel
 * wherever it applies; -1 means pinn_gemm (auto, unless PINN_SMALL_GEMM=0). */
void pinn_gemm_with(int kind, int ta, int tb, int M, int N, int K, pinn_real alpha, const pinn_real *A, int lda,
                    const pinn_real *B, int ldb, pinn_real beta, pinn_real *C, int ldc);
/* Whether pinn_gemm_with(kind, ...) of this shape runs the small kernel (pinn_gemm_small). */
int pinn_gemm_uses_small(int kind, int ta, int tb, int M, int N, int K);

/* Pin the BLAS library to one thread (pinnc threads over point blocks instead). */
void pinn_blas_single_thread(void);

/* Human-readable name of the GEMM in use ("OpenBLAS 0.3.21 ..." or "built-in"). */
const char *pinn_blas_name(void);
/* The CPU kernel set the library chose at load time (OpenBLAS's core name, e.g. "SkylakeX", or
 * "Prescott" where it did not know the CPU; "" without OpenBLAS). */
const char *pinn_blas_core(void);
/* The OPENBLAS_CORETYPE to start the process with where OpenBLAS fell back to "Prescott" on a CPU
 * that runs newer kernels ("SkylakeX", "Haswell"); NULL otherwise (and without OpenBLAS). */
const char *pinn_blas_suggest_core(void);

#endif
