/* geom_sample.c - maps unit-cube points onto the regions of a geometry (interior, boundary with
 * outward normals and face ids, initial slice, periodic face pairs) and drives a pinn_sequence
 * through them, with optional keep-filters and bounded rejection. */
#include <math.h>
#include <string.h>

#include "problem/geom_internal.h"

#define PI_ 3.14159265358979323846
#define CHUNK 64              /* candidates mapped per round when filtering */
#define FILTER_PROBE 10000    /* candidates after which a filter that kept nothing fails */
#define FILTER_FACTOR 100     /* at most max(FILTER_PROBE, FILTER_FACTOR n) candidates */

static const char *const region_names[PINN_REGION_COUNT] = {
    [PINN_REGION_INTERIOR] = "interior",
    [PINN_REGION_BOUNDARY] = "boundary",
    [PINN_REGION_INITIAL] = "initial",
    [PINN_REGION_PERIODIC] = "periodic",
};

/* Returns the static name of r, "unknown" when out of range. */
const char *pinn_region_to_string(pinn_region r) {
    if ((int)r < 0 || r >= PINN_REGION_COUNT) return "unknown";
    return region_names[r];
}

static int imax(int a, int b) { return a > b ? a : b; }

/* The sequence dimension each region needs (0: the region does not exist for g). */
int pinn_geom_sample_dim(const pinn_geom *g, pinn_region r) {
    int timed = g->tindex >= 0;
    switch (r) {
    case PINN_REGION_INTERIOR: return g->dim;
    case PINN_REGION_BOUNDARY: return g->ds == 0 ? 0 : imax(g->ds - 1, 1) + timed;
    case PINN_REGION_INITIAL: return timed ? imax(g->ds, 1) : 0;
    case PINN_REGION_PERIODIC:
        if (g->shape != PINN_SHAPE_INTERVAL && g->shape != PINN_SHAPE_BOX) return 0;
        return imax(g->ds - 1 + timed, 1);
    default: return 0;
    }
}

/* What one sampling call maps to. */
typedef struct job {
    pinn_region region;
    int face;  /* boundary: -1 or a face id */
    int paxis; /* periodic: spatial axis number (not coordinate index) */
} job;

/* Clamps a + u (b - a) into [a, b]. */
static double lerp(double a, double b, double u) {
    double x = a + u * (b - a);
    return x > b ? b : (x < a ? a : x);
}

/* Maps u[0..ds-1] (ds >= 1; the disk and polygon use u[0], u[1]) to a uniform spatial point s. */
static void map_space(const pinn_geom *g, const double *u, double *s) {
    switch (g->shape) {
    case PINN_SHAPE_INTERVAL:
    case PINN_SHAPE_BOX:
        for (int k = 0; k < g->ds; k++) s[k] = lerp(g->lo[k], g->hi[k], u[k]);
        break;
    case PINN_SHAPE_DISK: {
        double r = g->r * sqrt(u[0]), th = 2 * PI_ * u[1];
        s[0] = g->cx + r * cos(th);
        s[1] = g->cy + r * sin(th);
        break;
    }
    case PINN_SHAPE_POLYGON: {
        double f;
        size_t t = pinn_geom_cumpick(g->tri_cum, g->ntri, u[0] * g->tri_cum[g->ntri], &f);
        const double *a = g->v + 2 * g->tri[3 * t], *b = g->v + 2 * g->tri[3 * t + 1],
                     *c = g->v + 2 * g->tri[3 * t + 2];
        double q = sqrt(f), wb = q * (1 - u[1]), wc = q * u[1];
        for (int k = 0; k < 2; k++) s[k] = a[k] + wb * (b[k] - a[k]) + wc * (c[k] - a[k]);
        break;
    }
    default: break;
    }
}

/* Maps u[0..bd-1] to a point s on the spatial boundary (one face or the whole boundary by
 * measure), with the outward unit normal nr and the face id. */
static void map_boundary(const pinn_geom *g, int face, const double *u, double *s, double *nr,
                         int *fid) {
    double r;
    int f;
    if (face >= 0) {
        f = face;
        r = u[0];
    } else {
        f = (int)pinn_geom_cumpick(g->face_cum, (size_t)g->nfaces,
                                   u[0] * g->face_cum[g->nfaces], &r);
    }
    for (int k = 0; k < g->ds; k++) nr[k] = 0.0;
    switch (g->shape) {
    case PINN_SHAPE_INTERVAL:
    case PINN_SHAPE_BOX: {
        int ax = f / 2, j = 0;
        double w[2] = {r, g->ds > 2 ? u[1] : 0.0};
        for (int k = 0; k < g->ds; k++)
            if (k != ax) s[k] = lerp(g->lo[k], g->hi[k], w[j++]);
        s[ax] = (f & 1) ? g->hi[ax] : g->lo[ax];
        nr[ax] = (f & 1) ? 1.0 : -1.0;
        break;
    }
    case PINN_SHAPE_DISK: {
        double th = 2 * PI_ * r;
        nr[0] = cos(th);
        nr[1] = sin(th);
        s[0] = g->cx + g->r * nr[0];
        s[1] = g->cy + g->r * nr[1];
        break;
    }
    case PINN_SHAPE_POLYGON: {
        const double *a = g->v + 2 * f, *b = g->v + 2 * (((size_t)f + 1) % g->nv);
        double dx = b[0] - a[0], dy = b[1] - a[1], l = hypot(dx, dy);
        s[0] = a[0] + r * dx;
        s[1] = a[1] + r * dy;
        nr[0] = g->orient * dy / l;
        nr[1] = -g->orient * dx / l;
        break;
    }
    default: break;
    }
    *fid = f;
}

/* Maps one unit-cube point u to the region's point x (D coordinates), and for the boundary its
 * normal nrm and face id fid, for periodic pairs the partner xb (each may be NULL).  Returns 0
 * when a CSG candidate falls outside the region (rejection sampling), else 1. */
static int map_point(const pinn_geom *g, const job *jb, const double *u, pinn_real *x,
                     pinn_real *nrm, int *fid, pinn_real *xb) {
    double s[PINN_GEOM_MAX_SPACE] = {0}, nr[PINN_GEOM_MAX_SPACE] = {0}, t = g->t0;
    int f = 0, ok = 1, csg = g->shape == PINN_SHAPE_CSG;
    switch (jb->region) {
    case PINN_REGION_INTERIOR:
        if (csg) ok = pinn_csg_map_interior(g, u, s);
        else if (g->ds > 0) map_space(g, u, s);
        if (g->tindex >= 0) t = lerp(g->t0, g->t1, u[g->ds]);
        break;
    case PINN_REGION_BOUNDARY:
        if (csg) ok = pinn_csg_map_boundary(g, jb->face, u, s, nr, &f);
        else map_boundary(g, jb->face, u, s, nr, &f);
        if (g->tindex >= 0) t = lerp(g->t0, g->t1, u[imax(g->ds - 1, 1)]);
        break;
    case PINN_REGION_INITIAL:
        if (csg) ok = pinn_csg_map_interior(g, u, s);
        else if (g->ds > 0) map_space(g, u, s);
        break;
    case PINN_REGION_PERIODIC: {
        int j = 0;
        for (int k = 0; k < g->ds; k++)
            if (k != jb->paxis) s[k] = lerp(g->lo[k], g->hi[k], u[j++]);
        s[jb->paxis] = g->lo[jb->paxis];
        if (g->tindex >= 0) t = lerp(g->t0, g->t1, u[j]);
        break;
    }
    default: break;
    }
    for (int k = 0; k < g->ds; k++) x[g->sidx[k]] = (pinn_real)s[k];
    if (g->tindex >= 0) x[g->tindex] = (pinn_real)t;
    if (nrm) {
        if (g->tindex >= 0) nrm[g->tindex] = 0;
        for (int k = 0; k < g->ds; k++) nrm[g->sidx[k]] = (pinn_real)nr[k];
    }
    if (fid) *fid = f;
    if (xb) {
        memcpy(xb, x, (size_t)g->dim * sizeof *xb);
        xb[g->sidx[jb->paxis]] = (pinn_real)g->hi[jb->paxis];
    }
    return ok;
}

/* Copies row i of the outputs to row j. */
static void move_row(int d, size_t i, size_t j, pinn_real *x, pinn_real *nrm, int *fid,
                     pinn_real *xb) {
    if (i == j) return;
    memcpy(x + j * d, x + i * d, (size_t)d * sizeof *x);
    if (nrm) memcpy(nrm + j * d, nrm + i * d, (size_t)d * sizeof *nrm);
    if (fid) fid[j] = fid[i];
    if (xb) memcpy(xb + j * d, xb + i * d, (size_t)d * sizeof *xb);
}

/* Draws from seq, maps through jb and filters with keep; see the header for the contract.
 * Unfiltered (and grid) draws use x itself as the unit-cube scratch: rows of m <= D values are
 * mapped back to front so that no row is overwritten before it is read. */
static pinn_status drive(const pinn_geom *g, const job *jb, pinn_sequence *seq, size_t n,
                         pinn_keep_fn keep, void *ctx, pinn_real *x, pinn_real *nrm, int *fid,
                         pinn_real *xb, size_t *count, pinn_error *err) {
    const char *what = pinn_region_to_string(jb->region);
    if (count) *count = 0;
    if (!seq) return pinn_error_set(err, PINN_ERR_INVALID, "%s sampling: NULL sequence", what);
    int m = pinn_geom_sample_dim(g, jb->region), d = g->dim;
    if (pinn_sequence_dim(seq) != m)
        return pinn_error_set(err, PINN_ERR_INVALID,
                              "%s sampling of this %d-coordinate %s needs a %d-dimensional "
                              "sequence, got %d",
                              what, d, pinn_shape_to_string(g->shape), m, pinn_sequence_dim(seq));
    if (n > 0 && !x) return pinn_error_set(err, PINN_ERR_INVALID, "%s sampling: NULL output", what);
    double u[PINN_SEQUENCE_MAX_DIM];
    int csg = g->shape == PINN_SHAPE_CSG, is_grid = pinn_sequence_kind(seq) == PINN_SAMPLER_GRID;
    if ((!keep && !csg) || is_grid) {
        size_t rows;
        pinn_status st = pinn_sequence_next(seq, n, x, &rows, err);
        if (st != PINN_OK) return st;
        for (size_t i = rows; i-- > 0;) {
            for (int k = 0; k < m; k++) u[k] = (double)x[i * m + k];
            if (!map_point(g, jb, u, x + i * d, nrm ? nrm + i * d : NULL, fid ? fid + i : NULL,
                           xb ? xb + i * d : NULL))
                x[i * d] = (pinn_real)NAN; /* a rejected CSG candidate */
        }
        size_t kept = rows;
        if (keep || csg) {
            kept = 0;
            for (size_t i = 0; i < rows; i++)
                if (!isnan(x[i * d]) && (!keep || keep(x + i * d, ctx)))
                    move_row(d, i, kept++, x, nrm, fid, xb);
            if (kept == 0 && rows > 0)
                return pinn_error_set(err, PINN_ERR_INVALID, "selector matched 0 of %zu %s points",
                                      rows, what);
        }
        if (count) *count = kept;
        return PINN_OK;
    }
    /* filtered: map candidates chunk by chunk, keep the accepted ones in order */
    pinn_real ub[CHUNK * PINN_SEQUENCE_MAX_DIM], cx[PINN_GEOM_MAX_DIM], cn[PINN_GEOM_MAX_DIM],
        cb[PINN_GEOM_MAX_DIM];
    size_t limit = n > (size_t)FILTER_PROBE / FILTER_FACTOR ? n * FILTER_FACTOR : FILTER_PROBE;
    size_t probe = FILTER_PROBE;
    if (csg) { /* candidates the shape itself rejects do not count against the filter */
        double fill = jb->region == PINN_REGION_BOUNDARY ? g->cbfill : g->cfill;
        limit = (size_t)((double)limit / fill) + 1;
        probe = (size_t)((double)probe / fill) + 1;
    }
    size_t drawn = 0, kept = 0;
    while (kept < n && drawn < limit) {
        size_t c = CHUNK;
        if (drawn < probe && probe - drawn < c) c = probe - drawn;
        if (limit - drawn < c) c = limit - drawn;
        pinn_status st = pinn_sequence_next(seq, c, ub, NULL, err);
        if (st != PINN_OK) return st;
        for (size_t i = 0; i < c && kept < n; i++) {
            int cf = 0;
            for (int k = 0; k < m; k++) u[k] = (double)ub[i * m + k];
            if (!map_point(g, jb, u, cx, cn, &cf, xb ? cb : NULL)) continue;
            if (keep && !keep(cx, ctx)) continue;
            memcpy(x + kept * d, cx, (size_t)d * sizeof *x);
            if (nrm) memcpy(nrm + kept * d, cn, (size_t)d * sizeof *nrm);
            if (fid) fid[kept] = cf;
            if (xb) memcpy(xb + kept * d, cb, (size_t)d * sizeof *xb);
            kept++;
        }
        drawn += c;
        if (kept == 0 && drawn >= probe)
            return pinn_error_set(err, PINN_ERR_INVALID, "selector matched 0 of %zu %s points",
                                  drawn, what);
    }
    if (kept < n)
        return pinn_error_set(err, PINN_ERR_INVALID,
                              "selector matched only %zu of %zu %s points, %zu needed: the "
                              "selected part is too small",
                              kept, drawn, what, n);
    if (count) *count = kept;
    return PINN_OK;
}

pinn_status pinn_geom_sample_interior(const pinn_geom *g, pinn_sequence *seq, size_t n,
                                      pinn_keep_fn keep, void *ctx, pinn_real *x, size_t *count,
                                      pinn_error *err) {
    job jb = {PINN_REGION_INTERIOR, -1, -1};
    return drive(g, &jb, seq, n, keep, ctx, x, NULL, NULL, NULL, count, err);
}

pinn_status pinn_geom_sample_boundary(const pinn_geom *g, pinn_sequence *seq, size_t n, int face,
                                      pinn_keep_fn keep, void *ctx, pinn_real *x,
                                      pinn_real *normal, int *face_id, size_t *count,
                                      pinn_error *err) {
    if (count) *count = 0;
    if (g->ds == 0)
        return pinn_error_set(err, PINN_ERR_INVALID,
                              "boundary sampling: a pure time domain has no spatial boundary");
    if (face < -1 || face >= g->nfaces)
        return pinn_error_set(err, PINN_ERR_INVALID,
                              "boundary sampling: face %d out of range (the %s has faces 0..%d)",
                              face, pinn_shape_to_string(g->shape), g->nfaces - 1);
    job jb = {PINN_REGION_BOUNDARY, face, -1};
    return drive(g, &jb, seq, n, keep, ctx, x, normal, face_id, NULL, count, err);
}

pinn_status pinn_geom_sample_initial(const pinn_geom *g, pinn_sequence *seq, size_t n,
                                     pinn_keep_fn keep, void *ctx, pinn_real *x, size_t *count,
                                     pinn_error *err) {
    if (count) *count = 0;
    if (g->tindex < 0)
        return pinn_error_set(err, PINN_ERR_INVALID,
                              "initial sampling: the geometry has no time axis");
    job jb = {PINN_REGION_INITIAL, -1, -1};
    return drive(g, &jb, seq, n, keep, ctx, x, NULL, NULL, NULL, count, err);
}

pinn_status pinn_geom_sample_periodic(const pinn_geom *g, pinn_sequence *seq, size_t n, int axis,
                                      pinn_keep_fn keep, void *ctx, pinn_real *xa, pinn_real *xb,
                                      size_t *count, pinn_error *err) {
    if (count) *count = 0;
    if (g->shape != PINN_SHAPE_INTERVAL && g->shape != PINN_SHAPE_BOX)
        return pinn_error_set(err, PINN_ERR_INVALID,
                              "periodic sampling needs an interval or a box, not a %s",
                              pinn_shape_to_string(g->shape));
    int pa = -1;
    for (int k = 0; k < g->ds; k++)
        if (g->sidx[k] == axis) pa = k;
    if (pa < 0)
        return pinn_error_set(err, PINN_ERR_INVALID,
                              "periodic sampling: coordinate %d is not a spatial coordinate", axis);
    if (n > 0 && !xb)
        return pinn_error_set(err, PINN_ERR_INVALID, "periodic sampling: NULL partner output");
    job jb = {PINN_REGION_PERIODIC, -1, pa};
    return drive(g, &jb, seq, n, keep, ctx, xa, NULL, NULL, xb, count, err);
}
