/* ideas_mlp.c - the MLP options of the ideas laboratory (docs/ideas.md), all composed of jet ops
 * so that their jets need no derivative code of their own: parallel ReLU^k branches, layer and
 * batch normalisation after each hidden affine map, and the vector-quantisation front with its
 * codebook and commitment loss columns.  Read from the `ideas` mapping of an mlp model. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pinnc/ideas.h"
#include "pinnc/model.h"

static const char *const norm_names[PINN_NORM_COUNT] = {"none", "layer", "batch"};

/* Reads mapping `ideas` under node (absent: every option off). */
pinn_status pinn_ideas_configure(pinn_ideas_spec *s, pinn_cfg *c, int node, pinn_error *err) {
    memset(s, 0, sizeof *s);
    s->vq_node = -1;
    for (int k = 0; k < PINN_IDEAS_MAX_BRANCHES; k++) s->branch_scale[k] = 1.0;
    int in = pinn_cfg_find(c, node, "ideas");
    if (in < 0) return PINN_OK;
    if (pinn_cfg_type_of(c, in) != PINN_CFG_MAP)
        return pinn_cfg_expected(c, in, "ideas", "a mapping of branches, branch_scales, norm, norm_eps, vq", err);
    static const char *const keys[] = {"branches", "branch_scales", "norm", "norm_eps", "vq", NULL};
    static const char *const vkeys[] = {"codes", "latent", "beta", "weight", NULL};
    long K = 0, codes = 0, latent = 0;
    pinn_status st;
    if ((st = pinn_cfg_check_keys(c, in, keys, err)) ||
        (st = pinn_cfg_int(c, in, "branches", 0, PINN_IDEAS_MAX_BRANCHES, 1, 0, &K, err)) ||
        (st = pinn_cfg_choice(c, in, "norm", norm_names, PINN_NORM_COUNT, 0, &s->norm, err)) ||
        (st = pinn_cfg_real(c, in, "norm_eps", 0, 1, 1, 1e-5, &s->norm_eps, err)))
        return st;
    s->branches = (int)K;
    int is = pinn_cfg_find(c, in, "branch_scales");
    if (is >= 0) {
        int n = pinn_cfg_count(c, is);
        if (pinn_cfg_type_of(c, is) != PINN_CFG_SEQ || n != s->branches)
            return pinn_cfg_expected(c, is, "branch_scales", "a list of one positive number per branch", err);
        for (int k = 0; k < n; k++) {
            int it = pinn_cfg_item(c, is, k);
            const char *t = pinn_cfg_text(c, it);
            char *end = NULL;
            double v = t ? strtod(t, &end) : 0;
            if (!t || *end || !(v > 0) || !isfinite(v))
                return pinn_cfg_expected(c, it, "branch_scales", "a list of one positive number per branch", err);
            s->branch_scale[k] = v;
        }
    }
    int iv = pinn_cfg_find(c, in, "vq");
    if (iv >= 0) {
        if (pinn_cfg_type_of(c, iv) != PINN_CFG_MAP)
            return pinn_cfg_expected(c, iv, "vq", "a mapping of codes, latent, beta, weight", err);
        if ((st = pinn_cfg_check_keys(c, iv, vkeys, err)) || (st = pinn_cfg_int(c, iv, "codes", 2, 1024, 1, 8, &codes, err)) ||
            (st = pinn_cfg_int(c, iv, "latent", 1, 256, 1, 8, &latent, err)) ||
            (st = pinn_cfg_real(c, iv, "beta", 0, 100, 1, 0.25, &s->vq_beta, err)) ||
            (st = pinn_cfg_real(c, iv, "weight", 0, 1e6, 1, 1.0, &s->vq_weight, err)))
            return st;
        s->vq_codes = (int)codes, s->vq_latent = (int)latent;
    }
    s->on = s->branches > 0 || s->norm != PINN_NORM_NONE || s->vq_codes > 0;
    return PINN_OK;
}

/* Normalisation of a (width w) of hidden layer l per the options: layer (over the width, per
 * point) or batch (over the block's points, per column; training-mode statistics; first hidden
 * layer only, where the jets are exact: see docs/ideas.md).  Returns the node. */
static int normalise(pinn_graph *g, int a, int w, int l, const pinn_ideas_spec *s) {
    if (s->norm == PINN_NORM_LAYER) {
        int m = pinn_graph_scale_shift(g, pinn_graph_sum(g, a), 1.0 / w, 0);
        int c = pinn_graph_add(g, a, m, 1.0, -1.0);
        int v = pinn_graph_scale_shift(g, pinn_graph_sum(g, pinn_graph_mul(g, c, c)), 1.0 / w, s->norm_eps);
        return pinn_graph_mul(g, c, pinn_graph_unary(g, PINN_FN_POW, -0.5, v));
    }
    if (s->norm == PINN_NORM_BATCH && l == 0) { /* var = mean(a^2) - mean(a)^2, each a batch mean */
        int m = pinn_graph_batch_mean(g, a);
        int m2 = pinn_graph_batch_mean(g, pinn_graph_mul(g, a, a));
        int v = pinn_graph_scale_shift(g, pinn_graph_add(g, m2, pinn_graph_mul(g, m, m), 1.0, -1.0), 1.0, s->norm_eps);
        return pinn_graph_mul(g, pinn_graph_add(g, a, m, 1.0, -1.0), pinn_graph_unary(g, PINN_FN_POW, -0.5, v));
    }
    return a;
}

/* One dense map h -> rows, named "<prefix>.W<l><tag>", normalised per the options. */
static int dense(pinn_graph *g, int h, int width, int rows, int l, const char *tag, const pinn_ideas_spec *s, const char *prefix) {
    char name[64];
    snprintf(name, sizeof name, "%s.W%d%s", prefix, l, tag);
    int W = pinn_graph_param(g, name, rows, width, (pinn_init)s->init, 0.0);
    snprintf(name, sizeof name, "%s.b%d%s", prefix, l, tag);
    int b = pinn_graph_param(g, name, rows, 1, PINN_INIT_ZERO, 0.0);
    return normalise(g, pinn_graph_affine(g, h, W, b), rows, l, s);
}

/* Hidden layer l: either f(norm(W h + b)), or K parallel branches of ceil(out/K) units each,
 * branch k = scale_k * relu^k(norm(W_k h + b_k)), concatenated (width K * ceil(out/K)). */
int pinn_ideas_hidden(pinn_graph *g, int h, int width, int out, int l, pinn_fn f, double p, const pinn_ideas_spec *s,
                      const char *prefix, int *w_out) {
    if (!s->branches) {
        *w_out = out;
        return pinn_graph_unary(g, f, p, dense(g, h, width, out, l, "", s, prefix));
    }
    int K = s->branches, bw = (out + K - 1) / K, acc = -1;
    char tag[16];
    for (int k = 1; k <= K; k++) {
        snprintf(tag, sizeof tag, "_k%d", k);
        int r = pinn_graph_unary(g, PINN_FN_RELUK, (double)k, dense(g, h, width, bw, l, tag, s, prefix));
        if (s->branch_scale[k - 1] != 1.0) r = pinn_graph_scale_shift(g, r, s->branch_scale[k - 1], 0.0);
        acc = acc < 0 ? r : pinn_graph_concat(g, acc, r);
    }
    *w_out = K * bw;
    return acc;
}

/* z = W xn + b (latent), q = the nearest code (straight-through), and the two VQ-VAE loss
 * columns: codebook |sg(z) - e|^2 and commitment beta |z - sg(e)|^2 (e the selected code). */
int pinn_ideas_vq_front(pinn_graph *g, int xn, pinn_ideas_spec *s, int aux[2]) {
    int d = pinn_graph_width(g, xn), D = s->vq_latent;
    int W = pinn_graph_param(g, "vq.W", D, d, PINN_INIT_GLOROT_NORMAL, 0.0);
    int b = pinn_graph_param(g, "vq.b", D, 1, PINN_INIT_ZERO, 0.0);
    int C = pinn_graph_param(g, "vq.codebook", s->vq_codes, D, PINN_INIT_NORMAL, 1.0 / sqrt((double)D));
    int z = pinn_graph_affine(g, xn, W, b);
    int q = pinn_graph_vq(g, z, C, 0), e = pinn_graph_vq(g, z, C, 1);
    int d1 = pinn_graph_add(g, pinn_graph_stop_grad(g, z), e, 1.0, -1.0);
    int d2 = pinn_graph_add(g, z, pinn_graph_stop_grad(g, e), 1.0, -1.0);
    aux[0] = pinn_graph_sum(g, pinn_graph_mul(g, d1, d1));
    aux[1] = pinn_graph_scale_shift(g, pinn_graph_sum(g, pinn_graph_mul(g, d2, d2)), s->vq_beta, 0.0);
    s->vq_node = q;
    return pinn_graph_concat(g, xn, q);
}

/* The mlp kind's network with the VQ front: normalise x (as the MLP would), append the front, run
 * the MLP on [xn, q] without normalising again, and add the two loss columns to out. */
void pinn_ideas_vq_build(pinn_graph *g, int x, pinn_mlp_spec *spec, pinn_model_out *out) {
    int d = spec->n_in, xn = x, aux[2] = {-1, -1};
    if (spec->normalize) {
        double sc[PINN_MAX_INPUTS], sh[PINN_MAX_INPUTS];
        for (int i = 0; i < d && i < PINN_MAX_INPUTS; i++) {
            double span = spec->hi[i] - spec->lo[i];
            sc[i] = span != 0 ? 2.0 / span : 1.0;
            sh[i] = span != 0 ? -(spec->hi[i] + spec->lo[i]) / span : 0.0;
        }
        xn = pinn_graph_colaffine(g, x, sc, sh);
    }
    int h = pinn_ideas_vq_front(g, xn, &spec->ideas, aux);
    pinn_mlp_spec v = *spec;
    v.n_in = d + spec->ideas.vq_latent;
    v.normalize = 0;
    out->fields = pinn_mlp_build(g, h, &v);
    if (out->n_aux + 2 > PINN_MODEL_MAX_AUX) return;
    static const char *const names[2] = {"vq_codebook", "vq_commit"};
    for (int k = 0; k < 2; k++) {
        out->aux[out->n_aux] = aux[k];
        snprintf(out->aux_name[out->n_aux], sizeof out->aux_name[0], "%s", names[k]);
        out->aux_weight[out->n_aux++] = spec->ideas.vq_weight;
    }
}

/* Runs the graph's value pass over x in blocks and records the winning code of each point. */
pinn_status pinn_ideas_diagnostics(pinn_mlp_spec *spec, const pinn_graph *g, const pinn_real *params, size_t n,
                                   const pinn_real *x, const pinn_model_sink *sink, pinn_error *err) {
    const pinn_ideas_spec *s = &spec->ideas;
    if (!s->vq_codes || s->vq_node < 0 || n == 0) return PINN_OK;
    int d = spec->n_in, K = s->vq_codes, B = 256;
    pinn_plan *plan = NULL;
    pinn_tape *t = NULL;
    pinn_status st = pinn_plan_init(&plan, d, 0, NULL, err);
    if (!st) st = pinn_tape_init(&t, g, plan, B, err);
    double *code = st ? NULL : malloc(sizeof *code * (n + (size_t)K));
    if (!st && !code) st = pinn_error_set(err, PINN_ERR_NOMEM, "vq diagnostics: out of memory");
    if (!st) {
        double *use = code + n;
        memset(use, 0, sizeof *use * (size_t)K);
        for (size_t p0 = 0; p0 < n; p0 += (size_t)B) {
            int m = n - p0 < (size_t)B ? (int)(n - p0) : B;
            pinn_tape_forward(t, params, x + p0 * (size_t)d, m);
            for (int p = 0; p < m; p++) {
                int k = pinn_tape_vq_index(t, s->vq_node, p);
                code[p0 + (size_t)p] = k;
                if (k >= 0 && k < K) use[k] += 1.0 / (double)n;
            }
        }
        size_t shape[1] = {n}, kshape[1] = {(size_t)K};
        st = sink->array(sink->ctx, "vq_code", 1, shape, code, err);
        if (!st) st = sink->array(sink->ctx, "vq_usage", 1, kshape, use, err);
    }
    free(code);
    pinn_tape_free(t);
    pinn_plan_free(plan);
    return st;
}
