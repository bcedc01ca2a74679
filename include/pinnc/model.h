/* pinnc/model.h - network builders on top of the jet graph: the MLP (per-layer activations,
 * Glorot init, residual connections, input normalisation) and the softmax-gated mixture of MLPs.
 * Builders append nodes and parameter slices to a pinn_graph and return the output node. */
#ifndef PINNC_MODEL_H
#define PINNC_MODEL_H

#include "pinnc/cfg.h"
#include "pinnc/ideas.h"
#include "pinnc/jet.h"

#ifdef __cplusplus
extern "C" {
#endif

#define PINN_MLP_MAX_LAYERS 64
#define PINN_MAX_EXPERTS_MOE 32

/* Training recipes of the MLP (src/model/embed.c, mlp_modified.c); all off when zeroed. */
typedef struct pinn_mlp_recipe {
    double period[PINN_MAX_INPUTS]; /* > 0: input i enters as cos, sin(2 pi k (x_i - lo_i) / period), k = 1..harmonics */
    int harmonics;
    int fourier;                    /* m > 0: [cos(B h), sin(B h)] with B m x width, entries N(0, fourier_scale^2) */
    double fourier_scale;
    int fourier_trainable;          /* 0: B stays fixed (masked from the optimizer) */
    int rwf;                        /* random weight factorisation W = diag(exp(s)) V of every dense layer */
    double rwf_mean, rwf_std;       /* s = rwf_mean + N(0, rwf_std^2) at the start */
    int modified;                   /* the modified MLP: encoders U, V gate each hidden layer */
} pinn_mlp_recipe;

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
    int per_field;                         /* one network per output column (n_out > 1) ... */
    int shared;                            /* ... sharing its first `shared` hidden layers (a trunk;
                                              0: separate networks); the heads' slices are
                                              "<prefix>.f<k>.W<l>" */
    pinn_ideas_spec ideas;                 /* ideas laboratory options (pinnc/ideas.h); zero: off */
    pinn_mlp_recipe rec;                   /* embeddings, factorisation, modified MLP (zero: none) */
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

/* What pinn_moe_build_ex built: the gate probabilities (width n_experts), each expert's output
 * (width n_out) and the node range of each expert's part (its network; in the composed mixture,
 * PINN_MOE_FUSED=0, also its gate column and product), which pinn_graph_set_skip switches off when
 * the expert is pruned. */
typedef struct pinn_moe_nodes {
    int gate;
    int expert[PINN_MAX_EXPERTS_MOE];
    int first[PINN_MAX_EXPERTS_MOE], last[PINN_MAX_EXPERTS_MOE];
} pinn_moe_nodes;

/* As pinn_moe_build with diverse experts and a softmax temperature T > 0: u = sum_e
 * softmax(G(x) / T)_e E_e(x).  nodes (may be NULL) gets the nodes above. */
int pinn_moe_build_ex(pinn_graph *g, int x, const pinn_mlp_spec *gate, double temperature, int n_experts,
                      const pinn_mlp_spec *experts, pinn_moe_nodes *nodes);


/* ---------------------------------------------------------------- model kinds and the registry
 *
 * A model kind is one file in src/model/ with a table of operations; the trainer knows no kind by
 * name.  Built-in kinds: "mlp", "moe", "fbpinn".  A program may add its own through pinn_ctx_register_model
 * (pinnc/ctx.h).  Life of a model: configure (read the kind's keys of the `model` section, storing
 * defaults so the section ends resolved), build (append the network to a jet graph), then, while
 * training, the optional hooks. */

/* What a kind is told about the problem. */
typedef struct pinn_model_info {
    int n_in, n_out;               /* coordinates and fields */
    const double *lo, *hi;         /* bounding box of the domain per coordinate */
    const char *const *coords;     /* coordinate names */
    int time;                      /* index of the time coordinate, -1 if none */
    uint64_t seed;
} pinn_model_info;

#define PINN_MODEL_MAX_AUX 8
#define PINN_MODEL_MAX_PARAMS 1e8 /* trainable parameters a model may declare */

/* What a build produced: the fields node (width n_out) and optional auxiliary columns, each the
 * pointwise value of an extra loss term (a regulariser): the term's loss is weight times the mean
 * of the column's value over the collocation points. */
typedef struct pinn_model_out {
    int fields;
    int n_aux;
    int aux[PINN_MODEL_MAX_AUX];          /* nodes of width 1 */
    char aux_name[PINN_MODEL_MAX_AUX][32]; /* term names in the history */
    double aux_weight[PINN_MODEL_MAX_AUX];
} pinn_model_out;

/* Values a diagnostics hook can write, by name, through the run layer (e.g. gate maps). */
typedef struct pinn_model_sink {
    void *ctx;
    pinn_status (*array)(void *ctx, const char *name, int ndim, const size_t *shape, const double *data, pinn_error *err);
} pinn_model_sink;

/* How a model that is linear in some of its parameters (an extreme learning machine: random fixed
 * hidden layers, trainable output layer) lays out those coefficients, for the least-squares
 * assembly (pinn_objective_linearize_csr).  Column c is the flat parameter param[c]; it changes
 * only field field[c] (-1: any field) and only at the points `touching` lists.  Two columns of one
 * colour never touch one point unless they change different fields: so one forward pass with
 * every column of a colour set to 1 (and the others to 0) gives each column's jets where it acts. */
typedef struct pinn_lin_cover {
    size_t n_cols;
    const size_t *param;   /* [n_cols] */
    const int *field;      /* [n_cols] */
    const int *color;      /* [n_cols], in 0 .. n_colors-1 */
    int n_colors;
    int max_touch;         /* most columns touching one point */
    int n_blocks;          /* column blocks (a subdomain's coefficients) for block preconditioners: */
    const int64_t *block_ptr; /* block b = columns block_ptr[b] .. block_ptr[b+1]-1 (n_blocks + 1) */
    /* Writes the columns touching point x (n_in coordinates), increasing, into cols (max_touch
     * entries); returns how many.  Called concurrently. */
    int (*touching)(const void *ctx, const pinn_real *x, int *cols);
    const void *ctx;
    /* Optional wide basis (faster assembly; NULL: one forward pass per colour).  wide is a graph
     * of the same inputs with wide_w outputs; wide_params(ctx, P, pass, P2) writes its wide_np
     * parameters for pass 0 .. n_wide_passes-1 from the model's parameters P, after which output
     * channel wide_chan[c] of pass wide_pass[c] is column c's basis function for field field[c]
     * (every such column has field[c] >= 0), exact to every derivative order.  Used only when the model has no output transform. */
    const pinn_graph *wide;
    int wide_w, n_wide_passes;
    size_t wide_np;
    const int *wide_pass, *wide_chan; /* [n_cols] */
    void (*wide_params)(const void *ctx, const pinn_real *P, int pass, pinn_real *P2);
} pinn_lin_cover;

/* Keys of the model section every kind accepts (handled by the model layer). */
#define PINN_MODEL_COMMON_KEYS "kind", "transform"

typedef struct pinn_model_ops {
    const char *kind;   /* the name in model.kind */
    size_t state_size;  /* bytes of the kind's private state, zeroed before configure */
    /* Read the kind's keys of mapping `node` of cfg (unknown keys are errors; accept
     * PINN_MODEL_COMMON_KEYS), storing defaults of missing keys.  Required. */
    pinn_status (*configure)(void *state, pinn_cfg *cfg, int node, const pinn_model_info *info, pinn_error *err);
    /* Append the network over node x (width n_in) to g; fill out.  Required. */
    pinn_status (*build)(void *state, pinn_graph *g, int x, const pinn_model_info *info, pinn_model_out *out,
                         pinn_error *err);
    /* Optional: clear trainable[i] for parameters the optimizer must leave alone (frozen or
     * removed); trainable has pinn_graph_nparams(g) entries, all 1 on entry. */
    void (*param_mask)(const void *state, const pinn_graph *g, unsigned char *trainable);
    /* Optional: called with the step count (steps of all phases done) after each optimizer step, at the
     * start of a run and after a checkpoint is read, with the current parameters (may change them,
     * and the graph's point-subset states). */
    pinn_status (*after_step)(void *state, long step, const pinn_graph *g, pinn_real *params, pinn_error *err);
    /* Optional: write diagnostics (e.g. gate maps) of the trained model at the n evaluation points x. */
    pinn_status (*diagnostics)(void *state, const pinn_graph *g, const pinn_real *params, size_t n, const pinn_real *x,
                               const pinn_model_sink *sink, pinn_error *err);
    /* Optional: release what configure or build allocated inside state. */
    void (*release)(void *state);
    /* Optional (models linear in their trainable coefficients): fill cover, whose arrays the
     * state owns, after build. */
    pinn_status (*linear_cover)(void *state, const pinn_graph *g, pinn_lin_cover *cover, pinn_error *err);
    /* Optional: an order of n points x[n][n_in] that the model evaluates faster in (e.g. grouped by
     * subdomain); order[i] = index of the i-th point.  The trainer permutes its collocation points
     * (after sampling, each resampling and each mini-batch gather) and condition points with it. */
    pinn_status (*order_points)(const void *state, const pinn_graph *g, size_t n, const pinn_real *x, size_t *order,
                                pinn_error *err);
    /* Optional: told the n collocation points x[n][n_in] after sampling and each resampling; x
     * stays valid until the next call (e.g. for importances measured by after_step). */
    void (*points)(void *state, size_t n, const pinn_real *x);
    /* Optional: named scalars of the model at the current parameters (e.g. each expert's mean gate
     * weight over the collocation points), for the history and summary.json: at most
     * PINN_MODEL_MAX_VALUES, the same names at every call; returns how many. */
    int (*values)(void *state, const pinn_graph *g, const pinn_real *params, char (*names)[32], double *values);
    /* Optional: nonzero once after an after_step call that changed which parameters train (e.g. a
     * time-scheduling stage change) and wants the optimizer's moments restarted; the trainer then
     * resets the running Adam phase's state (moments and step count), as for a new optimizer. */
    int (*restart_optimizer)(void *state);
    /* Optional: called with on = 1 before the trainer evaluates the model outside the loss (reference
     * errors, the solution grid, predictions) and with 0 after (e.g. to bring back subdomains that the
     * loss passes skip because they have no gradient). */
    void (*eval_mode)(void *state, const pinn_graph *g, int on);
} pinn_model_ops;

#define PINN_MODEL_MAX_VALUES 72

/* The built-in kinds, NULL-terminated. */
const pinn_model_ops *const *pinn_model_builtin(void);
/* Kind "kind" among the built-in ones, or NULL. */
const pinn_model_ops *pinn_model_find_builtin(const char *kind);

/* A configured model of some kind (opaque). */
typedef struct pinn_model pinn_model;

/* Configure a model of kind ops from section cfg (node 0), including the common keys: output
 * transforms are compiled and applied by build.  sym: the problem's symbols (for transforms). */
struct pinn_expr_symbols;
pinn_status pinn_model_init(pinn_model **out, const pinn_model_ops *ops, pinn_cfg *cfg, const pinn_model_info *info,
                            pinn_error *err);
void pinn_model_free(pinn_model *m);
/* Build into g over its input node: the kind's network, then each field's output transform
 * (expressions in the coordinates, constants and N, the raw output), then the auxiliary columns
 * appended after the fields.  sym supplies coordinates and constants to the transforms. */
pinn_status pinn_model_build(pinn_model *m, pinn_graph *g, const struct pinn_expr_symbols *sym, pinn_error *err);
const pinn_model_ops *pinn_model_kind(const pinn_model *m);
void *pinn_model_state(pinn_model *m);
const pinn_model_out *pinn_model_outputs(const pinn_model *m);
/* Width of the graph output: fields plus auxiliary columns. */
int pinn_model_width(const pinn_model *m);
/* 1 when build applied an output transform to some field (the graph output is then not the
 * kind's own fields node). */
int pinn_model_transformed(const pinn_model *m);

/* Helpers for kinds: read an MLP's keys (hidden, activation, k, residual, normalize, init) from
 * mapping node into spec (n_in, n_out and the box are taken from info). */
pinn_status pinn_mlp_spec_configure(pinn_mlp_spec *spec, pinn_cfg *cfg, int node, const pinn_model_info *info,
                                    pinn_error *err);

#ifdef __cplusplus
}
#endif
#endif
