/* elm.c - extreme learning machines: a basis of random features whose hidden weights are drawn
 * once and frozen (uniform or normal, a weight scale; tanh, sin, ... activations) and/or a
 * polynomial (Taylor) basis, under a linear output layer that is the only trainable part.  The
 * "elm" kind (PIELM: one global basis over the domain) lives here, with the basis builder it
 * shares with "elm_fbpinn" (elm_fbpinn.c).  Output-layer coefficients enter the fields linearly,
 * so the least-squares phases (src/train/phase_lstsq.c) train them in one solve. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/elm.h"

static const char *const basis_names[ELM_BASIS_COUNT] = {"random", "polynomial", "both"};

/* Monomials of total degree 1..p in d variables. */
static int n_monomials(int d, int p) {
    double c = 1; /* C(p + d, d) - 1 */
    for (int i = 1; i <= d; i++) c = c * (p + i) / i;
    return (int)llround(c) - 1;
}

pinn_status elm_basis_configure(elm_basis *b, pinn_cfg *c, int node, long K0, int n_in, pinn_error *err) {
    static const char *const dists[2] = {"uniform", "normal"};
    char act[32];
    int kind, dist;
    pinn_status st;
    if ((st = pinn_cfg_choice(c, node, "basis", basis_names, ELM_BASIS_COUNT, 0, &kind, err)) ||
        (st = pinn_cfg_int(c, node, "features", kind == ELM_BASIS_POLYNOMIAL ? 0 : 1, 100000, 1,
                           kind == ELM_BASIS_POLYNOMIAL ? 0 : K0, &b->features, err)) ||
        (st = pinn_cfg_int(c, node, "layers", 1, 8, 1, 1, &b->layers, err)) ||
        (st = pinn_cfg_str(c, node, "activation", "tanh", act, sizeof act, err)) ||
        (st = pinn_cfg_choice(c, node, "distribution", dists, 2, 0, &dist, err)) ||
        (st = pinn_cfg_real(c, node, "weight_scale", 0, 1e6, 1, 1.0, &b->weight_scale, err)) ||
        (st = pinn_cfg_real(c, node, "bias_scale", 0, 1e6, 1, b->weight_scale, &b->bias_scale, err)) ||
        (st = pinn_cfg_int(c, node, "degree", kind == ELM_BASIS_RANDOM ? 0 : 1, 40, 1, kind == ELM_BASIS_RANDOM ? 0 : 4,
                           &b->degree, err)))
        return st;
    int f = pinn_fn_from_string(act);
    if (f < 0 || f == PINN_FN_POW || f == PINN_FN_RECIP || f == PINN_FN_LOG || f == PINN_FN_RELUK)
        return pinn_cfg_expected(c, pinn_cfg_find(c, node, "activation"), "activation",
                                 "one of: tanh sin cos sigmoid swish softplus exp sinh cosh identity", err);
    b->act = (pinn_fn)f, b->act_p = 1.0;
    b->normal = dist == 1;
    b->kind = (elm_basis_kind)kind;
    if (kind == ELM_BASIS_POLYNOMIAL) b->features = 0;
    if (kind == ELM_BASIS_RANDOM) b->degree = 0;
    b->n_basis = (int)b->features + (b->degree > 0 ? n_monomials(n_in, (int)b->degree) : 0);
    if (b->n_basis > 100000)
        return pinn_cfg_expected(c, pinn_cfg_find(c, node, "degree"), "degree", "a basis of at most 100000 functions", err);
    return PINN_OK;
}

/* The monomials x^a, 1 <= |a| <= p, each one product from a monomial of degree one lower, joined
 * into one node (degree by degree). */
static int monomials(pinn_graph *g, int x, int d, int p) {
    int cols[PINN_MAX_INPUTS], out = -1;
    for (int i = 0; i < d; i++) cols[i] = d == 1 ? x : pinn_graph_slice_cols(g, x, i, 1);
    int n = n_monomials(d, p);
    int *node = malloc(sizeof(int) * (size_t)(n + 1)), *last = malloc(sizeof(int) * (size_t)(n + 1));
    if (!node || !last) {
        free(node), free(last);
        return pinn_graph_affine(g, -1, -1, -1);
    }
    /* degree 1: x_i (last variable i); degree k: m * x_i for each monomial m of degree k-1 whose
     * last variable is <= i, so each monomial arises once */
    int cnt = 0, lo = 0;
    for (int i = 0; i < d; i++) node[cnt] = cols[i], last[cnt++] = i;
    for (int k = 2; k <= p; k++) {
        int hi = cnt;
        for (int q = lo; q < hi; q++)
            for (int i = last[q]; i < d; i++) node[cnt] = pinn_graph_mul(g, node[q], cols[i]), last[cnt++] = i;
        lo = hi;
    }
    for (int q = 0; q < cnt; q++) out = q ? pinn_graph_concat(g, out, node[q]) : node[q];
    free(node), free(last);
    return out;
}

int elm_basis_build(pinn_graph *g, int x, int n_in, int n_out, const elm_basis *b, const char *prefix, int *sw, int *sb) {
    char name[96];
    int phi = -1, width = n_in, h = x;
    pinn_init init = b->normal ? PINN_INIT_NORMAL : PINN_INIT_UNIFORM;
    for (int l = 0; b->features > 0 && l < b->layers; l++) {
        double s = l ? b->weight_scale / sqrt((double)b->features) : b->weight_scale;
        snprintf(name, sizeof name, "%s.W%d", prefix, l);
        int W = pinn_graph_param(g, name, (int)b->features, width, init, s);
        snprintf(name, sizeof name, "%s.b%d", prefix, l);
        int bb = pinn_graph_param(g, name, (int)b->features, 1, init, b->bias_scale);
        h = pinn_graph_unary(g, b->act, b->act_p, pinn_graph_affine(g, h, W, bb));
        width = (int)b->features;
    }
    if (b->features > 0) phi = h;
    if (b->degree > 0) {
        int m = monomials(g, x, n_in, (int)b->degree);
        phi = phi >= 0 ? pinn_graph_concat(g, phi, m) : m;
    }
    snprintf(name, sizeof name, "%s.Wout", prefix);
    *sw = pinn_graph_param(g, name, n_out, b->n_basis, PINN_INIT_ZERO, 0.0);
    snprintf(name, sizeof name, "%s.bout", prefix);
    *sb = pinn_graph_param(g, name, n_out, 1, PINN_INIT_ZERO, 0.0);
    return pinn_graph_affine(g, phi, *sw, *sb);
}

/* ---------------------------------------------------------------- the "elm" kind */

typedef struct elm_state {
    elm_basis b;
    int normalize;
    int n_out, sw, sb;
    size_t off_w, off_b;
    /* the cover: every column touches every point */
    size_t *param;
    int *field, *color;
    int64_t bptr[2];
} elm_state;

static pinn_status elm_configure(void *state, pinn_cfg *c, int node, const pinn_model_info *info, pinn_error *err) {
    static const char *const keys[] = {PINN_MODEL_COMMON_KEYS, ELM_BASIS_KEYS, "normalize", NULL};
    elm_state *s = state;
    pinn_status st = pinn_cfg_check_keys(c, node, keys, err);
    if (!st) st = elm_basis_configure(&s->b, c, node, 200, info->n_in, err);
    if (!st) st = pinn_cfg_bool(c, node, "normalize", 1, 1, &s->normalize, err);
    return st;
}

static pinn_status elm_build(void *state, pinn_graph *g, int x, const pinn_model_info *info, pinn_model_out *out,
                             pinn_error *err) {
    (void)err;
    elm_state *s = state;
    int h = x;
    if (s->normalize) { /* the box to [-1, 1] */
        double sc[PINN_MAX_INPUTS], sh[PINN_MAX_INPUTS];
        for (int i = 0; i < info->n_in; i++) {
            double span = info->hi[i] - info->lo[i];
            sc[i] = span != 0 ? 2.0 / span : 1.0;
            sh[i] = span != 0 ? -(info->hi[i] + info->lo[i]) / span : 0.0;
        }
        h = pinn_graph_colaffine(g, h, sc, sh);
    }
    s->n_out = info->n_out;
    out->fields = elm_basis_build(g, h, info->n_in, info->n_out, &s->b, "elm", &s->sw, &s->sb);
    if (out->fields >= 0) {
        pinn_graph_slice(g, s->sw, NULL, &s->off_w, NULL);
        pinn_graph_slice(g, s->sb, NULL, &s->off_b, NULL);
    }
    return PINN_OK;
}

/* Only the output layer trains. */
static void elm_mask(const void *state, const pinn_graph *g, unsigned char *trainable) {
    const elm_state *s = state;
    memset(trainable, 0, pinn_graph_nparams(g));
    memset(trainable + s->off_w, 1, (size_t)s->n_out * (size_t)s->b.n_basis);
    memset(trainable + s->off_b, 1, (size_t)s->n_out);
}

static int elm_touching(const void *ctx, const pinn_real *x, int *cols) {
    (void)x;
    const elm_state *s = ctx;
    int n = s->n_out * (s->b.n_basis + 1);
    for (int i = 0; i < n; i++) cols[i] = i;
    return n;
}

/* Columns: W_out[f][k] (colour k), then b_out[f] (colour n_basis); a colour sets one basis
 * function in every field. */
static pinn_status elm_cover(void *state, const pinn_graph *g, pinn_lin_cover *cv, pinn_error *err) {
    (void)g;
    elm_state *s = state;
    int K = s->b.n_basis, nf = s->n_out, n = nf * (K + 1);
    if (!s->param) {
        s->param = malloc(sizeof(size_t) * (size_t)n);
        s->field = malloc(sizeof(int) * (size_t)n);
        s->color = malloc(sizeof(int) * (size_t)n);
        if (!s->param || !s->field || !s->color) return pinn_error_set(err, PINN_ERR_NOMEM, "out of memory");
        for (int f = 0, c = 0; f < nf; f++) {
            for (int k = 0; k < K; k++, c++) s->param[c] = s->off_w + (size_t)f * K + (size_t)k, s->field[c] = f, s->color[c] = k;
        }
        for (int f = 0; f < nf; f++) {
            int c = nf * K + f;
            s->param[c] = s->off_b + (size_t)f, s->field[c] = f, s->color[c] = K;
        }
    }
    cv->n_cols = (size_t)n;
    cv->param = s->param, cv->field = s->field, cv->color = s->color;
    cv->n_colors = K + 1;
    cv->max_touch = n;
    s->bptr[0] = 0, s->bptr[1] = n;
    cv->n_blocks = 1, cv->block_ptr = s->bptr;
    cv->touching = elm_touching;
    cv->ctx = s;
    return PINN_OK;
}

static void elm_release(void *state) {
    elm_state *s = state;
    free(s->param), free(s->field), free(s->color);
}

const pinn_model_ops pinn_model_elm_ops = {.kind = "elm", .state_size = sizeof(elm_state), .configure = elm_configure,
                                           .build = elm_build, .param_mask = elm_mask, .release = elm_release,
                                           .linear_cover = elm_cover};
