/* fdcheck.h - finite-difference checks of jet graphs, shared by the engine tests.
 *
 * Input derivatives: stream alpha is compared with a five-point central difference, in one input
 * i with alpha_i > 0, of stream alpha - e_i computed by the same tape; by induction from the value
 * stream this checks every stream of the plan.  Every point moves at once (points are independent).
 * Parameter gradients: the loss L = sum_s sum_p,j (c_s J^2/2 + e_s J) over the output jet, its
 * backward gradient against five-point differences in each parameter.
 *
 * Steps and precision.  A five-point difference with step h has truncation error h^4 f^(5) / 30
 * and loses about 1.5 eps |f| / h to rounding, so the best step is about eps^(1/5): 1e-3 (inputs)
 * and 1e-4 max(1, |p|) (parameters) in double, 2^-6 for both in float (eps^(1/5) = 0.04, a bit
 * smaller because the tape's own float error, a few ulps, adds to the rounding).  In float the
 * input points are rounded to multiples of 2^-12 so that x +- h, x +- 2h are exact, and the
 * parameter difference uses the offsets a parameter really moved by (save + 2h rounds to
 * pinn_real).  Tolerances (FD_TOL_IN(order), FD_TOL_PAR): double 1e-6 (orders 1-2), 1e-4 (3-4),
 * 1e-6 (parameters); float 2e-4, 1e-3, 1e-4, where every op and model errs by at most ~4e-5
 * (test_jet_fd, test_models_fd with PINN_TEST_VERBOSE=1) and a wrong derivative (a dropped Faa di
 * Bruno or Leibniz term, a wrong coefficient) errs by 1e-2 or more. */
#ifndef PINN_TESTS_FDCHECK_H
#define PINN_TESTS_FDCHECK_H

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "pinnc.h"

#define FD_H_IN PINN_TEST_TOL(1e-3, 0x1p-6)  /* input step */
#define FD_H_PAR PINN_TEST_TOL(1e-4, 0x1p-6) /* parameter step, times max(1, |p|) */
/* tolerances on fd_result.in_err[order] and fd_result.par_err */
/* streams with rms below FD_FLOOR are judged by their absolute error (an exactly-zero stream's
 * difference is pure rounding noise, ~1e-6 in float) */
#define FD_FLOOR PINN_TEST_TOL(1e-3, 1e-1)
#define FD_TOL_IN(order) ((order) <= 2 ? PINN_TEST_TOL(1e-6, 2e-4) : PINN_TEST_TOL(1e-4, 1e-3))
#define FD_TOL_PAR PINN_TEST_TOL(1e-6, 1e-4)

/* The full plan of every multi-index of total order <= order in d inputs. */
static inline pinn_plan *fd_full_plan(int d, int order) {
    int req[256 * PINN_MAX_INPUTS];
    int n = 0;
    int a[PINN_MAX_INPUTS] = {0};
    for (;;) {
        int o = 0;
        for (int i = 0; i < d; i++) o += a[i];
        if (o == order) memcpy(req + n++ * PINN_MAX_INPUTS, a, sizeof a);
        int i = 0;
        while (i < d && a[i] == order) a[i++] = 0;
        if (i == d) break;
        a[i]++;
    }
    pinn_plan *p = NULL;
    pinn_error err;
    if (pinn_plan_init(&p, d, n, req, &err) != PINN_OK) fprintf(stderr, "plan: %s\n", err.msg);
    return p;
}

typedef struct fd_result {
    double in_err[PINN_MAX_ORDER + 1]; /* worst relative error of the input derivatives, by order */
    double par_err;                    /* relative error (2-norm) of the parameter gradient */
    double par_max;                    /* worst elementwise error relative to the gradient's max */
} fd_result;

/* d/dt at 0 of the quartic through (0, f0) and (t[q], f[q]), q < 4: the five-point central
 * difference (-f[0] + 8 f[1] - 8 f[2] + f[3]) / 12h when t = {2h, h, -h, -2h}, and just as accurate
 * for the slightly uneven offsets a rounded parameter really moves by. */
static inline double fd_deriv5(const double t[4], const double f[4], double f0) {
    double d = 0, w0 = 0;
    for (int j = 0; j < 4; j++) {
        double num = 1, den = t[j];
        for (int m = 0; m < 4; m++)
            if (m != j) num *= -t[m], den *= t[j] - t[m];
        d += num / den * f[j];
        w0 -= num / den;
    }
    return d + w0 * f0;
}

static inline double fd_loss(const pinn_real *J, size_t per, int S) {
    double L = 0;
    for (int s = 0; s < S; s++) {
        double c = 0.3 + 0.1 * s, e = 0.05 * (s % 3) - 0.05;
        for (size_t k = 0; k < per; k++) L += 0.5 * c * J[s * per + k] * J[s * per + k] + e * J[s * per + k];
    }
    return L;
}

/* Runs both checks for graph g (its output set) under plan at the n points x0 (n x d). */
static inline fd_result fd_check_at(const pinn_graph *g, const pinn_plan *plan, pinn_real *params, int n,
                                    const pinn_real *x0, int general) {
    fd_result r;
    memset(&r, 0, sizeof r);
    int d = pinn_plan_inputs(plan), S = pinn_plan_size(plan);
    int w = pinn_graph_width(g, pinn_graph_output(g));
    size_t per = (size_t)n * (size_t)w, np = pinn_graph_nparams(g);
    pinn_error err;
    pinn_tape *t = NULL;
    if (pinn_tape_init(&t, g, plan, n, &err) != PINN_OK) {
        fprintf(stderr, "tape: %s\n", err.msg);
        r.par_err = r.in_err[0] = INFINITY;
        return r;
    }
    pinn_tape_set_general(t, general);
    pinn_real *x = malloc(sizeof(pinn_real) * (size_t)n * d), *xp = malloc(sizeof(pinn_real) * (size_t)n * d);
    pinn_real *J = malloc(sizeof(pinn_real) * per * S), *Jm[4];
    for (int k = 0; k < 4; k++) Jm[k] = malloc(sizeof(pinn_real) * per * S);
    memcpy(x, x0, sizeof(pinn_real) * (size_t)n * d);
    pinn_tape_forward(t, params, x, n);
    memcpy(J, pinn_tape_output(t), sizeof(pinn_real) * per * S);
    /* input derivatives */
    const double hx = FD_H_IN, off[4] = {2, 1, -1, -2};
    for (int i = 0; i < d; i++) {
        for (int k = 0; k < 4; k++) {
            memcpy(xp, x, sizeof(pinn_real) * (size_t)n * d);
            for (int p = 0; p < n; p++) xp[p * d + i] += off[k] * hx;
            pinn_tape_forward(t, params, xp, n);
            memcpy(Jm[k], pinn_tape_output(t), sizeof(pinn_real) * per * S);
        }
        for (int s = 1; s < S; s++) {
            const int *al = pinn_plan_alpha(plan, s);
            int first = -1, ord = 0;
            for (int q = 0; q < d; q++) {
                ord += al[q];
                if (al[q] > 0 && first < 0) first = q;
            }
            if (first != i) continue;
            int par[PINN_MAX_INPUTS];
            memcpy(par, al, sizeof par);
            par[i]--;
            int ps = pinn_plan_index(plan, par);
            double num = 0, den = 0;
            for (size_t k = 0; k < per; k++) {
                double fd = (-Jm[0][ps * per + k] + 8 * Jm[1][ps * per + k] - 8 * Jm[2][ps * per + k] +
                             Jm[3][ps * per + k]) / (12 * hx);
                num += (fd - J[s * per + k]) * (fd - J[s * per + k]);
                den += fd * fd;
            }
            double e = sqrt(num) / fmax(sqrt(den), FD_FLOOR * sqrt((double)per));
            if (e > r.in_err[ord]) r.in_err[ord] = e;
        }
    }
    /* parameter gradient */
    pinn_real *G = calloc(np ? np : 1, sizeof(pinn_real));
    pinn_tape_forward(t, params, x, n);
    pinn_tape_zero_grad(t);
    pinn_real *gJ = pinn_tape_output_grad(t);
    const pinn_real *O = pinn_tape_output(t);
    double L0 = fd_loss(O, per, S);
    for (int s = 0; s < S; s++) {
        double c = 0.3 + 0.1 * s, e = 0.05 * (s % 3) - 0.05;
        for (size_t k = 0; k < per; k++) gJ[s * per + k] = c * O[s * per + k] + e;
    }
    pinn_tape_backward(t, params, G);
    double num = 0, den = 0, gmax = 0, emax = 0;
    for (size_t k = 0; k < np; k++) {
        double save = params[k], hp = FD_H_PAR * fmax(1.0, fabs(save)), Lk[4], tk[4];
        for (int q = 0; q < 4; q++) {
            params[k] = (pinn_real)(save + off[q] * hp);
            tk[q] = (double)params[k] - save;
            pinn_tape_forward(t, params, x, n);
            Lk[q] = fd_loss(pinn_tape_output(t), per, S);
        }
        params[k] = (pinn_real)save;
        double fd = fd_deriv5(tk, Lk, L0);
        num += (fd - G[k]) * (fd - G[k]);
        den += fd * fd;
        gmax = fmax(gmax, fabs(fd));
        emax = fmax(emax, fabs(fd - G[k]));
    }
    r.par_err = np ? sqrt(num) / fmax(sqrt(den), 1e-300) : 0;
    r.par_max = np ? emax / fmax(gmax, 1e-300) : 0;
    free(G);
    free(x);
    free(xp);
    free(J);
    for (int k = 0; k < 4; k++) free(Jm[k]);
    pinn_tape_free(t);
    return r;
}

/* n points drawn in [lo, hi]^d (n x d, caller frees); in float rounded to multiples of 2^-12, so
 * that x +- h, x +- 2h are exact. */
static inline pinn_real *fd_points(int n, int d, double lo, double hi, unsigned seed) {
    pinn_rng rng;
    pinn_rng_seed(&rng, seed);
    pinn_real *x = malloc(sizeof(pinn_real) * (size_t)n * d);
    for (int i = 0; i < n * d; i++) {
        x[i] = lo + (hi - lo) * pinn_rng_uniform(&rng);
        if (PINN_TEST_FLOAT) x[i] = ldexp(nearbyint(ldexp(x[i], 12)), -12); /* exact x +- h, x +- 2h */
    }
    return x;
}

/* Runs both checks for graph g (its output set) under plan at n points drawn in [lo, hi]^d. */
static inline fd_result fd_check(const pinn_graph *g, const pinn_plan *plan, pinn_real *params, int n, double lo, double hi,
                                 int general, unsigned seed) {
    pinn_real *x = fd_points(n, pinn_plan_inputs(plan), lo, hi, seed);
    fd_result r = fd_check_at(g, plan, params, n, x, general);
    free(x);
    return r;
}

#endif
