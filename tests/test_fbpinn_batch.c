/* test_fbpinn_batch.c - the batched subdomain products: pinn_gemm_batch against a naive loop for
 * the forms NT, NN, TN at odd widths (1, 3, 13, 16, 17) and odd row counts, both kernels, every
 * tile and vector variant, operands allocated to their exact size (an over-read shows under
 * AddressSanitizer), beta = 0 never reading C; each product bitwise equal to the same kernel's
 * single call.  Then the lockstep sub-network passes against the group-by-group ones: loss jets
 * and parameter gradients equal to 1e-12 (bitwise with one product kernel for both), on a
 * 2-level decomposition with fixed and inactive subdomains and dropped partial points, and on
 * the 1-D and 2-D FBPINN examples (a sweep, a multilevel) through the trainer. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "core/blas.h"
#include "core/gemm_batch.h"
#include "core/gemm_small.h"
#include "fdcheck.h"
#include "jet/graph.h"
#include "pinnc.h"
#include "pinnc/ctx.h"
#include "train/phase.h"

#define urand check_urand

/* ------------------------------------------------------------------ pinn_gemm_batch */

/* A malloc'd array of n random reals (exactly n: a read past it is an ASan error). */
static pinn_real *rand_array(size_t n) {
    pinn_real *a = malloc(sizeof(pinn_real) * (n ? n : 1));
    for (size_t i = 0; i < n; i++) a[i] = urand();
    return a;
}

/* One batch of nb products of form (ta, tb), widths N and W, ldc = N + pad (pad > 0: sentinels
 * past column N must stay), through kind; checked against the naive loop and, bitwise, against
 * the kernel's single call per product. */
static void check_batch(int kind, int ta, int tb, int nb, const int *len, int N, int W, double alpha, double beta,
                        int pad) {
    const pinn_real **A = malloc(sizeof *A * nb), **B = malloc(sizeof *B * nb);
    pinn_real **C = malloc(sizeof *C * nb), **C0 = malloc(sizeof *C0 * nb), **C1 = malloc(sizeof *C1 * nb);
    int ldc = N + pad, ldb = tb ? W : N;
    size_t *cn = malloc(sizeof *cn * nb);
    for (int b = 0; b < nb; b++) {
        size_t L = (size_t)(len[b] > 0 ? len[b] : 0), cr = ta ? (size_t)W : L;
        size_t bn = tb ? (size_t)N * W : ta ? L * N : (size_t)W * N;
        A[b] = rand_array(L * W);
        B[b] = rand_array(bn);
        cn[b] = cr * ldc;
        C[b] = rand_array(cn[b]), C0[b] = malloc(sizeof(pinn_real) * (cn[b] ? cn[b] : 1));
        C1[b] = malloc(sizeof(pinn_real) * (cn[b] ? cn[b] : 1));
        for (size_t i = 0; i < cr; i++)
            for (int j = 0; j < ldc; j++)
                C[b][i * ldc + j] = j >= N ? (pinn_real)(1000 + j) : beta == 0 ? (pinn_real)NAN : C[b][i * ldc + j];
        memcpy(C0[b], C[b], sizeof(pinn_real) * cn[b]);
        memcpy(C1[b], C[b], sizeof(pinn_real) * cn[b]);
    }
    CHECK(pinn_gemm_batch(kind, ta, tb, nb, len, N, W, (pinn_real)alpha, A, W, B, ldb, (pinn_real)beta, C, ldc) == 0,
          "batch declined");
    double tol = PINN_TEST_TOL(1e-13, 2e-5), worst = 0;
    int bad_sentinel = 0, bitwise = 1;
    for (int b = 0; b < nb; b++) {
        int L = len[b] > 0 ? len[b] : 0, M = ta ? W : L, K = ta ? L : W;
        for (int i = 0; i < M; i++) {
            for (int j = 0; j < N; j++) {
                double s = 0, mag = 0;
                for (int k = 0; k < K; k++) {
                    double a = ta ? A[b][(size_t)k * W + i] : A[b][(size_t)i * W + k];
                    double bb = tb ? B[b][(size_t)j * W + k] : B[b][(size_t)k * ldb + j];
                    s += a * bb, mag += fabs(a * bb);
                }
                double c0 = beta == 0 ? 0 : (double)C0[b][(size_t)i * ldc + j];
                double want = alpha * s + beta * c0, scale = fabs(alpha) * mag + fabs(beta * c0) + 1e-300;
                double e = fabs((double)C[b][(size_t)i * ldc + j] - want) / scale;
                if (!(e <= worst)) worst = e;
            }
            for (int j = N; j < ldc; j++) bad_sentinel |= C[b][(size_t)i * ldc + j] != (pinn_real)(1000 + j);
        }
        if (!ta && L == 0) continue;
        int used = kind == PINN_GEMM_LIBRARY || kind == PINN_GEMM_SMALL ? kind
                                                                         : pinn_gemm_batch_policy(ta, tb, len[0], N, W);
        if (used == PINN_GEMM_SMALL)
            pinn_gemm_small(ta, tb, M, N, K, (pinn_real)alpha, A[b], W, B[b], ldb, (pinn_real)beta, C1[b], ldc);
        else
            pinn_gemm_library(ta, tb, M, N, K, (pinn_real)alpha, A[b], W, B[b], ldb, (pinn_real)beta, C1[b], ldc);
        bitwise &= memcmp(C[b], C1[b], sizeof(pinn_real) * cn[b]) == 0;
    }
    CHECK(worst <= tol, "kind %d %s%s nb %d N %d W %d alpha %g beta %g: relative error %.3g", kind, ta ? "T" : "N",
          tb ? "T" : "N", nb, N, W, alpha, beta, worst);
    CHECK(!bad_sentinel, "kind %d %d%d N %d W %d: wrote past column N", kind, ta, tb, N, W);
    CHECK(bitwise, "kind %d %d%d N %d W %d: differs from the single call", kind, ta, tb, N, W);
    for (int b = 0; b < nb; b++) free((void *)A[b]), free((void *)B[b]), free(C[b]), free(C0[b]), free(C1[b]);
    free(A), free(B), free(C), free(C0), free(C1), free(cn);
}

static void gemm_batch_tests(void) {
    static const int widths[] = {1, 3, 13, 16, 17};
    static const int lens[] = {1, 7, 13, 0, 33, 5, 80, 17, 2};
    const int nw = 5, nl = 9, pat[3][2] = {{0, 1}, {0, 0}, {1, 0}};
    static const double ab[][2] = {{1, 0}, {1, 1}, {-0.5, 2}};
    for (int rv = 0; rv < 3; rv++) { /* both tile heights, both vector widths */
        pinn_gemm_small_tiles(rv == 0 ? 4 : 8);
        pinn_gemm_small_vectors(rv == 1 ? 32 : 64);
        for (int kind = PINN_GEMM_LIBRARY; kind <= PINN_GEMM_SMALL; kind++)
            for (int p = 0; p < 3; p++)
                for (int a = 0; a < nw; a++)
                    for (int c = 0; c < nw; c++) {
                        int q = (a + c + p) % 3;
                        check_batch(kind, pat[p][0], pat[p][1], nl, lens, widths[a], widths[c], ab[q][0], ab[q][1],
                                    (a + c) % 2 ? 2 : 0);
                    }
    }
    pinn_gemm_small_tiles(0);
    pinn_gemm_small_vectors(0);
    /* auto: the per-shape pick, either way the right products */
    for (int p = 0; p < 3; p++)
        for (int a = 0; a < nw; a++) check_batch(-1, pat[p][0], pat[p][1], nl, lens, widths[a], 16, 1, 1, 1);
    /* reductions beyond one chunk (TN), an empty batch */
    static const int longl[] = {300, 129, 1000};
    check_batch(PINN_GEMM_SMALL, 1, 0, 3, longl, 13, 17, 1, 1, 0);
    check_batch(PINN_GEMM_SMALL, 0, 0, 3, longl, 13, 17, 1, 0, 0);
    CHECK(pinn_gemm_batch(PINN_GEMM_SMALL, 0, 1, 0, NULL, 3, 3, 1, NULL, 3, NULL, 3, 0, NULL, 3) == 0, "empty batch");
    CHECK(pinn_gemm_batch(PINN_GEMM_SMALL, 1, 1, 1, lens, 3, 3, 1, NULL, 3, NULL, 3, 0, NULL, 3) == -1, "TT declined");
}

/* ------------------------------------------------------------------ lockstep against group by group */

/* Jet and gradient of graph g (a loss-like adjoint of the jet) with the sub-network passes batched
 * or not, optionally with every product on one kernel. */
static void eval(const pinn_graph *g, const pinn_plan *pl, const pinn_real *P, int n, const pinn_real *x, int batch,
                 int kind, pinn_real **jet, pinn_real **grad) {
    pinn_tape *t;
    pinn_error err;
    CHECK_OK(pinn_tape_init(&t, g, pl, n, &err), err);
    pinn_tape_set_subnets_batch(t, batch);
    if (kind >= 0) pinn_tape_set_gemm(t, kind);
    int S = pinn_plan_size(pl);
    size_t per = (size_t)n * pinn_graph_width(g, pinn_graph_output(g)), np = pinn_graph_nparams(g);
    *jet = malloc(sizeof(pinn_real) * per * S);
    *grad = calloc(np + 1, sizeof(pinn_real));
    for (int rep = 0; rep < 2; rep++) { /* twice: the second pass reuses the tapes */
        pinn_tape_forward(t, P, x, n);
        memcpy(*jet, pinn_tape_output(t), sizeof(pinn_real) * per * S);
        pinn_tape_zero_grad(t);
        pinn_real *gJ = pinn_tape_output_grad(t);
        for (int s = 0; s < S; s++)
            for (size_t k = 0; k < per; k++) gJ[s * per + k] = (pinn_real)(0.3 + 0.1 * s) * (*jet)[s * per + k];
        if (rep == 0) memset(*grad, 0, sizeof(pinn_real) * np);
        if (rep == 1) pinn_tape_backward(t, P, *grad);
    }
    pinn_tape_free(t);
}

/* Largest |a - b| relative to max |b| (over n values). */
static double rel_diff(const pinn_real *a, const pinn_real *b, size_t n) {
    double d = 0, m = 1e-300;
    for (size_t i = 0; i < n; i++) {
        double e = fabs((double)a[i] - (double)b[i]);
        d = e > d ? e : d;
        m = fabs((double)b[i]) > m ? fabs((double)b[i]) : m;
    }
    return d / m;
}

/* Compares the two paths on g at n points in [lo, hi]^d, plans of order 2 (fast and general) and 3. */
static void compare_paths(const char *name, const pinn_graph *g, int d, int n, double lo, double hi) {
    pinn_rng r;
    pinn_rng_seed(&r, 3);
    size_t np = pinn_graph_nparams(g);
    pinn_real *P = malloc(sizeof(pinn_real) * (np + 1));
    pinn_graph_init_params(g, P, &r);
    for (size_t i = 0; i < np; i++)
        if (P[i] == 0) P[i] = (pinn_real)(0.3 * pinn_rng_normal(&r));
    pinn_real *x = fd_points(n, d, lo, hi, 11);
    for (int order = 2; order <= 3; order++) {
        pinn_plan *pl = fd_full_plan(d, order);
        size_t len = (size_t)n * pinn_graph_width(g, pinn_graph_output(g)) * pinn_plan_size(pl);
        pinn_real *J0, *G0, *J1, *G1;
        eval(g, pl, P, n, x, 0, -1, &J0, &G0);
        eval(g, pl, P, n, x, 1, -1, &J1, &G1);
        double ej = rel_diff(J1, J0, len), eg = rel_diff(G1, G0, np);
        CHECK(ej <= PINN_TEST_TOL(1e-12, 1e-5) && eg <= PINN_TEST_TOL(1e-12, 1e-5),
              "%s order %d: batched jet %.3g, gradient %.3g from the per-subdomain path", name, order, ej, eg);
        double gmax = 0;
        for (size_t i = 0; i < np; i++) gmax = fabs((double)G0[i]) > gmax ? fabs((double)G0[i]) : gmax;
        CHECK(gmax > 0, "%s: a gradient at all", name);
        free(J0), free(G0), free(J1), free(G1);
        for (int kind = PINN_GEMM_LIBRARY; kind <= PINN_GEMM_SMALL; kind++) { /* one kernel: bitwise */
            eval(g, pl, P, n, x, 0, kind, &J0, &G0);
            eval(g, pl, P, n, x, 1, kind, &J1, &G1);
            CHECK(!memcmp(J0, J1, sizeof(pinn_real) * len) && !memcmp(G0, G1, sizeof(pinn_real) * np),
                  "%s order %d kind %d: batched and per-subdomain not bitwise equal", name, order, kind);
            free(J0), free(G0), free(J1), free(G1);
        }
        pinn_plan_free(pl);
    }
    free(P), free(x);
}

/* A 2-level decomposition of [-1, 1]^d (grids 3^d with unity and 6^d without, 2 x 13 tanh nets)
 * summed, with the sweep's states on level 1 (fixed, inactive, dropped partial points) and one
 * fixed on level 0 (an inactive one there would leave points whose windows nearly vanish, where
 * the normalised jet amplifies any rounding difference). */
static void two_levels(int d) {
    pinn_graph *g;
    pinn_error err;
    pinn_graph_init(&g, d, &err);
    int acc = -1;
    for (int l = 0; l < 2; l++) {
        pinn_graph *net;
        pinn_graph_init(&net, d, &err);
        pinn_mlp_spec ms;
        pinn_mlp_spec_default(&ms, d, 1, 2, 13, PINN_FN_TANH);
        pinn_graph_set_output(net, pinn_mlp_build(net, 0, &ms));
        int m[PINN_MAX_INPUTS];
        double lo[PINN_MAX_INPUTS], hi[PINN_MAX_INPUTS];
        for (int q = 0; q < d; q++) m[q] = l ? 6 : 3, lo[q] = -1, hi[q] = 1;
        pinn_subnets_spec s;
        pinn_subnets_spec_grid(&s, net, d, m, lo, hi, 1.9);
        s.prefix = l ? "L1." : "L0.";
        s.unity = l == 0;
        s.drop_partial = l == 1;
        int u = pinn_graph_subnets(g, 0, &s);
        acc = l == 0 ? u : pinn_graph_add(g, acc, u, 1.0, 1.0);
    }
    pinn_graph_set_output(g, acc);
    CHECK_OK(pinn_graph_status(g, &err), err);
    char name[64];
    snprintf(name, sizeof name, "%d-D two levels, all active", d);
    compare_paths(name, g, d, 97, -0.97, 0.97);
    unsigned char *s0 = pinn_graph_subnets_state(g, 0), *s1 = pinn_graph_subnets_state(g, 1);
    int J1 = pinn_graph_subnets_instances(g, 1);
    for (int j = 0; j < J1; j++)
        s1[j] = j % 3 == 0 ? PINN_SUBNET_FIXED : j % 3 == 1 ? PINN_SUBNET_ACTIVE : PINN_SUBNET_INACTIVE;
    s0[0] = PINN_SUBNET_FIXED;
    snprintf(name, sizeof name, "%d-D two levels, sweep states", d);
    compare_paths(name, g, d, 97, -0.97, 0.97);
    pinn_graph_free(g);
}

/* The trainer on an example with the two paths (PINN_SUBNETS_BATCH read at set-up): the loss
 * history of `epochs` Adam steps agrees to rel, the final parameters too. */
static void example(const char *file, const char *const *set, int n_set, double rel) {
    char path[512];
    const char *src = getenv("PINN_SOURCE");
    snprintf(path, sizeof path, "%s/examples/fbpinn/%s", src ? src : "..", file);
    double loss[2] = {0, 0};
    pinn_real *Pf[2] = {NULL, NULL};
    size_t np = 0;
    for (int b = 0; b < 2; b++) {
        setenv("PINN_SUBNETS_BATCH", b ? "1" : "0", 1);
        pinn_problem *p = malloc(sizeof *p);
        pinn_trainer *t = NULL;
        pinn_error err;
        CHECK_OK(pinn_problem_load(p, path, n_set, set, &err), err);
        CHECK_OK(pinn_trainer_init(&t, p, &err), err);
        if (t) {
            CHECK_OK(pinn_trainer_train(t, NULL, 0, NULL, NULL, &err), err);
            pinn_trainer_info info;
            pinn_trainer_get_info(t, &info);
            loss[b] = info.final_loss;
            np = pinn_trainer_nparams(t);
            Pf[b] = malloc(sizeof(pinn_real) * np);
            memcpy(Pf[b], t->P, sizeof(pinn_real) * np);
        }
        pinn_trainer_free(t);
        free(p);
    }
    unsetenv("PINN_SUBNETS_BATCH");
    double el = fabs(loss[1] - loss[0]) / fabs(loss[0]);
    double ep = Pf[0] && Pf[1] ? rel_diff(Pf[1], Pf[0], np) : 1;
    CHECK(loss[0] > 0 && el <= rel && ep <= rel, "%s: loss %.17g batched, %.17g per subdomain (%.3g), parameters %.3g",
          file, loss[1], loss[0], el, ep);
    free(Pf[0]), free(Pf[1]);
}

int main(void) {
    gemm_batch_tests();
    two_levels(1);
    two_levels(2);
    /* 1-D: the sweep example inside its first stage and past a stage change (fixed and inactive
     * subdomains, dropped partial points); 2-D: the multilevel example (levels 1..16) */
    const char *sweep[] = {"train.epochs=12", "train.collocation=200",
                           "model.schedule={kind: sweep, along: [t], active: 3, first: 4, steps: 3, "
                           "passed: fixed, partial: drop}"};
    example("oscillator_sweep.yaml", sweep, 3, PINN_TEST_TOL(1e-10, 1e-3));
    const char *multi[] = {"train.epochs=5", "train.collocation=1024"};
    example("laplace2d_multilevel.yaml", multi, 2, PINN_TEST_TOL(1e-10, 1e-3));
    const char *one[] = {"train.epochs=5", "train.collocation=300"};
    example("multiscale1d.yaml", one, 2, PINN_TEST_TOL(1e-10, 1e-3));
    return CHECK_DONE();
}
