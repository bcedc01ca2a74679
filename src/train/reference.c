/* reference.c - the problem's reference solution at arbitrary points: exact expressions, Cole-Hopf
 * Burgers, spectral Allen-Cahn, finite-difference Poisson on the domain polygon, Buckley-Leverett,
 * or values read from a CSV file (then the evaluation points are the file's points). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "train/trainer.h"

static const double PI = 3.14159265358979323846;

/* A 1-D function of the spatial coordinate given by an expression (initial conditions). */
typedef struct fn_ctx {
    const pinn_trainer *t;
    pinn_expr *e;
    int axis; /* coordinate index of x */
} fn_ctx;

static pinn_real eval1(double x, void *vc) {
    fn_ctx *c = vc;
    pinn_real pt[PINN_MAX_INPUTS] = {0}, out = NAN;
    pt[c->axis] = (pinn_real)x;
    tr_expr_points(c->t, c->e, 1, pt, &out, NULL);
    return out;
}

static pinn_real eval2(double x, double y, void *vc) {
    fn_ctx *c = vc;
    pinn_real pt[PINN_MAX_INPUTS] = {0}, out = NAN;
    int k = 0;
    for (int i = 0; i < c->t->d; i++)
        if (i != c->t->prob.domain.time) pt[i] = (pinn_real)(k++ == 0 ? x : y);
    tr_expr_points(c->t, c->e, 1, pt, &out, NULL);
    return out;
}

/* The single spatial coordinate of a time-dependent 1-D problem, or -1. */
static int space_axis(const pinn_trainer *t) {
    if (t->d != 2 || t->prob.domain.time < 0) return -1;
    return 1 - t->prob.domain.time;
}

static pinn_status need_1d(const pinn_trainer *t, const char *solver, pinn_error *err) {
    if (space_axis(t) < 0)
        return pinn_error_set(err, PINN_ERR_INVALID, "%s:%d: reference %s needs one time and one space coordinate",
                              t->prob.file, t->prob.reference.line, solver);
    return PINN_OK;
}

/* Compiles an optional expression (NULL when text is empty). */
static pinn_status opt_expr(const pinn_trainer *t, const char *text, const char *what, pinn_expr **e, pinn_error *err) {
    *e = NULL;
    if (!text[0]) return PINN_OK;
    return tr_compile(t, text, t->prob.reference.line, what, PINN_EXPR_VALUE, e, err);
}

/* The time and space columns of the points of a (t, x) problem, malloc'ed; NULL on no memory. */
static pinn_status split_tx(const pinn_trainer *t, size_t n, const pinn_real *x, pinn_real **tt, pinn_real **xx,
                            pinn_error *err) {
    int ti = t->prob.domain.time, xi = space_axis(t);
    *tt = malloc(sizeof(pinn_real) * (n ? n : 1));
    *xx = malloc(sizeof(pinn_real) * (n ? n : 1));
    if (!*tt || !*xx) {
        free(*tt), free(*xx);
        *tt = *xx = NULL;
        return pinn_error_set(err, PINN_ERR_NOMEM, "reference: out of memory");
    }
    for (size_t i = 0; i < n; i++) (*tt)[i] = x[i * t->d + ti], (*xx)[i] = x[i * t->d + xi];
    return PINN_OK;
}

static pinn_status burgers(pinn_trainer *t, size_t n, const pinn_real *x, pinn_real *u, pinn_error *err) {
    pinn_status st = need_1d(t, "burgers", err);
    if (st) return st;
    const pinn_reference_cfg *r = &t->prob.reference;
    pinn_ref_burgers o;
    pinn_ref_burgers_default(&o);
    pinn_expr *nu = NULL, *u0 = NULL;
    if ((st = opt_expr(t, r->nu[0] ? r->nu : "", "reference.nu", &nu, err))) return st;
    if (nu) {
        pinn_real v = NAN, pt[PINN_MAX_INPUTS] = {0};
        tr_expr_points(t, nu, 1, pt, &v, NULL);
        o.nu = v;
        pinn_expr_free(nu);
    } else {
        for (int c = 0; c < t->prob.n_consts; c++)
            if (!strcmp(t->prob.consts[c].name, "nu")) o.nu = t->prob.consts[c].value;
    }
    if ((st = opt_expr(t, r->initial, "reference.initial", &u0, err))) return st;
    fn_ctx fc = {t, u0, space_axis(t)};
    if (u0) o.u0 = eval1, o.ctx = &fc;
    pinn_real *tt, *xx;
    if ((st = split_tx(t, n, x, &tt, &xx, err)) == PINN_OK) st = pinn_ref_burgers_eval(&o, n, tt, xx, u, err);
    free(tt), free(xx);
    pinn_expr_free(u0);
    return st;
}

static int cmp_real(const void *a, const void *b) {
    pinn_real x = *(const pinn_real *)a, y = *(const pinn_real *)b;
    return (x > y) - (x < y);
}

static pinn_status allen_cahn(pinn_trainer *t, size_t n, const pinn_real *x, pinn_real *u, pinn_error *err) {
    pinn_status st = need_1d(t, "allen_cahn", err);
    if (st) return st;
    const pinn_reference_cfg *r = &t->prob.reference;
    int ti = t->prob.domain.time, xi = space_axis(t);
    pinn_ref_allen_cahn o;
    pinn_ref_allen_cahn_default(&o);
    o.d = r->diffusion;
    o.c[1] = r->c1;
    o.c[3] = r->c3;
    o.x0 = t->prob.domain.lo[xi];
    o.x1 = t->prob.domain.hi[xi];
    if (r->h > 0) o.h = r->h;
    pinn_expr *u0 = NULL;
    if ((st = opt_expr(t, r->initial, "reference.initial", &u0, err))) return st;
    fn_ctx fc = {t, u0, xi};
    if (u0) o.u0 = eval1, o.ctx = &fc;
    /* distinct output times, sorted */
    pinn_real *times = malloc(sizeof(pinn_real) * n);
    size_t nt = 0;
    pinn_real *sol = NULL, *xq = NULL, *uq = NULL;
    if (!times) {
        st = pinn_error_set(err, PINN_ERR_NOMEM, "reference: out of memory");
        goto done;
    }
    for (size_t i = 0; i < n; i++) times[i] = x[i * t->d + ti];
    qsort(times, n, sizeof *times, cmp_real);
    for (size_t i = 0; i < n; i++)
        if (nt == 0 || times[i] != times[nt - 1]) times[nt++] = times[i];
    sol = malloc(sizeof(pinn_real) * nt * o.n);
    xq = malloc(sizeof(pinn_real) * n);
    uq = malloc(sizeof(pinn_real) * n);
    if (!sol || !xq || !uq) {
        st = pinn_error_set(err, PINN_ERR_NOMEM, "reference: out of memory");
        goto done;
    }
    if ((st = pinn_ref_allen_cahn_solve(&o, nt, times, sol, NULL, err))) goto done;
    /* interpolate each time's grid function at the points with that time */
    for (size_t j = 0; j < nt; j++) {
        size_t m = 0;
        for (size_t i = 0; i < n; i++)
            if (x[i * t->d + ti] == times[j]) xq[m++] = x[i * t->d + xi];
        if ((st = pinn_ref_periodic_interp(o.n, o.x0, o.x1, sol + j * o.n, m, xq, uq, err))) goto done;
        m = 0;
        for (size_t i = 0; i < n; i++)
            if (x[i * t->d + ti] == times[j]) u[i] = uq[m++];
    }
done:
    free(times), free(sol), free(xq), free(uq);
    pinn_expr_free(u0);
    return st;
}

/* f and g of the Poisson solver share one context. */
typedef struct pair_ctx {
    fn_ctx f, g;
} pair_ctx;
static pinn_real eval_src(double x, double y, void *vc) { return eval2(x, y, &((pair_ctx *)vc)->f); }
static pinn_real eval_bnd(double x, double y, void *vc) { return eval2(x, y, &((pair_ctx *)vc)->g); }

/* The signed distance of the trainer's geometry at (x, y), for the Poisson solver on CSG shapes. */
static double geom_sdist2(double x, double y, void *vg) {
    pinn_real pt[2] = {(pinn_real)x, (pinn_real)y};
    return (double)pinn_geom_signed_distance((const pinn_geom *)vg, pt);
}

static pinn_status poisson_fd(pinn_trainer *t, size_t n, const pinn_real *x, pinn_real *u, pinn_error *err) {
    const pinn_domain *dm = &t->prob.domain;
    const pinn_reference_cfg *r = &t->prob.reference;
    if (t->d != 2 || dm->time >= 0)
        return pinn_error_set(err, PINN_ERR_INVALID, "%s:%d: reference poisson_fd needs two space coordinates and no time",
                              t->prob.file, r->line);
    double v[2 * 256];
    size_t nv = 0;
    if (dm->shape == PINN_DOMAIN_BOX) {
        double b[4][2] = {{dm->lo[0], dm->lo[1]}, {dm->hi[0], dm->lo[1]}, {dm->hi[0], dm->hi[1]}, {dm->lo[0], dm->hi[1]}};
        memcpy(v, b, sizeof b);
        nv = 4;
    } else if (dm->shape == PINN_DOMAIN_DISK) {
        for (nv = 0; nv < 256; nv++) {
            v[2 * nv] = dm->center[0] + dm->radius * cos(2 * PI * (double)nv / 256);
            v[2 * nv + 1] = dm->center[1] + dm->radius * sin(2 * PI * (double)nv / 256);
        }
    } else if (dm->shape != PINN_DOMAIN_CSG) {
        nv = pinn_geom_vertex_count(t->geom);
        for (size_t k = 0; k < nv; k++) {
            pinn_real xy[2];
            pinn_geom_vertex(t->geom, k, xy, NULL);
            v[2 * k] = xy[0], v[2 * k + 1] = xy[1];
        }
    }
    pinn_ref_poisson_opts o;
    pinn_ref_poisson_opts_default(&o);
    o.vertices = v;
    o.nvert = nv;
    if (dm->shape == PINN_DOMAIN_CSG) {
        pinn_real lo[2], hi[2];
        pinn_geom_bbox(t->geom, lo, hi);
        o.sdist = geom_sdist2;
        o.sd_ctx = t->geom;
        o.box[0] = (double)lo[0], o.box[1] = (double)hi[0], o.box[2] = (double)lo[1], o.box[3] = (double)hi[1];
    }
    if (r->h > 0) o.h = r->h;
    else {
        double span = fmax(dm->hi[0] - dm->lo[0], dm->hi[1] - dm->lo[1]);
        o.h = span / 400;
    }
    pinn_expr *f = NULL, *g = NULL;
    pinn_status st;
    if ((st = opt_expr(t, r->source, "reference.source", &f, err))) return st;
    if ((st = opt_expr(t, r->boundary, "reference.boundary", &g, err))) {
        pinn_expr_free(f);
        return st;
    }
    pair_ctx pc = {{t, f, 0}, {t, g, 0}};
    o.ctx = &pc;
    if (f) o.f = eval_src;
    if (g) o.g = eval_bnd;
    pinn_ref_poisson p;
    pinn_ref_poisson_init(&p);
    st = pinn_ref_poisson_solve(&o, &p, err);
    if (st == PINN_OK) {
        pinn_real *xs = malloc(sizeof(pinn_real) * n), *ys = malloc(sizeof(pinn_real) * n);
        if (!xs || !ys) st = pinn_error_set(err, PINN_ERR_NOMEM, "reference: out of memory");
        else {
            for (size_t i = 0; i < n; i++) xs[i] = x[2 * i], ys[i] = x[2 * i + 1];
            st = pinn_ref_poisson_interp(&p, n, xs, ys, u, err);
        }
        free(xs), free(ys);
    }
    pinn_ref_poisson_free(&p);
    pinn_expr_free(f), pinn_expr_free(g);
    return st;
}

static pinn_status buckley(pinn_trainer *t, size_t n, const pinn_real *x, pinn_real *u, pinn_error *err) {
    pinn_status st = need_1d(t, "buckley_leverett", err);
    if (st) return st;
    pinn_ref_bl o;
    pinn_ref_bl_default(&o);
    if (t->prob.reference.mobility > 0) o.M = t->prob.reference.mobility;
    pinn_real *tt, *xx;
    if ((st = split_tx(t, n, x, &tt, &xx, err)) == PINN_OK) st = pinn_ref_bl_eval(&o, n, tt, xx, u, err);
    free(tt), free(xx);
    return st;
}

/* u: [n][nf]; solvers of one field fill field 0 and need nf == 1. */
pinn_status tr_reference_compute(pinn_trainer *t, size_t n, const pinn_real *x, pinn_real *u, pinn_error *err) {
    const pinn_reference_cfg *r = &t->prob.reference;
    pinn_status st = PINN_OK;
    if (r->kind == PINN_REFK_EXACT) {
        pinn_real *col = malloc(sizeof(pinn_real) * (n ? n : 1));
        if (!col) return pinn_error_set(err, PINN_ERR_NOMEM, "reference: out of memory");
        for (int f = 0; f < t->nf && st == PINN_OK; f++) {
            pinn_expr *e = NULL;
            char what[64];
            snprintf(what, sizeof what, "reference.%s", t->prob.fields[f]);
            if ((st = tr_compile(t, r->exact[f], r->line, what, PINN_EXPR_VALUE, &e, err))) break;
            st = tr_expr_points(t, e, n, x, col, err);
            for (size_t i = 0; i < n; i++) u[i * t->nf + f] = col[i];
            pinn_expr_free(e);
        }
        free(col);
        return st;
    }
    if (t->nf != 1)
        return pinn_error_set(err, PINN_ERR_INVALID, "%s:%d: reference %s solves for one field, the problem has %d",
                              t->prob.file, r->line, pinn_ref_kind_to_string(r->kind), t->nf);
    switch (r->kind) {
    case PINN_REFK_BURGERS: return burgers(t, n, x, u, err);
    case PINN_REFK_ALLEN_CAHN: return allen_cahn(t, n, x, u, err);
    case PINN_REFK_POISSON_FD: return poisson_fd(t, n, x, u, err);
    case PINN_REFK_BUCKLEY_LEVERETT: return buckley(t, n, x, u, err);
    default: return pinn_error_set(err, PINN_ERR_UNSUPPORTED, "reference: no solver");
    }
}
