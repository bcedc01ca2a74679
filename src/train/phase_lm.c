/* phase_lm.c - the Levenberg-Marquardt phase ("lm") for every model kind.  Each step linearises
 * every residual row in every trainable parameter (pinn_objective_linearize: the dense Jacobian
 * J, rows scaled so that |r|^2 is the weighted loss), then solves
 *     (J^T J + lambda I) d = -J^T r                       (rows >= parameters), or
 *     (J J^T + lambda I) y = r,  d = -J^T y               (fewer rows: the same step, smaller system)
 * by Cholesky, lambda = mu * trace / m, and keeps the step when the full-batch weighted loss
 * drops (mu /= down), else raises mu (mu *= up) and solves again from the same factors' matrix.
 * A step costs rows * params * min(rows, params) multiply-adds and the Jacobian rows * params
 * reals: the phase is for small networks (docs/optimizers.md, docs/benchmarks.md), and refuses a
 * problem whose work space would exceed max_mb.  Keys: iterations, damping (the first mu), up,
 * down, tries, ftol (stop when a kept step lowers the loss by less than this fraction), max_mb. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#ifdef PINN_HAVE_OPENBLAS
#include <cblas.h>
#endif
#ifdef PINN_HAVE_LAPACKE
#include <lapacke.h>
#endif

#include "train/phase.h"

typedef struct lm_state {
    double up, down, ftol, mu;
    long tries;
    double max_mb;
    size_t nr, np, m;        /* rows, parameters, largest order of the system */
    size_t *col;             /* [np] the trainable parameters' indices (a step's columns of J) */
    pinn_real *J, *r;        /* [nr][np], [nr] */
    double *Jd;              /* [nr][np] double copy of J (float builds), or NULL */
    double *A0, *A, *b0, *b; /* the undamped matrix and right side, and their damped copies */
    double *d;               /* [np] step */
    pinn_real *keep;         /* [np] parameters before the step */
} lm_state;

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static pinn_status lm_configure(tr_phase *ph, pinn_cfg *c, int node, const pinn_trainer *t, pinn_error *err) {
    static const char *const keys[] = {"kind", "iterations", "damping", "up", "down", "tries", "ftol", "max_mb", "weights", NULL};
    (void)t;
    lm_state *L = calloc(1, sizeof *L);
    if (!L) return pinn_error_set(err, PINN_ERR_NOMEM, "out of memory");
    ph->lm = L;
    long it;
    pinn_status st;
    if ((st = pinn_cfg_check_keys(c, node, keys, err)) ||
        (st = pinn_cfg_int(c, node, "iterations", 0, 100000000, 1, 100, &it, err)) ||
        (st = pinn_cfg_real(c, node, "damping", 1e-300, 1e300, 1, 1e-3, &L->mu, err)) ||
        (st = pinn_cfg_real(c, node, "up", 1.000001, 1e6, 1, 4, &L->up, err)) ||
        (st = pinn_cfg_real(c, node, "down", 1.000001, 1e6, 1, 3, &L->down, err)) ||
        (st = pinn_cfg_int(c, node, "tries", 1, 1000, 1, 10, &L->tries, err)) ||
        (st = pinn_cfg_real(c, node, "ftol", 0, 1, 1, 0, &L->ftol, err)) ||
        (st = pinn_cfg_real(c, node, "max_mb", 1, 1e9, 1, 4096, &L->max_mb, err)))
        return st;
    ph->total = it;
    return PINN_OK;
}

/* Sizes the work space once (the Jacobian and the m x m system); refuses when it exceeds max_mb
 * or when the model has an auxiliary loss term with a weight in this phase (no residual rows; the
 * phase's `weights: {moe_sparsity: 0}` leaves it out). */
static pinn_status lm_begin(tr_phase *ph, pinn_trainer *t, pinn_error *err) {
    lm_state *L = ph->lm;
    pinn_objective *o = pinn_trainer_objective(t);
    for (int k = 0; k < t->n_terms; k++)
        if (t->terms[k].kind == TR_AUX && !(ph->wfac && ph->wfac[k] == 0))
            return pinn_error_set(err, PINN_ERR_UNSUPPORTED,
                                  "%s:%d: train.phases (lm): the model's term '%s' is no sum of squares; use adam or lbfgs, "
                                  "or leave it out of this phase with weights: {%s: 0}",
                                  t->prob.file, ph->line, t->terms[k].name, t->terms[k].name);
    L->nr = pinn_objective_nrows(o), L->np = pinn_objective_nparams(o);
    L->m = L->nr < L->np ? L->nr : L->np;
    double mb = ((double)L->nr * (double)L->np * (sizeof(pinn_real) + (sizeof(pinn_real) < 8 ? 8 : 0)) +
                 2.0 * (double)L->m * (double)L->m * 8) / 1048576.0;
    if (mb > L->max_mb)
        return pinn_error_set(err, PINN_ERR_INVALID,
                              "%s:%d: train.phases (lm): %zu rows x %zu parameters need %.0f MB (max_mb: %.0f); use fewer "
                              "points or a smaller network, or lbfgs",
                              t->prob.file, ph->line, L->nr, L->np, mb, L->max_mb);
    L->J = malloc(sizeof(pinn_real) * L->nr * L->np);
    L->r = malloc(sizeof(pinn_real) * L->nr);
    L->Jd = sizeof(pinn_real) < 8 ? malloc(sizeof(double) * L->nr * L->np) : NULL;
    L->A0 = malloc(sizeof(double) * L->m * L->m);
    L->A = malloc(sizeof(double) * L->m * L->m);
    L->b0 = malloc(sizeof(double) * L->m);
    L->b = malloc(sizeof(double) * L->m);
    L->d = malloc(sizeof(double) * L->np);
    L->keep = malloc(sizeof(pinn_real) * L->np);
    L->col = malloc(sizeof(size_t) * L->np);
    if (!L->J || !L->r || (sizeof(pinn_real) < 8 && !L->Jd) || !L->A0 || !L->A || !L->b0 || !L->b || !L->d || !L->keep ||
        !L->col)
        return pinn_error_set(err, PINN_ERR_NOMEM, "train.phases (lm): no memory for %zu x %zu", L->nr, L->np);
    return PINN_OK;
}

/* A0 = J^T J and b0 = -J^T r (m = np), or A0 = J J^T and b0 = r (m = nr), over J's first np
 * columns per row (the step's trainable parameters, packed); returns the trace. */
static double lm_normal(lm_state *L, size_t np, size_t m) {
    size_t nr = L->nr;
    const double *J;
    if (L->Jd) {
        for (size_t i = 0; i < nr * np; i++) L->Jd[i] = (double)L->J[i];
        J = L->Jd;
    } else
        J = (const double *)(const void *)L->J;
#ifdef PINN_HAVE_OPENBLAS
    if (m == np) cblas_dsyrk(CblasRowMajor, CblasLower, CblasTrans, (int)np, (int)nr, 1.0, J, (int)np, 0.0, L->A0, (int)m);
    else cblas_dsyrk(CblasRowMajor, CblasLower, CblasNoTrans, (int)nr, (int)np, 1.0, J, (int)np, 0.0, L->A0, (int)m);
#else
    for (size_t i = 0; i < m; i++)
        for (size_t j = 0; j <= i; j++) {
            double s = 0;
            if (m == np)
                for (size_t k = 0; k < nr; k++) s += J[k * np + i] * J[k * np + j];
            else
                for (size_t k = 0; k < np; k++) s += J[i * np + k] * J[j * np + k];
            L->A0[i * m + j] = s;
        }
#endif
    double tr = 0;
    for (size_t i = 0; i < m; i++) {
        for (size_t j = 0; j < i; j++) L->A0[j * m + i] = L->A0[i * m + j];
        tr += L->A0[i * m + i];
    }
    if (m == np) {
        for (size_t i = 0; i < np; i++) L->b0[i] = 0;
        for (size_t k = 0; k < nr; k++) {
            double rk = (double)L->r[k];
            const double *row = J + k * np;
            for (size_t i = 0; i < np; i++) L->b0[i] -= row[i] * rk;
        }
    } else
        for (size_t i = 0; i < nr; i++) L->b0[i] = (double)L->r[i];
    return tr;
}

/* Cholesky factorisation and solve of the SPD m x m system A x = b in place (A's lower triangle
 * overwritten): LAPACK's dpotrf/dpotrs where built with LAPACKE, else the loops below; -1 when A
 * is not numerically positive definite. */
static int lm_cholesky_solve(double *A, double *b, size_t m) {
#ifdef PINN_HAVE_LAPACKE
    if (LAPACKE_dpotrf(LAPACK_ROW_MAJOR, 'L', (lapack_int)m, A, (lapack_int)m) != 0) return -1;
    return LAPACKE_dpotrs(LAPACK_ROW_MAJOR, 'L', (lapack_int)m, 1, A, (lapack_int)m, b, 1) != 0 ? -1 : 0;
#else
    for (size_t j = 0; j < m; j++) {
        double *aj = A + j * m, dj = aj[j];
        for (size_t k = 0; k < j; k++) dj -= aj[k] * aj[k];
        if (!(dj > 0)) return -1;
        dj = sqrt(dj);
        aj[j] = dj;
        for (size_t i = j + 1; i < m; i++) {
            double *ai = A + i * m, s = ai[j];
            for (size_t k = 0; k < j; k++) s -= ai[k] * aj[k];
            ai[j] = s / dj;
        }
    }
    for (size_t i = 0; i < m; i++) {
        const double *ai = A + i * m;
        double s = b[i];
        for (size_t k = 0; k < i; k++) s -= ai[k] * b[k];
        b[i] = s / ai[i];
    }
    for (size_t i = m; i-- > 0;) {
        double s = b[i];
        for (size_t k = i + 1; k < m; k++) s -= A[k * m + i] * b[k];
        b[i] = s / A[i * m + i];
    }
    return 0;
#endif
}

/* The normal matrix and its factors are BLAS-3 work: on = 1 gives OpenBLAS the run's threads,
 * on = 0 pins it back to one (the loss evaluations thread over point blocks instead). */
static void lm_blas_threads(int on) {
#ifdef PINN_HAVE_OPENBLAS
    int nt = pinn_threads_get();
    if (nt > 1) {
        if (on) openblas_set_num_threads(nt);
        else pinn_threads_set(nt);
    }
#else
    (void)on;
#endif
}

/* One Levenberg-Marquardt iteration: linearise, then up to `tries` damped solves until the loss drops. */
static pinn_status lm_step(tr_phase *ph, pinn_trainer *t, double *loss, int *done, pinn_error *err) {
    lm_state *L = ph->lm;
    double s0 = now_s();
    pinn_status st;
    if (!ph->primed) {
        if ((st = tr_eval_terms(t, 1, NULL, &ph->f, err))) return st;
        ph->primed = 1;
    }
    pinn_objective *o = pinn_trainer_objective(t);
    if ((st = pinn_objective_linearize(o, NULL, 0, L->np, L->J, L->r, err))) return st;
    /* frozen parameters (pruned experts, masks) do not move: J keeps only the trainable columns,
     * packed in place row by row, so a pruned expert's parameters leave the system and its cost */
    size_t na = 0, np_all = L->np;
    for (size_t j = 0; j < np_all; j++)
        if (!t->trainable || j >= t->np_net || t->trainable[j]) L->col[na++] = j;
    if (na < np_all)
        for (size_t k = 0; k < L->nr; k++)
            for (size_t c = 0; c < na; c++) L->J[k * na + c] = L->J[k * np_all + L->col[c]];
    if (na == 0) { /* nothing left to train */
        *loss = t->final_loss = ph->f;
        *done = 1, ph->stop = 1;
        return PINN_OK;
    }
    size_t nr = L->nr, np = na, m = nr < na ? nr : na;
    lm_blas_threads(1);
    double tr = lm_normal(L, np, m);
    lm_blas_threads(0);
    const double *J = L->Jd ? L->Jd : (const double *)(const void *)L->J;
    memcpy(L->keep, t->P, sizeof(pinn_real) * np_all);
    int kept = 0;
    double f = ph->f;
    for (long k = 0; k < L->tries && !kept && !st; k++) {
        memcpy(L->A, L->A0, sizeof(double) * m * m);
        memcpy(L->b, L->b0, sizeof(double) * m);
        double lam = L->mu * (tr > 0 ? tr / (double)m : 1.0);
        for (size_t i = 0; i < m; i++) L->A[i * m + i] += lam;
        lm_blas_threads(1);
        int bad = lm_cholesky_solve(L->A, L->b, m);
        lm_blas_threads(0);
        if (bad) {
            L->mu *= L->up;
            continue;
        }
        if (m == np) memcpy(L->d, L->b, sizeof(double) * np);
        else {
            for (size_t i = 0; i < np; i++) L->d[i] = 0;
            for (size_t k2 = 0; k2 < nr; k2++) {
                const double *row = J + k2 * np;
                for (size_t i = 0; i < np; i++) L->d[i] -= row[i] * L->b[k2];
            }
        }
        for (size_t c = 0; c < np; c++) t->P[L->col[c]] = L->keep[L->col[c]] + (pinn_real)L->d[c];
        double ft;
        st = tr_eval_terms(t, 1, NULL, &ft, err);
        if (st == PINN_ERR_NUMERIC) st = PINN_OK, ft = INFINITY; /* a step into non-finite residuals: damp more */
        if (!st && ft < f) {
            kept = 1;
            double rel = f > 0 ? (f - ft) / f : 0;
            f = ft;
            L->mu = L->mu / L->down > 1e-15 ? L->mu / L->down : 1e-15;
            if (rel < L->ftol) *done = 1, ph->stop = 1; /* converged */
        } else
            L->mu *= L->up;
    }
    if (!kept) { /* no descent after the tries: back to the last point, and stop */
        memcpy(t->P, L->keep, sizeof(pinn_real) * np_all);
        pinn_status s2 = tr_eval_terms(t, 1, NULL, &f, err);
        if (!st) st = s2;
        *done = 1, ph->stop = 2; /* no descent */
    }
    ph->f = f;
    *loss = f;
    t->final_loss = f;
    t->time_lbfgs_s += now_s() - s0;
    return st;
}

static size_t lm_state_size(const tr_phase *ph) { return ph->lm ? 1 : 0; }
static void lm_state_save(const tr_phase *ph, double *buf) { buf[0] = ph->lm->mu; }
static pinn_status lm_state_load(tr_phase *ph, pinn_trainer *t, const double *buf, size_t n, pinn_error *err) {
    (void)t;
    if (n != 1) return pinn_error_set(err, PINN_ERR_INVALID, "checkpoint: Levenberg-Marquardt state of %zu values, expected 1", n);
    if (!(buf[0] > 0) || !isfinite(buf[0])) return pinn_error_set(err, PINN_ERR_INVALID, "checkpoint: damping %g", buf[0]);
    ph->lm->mu = buf[0];
    return PINN_OK;
}

static void lm_release(tr_phase *ph) {
    lm_state *L = ph->lm;
    if (!L) return;
    free(L->J), free(L->r), free(L->Jd), free(L->A0), free(L->A), free(L->b0), free(L->b), free(L->d), free(L->keep), free(L->col);
    free(L);
    ph->lm = NULL;
}

const tr_phase_ops tr_phase_lm = {"lm", lm_configure, lm_begin, lm_step, lm_state_size, lm_state_save, lm_state_load,
                                  lm_release, 1};
