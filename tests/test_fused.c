/* test_fused.c - the fused layer kernels (pinn_tape_set_fused) against the separate passes: for
 * MLPs of several widths and activations, plans of order 1 and 2 (the fused and the fast unary
 * kernels), full and partial blocks and sub-blocks of several sizes, the output jet and the
 * parameter gradient must be bitwise those of the unfused tape, with the small kernel; with the
 * library kernel the fused path does not engage, which must also leave the results unchanged.
 * Holds in float64 and float32 (the same arithmetic per element either way). */
#include <string.h>

#include "check.h"
#include "jet/graph.h"
#include "pinnc.h"

/* One case: an MLP n_in -> hidden widths (activation f) -> 1 over a plan of the requests req,
 * evaluated on n points of a tape of nmax; fused and unfused tapes compared bitwise. */
static void check_case(int n_in, int L, const int *widths, pinn_fn f, int nreq, const int (*req)[PINN_MAX_INPUTS],
                       int nmax, int n, int gemm, int residual) {
    pinn_error err;
    pinn_graph *g;
    CHECK(pinn_graph_init(&g, n_in, &err) == PINN_OK, "graph");
    pinn_mlp_spec s;
    pinn_mlp_spec_default(&s, n_in, 1, L, widths[0], f);
    for (int l = 0; l < L; l++) s.hidden[l] = widths[l];
    s.normalize = 1;
    s.residual = residual;
    pinn_graph_set_output(g, pinn_mlp_build(g, 0, &s));
    pinn_plan *pl;
    CHECK(pinn_plan_init(&pl, n_in, nreq, &req[0][0], &err) == PINN_OK, "plan");
    size_t np = pinn_graph_nparams(g);
    int S = pinn_plan_size(pl);
    pinn_real *P = malloc(sizeof(pinn_real) * np), *x = malloc(sizeof(pinn_real) * (size_t)n_in * nmax);
    pinn_real *G[2], *out[2];
    pinn_rng r;
    pinn_rng_seed(&r, 7);
    pinn_graph_init_params(g, P, &r);
    for (size_t i = 0; i < np; i++) P[i] += (pinn_real)(0.1 * (pinn_rng_uniform(&r) - 0.5)); /* biases too */
    for (int i = 0; i < n_in * nmax; i++) x[i] = (pinn_real)(2 * pinn_rng_uniform(&r) - 1);
    size_t no = (size_t)S * n;
    for (int fz = 0; fz < 2; fz++) {
        pinn_tape *t;
        CHECK(pinn_tape_init(&t, g, pl, nmax, &err) == PINN_OK, "tape");
        pinn_tape_set_gemm(t, gemm);
        pinn_tape_set_fused(t, fz);
        int nf = pinn_tape_fused_count(t);
        CHECK(nf == (fz && gemm == 2 ? L - 1 : 0), "fused=%d gemm=%d: %d of %d hidden layers fused", fz, gemm, nf, L - 1);
        G[fz] = calloc(np, sizeof(pinn_real));
        out[fz] = malloc(sizeof(pinn_real) * no);
        for (int rep = 0; rep < 2; rep++) { /* twice: the second pass starts from used buffers */
            pinn_tape_forward(t, P, x, n);
            memcpy(out[fz], pinn_tape_output(t), sizeof(pinn_real) * no);
            pinn_tape_zero_grad(t);
            pinn_real *gz = pinn_tape_output_grad(t);
            for (size_t i = 0; i < no; i++) gz[i] = (pinn_real)(0.25 + 0.5 * (double)(i % 7) - 0.1 * (double)(i % 3));
            pinn_tape_backward(t, P, G[fz]);
        }
        pinn_tape_free(t);
    }
    size_t bad_o = 0, bad_g = 0;
    for (size_t i = 0; i < no; i++) bad_o += memcmp(&out[0][i], &out[1][i], sizeof(pinn_real)) != 0;
    for (size_t i = 0; i < np; i++) bad_g += memcmp(&G[0][i], &G[1][i], sizeof(pinn_real)) != 0;
    double gmax = 0;
    for (size_t i = 0; i < np; i++) gmax = fabs((double)G[0][i]) > gmax ? fabs((double)G[0][i]) : gmax;
    CHECK(gmax > 1e-3, "the gradient is not trivially zero (%g)", gmax);
    CHECK(bad_o == 0 && bad_g == 0,
          "n_in=%d L=%d w0=%d fn=%s S=%d nmax=%d n=%d gemm=%d residual=%d: %zu outputs, %zu gradient entries differ",
          n_in, L, widths[0], pinn_fn_to_string(f), S, nmax, n, gemm, residual, bad_o, bad_g);
    free(P), free(x);
    for (int k = 0; k < 2; k++) free(G[k]), free(out[k]);
    pinn_plan_free(pl);
    pinn_graph_free(g);
}

int main(void) {
    static const int burgers[3][PINN_MAX_INPUTS] = {{1, 0}, {0, 1}, {0, 2}};   /* fused unary kernel */
    static const int mixed[2][PINN_MAX_INPUTS] = {{1, 1}, {2, 0}};             /* fast kernel (u_xy) */
    static const int first[2][PINN_MAX_INPUTS] = {{1, 0}, {0, 1}};             /* order 1 */
    static const int w20[4] = {20, 20, 20, 20}, w128[3] = {128, 128, 128}, wmix[4] = {13, 40, 8, 33};
    for (int gemm = 1; gemm <= 2; gemm++) { /* library (no fusion) and small */
        check_case(2, 4, w20, PINN_FN_TANH, 3, burgers, 64, 64, gemm, 0);
        check_case(2, 4, w20, PINN_FN_TANH, 3, burgers, 64, 37, gemm, 0); /* partial block */
        check_case(2, 3, w128, PINN_FN_TANH, 3, burgers, 40, 40, gemm, 0);
        check_case(2, 4, wmix, PINN_FN_SIN, 2, mixed, 50, 50, gemm, 0);
        check_case(2, 4, wmix, PINN_FN_SIGMOID, 2, first, 64, 21, gemm, 0);
        check_case(2, 4, w20, PINN_FN_SWISH, 3, burgers, 64, 64, gemm, 1); /* residual: two readers */
    }
    return CHECK_DONE();
}
