/* bench_engine.c - ms per training step of the jet engine alone on PINN-shaped problems (no
 * expression layer): loss + gradient of a Burgers-like residual over N points, for an MLP of
 * L hidden layers of width W.  usage: bench_engine N L W [order] [reps] [block]
 * Time: the CPU time of the process (all threads), best of 5 rounds of reps/5 steps each, so a
 * shared host's other jobs count less; PINN_FUSED=0 compares the unfused layer kernels. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "pinnc.h"

static int s_t, s_x, s_xx;

static double burgers_loss(void *ctx, size_t first, int n, const pinn_real *x, const pinn_plan *plan,
                           const pinn_real *jet, pinn_real *gj, const pinn_real *P, pinn_real *G) {
    (void)ctx, (void)first, (void)x, (void)plan, (void)P, (void)G;
    const double nu = 0.01 / 3.141592653589793;
    const pinn_real *u = jet, *ut = jet + (size_t)s_t * n, *ux = jet + (size_t)s_x * n, *uxx = jet + (size_t)s_xx * n;
    double L = 0;
    for (int p = 0; p < n; p++) {
        double r = ut[p] + u[p] * ux[p] - nu * uxx[p];
        L += r * r;
        double g = 2 * r;
        gj[p] += g * ux[p];
        gj[(size_t)s_t * n + p] += g;
        gj[(size_t)s_x * n + p] += g * u[p];
        gj[(size_t)s_xx * n + p] += -nu * g;
    }
    return L;
}

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

int main(int argc, char **argv) {
    int N = argc > 1 ? atoi(argv[1]) : 10000, L = argc > 2 ? atoi(argv[2]) : 8, W = argc > 3 ? atoi(argv[3]) : 20;
    int reps = argc > 5 ? atoi(argv[5]) : 50, block = argc > 6 ? atoi(argv[6]) : 256;
    pinn_error err;
    pinn_graph *g;
    pinn_graph_init(&g, 2, &err);
    pinn_mlp_spec s;
    pinn_mlp_spec_default(&s, 2, 1, L, W, PINN_FN_TANH);
    s.normalize = 1;
    pinn_graph_set_output(g, pinn_mlp_build(g, 0, &s));
    int req[3][PINN_MAX_INPUTS] = {{1, 0}, {0, 1}, {0, 2}};
    pinn_plan *pl;
    pinn_plan_init(&pl, 2, 3, &req[0][0], &err);
    s_t = pinn_plan_index(pl, req[0]);
    s_x = pinn_plan_index(pl, req[1]);
    s_xx = pinn_plan_index(pl, req[2]);
    size_t np = pinn_graph_nparams(g);
    pinn_real *P = malloc(sizeof(pinn_real) * np), *G = malloc(sizeof(pinn_real) * np), *x = malloc(sizeof(pinn_real) * 2 * N);
    pinn_rng r;
    pinn_rng_seed(&r, 1);
    pinn_graph_init_params(g, P, &r);
    for (int i = 0; i < 2 * N; i++) x[i] = 2 * pinn_rng_uniform(&r) - 1;
    pinn_threads_set(getenv("THREADS") ? atoi(getenv("THREADS")) : 0);
    pinn_ctx *ctx; /* threads from THREADS, the kernel from PINN_GEMM (auto|library|small|plan) */
    if (pinn_ctx_init(&ctx, pinn_threads_get(), &err)) {
        fprintf(stderr, "%s\n", err.msg);
        return 1;
    }
    pinn_term *t;
    if (pinn_term_init_ctx(&t, ctx, g, pl, N, block, np, &err)) {
        fprintf(stderr, "%s\n", err.msg);
        return 1;
    }
    pinn_term_eval(t, N, x, P, G, burgers_loss, NULL);
    int per = reps / 5 > 0 ? reps / 5 : 1;
    double ms = 1e300;
    for (int round = 0; round < 5; round++) {
        double t0 = now();
        for (int k = 0; k < per; k++) pinn_term_eval(t, N, x, P, G, burgers_loss, NULL);
        double m = (now() - t0) / per * 1e3;
        ms = m < ms ? m : ms;
    }
    /* flops of the products: forward S*n rows (first layer: n), backward twice that */
    double fl = 0;
    int S = pinn_plan_size(pl), win = 2;
    for (int l = 0; l <= L; l++) {
        int wout = l < L ? W : 1;
        double rows = l == 0 ? N : (double)S * N;
        fl += 2.0 * rows * win * wout * (l == 0 ? 2 : 3);
        win = wout;
    }
    printf("N=%d L=%d W=%d threads=%d block=%d: %.3f ms/step, %.2f GFLOP/s in products\n", N, L, W, pinn_threads_get(),
           block, ms, fl / (ms * 1e-3) / 1e9);
    return 0;
}
