/* phase_lstsq.c - training by least squares, for models linear in their trainable coefficients
 * (elm, elm_fbpinn): the "lstsq" phase assembles the sparse system of every residual with respect
 * to the coefficients (assemble.c) and solves min |M d + r| once with a solver of src/solve; the
 * "gauss_newton" phase relinearises at each step (nonlinear PDEs: Levenberg-Marquardt with
 * Marquardt's column scaling, the step accepted when the loss drops).  Keys: solver, precond,
 * sigma, rcond, atol, btol, max_iter, conlim, cond_iters, assembly; gauss_newton also iterations,
 * damping, tol.  solver: petsc_lsqr / petsc_cgls hand each rank's own rows to the context's
 * distributed solver (pinn_ctx_set_dist_lsq: the pinnc command's PETSc one).  Diagnostics of the last solve go to the trainer's least-squares summary. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "train/lin.h"
#include "train/phase.h"

static double now_s(clockid_t id) {
    struct timespec ts;
    clock_gettime(id, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Settings of a least-squares phase (kept in the phase's Adam slot-free area: a static table per
 * phase index would be global state, so they live in a small heap block owned by the phase). */
typedef struct lsq_cfg {
    int method;        /* pinn_lsq_method, or -1: auto */
    int precond;       /* pinn_precond_kind */
    double sigma, rcond, atol, btol, conlim;
    long max_iter, cond_iters;
    int dense;         /* assembly: dense (pinn_objective_linearize) */
    int dist;          /* solver petsc_*: the context's distributed solver (pinn_ctx_set_dist_lsq) */
    double damping, tol;
    double lambda;     /* Levenberg-Marquardt damping now */
} lsq_cfg;

static const char *const solver_names[] = {"auto", "qr",   "qrp",  "svd",        "lsqr",
                                           "cgls", "cgne", "spqr", "petsc_lsqr", "petsc_cgls"};
static const char *const precond_names[] = {"none", "column", "block_jacobi", "block_svd", "rrqr"};
static const pinn_precond_kind precond_kinds[] = {PINN_PRECOND_NONE, PINN_PRECOND_COLSCALE, PINN_PRECOND_BLOCK_QR,
                                                  PINN_PRECOND_BLOCK_SVD, PINN_PRECOND_BLOCK_RRQR};

/* What every solve reports into the phase's summary: method, preconditioner, stop reason,
 * iterations (summed over Gauss-Newton steps), rank, residuals, condition estimates, time. */
static void sum_add_info(pinn_lsq_summary *sum, const pinn_lsq_info *info) {
    snprintf(sum->method, sizeof sum->method, "%s", info->method ? info->method : "");
    snprintf(sum->precond, sizeof sum->precond, "%s", info->precond ? info->precond : "none");
    snprintf(sum->stop, sizeof sum->stop, "%s", pinn_lsq_stop_to_string(info->stop));
    sum->iterations += info->iterations;
    sum->rank = info->rank;
    sum->residual = info->residual, sum->rhs_norm = info->rhs_norm;
    sum->cond = info->cond, sum->cond_precond = info->cond_precond;
    sum->solve_s += info->seconds;
}

static pinn_status lsq_configure_common(tr_phase *ph, pinn_cfg *c, int node, int gn, pinn_error *err) {
    static const char *const keys_l[] = {"kind", "solver", "precond", "sigma", "rcond", "atol", "btol", "max_iter",
                                         "conlim", "cond_iters", "assembly", "weights", NULL};
    static const char *const keys_g[] = {"kind", "solver", "precond", "sigma", "rcond", "atol", "btol", "max_iter",
                                         "conlim", "cond_iters", "assembly", "iterations", "damping", "tol", "weights", NULL};
    static const char *const asm_names[] = {"sparse", "dense"};
    lsq_cfg *L = calloc(1, sizeof *L);
    if (!L) return pinn_error_set(err, PINN_ERR_NOMEM, "out of memory");
    ph->lsq = L;
    int m, p;
    long it = 1;
    pinn_status st;
    if ((st = pinn_cfg_check_keys(c, node, gn ? keys_g : keys_l, err)) ||
        (st = pinn_cfg_choice(c, node, "solver", solver_names, 10, 0, &m, err)) ||
        (st = pinn_cfg_choice(c, node, "precond", precond_names, 5, 0, &p, err)) ||
        (st = pinn_cfg_real(c, node, "sigma", 0, 1, 1, 1e-8, &L->sigma, err)) ||
        (st = pinn_cfg_real(c, node, "rcond", 0, 1, 1, 1e-13, &L->rcond, err)) ||
        (st = pinn_cfg_real(c, node, "atol", 0, 1, 1, 1e-12, &L->atol, err)) ||
        (st = pinn_cfg_real(c, node, "btol", 0, 1, 1, 1e-12, &L->btol, err)) ||
        (st = pinn_cfg_int(c, node, "max_iter", 0, 100000000, 1, 0, &L->max_iter, err)) ||
        (st = pinn_cfg_real(c, node, "conlim", 0, 1e300, 1, 1e16, &L->conlim, err)) ||
        (st = pinn_cfg_int(c, node, "cond_iters", 0, 100000, 1, 0, &L->cond_iters, err)) ||
        (st = pinn_cfg_choice(c, node, "assembly", asm_names, 2, 0, &L->dense, err)))
        return st;
    if (gn && ((st = pinn_cfg_int(c, node, "iterations", 1, 100000, 1, 20, &it, err)) ||
               (st = pinn_cfg_real(c, node, "damping", 0, 1e10, 1, 1e-6, &L->damping, err)) ||
               (st = pinn_cfg_real(c, node, "tol", 0, 1, 1, 1e-12, &L->tol, err))))
        return st;
    L->method = m - 1;
    L->precond = (int)precond_kinds[p];
    if (m >= 8) { /* petsc_lsqr, petsc_cgls */
        L->dist = 1;
        L->method = m == 8 ? PINN_LSQ_LSQR : PINN_LSQ_CGLS;
        if (L->precond != PINN_PRECOND_NONE && L->precond != PINN_PRECOND_COLSCALE && L->precond != PINN_PRECOND_BLOCK_QR)
            return pinn_cfg_expected(c, pinn_cfg_find(c, node, "precond"), "precond",
                                     "none, column or block_jacobi with a PETSc solver", err);
        if (L->dense)
            return pinn_cfg_expected(c, pinn_cfg_find(c, node, "assembly"), "assembly",
                                     "sparse with a PETSc solver (each rank assembles its own rows)", err);
        if (L->cond_iters > 0)
            return pinn_cfg_expected(c, pinn_cfg_find(c, node, "cond_iters"), "cond_iters", "0 with a PETSc solver", err);
    }
    if (L->method == PINN_LSQ_SPQR && !pinn_lsq_method_available(PINN_LSQ_SPQR))
        return pinn_cfg_expected(c, pinn_cfg_find(c, node, "solver"), "solver",
                                 "a solver this build has (spqr needs SuiteSparseQR: cmake -DPINN_WITH_SPQR=ON)", err);
    if (L->precond != PINN_PRECOND_NONE && L->method >= 0 && L->method <= PINN_LSQ_SVD)
        return pinn_cfg_expected(c, pinn_cfg_find(c, node, "precond"), "precond",
                                 "none with a dense solver (qr, qrp, svd); preconditioners serve lsqr, cgls and cgne", err);
    L->lambda = L->damping;
    ph->total = it;
    return PINN_OK;
}

static pinn_status lstsq_configure(tr_phase *ph, pinn_cfg *c, int node, const pinn_trainer *t, pinn_error *err) {
    (void)t;
    return lsq_configure_common(ph, c, node, 0, err);
}
static pinn_status gn_configure(tr_phase *ph, pinn_cfg *c, int node, const pinn_trainer *t, pinn_error *err) {
    (void)t;
    return lsq_configure_common(ph, c, node, 1, err);
}

static pinn_status lsq_begin(tr_phase *ph, pinn_trainer *t, pinn_error *err) {
    (void)ph, (void)t, (void)err;
    return PINN_OK;
}

/* The system with respect to the model's coefficients: sparse from the cover, or dense rows from
 * pinn_objective_linearize (any model whose output is linear in them) gathered into CSR. */
static pinn_status assemble(pinn_trainer *t, const lsq_cfg *L, const pinn_lin_cover *cv, pinn_csr *M, double *r,
                            pinn_error *err) {
    pinn_objective *o = pinn_trainer_objective(t);
    if (L->dist) /* this rank's rows only */
        return tr_linearize_csr_part(o, NULL, cv, pinn_ctx_rank(t->ctx), pinn_ctx_nranks(t->ctx), M, r, err);
    if (!L->dense) return pinn_objective_linearize_csr(o, NULL, cv, M, r, err);
    size_t lo = (size_t)-1, hi = 0, rows = pinn_objective_nrows(o);
    for (size_t c = 0; c < cv->n_cols; c++) {
        if (cv->param[c] < lo) lo = cv->param[c];
        if (cv->param[c] + 1 > hi) hi = cv->param[c] + 1;
    }
    size_t len = hi > lo ? hi - lo : 0;
    if ((double)rows * (double)len > 2e8)
        return pinn_error_set(err, PINN_ERR_NOMEM, "assembly: dense %zu x %zu is too large; use assembly: sparse", rows, len);
    pinn_real *J = malloc(sizeof(pinn_real) * (rows * len + 1)), *rr = malloc(sizeof(pinn_real) * (rows + 1));
    pinn_status st = J && rr ? pinn_objective_linearize(o, NULL, lo, len, J, rr, err)
                             : pinn_error_set(err, PINN_ERR_NOMEM, "out of memory");
    if (!st) st = pinn_csr_init(M, (int)rows, (int)cv->n_cols, (int64_t)rows * (int64_t)cv->n_cols, err);
    if (!st) {
        int *cols = malloc(sizeof(int) * cv->n_cols);
        double *v = malloc(sizeof(double) * cv->n_cols);
        if (!cols || !v) st = pinn_error_set(err, PINN_ERR_NOMEM, "out of memory");
        for (size_t i = 0; !st && i < rows; i++) {
            int n = 0;
            for (size_t c = 0; c < cv->n_cols; c++) {
                double x = (double)J[i * len + (cv->param[c] - lo)];
                if (x != 0) cols[n] = (int)c, v[n++] = x;
            }
            r[i] = (double)rr[i];
            st = pinn_csr_append_row(M, n, cols, v, err);
        }
        free(cols), free(v);
        if (!st) st = pinn_csr_finish(M, err);
    }
    free(J), free(rr);
    return st;
}

/* The same through the context's distributed solver: M and r are this rank's rows; d comes back
 * on every rank. */
static pinn_status solve_dist(pinn_trainer *t, const lsq_cfg *L, const pinn_lin_cover *cv, const pinn_csr *M,
                              const double *r, double lambda, double *d, pinn_lsq_summary *sum, pinn_error *err) {
    void *user;
    pinn_dist_lsq_fn fn = pinn_ctx_dist_lsq(t->ctx, &user);
    if (!fn) return pinn_error_set(err, PINN_ERR_UNSUPPORTED, "least squares: the context has no distributed solver");
    double *b = malloc(sizeof(double) * ((size_t)M->rows + 1));
    if (!b) return pinn_error_set(err, PINN_ERR_NOMEM, "out of memory");
    for (int i = 0; i < M->rows; i++) b[i] = -r[i];
    pinn_dist_lsq p;
    memset(&p, 0, sizeof p);
    p.A = M, p.b = b, p.damping = lambda;
    p.method = (pinn_lsq_method)L->method;
    p.precond = (pinn_precond_kind)L->precond;
    p.sigma = L->sigma, p.atol = L->atol, p.btol = L->btol, p.conlim = L->conlim, p.max_iter = (int)L->max_iter;
    int *bcols = NULL;
    pinn_status st = PINN_OK;
    if (p.precond == PINN_PRECOND_BLOCK_QR && cv->n_blocks > 0) {
        bcols = malloc(sizeof(int) * (cv->n_cols + 1));
        if (!bcols) st = pinn_error_set(err, PINN_ERR_NOMEM, "out of memory");
        for (size_t c = 0; bcols && c < cv->n_cols; c++) bcols[c] = (int)c;
        p.blocks.count = cv->n_blocks, p.blocks.ptr = cv->block_ptr, p.blocks.cols = bcols;
    }
    pinn_lsq_info info;
    memset(&info, 0, sizeof info);
    double c0 = now_s(CLOCK_PROCESS_CPUTIME_ID);
    if (!st) st = fn(user, &p, d, &info, err);
    sum->solve_cpu_s += now_s(CLOCK_PROCESS_CPUTIME_ID) - c0;
    if (!st) {
        sum_add_info(sum, &info);
        sum->rows = p.global_rows, sum->nnz = p.global_nnz;
        sum->block_cond = NAN;
        sum->precond_s += p.precond_seconds;
    }
    free(bcols);
    free(b);
    return st;
}

/* Solves min |M d + r| (with Levenberg-Marquardt damping lambda > 0: rows sqrt(lambda) D_c
 * appended, D the column norms) and reports into the summary. */
static pinn_status solve(pinn_trainer *t, const lsq_cfg *L, const pinn_lin_cover *cv, const pinn_csr *M, const double *r,
                         double lambda, double *d, pinn_lsq_summary *sum, pinn_error *err) {
    pinn_csr A;
    const pinn_csr *use = M;
    double *b = malloc(sizeof(double) * ((size_t)M->rows + (size_t)M->cols + 1));
    if (!b) return pinn_error_set(err, PINN_ERR_NOMEM, "out of memory");
    for (int i = 0; i < M->rows; i++) b[i] = -r[i];
    pinn_status st = PINN_OK;
    memset(&A, 0, sizeof A);
    if (lambda > 0) {
        double *cn = malloc(sizeof(double) * ((size_t)M->cols + 1));
        if (!cn) st = pinn_error_set(err, PINN_ERR_NOMEM, "out of memory");
        if (!st) st = pinn_csr_init(&A, M->rows + M->cols, M->cols, M->nnz + M->cols, err);
        if (!st) {
            pinn_csr_col_norms(M, cn);
            for (int i = 0; i < M->rows && !st; i++)
                st = pinn_csr_append_row(&A, (int)(M->row_ptr[i + 1] - M->row_ptr[i]), M->col_idx + M->row_ptr[i],
                                         M->values + M->row_ptr[i], err);
            for (int j = 0; j < M->cols && !st; j++) {
                double v = sqrt(lambda) * (cn[j] > 0 ? cn[j] : 1.0);
                b[M->rows + j] = 0;
                st = pinn_csr_append_row(&A, 1, &j, &v, err);
            }
            if (!st) st = pinn_csr_finish(&A, err);
            use = &A;
        }
        free(cn);
    }
    pinn_lsq_opts o = pinn_lsq_opts_default();
    int method = L->method;
    if (method < 0) /* auto: dense pivoted QR while it fits, else preconditioned LSQR */
        method = (double)use->rows * use->cols <= 3e7 && use->cols <= 6000 ? PINN_LSQ_QRP : PINN_LSQ_LSQR;
    o.method = (pinn_lsq_method)method;
    o.atol = L->atol, o.btol = L->btol, o.conlim = L->conlim, o.rcond = L->rcond;
    o.max_iter = (int)L->max_iter, o.cond_iters = (int)L->cond_iters;
    pinn_precond *P = NULL;
    pinn_precond_kind pk = (pinn_precond_kind)L->precond;
    if (L->method < 0 && method == PINN_LSQ_LSQR && pk == PINN_PRECOND_NONE) pk = PINN_PRECOND_BLOCK_RRQR;
    int *bcols = NULL;
    if (!st && method >= PINN_LSQ_LSQR && method <= PINN_LSQ_CGNE && pk != PINN_PRECOND_NONE) {
        pinn_precond_opts po = {pk, {0, NULL, NULL}, L->sigma};
        if (pk != PINN_PRECOND_COLSCALE && cv->n_blocks > 0) {
            bcols = malloc(sizeof(int) * (cv->n_cols + 1));
            if (!bcols) st = pinn_error_set(err, PINN_ERR_NOMEM, "out of memory");
            for (size_t c = 0; bcols && c < cv->n_cols; c++) bcols[c] = (int)c;
            po.blocks.count = cv->n_blocks, po.blocks.ptr = cv->block_ptr, po.blocks.cols = bcols;
        }
        if (!st) st = pinn_precond_create(&P, use, &po, err);
        o.precond = P;
    }
    pinn_lsq_info info;
    memset(&info, 0, sizeof info);
    double c0 = now_s(CLOCK_PROCESS_CPUTIME_ID);
    if (!st) st = pinn_lsq_solve(use, b, d, &o, &info, err);
    sum->solve_cpu_s += now_s(CLOCK_PROCESS_CPUTIME_ID) - c0;
    if (!st) {
        sum_add_info(sum, &info);
        sum->block_cond = P ? pinn_precond_block_cond(P) : NAN;
        sum->precond_s += P ? pinn_precond_seconds(P) : 0;
    }
    (void)t;
    pinn_precond_free(P);
    free(bcols);
    pinn_csr_free(&A);
    free(b);
    return st;
}

/* One least-squares step: assemble at the current coefficients, solve for the update, apply it;
 * with damping (Gauss-Newton) keep it only when the loss drops. */
static pinn_status lsq_step(tr_phase *ph, pinn_trainer *t, double *loss, int *done, pinn_error *err) {
    lsq_cfg *L = ph->lsq;
    int gn = ph->ops != &tr_phase_lstsq;
    tr_lin *lin;
    pinn_status st = tr_lin_get(t, &lin, err);
    if (st) return st;
    if (!lin->has_cover)
        return pinn_error_set(err, PINN_ERR_UNSUPPORTED,
                              "%s:%d: train.phases (%s): model kind '%s' is not linear in its coefficients; use model.kind "
                              "elm or elm_fbpinn",
                              t->prob.file, ph->line, ph->ops->kind, pinn_model_kind(t->model)->kind);
    if (L->dist && !pinn_ctx_dist_lsq(t->ctx, NULL)) /* checked here, so that eval and report read such runs */
        return pinn_error_set(err, PINN_ERR_UNSUPPORTED,
                              "%s:%d: train.phases (%s): solver petsc_lsqr / petsc_cgls needs the pinnc command built with "
                              "PETSc (apt-get install petsc-dev; cmake -DPINN_PETSC=ON) or a context with a distributed "
                              "solver (pinn_ctx_set_dist_lsq)",
                              t->prob.file, ph->line, ph->ops->kind);
    const pinn_lin_cover *cv = &lin->cover;
    pinn_lsq_summary *sum = &lin->sum;
    if (ph->iter == 0 || !sum->ran || strcmp(sum->phase, ph->ops->kind)) {
        memset(sum, 0, sizeof *sum);
        snprintf(sum->phase, sizeof sum->phase, "%s", ph->ops->kind);
        if ((st = tr_eval_terms(t, 1, NULL, &sum->loss_before, err))) return st;
        ph->f = sum->loss_before;
    }
    sum->ran = 1;
    size_t rows = pinn_objective_nrows(pinn_trainer_objective(t));
    double *r = malloc(sizeof(double) * (rows + 1)), *d = calloc(cv->n_cols + 1, sizeof(double));
    pinn_real *keep = malloc(sizeof(pinn_real) * (cv->n_cols + 1));
    pinn_csr M;
    memset(&M, 0, sizeof M);
    if (!r || !d || !keep) st = pinn_error_set(err, PINN_ERR_NOMEM, "out of memory");
    double w0 = now_s(CLOCK_MONOTONIC), c0 = now_s(CLOCK_PROCESS_CPUTIME_ID);
    if (!st) st = assemble(t, L, cv, &M, r, err);
    sum->assemble_s += now_s(CLOCK_MONOTONIC) - w0;
    sum->assemble_cpu_s += now_s(CLOCK_PROCESS_CPUTIME_ID) - c0;
    if (!st) {
        sum->rows = M.rows, sum->cols = M.cols, sum->nnz = (long)M.nnz;
        sum->passes = L->dense ? 0 : lin->passes;
        sum->matrix_mb = (double)M.nnz * 2 * (sizeof(double) + sizeof(int)) / 1048576.0 +
                         (double)(M.rows + M.cols + 2) * sizeof(int64_t) / 1048576.0;
    }
    for (int attempt = 0; !st; attempt++) {
        double lambda = gn ? L->lambda : 0;
        if ((st = L->dist ? solve_dist(t, L, cv, &M, r, lambda, d, sum, err) : solve(t, L, cv, &M, r, lambda, d, sum, err)))
            break;
        for (size_t c = 0; c < cv->n_cols; c++) keep[c] = t->P[cv->param[c]], t->P[cv->param[c]] += (pinn_real)d[c];
        double f;
        if ((st = tr_eval_terms(t, 1, NULL, &f, err))) break;
        if (!gn || f <= ph->f || attempt >= 8) {
            double rel = ph->f > 0 ? (ph->f - f) / ph->f : 0;
            if (gn && f > ph->f) { /* no descent after the retries: keep the old point and stop */
                for (size_t c = 0; c < cv->n_cols; c++) t->P[cv->param[c]] = keep[c];
                f = ph->f;
                *done = 1;
            }
            if (gn) L->lambda = L->lambda / 3 > 1e-15 ? L->lambda / 3 : 1e-15;
            ph->f = f;
            if (!gn || rel < L->tol) *done = 1;
            break;
        }
        for (size_t c = 0; c < cv->n_cols; c++) t->P[cv->param[c]] = keep[c];
        L->lambda = L->lambda > 0 ? L->lambda * 4 : 1e-8;
    }
    sum->outer++;
    struct rusage ru;
    if (!getrusage(RUSAGE_SELF, &ru)) sum->peak_rss_mb = (double)ru.ru_maxrss / 1024.0; /* Linux: kilobytes */
    sum->loss_after = ph->f;
    *loss = ph->f;
    t->final_loss = ph->f;
    pinn_csr_free(&M);
    free(r), free(d), free(keep);
    return st;
}

static size_t lsq_state_size(const tr_phase *ph) {
    (void)ph;
    return 0;
}
static void lsq_release(tr_phase *ph) {
    free(ph->lsq);
    ph->lsq = NULL;
}

const tr_phase_ops tr_phase_lstsq = {"lstsq", lstsq_configure, lsq_begin, lsq_step, lsq_state_size, NULL, NULL, lsq_release, 1};
const tr_phase_ops tr_phase_gauss_newton = {"gauss_newton", gn_configure, lsq_begin, lsq_step, lsq_state_size, NULL, NULL,
                                            lsq_release, 1};
