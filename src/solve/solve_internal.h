/* solve_internal.h - shared pieces of src/solve: the monotonic clock, deterministic vector
 * kernels (fixed chunking, so sums do not depend on the thread count), the built-in dense
 * factorisations (Householder QR with optional column pivoting, one-sided Jacobi SVD, triangular
 * helpers; column-major, used by the block preconditioners and by the no-LAPACKE fallback) and
 * the Krylov entry points called by the dispatcher. */
#ifndef PINN_SOLVE_INTERNAL_H
#define PINN_SOLVE_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "pinnc/solve.h"

/* seconds on the monotonic clock */
double sv_now(void);

/* ---- vectors (double, length n); threaded above a size threshold, bit-identical for any thread
 * count: reductions use a fixed number of chunks summed in order ---- */
double sv_dot(int64_t n, const double *x, const double *y);
double sv_nrm2(int64_t n, const double *x);
void sv_scal(int64_t n, double a, double *x);                          /* x *= a */
void sv_axpy(int64_t n, double a, const double *x, double *y);         /* y += a x */
void sv_xpby(int64_t n, const double *x, double b, double *y);         /* y = x + b y */
void sv_copy(int64_t n, const double *x, double *y);
void sv_zero(int64_t n, double *x);

/* ---- built-in dense kernels, column-major ---- */

/* Householder QR of the m x n matrix A (leading dimension lda), in place: R in the upper
 * triangle/trapezoid, reflector vectors below it (implicit unit leading entry), tau[min(m,n)].
 * piv == NULL: no pivoting.  Otherwise column pivoting by largest remaining norm, piv[k] = the
 * original column now at position k.  work: 2n doubles (pivoting only; may be NULL without). */
void sv_hqr(int m, int n, double *A, int lda, double *tau, int *piv, double *work);
/* Householder QR that takes the columns in their order and drops each column whose part
 * orthogonal to the columns kept before it has norm <= sigma times its own norm (or that finds
 * no row left).  Kept columns move to positions 0..k-1 with keep[q] = original index; the k x k
 * upper triangle is the R factor of exactly those columns.  work: n doubles.  Returns k. */
int sv_hqr_greedy(int m, int n, double *A, int lda, double *tau, double sigma, int *keep,
                  double *work);
/* b (m entries) <- Q^T b for the first k reflectors of sv_hqr. */
void sv_hqr_qtb(int m, int k, const double *A, int lda, const double *tau, double *b);
/* Solve R x = b in place for the leading k x k upper triangle of R (leading dimension ldr). */
void sv_trsv_upper(int k, const double *R, int ldr, double *b);
/* Solve R^T x = b in place. */
void sv_trsv_upper_t(int k, const double *R, int ldr, double *b);
/* Invert the leading k x k upper triangle of R in place (strictly lower part untouched).
 * Returns 0, or -1 if a diagonal entry is zero. */
int sv_tri_inv_upper(int k, double *R, int ldr);
/* 1-norm condition estimate ||R||_1 ||R^-1||_1 of the k x k upper triangle (Hager's method);
 * work: 2k doubles.  Inf for a zero diagonal. */
double sv_tri_cond1(int k, const double *R, int ldr, double *work);
/* One-sided Jacobi SVD of the r x n matrix G (leading dimension ldg): on return the columns of G
 * are U_j s_j, V (n x n, leading dimension ldv) the right singular vectors and s[n] the singular
 * values, sorted decreasing (columns of G and V permuted along).  work: n doubles.
 * Returns the number of sweeps, or -1 without convergence in 60 sweeps. */
int sv_jacobi_svd(int r, int n, double *G, int ldg, double *V, int ldv, double *s, double *work);

/* ---- Krylov solvers on K = A M (M = P, or the identity when P is NULL), in y-space ---- */
typedef struct sv_krylov_out {
    int iterations;
    pinn_lsq_stop stop;
    double norm_est;   /* ||K|| estimate */
    double cond_est;   /* cond(K) estimate */
} sv_krylov_out;

pinn_status sv_lsqr(const pinn_csr *A, const pinn_precond *P, const double *b, double *x,
                    const pinn_lsq_opts *o, sv_krylov_out *out, pinn_error *err);
/* normal_form = 0: CGLS; 1: CG on the normal equations (residual of K^T K y = K^T b by
 * recurrence).  fixed_iters > 0: run exactly that many steps, no stopping tests (the condition
 * estimator). */
pinn_status sv_cg(const pinn_csr *A, const pinn_precond *P, const double *b, double *x,
                  const pinn_lsq_opts *o, int normal_form, int fixed_iters, sv_krylov_out *out,
                  pinn_error *err);

/* the built-in dense solver (dense.c), reachable in LAPACKE builds too (tests) */
pinn_status sv_dense_builtin(int m, int n, const double *A, int lda, const double *b, double *x,
                             const pinn_lsq_opts *opts, pinn_lsq_info *info, pinn_error *err);

/* info with every number NaN, counts zero, the given method name, precond "none" */
void sv_info_init(pinn_lsq_info *info, const char *method, int rows, int cols);
/* info->residual, normal_residual, rhs_norm from x; work: rows + cols doubles */
void sv_info_residuals(const pinn_csr *A, const double *b, const double *x, double *work,
                       pinn_lsq_info *info);

/* direct sparse QR through SuiteSparseQR (spqr.c); UNSUPPORTED without it */
pinn_status sv_spqr(const pinn_csr *A, const double *b, double *x, double tol, int *rank,
                    pinn_error *err);

#endif
