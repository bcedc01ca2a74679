/* term.c - evaluating one loss term over a point set: blocks, chunks, threads, deterministic sums.
 * Memory: one tape per thread and one gradient vector per chunk, allocated at init. */
#include <stdlib.h>
#include <string.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "jet/graph.h"
#include "pinnc/ctx.h"
#include "pinnc/term.h"

enum { PINN_MAX_CHUNKS = 16 };

struct pinn_term {
    const pinn_graph *g;
    const pinn_plan *plan;
    int block, n_tapes;
    size_t max_points, n_params;
    pinn_tape **tapes;
    pinn_real *chunk_grad; /* [PINN_MAX_CHUNKS][n_params] */
    double chunk_loss[PINN_MAX_CHUNKS];
};

pinn_status pinn_term_init(pinn_term **out, const pinn_graph *g, const pinn_plan *plan, size_t max_points,
                           int block, size_t n_params_total, pinn_error *err) {
    return pinn_term_init_ctx(out, NULL, g, plan, max_points, block, n_params_total, err);
}

pinn_status pinn_term_init_ctx(pinn_term **out, const pinn_ctx *ctx, const pinn_graph *g, const pinn_plan *plan,
                               size_t max_points, int block, size_t n_params_total, pinn_error *err) {
    *out = NULL;
    if (n_params_total < pinn_graph_nparams(g))
        return pinn_error_set(err, PINN_ERR_INVALID, "term: %zu parameters, the model alone has %zu", n_params_total,
                              pinn_graph_nparams(g));
    pinn_term *t = calloc(1, sizeof *t);
    if (!t) return pinn_error_set(err, PINN_ERR_NOMEM, "term: out of memory");
    t->g = g;
    t->plan = plan;
    t->block = block > 0 ? block : PINN_TERM_DEFAULT_BLOCK;
    if (max_points > 0 && (size_t)t->block > max_points) t->block = (int)max_points;
    t->max_points = max_points;
    t->n_params = n_params_total;
    t->n_tapes = ctx ? pinn_ctx_threads(ctx) : pinn_threads_get();
    if (t->n_tapes < 1) t->n_tapes = 1;
    t->tapes = calloc((size_t)t->n_tapes, sizeof *t->tapes);
    t->chunk_grad = malloc(sizeof(pinn_real) * PINN_MAX_CHUNKS * (n_params_total ? n_params_total : 1));
    if (!t->tapes || !t->chunk_grad) {
        pinn_term_free(t);
        return pinn_error_set(err, PINN_ERR_NOMEM, "term: out of memory");
    }
    for (int i = 0; i < t->n_tapes; i++) {
        pinn_status st = pinn_tape_init(&t->tapes[i], g, plan, t->block, err);
        if (st != PINN_OK) {
            pinn_term_free(t);
            return st;
        }
        if (ctx) pinn_tape_set_gemm(t->tapes[i], (int)pinn_ctx_gemm(ctx));
    }
    *out = t;
    return PINN_OK;
}

void pinn_term_free(pinn_term *t) {
    if (!t) return;
    if (t->tapes)
        for (int i = 0; i < t->n_tapes; i++) pinn_tape_free(t->tapes[i]);
    free(t->tapes);
    free(t->chunk_grad);
    free(t);
}

const pinn_plan *pinn_term_plan(const pinn_term *t) { return t->plan; }

static int thread_id(void) {
#ifdef _OPENMP
    return omp_get_thread_num();
#else
    return 0;
#endif
}

/* One chunk: blocks [b0, b1) sequentially on this thread's tape, loss and gradient accumulated. */
static void run_chunk(pinn_term *t, int c, size_t b0, size_t b1, size_t n_points, const pinn_real *x,
                      const pinn_real *params, int want_grad, pinn_block_loss_fn fn, void *ctx) {
    pinn_tape *tp = t->tapes[thread_id()];
    pinn_real *G = t->chunk_grad + (size_t)c * t->n_params;
    int d = t->plan->d;
    double loss = 0;
    memset(G, 0, sizeof(pinn_real) * t->n_params);
    for (size_t b = b0; b < b1; b++) {
        size_t first = b * (size_t)t->block;
        int n = (int)((n_points - first) < (size_t)t->block ? n_points - first : (size_t)t->block);
        const pinn_real *xb = x + first * (size_t)d;
        pinn_tape_forward(tp, params, xb, n);
        pinn_tape_zero_grad(tp);
        loss += fn(ctx, first, n, xb, t->plan, pinn_tape_output(tp), pinn_tape_output_grad(tp), params, G);
        if (want_grad) pinn_tape_backward(tp, params, G);
    }
    t->chunk_loss[c] = loss;
}

double pinn_term_eval(pinn_term *t, size_t n_points, const pinn_real *x, const pinn_real *params, pinn_real *grad,
                      pinn_block_loss_fn fn, void *ctx) {
    size_t nb = (n_points + (size_t)t->block - 1) / (size_t)t->block;
    int nc = nb < PINN_MAX_CHUNKS ? (int)nb : PINN_MAX_CHUNKS;
    int want = grad != NULL;
#ifdef _OPENMP
#pragma omp parallel for schedule(dynamic, 1) num_threads(t->n_tapes)
#endif
    for (int c = 0; c < nc; c++) {
        size_t b0 = nb * (size_t)c / (size_t)nc, b1 = nb * (size_t)(c + 1) / (size_t)nc;
        run_chunk(t, c, b0, b1, n_points, x, params, want, fn, ctx);
    }
    double loss = 0;
    for (int c = 0; c < nc; c++) loss += t->chunk_loss[c];
    if (want) {
        memset(grad, 0, sizeof(pinn_real) * t->n_params);
        for (int c = 0; c < nc; c++) {
            const pinn_real *G = t->chunk_grad + (size_t)c * t->n_params;
            for (size_t i = 0; i < t->n_params; i++) grad[i] += G[i];
        }
    }
    return loss;
}

void pinn_term_predict(pinn_term *t, size_t n_points, const pinn_real *x, const pinn_real *params, pinn_real *out) {
    size_t nb = (n_points + (size_t)t->block - 1) / (size_t)t->block;
    int S = t->plan->S, w = pinn_graph_width(t->g, pinn_graph_output(t->g)), d = t->plan->d;
#ifdef _OPENMP
#pragma omp parallel for schedule(static) num_threads(t->n_tapes)
#endif
    for (size_t b = 0; b < nb; b++) {
        pinn_tape *tp = t->tapes[thread_id()];
        size_t first = b * (size_t)t->block;
        int n = (int)((n_points - first) < (size_t)t->block ? n_points - first : (size_t)t->block);
        pinn_tape_forward(tp, params, x + first * (size_t)d, n);
        const pinn_real *o = pinn_tape_output(tp);
        for (int s = 0; s < S; s++)
            memcpy(out + ((size_t)s * n_points + first) * (size_t)w, o + (size_t)s * n * w,
                   sizeof(pinn_real) * (size_t)n * (size_t)w);
    }
}
