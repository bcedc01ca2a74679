/* elm_fbpinn.c - the "elm_fbpinn" kind: an extreme learning machine in each subdomain of an
 * overlapping decomposition (ELM-FBPINN, Anderson, Dolean, Moseley & Pestana 2024):
 * u(x) = sum_levels sum_j w_j(x) sum_k a_jk phi_jk(x) (per level a partition of unity by default),
 * with phi_jk random features of fixed weights (or a polynomial basis) on the subdomain's
 * normalised coordinates, built on the point-subset op (pinnc/subnets.h) so each point costs only
 * the subdomains covering it.  Only the output layers a_jk train; the least-squares assembly gets
 * their layout from linear_cover (columns per subdomain, colours that never share a point). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/elm.h"
#include "pinnc/subnets.h"

#define EF_MAX_LEVELS 8

typedef struct ef_level {
    int grid[PINN_MAX_INPUTS];
    int m[PINN_MAX_INPUTS]; /* colour classes per input: instances m apart never overlap */
    int J, n_classes;
    size_t inst_off, per;   /* instance j's parameters at inst_off + j * per */
    size_t col0;            /* first column of the level */
    int color0;
    size_t wide_off, wide_per; /* the wide assembly graph's instance layout */
} ef_level;

typedef struct ef_state {
    elm_basis b;
    int n_in, n_out;
    int sub[PINN_MAX_INPUTS]; /* subdomains per input on the finest level */
    long levels;
    double level_factor, overlap, steep;
    int window, unity;
    ef_level lv[EF_MAX_LEVELS];
    size_t tw, tb;            /* offsets of W_out and b_out inside an instance */
    int ncoef;                /* n_out * (n_basis + 1) per instance */
    const pinn_graph *g;
    size_t *param;
    int *field, *color;
    int64_t *bptr;
    int n_blocks;
    size_t n_cols;
    int n_colors, max_touch;
    double lo[PINN_MAX_INPUTS], hi[PINN_MAX_INPUTS];
    /* the wide basis of the assembly (built with the cover) */
    pinn_graph *wide;
    size_t wide_tw, wide_tb;
    int *wide_pass, *wide_chan;
    int n_pass;
} ef_state;

static pinn_status ef_configure(void *state, pinn_cfg *c, int node, const pinn_model_info *info, pinn_error *err) {
    static const char *const keys[] = {PINN_MODEL_COMMON_KEYS, ELM_BASIS_KEYS, "subdomains", "overlap", "levels",
                                       "level_factor", "window", "steepness", "unity", NULL};
    static const char *const windows[3] = {"cosine", "one", "sigmoid"};
    ef_state *s = state;
    s->n_in = info->n_in, s->n_out = info->n_out;
    pinn_status st = pinn_cfg_check_keys(c, node, keys, err);
    if (!st) st = elm_basis_configure(&s->b, c, node, 16, info->n_in, err);
    if (st) return st;
    int is = pinn_cfg_find(c, node, "subdomains"), n = 0;
    int def[PINN_MAX_INPUTS];
    for (int i = 0; i < info->n_in; i++) def[i] = 10;
    if (pinn_cfg_type_of(c, is) == PINN_CFG_SCALAR) { /* one count for every input */
        long J;
        if ((st = pinn_cfg_int(c, node, "subdomains", 1, 1000000, 0, 0, &J, err))) return st;
        for (int i = 0; i < info->n_in; i++) s->sub[i] = (int)J;
        n = info->n_in;
    } else if ((st = pinn_cfg_int_list(c, node, "subdomains", 1, 1000000, PINN_MAX_INPUTS, def, info->n_in, s->sub, &n, err)))
        return st;
    if (n != info->n_in) {
        char form[96];
        snprintf(form, sizeof form, "a count, or a list of %d counts (one per coordinate)", info->n_in);
        return pinn_cfg_expected(c, is, "subdomains", form, err);
    }
    if ((st = pinn_cfg_real(c, node, "overlap", 1.0 + 1e-9, 16, 1, 2.0, &s->overlap, err)) ||
        (st = pinn_cfg_int(c, node, "levels", 1, EF_MAX_LEVELS, 1, 1, &s->levels, err)) ||
        (st = pinn_cfg_real(c, node, "level_factor", 1.0 + 1e-9, 1e6, 1, 2.0, &s->level_factor, err)) ||
        (st = pinn_cfg_choice(c, node, "window", windows, 3, 0, &s->window, err)) ||
        (st = pinn_cfg_real(c, node, "steepness", 1e-3, 1e6, 1, 20.0, &s->steep, err)) ||
        (st = pinn_cfg_bool(c, node, "unity", 1, 1, &s->unity, err)))
        return st;
    double total = 0;
    for (int l = 0; l < s->levels; l++) {
        double f = pow(s->level_factor, (double)(s->levels - 1 - l)), J = 1;
        for (int i = 0; i < info->n_in; i++) {
            int g = (int)ceil(s->sub[i] / f - 1e-9);
            s->lv[l].grid[i] = g < 1 ? 1 : g;
            J *= s->lv[l].grid[i];
        }
        total += J * (s->b.n_basis + 1) * info->n_out;
    }
    if (total > 2e8)
        return pinn_cfg_expected(c, is, "subdomains", "at most 2e8 coefficients over all subdomains and levels", err);
    return PINN_OK;
}

/* Appends the levels of subnets ops over node x of g, each instance's output layer n_wide wide
 * (n_out for the model; the basis size + 1 for the wide assembly graph).  The model's own build
 * (wide == 0) records the layout in s; the wide one its offsets in s->wide_*.  Returns the sum
 * node, or -1 with the error in err or the graph. */
static int ef_levels(ef_state *s, pinn_graph *g, int x, int n_wide, int wide, pinn_status *st, pinn_error *err) {
    int sum = -1;
    *st = PINN_OK;
    for (int l = 0; l < s->levels; l++) {
        ef_level *L = &s->lv[l];
        pinn_graph *net = NULL;
        if ((*st = pinn_graph_init(&net, s->n_in, err))) return -1;
        int sw, sb;
        pinn_graph_set_output(net, elm_basis_build(net, pinn_graph_input(net), s->n_in, n_wide, &s->b, "elm", &sw, &sb));
        pinn_error e;
        if ((*st = pinn_graph_status(net, &e))) {
            pinn_graph_free(net);
            *st = pinn_error_set(err, *st, "elm_fbpinn: %s", e.msg);
            return -1;
        }
        pinn_graph_slice(net, sw, NULL, wide ? &s->wide_tw : &s->tw, NULL);
        pinn_graph_slice(net, sb, NULL, wide ? &s->wide_tb : &s->tb, NULL);
        pinn_subnets_spec spec;
        pinn_subnets_spec_grid(&spec, net, s->n_in, L->grid, s->lo, s->hi, s->overlap);
        char prefix[16];
        snprintf(prefix, sizeof prefix, "l%d.sub", l);
        spec.prefix = prefix;
        spec.window = s->window == 0 ? PINN_WINDOW_COSINE : s->window == 1 ? PINN_WINDOW_ONE : PINN_WINDOW_SIGMOID;
        spec.window_steep = s->steep;
        spec.unity = s->unity;
        if (!wide) {
            L->n_classes = 1;
            for (int i = 0; i < s->n_in; i++) {
                int m = L->grid[i] > 1 ? (int)ceil(2 * spec.radius[i] / spec.dc[i] - 1e-9) : 1;
                L->m[i] = m < 1 ? 1 : m > L->grid[i] ? L->grid[i] : m;
                L->n_classes *= L->m[i];
            }
        }
        int node = pinn_graph_subnets(g, x, &spec); /* takes net over */
        if (node < 0) return -1;                     /* the error is in the graph */
        int k = pinn_graph_subnets_count(g) - 1;
        if (wide) L->wide_off = pinn_graph_subnets_params(g, k, &L->wide_per);
        else {
            L->J = pinn_graph_subnets_instances(g, k);
            L->inst_off = pinn_graph_subnets_params(g, k, &L->per);
        }
        sum = l ? pinn_graph_add(g, sum, node, 1.0, 1.0) : node;
    }
    return sum;
}

static pinn_status ef_build(void *state, pinn_graph *g, int x, const pinn_model_info *info, pinn_model_out *out,
                            pinn_error *err) {
    ef_state *s = state;
    s->g = g;
    for (int i = 0; i < info->n_in; i++) s->lo[i] = info->lo[i], s->hi[i] = info->hi[i];
    pinn_status st;
    int sum = ef_levels(s, g, x, info->n_out, 0, &st, err);
    if (st) return st;
    s->ncoef = s->n_out * (s->b.n_basis + 1);
    out->fields = sum;
    return PINN_OK;
}

/* Flat parameter of coefficient q (W_out entries f * n_basis + k, then b_out[f]) of instance j. */
static size_t ef_param(const ef_state *s, const ef_level *L, int j, int q) {
    int K = s->b.n_basis, nW = s->n_out * K;
    size_t base = L->inst_off + (size_t)j * L->per;
    return q < nW ? base + s->tw + (size_t)q : base + s->tb + (size_t)(q - nW);
}

static void ef_mask(const void *state, const pinn_graph *g, unsigned char *trainable) {
    const ef_state *s = state;
    memset(trainable, 0, pinn_graph_nparams(g));
    for (int l = 0; l < s->levels; l++)
        for (int j = 0; j < s->lv[l].J; j++)
            for (int q = 0; q < s->ncoef; q++) trainable[ef_param(s, &s->lv[l], j, q)] = 1;
}

static int ef_touching(const void *ctx, const pinn_real *x, int *cols) {
    const ef_state *s = ctx;
    int n = 0, inst[512];
    for (int l = 0; l < s->levels; l++) {
        const ef_level *L = &s->lv[l];
        int m = pinn_graph_subnets_locate(s->g, l, x, inst, 512);
        if (m > 512) m = 512;
        for (int i = 0; i < m; i++)
            for (int q = 0; q < s->ncoef; q++) cols[n++] = (int)(L->col0 + (size_t)inst[i] * (size_t)s->ncoef + (size_t)q);
    }
    return n;
}

/* Colour class of instance j of level L: its grid index modulo m per input. */
static int ef_class(const ef_state *s, const ef_level *L, int j) {
    int cls = 0, rest = j, gi[PINN_MAX_INPUTS];
    for (int i = s->n_in - 1; i >= 0; i--) gi[i] = rest % L->grid[i], rest /= L->grid[i];
    for (int i = 0; i < s->n_in; i++) cls = cls * L->m[i] + gi[i] % L->m[i];
    return cls;
}

/* The wide graph's parameters for pass (level, class): every instance's hidden layers copied from
 * the model's P; the output layer the identity (channel k = basis function k, channel K = the
 * constant) on the instances of that level and class, zero on all others. */
static void ef_wide_params(const void *ctx, const pinn_real *P, int pass, pinn_real *P2) {
    const ef_state *s = ctx;
    int K = s->b.n_basis, K1 = K + 1, pass0 = 0;
    for (int l = 0; l < s->levels; l++) {
        const ef_level *L = &s->lv[l];
        int cls = pass - pass0;
        for (int j = 0; j < L->J; j++) {
            pinn_real *dst = P2 + L->wide_off + (size_t)j * L->wide_per;
            memcpy(dst, P + L->inst_off + (size_t)j * L->per, sizeof(pinn_real) * s->tw);
            pinn_real *W = dst + s->wide_tw, *b = dst + s->wide_tb;
            memset(W, 0, sizeof(pinn_real) * (size_t)K1 * (size_t)K);
            memset(b, 0, sizeof(pinn_real) * (size_t)K1);
            if (cls >= 0 && cls < L->n_classes && ef_class(s, L, j) == cls) {
                for (int k = 0; k < K; k++) W[(size_t)k * K + k] = 1;
                b[K] = 1;
            }
        }
        pass0 += L->n_classes;
    }
}

/* The wide assembly graph (the model's levels with K + 1 outputs per instance), when the
 * parameter layout allows copying the hidden layers (they precede the output layer); else none. */
static pinn_status ef_make_wide(ef_state *s, pinn_error *err) {
    int K = s->b.n_basis, K1 = K + 1;
    if (s->tb != s->tw + (size_t)s->n_out * K || s->lv[0].per != s->tb + (size_t)s->n_out) return PINN_OK;
    pinn_status st = pinn_graph_init(&s->wide, s->n_in, err);
    if (st) return st;
    int sum = ef_levels(s, s->wide, pinn_graph_input(s->wide), K1, 1, &st, err);
    if (st) return st;
    pinn_graph_set_output(s->wide, sum);
    pinn_error e;
    if (pinn_graph_status(s->wide, &e) || s->wide_tw != s->tw || s->wide_tb != s->tw + (size_t)K1 * K ||
        s->lv[0].wide_per != s->wide_tb + (size_t)K1) {
        pinn_graph_free(s->wide); /* a layout this fast path does not know: the colour passes */
        s->wide = NULL;
    }
    return PINN_OK;
}

/* Columns level by level, instance by instance, coefficient by coefficient; the colour of
 * (level, j, q): the level's colour block, j's class (its grid index modulo m per input), then the
 * basis function (a colour sets one basis function in every field). */
static pinn_status ef_cover(void *state, const pinn_graph *g, pinn_lin_cover *cv, pinn_error *err) {
    ef_state *s = state;
    int K1 = s->b.n_basis + 1, K = s->b.n_basis;
    if (!s->param) {
        size_t n = 0;
        int colors = 0, touch = 0;
        for (int l = 0; l < s->levels; l++) {
            s->lv[l].col0 = n, s->lv[l].color0 = colors;
            n += (size_t)s->lv[l].J * (size_t)s->ncoef;
            colors += s->lv[l].n_classes * K1;
            touch += pinn_graph_subnets_max_cover(g, l) * s->ncoef;
        }
        if (n > 0x7fffffff) return pinn_error_set(err, PINN_ERR_UNSUPPORTED, "elm_fbpinn: %zu coefficients (at most 2^31)", n);
        s->param = malloc(sizeof(size_t) * n);
        s->field = malloc(sizeof(int) * n);
        s->color = malloc(sizeof(int) * n);
        s->n_blocks = (int)(n / (size_t)s->ncoef);
        s->bptr = malloc(sizeof(int64_t) * ((size_t)s->n_blocks + 1));
        if (!s->param || !s->field || !s->color || !s->bptr) return pinn_error_set(err, PINN_ERR_NOMEM, "out of memory");
        for (int b = 0; b <= s->n_blocks; b++) s->bptr[b] = (int64_t)b * s->ncoef;
        s->wide_pass = malloc(sizeof(int) * n);
        s->wide_chan = malloc(sizeof(int) * n);
        if (!s->wide_pass || !s->wide_chan) return pinn_error_set(err, PINN_ERR_NOMEM, "out of memory");
        int pass0 = 0;
        for (int l = 0; l < s->levels; l++) {
            const ef_level *L = &s->lv[l];
            for (int j = 0; j < L->J; j++) {
                int cls = ef_class(s, L, j);
                for (int q = 0; q < s->ncoef; q++) {
                    size_t c = L->col0 + (size_t)j * (size_t)s->ncoef + (size_t)q;
                    int nW = s->n_out * K, k = q < nW ? q % (K ? K : 1) : K;
                    s->param[c] = ef_param(s, L, j, q);
                    s->field[c] = q < nW ? q / (K ? K : 1) : q - nW;
                    s->color[c] = L->color0 + cls * K1 + k;
                    s->wide_pass[c] = pass0 + cls;
                    s->wide_chan[c] = k;
                }
            }
            pass0 += L->n_classes;
        }
        s->n_cols = n, s->n_colors = colors, s->max_touch = touch, s->n_pass = pass0;
        pinn_status st = ef_make_wide(s, err);
        if (st) return st;
    }
    cv->n_cols = s->n_cols;
    cv->param = s->param, cv->field = s->field, cv->color = s->color;
    cv->n_colors = s->n_colors;
    cv->max_touch = s->max_touch;
    cv->n_blocks = s->n_blocks, cv->block_ptr = s->bptr;
    cv->touching = ef_touching;
    cv->ctx = s;
    if (s->wide) {
        cv->wide = s->wide;
        cv->wide_w = K1;
        cv->n_wide_passes = s->n_pass;
        cv->wide_np = pinn_graph_nparams(s->wide);
        cv->wide_pass = s->wide_pass, cv->wide_chan = s->wide_chan;
        cv->wide_params = ef_wide_params;
    }
    return PINN_OK;
}

static void ef_release(void *state) {
    ef_state *s = state;
    free(s->param), free(s->field), free(s->color), free(s->bptr);
    free(s->wide_pass), free(s->wide_chan);
    pinn_graph_free(s->wide);
}

const pinn_model_ops pinn_model_elm_fbpinn_ops = {.kind = "elm_fbpinn", .state_size = sizeof(ef_state),
                                                  .configure = ef_configure, .build = ef_build, .param_mask = ef_mask,
                                                  .release = ef_release, .linear_cover = ef_cover};
