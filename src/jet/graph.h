/* graph.h - internal layout of a jet graph (nodes, parameter slices, constants) and the
 * kernel entry points shared by the tape (tape.c) and the op kernels (ops.c, unary.c). */
#ifndef PINN_JET_GRAPH_H
#define PINN_JET_GRAPH_H

#include "jet/plan.h"
#include "pinnc/jet.h"

typedef enum pinn_op {
    PINN_OP_INPUT = 0,
    PINN_OP_AFFINE,
    PINN_OP_COLAFFINE,
    PINN_OP_SCALE_SHIFT,
    PINN_OP_UNARY,
    PINN_OP_ADD,
    PINN_OP_MUL,
    PINN_OP_SUM,
    PINN_OP_CENTER, /* subtract the per-point max of the value stream (softmax stabiliser) */
    PINN_OP_SLICE,
    PINN_OP_CONCAT,
    PINN_OP_COUNT
} pinn_op;

typedef struct pinn_node {
    pinn_op op;
    int w;             /* width */
    int a, b;          /* input nodes (-1 if unused) */
    pinn_fn fn;        /* UNARY */
    double p;          /* UNARY exponent */
    double ca, cb;     /* ADD coefficients; SCALE_SHIFT: scale ca, shift cb */
    int j0;            /* SLICE first column */
    int pw, pb;        /* AFFINE parameter slices (pb = -1: no bias) */
    size_t cst;        /* COLAFFINE: offset of scale[w], shift[w] in graph->consts */
    int affine;        /* structurally affine in the inputs: derivative streams of order 1 are
                          constant over points and those of order >= 2 vanish */
    int needs_grad;    /* depends on parameters */
} pinn_node;

typedef struct pinn_slice {
    char name[64];
    size_t off, size;
    int rows, cols;
    pinn_init init;
    double value;
} pinn_slice;

struct pinn_graph {
    int d;
    int n_nodes, cap_nodes;
    pinn_node *nodes;
    int n_slices, cap_slices;
    pinn_slice *slices;
    size_t n_params;
    double *consts;
    size_t n_consts, cap_consts;
    int output;
    pinn_status status;
    char msg[256];
};

/* A node's buffers inside a tape for the current block: value, adjoint, auxiliary. */
typedef struct pinn_jetbuf {
    pinn_real *v, *g, *aux;
} pinn_jetbuf;

/* Everything a kernel needs to know about the current pass. */
typedef struct pinn_pass {
    const pinn_plan *plan;
    int S, n;
    int general; /* force the general Faà di Bruno path */
} pinn_pass;

/* Unary (Faà di Bruno) forward and backward: x -> z, aux holds f^(0..K+1)(x_0) [K+2][n*w]. */
void pinn_unary_forward(const pinn_pass *ps, const pinn_node *nd, int x_affine, const pinn_jetbuf *x,
                        pinn_jetbuf *z);
/* empty: x's adjoint holds no values yet (it is stored, or zeroed, rather than added to). */
void pinn_unary_backward(const pinn_pass *ps, const pinn_node *nd, int x_affine, int empty, pinn_jetbuf *x,
                         const pinn_jetbuf *z);

#endif
