/* latent.c - the latent representations of a trained network (`pinnc latent`, docs/ideas.md):
 * every hidden representation (the input of each dense map that is not affine in the
 * coordinates: activations, residual sums, concatenated branches) at the evaluation points, and
 * 2-D embeddings of a subsample of them (PCA; exact t-SNE on request) for the pictures.  Arrays
 * go out through a pinn_model_sink; training writes no file. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jet/graph.h"
#include "train/trainer.h"

#define LATENT_MAX_LAYERS 64
#define LATENT_SUBSAMPLE 2000 /* points embedded and drawn */
#define LATENT_TSNE_MAX 1000  /* points of the t-SNE (O(m^2) per iteration) */

/* Eigen-decomposition of the symmetric w x w matrix A (destroyed) by cyclic Jacobi rotations:
 * eigenvalues in ev, eigenvectors as the columns of V. */
static void jacobi_eigen(int w, double *A, double *ev, double *V) {
    for (int i = 0; i < w; i++)
        for (int j = 0; j < w; j++) V[i * w + j] = i == j;
    for (int sweep = 0; sweep < 60; sweep++) {
        double off = 0, tot = 0;
        for (int i = 0; i < w; i++)
            for (int j = 0; j < w; j++) *(i == j ? &tot : &off) += A[i * w + j] * A[i * w + j];
        if (off <= 1e-24 * (tot + off) || off == 0) break;
        for (int p = 0; p < w; p++)
            for (int q = p + 1; q < w; q++) {
                double apq = A[p * w + q];
                if (fabs(apq) < 1e-300) continue;
                double th = (A[q * w + q] - A[p * w + p]) / (2 * apq);
                double t = (th >= 0 ? 1 : -1) / (fabs(th) + sqrt(th * th + 1)), c = 1 / sqrt(t * t + 1), s = t * c;
                for (int k = 0; k < w; k++) { /* A <- J^T A J */
                    double akp = A[k * w + p], akq = A[k * w + q];
                    A[k * w + p] = c * akp - s * akq, A[k * w + q] = s * akp + c * akq;
                }
                for (int k = 0; k < w; k++) {
                    double apk = A[p * w + k], aqk = A[q * w + k];
                    A[p * w + k] = c * apk - s * aqk, A[q * w + k] = s * apk + c * aqk;
                }
                for (int k = 0; k < w; k++) {
                    double vkp = V[k * w + p], vkq = V[k * w + q];
                    V[k * w + p] = c * vkp - s * vkq, V[k * w + q] = s * vkp + c * vkq;
                }
            }
    }
    for (int i = 0; i < w; i++) ev[i] = A[i * w + i];
}

/* PCA of m rows of width w (X): the projections on the two leading components into Y [m][2]
 * and their shares of the variance into frac[2]. */
static pinn_status pca2(int m, int w, const double *X, double *Y, double *frac, pinn_error *err) {
    double *mu = calloc((size_t)w, sizeof *mu), *C = calloc((size_t)w * w, sizeof *C), *V = malloc(sizeof *V * (size_t)w * w),
           *ev = malloc(sizeof *ev * (size_t)w);
    if (!mu || !C || !V || !ev) {
        free(mu), free(C), free(V), free(ev);
        return pinn_error_set(err, PINN_ERR_NOMEM, "latent: out of memory");
    }
    for (int p = 0; p < m; p++)
        for (int j = 0; j < w; j++) mu[j] += X[(size_t)p * w + j] / m;
    for (int p = 0; p < m; p++)
        for (int i = 0; i < w; i++)
            for (int j = 0; j < w; j++) C[i * w + j] += (X[(size_t)p * w + i] - mu[i]) * (X[(size_t)p * w + j] - mu[j]) / m;
    jacobi_eigen(w, C, ev, V);
    int a = 0, b = -1;
    double tot = 0;
    for (int i = 0; i < w; i++) tot += fmax(ev[i], 0), a = ev[i] > ev[a] ? i : a;
    for (int i = 0; i < w; i++)
        if (i != a && (b < 0 || ev[i] > ev[b])) b = i;
    for (int p = 0; p < m; p++) {
        double ya = 0, yb = 0;
        for (int j = 0; j < w; j++) {
            double c = X[(size_t)p * w + j] - mu[j];
            ya += c * V[j * w + a], yb += b >= 0 ? c * V[j * w + b] : 0;
        }
        Y[2 * p] = ya, Y[2 * p + 1] = yb;
    }
    frac[0] = tot > 0 ? fmax(ev[a], 0) / tot : 0, frac[1] = tot > 0 && b >= 0 ? fmax(ev[b], 0) / tot : 0;
    free(mu), free(C), free(V), free(ev);
    return PINN_OK;
}

/* Exact t-SNE (van der Maaten & Hinton 2008) of m rows of width w into Y [m][2]: Gaussian
 * affinities with perplexity 30 (bisection on each point's precision), Student-t affinities in
 * the plane, gradient descent with momentum and early exaggeration; seeded initialisation. */
static pinn_status tsne2(int m, int w, const double *X, double *Y, uint64_t seed, pinn_error *err) {
    size_t mm = (size_t)m * m;
    double *P = malloc(sizeof *P * mm), *D = malloc(sizeof *D * mm), *Q = malloc(sizeof *Q * mm);
    double *gY = calloc(2 * (size_t)m, sizeof *gY), *uY = calloc(2 * (size_t)m, sizeof *uY);
    if (!P || !D || !Q || !gY || !uY) {
        free(P), free(D), free(Q), free(gY), free(uY);
        return pinn_error_set(err, PINN_ERR_NOMEM, "latent: out of memory for t-SNE of %d points", m);
    }
    for (int i = 0; i < m; i++)
        for (int j = 0; j < m; j++) {
            double s = 0;
            for (int k = 0; k < w; k++) s += (X[(size_t)i * w + k] - X[(size_t)j * w + k]) * (X[(size_t)i * w + k] - X[(size_t)j * w + k]);
            D[(size_t)i * m + j] = s;
        }
    const double logU = log(30.0);
    for (int i = 0; i < m; i++) { /* precision beta so that the entropy is log(perplexity) */
        double beta = 1, lo = 0, hi = INFINITY, *row = P + (size_t)i * m;
        for (int it = 0; it < 60; it++) {
            double sum = 0, H = 0, dmin = INFINITY;
            for (int j = 0; j < m; j++)
                if (j != i) dmin = fmin(dmin, D[(size_t)i * m + j]);
            for (int j = 0; j < m; j++) row[j] = j == i ? 0 : exp(-beta * (D[(size_t)i * m + j] - dmin)), sum += row[j];
            for (int j = 0; j < m; j++) H += row[j] * beta * (D[(size_t)i * m + j] - dmin);
            H = log(sum) + H / sum;
            for (int j = 0; j < m; j++) row[j] /= sum;
            if (fabs(H - logU) < 1e-5) break;
            if (H > logU) lo = beta, beta = isinf(hi) ? 2 * beta : 0.5 * (beta + hi);
            else hi = beta, beta = 0.5 * (beta + lo);
        }
    }
    for (int i = 0; i < m; i++) /* symmetrise */
        for (int j = i + 1; j < m; j++) {
            double s = (P[(size_t)i * m + j] + P[(size_t)j * m + i]) / (2.0 * m);
            P[(size_t)i * m + j] = P[(size_t)j * m + i] = fmax(s, 1e-12);
        }
    pinn_rng r;
    pinn_rng_seed(&r, seed);
    for (int k = 0; k < 2 * m; k++) Y[k] = 1e-4 * pinn_rng_normal(&r);
    for (int it = 0; it < 500; it++) {
        double ex = it < 100 ? 12.0 : 1.0, mom = it < 250 ? 0.5 : 0.8, lr = 200.0, Z = 0;
        for (int i = 0; i < m; i++)
            for (int j = 0; j < m; j++) {
                double dx = Y[2 * i] - Y[2 * j], dy = Y[2 * i + 1] - Y[2 * j + 1];
                double q = i == j ? 0 : 1 / (1 + dx * dx + dy * dy);
                Q[(size_t)i * m + j] = q, Z += q;
            }
        for (int i = 0; i < m; i++) {
            double gx = 0, gy = 0;
            for (int j = 0; j < m; j++) {
                double q = Q[(size_t)i * m + j], c = 4 * (ex * P[(size_t)i * m + j] - q / Z) * q;
                gx += c * (Y[2 * i] - Y[2 * j]), gy += c * (Y[2 * i + 1] - Y[2 * j + 1]);
            }
            gY[2 * i] = gx, gY[2 * i + 1] = gy;
        }
        for (int k = 0; k < 2 * m; k++) uY[k] = mom * uY[k] - lr * gY[k], Y[k] += uY[k];
    }
    free(P), free(D), free(Q), free(gY), free(uY);
    return PINN_OK;
}

/* Hidden representations: inputs of dense maps that are not affine in the coordinates, once. */
static int hidden_nodes(const pinn_graph *g, int *out) {
    int n = 0;
    for (int i = 0; i < g->n_nodes && n < LATENT_MAX_LAYERS; i++) {
        const pinn_node *nd = &g->nodes[i];
        if (nd->op != PINN_OP_AFFINE || g->nodes[nd->a].affine) continue;
        int dup = 0;
        for (int k = 0; k < n; k++) dup |= out[k] == nd->a;
        if (!dup) out[n++] = nd->a;
    }
    return n;
}

/* Predicts the grid, then per hidden representation: activations at every evaluation point, PCA
 * (and t-SNE) of the strided subsample, all through sink (see pinnc/train.h). */
pinn_status pinn_trainer_latent(pinn_trainer *t, const pinn_model_sink *sink, int tsne, pinn_error *err) {
    pinn_status st = pinn_trainer_predict_grid(t, err);
    if (st) return st;
    const pinn_graph *g = t->graph;
    int layers[LATENT_MAX_LAYERS], nl = hidden_nodes(g, layers), d = t->d, nf = t->nf, B = 256;
    if (!nl) return pinn_error_set(err, PINN_ERR_UNSUPPORTED, "latent: the model has no hidden layer");
    size_t n = t->n_eval, cap = tsne ? LATENT_TSNE_MAX : LATENT_SUBSAMPLE, stride = n > cap ? (n + cap - 1) / cap : 1;
    int m = (int)((n + stride - 1) / stride);
    size_t wmax = 1;
    for (int l = 0; l < nl; l++) wmax = (size_t)g->nodes[layers[l]].w > wmax ? (size_t)g->nodes[layers[l]].w : wmax;
    pinn_plan *plan = NULL;
    pinn_tape *tape = NULL;
    double *A = malloc(sizeof *A * n * wmax), *S = malloc(sizeof *S * (size_t)m * wmax), *Y = malloc(sizeof *Y * 2 * (size_t)m);
    double *pts = malloc(sizeof *pts * (size_t)m * (size_t)(d + nf));
    if (!A || !S || !Y || !pts) st = pinn_error_set(err, PINN_ERR_NOMEM, "latent: out of memory for %zu points", n);
    if (!st) st = pinn_plan_init(&plan, d, 0, NULL, err);
    if (!st) st = pinn_tape_init(&tape, g, plan, B, err);
    for (int p = 0; !st && p < m; p++) { /* the subsample: coordinates and predictions */
        size_t k = (size_t)p * stride;
        for (int i = 0; i < d; i++) pts[(size_t)p * (d + nf) + i] = t->eval_x[k * d + i];
        for (int f = 0; f < nf; f++) pts[(size_t)p * (d + nf) + d + f] = t->pred[k * nf + f];
    }
    if (!st) {
        size_t shp[2] = {(size_t)m, (size_t)(d + nf)};
        st = sink->array(sink->ctx, "points", 2, shp, pts, err);
    }
    char name[64];
    for (int l = 0; !st && l < nl; l++) {
        int w = g->nodes[layers[l]].w;
        for (size_t p0 = 0; p0 < n; p0 += (size_t)B) { /* value pass in blocks of B (batch norm: block statistics) */
            int c = n - p0 < (size_t)B ? (int)(n - p0) : B;
            pinn_tape_forward(tape, t->P, t->eval_x + p0 * (size_t)d, c);
            const pinn_real *v = pinn_tape_node_value(tape, layers[l]);
            for (size_t k = 0; k < (size_t)c * (size_t)w; k++) A[p0 * (size_t)w + k] = v[k];
        }
        size_t shp[2] = {n, (size_t)w}, eshp[2] = {(size_t)m, 2}, fshp[1] = {2};
        snprintf(name, sizeof name, "layer%d", l + 1);
        if ((st = sink->array(sink->ctx, name, 2, shp, A, err))) break;
        for (int p = 0; p < m; p++) memcpy(S + (size_t)p * w, A + (size_t)p * stride * (size_t)w, sizeof *S * (size_t)w);
        double frac[2];
        if ((st = pca2(m, w, S, Y, frac, err))) break;
        snprintf(name, sizeof name, "layer%d_pca", l + 1);
        if ((st = sink->array(sink->ctx, name, 2, eshp, Y, err))) break;
        snprintf(name, sizeof name, "layer%d_pca_var", l + 1);
        if ((st = sink->array(sink->ctx, name, 1, fshp, frac, err))) break;
        if (tsne) {
            if ((st = tsne2(m, w, S, Y, 1234 + (uint64_t)l, err))) break;
            snprintf(name, sizeof name, "layer%d_tsne", l + 1);
            if ((st = sink->array(sink->ctx, name, 2, eshp, Y, err))) break;
        }
    }
    pinn_tape_free(tape);
    pinn_plan_free(plan);
    free(A), free(S), free(Y), free(pts);
    return st;
}
