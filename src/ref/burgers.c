/* burgers.c - viscous Burgers on the whole line by the Cole-Hopf integral representation,
 * evaluated pointwise with a Gauss-Hermite rule in the heat-kernel variable. */
#include <math.h>
#include <stdlib.h>

#include "pinnc/ref.h"
#include "ref/quad.h"

#define BURGERS_AUTO_NODES 200  /* first rule of the automatic mode */
#define BURGERS_MAX_NODES 2000
#define BURGERS_MAX_CURVATURE 0.5 /* bound on c dz^2, see burgers_point */
#define BURGERS_GAP_ORDER 10

void pinn_ref_burgers_default(pinn_ref_burgers *opt) {
    opt->nu = 0.01 / PINN_REF_PI;
    opt->u0 = NULL;
    opt->u0_int = NULL;
    opt->ctx = NULL;
    opt->nodes = 0; /* automatic */
}

/* Workspace of one evaluation call: the rule, the exponent per node, and the Gauss-Legendre
 * rule used to integrate u0 between neighbouring nodes. */
typedef struct burgers_ws {
    size_t n;  /* nodes of the current rule */
    double *z, *logw, *psi;
    double glx[BURGERS_GAP_ORDER], glw[BURGERS_GAP_ORDER];
} burgers_ws;

/* ∫_a^b u0 by one Gauss-Legendre panel. */
static double gap_integral(const pinn_ref_burgers *o, const burgers_ws *w, double a, double b) {
    double mid = 0.5 * (a + b), half = 0.5 * (b - a), s = 0.0;
    for (int k = 0; k < BURGERS_GAP_ORDER; k++) s += w->glw[k] * (double)o->u0(mid + half * w->glx[k], o->ctx);
    return half * s;
}

/* Fills w->psi[i] = -(F(y_i) - F(x)) / (2 nu) for y_i = x - sc z_i. */
static void fill_exponents(const pinn_ref_burgers *o, burgers_ws *w, double x, double sc) {
    size_t n = w->n, c = n / 2;
    double inv2nu = 0.5 / o->nu;
    if (!o->u0) { /* F(y) = (cos(pi y) - 1)/pi; difference written without cancellation */
        for (size_t i = 0; i < n; i++) {
            double y = x - sc * w->z[i];
            double dF = -2.0 * sin(0.5 * PINN_REF_PI * (y + x)) * sin(0.5 * PINN_REF_PI * (y - x)) / PINN_REF_PI;
            w->psi[i] = -dF * inv2nu;
        }
        return;
    }
    if (o->u0_int) {
        double Fx = (double)o->u0_int(x, o->ctx);
        for (size_t i = 0; i < n; i++) {
            double y = x - sc * w->z[i];
            w->psi[i] = -((double)o->u0_int(y, o->ctx) - Fx) * inv2nu;
        }
        return;
    }
    /* cumulative integral of u0 outward from y = x through the sorted nodes */
    double G = 0.0, yprev = x;
    for (size_t i = c; i < n; i++) {
        double y = x - sc * w->z[i];
        G += gap_integral(o, w, yprev, y);
        w->psi[i] = -G * inv2nu;
        yprev = y;
    }
    G = 0.0;
    yprev = x;
    for (size_t i = c; i-- > 0;) {
        double y = x - sc * w->z[i];
        G += gap_integral(o, w, yprev, y);
        w->psi[i] = -G * inv2nu;
        yprev = y;
    }
}

/* u(t,x) for t > 0 by the shifted Gauss-Hermite sums; returns -1 if the integrand is not
 * resolved by the rule (peak too far out, tails not negligible, or too narrow for the spacing). */
static int burgers_point(const pinn_ref_burgers *o, burgers_ws *w, double t, double x, double *u) {
    size_t n = w->n;
    double sc = sqrt(4.0 * o->nu * t);
    fill_exponents(o, w, x, sc);
    double M = -INFINITY;
    size_t imax = 0;
    for (size_t i = 0; i < n; i++) {
        w->psi[i] += w->logw[i];
        if (w->psi[i] > M) {
            M = w->psi[i];
            imax = i;
        }
    }
    if (!isfinite(M)) return -1;
    /* the peak must sit well inside the rule, where nodes are dense, and the outermost
     * terms must be negligible */
    double zmax = w->z[n - 1];
    if (fabs(w->z[imax]) > 0.75 * zmax || w->psi[0] - M > -40.0 || w->psi[n - 1] - M > -40.0)
        return -1;
    /* resolution: where the integrand matters, its log-curvature c (second divided difference)
     * times the local node spacing squared must stay small, as for a Gaussian exp(-c z^2)
     * sampled at spacing dz (error ~ exp(-pi^2 / (c dz^2))) */
    for (size_t i = 1; i + 1 < n; i++) {
        if (w->psi[i] - M < -35.0) continue;
        double zl = w->z[i - 1], zc = w->z[i], zr = w->z[i + 1];
        double d2 = 2.0 * ((w->psi[i + 1] - w->psi[i]) / (zr - zc) - (w->psi[i] - w->psi[i - 1]) / (zc - zl)) / (zr - zl);
        double dz = 0.5 * (zr - zl);
        if (-d2 * dz * dz > BURGERS_MAX_CURVATURE) return -1;
    }
    double num = 0.0, den = 0.0;
    for (size_t i = 0; i < n; i++) {
        double e = exp(w->psi[i] - M);
        den += e;
        num += w->z[i] * e;
    }
    *u = sqrt(4.0 * o->nu / t) * num / den;
    return 0;
}

/* Replaces the rule in w by the one with the given number of nodes (w has room for it). */
static void burgers_rule(burgers_ws *w, size_t nodes) {
    w->n = nodes;
    pinn_ref_gauss_hermite(nodes, w->z, w->logw);
}

pinn_status pinn_ref_burgers_eval(const pinn_ref_burgers *opt, size_t n, const pinn_real *t,
                                  const pinn_real *x, pinn_real *u, pinn_error *err) {
    pinn_ref_burgers def;
    if (!opt) {
        pinn_ref_burgers_default(&def);
        opt = &def;
    }
    if (!(opt->nu > 0.0) || !isfinite(opt->nu))
        return pinn_error_set(err, PINN_ERR_INVALID, "burgers: viscosity nu must be > 0 (got %g)", opt->nu);
    if (opt->u0_int && !opt->u0)
        return pinn_error_set(err, PINN_ERR_INVALID, "burgers: u0_int given without u0");
    if (opt->nodes && (opt->nodes < 16 || opt->nodes > BURGERS_MAX_NODES))
        return pinn_error_set(err, PINN_ERR_INVALID, "burgers: nodes must be 0 (automatic) or in 16..%d (got %zu)",
                              BURGERS_MAX_NODES, opt->nodes);
    if (n == 0) return PINN_OK;
    if (!t || !x || !u) return pinn_error_set(err, PINN_ERR_INVALID, "burgers: NULL array");
    for (size_t k = 0; k < n; k++)
        if (!isfinite((double)t[k]) || !isfinite((double)x[k]) || t[k] < 0)
            return pinn_error_set(err, PINN_ERR_INVALID,
                                  "burgers: point %zu (t=%g, x=%g) must be finite with t >= 0", k,
                                  (double)t[k], (double)x[k]);
    size_t first = opt->nodes ? opt->nodes : BURGERS_AUTO_NODES;
    size_t cap = opt->nodes ? opt->nodes : BURGERS_MAX_NODES;
    burgers_ws w;
    w.z = malloc(3 * cap * sizeof *w.z);
    if (!w.z) return pinn_error_set(err, PINN_ERR_NOMEM, "burgers: no memory for %zu nodes", cap);
    w.logw = w.z + cap;
    w.psi = w.logw + cap;
    burgers_rule(&w, first);
    pinn_ref_gauss_legendre(BURGERS_GAP_ORDER, w.glx, w.glw);
    pinn_status st = PINN_OK;
    for (size_t k = 0; k < n; k++) {
        double tk = (double)t[k], xk = (double)x[k], uk = 0.0;
        if (tk == 0.0) {
            uk = opt->u0 ? (double)opt->u0(xk, opt->ctx) : -sin(PINN_REF_PI * xk);
        } else {
            /* automatic mode: grow the rule (and keep it for later points) until resolved */
            while (burgers_point(opt, &w, tk, xk, &uk) != 0) {
                if (w.n >= cap) {
                    st = pinn_error_set(err, PINN_ERR_NUMERIC,
                                        "burgers: the Cole-Hopf integrand at t=%g, x=%g is not resolved "
                                        "by %zu Gauss-Hermite nodes (its peak is too far out, sqrt(t/nu)*max|u0| large, "
                                        "or too narrow, t*max u0' large)%s",
                                        tk, xk, w.n, opt->nodes ? "; use more nodes" : "");
                    break;
                }
                burgers_rule(&w, w.n * 2 > cap ? cap : w.n * 2);
            }
            if (st != PINN_OK) break;
        }
        u[k] = (pinn_real)uk;
    }
    free(w.z);
    return st;
}
