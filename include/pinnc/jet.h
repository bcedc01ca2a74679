/* pinnc/jet.h - derivative plans, the jet graph (models as compositions of jet ops) and the tape.
 *
 * A jet holds, for a block of n points, the value and every planned input derivative of a quantity
 * of width w, stored stream-major: [S][n][w] where S is the number of multi-indices in the plan
 * (stream 0 is the value).  A model is a pinn_graph of jet ops over one flat parameter array; a
 * pinn_tape instantiates a graph for one plan and block size, runs it forward, and back-propagates
 * an adjoint of the output jet into the flat parameter gradient.  See docs/engine.md. */
#ifndef PINNC_JET_H
#define PINNC_JET_H

#include "pinnc/core.h"

#ifdef __cplusplus
extern "C" {
#endif

#define PINN_MAX_INPUTS 4 /* coordinates a plan can differentiate in */
#define PINN_MAX_ORDER 6  /* highest total derivative order */

/* ---------------------------------------------------------------- derivative plans */

/* A downward-closed set of multi-indices with its Faà di Bruno and Leibniz tables. Immutable. */
typedef struct pinn_plan pinn_plan;

/* Build the plan for n_inputs coordinates from n_req requested multi-indices; req holds n_req rows
 * of PINN_MAX_INPUTS ints (entries past n_inputs must be 0).  The zero multi-index (the value) is
 * always included.  Streams are ordered by total order, then lexicographically (first input most
 * significant, higher powers first).  Caller frees with pinn_plan_free. */
pinn_status pinn_plan_init(pinn_plan **out, int n_inputs, int n_req, const int *req, pinn_error *err);
void pinn_plan_free(pinn_plan *plan);
int pinn_plan_size(const pinn_plan *plan);   /* S, the number of streams */
int pinn_plan_inputs(const pinn_plan *plan); /* number of input coordinates */
int pinn_plan_order(const pinn_plan *plan);  /* highest total order in the plan */
/* Stream index of multi-index alpha (PINN_MAX_INPUTS ints), or -1 when not in the plan. */
int pinn_plan_index(const pinn_plan *plan, const int *alpha);
/* The multi-index of stream s (PINN_MAX_INPUTS ints, owned by the plan). */
const int *pinn_plan_alpha(const pinn_plan *plan, int s);
/* Number of Faà di Bruno terms stored for stream s (sum over set partitions, merged). */
int pinn_plan_fdb_terms(const pinn_plan *plan, int s);

/* ---------------------------------------------------------------- the jet graph */

/* Elementwise functions with derivatives of every order (p: the exponent for POW and RELUK). */
typedef enum pinn_fn {
    PINN_FN_IDENTITY = 0,
    PINN_FN_TANH,
    PINN_FN_SIN,
    PINN_FN_COS,
    PINN_FN_EXP,
    PINN_FN_LOG,
    PINN_FN_SIGMOID,
    PINN_FN_SWISH,    /* x * sigmoid(x), a.k.a. SiLU */
    PINN_FN_SOFTPLUS, /* log(1 + e^x) */
    PINN_FN_RELUK,    /* max(0,x)^k, k = p >= 1 integer */
    PINN_FN_POW,      /* x^p */
    PINN_FN_RECIP,    /* 1/x */
    PINN_FN_SINH,
    PINN_FN_COSH,
    PINN_FN_COUNT
} pinn_fn;
const char *pinn_fn_to_string(pinn_fn f);
/* Parses a name ("tanh", "sin", "swish"/"silu", "relu" means relu^1, ...); returns -1 if unknown. */
int pinn_fn_from_string(const char *name);
/* f^(k)(x) for k = 0..K into D[k*n + i]; used by the jet ops and exposed for tests. */
void pinn_fn_derivs(pinn_fn f, double p, const pinn_real *x, size_t n, int K, pinn_real *D);

/* How a parameter slice is initialised by pinn_graph_init_params. */
typedef enum pinn_init {
    PINN_INIT_GLOROT_NORMAL = 0, /* N(0, 2/(fan_in+fan_out)) */
    PINN_INIT_GLOROT_UNIFORM,    /* U(-a, a), a = sqrt(6/(fan_in+fan_out)) */
    PINN_INIT_ZERO,
    PINN_INIT_CONST,             /* every entry = value */
    PINN_INIT_UNIFORM,           /* U(-value, value): fixed random features (extreme learning machines) */
    PINN_INIT_NORMAL,            /* N(0, value^2) */
    PINN_INIT_COUNT
} pinn_init;
const char *pinn_init_to_string(pinn_init k);
int pinn_init_from_string(const char *name);

/* A model: jet ops over a flat parameter vector.  Nodes are small ints returned by the builders;
 * a builder given an invalid argument returns -1 and records the error (pinn_graph_status). */
typedef struct pinn_graph pinn_graph;

/* A graph over n_inputs coordinates; node 0 is the input jet (width n_inputs). */
pinn_status pinn_graph_init(pinn_graph **out, int n_inputs, pinn_error *err);
void pinn_graph_free(pinn_graph *g);
/* First error recorded by a builder call (PINN_OK if none), with its message in err. */
pinn_status pinn_graph_status(const pinn_graph *g, pinn_error *err);

/* Declare a parameter slice of rows*cols entries (fan_in, fan_out for Glorot); returns its id. */
int pinn_graph_param(pinn_graph *g, const char *name, int rows, int cols, pinn_init init, double value);
size_t pinn_graph_nparams(const pinn_graph *g);
int pinn_graph_nslices(const pinn_graph *g);
/* Name, offset and size of slice i (any out-pointer may be NULL). */
void pinn_graph_slice(const pinn_graph *g, int i, const char **name, size_t *offset, size_t *size);
/* 1 if slice i is the weight matrix of an affine node (not a bias or a free parameter). */
int pinn_graph_slice_is_weight(const pinn_graph *g, int i);
/* Initialise all parameters from the seeded rng, slice by slice in declaration order. */
void pinn_graph_init_params(const pinn_graph *g, pinn_real *params, pinn_rng *rng);

int pinn_graph_input(const pinn_graph *g);          /* always 0 */
int pinn_graph_width(const pinn_graph *g, int node); /* width of a node's jet */
/* y = x W^T + b; W: a slice of out x in, b: a slice of out or -1 for no bias. */
int pinn_graph_affine(pinn_graph *g, int x, int W, int b);
/* y[:, j] = scale[j] * x[:, j] + shift[j] (shift on the value only); constants copied. */
int pinn_graph_colaffine(pinn_graph *g, int x, const double *scale, const double *shift);
/* y = c * x + s (s added to the value stream only). */
int pinn_graph_scale_shift(pinn_graph *g, int x, double c, double s);
/* y = f(x) elementwise (p: exponent for POW / RELUK). */
int pinn_graph_unary(pinn_graph *g, pinn_fn f, double p, int x);
/* y = ca * a + cb * b; equal widths, or one of width 1 broadcast. */
int pinn_graph_add(pinn_graph *g, int a, int b, double ca, double cb);
/* y = a * b (Leibniz); equal widths, or one of width 1 broadcast. */
int pinn_graph_mul(pinn_graph *g, int a, int b);
/* y = a / b, composed as a * (1/b). */
int pinn_graph_div(pinn_graph *g, int a, int b);
/* y = sum over the width of x (width 1). */
int pinn_graph_sum(pinn_graph *g, int x);
/* y = softmax over the width of x, composed of exp, sum, reciprocal and product. */
int pinn_graph_softmax(pinn_graph *g, int x);
/* y = columns [j0, j0+w) of x. */
int pinn_graph_slice_cols(pinn_graph *g, int x, int j0, int w);
/* y = [a, b] along the width. */
int pinn_graph_concat(pinn_graph *g, int a, int b);
/* The fused mixture y = sum_e lam[:, e] * u[e] (Leibniz over every stream at once): lam of width n,
 * the n nodes u[] of one width w (the width of y), in one node instead of n slices, products and
 * sums.  A skipped u[e] (pinn_graph_set_skip) is left out of the sum, forward and backward. */
int pinn_graph_mix(pinn_graph *g, int lam, int n, const int *u);
/* Mark the model output (any width); pinn_tape_output returns its jet. */
int pinn_graph_set_output(pinn_graph *g, int node);
int pinn_graph_output(const pinn_graph *g);
int pinn_graph_nnodes(const pinn_graph *g);
/* Skip nodes first..last in every later pass (skip != 0), or run them again (0): a skipped node
 * costs nothing, and a live node reading it reads zeros (a pruned expert of a mixture).  Nodes
 * are numbered in build order.  Returns 0, or -1 on a bad range or no memory. */
int pinn_graph_set_skip(pinn_graph *g, int first, int last, int skip);
int pinn_graph_skipped(const pinn_graph *g, int node);

/* ---------------------------------------------------------------- the tape */

/* One instantiation of a graph for a plan and at most nmax points per block: every buffer is
 * allocated here, once; forward and backward never allocate.  Not thread-safe: one per thread. */
typedef struct pinn_tape pinn_tape;

pinn_status pinn_tape_init(pinn_tape **out, const pinn_graph *g, const pinn_plan *plan, int nmax,
                           pinn_error *err);
void pinn_tape_free(pinn_tape *t);
/* Bytes held by the tape (for memory reports). */
size_t pinn_tape_bytes(const pinn_tape *t);
/* Force the general Faà di Bruno kernels even when the order <= 2 fast path applies (tests). */
void pinn_tape_set_general(pinn_tape *t, int general);
/* The matrix-product kernel of this tape: a pinn_gemm_kind (pinnc/ctx.h), or -1 (the default:
 * automatic unless PINN_SMALL_GEMM=0 in the environment). */
void pinn_tape_set_gemm(pinn_tape *t, int kind);
/* Fused layer kernels (off by default; PINN_FUSED=1 in the environment turns the default on):
 * a dense layer and the activation after it run as one pass over sub-blocks of points that stay
 * in cache (product, bias and activation jets forward; activation adjoint, bias gradient and
 * input adjoint backward), wherever both of its row products run the small kernel and the plan
 * has order <= 2.  The result is bitwise that of the unfused passes (tests/test_fused.c). */
void pinn_tape_set_fused(pinn_tape *t, int fused);
/* A per-product kernel choice: the pinn_gemm_kind for op(A) op(B), op(A) M x K, op(B) K x N. */
typedef int (*pinn_gemm_chooser)(void *ctx, int ta, int tb, int M, int N, int K);
/* Asks fn for the kernel of each matrix product the tape issues on a full block and keeps the
 * answers per product (partial blocks use the same); overrides pinn_tape_set_gemm. */
pinn_status pinn_tape_choose_gemm(pinn_tape *t, pinn_gemm_chooser fn, void *ctx, pinn_error *err);

/* Forward pass over n <= nmax points x (row-major n x n_inputs). */
void pinn_tape_forward(pinn_tape *t, const pinn_real *params, const pinn_real *x, int n);
/* The output jet [S][n][w_out] of the last forward pass, and its adjoint buffer (same layout). */
const pinn_real *pinn_tape_output(const pinn_tape *t);
pinn_real *pinn_tape_output_grad(pinn_tape *t);
/* Start a backward pass: zero the output adjoint (fill it next); the other adjoints read as zero
 * until backward first writes them. */
void pinn_tape_zero_grad(pinn_tape *t);
/* Back-propagate the output adjoint; ACCUMULATES d(loss)/d(params) into grad. */
void pinn_tape_backward(pinn_tape *t, const pinn_real *params, pinn_real *grad);
/* Adjoint of the input coordinates' value stream after backward ([n][n_inputs]), for tests. */
const pinn_real *pinn_tape_node_value(const pinn_tape *t, int node);
/* Flops of the matrix products per point: forward, plus backward when backward != 0. */
double pinn_graph_gemm_flops(const pinn_graph *g, const pinn_plan *plan, int backward);

#ifdef __cplusplus
}
#endif
#endif
