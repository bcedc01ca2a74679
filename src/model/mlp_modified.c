/* mlp_modified.c - the modified MLP (Wang, Teng, Perdikaris 2021): two encoders U = f(W_u h0 + b_u),
 * V = f(W_v h0 + b_v) of the embedded input gate every hidden layer,
 * z_l = f(W_l h_l + b_l), h_{l+1} = (1 - z_l) * U + z_l * V = U + z_l * (V - U), then a linear output. */
#include <stdio.h>

#include "model/mlp_recipe.h"

int pinn_mlp_modified_build(pinn_graph *g, int h0, int w0, const pinn_mlp_spec *s) {
    if (s->n_hidden < 1) return pinn_graph_affine(g, -1, -1, -1); /* records an invalid-argument error */
    int W = s->hidden[0];
    const char *pre = s->prefix ? s->prefix : "mlp";
    for (int l = 1; l < s->n_hidden; l++)
        if (s->hidden[l] != W) return pinn_graph_affine(g, -1, -1, -1);
    int U = pinn_graph_unary(g, s->act[0], s->act_p[0], pinn_mlp_dense(g, h0, w0, W, s, pre, "enc_u"));
    int V = pinn_graph_unary(g, s->act[0], s->act_p[0], pinn_mlp_dense(g, h0, w0, W, s, pre, "enc_v"));
    int D = pinn_graph_add(g, V, U, 1.0, -1.0);
    int h = h0, width = w0;
    char tag[16];
    for (int l = 0; l < s->n_hidden; l++) {
        snprintf(tag, sizeof tag, "%d", l);
        int z = pinn_graph_unary(g, s->act[l], s->act_p[l], pinn_mlp_dense(g, h, width, W, s, pre, tag));
        h = pinn_graph_add(g, U, pinn_graph_mul(g, z, D), 1.0, 1.0);
        width = W;
    }
    snprintf(tag, sizeof tag, "%d", s->n_hidden);
    return pinn_mlp_dense(g, h, width, s->n_out, s, pre, tag);
}
