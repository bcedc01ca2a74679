/* mlp.c - the multilayer perceptron as a jet graph, and the "mlp" model kind. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/mlp_recipe.h"
#include "pinnc/model.h"

void pinn_mlp_spec_default(pinn_mlp_spec *spec, int n_in, int n_out, int L, int width, pinn_fn f) {
    memset(spec, 0, sizeof *spec);
    spec->n_in = n_in;
    spec->n_out = n_out;
    spec->n_hidden = L < PINN_MLP_MAX_LAYERS ? L : PINN_MLP_MAX_LAYERS;
    for (int l = 0; l < spec->n_hidden; l++) {
        spec->hidden[l] = width;
        spec->act[l] = f;
        spec->act_p[l] = 1.0;
    }
    for (int i = 0; i < PINN_MAX_INPUTS; i++) {
        spec->lo[i] = -1.0;
        spec->hi[i] = 1.0;
    }
    spec->init = PINN_INIT_GLOROT_NORMAL;
    spec->prefix = "mlp";
}

/* Hidden layers l0..l1-1 of s on node h (width `width`), then, when n_out > 0, the output layer
 * (slice index l1); slices named "<pre>.W<l>", "<pre>.b<l>" (pinn_mlp_dense).  Returns the last node. */
static int mlp_layers(pinn_graph *g, int h, int width, const pinn_mlp_spec *s, int l0, int l1, int n_out, const char *pre) {
    char name[64];
    for (int l = l0; l < l1 || (n_out > 0 && l == l1); l++) {
        int out = l < l1 ? s->hidden[l] : n_out;
        if (s->ideas.on && l < l1) { /* ideas_mlp.c: ReLU^k branches, normalisation */
            int wo;
            int f = pinn_ideas_hidden(g, h, width, out, l, s->act[l], s->act_p[l], &s->ideas, pre, &wo);
            h = (s->residual && wo == width && l > 0) ? pinn_graph_add(g, h, f, 1.0, 1.0) : f;
            width = wo;
            continue;
        }
        snprintf(name, sizeof name, "%d", l);
        int a = pinn_mlp_dense(g, h, width, out, s, pre, name);
        if (l == l1) return a;
        int f = pinn_graph_unary(g, s->act[l], s->act_p[l], a);
        h = (s->residual && out == width && l > 0) ? pinn_graph_add(g, h, f, 1.0, 1.0) : f;
        width = out;
    }
    return h;
}

/* Layers: [normalise] -> (affine -> act [+ skip]) x L -> affine.  Weight slices are out x in.
 * Per field: the trunk (the first `shared` hidden layers) once, then per output column its own
 * remaining hidden layers and a one-column output layer; the columns are concatenated. */
int pinn_mlp_build(pinn_graph *g, int x, const pinn_mlp_spec *s) {
    if (s->n_hidden < 0 || s->n_hidden > PINN_MLP_MAX_LAYERS || s->n_out < 1 || s->n_in < 1 ||
        pinn_graph_width(g, x) != s->n_in || s->shared < 0)
        return pinn_graph_affine(g, -1, -1, -1); /* records an invalid-argument error */
    int h = x, width = s->n_in;
    const char *pre = s->prefix ? s->prefix : "mlp";
    if (pinn_mlp_embed_active(s)) {
        h = pinn_mlp_embed_build(g, x, s, &width);
    } else if (s->normalize) {
        double sc[PINN_MAX_INPUTS], sh[PINN_MAX_INPUTS];
        for (int i = 0; i < s->n_in && i < PINN_MAX_INPUTS; i++) {
            double span = s->hi[i] - s->lo[i];
            sc[i] = span != 0 ? 2.0 / span : 1.0;
            sh[i] = span != 0 ? -(s->hi[i] + s->lo[i]) / span : 0.0;
        }
        h = pinn_graph_colaffine(g, h, sc, sh);
    }
    if (s->rec.modified) return pinn_mlp_modified_build(g, h, width, s);
    if (!s->per_field || s->n_out == 1) return mlp_layers(g, h, width, s, 0, s->n_hidden, s->n_out, pre);
    int ns = s->shared < s->n_hidden ? s->shared : s->n_hidden;
    int trunk = mlp_layers(g, h, width, s, 0, ns, 0, pre);
    int tw = ns > 0 ? s->hidden[ns - 1] : width, acc = -1;
    char hp[48];
    for (int k = 0; k < s->n_out; k++) {
        snprintf(hp, sizeof hp, "%.30s.f%d", pre, k);
        int col = mlp_layers(g, trunk, tw, s, ns, s->n_hidden, 1, hp);
        acc = k == 0 ? col : pinn_graph_concat(g, acc, col);
    }
    return acc;
}

/* ---------------------------------------------------------------- the "mlp" kind */

/* activation: "tanh", "relu", "relu^3", "reluk" (k from the key k) */
static pinn_status read_activation(pinn_cfg *c, int node, pinn_fn *f, double *p, pinn_error *err) {
    char s[32];
    pinn_status st = pinn_cfg_str(c, node, "activation", "tanh", s, sizeof s, err);
    if (st) return st;
    int ia = pinn_cfg_find(c, node, "activation");
    static const char *form = "one of: tanh sin cos sigmoid swish silu softplus relu relu^k exp sinh cosh identity";
    char *caret = strchr(s, '^');
    if (caret) {
        char *end;
        long k = strtol(caret + 1, &end, 10);
        *caret = '\0';
        if (strcmp(s, "relu") || *end || k < 1 || k > 16)
            return pinn_cfg_expected(c, ia, "activation", "relu^k with an integer k in 1..16", err);
        *f = PINN_FN_RELUK;
        *p = (double)k;
        return PINN_OK;
    }
    int fi = pinn_fn_from_string(s);
    if (fi < 0 || fi == PINN_FN_POW || fi == PINN_FN_RECIP || fi == PINN_FN_LOG)
        return pinn_cfg_expected(c, ia, "activation", form, err);
    *f = (pinn_fn)fi;
    *p = 1.0;
    if (*f == PINN_FN_RELUK && pinn_cfg_find(c, node, "k") >= 0) {
        long k;
        if ((st = pinn_cfg_int(c, node, "k", 1, 16, 0, 1, &k, err))) return st;
        *p = (double)k;
    }
    return PINN_OK;
}

pinn_status pinn_mlp_spec_configure(pinn_mlp_spec *spec, pinn_cfg *c, int node, const pinn_model_info *info,
                                    pinn_error *err) {
    pinn_mlp_spec_default(spec, info->n_in, info->n_out, 0, 1, PINN_FN_TANH);
    pinn_status st;
    int ih = pinn_cfg_find(c, node, "hidden");
    if (pinn_cfg_type_of(c, ih) == PINN_CFG_MAP) { /* {layers: L, width: W} */
        static const char *const hk[] = {"layers", "width", NULL};
        long L, W;
        if ((st = pinn_cfg_check_keys(c, ih, hk, err)) || (st = pinn_cfg_int(c, ih, "layers", 0, PINN_MLP_MAX_LAYERS, 1, 4, &L, err)) ||
            (st = pinn_cfg_int(c, ih, "width", 1, 100000, 1, 50, &W, err)))
            return st;
        spec->n_hidden = (int)L;
        for (int l = 0; l < spec->n_hidden; l++) spec->hidden[l] = (int)W;
    } else {
        static const int def[4] = {50, 50, 50, 50};
        if ((st = pinn_cfg_int_list(c, node, "hidden", 1, 1000000, PINN_MLP_MAX_LAYERS, def, 4, spec->hidden, &spec->n_hidden, err)))
            return st;
    }
    pinn_fn f = PINN_FN_TANH;
    double p = 1.0;
    if ((st = read_activation(c, node, &f, &p, err))) return st;
    for (int l = 0; l < spec->n_hidden; l++) spec->act[l] = f, spec->act_p[l] = p;
    const char *inits[2] = {pinn_init_to_string(PINN_INIT_GLOROT_NORMAL), pinn_init_to_string(PINN_INIT_GLOROT_UNIFORM)};
    int ik;
    if ((st = pinn_cfg_bool(c, node, "residual", 1, 0, &spec->residual, err)) ||
        (st = pinn_cfg_bool(c, node, "normalize", 1, 1, &spec->normalize, err)) ||
        (st = pinn_cfg_choice(c, node, "init", inits, 2, 0, &ik, err)))
        return st;
    spec->init = ik == 0 ? PINN_INIT_GLOROT_NORMAL : PINN_INIT_GLOROT_UNIFORM;
    for (int i = 0; i < info->n_in && i < PINN_MAX_INPUTS; i++) spec->lo[i] = info->lo[i], spec->hi[i] = info->hi[i];
    return PINN_OK;
}

static pinn_status mlp_configure(void *state, pinn_cfg *c, int node, const pinn_model_info *info, pinn_error *err) {
    static const char *const keys[] = {PINN_MODEL_COMMON_KEYS, "hidden", "activation", "k", "residual", "normalize", "init",
                                       "per_field", "shared", "ideas", PINN_MLP_RECIPE_KEYS, NULL};
    pinn_mlp_spec *s = state;
    pinn_status st = pinn_cfg_check_keys(c, node, keys, err);
    if (!st) st = pinn_mlp_spec_configure(s, c, node, info, err);
    /* per_field and shared are resolved (stored) only when given, so that the resolved section of
     * a plain MLP stays as it was */
    long sh = 0;
    if (!st && pinn_cfg_find(c, node, "per_field") >= 0) st = pinn_cfg_bool(c, node, "per_field", 1, 0, &s->per_field, err);
    if (!st && pinn_cfg_find(c, node, "shared") >= 0) {
        st = pinn_cfg_int(c, node, "shared", 0, s->n_hidden, 1, 0, &sh, err);
        if (!st && !s->per_field)
            st = pinn_cfg_expected(c, pinn_cfg_find(c, node, "shared"), "shared", "shared together with per_field: true", err);
    }
    s->shared = (int)sh;
    if (!st) st = pinn_ideas_configure(&s->ideas, c, node, err);
    s->ideas.init = s->init;
    if (!st) st = pinn_mlp_recipe_configure(s, c, node, info, err);
    if (!st && s->rec.modified && s->per_field)
        st = pinn_cfg_expected(c, pinn_cfg_find(c, node, "modified"), "modified", "false with per_field: true", err);
    if (!st && s->rec.modified && (s->ideas.on || s->ideas.vq_codes))
        st = pinn_cfg_expected(c, pinn_cfg_find(c, node, "modified"), "modified", "false with the ideas options", err);
    return st;
}

static pinn_status mlp_build(void *state, pinn_graph *g, int x, const pinn_model_info *info, pinn_model_out *out,
                             pinn_error *err) {
    (void)info, (void)err;
    pinn_mlp_spec *s = state;
    s->prefix = "mlp";
    if (s->ideas.vq_codes) pinn_ideas_vq_build(g, x, s, out); /* ideas_mlp.c */
    else out->fields = pinn_mlp_build(g, x, s);
    return PINN_OK; /* a builder error is recorded in the graph */
}

static pinn_status mlp_diagnostics(void *state, const pinn_graph *g, const pinn_real *params, size_t n, const pinn_real *x,
                                   const pinn_model_sink *sink, pinn_error *err) {
    return pinn_ideas_diagnostics(state, g, params, n, x, sink, err);
}

const pinn_model_ops pinn_model_mlp_ops = {.kind = "mlp", .state_size = sizeof(pinn_mlp_spec), .configure = mlp_configure, .build = mlp_build,
                                           .diagnostics = mlp_diagnostics, .param_mask = pinn_mlp_recipe_mask};
