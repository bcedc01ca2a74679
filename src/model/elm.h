/* elm.h - what the extreme-learning-machine kinds share (src/model/elm.c, elm_fbpinn.c): the
 * settings of a basis (random features with fixed weights, and/or a polynomial basis) and the
 * builder of the basis and its trainable linear output layer. */
#ifndef PINN_MODEL_ELM_H
#define PINN_MODEL_ELM_H

#include "pinnc/model.h"

typedef enum elm_basis_kind { ELM_BASIS_RANDOM = 0, ELM_BASIS_POLYNOMIAL, ELM_BASIS_BOTH, ELM_BASIS_COUNT } elm_basis_kind;

typedef struct elm_basis {
    long features;        /* random features per hidden layer */
    long layers;          /* hidden layers of random features (>= 1 with a random basis) */
    pinn_fn act;
    double act_p;
    int normal;           /* hidden weights N(0, s^2) instead of U(-s, s) */
    double weight_scale;  /* s of the first layer (later layers: s / sqrt(features)) */
    double bias_scale;
    elm_basis_kind kind;
    long degree;          /* polynomial basis: monomials of total degree 1 .. degree */
    int n_basis;          /* basis functions (without the constant, which is the output bias) */
} elm_basis;

/* Reads the basis keys of mapping node (features, layers, activation, distribution, weight_scale,
 * bias_scale, basis, degree), storing defaults; K0 is the default number of features. */
pinn_status elm_basis_configure(elm_basis *b, pinn_cfg *c, int node, long K0, int n_in, pinn_error *err);

/* Appends to g, over node x (width n_in, inputs in about [-1, 1]), the basis and the output layer
 * u = W_out phi + b_out (n_out x n_basis and n_out, zero-initialised: the least-squares phase sets
 * them).  Slice ids of W_out and b_out into *sw, *sb.  Returns the output node or -1. */
int elm_basis_build(pinn_graph *g, int x, int n_in, int n_out, const elm_basis *b, const char *prefix, int *sw, int *sb);

/* The keys elm_basis_configure reads, for a kind's key list. */
#define ELM_BASIS_KEYS "features", "layers", "activation", "distribution", "weight_scale", "bias_scale", "basis", "degree"

#endif
