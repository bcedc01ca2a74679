/* graph.h - internal layout of a jet graph (nodes, parameter slices, constants) and the
 * kernel entry points shared by the tape (tape.c) and the op kernels (ops.c, unary.c). */
#ifndef PINN_JET_GRAPH_H
#define PINN_JET_GRAPH_H

#include "jet/plan.h"
#include "pinnc/jet.h"
#include "pinnc/subnets.h"

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
    PINN_OP_SUBNETS, /* J sub-network instances on the point subsets their supports cover (subnets.c) */
    PINN_OP_BATCH_MEAN, /* ideas_ops.c: mean over the block's points (couples points) */
    PINN_OP_STOP_GRAD,  /* ideas_ops.c: identity forward, no adjoint */
    PINN_OP_VQ,         /* ideas_ops.c: nearest code by cosine similarity (j0: mode) */
    PINN_OP_MIX,        /* mix.c: sum_e a[:, e] * u_e over the nodes graph->ints[ix .. ix + nx) */
    PINN_OP_COUNT
} pinn_op;

#define PINN_MIX_MAX 64 /* nodes one MIX node mixes */

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
    int sn;            /* SUBNETS: index into graph->subnets */
    int ix, nx;        /* MIX: the mixed nodes are graph->ints[ix .. ix + nx) */
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
    int n_subnets;
    struct pinn_subnets **subnets; /* the point-subset ops, owned */
    int *ints;                     /* node lists of MIX nodes */
    int n_ints, cap_ints;
    pinn_status status;
    char msg[256];
    unsigned char *skip; /* [n_nodes] or NULL: 1 skipped by every pass, 2 skipped with its value zeroed
                            (a live node reads it); pinn_graph_set_skip */
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
/* The dense layers whose forward pass runs fused (pinn_tape_set_fused) on a full block. */
int pinn_tape_fused_count(const pinn_tape *t);
/* Whether this pass's unary kernels work on element ranges (plans of order <= 2, not forced
 * general): then the two functions below apply. */
int pinn_unary_has_range(const pinn_pass *ps);
/* The same on elements [r0, r0 + cnt) of every stream only (each element's arithmetic is that of
 * the whole-buffer call, so a buffer done range by range is bitwise the same). */
void pinn_unary_forward_range(const pinn_pass *ps, const pinn_node *nd, int x_affine, const pinn_jetbuf *x,
                              pinn_jetbuf *z, size_t r0, size_t cnt);
void pinn_unary_backward_range(const pinn_pass *ps, const pinn_node *nd, int x_affine, int empty, pinn_jetbuf *x,
                               const pinn_jetbuf *z, size_t r0, size_t cnt);

/* The fused mixture (mix.c) over the pass's points: z[S][n][w] = sum_e Leibniz(lam[:, e], u[e]),
 * lam [S][n][E], u[e] [S][n][w] or NULL (a skipped node, left out). */
void pinn_mix_forward(const pinn_pass *ps, const pinn_node *nd, const pinn_real *lam, const pinn_real *const *u,
                      pinn_real *z);
/* Its adjoint: accumulates into glam [S][n][E] (may be NULL) and gu[e] (NULL: none) from gz. */
void pinn_mix_backward(const pinn_pass *ps, const pinn_node *nd, const pinn_real *lam, pinn_real *glam,
                       const pinn_real *const *u, pinn_real *const *gu, const pinn_real *gz);

/* ------------------------------------------------------------------ point subsets (subnets.c) */

/* One point-subset op: the template, the decomposition and its locator, the instance states. */
typedef struct pinn_subnets {
    pinn_graph *net;       /* template, owned */
    int dx, J, w_net, w;   /* input width, instances, template output width, op width (+1 with unity) */
    int unity;
    int drop_partial;      /* points an inactive instance covers are left out (spec.drop_partial) */
    size_t p_off, np_sub;  /* instance j's parameters at p_off + j * np_sub */
    int slice0;            /* first of its J * (template slices) slices in the outer graph */
    int is_grid;
    int m[PINN_MAX_INPUTS];               /* grid: instances per input, strides */
    int stride[PINN_MAX_INPUTS];
    double c0[PINN_MAX_INPUTS], dc[PINN_MAX_INPUTS], r[PINN_MAX_INPUTS];
    double *centre, *radius;              /* [J][dx] supports (filled for grids too) */
    pinn_real *nc, *nir;                  /* [J][dx] normalisation centre and inverse radius */
    /* boxes: uniform bucket grid over the boxes' bounding box, CSR lists of boxes per bucket */
    int bm[PINN_MAX_INPUTS];
    double blo[PINN_MAX_INPUTS], bh[PINN_MAX_INPUTS];
    int *bstart, *bitem;
    int max_cover;
    pinn_window window;
    pinn_window_fn window_fn;
    void *window_ctx;
    double steep;                         /* sigmoid window steepness */
    unsigned char *state;                 /* [J] pinn_subnet_state */
} pinn_subnets;

void pinn_subnets_free(pinn_subnets *sn);
/* graph.c, for builders outside it: append a copy of *nd (returns its id or -1); record msg as the
 * graph's first error (returns -1). */
int pinn_graph_push_node(pinn_graph *g, const pinn_node *nd);
int pinn_graph_fail(pinn_graph *g, const char *msg);
/* Instances covering point xp (strictly inside the support), any state, increasing; at most cap. */
int pinn_subnets_locate(const pinn_subnets *sn, const pinn_real *xp, int *inst, int cap);

/* Per-tape state of one op (subnets_tape.c): block pairs, groups, nested tapes over one arena. */
typedef struct pinn_subnets_tape pinn_subnets_tape;
pinn_status pinn_subnets_tape_init(pinn_subnets_tape **out, const pinn_subnets *sn, const pinn_plan *plan, int nmax,
                                   pinn_error *err);
void pinn_subnets_tape_free(pinn_subnets_tape *st);
size_t pinn_subnets_tape_bytes(const pinn_subnets_tape *st);
/* The matrix-product kernel (pinn_gemm_with kind, -1: pinn_gemm) of every sub-network tape. */
void pinn_subnets_tape_set_gemm(pinn_subnets_tape *st, int kind);
/* Lockstep passes of the sub-network tapes (1, the default unless PINN_SUBNETS_BATCH=0 when the
 * tape was set up) or group by group (0); both give the same results to rounding (bitwise with
 * the same product kernels). */
void pinn_subnets_tape_set_batch(pinn_subnets_tape *st, int on);
/* The same for every point-subset op of tape t (tape.c). */
void pinn_tape_set_subnets_batch(pinn_tape *t, int on);
/* z[S][n][w] from the op input jet x[S][n][dx]; P the flat parameters. */
void pinn_subnets_forward(pinn_subnets_tape *st, const pinn_pass *ps, const pinn_real *P, const pinn_real *x,
                          pinn_real *z);
/* Accumulates into G the gradient of the adjoint gz[S][n][w] of the last forward pass. */
void pinn_subnets_backward(pinn_subnets_tape *st, const pinn_pass *ps, const pinn_real *P, pinn_real *G,
                           const pinn_real *gz);

/* Tapes without memory of their own (tape.c), for the nested passes: bind lays out the buffers of n
 * points at mem (pinn_tape_reals_per_point(g, plan) * n reals); the plan may have more inputs than
 * the graph (the input jet is written by the caller, not built from coordinates). */
size_t pinn_tape_reals_per_point(const pinn_graph *g, const pinn_plan *plan);
pinn_status pinn_tape_init_view(pinn_tape **out, const pinn_graph *g, const pinn_plan *plan, pinn_error *err);
void pinn_tape_bind(pinn_tape *t, pinn_real *mem, int n);
/* The input jet [S][n][n_inputs] of a bound tape, to fill before pinn_tape_forward_jet. */
pinn_real *pinn_tape_input_jet(pinn_tape *t);
/* Forward pass over the bound points from the input jet already in place. */
void pinn_tape_forward_jet(pinn_tape *t, const pinn_real *params);

/* Lockstep passes over nb bound view tapes of one graph (tape_batch.c): the same as
 * pinn_tape_forward_jet / pinn_tape_backward on each tape b with parameters P[b] (and gradient
 * G[b]), node by node over all tapes, each dense layer's products of all tapes in one
 * pinn_gemm_batch call (the tapes' gemm kind; auto picks per shape).  Layers are not fused.  ws
 * holds the call's pointer arrays, for up to ws->cap tapes (nb <= cap). */
typedef struct pinn_tapes_ws {
    const pinn_real **a, **b;
    pinn_real **c;
    int *len, *pick;
    int cap;
} pinn_tapes_ws;
pinn_status pinn_tapes_ws_init(pinn_tapes_ws *ws, int nb, pinn_error *err);
void pinn_tapes_ws_free(pinn_tapes_ws *ws);
size_t pinn_tapes_ws_bytes(const pinn_tapes_ws *ws);
void pinn_tapes_forward_jet(pinn_tape *const *ts, int nb, const pinn_real *const *P, pinn_tapes_ws *ws);
void pinn_tapes_backward(pinn_tape *const *ts, int nb, const pinn_real *const *P, pinn_real *const *G,
                         pinn_tapes_ws *ws);

/* The ideas ops (ideas_ops.c): aux reals per point and column, forward and backward. */
size_t pinn_ideas_aux_per(const pinn_node *nd);
const pinn_real *pinn_tape_node_aux(const pinn_tape *t, int node);
void pinn_ideas_forward(const pinn_pass *ps, const pinn_graph *g, const pinn_node *nd, const pinn_real *P,
                        const pinn_jetbuf *x, pinn_jetbuf *z);
void pinn_ideas_backward(const pinn_pass *ps, const pinn_graph *g, const pinn_node *nd, pinn_real *G, pinn_real *gx,
                         const pinn_jetbuf *z);

#endif
