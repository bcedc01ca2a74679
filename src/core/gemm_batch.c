/* gemm_batch.c - batched small matrix products (FBPINN: the same layer of every subdomain's
 * network in one call).  The products of one batch share their shapes except len[b], the rows of
 * A_b (a subdomain's point count times the jet streams), and every operand has its own address
 * (each subdomain has its own weights).  Two kernels: the BLAS library called once per product,
 * and the register-blocked kernel of gemm_small.c through its batch entry (one dispatch for the
 * batch, nothing allocated, op(B) prepared per product as in one call); the auto choice picks
 * per form and shape from measurements (pinn_gemm_batch_policy). */
#include "core/gemm_batch.h"

#include "core/blas.h"
#include "core/gemm_small.h"
#include "pinnc/ctx.h"

/* The per-shape choice; see the header.  bench/bench_gemm_batch on the development host (Intel
 * Xeon with AVX-512, OpenBLAS 0.3.21, one thread), 1 024 products of 16..64 points (x 5 streams
 * where the input is not affine): the small kernel wins every NN and NT (16x16 NT 7.6 / 16.3
 * GFLOP/s library / small, NN 7.3 / 14.7; one output column, as dot products, 3.1 / 3.9) and TN
 * with outputs of half a vector or more; the library wins the TN products narrower than that
 * (the first layer's weight gradient over 1 or 2 inputs: 2.4 / 1.7, 4.4 / 3.6).  Shared host:
 * the figures move by ~20 % between runs, the ranking did not. */
int pinn_gemm_batch_policy(int ta, int tb, int len, int N, int W) {
    (void)len, (void)W;
    if (ta && tb) return PINN_GEMM_LIBRARY;
    if (ta) return N < 4 ? PINN_GEMM_LIBRARY : PINN_GEMM_SMALL;
    return PINN_GEMM_SMALL;
}

/* The batch through the chosen kernel. */
int pinn_gemm_batch(int kind, int ta, int tb, int nb, const int *len, int N, int W, pinn_real alpha,
                    const pinn_real *const *A, int lda, const pinn_real *const *B, int ldb, pinn_real beta,
                    pinn_real *const *C, int ldc) {
    if (ta && tb) return -1;
    if (nb <= 0 || N <= 0 || W <= 0) return 0;
    if (kind != PINN_GEMM_LIBRARY && kind != PINN_GEMM_SMALL)
        kind = pinn_gemm_batch_policy(ta, tb, len[0], N, W);
    if (kind == PINN_GEMM_SMALL)
        return pinn_gemm_small_batch(ta, tb, nb, len, N, W, alpha, A, lda, B, ldb, beta, C, ldc);
    for (int b = 0; b < nb; b++) {
        int L = len[b] > 0 ? len[b] : 0;
        if (!ta && L == 0) continue;
        int M = ta ? W : L, K = ta ? L : W;
        pinn_gemm_library(ta, tb, M, N, K, alpha, A[b], lda, B[b], ldb, beta, C[b], ldc);
    }
    return 0;
}
