/* ideas_ops.c - the jet ops of the ideas laboratory (pinnc/ideas.h, docs/ideas.md): the batch mean
 * (the one op in pinnc that couples the points of a block), vector quantisation with its
 * straight-through estimator, and a stop-gradient.  Builders, then forward and backward side by
 * side; the tape (tape.c) calls pinn_ideas_forward / pinn_ideas_backward for these ops. */
#include <math.h>
#include <string.h>

#include "jet/graph.h"
#include "pinnc/ideas.h"

static pinn_node ideas_node(pinn_op op, int w, int a) {
    pinn_node nd;
    memset(&nd, 0, sizeof nd);
    nd.op = op;
    nd.w = w;
    nd.a = a;
    nd.b = -1;
    nd.pw = nd.pb = -1;
    nd.ca = 1.0;
    return nd;
}

static int bad_node(const pinn_graph *g, int x) { return x < 0 || x >= g->n_nodes; }

/* Batch mean node over x (same width); depends on parameters when x does. */
int pinn_graph_batch_mean(pinn_graph *g, int x) {
    if (g->status != PINN_OK) return -1;
    if (bad_node(g, x)) return pinn_graph_fail(g, "graph: batch_mean: bad input node");
    pinn_node nd = ideas_node(PINN_OP_BATCH_MEAN, g->nodes[x].w, x);
    nd.needs_grad = g->nodes[x].needs_grad;
    return pinn_graph_push_node(g, &nd);
}

/* Stop-gradient node over x: never differentiated (needs_grad 0), so backward skips it. */
int pinn_graph_stop_grad(pinn_graph *g, int x) {
    if (g->status != PINN_OK) return -1;
    if (bad_node(g, x)) return pinn_graph_fail(g, "graph: stop_grad: bad input node");
    pinn_node nd = ideas_node(PINN_OP_STOP_GRAD, g->nodes[x].w, x);
    return pinn_graph_push_node(g, &nd);
}

/* VQ node over latent x with codebook slice C (K x D, D = width of x); mode 0 or 1 (see header). */
int pinn_graph_vq(pinn_graph *g, int x, int C, int mode) {
    if (g->status != PINN_OK) return -1;
    if (bad_node(g, x)) return pinn_graph_fail(g, "graph: vq: bad input node");
    if (C < 0 || C >= g->n_slices || g->slices[C].cols != g->nodes[x].w)
        return pinn_graph_fail(g, "graph: vq: the codebook slice must be K x (latent width)");
    if (mode != 0 && mode != 1) return pinn_graph_fail(g, "graph: vq: mode must be 0 or 1");
    pinn_node nd = ideas_node(PINN_OP_VQ, g->nodes[x].w, x);
    nd.pw = C;
    nd.j0 = mode;
    nd.needs_grad = mode == 1 ? 1 : g->nodes[x].needs_grad;
    return pinn_graph_push_node(g, &nd);
}

/* Auxiliary reals per point and column (VQ: the selected index, stored in column 0). */
size_t pinn_ideas_aux_per(const pinn_node *nd) { return nd->op == PINN_OP_VQ ? 1 : 0; }

/* The code index point p selected in the last forward pass (stored in the node's aux buffer). */
int pinn_tape_vq_index(const pinn_tape *t, int node, int p) {
    const pinn_real *aux = pinn_tape_node_aux(t, node);
    return aux ? (int)aux[p] : -1;
}

/* Index of the code with the largest cosine similarity to the latent row z (D entries). */
static int nearest_code(const pinn_real *C, int K, int D, const pinn_real *z) {
    int best = 0;
    double bs = -INFINITY;
    for (int k = 0; k < K; k++) {
        double dot = 0, nn = 0;
        for (int j = 0; j < D; j++) dot += (double)z[j] * C[(size_t)k * D + j], nn += (double)C[(size_t)k * D + j] * C[(size_t)k * D + j];
        double s = dot / sqrt(nn + 1e-30);
        if (s > bs) bs = s, best = k;
    }
    return best;
}

/* Forward of the ops of this file: x -> z over the pass's n points. */
void pinn_ideas_forward(const pinn_pass *ps, const pinn_graph *g, const pinn_node *nd, const pinn_real *P,
                        const pinn_jetbuf *x, pinn_jetbuf *z) {
    int n = ps->n, S = ps->S, w = nd->w;
    size_t zs = (size_t)n * w, tot = zs * (size_t)S;
    switch (nd->op) {
    case PINN_OP_BATCH_MEAN:
        for (int j = 0; j < w; j++) {
            double m = 0;
            for (int p = 0; p < n; p++) m += x->v[(size_t)p * w + j];
            for (int p = 0; p < n; p++) z->v[(size_t)p * w + j] = (pinn_real)(m / n);
        }
        for (size_t k = zs; k < tot; k++) z->v[k] = x->v[k] / (pinn_real)n;
        break;
    case PINN_OP_STOP_GRAD: memcpy(z->v, x->v, sizeof(pinn_real) * tot); break;
    case PINN_OP_VQ: {
        const pinn_slice *cs = &g->slices[nd->pw];
        const pinn_real *C = P + cs->off;
        for (int p = 0; p < n; p++) {
            int k = nearest_code(C, cs->rows, w, x->v + (size_t)p * w);
            z->aux[p] = (pinn_real)k;
            memcpy(z->v + (size_t)p * w, C + (size_t)k * w, sizeof(pinn_real) * (size_t)w);
        }
        if (nd->j0 == 0) memcpy(z->v + zs, x->v + zs, sizeof(pinn_real) * (tot - zs));
        else memset(z->v + zs, 0, sizeof(pinn_real) * (tot - zs));
        break;
    }
    default: break;
    }
}

/* Backward: accumulates into gx (x's adjoint, already claimed; NULL when x needs none) and G. */
void pinn_ideas_backward(const pinn_pass *ps, const pinn_graph *g, const pinn_node *nd, pinn_real *G, pinn_real *gx,
                         const pinn_jetbuf *z) {
    int n = ps->n, S = ps->S, w = nd->w;
    size_t zs = (size_t)n * w, tot = zs * (size_t)S;
    switch (nd->op) {
    case PINN_OP_BATCH_MEAN:
        if (!gx) break;
        for (int j = 0; j < w; j++) {
            double m = 0;
            for (int p = 0; p < n; p++) m += z->g[(size_t)p * w + j];
            for (int p = 0; p < n; p++) gx[(size_t)p * w + j] += (pinn_real)(m / n);
        }
        for (size_t k = zs; k < tot; k++) gx[k] += z->g[k] / (pinn_real)n;
        break;
    case PINN_OP_VQ:
        if (nd->j0 == 0) { /* straight-through: the identity on every stream */
            if (gx)
                for (size_t k = 0; k < tot; k++) gx[k] += z->g[k];
        } else {
            pinn_real *gC = G + g->slices[nd->pw].off;
            for (int p = 0; p < n; p++) {
                int k = (int)z->aux[p];
                for (int j = 0; j < w; j++) gC[(size_t)k * w + j] += z->g[(size_t)p * w + j];
            }
        }
        break;
    default: break;
    }
}
