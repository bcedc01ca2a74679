/* fbpinn.c - the "fbpinn" model kind (finite-basis PINNs, Moseley et al.; multilevel: Dolean et al.):
 * u(x) = scale / L * sum_levels sum_j w_j(x) NN_j((x - c_j) / r_j) / sum_k w_k(x), each level one
 * point-subset op (pinnc/subnets.h) over a grid of overlapping boxes (or explicit boxes), one small
 * MLP per subdomain.  Also: the coverage check of the decomposition, the collocation-point order
 * hook (points sorted by subdomain cell), time scheduling (a sweep of active subdomains along
 * coordinates, advanced by the step count) and the decomposition as diagnostics arrays.
 * Equations in docs/fbpinn.md. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pinnc/model.h"
#include "pinnc/subnets.h"

#define FB_MAX_LEVELS 8
#define FB_MAX_BOXES 64 /* explicit boxes: each is two list nodes of the configuration tree */
#define FB_CHECK_POINTS 2000000

enum { SCHED_ALL = 0, SCHED_SWEEP, SCHED_COUNT };
static const char *const sched_names[SCHED_COUNT] = {"all_active", "sweep"};

typedef struct fb_state {
    pinn_mlp_spec net;                        /* the per-subdomain network (normalize off) */
    int d, n_out, n_levels;
    int grid[FB_MAX_LEVELS][PINN_MAX_INPUTS]; /* subdomains per coordinate, per level */
    int n_boxes;                              /* explicit boxes (one level) instead of grids */
    double box_c[FB_MAX_BOXES * PINN_MAX_INPUTS], box_r[FB_MAX_BOXES * PINN_MAX_INPUTS];
    double overlap, scale;
    double lo[PINN_MAX_INPUTS], hi[PINN_MAX_INPUTS];
    int window, unity;
    double steep; /* sigmoid window steepness */
    char file[512];
    int line_decomp; /* the line of the decomposition keys, for coverage errors */
    /* schedule */
    int sched;
    int n_along, along[PINN_MAX_INPUTS];
    double from[PINN_MAX_INPUTS], layer_w;
    long n_active, steps, first; /* steps per stage; steps of the first stage */
    int passed; /* state of the subdomains the sweep has passed: PINN_SUBNET_FIXED or _ACTIVE */
    int drop_partial; /* points an inactive subdomain also covers are left out (partial: drop) */
    int restart;      /* restart Adam's moments at each stage change */
    int restart_due;  /* a stage change since the last restart_optimizer call */
    /* after build */
    pinn_graph *g;
    int op0;                 /* the first subnets op of this model in g */
    int *layer;              /* [J] sweep layer of each subdomain (level 0) */
    int n_layers, n_stages;
    long stage;              /* the stage the states show (-1: none set yet) */
    pinn_real *frozen;       /* [J * per] parameters of subdomains that are not active */
    unsigned char *parked;   /* [J] fixed subdomains whose supports meet no active one: inactive in the
                                loss passes (their points have no gradient), fixed when evaluated */
    char prefix[FB_MAX_LEVELS][16];
} fb_state;

static pinn_status fail_line(const fb_state *s, const pinn_cfg *c, int node, pinn_error *err, const char *fmt, const char *what) {
    return pinn_error_set(err, PINN_ERR_INVALID, "%s:%d: model (fbpinn): %s%s", c ? c->file : s->file,
                          c ? pinn_cfg_line(c, node) : s->line_decomp, fmt, what ? what : "");
}

/* A list of numbers (or one number) at node into out[max]; *n: how many. */
static pinn_status num_list(const pinn_cfg *c, int node, const char *key, int max, double *out, int *n, pinn_error *err) {
    char form[80];
    snprintf(form, sizeof form, "a number or a list of at most %d numbers", max);
    int t = pinn_cfg_type_of(c, node);
    *n = 0;
    if (t == PINN_CFG_SCALAR) {
        char *end;
        const char *txt = pinn_cfg_text(c, node);
        out[0] = strtod(txt, &end);
        if (end == txt || *end || !isfinite(out[0])) return pinn_cfg_expected(c, node, key, form, err);
        *n = 1;
        return PINN_OK;
    }
    if (t != PINN_CFG_SEQ || pinn_cfg_count(c, node) > max || pinn_cfg_count(c, node) < 1)
        return pinn_cfg_expected(c, node, key, form, err);
    for (int i = 0; i < pinn_cfg_count(c, node); i++) {
        int it = pinn_cfg_item(c, node, i);
        const char *txt = pinn_cfg_text(c, it);
        char *end;
        if (!txt) return pinn_cfg_expected(c, it, key, "a number", err);
        out[i] = strtod(txt, &end);
        if (end == txt || *end || !isfinite(out[i])) return pinn_cfg_expected(c, it, key, "a number", err);
        (*n)++;
    }
    return PINN_OK;
}

/* Subdomain counts per coordinate from node (a number: every coordinate; a list of d). */
static pinn_status counts(const fb_state *s, const pinn_cfg *c, int node, const char *key, int *out, pinn_error *err) {
    double v[PINN_MAX_INPUTS];
    int n;
    char form[96];
    snprintf(form, sizeof form, "a positive integer, or a list of %d (one per coordinate)", s->d);
    if (num_list(c, node, key, PINN_MAX_INPUTS, v, &n, err) || (n != 1 && n != s->d))
        return pinn_cfg_expected(c, node, key, form, err);
    for (int i = 0; i < s->d; i++) {
        double x = v[n == 1 ? 0 : i];
        if (!(x >= 1 && x <= 1 << 20) || x != floor(x)) return pinn_cfg_expected(c, node, key, form, err);
        out[i] = (int)x;
    }
    return PINN_OK;
}

static pinn_status read_decomposition(fb_state *s, pinn_cfg *c, int node, pinn_error *err) {
    int isub = pinn_cfg_find(c, node, "subdomains"), ilev = pinn_cfg_find(c, node, "levels");
    int icen = pinn_cfg_find(c, node, "centres"), iwid = pinn_cfg_find(c, node, "widths");
    pinn_status st;
    if ((isub >= 0) + (ilev >= 0) + (icen >= 0 || iwid >= 0) > 1)
        return fail_line(s, c, isub >= 0 ? isub : ilev, err,
                         "give one of subdomains (one level), levels (several) or centres with widths (boxes)", NULL);
    s->line_decomp = pinn_cfg_line(c, node);
    if (icen >= 0 || iwid >= 0) {
        if (icen < 0 || iwid < 0) return fail_line(s, c, icen >= 0 ? icen : iwid, err, "explicit boxes need both centres and widths", NULL);
        s->line_decomp = pinn_cfg_line(c, icen);
        int nb = pinn_cfg_count(c, icen);
        if (pinn_cfg_type_of(c, icen) != PINN_CFG_SEQ || nb < 1 || nb > FB_MAX_BOXES)
            return pinn_cfg_expected(c, icen, "centres", "a list of 1 to 64 centres (a number, or a list of one per coordinate)", err);
        int wn = pinn_cfg_type_of(c, iwid) == PINN_CFG_SEQ ? pinn_cfg_count(c, iwid) : 0;
        if (wn != nb && wn != 1)
            return pinn_cfg_expected(c, iwid, "widths", "a list of support widths, one per centre (or one for all)", err);
        for (int b = 0; b < nb; b++) {
            double v[PINN_MAX_INPUTS], w[PINN_MAX_INPUTS];
            int n, m;
            int ic = pinn_cfg_item(c, icen, b), iw = pinn_cfg_item(c, iwid, wn == 1 ? 0 : b);
            if ((st = num_list(c, ic, "centres", PINN_MAX_INPUTS, v, &n, err)) || (st = num_list(c, iw, "widths", PINN_MAX_INPUTS, w, &m, err)))
                return st;
            if (n != s->d) return pinn_cfg_expected(c, ic, "centres", "one number per coordinate", err);
            if (m != 1 && m != s->d) return pinn_cfg_expected(c, iw, "widths", "a width, or one per coordinate", err);
            for (int i = 0; i < s->d; i++) {
                double wi = w[m == 1 ? 0 : i];
                if (!(wi > 0)) return pinn_cfg_expected(c, iw, "widths", "positive widths (full support widths)", err);
                s->box_c[b * s->d + i] = v[i];
                s->box_r[b * s->d + i] = 0.5 * wi;
            }
        }
        s->n_boxes = nb;
        s->n_levels = 1;
        return PINN_OK;
    }
    if (ilev >= 0) {
        int nl = pinn_cfg_count(c, ilev);
        if (pinn_cfg_type_of(c, ilev) != PINN_CFG_SEQ || nl < 1 || nl > FB_MAX_LEVELS)
            return pinn_cfg_expected(c, ilev, "levels", "a list of 1 to 8 levels, each subdomain counts (e.g. [1, 2, 4, 8])", err);
        s->line_decomp = pinn_cfg_line(c, ilev);
        for (int l = 0; l < nl; l++)
            if ((st = counts(s, c, pinn_cfg_item(c, ilev, l), "levels", s->grid[l], err))) return st;
        s->n_levels = nl;
    } else {
        if (isub < 0) isub = pinn_cfg_set(c, node, "subdomains", "4");
        if ((st = counts(s, c, isub, "subdomains", s->grid[0], err))) return st;
        s->line_decomp = pinn_cfg_line(c, isub);
        s->n_levels = 1;
    }
    int iov = pinn_cfg_find(c, node, "overlap");
    if ((st = pinn_cfg_real(c, node, "overlap", -1e300, 1e300, 1, 2.0, &s->overlap, err))) return st;
    if (!(s->overlap > 1))
        return fail_line(s, c, iov >= 0 ? iov : node, err,
                         "overlap (support width / centre spacing) must be > 1: with overlap <= 1 the points between "
                         "the supports of neighbouring subdomains are covered by none",
                         NULL);
    if (s->overlap > 64) return pinn_cfg_expected(c, iov, "overlap", "a number in (1, 64]", err);
    return PINN_OK;
}

static pinn_status read_schedule(fb_state *s, pinn_cfg *c, int node, const pinn_model_info *info, pinn_error *err) {
    int is = pinn_cfg_find(c, node, "schedule");
    s->sched = SCHED_ALL;
    if (is < 0) return PINN_OK;
    int kn = pinn_cfg_type_of(c, is) == PINN_CFG_SCALAR ? is : pinn_cfg_find(c, is, "kind");
    const char *kind = kn >= 0 ? pinn_cfg_text(c, kn) : NULL;
    if (!kind || (strcmp(kind, sched_names[0]) && strcmp(kind, sched_names[1])))
        return pinn_cfg_expected(c, kn >= 0 ? kn : is, "schedule", "all_active, or {kind: sweep, along: [t], active: 2, steps: 1000}", err);
    if (!strcmp(kind, sched_names[0])) return PINN_OK;
    if (pinn_cfg_type_of(c, is) != PINN_CFG_MAP)
        return pinn_cfg_expected(c, is, "schedule", "{kind: sweep, along: [coordinates], active: N, steps: S}", err);
    static const char *const keys[] = {"kind", "along", "from", "active", "steps", "passed", "layer", "partial", "first", "restart", NULL};
    pinn_status st = pinn_cfg_check_keys(c, is, keys, err);
    if (st) return st;
    s->sched = SCHED_SWEEP;
    if (s->n_levels > 1 || s->n_boxes) return fail_line(s, c, is, err, "schedule: a sweep needs one level of grid subdomains", NULL);
    int ia = pinn_cfg_find(c, is, "along");
    if (ia < 0) {
        ia = pinn_cfg_add(c, is, "along", PINN_CFG_SEQ, NULL, 0);
        pinn_cfg_add(c, ia, NULL, PINN_CFG_SCALAR, info->coords[info->time >= 0 ? info->time : 0], 0);
    }
    int na = pinn_cfg_type_of(c, ia) == PINN_CFG_SEQ ? pinn_cfg_count(c, ia) : 0;
    if (na < 1 || na > s->d) return pinn_cfg_expected(c, ia, "schedule.along", "a list of coordinate names", err);
    for (int a = 0; a < na; a++) {
        const char *nm = pinn_cfg_text(c, pinn_cfg_item(c, ia, a));
        int k = -1;
        for (int i = 0; nm && i < s->d; i++)
            if (!strcmp(nm, info->coords[i])) k = i;
        if (k < 0) return pinn_cfg_expected(c, pinn_cfg_item(c, ia, a), "schedule.along", "a coordinate name", err);
        s->along[a] = k;
    }
    s->n_along = na;
    int ifr = pinn_cfg_find(c, is, "from");
    if (ifr >= 0) {
        int n;
        if ((st = num_list(c, ifr, "schedule.from", PINN_MAX_INPUTS, s->from, &n, err))) return st;
        if (n != na) return pinn_cfg_expected(c, ifr, "schedule.from", "one number per coordinate in along", err);
    } else
        for (int a = 0; a < na; a++) s->from[a] = s->lo[s->along[a]];
    /* default layer width: the smallest centre spacing along the sweep */
    double wdef = INFINITY;
    for (int a = 0; a < na; a++) {
        int k = s->along[a], m = s->grid[0][k];
        double dc = m > 1 ? (s->hi[k] - s->lo[k]) / (m - 1) : s->hi[k] - s->lo[k];
        if (dc < wdef) wdef = dc;
    }
    int passed, keep;
    static const char *const pnames[2] = {"fixed", "active"}, *const qnames[2] = {"drop", "keep"};
    if ((st = pinn_cfg_int(c, is, "active", 1, 1 << 20, 1, 2, &s->n_active, err)) ||
        (st = pinn_cfg_int(c, is, "steps", 1, 0x7fffffffL, 1, 1000, &s->steps, err)) ||
        (st = pinn_cfg_int(c, is, "first", 1, 0x7fffffffL, 1, s->steps, &s->first, err)) ||
        (st = pinn_cfg_real(c, is, "layer", 1e-300, 1e300, 1, wdef, &s->layer_w, err)) ||
        (st = pinn_cfg_choice(c, is, "passed", pnames, 2, 0, &passed, err)) ||
        (st = pinn_cfg_choice(c, is, "partial", qnames, 2, 0, &keep, err)) ||
        (st = pinn_cfg_bool(c, is, "restart", 1, 0, &s->restart, err)))
        return st;
    s->passed = passed == 0 ? PINN_SUBNET_FIXED : PINN_SUBNET_ACTIVE;
    s->drop_partial = !keep;
    return PINN_OK;
}

static pinn_status fb_configure(void *state, pinn_cfg *c, int node, const pinn_model_info *info, pinn_error *err) {
    static const char *const keys[] = {PINN_MODEL_COMMON_KEYS, "subdomains", "overlap", "levels", "centres", "widths", "window",
                                       "steepness", "hidden", "activation", "k", "residual", "normalize", "init", "unity", "scale",
                                       "schedule", NULL};
    fb_state *s = state;
    pinn_status st = pinn_cfg_check_keys(c, node, keys, err);
    if (st) return st;
    s->d = info->n_in, s->n_out = info->n_out;
    snprintf(s->file, sizeof s->file, "%s", c->file);
    for (int i = 0; i < s->d; i++) s->lo[i] = info->lo[i], s->hi[i] = info->hi[i];
    /* the subdomain network: its inputs are normalised per subdomain by the op */
    if (pinn_cfg_find(c, node, "normalize") < 0) pinn_cfg_set(c, node, "normalize", "false");
    if (pinn_cfg_find(c, node, "hidden") < 0) {
        int h = pinn_cfg_add(c, node, "hidden", PINN_CFG_SEQ, NULL, 0);
        pinn_cfg_add(c, h, NULL, PINN_CFG_SCALAR, "16", 0);
    }
    if ((st = pinn_mlp_spec_configure(&s->net, c, node, info, err))) return st;
    if (s->net.normalize)
        return fail_line(s, c, pinn_cfg_find(c, node, "normalize"), err,
                         "normalize: each subdomain's inputs are mapped to [-1, 1] over its support already; leave it false", NULL);
    if ((st = read_decomposition(s, c, node, err))) return st;
    const char *wn[3] = {pinn_window_to_string(PINN_WINDOW_COSINE), pinn_window_to_string(PINN_WINDOW_ONE),
                         pinn_window_to_string(PINN_WINDOW_SIGMOID)};
    const pinn_window wk[3] = {PINN_WINDOW_COSINE, PINN_WINDOW_ONE, PINN_WINDOW_SIGMOID};
    int w;
    if ((st = pinn_cfg_choice(c, node, "window", wn, 3, 0, &w, err)) || (st = pinn_cfg_bool(c, node, "unity", 1, 1, &s->unity, err)) ||
        (st = pinn_cfg_real(c, node, "steepness", 1e-3, 1e6, 1, 20.0, &s->steep, err)) ||
        (st = pinn_cfg_real(c, node, "scale", -1e300, 1e300, 1, 1.0, &s->scale, err)))
        return st;
    s->window = wk[w];
    if (s->scale == 0) return fail_line(s, c, pinn_cfg_find(c, node, "scale"), err, "scale must not be 0", NULL);
    return read_schedule(s, c, node, info, err);
}

/* Explicit boxes must cover the bounding box: every point of a grid made of the boxes' edges (clipped to
 * the box), the domain's ends and the midpoints between them (at most FB_CHECK_POINTS points, else a
 * uniform grid) lies strictly inside some support. */
static pinn_status check_cover(fb_state *s, const pinn_graph *g, int k, pinn_error *err) {
    int d = s->d, nb = s->n_boxes, n[PINN_MAX_INPUTS];
    double *v[PINN_MAX_INPUTS] = {0};
    size_t total = 1;
    pinn_status st = PINN_OK;
    for (int i = 0; i < d; i++) {
        int m = 0;
        double *e = malloc(sizeof(double) * (size_t)(2 * nb + 2) * 2);
        if (!e) {
            st = pinn_error_set(err, PINN_ERR_NOMEM, "fbpinn: out of memory");
            goto done;
        }
        e[m++] = s->lo[i], e[m++] = s->hi[i];
        for (int b = 0; b < nb; b++)
            for (int sg = -1; sg <= 1; sg += 2) {
                double x = s->box_c[b * d + i] + sg * s->box_r[b * d + i];
                if (x > s->lo[i] && x < s->hi[i]) e[m++] = x;
            }
        for (int a = 1; a < m; a++) /* insertion sort: m is small */
            for (int q = a; q > 0 && e[q - 1] > e[q]; q--) {
                double t = e[q];
                e[q] = e[q - 1], e[q - 1] = t;
            }
        int u = 0;
        for (int a = 0; a < m; a++)
            if (!u || e[a] != e[u - 1]) e[u++] = e[a];
        int mm = u;
        for (int a = 0; a + 1 < u; a++) e[mm++] = 0.5 * (e[a] + e[a + 1]);
        v[i] = e, n[i] = mm;
        total *= (size_t)mm;
    }
    if (total > FB_CHECK_POINTS) { /* too many: a uniform grid instead */
        int per = (int)floor(pow((double)FB_CHECK_POINTS, 1.0 / d));
        total = 1;
        for (int i = 0; i < d; i++) {
            for (int a = 0; a < per; a++) v[i][a] = s->lo[i] + (s->hi[i] - s->lo[i]) * a / (per - 1);
            n[i] = per, total *= (size_t)per;
        }
    }
    for (size_t p = 0; p < total; p++) {
        pinn_real x[PINN_MAX_INPUTS];
        int inst[1];
        size_t r = p;
        for (int i = 0; i < d; i++) x[i] = (pinn_real)v[i][r % (size_t)n[i]], r /= (size_t)n[i];
        if (pinn_graph_subnets_locate(g, k, x, inst, 1) == 0) {
            char at[160];
            int o = snprintf(at, sizeof at, " (");
            for (int i = 0; i < d; i++) o += snprintf(at + o, sizeof at - (size_t)o, "%s%g", i ? ", " : "", (double)x[i]);
            snprintf(at + o, sizeof at - (size_t)o, ")");
            st = pinn_error_set(err, PINN_ERR_INVALID,
                                "%s:%d: model (fbpinn): the boxes do not cover the domain's bounding box: no support "
                                "strictly contains the point%s; widen the boxes so that neighbours overlap",
                                s->file, s->line_decomp, at);
            break;
        }
    }
done:
    for (int i = 0; i < d; i++) free(v[i]);
    return st;
}

/* Sweep layers of the subdomains (level 0) and the number of stages. */
static pinn_status sweep_setup(fb_state *s, pinn_error *err) {
    int J = pinn_graph_subnets_instances(s->g, s->op0);
    size_t per;
    pinn_graph_subnets_params(s->g, s->op0, &per);
    s->layer = malloc(sizeof(int) * (size_t)J);
    s->frozen = malloc(sizeof(pinn_real) * (size_t)J * (per ? per : 1));
    s->parked = calloc((size_t)J, 1);
    if (!s->layer || !s->frozen || !s->parked) return pinn_error_set(err, PINN_ERR_NOMEM, "fbpinn: out of memory");
    s->n_layers = 0;
    for (int j = 0; j < J; j++) {
        double c[PINN_MAX_INPUTS], r[PINN_MAX_INPUTS], q = 0;
        pinn_graph_subnets_box(s->g, s->op0, j, c, r);
        for (int a = 0; a < s->n_along; a++) q += (c[s->along[a]] - s->from[a]) * (c[s->along[a]] - s->from[a]);
        s->layer[j] = (int)floor(sqrt(q) / s->layer_w + 0.5);
        if (s->layer[j] + 1 > s->n_layers) s->n_layers = s->layer[j] + 1;
    }
    s->n_stages = s->n_layers > s->n_active ? s->n_layers - (int)s->n_active + 1 : 1;
    s->stage = -1;
    return PINN_OK;
}

static pinn_status fb_build(void *state, pinn_graph *g, int x, const pinn_model_info *info, pinn_model_out *out,
                            pinn_error *err) {
    fb_state *s = state;
    (void)info;
    s->g = g;
    s->op0 = pinn_graph_subnets_count(g);
    int acc = -1;
    for (int l = 0; l < s->n_levels; l++) {
        pinn_graph *net = NULL;
        pinn_status st = pinn_graph_init(&net, s->d, err);
        if (st) return st;
        pinn_mlp_spec ms = s->net;
        ms.prefix = "nn";
        ms.normalize = 0;
        pinn_graph_set_output(net, pinn_mlp_build(net, pinn_graph_input(net), &ms));
        pinn_subnets_spec sp;
        if (s->n_boxes) pinn_subnets_spec_boxes(&sp, net, s->d, s->n_boxes, s->box_c, s->box_r);
        else pinn_subnets_spec_grid(&sp, net, s->d, s->grid[l], s->lo, s->hi, s->overlap);
        snprintf(s->prefix[l], sizeof s->prefix[l], "L%d.", l);
        sp.prefix = s->prefix[l];
        sp.window = (pinn_window)s->window;
        sp.window_steep = s->steep;
        sp.unity = s->unity;
        sp.drop_partial = s->sched == SCHED_SWEEP && s->drop_partial;
        int u = pinn_graph_subnets(g, x, &sp); /* takes over net */
        if (u < 0) return PINN_OK;             /* the error is in the graph */
        acc = l == 0 ? u : pinn_graph_add(g, acc, u, 1.0, 1.0);
    }
    double c = s->scale / s->n_levels;
    out->fields = c == 1.0 ? acc : pinn_graph_scale_shift(g, acc, c, 0.0);
    pinn_status st = PINN_OK;
    if (s->n_boxes) st = check_cover(s, g, s->op0, err);
    if (!st && s->sched == SCHED_SWEEP) st = sweep_setup(s, err);
    return st;
}

/* Fixed subdomains whose supports meet no active support are parked: set inactive, so that the loss
 * passes skip the points only fixed subdomains cover (their residuals are constant: no gradient) and
 * a step costs what the active set costs; fb_eval_mode sets them fixed again for evaluations. */
static void park(fb_state *s, int J, unsigned char *stt) {
    int d = s->d;
    for (int j = 0; j < J; j++) {
        s->parked[j] = 0;
        if (stt[j] != PINN_SUBNET_FIXED) continue;
        double cj[PINN_MAX_INPUTS], rj[PINN_MAX_INPUTS];
        pinn_graph_subnets_box(s->g, s->op0, j, cj, rj);
        int meets = 0;
        for (int a = 0; a < J && !meets; a++) {
            if (stt[a] != PINN_SUBNET_ACTIVE) continue;
            double ca[PINN_MAX_INPUTS], ra[PINN_MAX_INPUTS];
            pinn_graph_subnets_box(s->g, s->op0, a, ca, ra);
            int all = 1;
            for (int i = 0; i < d && all; i++) all = fabs(cj[i] - ca[i]) < rj[i] + ra[i];
            meets = all;
        }
        if (!meets) s->parked[j] = 1;
    }
    for (int j = 0; j < J; j++)
        if (s->parked[j]) stt[j] = PINN_SUBNET_INACTIVE;
}

/* Evaluations outside the loss see the parked subdomains (fixed); the loss passes do not. */
static void fb_eval_mode(void *state, const pinn_graph *g, int on) {
    fb_state *s = state;
    if (s->sched != SCHED_SWEEP || g != s->g || s->stage < 0) return;
    int J = pinn_graph_subnets_instances(s->g, s->op0);
    unsigned char *stt = pinn_graph_subnets_state(s->g, s->op0);
    for (int j = 0; j < J; j++)
        if (s->parked[j]) stt[j] = on ? PINN_SUBNET_FIXED : PINN_SUBNET_INACTIVE;
}

/* The schedule at step `step`: states of the sweep's stage; the parameters of every subdomain that is
 * not active are kept where they were when it stopped being active (Adam's momentum would move them). */
static pinn_status fb_after_step(void *state, long step, const pinn_graph *g, pinn_real *params, pinn_error *err) {
    fb_state *s = state;
    (void)err;
    if (s->sched != SCHED_SWEEP || g != s->g) return PINN_OK;
    int J = pinn_graph_subnets_instances(s->g, s->op0);
    size_t per, off = pinn_graph_subnets_params(s->g, s->op0, &per);
    unsigned char *stt = pinn_graph_subnets_state(s->g, s->op0);
    long stage = step < s->first ? 0 : 1 + (step - s->first) / s->steps;
    if (stage >= s->n_stages) stage = s->n_stages - 1;
    if (stage != s->stage) {
        for (int j = 0; j < J; j++) {
            int L = s->layer[j];
            unsigned char ns = L < stage                   ? (unsigned char)s->passed
                               : L < stage + s->n_active ? PINN_SUBNET_ACTIVE
                                                           : PINN_SUBNET_INACTIVE;
            /* leaving the active set (or the first setting): remember the parameters */
            if (ns != PINN_SUBNET_ACTIVE && (s->stage < 0 || stt[j] == PINN_SUBNET_ACTIVE))
                memcpy(s->frozen + (size_t)j * per, params + off + (size_t)j * per, sizeof(pinn_real) * per);
            stt[j] = ns;
        }
        park(s, J, stt);
        if (s->stage >= 0 && s->restart) s->restart_due = 1; /* not at the first setting (a resumed run) */
        s->stage = stage;
    }
    for (int j = 0; j < J; j++)
        if (stt[j] != PINN_SUBNET_ACTIVE) memcpy(params + off + (size_t)j * per, s->frozen + (size_t)j * per, sizeof(pinn_real) * per);
    return PINN_OK;
}

/* Whether a stage change since the last call wants Adam restarted (schedule.restart). */
static int fb_restart_optimizer(void *state) {
    fb_state *s = state;
    int r = s->restart_due;
    s->restart_due = 0;
    return r;
}

/* Collocation order: by cell of the finest level, so a block of consecutive points touches few subdomains. */
static pinn_status fb_order_points(const void *state, const pinn_graph *g, size_t n, const pinn_real *x, size_t *order,
                                   pinn_error *err) {
    const fb_state *s = state;
    int best = s->op0;
    for (int l = 1; l < s->n_levels; l++)
        if (pinn_graph_subnets_instances(g, s->op0 + l) > pinn_graph_subnets_instances(g, best)) best = s->op0 + l;
    return pinn_subnets_sort_points(g, best, n, x, order, err);
}

/* The decomposition: fbpinn_boxes [J_total][2 + 2d] (level, state, centre..., half-width...), and with a
 * sweep fbpinn_schedule [stages][J] (the state of every subdomain at each stage). */
static pinn_status fb_diagnostics(void *state, const pinn_graph *g, const pinn_real *params, size_t n, const pinn_real *x,
                                  const pinn_model_sink *sink, pinn_error *err) {
    fb_state *s = state;
    (void)params, (void)n, (void)x;
    if (g != s->g) return PINN_OK;
    int d = s->d, cols = 2 + 2 * d;
    size_t Jt = 0;
    for (int l = 0; l < s->n_levels; l++) Jt += (size_t)pinn_graph_subnets_instances(g, s->op0 + l);
    double *a = malloc(sizeof(double) * Jt * (size_t)cols);
    if (!a) return pinn_error_set(err, PINN_ERR_NOMEM, "fbpinn: out of memory");
    size_t row = 0;
    for (int l = 0; l < s->n_levels; l++) {
        const unsigned char *stt = pinn_graph_subnets_state(s->g, s->op0 + l);
        for (int j = 0; j < pinn_graph_subnets_instances(g, s->op0 + l); j++, row++) {
            double *r = a + row * (size_t)cols;
            r[0] = l, r[1] = l == 0 && s->parked && s->parked[j] ? PINN_SUBNET_FIXED : stt[j];
            pinn_graph_subnets_box(g, s->op0 + l, j, r + 2, r + 2 + d);
        }
    }
    size_t shape[2] = {Jt, (size_t)cols};
    pinn_status st = sink->array(sink->ctx, "fbpinn_boxes", 2, shape, a, err);
    free(a);
    if (st || s->sched != SCHED_SWEEP) return st;
    int J = pinn_graph_subnets_instances(g, s->op0);
    double *q = malloc(sizeof(double) * (size_t)s->n_stages * (size_t)J);
    if (!q) return pinn_error_set(err, PINN_ERR_NOMEM, "fbpinn: out of memory");
    for (int t = 0; t < s->n_stages; t++)
        for (int j = 0; j < J; j++) {
            int L = s->layer[j];
            q[(size_t)t * J + j] = L < t ? s->passed : L < t + s->n_active ? PINN_SUBNET_ACTIVE : PINN_SUBNET_INACTIVE;
        }
    size_t sh2[2] = {(size_t)s->n_stages, (size_t)J};
    st = sink->array(sink->ctx, "fbpinn_schedule", 2, sh2, q, err);
    free(q);
    return st;
}

static void fb_release(void *state) {
    fb_state *s = state;
    free(s->layer), free(s->frozen), free(s->parked);
    s->layer = NULL, s->frozen = NULL, s->parked = NULL;
}

const pinn_model_ops pinn_model_fbpinn_ops = {.kind = "fbpinn",
                                              .state_size = sizeof(fb_state),
                                              .configure = fb_configure,
                                              .build = fb_build,
                                              .after_step = fb_after_step,
                                              .diagnostics = fb_diagnostics,
                                              .release = fb_release,
                                              .order_points = fb_order_points,
                                              .restart_optimizer = fb_restart_optimizer,
                                              .eval_mode = fb_eval_mode};
