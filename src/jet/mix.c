/* mix.c - the fused mixture node y = sum_e lam[:, e] * u_e (a gated mixture of experts): its
 * builder and its forward and backward kernels over every jet stream at once.  For stream s the
 * Leibniz rule gives d^s y = sum_e sum_{b <= s} C(s, b) d^b lam_e d^{s-b} u_e; one node walks the
 * plan's Leibniz table for all experts in one pass over the memory, where the composed mixture
 * needs a column slice, a product and a sum per expert (each a pass of its own with its own
 * buffers and adjoints).  The arithmetic of each term is the product node's (c * a) * b, and the
 * backward pass accumulates as every op does. */
#include <stdlib.h>
#include <string.h>

#include "jet/graph.h"

/* Appends the node list u[0..n) to g->ints; returns its offset, or -1 when out of memory. */
static int push_ints(pinn_graph *g, int n, const int *u) {
    if (g->n_ints + n > g->cap_ints) {
        int cap = 2 * (g->cap_ints + n);
        int *ni = realloc(g->ints, sizeof *ni * (size_t)cap);
        if (!ni) return -1;
        g->ints = ni;
        g->cap_ints = cap;
    }
    memcpy(g->ints + g->n_ints, u, sizeof *u * (size_t)n);
    g->n_ints += n;
    return g->n_ints - n;
}

/* The builder (include/pinnc/jet.h): checks lam's width against n and the u[]'s widths against
 * each other; returns the node id or -1 with the graph's error set. */
int pinn_graph_mix(pinn_graph *g, int lam, int n, const int *u) {
    if (g->status != PINN_OK) return -1;
    if (lam < 0 || lam >= g->n_nodes) return pinn_graph_fail(g, "graph: mix: bad weight node");
    if (n < 1 || n > PINN_MIX_MAX || g->nodes[lam].w != n)
        return pinn_graph_fail(g, "graph: mix: the weights' width must equal the number of mixed nodes (1..64)");
    int grad = g->nodes[lam].needs_grad;
    for (int e = 0; e < n; e++) {
        if (u[e] < 0 || u[e] >= g->n_nodes || u[e] == lam) return pinn_graph_fail(g, "graph: mix: bad mixed node");
        if (g->nodes[u[e]].w != g->nodes[u[0]].w) return pinn_graph_fail(g, "graph: mix: the mixed nodes differ in width");
        grad |= g->nodes[u[e]].needs_grad;
    }
    int ix = push_ints(g, n, u);
    if (ix < 0) return pinn_graph_fail(g, "graph: out of memory");
    pinn_node nd;
    memset(&nd, 0, sizeof nd);
    nd.op = PINN_OP_MIX;
    nd.w = g->nodes[u[0]].w;
    nd.a = lam;
    nd.b = nd.pw = nd.pb = -1;
    nd.ca = 1.0;
    nd.ix = ix;
    nd.nx = n;
    nd.needs_grad = grad;
    return pinn_graph_push_node(g, &nd);
}

/* Forward: z[S][n][w] (overwritten) from lam [S][n][E] and the live u[e] [S][n][w]; an empty sum
 * (every expert skipped) is zero. */
void pinn_mix_forward(const pinn_pass *ps, const pinn_node *nd, const pinn_real *lam, const pinn_real *const *u,
                      pinn_real *z) {
    const pinn_plan *pl = ps->plan;
    int n = ps->n, w = nd->w, E = nd->nx;
    size_t zs = (size_t)n * w, ls = (size_t)n * E;
    for (int s = 0; s < pl->S; s++) {
        pinn_real *restrict Z = z + (size_t)s * zs;
        int first = 1;
        for (int e = 0; e < E; e++) {
            if (!u[e]) continue;
            for (int t = pl->leib_start[s]; t < pl->leib_start[s + 1]; t++) {
                const pinn_leib_term *lt = &pl->leib[t];
                const pinn_real *restrict L = lam + (size_t)lt->ia * ls + e, *restrict U = u[e] + (size_t)lt->ib * zs;
                pinn_real c = (pinn_real)lt->coef;
                if (w == 1) {
                    if (first)
                        for (int p = 0; p < n; p++) Z[p] = c * L[(size_t)p * E] * U[p];
                    else
                        for (int p = 0; p < n; p++) Z[p] += c * L[(size_t)p * E] * U[p];
                } else {
                    for (int p = 0; p < n; p++) {
                        pinn_real cl = c * L[(size_t)p * E];
                        pinn_real *restrict Zp = Z + (size_t)p * w;
                        const pinn_real *restrict Up = U + (size_t)p * w;
                        if (first)
                            for (int j = 0; j < w; j++) Zp[j] = cl * Up[j];
                        else
                            for (int j = 0; j < w; j++) Zp[j] += cl * Up[j];
                    }
                }
                first = 0;
            }
        }
        if (first) memset(Z, 0, sizeof(pinn_real) * zs);
    }
}

/* Backward: the adjoint of each term c lam_e[ia] u_e[ib] into glam[ia][:, e] += c gz_s u_e[ib]
 * (summed over the width) and gu[e][ib] += c gz_s lam_e[ia]; NULL targets and skipped experts
 * (u[e] NULL) are left alone. */
void pinn_mix_backward(const pinn_pass *ps, const pinn_node *nd, const pinn_real *lam, pinn_real *glam,
                       const pinn_real *const *u, pinn_real *const *gu, const pinn_real *gz) {
    const pinn_plan *pl = ps->plan;
    int n = ps->n, w = nd->w, E = nd->nx;
    size_t zs = (size_t)n * w, ls = (size_t)n * E;
    for (int s = 0; s < pl->S; s++) {
        const pinn_real *restrict G = gz + (size_t)s * zs;
        for (int e = 0; e < E; e++) {
            if (!u[e] || (!gu[e] && !glam)) continue;
            for (int t = pl->leib_start[s]; t < pl->leib_start[s + 1]; t++) {
                const pinn_leib_term *lt = &pl->leib[t];
                size_t oa = (size_t)lt->ia * ls + (size_t)e, ob = (size_t)lt->ib * zs;
                const pinn_real *restrict L = lam + oa, *restrict U = u[e] + ob;
                pinn_real c = (pinn_real)lt->coef;
                pinn_real *restrict gL = glam ? glam + oa : NULL, *restrict gU = gu[e] ? gu[e] + ob : NULL;
                if (w == 1) {
                    if (gU && gL)
                        for (int p = 0; p < n; p++) {
                            pinn_real g = c * G[p];
                            gU[p] += g * L[(size_t)p * E];
                            gL[(size_t)p * E] += g * U[p];
                        }
                    else if (gU)
                        for (int p = 0; p < n; p++) gU[p] += c * G[p] * L[(size_t)p * E];
                    else
                        for (int p = 0; p < n; p++) gL[(size_t)p * E] += c * G[p] * U[p];
                    continue;
                }
                for (int p = 0; p < n; p++) {
                    const pinn_real *restrict Gp = G + (size_t)p * w, *restrict Up = U + (size_t)p * w;
                    pinn_real lp = L[(size_t)p * E], acc = 0;
                    for (int j = 0; j < w; j++) {
                        pinn_real g = c * Gp[j];
                        if (gU) gU[(size_t)p * w + j] += g * lp;
                        acc += g * Up[j];
                    }
                    if (gL) gL[(size_t)p * E] += acc;
                }
            }
        }
    }
}
