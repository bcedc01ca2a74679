/* test_subnets_fd.c - point-subset evaluation (the FBPINN op) against finite differences: input
 * derivatives of orders 1-4 (full plans of order 2, fast and general path, 3 and 4, in 1-D and 2-D)
 * and parameter gradients, for one instance, grids with overlap 2-3, explicit boxes, callback
 * windows, the partition of unity, inactive and fixed instances; exactness against the plain
 * sub-network; the locator against brute force; the point sort; builder errors. */
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "fdcheck.h"

/* The template: 1 hidden tanh layer of `width`, n_out outputs. */
static pinn_graph *template_net(int dx, int width, int n_out) {
    pinn_graph *net;
    pinn_error err;
    pinn_graph_init(&net, dx, &err);
    pinn_mlp_spec s;
    pinn_mlp_spec_default(&s, dx, n_out, 1, width, PINN_FN_TANH);
    pinn_graph_set_output(net, pinn_mlp_build(net, 0, &s));
    return net;
}

/* Parameters from the graph's initialisers, zeros replaced (every parameter matters). */
static pinn_real *init_params(const pinn_graph *g, unsigned seed) {
    size_t np = pinn_graph_nparams(g);
    pinn_real *P = malloc(sizeof(pinn_real) * (np + 1));
    pinn_rng r;
    pinn_rng_seed(&r, seed);
    pinn_graph_init_params(g, P, &r);
    for (size_t i = 0; i < np; i++)
        if (P[i] == 0) P[i] = (pinn_real)(0.3 * pinn_rng_normal(&r));
    return P;
}

/* n points in [lo, hi]^d at least `margin` away from every support edge of op 0, per input (the
 * cosine window is C^3 there: its order-4 stream jumps, so a difference must not straddle an edge). */
static pinn_real *clear_points(const pinn_graph *g, int n, int d, double lo, double hi, unsigned seed) {
    double margin = 2.5 * FD_H_IN;
    pinn_real *cand = fd_points(40 * n, d, lo, hi, seed), *x = malloc(sizeof(pinn_real) * (size_t)n * d);
    int J = pinn_graph_subnets_instances(g, 0), got = 0;
    for (int i = 0; i < 40 * n && got < n; i++) {
        int ok = 1;
        for (int j = 0; j < J && ok; j++) {
            double c[PINN_MAX_INPUTS], r[PINN_MAX_INPUTS];
            pinn_graph_subnets_box(g, 0, j, c, r);
            for (int q = 0; q < d && ok; q++) ok = fabs(fabs(cand[i * d + q] - c[q]) - r[q]) > margin;
        }
        if (ok) memcpy(x + (size_t)got++ * d, cand + (size_t)i * d, sizeof(pinn_real) * d);
    }
    CHECK(got == n, "only %d clear points", got);
    free(cand);
    return x;
}

/* FD checks of g at n clear points: full plans of order 2 (fast and general), 3 and 4. */
static void check_fd(const char *name, const pinn_graph *g, const pinn_real *P, int d, int n, double lo, double hi) {
    pinn_real *x = clear_points(g, n, d, lo, hi, 5);
    for (int order = 2; order <= 4; order++)
        for (int general = 0; general <= (order == 2); general++) {
            pinn_plan *pl = fd_full_plan(d, order);
            fd_result res = fd_check_at(g, pl, (pinn_real *)P, n, x, general);
            for (int o = 1; o <= order; o++)
                CHECK(res.in_err[o] <= FD_TOL_IN(o), "%s order %d%s: input derivative error %.3g", name, o,
                      general ? " (general)" : "", res.in_err[o]);
            CHECK(res.par_err <= FD_TOL_PAR, "%s plan order %d%s: parameter gradient error %.3g", name, order,
                  general ? " (general)" : "", res.par_err);
            if (getenv("PINN_TEST_VERBOSE"))
                printf("%-30s ord%d %s in: %.1e %.1e %.1e %.1e  par: %.1e\n", name, order, general ? "gen " : "fast",
                       res.in_err[1], res.in_err[2], res.in_err[3], order > 3 ? res.in_err[4] : 0.0, res.par_err);
            pinn_plan_free(pl);
        }
    free(x);
}

/* Output jet and gradient of L = sum_s (0.3 + 0.1 s) J^2 / 2 at points x under plan; caller frees. */
static void eval(const pinn_graph *g, const pinn_plan *pl, const pinn_real *P, int n, const pinn_real *x,
                 pinn_real **jet, pinn_real **grad) {
    pinn_tape *t;
    pinn_error err;
    CHECK_OK(pinn_tape_init(&t, g, pl, n, &err), err);
    int S = pinn_plan_size(pl);
    size_t per = (size_t)n * pinn_graph_width(g, pinn_graph_output(g)), np = pinn_graph_nparams(g);
    pinn_tape_forward(t, P, x, n);
    *jet = malloc(sizeof(pinn_real) * per * S);
    memcpy(*jet, pinn_tape_output(t), sizeof(pinn_real) * per * S);
    pinn_tape_zero_grad(t);
    pinn_real *gJ = pinn_tape_output_grad(t);
    for (int s = 0; s < S; s++)
        for (size_t k = 0; k < per; k++) gJ[s * per + k] = (pinn_real)(0.3 + 0.1 * s) * (*jet)[s * per + k];
    *grad = calloc(np + 1, sizeof(pinn_real));
    pinn_tape_backward(t, P, *grad);
    pinn_tape_free(t);
}

/* A grid op over [lo, hi]^d on the input node, as the output of a fresh graph. */
static pinn_graph *grid_graph(int d, const int *m, double lo, double hi, double overlap, int unity, int width) {
    pinn_graph *g;
    pinn_error err;
    pinn_graph_init(&g, d, &err);
    double L[PINN_MAX_INPUTS] = {lo, lo, lo, lo}, H[PINN_MAX_INPUTS] = {hi, hi, hi, hi};
    pinn_subnets_spec s;
    pinn_subnets_spec_grid(&s, template_net(d, width, 1), d, m, L, H, overlap);
    s.unity = unity;
    pinn_graph_set_output(g, pinn_graph_subnets(g, 0, &s));
    CHECK(pinn_graph_status(g, &err) == PINN_OK, "grid graph: %s", err.msg);
    return g;
}

/* Over [-L, L]^d: the differences' truncation error grows like (pi / radius)^5 h^4, so in float
 * (h = 2^-6) the supports must not be much narrower than 1. */
static void check_grid(const char *name, int d, const int *m, double L, double overlap, int unity, int expect_cover) {
    pinn_graph *g = grid_graph(d, m, -L, L, overlap, unity, 5);
    CHECK(pinn_graph_subnets_max_cover(g, 0) == expect_cover, "%s: max cover %d, expected %d", name,
          pinn_graph_subnets_max_cover(g, 0), expect_cover);
    pinn_real *P = init_params(g, 11);
    check_fd(name, g, P, d, d == 1 ? 12 : 14, -0.95 * L, 0.95 * L);
    free(P);
    pinn_graph_free(g);
}

/* Callback window w = 1 + 0.3 x0 (- 0.2 x1): affine in the coordinates, jets by hand. */
static void affine_window(void *ctx, int j, const pinn_plan *plan, int m, int dx, const pinn_real *xj, pinn_real *w) {
    (void)ctx, (void)j;
    const double a[2] = {0.3, -0.2};
    for (int s = 0; s < pinn_plan_size(plan); s++)
        for (int q = 0; q < m; q++) {
            double v = s == 0 ? 1 : 0;
            for (int i = 0; i < dx && i < 2; i++) v += a[i] * xj[((size_t)s * m + q) * dx + i];
            w[(size_t)s * m + q] = (pinn_real)v;
        }
}

int main(void) {
    pinn_error err;
    const int m1[1] = {5}, m1b[1] = {4}, m2[2] = {3, 3}, m2b[2] = {4, 3};

    /* one instance, cosine and sigmoid windows over an explicit box (the sigmoid's transitions at
     * u = +-1/2 lie inside the checked points, its cut at the support edge outside) */
    for (int d = 1; d <= 4; d++) {
        int sig = d > 2, dd = sig ? d - 2 : d;
        pinn_graph *g;
        pinn_graph_init(&g, dd, &err);
        double c[2] = {0.1, -0.1}, r[2] = {1.3, 1.4};
        pinn_subnets_spec s;
        pinn_subnets_spec_boxes(&s, template_net(dd, 6, 1), dd, 1, c, r);
        if (sig) s.window = PINN_WINDOW_SIGMOID, s.window_steep = 6;
        pinn_graph_set_output(g, pinn_graph_subnets(g, 0, &s));
        CHECK(pinn_graph_status(g, &err) == PINN_OK, "one instance: %s", err.msg);
        pinn_real *P = init_params(g, 3);
        static const char *const names[4] = {"one instance 1-D", "one instance 2-D", "sigmoid window 1-D", "sigmoid window 2-D"};
        check_fd(names[d - 1], g, P, dd, 8, -0.9, 0.9);
        free(P);
        pinn_graph_free(g);
    }

    /* grids: overlap 2 (2 per point in 1-D, 4 in 2-D) and 3 (3 and 9) */
    /* max cover per input: floor(overlap) + 1, room for the neighbours that a point at a centre can
     * pass the floating-point support test for when the overlap is an integer */
    check_grid("1-D grid 5, overlap 2", 1, m1, 1, 2.0, 0, 3);
    check_grid("1-D grid 4, overlap 3", 1, m1b, 1, 3.0, 0, 4);
    check_grid("2-D grid 3x3, overlap 2", 2, m2, 1, 2.0, 0, 9);
    check_grid("2-D grid 4x3, overlap 3", 2, m2b, 1, 3.0, 0, 12);
    /* partition of unity */
    check_grid("1-D grid 5, unity", 1, m1, 3, 2.0, 1, 3);
    check_grid("2-D grid 3x3, overlap 2.5, unity", 2, m2, 1, 2.5, 1, 9);

    /* explicit boxes of different sizes (bucket locator), unity, two outputs */
    {
        pinn_graph *g;
        pinn_graph_init(&g, 2, &err);
        double c[10] = {-1.0, -1.0, 0.8, -1.2, -0.6, 1.0, 1.2, 1.0, 0.0, 0.0};
        double r[10] = {1.8, 1.6, 1.4, 1.8, 1.6, 1.6, 1.4, 1.8, 0.9, 1.0};
        pinn_subnets_spec s;
        pinn_subnets_spec_boxes(&s, template_net(2, 5, 2), 2, 5, c, r);
        s.unity = 1;
        s.prefix = "box";
        pinn_graph_set_output(g, pinn_graph_subnets(g, 0, &s));
        CHECK(pinn_graph_status(g, &err) == PINN_OK, "boxes: %s", err.msg);
        CHECK(pinn_graph_width(g, pinn_graph_output(g)) == 2, "boxes: width %d", pinn_graph_width(g, pinn_graph_output(g)));
        const char *nm;
        pinn_graph_slice(g, 4, &nm, NULL, NULL);
        CHECK(strcmp(nm, "box1.mlp.W0") == 0, "slice name %s", nm);
        CHECK(pinn_graph_slice_is_weight(g, 4) && !pinn_graph_slice_is_weight(g, 5), "instance weight slices");
        pinn_real *P = init_params(g, 5);
        check_fd("2-D boxes, unity, 2 outputs", g, P, 2, 14, -1.9, 1.9);
        /* the locator against brute force, on random points */
        pinn_real *x = fd_points(400, 2, -3.2, 3.2, 9);
        int bad = 0;
        for (int i = 0; i < 400; i++) {
            int inst[8], n = pinn_graph_subnets_locate(g, 0, x + 2 * i, inst, 8), k = 0;
            for (int j = 0; j < 5; j++) {
                int in = fabs(x[2 * i] - c[2 * j]) < r[2 * j] && fabs(x[2 * i + 1] - c[2 * j + 1]) < r[2 * j + 1];
                if (in && (k >= n || inst[k++] != j)) bad++;
            }
            if (k != n) bad++;
        }
        CHECK(bad == 0, "boxes locator: %d mismatches", bad);
        free(x);
        free(P);
        pinn_graph_free(g);
    }

    /* callback window */
    for (int d = 1; d <= 2; d++) {
        pinn_graph *g;
        pinn_graph_init(&g, d, &err);
        const int *m = d == 1 ? m1 : m2;
        double L[2] = {-1, -1}, H[2] = {1, 1};
        pinn_subnets_spec s;
        pinn_subnets_spec_grid(&s, template_net(d, 4, 1), d, m, L, H, 2.0);
        s.window = PINN_WINDOW_CALLBACK;
        s.window_fn = affine_window;
        pinn_graph_set_output(g, pinn_graph_subnets(g, 0, &s));
        CHECK(pinn_graph_status(g, &err) == PINN_OK, "callback: %s", err.msg);
        pinn_real *P = init_params(g, 7);
        check_fd(d == 1 ? "1-D callback window" : "2-D callback window", g, P, d, 10, -0.9, 0.9);
        free(P);
        pinn_graph_free(g);
    }

    /* inactive and fixed instances */
    for (int d = 1; d <= 2; d++) {
        pinn_graph *g = grid_graph(d, d == 1 ? m1 : m2, -1, 1, 2.0, 0, 5);
        int J = pinn_graph_subnets_instances(g, 0), jo = J / 2, n = 16;
        size_t per, off = pinn_graph_subnets_params(g, 0, &per), np = pinn_graph_nparams(g);
        unsigned char *state = pinn_graph_subnets_state(g, 0);
        pinn_real *P = init_params(g, 13), *x = clear_points(g, n, d, -0.95, 0.95, 17);
        pinn_plan *pl = fd_full_plan(d, 4);
        pinn_real *J0, *G0, *J1, *G1;
        eval(g, pl, P, n, x, &J0, &G0);
        size_t len = (size_t)n * pinn_plan_size(pl);
        /* fixed: the same jets, the same gradient except a zero slice */
        state[jo] = PINN_SUBNET_FIXED;
        eval(g, pl, P, n, x, &J1, &G1);
        int same = memcmp(J0, J1, sizeof(pinn_real) * len) == 0, gsame = 1, nz = 0;
        for (size_t i = 0; i < np; i++) {
            int in = i >= off + jo * per && i < off + (jo + 1) * per;
            if (in) nz += G1[i] != 0, gsame &= G0[i] != 0;
            else gsame &= G1[i] == G0[i];
        }
        CHECK(same && gsame && nz == 0, "%d-D fixed instance: jets equal %d, gradient equal %d, nonzero %d", d, same,
              gsame, nz);
        free(J1), free(G1);
        /* inactive: as if its network were zero; no gradient */
        state[jo] = PINN_SUBNET_INACTIVE;
        eval(g, pl, P, n, x, &J1, &G1);
        nz = 0;
        for (size_t i = off + jo * per; i < off + (jo + 1) * per; i++) nz += G1[i] != 0;
        CHECK(nz == 0, "%d-D inactive instance: %d nonzero gradient entries", d, nz);
        check_fd(d == 1 ? "1-D grid, one inactive" : "2-D grid, one inactive", g, P, d, n, -0.95, 0.95);
        state[jo] = PINN_SUBNET_ACTIVE;
        const pinn_graph *net = pinn_graph_subnets_net(g, 0);
        size_t wo, bo, ws, bs; /* the last layer's W and b of instance jo set to zero */
        int ns = pinn_graph_nslices(net);
        pinn_graph_slice(net, ns - 2, NULL, &wo, &ws);
        pinn_graph_slice(net, ns - 1, NULL, &bo, &bs);
        pinn_real *Pz = malloc(sizeof(pinn_real) * np);
        memcpy(Pz, P, sizeof(pinn_real) * np);
        memset(Pz + off + jo * per + wo, 0, sizeof(pinn_real) * ws);
        memset(Pz + off + jo * per + bo, 0, sizeof(pinn_real) * bs);
        pinn_real *J2, *G2;
        eval(g, pl, Pz, n, x, &J2, &G2);
        CHECK(memcmp(J1, J2, sizeof(pinn_real) * len) == 0, "%d-D inactive instance differs from a zero network", d);
        free(J0), free(G0), free(J1), free(G1), free(J2), free(G2), free(Pz), free(P), free(x);
        pinn_plan_free(pl);
        pinn_graph_free(g);
    }

    /* one instance, window 1, normalisation (0, 1): exactly the plain sub-network (group by group:
     * the lockstep passes pick their product kernels per batched shape, so they agree with the
     * plain network to rounding only; test_fbpinn_batch compares the two paths) */
    setenv("PINN_SUBNETS_BATCH", "0", 1);
    for (int d = 1; d <= 2; d++)
        for (int order = 2; order <= 4; order += 2) {
            pinn_graph *g, *plain = template_net(d, 6, 2);
            pinn_graph_init(&g, d, &err);
            double c[2] = {0, 0}, r[2] = {50, 50}, zero[2] = {0, 0}, one[2] = {1, 1};
            pinn_subnets_spec s;
            pinn_subnets_spec_boxes(&s, template_net(d, 6, 2), d, 1, c, r);
            s.window = PINN_WINDOW_ONE;
            s.norm_centre = zero;
            s.norm_radius = one;
            pinn_graph_set_output(g, pinn_graph_subnets(g, 0, &s));
            pinn_real *P = init_params(g, 19), *x = fd_points(9, d, -1, 1, 23);
            pinn_plan *pl = fd_full_plan(d, order);
            pinn_real *Ja, *Ga, *Jb, *Gb;
            eval(g, pl, P, 9, x, &Ja, &Ga);
            eval(plain, pl, P, 9, x, &Jb, &Gb);
            size_t len = (size_t)9 * 2 * pinn_plan_size(pl), np = pinn_graph_nparams(plain);
            CHECK(pinn_graph_nparams(g) == np, "parameter counts %zu, %zu", pinn_graph_nparams(g), np);
            CHECK(memcmp(Ja, Jb, sizeof(pinn_real) * len) == 0 && memcmp(Ga, Gb, sizeof(pinn_real) * np) == 0,
                  "%d-D order %d: window 1 differs from the plain network", d, order);
            free(Ja), free(Ga), free(Jb), free(Gb), free(P), free(x);
            pinn_plan_free(pl);
            pinn_graph_free(g);
            pinn_graph_free(plain);
        }
    unsetenv("PINN_SUBNETS_BATCH");

    /* partition of unity: networks that output 1 give 1, with vanishing derivatives; uncovered
     * points (here: instance 0 inactive, outside the others) give 0 */
    {
        pinn_graph *g = grid_graph(2, m2, -1, 1, 2.5, 1, 4);
        size_t per, off = pinn_graph_subnets_params(g, 0, &per), np = pinn_graph_nparams(g);
        pinn_real *P = init_params(g, 29);
        const pinn_graph *net = pinn_graph_subnets_net(g, 0);
        size_t wo, bo, ws;
        int ns = pinn_graph_nslices(net);
        pinn_graph_slice(net, ns - 2, NULL, &wo, &ws);
        pinn_graph_slice(net, ns - 1, NULL, &bo, NULL);
        for (int j = 0; j < 9; j++) {
            memset(P + off + j * per + wo, 0, sizeof(pinn_real) * ws);
            P[off + j * per + bo] = 1;
        }
        pinn_real *x = fd_points(64, 2, -1.2, 1.2, 31), *Jt, *Gt;
        pinn_plan *pl = fd_full_plan(2, 4);
        eval(g, pl, P, 64, x, &Jt, &Gt);
        double e0 = 0, ed = 0;
        for (int p = 0; p < 64; p++) e0 = fmax(e0, fabs(Jt[p] - 1));
        for (int p = 64; p < 64 * pinn_plan_size(pl); p++) ed = fmax(ed, fabs(Jt[p]));
        CHECK(e0 <= PINN_TEST_ROUNDING(1e-14) && ed <= PINN_TEST_ROUNDING(1e-11), "unity: |u-1| %.2g, |derivatives| %.2g",
              e0, ed);
        free(Jt), free(Gt);
        pinn_graph_subnets_state(g, 0)[0] = PINN_SUBNET_INACTIVE;
        pinn_real xo[2] = {-1.5, -1.5};
        eval(g, pl, P, 1, xo, &Jt, &Gt);
        CHECK(Jt[0] == 0 && isfinite(Gt[0]), "uncovered point: %g", (double)Jt[0]);
        free(Jt), free(Gt), free(x), free(P);
        (void)np;
        pinn_plan_free(pl);
        pinn_graph_free(g);
    }

    /* drop_partial: the points an inactive instance covers give zero jets, the others what they give
     * without it (the same parameters, to rounding); FD-checked with the instance inactive */
    {
        const int m7[1] = {5}; /* supports 1.25 wide: float FD needs them not much narrower than 1 */
        double L[1] = {-1}, H[1] = {1};
        pinn_graph *gg[2];
        for (int k = 0; k < 2; k++) {
            pinn_error e;
            pinn_graph_init(&gg[k], 1, &e);
            pinn_subnets_spec sp;
            pinn_subnets_spec_grid(&sp, template_net(1, 5, 1), 1, m7, L, H, 2.5);
            sp.unity = 1;
            sp.drop_partial = k;
            pinn_graph_set_output(gg[k], pinn_graph_subnets(gg[k], 0, &sp));
            CHECK(pinn_graph_status(gg[k], &e) == PINN_OK, "drop_partial graph: %s", e.msg);
            pinn_graph_subnets_state(gg[k], 0)[3] = PINN_SUBNET_INACTIVE;
        }
        int n = 24;
        pinn_real *P = init_params(gg[0], 19), *x = clear_points(gg[0], n, 1, -0.97, 0.97, 23), *J0, *G0, *J1, *G1;
        pinn_plan *pl = fd_full_plan(1, 3);
        eval(gg[0], pl, P, n, x, &J0, &G0);
        eval(gg[1], pl, P, n, x, &J1, &G1);
        int S = pinn_plan_size(pl), bad = 0, dropped = 0;
        for (int q = 0; q < n; q++) {
            int inst[8], c = pinn_graph_subnets_locate(gg[0], 0, x + q, inst, 8), by3 = 0;
            for (int e = 0; e < c; e++) by3 |= inst[e] == 3;
            dropped += by3;
            for (int st = 0; st < S; st++) /* the order of the sum over instances may differ: rounding */
                bad += by3 ? J1[st * n + q] != 0
                           : fabs(J1[st * n + q] - J0[st * n + q]) > PINN_TEST_ROUNDING(1e-13) * (1 + fabs(J0[st * n + q]));
        }
        CHECK(bad == 0 && dropped > 0 && dropped < n, "drop_partial: %d wrong jet entries (%d of %d points dropped)", bad,
              dropped, n);
        check_fd("1-D grid, drop_partial", gg[1], P, 1, 12, -0.95, 0.95);
        free(J0), free(G0), free(J1), free(G1), free(P), free(x);
        pinn_plan_free(pl);
        pinn_graph_free(gg[0]), pinn_graph_free(gg[1]);
    }

    /* grid locator against brute force, and the point sort */
    {
        pinn_graph *g = grid_graph(2, m2b, -1, 1, 3.0, 0, 3);
        pinn_real *x = fd_points(500, 2, -1.5, 1.5, 37);
        int bad = 0, J = pinn_graph_subnets_instances(g, 0);
        for (int i = 0; i < 500; i++) {
            int inst[16], n = pinn_graph_subnets_locate(g, 0, x + 2 * i, inst, 16), k = 0;
            for (int j = 0; j < J; j++) {
                double c[2], r[2];
                pinn_graph_subnets_box(g, 0, j, c, r);
                int in = fabs(x[2 * i] - c[0]) < r[0] && fabs(x[2 * i + 1] - c[1]) < r[1];
                if (in && (k >= n || inst[k++] != j)) bad++;
            }
            if (k != n) bad++;
        }
        CHECK(bad == 0, "grid locator: %d mismatches", bad);
        size_t order[500];
        CHECK_OK(pinn_subnets_sort_points(g, 0, 500, x, order, &err), err);
        unsigned char seen[500] = {0};
        int perm = 1, mono = 1;
        double dc0 = 2.0 / 3, dc1 = 1.0;
        for (int i = 0; i < 500; i++) {
            perm &= order[i] < 500 && !seen[order[i]];
            if (order[i] < 500) seen[order[i]] = 1;
            if (i == 0) continue;
            const pinn_real *a = x + 2 * order[i - 1], *b = x + 2 * order[i];
            int ka = (int)fmin(fmax(floor((a[0] + 1) / dc0), 0), 3) * 3 + (int)fmin(fmax(floor((a[1] + 1) / dc1), 0), 2);
            int kb = (int)fmin(fmax(floor((b[0] + 1) / dc0), 0), 3) * 3 + (int)fmin(fmax(floor((b[1] + 1) / dc1), 0), 2);
            mono &= ka <= kb;
        }
        CHECK(perm && mono, "sort: permutation %d, cells in order %d", perm, mono);
        free(x);
        pinn_graph_free(g);
    }

    /* builder errors are recorded (and the template freed) */
    {
        pinn_graph *g;
        pinn_graph_init(&g, 2, &err);
        pinn_subnets_spec s;
        double L[2] = {-1, -1}, H[2] = {1, 1};
        int W = pinn_graph_param(g, "W", 2, 2, PINN_INIT_ZERO, 0);
        int h = pinn_graph_affine(g, 0, W, -1);
        pinn_subnets_spec_grid(&s, template_net(2, 3, 1), 2, m2, L, H, 2.0);
        CHECK(pinn_graph_subnets(g, h, &s) < 0, "input with parameters accepted");
        CHECK(pinn_graph_status(g, &err) == PINN_ERR_INVALID && strstr(err.msg, "affine"), "status: %s", err.msg);
        pinn_graph_free(g);
        pinn_graph_init(&g, 2, &err);
        pinn_subnets_spec_grid(&s, template_net(1, 3, 1), 2, m2, L, H, 2.0);
        CHECK(pinn_graph_subnets(g, 0, &s) < 0, "template with 1 input on a width-2 input accepted");
        pinn_graph_free(g);
    }
    return CHECK_DONE();
}
