/* sample_pointset.c - pinn_pointset: a region of a geometry plus a sampler and the points
 * drawn from it, resampled in place (continuing the sampler's stream), and seeded per-epoch
 * mini-batch permutations. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "problem/geom_internal.h"

struct pinn_pointset {
    const pinn_geom *g; /* borrowed; NULL for a set of given points */
    pinn_sample_spec spec;
    pinn_sequence *seq;
    size_t nreq;        /* points requested per draw */
    size_t n;           /* points held */
    int dim;
    pinn_real *x, *normal, *partner;
    int *face;
    size_t n_fixed;     /* fixed points (anchors) kept after the drawn ones at every draw */
    pinn_real *fixed;   /* [n_fixed][dim] */
};

void pinn_sample_spec_default(pinn_sample_spec *spec) {
    memset(spec, 0, sizeof *spec);
    spec->region = PINN_REGION_INTERIOR;
    spec->sampler = PINN_SAMPLER_UNIFORM;
    spec->face = -1;
    spec->axis = -1;
}

/* The grid shape of a region: extents (or fixed counts) per sequence coordinate, matching the
 * coordinate order of the maps in geom_sample.c. */
static void region_extents(const pinn_geom *g, const pinn_sample_spec *sp, int m, pinn_real *ext,
                           size_t *fixed) {
    double side[PINN_GEOM_MAX_SPACE];
    int j = 0;
    int boxy = g->shape == PINN_SHAPE_INTERVAL || g->shape == PINN_SHAPE_BOX;
    int face = (sp->face >= 0 && sp->face < g->nfaces) ? sp->face : -1; /* bad ids fail later */
    for (int k = 0; k < g->ds; k++) side[k] = boxy ? g->hi[k] - g->lo[k] : sqrt(g->measure);
    for (int k = 0; k < m; k++) ext[k] = 1, fixed[k] = 0;
    switch (sp->region) {
    case PINN_REGION_INTERIOR:
    case PINN_REGION_INITIAL:
        for (; j < g->ds; j++) ext[j] = (pinn_real)side[j];
        /* a pure time domain's initial slice still uses one (ignored) coordinate */
        if (g->ds == 0 && sp->region == PINN_REGION_INITIAL) j = 1;
        break;
    case PINN_REGION_BOUNDARY:
        if (g->ds == 1) {
            fixed[0] = face < 0 ? 2 : 1; /* the two ends, or the one */
            j = 1;
        } else if (g->ds == 2) {
            ext[j++] = face < 0 ? (pinn_real)g->bmeasure : pinn_geom_face_measure(g, face);
        } else if (face < 0 || g->shape == PINN_SHAPE_CSG) { /* CSG faces are primitives' pieces */
            ext[j++] = (pinn_real)sqrt(g->bmeasure);
            ext[j++] = (pinn_real)sqrt(g->bmeasure);
        } else {
            for (int k = 0; k < 3; k++)
                if (k != face / 2) ext[j++] = (pinn_real)side[k];
        }
        break;
    case PINN_REGION_PERIODIC:
        for (int k = 0; k < g->ds; k++)
            if (g->sidx[k] != sp->axis) ext[j++] = (pinn_real)side[k];
        break;
    default: break;
    }
    if (g->tindex >= 0 && sp->region != PINN_REGION_INITIAL && j < m)
        ext[j] = (pinn_real)(g->t1 - g->t0);
}

/* One draw into the set's buffers. */
static pinn_status draw(pinn_pointset *ps, pinn_error *err) {
    const pinn_sample_spec *sp = &ps->spec;
    size_t cnt = 0;
    pinn_status st;
    switch (sp->region) {
    case PINN_REGION_INTERIOR:
        st = pinn_geom_sample_interior(ps->g, ps->seq, ps->nreq, sp->keep, sp->keep_ctx, ps->x,
                                       &cnt, err);
        break;
    case PINN_REGION_BOUNDARY:
        st = pinn_geom_sample_boundary(ps->g, ps->seq, ps->nreq, sp->face, sp->keep, sp->keep_ctx,
                                       ps->x, ps->normal, ps->face, &cnt, err);
        break;
    case PINN_REGION_INITIAL:
        st = pinn_geom_sample_initial(ps->g, ps->seq, ps->nreq, sp->keep, sp->keep_ctx, ps->x,
                                      &cnt, err);
        break;
    case PINN_REGION_PERIODIC:
        st = pinn_geom_sample_periodic(ps->g, ps->seq, ps->nreq, sp->axis, sp->keep, sp->keep_ctx,
                                       ps->x, ps->partner, &cnt, err);
        break;
    default: st = pinn_error_set(err, PINN_ERR_INVALID, "point set: unknown region");
    }
    if (st == PINN_OK) ps->n = cnt;
    if (st == PINN_OK && ps->n_fixed) {
        memcpy(ps->x + cnt * (size_t)ps->dim, ps->fixed, sizeof *ps->x * ps->n_fixed * (size_t)ps->dim);
        ps->n += ps->n_fixed;
    }
    return st;
}

/* Allocates zeroed storage for at least one element (so that 0 points is not an error). */
static void *alloc_rows(size_t rows, size_t row_bytes) {
    return calloc(rows ? rows : 1, row_bytes);
}

pinn_status pinn_pointset_init(pinn_pointset **out, const pinn_geom *g,
                               const pinn_sample_spec *spec, size_t n, pinn_error *err) {
    if (!out) return pinn_error_set(err, PINN_ERR_INVALID, "point set: NULL output handle");
    *out = NULL;
    if (!g || !spec) return pinn_error_set(err, PINN_ERR_INVALID, "point set: NULL geometry/spec");
    if ((int)spec->region < 0 || spec->region >= PINN_REGION_COUNT)
        return pinn_error_set(err, PINN_ERR_INVALID, "point set: unknown region %d",
                              (int)spec->region);
    int m = pinn_geom_sample_dim(g, spec->region);
    if (m == 0) {
        const char *why = spec->region == PINN_REGION_BOUNDARY ? "a pure time domain has no "
                                                                 "spatial boundary"
                          : spec->region == PINN_REGION_INITIAL ? "the geometry has no time axis"
                                                                : "periodic pairs need an "
                                                                  "interval or a box";
        return pinn_error_set(err, PINN_ERR_INVALID, "point set: no %s region on this %s: %s",
                              pinn_region_to_string(spec->region),
                              pinn_shape_to_string(g->shape), why);
    }
    pinn_pointset *ps = calloc(1, sizeof *ps);
    if (!ps) return pinn_error_set(err, PINN_ERR_NOMEM, "point set: out of memory");
    ps->g = g;
    ps->spec = *spec;
    ps->nreq = n;
    ps->dim = g->dim;
    pinn_real ext[PINN_SEQUENCE_MAX_DIM];
    size_t fixed[PINN_SEQUENCE_MAX_DIM];
    region_extents(g, spec, m, ext, fixed);
    pinn_sequence_opts o = {spec->randomize, ext, fixed};
    pinn_status st = pinn_sequence_init(&ps->seq, spec->sampler, m, spec->seed, &o, err);
    if (st != PINN_OK) {
        free(ps);
        return st;
    }
    size_t cap = pinn_sequence_count(ps->seq, n), d = (size_t)g->dim;
    ps->x = alloc_rows(cap, d * sizeof *ps->x);
    int bad = !ps->x;
    if (spec->region == PINN_REGION_BOUNDARY) {
        ps->normal = alloc_rows(cap, d * sizeof *ps->normal);
        ps->face = alloc_rows(cap, sizeof *ps->face);
        bad |= !ps->normal || !ps->face;
    }
    if (spec->region == PINN_REGION_PERIODIC) {
        ps->partner = alloc_rows(cap, d * sizeof *ps->partner);
        bad |= !ps->partner;
    }
    st = bad ? pinn_error_set(err, PINN_ERR_NOMEM, "point set: out of memory for %zu points", cap)
             : draw(ps, err);
    if (st != PINN_OK) {
        pinn_pointset_free(ps);
        return st;
    }
    *out = ps;
    return PINN_OK;
}

pinn_status pinn_pointset_init_points(pinn_pointset **out, int dim, size_t n, const pinn_real *x,
                                      const pinn_real *normal, pinn_error *err) {
    if (!out) return pinn_error_set(err, PINN_ERR_INVALID, "point set: NULL output handle");
    *out = NULL;
    if (dim < 1 || (n > 0 && !x))
        return pinn_error_set(err, PINN_ERR_INVALID, "point set: needs dim >= 1 and points");
    pinn_pointset *ps = calloc(1, sizeof *ps);
    if (!ps) return pinn_error_set(err, PINN_ERR_NOMEM, "point set: out of memory");
    pinn_sample_spec_default(&ps->spec);
    ps->n = ps->nreq = n;
    ps->dim = dim;
    ps->x = alloc_rows(n, (size_t)dim * sizeof *ps->x);
    if (normal) ps->normal = alloc_rows(n, (size_t)dim * sizeof *ps->normal);
    if (!ps->x || (normal && !ps->normal)) {
        pinn_pointset_free(ps);
        return pinn_error_set(err, PINN_ERR_NOMEM, "point set: out of memory for %zu points", n);
    }
    if (n > 0) {
        memcpy(ps->x, x, n * (size_t)dim * sizeof *x);
        if (normal) memcpy(ps->normal, normal, n * (size_t)dim * sizeof *normal);
    }
    *out = ps;
    return PINN_OK;
}

pinn_status pinn_pointset_resample(pinn_pointset *ps, pinn_error *err) {
    if (!ps) return pinn_error_set(err, PINN_ERR_INVALID, "resample: NULL point set");
    if (!ps->g) return PINN_OK;
    return draw(ps, err);
}

void pinn_pointset_free(pinn_pointset *ps) {
    if (!ps) return;
    pinn_sequence_free(ps->seq);
    free(ps->x);
    free(ps->normal);
    free(ps->partner);
    free(ps->face);
    free(ps->fixed);
    free(ps);
}

pinn_status pinn_pointset_add_fixed(pinn_pointset *ps, size_t n, const pinn_real *x, pinn_error *err) {
    if (!ps || (n && !x)) return pinn_error_set(err, PINN_ERR_INVALID, "point set: NULL points");
    if (!n) return PINN_OK;
    if (ps->n_fixed || !ps->g || ps->spec.region != PINN_REGION_INTERIOR)
        return pinn_error_set(err, PINN_ERR_INVALID, "point set: fixed points go once into a sampled interior set");
    size_t d = (size_t)ps->dim, cap = pinn_sequence_count(ps->seq, ps->nreq);
    pinn_real *nx = realloc(ps->x, sizeof *nx * (cap + n) * d), *f = malloc(sizeof *f * n * d);
    if (nx) ps->x = nx;
    if (!nx || !f) {
        free(f);
        return pinn_error_set(err, PINN_ERR_NOMEM, "point set: out of memory for %zu fixed points", n);
    }
    memcpy(f, x, sizeof *f * n * d);
    ps->fixed = f;
    ps->n_fixed = n;
    memcpy(ps->x + ps->n * d, f, sizeof *f * n * d);
    ps->n += n;
    return PINN_OK;
}

size_t pinn_pointset_count(const pinn_pointset *ps) { return ps->n; }
int pinn_pointset_dim(const pinn_pointset *ps) { return ps->dim; }
const pinn_real *pinn_pointset_points(const pinn_pointset *ps) { return ps->x; }
const pinn_real *pinn_pointset_normals(const pinn_pointset *ps) { return ps->normal; }
const int *pinn_pointset_faces(const pinn_pointset *ps) { return ps->face; }
const pinn_real *pinn_pointset_partners(const pinn_pointset *ps) { return ps->partner; }

/* Fisher-Yates with a generator seeded by a mix of (seed, epoch). */
void pinn_pointset_permutation(const pinn_pointset *ps, uint64_t seed, uint64_t epoch,
                               size_t *perm) {
    size_t n = ps->n;
    uint64_t h = epoch * 0x9e3779b97f4a7c15ULL + 0x632be59bd9b4e019ULL;
    h = (h ^ (h >> 31)) * 0xbf58476d1ce4e5b9ULL;
    pinn_rng r;
    pinn_rng_seed(&r, seed ^ h ^ (h >> 29));
    for (size_t i = 0; i < n; i++) perm[i] = i;
    for (size_t i = n; i > 1; i--) {
        size_t j = (size_t)pinn_rng_below(&r, i);
        size_t t = perm[i - 1];
        perm[i - 1] = perm[j];
        perm[j] = t;
    }
}

size_t pinn_pointset_batch_count(const pinn_pointset *ps, size_t batch_size) {
    return batch_size ? (ps->n + batch_size - 1) / batch_size : 0;
}

size_t pinn_pointset_batch(const pinn_pointset *ps, const size_t *perm, size_t batch_size,
                           size_t b, pinn_real *x, pinn_real *normal, pinn_real *partner) {
    if (batch_size == 0 || b >= pinn_pointset_batch_count(ps, batch_size)) return 0;
    size_t begin = b * batch_size, len = ps->n - begin;
    if (len > batch_size) len = batch_size;
    size_t d = (size_t)ps->dim, bytes = d * sizeof *x;
    for (size_t i = 0; i < len; i++) {
        size_t src = perm ? perm[begin + i] : begin + i;
        memcpy(x + i * d, ps->x + src * d, bytes);
        if (normal && ps->normal) memcpy(normal + i * d, ps->normal + src * d, bytes);
        if (partner && ps->partner) memcpy(partner + i * d, ps->partner + src * d, bytes);
    }
    return len;
}
