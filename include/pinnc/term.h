/* pinnc/term.h - a loss term: one point set pushed through the model in blocks, a pointwise loss on
 * the output jet, and the gradient of that loss with respect to all parameters.
 *
 * Points are split into blocks of at most `block` points; blocks are grouped into a fixed number of
 * chunks that depends only on the point count, never on the thread count; each chunk accumulates
 * its own loss and gradient, and chunks are summed in order.  So 1 and N threads give bitwise the
 * same results.  Each term owns its gradient buffer, so loss weighting by gradient statistics
 * (DN-, ID-, MA-PINN) needs no extra backward pass. */
#ifndef PINNC_TERM_H
#define PINNC_TERM_H

#include "pinnc/jet.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The pointwise loss of one block.  first: index of the block's first point in the set; n: points
 * in the block; x: their coordinates (n x d); jet: the model output [S][n][w_out] for the term's
 * plan.  Returns the block's contribution to the loss and writes d(contribution)/d(jet) into
 * jet_grad (zeroed by the caller).  params/grad are the full flat vectors (network parameters
 * followed by any extra parameters): the callback ACCUMULATES gradients of extra parameters it
 * uses into grad.  Called concurrently from several threads for different blocks. */
typedef double (*pinn_block_loss_fn)(void *ctx, size_t first, int n, const pinn_real *x, const pinn_plan *plan,
                                      const pinn_real *jet, pinn_real *jet_grad, const pinn_real *params,
                                      pinn_real *grad);

typedef struct pinn_term pinn_term;

/* Points per block when none is given: small enough that a layer's jets stay in cache (the
 * measurements are in docs/benchmarks.md, "Engine tuning measurements"). */
#define PINN_TERM_DEFAULT_BLOCK 64

/* A term for up to max_points points of a graph under plan; n_params_total >= the graph's count
 * (extra parameters follow the network's).  block: points per block (0: PINN_TERM_DEFAULT_BLOCK). */
pinn_status pinn_term_init(pinn_term **out, const pinn_graph *g, const pinn_plan *plan, size_t max_points,
                           int block, size_t n_params_total, pinn_error *err);
/* The same with the thread count and GEMM kernel of a context (pinn_term_init: the process's
 * OpenMP thread count and the default kernel). */
struct pinn_ctx;
pinn_status pinn_term_init_ctx(pinn_term **out, const struct pinn_ctx *ctx, const pinn_graph *g, const pinn_plan *plan,
                               size_t max_points, int block, size_t n_params_total, pinn_error *err);
void pinn_term_free(pinn_term *t);

/* Loss over n_points points x (row-major n x d) and its gradient (OVERWRITTEN into grad, length
 * n_params_total).  grad may be NULL for the loss only (no backward pass). */
double pinn_term_eval(pinn_term *t, size_t n_points, const pinn_real *x, const pinn_real *params, pinn_real *grad,
                      pinn_block_loss_fn fn, void *ctx);

/* Forward only: the model's output jet at n_points points, written as [n_points][w_out] for each
 * stream s into out + s * n_points * w_out (out holds S * n_points * w_out values). */
void pinn_term_predict(pinn_term *t, size_t n_points, const pinn_real *x, const pinn_real *params, pinn_real *out);

const pinn_plan *pinn_term_plan(const pinn_term *t);
/* Bytes the term holds (tapes, chunk gradients), for memory reports. */
size_t pinn_term_bytes(const pinn_term *t);

/* Several losses on the same points (the equations of a PDE system, regularisers of the model),
 * each from the one forward pass per block.  pinn_term_set_losses sizes the term for k of them
 * (once, before evaluating).  pinn_term_eval_multi writes each loss into losses[q] and:
 *   weights == NULL: one backward per loss, loss q's gradient OVERWRITTEN into grads[q];
 *   weights given: one backward of sum_q weights[q] * loss_q, its gradient into grads[0]
 *   (callbacks must then add nothing to extra parameters: that part would not be weighted).
 * grads == NULL: losses only.  With k == 1 and no weights the arithmetic is pinn_term_eval's. */
pinn_status pinn_term_set_losses(pinn_term *t, int k, pinn_error *err);
void pinn_term_eval_multi(pinn_term *t, size_t n_points, const pinn_real *x, const pinn_real *params, int k,
                          pinn_block_loss_fn const *fns, void *const *ctxs, const double *weights, double *losses,
                          pinn_real *const *grads);

#ifdef __cplusplus
}
#endif
#endif
