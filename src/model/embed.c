/* embed.c - the MLP's input embeddings and dense layers: periodic embedding of chosen coordinates
 * (exact periodicity), random Fourier features, and random weight factorisation, each composed
 * of existing jet ops (slice, scale/shift, sin/cos, affine, concat, exp, product). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "model/mlp_recipe.h"

#define EMBED_PI 3.14159265358979323846

static int has(const pinn_cfg *c, int node, const char *key) { return pinn_cfg_find(c, node, key) >= 0; }

/* Reads `periodic` (a coordinate name, a list of names, or a mapping name: period) into
 * rec->period; a name's period defaults to its box length. */
static pinn_status read_periodic(pinn_mlp_spec *spec, pinn_cfg *c, int node, const pinn_model_info *info,
                                 pinn_error *err) {
    int ip = pinn_cfg_find(c, node, "periodic");
    if (ip < 0) return PINN_OK;
    static const char *form = "a coordinate name, a list of them, or a mapping {name: period}";
    int type = pinn_cfg_type_of(c, ip), n = type == PINN_CFG_SCALAR ? 1 : pinn_cfg_count(c, ip);
    for (int k = 0; k < n; k++) {
        int it = type == PINN_CFG_SCALAR ? ip : pinn_cfg_item(c, ip, k);
        const char *name = type == PINN_CFG_MAP ? pinn_cfg_key(c, it) : pinn_cfg_text(c, it);
        if (!name || (type != PINN_CFG_MAP && pinn_cfg_type_of(c, it) != PINN_CFG_SCALAR))
            return pinn_cfg_expected(c, ip, "periodic", form, err);
        int i = -1;
        for (int j = 0; j < info->n_in && info->coords; j++)
            if (info->coords[j] && strcmp(info->coords[j], name) == 0) i = j;
        if (i < 0) return pinn_cfg_expected(c, it, "periodic", "names of the problem's coordinates", err);
        double P = info->hi[i] - info->lo[i];
        if (type == PINN_CFG_MAP) {
            pinn_status st = pinn_cfg_real(c, ip, name, 1e-300, 1e300, 1, P, &P, err);
            if (st) return st;
        }
        if (!(P > 0)) return pinn_cfg_expected(c, it, "periodic", "a coordinate with a positive period", err);
        spec->rec.period[i] = P;
    }
    return PINN_OK;
}

pinn_status pinn_mlp_recipe_configure(pinn_mlp_spec *spec, pinn_cfg *c, int node, const pinn_model_info *info,
                                      pinn_error *err) {
    pinn_mlp_recipe *r = &spec->rec;
    pinn_status st = read_periodic(spec, c, node, info, err);
    long v;
    int periodic = 0;
    for (int i = 0; i < info->n_in && i < PINN_MAX_INPUTS; i++) periodic |= r->period[i] > 0;
    r->harmonics = 1;
    if (!st && (periodic || has(c, node, "harmonics")) && !(st = pinn_cfg_int(c, node, "harmonics", 1, 64, 1, 1, &v, err)))
        r->harmonics = (int)v;
    if (!st && has(c, node, "fourier_features") &&
        !(st = pinn_cfg_int(c, node, "fourier_features", 0, 100000, 1, 0, &v, err)))
        r->fourier = (int)v;
    r->fourier_scale = 1.0;
    if (!st && (r->fourier || has(c, node, "fourier_scale")))
        st = pinn_cfg_real(c, node, "fourier_scale", 0, 1e6, 1, 1.0, &r->fourier_scale, err);
    if (!st && (r->fourier || has(c, node, "fourier_trainable")))
        st = pinn_cfg_bool(c, node, "fourier_trainable", 1, 0, &r->fourier_trainable, err);
    if (!st && has(c, node, "rwf")) st = pinn_cfg_bool(c, node, "rwf", 1, 0, &r->rwf, err);
    r->rwf_mean = 1.0, r->rwf_std = 0.1;
    if (!st && (r->rwf || has(c, node, "rwf_mean"))) st = pinn_cfg_real(c, node, "rwf_mean", -10, 10, 1, 1.0, &r->rwf_mean, err);
    if (!st && (r->rwf || has(c, node, "rwf_std"))) st = pinn_cfg_real(c, node, "rwf_std", 0, 10, 1, 0.1, &r->rwf_std, err);
    if (!st && has(c, node, "modified")) st = pinn_cfg_bool(c, node, "modified", 1, 0, &r->modified, err);
    if (st || !r->modified) return st;
    int im = pinn_cfg_find(c, node, "modified");
    if (spec->n_hidden < 1) return pinn_cfg_expected(c, im, "modified", "false with no hidden layer", err);
    for (int l = 1; l < spec->n_hidden; l++)
        if (spec->hidden[l] != spec->hidden[0])
            return pinn_cfg_expected(c, im, "modified", "false unless every hidden layer has one width (the gates mix U, V)", err);
    if (spec->residual) return pinn_cfg_expected(c, im, "modified", "false with residual: true (choose one)", err);
    return PINN_OK;
}

int pinn_mlp_embed_active(const pinn_mlp_spec *s) {
    if (s->rec.fourier > 0) return 1;
    for (int i = 0; i < s->n_in && i < PINN_MAX_INPUTS; i++)
        if (s->rec.period[i] > 0) return 1;
    return 0;
}

/* Appends b to the concatenation acc (acc < 0: none yet); returns the new concatenation. */
static int cat(pinn_graph *g, int acc, int b) { return acc < 0 ? b : pinn_graph_concat(g, acc, b); }

int pinn_mlp_embed_build(pinn_graph *g, int x, const pinn_mlp_spec *s, int *width) {
    const pinn_mlp_recipe *r = &s->rec;
    int h = -1, w = 0;
    for (int i = 0; i < s->n_in && i < PINN_MAX_INPUTS; i++) {
        int xi = pinn_graph_slice_cols(g, x, i, 1);
        if (r->period[i] > 0) {
            for (int k = 1; k <= r->harmonics; k++) {
                /* the angle 2 pi k (x - lo) / P: x + P moves it by exactly 2 pi k up to rounding */
                double om = 2.0 * EMBED_PI * k / r->period[i];
                int th = pinn_graph_scale_shift(g, xi, om, -om * s->lo[i]);
                h = cat(g, h, pinn_graph_unary(g, PINN_FN_COS, 1.0, th));
                h = cat(g, h, pinn_graph_unary(g, PINN_FN_SIN, 1.0, th));
                w += 2;
            }
            continue;
        }
        if (s->normalize) {
            double span = s->hi[i] - s->lo[i];
            xi = pinn_graph_scale_shift(g, xi, span != 0 ? 2.0 / span : 1.0, span != 0 ? -(s->hi[i] + s->lo[i]) / span : 0.0);
        }
        h = cat(g, h, xi);
        w++;
    }
    if (r->fourier > 0) {
        char name[64];
        snprintf(name, sizeof name, "%s.ffB", s->prefix ? s->prefix : "mlp");
        int B = pinn_graph_param(g, name, r->fourier, w, PINN_INIT_NORMAL, r->fourier_scale);
        int z = pinn_graph_affine(g, h, B, -1);
        h = pinn_graph_concat(g, pinn_graph_unary(g, PINN_FN_COS, 1.0, z), pinn_graph_unary(g, PINN_FN_SIN, 1.0, z));
        w = 2 * r->fourier;
    }
    *width = w;
    return h;
}

int pinn_mlp_dense(pinn_graph *g, int h, int in, int out, const pinn_mlp_spec *s, const char *pre, const char *tag) {
    char name[64];
    snprintf(name, sizeof name, "%s.b%s", pre, tag);
    if (!s->rec.rwf) {
        char wn[64];
        snprintf(wn, sizeof wn, "%s.W%s", pre, tag);
        int W = pinn_graph_param(g, wn, out, in, s->init, 0.0);
        return pinn_graph_affine(g, h, W, pinn_graph_param(g, name, out, 1, PINN_INIT_ZERO, 0.0));
    }
    /* V starts as the Glorot draw scaled by exp(-mean), so diag(exp(s)) V starts near the Glorot
     * draw; s = mean + t with t ~ N(0, std^2) the trained offset */
    double em = exp(-s->rec.rwf_mean), fan = (double)(in + out);
    int uni = s->init == PINN_INIT_GLOROT_UNIFORM;
    char vn[64], sn[64];
    snprintf(vn, sizeof vn, "%s.V%s", pre, tag);
    snprintf(sn, sizeof sn, "%s.s%s", pre, tag);
    int V = pinn_graph_param(g, vn, out, in, uni ? PINN_INIT_UNIFORM : PINN_INIT_NORMAL,
                             em * (uni ? sqrt(6.0 / fan) : sqrt(2.0 / fan)));
    int b = pinn_graph_param(g, name, out, 1, PINN_INIT_ZERO, 0.0);
    int S = pinn_graph_param(g, sn, out, 1, PINN_INIT_NORMAL, s->rec.rwf_std);
    /* the scales as a node: t broadcast over the points (an affine map of the constant 1) */
    int one = pinn_graph_scale_shift(g, pinn_graph_slice_cols(g, pinn_graph_input(g), 0, 1), 0.0, 1.0);
    int e = pinn_graph_unary(g, PINN_FN_EXP, 1.0, pinn_graph_scale_shift(g, pinn_graph_affine(g, one, S, -1), 1.0, s->rec.rwf_mean));
    return pinn_graph_mul(g, pinn_graph_affine(g, h, V, b), e);
}

void pinn_mlp_recipe_mask(const void *state, const pinn_graph *g, unsigned char *trainable) {
    const pinn_mlp_spec *s = state;
    if (s->rec.fourier <= 0 || s->rec.fourier_trainable) return;
    for (int i = 0; i < pinn_graph_nslices(g); i++) {
        const char *name;
        size_t off, size;
        pinn_graph_slice(g, i, &name, &off, &size);
        size_t n = strlen(name);
        if (n >= 4 && strcmp(name + n - 4, ".ffB") == 0) memset(trainable + off, 0, size);
    }
}
