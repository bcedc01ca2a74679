/* test_solve_precond.c - src/solve preconditioners and sparse solves: column scaling on a badly
 * scaled problem, block Jacobi (local QR / local SVD pseudo-inverse) and block rank-revealing QR
 * on an ELM-FBPINN-like block-sparse matrix lower the LSQR / CGLS / CG-NE iteration counts and
 * the condition number; RRQR drops duplicated columns (kept count, zeros in x); overlapping
 * blocks (additive Schwarz); caller callbacks; sparse results against the dense solvers; the
 * SuiteSparseQR path when the build has it.  Double precision in every build (src/solve does
 * not use pinn_real), so these tolerances hold unchanged in the float32 build. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "solve_util.h"

/* block b = columns b*K .. b*K+K-1 */
typedef struct blocks {
    int64_t *ptr;
    int *cols;
    pinn_col_blocks cb;
} blocks;

static void blocks_make(blocks *B, int J, int K) {
    B->ptr = malloc((size_t)(J + 1) * sizeof *B->ptr);
    B->cols = malloc((size_t)J * K * sizeof *B->cols);
    for (int j = 0; j <= J; j++) B->ptr[j] = (int64_t)j * K;
    for (int c = 0; c < J * K; c++) B->cols[c] = c;
    B->cb = (pinn_col_blocks){J, B->ptr, B->cols};
}

static void blocks_free(blocks *B) {
    free(B->ptr);
    free(B->cols);
}

/* Solve with method and (optional) preconditioner of kind at sigma; returns iterations. */
static int solve_with(const pinn_csr *A, const double *b, double *x, pinn_lsq_method meth,
                      pinn_precond_kind kind, const pinn_col_blocks *cb, double sigma, double tol,
                      pinn_lsq_info *info) {
    pinn_error err = {0};
    pinn_precond *P = NULL;
    if (kind != PINN_PRECOND_NONE) {
        pinn_precond_opts po = {kind, cb ? *cb : (pinn_col_blocks){0, NULL, NULL}, sigma};
        CHECK_OK(pinn_precond_create(&P, A, &po, &err), err);
    }
    pinn_lsq_opts o = pinn_lsq_opts_default();
    o.method = meth;
    o.precond = P;
    o.atol = o.btol = tol;
    o.max_iter = 20000;
    CHECK_OK(pinn_lsq_solve(A, b, x, &o, info, &err), err);
    pinn_precond_free(P);
    return info->iterations;
}

/* reference: the dense SVD solution and residual */
static double dense_ref(const pinn_csr *A, const double *b, double *x, double rcond) {
    pinn_error err = {0};
    pinn_lsq_opts o = pinn_lsq_opts_default();
    o.method = PINN_LSQ_SVD;
    o.rcond = rcond;
    pinn_lsq_info info;
    CHECK_OK(pinn_lsq_solve(A, b, x, &o, &info, &err), err);
    return info.residual;
}

/* Column scaling on columns scaled by 10^U(-3,3). */
static void test_colscale(void) {
    pinn_error err = {0};
    int m = 1000, J = 10, K = 4;
    double *b = malloc((size_t)m * sizeof *b);
    pinn_csr A;
    CHECK_OK(su_elm(m, J, K, 1.0, 3, &A, b, &err), err);
    int n = A.cols;
    pinn_rng rng;
    pinn_rng_seed(&rng, 99);
    double *d = malloc((size_t)n * sizeof *d), *x = malloc((size_t)n * sizeof *x);
    double *xr = malloc((size_t)n * sizeof *xr);
    for (int j = 0; j < n; j++) d[j] = pow(10.0, 6.0 * pinn_rng_uniform(&rng) - 3.0);
    for (int64_t k = 0; k < A.nnz; k++) A.values[k] *= d[A.col_idx[k]];
    CHECK_OK(pinn_csr_finish(&A, &err), err);
    double rref = dense_ref(&A, b, xr, 1e-14);
    for (int meth = PINN_LSQ_LSQR; meth <= PINN_LSQ_CGNE; meth++) {
        pinn_lsq_info i0, i1;
        int n0 = solve_with(&A, b, x, meth, PINN_PRECOND_NONE, NULL, 0, 1e-10, &i0);
        int n1 = solve_with(&A, b, x, meth, PINN_PRECOND_COLSCALE, NULL, 0, 1e-10, &i1);
        CHECK(n1 * 2 < n0, "%s: colscale %d iterations vs %d without", i0.method, n1, n0);
        CHECK_CLOSE(i1.residual, rref, 1e-6, "colscale residual = dense residual");
        CHECK(strcmp(i1.precond, "colscale") == 0 && i1.rank == n, "%s info", i1.precond);
        if (meth != PINN_LSQ_LSQR) /* CG's Lanczos estimates: the scaled operator is far better */
            CHECK(i1.cond_precond * 100 < i0.cond_precond, "cond %g -> %g", i0.cond_precond,
                  i1.cond_precond);
    }
    pinn_csr_free(&A);
    free(b);
    free(d);
    free(x);
    free(xr);
}

/* Block preconditioners on the ELM-like matrix (J = 10 subdomains, K = 6 features). */
static void test_blocks(void) {
    pinn_error err = {0};
    int m = 1000, J = 10, K = 6;
    double *b = malloc((size_t)m * sizeof *b);
    pinn_csr A;
    CHECK_OK(su_elm(m, J, K, 2.0, 5, &A, b, &err), err);
    int n = A.cols;
    double *x = malloc((size_t)n * sizeof *x), *xr = malloc((size_t)n * sizeof *xr);
    double rref = dense_ref(&A, b, xr, 1e-14);
    blocks B;
    blocks_make(&B, J, K);
    const pinn_precond_kind kinds[] = {PINN_PRECOND_BLOCK_QR, PINN_PRECOND_BLOCK_SVD,
                                       PINN_PRECOND_BLOCK_RRQR};
    for (int meth = PINN_LSQ_LSQR; meth <= PINN_LSQ_CGNE; meth++) {
        pinn_lsq_info i0, i1;
        int n0 = solve_with(&A, b, x, meth, PINN_PRECOND_NONE, NULL, 0, 1e-10, &i0);
        CHECK_CLOSE(i0.residual, rref, 1e-6, "no preconditioner: dense residual");
        for (int q = 0; q < 3; q++) {
            int n1 = solve_with(&A, b, x, meth, kinds[q], &B.cb, 1e-12, 1e-10, &i1);
            CHECK(n1 * 5 < n0, "%s %s: %d iterations vs %d without", i1.method, i1.precond, n1, n0);
            CHECK_CLOSE(i1.residual, rref, 1e-6, "block preconditioner: dense residual");
            CHECK(i1.rank == n, "%s: nothing dropped at 1e-12 (%d kept)", i1.precond, i1.rank);
            CHECK(i1.cond_precond * 50 < i0.cond_precond, "%s %s: cond %g -> %g", i1.method,
                  i1.precond, i0.cond_precond, i1.cond_precond);
        }
    }
    /* cond_iters: the unpreconditioned estimate alongside the preconditioned one */
    pinn_precond *P;
    pinn_precond_opts po = {PINN_PRECOND_BLOCK_QR, B.cb, 0.0};
    CHECK_OK(pinn_precond_create(&P, &A, &po, &err), err);
    CHECK(pinn_precond_block_cond(P) > 1e3 && pinn_precond_seconds(P) >= 0, "block cond %g",
          pinn_precond_block_cond(P));
    pinn_lsq_opts o = pinn_lsq_opts_default();
    o.method = PINN_LSQ_CGLS;
    o.precond = P;
    o.cond_iters = 300;
    pinn_lsq_info info;
    CHECK_OK(pinn_lsq_solve(&A, b, x, &o, &info, &err), err);
    CHECK(info.cond > 10 * info.cond_precond, "cond before %g, after %g", info.cond,
          info.cond_precond);
    /* overlapping blocks (additive Schwarz): subdomains j and j+1 together */
    int64_t optr[10];
    int ocols[9 * 12];
    for (int j = 0; j < J - 1; j++) {
        optr[j] = (int64_t)j * 2 * K;
        for (int c = 0; c < 2 * K; c++) ocols[j * 2 * K + c] = j * K + c;
    }
    optr[J - 1] = (int64_t)(J - 1) * 2 * K;
    pinn_col_blocks ob = {J - 1, optr, ocols};
    pinn_lsq_info i0, i1;
    int n0 = solve_with(&A, b, x, PINN_LSQ_LSQR, PINN_PRECOND_NONE, NULL, 0, 1e-10, &i0);
    int n1 = solve_with(&A, b, x, PINN_LSQ_LSQR, PINN_PRECOND_BLOCK_SVD, &ob, 1e-12, 1e-10, &i1);
    CHECK(n1 * 3 < n0, "additive Schwarz: %d iterations vs %d", n1, n0);
    CHECK_CLOSE(i1.residual, rref, 1e-6, "additive Schwarz: dense residual");
    CHECK(i1.rank > n, "overlapping blocks: reduced space %d > %d columns", i1.rank, n);
    pinn_precond_free(P);
    /* no blocks: 1 x 1 blocks, i.e. column scaling up to signs: the same Krylov iterates */
    int nq = solve_with(&A, b, x, PINN_LSQ_CGNE, PINN_PRECOND_BLOCK_QR, NULL, 0, 1e-10, &i0);
    int nc = solve_with(&A, b, x, PINN_LSQ_CGNE, PINN_PRECOND_COLSCALE, NULL, 0, 1e-10, &i1);
    CHECK(abs(nq - nc) <= nc / 10, "1 x 1 blocks %d vs colscale %d", nq, nc);
    blocks_free(&B);
    pinn_csr_free(&A);
    free(b);
    free(x);
    free(xr);
}

/* Duplicated columns: RRQR and greedy QR drop them (kept count, exact zeros), SVD cuts them. */
static void test_drop(void) {
    pinn_error err = {0};
    int m = 1000, J = 10, K = 6;
    double *b = malloc((size_t)m * sizeof *b);
    pinn_csr A0, A;
    CHECK_OK(su_elm(m, J, K, 2.0, 5, &A0, b, &err), err);
    int n = A0.cols;
    double *D = malloc((size_t)m * n * sizeof *D);
    pinn_csr_to_dense(&A0, D, n);
    for (int i = 0; i < m; i++)
        for (int j = 0; j < J; j++) D[(size_t)i * n + j * K + 5] = D[(size_t)i * n + j * K + 4];
    CHECK_OK(su_dense_to_csr(m, n, D, &A, &err), err);
    double *x = malloc((size_t)n * sizeof *x), *xr = malloc((size_t)n * sizeof *xr);
    double rref = dense_ref(&A, b, xr, 1e-10);
    blocks B;
    blocks_make(&B, J, K);
    const pinn_precond_kind kinds[] = {PINN_PRECOND_BLOCK_QR, PINN_PRECOND_BLOCK_SVD,
                                       PINN_PRECOND_BLOCK_RRQR};
    for (int q = 0; q < 3; q++) {
        pinn_lsq_info info;
        solve_with(&A, b, x, PINN_LSQ_LSQR, kinds[q], &B.cb, 1e-8, 1e-10, &info);
        CHECK(info.rank == n - J, "%s: kept %d of %d", info.precond, info.rank, n);
        CHECK_CLOSE(info.residual, rref, 1e-6, "dropped duplicates: dense residual");
        int zeros = 1;
        for (int j = 0; j < J; j++) {
            if (kinds[q] == PINN_PRECOND_BLOCK_QR) zeros &= x[j * K + 5] == 0.0; /* the later one */
            if (kinds[q] == PINN_PRECOND_BLOCK_RRQR) zeros &= x[j * K + 4] == 0.0 || x[j * K + 5] == 0.0;
            if (kinds[q] == PINN_PRECOND_BLOCK_SVD) /* a pseudo-inverse splits the pair evenly */
                zeros &= fabs(x[j * K + 4] - x[j * K + 5]) <= 1e-6 * fabs(x[j * K + 4]);
        }
        CHECK(zeros, "%s: the duplicated pairs in x", info.precond);
    }
    if (pinn_lsq_method_available(PINN_LSQ_SPQR)) {
        pinn_lsq_opts o = pinn_lsq_opts_default();
        o.method = PINN_LSQ_SPQR;
        pinn_lsq_info info;
        CHECK_OK(pinn_lsq_solve(&A, b, x, &o, &info, &err), err);
        CHECK(info.rank == n - J, "spqr rank %d", info.rank);
        CHECK_CLOSE(info.residual, rref, 1e-6, "spqr rank-deficient residual");
    }
    blocks_free(&B);
    pinn_csr_free(&A0);
    pinn_csr_free(&A);
    free(D);
    free(b);
    free(x);
    free(xr);
}

/* a custom preconditioner: column scaling through callbacks */
static void cs_apply(void *ctx, const double *y, double *x) {
    const double *s = ctx;
    for (int j = 0; j < 40; j++) x[j] = s[j] * y[j];
}

/* Sparse solutions against the dense ones on a well-conditioned ELM matrix; callbacks; errors. */
static void test_sparse_vs_dense(void) {
    pinn_error err = {0};
    int m = 800, J = 10, K = 4;
    double *b = malloc((size_t)m * sizeof *b);
    pinn_csr A;
    CHECK_OK(su_elm(m, J, K, 1.0, 8, &A, b, &err), err);
    int n = A.cols;
    double xq[40], x[40];
    pinn_lsq_opts o = pinn_lsq_opts_default();
    o.method = PINN_LSQ_QR;
    pinn_lsq_info iq, info;
    CHECK_OK(pinn_lsq_solve(&A, b, xq, &o, &iq, &err), err);
    CHECK(iq.cond > 1e3, "the test matrix is not trivial: cond %g", iq.cond);
    blocks B;
    blocks_make(&B, J, K);
    for (int meth = PINN_LSQ_LSQR; meth <= PINN_LSQ_CGNE; meth++) {
        solve_with(&A, b, x, meth, PINN_PRECOND_BLOCK_QR, &B.cb, 0, 1e-14, &info);
        CHECK(su_relerr(n, x, xq) < 1e-6, "%s vs dense QR: %g", info.method, su_relerr(n, x, xq));
        CHECK_CLOSE(info.residual, iq.residual, 1e-10, "sparse residual = dense residual");
    }
    if (pinn_lsq_method_available(PINN_LSQ_SPQR)) {
        o.method = PINN_LSQ_SPQR;
        CHECK_OK(pinn_lsq_solve(&A, b, x, &o, &info, &err), err);
        CHECK(su_relerr(n, x, xq) < 1e-8, "spqr vs dense QR: %g", su_relerr(n, x, xq));
        CHECK(info.rank == n && info.seconds >= 0, "spqr rank %d", info.rank);
    } else {
        o.method = PINN_LSQ_SPQR;
        CHECK(pinn_lsq_solve(&A, b, x, &o, &info, &err) == PINN_ERR_UNSUPPORTED, "spqr absent");
    }
    /* callbacks reproduce the built-in column scaling exactly */
    double s[40];
    pinn_csr_col_norms(&A, s);
    for (int j = 0; j < n; j++) s[j] = 1.0 / s[j];
    pinn_precond *P;
    CHECK_OK(pinn_precond_custom(&P, n, n, cs_apply, cs_apply, s, &err), err);
    o = pinn_lsq_opts_default();
    o.precond = P;
    o.max_iter = 20000;
    CHECK_OK(pinn_lsq_solve(&A, b, x, &o, &info, &err), err);
    double xc[40];
    pinn_lsq_info ic;
    solve_with(&A, b, xc, PINN_LSQ_LSQR, PINN_PRECOND_COLSCALE, NULL, 0, 1e-10, &ic);
    CHECK(info.iterations == ic.iterations && memcmp(x, xc, sizeof x) == 0,
          "custom = colscale: %d vs %d iterations", info.iterations, ic.iterations);
    CHECK(strcmp(info.precond, "custom") == 0, "custom name");
    pinn_precond_free(P);
    /* errors: an unfinished matrix, a block column out of range */
    pinn_csr U;
    CHECK_OK(pinn_csr_init(&U, 2, 2, 2, &err), err);
    pinn_precond_opts po = {PINN_PRECOND_BLOCK_QR, {0, NULL, NULL}, 0};
    CHECK(pinn_precond_create(&P, &U, &po, &err) == PINN_ERR_INVALID && P == NULL, "unfinished");
    CHECK(pinn_lsq_solve(&U, b, x, NULL, &info, &err) == PINN_ERR_INVALID, "unfinished solve");
    pinn_csr_free(&U);
    int badc[1] = {n};
    int64_t badp[2] = {0, 1};
    po.blocks = (pinn_col_blocks){1, badp, badc};
    CHECK(pinn_precond_create(&P, &A, &po, &err) == PINN_ERR_INVALID, "block column range");
    blocks_free(&B);
    pinn_csr_free(&A);
    free(b);
}

int main(void) {
    test_colscale();
    test_blocks();
    test_drop();
    test_sparse_vs_dense();
    return CHECK_DONE();
}
