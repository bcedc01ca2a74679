/* geom_csg.c - constructive geometry: union, intersection and difference of boxes, disks/balls,
 * polygons, half-spaces and cylinders in 2-D and 3-D.  Inside tests and signed distances combine
 * the primitives' exact distances by min/max; the interior is sampled by rejection from the
 * bounding box, the boundary by rejection from the primitives' boundaries (each by its own
 * measure, so the kept points are uniform on the shape's boundary), with outward normals. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "problem/geom_internal.h"

#define PI_ 3.14159265358979323846
#define CSG_PROBE_IN 65536  /* interior candidates of the measure estimate */
#define CSG_PROBE_BD 32768  /* boundary candidates of the measure estimate */
#define CSG_MIN_FILL 1e-4   /* least kept fraction of candidates accepted */

static const char *const csg_names[PINN_CSG_KIND_COUNT] = {
    [PINN_CSG_BOX] = "box",           [PINN_CSG_BALL] = "ball",       [PINN_CSG_POLYGON] = "polygon",
    [PINN_CSG_HALFSPACE] = "halfspace", [PINN_CSG_CYLINDER] = "cylinder", [PINN_CSG_UNION] = "union",
    [PINN_CSG_INTERSECTION] = "intersection", [PINN_CSG_DIFFERENCE] = "difference",
};

/* Returns the static name of k, "unknown" when out of range. */
const char *pinn_csg_kind_to_string(pinn_csg_kind k) {
    if ((int)k < 0 || k >= PINN_CSG_KIND_COUNT) return "unknown";
    return csg_names[k];
}

static int is_op(pinn_csg_kind k) { return k >= PINN_CSG_UNION; }

static double lerp(double a, double b, double u) { return a + u * (b - a); }

/* Distance from p to segment [a,b]. */
static double seg_dist(const double *a, const double *b, const double *p) {
    double dx = b[0] - a[0], dy = b[1] - a[1], l2 = dx * dx + dy * dy;
    double s = l2 > 0 ? ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / l2 : 0.0;
    s = s < 0 ? 0 : (s > 1 ? 1 : s);
    return hypot(p[0] - (a[0] + s * dx), p[1] - (a[1] + s * dy));
}

/* Exact signed distance of s to primitive nd (negative inside). */
static double leaf_sdist(const pinn_csg_node *nd, int ds, const double *s) {
    switch (nd->kind) {
    case PINN_CSG_BOX: {
        double out2 = 0, qmax = -INFINITY;
        for (int k = 0; k < ds; k++) {
            double q = fmax(nd->lo[k] - s[k], s[k] - nd->hi[k]);
            if (q > 0) out2 += q * q;
            qmax = fmax(qmax, q);
        }
        return out2 > 0 ? sqrt(out2) : qmax;
    }
    case PINN_CSG_BALL: {
        double r2 = 0;
        for (int k = 0; k < ds; k++) r2 += (s[k] - nd->center[k]) * (s[k] - nd->center[k]);
        return sqrt(r2) - nd->radius;
    }
    case PINN_CSG_HALFSPACE: {
        double v = -nd->offset;
        for (int k = 0; k < ds; k++) v += nd->normal[k] * s[k];
        return v;
    }
    case PINN_CSG_CYLINDER: {
        double r2 = 0;
        for (int k = 0; k < 3; k++)
            if (k != nd->axis) r2 += (s[k] - nd->center[k]) * (s[k] - nd->center[k]);
        double a = sqrt(r2) - nd->radius, b = fmax(nd->lo[0] - s[nd->axis], s[nd->axis] - nd->hi[0]);
        return (a > 0 && b > 0) ? hypot(a, b) : fmax(a, b);
    }
    case PINN_CSG_POLYGON: {
        int in = 0;
        double d = INFINITY;
        for (int i = 0, j = nd->nv - 1; i < nd->nv; j = i++) {
            const double *a = nd->xy[i], *b = nd->xy[j];
            if ((a[1] > s[1]) != (b[1] > s[1])) {
                double x = a[0] + (s[1] - a[1]) * (b[0] - a[0]) / (b[1] - a[1]);
                if (s[0] < x) in = !in;
            }
            d = fmin(d, seg_dist(a, b, s));
        }
        return in ? -d : d;
    }
    default: return INFINITY;
    }
}

/* The combined signed distance; see geom_internal.h. */
double pinn_csg_sdist(const pinn_geom *g, const double *s, int *node, int *flip) {
    double v[PINN_CSG_MAX_NODES];
    int act[PINN_CSG_MAX_NODES], fl[PINN_CSG_MAX_NODES];
    for (int i = 0; i < g->ncsg; i++) {
        const pinn_csg_node *nd = &g->csg[i];
        if (!is_op(nd->kind)) {
            v[i] = leaf_sdist(nd, g->ds, s), act[i] = i, fl[i] = 0;
            continue;
        }
        double a = v[nd->a], b = nd->kind == PINN_CSG_DIFFERENCE ? -v[nd->b] : v[nd->b];
        int fb = nd->kind == PINN_CSG_DIFFERENCE ? !fl[nd->b] : fl[nd->b];
        int take_b = nd->kind == PINN_CSG_UNION ? b < a : b > a;
        v[i] = take_b ? b : a;
        act[i] = take_b ? act[nd->b] : act[nd->a];
        fl[i] = take_b ? fb : fl[nd->a];
    }
    if (node) *node = act[g->ncsg - 1];
    if (flip) *flip = fl[g->ncsg - 1];
    return v[g->ncsg - 1];
}

static int inside(const pinn_geom *g, const double *s) { return pinn_csg_sdist(g, s, NULL, NULL) <= 0; }

/* Outward normal by central differences of the combined distance at s (step: ceps). */
void pinn_csg_normal(const pinn_geom *g, const double *s, double *nr, int *face) {
    double q[PINN_GEOM_MAX_SPACE], len = 0;
    pinn_csg_sdist(g, s, face, NULL);
    for (int k = 0; k < g->ds; k++) {
        memcpy(q, s, sizeof q);
        q[k] = s[k] + g->ceps;
        double a = pinn_csg_sdist(g, q, NULL, NULL);
        q[k] = s[k] - g->ceps;
        nr[k] = a - pinn_csg_sdist(g, q, NULL, NULL);
        len += nr[k] * nr[k];
    }
    len = sqrt(len);
    for (int k = 0; k < g->ds; k++) nr[k] = len > 0 ? nr[k] / len : (k == 0);
}

/* Interior candidate: uniform in the bounding box, kept when inside. */
int pinn_csg_map_interior(const pinn_geom *g, const double *u, double *s) {
    for (int k = 0; k < g->ds; k++) s[k] = lerp(g->lo[k], g->hi[k], u[k]);
    return inside(g, s);
}

/* A point on primitive nd's boundary from (r, u1), uniform by measure, with its outward normal. */
static void leaf_boundary(const pinn_geom *g, int i, double r, double u1, double *s, double *nr) {
    const pinn_csg_node *nd = &g->csg[i];
    int ds = g->ds;
    for (int k = 0; k < ds; k++) nr[k] = 0;
    switch (nd->kind) {
    case PINN_CSG_BOX: {
        double meas[6], cum[7] = {0};
        for (int f = 0; f < 2 * ds; f++) {
            meas[f] = 1;
            for (int k = 0; k < ds; k++)
                if (k != f / 2) meas[f] *= nd->hi[k] - nd->lo[k];
            cum[f + 1] = cum[f] + meas[f];
        }
        double r2;
        int f = (int)pinn_geom_cumpick(cum, (size_t)(2 * ds), r * cum[2 * ds], &r2);
        double w[2] = {r2, u1};
        for (int k = 0, j = 0; k < ds; k++)
            if (k != f / 2) s[k] = lerp(nd->lo[k], nd->hi[k], w[j++]);
        s[f / 2] = (f & 1) ? nd->hi[f / 2] : nd->lo[f / 2];
        nr[f / 2] = (f & 1) ? 1 : -1;
        break;
    }
    case PINN_CSG_BALL:
        if (ds == 2) nr[0] = cos(2 * PI_ * r), nr[1] = sin(2 * PI_ * r);
        else {
            double z = 1 - 2 * r, q = sqrt(fmax(0, 1 - z * z));
            nr[0] = q * cos(2 * PI_ * u1), nr[1] = q * sin(2 * PI_ * u1), nr[2] = z;
        }
        for (int k = 0; k < ds; k++) s[k] = nd->center[k] + nd->radius * nr[k];
        break;
    case PINN_CSG_POLYGON: {
        const double *cum = g->cedge[i];
        double r2;
        size_t e = pinn_geom_cumpick(cum, (size_t)nd->nv, r * cum[nd->nv], &r2);
        const double *a = nd->xy[e], *b = nd->xy[(e + 1) % (size_t)nd->nv];
        double dx = b[0] - a[0], dy = b[1] - a[1], l = hypot(dx, dy), orient = nd->radius; /* +-1, see init */
        s[0] = a[0] + r2 * dx, s[1] = a[1] + r2 * dy;
        nr[0] = orient * dy / l, nr[1] = -orient * dx / l;
        break;
    }
    case PINN_CSG_HALFSPACE: {
        int kd = 0;
        for (int k = 1; k < ds; k++)
            if (fabs(nd->normal[k]) > fabs(nd->normal[kd])) kd = k;
        double w[2] = {r, u1}, v = nd->offset;
        for (int k = 0, j = 0; k < ds; k++)
            if (k != kd) s[k] = lerp(g->lo[k], g->hi[k], w[j++]), v -= nd->normal[k] * s[k];
        s[kd] = v / nd->normal[kd];
        for (int k = 0; k < ds; k++) nr[k] = nd->normal[k];
        break;
    }
    case PINN_CSG_CYLINDER: {
        double h = nd->hi[0] - nd->lo[0], R = nd->radius;
        double cum[4] = {0, 2 * PI_ * R * h, 2 * PI_ * R * h + PI_ * R * R, 2 * PI_ * R * h + 2 * PI_ * R * R}, r2;
        int part = (int)pinn_geom_cumpick(cum, 3, r * cum[3], &r2);
        int ax = nd->axis, o[2], j = 0;
        for (int k = 0; k < 3; k++)
            if (k != ax) o[j++] = k;
        if (part == 0) {
            double th = 2 * PI_ * r2;
            nr[o[0]] = cos(th), nr[o[1]] = sin(th);
            s[o[0]] = nd->center[o[0]] + R * nr[o[0]], s[o[1]] = nd->center[o[1]] + R * nr[o[1]];
            s[ax] = lerp(nd->lo[0], nd->hi[0], u1);
        } else {
            double rho = R * sqrt(r2), th = 2 * PI_ * u1;
            s[o[0]] = nd->center[o[0]] + rho * cos(th), s[o[1]] = nd->center[o[1]] + rho * sin(th);
            s[ax] = part == 1 ? nd->lo[0] : nd->hi[0];
            nr[ax] = part == 1 ? -1 : 1;
        }
        break;
    }
    default: break;
    }
}

/* Boundary candidate on node face (or on a node picked by candidate measure): kept when the
 * shape is inside on one side and outside on the other, and no earlier primitive owns it. */
int pinn_csg_map_boundary(const pinn_geom *g, int face, const double *u, double *s, double *nr, int *fid) {
    double r = u[0], u1 = g->ds > 2 ? u[1] : 0;
    int i = face;
    if (i < 0) i = (int)pinn_geom_cumpick(g->ccand, (size_t)g->ncsg, u[0] * g->ccand[g->ncsg], &r);
    *fid = i;
    if (!(g->ccand[i + 1] > g->ccand[i])) return 0;
    leaf_boundary(g, i, r, u1, s, nr);
    double e = g->ceps, pm[PINN_GEOM_MAX_SPACE], pp[PINN_GEOM_MAX_SPACE];
    for (int k = 0; k < g->ds; k++) {
        if (!(s[k] >= g->lo[k] - e && s[k] <= g->hi[k] + e)) return 0;
        pm[k] = s[k] - e * nr[k], pp[k] = s[k] + e * nr[k];
    }
    int a = inside(g, pm), b = inside(g, pp);
    if (a == b) return 0;
    for (int j = 0; j < i; j++)
        if (!is_op(g->csg[j].kind) && fabs(leaf_sdist(&g->csg[j], g->ds, s)) <= 0.5 * e) return 0;
    if (!a)
        for (int k = 0; k < g->ds; k++) nr[k] = -nr[k];
    return 1;
}

void pinn_csg_free(pinn_geom *g) {
    if (g->cedge)
        for (int i = 0; i < g->ncsg; i++) free(g->cedge[i]);
    free(g->cedge);
    free(g->csg);
    free(g->ccand);
}

/* Checks node i's members; the message names the node and what is wrong. */
static pinn_status check_node(const pinn_csg_node *nd, int i, int dim, pinn_error *err) {
    const char *k = pinn_csg_kind_to_string(nd->kind);
    if ((int)nd->kind < 0 || nd->kind >= PINN_CSG_KIND_COUNT)
        return pinn_error_set(err, PINN_ERR_INVALID, "csg node %d: unknown kind %d", i, (int)nd->kind);
    if (is_op(nd->kind)) {
        if (nd->a < 0 || nd->a >= i || nd->b < 0 || nd->b >= i)
            return pinn_error_set(err, PINN_ERR_INVALID, "csg node %d (%s): operands %d and %d must be earlier nodes", i, k,
                                  nd->a, nd->b);
        return PINN_OK;
    }
    switch (nd->kind) {
    case PINN_CSG_BOX:
        for (int a = 0; a < dim; a++)
            if (!(nd->lo[a] < nd->hi[a]) || !isfinite(nd->lo[a]) || !isfinite(nd->hi[a]))
                return pinn_error_set(err, PINN_ERR_INVALID, "csg node %d (box): needs finite lo < hi in every axis (axis %d: [%g, %g])",
                                      i, a, nd->lo[a], nd->hi[a]);
        break;
    case PINN_CSG_CYLINDER:
        if (dim != 3) return pinn_error_set(err, PINN_ERR_INVALID, "csg node %d (cylinder): needs 3 spatial axes, the shape has %d", i, dim);
        if (nd->axis < 0 || nd->axis > 2) return pinn_error_set(err, PINN_ERR_INVALID, "csg node %d (cylinder): axis %d is not 0, 1 or 2", i, nd->axis);
        if (!(nd->lo[0] < nd->hi[0]) || !isfinite(nd->lo[0]) || !isfinite(nd->hi[0]))
            return pinn_error_set(err, PINN_ERR_INVALID, "csg node %d (cylinder): needs finite lo < hi along its axis", i);
        /* fall through: radius and centre */
        __attribute__((fallthrough));
    case PINN_CSG_BALL:
        if (!(nd->radius > 0) || !isfinite(nd->radius))
            return pinn_error_set(err, PINN_ERR_INVALID, "csg node %d (%s): radius must be finite and > 0, got %g", i, k, nd->radius);
        for (int a = 0; a < dim; a++)
            if (!isfinite(nd->center[a])) return pinn_error_set(err, PINN_ERR_INVALID, "csg node %d (%s): the centre is not finite", i, k);
        break;
    case PINN_CSG_HALFSPACE: {
        double l = 0;
        for (int a = 0; a < dim; a++) l += nd->normal[a] * nd->normal[a];
        if (!(l > 0) || !isfinite(l) || !isfinite(nd->offset))
            return pinn_error_set(err, PINN_ERR_INVALID, "csg node %d (halfspace): needs a finite nonzero normal and a finite offset", i);
        break;
    }
    case PINN_CSG_POLYGON: {
        if (dim != 2) return pinn_error_set(err, PINN_ERR_INVALID, "csg node %d (polygon): needs 2 spatial axes, the shape has %d", i, dim);
        if (nd->nv < 3 || nd->nv > PINN_CSG_MAX_VERTICES)
            return pinn_error_set(err, PINN_ERR_INVALID, "csg node %d (polygon): needs 3 to %d vertices, got %d", i, PINN_CSG_MAX_VERTICES, nd->nv);
        pinn_real xy[2 * PINN_CSG_MAX_VERTICES];
        for (int v = 0; v < nd->nv; v++) xy[2 * v] = (pinn_real)nd->xy[v][0], xy[2 * v + 1] = (pinn_real)nd->xy[v][1];
        pinn_geom *p = NULL;
        pinn_error e;
        if (pinn_geom_init_polygon(&p, (size_t)nd->nv, xy, &e))
            return pinn_error_set(err, PINN_ERR_INVALID, "csg node %d: %s", i, e.msg);
        pinn_geom_free(p);
        break;
    }
    default: break;
    }
    return PINN_OK;
}

/* Node bounding boxes (infinite for half-spaces) in blo/bhi[n][3]. */
static void node_bbox(const pinn_csg_node *nd, int i, int dim, double (*blo)[3], double (*bhi)[3]) {
    for (int a = 0; a < dim; a++) {
        double lo = -INFINITY, hi = INFINITY;
        switch (nd->kind) {
        case PINN_CSG_BOX: lo = nd->lo[a], hi = nd->hi[a]; break;
        case PINN_CSG_BALL: lo = nd->center[a] - nd->radius, hi = nd->center[a] + nd->radius; break;
        case PINN_CSG_CYLINDER:
            if (a == nd->axis) lo = nd->lo[0], hi = nd->hi[0];
            else lo = nd->center[a] - nd->radius, hi = nd->center[a] + nd->radius;
            break;
        case PINN_CSG_POLYGON:
            lo = INFINITY, hi = -INFINITY;
            for (int v = 0; v < nd->nv; v++) lo = fmin(lo, nd->xy[v][a]), hi = fmax(hi, nd->xy[v][a]);
            break;
        case PINN_CSG_UNION: lo = fmin(blo[nd->a][a], blo[nd->b][a]), hi = fmax(bhi[nd->a][a], bhi[nd->b][a]); break;
        case PINN_CSG_INTERSECTION: lo = fmax(blo[nd->a][a], blo[nd->b][a]), hi = fmin(bhi[nd->a][a], bhi[nd->b][a]); break;
        case PINN_CSG_DIFFERENCE: lo = blo[nd->a][a], hi = bhi[nd->a][a]; break;
        default: break;
        }
        blo[i][a] = lo, bhi[i][a] = hi;
    }
}

/* Candidate boundary measure of node i (0 for operations); the shape's bbox is set. */
static double cand_measure(const pinn_geom *g, int i) {
    const pinn_csg_node *nd = &g->csg[i];
    int ds = g->ds;
    switch (nd->kind) {
    case PINN_CSG_BOX: {
        double m = 0;
        for (int f = 0; f < ds; f++) {
            double a = 1;
            for (int k = 0; k < ds; k++)
                if (k != f) a *= nd->hi[k] - nd->lo[k];
            m += 2 * a;
        }
        return m;
    }
    case PINN_CSG_BALL: return ds == 2 ? 2 * PI_ * nd->radius : 4 * PI_ * nd->radius * nd->radius;
    case PINN_CSG_POLYGON: return g->cedge[i][nd->nv];
    case PINN_CSG_CYLINDER: return 2 * PI_ * nd->radius * (nd->hi[0] - nd->lo[0]) + 2 * PI_ * nd->radius * nd->radius;
    case PINN_CSG_HALFSPACE: {
        int kd = 0;
        for (int k = 1; k < ds; k++)
            if (fabs(nd->normal[k]) > fabs(nd->normal[kd])) kd = k;
        double a = 1;
        for (int k = 0; k < ds; k++)
            if (k != kd) a *= g->hi[k] - g->lo[k];
        return a / fabs(nd->normal[kd]);
    }
    default: return 0;
    }
}

/* Builds the CSG shape: checks, bounding box, candidate tables and the measure estimates. */
pinn_status pinn_geom_init_csg(pinn_geom **out, int dim, int n, const pinn_csg_node *nodes, pinn_error *err) {
    if (!out) return pinn_error_set(err, PINN_ERR_INVALID, "csg: NULL output handle");
    *out = NULL;
    if (dim != 2 && dim != 3) return pinn_error_set(err, PINN_ERR_INVALID, "csg: needs 2 or 3 spatial axes, got %d", dim);
    if (n < 1 || n > PINN_CSG_MAX_NODES || !nodes)
        return pinn_error_set(err, PINN_ERR_INVALID, "csg: needs 1 to %d nodes, got %d", PINN_CSG_MAX_NODES, nodes ? n : 0);
    for (int i = 0; i < n; i++) {
        pinn_status st = check_node(&nodes[i], i, dim, err);
        if (st) return st;
    }
    pinn_geom *g = calloc(1, sizeof *g);
    if (!g) return pinn_error_set(err, PINN_ERR_NOMEM, "csg: out of memory");
    g->shape = PINN_SHAPE_CSG;
    g->ds = g->dim = dim;
    g->tindex = -1;
    for (int k = 0; k < PINN_GEOM_MAX_SPACE; k++) g->sidx[k] = k;
    g->ncsg = n;
    g->csg = malloc((size_t)n * sizeof *g->csg);
    g->cedge = calloc((size_t)n, sizeof *g->cedge);
    g->ccand = malloc((size_t)(n + 1) * sizeof *g->ccand);
    g->face_cum = calloc((size_t)(n + 1), sizeof *g->face_cum);
    g->nfaces = n;
    pinn_status st = PINN_OK;
    if (!g->csg || !g->cedge || !g->ccand || !g->face_cum) st = pinn_error_set(err, PINN_ERR_NOMEM, "csg: out of memory");
    double blo[PINN_CSG_MAX_NODES][3], bhi[PINN_CSG_MAX_NODES][3];
    for (int i = 0; i < n && !st; i++) {
        pinn_csg_node *nd = &g->csg[i];
        *nd = nodes[i];
        if (nd->kind == PINN_CSG_HALFSPACE) {
            double l = 0;
            for (int a = 0; a < dim; a++) l += nd->normal[a] * nd->normal[a];
            l = sqrt(l);
            for (int a = 0; a < dim; a++) nd->normal[a] /= l;
            nd->offset /= l;
        }
        if (nd->kind == PINN_CSG_POLYGON) {
            double area2 = 0;
            g->cedge[i] = malloc((size_t)(nd->nv + 1) * sizeof **g->cedge);
            if (!g->cedge[i]) {
                st = pinn_error_set(err, PINN_ERR_NOMEM, "csg: out of memory");
                break;
            }
            g->cedge[i][0] = 0;
            for (int v = 0; v < nd->nv; v++) {
                const double *a = nd->xy[v], *b = nd->xy[(v + 1) % nd->nv];
                area2 += a[0] * b[1] - a[1] * b[0];
                g->cedge[i][v + 1] = g->cedge[i][v] + hypot(b[0] - a[0], b[1] - a[1]);
            }
            nd->radius = area2 > 0 ? 1 : -1; /* the orientation, read by leaf_boundary */
        }
        node_bbox(nd, i, dim, blo, bhi);
    }
    double vol = 1, size = 0;
    for (int a = 0; a < dim && !st; a++) {
        g->lo[a] = blo[n - 1][a], g->hi[a] = bhi[n - 1][a];
        if (!isfinite(g->lo[a]) || !isfinite(g->hi[a]))
            st = pinn_error_set(err, PINN_ERR_INVALID,
                                "csg: the shape is unbounded along axis %d (a half-space must be intersected with a bounded shape)", a);
        else if (!(g->lo[a] < g->hi[a]))
            st = pinn_error_set(err, PINN_ERR_INVALID, "csg: the shape is empty (its bounding box has no extent along axis %d)", a);
        else vol *= g->hi[a] - g->lo[a], size = fmax(size, g->hi[a] - g->lo[a]);
    }
    pinn_sequence *seq = NULL;
    if (!st) {
        g->ceps = 1e-7 * size;
        g->ccand[0] = 0;
        for (int i = 0; i < n; i++) g->ccand[i + 1] = g->ccand[i] + cand_measure(g, i);
        st = pinn_sequence_init(&seq, PINN_SAMPLER_HALTON, dim, 7, NULL, err);
    }
    /* the measure estimates: kept fractions of Halton candidates */
    pinn_real u[64 * 3];
    double du[3], s[3], nr[3];
    size_t kept = 0;
    for (size_t c = 0; c < CSG_PROBE_IN && !st; c += 64) {
        st = pinn_sequence_next(seq, 64, u, NULL, err);
        for (int q = 0; q < 64 && !st; q++) {
            for (int k = 0; k < dim; k++) du[k] = (double)u[q * dim + k];
            kept += (size_t)pinn_csg_map_interior(g, du, s);
        }
    }
    pinn_sequence_free(seq);
    seq = NULL;
    if (!st) {
        g->cfill = (double)kept / CSG_PROBE_IN;
        g->measure = vol * g->cfill;
        if (g->cfill < CSG_MIN_FILL)
            st = pinn_error_set(err, PINN_ERR_INVALID,
                                "csg: the shape is empty or nearly so (%zu of %d probe points of its bounding box lie inside)", kept,
                                CSG_PROBE_IN);
    }
    if (!st) st = pinn_sequence_init(&seq, PINN_SAMPLER_HALTON, dim - 1 > 1 ? dim - 1 : 1, 11, NULL, err);
    size_t bkept = 0, per[PINN_CSG_MAX_NODES] = {0};
    int bdim = dim - 1 > 1 ? dim - 1 : 1;
    for (size_t c = 0; c < CSG_PROBE_BD && !st; c += 64) {
        st = pinn_sequence_next(seq, 64, u, NULL, err);
        for (int q = 0; q < 64 && !st; q++) {
            int f;
            for (int k = 0; k < bdim; k++) du[k] = (double)u[q * bdim + k];
            if (pinn_csg_map_boundary(g, -1, du, s, nr, &f)) bkept++, per[f]++;
        }
    }
    pinn_sequence_free(seq);
    if (!st) {
        g->cbfill = (double)bkept / CSG_PROBE_BD;
        g->bmeasure = g->ccand[n] * g->cbfill;
        for (int i = 0; i < n; i++) g->face_cum[i + 1] = g->face_cum[i] + g->ccand[n] * (double)per[i] / CSG_PROBE_BD;
        if (g->cbfill < CSG_MIN_FILL)
            st = pinn_error_set(err, PINN_ERR_INVALID,
                                "csg: the boundary has zero measure (%zu of %d probe points of the primitives' boundaries lie on it)",
                                bkept, CSG_PROBE_BD);
    }
    if (st) {
        pinn_geom_free(g);
        return st;
    }
    *out = g;
    return PINN_OK;
}
