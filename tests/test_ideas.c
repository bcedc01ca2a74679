/* test_ideas.c - the ideas laboratory (docs/ideas.md) against finite differences: ReLU^k branch
 * layers (at points away from the kinks), layer normalisation, batch normalisation (its jets are
 * the derivatives of the batch-coupled map, one point moved at a time), and vector quantisation
 * (the straight-through gradient is the identity on the quantised path; the code's gradient
 * reaches the codebook only). */
#include <stdio.h>

#include "check.h"
#include "fdcheck.h"
#include "jet/graph.h"
#include "pinnc/ideas.h"

/* Random parameters (non-zero biases so that every parameter matters). */
static pinn_real *params_for(const pinn_graph *g, unsigned seed) {
    pinn_real *P = malloc(sizeof(pinn_real) * pinn_graph_nparams(g));
    pinn_rng r;
    pinn_rng_seed(&r, seed);
    pinn_graph_init_params(g, P, &r);
    for (size_t i = 0; i < pinn_graph_nparams(g); i++)
        if (P[i] == 0) P[i] = (pinn_real)(0.1 * pinn_rng_normal(&r));
    return P;
}

/* n points of [lo, hi]^d where every relu^k node's input is at least `margin` from its kink (0),
 * so that no finite-difference stencil straddles one; returns how many were found. */
static int points_off_kinks(const pinn_graph *g, const pinn_real *P, int d, int n, double lo, double hi, double margin,
                            pinn_real *x) {
    pinn_plan *pl = fd_full_plan(d, 1);
    pinn_tape *t = NULL;
    pinn_error err;
    if (pinn_tape_init(&t, g, pl, 1, &err)) return 0;
    int found = 0;
    for (unsigned c = 0; c < 4000 && found < n; c++) {
        pinn_real *xc = fd_points(1, d, lo, hi, 100 + c);
        pinn_tape_forward(t, P, xc, 1);
        int ok = 1;
        for (int k = 1; k < g->n_nodes && ok; k++) {
            if (g->nodes[k].op != PINN_OP_UNARY || g->nodes[k].fn != PINN_FN_RELUK) continue;
            const pinn_real *v = pinn_tape_node_value(t, g->nodes[k].a); /* value stream: first w entries */
            for (int j = 0; j < g->nodes[k].w; j++) ok &= fabs((double)v[j]) > margin;
        }
        if (ok) memcpy(x + (size_t)found++ * d, xc, sizeof(pinn_real) * (size_t)d);
        free(xc);
    }
    pinn_tape_free(t);
    pinn_plan_free(pl);
    return found;
}

static void check_res(const char *name, fd_result r, int order, int inputs) {
    for (int o = 1; inputs && o <= order; o++)
        CHECK(r.in_err[o] <= FD_TOL_IN(o), "%s: order %d input derivative error %.3g", name, o, r.in_err[o]);
    CHECK(r.par_err <= FD_TOL_PAR, "%s: parameter gradient error %.3g", name, r.par_err);
    if (getenv("PINN_TEST_VERBOSE"))
        printf("%-30s in: %.1e %.1e %.1e %.1e  par: %.1e\n", name, r.in_err[1], r.in_err[2], r.in_err[3], r.in_err[4], r.par_err);
}

/* Input derivatives of a graph that couples points: stream alpha of point p against differences,
 * in one input, of stream alpha - e_i of point p with only point p moved (the rest of the block
 * fixed).  Returns the worst relative error per order in err_o[]. */
static void fd_coupled(const pinn_graph *g, const pinn_plan *plan, const pinn_real *P, int n, const pinn_real *x0,
                       double *err_o) {
    int d = pinn_plan_inputs(plan), S = pinn_plan_size(plan), w = pinn_graph_width(g, pinn_graph_output(g));
    size_t per = (size_t)n * w;
    pinn_tape *t = NULL;
    pinn_error err;
    for (int o = 0; o <= PINN_MAX_ORDER; o++) err_o[o] = 0;
    if (pinn_tape_init(&t, g, plan, n, &err)) {
        err_o[1] = INFINITY;
        return;
    }
    pinn_real *J = malloc(sizeof(pinn_real) * per * S), *Jm = malloc(sizeof(pinn_real) * per * S * 4);
    pinn_real *xp = malloc(sizeof(pinn_real) * (size_t)n * d);
    pinn_tape_forward(t, P, x0, n);
    memcpy(J, pinn_tape_output(t), sizeof(pinn_real) * per * S);
    const double h = FD_H_IN, off[4] = {2, 1, -1, -2};
    for (int s = 1; s < S; s++) {
        const int *al = pinn_plan_alpha(plan, s);
        int i = -1, ord = 0, par[PINN_MAX_INPUTS];
        for (int q = 0; q < d; q++) ord += al[q], i = (al[q] > 0 && i < 0) ? q : i;
        memcpy(par, al, sizeof par);
        par[i]--;
        int ps = pinn_plan_index(plan, par);
        double num = 0, den = 0;
        for (int p = 0; p < n; p++) {
            for (int k = 0; k < 4; k++) {
                memcpy(xp, x0, sizeof(pinn_real) * (size_t)n * d);
                xp[p * d + i] += (pinn_real)(off[k] * h);
                pinn_tape_forward(t, P, xp, n);
                memcpy(Jm + (size_t)k * per * S, pinn_tape_output(t), sizeof(pinn_real) * per * S);
            }
            for (int j = 0; j < w; j++) {
                size_t e = (size_t)ps * per + (size_t)p * w + j;
                double fd = (-Jm[e] + 8 * Jm[per * S + e] - 8 * Jm[2 * per * S + e] + Jm[3 * per * S + e]) / (12 * h);
                double a = J[(size_t)s * per + (size_t)p * w + j];
                num += (fd - a) * (fd - a), den += fd * fd;
            }
        }
        double e = sqrt(num) / fmax(sqrt(den), FD_FLOOR * sqrt((double)per));
        if (e > err_o[ord]) err_o[ord] = e;
    }
    free(J), free(Jm), free(xp);
    pinn_tape_free(t);
}

static pinn_graph *mlp_with(int d, int L, int width, pinn_fn f, int branches, int norm, int residual, double eps) {
    pinn_graph *g;
    pinn_error err;
    pinn_graph_init(&g, d, &err);
    pinn_mlp_spec s;
    pinn_mlp_spec_default(&s, d, 1, L, width, f);
    s.normalize = 1, s.residual = residual;
    s.lo[0] = 0, s.hi[0] = 1;
    s.ideas.on = 1, s.ideas.branches = branches, s.ideas.norm = norm, s.ideas.norm_eps = eps;
    for (int k = 0; k < PINN_IDEAS_MAX_BRANCHES; k++) s.ideas.branch_scale[k] = 1.0 / (k + 1);
    pinn_graph_set_output(g, pinn_mlp_build(g, 0, &s));
    CHECK(pinn_graph_status(g, &err) == PINN_OK, "build: %s", err.msg);
    return g;
}

static void test_branches(void) {
    /* relu^1..relu^K branches, K = plan order + 1 (the seed's n + 1), two layers (in float one unit per
     * branch and a wider margin: the 2^-6 stencils need pre-activations further from the kinks) */
    for (int order = 2; order <= 4; order += 2) {
        int K = order + 1;
        pinn_graph *g = mlp_with(2, 2, (PINN_TEST_FLOAT ? 1 : 3) * K, PINN_FN_TANH, K, PINN_NORM_NONE, 0, 1e-5);
        pinn_real *P = params_for(g, 11), x[5 * 2];
        /* stencils reach 2h; pre-activations move by at most a few h per input step */
        int n = points_off_kinks(g, P, 2, 5, -0.8, 0.8, PINN_TEST_TOL(24 * FD_H_IN, 12 * FD_H_IN), x);
        CHECK(n == 5, "relu^k branches: only %d points off the kinks", n);
        pinn_plan *pl = fd_full_plan(2, order);
        char name[64];
        snprintf(name, sizeof name, "relu^1..%d branches ord%d", K, order);
        check_res(name, fd_check_at(g, pl, P, n, x, 0), order, 1);
        pinn_plan_free(pl);
        /* the layer's width: K branches of ceil(3K / K) = 3 units */
        CHECK(pinn_graph_width(g, pinn_graph_output(g)) == 1, "output width");
        free(P);
        pinn_graph_free(g);
    }
}

static void test_layer_norm(void) {
    /* in float the 2^-6 stencil's truncation error grows like 1/sigma^5 of the normalised layer:
     * a larger eps keeps that map smooth (the same ops and derivative code are checked) */
    pinn_graph *g = mlp_with(2, 3, 6, PINN_FN_TANH, 0, PINN_NORM_LAYER, 1, PINN_TEST_TOL(1e-5, 1.0));
    pinn_real *P = params_for(g, 12);
    for (int order = 2; order <= 4; order += 2) {
        pinn_plan *pl = fd_full_plan(2, order);
        check_res(order == 2 ? "layer norm + residual ord2" : "layer norm + residual ord4", fd_check(g, pl, P, 5, -0.8, 0.8, 0, 7),
                  order, 1);
        pinn_plan_free(pl);
    }
    /* per point: moving one point leaves the others' outputs unchanged */
    pinn_plan *pl = fd_full_plan(2, 1);
    pinn_tape *t = NULL;
    pinn_error err;
    CHECK_OK(pinn_tape_init(&t, g, pl, 4, &err), err);
    pinn_real x[8] = {0.1, 0.2, 0.5, -0.3, 0.9, 0.4, 0.3, -0.7}, u0;
    pinn_tape_forward(t, P, x, 4);
    u0 = pinn_tape_output(t)[0];
    x[6] += 0.5;
    pinn_tape_forward(t, P, x, 4);
    CHECK(pinn_tape_output(t)[0] == u0, "layer norm couples points");
    pinn_tape_free(t);
    pinn_plan_free(pl);
    free(P);
    pinn_graph_free(g);
}

/* Batch norm normalises the first hidden layer only: there its jet is the exact derivative of the
 * batch-coupled map; a second one would need every point's derivative in every other point's
 * coordinates (an n x n jet), which the per-point jets do not carry (docs/ideas.md). */
static void test_batch_norm(void) {
    pinn_graph *g = mlp_with(2, 2, 5, PINN_FN_TANH, 0, PINN_NORM_BATCH, 0, 1e-5);
    pinn_real *P = params_for(g, 13);
    for (int order = 1; order <= 3; order++) {
        pinn_plan *pl = fd_full_plan(2, order);
        pinn_real *x = fd_points(6, 2, -0.8, 0.8, 21);
        double e[PINN_MAX_ORDER + 1];
        fd_coupled(g, pl, P, 6, x, e);
        for (int o = 1; o <= order; o++)
            CHECK(e[o] <= FD_TOL_IN(o), "batch norm plan %d: order %d jet vs coupled differences %.3g", order, o, e[o]);
        /* the parameter gradient of the batch-coupled loss (all points at once is right here) */
        fd_result r = fd_check_at(g, pl, P, 6, x, 0);
        check_res("batch norm (parameters)", r, order, 0);
        /* and the all-points-moved difference is NOT the jet: the coupling is real */
        if (order == 1) CHECK(r.in_err[1] > 1e-3, "batch norm: the jet matches a whole-batch shift (%.3g)", r.in_err[1]);
        if (getenv("PINN_TEST_VERBOSE")) printf("batch norm plan %d coupled in: %.1e %.1e %.1e\n", order, e[1], e[2], e[3]);
        free(x);
        pinn_plan_free(pl);
    }
    /* the prediction at a point depends on the other points of its block */
    pinn_plan *pl = fd_full_plan(2, 1);
    pinn_tape *t = NULL;
    pinn_error err;
    CHECK_OK(pinn_tape_init(&t, g, pl, 4, &err), err);
    pinn_real x[8] = {0.1, 0.2, 0.5, -0.3, 0.9, 0.4, 0.3, -0.7};
    pinn_tape_forward(t, P, x, 4);
    double u0 = pinn_tape_output(t)[0];
    x[6] += 0.5;
    pinn_tape_forward(t, P, x, 4);
    CHECK(fabs(pinn_tape_output(t)[0] - u0) > 1e-6, "batch norm: point 0 ignores point 3");
    pinn_tape_free(t);
    pinn_plan_free(pl);
    free(P);
    pinn_graph_free(g);
}

/* x -> z = W x + b (width D) -> vq(z) (mode) as the output; the codebook is declared either way. */
static pinn_graph *vq_graph(int mode, int K, int D, int *vq) {
    pinn_graph *g;
    pinn_error err;
    pinn_graph_init(&g, 2, &err);
    int W = pinn_graph_param(g, "W", D, 2, PINN_INIT_GLOROT_NORMAL, 0);
    int b = pinn_graph_param(g, "b", D, 1, PINN_INIT_ZERO, 0);
    int C = pinn_graph_param(g, "C", K, D, PINN_INIT_NORMAL, 1.0);
    int z = pinn_graph_unary(g, PINN_FN_TANH, 0, pinn_graph_affine(g, 0, W, b));
    *vq = mode < 0 ? z : pinn_graph_vq(g, z, C, mode);
    pinn_graph_set_output(g, *vq);
    CHECK(pinn_graph_status(g, &err) == PINN_OK, "vq build: %s", err.msg);
    return g;
}

static void test_vq(void) {
    int K = 5, D = 3, n = 16, vq, zn;
    pinn_graph *gq = vq_graph(0, K, D, &vq), *gz = vq_graph(-1, K, D, &zn), *ge = vq_graph(1, K, D, &vq);
    size_t np = pinn_graph_nparams(gq);
    CHECK(np == pinn_graph_nparams(gz), "layouts differ");
    pinn_real *P = params_for(gq, 14), *Gq = calloc(np, sizeof *Gq), *Gz = calloc(np, sizeof *Gz);
    pinn_plan *pl = fd_full_plan(2, 2);
    int S = pinn_plan_size(pl);
    size_t per = (size_t)n * D;
    pinn_tape *tq = NULL, *tz = NULL;
    pinn_error err;
    CHECK_OK(pinn_tape_init(&tq, gq, pl, n, &err), err);
    CHECK_OK(pinn_tape_init(&tz, gz, pl, n, &err), err);
    pinn_real *x = fd_points(n, 2, -1, 1, 31);
    pinn_tape_forward(tq, P, x, n);
    pinn_tape_forward(tz, P, x, n);
    const pinn_real *Q = pinn_tape_output(tq), *Z = pinn_tape_output(tz), *C = P + 3 * D;
    int used[8] = {0}, ok_val = 1, ok_streams = 1;
    for (int p = 0; p < n; p++) { /* the value is the code of largest cosine similarity */
        int best = 0;
        double bs = -1e300;
        for (int k = 0; k < K; k++) {
            double dot = 0, nn = 0;
            for (int j = 0; j < D; j++) dot += Z[p * D + j] * C[k * D + j], nn += C[k * D + j] * C[k * D + j];
            if (dot / sqrt(nn) > bs) bs = dot / sqrt(nn), best = k;
        }
        used[best] = 1;
        CHECK(pinn_tape_vq_index(tq, vq, p) == best, "point %d: code %d, expected %d", p, pinn_tape_vq_index(tq, vq, p), best);
        for (int j = 0; j < D; j++) ok_val &= Q[p * D + j] == C[best * D + j];
    }
    for (size_t k = per; k < per * S; k++) ok_streams &= Q[k] == Z[k];
    CHECK(ok_val, "vq value is not the selected code");
    CHECK(ok_streams, "vq (straight-through) derivative streams are not the latent's");
    int nused = 0;
    for (int k = 0; k < K; k++) nused += used[k];
    CHECK(nused >= 2, "the test points select only %d code(s)", nused);
    /* straight-through: the same output adjoint gives the same gradient as the latent itself */
    pinn_tape_zero_grad(tq);
    pinn_tape_zero_grad(tz);
    pinn_real *gq_ = pinn_tape_output_grad(tq), *gz_ = pinn_tape_output_grad(tz);
    pinn_rng r;
    pinn_rng_seed(&r, 5);
    for (size_t k = 0; k < per * S; k++) gq_[k] = gz_[k] = (pinn_real)pinn_rng_normal(&r);
    pinn_tape_backward(tq, P, Gq);
    pinn_tape_backward(tz, P, Gz);
    int same = 1, cb_zero = 1;
    for (size_t k = 0; k < 3 * (size_t)D; k++) same &= Gq[k] == Gz[k];
    for (size_t k = 3 * (size_t)D; k < np; k++) cb_zero &= Gq[k] == 0;
    CHECK(same, "straight-through gradient differs from the identity");
    CHECK(cb_zero, "straight-through path sends gradient to the codebook");
    /* mode 1 (the code itself): piecewise constant in x, gradient to the selected codebook rows:
     * row k gets the sum of the value adjoints of the points that selected k, W and b nothing */
    pinn_tape *te = NULL;
    pinn_real *Ge = calloc(np, sizeof *Ge);
    CHECK_OK(pinn_tape_init(&te, ge, pl, n, &err), err);
    pinn_tape_forward(te, P, x, n);
    pinn_tape_zero_grad(te);
    pinn_real *ge_ = pinn_tape_output_grad(te);
    for (size_t k = 0; k < per * S; k++) ge_[k] = gq_[k];
    pinn_tape_backward(te, P, Ge);
    double want[8 * 3] = {0}, gerr = 0;
    for (int p = 0; p < n; p++)
        for (int j = 0; j < D; j++) want[pinn_tape_vq_index(te, vq, p) * D + j] += gq_[p * D + j];
    for (size_t k = 0; k < 3 * (size_t)D; k++) gerr = fmax(gerr, fabs((double)Ge[k]));
    for (int k = 0; k < K * D; k++) gerr = fmax(gerr, fabs((double)Ge[3 * D + k] - want[k]));
    CHECK(gerr <= PINN_TEST_ROUNDING(1e-13), "vq code: codebook gradient off by %.3g", gerr);
    const pinn_real *E = pinn_tape_output(te);
    int zero_streams = 1;
    for (size_t k = per; k < per * S; k++) zero_streams &= E[k] == 0;
    CHECK(zero_streams, "vq code: derivative streams are not zero");
    pinn_tape_free(te);
    free(Ge);
    /* and against finite differences (double only: float's 2^-6 steps flip the selection) */
    if (!PINN_TEST_FLOAT) {
        fd_result re = fd_check(ge, pl, P, n, -1, 1, 0, 31);
        check_res("vq code (codebook gradient)", re, 2, 1);
    }
    pinn_tape_free(tq);
    pinn_tape_free(tz);
    pinn_plan_free(pl);
    free(x), free(P), free(Gq), free(Gz);
    pinn_graph_free(gq), pinn_graph_free(gz), pinn_graph_free(ge);
}

/* The VQ front in an mlp: two loss columns of width 1 and a graph that builds. */
static void test_vq_front(void) {
    pinn_graph *g;
    pinn_error err;
    pinn_graph_init(&g, 2, &err);
    pinn_mlp_spec s;
    pinn_mlp_spec_default(&s, 2, 1, 2, 8, PINN_FN_TANH);
    s.normalize = 1;
    s.ideas.vq_codes = 4, s.ideas.vq_latent = 3, s.ideas.vq_beta = 0.25, s.ideas.vq_weight = 1;
    pinn_model_out out;
    memset(&out, 0, sizeof out);
    pinn_ideas_vq_build(g, 0, &s, &out);
    CHECK(out.n_aux == 2 && pinn_graph_width(g, out.aux[0]) == 1 && pinn_graph_width(g, out.aux[1]) == 1, "vq aux columns");
    CHECK(pinn_graph_width(g, out.fields) == 1, "vq fields");
    pinn_graph_set_output(g, out.fields);
    CHECK(pinn_graph_status(g, &err) == PINN_OK, "vq front: %s", err.msg);
    pinn_graph_free(g);
}

int main(void) {
    test_branches();
    test_layer_norm();
    test_batch_norm();
    test_vq();
    test_vq_front();
    return CHECK_DONE();
}
