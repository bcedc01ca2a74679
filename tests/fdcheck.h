/* fdcheck.h - finite-difference checks of jet graphs, shared by the engine tests.
 *
 * Input derivatives: stream alpha is compared with a five-point central difference, in one input
 * i with alpha_i > 0, of stream alpha - e_i computed by the same tape; by induction from the value
 * stream this checks every stream of the plan.  Every point moves at once (points are independent).
 * Parameter gradients: the loss L = sum_s sum_p,j (c_s J^2/2 + e_s J) over the output jet, its
 * backward gradient against five-point differences in each parameter. */
#ifndef PINN_TESTS_FDCHECK_H
#define PINN_TESTS_FDCHECK_H

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "pinnc.h"

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

static inline double fd_loss(const pinn_real *J, size_t per, int S) {
    double L = 0;
    for (int s = 0; s < S; s++) {
        double c = 0.3 + 0.1 * s, e = 0.05 * (s % 3) - 0.05;
        for (size_t k = 0; k < per; k++) L += 0.5 * c * J[s * per + k] * J[s * per + k] + e * J[s * per + k];
    }
    return L;
}

/* Runs both checks for graph g (its output set) under plan at n points drawn in [lo, hi]^d. */
static inline fd_result fd_check(const pinn_graph *g, const pinn_plan *plan, pinn_real *params, int n, double lo, double hi,
                          int general, unsigned seed) {
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
    pinn_rng rng;
    pinn_rng_seed(&rng, seed);
    pinn_real *x = malloc(sizeof(pinn_real) * (size_t)n * d), *xp = malloc(sizeof(pinn_real) * (size_t)n * d);
    pinn_real *J = malloc(sizeof(pinn_real) * per * S), *Jm[4];
    for (int k = 0; k < 4; k++) Jm[k] = malloc(sizeof(pinn_real) * per * S);
    for (int i = 0; i < n * d; i++) x[i] = lo + (hi - lo) * pinn_rng_uniform(&rng);
    pinn_tape_forward(t, params, x, n);
    memcpy(J, pinn_tape_output(t), sizeof(pinn_real) * per * S);
    /* input derivatives */
    const double hx = 1e-3, off[4] = {2, 1, -1, -2};
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
            double e = sqrt(num) / fmax(sqrt(den), 1e-3 * sqrt((double)per));
            if (e > r.in_err[ord]) r.in_err[ord] = e;
        }
    }
    /* parameter gradient */
    pinn_real *G = calloc(np ? np : 1, sizeof(pinn_real));
    pinn_tape_forward(t, params, x, n);
    pinn_tape_zero_grad(t);
    pinn_real *gJ = pinn_tape_output_grad(t);
    const pinn_real *O = pinn_tape_output(t);
    for (int s = 0; s < S; s++) {
        double c = 0.3 + 0.1 * s, e = 0.05 * (s % 3) - 0.05;
        for (size_t k = 0; k < per; k++) gJ[s * per + k] = c * O[s * per + k] + e;
    }
    pinn_tape_backward(t, params, G);
    double num = 0, den = 0, gmax = 0, emax = 0;
    for (size_t k = 0; k < np; k++) {
        double save = params[k], hp = 1e-4 * fmax(1.0, fabs(save)), Lk[4];
        for (int q = 0; q < 4; q++) {
            params[k] = save + off[q] * hp;
            pinn_tape_forward(t, params, x, n);
            Lk[q] = fd_loss(pinn_tape_output(t), per, S);
        }
        params[k] = save;
        double fd = (-Lk[0] + 8 * Lk[1] - 8 * Lk[2] + Lk[3]) / (12 * hp);
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

#endif
