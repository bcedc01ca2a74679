/* test_jet_fd.c - every jet op, and the composite models, against finite differences:
 * input derivatives up to order 4 (<= 1e-6 for orders 1-2, <= 1e-4 for 3-4) and parameter
 * gradients of a loss built from all derivative streams (<= 1e-6), on the fast and general paths
 * (float build: 2e-4, 1e-3 and 1e-4, see fdcheck.h); the fused mixture also on the Laplacian plan. */
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "fdcheck.h"

/* A small non-affine feature jet: x -> affine(2->4) -> tanh -> affine(4->w). */
static int features(pinn_graph *g, int w, const char *tag) {
    char nm[32];
    snprintf(nm, sizeof nm, "%s.W0", tag);
    int W0 = pinn_graph_param(g, nm, 4, pinn_graph_width(g, 0), PINN_INIT_GLOROT_NORMAL, 0);
    snprintf(nm, sizeof nm, "%s.b0", tag);
    int b0 = pinn_graph_param(g, nm, 4, 1, PINN_INIT_CONST, 0.1);
    snprintf(nm, sizeof nm, "%s.W1", tag);
    int W1 = pinn_graph_param(g, nm, w, 4, PINN_INIT_GLOROT_NORMAL, 0);
    snprintf(nm, sizeof nm, "%s.b1", tag);
    int b1 = pinn_graph_param(g, nm, w, 1, PINN_INIT_CONST, -0.2);
    int h = pinn_graph_unary(g, PINN_FN_TANH, 0, pinn_graph_affine(g, 0, W0, b0));
    return pinn_graph_affine(g, h, W1, b1);
}

typedef int (*build_fn)(pinn_graph *g, int variant);
static int g_fn, g_k;

/* unary op on a general jet (variant 0) or directly on the first affine layer (variant 1) */
static int build_unary(pinn_graph *g, int variant) {
    int h;
    if (variant == 0) h = features(g, 3, "f");
    else {
        int W = pinn_graph_param(g, "W", 3, pinn_graph_width(g, 0), PINN_INIT_GLOROT_NORMAL, 0);
        int b = pinn_graph_param(g, "b", 3, 1, PINN_INIT_CONST, 0.05);
        h = pinn_graph_affine(g, 0, W, b);
    }
    pinn_fn f = (pinn_fn)g_fn;
    double p = f == PINN_FN_POW ? 2.5 : f == PINN_FN_RELUK ? g_k : 0;
    /* keep log/pow/recip/relu^k on a positive range: 1.2 + 0.3 * tanh(h) */
    if (f == PINN_FN_LOG || f == PINN_FN_POW || f == PINN_FN_RECIP || f == PINN_FN_RELUK)
        h = pinn_graph_scale_shift(g, pinn_graph_unary(g, PINN_FN_TANH, 0, h), 0.3, 1.2);
    return pinn_graph_set_output(g, pinn_graph_unary(g, f, p, h));
}

static int g_binop;
static int build_binary(pinn_graph *g, int variant) {
    int a = features(g, 3, "a");
    int b = features(g, variant ? 1 : 3, "b"); /* variant 1: broadcast a width-1 operand */
    int out = -1;
    switch (g_binop) {
    case 0: out = pinn_graph_add(g, a, b, 0.7, -1.3); break;
    case 1: out = pinn_graph_mul(g, a, b); break;
    case 2: out = pinn_graph_div(g, a, pinn_graph_scale_shift(g, pinn_graph_unary(g, PINN_FN_TANH, 0, b), 0.5, 2.0)); break;
    case 3: out = pinn_graph_concat(g, a, b); break;
    }
    return pinn_graph_set_output(g, out);
}

static int g_shape;
static int build_shape(pinn_graph *g, int variant) {
    int h = variant ? 0 : features(g, 4, "s");
    int w = pinn_graph_width(g, h), out = -1;
    double sc[4] = {0.5, -2.0, 1.5, 3.0}, sh[4] = {0.1, 0.2, -0.3, 0.4};
    switch (g_shape) {
    case 0: out = pinn_graph_sum(g, h); break;
    case 1: out = pinn_graph_softmax(g, h); break;
    case 2: out = pinn_graph_slice_cols(g, h, 1, w - 1); break;
    case 3: out = pinn_graph_colaffine(g, h, sc, sh); break;
    case 4: out = pinn_graph_scale_shift(g, h, -0.7, 0.25); break;
    }
    if (variant) { /* keep parameters in play: multiply by a feature jet */
        int f = features(g, 1, "m");
        out = pinn_graph_mul(g, out, f);
    }
    return pinn_graph_set_output(g, out);
}

/* the fused mixture: softmax weights over 3 feature jets of width 1 (variant 0) or 2 (variant 1) */
static int build_mix(pinn_graph *g, int variant) {
    int lam = pinn_graph_softmax(g, features(g, 3, "g")), u[3];
    char tag[8];
    for (int e = 0; e < 3; e++) {
        snprintf(tag, sizeof tag, "u%d", e);
        u[e] = features(g, variant ? 2 : 1, tag);
    }
    return pinn_graph_set_output(g, pinn_graph_mix(g, lam, 3, u));
}

/* Builds with `build`, checks at orders 2 (fast and general path) and 4, asserts the tolerances. */
static void run(const char *name, build_fn build, int variant, int d) {
    for (int order = 2; order <= 4; order += 2)
        for (int general = 0; general <= (order == 2); general++) {
            pinn_graph *g = NULL;
            pinn_error err;
            pinn_graph_init(&g, d, &err);
            build(g, variant);
            CHECK(pinn_graph_status(g, &err) == PINN_OK, "%s: %s", name, err.msg);
            pinn_real *P = malloc(sizeof(pinn_real) * (pinn_graph_nparams(g) + 1));
            pinn_rng r;
            pinn_rng_seed(&r, 7);
            pinn_graph_init_params(g, P, &r);
            pinn_plan *pl = fd_full_plan(d, order);
            fd_result res = fd_check(g, pl, P, 6, -0.9, 0.9, general, 11);
            for (int o = 1; o <= order; o++)
                CHECK(res.in_err[o] <= FD_TOL_IN(o), "%s v%d order %d%s: input derivative error %.3g", name,
                      variant, o, general ? " (general)" : "", res.in_err[o]);
            CHECK(res.par_err <= FD_TOL_PAR, "%s v%d plan order %d%s: parameter gradient error %.3g", name, variant, order,
                  general ? " (general)" : "", res.par_err);
            if (getenv("PINN_TEST_VERBOSE"))
                printf("%-22s v%d ord%d %s  in: %.1e %.1e %.1e %.1e  par: %.1e\n", name, variant, order,
                       general ? "gen " : "fast", res.in_err[1], res.in_err[2], res.in_err[3], res.in_err[4],
                       res.par_err);
            pinn_plan_free(pl);
            free(P);
            pinn_graph_free(g);
        }
}

int main(void) {
    char name[64];
    for (int f = 0; f < PINN_FN_COUNT; f++)
        for (int k = 1; k <= (f == PINN_FN_RELUK ? 4 : 1); k++)
            for (int v = 0; v < 2; v++) {
                g_fn = f;
                g_k = k;
                snprintf(name, sizeof name, "unary %s%s", pinn_fn_to_string((pinn_fn)f), f == PINN_FN_RELUK ? "^k" : "");
                run(name, build_unary, v, 2);
            }
    const char *bn[] = {"add", "mul", "div", "concat"};
    for (g_binop = 0; g_binop < 4; g_binop++)
        for (int v = 0; v < 2; v++) run(bn[g_binop], build_binary, v, 2);
    const char *sn[] = {"sum", "softmax", "slice", "colaffine", "scale_shift"};
    for (g_shape = 0; g_shape < 5; g_shape++)
        for (int v = 0; v < 2; v++) run(sn[g_shape], build_shape, v, 2);
    for (int v = 0; v < 2; v++) run("mix", build_mix, v, 2);
    run("mix 3 inputs", build_mix, 1, 3);
    /* the mixture on the Laplacian plan (pure second derivatives, no u_xy stream) */
    {
        pinn_graph *g = NULL;
        pinn_plan *pl = NULL;
        pinn_error err;
        int req[2 * PINN_MAX_INPUTS] = {0};
        req[0] = 2, req[PINN_MAX_INPUTS + 1] = 2;
        pinn_graph_init(&g, 2, &err);
        build_mix(g, 1);
        CHECK(pinn_graph_status(g, &err) == PINN_OK && pinn_plan_init(&pl, 2, 2, req, &err) == PINN_OK, "mix: %s", err.msg);
        pinn_real *P = malloc(sizeof(pinn_real) * pinn_graph_nparams(g));
        pinn_rng r;
        pinn_rng_seed(&r, 7);
        pinn_graph_init_params(g, P, &r);
        fd_result res = fd_check(g, pl, P, 6, -0.9, 0.9, 0, 11);
        CHECK(res.in_err[1] <= FD_TOL_IN(1) && res.in_err[2] <= FD_TOL_IN(2) && res.par_err <= FD_TOL_PAR,
              "mix Laplacian plan: %.3g %.3g %.3g", res.in_err[1], res.in_err[2], res.par_err);
        free(P);
        pinn_plan_free(pl);
        pinn_graph_free(g);
    }
    /* three inputs: a product of ops at order 4 over (t, x, y) */
    g_binop = 1;
    run("mul 3 inputs", build_binary, 0, 3);
    g_fn = PINN_FN_SIN;
    run("sin 3 inputs", build_unary, 0, 3);
    return CHECK_DONE();
}
