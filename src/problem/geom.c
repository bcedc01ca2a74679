/* geom.c - space-time domains: construction (interval, box, polygon with validation and
 * ear-clipping triangulation, disk, pure time), the time axis, and the geometric queries
 * (contains, measures, bounding box, faces, signed distance, outward normals). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "problem/geom_internal.h"

#define PI_ 3.14159265358979323846

static const char *const shape_names[PINN_SHAPE_COUNT] = {
    [PINN_SHAPE_NONE] = "none",       [PINN_SHAPE_INTERVAL] = "interval",
    [PINN_SHAPE_BOX] = "box",         [PINN_SHAPE_POLYGON] = "polygon",
    [PINN_SHAPE_DISK] = "disk",       [PINN_SHAPE_CSG] = "csg",
};

/* Returns the static name of s, "unknown" when out of range. */
const char *pinn_shape_to_string(pinn_shape s) {
    if ((int)s < 0 || s >= PINN_SHAPE_COUNT) return "unknown";
    return shape_names[s];
}

/* ---- small 2-D helpers ---- */

/* Twice the signed area of triangle (a,b,c): > 0 when counter-clockwise. */
static double orient2d(const double *a, const double *b, const double *c) {
    return (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0]);
}

static int sgn(double x) { return (x > 0) - (x < 0); }

/* 1 when p, known to be collinear with segment [a,b], lies within its bounding box. */
static int on_segment(const double *a, const double *b, const double *p) {
    return p[0] >= fmin(a[0], b[0]) && p[0] <= fmax(a[0], b[0]) && p[1] >= fmin(a[1], b[1]) &&
           p[1] <= fmax(a[1], b[1]);
}

/* 1 when closed segments [p1,q1] and [p2,q2] share at least one point. */
static int segments_meet(const double *p1, const double *q1, const double *p2, const double *q2) {
    int o1 = sgn(orient2d(p1, q1, p2)), o2 = sgn(orient2d(p1, q1, q2));
    int o3 = sgn(orient2d(p2, q2, p1)), o4 = sgn(orient2d(p2, q2, q1));
    if (o1 * o2 < 0 && o3 * o4 < 0) return 1;
    if (o1 == 0 && on_segment(p1, q1, p2)) return 1;
    if (o2 == 0 && on_segment(p1, q1, q2)) return 1;
    if (o3 == 0 && on_segment(p2, q2, p1)) return 1;
    if (o4 == 0 && on_segment(p2, q2, q1)) return 1;
    return 0;
}

/* Distance from p to segment [a,b]; *t receives the parameter of the nearest point. */
static double seg_distance(const double *a, const double *b, const double *p, double *t) {
    double dx = b[0] - a[0], dy = b[1] - a[1];
    double l2 = dx * dx + dy * dy;
    double s = l2 > 0 ? ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / l2 : 0.0;
    if (s < 0) s = 0;
    if (s > 1) s = 1;
    if (t) *t = s;
    return hypot(p[0] - (a[0] + s * dx), p[1] - (a[1] + s * dy));
}

/* ---- construction ---- */

/* Allocates a zeroed geometry with no time axis; NULL on failure. */
static pinn_geom *geom_new(pinn_shape shape, int ds) {
    pinn_geom *g = calloc(1, sizeof *g);
    if (!g) return NULL;
    g->shape = shape;
    g->ds = ds;
    g->dim = ds;
    g->tindex = -1;
    for (int k = 0; k < PINN_GEOM_MAX_SPACE; k++) g->sidx[k] = k;
    return g;
}

/* Builds the cumulative face-measure table from per-face measures; 0 or -1 (no memory). */
static int geom_set_faces(pinn_geom *g, int nfaces, const double *meas) {
    g->nfaces = nfaces;
    g->face_cum = malloc((size_t)(nfaces + 1) * sizeof *g->face_cum);
    if (!g->face_cum) return -1;
    g->face_cum[0] = 0.0;
    for (int f = 0; f < nfaces; f++) g->face_cum[f + 1] = g->face_cum[f] + meas[f];
    return 0;
}

static pinn_status nomem(pinn_geom *g, pinn_error *err) {
    pinn_geom_free(g);
    return pinn_error_set(err, PINN_ERR_NOMEM, "geometry: out of memory");
}

/* Creates a 1-D box (interval) or 2-D/3-D box after checking the bounds. */
pinn_status pinn_geom_init_box(pinn_geom **out, int dim, const pinn_real *lo, const pinn_real *hi,
                               pinn_error *err) {
    if (!out) return pinn_error_set(err, PINN_ERR_INVALID, "box: NULL output handle");
    *out = NULL;
    if (dim < 1 || dim > PINN_GEOM_MAX_SPACE)
        return pinn_error_set(err, PINN_ERR_INVALID, "box: dimension must be 1, 2 or 3, got %d",
                              dim);
    if (!lo || !hi) return pinn_error_set(err, PINN_ERR_INVALID, "box: NULL bounds");
    for (int k = 0; k < dim; k++) {
        if (!isfinite((double)lo[k]) || !isfinite((double)hi[k]) || !(lo[k] < hi[k]))
            return pinn_error_set(err, PINN_ERR_INVALID,
                                  "box: axis %d needs finite lo < hi, got [%g, %g]", k,
                                  (double)lo[k], (double)hi[k]);
    }
    pinn_geom *g = geom_new(dim == 1 ? PINN_SHAPE_INTERVAL : PINN_SHAPE_BOX, dim);
    if (!g) return nomem(NULL, err);
    double meas[2 * PINN_GEOM_MAX_SPACE];
    g->measure = 1.0;
    for (int k = 0; k < dim; k++) {
        g->lo[k] = (double)lo[k];
        g->hi[k] = (double)hi[k];
        g->measure *= g->hi[k] - g->lo[k];
    }
    g->bmeasure = 0.0;
    for (int k = 0; k < dim; k++) {
        double m = 1.0; /* an interval end counts 1 */
        for (int j = 0; j < dim; j++)
            if (j != k) m *= g->hi[j] - g->lo[j];
        meas[2 * k] = meas[2 * k + 1] = m;
        g->bmeasure += 2 * m;
    }
    if (geom_set_faces(g, 2 * dim, meas)) return nomem(g, err);
    *out = g;
    return PINN_OK;
}

/* Creates [a,b] as a 1-D box. */
pinn_status pinn_geom_init_interval(pinn_geom **out, pinn_real a, pinn_real b, pinn_error *err) {
    return pinn_geom_init_box(out, 1, &a, &b, err);
}

/* Creates the disk; faces: one (the circle). */
pinn_status pinn_geom_init_disk(pinn_geom **out, pinn_real cx, pinn_real cy, pinn_real r,
                                pinn_error *err) {
    if (!out) return pinn_error_set(err, PINN_ERR_INVALID, "disk: NULL output handle");
    *out = NULL;
    if (!isfinite((double)cx) || !isfinite((double)cy) || !isfinite((double)r) || !(r > 0))
        return pinn_error_set(err, PINN_ERR_INVALID,
                              "disk: needs a finite centre and radius > 0, got (%g, %g), r = %g",
                              (double)cx, (double)cy, (double)r);
    pinn_geom *g = geom_new(PINN_SHAPE_DISK, 2);
    if (!g) return nomem(NULL, err);
    g->cx = (double)cx;
    g->cy = (double)cy;
    g->r = (double)r;
    g->lo[0] = g->cx - g->r;
    g->hi[0] = g->cx + g->r;
    g->lo[1] = g->cy - g->r;
    g->hi[1] = g->cy + g->r;
    g->measure = PI_ * g->r * g->r;
    g->bmeasure = 2 * PI_ * g->r;
    if (geom_set_faces(g, 1, &g->bmeasure)) return nomem(g, err);
    *out = g;
    return PINN_OK;
}

/* Creates the pure time domain [t0,t1]: no spatial axes, time at coordinate 0. */
pinn_status pinn_geom_init_time(pinn_geom **out, pinn_real t0, pinn_real t1, pinn_error *err) {
    if (!out) return pinn_error_set(err, PINN_ERR_INVALID, "time domain: NULL output handle");
    *out = NULL;
    if (!isfinite((double)t0) || !isfinite((double)t1) || !(t0 < t1))
        return pinn_error_set(err, PINN_ERR_INVALID,
                              "time domain: needs finite t0 < t1, got [%g, %g]", (double)t0,
                              (double)t1);
    pinn_geom *g = geom_new(PINN_SHAPE_NONE, 0);
    if (!g) return nomem(NULL, err);
    g->tindex = 0;
    g->dim = 1;
    g->t0 = (double)t0;
    g->t1 = (double)t1;
    g->measure = 1.0;
    g->bmeasure = 0.0;
    g->nfaces = 0;
    *out = g;
    return PINN_OK;
}

/* Checks that the polygon in g->v is simple; fills err naming the offending edges. */
static pinn_status polygon_validate(const double *v, size_t n, pinn_error *err) {
    for (size_t i = 0; i < n; i++) {
        const double *a = v + 2 * i, *b = v + 2 * ((i + 1) % n);
        if (a[0] == b[0] && a[1] == b[1])
            return pinn_error_set(err, PINN_ERR_INVALID,
                                  "polygon: edge %zu (vertex %zu to vertex %zu) has zero length: "
                                  "duplicate vertex (%g, %g)",
                                  i, i, (i + 1) % n, a[0], a[1]);
    }
    for (size_t i = 0; i < n; i++) {
        const double *p1 = v + 2 * i, *q1 = v + 2 * ((i + 1) % n);
        for (size_t j = i + 1; j < n; j++) {
            const double *p2 = v + 2 * j, *q2 = v + 2 * ((j + 1) % n);
            int next = (j == i + 1), wrap = (i == 0 && j == n - 1);
            if (next || wrap) {
                /* neighbours share a vertex s; they are bad only if they overlap along a line */
                const double *s = next ? q1 : p1, *a = next ? p1 : q1, *b = next ? q2 : p2;
                double cr = orient2d(s, a, b);
                double dot = (a[0] - s[0]) * (b[0] - s[0]) + (a[1] - s[1]) * (b[1] - s[1]);
                if (cr == 0 && dot > 0)
                    return pinn_error_set(err, PINN_ERR_INVALID,
                                          "polygon: edges %zu and %zu overlap (the boundary folds "
                                          "back at vertex %zu)",
                                          i, j, next ? j : i);
                continue;
            }
            if (segments_meet(p1, q1, p2, q2))
                return pinn_error_set(
                    err, PINN_ERR_INVALID,
                    "polygon: self-intersecting: edge %zu (vertex %zu to %zu) and edge %zu "
                    "(vertex %zu to %zu) intersect",
                    i, i, (i + 1) % n, j, j, (j + 1) % n);
        }
    }
    return PINN_OK;
}

/* Triangulates the counter-clockwise vertex order ord[0..n-1] by ear clipping, writing
 * g->tri / g->ntri / g->tri_cum.  O(n^3) worst case, fine for hand-written polygons. */
static pinn_status polygon_triangulate(pinn_geom *g, size_t *ord, pinn_error *err) {
    size_t m = g->nv;
    const double *v = g->v;
    g->ntri = 0;
    while (m > 3) {
        size_t clip = m; /* position of the ear tip */
        for (size_t k = 0; k < m && clip == m; k++) {
            size_t ia = ord[(k + m - 1) % m], ib = ord[k], ic = ord[(k + 1) % m];
            const double *a = v + 2 * ia, *b = v + 2 * ib, *c = v + 2 * ic;
            if (!(orient2d(a, b, c) > 0)) continue;
            int blocked = 0;
            for (size_t q = 0; q < m && !blocked; q++) {
                size_t ip = ord[q];
                if (ip == ia || ip == ib || ip == ic) continue;
                const double *p = v + 2 * ip;
                if (orient2d(a, b, p) >= 0 && orient2d(b, c, p) >= 0 && orient2d(c, a, p) >= 0)
                    blocked = 1;
            }
            if (!blocked) {
                size_t *t = g->tri + 3 * g->ntri++;
                t[0] = ia, t[1] = ib, t[2] = ic;
                clip = k;
            }
        }
        if (clip == m) {
            /* no proper ear: drop a straight-angle vertex (zero-area triangle) if there is one */
            for (size_t k = 0; k < m && clip == m; k++) {
                const double *a = v + 2 * ord[(k + m - 1) % m], *b = v + 2 * ord[k],
                             *c = v + 2 * ord[(k + 1) % m];
                if (orient2d(a, b, c) == 0) clip = k;
            }
            if (clip == m)
                return pinn_error_set(err, PINN_ERR_NUMERIC,
                                      "polygon: ear clipping found no ear with %zu vertices left",
                                      m);
        }
        memmove(ord + clip, ord + clip + 1, (m - clip - 1) * sizeof *ord);
        m--;
    }
    if (orient2d(v + 2 * ord[0], v + 2 * ord[1], v + 2 * ord[2]) > 0) {
        size_t *t = g->tri + 3 * g->ntri++;
        t[0] = ord[0], t[1] = ord[1], t[2] = ord[2];
    }
    g->tri_cum[0] = 0.0;
    for (size_t i = 0; i < g->ntri; i++) {
        const size_t *t = g->tri + 3 * i;
        g->tri_cum[i + 1] =
            g->tri_cum[i] + 0.5 * orient2d(v + 2 * t[0], v + 2 * t[1], v + 2 * t[2]);
    }
    return PINN_OK;
}

/* Validates, stores and triangulates a simple polygon. */
pinn_status pinn_geom_init_polygon(pinn_geom **out, size_t nv, const pinn_real *xy,
                                   pinn_error *err) {
    if (!out) return pinn_error_set(err, PINN_ERR_INVALID, "polygon: NULL output handle");
    *out = NULL;
    if (nv < 3 || !xy)
        return pinn_error_set(err, PINN_ERR_INVALID, "polygon: needs at least 3 vertices, got %zu",
                              xy ? nv : 0);
    for (size_t i = 0; i < 2 * nv; i++)
        if (!isfinite((double)xy[i]))
            return pinn_error_set(err, PINN_ERR_INVALID, "polygon: vertex %zu is not finite",
                                  i / 2);
    pinn_geom *g = geom_new(PINN_SHAPE_POLYGON, 2);
    if (!g) return nomem(NULL, err);
    g->nv = nv;
    g->v = malloc(2 * nv * sizeof *g->v);
    g->tri = malloc(3 * nv * sizeof *g->tri);
    g->tri_cum = malloc(nv * sizeof *g->tri_cum);
    double *len = malloc(nv * sizeof *len);
    size_t *ord = malloc(nv * sizeof *ord);
    if (!g->v || !g->tri || !g->tri_cum || !len || !ord) {
        free(len);
        free(ord);
        return nomem(g, err);
    }
    for (size_t i = 0; i < 2 * nv; i++) g->v[i] = (double)xy[i];
    pinn_status st = polygon_validate(g->v, nv, err);
    double area2 = 0.0;
    for (size_t i = 0; i < nv; i++) {
        const double *a = g->v + 2 * i, *b = g->v + 2 * ((i + 1) % nv);
        area2 += a[0] * b[1] - a[1] * b[0];
        len[i] = hypot(b[0] - a[0], b[1] - a[1]);
    }
    if (st == PINN_OK && area2 == 0.0)
        st = pinn_error_set(err, PINN_ERR_INVALID, "polygon: zero area");
    if (st == PINN_OK) {
        g->orient = area2 > 0 ? 1 : -1;
        for (size_t i = 0; i < nv; i++) ord[i] = g->orient > 0 ? i : nv - 1 - i;
        st = polygon_triangulate(g, ord, err);
    }
    if (st == PINN_OK) {
        g->measure = 0.5 * fabs(area2);
        g->bmeasure = 0.0;
        g->lo[0] = g->hi[0] = g->v[0];
        g->lo[1] = g->hi[1] = g->v[1];
        for (size_t i = 0; i < nv; i++) {
            g->bmeasure += len[i];
            for (int k = 0; k < 2; k++) {
                g->lo[k] = fmin(g->lo[k], g->v[2 * i + k]);
                g->hi[k] = fmax(g->hi[k], g->v[2 * i + k]);
            }
        }
        if (nv > (size_t)(1 << 30)) st = pinn_error_set(err, PINN_ERR_INVALID, "polygon: too big");
        else if (geom_set_faces(g, (int)nv, len)) st = PINN_ERR_NOMEM;
        if (st == PINN_ERR_NOMEM) pinn_error_set(err, st, "geometry: out of memory");
    }
    free(len);
    free(ord);
    if (st != PINN_OK) {
        pinn_geom_free(g);
        return st;
    }
    *out = g;
    return PINN_OK;
}

/* The L-shape [-1,1]^2 minus (0,1)x(-1,0). */
pinn_status pinn_geom_init_lshape(pinn_geom **out, pinn_error *err) {
    static const pinn_real xy[12] = {-1, -1, 0, -1, 0, 0, 1, 0, 1, 1, -1, 1};
    return pinn_geom_init_polygon(out, 6, xy, err);
}

/* Attaches (or replaces) the time axis and recomputes the coordinate layout. */
pinn_status pinn_geom_set_time(pinn_geom *g, int time_index, pinn_real t0, pinn_real t1,
                               pinn_error *err) {
    if (!g) return pinn_error_set(err, PINN_ERR_INVALID, "set_time: NULL geometry");
    if (g->shape == PINN_SHAPE_NONE)
        return pinn_error_set(err, PINN_ERR_INVALID,
                              "set_time: a pure time domain already has its time axis");
    if (time_index < 0 || time_index > g->ds)
        return pinn_error_set(err, PINN_ERR_INVALID,
                              "set_time: time index %d out of range 0..%d", time_index, g->ds);
    if (!isfinite((double)t0) || !isfinite((double)t1) || !(t0 < t1))
        return pinn_error_set(err, PINN_ERR_INVALID, "set_time: needs finite t0 < t1, got [%g, %g]",
                              (double)t0, (double)t1);
    g->tindex = time_index;
    g->dim = g->ds + 1;
    g->t0 = (double)t0;
    g->t1 = (double)t1;
    for (int k = 0; k < g->ds; k++) g->sidx[k] = k < time_index ? k : k + 1;
    return PINN_OK;
}

/* Frees the geometry and everything it owns. */
void pinn_geom_free(pinn_geom *g) {
    if (!g) return;
    if (g->shape == PINN_SHAPE_CSG) pinn_csg_free(g);
    free(g->v);
    free(g->tri);
    free(g->tri_cum);
    free(g->face_cum);
    free(g);
}

/* ---- accessors ---- */

pinn_shape pinn_geom_shape(const pinn_geom *g) { return g->shape; }
int pinn_geom_dim(const pinn_geom *g) { return g->dim; }
int pinn_geom_space_dim(const pinn_geom *g) { return g->ds; }
int pinn_geom_time_index(const pinn_geom *g) { return g->tindex; }

int pinn_geom_space_index(const pinn_geom *g, int k) {
    return (k >= 0 && k < g->ds) ? g->sidx[k] : -1;
}

int pinn_geom_time_range(const pinn_geom *g, pinn_real *t0, pinn_real *t1) {
    if (g->tindex < 0) return 0;
    if (t0) *t0 = (pinn_real)g->t0;
    if (t1) *t1 = (pinn_real)g->t1;
    return 1;
}

/* ---- queries ---- */

/* Copies the spatial coordinates of pt into s[ds] as doubles. */
static void spatial(const pinn_geom *g, const pinn_real *pt, double *s) {
    for (int k = 0; k < g->ds; k++) s[k] = (double)pt[g->sidx[k]];
}

/* 1 when p is inside the polygon by the even-odd crossing rule. */
static int polygon_inside(const pinn_geom *g, const double *p) {
    int in = 0;
    size_t n = g->nv;
    for (size_t i = 0, j = n - 1; i < n; j = i++) {
        const double *a = g->v + 2 * i, *b = g->v + 2 * j;
        if ((a[1] > p[1]) != (b[1] > p[1])) {
            double x = a[0] + (p[1] - a[1]) * (b[0] - a[0]) / (b[1] - a[1]);
            if (p[0] < x) in = !in;
        }
    }
    return in;
}

/* Nearest polygon edge to p; returns its index and the distance in *d. */
static size_t polygon_nearest_edge(const pinn_geom *g, const double *p, double *d) {
    size_t best = 0;
    double bd = INFINITY;
    for (size_t i = 0; i < g->nv; i++) {
        double di = seg_distance(g->v + 2 * i, g->v + 2 * ((i + 1) % g->nv), p, NULL);
        if (di < bd) bd = di, best = i;
    }
    *d = bd;
    return best;
}

/* Signed distance of the spatial point s (double) to the boundary. */
static double sdist(const pinn_geom *g, const double *s) {
    switch (g->shape) {
    case PINN_SHAPE_INTERVAL:
    case PINN_SHAPE_BOX: {
        double out2 = 0.0, qmax = -INFINITY;
        for (int k = 0; k < g->ds; k++) {
            double q = fmax(g->lo[k] - s[k], s[k] - g->hi[k]);
            if (q > 0) out2 += q * q;
            qmax = fmax(qmax, q);
        }
        return out2 > 0 ? sqrt(out2) : qmax;
    }
    case PINN_SHAPE_DISK: return hypot(s[0] - g->cx, s[1] - g->cy) - g->r;
    case PINN_SHAPE_POLYGON: {
        double d;
        polygon_nearest_edge(g, s, &d);
        return polygon_inside(g, s) ? -d : d;
    }
    case PINN_SHAPE_CSG: return pinn_csg_sdist(g, s, NULL, NULL);
    default: return -INFINITY;
    }
}

pinn_real pinn_geom_signed_distance(const pinn_geom *g, const pinn_real *pt) {
    double s[PINN_GEOM_MAX_SPACE];
    spatial(g, pt, s);
    return (pinn_real)sdist(g, s);
}

pinn_real pinn_geom_distance(const pinn_geom *g, const pinn_real *pt) {
    return (pinn_real)fabs((double)pinn_geom_signed_distance(g, pt));
}

/* Inside the closed domain enlarged by tol: time within [t0-tol, t1+tol] and signed distance
 * <= tol. */
int pinn_geom_contains(const pinn_geom *g, const pinn_real *pt, pinn_real tol) {
    if (g->tindex >= 0) {
        double t = (double)pt[g->tindex];
        if (!(t >= g->t0 - (double)tol && t <= g->t1 + (double)tol)) return 0;
    }
    if (g->ds == 0) return 1;
    double s[PINN_GEOM_MAX_SPACE];
    spatial(g, pt, s);
    for (int k = 0; k < g->ds; k++)
        if (isnan(s[k])) return 0;
    return sdist(g, s) <= (double)tol;
}

pinn_real pinn_geom_space_measure(const pinn_geom *g) { return (pinn_real)g->measure; }

pinn_real pinn_geom_measure(const pinn_geom *g) {
    return (pinn_real)(g->tindex >= 0 ? g->measure * (g->t1 - g->t0) : g->measure);
}

pinn_real pinn_geom_boundary_measure(const pinn_geom *g) { return (pinn_real)g->bmeasure; }

void pinn_geom_bbox(const pinn_geom *g, pinn_real *lo, pinn_real *hi) {
    for (int k = 0; k < g->ds; k++) {
        lo[g->sidx[k]] = (pinn_real)g->lo[k];
        hi[g->sidx[k]] = (pinn_real)g->hi[k];
    }
    if (g->tindex >= 0) {
        lo[g->tindex] = (pinn_real)g->t0;
        hi[g->tindex] = (pinn_real)g->t1;
    }
}

int pinn_geom_face_count(const pinn_geom *g) { return g->nfaces; }

pinn_real pinn_geom_face_measure(const pinn_geom *g, int face) {
    if (face < 0 || face >= g->nfaces) return 0;
    return (pinn_real)(g->face_cum[face + 1] - g->face_cum[face]);
}

/* Outward normal of the nearest face: box/interval by the largest signed face distance,
 * polygon by the nearest edge, disk radially. */
pinn_status pinn_geom_normal(const pinn_geom *g, const pinn_real *pt, pinn_real *normal,
                             int *face, pinn_error *err) {
    if (g->ds == 0)
        return pinn_error_set(err, PINN_ERR_INVALID, "normal: a pure time domain has no boundary");
    double s[PINN_GEOM_MAX_SPACE], nrm[PINN_GEOM_MAX_SPACE] = {0};
    int f = 0;
    spatial(g, pt, s);
    switch (g->shape) {
    case PINN_SHAPE_INTERVAL:
    case PINN_SHAPE_BOX: {
        double qmax = -INFINITY;
        for (int k = 0; k < g->ds; k++) {
            double ql = g->lo[k] - s[k], qh = s[k] - g->hi[k];
            if (ql > qmax) qmax = ql, f = 2 * k;
            if (qh > qmax) qmax = qh, f = 2 * k + 1;
        }
        nrm[f / 2] = (f & 1) ? 1.0 : -1.0;
        break;
    }
    case PINN_SHAPE_DISK: {
        double dx = s[0] - g->cx, dy = s[1] - g->cy, r = hypot(dx, dy);
        if (r > 0) nrm[0] = dx / r, nrm[1] = dy / r;
        else nrm[0] = 1.0;
        break;
    }
    case PINN_SHAPE_POLYGON: {
        double d;
        size_t e = polygon_nearest_edge(g, s, &d);
        const double *a = g->v + 2 * e, *b = g->v + 2 * ((e + 1) % g->nv);
        double dx = b[0] - a[0], dy = b[1] - a[1], l = hypot(dx, dy);
        nrm[0] = g->orient * dy / l;
        nrm[1] = -g->orient * dx / l;
        f = (int)e;
        break;
    }
    case PINN_SHAPE_CSG: pinn_csg_normal(g, s, nrm, &f); break;
    default: break;
    }
    for (int k = 0; k < g->dim; k++) normal[k] = 0;
    for (int k = 0; k < g->ds; k++) normal[g->sidx[k]] = (pinn_real)nrm[k];
    if (face) *face = f;
    return PINN_OK;
}

size_t pinn_geom_vertex_count(const pinn_geom *g) {
    return g->shape == PINN_SHAPE_POLYGON ? g->nv : 0;
}

pinn_status pinn_geom_vertex(const pinn_geom *g, size_t i, pinn_real *xy, pinn_error *err) {
    if (i >= pinn_geom_vertex_count(g))
        return pinn_error_set(err, PINN_ERR_INVALID, "vertex %zu: the geometry has %zu vertices",
                              i, pinn_geom_vertex_count(g));
    xy[0] = (pinn_real)g->v[2 * i];
    xy[1] = (pinn_real)g->v[2 * i + 1];
    return PINN_OK;
}

size_t pinn_geom_triangle_count(const pinn_geom *g) {
    return g->shape == PINN_SHAPE_POLYGON ? g->ntri : 0;
}

pinn_status pinn_geom_triangle(const pinn_geom *g, size_t i, pinn_real *xy, pinn_error *err) {
    if (g->shape != PINN_SHAPE_POLYGON || i >= g->ntri)
        return pinn_error_set(err, PINN_ERR_INVALID, "triangle %zu: the geometry has %zu triangles",
                              i, pinn_geom_triangle_count(g));
    for (int c = 0; c < 3; c++) {
        xy[2 * c] = (pinn_real)g->v[2 * g->tri[3 * i + c]];
        xy[2 * c + 1] = (pinn_real)g->v[2 * g->tri[3 * i + c] + 1];
    }
    return PINN_OK;
}

/* Binary search in a cumulative table; see geom_internal.h. */
size_t pinn_geom_cumpick(const double *cum, size_t n, double w, double *frac) {
    size_t lo = 0, hi = n - 1; /* find the first cell k with cum[k+1] > w */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (cum[mid + 1] > w) hi = mid;
        else lo = mid + 1;
    }
    while (lo > 0 && !(cum[lo + 1] > cum[lo])) lo--; /* w at/after the end: last nonempty cell */
    double width = cum[lo + 1] - cum[lo];
    double f = width > 0 ? (w - cum[lo]) / width : 0.0;
    if (!(f >= 0)) f = 0.0;
    if (f >= 1) f = nextafter(1.0, 0.0);
    *frac = f;
    return lo;
}
