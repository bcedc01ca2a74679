/* tape_impl.h - the layout of a tape (tape.c) and the per-node steps its passes are made of,
 * shared with the lockstep passes over many sub-network tapes (tape_batch.c).  Internal. */
#ifndef PINN_JET_TAPE_IMPL_H
#define PINN_JET_TAPE_IMPL_H

#include "jet/graph.h"

struct pinn_tape {
    const pinn_graph *g;
    const pinn_plan *plan;
    int nmax, n, general;
    int gemm;            /* pinn_gemm_with kind; -1: pinn_gemm */
    signed char *gk;     /* per node x 3 products (forward, input adjoint, weight gradient): the
                          * planned kind (pinn_tape_choose_gemm), or NULL: gemm for all */
    pinn_real *mem;
    size_t bytes;
    pinn_jetbuf *buf;    /* per node */
    unsigned char *live; /* per node: the adjoint holds this pass's values (else it reads as 0) */
    pinn_subnets_tape **ext; /* per node: the state of a point-subset op (NULL otherwise) */
    int view;                /* buffers bound from outside (pinn_tape_bind); mem is not owned */
    int fused;               /* fused layer kernels (pinn_tape_set_fused) */
    pinn_real *wt;           /* W^T of the layer being fused (the largest layer's size) */
};

/* Node i's forward step on t's bound points (x: the coordinates, for node 0 only); a dense layer
 * may run fused with its activation when fuse is set.  Returns the last node done (i, or i + 1
 * when fused). */
int pinn_tape_node_forward(pinn_tape *t, const pinn_real *P, const pinn_real *x, int i, int fuse);
/* Node i's backward step (nothing when its adjoint is empty or it needs no gradient); with fuse,
 * an activation may run fused with the dense layer i - 1 before it.  Returns the last node done
 * (i, or i - 1 when fused). */
int pinn_tape_node_backward(pinn_tape *t, const pinn_real *P, pinn_real *G, int i, int fuse);
/* The dense layer nd's forward work other than the product x W^T already in y: the bias, and for
 * an input affine in the coordinates the derivative streams. */
void pinn_tape_affine_forward_rest(const pinn_tape *t, const pinn_node *nd, const pinn_real *P, const pinn_real *x,
                                   int xw, int x_affine, pinn_real *y);
/* The dense layer nd's backward work other than the products gy W and gy^T x: the bias
 * gradient, and for an input affine in the coordinates the derivative streams' weight gradient. */
void pinn_tape_affine_backward_rest(const pinn_tape *t, const pinn_node *nd, pinn_real *G, const pinn_real *x, int xw,
                                    int x_affine, const pinn_real *gy);
/* Node a's adjoint, about to be accumulated into: returns 1 if it was empty, after clearing it
 * unless the caller stores into all of it (store = 1). */
int pinn_tape_claim_grad(pinn_tape *t, int a, int store);

#endif
