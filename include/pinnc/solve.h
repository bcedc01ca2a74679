/* pinnc/solve.h - least-squares solvers for linear-in-the-coefficients models (ELM, ELM-FBPINN):
 * a CSR sparse matrix, dense least squares (Householder QR, column-pivoted QR, SVD), Krylov
 * solvers (LSQR, CGLS, CG on the normal equations) with right preconditioning x = M y,
 * preconditioners (column scaling, block Jacobi / additive Schwarz over column blocks, block
 * rank-revealing QR that drops near-dependent columns), an optional direct sparse QR
 * (SuiteSparseQR), and one diagnostics record filled by every solver.
 *
 * Everything here is plain double, independent of pinn_real: least squares is always double.
 * The methods and their equations are in docs/solvers.md. */
#ifndef PINNC_SOLVE_H
#define PINNC_SOLVE_H

#include <stdint.h>

#include "pinnc/core.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------------------------------------
 * CSR sparse matrix
 * ------------------------------------------------------------------------------------------- */

/* A rows x cols matrix in compressed sparse row form.  Row i holds the entries
 * values[row_ptr[i] .. row_ptr[i+1]-1] at columns col_idx[...], sorted by column, no duplicates.
 * Build it with pinn_csr_init + pinn_csr_append_row (sized first, allocated once) or with
 * pinn_csr_from_triplets; pinn_csr_finish then builds the transposed copy (t_*) that makes
 * y = A^T x threaded and still bit-identical for any thread count. */
typedef struct pinn_csr {
    int rows, cols;
    int64_t nnz;          /* entries stored so far */
    int64_t cap;          /* capacity of col_idx / values */
    int next_row;         /* builder: rows appended so far */
    int64_t *row_ptr;     /* rows + 1 */
    int *col_idx;         /* cap */
    double *values;       /* cap */
    /* the transpose in CSR form (= A in CSC form), built by pinn_csr_finish; NULL before */
    int64_t *t_ptr;       /* cols + 1 */
    int *t_idx;           /* nnz: row indices, increasing within each column */
    double *t_val;        /* nnz */
} pinn_csr;

/* Allocate an empty rows x cols matrix with room for nnz_cap entries; rows are then appended in
 * order with pinn_csr_append_row.  Returns PINN_ERR_INVALID for negative sizes, NOMEM. */
pinn_status pinn_csr_init(pinn_csr *A, int rows, int cols, int64_t nnz_cap, pinn_error *err);
/* Append the next row: n entries at columns cols[] (any order; duplicates are summed) with values
 * vals[].  Fails (INVALID) past the last row, on a column out of range or past the capacity. */
pinn_status pinn_csr_append_row(pinn_csr *A, int n, const int *cols, const double *vals,
                                pinn_error *err);
/* Build A (rows x cols) from nnz triplets (ri[k], ci[k], v[k]) in any order, summing duplicates;
 * A is initialised here (allocated once) and finished (transpose built). */
pinn_status pinn_csr_from_triplets(pinn_csr *A, int rows, int cols, int64_t nnz, const int *ri,
                                   const int *ci, const double *v, pinn_error *err);
/* Close the builder: rows not appended become empty rows; builds the transposed copy.  Call once
 * when assembly is done; solvers accept an unfinished matrix too (A^T x then runs serially). */
pinn_status pinn_csr_finish(pinn_csr *A, pinn_error *err);
/* Free everything A owns and zero it (A itself is the caller's). */
void pinn_csr_free(pinn_csr *A);

/* y = A x (y has rows entries).  Threaded over rows; deterministic. */
void pinn_csr_matvec(const pinn_csr *A, const double *x, double *y);
/* y = A^T x (y has cols entries).  Threaded over columns when the transpose exists; the sums run
 * in increasing row order either way, so the result does not depend on the thread count. */
void pinn_csr_matvec_t(const pinn_csr *A, const double *x, double *y);
/* norms[j] = 2-norm of column j (cols entries). */
void pinn_csr_col_norms(const pinn_csr *A, double *norms);
/* Write A into dense row-major D (rows x ld, ld >= cols), zeros elsewhere. */
void pinn_csr_to_dense(const pinn_csr *A, double *D, int ld);

/* ---------------------------------------------------------------------------------------------
 * methods, stopping reasons, diagnostics
 * ------------------------------------------------------------------------------------------- */

typedef enum pinn_lsq_method {
    PINN_LSQ_QR = 0,  /* dense Householder QR (LAPACK dgels; built-in Householder without it) */
    PINN_LSQ_QRP,     /* dense column-pivoted QR with rank tolerance (dgelsy; built-in) */
    PINN_LSQ_SVD,     /* dense SVD with relative cut-off (dgelsd; built-in one-sided Jacobi) */
    PINN_LSQ_LSQR,    /* LSQR (Paige & Saunders 1982) */
    PINN_LSQ_CGLS,    /* CGLS: CG on the normal equations in residual form */
    PINN_LSQ_CGNE,    /* CG on A^T A x = A^T b, operator form */
    PINN_LSQ_SPQR,    /* direct sparse QR (SuiteSparseQR; UNSUPPORTED without it) */
    PINN_LSQ_METHOD_COUNT
} pinn_lsq_method;

/* "qr", "qrp", "svd", "lsqr", "cgls", "cgne", "spqr"; "unknown" out of range. */
const char *pinn_lsq_method_to_string(pinn_lsq_method m);
/* Parse one of the names above; INVALID (with the list in err) otherwise. */
pinn_status pinn_lsq_method_from_string(const char *s, pinn_lsq_method *m, pinn_error *err);
/* 1 if this build supports method m (SPQR needs SuiteSparse), else 0. */
int pinn_lsq_method_available(pinn_lsq_method m);

/* Why an iterative solver stopped. */
typedef enum pinn_lsq_stop {
    PINN_LSQ_STOP_DIRECT = 0,   /* a direct method: no iterations */
    PINN_LSQ_STOP_ZERO_RHS,     /* A^T b = 0: x = 0 is a solution */
    PINN_LSQ_STOP_RESIDUAL,     /* ||r|| <= btol ||b|| + atol ||A M|| ||y||: consistent system */
    PINN_LSQ_STOP_NORMAL,       /* ||(A M)^T r|| <= atol ||A M|| ||r||: least-squares solution */
    PINN_LSQ_STOP_CONLIM,       /* condition estimate exceeded conlim */
    PINN_LSQ_STOP_MAX_ITER,     /* iteration limit reached */
    PINN_LSQ_STOP_BREAKDOWN,    /* a zero curvature / division by zero (rank-deficient A M) */
    PINN_LSQ_STOP_STAGNATION,   /* CG: ||(A M)^T r|| fell to 1e-10 of its start and then grew
                                 * 1e3-fold (rounding level; the best iterate is returned) */
    PINN_LSQ_STOP_COUNT
} pinn_lsq_stop;

const char *pinn_lsq_stop_to_string(pinn_lsq_stop s);

/* Diagnostics, filled by every solver (NaN where a quantity is not available). */
typedef struct pinn_lsq_info {
    const char *method;      /* static name of the method */
    const char *precond;     /* static name of the preconditioner ("none") */
    int rows, cols;
    int iterations;          /* Krylov iterations; 0 for direct methods */
    int rank;                /* numerical rank (QRP, SVD, SPQR), columns kept by the
                              * preconditioner (iterative), cols otherwise */
    pinn_lsq_stop stop;
    double residual;         /* ||A x - b||, recomputed from x at the end */
    double normal_residual;  /* ||A^T (A x - b)||, recomputed */
    double rhs_norm;         /* ||b|| */
    double sigma_max;        /* largest singular value of A (SVD), else NaN */
    double sigma_min;        /* smallest singular value of A (SVD), else NaN */
    double cond;             /* condition of A: SVD exact; QR/QRP 1-norm estimate of R (LAPACK
                              * dtrcon); iterative: the Krylov estimate when no preconditioner is
                              * used, else NaN unless opts.cond_iters > 0 */
    double cond_precond;     /* condition of what was actually solved: A M for preconditioned
                              * Krylov solves (LSQR recurrence / CG Lanczos estimate), the kept
                              * rank-r part for truncated SVD / pivoted QR */
    double norm_estimate;    /* ||A M|| estimate of the Krylov solver, else NaN */
    double seconds;          /* wall time of the solve (clock_gettime, monotonic) */
    double precond_seconds;  /* wall time spent building the preconditioner, if built here */
} pinn_lsq_info;

/* ---------------------------------------------------------------------------------------------
 * preconditioners: right preconditioning, x = M y with M of size cols x dim
 * ------------------------------------------------------------------------------------------- */

typedef enum pinn_precond_kind {
    PINN_PRECOND_NONE = 0,     /* M = I */
    PINN_PRECOND_COLSCALE,     /* M = diag(1 / ||a_j||) (zero columns: 1) */
    PINN_PRECOND_BLOCK_QR,     /* per column block: local Householder QR A_j = Q R, M_j = R^-1
                                * (block Jacobi / additive Schwarz with local QR of the block's
                                * rows); a pivot below sigma * max pivot drops its column */
    PINN_PRECOND_BLOCK_SVD,    /* per block: local normal-matrix pseudo-inverse from the SVD
                                * A_j = U S V^T, M_j = V_k S_k^-1 (M_j M_j^T = (A_j^T A_j)^+),
                                * singular values below sigma * s_max cut off */
    PINN_PRECOND_BLOCK_RRQR,   /* per block: column-pivoted (rank-revealing) QR A_j P = Q R,
                                * keeps the k pivots with |R_kk| > sigma |R_11|, M_j = P_k R_11^-1;
                                * dropped columns stay 0 in x */
    PINN_PRECOND_CUSTOM,       /* caller's callbacks (pinn_precond_custom) */
    PINN_PRECOND_KIND_COUNT
} pinn_precond_kind;

/* "none", "colscale", "block_qr", "block_svd", "block_rrqr", "custom". */
const char *pinn_precond_kind_to_string(pinn_precond_kind k);
pinn_status pinn_precond_kind_from_string(const char *s, pinn_precond_kind *k, pinn_error *err);

/* Column blocks: block b holds the columns cols[ptr[b] .. ptr[b+1]-1] of A (e.g. the basis
 * coefficients of subdomain b).  Blocks may overlap (additive Schwarz: x = sum_b R_b^T M_b y_b);
 * columns in no block get column scaling as 1 x 1 blocks. */
typedef struct pinn_col_blocks {
    int count;
    const int64_t *ptr;   /* count + 1 offsets into cols */
    const int *cols;
} pinn_col_blocks;

typedef struct pinn_precond_opts {
    pinn_precond_kind kind;
    pinn_col_blocks blocks;  /* for the block kinds; count = 0: one block per column */
    double sigma;            /* relative drop tolerance of the block kinds (<= 0: 1e-8; much
                              * below 1e-10 the explicit local inverses lose the accuracy that
                              * A M y needs, see docs/solvers.md) */
} pinn_precond_opts;

typedef struct pinn_precond pinn_precond;   /* opaque */

/* Build preconditioner *P for A by opts (A should be finished: the block kinds read columns).
 * Owns *P; free with pinn_precond_free. */
pinn_status pinn_precond_create(pinn_precond **P, const pinn_csr *A, const pinn_precond_opts *opts,
                                pinn_error *err);
/* A preconditioner from callbacks: apply computes x = M y (y: dim, x: n), apply_t computes
 * y = M^T x.  ctx is passed through and stays the caller's. */
pinn_status pinn_precond_custom(pinn_precond **P, int n, int dim,
                                void (*apply)(void *ctx, const double *y, double *x),
                                void (*apply_t)(void *ctx, const double *x, double *y), void *ctx,
                                pinn_error *err);
void pinn_precond_free(pinn_precond *P);
/* x = M y (x: cols of A, y: pinn_precond_dim entries). */
void pinn_precond_apply(const pinn_precond *P, const double *y, double *x);
/* y = M^T x. */
void pinn_precond_apply_t(const pinn_precond *P, const double *x, double *y);
/* dimension of the reduced space (columns kept); cols of A when nothing is dropped. */
int pinn_precond_dim(const pinn_precond *P);
pinn_precond_kind pinn_precond_kind_of(const pinn_precond *P);
/* Largest condition number among the local blocks A_j before preconditioning (from the local
 * factorisation: |R_11/R_kk| or s_max/s_min over the kept part), NaN for non-block kinds. */
double pinn_precond_block_cond(const pinn_precond *P);
/* seconds spent in pinn_precond_create */
double pinn_precond_seconds(const pinn_precond *P);

/* ---------------------------------------------------------------------------------------------
 * solvers
 * ------------------------------------------------------------------------------------------- */

typedef struct pinn_lsq_opts {
    pinn_lsq_method method;
    double atol;        /* normal-residual tolerance (<= 0: 1e-10), see pinn_lsq_stop */
    double btol;        /* relative-residual tolerance (<= 0: 1e-10) */
    double conlim;      /* stop when the condition estimate exceeds it (<= 0: 1e16; LSQR only) */
    int max_iter;       /* Krylov iteration limit (<= 0: 4 * dim + 100) */
    double rcond;       /* rank cut-off of QRP / SVD relative to the largest (<= 0: 1e-13) */
    double spqr_tol;    /* SuiteSparseQR column tolerance (< 0: its default) */
    int cond_iters;     /* > 0: also estimate cond(A) without preconditioner by this many
                         * Golub-Kahan steps (preconditioned Krylov solves only) */
    const pinn_precond *precond;  /* right preconditioner for LSQR / CGLS / CGNE, or NULL */
} pinn_lsq_opts;

/* Defaults: LSQR, no preconditioner, the tolerances above. */
pinn_lsq_opts pinn_lsq_opts_default(void);

/* Solve min ||A x - b|| for x (cols entries) with opts->method; A is rows x cols, b has rows
 * entries.  Dense methods (QR, QRP, SVD) copy A into a dense rows x cols array (NOMEM when that
 * does not fit).  info (may be NULL) gets the diagnostics.  Returns NUMERIC on a numerical failure, UNSUPPORTED for SPQR without
 * SuiteSparse. */
pinn_status pinn_lsq_solve(const pinn_csr *A, const double *b, double *x, const pinn_lsq_opts *opts,
                           pinn_lsq_info *info, pinn_error *err);

/* Dense least squares on row-major A (m x n, leading dimension lda >= n; not modified):
 * method QR, QRP or SVD (others: INVALID).  rcond from opts (NULL: defaults). */
pinn_status pinn_lsq_dense(int m, int n, const double *A, int lda, const double *b, double *x,
                           const pinn_lsq_opts *opts, pinn_lsq_info *info, pinn_error *err);

/* Estimate cond(A M) (P may be NULL) from iters steps of Golub-Kahan bidiagonalisation started
 * from a fixed pseudo-random vector: extreme Ritz values of the Lanczos tridiagonal.  The
 * estimate of sigma_max converges fast; sigma_min is over-estimated, so cond is a lower bound. */
pinn_status pinn_lsq_cond_estimate(const pinn_csr *A, const pinn_precond *P, int iters,
                                   double *cond, double *sigma_max, double *sigma_min,
                                   pinn_error *err);

/* ---------------------------------------------------------------------------------------------
 * distributed least squares: a solver outside the library (the pinnc command's PETSc one,
 * src/cli/petsc.c) that every rank calls collectively with its own block of rows
 * ------------------------------------------------------------------------------------------- */

/* The problem min |A x - b|^2 + damping |D x|^2 (D: the column norms of A over all ranks) with
 * A split by rows: this rank holds rows [row0, row0 + A->rows) of the global matrix, all of its
 * columns.  The global row order is rank 0's block, then rank 1's, and so on. */
typedef struct pinn_dist_lsq {
    const pinn_csr *A;       /* this rank's rows (finished), A->cols = the global column count */
    const double *b;         /* this rank's right-hand side (A->rows entries) */
    double damping;          /* > 0: Levenberg-Marquardt rows sqrt(damping) D_j appended */
    pinn_lsq_method method;  /* PINN_LSQ_LSQR or PINN_LSQ_CGLS (CG on the normal equations) */
    pinn_precond_kind precond; /* NONE, COLSCALE or BLOCK_QR (block Jacobi over blocks) */
    pinn_col_blocks blocks;  /* column blocks (contiguous ranges) for BLOCK_QR */
    double sigma;            /* drop tolerance of the local block factors */
    double atol, btol, conlim;
    int max_iter;            /* <= 0: 4 cols + 100 */
    /* out: over all ranks */
    long global_rows, global_nnz;
    double precond_seconds;  /* wall time of the preconditioner set-up */
} pinn_dist_lsq;

/* A distributed solver: called on every rank with that rank's rows; x (A->cols entries) gets the
 * solution on every rank (identical everywhere), info the diagnostics (residual, rhs_norm over
 * all rows; method and precond static names). */
typedef pinn_status (*pinn_dist_lsq_fn)(void *user, pinn_dist_lsq *p, double *x, pinn_lsq_info *info,
                                        pinn_error *err);

/* What the build has: "LAPACKE" / "built-in" and SuiteSparseQR yes/no, for summaries. */
const char *pinn_lsq_backend(void);

#ifdef __cplusplus
}
#endif
#endif
