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
    /* several losses from one forward pass (pinn_term_set_losses) */
    int n_losses;
    pinn_real *multi_grad;  /* [n_losses][PINN_MAX_CHUNKS][n_params] */
    double *multi_loss;     /* [n_losses][PINN_MAX_CHUNKS] */
    pinn_real **jet_tmp;    /* per tape: one output adjoint [S][block][w] (weighted sums) */
    size_t jet_size;
    /* data parallelism (pinn_ctx_set_ranks): this process computes chunks of its rank only */
    int rank, nranks;
    pinn_gather_fn gather;
    void *gather_user;
    int *counts, *displs; /* [nranks]: chunks per rank, first chunk per rank (of the last call) */
};

pinn_status pinn_term_init(pinn_term **out, const pinn_graph *g, const pinn_plan *plan, size_t max_points,
                           int block, size_t n_params_total, pinn_error *err) {
    return pinn_term_init_ctx(out, NULL, g, plan, max_points, block, n_params_total, err);
}

/* pinn_gemm_chooser over a context's plan. */
static int plan_choose(void *ctx, int ta, int tb, int M, int N, int K) {
    return (int)pinn_ctx_gemm_for(ctx, ta, tb, M, N, K);
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
    t->nranks = 1;
    if (ctx && pinn_ctx_nranks(ctx) > 1) {
        t->rank = pinn_ctx_rank(ctx), t->nranks = pinn_ctx_nranks(ctx);
        t->gather = pinn_ctx_gather(ctx, &t->gather_user);
        t->counts = malloc(sizeof(int) * 2 * (size_t)t->nranks);
        if (!t->counts) {
            pinn_term_free(t);
            return pinn_error_set(err, PINN_ERR_NOMEM, "term: out of memory");
        }
        t->displs = t->counts + t->nranks;
    }
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
        if (ctx && pinn_ctx_gemm(ctx) == PINN_GEMM_PLAN) {
            /* the plan is a cache inside the context: planning adds to it, nothing else changes */
            st = pinn_tape_choose_gemm(t->tapes[i], plan_choose, (void *)ctx, err);
            if (st != PINN_OK) {
                pinn_term_free(t);
                return st;
            }
        } else if (ctx)
            pinn_tape_set_gemm(t->tapes[i], (int)pinn_ctx_gemm(ctx));
    }
    if (ctx && pinn_ctx_gemm(ctx) == PINN_GEMM_PLAN) pinn_ctx_gemm_plan_save((pinn_ctx *)ctx);
    *out = t;
    return PINN_OK;
}

void pinn_term_free(pinn_term *t) {
    if (!t) return;
    if (t->tapes)
        for (int i = 0; i < t->n_tapes; i++) pinn_tape_free(t->tapes[i]);
    free(t->tapes);
    free(t->chunk_grad);
    free(t->multi_grad);
    free(t->multi_loss);
    if (t->jet_tmp)
        for (int i = 0; i < t->n_tapes; i++) free(t->jet_tmp[i]);
    free(t->jet_tmp);
    free(t->counts);
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

/* This rank's chunks [*c0, *c1) of nc: contiguous runs in rank order (all of them with one rank);
 * the per-rank counts and first chunks are kept for gather_chunks. */
static void rank_chunks(pinn_term *t, int nc, int *c0, int *c1) {
    *c0 = 0, *c1 = nc;
    if (t->nranks == 1) return;
    for (int r = 0; r < t->nranks; r++) {
        int a = (int)((long)nc * r / t->nranks), b = (int)((long)nc * (r + 1) / t->nranks);
        t->displs[r] = a, t->counts[r] = b - a;
    }
    *c0 = t->displs[t->rank], *c1 = *c0 + t->counts[t->rank];
}

/* Every rank's chunks into buf (elements of elem bytes, one per chunk), after rank_chunks. */
static void gather_chunks(pinn_term *t, void *buf, size_t elem) {
    if (t->nranks > 1) t->gather(t->gather_user, buf, elem, t->counts, t->displs);
}

double pinn_term_eval(pinn_term *t, size_t n_points, const pinn_real *x, const pinn_real *params, pinn_real *grad,
                      pinn_block_loss_fn fn, void *ctx) {
    size_t nb = (n_points + (size_t)t->block - 1) / (size_t)t->block;
    int nc = nb < PINN_MAX_CHUNKS ? (int)nb : PINN_MAX_CHUNKS;
    int want = grad != NULL, c0, c1;
    rank_chunks(t, nc, &c0, &c1);
#ifdef _OPENMP
#pragma omp parallel for schedule(dynamic, 1) num_threads(t->n_tapes)
#endif
    for (int c = c0; c < c1; c++) {
        size_t b0 = nb * (size_t)c / (size_t)nc, b1 = nb * (size_t)(c + 1) / (size_t)nc;
        run_chunk(t, c, b0, b1, n_points, x, params, want, fn, ctx);
    }
    gather_chunks(t, t->chunk_loss, sizeof(double));
    if (want) gather_chunks(t, t->chunk_grad, sizeof(pinn_real) * t->n_params);
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

pinn_status pinn_term_set_losses(pinn_term *t, int k, pinn_error *err) {
    if (k < 1) return pinn_error_set(err, PINN_ERR_INVALID, "term: %d losses", k);
    free(t->multi_grad);
    free(t->multi_loss);
    t->multi_grad = malloc(sizeof(pinn_real) * (size_t)k * PINN_MAX_CHUNKS * (t->n_params ? t->n_params : 1));
    t->multi_loss = malloc(sizeof(double) * (size_t)k * PINN_MAX_CHUNKS);
    if (!t->jet_tmp) t->jet_tmp = calloc((size_t)t->n_tapes, sizeof *t->jet_tmp);
    if (!t->multi_grad || !t->multi_loss || !t->jet_tmp) return pinn_error_set(err, PINN_ERR_NOMEM, "term: out of memory");
    t->jet_size = (size_t)t->plan->S * (size_t)t->block * (size_t)pinn_graph_width(t->g, pinn_graph_output(t->g));
    for (int i = 0; i < t->n_tapes; i++)
        if (!t->jet_tmp[i] && !(t->jet_tmp[i] = malloc(sizeof(pinn_real) * t->jet_size)))
            return pinn_error_set(err, PINN_ERR_NOMEM, "term: out of memory");
    t->n_losses = k;
    return PINN_OK;
}

/* One chunk of pinn_term_eval_multi: per block one forward pass, then either one backward per loss
 * (weights == NULL) or the weighted sum of the losses' output adjoints and one backward. */
static void run_chunk_multi(pinn_term *t, int c, size_t b0, size_t b1, size_t n_points, const pinn_real *x,
                            const pinn_real *params, int k, pinn_block_loss_fn const *fns, void *const *ctxs,
                            const double *weights, int want_grad) {
    int tid = thread_id();
    pinn_tape *tp = t->tapes[tid];
    int d = t->plan->d, n_grads = weights ? 1 : k;
    size_t np = t->n_params;
    for (int q = 0; q < n_grads; q++) memset(t->multi_grad + ((size_t)q * PINN_MAX_CHUNKS + (size_t)c) * np, 0, sizeof(pinn_real) * np);
    for (int q = 0; q < k; q++) t->multi_loss[(size_t)q * PINN_MAX_CHUNKS + (size_t)c] = 0;
    for (size_t b = b0; b < b1; b++) {
        size_t first = b * (size_t)t->block;
        int n = (int)((n_points - first) < (size_t)t->block ? n_points - first : (size_t)t->block);
        const pinn_real *xb = x + first * (size_t)d;
        pinn_tape_forward(tp, params, xb, n);
        const pinn_real *out = pinn_tape_output(tp);
        if (weights) {
            pinn_real *G = t->multi_grad + (size_t)c * np, *tmp = t->jet_tmp[tid];
            pinn_tape_zero_grad(tp);
            pinn_real *og = pinn_tape_output_grad(tp);
            size_t m = (size_t)t->plan->S * (size_t)n * (size_t)pinn_graph_width(t->g, pinn_graph_output(t->g));
            for (int q = 0; q < k; q++) {
                memset(tmp, 0, sizeof(pinn_real) * m);
                t->multi_loss[(size_t)q * PINN_MAX_CHUNKS + (size_t)c] += fns[q](ctxs[q], first, n, xb, t->plan, out, tmp, params, G);
                const pinn_real w = (pinn_real)weights[q];
                for (size_t i = 0; i < m; i++) og[i] += w * tmp[i];
            }
            if (want_grad) pinn_tape_backward(tp, params, G);
        } else
            for (int q = 0; q < k; q++) {
                pinn_real *G = t->multi_grad + ((size_t)q * PINN_MAX_CHUNKS + (size_t)c) * np;
                pinn_tape_zero_grad(tp);
                t->multi_loss[(size_t)q * PINN_MAX_CHUNKS + (size_t)c] +=
                    fns[q](ctxs[q], first, n, xb, t->plan, out, pinn_tape_output_grad(tp), params, G);
                if (want_grad) pinn_tape_backward(tp, params, G);
            }
    }
}

void pinn_term_eval_multi(pinn_term *t, size_t n_points, const pinn_real *x, const pinn_real *params, int k,
                          pinn_block_loss_fn const *fns, void *const *ctxs, const double *weights, double *losses,
                          pinn_real *const *grads) {
    size_t nb = (n_points + (size_t)t->block - 1) / (size_t)t->block, np = t->n_params;
    int nc = nb < PINN_MAX_CHUNKS ? (int)nb : PINN_MAX_CHUNKS, want = grads != NULL;
    if (k > t->n_losses) k = t->n_losses; /* sized by pinn_term_set_losses */
    int c0, c1;
    rank_chunks(t, nc, &c0, &c1);
#ifdef _OPENMP
#pragma omp parallel for schedule(dynamic, 1) num_threads(t->n_tapes)
#endif
    for (int c = c0; c < c1; c++) {
        size_t b0 = nb * (size_t)c / (size_t)nc, b1 = nb * (size_t)(c + 1) / (size_t)nc;
        run_chunk_multi(t, c, b0, b1, n_points, x, params, k, fns, ctxs, weights, want);
    }
    for (int q = 0; q < k; q++) gather_chunks(t, t->multi_loss + (size_t)q * PINN_MAX_CHUNKS, sizeof(double));
    for (int q = 0; want && q < (weights ? 1 : k); q++)
        gather_chunks(t, t->multi_grad + (size_t)q * PINN_MAX_CHUNKS * np, sizeof(pinn_real) * np);
    for (int q = 0; q < k; q++) {
        losses[q] = 0;
        for (int c = 0; c < nc; c++) losses[q] += t->multi_loss[(size_t)q * PINN_MAX_CHUNKS + (size_t)c];
    }
    for (int q = 0; want && q < (weights ? 1 : k); q++) {
        pinn_real *g = grads[q];
        memset(g, 0, sizeof(pinn_real) * np);
        for (int c = 0; c < nc; c++) {
            const pinn_real *G = t->multi_grad + ((size_t)q * PINN_MAX_CHUNKS + (size_t)c) * np;
            for (size_t i = 0; i < np; i++) g[i] += G[i];
        }
    }
}

size_t pinn_term_bytes(const pinn_term *t) {
    if (!t) return 0;
    size_t b = sizeof *t + sizeof(pinn_real) * PINN_MAX_CHUNKS * t->n_params * (1 + (size_t)t->n_losses);
    for (int i = 0; i < t->n_tapes; i++) b += pinn_tape_bytes(t->tapes[i]) + sizeof(pinn_real) * (t->jet_tmp ? t->jet_size : 0);
    return b;
}
