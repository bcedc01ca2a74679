/* subnets.c - building point-subset ops (finite-basis PINNs): the decomposition (a grid of
 * instances or explicit boxes), the locator that finds the instances covering a point (O(1) per input
 * for grids; a uniform bucket index for boxes), per-instance parameter slices, the point sort that
 * keeps blocks spatially coherent, and the accessors.  The passes are in subnets_tape.c. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jet/graph.h"

static const char *const window_names[PINN_WINDOW_COUNT] = {
    [PINN_WINDOW_COSINE] = "cosine",
    [PINN_WINDOW_ONE] = "one",
    [PINN_WINDOW_CALLBACK] = "callback",
    [PINN_WINDOW_SIGMOID] = "sigmoid",
};
static const char *const state_names[PINN_SUBNET_STATE_COUNT] = {
    [PINN_SUBNET_ACTIVE] = "active",
    [PINN_SUBNET_FIXED] = "fixed",
    [PINN_SUBNET_INACTIVE] = "inactive",
};

const char *pinn_window_to_string(pinn_window w) {
    return (int)w >= 0 && w < PINN_WINDOW_COUNT ? window_names[w] : "unknown";
}
int pinn_window_from_string(const char *name) {
    for (int k = 0; k < PINN_WINDOW_COUNT; k++)
        if (strcmp(name, window_names[k]) == 0) return k;
    return -1;
}
const char *pinn_subnet_state_to_string(pinn_subnet_state s) {
    return (int)s >= 0 && s < PINN_SUBNET_STATE_COUNT ? state_names[s] : "unknown";
}

/* Defaults shared by both spec helpers. */
static void spec_base(pinn_subnets_spec *s, pinn_graph *net, int dx) {
    memset(s, 0, sizeof *s);
    s->net = net;
    s->dx = dx;
    s->prefix = "sub";
    s->window = PINN_WINDOW_COSINE;
}

void pinn_subnets_spec_grid(pinn_subnets_spec *s, pinn_graph *net, int dx, const int *grid, const double *lo,
                            const double *hi, double overlap) {
    spec_base(s, net, dx);
    for (int d = 0; d < dx && d < PINN_MAX_INPUTS; d++) {
        int m = grid[d];
        s->grid[d] = m;
        s->dc[d] = m > 1 ? (hi[d] - lo[d]) / (m - 1) : hi[d] - lo[d];
        s->c0[d] = m > 1 ? lo[d] : 0.5 * (lo[d] + hi[d]);
        s->radius[d] = 0.5 * overlap * s->dc[d];
    }
}

void pinn_subnets_spec_boxes(pinn_subnets_spec *s, pinn_graph *net, int dx, int J, const double *centre,
                             const double *radius) {
    spec_base(s, net, dx);
    s->n_boxes = J;
    s->box_centre = centre;
    s->box_radius = radius;
}

void pinn_subnets_free(pinn_subnets *sn) {
    if (!sn) return;
    pinn_graph_free(sn->net);
    free(sn->centre);
    free(sn->radius);
    free(sn->nc);
    free(sn->nir);
    free(sn->bstart);
    free(sn->bitem);
    free(sn->state);
    free(sn);
}

/* ------------------------------------------------------------------ the locator */

/* Grid: the k along input d whose support strictly contains v, at most cap, increasing. */
static int grid_range(const pinn_subnets *sn, int d, double v, int *ks, int cap) {
    int m = sn->m[d], c = 0;
    double t = (v - sn->c0[d]) / sn->dc[d], q = sn->r[d] / sn->dc[d];
    if (!(t > -q - 1 && t < m + q)) return 0; /* also NaN */
    int k0 = (int)ceil(t - q) - 1, k1 = (int)floor(t + q) + 1;
    if (k0 < 0) k0 = 0;
    if (k1 > m - 1) k1 = m - 1;
    for (int k = k0; k <= k1 && c < cap; k++)
        if (fabs(v - (sn->c0[d] + k * sn->dc[d])) < sn->r[d]) ks[c++] = k;
    return c;
}

/* Bucket of v along input d (clamped when clamp, else -1 outside). */
static int bucket_of(const pinn_subnets *sn, int d, double v, int clamp) {
    double t = floor((v - sn->blo[d]) / sn->bh[d]);
    if (!(t >= 0 && t < sn->bm[d])) {
        if (!clamp) return -1;
        return t >= sn->bm[d] ? sn->bm[d] - 1 : 0; /* NaN too */
    }
    return (int)t;
}

int pinn_subnets_locate(const pinn_subnets *sn, const pinn_real *xp, int *inst, int cap) {
    int dx = sn->dx, n = 0;
    if (sn->is_grid) {
        int ks[PINN_MAX_INPUTS][64], cnt[PINN_MAX_INPUTS], idx[PINN_MAX_INPUTS] = {0};
        for (int d = 0; d < dx; d++)
            if ((cnt[d] = grid_range(sn, d, xp[d], ks[d], 64)) == 0) return 0;
        for (;;) { /* the product of the per-input ranges, last input fastest: increasing j */
            int j = 0;
            for (int d = 0; d < dx; d++) j += ks[d][idx[d]] * sn->stride[d];
            if (n < cap) inst[n] = j;
            n++;
            int d = dx - 1;
            while (d >= 0 && ++idx[d] == cnt[d]) idx[d--] = 0;
            if (d < 0) break;
        }
        return n;
    }
    int b = 0;
    for (int d = 0; d < dx; d++) {
        int k = bucket_of(sn, d, xp[d], 0);
        if (k < 0) return 0;
        b = b * sn->bm[d] + k;
    }
    for (int e = sn->bstart[b]; e < sn->bstart[b + 1]; e++) {
        int j = sn->bitem[e], in = 1;
        for (int d = 0; d < dx && in; d++) in = fabs(xp[d] - sn->centre[(size_t)j * dx + d]) < sn->radius[(size_t)j * dx + d];
        if (!in) continue;
        if (n < cap) inst[n] = j;
        n++;
    }
    return n;
}

/* Boxes: a bucket grid over their bounding box, buckets about as wide as the mean box (at most
 * ~4J + 64 buckets), each listing the boxes that overlap it.  max_cover = the longest list. */
static int build_buckets(pinn_subnets *sn) {
    int dx = sn->dx, J = sn->J;
    double hi[PINN_MAX_INPUTS], w[PINN_MAX_INPUTS];
    for (int d = 0; d < dx; d++) {
        sn->blo[d] = INFINITY, hi[d] = -INFINITY, w[d] = 0;
        for (int j = 0; j < J; j++) {
            double c = sn->centre[(size_t)j * dx + d], r = sn->radius[(size_t)j * dx + d];
            sn->blo[d] = fmin(sn->blo[d], c - r);
            hi[d] = fmax(hi[d], c + r);
            w[d] += 2 * r / J;
        }
    }
    double total;
    for (double grow = 1;; grow *= 1.5) {
        total = 1;
        for (int d = 0; d < dx; d++) {
            double m = ceil((hi[d] - sn->blo[d]) / (w[d] * grow));
            sn->bm[d] = m < 1 ? 1 : m > 4096 ? 4096 : (int)m;
            sn->bh[d] = (hi[d] - sn->blo[d]) / sn->bm[d];
            total *= sn->bm[d];
        }
        if (total <= 4.0 * J + 64) break;
    }
    int nb = (int)total;
    sn->bstart = calloc((size_t)nb + 1, sizeof *sn->bstart);
    if (!sn->bstart) return -1;
    /* two passes over each box's bucket range: count, then fill */
    for (int pass = 0; pass < 2; pass++) {
        if (pass) {
            for (int b = 0; b < nb; b++) sn->bstart[b + 1] += sn->bstart[b];
            sn->bitem = malloc(sizeof *sn->bitem * (size_t)(sn->bstart[nb] ? sn->bstart[nb] : 1));
            if (!sn->bitem) return -1;
        }
        int *fill = pass ? calloc((size_t)nb, sizeof *fill) : NULL;
        if (pass && !fill) return -1;
        for (int j = 0; j < J; j++) {
            int lo[PINN_MAX_INPUTS], hb[PINN_MAX_INPUTS], idx[PINN_MAX_INPUTS];
            for (int d = 0; d < dx; d++) {
                double c = sn->centre[(size_t)j * dx + d], r = sn->radius[(size_t)j * dx + d];
                lo[d] = idx[d] = bucket_of(sn, d, c - r, 1);
                hb[d] = bucket_of(sn, d, c + r, 1);
            }
            for (;;) {
                int b = 0;
                for (int d = 0; d < dx; d++) b = b * sn->bm[d] + idx[d];
                if (pass) sn->bitem[sn->bstart[b] + fill[b]++] = j;
                else sn->bstart[b + 1]++;
                int d = dx - 1;
                while (d >= 0 && ++idx[d] > hb[d]) idx[d] = lo[d], d--;
                if (d < 0) break;
            }
        }
        free(fill);
    }
    sn->max_cover = 1;
    for (int b = 0; b < nb; b++)
        if (sn->bstart[b + 1] - sn->bstart[b] > sn->max_cover) sn->max_cover = sn->bstart[b + 1] - sn->bstart[b];
    return 0;
}

/* ------------------------------------------------------------------ the builder */

/* Fills the decomposition of sn from spec; returns an error message or NULL. */
static const char *decompose(pinn_subnets *sn, const pinn_subnets_spec *spec) {
    int dx = sn->dx;
    sn->is_grid = spec->n_boxes == 0;
    if (sn->is_grid) {
        double J = 1;
        for (int d = 0; d < dx; d++) {
            if (spec->grid[d] < 1) return "subnets: grid needs >= 1 instance per input (or boxes)";
            if (!(spec->radius[d] > 0) || (spec->grid[d] > 1 && !(spec->dc[d] > 0)))
                return "subnets: grid needs positive radii and spacings";
            sn->m[d] = spec->grid[d];
            sn->c0[d] = spec->c0[d];
            sn->dc[d] = spec->grid[d] > 1 ? spec->dc[d] : 1;
            sn->r[d] = spec->radius[d];
            J *= spec->grid[d];
        }
        if (J > 1 << 24) return "subnets: more than 2^24 instances";
        sn->J = (int)J;
        sn->max_cover = 1;
        for (int d = dx - 1, st = 1; d >= 0; st *= sn->m[d], d--) {
            sn->stride[d] = st;
            /* an open interval of length 2r/dc holds at most ceil(2r/dc) integers, but the support
             * test runs in floating point: where 2r/dc is an integer (overlap 2: r = dc), a point at a
             * centre can pass it for both neighbours as well (distance dc rounded below r), so one
             * more is allowed; a cap below the true count dropped the centre instance there and the
             * partition of unity divided 0 by 0 */
            double c = sn->m[d] > 1 ? floor(2 * sn->r[d] / sn->dc[d]) + 1 : 1;
            int cd = c > sn->m[d] ? sn->m[d] : c > 64 ? 64 : (int)c;
            sn->max_cover *= cd;
        }
        if (sn->max_cover > sn->J) sn->max_cover = sn->J;
    } else {
        if (spec->n_boxes < 0 || !spec->box_centre || !spec->box_radius) return "subnets: boxes need centres and radii";
        sn->J = spec->n_boxes;
    }
    size_t Jd = (size_t)sn->J * (size_t)dx;
    sn->centre = malloc(sizeof *sn->centre * Jd);
    sn->radius = malloc(sizeof *sn->radius * Jd);
    sn->nc = malloc(sizeof *sn->nc * Jd);
    sn->nir = malloc(sizeof *sn->nir * Jd);
    sn->state = calloc((size_t)sn->J, 1);
    if (!sn->centre || !sn->radius || !sn->nc || !sn->nir || !sn->state) return "subnets: out of memory";
    for (int j = 0; j < sn->J; j++)
        for (int d = 0; d < dx; d++) {
            size_t e = (size_t)j * dx + d;
            if (sn->is_grid) {
                int k = j / sn->stride[d] % sn->m[d];
                sn->centre[e] = sn->c0[d] + k * sn->dc[d];
                sn->radius[e] = sn->r[d];
            } else {
                sn->centre[e] = spec->box_centre[e];
                sn->radius[e] = spec->box_radius[e];
                if (!(sn->radius[e] > 0) || !isfinite(sn->centre[e] + sn->radius[e]))
                    return "subnets: box radii must be positive and finite";
            }
            double c = spec->norm_centre ? spec->norm_centre[e] : sn->centre[e];
            double r = spec->norm_radius ? spec->norm_radius[e] : sn->radius[e];
            if (!(r != 0) || !isfinite(c + r)) return "subnets: normalisation radii must be non-zero and finite";
            sn->nc[e] = (pinn_real)c;
            sn->nir[e] = (pinn_real)(1.0 / r);
        }
    if (!sn->is_grid && build_buckets(sn) < 0) return "subnets: out of memory";
    return NULL;
}

/* Appends sn to g's list of point-subset ops; returns its index or -1. */
static int attach(pinn_graph *g, pinn_subnets *sn) {
    pinn_subnets **ns = realloc(g->subnets, sizeof *ns * (size_t)(g->n_subnets + 1));
    if (!ns) return -1;
    g->subnets = ns;
    g->subnets[g->n_subnets] = sn;
    return g->n_subnets++;
}

int pinn_graph_subnets(pinn_graph *g, int x, const pinn_subnets_spec *spec) {
    pinn_graph *net = spec->net;
    char msg[256];
    pinn_error e;
    const char *why = NULL;
    if (g->status != PINN_OK) why = "";
    else if (x < 0 || x >= g->n_nodes) why = "subnets: bad input node";
    else if (!g->nodes[x].affine || g->nodes[x].needs_grad)
        why = "subnets: the input must be affine in the coordinates and free of parameters";
    else if (spec->dx != g->nodes[x].w || spec->dx < 1 || spec->dx > PINN_MAX_INPUTS)
        why = "subnets: spec.dx differs from the input width";
    else if (!net || pinn_graph_status(net, &e) != PINN_OK) why = "subnets: the template graph is missing or invalid";
    else if (net->d != spec->dx) why = "subnets: the template's input count differs from the input width";
    else if (net->n_subnets) why = "subnets: point-subset ops do not nest";
    else if ((int)spec->window < 0 || spec->window >= PINN_WINDOW_COUNT ||
             (spec->window == PINN_WINDOW_CALLBACK && !spec->window_fn))
        why = "subnets: bad window (a callback window needs window_fn)";
    else if (!(spec->window_steep >= 0) || spec->window_steep > 1e6) why = "subnets: window_steep outside [0, 1e6]";
    if (why) {
        pinn_graph_free(net);
        return why[0] ? pinn_graph_fail(g, why) : -1;
    }
    pinn_subnets *sn = calloc(1, sizeof *sn);
    if (!sn) {
        pinn_graph_free(net);
        return pinn_graph_fail(g, "subnets: out of memory");
    }
    sn->net = net;
    sn->dx = spec->dx;
    sn->w_net = net->nodes[net->output].w;
    sn->unity = spec->unity != 0;
    sn->drop_partial = spec->drop_partial != 0;
    sn->w = sn->w_net + sn->unity;
    sn->window = spec->window;
    sn->window_fn = spec->window_fn;
    sn->window_ctx = spec->window_ctx;
    sn->steep = spec->window_steep > 0 ? spec->window_steep : 20.0;
    sn->np_sub = net->n_params;
    why = decompose(sn, spec);
    int k = why ? -1 : attach(g, sn);
    if (k < 0) {
        pinn_subnets_free(sn);
        return pinn_graph_fail(g, why ? why : "subnets: out of memory");
    }
    /* per-instance slices with the template's shapes and initialisers, instance-major */
    sn->slice0 = g->n_slices;
    sn->p_off = g->n_params;
    const char *pre = spec->prefix ? spec->prefix : "sub";
    for (int j = 0; j < sn->J; j++)
        for (int i = 0; i < net->n_slices; i++) {
            const pinn_slice *s = &net->slices[i];
            snprintf(msg, sizeof msg, "%s%d.%s", pre, j, s->name);
            if (pinn_graph_param(g, msg, s->rows, s->cols, s->init, s->value) < 0) return -1;
        }
    pinn_node nd;
    memset(&nd, 0, sizeof nd);
    nd.op = PINN_OP_SUBNETS;
    nd.w = sn->w;
    nd.a = x;
    nd.b = nd.pw = nd.pb = -1;
    nd.ca = 1;
    nd.sn = k;
    nd.needs_grad = 1;
    int node = pinn_graph_push_node(g, &nd);
    if (node < 0 || !sn->unity) return node;
    int num = pinn_graph_slice_cols(g, node, 0, sn->w_net), den = pinn_graph_slice_cols(g, node, sn->w_net, 1);
    return pinn_graph_div(g, num, den);
}

/* ------------------------------------------------------------------ accessors, sorting */

int pinn_graph_subnets_count(const pinn_graph *g) { return g->n_subnets; }
int pinn_graph_subnets_instances(const pinn_graph *g, int k) { return g->subnets[k]->J; }
const pinn_graph *pinn_graph_subnets_net(const pinn_graph *g, int k) { return g->subnets[k]->net; }
size_t pinn_graph_subnets_params(const pinn_graph *g, int k, size_t *per) {
    if (per) *per = g->subnets[k]->np_sub;
    return g->subnets[k]->p_off;
}
unsigned char *pinn_graph_subnets_state(pinn_graph *g, int k) { return g->subnets[k]->state; }
int pinn_graph_subnets_max_cover(const pinn_graph *g, int k) { return g->subnets[k]->max_cover; }
void pinn_graph_subnets_box(const pinn_graph *g, int k, int j, double *centre, double *radius) {
    const pinn_subnets *sn = g->subnets[k];
    for (int d = 0; d < sn->dx; d++) {
        if (centre) centre[d] = sn->centre[(size_t)j * sn->dx + d];
        if (radius) radius[d] = sn->radius[(size_t)j * sn->dx + d];
    }
}
int pinn_graph_subnets_locate(const pinn_graph *g, int k, const pinn_real *xp, int *inst, int cap) {
    return pinn_subnets_locate(g->subnets[k], xp, inst, cap);
}

/* Key of a point: grid cell [c_k, c_k+1) per input (between consecutive centres: with overlap 2 its
 * points lie in exactly instances k and k+1), or the bucket. */
static size_t sort_key(const pinn_subnets *sn, const pinn_real *xp) {
    size_t key = 0;
    for (int d = 0; d < sn->dx; d++) {
        int m, c;
        if (sn->is_grid) {
            m = sn->m[d];
            double t = floor((xp[d] - sn->c0[d]) / sn->dc[d]);
            c = !(t >= 0) ? 0 : t >= m ? m - 1 : (int)t;
        } else {
            m = sn->bm[d];
            c = bucket_of(sn, d, xp[d], 1);
        }
        key = key * (size_t)m + (size_t)c;
    }
    return key;
}

pinn_status pinn_subnets_sort_points(const pinn_graph *g, int k, size_t n, const pinn_real *x, size_t *order,
                                     pinn_error *err) {
    if (k < 0 || k >= g->n_subnets) return pinn_error_set(err, PINN_ERR_INVALID, "subnets: no point-subset op %d", k);
    const pinn_subnets *sn = g->subnets[k];
    size_t nk = 1;
    for (int d = 0; d < sn->dx; d++) nk *= (size_t)(sn->is_grid ? sn->m[d] : sn->bm[d]);
    size_t *cnt = calloc(nk + 1, sizeof *cnt), *key = malloc(sizeof *key * (n ? n : 1));
    if (!cnt || !key) {
        free(cnt);
        free(key);
        return pinn_error_set(err, PINN_ERR_NOMEM, "subnets: out of memory");
    }
    for (size_t i = 0; i < n; i++) cnt[(key[i] = sort_key(sn, x + i * (size_t)sn->dx)) + 1]++;
    for (size_t c = 0; c < nk; c++) cnt[c + 1] += cnt[c];
    for (size_t i = 0; i < n; i++) order[cnt[key[i]]++] = i; /* counting sort: stable */
    free(cnt);
    free(key);
    return PINN_OK;
}
