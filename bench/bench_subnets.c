/* bench_subnets.c - the cost of point-subset evaluation (FBPINN): J sub-networks of 1 hidden layer
 * x 16 (tanh) on a 1-D grid with overlap 2 (each point in 2 subdomains) over N points, against one
 * network of the same shape over 2N points (the same number of network evaluations), same plan
 * (u, u_x, u_xx), same block size; loss + gradient of a Poisson residual u_xx + sin(x) per epoch.
 * Prints the minimum ms per epoch over the repeats for 1 and 2 threads, and the ratio.
 * usage: bench_subnets [J=1000] [N=100000] [reps=10] [block=64] */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "pinnc.h"

static int s_xx;

/* residual r = u_xx + sin(x), loss sum r^2 */
static double poisson_loss(void *ctx, size_t first, int n, const pinn_real *x, const pinn_plan *plan,
                           const pinn_real *jet, pinn_real *gj, const pinn_real *P, pinn_real *G) {
    (void)ctx, (void)first, (void)plan, (void)P, (void)G;
    const pinn_real *uxx = jet + (size_t)s_xx * n;
    double L = 0;
    for (int p = 0; p < n; p++) {
        double r = uxx[p] + sin(x[p]);
        L += r * r;
        gj[(size_t)s_xx * n + p] += (pinn_real)(2 * r);
    }
    return L;
}

static double clock_s(clockid_t id) {
    struct timespec ts;
    clock_gettime(id, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}
static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static pinn_graph *mlp16(void) {
    pinn_graph *g;
    pinn_error err;
    pinn_graph_init(&g, 1, &err);
    pinn_mlp_spec s;
    pinn_mlp_spec_default(&s, 1, 1, 1, 16, PINN_FN_TANH);
    pinn_graph_set_output(g, pinn_mlp_build(g, 0, &s));
    return g;
}

/* One loss term of graph g over N points x, with its parameters. */
typedef struct run {
    pinn_term *t;
    pinn_real *P, *G;
    const pinn_real *x;
    size_t N;
    double best, best_cpu; /* ms: wall clock, and process CPU time (all threads; on a loaded machine the
                              1-thread CPU time is the steadier measure of the work) */
} run;

static void run_init(run *r, const pinn_graph *g, const pinn_plan *pl, size_t N, const pinn_real *x, int block) {
    pinn_error err;
    size_t np = pinn_graph_nparams(g);
    r->P = malloc(sizeof(pinn_real) * np);
    r->G = malloc(sizeof(pinn_real) * np);
    r->x = x;
    r->N = N;
    r->best = r->best_cpu = INFINITY;
    pinn_rng rng;
    pinn_rng_seed(&rng, 1);
    pinn_graph_init_params(g, r->P, &rng);
    if (pinn_term_init(&r->t, g, pl, N, block, np, &err)) {
        fprintf(stderr, "%s\n", err.msg);
        exit(1);
    }
    pinn_term_eval(r->t, N, x, r->P, r->G, poisson_loss, NULL); /* warm-up */
}

/* One epoch (loss + gradient); keeps the fastest. */
static void run_epoch(run *r) {
    double t0 = now(), c0 = clock_s(CLOCK_PROCESS_CPUTIME_ID);
    pinn_term_eval(r->t, r->N, r->x, r->P, r->G, poisson_loss, NULL);
    double ms = (now() - t0) * 1e3, cpu = (clock_s(CLOCK_PROCESS_CPUTIME_ID) - c0) * 1e3;
    if (ms < r->best) r->best = ms;
    if (cpu < r->best_cpu) r->best_cpu = cpu;
}

static void run_free(run *r) {
    pinn_term_free(r->t);
    free(r->P);
    free(r->G);
}

int main(int argc, char **argv) {
    int J = argc > 1 ? atoi(argv[1]) : 1000, reps = argc > 3 ? atoi(argv[3]) : 10, block = argc > 4 ? atoi(argv[4]) : 64;
    size_t N = argc > 2 ? (size_t)atol(argv[2]) : 100000;
    pinn_error err;
    int req[2][PINN_MAX_INPUTS] = {{1}, {2}};
    pinn_plan *pl;
    pinn_plan_init(&pl, 1, 2, &req[0][0], &err);
    s_xx = pinn_plan_index(pl, req[1]);

    /* J subdomains over [0, 1], overlap 2; N points sorted by cell */
    pinn_graph *fb;
    pinn_graph_init(&fb, 1, &err);
    double lo = 0, hi = 1;
    pinn_subnets_spec s;
    pinn_subnets_spec_grid(&s, mlp16(), 1, &J, &lo, &hi, 2.0);
    pinn_graph_set_output(fb, pinn_graph_subnets(fb, 0, &s));
    if (pinn_graph_status(fb, &err) != PINN_OK) {
        fprintf(stderr, "%s\n", err.msg);
        return 1;
    }
    pinn_rng r;
    pinn_rng_seed(&r, 2);
    pinn_real *xr = malloc(sizeof(pinn_real) * N), *xs = malloc(sizeof(pinn_real) * N);
    size_t *order = malloc(sizeof(size_t) * N);
    for (size_t i = 0; i < N; i++) xr[i] = (pinn_real)pinn_rng_uniform(&r);
    pinn_subnets_sort_points(fb, 0, N, xr, order, &err);
    size_t pairs = 0;
    int inst[8];
    for (size_t i = 0; i < N; i++) {
        xs[i] = xr[order[i]];
        pairs += (size_t)pinn_graph_subnets_locate(fb, 0, xs + i, inst, 8);
    }
    /* one network over 2N points */
    pinn_graph *one = mlp16();
    pinn_real *x2 = malloc(sizeof(pinn_real) * 2 * N);
    for (size_t i = 0; i < 2 * N; i++) x2[i] = (pinn_real)pinn_rng_uniform(&r);

    printf("%d sub-networks 1x16 tanh, %zu points, %.3f subdomains per point, plan u,u_x,u_xx, block %d, "
           "min of %d epochs\n",
           J, N, (double)pairs / (double)N, block, reps);
    for (int th = 1; th <= 2; th++) { /* the two alternate, so that load on the machine hits both */
        pinn_threads_set(th);
        run a, b;
        run_init(&a, fb, pl, N, xs, block);
        run_init(&b, one, pl, 2 * N, x2, block);
        for (int k = 0; k < reps; k++) run_epoch(&a), run_epoch(&b);
        printf("threads %d: subnets %.2f ms/epoch, one network over %zu points %.2f ms/epoch, ratio %.2f"
               " (CPU time %.2f / %.2f ms, ratio %.2f)\n",
               th, a.best, 2 * N, b.best, a.best / b.best, a.best_cpu, b.best_cpu, a.best_cpu / b.best_cpu);
        run_free(&a);
        run_free(&b);
    }
    free(xr), free(xs), free(x2), free(order);
    pinn_graph_free(fb);
    pinn_graph_free(one);
    pinn_plan_free(pl);
    return 0;
}
