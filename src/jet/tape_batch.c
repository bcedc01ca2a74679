/* tape_batch.c - lockstep passes over many tapes of one graph (the sub-network tapes of a
 * point-subset op, one per subdomain, each bound to its own points and parameters): node by
 * node over all tapes, where every dense layer's products of all tapes run as one batched call
 * (pinn_gemm_batch) and every other node runs tape by tape.  Each tape's arithmetic is that of
 * its own pass (pinn_tape_forward_jet, pinn_tape_backward) with the batch's kernel for the
 * products, so with the same kernel the results are bitwise the same; layers are never fused. */
#include <stdlib.h>

#include "core/gemm_batch.h"
#include "jet/tape_impl.h"

/* The pointer and length arrays of batches of up to nb products, allocated once. */
pinn_status pinn_tapes_ws_init(pinn_tapes_ws *ws, int nb, pinn_error *err) {
    size_t n = (size_t)(nb > 0 ? nb : 1);
    ws->cap = nb;
    ws->a = malloc(sizeof *ws->a * n);
    ws->b = malloc(sizeof *ws->b * n);
    ws->c = malloc(sizeof *ws->c * n);
    ws->len = malloc(sizeof *ws->len * n);
    ws->pick = malloc(sizeof *ws->pick * n);
    if (!ws->a || !ws->b || !ws->c || !ws->len || !ws->pick) {
        pinn_tapes_ws_free(ws);
        return pinn_error_set(err, PINN_ERR_NOMEM, "tape: out of memory");
    }
    return PINN_OK;
}

/* Frees the arrays (the struct itself is the caller's). */
void pinn_tapes_ws_free(pinn_tapes_ws *ws) {
    free(ws->a);
    free(ws->b);
    free(ws->c);
    free(ws->len);
    free(ws->pick);
    ws->a = ws->b = NULL;
    ws->c = NULL;
    ws->len = ws->pick = NULL;
    ws->cap = 0;
}

size_t pinn_tapes_ws_bytes(const pinn_tapes_ws *ws) {
    return (size_t)(ws->cap > 0 ? ws->cap : 1) * (3 * sizeof(void *) + 2 * sizeof(int));
}

/* The batch kernel of the tapes: their pinn_gemm_with kind (-1 and auto: the batch policy). */
static int batch_kind(const pinn_tape *t) { return t->gemm; }

/* Dense layer i, forward, over all nb tapes: y_b = x_b W_b^T in one batch, then per tape the
 * bias and the affine input's streams. */
static void affine_forward_batch(pinn_tape *const *ts, int nb, const pinn_real *const *P, pinn_tapes_ws *ws, int i) {
    const pinn_graph *g = ts[0]->g;
    const pinn_node *nd = &g->nodes[i];
    int xw = g->nodes[nd->a].w, w = nd->w, S = ts[0]->plan->S, xa = g->nodes[nd->a].affine;
    size_t off = g->slices[nd->pw].off;
    for (int b = 0; b < nb; b++) {
        ws->a[b] = ts[b]->buf[nd->a].v;
        ws->b[b] = P[b] + off;
        ws->c[b] = ts[b]->buf[i].v;
        ws->len[b] = xa ? ts[b]->n : S * ts[b]->n;
    }
    pinn_gemm_batch(batch_kind(ts[0]), 0, 1, nb, ws->len, w, xw, 1, ws->a, xw, ws->b, xw, 0, ws->c, w);
    for (int b = 0; b < nb; b++)
        pinn_tape_affine_forward_rest(ts[b], nd, P[b], ts[b]->buf[nd->a].v, xw, xa, ts[b]->buf[i].v);
}

void pinn_tapes_forward_jet(pinn_tape *const *ts, int nb, const pinn_real *const *P, pinn_tapes_ws *ws) {
    if (nb <= 0) return;
    const pinn_graph *g = ts[0]->g;
    for (int i = 1; i < g->n_nodes; i++) {
        if (g->nodes[i].op == PINN_OP_AFFINE && !(g->skip && g->skip[i])) {
            affine_forward_batch(ts, nb, P, ws, i);
            continue;
        }
        for (int b = 0; b < nb; b++) pinn_tape_node_forward(ts[b], P[b], NULL, i, 0);
    }
}

/* Dense layer i, backward, over the tapes whose adjoint of i is live: the input adjoints gy_b W_b
 * (one batch per value of "the input adjoint was empty", which sets beta), the weight gradients
 * gy_b^T x_b in one batch, then per tape the bias and the affine input's streams. */
static void affine_backward_batch(pinn_tape *const *ts, int nb, const pinn_real *const *P, pinn_real *const *G,
                                  pinn_tapes_ws *ws, int i) {
    const pinn_graph *g = ts[0]->g;
    const pinn_node *nd = &g->nodes[i];
    int xw = g->nodes[nd->a].w, w = nd->w, S = ts[0]->plan->S, xa = g->nodes[nd->a].affine;
    int kind = batch_kind(ts[0]), has_gx = g->nodes[nd->a].needs_grad;
    size_t off = g->slices[nd->pw].off;
    int m = 0;
    for (int b = 0; b < nb; b++) { /* pick: tape index; the claim's "empty" in the low bit */
        if (!ts[b]->live[i]) continue;
        int empty = has_gx ? pinn_tape_claim_grad(ts[b], nd->a, 1) : 0;
        ws->pick[m++] = 2 * b + empty;
    }
    for (int e = 0; has_gx && e < 2; e++) {
        int c = 0;
        for (int q = 0; q < m; q++) {
            if ((ws->pick[q] & 1) != e) continue;
            const pinn_tape *t = ts[ws->pick[q] >> 1];
            ws->a[c] = t->buf[i].g;
            ws->b[c] = P[ws->pick[q] >> 1] + off;
            ws->c[c] = t->buf[nd->a].g;
            ws->len[c++] = S * t->n;
        }
        if (c) pinn_gemm_batch(kind, 0, 0, c, ws->len, xw, w, 1, ws->a, w, ws->b, xw, e ? 0 : 1, ws->c, xw);
    }
    for (int q = 0; q < m; q++) {
        const pinn_tape *t = ts[ws->pick[q] >> 1];
        ws->a[q] = t->buf[i].g;
        ws->b[q] = t->buf[nd->a].v;
        ws->c[q] = G[ws->pick[q] >> 1] + off;
        ws->len[q] = xa ? t->n : S * t->n;
    }
    pinn_gemm_batch(kind, 1, 0, m, ws->len, xw, w, 1, ws->a, w, ws->b, xw, 1, ws->c, xw);
    for (int q = 0; q < m; q++) {
        int b = ws->pick[q] >> 1;
        pinn_tape_affine_backward_rest(ts[b], nd, G[b], ts[b]->buf[nd->a].v, xw, xa, ts[b]->buf[i].g);
    }
}

void pinn_tapes_backward(pinn_tape *const *ts, int nb, const pinn_real *const *P, pinn_real *const *G,
                         pinn_tapes_ws *ws) {
    if (nb <= 0) return;
    const pinn_graph *g = ts[0]->g;
    for (int i = g->n_nodes - 1; i > 0; i--) {
        const pinn_node *nd = &g->nodes[i];
        if (!nd->needs_grad || (g->skip && g->skip[i])) continue;
        if (nd->op == PINN_OP_AFFINE) {
            affine_backward_batch(ts, nb, P, G, ws, i);
            continue;
        }
        for (int b = 0; b < nb; b++) pinn_tape_node_backward(ts[b], P[b], G[b], i, 0);
    }
}
