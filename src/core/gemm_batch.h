/* gemm_batch.h - a batch of independent small matrix products with shared shapes but for one
 * dimension (the point count of each FBPINN subdomain), in one call: the same layer of many
 * sub-networks.  Row-major; the forms NT, NN and TN the tapes issue.  See gemm_batch.c. */
#ifndef PINN_CORE_GEMM_BATCH_H
#define PINN_CORE_GEMM_BATCH_H

#include "pinnc/core.h"

/* C_b = alpha * op(A_b) op(B_b) + beta * C_b for b < nb.  A_b is row-major len[b] x W (stride
 * lda).  (ta, tb) = (0,1): C_b = A_b B_b^T, B_b N x W; (0,0): C_b = A_b B_b, B_b W x N (C_b is
 * len[b] x N in both); (1,0): C_b = A_b^T B_b, W x N, B_b len[b] x N (the reduction runs over
 * len[b]).  kind is a pinn_gemm_kind: PINN_GEMM_LIBRARY loops over the BLAS library,
 * PINN_GEMM_SMALL runs the register-blocked kernel's batch entry, anything else (auto, plan, -1)
 * picks per shape by pinn_gemm_batch_policy.  beta == 0 does not read C (NN/NT: a product with
 * len[b] <= 0 is skipped).  Returns 0, or -1 for (1,1), which it does not handle. */
int pinn_gemm_batch(int kind, int ta, int tb, int nb, const int *len, int N, int W, pinn_real alpha,
                    const pinn_real *const *A, int lda, const pinn_real *const *B, int ldb, pinn_real beta,
                    pinn_real *const *C, int ldc);

/* The kernel pinn_gemm_batch's auto choice takes for this form and shape with typically `len`
 * rows per product: PINN_GEMM_SMALL or PINN_GEMM_LIBRARY (measured, see gemm_batch.c). */
int pinn_gemm_batch_policy(int ta, int tb, int len, int N, int W);

#endif
