/* poisson.c - -lap(u) = f on a simple polygon with u = g on its boundary, by the five-point
 * finite-difference stencil on a uniform grid; arms that leave the domain are closed by
 * Shortley-Weller (boundary intersection distances) or by the staircase rule.  The sparse system
 * goes to Jacobi-preconditioned CG (symmetric) or BiCGSTAB (nonsymmetric). */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pinnc/ref.h"
#include "ref/sparse.h"

#define ON_EDGE_TOL 1e-9 /* in units of h: nodes this close to an edge are boundary nodes */

static const char *const boundary_names[PINN_REF_BOUNDARY_COUNT] = {
    [PINN_REF_BOUNDARY_SHORTLEY_WELLER] = "shortley-weller",
    [PINN_REF_BOUNDARY_STAIRCASE] = "staircase",
};

const char *pinn_ref_boundary_to_string(pinn_ref_boundary b) {
    if ((int)b < 0 || b >= PINN_REF_BOUNDARY_COUNT) return "unknown";
    return boundary_names[b];
}

void pinn_ref_poisson_opts_default(pinn_ref_poisson_opts *o) {
    memset(o, 0, sizeof *o);
    o->h = 0.05;
    o->boundary = PINN_REF_BOUNDARY_SHORTLEY_WELLER;
    o->tol = 1e-10;
}

void pinn_ref_poisson_init(pinn_ref_poisson *p) { memset(p, 0, sizeof *p); }

void pinn_ref_poisson_free(pinn_ref_poisson *p) {
    if (!p) return;
    free(p->u);
    free(p->inside);
    pinn_ref_poisson_init(p);
}

/* ---------------------------------------------------------------- polygon geometry */

/* Sign of the cross product (b - a) x (c - a): orientation of the triple. */
static double orient(const double *a, const double *b, const double *c) {
    return (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0]);
}

/* 1 if the closed segments pq and rs intersect (touching counts). */
static int segments_meet(const double *p, const double *q, const double *r, const double *s) {
    double d1 = orient(r, s, p), d2 = orient(r, s, q), d3 = orient(p, q, r), d4 = orient(p, q, s);
    if (((d1 > 0 && d2 < 0) || (d1 < 0 && d2 > 0)) && ((d3 > 0 && d4 < 0) || (d3 < 0 && d4 > 0))) return 1;
    /* collinear touching cases */
    const double *pts[4][3] = {{r, s, p}, {r, s, q}, {p, q, r}, {p, q, s}};
    double ds[4] = {d1, d2, d3, d4};
    for (int k = 0; k < 4; k++) {
        const double *a = pts[k][0], *b = pts[k][1], *c = pts[k][2];
        if (ds[k] == 0.0 && c[0] >= fmin(a[0], b[0]) && c[0] <= fmax(a[0], b[0]) && c[1] >= fmin(a[1], b[1]) &&
            c[1] <= fmax(a[1], b[1]))
            return 1;
    }
    return 0;
}

/* Checks the vertex list: finite, no repeated consecutive vertex, nonzero area, and no two
 * non-adjacent edges meeting (simple polygon). */
static pinn_status check_polygon(const double *v, size_t nv, pinn_error *err) {
    if (!v || nv < 3) return pinn_error_set(err, PINN_ERR_INVALID, "poisson: a polygon needs at least 3 vertices");
    double area = 0.0;
    for (size_t i = 0; i < nv; i++) {
        const double *a = v + 2 * i, *b = v + 2 * ((i + 1) % nv);
        if (!isfinite(a[0]) || !isfinite(a[1]))
            return pinn_error_set(err, PINN_ERR_INVALID, "poisson: vertex %zu is not finite", i);
        if (a[0] == b[0] && a[1] == b[1])
            return pinn_error_set(err, PINN_ERR_INVALID, "poisson: vertices %zu and %zu coincide", i, (i + 1) % nv);
        area += a[0] * b[1] - b[0] * a[1];
    }
    if (area == 0.0) return pinn_error_set(err, PINN_ERR_INVALID, "poisson: the polygon has zero area");
    for (size_t i = 0; i < nv; i++)
        for (size_t j = i + 1; j < nv; j++) {
            if (j == i + 1 || (i == 0 && j == nv - 1)) continue; /* adjacent edges share a vertex */
            if (segments_meet(v + 2 * i, v + 2 * ((i + 1) % nv), v + 2 * j, v + 2 * ((j + 1) % nv)))
                return pinn_error_set(err, PINN_ERR_INVALID, "poisson: edges %zu and %zu intersect (not a simple polygon)",
                                      i, j);
        }
    return PINN_OK;
}

/* Distance from point p to segment ab. */
static double segment_distance(const double *p, const double *a, const double *b) {
    double ex = b[0] - a[0], ey = b[1] - a[1], px = p[0] - a[0], py = p[1] - a[1];
    double t = (px * ex + py * ey) / (ex * ex + ey * ey);
    t = t < 0 ? 0 : (t > 1 ? 1 : t);
    double dx = px - t * ex, dy = py - t * ey;
    return sqrt(dx * dx + dy * dy);
}

/* 1 if p is within tol of some edge. */
static int on_boundary(const double *v, size_t nv, const double *p, double tol) {
    for (size_t i = 0; i < nv; i++) {
        const double *a = v + 2 * i, *b = v + 2 * ((i + 1) % nv);
        if (p[0] < fmin(a[0], b[0]) - tol || p[0] > fmax(a[0], b[0]) + tol || p[1] < fmin(a[1], b[1]) - tol ||
            p[1] > fmax(a[1], b[1]) + tol)
            continue;
        if (segment_distance(p, a, b) <= tol) return 1;
    }
    return 0;
}

/* Even-odd crossing test with the half-open rule (valid for points off the boundary). */
static int inside_polygon(const double *v, size_t nv, const double *p) {
    int in = 0;
    for (size_t i = 0; i < nv; i++) {
        const double *a = v + 2 * i, *b = v + 2 * ((i + 1) % nv);
        if ((a[1] > p[1]) != (b[1] > p[1])) {
            double xc = a[0] + (p[1] - a[1]) * (b[0] - a[0]) / (b[1] - a[1]);
            if (xc > p[0]) in = !in;
        }
    }
    return in;
}

/* Distance along the axis direction (dx, dy) from p to the nearest boundary point, in units of
 * h; returns a value > 2 when none lies within 2h. */
static double arm_length(const double *v, size_t nv, const double *p, int dx, int dy, double h) {
    double best = 3.0, tol = 1e-12 * h;
    for (size_t i = 0; i < nv; i++) {
        const double *a = v + 2 * i, *b = v + 2 * ((i + 1) % nv);
        /* local coordinates: s along the arm, q across it */
        double sa = (a[0] - p[0]) * dx + (a[1] - p[1]) * dy, qa = -(a[0] - p[0]) * dy + (a[1] - p[1]) * dx;
        double sb = (b[0] - p[0]) * dx + (b[1] - p[1]) * dy, qb = -(b[0] - p[0]) * dy + (b[1] - p[1]) * dx;
        double s;
        if (fabs(qa) <= tol && fabs(qb) <= tol) { /* edge along the arm's line */
            double lo = fmin(sa, sb), hi = fmax(sa, sb);
            if (hi <= 0.0) continue;
            s = lo > 0.0 ? lo : 0.0;
        } else if ((qa <= 0.0 && qb >= 0.0) || (qa >= 0.0 && qb <= 0.0)) {
            s = sa + (0.0 - qa) * (sb - sa) / (qb - qa);
            if (s <= 0.0) continue;
        } else {
            continue;
        }
        if (s / h < best) best = s / h;
    }
    return best;
}

/* Arm length (units of h) to the zero of the signed distance along (dx, dy) from p, when the
 * end node is outside (sdist >= 0); a value > 2 when the arm stays inside. */
static double arm_length_sd(const pinn_ref_poisson_opts *o, const double *p, int dx, int dy, double h) {
    double e = o->sdist(p[0] + h * dx, p[1] + h * dy, o->sd_ctx);
    if (e < -ON_EDGE_TOL * h) return 3.0;
    double a = 0, b = 1; /* sdist(a) < 0 <= sdist(b) */
    for (int it = 0; it < 60; it++) {
        double m = 0.5 * (a + b);
        if (o->sdist(p[0] + m * h * dx, p[1] + m * h * dy, o->sd_ctx) < 0) a = m;
        else b = m;
    }
    return 0.5 * (a + b);
}

/* ---------------------------------------------------------------- solve */

static double eval2(pinn_ref_fn2 fn, double x, double y, void *ctx) { return fn ? (double)fn(x, y, ctx) : 0.0; }

pinn_status pinn_ref_poisson_solve(const pinn_ref_poisson_opts *o, pinn_ref_poisson *p, pinn_error *err) {
    if (!o || !p) return pinn_error_set(err, PINN_ERR_INVALID, "poisson: NULL options or result");
    pinn_ref_poisson_free(p);
    pinn_status st = o->sdist ? PINN_OK : check_polygon(o->vertices, o->nvert, err);
    if (st != PINN_OK) return st;
    if (o->sdist && !(o->box[0] < o->box[1] && o->box[2] < o->box[3]))
        return pinn_error_set(err, PINN_ERR_INVALID, "poisson: the bounding box of the domain is empty");
    if (!(o->h > 0.0) || !isfinite(o->h)) return pinn_error_set(err, PINN_ERR_INVALID, "poisson: h must be > 0 (got %g)", o->h);
    if ((int)o->boundary < 0 || o->boundary >= PINN_REF_BOUNDARY_COUNT)
        return pinn_error_set(err, PINN_ERR_INVALID, "poisson: unknown boundary treatment %d", (int)o->boundary);
    if (o->tol < 0.0 || !isfinite(o->tol)) return pinn_error_set(err, PINN_ERR_INVALID, "poisson: tol must be >= 0");
    const double *v = o->vertices;
    size_t nv = o->nvert;
    double h = o->h, xmin, xmax, ymin, ymax;
    if (o->sdist) xmin = o->box[0], xmax = o->box[1], ymin = o->box[2], ymax = o->box[3], nv = 0;
    else xmin = xmax = v[0], ymin = ymax = v[1];
    for (size_t i = 1; i < nv; i++) {
        xmin = fmin(xmin, v[2 * i]);
        xmax = fmax(xmax, v[2 * i]);
        ymin = fmin(ymin, v[2 * i + 1]);
        ymax = fmax(ymax, v[2 * i + 1]);
    }
    double cx = ceil((xmax - xmin) / h - 1e-9), cy = ceil((ymax - ymin) / h - 1e-9);
    if (cx + 1.0 > 1e6 || cy + 1.0 > 1e6 || (cx + 1.0) * (cy + 1.0) > 2147483647.0)
        return pinn_error_set(err, PINN_ERR_INVALID, "poisson: h = %g gives too many grid nodes", h);
    size_t nx = (size_t)cx + 1, ny = (size_t)cy + 1, nn = nx * ny;
    p->nx = nx;
    p->ny = ny;
    p->x0 = xmin;
    p->y0 = ymin;
    p->h = h;
    p->u = malloc(nn * sizeof *p->u);
    p->inside = calloc(nn, 1);
    size_t *idx = malloc(nn * sizeof *idx);
    if (!p->u || !p->inside || !idx) {
        free(idx);
        pinn_ref_poisson_free(p);
        return pinn_error_set(err, PINN_ERR_NOMEM, "poisson: no memory for %zu x %zu nodes", nx, ny);
    }
    /* classify the nodes; non-interior nodes hold g */
    size_t nu = 0;
    for (size_t j = 0; j < ny; j++)
        for (size_t i = 0; i < nx; i++) {
            size_t k = j * nx + i;
            double pt[2] = {xmin + (double)i * h, ymin + (double)j * h};
            idx[k] = SIZE_MAX;
            int in = o->sdist ? o->sdist(pt[0], pt[1], o->sd_ctx) < -ON_EDGE_TOL * h
                              : !on_boundary(v, nv, pt, ON_EDGE_TOL * h) && inside_polygon(v, nv, pt);
            if (in) {
                p->inside[k] = 1;
                idx[k] = nu++;
                p->u[k] = 0.0;
            } else {
                p->u[k] = eval2(o->g, pt[0], pt[1], o->ctx);
            }
        }
    p->n_unknowns = nu;
    p->symmetric = 1;
    if (nu == 0) {
        free(idx);
        return PINN_OK;
    }
    /* assemble the rows scaled by h^2: at most 5 entries each */
    pinn_ref_csr A;
    A.n = nu;
    A.rowptr = malloc((nu + 1) * sizeof *A.rowptr);
    A.col = malloc(5 * nu * sizeof *A.col);
    A.val = malloc(5 * nu * sizeof *A.val);
    double *rhs = malloc(nu * sizeof *rhs), *sol = malloc(nu * sizeof *sol), *work = malloc(8 * nu * sizeof *work);
    if (!A.rowptr || !A.col || !A.val || !rhs || !sol || !work) {
        st = pinn_error_set(err, PINN_ERR_NOMEM, "poisson: no memory for %zu unknowns", nu);
        goto done;
    }
    static const int dirs[4][2] = {{1, 0}, {-1, 0}, {0, 1}, {0, -1}};
    size_t nnz = 0;
    for (size_t j = 0; j < ny; j++)
        for (size_t i = 0; i < nx; i++) {
            size_t k = j * nx + i;
            if (!p->inside[k]) continue;
            size_t row = idx[k];
            double pt[2] = {xmin + (double)i * h, ymin + (double)j * h};
            double theta[4], gval[4];
            size_t nbr[4];
            for (int d = 0; d < 4; d++) {
                /* interior nodes never sit on the grid's outer ring, so the neighbour exists */
                size_t kn = (size_t)((long long)k + dirs[d][0] + (long long)dirs[d][1] * (long long)nx);
                double th = 1.0;
                nbr[d] = SIZE_MAX;
                if (o->boundary == PINN_REF_BOUNDARY_SHORTLEY_WELLER) {
                    double a = o->sdist ? arm_length_sd(o, pt, dirs[d][0], dirs[d][1], h)
                                        : arm_length(v, nv, pt, dirs[d][0], dirs[d][1], h);
                    if (a <= 1.0 - 1e-9) th = a;
                }
                if (th < 1.0) {
                    gval[d] = eval2(o->g, pt[0] + th * h * dirs[d][0], pt[1] + th * h * dirs[d][1], o->ctx);
                    p->symmetric = 0;
                } else if (p->inside[kn]) {
                    nbr[d] = idx[kn];
                    gval[d] = 0.0;
                } else {
                    gval[d] = p->u[kn]; /* g at the neighbouring node */
                }
                theta[d] = th;
            }
            /* -u_xx ~ 2/(tE tW) uP - 2/((tE+tW) tE) uE - 2/((tE+tW) tW) uW, likewise in y (times h^2) */
            A.rowptr[row] = nnz;
            size_t diag = nnz++;
            A.col[diag] = row;
            A.val[diag] = 0.0;
            rhs[row] = h * h * eval2(o->f, pt[0], pt[1], o->ctx);
            for (int axis = 0; axis < 2; axis++) {
                double tp = theta[2 * axis], tm = theta[2 * axis + 1];
                A.val[diag] += 2.0 / (tp * tm);
                for (int side = 0; side < 2; side++) {
                    int d = 2 * axis + side;
                    double coef = 2.0 / ((tp + tm) * theta[d]);
                    if (nbr[d] != SIZE_MAX) {
                        A.col[nnz] = nbr[d];
                        A.val[nnz++] = -coef;
                    } else {
                        rhs[row] += coef * gval[d];
                    }
                }
            }
        }
    A.rowptr[nu] = nnz;
    for (size_t r = 0; r < nu; r++) sol[r] = 0.0;
    double tol = o->tol > 0.0 ? o->tol : 1e-10;
    size_t maxit = o->max_iter ? o->max_iter : 20 * nu + 100;
    pinn_ref_krylov_result kr = p->symmetric ? pinn_ref_cg_jacobi(&A, rhs, sol, tol, maxit, work)
                                             : pinn_ref_bicgstab_jacobi(&A, rhs, sol, tol, maxit, work);
    p->iterations = kr.iterations;
    p->residual = kr.residual;
    for (size_t k = 0; k < nn; k++)
        if (p->inside[k]) p->u[k] = sol[idx[k]];
    if (!kr.converged)
        st = pinn_error_set(err, PINN_ERR_NUMERIC,
                            "poisson: %s did not reach tol %g in %zu iterations (relative residual %g%s)",
                            p->symmetric ? "CG" : "BiCGSTAB", tol, kr.iterations, kr.residual,
                            kr.breakdown ? ", breakdown" : "");
done:
    free(idx);
    free(A.rowptr);
    free(A.col);
    free(A.val);
    free(rhs);
    free(sol);
    free(work);
    return st;
}

pinn_status pinn_ref_poisson_interp(const pinn_ref_poisson *p, size_t m, const pinn_real *x,
                                    const pinn_real *y, pinn_real *out, pinn_error *err) {
    if (!p || !p->u || p->nx < 2 || p->ny < 2) return pinn_error_set(err, PINN_ERR_INVALID, "poisson interp: no solution");
    if (m && (!x || !y || !out)) return pinn_error_set(err, PINN_ERR_INVALID, "poisson interp: NULL array");
    double xmax = p->x0 + (double)(p->nx - 1) * p->h, ymax = p->y0 + (double)(p->ny - 1) * p->h;
    double slack = 1e-12 * p->h;
    for (size_t q = 0; q < m; q++) {
        double px = (double)x[q], py = (double)y[q];
        if (!(px >= p->x0 - slack && px <= xmax + slack && py >= p->y0 - slack && py <= ymax + slack))
            return pinn_error_set(err, PINN_ERR_INVALID, "poisson interp: point %zu (%g, %g) is outside the grid [%g,%g]x[%g,%g]",
                                  q, px, py, p->x0, xmax, p->y0, ymax);
        double fx = (px - p->x0) / p->h, fy = (py - p->y0) / p->h;
        double ci = floor(fx), cj = floor(fy);
        if (ci < 0) ci = 0;
        if (cj < 0) cj = 0;
        if (ci > (double)(p->nx - 2)) ci = (double)(p->nx - 2);
        if (cj > (double)(p->ny - 2)) cj = (double)(p->ny - 2);
        size_t i = (size_t)ci, j = (size_t)cj;
        double a = fx - ci, b = fy - cj;
        const double *u = p->u + j * p->nx + i;
        out[q] = (pinn_real)((1 - a) * (1 - b) * u[0] + a * (1 - b) * u[1] + (1 - a) * b * u[p->nx] + a * b * u[p->nx + 1]);
    }
    return PINN_OK;
}
