/* test_term.c - loss terms over point sets: blocked evaluation equals one big block, 1 and 2 threads
 * give bitwise the same loss and gradient, extra parameters receive their gradient, and the same
 * seed gives bitwise the same parameters; the matrix-product flop count matches a hand count. */
#include <string.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "check.h"
#include "pinnc.h"

/* residual r = u_xx + k * u, loss mean(r^2); k is the extra parameter params[np_net]. */
typedef struct lctx {
    size_t np_net, N;
    int sxx;
} lctx;

static double loss_fn(void *vc, size_t first, int n, const pinn_real *x, const pinn_plan *plan, const pinn_real *jet,
                      pinn_real *gj, const pinn_real *P, pinn_real *G) {
    (void)first, (void)x, (void)plan;
    lctx *c = vc;
    pinn_real k = P[c->np_net];
    const pinn_real *u = jet, *uxx = jet + (size_t)c->sxx * n;
    double L = 0, gk = 0;
    for (int p = 0; p < n; p++) {
        double r = uxx[p] + k * u[p];
        L += r * r / c->N;
        double g = 2 * r / c->N;
        gj[p] += k * g;
        gj[(size_t)c->sxx * n + p] += g;
        gk += g * u[p];
    }
    G[c->np_net] += gk;
    return L;
}

int main(void) {
    pinn_error err;
    pinn_graph *g;
    pinn_graph_init(&g, 1, &err);
    pinn_mlp_spec s;
    pinn_mlp_spec_default(&s, 1, 1, 3, 16, PINN_FN_TANH);
    pinn_graph_set_output(g, pinn_mlp_build(g, 0, &s));
    size_t np = pinn_graph_nparams(g), N = 1000;
    pinn_real *P = malloc(sizeof(pinn_real) * (np + 1)), *P2 = malloc(sizeof(pinn_real) * (np + 1));
    pinn_rng r;
    pinn_rng_seed(&r, 42);
    pinn_graph_init_params(g, P, &r);
    pinn_rng_seed(&r, 42);
    pinn_graph_init_params(g, P2, &r);
    CHECK(memcmp(P, P2, sizeof(pinn_real) * np) == 0, "same seed, different parameters");
    pinn_rng_seed(&r, 43);
    pinn_graph_init_params(g, P2, &r);
    CHECK(memcmp(P, P2, sizeof(pinn_real) * np) != 0, "different seeds, same parameters");
    P[np] = 2.0;

    int req[1][PINN_MAX_INPUTS] = {{2}};
    pinn_plan *pl;
    CHECK_OK(pinn_plan_init(&pl, 1, 1, &req[0][0], &err), err);
    /* matrix-product flops per point, counted by hand for 1 -> 16 -> 16 -> 16 -> 1 and streams
     * (u, u_x, u_xx): the first layer sees the (affine) input once, forward and weight gradient;
     * hidden layers 3 streams x 2*16*16 forward, input adjoint and weight gradient; output 3 x 2*16. */
    CHECK(pinn_graph_gemm_flops(g, pl, 0) == 32 + 2 * 3 * 512 + 3 * 32, "forward flops %g",
          pinn_graph_gemm_flops(g, pl, 0));
    CHECK(pinn_graph_gemm_flops(g, pl, 1) == 2 * 32 + 2 * 3 * 3 * 512 + 3 * 3 * 32, "forward+backward flops %g",
          pinn_graph_gemm_flops(g, pl, 1));
    pinn_real *x = malloc(sizeof(pinn_real) * N);
    for (size_t i = 0; i < N; i++) x[i] = -1 + 2 * pinn_rng_uniform(&r);
    int xx[PINN_MAX_INPUTS] = {2};
    lctx c = {np, N, pinn_plan_index(pl, xx)};

    pinn_real *G1 = malloc(sizeof(pinn_real) * (np + 1)), *G2 = malloc(sizeof(pinn_real) * (np + 1)),
              *Gb = malloc(sizeof(pinn_real) * (np + 1));
    pinn_threads_set(1);
    pinn_term *t1;
    CHECK_OK(pinn_term_init(&t1, g, pl, N, 64, np + 1, &err), err);
    double L1 = pinn_term_eval(t1, N, x, P, G1, loss_fn, &c);
    pinn_threads_set(2);
#ifdef _OPENMP
    /* the thread count survives pinning BLAS to one thread (the OpenMP OpenBLAS does that with
     * omp_set_num_threads(1)) */
    CHECK(pinn_threads_get() == 2, "pinn_threads_set(2) left %d threads", pinn_threads_get());
#endif
    pinn_term *t2;
    CHECK_OK(pinn_term_init(&t2, g, pl, N, 64, np + 1, &err), err);
    double L2 = pinn_term_eval(t2, N, x, P, G2, loss_fn, &c);
    CHECK(L1 == L2, "loss differs with 1 and 2 threads: %.17g %.17g", L1, L2);
    CHECK(memcmp(G1, G2, sizeof(pinn_real) * (np + 1)) == 0, "gradient differs with 1 and 2 threads");
    /* one block of all points: same values up to rounding */
    pinn_term *tb;
    CHECK_OK(pinn_term_init(&tb, g, pl, N, (int)N, np + 1, &err), err);
    double Lb = pinn_term_eval(tb, N, x, P, Gb, loss_fn, &c);
    /* float: each block's losses are summed in float, in another order (seen: 3e-8) */
    CHECK_CLOSE(L1, Lb, PINN_TEST_TOL(1e-12, 1e-6), "blocked vs single-block loss");
    double num = 0, den = 0;
    for (size_t i = 0; i <= np; i++) num += (G1[i] - Gb[i]) * (G1[i] - Gb[i]), den += Gb[i] * Gb[i];
    /* float: the blocks sum their points' gradients in float, in another order (seen: 2e-6) */
    CHECK(sqrt(num) <= PINN_TEST_TOL(1e-12, 1e-5) * sqrt(den), "blocked vs single-block gradient %.3g",
          sqrt(num / den));
    /* gradient of the extra parameter k against a central difference; the loss is quadratic in k,
     * so any step is exact up to rounding: 1e-6 in double, 2^-4 in float (where 2 +- h is exact
     * and the rounding of the loss, ~1e-7 relative, costs ~1e-6) */
    const double hk = PINN_TEST_TOL(1e-6, 0x1p-4);
    pinn_real save = P[np];
    P[np] = (pinn_real)(save + hk);
    double Lp = pinn_term_eval(t1, N, x, P, NULL, loss_fn, &c);
    P[np] = (pinn_real)(save - hk);
    double Lm = pinn_term_eval(t1, N, x, P, NULL, loss_fn, &c);
    P[np] = save;
    CHECK_CLOSE(G1[np], (Lp - Lm) / (2 * hk), PINN_TEST_TOL(1e-6, 1e-5), "extra parameter gradient");
    /* a few gradient-descent steps with 1 and 2 threads end bitwise equal */
    memcpy(P2, P, sizeof(pinn_real) * (np + 1));
    for (int it = 0; it < 5; it++) {
        pinn_term_eval(t1, N, x, P, G1, loss_fn, &c);
        pinn_term_eval(t2, N, x, P2, G2, loss_fn, &c);
        for (size_t i = 0; i <= np; i++) P[i] -= 1e-3 * G1[i], P2[i] -= 1e-3 * G2[i];
    }
    CHECK(memcmp(P, P2, sizeof(pinn_real) * (np + 1)) == 0, "trajectories differ with 1 and 2 threads");
    /* predict agrees with the evaluated jet's value stream */
    pinn_real *out = malloc(sizeof(pinn_real) * 3 * N);
    pinn_term_predict(t2, N, x, P, out);
    CHECK(isfinite(out[0]) && isfinite(out[3 * N - 1]), "predict produced non-finite values");
    pinn_term_free(t1);
    pinn_term_free(t2);
    pinn_term_free(tb);
    pinn_plan_free(pl);
    pinn_graph_free(g);
    free(P), free(P2), free(G1), free(G2), free(Gb), free(x), free(out);
    return CHECK_DONE();
}
