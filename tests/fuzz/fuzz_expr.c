/* fuzz_expr.c - libFuzzer harness of the expression compiler: the input (first byte: the kind,
 * the rest: the text) is compiled against a fixed symbol table with two coordinates, two fields, a
 * constant, a parameter and three definitions; what compiles is printed, evaluated and differentiated at a few points,
 * and turned into a jet graph, so every stage sees hostile trees. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pinnc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1 || size > 4096) return 0;
    char *text = malloc(size);
    memcpy(text, data + 1, size - 1);
    text[size - 1] = '\0';
    static const char *const coords[] = {"x", "t"}, *const fields[] = {"u", "v"}, *const cn[] = {"nu"},
                             *const pn[] = {"lam"};
    static const int spatial[] = {1, 0};
    static const double cv[] = {0.01};
    /* definitions (one of them cyclic) so that substitution and operators see hostile text too */
    static const char *const dn[] = {"q", "w", "cy"}, *const dt[] = {"1 + x*u", "q*u_x", "cy + 1"};
    pinn_expr_symbols sym = {2, coords, spatial, 2, fields, 1, cn, cv, 1, pn, 0, 3, dn, dt};
    pinn_expr_kind kind = (pinn_expr_kind)(data[0] % 4);
    pinn_expr *e = NULL;
    pinn_error err;
    pinn_status st = kind == 3 ? pinn_expr_compile(&e, text, &sym, &err) : pinn_expr_compile_as(&e, text, &sym, kind, &err);
    if (st == PINN_OK) {
        char buf[256];
        pinn_expr_to_string(e, buf, sizeof buf);
        enum { N = 3 };
        pinn_real x[N] = {0.1, -0.5, 2}, t[N] = {0, 0.5, 1}, nx[N] = {1, -1, 1}, nt[N] = {0, 0, 0};
        int nd = pinn_expr_n_derivs(e);
        pinn_real *dv = malloc(sizeof(pinn_real) * N * (size_t)(nd ? nd : 1));
        pinn_real *gd = calloc((size_t)N * (size_t)(nd ? nd : 1), sizeof(pinn_real));
        const pinn_real *derivs[64];
        pinn_real *dd[64];
        for (int k = 0; k < nd; k++) {
            for (int i = 0; i < N; i++) dv[k * N + i] = (pinn_real)(0.3 * k + 0.1 * i - 0.2);
            derivs[k] = dv + k * N, dd[k] = gd + k * N;
        }
        const pinn_real *cs[] = {x, t}, *ns[] = {nx, nt};
        pinn_real params[1] = {0.7}, dparams[1] = {0}, out[N], gout[N] = {1, 1, 1};
        void *scratch = malloc(pinn_expr_scratch_size(e, N) + 1);
        pinn_expr_eval(e, N, cs, derivs, ns, params, out, scratch);
        pinn_expr_backward(e, N, cs, derivs, ns, params, gout, dd, dparams, scratch);
        free(scratch), free(dv), free(gd);
    }
    pinn_expr_free(e);
    /* the same text through the transform path (one field "N", no parameters) */
    static const char *const nf[] = {"N"};
    pinn_expr_symbols ts = {2, coords, NULL, 1, nf, 1, cn, cv, 0, NULL, 0, 0, NULL, NULL};
    e = NULL;
    if (pinn_expr_compile_as(&e, text, &ts, PINN_EXPR_VALUE, &err) == PINN_OK) {
        pinn_graph *g = NULL;
        if (pinn_graph_init(&g, 3, &err) == PINN_OK) {
            int in = pinn_graph_input(g), out;
            int cn2[2] = {pinn_graph_slice_cols(g, in, 0, 1), pinn_graph_slice_cols(g, in, 1, 1)};
            int net = pinn_graph_slice_cols(g, in, 2, 1);
            pinn_expr_to_graph(e, g, cn2, net, &out, &err);
            pinn_graph_free(g);
        }
    }
    pinn_expr_free(e);
    double v;
    pinn_expr_eval_scalar(text, &sym, &v, &err);
    free(text);
    return 0;
}
