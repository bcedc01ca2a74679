/* pinnc/model.h - network builders on top of the jet graph: the MLP (per-layer activations,
 * Glorot init, residual connections, input normalisation) and the softmax-gated mixture of MLPs.
 * Builders append nodes and parameter slices to a pinn_graph and return the output node. */
#ifndef PINNC_MODEL_H
#define PINNC_MODEL_H

#include "pinnc/jet.h"

#ifdef __cplusplus
extern "C" {
#endif

#define PINN_MLP_MAX_LAYERS 64

/* A fully connected network n_in -> hidden[0] -> ... -> hidden[L-1] -> n_out (linear output). */
typedef struct pinn_mlp_spec {
    int n_in, n_out;
    int n_hidden;                          /* number of hidden layers L (0: a linear model) */
    int hidden[PINN_MLP_MAX_LAYERS];       /* their widths */
    pinn_fn act[PINN_MLP_MAX_LAYERS];      /* activation of each hidden layer */
    double act_p[PINN_MLP_MAX_LAYERS];     /* its exponent (RELUK: k; POW: p) */
    int residual;                          /* h_{l+1} = h_l + f(W h_l + b) where widths agree */
    int normalize;                         /* map each input from [lo, hi] to [-1, 1] first */
    double lo[PINN_MAX_INPUTS], hi[PINN_MAX_INPUTS];
    pinn_init init;                        /* weight init (biases start at zero) */
    const char *prefix;                    /* slice names are "<prefix>.W<l>", "<prefix>.b<l>" */
} pinn_mlp_spec;

/* Fill spec with n_in, n_out, L hidden layers of `width` with activation f (the common case). */
void pinn_mlp_spec_default(pinn_mlp_spec *spec, int n_in, int n_out, int L, int width, pinn_fn f);

/* Append the MLP applied to node x (width n_in) to g; returns the output node (width n_out) or -1
 * with the error recorded in the graph. */
int pinn_mlp_build(pinn_graph *g, int x, const pinn_mlp_spec *spec);

/* Mixture of experts: u(x) = sum_e softmax(G(x))_e * E_e(x), the gate G an MLP with n_experts
 * outputs, each expert an MLP with n_out outputs.  Returns the output node (width n_out); the gate
 * probabilities node is written to *gate_node when non-NULL. */
int pinn_moe_build(pinn_graph *g, int x, const pinn_mlp_spec *gate, int n_experts, const pinn_mlp_spec *experts,
                   int *gate_node);

#ifdef __cplusplus
}
#endif
#endif
