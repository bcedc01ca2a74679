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
 * where the input is not affine), GFLOP/s library / small: the small kernel wins every NN and
 * every NT with two or more outputs (16x16 NT 6.9 / 16.3, NN 8.9 / 18.4), the library the TN
 * products whose outputs are narrower than half a vector (the first layer's weight gradient over
 * 1 or 2 inputs: 2.9 / 1.9, 4.7 / 3.7) and, marginally, NT with one output (1.65 / 1.55). */
int pinn_gemm_batch_policy(int ta, int tb, int len, int N, int W) {
    (void)len, (void)W;
    if (ta && tb) return PINN_GEMM_LIBRARY;
    if (ta) return N < 4 ? PINN_GEMM_LIBRARY : PINN_GEMM_SMALL;
    if (tb) return N == 1 ? PINN_GEMM_LIBRARY : PINN_GEMM_SMALL;
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
    if (kind == PINN_GEMM_SMALL) return pinn_gemm_small_batch(ta, tb, nb, len, N, W, alpha, A, lda, B, ldb, beta, C, ldc);
    for (int b = 0; b < nb; b++) {
        int L = len[b] > 0 ? len[b] : 0;
        if (!ta && L == 0) continue;
        int M = ta ? W : L, K = ta ? L : W;
        pinn_gemm_library(ta, tb, M, N, K, alpha, A[b], lda, B[b], ldb, beta, C[b], ldc);
    }
    return 0;
}
