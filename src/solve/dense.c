/* dense.c - dense least squares min ||A x - b|| for row-major A: LAPACK through LAPACKE
 * (dgels Householder QR, dgelsy column-pivoted QR, dgelsd SVD) when the build has it, else the
 * built-in Householder QR / pivoted QR / QR + one-sided Jacobi SVD of qr.c (then m >= n only). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "solve/solve_internal.h"
#ifdef PINN_HAVE_LAPACKE
#include <lapacke.h>
#endif
#ifdef PINN_HAVE_OPENBLAS
#include <cblas.h>
#endif

#define AT(A, lda, i, j) (A)[(size_t)(i) + (size_t)(j) * (size_t)(lda)]

/* ||A x - b|| and ||A^T (A x - b)|| for row-major A, into info; work: m + n doubles. */
static void dense_residuals(int m, int n, const double *A, int lda, const double *b,
                            const double *x, double *work, pinn_lsq_info *info) {
    double *r = work, *g = work + m;
#pragma omp parallel for schedule(static) if ((double)m * n > 1e6)
    for (int i = 0; i < m; i++) {
        const double *a = A + (size_t)i * (size_t)lda;
        double s = -b[i];
        for (int j = 0; j < n; j++) s += a[j] * x[j];
        r[i] = s;
    }
    sv_zero(n, g);
    for (int i = 0; i < m; i++) {
        const double *a = A + (size_t)i * (size_t)lda;
        for (int j = 0; j < n; j++) g[j] += a[j] * r[i];
    }
    info->residual = sv_nrm2(m, r);
    info->normal_residual = sv_nrm2(n, g);
    info->rhs_norm = sv_nrm2(m, b);
}

#ifdef PINN_HAVE_LAPACKE
/* The LAPACK solve on the column-major copy a (m x n) and right-hand side bb (max(m,n)). */
static pinn_status dense_lapack(int m, int n, double *a, double *bb, const pinn_lsq_opts *o,
                                pinn_lsq_info *info, pinn_error *err) {
    int mn = m < n ? m : n, ldb = m > n ? m : n;
    lapack_int rc = 0, rank = 0;
    double rcond = 0.0;
    if (o->method == PINN_LSQ_QR) {
        rc = LAPACKE_dgels(LAPACK_COL_MAJOR, 'N', m, n, 1, a, m, bb, ldb);
        if (rc > 0)
            return pinn_error_set(err, PINN_ERR_NUMERIC,
                                  "lsq qr: the triangular factor is exactly singular at %d; use "
                                  "qrp or svd for rank-deficient matrices",
                                  (int)rc);
        if (rc == 0 && LAPACKE_dtrcon(LAPACK_COL_MAJOR, '1', m >= n ? 'U' : 'L', 'N', mn, a, m,
                                      &rcond) == 0)
            info->cond = info->cond_precond = rcond > 0.0 ? 1.0 / rcond : INFINITY;
        info->rank = mn;
    } else if (o->method == PINN_LSQ_QRP) {
        lapack_int *jpvt = calloc((size_t)n, sizeof *jpvt);
        if (!jpvt) return pinn_error_set(err, PINN_ERR_NOMEM, "lsq qrp: no memory");
        rc = LAPACKE_dgelsy(LAPACK_COL_MAJOR, m, n, 1, a, m, bb, ldb, jpvt, o->rcond, &rank);
        free(jpvt);
        if (rc == 0 && rank > 0 &&
            LAPACKE_dtrcon(LAPACK_COL_MAJOR, '1', 'U', 'N', rank, a, m, &rcond) == 0)
            info->cond_precond = rcond > 0.0 ? 1.0 / rcond : INFINITY;
        if (rank == mn) info->cond = info->cond_precond;
        info->rank = (int)rank;
    } else {
        double *s = malloc((size_t)(mn > 0 ? mn : 1) * sizeof *s);
        if (!s) return pinn_error_set(err, PINN_ERR_NOMEM, "lsq svd: no memory");
        rc = LAPACKE_dgelsd(LAPACK_COL_MAJOR, m, n, 1, a, m, bb, ldb, s, o->rcond, &rank);
        if (rc == 0 && mn > 0) {
            info->sigma_max = s[0];
            info->sigma_min = s[mn - 1];
            info->cond = s[mn - 1] > 0.0 ? s[0] / s[mn - 1] : INFINITY;
            info->cond_precond = rank > 0 ? s[0] / s[rank - 1] : NAN;
        }
        free(s);
        info->rank = (int)rank;
        if (rc > 0)
            return pinn_error_set(err, PINN_ERR_NUMERIC, "lsq svd: the SVD did not converge");
    }
    if (rc < 0)
        return pinn_error_set(err, PINN_ERR_INVALID, "lsq %s: LAPACK argument %d invalid",
                              info->method, (int)-rc);
    return PINN_OK;
}
#endif

/* The built-in solve on the column-major copy a (m x n, m >= n), right-hand side bb (m);
 * the solution lands in bb[0..n-1]. */
static pinn_status dense_builtin(int m, int n, double *a, double *bb, const pinn_lsq_opts *o,
                                 pinn_lsq_info *info, pinn_error *err) {
    if (m < n)
        return pinn_error_set(err, PINN_ERR_UNSUPPORTED,
                              "lsq %s: %d x %d is underdetermined; the built-in dense solver "
                              "needs rows >= cols (build with LAPACKE)",
                              info->method, m, n);
    size_t nn = (size_t)n;
    /* tau n, work 2n (+ G n*n, V n*n, s n for the SVD), piv n */
    size_t need = 3 * nn + (o->method == PINN_LSQ_SVD ? 2 * nn * nn + nn : 0);
    double *w = malloc((need > 0 ? need : 1) * sizeof *w);
    int *piv = malloc((nn > 0 ? nn : 1) * sizeof *piv);
    pinn_status st = PINN_OK;
    if (!w || !piv) {
        st = pinn_error_set(err, PINN_ERR_NOMEM, "lsq %s: no memory", info->method);
        goto done;
    }
    double *tau = w, *work = w + nn;
    int pivot = o->method == PINN_LSQ_QRP;
    sv_hqr(m, n, a, m, tau, pivot ? piv : NULL, work);
    sv_hqr_qtb(m, n, a, m, tau, bb);
    if (o->method == PINN_LSQ_QR) {
        for (int j = 0; j < n; j++)
            if (AT(a, m, j, j) == 0.0) {
                st = pinn_error_set(err, PINN_ERR_NUMERIC,
                                    "lsq qr: the triangular factor is exactly singular at %d; use "
                                    "qrp or svd for rank-deficient matrices",
                                    j + 1);
                goto done;
            }
        sv_trsv_upper(n, a, m, bb);
        info->cond = info->cond_precond = sv_tri_cond1(n, a, m, work);
        info->rank = n;
    } else if (o->method == PINN_LSQ_QRP) {
        int k = 0;
        double r11 = n > 0 ? fabs(AT(a, m, 0, 0)) : 0.0;
        while (k < n && fabs(AT(a, m, k, k)) > o->rcond * r11) k++;
        sv_trsv_upper(k, a, m, bb);
        /* basic solution: x[piv[j]] = z[j] for the kept pivots, 0 for the dropped ones */
        for (int j = 0; j < n; j++) work[j] = 0.0;
        for (int j = 0; j < k; j++) work[piv[j]] = bb[j];
        memcpy(bb, work, nn * sizeof *bb);
        info->rank = k;
        info->cond_precond = k > 0 ? sv_tri_cond1(k, a, m, work) : NAN;
        if (k == n) info->cond = info->cond_precond;
    } else {
        double *G = w + 3 * nn, *V = G + nn * nn, *s = V + nn * nn;
        for (int j = 0; j < n; j++)
            for (int i = 0; i < n; i++) AT(G, n, i, j) = i <= j ? AT(a, m, i, j) : 0.0;
        if (sv_jacobi_svd(n, n, G, n, V, n, s, work) < 0) {
            st = pinn_error_set(err, PINN_ERR_NUMERIC, "lsq svd: Jacobi SVD did not converge");
            goto done;
        }
        int k = 0;
        while (k < n && s[k] > o->rcond * s[0]) k++;
        /* x = V_k S_k^-1 U_k^T c with U_j = G_j / s_j, c = (Q^T b)[0:n] */
        for (int j = 0; j < n; j++) work[j] = 0.0;
        for (int q = 0; q < k; q++) {
            double c = 0.0;
            for (int i = 0; i < n; i++) c += AT(G, n, i, q) * bb[i];
            c /= s[q] * s[q];
            for (int i = 0; i < n; i++) work[i] += c * AT(V, n, i, q);
        }
        memcpy(bb, work, nn * sizeof *bb);
        info->rank = k;
        if (n > 0) {
            info->sigma_max = s[0];
            info->sigma_min = s[n - 1];
            info->cond = s[n - 1] > 0.0 ? s[0] / s[n - 1] : INFINITY;
            info->cond_precond = k > 0 ? s[0] / s[k - 1] : NAN;
        }
    }
done:
    free(w);
    free(piv);
    return st;
}

/* Copies A into column-major scratch, solves, writes x, fills info.  Owns its scratch only. */
pinn_status pinn_lsq_dense(int m, int n, const double *A, int lda, const double *b, double *x,
                           const pinn_lsq_opts *opts, pinn_lsq_info *info, pinn_error *err) {
    double t0 = sv_now();
    pinn_lsq_opts o = opts ? *opts : pinn_lsq_opts_default();
    if (!opts) o.method = PINN_LSQ_QR;
    if (o.rcond <= 0.0) o.rcond = 1e-13;
    pinn_lsq_info local;
    if (!info) info = &local;
    sv_info_init(info, pinn_lsq_method_to_string(o.method), m, n);
    if (o.method != PINN_LSQ_QR && o.method != PINN_LSQ_QRP && o.method != PINN_LSQ_SVD)
        return pinn_error_set(err, PINN_ERR_INVALID, "lsq dense: method %s is not dense",
                              pinn_lsq_method_to_string(o.method));
    if (m < 0 || n < 0 || lda < n)
        return pinn_error_set(err, PINN_ERR_INVALID, "lsq dense: bad sizes %d x %d, lda %d", m, n,
                              lda);
    size_t ldb = (size_t)(m > n ? m : n);
    double *a = malloc(((size_t)m * (size_t)n + ldb + (size_t)m + (size_t)n + 1) * sizeof *a);
    if (!a)
        return pinn_error_set(err, PINN_ERR_NOMEM, "lsq %s: no memory for a dense %d x %d copy",
                              info->method, m, n);
    double *bb = a + (size_t)m * (size_t)n, *work = bb + ldb;
    for (int j = 0; j < n; j++)
        for (int i = 0; i < m; i++) AT(a, m, i, j) = A[(size_t)i * (size_t)lda + (size_t)j];
    memcpy(bb, b, (size_t)m * sizeof *bb);
    for (size_t i = (size_t)m; i < ldb; i++) bb[i] = 0.0;
    pinn_status st;
#ifdef PINN_HAVE_LAPACKE
#ifdef PINN_HAVE_OPENBLAS
    /* the factorisation is one big BLAS-3 job: let OpenBLAS use the threads, then pin it back */
    int nt = pinn_threads_get();
    openblas_set_num_threads(nt);
#endif
    st = dense_lapack(m, n, a, bb, &o, info, err);
#ifdef PINN_HAVE_OPENBLAS
    pinn_threads_set(nt);
#endif
#else
    st = dense_builtin(m, n, a, bb, &o, info, err);
#endif
    if (st == PINN_OK) {
        memcpy(x, bb, (size_t)n * sizeof *x);
        dense_residuals(m, n, A, lda, b, x, work, info);
    }
    free(a);
    info->seconds = sv_now() - t0;
    return st;
}

/* The built-in dense path, callable from tests in LAPACKE builds too. */
pinn_status sv_dense_builtin(int m, int n, const double *A, int lda, const double *b, double *x,
                             const pinn_lsq_opts *opts, pinn_lsq_info *info, pinn_error *err) {
    double t0 = sv_now();
    pinn_lsq_opts o = *opts;
    if (o.rcond <= 0.0) o.rcond = 1e-13;
    sv_info_init(info, pinn_lsq_method_to_string(o.method), m, n);
    double *a = malloc(((size_t)m * (size_t)n + (size_t)2 * m + (size_t)n + 1) * sizeof *a);
    if (!a) return pinn_error_set(err, PINN_ERR_NOMEM, "lsq: no memory");
    double *bb = a + (size_t)m * (size_t)n, *work = bb + m;
    for (int j = 0; j < n; j++)
        for (int i = 0; i < m; i++) AT(a, m, i, j) = A[(size_t)i * (size_t)lda + (size_t)j];
    memcpy(bb, b, (size_t)m * sizeof *bb);
    pinn_status st = dense_builtin(m, n, a, bb, &o, info, err);
    if (st == PINN_OK) {
        memcpy(x, bb, (size_t)n * sizeof *x);
        dense_residuals(m, n, A, lda, b, x, work, info);
    }
    free(a);
    info->seconds = sv_now() - t0;
    return st;
}
