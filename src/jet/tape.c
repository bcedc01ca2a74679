/* tape.c - a graph instantiated for one plan and block size: buffers sized and allocated once,
 * the forward pass in node order and the backward pass in reverse, each op's forward and backward
 * side by side.  Backward passes accumulate: into input adjoints and into the flat gradient.
 * Adjoints are zeroed lazily: zero_grad marks them empty, and the first op to write one either
 * stores (the matrix product, with beta = 0) or clears it first; an empty one is skipped.
 * Fused layers (pinn_tape_set_fused): a dense layer and its activation in one pass over
 * sub-blocks of points, bitwise equal to the two separate passes. */
#include <float.h>
#include <stdlib.h>
#include <string.h>

#include "core/blas.h"
#include "core/gemm_small.h"
#include "jet/graph.h"
#include "jet/tape_impl.h"
#include "jet/vmath.h"


/* The default of pinn_tape_set_fused: off unless PINN_FUSED is "1" (read once; measured slower
 * than the separate passes on the development host, see docs/engine.md). */
static int fused_default(void) {
    static _Atomic int mode = -1;
    int m = mode;
    if (m < 0) {
        const char *e = getenv("PINN_FUSED");
        m = e && e[0] == '1';
        mode = m;
    }
    return m;
}

/* The cache budget of a fused sub-block in bytes: PINN_FUSED_KB KiB, default 32 (read once). */
static size_t fused_budget(void) {
    static _Atomic long kb = -1;
    long k = kb;
    if (k < 0) {
        const char *e = getenv("PINN_FUSED_KB");
        k = e && atol(e) > 0 ? atol(e) : 32;
        kb = k;
    }
    return (size_t)k * 1024;
}

/* Allocates t->wt for the largest dense layer; returns 0 when out of memory. */
static int alloc_wt(pinn_tape *t) {
    size_t most = 1;
    for (int i = 0; i < t->g->n_nodes; i++) {
        const pinn_node *nd = &t->g->nodes[i];
        if (nd->op != PINN_OP_AFFINE) continue;
        size_t k = (size_t)nd->w * (size_t)t->g->nodes[nd->a].w;
        most = k > most ? k : most;
    }
    t->fused = fused_default();
    t->wt = malloc(sizeof(pinn_real) * most);
    t->bytes += sizeof(pinn_real) * most;
    return t->wt != NULL;
}

/* aux entries per point and column a node needs (UNARY: f^(0..K+1)). */
static size_t aux_per(const pinn_node *nd, const pinn_plan *plan) {
    return nd->op == PINN_OP_UNARY ? (size_t)(plan->order + 2) : pinn_ideas_aux_per(nd);
}

pinn_status pinn_tape_init(pinn_tape **out, const pinn_graph *g, const pinn_plan *plan, int nmax,
                           pinn_error *err) {
    *out = NULL;
    pinn_status st = pinn_graph_status(g, err);
    if (st != PINN_OK) return st;
    if (plan->d != g->d)
        return pinn_error_set(err, PINN_ERR_INVALID, "tape: plan has %d inputs, graph %d", plan->d, g->d);
    if (nmax < 1) return pinn_error_set(err, PINN_ERR_INVALID, "tape: block size %d < 1", nmax);
    pinn_tape *t = calloc(1, sizeof *t);
    if (!t) return pinn_error_set(err, PINN_ERR_NOMEM, "tape: out of memory");
    t->g = g;
    t->plan = plan;
    t->nmax = t->n = nmax;
    t->gemm = -1;
    t->buf = calloc((size_t)g->n_nodes, sizeof *t->buf);
    t->live = calloc((size_t)g->n_nodes, 1);
    t->ext = calloc((size_t)g->n_nodes, sizeof *t->ext);
    size_t total = 0, S = (size_t)plan->S;
    for (int i = 0; i < g->n_nodes; i++) {
        size_t per = (size_t)nmax * (size_t)g->nodes[i].w;
        total += 2 * S * per + aux_per(&g->nodes[i], plan) * per;
    }
    t->mem = malloc(sizeof(pinn_real) * (total ? total : 1));
    if (!t->buf || !t->live || !t->ext || !t->mem) {
        pinn_tape_free(t);
        return pinn_error_set(err, PINN_ERR_NOMEM, "tape: out of memory (%zu reals)", total);
    }
    t->bytes = sizeof(pinn_real) * total;
    size_t off = 0;
    for (int i = 0; i < g->n_nodes; i++) {
        size_t per = (size_t)nmax * (size_t)g->nodes[i].w;
        t->buf[i].v = t->mem + off;
        off += S * per;
        t->buf[i].g = t->mem + off;
        off += S * per;
        t->buf[i].aux = t->mem + off;
        off += aux_per(&g->nodes[i], plan) * per;
    }
    memset(t->mem, 0, t->bytes);
    if (!alloc_wt(t)) {
        pinn_tape_free(t);
        return pinn_error_set(err, PINN_ERR_NOMEM, "tape: out of memory");
    }
    for (int i = 0; i < g->n_nodes; i++) {
        if (g->nodes[i].op != PINN_OP_SUBNETS) continue;
        st = pinn_subnets_tape_init(&t->ext[i], g->subnets[g->nodes[i].sn], plan, nmax, err);
        if (st != PINN_OK) {
            pinn_tape_free(t);
            return st;
        }
        t->bytes += pinn_subnets_tape_bytes(t->ext[i]);
    }
    *out = t;
    return PINN_OK;
}

size_t pinn_tape_reals_per_point(const pinn_graph *g, const pinn_plan *plan) {
    size_t total = 0;
    for (int i = 0; i < g->n_nodes; i++)
        total += (2 * (size_t)plan->S + aux_per(&g->nodes[i], plan)) * (size_t)g->nodes[i].w;
    return total;
}

/* A tape whose buffers are laid out by pinn_tape_bind; no point-subset ops inside. */
pinn_status pinn_tape_init_view(pinn_tape **out, const pinn_graph *g, const pinn_plan *plan, pinn_error *err) {
    *out = NULL;
    pinn_status st = pinn_graph_status(g, err);
    if (st != PINN_OK) return st;
    if (g->n_subnets) return pinn_error_set(err, PINN_ERR_INVALID, "tape: point-subset ops do not nest");
    pinn_tape *t = calloc(1, sizeof *t);
    if (!t) return pinn_error_set(err, PINN_ERR_NOMEM, "tape: out of memory");
    t->g = g;
    t->plan = plan;
    t->view = 1;
    t->buf = calloc((size_t)g->n_nodes, sizeof *t->buf);
    t->live = calloc((size_t)g->n_nodes, 1);
    t->ext = calloc((size_t)g->n_nodes, sizeof *t->ext);
    if (!t->buf || !t->live || !t->ext) {
        pinn_tape_free(t);
        return pinn_error_set(err, PINN_ERR_NOMEM, "tape: out of memory");
    }
    t->bytes = sizeof *t + (sizeof *t->buf + 1 + sizeof *t->ext) * (size_t)g->n_nodes;
    if (!alloc_wt(t)) {
        pinn_tape_free(t);
        return pinn_error_set(err, PINN_ERR_NOMEM, "tape: out of memory");
    }
    *out = t;
    return PINN_OK;
}

/* Same layout as pinn_tape_init's, for n points starting at mem. */
void pinn_tape_bind(pinn_tape *t, pinn_real *mem, int n) {
    const pinn_graph *g = t->g;
    size_t off = 0, S = (size_t)t->plan->S;
    t->mem = mem;
    t->nmax = t->n = n;
    for (int i = 0; i < g->n_nodes; i++) {
        size_t per = (size_t)n * (size_t)g->nodes[i].w;
        t->buf[i].v = mem + off;
        off += S * per;
        t->buf[i].g = mem + off;
        off += S * per;
        t->buf[i].aux = mem + off;
        off += aux_per(&g->nodes[i], t->plan) * per;
    }
}

pinn_real *pinn_tape_input_jet(pinn_tape *t) { return t->buf[0].v; }

void pinn_tape_free(pinn_tape *t) {
    if (!t) return;
    if (t->ext)
        for (int i = 0; i < t->g->n_nodes; i++) pinn_subnets_tape_free(t->ext[i]);
    free(t->ext);
    free(t->gk);
    free(t->wt);
    if (!t->view) free(t->mem);
    free(t->buf);
    free(t->live);
    free(t);
}

size_t pinn_tape_bytes(const pinn_tape *t) { return t->bytes; }
void pinn_tape_set_general(pinn_tape *t, int general) { t->general = general; }
void pinn_tape_set_fused(pinn_tape *t, int fused) { t->fused = fused != 0; }
void pinn_tape_set_gemm(pinn_tape *t, int kind) {
    t->gemm = kind;
    free(t->gk);
    t->gk = NULL;
    for (int i = 0; t->ext && i < t->g->n_nodes; i++) /* the sub-networks of point-subset ops too */
        if (t->ext[i]) pinn_subnets_tape_set_gemm(t->ext[i], kind);
}

/* Lockstep or group-by-group sub-network passes in every point-subset op of t. */
void pinn_tape_set_subnets_batch(pinn_tape *t, int on) {
    for (int i = 0; t->ext && i < t->g->n_nodes; i++)
        if (t->ext[i]) pinn_subnets_tape_set_batch(t->ext[i], on);
}

/* Asks fn for the kernel of each product the affine nodes issue on a full block (the shapes of
 * affine_forward and affine_backward) and keeps the answers per node; partial blocks use the same
 * kernels.  Returns PINN_ERR_NOMEM, else PINN_OK. */
pinn_status pinn_tape_choose_gemm(pinn_tape *t, pinn_gemm_chooser fn, void *ctx, pinn_error *err) {
    const pinn_graph *g = t->g;
    if (!t->gk && !(t->gk = malloc((size_t)g->n_nodes * 3)))
        return pinn_error_set(err, PINN_ERR_NOMEM, "tape: out of memory");
    int n = t->nmax, S = t->plan->S;
    for (int i = 0; i < g->n_nodes; i++) {
        const pinn_node *nd = &g->nodes[i];
        signed char *k = t->gk + 3 * (size_t)i;
        k[0] = k[1] = k[2] = (signed char)t->gemm;
        if (nd->op != PINN_OP_AFFINE) continue;
        int xw = g->nodes[nd->a].w, w = nd->w, rows = g->nodes[nd->a].affine ? n : S * n;
        k[0] = (signed char)fn(ctx, 0, 1, rows, w, xw);
        k[1] = (signed char)fn(ctx, 0, 0, S * n, xw, w);
        k[2] = (signed char)fn(ctx, 1, 0, w, xw, rows);
    }
    return PINN_OK;
}

/* The kernel of product q (0 forward, 1 input adjoint, 2 weight gradient) of node nd. */
static int gemm_kind(const pinn_tape *t, const pinn_node *nd, int q) {
    return t->gk ? t->gk[3 * (size_t)(nd - t->g->nodes) + (size_t)q] : t->gemm;
}
const pinn_real *pinn_tape_output(const pinn_tape *t) { return t->buf[t->g->output].v; }
pinn_real *pinn_tape_output_grad(pinn_tape *t) { return t->buf[t->g->output].g; }
const pinn_real *pinn_tape_node_value(const pinn_tape *t, int node) { return t->buf[node].v; }
const pinn_real *pinn_tape_node_aux(const pinn_tape *t, int node) { return t->buf[node].aux; }

/* Floating-point operations of the matrix products for one point of a forward pass (and, with
 * backward, of the backward pass too), counted exactly as affine_forward/affine_backward issue them:
 * 2 flops per multiply-add.  Elementwise work is not counted, so rates derived from this are
 * conservative.  Used by the benchmarks to report GFLOP/s. */
double pinn_graph_gemm_flops(const pinn_graph *g, const pinn_plan *plan, int backward) {
    double f = 0, S = (double)plan->S;
    for (int i = 0; i < g->n_nodes; i++) {
        const pinn_node *nd = &g->nodes[i];
        if (nd->op != PINN_OP_AFFINE || (g->skip && g->skip[i])) continue;
        const pinn_node *a = &g->nodes[nd->a];
        double mk = 2.0 * nd->w * a->w, rows = a->affine ? 1.0 : S;
        f += rows * mk;
        if (!backward || !nd->needs_grad) continue;
        if (a->needs_grad) f += S * mk;
        f += rows * mk;
    }
    return f;
}

/* Node a's adjoint, about to be accumulated into (see tape_impl.h). */
int pinn_tape_claim_grad(pinn_tape *t, int a, int store) {
    if (a < 0 || t->live[a]) return 0;
    if (!store)
        memset(t->buf[a].g, 0, sizeof(pinn_real) * (size_t)t->plan->S * (size_t)t->n * (size_t)t->g->nodes[a].w);
    t->live[a] = 1;
    return 1;
}

/* Starts a backward pass: the output's adjoint is zeroed (the loss accumulates into it), every
 * other adjoint is marked empty and cleared when first written (see claim_grad). */
void pinn_tape_zero_grad(pinn_tape *t) {
    memset(t->live, 0, (size_t)t->g->n_nodes);
    pinn_tape_claim_grad(t, t->g->output, 0);
}

/* ------------------------------------------------------------------ affine: y = x W^T + b */

/* y[p][j] += b[j] over n rows of width w. */
PINN_SIMD_CLONES static void add_rows(int n, int w, const pinn_real *restrict b, pinn_real *restrict y) {
    for (int p = 0; p < n; p++)
        for (int j = 0; j < w; j++) y[(size_t)p * w + j] += b[j];
}

/* gb[j] += sum_p gy[p][j] over n rows of width w. */
PINN_SIMD_CLONES static void sum_rows(int n, int w, const pinn_real *restrict gy, pinn_real *restrict gb) {
    for (int p = 0; p < n; p++)
        for (int j = 0; j < w; j++) gb[j] += gy[(size_t)p * w + j];
}

static void affine_forward(const pinn_tape *t, const pinn_node *nd, const pinn_real *P, const pinn_real *x,
                           int xw, int x_affine, pinn_real *y) {
    const pinn_real *W = P + t->g->slices[nd->pw].off;
    int n = t->n, w = nd->w, S = t->plan->S;
    /* value stream (and, for general inputs, every stream) in one product */
    int rows = x_affine ? n : S * n;
    pinn_gemm_with(gemm_kind(t, nd, 0), 0, 1, rows, w, xw, 1, x, xw, W, xw, 0, y, w);
    pinn_tape_affine_forward_rest(t, nd, P, x, xw, x_affine, y);
}

/* Bias and affine-input derivative streams of a dense layer (see tape_impl.h). */
void pinn_tape_affine_forward_rest(const pinn_tape *t, const pinn_node *nd, const pinn_real *P, const pinn_real *x,
                                   int xw, int x_affine, pinn_real *y) {
    const pinn_plan *pl = t->plan;
    const pinn_real *W = P + t->g->slices[nd->pw].off;
    int n = t->n, w = nd->w, S = pl->S;
    size_t xs = (size_t)n * (size_t)xw, ys = (size_t)n * (size_t)w;
    if (nd->pb >= 0) {
        add_rows(n, w, P + t->g->slices[nd->pb].off, y);
    }
    if (!x_affine) return;
    /* affine input: order-1 streams are one constant row (W times it), order >= 2 vanish */
    for (int s = 1; s < S; s++) {
        pinn_real *ys_ = y + (size_t)s * ys;
        if (pl->ord[s] != 1) {
            memset(ys_, 0, sizeof(pinn_real) * ys);
            continue;
        }
        const pinn_real *row = x + (size_t)s * xs;
        for (int j = 0; j < w; j++) {
            pinn_real acc = 0;
            for (int k = 0; k < xw; k++) acc += W[(size_t)j * xw + k] * row[k];
            ys_[j] = acc;
        }
        for (int p = 1; p < n; p++) memcpy(ys_ + (size_t)p * w, ys_, sizeof(pinn_real) * (size_t)w);
    }
}

static void affine_backward(const pinn_tape *t, const pinn_node *nd, const pinn_real *P, pinn_real *G,
                            const pinn_real *x, pinn_real *gx, int gx_empty, int xw, int x_affine,
                            const pinn_real *gy) {
    const pinn_slice *ws = &t->g->slices[nd->pw];
    const pinn_real *W = P + ws->off;
    pinn_real *gW = G + ws->off;
    int n = t->n, w = nd->w, S = t->plan->S;
    if (gx) pinn_gemm_with(gemm_kind(t, nd, 1), 0, 0, S * n, xw, w, 1, gy, w, W, xw, gx_empty ? 0 : 1, gx, xw);
    int rows = x_affine ? n : S * n;
    pinn_gemm_with(gemm_kind(t, nd, 2), 1, 0, w, xw, rows, 1, gy, w, x, xw, 1, gW, xw);
    pinn_tape_affine_backward_rest(t, nd, G, x, xw, x_affine, gy);
}

/* Bias gradient and affine-input derivative streams of a dense layer (see tape_impl.h). */
void pinn_tape_affine_backward_rest(const pinn_tape *t, const pinn_node *nd, pinn_real *G, const pinn_real *x, int xw,
                                    int x_affine, const pinn_real *gy) {
    const pinn_plan *pl = t->plan;
    pinn_real *gW = G + t->g->slices[nd->pw].off;
    int n = t->n, w = nd->w, S = pl->S;
    size_t xs = (size_t)n * (size_t)xw, ys = (size_t)n * (size_t)w;
    if (nd->pb >= 0) {
        sum_rows(n, w, gy, G + t->g->slices[nd->pb].off);
    }
    if (!x_affine) return;
    for (int s = 1; s < S; s++) {
        if (pl->ord[s] != 1) continue;
        const pinn_real *row = x + (size_t)s * xs, *g = gy + (size_t)s * ys;
        for (int j = 0; j < w; j++) {
            pinn_real acc = 0;
            for (int p = 0; p < n; p++) acc += g[(size_t)p * w + j];
            for (int k = 0; k < xw; k++) gW[(size_t)j * xw + k] += acc * row[k];
        }
    }
}

/* ------------------------------------------------------------------ fused layers */

/* Points per sub-block of a fused layer over n points: about 32 KiB (fused_budget) of the layer's jets (input,
 * pre-activation, activation, f^(k)), a multiple of 8 (the register tile), at least 8. */
static int fused_points(const pinn_tape *t, int xw, int w) {
    size_t S = (size_t)t->plan->S, per = sizeof(pinn_real) * (S * (size_t)xw + (2 * S + (size_t)t->plan->order + 2) * (size_t)w);
    size_t pb = (fused_budget() / per) / 8 * 8;
    if (pb < 8) pb = 8;
    return pb < (size_t)t->n ? (int)pb : t->n;
}

/* Whether node i (a dense layer) and node i + 1 (its activation) run fused: a hidden layer
 * (input not affine in the coordinates), neither skipped, ranged unary kernels, and the row
 * product of this pass direction (q = 0 forward x W^T, q = 1 backward gy W) on the small kernel,
 * so that the grouped products equal the whole-block ones bitwise. */
static int fusable(const pinn_tape *t, const pinn_pass *ps, int i, int q) {
    const pinn_graph *g = t->g;
    if (!t->fused || i < 1 || i + 1 >= g->n_nodes) return 0;
    const pinn_node *nd = &g->nodes[i], *u = &g->nodes[i + 1];
    if (nd->op != PINN_OP_AFFINE || u->op != PINN_OP_UNARY || u->a != i || g->nodes[nd->a].affine) return 0;
    if (g->skip && (g->skip[i] || g->skip[i + 1])) return 0;
    if (!pinn_unary_has_range(ps)) return 0;
    int xw = g->nodes[nd->a].w, w = nd->w, M = t->plan->S * t->nmax;
    return q == 0 ? pinn_gemm_uses_small(gemm_kind(t, nd, 0), 0, 1, M, w, xw)
                  : pinn_gemm_uses_small(gemm_kind(t, nd, 1), 0, 0, M, xw, w);
}

/* The dense layers whose forward pass would run fused now on a full block (tests). */
int pinn_tape_fused_count(const pinn_tape *t) {
    pinn_pass ps = {t->plan, t->plan->S, t->nmax, t->general};
    int c = 0;
    for (int i = 1; i < t->g->n_nodes; i++) c += fusable(t, &ps, i, 0);
    return c;
}

/* Forward of dense layer i and activation i + 1, sub-block by sub-block: the S row groups of
 * the product (x W^T through W^T copied once, read in place), the bias, then the activation jets
 * of the same points while they are in cache. */
static void fused_forward(pinn_tape *t, const pinn_pass *ps, int i, const pinn_real *P) {
    const pinn_graph *g = t->g;
    const pinn_node *nd = &g->nodes[i], *u = &g->nodes[i + 1];
    int n = t->n, w = nd->w, xw = g->nodes[nd->a].w, S = t->plan->S, pb = fused_points(t, xw, w);
    const pinn_real *W = P + g->slices[nd->pw].off, *b = nd->pb >= 0 ? P + g->slices[nd->pb].off : NULL;
    for (int k = 0; k < xw; k++)
        for (int j = 0; j < w; j++) t->wt[(size_t)k * w + j] = W[(size_t)j * xw + k];
    const pinn_real *x = t->buf[nd->a].v;
    pinn_real *y = t->buf[i].v;
    for (int p0 = 0; p0 < n; p0 += pb) {
        int m = n - p0 < pb ? n - p0 : pb;
        pinn_gemm_small_groups(0, S, m, w, xw, 1, x + (size_t)p0 * xw, xw, (size_t)n * xw, t->wt, w, 0,
                               y + (size_t)p0 * w, w, (size_t)n * w);
        if (b) add_rows(m, w, b, y + (size_t)p0 * w);
        pinn_unary_forward_range(ps, u, 0, &t->buf[i], &t->buf[i + 1], (size_t)p0 * w, (size_t)m * w);
    }
}

/* Backward of activation i + 1 and dense layer i, sub-block by sub-block: the activation's
 * adjoint into layer i's, the bias gradient and the input adjoint gy W of the same points; then
 * the weight gradient over the whole block (the same product as unfused). */
static void fused_backward(pinn_tape *t, const pinn_pass *ps, int i, const pinn_real *P, pinn_real *G, int gy_empty,
                           int gx_empty) {
    const pinn_graph *g = t->g;
    const pinn_node *nd = &g->nodes[i], *u = &g->nodes[i + 1];
    int n = t->n, w = nd->w, xw = g->nodes[nd->a].w, S = t->plan->S, pb = fused_points(t, xw, w);
    const pinn_real *W = P + g->slices[nd->pw].off;
    pinn_real *gb = nd->pb >= 0 ? G + g->slices[nd->pb].off : NULL;
    const pinn_real *x = t->buf[nd->a].v;
    pinn_real *gx = t->buf[nd->a].g, *gy = t->buf[i].g;
    for (int p0 = 0; p0 < n; p0 += pb) {
        int m = n - p0 < pb ? n - p0 : pb;
        pinn_unary_backward_range(ps, u, 0, gy_empty, &t->buf[i], &t->buf[i + 1], (size_t)p0 * w, (size_t)m * w);
        if (gb) sum_rows(m, w, gy + (size_t)p0 * w, gb);
        pinn_gemm_small_groups(0, S, m, xw, w, 1, gy + (size_t)p0 * w, w, (size_t)n * w, W, xw, gx_empty ? 0 : 1,
                               gx + (size_t)p0 * xw, xw, (size_t)n * xw);
    }
    pinn_gemm_with(gemm_kind(t, nd, 2), 1, 0, w, xw, S * n, 1, gy, w, x, xw, 1, G + g->slices[nd->pw].off, xw);
}

/* ------------------------------------------------------------------ products (Leibniz) */

static void mul_forward(const pinn_plan *pl, int n, int w, const pinn_real *a, int wa, const pinn_real *b,
                        int wb, pinn_real *z) {
    size_t zs = (size_t)n * w, as = (size_t)n * wa, bs = (size_t)n * wb;
    int sa = wa == 1 ? 0 : 1, sb = wb == 1 ? 0 : 1;
    memset(z, 0, sizeof(pinn_real) * zs * (size_t)pl->S);
    for (int s = 0; s < pl->S; s++)
        for (int t = pl->leib_start[s]; t < pl->leib_start[s + 1]; t++) {
            const pinn_leib_term *lt = &pl->leib[t];
            const pinn_real *A = a + (size_t)lt->ia * as, *B = b + (size_t)lt->ib * bs;
            pinn_real c = (pinn_real)lt->coef, *Z = z + (size_t)s * zs;
            for (int p = 0; p < n; p++)
                for (int j = 0; j < w; j++)
                    Z[(size_t)p * w + j] += c * A[(size_t)p * wa + j * sa] * B[(size_t)p * wb + j * sb];
        }
}

static void mul_backward(const pinn_plan *pl, int n, int w, const pinn_real *a, pinn_real *ga, int wa,
                         const pinn_real *b, pinn_real *gb, int wb, const pinn_real *gz) {
    size_t zs = (size_t)n * w, as = (size_t)n * wa, bs = (size_t)n * wb;
    int sa = wa == 1 ? 0 : 1, sb = wb == 1 ? 0 : 1;
    for (int s = 0; s < pl->S; s++)
        for (int t = pl->leib_start[s]; t < pl->leib_start[s + 1]; t++) {
            const pinn_leib_term *lt = &pl->leib[t];
            size_t oa = (size_t)lt->ia * as, ob = (size_t)lt->ib * bs;
            pinn_real c = (pinn_real)lt->coef;
            const pinn_real *Z = gz + (size_t)s * zs;
            for (int p = 0; p < n; p++)
                for (int j = 0; j < w; j++) {
                    pinn_real gzc = c * Z[(size_t)p * w + j];
                    size_t ia = oa + (size_t)p * wa + (size_t)(j * sa), ib = ob + (size_t)p * wb + (size_t)(j * sb);
                    if (ga) ga[ia] += gzc * b[ib];
                    if (gb) gb[ib] += gzc * a[ia];
                }
        }
}

/* ------------------------------------------------------------------ the passes */

static void input_forward(const pinn_tape *t, const pinn_real *x, pinn_real *v) {
    const pinn_plan *pl = t->plan;
    int n = t->n, d = pl->d;
    size_t st = (size_t)n * d;
    memcpy(v, x, sizeof(pinn_real) * st);
    memset(v + st, 0, sizeof(pinn_real) * st * (size_t)(pl->S - 1));
    for (int i = 0; i < d; i++) {
        int s = pl->first[i];
        if (s < 0) continue;
        for (int p = 0; p < n; p++) v[(size_t)s * st + (size_t)p * d + i] = 1;
    }
}

/* Node i's forward step over t->n points (see tape_impl.h). */
int pinn_tape_node_forward(pinn_tape *t, const pinn_real *P, const pinn_real *x, int i, int fuse) {
    const pinn_graph *g = t->g;
    const pinn_plan *pl = t->plan;
    int S = pl->S, n = t->n;
    pinn_pass ps = {pl, S, n, t->general};
    {
        const pinn_node *nd = &g->nodes[i];
        pinn_jetbuf *z = &t->buf[i];
        const pinn_jetbuf *A = nd->a >= 0 ? &t->buf[nd->a] : NULL, *B = nd->b >= 0 ? &t->buf[nd->b] : NULL;
        int w = nd->w, wa = nd->a >= 0 ? g->nodes[nd->a].w : 0, wb = nd->b >= 0 ? g->nodes[nd->b].w : 0;
        size_t zs = (size_t)n * w, tot = zs * (size_t)S;
        if (g->skip && g->skip[i]) { /* a pruned part: no work; zeros where a live node reads it */
            if (g->skip[i] == 2) memset(z->v, 0, sizeof(pinn_real) * tot);
            return i;
        }
        switch (nd->op) {
        case PINN_OP_INPUT: input_forward(t, x, z->v); break;
        case PINN_OP_AFFINE:
            if (fuse && fusable(t, &ps, i, 0)) {
                fused_forward(t, &ps, i, P);
                i++; /* the activation is done */
                break;
            }
            affine_forward(t, nd, P, A->v, wa, g->nodes[nd->a].affine, z->v);
            break;
        case PINN_OP_COLAFFINE: {
            const double *sc = g->consts + nd->cst, *sh = sc + w;
            for (size_t r = 0; r < (size_t)S * n; r++)
                for (int j = 0; j < w; j++)
                    z->v[r * w + j] = (pinn_real)sc[j] * A->v[r * w + j] + (r < (size_t)n ? (pinn_real)sh[j] : 0);
            break;
        }
        case PINN_OP_SCALE_SHIFT:
            for (size_t k = 0; k < tot; k++) z->v[k] = (pinn_real)nd->ca * A->v[k];
            for (size_t k = 0; k < zs; k++) z->v[k] += (pinn_real)nd->cb;
            break;
        case PINN_OP_UNARY: pinn_unary_forward(&ps, nd, g->nodes[nd->a].affine, A, z); break;
        case PINN_OP_ADD: {
            int sa = wa == 1 ? 0 : 1, sb = wb == 1 ? 0 : 1;
            for (size_t r = 0; r < (size_t)S * n; r++)
                for (int j = 0; j < w; j++)
                    z->v[r * w + j] = (pinn_real)nd->ca * A->v[r * wa + j * sa] + (pinn_real)nd->cb * B->v[r * wb + j * sb];
            break;
        }
        case PINN_OP_MUL: mul_forward(pl, n, w, A->v, wa, B->v, wb, z->v); break;
        case PINN_OP_SUM:
            for (size_t r = 0; r < (size_t)S * n; r++) {
                pinn_real acc = 0;
                for (int j = 0; j < wa; j++) acc += A->v[r * wa + j];
                z->v[r] = acc;
            }
            break;
        case PINN_OP_CENTER:
            memcpy(z->v, A->v, sizeof(pinn_real) * tot);
            for (int p = 0; p < n; p++) {
                pinn_real m = -DBL_MAX;
                for (int j = 0; j < w; j++) m = A->v[(size_t)p * w + j] > m ? A->v[(size_t)p * w + j] : m;
                for (int j = 0; j < w; j++) z->v[(size_t)p * w + j] -= m;
            }
            break;
        case PINN_OP_SLICE:
            for (size_t r = 0; r < (size_t)S * n; r++)
                memcpy(z->v + r * w, A->v + r * wa + nd->j0, sizeof(pinn_real) * (size_t)w);
            break;
        case PINN_OP_CONCAT:
            for (size_t r = 0; r < (size_t)S * n; r++) {
                memcpy(z->v + r * w, A->v + r * wa, sizeof(pinn_real) * (size_t)wa);
                memcpy(z->v + r * w + wa, B->v + r * wb, sizeof(pinn_real) * (size_t)wb);
            }
            break;
        case PINN_OP_SUBNETS: pinn_subnets_forward(t->ext[i], &ps, P, A->v, z->v); break;
        case PINN_OP_BATCH_MEAN:
        case PINN_OP_STOP_GRAD:
        case PINN_OP_VQ: pinn_ideas_forward(&ps, g, nd, P, A, z); break;
        case PINN_OP_MIX: {
            const pinn_real *u[PINN_MIX_MAX];
            for (int e = 0; e < nd->nx; e++) {
                int k = g->ints[nd->ix + e];
                u[e] = g->skip && g->skip[k] ? NULL : t->buf[k].v;
            }
            pinn_mix_forward(&ps, nd, A->v, u, z->v);
            break;
        }
        case PINN_OP_COUNT: break;
        }
    }
    return i;
}

/* Nodes from `first` on, over t->n points (node 0 builds the input jet from x). */
static void run_forward(pinn_tape *t, const pinn_real *P, const pinn_real *x, int first) {
    for (int i = first; i < t->g->n_nodes; i++) i = pinn_tape_node_forward(t, P, x, i, 1);
}

void pinn_tape_forward(pinn_tape *t, const pinn_real *P, const pinn_real *x, int n) {
    t->n = n < t->nmax ? n : t->nmax;
    run_forward(t, P, x, 0);
}

void pinn_tape_forward_jet(pinn_tape *t, const pinn_real *P) { run_forward(t, P, NULL, 1); }

/* Whether columns [j0, j0 + cw) of the rows x w buffer gz are all zero. */
static int cols_zero(const pinn_real *gz, size_t rows, int w, int j0, int cw) {
    for (size_t r = 0; r < rows; r++)
        for (int j = 0; j < cw; j++)
            if (gz[r * (size_t)w + (size_t)(j0 + j)] != 0) return 0;
    return 1;
}

/* Backward of MIX node nd: claims the adjoints of the weights (glam, NULL without gradient) and of
 * every live mixed node that needs one, then accumulates into them (mix.c). */
static void mix_backward(pinn_tape *t, const pinn_pass *ps, const pinn_node *nd, pinn_real *glam) {
    const pinn_graph *g = t->g;
    const pinn_real *u[PINN_MIX_MAX];
    pinn_real *gu[PINN_MIX_MAX];
    if (glam) pinn_tape_claim_grad(t, nd->a, 0);
    for (int e = 0; e < nd->nx; e++) {
        int k = g->ints[nd->ix + e];
        int live = !(g->skip && g->skip[k]);
        u[e] = live ? t->buf[k].v : NULL;
        gu[e] = live && g->nodes[k].needs_grad ? t->buf[k].g : NULL;
        if (gu[e]) pinn_tape_claim_grad(t, k, 0);
    }
    pinn_mix_backward(ps, nd, t->buf[nd->a].v, glam, u, gu, t->buf[nd - g->nodes].g);
}

/* Node i's backward step (see tape_impl.h). */
int pinn_tape_node_backward(pinn_tape *t, const pinn_real *P, pinn_real *G, int i, int fuse) {
    const pinn_graph *g = t->g;
    const pinn_plan *pl = t->plan;
    int S = pl->S, n = t->n;
    pinn_pass ps = {pl, S, n, t->general};
    {
        const pinn_node *nd = &g->nodes[i];
        if (!nd->needs_grad || !t->live[i] || (g->skip && g->skip[i])) return i; /* an empty adjoint contributes nothing */
        const pinn_jetbuf *z = &t->buf[i];
        pinn_jetbuf *A = nd->a >= 0 ? &t->buf[nd->a] : NULL, *B = nd->b >= 0 ? &t->buf[nd->b] : NULL;
        int w = nd->w, wa = A ? g->nodes[nd->a].w : 0, wb = B ? g->nodes[nd->b].w : 0;
        pinn_real *ga = A && g->nodes[nd->a].needs_grad ? A->g : NULL;
        pinn_real *gb = B && g->nodes[nd->b].needs_grad ? B->g : NULL;
        if (fuse && nd->op == PINN_OP_UNARY && ga && nd->a == i - 1 && g->nodes[i - 1].needs_grad &&
            g->nodes[g->nodes[i - 1].a].needs_grad && fusable(t, &ps, i - 1, 1)) {
            int gy_empty = pinn_tape_claim_grad(t, i - 1, 1), gx_empty = pinn_tape_claim_grad(t, g->nodes[i - 1].a, 1);
            fused_backward(t, &ps, i - 1, P, G, gy_empty, gx_empty);
            return i - 1; /* the dense layer is done */
        }
        if (nd->op == PINN_OP_MIX) {
            mix_backward(t, &ps, nd, ga);
            return i;
        }
        if (nd->op == PINN_OP_CONCAT) { /* a side whose adjoint is all zero (a loss reading only the other) stays empty */
            if (ga && cols_zero(z->g, (size_t)S * n, w, 0, wa)) ga = NULL;
            if (gb && cols_zero(z->g, (size_t)S * n, w, wa, wb)) gb = NULL;
        }
        int ga_empty = ga ? pinn_tape_claim_grad(t, nd->a, nd->op == PINN_OP_AFFINE || nd->op == PINN_OP_UNARY) : 0;
        if (gb) pinn_tape_claim_grad(t, nd->b, 0);
        size_t zs = (size_t)n * w, tot = zs * (size_t)S;
        switch (nd->op) {
        case PINN_OP_INPUT: break;
        case PINN_OP_AFFINE: affine_backward(t, nd, P, G, A->v, ga, ga_empty, wa, g->nodes[nd->a].affine, z->g); break;
        case PINN_OP_COLAFFINE:
            if (ga) {
                const double *sc = g->consts + nd->cst;
                for (size_t r = 0; r < (size_t)S * n; r++)
                    for (int j = 0; j < w; j++) ga[r * w + j] += (pinn_real)sc[j] * z->g[r * w + j];
            }
            break;
        case PINN_OP_SCALE_SHIFT:
            if (ga)
                for (size_t k = 0; k < tot; k++) ga[k] += (pinn_real)nd->ca * z->g[k];
            break;
        case PINN_OP_UNARY:
            if (ga) pinn_unary_backward(&ps, nd, g->nodes[nd->a].affine, ga_empty, A, z);
            break;
        case PINN_OP_ADD: {
            int sa = wa == 1 ? 0 : 1, sb = wb == 1 ? 0 : 1;
            for (size_t r = 0; r < (size_t)S * n; r++)
                for (int j = 0; j < w; j++) {
                    pinn_real gz = z->g[r * w + j];
                    if (ga) ga[r * wa + j * sa] += (pinn_real)nd->ca * gz;
                    if (gb) gb[r * wb + j * sb] += (pinn_real)nd->cb * gz;
                }
            break;
        }
        case PINN_OP_MUL: mul_backward(pl, n, w, A->v, ga, wa, B->v, gb, wb, z->g); break;
        case PINN_OP_SUM:
            if (ga)
                for (size_t r = 0; r < (size_t)S * n; r++)
                    for (int j = 0; j < wa; j++) ga[r * wa + j] += z->g[r];
            break;
        case PINN_OP_CENTER: /* the shift cancels in the softmax it feeds: pass the adjoint through */
            if (ga)
                for (size_t k = 0; k < tot; k++) ga[k] += z->g[k];
            break;
        case PINN_OP_SLICE:
            if (ga)
                for (size_t r = 0; r < (size_t)S * n; r++)
                    for (int j = 0; j < w; j++) ga[r * wa + nd->j0 + j] += z->g[r * w + j];
            break;
        case PINN_OP_CONCAT:
            for (size_t r = 0; r < (size_t)S * n; r++) {
                if (ga)
                    for (int j = 0; j < wa; j++) ga[r * wa + j] += z->g[r * w + j];
                if (gb)
                    for (int j = 0; j < wb; j++) gb[r * wb + j] += z->g[r * w + wa + j];
            }
            break;
        case PINN_OP_SUBNETS: pinn_subnets_backward(t->ext[i], &ps, P, G, z->g); break;
        case PINN_OP_BATCH_MEAN:
        case PINN_OP_STOP_GRAD:
        case PINN_OP_VQ: pinn_ideas_backward(&ps, g, nd, G, ga, z); break;
        case PINN_OP_MIX:
        case PINN_OP_COUNT: break;
        }
    }
    return i;
}

void pinn_tape_backward(pinn_tape *t, const pinn_real *P, pinn_real *G) {
    for (int i = t->g->n_nodes - 1; i > 0; i--) i = pinn_tape_node_backward(t, P, G, i, 1);
}
