/* lbfgs.c - limited-memory BFGS on a flat parameter vector (Nocedal & Wright, "Numerical
 * Optimization", 2nd ed., Alg. 7.4 two-loop recursion and Alg. 3.5/3.6 strong Wolfe line search).
 * Written as a stepper: each pinn_lbfgs_step call is one iteration, so a training loop can log,
 * checkpoint or switch optimizers between iterations.  All buffers are allocated at init. */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "pinnc/optim.h"

/* Tag at the front of a saved state ("LBF1" read as a 32-bit number; exact in a double). */
#define LBFGS_STATE_TAG 1279411761.0
#define LBFGS_STATE_HEADER 11

static const char *const reason_names[PINN_LBFGS_REASON_COUNT] = {
    [PINN_LBFGS_RUNNING] = "running",     [PINN_LBFGS_GTOL] = "gtol",
    [PINN_LBFGS_FTOL] = "ftol",           [PINN_LBFGS_XTOL] = "xtol",
    [PINN_LBFGS_MAX_ITER] = "max_iter",   [PINN_LBFGS_MAX_EVALS] = "max_evals",
    [PINN_LBFGS_LINE_SEARCH] = "line_search", [PINN_LBFGS_NUMERIC] = "numeric",
};

/* Returns the static name of r, "unknown" when out of range. */
const char *pinn_lbfgs_reason_to_string(pinn_lbfgs_reason r) {
    if ((int)r < 0 || r >= PINN_LBFGS_REASON_COUNT) return "unknown";
    return reason_names[r];
}

/* The defaults documented in optim.h. */
void pinn_lbfgs_config_default(pinn_lbfgs_config *cfg) {
    memset(cfg, 0, sizeof *cfg);
    cfg->memory = 10;
    cfg->gtol = 1e-7;
    cfg->ftol = 1e-12;
    cfg->xtol = 0.0;
    cfg->max_iter = 1000;
    cfg->max_evals = 2500;
    cfg->c1 = 1e-4;
    cfg->c2 = 0.9;
    cfg->max_ls_evals = 25;
    cfg->curvature_eps = 1e-10;
    cfg->first_step = 1.0;
    cfg->fnoise = sizeof(pinn_real) < sizeof(double) ? 1e-5 : 1e-12;
}

/* ---- small vector helpers (accumulate in double) ---- */

static double dot(const pinn_real *a, const pinn_real *b, size_t n) {
    double s = 0.0;
    for (size_t i = 0; i < n; i++) s += (double)a[i] * (double)b[i];
    return s;
}

/* max |a_i|; NaN if any entry is NaN or infinite. */
static double norm_inf(const pinn_real *a, size_t n) {
    double m = 0.0;
    for (size_t i = 0; i < n; i++) {
        double v = fabs((double)a[i]);
        if (!(v <= DBL_MAX)) return NAN;
        if (v > m) m = v;
    }
    return m;
}

/* Validates cfg and allocates every buffer in one block; opt owns it until pinn_lbfgs_free. */
pinn_status pinn_lbfgs_init(pinn_lbfgs *opt, size_t n, const pinn_lbfgs_config *cfg, pinn_error *err) {
    if (!opt) return pinn_error_set(err, PINN_ERR_INVALID, "lbfgs: NULL optimizer");
    memset(opt, 0, sizeof *opt);
    if (!cfg) return pinn_error_set(err, PINN_ERR_INVALID, "lbfgs: NULL config");
    if (n == 0) return pinn_error_set(err, PINN_ERR_INVALID, "lbfgs: parameter count must be > 0");
    if (cfg->memory < 1 || cfg->memory > 100000)
        return pinn_error_set(err, PINN_ERR_INVALID, "lbfgs: memory must be in [1, 100000], got %d", cfg->memory);
    if (!(cfg->c1 > 0.0 && cfg->c1 < cfg->c2 && cfg->c2 < 1.0))
        return pinn_error_set(err, PINN_ERR_INVALID, "lbfgs: need 0 < c1 < c2 < 1, got c1=%g c2=%g", cfg->c1,
                              cfg->c2);
    if (cfg->max_ls_evals < 1)
        return pinn_error_set(err, PINN_ERR_INVALID, "lbfgs: max_ls_evals must be >= 1, got %d", cfg->max_ls_evals);
    if (!(cfg->curvature_eps >= 0.0))
        return pinn_error_set(err, PINN_ERR_INVALID, "lbfgs: curvature_eps must be >= 0, got %g", cfg->curvature_eps);
    if (!(cfg->first_step > 0.0) || !isfinite(cfg->first_step))
        return pinn_error_set(err, PINN_ERR_INVALID, "lbfgs: first_step must be > 0, got %g", cfg->first_step);
    if (!(cfg->fnoise >= 0.0 && cfg->fnoise < 1.0))
        return pinn_error_set(err, PINN_ERR_INVALID, "lbfgs: fnoise must be in [0, 1), got %g", cfg->fnoise);
    if (isnan(cfg->gtol) || isnan(cfg->ftol) || isnan(cfg->xtol))
        return pinn_error_set(err, PINN_ERR_INVALID, "lbfgs: tolerances must not be NaN");
    const size_t m = (size_t)cfg->memory;
    if (n > (SIZE_MAX / sizeof(pinn_real) - 4) / (2 * m + 4))
        return pinn_error_set(err, PINN_ERR_NOMEM, "lbfgs: %zu parameters x memory %zu is too large", n, m);
    pinn_real *block = calloc((2 * m + 4) * n, sizeof *block);
    double *scal = calloc(2 * m, sizeof *scal);
    if (!block || !scal) {
        free(block);
        free(scal);
        return pinn_error_set(err, PINN_ERR_NOMEM, "lbfgs: cannot allocate history for %zu parameters", n);
    }
    opt->n = n;
    opt->cfg = *cfg;
    opt->m = cfg->memory;
    opt->s = block;
    opt->y = block + m * n;
    opt->d = block + 2 * m * n;
    opt->x0 = opt->d + n;
    opt->g0 = opt->x0 + n;
    opt->xlast = opt->g0 + n;
    opt->rho = scal;
    opt->alpha = scal + m;
    return PINN_OK;
}

/* Frees the two blocks (s and rho own them) and empties opt. */
void pinn_lbfgs_free(pinn_lbfgs *opt) {
    if (!opt) return;
    free(opt->s);
    free(opt->rho);
    memset(opt, 0, sizeof *opt);
}

/* Forgets the pairs (and optionally the counters). */
void pinn_lbfgs_reset(pinn_lbfgs *opt, int clear_counters) {
    if (!opt) return;
    opt->count = 0;
    opt->head = 0;
    opt->has_last = 0;
    if (clear_counters) {
        opt->iter = 0;
        opt->evals = 0;
        opt->skipped = 0;
        opt->restarts = 0;
        opt->last_step = 0.0;
    }
}

/* d = -H g by the two-loop recursion over the stored pairs, newest first, with H0 = gamma I,
 * gamma = s'y / y'y of the newest pair.  Requires count >= 1. */
static void two_loop(pinn_lbfgs *opt, const pinn_real *g) {
    const size_t n = opt->n;
    const int m = opt->m;
    pinn_real *restrict d = opt->d;
    memcpy(d, g, n * sizeof *d);
    for (int k = 0; k < opt->count; k++) {
        int j = (opt->head - 1 - k + 2 * m) % m;
        const pinn_real *sj = opt->s + (size_t)j * n, *yj = opt->y + (size_t)j * n;
        double a = opt->rho[j] * dot(sj, d, n);
        opt->alpha[j] = a;
        for (size_t i = 0; i < n; i++) d[i] = (pinn_real)((double)d[i] - a * (double)yj[i]);
    }
    int newest = (opt->head - 1 + m) % m;
    const pinn_real *yn = opt->y + (size_t)newest * n;
    double yy = dot(yn, yn, n);
    double gamma = 1.0 / (opt->rho[newest] * yy);
    for (size_t i = 0; i < n; i++) d[i] = (pinn_real)(gamma * (double)d[i]);
    for (int k = opt->count - 1; k >= 0; k--) {
        int j = (opt->head - 1 - k + 2 * m) % m;
        const pinn_real *sj = opt->s + (size_t)j * n, *yj = opt->y + (size_t)j * n;
        double b = opt->rho[j] * dot(yj, d, n);
        double c = opt->alpha[j] - b;
        for (size_t i = 0; i < n; i++) d[i] = (pinn_real)((double)d[i] + c * (double)sj[i]);
    }
    for (size_t i = 0; i < n; i++) d[i] = -d[i];
}

/* ---- strong Wolfe line search on phi(a) = f(x0 + a d) ---- */

typedef enum ls_result { LS_OK, LS_FAIL, LS_NUMERIC, LS_MAX_EVALS } ls_result;

/* Everything one line search needs; x and g are the caller's arrays used as trial buffers. */
typedef struct ls_ctx {
    pinn_lbfgs *opt;
    pinn_real *x, *g;
    pinn_fg_fn fg;
    void *ctx;
    double f0, dphi0;  /* phi(0), phi'(0) < 0 */
    double dmax;       /* ||d||_inf */
    double xscale;     /* ||x0||_inf, floored: an interval below rounding of x is useless */
    int evals;         /* evaluations in this search */
    double phi;        /* value at the last evaluated point */
} ls_ctx;

/* Evaluates phi and phi' at a (x = x0 + a d).  Respects max_ls_evals and max_evals. */
static ls_result ls_eval(ls_ctx *c, double a, double *phi, double *dphi) {
    pinn_lbfgs *opt = c->opt;
    if (c->evals >= opt->cfg.max_ls_evals) return LS_FAIL;
    if (opt->cfg.max_evals > 0 && opt->evals >= opt->cfg.max_evals) return LS_MAX_EVALS;
    const size_t n = opt->n;
    for (size_t i = 0; i < n; i++) c->x[i] = (pinn_real)((double)opt->x0[i] + a * (double)opt->d[i]);
    double fv = c->fg(c->ctx, c->x, c->g);
    c->evals++;
    opt->evals++;
    double dv = dot(c->g, opt->d, n); /* NaN/Inf in any g_i makes this non-finite */
    if (!isfinite(fv) || !isfinite(dv)) return LS_NUMERIC;
    *phi = fv;
    *dphi = dv;
    c->phi = fv;
    return LS_OK;
}

/* Sufficient decrease at step a.  Normally the Armijo test on values; when the change of f is
 * within its rounding noise, the same test on the secant (trapezoid) estimate of the change,
 * a (phi'(0) + phi'(a)) / 2 <= c1 a phi'(0), which needs only the reliable slopes. */
static int ls_decrease(const ls_ctx *c, double a, double phi, double dphi) {
    const double c1 = c->opt->cfg.c1;
    if (phi <= c->f0 + c1 * a * c->dphi0) return 1;
    return c->opt->cfg.fnoise > 0.0 && fabs(phi - c->f0) <= c->opt->cfg.fnoise * fabs(c->f0) &&
           dphi <= (2.0 * c1 - 1.0) * c->dphi0;
}

/* Minimiser of the cubic matching values and slopes at a and b (N&W eq. 3.59); NaN if none. */
static double cubic_min(double a, double fa, double da, double b, double fb, double db) {
    double d1 = da + db - 3.0 * (fa - fb) / (a - b);
    double disc = d1 * d1 - da * db;
    if (!(disc >= 0.0)) return NAN;
    double d2 = copysign(sqrt(disc), b - a);
    double den = db - da + 2.0 * d2;
    if (den == 0.0) return NAN;
    return b - (b - a) * (db + d2 - d1) / den;
}

/* Minimiser of the quadratic matching fa, da at a and fb at b; NaN if it opens downwards. */
static double quad_min(double a, double fa, double da, double b, double fb) {
    double h = b - a;
    double c = (fb - fa - da * h) / (h * h);
    if (!(c > 0.0)) return NAN;
    return a - da / (2.0 * c);
}

/* Zoom (N&W Alg. 3.6): lo satisfies sufficient decrease and has the lowest value seen; the
 * interval between lo and hi contains strong Wolfe points.  Trial points come from the cubic,
 * else the quadratic, else bisection, kept 10% away from both ends. */
static ls_result ls_zoom(ls_ctx *c, double lo, double flo, double dlo, double hi, double fhi, double dhi,
                         double *alpha) {
    const double c2 = c->opt->cfg.c2;
    for (;;) {
        double width = fabs(hi - lo);
        if (width * c->dmax <= DBL_EPSILON * c->xscale) return LS_FAIL; /* no representable progress */
        double amin = fmin(lo, hi), amax = fmax(lo, hi), margin = 0.1 * width;
        double a = cubic_min(lo, flo, dlo, hi, fhi, dhi);
        if (!(a >= amin + margin && a <= amax - margin)) {
            a = quad_min(lo, flo, dlo, hi, fhi);
            if (!(a >= amin + margin && a <= amax - margin)) a = 0.5 * (lo + hi);
        }
        double phi, dphi;
        ls_result r = ls_eval(c, a, &phi, &dphi);
        if (r != LS_OK) return r;
        if (!ls_decrease(c, a, phi, dphi) || phi >= flo) {
            hi = a;
            fhi = phi;
            dhi = dphi;
        } else {
            if (fabs(dphi) <= -c2 * c->dphi0) {
                *alpha = a;
                return LS_OK;
            }
            if (dphi * (hi - lo) >= 0.0) {
                hi = lo;
                fhi = flo;
                dhi = dlo;
            }
            lo = a;
            flo = phi;
            dlo = dphi;
        }
    }
}

/* Bracketing phase (N&W Alg. 3.5) from the trial step a1.  On LS_OK x, g hold the accepted point
 * (always the last one evaluated) and *alpha its step. */
static ls_result line_search(ls_ctx *c, double a1, double *alpha) {
    const double c2 = c->opt->cfg.c2;
    /* the farthest trial allowed: a step 1e10 times the size of x (or of 1) */
    const double amax_step = 1e10 * fmax(1.0, c->xscale) / c->dmax;
    double aprev = 0.0, fprev = c->f0, dprev = c->dphi0;
    double a = fmin(a1, amax_step);
    for (int i = 1;; i++) {
        double phi, dphi;
        ls_result r = ls_eval(c, a, &phi, &dphi);
        if (r != LS_OK) return r;
        if (!ls_decrease(c, a, phi, dphi) || (i > 1 && phi >= fprev))
            return ls_zoom(c, aprev, fprev, dprev, a, phi, dphi, alpha);
        if (fabs(dphi) <= -c2 * c->dphi0) {
            *alpha = a;
            return LS_OK;
        }
        if (dphi >= 0.0) return ls_zoom(c, a, phi, dphi, aprev, fprev, dprev, alpha);
        /* still descending: extrapolate, between 1.1 and 4 times the last increment beyond a */
        if (a >= amax_step) return LS_FAIL;
        double lo = a + 1.1 * (a - aprev), hi = a + 4.0 * (a - aprev);
        double an = cubic_min(aprev, fprev, dprev, a, phi, dphi);
        if (!(an >= lo)) an = (an > a) ? lo : hi; /* a minimiser just past a: take the small step */
        if (an > hi) an = hi;
        aprev = a;
        fprev = phi;
        dprev = dphi;
        a = fmin(an, amax_step);
    }
}

/* Puts x, f, g back to the line search start and remembers it as the last point. */
static void restore_start(pinn_lbfgs *opt, pinn_real *x, double *f, pinn_real *g, double f0) {
    const size_t n = opt->n;
    memcpy(x, opt->x0, n * sizeof *x);
    memcpy(g, opt->g0, n * sizeof *g);
    *f = f0;
    memcpy(opt->xlast, x, n * sizeof *x);
    opt->has_last = 1;
}

/* One iteration; see optim.h for the contract and docs/optimizers.md for the algorithm. */
pinn_status pinn_lbfgs_step(pinn_lbfgs *opt, pinn_real *x, double *f, pinn_real *g, pinn_fg_fn fg, void *ctx,
                            pinn_lbfgs_reason *reason, pinn_error *err) {
    if (!reason) return pinn_error_set(err, PINN_ERR_INVALID, "lbfgs step: NULL reason");
    *reason = PINN_LBFGS_RUNNING;
    if (!opt || !opt->s || !x || !f || !g || !fg)
        return pinn_error_set(err, PINN_ERR_INVALID, "lbfgs step: NULL argument");
    const pinn_lbfgs_config *cfg = &opt->cfg;
    const size_t n = opt->n;

    /* tests that need no evaluation */
    if (cfg->max_iter > 0 && opt->iter >= cfg->max_iter) {
        *reason = PINN_LBFGS_MAX_ITER;
        return PINN_OK;
    }
    if (cfg->max_evals > 0 && opt->evals >= cfg->max_evals) {
        *reason = PINN_LBFGS_MAX_EVALS;
        return PINN_OK;
    }
    double gmax = norm_inf(g, n);
    if (!isfinite(*f) || !isfinite(gmax)) {
        *reason = PINN_LBFGS_NUMERIC;
        return pinn_error_set(err, PINN_ERR_NUMERIC, "lbfgs: f or g is NaN/Inf at the given point (f = %g)", *f);
    }
    if (gmax <= cfg->gtol || gmax == 0.0) { /* a zero gradient leaves no descent direction */
        *reason = PINN_LBFGS_GTOL;
        return PINN_OK;
    }
    double xnorm = norm_inf(x, n);
    if (!isfinite(xnorm)) {
        *reason = PINN_LBFGS_NUMERIC;
        return pinn_error_set(err, PINN_ERR_NUMERIC, "lbfgs: x contains NaN/Inf");
    }

    /* a point other than where we stopped: the pairs describe another neighbourhood */
    if (opt->has_last && memcmp(x, opt->xlast, n * sizeof *x) != 0) opt->count = opt->head = 0;
    memcpy(opt->x0, x, n * sizeof *x);
    memcpy(opt->g0, g, n * sizeof *g);
    const double f0 = *f;

    ls_ctx c = {.opt = opt, .x = x, .g = g, .fg = fg, .ctx = ctx, .f0 = f0,
                .xscale = fmax(xnorm, DBL_MIN)};
    double alpha = 0.0;
    for (;;) {
        int steepest = (opt->count == 0);
        double dphi0 = 0.0;
        if (!steepest) {
            two_loop(opt, opt->g0);
            dphi0 = dot(opt->g0, opt->d, n);
            if (!(dphi0 < 0.0) || !isfinite(norm_inf(opt->d, n))) { /* not a descent direction */
                opt->count = opt->head = 0;
                opt->restarts++;
                steepest = 1;
            }
        }
        if (steepest) {
            for (size_t i = 0; i < n; i++) opt->d[i] = -opt->g0[i];
            dphi0 = -dot(opt->g0, opt->g0, n);
        }
        c.dphi0 = dphi0;
        c.dmax = norm_inf(opt->d, n);
        c.evals = 0;
        double a1 = steepest ? fmin(1.0, cfg->first_step / sqrt(-dphi0)) : 1.0;
        ls_result r = line_search(&c, a1, &alpha);
        if (r == LS_OK) break;
        restore_start(opt, x, f, g, f0);
        if (r == LS_NUMERIC) {
            *reason = PINN_LBFGS_NUMERIC;
            return pinn_error_set(err, PINN_ERR_NUMERIC,
                                  "lbfgs iteration %lld: f or g became NaN/Inf in the line search; "
                                  "x restored to the last good point",
                                  (long long)opt->iter + 1);
        }
        if (r == LS_MAX_EVALS) {
            *reason = PINN_LBFGS_MAX_EVALS;
            return PINN_OK;
        }
        if (steepest) {
            *reason = PINN_LBFGS_LINE_SEARCH;
            return PINN_OK;
        }
        opt->count = opt->head = 0; /* the quasi-Newton direction failed: retry along -g */
        opt->restarts++;
    }
    *f = c.phi;

    /* curvature pair; kept only if s'y is safely positive */
    double sy = 0.0, ss = 0.0, yy = 0.0, smax = 0.0;
    for (size_t i = 0; i < n; i++) {
        double si = (double)x[i] - (double)opt->x0[i], yi = (double)g[i] - (double)opt->g0[i];
        sy += si * yi;
        ss += si * si;
        yy += yi * yi;
        if (fabs(si) > smax) smax = fabs(si);
    }
    if (sy > cfg->curvature_eps * sqrt(ss) * sqrt(yy) && sy > 0.0) {
        pinn_real *sj = opt->s + (size_t)opt->head * n, *yj = opt->y + (size_t)opt->head * n;
        for (size_t i = 0; i < n; i++) {
            sj[i] = (pinn_real)((double)x[i] - (double)opt->x0[i]);
            yj[i] = (pinn_real)((double)g[i] - (double)opt->g0[i]);
        }
        opt->rho[opt->head] = 1.0 / sy;
        opt->head = (opt->head + 1) % opt->m;
        if (opt->count < opt->m) opt->count++;
    } else {
        opt->skipped++;
    }
    opt->iter++;
    opt->last_step = alpha;
    memcpy(opt->xlast, x, n * sizeof *x);
    opt->has_last = 1;

    /* stopping tests at the new point */
    double f1 = *f;
    double gnew = norm_inf(g, n);
    double xnew = norm_inf(x, n);
    if (gnew <= cfg->gtol || gnew == 0.0)
        *reason = PINN_LBFGS_GTOL;
    else if (cfg->ftol > 0.0 && fabs(f0 - f1) <= cfg->ftol * fmax(fmax(fabs(f0), fabs(f1)), 1.0))
        *reason = PINN_LBFGS_FTOL;
    else if (cfg->xtol > 0.0 && smax <= cfg->xtol * fmax(1.0, xnew))
        *reason = PINN_LBFGS_XTOL;
    else if (cfg->max_iter > 0 && opt->iter >= cfg->max_iter)
        *reason = PINN_LBFGS_MAX_ITER;
    else if (cfg->max_evals > 0 && opt->evals >= cfg->max_evals)
        *reason = PINN_LBFGS_MAX_EVALS;
    return PINN_OK;
}

/* Evaluates the start point, then steps until a stopping test fires. */
pinn_status pinn_lbfgs_minimize(pinn_lbfgs *opt, pinn_real *x, double *f, pinn_real *g, pinn_fg_fn fg, void *ctx,
                                pinn_lbfgs_reason *reason, pinn_error *err) {
    pinn_lbfgs_reason local;
    if (!reason) reason = &local;
    *reason = PINN_LBFGS_RUNNING;
    if (!opt || !opt->s || !x || !f || !g || !fg)
        return pinn_error_set(err, PINN_ERR_INVALID, "lbfgs minimize: NULL argument");
    *f = fg(ctx, x, g);
    opt->evals++;
    pinn_status st = PINN_OK;
    while (st == PINN_OK && *reason == PINN_LBFGS_RUNNING) st = pinn_lbfgs_step(opt, x, f, g, fg, ctx, reason, err);
    return st;
}

size_t pinn_lbfgs_state_size(const pinn_lbfgs *opt) {
    const size_t m = (size_t)opt->m, n = opt->n;
    return LBFGS_STATE_HEADER + m + 2 * m * n + n;
}

/* Layout: [tag, n, m, count, head, has_last, iter, evals, skipped, restarts, last_step,
 *          rho[m], s[m][n], y[m][n], xlast[n]]. */
void pinn_lbfgs_state_save(const pinn_lbfgs *opt, double *buf) {
    const size_t m = (size_t)opt->m, n = opt->n;
    buf[0] = LBFGS_STATE_TAG;
    buf[1] = (double)n;
    buf[2] = (double)m;
    buf[3] = (double)opt->count;
    buf[4] = (double)opt->head;
    buf[5] = (double)opt->has_last;
    buf[6] = (double)opt->iter;
    buf[7] = (double)opt->evals;
    buf[8] = (double)opt->skipped;
    buf[9] = (double)opt->restarts;
    buf[10] = opt->last_step;
    double *p = buf + LBFGS_STATE_HEADER;
    for (size_t j = 0; j < m; j++) *p++ = opt->rho[j];
    for (size_t i = 0; i < m * n; i++) *p++ = (double)opt->s[i];
    for (size_t i = 0; i < m * n; i++) *p++ = (double)opt->y[i];
    for (size_t i = 0; i < n; i++) *p++ = (double)opt->xlast[i];
}

/* True if v is a whole number in [0, hi]. */
static int whole_in(double v, double hi) { return v >= 0.0 && v <= hi && v == floor(v); }

/* Validates the header before touching opt. */
pinn_status pinn_lbfgs_state_load(pinn_lbfgs *opt, const double *buf, pinn_error *err) {
    if (!opt || !opt->s || !buf) return pinn_error_set(err, PINN_ERR_INVALID, "lbfgs state load: NULL argument");
    const size_t m = (size_t)opt->m, n = opt->n;
    const double big = 9007199254740992.0; /* 2^53 */
    if (buf[0] != LBFGS_STATE_TAG)
        return pinn_error_set(err, PINN_ERR_INVALID, "lbfgs state load: not an L-BFGS state (bad tag)");
    if (buf[1] != (double)n || buf[2] != (double)m)
        return pinn_error_set(err, PINN_ERR_INVALID,
                              "lbfgs state load: state is for n=%g, memory=%g; optimizer has n=%zu, memory=%zu",
                              buf[1], buf[2], n, m);
    if (!whole_in(buf[3], (double)m) || !whole_in(buf[4], (double)m - 1) || !whole_in(buf[5], 1.0) ||
        !whole_in(buf[6], big) || !whole_in(buf[7], big) || !whole_in(buf[8], big) || !whole_in(buf[9], big))
        return pinn_error_set(err, PINN_ERR_INVALID, "lbfgs state load: corrupt header");
    opt->count = (int)buf[3];
    opt->head = (int)buf[4];
    opt->has_last = (int)buf[5];
    opt->iter = (int64_t)buf[6];
    opt->evals = (int64_t)buf[7];
    opt->skipped = (int64_t)buf[8];
    opt->restarts = (int64_t)buf[9];
    opt->last_step = buf[10];
    const double *p = buf + LBFGS_STATE_HEADER;
    for (size_t j = 0; j < m; j++) opt->rho[j] = *p++;
    for (size_t i = 0; i < m * n; i++) opt->s[i] = (pinn_real)*p++;
    for (size_t i = 0; i < m * n; i++) opt->y[i] = (pinn_real)*p++;
    for (size_t i = 0; i < n; i++) opt->xlast[i] = (pinn_real)*p++;
    return PINN_OK;
}
