/* test_recipes.c - the MLP's training recipes against finite differences (input derivatives up to
 * order 4 and parameter gradients): periodic embedding, Fourier features, random weight
 * factorisation, the modified MLP, and all together; exact periodicity of the periodic embedding
 * (value and every derivative stream at x and x + period agree to rounding); the fixed Fourier
 * matrix is masked from the optimizer. */
#include <stdio.h>

#include "check.h"
#include "fdcheck.h"

/* FD checks of g (output set) under the full plans of orders 2 and 4 and the u_t, u_xx plan. */
static void check_graph(const char *name, pinn_graph *g, int d, double lo, double hi) {
    pinn_error err;
    CHECK(pinn_graph_status(g, &err) == PINN_OK, "%s: %s", name, err.msg);
    if (pinn_graph_status(g, &err) != PINN_OK) return;
    pinn_real *P = malloc(sizeof(pinn_real) * pinn_graph_nparams(g));
    pinn_rng r;
    pinn_rng_seed(&r, 5);
    pinn_graph_init_params(g, P, &r);
    for (size_t i = 0; i < pinn_graph_nparams(g); i++)
        if (P[i] == 0) P[i] = 0.1 * pinn_rng_normal(&r);
    for (int order = 2; order <= 4; order += 2) {
        pinn_plan *pl = fd_full_plan(d, order);
        fd_result res = fd_check(g, pl, P, 5, lo, hi, 0, 7);
        for (int o = 1; o <= order; o++)
            CHECK(res.in_err[o] <= FD_TOL_IN(o), "%s order %d: input derivative error %.3g", name, o, res.in_err[o]);
        /* float, order-4 plan: the loss sums 15 streams, whose rounding puts the differences at
         * ~2e-4 (a wrong gradient errs by 1e-2 or more); double keeps fdcheck.h's tolerance */
        double ptol = order >= 4 ? PINN_TEST_TOL(1e-6, 5e-4) : FD_TOL_PAR;
        CHECK(res.par_err <= ptol, "%s plan order %d: parameter gradient error %.3g", name, order, res.par_err);
        if (getenv("PINN_TEST_VERBOSE"))
            printf("%-24s ord%d in: %.1e %.1e %.1e %.1e  par: %.1e\n", name, order, res.in_err[1], res.in_err[2],
                   res.in_err[3], res.in_err[4], res.par_err);
        pinn_plan_free(pl);
    }
    int req[2 * PINN_MAX_INPUTS] = {0};
    req[0] = 1;                   /* d/dt */
    req[PINN_MAX_INPUTS + 1] = 2; /* d2/dx2 */
    pinn_plan *pl = NULL;
    CHECK(pinn_plan_init(&pl, d, 2, req, &err) == PINN_OK, "plan: %s", err.msg);
    fd_result res = fd_check(g, pl, P, 5, lo, hi, 0, 7);
    for (int o = 1; o <= 2; o++)
        CHECK(res.in_err[o] <= FD_TOL_IN(o), "%s u_t,u_xx plan order %d: %.3g", name, o, res.in_err[o]);
    CHECK(res.par_err <= FD_TOL_PAR, "%s u_t,u_xx plan: parameter gradient error %.3g", name, res.par_err);
    pinn_plan_free(pl);
    free(P);
}

/* A (t, x) network on [0,1] x [-1,1], x periodic when per, with the recipe's options. */
static pinn_graph *build(int per, int harm, int fourier, int rwf, int modified, pinn_mlp_spec *s) {
    pinn_graph *g;
    pinn_error err;
    pinn_graph_init(&g, 2, &err);
    pinn_mlp_spec_default(s, 2, 1, 3, 6, PINN_FN_TANH);
    s->normalize = 1;
    s->lo[0] = 0, s->hi[0] = 1, s->lo[1] = -1, s->hi[1] = 1;
    s->rec.period[1] = per ? 2.0 : 0.0;
    /* float: gentler frequencies, so that the five-point differences (step 2^-6, fdcheck.h) are
     * accurate enough to judge (their truncation error grows as frequency^5) */
    s->rec.harmonics = PINN_TEST_FLOAT ? 1 : harm;
    s->rec.fourier = fourier;
    s->rec.fourier_scale = PINN_TEST_FLOAT ? 0.5 : 1.5;
    s->rec.rwf = rwf;
    s->rec.rwf_mean = 0.5, s->rec.rwf_std = 0.1;
    s->rec.modified = modified;
    pinn_graph_set_output(g, pinn_mlp_build(g, 0, s));
    return g;
}

/* Largest difference of every output stream (order <= 3) between x and x + shift in input 1,
 * relative to the largest stream entry. */
static double shift_diff(pinn_graph *g, double shift) {
    pinn_plan *pl = fd_full_plan(2, 3);
    pinn_error err;
    pinn_tape *t = NULL;
    int n = 7, S = pinn_plan_size(pl);
    if (pinn_tape_init(&t, g, pl, n, &err) != PINN_OK) return INFINITY;
    size_t np = pinn_graph_nparams(g), per = (size_t)n * S;
    pinn_real *P = malloc(sizeof(pinn_real) * np), *x = malloc(sizeof(pinn_real) * 2 * n), *J = malloc(sizeof(pinn_real) * per);
    pinn_rng r;
    pinn_rng_seed(&r, 9);
    pinn_graph_init_params(g, P, &r);
    for (size_t i = 0; i < np; i++)
        if (P[i] == 0) P[i] = 0.1 * pinn_rng_normal(&r);
    for (int p = 0; p < n; p++) x[2 * p] = (pinn_real)(0.13 * p), x[2 * p + 1] = (pinn_real)(-0.95 + 0.27 * p);
    pinn_tape_forward(t, P, x, n);
    memcpy(J, pinn_tape_output(t), sizeof(pinn_real) * per);
    for (int p = 0; p < n; p++) x[2 * p + 1] += (pinn_real)shift;
    pinn_tape_forward(t, P, x, n);
    const pinn_real *K = pinn_tape_output(t);
    double dmax = 0, m = 0;
    for (size_t k = 0; k < per; k++) {
        double dk = fabs((double)J[k] - (double)K[k]);
        dmax = dk > dmax ? dk : dmax;
        m = fabs((double)J[k]) > m ? fabs((double)J[k]) : m;
    }
    pinn_tape_free(t);
    pinn_plan_free(pl);
    free(P), free(x), free(J);
    return dmax / (m > 0 ? m : 1);
}

int main(void) {
    pinn_mlp_spec s;
    pinn_graph *g;

    g = build(1, 2, 0, 0, 0, &s);
    check_graph("periodic x, 2 harmonics", g, 2, -0.8, 0.8);
    pinn_graph_free(g);
    g = build(0, 1, 4, 0, 0, &s);
    check_graph("fourier 4 features", g, 2, -0.8, 0.8);
    pinn_graph_free(g);
    g = build(0, 1, 0, 1, 0, &s);
    check_graph("rwf", g, 2, -0.8, 0.8);
    pinn_graph_free(g);
    g = build(0, 1, 0, 0, 1, &s);
    check_graph("modified", g, 2, -0.8, 0.8);
    pinn_graph_free(g);
    g = build(1, 1, 3, 1, 1, &s);
    check_graph("modified+periodic+ff+rwf", g, 2, -0.8, 0.8);

    /* exact periodicity in x (period 2), every stream to order 3, through all the layers */
    double tol = PINN_TEST_TOL(1e-12, 2e-5);
    double d1 = shift_diff(g, 2.0), d2 = shift_diff(g, -4.0);
    CHECK(d1 <= tol && d2 <= tol, "periodic embedding: u(x) vs u(x+2): %.3g, u(x-4): %.3g", d1, d2);
    /* the same network is not periodic under half a period, nor is a plain MLP under a period */
    double d3 = shift_diff(g, 1.0);
    CHECK(d3 > 1e-3, "half-period shift changed the output by only %.3g", d3);
    pinn_graph_free(g);
    g = build(0, 1, 3, 1, 1, &s);
    double d4 = shift_diff(g, 2.0);
    CHECK(d4 > 1e-3, "a network without the periodic embedding is periodic to %.3g", d4);
    pinn_graph_free(g);

    /* the fixed Fourier matrix is masked (and only it); trainable when asked */
    g = build(1, 1, 3, 0, 0, &s);
    const pinn_model_ops *mlp = pinn_model_find_builtin("mlp");
    size_t np = pinn_graph_nparams(g), masked = 0, ffb = 0;
    unsigned char *tr = malloc(np);
    memset(tr, 1, np);
    CHECK(mlp && mlp->param_mask, "mlp kind has no param_mask");
    if (mlp && mlp->param_mask) mlp->param_mask(&s, g, tr);
    for (size_t i = 0; i < np; i++) masked += !tr[i];
    for (int i = 0; i < pinn_graph_nslices(g); i++) {
        const char *name;
        size_t off, size;
        pinn_graph_slice(g, i, &name, &off, &size);
        if (strstr(name, ".ffB")) {
            ffb += size;
            for (size_t k = 0; k < size; k++) CHECK(!tr[off + k], "ffB entry %zu trainable", k);
        }
    }
    CHECK(ffb == 3 * 3 && masked == ffb, "masked %zu entries, Fourier matrix %zu", masked, ffb);
    s.rec.fourier_trainable = 1;
    memset(tr, 1, np);
    if (mlp && mlp->param_mask) mlp->param_mask(&s, g, tr);
    masked = 0;
    for (size_t i = 0; i < np; i++) masked += !tr[i];
    CHECK(masked == 0, "trainable Fourier matrix: %zu entries masked", masked);
    free(tr);
    pinn_graph_free(g);
    return CHECK_DONE();
}
