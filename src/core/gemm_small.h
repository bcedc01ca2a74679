/* gemm_small.h - register-blocked GEMM kernels for the tall-and-skinny products of the jet engine
 * (one large dimension of S*n rows, the others layer widths of ~2..128).  Row-major, same
 * argument conventions as pinn_gemm; deterministic: the summation order depends only on the
 * sizes, never on threads (there are none inside) or on data alignment. */
#ifndef PINN_CORE_GEMM_SMALL_H
#define PINN_CORE_GEMM_SMALL_H

#include "pinnc/core.h"

/* C = alpha * op(A) op(B) + beta * C for the patterns (ta, tb) = (0,1), (0,0) and (1,0); any
 * sizes, though tuned for small N and K (NT, NN) or small M and N (TN).  beta == 0 does not read
 * C.  Returns 0 when done, -1 for the pattern (1,1), which it does not handle. */
int pinn_gemm_small(int ta, int tb, int M, int N, int K, pinn_real alpha, const pinn_real *A, int lda,
                    const pinn_real *B, int ldb, pinn_real beta, pinn_real *C, int ldc);

/* Tile height: 4 or 8 forces 4- or 8-row register tiles (both are tested), 0 (the default)
 * takes 8 where the CPU has AVX-512's 32 vector registers, else 4.  Not for use while another
 * thread multiplies. */
void pinn_gemm_small_tiles(int rows);

/* Vector width: 32 or 64 forces 32- or 64-byte vectors (64 only where the CPU has x86-64-v4 and
 * the tiles are not forced to 4 rows), 0 (the default) takes 64 where available.  Every width
 * gives bitwise the same products.  Not for use while another thread multiplies. */
void pinn_gemm_small_vectors(int bytes);
/* The vector width in bytes the kernel uses now. */
int pinn_gemm_small_vector_bytes(void);

/* C = alpha * A op(B) + beta * C (tb = 0: NN, 1: NT) for G groups of M rows: rows of group g
 * start at A + g*gsa and C + g*gsc (M*G rows in all, each group M consecutive rows of stride lda
 * and ldc); op(B) is prepared once for all groups.  Each product equals pinn_gemm_small's for
 * the same rows, bitwise.  Returns 0. */
int pinn_gemm_small_groups(int tb, int G, int M, int N, int K, pinn_real alpha, const pinn_real *A, int lda,
                           size_t gsa, const pinn_real *B, int ldb, pinn_real beta, pinn_real *C, int ldc,
                           size_t gsc);

/* A batch of nb independent products C_b = alpha * op(A_b) op(B_b) + beta * C_b, each one
 * bitwise pinn_gemm_small's: A_b is row-major len[b] x W (stride lda); (ta, tb) = (0,1): C_b =
 * A_b B_b^T with B_b N x W; (0,0): C_b = A_b B_b with B_b W x N (C_b len[b] x N in both); (1,0):
 * C_b = A_b^T B_b, W x N, with B_b len[b] x N (the reduction runs over len[b]).  len[b] <= 0
 * skips the product for NN/NT; for TN, len[b] == 0 scales C_b by beta.  Returns 0, or -1 for
 * (1,1). */
int pinn_gemm_small_batch(int ta, int tb, int nb, const int *len, int N, int W, pinn_real alpha,
                          const pinn_real *const *A, int lda, const pinn_real *const *B, int ldb, pinn_real beta,
                          pinn_real *const *C, int ldc);

/* Whether pinn_gemm should route this product to pinn_gemm_small: the shapes where the kernel
 * measured faster than OpenBLAS (bench/bench_gemm.c), and never when the environment variable
 * PINN_SMALL_GEMM is "0". */
int pinn_gemm_small_wanted(int ta, int tb, int M, int N, int K);
/* The same decision from the shapes alone (no environment). */
int pinn_gemm_small_policy(int ta, int tb, int M, int N, int K);

#endif
