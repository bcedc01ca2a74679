/* poisson1d.c - a PINN through the C API alone: u'' = -pi^2 sin(pi x) on [-1, 1], u(-1) = u(1) = 0,
 * exact solution u = sin(pi x).  Two loss terms (the residual at collocation points, the boundary
 * values), Adam then L-BFGS, and the relative L2 error on a fine grid.
 *
 *   usage: poisson1d [adam_steps] [lbfgs_iters] [seed] [bound]   (defaults 2000 2000 1 1e-3)
 * exits 0 when the relative L2 error is at most `bound`, 2 otherwise. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pinnc.h"

static const double PI = 3.14159265358979323846;

typedef struct problem {
    pinn_term *pde, *bc;
    pinn_real *xc, *xb;
    size_t nc, nb, np;
    int sxx; /* stream of u_xx in the PDE plan */
    pinn_real *gtmp;
} problem;

/* residual r = u_xx + pi^2 sin(pi x); loss mean(r^2) */
static double pde_loss(void *ctx, size_t first, int n, const pinn_real *x, const pinn_plan *plan, const pinn_real *jet,
                       pinn_real *gj, const pinn_real *P, pinn_real *G) {
    (void)first, (void)plan, (void)P, (void)G;
    problem *pb = ctx;
    const pinn_real *uxx = jet + (size_t)pb->sxx * n;
    double L = 0;
    for (int p = 0; p < n; p++) {
        double r = uxx[p] + PI * PI * sin(PI * x[p]);
        L += r * r / (double)pb->nc;
        gj[(size_t)pb->sxx * n + p] = 2 * r / (double)pb->nc;
    }
    return L;
}

/* boundary values u(+-1) = 0; loss mean(u^2) */
static double bc_loss(void *ctx, size_t first, int n, const pinn_real *x, const pinn_plan *plan, const pinn_real *jet,
                      pinn_real *gj, const pinn_real *P, pinn_real *G) {
    (void)first, (void)x, (void)plan, (void)P, (void)G;
    problem *pb = ctx;
    double L = 0;
    for (int p = 0; p < n; p++) {
        L += jet[p] * jet[p] / (double)pb->nb;
        gj[p] = 2 * jet[p] / (double)pb->nb;
    }
    return L;
}

/* total loss and gradient: the two terms, each with its own gradient buffer, summed */
static double total(void *ctx, const pinn_real *P, pinn_real *G) {
    problem *pb = ctx;
    double L = pinn_term_eval(pb->pde, pb->nc, pb->xc, P, G, pde_loss, pb);
    L += pinn_term_eval(pb->bc, pb->nb, pb->xb, P, pb->gtmp, bc_loss, pb);
    for (size_t i = 0; i < pb->np; i++) G[i] += pb->gtmp[i];
    return L;
}

int main(int argc, char **argv) {
    int adam_steps = argc > 1 ? atoi(argv[1]) : 2000, lbfgs_iters = argc > 2 ? atoi(argv[2]) : 2000;
    unsigned long seed = argc > 3 ? strtoul(argv[3], NULL, 10) : 1;
    double bound = argc > 4 ? atof(argv[4]) : 1e-3;
    pinn_error err;
    pinn_graph *g;
    pinn_graph_init(&g, 1, &err);
    pinn_mlp_spec spec;
    pinn_mlp_spec_default(&spec, 1, 1, 3, 20, PINN_FN_TANH);
    pinn_graph_set_output(g, pinn_mlp_build(g, pinn_graph_input(g), &spec));
    if (pinn_graph_status(g, &err) != PINN_OK) {
        fprintf(stderr, "poisson1d: %s\n", err.msg);
        return 1;
    }
    problem pb;
    memset(&pb, 0, sizeof pb);
    pb.np = pinn_graph_nparams(g);
    pb.nc = 256;
    pb.nb = 2;
    /* plans: the PDE needs u_xx (and so u_x, u); the boundary only u */
    int req_pde[1][PINN_MAX_INPUTS] = {{2}};
    pinn_plan *plan_pde, *plan_bc;
    if (pinn_plan_init(&plan_pde, 1, 1, &req_pde[0][0], &err) || pinn_plan_init(&plan_bc, 1, 0, NULL, &err)) {
        fprintf(stderr, "poisson1d: %s\n", err.msg);
        return 1;
    }
    int xx[PINN_MAX_INPUTS] = {2};
    pb.sxx = pinn_plan_index(plan_pde, xx);
    pinn_threads_set(0);
    if (pinn_term_init(&pb.pde, g, plan_pde, pb.nc, 128, pb.np, &err) ||
        pinn_term_init(&pb.bc, g, plan_bc, pb.nb, 0, pb.np, &err)) {
        fprintf(stderr, "poisson1d: %s\n", err.msg);
        return 1;
    }
    pb.xc = malloc(sizeof(pinn_real) * pb.nc);
    pb.xb = malloc(sizeof(pinn_real) * pb.nb);
    pb.gtmp = malloc(sizeof(pinn_real) * pb.np);
    pinn_real *P = malloc(sizeof(pinn_real) * pb.np), *G = malloc(sizeof(pinn_real) * pb.np);
    pinn_rng rng;
    pinn_rng_seed(&rng, seed);
    for (size_t i = 0; i < pb.nc; i++) pb.xc[i] = -1 + 2 * ((double)i + pinn_rng_uniform(&rng)) / (double)pb.nc;
    pb.xb[0] = -1;
    pb.xb[1] = 1;
    pinn_graph_init_params(g, P, &rng);

    pinn_adam adam;
    pinn_adam_config acfg;
    pinn_adam_config_default(&acfg);
    acfg.schedule.lr0 = 2e-3;
    if (pinn_adam_init(&adam, pb.np, &acfg, &err)) {
        fprintf(stderr, "poisson1d: %s\n", err.msg);
        return 1;
    }
    double L = 0;
    for (int it = 0; it < adam_steps; it++) {
        L = total(&pb, P, G);
        pinn_adam_step(&adam, P, G, &err);
        if (it % 500 == 0) printf("adam  %5d  loss %.3e\n", it, L);
    }
    pinn_lbfgs lb;
    pinn_lbfgs_config lcfg;
    pinn_lbfgs_config_default(&lcfg);
    lcfg.max_iter = lbfgs_iters;
    lcfg.max_evals = 3 * (int64_t)lbfgs_iters;
    lcfg.memory = 20;
    lcfg.gtol = 1e-9;
    lcfg.ftol = 1e-14;
    pinn_lbfgs_reason why = PINN_LBFGS_RUNNING;
    if (lbfgs_iters > 0) {
        pinn_lbfgs_init(&lb, pb.np, &lcfg, &err);
        L = total(&pb, P, G);
        while (why == PINN_LBFGS_RUNNING) {
            pinn_lbfgs_step(&lb, P, &L, G, total, &pb, &why, &err);
            if (lb.iter % 500 == 0 && why == PINN_LBFGS_RUNNING) printf("lbfgs %5lld  loss %.3e\n", (long long)lb.iter, L);
        }
        printf("lbfgs stopped after %lld iterations (%s), loss %.3e\n", (long long)lb.iter,
               pinn_lbfgs_reason_to_string(why), L);
        pinn_lbfgs_free(&lb);
    }
    /* relative L2 error against sin(pi x) on 1001 points */
    enum { NE = 1001 };
    pinn_real xe[NE], ue[NE];
    pinn_term *ev;
    pinn_term_init(&ev, g, plan_bc, NE, 0, pb.np, &err);
    for (int i = 0; i < NE; i++) xe[i] = -1 + 2.0 * i / (NE - 1);
    pinn_term_predict(ev, NE, xe, P, ue);
    double num = 0, den = 0;
    for (int i = 0; i < NE; i++) {
        double ex = sin(PI * xe[i]);
        num += (ue[i] - ex) * (ue[i] - ex);
        den += ex * ex;
    }
    double rel = sqrt(num / den);
    printf("params %zu  final loss %.3e  relative L2 error %.3e\n", pb.np, L, rel);
    pinn_term_free(ev);
    pinn_term_free(pb.pde);
    pinn_term_free(pb.bc);
    pinn_plan_free(plan_pde);
    pinn_plan_free(plan_bc);
    pinn_graph_free(g);
    pinn_adam_free(&adam);
    free(P), free(G), free(pb.xc), free(pb.xb), free(pb.gtmp);
    return rel <= bound ? 0 : 2;
}
