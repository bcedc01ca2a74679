/* mlp.c - the multilayer perceptron and the softmax-gated mixture of experts, as jet graphs. */
#include <stdio.h>
#include <string.h>

#include "pinnc/model.h"

void pinn_mlp_spec_default(pinn_mlp_spec *spec, int n_in, int n_out, int L, int width, pinn_fn f) {
    memset(spec, 0, sizeof *spec);
    spec->n_in = n_in;
    spec->n_out = n_out;
    spec->n_hidden = L < PINN_MLP_MAX_LAYERS ? L : PINN_MLP_MAX_LAYERS;
    for (int l = 0; l < spec->n_hidden; l++) {
        spec->hidden[l] = width;
        spec->act[l] = f;
        spec->act_p[l] = 1.0;
    }
    for (int i = 0; i < PINN_MAX_INPUTS; i++) {
        spec->lo[i] = -1.0;
        spec->hi[i] = 1.0;
    }
    spec->init = PINN_INIT_GLOROT_NORMAL;
    spec->prefix = "mlp";
}

/* Layers: [normalise] -> (affine -> act [+ skip]) x L -> affine.  Weight slices are out x in. */
int pinn_mlp_build(pinn_graph *g, int x, const pinn_mlp_spec *s) {
    if (s->n_hidden < 0 || s->n_hidden > PINN_MLP_MAX_LAYERS || s->n_out < 1 || s->n_in < 1 ||
        pinn_graph_width(g, x) != s->n_in)
        return pinn_graph_affine(g, -1, -1, -1); /* records an invalid-argument error */
    int h = x, width = s->n_in;
    const char *pre = s->prefix ? s->prefix : "mlp";
    char name[64];
    if (s->normalize) {
        double sc[PINN_MAX_INPUTS], sh[PINN_MAX_INPUTS];
        for (int i = 0; i < s->n_in && i < PINN_MAX_INPUTS; i++) {
            double span = s->hi[i] - s->lo[i];
            sc[i] = span != 0 ? 2.0 / span : 1.0;
            sh[i] = span != 0 ? -(s->hi[i] + s->lo[i]) / span : 0.0;
        }
        h = pinn_graph_colaffine(g, h, sc, sh);
    }
    for (int l = 0; l <= s->n_hidden; l++) {
        int out = l < s->n_hidden ? s->hidden[l] : s->n_out;
        snprintf(name, sizeof name, "%s.W%d", pre, l);
        int W = pinn_graph_param(g, name, out, width, s->init, 0.0);
        snprintf(name, sizeof name, "%s.b%d", pre, l);
        int b = pinn_graph_param(g, name, out, 1, PINN_INIT_ZERO, 0.0);
        int a = pinn_graph_affine(g, h, W, b);
        if (l == s->n_hidden) {
            h = a;
            break;
        }
        int f = pinn_graph_unary(g, s->act[l], s->act_p[l], a);
        h = (s->residual && out == width && l > 0) ? pinn_graph_add(g, h, f, 1.0, 1.0) : f;
        width = out;
    }
    return h;
}

int pinn_moe_build(pinn_graph *g, int x, const pinn_mlp_spec *gate, int n_experts, const pinn_mlp_spec *experts,
                   int *gate_node) {
    if (n_experts < 1 || gate->n_out != n_experts) return pinn_graph_affine(g, -1, -1, -1);
    int logits = pinn_mlp_build(g, x, gate);
    int p = pinn_graph_softmax(g, logits);
    if (gate_node) *gate_node = p;
    int acc = -1;
    for (int e = 0; e < n_experts; e++) {
        int u = pinn_mlp_build(g, x, &experts[e]);
        int pe = pinn_graph_slice_cols(g, p, e, 1);
        int term = pinn_graph_mul(g, pe, u);
        acc = e == 0 ? term : pinn_graph_add(g, acc, term, 1.0, 1.0);
    }
    return acc;
}
