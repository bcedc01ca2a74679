/* test_models_fd.c - the MLP (several activations, residual connections, input normalisation,
 * several outputs), the softmax-gated mixture of two MLPs and an output transform g + h*N, each
 * against finite differences up to order 4 in the inputs and in the parameters. */
#include <stdio.h>

#include "check.h"
#include "fdcheck.h"

static void check_graph(const char *name, pinn_graph *g, int d, double lo, double hi) {
    pinn_error err;
    CHECK(pinn_graph_status(g, &err) == PINN_OK, "%s: %s", name, err.msg);
    pinn_real *P = malloc(sizeof(pinn_real) * pinn_graph_nparams(g));
    pinn_rng r;
    pinn_rng_seed(&r, 3);
    pinn_graph_init_params(g, P, &r);
    /* non-zero biases so that every parameter matters */
    for (size_t i = 0; i < pinn_graph_nparams(g); i++)
        if (P[i] == 0) P[i] = 0.1 * pinn_rng_normal(&r);
    for (int order = 2; order <= 4; order += 2) {
        pinn_plan *pl = fd_full_plan(d, order);
        fd_result res = fd_check(g, pl, P, 5, lo, hi, 0, 5);
        for (int o = 1; o <= order; o++)
            CHECK(res.in_err[o] <= FD_TOL_IN(o), "%s order %d: input derivative error %.3g", name, o,
                  res.in_err[o]);
        CHECK(res.par_err <= FD_TOL_PAR, "%s plan order %d: parameter gradient error %.3g", name, order, res.par_err);
        if (getenv("PINN_TEST_VERBOSE"))
            printf("%-28s ord%d in: %.1e %.1e %.1e %.1e  par: %.1e (max %.1e)\n", name, order, res.in_err[1],
                   res.in_err[2], res.in_err[3], res.in_err[4], res.par_err, res.par_max);
        pinn_plan_free(pl);
    }
    /* the plans of second-order PDEs, which take the fused unary backward: d/dx_0 with d²/dx_1²
     * (Burgers, Allen-Cahn, heat), and the Laplacian (all pure second derivatives) */
    for (int kind = 0; kind < 2 && d >= 2; kind++) {
        int req[PINN_MAX_INPUTS * PINN_MAX_INPUTS] = {0}, nreq = 0;
        for (int i = kind ? 0 : 1; i < d; i++) req[nreq++ * PINN_MAX_INPUTS + i] = 2;
        if (!kind) req[nreq++ * PINN_MAX_INPUTS] = 1;
        pinn_plan *pl = NULL;
        pinn_error e;
        CHECK(pinn_plan_init(&pl, d, nreq, req, &e) == PINN_OK, "plan: %s", e.msg);
        if (!pl) continue;
        fd_result res = fd_check(g, pl, P, 5, lo, hi, 0, 5);
        for (int o = 1; o <= 2; o++)
            CHECK(res.in_err[o] <= FD_TOL_IN(o), "%s %s plan: order %d input derivative error %.3g", name,
                  kind ? "Laplacian" : "u_t, u_xx", o, res.in_err[o]);
        CHECK(res.par_err <= FD_TOL_PAR, "%s %s plan: parameter gradient error %.3g", name, kind ? "Laplacian" : "u_t, u_xx",
              res.par_err);
        pinn_plan_free(pl);
    }
    free(P);
    pinn_graph_free(g);
}

int main(void) {
    pinn_error err;
    pinn_graph *g;
    pinn_mlp_spec s;

    /* the DN-PINN Burgers network shape, smaller: 3 tanh layers, (t, x) normalised from [0,1]x[-1,1] */
    pinn_graph_init(&g, 2, &err);
    pinn_mlp_spec_default(&s, 2, 1, 3, 8, PINN_FN_TANH);
    s.normalize = 1;
    s.lo[0] = 0, s.hi[0] = 1, s.lo[1] = -1, s.hi[1] = 1;
    pinn_graph_set_output(g, pinn_mlp_build(g, 0, &s));
    /* weight matrices 8x2, 8x8, 8x8, 1x8: 152 entries; the 25 biases are not weights */
    size_t nw = 0, sz;
    for (int i = 0; i < pinn_graph_nslices(g); i++)
        if (pinn_graph_slice_is_weight(g, i)) pinn_graph_slice(g, i, NULL, NULL, &sz), nw += sz;
    CHECK(nw == 152 && pinn_graph_nparams(g) == 177, "weight entries %zu of %zu", nw, pinn_graph_nparams(g));
    check_graph("mlp tanh normalised", g, 2, 0.05, 0.95);

    /* mixed activations, residual connections, two outputs, uniform init */
    pinn_graph_init(&g, 2, &err);
    pinn_mlp_spec_default(&s, 2, 2, 4, 6, PINN_FN_SIN);
    s.act[1] = PINN_FN_SWISH;
    s.act[2] = PINN_FN_SOFTPLUS;
    s.act[3] = PINN_FN_SIGMOID;
    s.residual = 1;
    s.init = PINN_INIT_GLOROT_UNIFORM;
    pinn_graph_set_output(g, pinn_mlp_build(g, 0, &s));
    check_graph("mlp sin/swish/softplus/sig res", g, 2, -0.8, 0.8);

    /* ReLU^5 layers (four times differentiable).  In float the differences' steps (2^-6, see
     * fdcheck.h) straddle the kinks of relu^5's order-4 streams (~ relu(z)) at some points, so
     * there the layers are ReLU^7, whose order-4 streams are still C^2. */
    pinn_graph_init(&g, 2, &err);
    pinn_mlp_spec_default(&s, 2, 1, 2, 6, PINN_FN_RELUK);
    s.act_p[0] = s.act_p[1] = PINN_TEST_FLOAT ? 7 : 5;
    pinn_graph_set_output(g, pinn_mlp_build(g, 0, &s));
    check_graph(PINN_TEST_FLOAT ? "mlp relu^7" : "mlp relu^5", g, 2, -0.8, 0.8);

    /* three inputs (t, x, y) */
    pinn_graph_init(&g, 3, &err);
    pinn_mlp_spec_default(&s, 3, 1, 2, 6, PINN_FN_TANH);
    s.normalize = 1;
    pinn_graph_set_output(g, pinn_mlp_build(g, 0, &s));
    check_graph("mlp 3 inputs", g, 3, -0.8, 0.8);

    /* a network per field: three separate MLPs (2 x 6 x 6 x 1 each: 67 parameters), and a shared
     * trunk of one layer with per-field heads (18 + 3 x 49 = 165 parameters); each checked in
     * input derivatives and parameter gradients */
    for (int shared = 0; shared <= 1; shared++) {
        pinn_graph_init(&g, 2, &err);
        pinn_mlp_spec_default(&s, 2, 3, 2, 6, PINN_FN_TANH);
        s.normalize = 1;
        s.per_field = 1, s.shared = shared;
        s.act[1] = PINN_FN_SIN;
        pinn_graph_set_output(g, pinn_mlp_build(g, 0, &s));
        size_t want = shared ? 18 + 3 * 49 : 3 * 67;
        CHECK(pinn_graph_nparams(g) == want && pinn_graph_width(g, pinn_graph_output(g)) == 3,
              "per-field (shared %d): %zu parameters (want %zu), width %d", shared, pinn_graph_nparams(g), want,
              pinn_graph_width(g, pinn_graph_output(g)));
        check_graph(shared ? "mlp per field, shared trunk" : "mlp per field, separate", g, 2, -0.8, 0.8);
    }

    /* two MLP experts mixed by a softmax gate (MoE-PINN) */
    pinn_graph_init(&g, 2, &err);
    pinn_mlp_spec gate, ex[2];
    pinn_mlp_spec_default(&gate, 2, 2, 1, 5, PINN_FN_TANH);
    gate.prefix = "gate";
    pinn_mlp_spec_default(&ex[0], 2, 1, 2, 6, PINN_FN_TANH);
    ex[0].prefix = "expert0";
    pinn_mlp_spec_default(&ex[1], 2, 1, 1, 8, PINN_FN_SIN);
    ex[1].prefix = "expert1";
    int gn = -1;
    pinn_graph_set_output(g, pinn_moe_build(g, 0, &gate, 2, ex, &gn));
    CHECK(gn > 0 && pinn_graph_width(g, gn) == 2, "gate node width %d", pinn_graph_width(g, gn));
    check_graph("moe gate x 2 experts", g, 2, -0.9, 0.9);

    /* output transform u = g(x) + h(x) * N(x): g = x1^2 (slice, pow), h = sin(pi x0) */
    pinn_graph_init(&g, 2, &err);
    pinn_mlp_spec_default(&s, 2, 1, 2, 8, PINN_FN_TANH);
    int N = pinn_mlp_build(g, 0, &s);
    int x0 = pinn_graph_slice_cols(g, 0, 0, 1), x1 = pinn_graph_slice_cols(g, 0, 1, 1);
    int hx = pinn_graph_unary(g, PINN_FN_SIN, 0, pinn_graph_scale_shift(g, x0, 3.14159265358979, 0));
    int gx = pinn_graph_unary(g, PINN_FN_POW, 2, x1);
    pinn_graph_set_output(g, pinn_graph_add(g, gx, pinn_graph_mul(g, hx, N), 1, 1));
    check_graph("output transform g+h*N", g, 2, -0.9, 0.9);

    /* builder errors are recorded, not crashes */
    pinn_graph_init(&g, 2, &err);
    int W = pinn_graph_param(g, "W", 3, 5, PINN_INIT_ZERO, 0);
    CHECK(pinn_graph_affine(g, 0, W, -1) < 0, "affine with mismatched weight accepted");
    CHECK(pinn_graph_status(g, &err) == PINN_ERR_INVALID && err.msg[0], "status %s", err.msg);
    pinn_graph_free(g);
    return CHECK_DONE();
}
