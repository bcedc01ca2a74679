/* pinnc/ideas.h - the "ideas that failed" laboratory (docs/ideas.md): jet ops that couple points
 * or select discretely (a batch mean, vector quantisation, a stop-gradient), and the MLP options
 * built from them: parallel ReLU^k branches, layer and batch normalisation, a vector-quantised
 * code fed beside the coordinates. */
#ifndef PINNC_IDEAS_H
#define PINNC_IDEAS_H

#include "pinnc/cfg.h"
#include "pinnc/jet.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------- jet ops (src/jet/ideas_ops.c) */

/* y = the mean of x over the points of the block (the "batch"), as a function of each point:
 * value stream mean_q x_0[q] (the same at every point), stream alpha (|alpha| >= 1) of point p is
 * x_alpha[p] / n, the exact derivative of the batch mean in point p's own coordinates. */
int pinn_graph_batch_mean(pinn_graph *g, int x);
/* y = x on every stream; no adjoint flows back (the "stop_gradient" of the losses below). */
int pinn_graph_stop_grad(pinn_graph *g, int x);
/* Vector quantisation of the latent x (width D) against codebook slice C (K x D): the code k*
 * with the largest cosine similarity x.c_k / |c_k| is selected per point.
 * mode 0 (straight-through): value stream c_k*, streams alpha >= 1 those of x; the adjoint passes
 *   to x unchanged on every stream (the straight-through estimator), none to the codebook.
 * mode 1 (the code): value c_k*, derivative streams 0; the adjoint of the value goes to row k*
 *   of the codebook, none to x. */
int pinn_graph_vq(pinn_graph *g, int x, int C, int mode);
/* The selected code index of each point after a forward pass of a tape over a VQ node. */
int pinn_tape_vq_index(const pinn_tape *t, int node, int p);

/* ---------------------------------------------------------------- MLP options (src/model/ideas_mlp.c) */

typedef enum pinn_ideas_norm { PINN_NORM_NONE = 0, PINN_NORM_LAYER, PINN_NORM_BATCH, PINN_NORM_COUNT } pinn_ideas_norm;

#define PINN_IDEAS_MAX_BRANCHES 8

typedef struct pinn_ideas_spec {
    int on;                                   /* any option set */
    int branches;                             /* 0: off; K: ReLU^1..ReLU^K branches per hidden layer */
    double branch_scale[PINN_IDEAS_MAX_BRANCHES];
    int norm;                                 /* pinn_ideas_norm, after each hidden affine map */
    double norm_eps;
    int vq_codes, vq_latent;                  /* 0 codes: off */
    double vq_beta, vq_weight;                /* commitment factor, weight of both VQ loss columns */
    int vq_node;                              /* after build: the straight-through VQ node */
    int init;                                 /* pinn_init of the weights (the mlp's `init`) */
} pinn_ideas_spec;

/* Reads the `ideas` mapping of the model section (absent: all off). */
pinn_status pinn_ideas_configure(pinn_ideas_spec *s, pinn_cfg *c, int node, pinn_error *err);
/* Hidden layer l of an MLP: h (width `width`) -> width out, per the options; sets *w_out to the
 * layer's width.  prefix names its slices. */
int pinn_ideas_hidden(pinn_graph *g, int h, int width, int out, int l, pinn_fn f, double p, const pinn_ideas_spec *s,
                      const char *prefix, int *w_out);
/* The VQ front: normalised coordinates xn (width d) -> [xn, q] (width d + D), with the codebook and
 * commitment columns written to aux[0..1] (nodes of width 1); -1 on error (recorded). */
int pinn_ideas_vq_front(pinn_graph *g, int xn, pinn_ideas_spec *s, int aux[2]);

/* The mlp kind with the VQ front: u = MLP([xn, q]) with the two VQ loss columns in out (n_aux
 * += 2); spec->normalize applies to xn.  Errors are recorded in the graph. */
struct pinn_mlp_spec;
struct pinn_model_out;
struct pinn_model_sink;
void pinn_ideas_vq_build(pinn_graph *g, int x, struct pinn_mlp_spec *spec, struct pinn_model_out *out);
/* Diagnostics of the VQ front at n points x: vq_code.npy (the winning code per point) and
 * vq_usage.npy (the fraction of points per code); nothing without a VQ front. */
pinn_status pinn_ideas_diagnostics(struct pinn_mlp_spec *spec, const pinn_graph *g, const pinn_real *params, size_t n,
                                   const pinn_real *x, const struct pinn_model_sink *sink, pinn_error *err);

#ifdef __cplusplus
}
#endif
#endif
