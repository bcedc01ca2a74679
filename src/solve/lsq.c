/* lsq.c - the front door of src/solve: method and stop-reason names, option defaults, the
 * diagnostics record, pinn_lsq_solve (dispatch to dense, Krylov or sparse-direct solvers, then
 * the true residuals and the timing), and the Golub-Kahan condition estimator. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "solve/solve_internal.h"

static const char *const method_names[PINN_LSQ_METHOD_COUNT] = {
    [PINN_LSQ_QR] = "qr",     [PINN_LSQ_QRP] = "qrp",   [PINN_LSQ_SVD] = "svd",
    [PINN_LSQ_LSQR] = "lsqr", [PINN_LSQ_CGLS] = "cgls", [PINN_LSQ_CGNE] = "cgne",
    [PINN_LSQ_SPQR] = "spqr",
};

static const char *const stop_names[PINN_LSQ_STOP_COUNT] = {
    [PINN_LSQ_STOP_DIRECT] = "direct",
    [PINN_LSQ_STOP_ZERO_RHS] = "zero right-hand side",
    [PINN_LSQ_STOP_RESIDUAL] = "residual tolerance",
    [PINN_LSQ_STOP_NORMAL] = "normal-equation tolerance",
    [PINN_LSQ_STOP_CONLIM] = "condition limit",
    [PINN_LSQ_STOP_MAX_ITER] = "iteration limit",
    [PINN_LSQ_STOP_BREAKDOWN] = "breakdown",
    [PINN_LSQ_STOP_STAGNATION] = "stagnation",
};

const char *pinn_lsq_method_to_string(pinn_lsq_method m) {
    if ((int)m < 0 || m >= PINN_LSQ_METHOD_COUNT) return "unknown";
    return method_names[m];
}

pinn_status pinn_lsq_method_from_string(const char *s, pinn_lsq_method *m, pinn_error *err) {
    for (int i = 0; i < PINN_LSQ_METHOD_COUNT; i++)
        if (s && strcmp(s, method_names[i]) == 0) {
            *m = (pinn_lsq_method)i;
            return PINN_OK;
        }
    return pinn_error_set(err, PINN_ERR_INVALID,
                          "unknown least-squares method '%s' (expected qr, qrp, svd, lsqr, cgls, "
                          "cgne or spqr)",
                          s ? s : "(null)");
}

int pinn_lsq_method_available(pinn_lsq_method m) {
    if ((int)m < 0 || m >= PINN_LSQ_METHOD_COUNT) return 0;
#ifndef PINN_HAVE_SUITESPARSE
    if (m == PINN_LSQ_SPQR) return 0;
#endif
    return 1;
}

const char *pinn_lsq_stop_to_string(pinn_lsq_stop s) {
    if ((int)s < 0 || s >= PINN_LSQ_STOP_COUNT) return "unknown";
    return stop_names[s];
}

const char *pinn_lsq_backend(void) {
#if defined(PINN_HAVE_LAPACKE) && defined(PINN_HAVE_SUITESPARSE)
    return "dense: LAPACKE; sparse direct: SuiteSparseQR";
#elif defined(PINN_HAVE_LAPACKE)
    return "dense: LAPACKE; sparse direct: none";
#elif defined(PINN_HAVE_SUITESPARSE)
    return "dense: built-in; sparse direct: SuiteSparseQR";
#else
    return "dense: built-in; sparse direct: none";
#endif
}

pinn_lsq_opts pinn_lsq_opts_default(void) {
    pinn_lsq_opts o;
    memset(&o, 0, sizeof o);
    o.method = PINN_LSQ_LSQR;
    o.atol = 1e-10;
    o.btol = 1e-10;
    o.conlim = 1e16;
    o.rcond = 1e-13;
    o.spqr_tol = -1.0;
    return o;
}

void sv_info_init(pinn_lsq_info *info, const char *method, int rows, int cols) {
    memset(info, 0, sizeof *info);
    info->method = method;
    info->precond = "none";
    info->rows = rows;
    info->cols = cols;
    info->rank = cols;
    info->stop = PINN_LSQ_STOP_DIRECT;
    info->residual = info->normal_residual = info->rhs_norm = NAN;
    info->sigma_max = info->sigma_min = info->cond = info->cond_precond = NAN;
    info->norm_estimate = NAN;
}

void sv_info_residuals(const pinn_csr *A, const double *b, const double *x, double *work,
                       pinn_lsq_info *info) {
    double *r = work, *g = work + A->rows;
    pinn_csr_matvec(A, x, r);
    sv_axpy(A->rows, -1.0, b, r);
    pinn_csr_matvec_t(A, r, g);
    info->residual = sv_nrm2(A->rows, r);
    info->normal_residual = sv_nrm2(A->cols, g);
    info->rhs_norm = sv_nrm2(A->rows, b);
}

/* Fills the zero / negative options with their defaults. */
static void opts_fill(pinn_lsq_opts *o, int dim) {
    pinn_lsq_opts d = pinn_lsq_opts_default();
    if (!(o->atol > 0.0)) o->atol = d.atol;
    if (!(o->btol > 0.0)) o->btol = d.btol;
    if (!(o->conlim > 0.0)) o->conlim = d.conlim;
    if (!(o->rcond > 0.0)) o->rcond = d.rcond;
    if (o->max_iter <= 0) o->max_iter = 4 * dim + 100;
}

/* Dispatch by method; see the header.  Owns its scratch only. */
pinn_status pinn_lsq_solve(const pinn_csr *A, const double *b, double *x, const pinn_lsq_opts *opts,
                           pinn_lsq_info *info, pinn_error *err) {
    double t0 = sv_now();
    pinn_lsq_info local;
    if (!info) info = &local;
    pinn_lsq_opts o = opts ? *opts : pinn_lsq_opts_default();
    sv_info_init(info, pinn_lsq_method_to_string(o.method), A ? A->rows : 0, A ? A->cols : 0);
    if (!A || !b || !x || (int)o.method < 0 || o.method >= PINN_LSQ_METHOD_COUNT)
        return pinn_error_set(err, PINN_ERR_INVALID, "lsq: bad arguments");
    if (A->next_row != A->rows)
        return pinn_error_set(err, PINN_ERR_INVALID,
                              "lsq: the matrix has %d of %d rows; call pinn_csr_finish",
                              A->next_row, A->rows);
    const pinn_precond *P = o.precond;
    if (P && pinn_precond_kind_of(P) == PINN_PRECOND_NONE) P = NULL;
    if (P && (o.method == PINN_LSQ_LSQR || o.method == PINN_LSQ_CGLS || o.method == PINN_LSQ_CGNE)) {
        info->precond = pinn_precond_kind_to_string(pinn_precond_kind_of(P));
        info->precond_seconds = pinn_precond_seconds(P);
    } else {
        P = NULL;
    }
    opts_fill(&o, P ? pinn_precond_dim(P) : A->cols);
    pinn_status st = PINN_OK;
    int m = A->rows, n = A->cols;
    if (o.method == PINN_LSQ_QR || o.method == PINN_LSQ_QRP || o.method == PINN_LSQ_SVD) {
        double *D = malloc(((size_t)m * (size_t)n + 1) * sizeof *D);
        if (!D)
            return pinn_error_set(err, PINN_ERR_NOMEM, "lsq %s: no memory for a dense %d x %d copy",
                                  info->method, m, n);
        pinn_csr_to_dense(A, D, n);
        st = pinn_lsq_dense(m, n, D, n, b, x, &o, info, err);
        free(D);
        info->seconds = sv_now() - t0;
        return st;
    }
    if (o.method == PINN_LSQ_SPQR) {
        int rank = n;
        st = sv_spqr(A, b, x, o.spqr_tol, &rank, err);
        info->rank = rank;
    } else {
        sv_krylov_out ko = {0, PINN_LSQ_STOP_MAX_ITER, NAN, NAN};
        if (o.method == PINN_LSQ_LSQR) st = sv_lsqr(A, P, b, x, &o, &ko, err);
        else st = sv_cg(A, P, b, x, &o, o.method == PINN_LSQ_CGNE, 0, &ko, err);
        info->iterations = ko.iterations;
        info->stop = ko.stop;
        info->norm_estimate = ko.norm_est;
        info->cond_precond = ko.cond_est;
        if (P) {
            info->rank = pinn_precond_dim(P);
            if (st == PINN_OK && o.cond_iters > 0)
                st = pinn_lsq_cond_estimate(A, NULL, o.cond_iters, &info->cond, NULL, NULL, err);
        } else {
            info->cond = ko.cond_est;
        }
    }
    if (st == PINN_OK) {
        double *work = malloc(((size_t)m + (size_t)n + 1) * sizeof *work);
        if (!work) return pinn_error_set(err, PINN_ERR_NOMEM, "lsq: no memory");
        sv_info_residuals(A, b, x, work, info);
        free(work);
        if (!isfinite(info->residual))
            st = pinn_error_set(err, PINN_ERR_NUMERIC, "lsq %s: the solution is not finite",
                                info->method);
    }
    info->seconds = sv_now() - t0;
    return st;
}

/* iters CG steps on K^T K from a fixed random right-hand side; the Lanczos Ritz values give
 * the estimates.  Owns its scratch only. */
pinn_status pinn_lsq_cond_estimate(const pinn_csr *A, const pinn_precond *P, int iters,
                                   double *cond, double *sigma_max, double *sigma_min,
                                   pinn_error *err) {
    if (!A || iters <= 0) return pinn_error_set(err, PINN_ERR_INVALID, "cond estimate: bad arguments");
    if (P && pinn_precond_kind_of(P) == PINN_PRECOND_NONE) P = NULL;
    int m = A->rows, n = A->cols;
    double *b = malloc(((size_t)m + (size_t)n + 1) * sizeof *b);
    if (!b) return pinn_error_set(err, PINN_ERR_NOMEM, "cond estimate: no memory");
    double *x = b + m;
    pinn_rng rng;
    pinn_rng_seed(&rng, 20240611u);
    for (int i = 0; i < m; i++) b[i] = pinn_rng_normal(&rng);
    pinn_lsq_opts o = pinn_lsq_opts_default();
    sv_krylov_out ko = {0, PINN_LSQ_STOP_MAX_ITER, NAN, NAN};
    pinn_status st = sv_cg(A, P, b, x, &o, 0, iters, &ko, err);
    free(b);
    if (cond) *cond = ko.cond_est;
    if (sigma_max) *sigma_max = ko.norm_est;
    if (sigma_min) *sigma_min = ko.norm_est / ko.cond_est;
    return st;
}
