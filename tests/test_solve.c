/* test_solve.c - src/solve: the CSR matrix (builders, products against dense, determinism
 * across thread counts), dense least squares (QR, pivoted QR, SVD; LAPACK and the built-in
 * fallback) and the Krylov solvers (LSQR, CGLS, CG-NE) on matrices A = U S V^T with known
 * singular values: consistent, inconsistent and rank-deficient systems, condition estimates.
 * The solvers are double precision in every build (pinn_real does not enter), so the tolerances
 * below are plain double ones and hold unchanged in the float32 build. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "solve/solve_internal.h"
#include "solve_util.h"

/* CSR builders, products, column norms, error paths */
static void test_csr(void) {
    pinn_error err = {0};
    /* 3 x 4 with duplicates and unsorted triplets */
    int ri[] = {2, 0, 1, 0, 2, 0, 2};
    int ci[] = {3, 1, 0, 1, 0, 3, 3};
    double v[] = {1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0};
    double D[12] = {0, 6, 0, 6, 3, 0, 0, 0, 5, 0, 0, 8}; /* (0,1)=2+4, (2,3)=1+7 */
    pinn_csr A;
    CHECK_OK(pinn_csr_from_triplets(&A, 3, 4, 7, ri, ci, v, &err), err);
    CHECK(A.nnz == 5, "merged duplicates: %lld entries", (long long)A.nnz);
    double Dd[12];
    pinn_csr_to_dense(&A, Dd, 4);
    int same = 1;
    for (int i = 0; i < 12; i++) same &= Dd[i] == D[i];
    CHECK(same, "triplets -> dense");
    /* row appends, unsorted with a duplicate */
    pinn_csr B;
    CHECK_OK(pinn_csr_init(&B, 3, 4, 6, &err), err);
    int c0[] = {3, 1, 1}, c1[] = {0}, c2[] = {3, 0};
    double v0[] = {6, 2, 4}, v1[] = {3}, v2[] = {8, 5};
    CHECK_OK(pinn_csr_append_row(&B, 3, c0, v0, &err), err);
    CHECK_OK(pinn_csr_append_row(&B, 1, c1, v1, &err), err);
    CHECK_OK(pinn_csr_append_row(&B, 2, c2, v2, &err), err);
    CHECK(pinn_csr_append_row(&B, 1, c1, v1, &err) == PINN_ERR_INVALID, "append past the end");
    CHECK_OK(pinn_csr_finish(&B, &err), err);
    pinn_csr_to_dense(&B, Dd, 4);
    same = 1;
    for (int i = 0; i < 12; i++) same &= Dd[i] == D[i];
    CHECK(same, "appends -> dense");
    pinn_csr C;
    CHECK_OK(pinn_csr_init(&C, 2, 2, 1, &err), err);
    int bad[] = {2}, two[] = {0, 1};
    double one[] = {1.0, 1.0};
    CHECK(pinn_csr_append_row(&C, 1, bad, one, &err) == PINN_ERR_INVALID, "column out of range");
    CHECK(pinn_csr_append_row(&C, 2, two, one, &err) == PINN_ERR_INVALID, "capacity");
    pinn_csr_free(&C);
    /* products and column norms against dense */
    double x4[4] = {1, -2, 0.5, 3}, x3[3] = {0.25, -1, 2}, y[4], yr[4];
    pinn_csr_matvec(&A, x4, y);
    for (int i = 0; i < 3; i++) {
        double s = 0;
        for (int j = 0; j < 4; j++) s += D[i * 4 + j] * x4[j];
        CHECK_CLOSE(y[i], s, 1e-15, "A x");
    }
    pinn_csr_matvec_t(&A, x3, y);
    pinn_csr_col_norms(&A, yr);
    for (int j = 0; j < 4; j++) {
        double s = 0, q = 0;
        for (int i = 0; i < 3; i++) {
            s += D[i * 4 + j] * x3[i];
            q += D[i * 4 + j] * D[i * 4 + j];
        }
        CHECK_CLOSE(y[j], s, 1e-15, "A^T x");
        CHECK_CLOSE(yr[j], sqrt(q), 1e-15, "column norm");
    }
    pinn_csr_free(&A);
    pinn_csr_free(&B);
}

/* A^T x through the transpose equals the serial scatter bit for bit, and products, dot products
 * and a whole LSQR solve do not change with the thread count. */
static void test_determinism(void) {
    pinn_error err = {0};
    pinn_csr A;
    int m = 6000, J = 50, K = 12;
    double *b = malloc((size_t)m * sizeof *b);
    CHECK_OK(su_elm(m, J, K, 3.0, 7, &A, b, &err), err);
    int n = A.cols;
    double *y1 = malloc((size_t)n * sizeof *y1), *y2 = malloc((size_t)n * sizeof *y2);
    double *x1 = malloc((size_t)n * sizeof *x1), *x2 = malloc((size_t)n * sizeof *x2);
    pinn_csr S = A; /* a view without the transpose: serial scatter */
    S.t_ptr = NULL;
    S.t_idx = NULL;
    S.t_val = NULL;
    int nt0 = pinn_threads_get();
    pinn_threads_set(2);
    pinn_csr_matvec_t(&A, b, y1);
    pinn_csr_matvec_t(&S, b, y2);
    CHECK(memcmp(y1, y2, (size_t)n * sizeof *y1) == 0, "A^T x: transpose == scatter");
    double d2 = sv_dot(m, b, b);
    pinn_lsq_opts o = pinn_lsq_opts_default();
    o.max_iter = 200;
    pinn_lsq_info info;
    CHECK_OK(pinn_lsq_solve(&A, b, x2, &o, &info, &err), err);
    pinn_threads_set(1);
    pinn_csr_matvec_t(&A, b, y2);
    CHECK(memcmp(y1, y2, (size_t)n * sizeof *y1) == 0, "A^T x: 1 thread == 2 threads");
    CHECK(sv_dot(m, b, b) == d2, "dot: 1 thread == 2 threads");
    CHECK_OK(pinn_lsq_solve(&A, b, x1, &o, &info, &err), err);
    CHECK(memcmp(x1, x2, (size_t)n * sizeof *x1) == 0, "LSQR: 1 thread == 2 threads");
    pinn_threads_set(nt0);
    pinn_csr_free(&A);
    free(b);
    free(y1);
    free(y2);
    free(x1);
    free(x2);
}

/* A test problem: A = U S V^T (m x n), x_true, b = A x_true + r_perp with r_perp orthogonal to
 * range(A) scaled to norm rnorm (0: consistent). */
typedef struct prob {
    int m, n;
    double *A, *U, *V, *x, *b, *sig;
    double rnorm;
} prob;

static void prob_make(prob *p, int m, int n, const double *sig, double rnorm, uint64_t seed) {
    p->m = m;
    p->n = n;
    p->A = malloc((size_t)m * n * sizeof *p->A);
    p->U = malloc((size_t)m * n * sizeof *p->U);
    p->V = malloc((size_t)n * n * sizeof *p->V);
    p->x = malloc((size_t)n * sizeof *p->x);
    p->b = malloc((size_t)m * sizeof *p->b);
    p->sig = malloc((size_t)n * sizeof *p->sig);
    memcpy(p->sig, sig, (size_t)n * sizeof *sig);
    su_usv(m, n, sig, p->A, p->U, p->V, seed);
    pinn_rng rng;
    pinn_rng_seed(&rng, seed + 1);
    for (int j = 0; j < n; j++) p->x[j] = pinn_rng_normal(&rng);
    double *r = malloc((size_t)m * sizeof *r);
    for (int i = 0; i < m; i++) r[i] = pinn_rng_normal(&rng);
    for (int k = 0; k < n; k++) { /* project out range(U), twice */
        for (int pass = 0; pass < 2; pass++) {
            double d = 0;
            for (int i = 0; i < m; i++) d += p->U[(size_t)i * n + k] * r[i];
            for (int i = 0; i < m; i++) r[i] -= d * p->U[(size_t)i * n + k];
        }
    }
    double rn = 0;
    for (int i = 0; i < m; i++) rn += r[i] * r[i];
    rn = sqrt(rn);
    p->rnorm = rnorm;
    for (int i = 0; i < m; i++) {
        double s = 0;
        for (int j = 0; j < n; j++) s += p->A[(size_t)i * n + j] * p->x[j];
        p->b[i] = s + (rnorm > 0 ? rnorm * r[i] / rn : 0.0);
    }
    free(r);
}

static void prob_free(prob *p) {
    free(p->A);
    free(p->U);
    free(p->V);
    free(p->x);
    free(p->b);
    free(p->sig);
}

/* x_true projected onto the first k right singular vectors: the minimum-norm solution of the
 * rank-k problem */
static void prob_minnorm(const prob *p, int k, double *xm) {
    int n = p->n;
    for (int i = 0; i < n; i++) xm[i] = 0;
    for (int q = 0; q < k; q++) {
        double d = 0;
        for (int j = 0; j < n; j++) d += p->V[(size_t)j * n + q] * p->x[j];
        for (int j = 0; j < n; j++) xm[j] += d * p->V[(size_t)j * n + q];
    }
}

typedef pinn_status (*dense_fn)(int, int, const double *, int, const double *, double *,
                                const pinn_lsq_opts *, pinn_lsq_info *, pinn_error *);

/* QR, QRP, SVD through fn (LAPACK front door or the built-in path). */
static void test_dense_with(dense_fn fn, const char *tag, int builtin) {
    pinn_error err = {0};
    int m = 60, n = 20;
    double sig[20], x[20], xm[20];
    for (int k = 0; k < n; k++) sig[k] = pow(10.0, -6.0 * k / (n - 1)); /* cond 1e6 */
    char what[96];
    for (int inconsistent = 0; inconsistent <= 1; inconsistent++) {
        prob p;
        prob_make(&p, m, n, sig, inconsistent ? 0.3 : 0.0, 11 + inconsistent);
        for (int meth = PINN_LSQ_QR; meth <= PINN_LSQ_SVD; meth++) {
            pinn_lsq_opts o = pinn_lsq_opts_default();
            o.method = (pinn_lsq_method)meth;
            o.rcond = 1e-10;
            pinn_lsq_info info;
            snprintf(what, sizeof what, "%s %s %s", tag, pinn_lsq_method_to_string(o.method),
                     inconsistent ? "inconsistent" : "consistent");
            CHECK_OK(fn(m, n, p.A, n, p.b, x, &o, &info, &err), err);
            /* forward error bound: cond eps (consistent), + cond^2 eps ||r|| / (||A|| ||x||) */
            double tol = inconsistent ? 1e-5 : 1e-8;
            CHECK(su_relerr(n, x, p.x) < tol, "%s: error %g", what, su_relerr(n, x, p.x));
            CHECK(info.rank == n, "%s: rank %d", what, info.rank);
            CHECK_CLOSE(info.residual, p.rnorm, 1e-10, what);
            CHECK(info.normal_residual < 1e-12, "%s: normal residual %g", what, info.normal_residual);
            CHECK(info.stop == PINN_LSQ_STOP_DIRECT && info.seconds >= 0, "%s: info", what);
            if (meth == PINN_LSQ_SVD) {
                CHECK_CLOSE(info.cond, 1e6, 1e-6, what);
                CHECK_CLOSE(info.sigma_max, 1.0, 1e-12, what);
            } else { /* a 1-norm estimate: within a factor n of the 2-norm condition */
                CHECK(info.cond > 1e6 / n && info.cond < 1e6 * n, "%s: cond %g", what, info.cond);
            }
        }
        prob_free(&p);
    }
    /* rank-deficient: 5 zero singular values, consistent; the minimum-norm solution is x_true
     * projected onto the first 15 right singular vectors */
    for (int k = 15; k < n; k++) sig[k] = 0.0;
    prob p;
    prob_make(&p, m, n, sig, 0.0, 21);
    prob_minnorm(&p, 15, xm);
    for (int meth = PINN_LSQ_QRP; meth <= PINN_LSQ_SVD; meth++) {
        pinn_lsq_opts o = pinn_lsq_opts_default();
        o.method = (pinn_lsq_method)meth;
        o.rcond = 1e-10;
        pinn_lsq_info info;
        snprintf(what, sizeof what, "%s %s rank-deficient", tag, pinn_lsq_method_to_string(o.method));
        CHECK_OK(fn(m, n, p.A, n, p.b, x, &o, &info, &err), err);
        CHECK(info.rank == 15, "%s: rank %d", what, info.rank);
        CHECK(info.residual < 1e-10, "%s: residual %g", what, info.residual);
        /* the built-in pivoted QR returns a basic solution (dropped pivots 0), not the min-norm */
        if (!(builtin && meth == PINN_LSQ_QRP))
            CHECK(su_relerr(n, x, xm) < 1e-8, "%s: min-norm error %g", what, su_relerr(n, x, xm));
        if (meth == PINN_LSQ_SVD)
            CHECK_CLOSE(info.cond_precond, pow(10.0, 6.0 * 14.0 / 19.0), 1e-6,
                        what);
    }
    prob_free(&p);
}

static void test_dense(void) {
    /* without LAPACKE the front door runs the built-in kernels too */
    test_dense_with(pinn_lsq_dense, "dense", strncmp(pinn_lsq_backend(), "dense: built-in", 15) == 0);
    test_dense_with(sv_dense_builtin, "built-in", 1);
    /* built-in kernels on their own: a pivoted QR of a matrix with a duplicated column */
    double A[4 * 3] = {1, 2, 1, 3, 0, 3, 1, 1, 1, 2, 1, 3}; /* column-major 4 x 3, col2 == col0 */
    double tau[3], work[6];
    int piv[3];
    sv_hqr(4, 3, A, 4, tau, piv, work);
    CHECK(fabs(A[2 + 2 * 4]) < 1e-14 * fabs(A[0]), "pivoted QR: last pivot %g", A[2 + 2 * 4]);
    /* triangular inverse */
    double R[9] = {2, 0, 0, 1, 3, 0, -1, 4, 5}, Ri[9];
    memcpy(Ri, R, sizeof R);
    CHECK(sv_tri_inv_upper(3, Ri, 3) == 0, "tri inverse");
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++) {
            double s = 0;
            for (int k = i; k <= j; k++) s += Ri[i + k * 3] * R[k + j * 3];
            CHECK_CLOSE(s, i == j ? 1.0 : 0.0, 1e-15, "R^-1 R = I");
        }
}

/* LSQR, CGLS, CGNE against known solutions and condition numbers */
static void test_krylov(void) {
    pinn_error err = {0};
    int m = 80, n = 30;
    double sig[30], x[30];
    for (int k = 0; k < n; k++) sig[k] = pow(10.0, -3.0 * k / (n - 1)); /* cond 1e3 */
    char what[96];
    for (int inconsistent = 0; inconsistent <= 1; inconsistent++) {
        prob p;
        prob_make(&p, m, n, sig, inconsistent ? 0.5 : 0.0, 31 + inconsistent);
        pinn_csr A;
        CHECK_OK(su_dense_to_csr(m, n, p.A, &A, &err), err);
        for (int meth = PINN_LSQ_LSQR; meth <= PINN_LSQ_CGNE; meth++) {
            pinn_lsq_opts o = pinn_lsq_opts_default();
            o.method = (pinn_lsq_method)meth;
            o.atol = o.btol = 1e-12;
            pinn_lsq_info info;
            snprintf(what, sizeof what, "%s %s", pinn_lsq_method_to_string(o.method),
                     inconsistent ? "inconsistent" : "consistent");
            CHECK_OK(pinn_lsq_solve(&A, p.b, x, &o, &info, &err), err);
            CHECK(su_relerr(n, x, p.x) < 1e-7, "%s: error %g after %d its (%s)", what,
                  su_relerr(n, x, p.x), info.iterations, pinn_lsq_stop_to_string(info.stop));
            CHECK_CLOSE(info.residual, p.rnorm, 1e-8, what);
            CHECK(info.iterations > 0 && info.iterations < 400, "%s: %d iterations", what,
                  info.iterations);
            CHECK(info.stop == PINN_LSQ_STOP_RESIDUAL || info.stop == PINN_LSQ_STOP_NORMAL,
                  "%s: stop %s", what, pinn_lsq_stop_to_string(info.stop));
            /* LSQR's Frobenius-based estimate can exceed cond by up to sqrt(n); CG's Ritz values
             * converge to the extreme singular values */
            double lo = meth == PINN_LSQ_LSQR ? 0.3e3 : 0.7e3;
            double hi = meth == PINN_LSQ_LSQR ? 1e3 * 2 * sqrt(n) : 1.01e3;
            CHECK(info.cond > lo && info.cond < hi, "%s: cond estimate %g", what, info.cond);
            CHECK(info.cond == info.cond_precond, "%s: no preconditioner: one estimate", what);
            CHECK(strcmp(info.method, pinn_lsq_method_to_string(o.method)) == 0 &&
                      strcmp(info.precond, "none") == 0,
                  "%s: names", what);
        }
        if (!inconsistent) {
            /* a lower bound that tightens with the steps (the small singular values, log-spaced,
             * are clustered: the smallest Ritz value converges slowly) */
            double c, c20, smax, smin;
            CHECK_OK(pinn_lsq_cond_estimate(&A, NULL, 20, &c20, NULL, NULL, &err), err);
            CHECK_OK(pinn_lsq_cond_estimate(&A, NULL, 4 * n, &c, &smax, &smin, &err), err);
            CHECK(c > 0.5e3 && c < 1.01e3 && c > c20, "cond estimate %g (20 steps: %g)", c, c20);
            CHECK(smin > 0.99e-3 && smin < 2e-3, "sigma_min estimate %g", smin);
            CHECK_CLOSE(smax, 1.0, 1e-6, "sigma_max estimate");
            /* iteration limit: a stop reason, and an honest residual */
            pinn_lsq_opts o = pinn_lsq_opts_default();
            o.max_iter = 3;
            pinn_lsq_info info;
            CHECK_OK(pinn_lsq_solve(&A, p.b, x, &o, &info, &err), err);
            CHECK(info.iterations == 3 && info.stop == PINN_LSQ_STOP_MAX_ITER, "max_iter: %d %s",
                  info.iterations, pinn_lsq_stop_to_string(info.stop));
            CHECK(info.residual > 1e-6, "3 iterations are not converged: %g", info.residual);
            /* b = 0 gives x = 0 at once */
            double *z = calloc((size_t)m, sizeof *z);
            CHECK_OK(pinn_lsq_solve(&A, z, x, &o, &info, &err), err);
            CHECK(info.stop == PINN_LSQ_STOP_ZERO_RHS && info.residual == 0.0, "zero rhs: %s",
                  pinn_lsq_stop_to_string(info.stop));
            free(z);
        }
        pinn_csr_free(&A);
        prob_free(&p);
    }
}

/* names and parsing */
static void test_names(void) {
    pinn_error err = {0};
    for (int i = 0; i < PINN_LSQ_METHOD_COUNT; i++) {
        pinn_lsq_method m;
        CHECK_OK(pinn_lsq_method_from_string(pinn_lsq_method_to_string((pinn_lsq_method)i), &m, &err),
                 err);
        CHECK(m == (pinn_lsq_method)i, "method round trip %d", i);
    }
    pinn_lsq_method m;
    CHECK(pinn_lsq_method_from_string("cholesky", &m, &err) == PINN_ERR_INVALID &&
              strstr(err.msg, "lsqr"),
          "unknown method: %s", err.msg);
    pinn_precond_kind k;
    CHECK_OK(pinn_precond_kind_from_string("block_rrqr", &k, &err), err);
    CHECK(k == PINN_PRECOND_BLOCK_RRQR, "precond name");
    CHECK(pinn_precond_kind_from_string("ilu", &k, &err) == PINN_ERR_INVALID, "unknown precond");
    CHECK(strcmp(pinn_lsq_stop_to_string(PINN_LSQ_STOP_NORMAL), "normal-equation tolerance") == 0,
          "stop name");
    CHECK(strlen(pinn_lsq_backend()) > 0, "backend");
}

int main(void) {
    test_csr();
    test_determinism();
    test_dense();
    test_krylov();
    test_names();
    return CHECK_DONE();
}
