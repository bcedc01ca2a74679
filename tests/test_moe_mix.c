/* test_moe_mix.c - the mixture of experts fused into one MIX node (pinn_graph_mix) against the
 * composed mixture (a gate column, a product and a sum per expert, PINN_MOE_FUSED=0): the same
 * parameters give the same output jets and the same parameter gradients to rounding (relative
 * 1e-13 in double, 1e-5 in float), on full plans of orders 2 and 4 and the Laplacian plan, with
 * the sparsity column, with every expert live and with one expert pruned (its gate row pinned and
 * its nodes skipped); a loss on one output column at a time (the concat's all-zero side left
 * out of the backward pass) adds up to the loss on both; and the fused graph has fewer nodes.  The op's own finite-difference checks
 * are in test_jet_fd.c, the model's in test_moe.c (which runs fused by default). */
#include <math.h>
#include <stdio.h>

#include "check.h"
#include "fdcheck.h"
#include "model/moe.h"

#define TOL PINN_TEST_TOL(1e-13, 1e-5)

static size_t slice_off(const pinn_graph *g, const char *name);

typedef struct mixg {
    pinn_graph *g;
    pinn_moe_nodes nd;
    int sparsity; /* the sparsity column's node */
} mixg;

/* Gate 2 -> [5] sin -> 3 at temperature 0.7; experts tanh 2x6 (residual), sin 1x5, swish 2x4; the
 * output [u, sparsity column] as moe.c builds it (p = 0.5, eps = 1e-6). */
static void build(mixg *m, int fused) {
    pinn_error err;
    pinn_mlp_spec gate, ex[3];
    pinn_mlp_spec_default(&gate, 2, 3, 1, 5, PINN_FN_SIN);
    gate.prefix = "gate";
    pinn_mlp_spec_default(&ex[0], 2, 1, 2, 6, PINN_FN_TANH);
    ex[0].residual = 1;
    pinn_mlp_spec_default(&ex[1], 2, 1, 1, 5, PINN_FN_SIN);
    pinn_mlp_spec_default(&ex[2], 2, 1, 2, 4, PINN_FN_SWISH);
    ex[0].prefix = "e0", ex[1].prefix = "e1", ex[2].prefix = "e2";
    CHECK(pinn_graph_init(&m->g, 2, &err) == PINN_OK, "graph: %s", err.msg);
    int u = pinn_moe_build_mode(m->g, 0, &gate, 0.7, 3, ex, &m->nd, fused);
    double eps = 1e-6, p = 0.5;
    int s = pinn_graph_scale_shift(m->g, m->nd.gate, 1.0, eps);
    s = pinn_graph_sum(m->g, pinn_graph_unary(m->g, PINN_FN_POW, p, s));
    m->sparsity = pinn_graph_scale_shift(m->g, s, 1.0, -3 * pow(eps, p));
    pinn_graph_set_output(m->g, pinn_graph_concat(m->g, u, m->sparsity));
    CHECK(pinn_graph_status(m->g, &err) == PINN_OK, "mixture (fused %d): %s", fused, err.msg);
}

/* Largest |a - b| over the largest |a|, over n entries. */
static double rel_diff(const pinn_real *a, const pinn_real *b, size_t n) {
    double d = 0, s = 0;
    for (size_t i = 0; i < n; i++) {
        d = fmax(d, fabs((double)a[i] - (double)b[i]));
        s = fmax(s, fabs((double)a[i]));
    }
    return s > 0 ? d / s : d;
}

/* One forward and backward pass of graph g on plan pl at n points x: the output jet into out,
 * the gradient of sum(c * out) (c fixed pseudo-random adjoints) into G. */
static void pass_cols(const pinn_graph *g, const pinn_plan *pl, const pinn_real *P, int n, const pinn_real *x,
                      pinn_real *out, pinn_real *G, int cols) {
    pinn_tape *t = NULL;
    pinn_error err;
    CHECK(pinn_tape_init(&t, g, pl, n, &err) == PINN_OK, "tape: %s", err.msg);
    pinn_tape_forward(t, P, x, n);
    size_t m = (size_t)pinn_plan_size(pl) * (size_t)n * 2;
    memcpy(out, pinn_tape_output(t), sizeof(pinn_real) * m);
    pinn_tape_zero_grad(t);
    pinn_real *og = pinn_tape_output_grad(t);
    for (size_t i = 0; i < m; i++) og[i] = (cols >> (i % 2)) & 1 ? (pinn_real)(0.3 + 0.7 * sin(1.7 * (double)i)) : 0;
    memset(G, 0, sizeof(pinn_real) * pinn_graph_nparams(g));
    pinn_tape_backward(t, P, G);
    pinn_tape_free(t);
}

/* The same with adjoints on both columns [u, sparsity]. */
static void pass(const pinn_graph *g, const pinn_plan *pl, const pinn_real *P, int n, const pinn_real *x, pinn_real *out,
                 pinn_real *G) {
    pass_cols(g, pl, P, n, x, out, G, 3);
}

/* A loss on one output column (the concat leaves the other side's networks out of the backward
 * pass): the two one-column gradients add up to the two-column one, and the sparsity column's
 * alone touches no expert parameter. */
static void check_columns(const mixg *m, const pinn_plan *pl, const pinn_real *P) {
    enum { N = 19 };
    pinn_real x[2 * N];
    for (int i = 0; i < 2 * N; i++) x[i] = (pinn_real)(0.8 * cos(0.41 * i));
    size_t np = pinn_graph_nparams(m->g), mo = (size_t)pinn_plan_size(pl) * N * 2;
    pinn_real *o = malloc(sizeof(pinn_real) * mo), *g3 = malloc(sizeof(pinn_real) * np);
    pinn_real *g1 = malloc(sizeof(pinn_real) * np), *g2 = malloc(sizeof(pinn_real) * np);
    pass_cols(m->g, pl, P, N, x, o, g3, 3);
    pass_cols(m->g, pl, P, N, x, o, g1, 1);
    pass_cols(m->g, pl, P, N, x, o, g2, 2);
    for (size_t i = 0; i < np; i++) g1[i] += g2[i];
    double d = rel_diff(g3, g1, np);
    CHECK(d <= TOL, "one column at a time: gradients differ by %.3g", d);
    size_t e0 = slice_off(m->g, "e0.W0");
    int zero = 1;
    for (size_t i = e0; i < np; i++) zero &= g2[i] == 0; /* the experts' slices follow the gate's */
    CHECK(zero, "the sparsity column's gradient reaches the experts");
    free(o), free(g1), free(g2), free(g3);
}

/* Fused against composed on plan pl: output jets and parameter gradients. */
static void compare(const char *what, const mixg *f, const mixg *c, const pinn_plan *pl, const pinn_real *P) {
    enum { N = 37 };
    pinn_real x[2 * N];
    for (int i = 0; i < 2 * N; i++) x[i] = (pinn_real)(0.9 * sin(0.37 * i + 0.1));
    size_t m = (size_t)pinn_plan_size(pl) * N * 2, np = pinn_graph_nparams(f->g);
    pinn_real *of = malloc(sizeof(pinn_real) * m), *oc = malloc(sizeof(pinn_real) * m);
    pinn_real *gf = malloc(sizeof(pinn_real) * np), *gc = malloc(sizeof(pinn_real) * np);
    pass(f->g, pl, P, N, x, of, gf);
    pass(c->g, pl, P, N, x, oc, gc);
    double dout = rel_diff(oc, of, m), dgrad = rel_diff(gc, gf, np);
    CHECK(dout <= TOL, "%s: output jets differ by %.3g", what, dout);
    CHECK(dgrad <= TOL, "%s: parameter gradients differ by %.3g", what, dgrad);
    double gmax = 0;
    for (size_t i = 0; i < np; i++) gmax = fmax(gmax, fabs((double)gf[i]));
    CHECK(gmax > 0, "%s: zero gradient", what);
    if (getenv("PINN_TEST_VERBOSE")) printf("%-34s output %.1e  gradient %.1e\n", what, dout, dgrad);
    free(of), free(oc), free(gf), free(gc);
}

/* Every plan of the comparison: full orders 2 and 4, the Laplacian. */
static void compare_plans(const char *what, const mixg *f, const mixg *c, const pinn_real *P) {
    char name[96];
    for (int order = 2; order <= 4; order += 2) {
        pinn_plan *pl = fd_full_plan(2, order);
        snprintf(name, sizeof name, "%s, order %d", what, order);
        compare(name, f, c, pl, P);
        pinn_plan_free(pl);
    }
    int req[2 * PINN_MAX_INPUTS] = {0};
    req[0] = 2, req[PINN_MAX_INPUTS + 1] = 2;
    pinn_plan *pl = NULL;
    pinn_error err;
    CHECK(pinn_plan_init(&pl, 2, 2, req, &err) == PINN_OK, "plan: %s", err.msg);
    snprintf(name, sizeof name, "%s, Laplacian", what);
    compare(name, f, c, pl, P);
    pinn_plan_free(pl);
}

/* The offset of the slice called name. */
static size_t slice_off(const pinn_graph *g, const char *name) {
    for (int i = 0; i < pinn_graph_nslices(g); i++) {
        const char *nm;
        size_t off;
        pinn_graph_slice(g, i, &nm, &off, NULL);
        if (!strcmp(nm, name)) return off;
    }
    CHECK(0, "no slice %s", name);
    return 0;
}

int main(void) {
    mixg f, c;
    build(&f, 1);
    build(&c, 0);
    size_t np = pinn_graph_nparams(f.g);
    CHECK(np == pinn_graph_nparams(c.g), "parameters %zu and %zu", np, pinn_graph_nparams(c.g));
    for (int i = 0; i < pinn_graph_nslices(f.g); i++) { /* the same layout */
        const char *a, *b;
        size_t oa, ob;
        pinn_graph_slice(f.g, i, &a, &oa, NULL);
        pinn_graph_slice(c.g, i, &b, &ob, NULL);
        CHECK(!strcmp(a, b) && oa == ob, "slice %d: %s at %zu, %s at %zu", i, a, oa, b, ob);
    }
    /* 3 experts: 3 slices, 3 products and 2 sums become one node */
    CHECK(pinn_graph_nnodes(c.g) - pinn_graph_nnodes(f.g) == 7, "nodes %d fused, %d composed", pinn_graph_nnodes(f.g),
          pinn_graph_nnodes(c.g));
    pinn_real *P = malloc(sizeof(pinn_real) * np);
    pinn_rng r;
    pinn_rng_seed(&r, 11);
    pinn_graph_init_params(f.g, P, &r);
    for (size_t i = 0; i < np; i++)
        if (P[i] == 0) P[i] = (pinn_real)(0.1 * pinn_rng_normal(&r)); /* non-zero biases */
    compare_plans("all experts", &f, &c, P);
    {
        pinn_plan *pl = fd_full_plan(2, 2);
        check_columns(&f, pl, P);
        check_columns(&c, pl, P);
        pinn_plan_free(pl);
    }

    /* expert 1 pruned as moe_train.c does: its gate row pinned, its nodes skipped */
    size_t gw = slice_off(f.g, "gate.W1"), gb = slice_off(f.g, "gate.b1");
    for (int j = 0; j < 5; j++) P[gw + 5 + (size_t)j] = 0;
    P[gb + 1] = (pinn_real)-1e4;
    CHECK(pinn_graph_set_skip(f.g, f.nd.first[1], f.nd.last[1], 1) == 0 &&
              pinn_graph_set_skip(c.g, c.nd.first[1], c.nd.last[1], 1) == 0,
          "skip");
    CHECK(f.nd.last[1] == f.nd.expert[1], "the fused skip range ends at the expert's output");
    compare_plans("expert 1 pruned", &f, &c, P);
    /* the same expert live again at gate weight exactly 0 */
    pinn_graph_set_skip(f.g, f.nd.first[1], f.nd.last[1], 0);
    pinn_graph_set_skip(c.g, c.nd.first[1], c.nd.last[1], 0);
    compare_plans("expert 1 at weight 0, live", &f, &c, P);

    free(P);
    pinn_graph_free(f.g);
    pinn_graph_free(c.g);
    return CHECK_DONE();
}
