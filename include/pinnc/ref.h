/* pinnc/ref.h - independent reference solvers that pinnc measures every run against:
 * Burgers by the Cole-Hopf integral, Allen-Cahn (and any periodic reaction-diffusion equation with
 * a cubic reaction) by Fourier pseudo-spectral ETDRK4, Poisson on any simple polygon by
 * second-order finite differences, and the Buckley-Leverett Riemann solution.
 * All computations are carried out in double precision whatever pinn_real is. */
#ifndef PINNC_REF_H
#define PINNC_REF_H

#include <stddef.h>

#include "pinnc/core.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A scalar function of one variable (initial conditions); ctx is the user's pointer. */
typedef pinn_real (*pinn_ref_fn1)(double x, void *ctx);
/* A scalar function of two variables (sources, boundary data); ctx is the user's pointer. */
typedef pinn_real (*pinn_ref_fn2)(double x, double y, void *ctx);

/* ======================================================================================
 * Burgers:  u_t + u u_x = nu u_xx on the whole line, u(0,x) = u0(x).
 * Cole-Hopf:  u(t,x) = ∫ (x-y)/t K dy / ∫ K dy,  K = exp(-(x-y)^2/(4 nu t) - F(y)/(2 nu)),
 * F(y) = ∫_0^y u0.  With y = x - sqrt(4 nu t) z both integrals become Gauss-Hermite integrals in
 * z, summed with the exponent shifted by its maximum.  For an odd, 2-periodic u0 such as the
 * default -sin(pi x) the whole-line solution also satisfies u(t,±1) = 0, i.e. it is the solution
 * of the usual Dirichlet problem on [-1, 1].
 * ====================================================================================== */
typedef struct pinn_ref_burgers {
    double nu;          /* viscosity > 0; default 0.01/pi */
    pinn_ref_fn1 u0;    /* initial condition; NULL means -sin(pi x) (then F is known exactly) */
    pinn_ref_fn1 u0_int; /* optional F(y) = ∫_0^y u0; NULL with a user u0: F is integrated
                          * numerically between quadrature nodes (10-point Gauss-Legendre per gap;
                          * give F when u0 has kinks, for full accuracy) */
    void *ctx;          /* passed to u0 and u0_int */
    size_t nodes;       /* Gauss-Hermite nodes, 16..2000; 0 (default) means automatic: start
                         * with 200 and double (up to 2000) while the integrand is not resolved:
                         * its peak must lie within 3/4 of the largest node, its outermost terms
                         * be negligible, and its log-curvature c satisfy c dz^2 <= 0.5 for the
                         * local node spacing dz wherever it matters */
} pinn_ref_burgers;

/* Fill opt with the defaults: nu = 0.01/pi, u0 = -sin(pi x), automatic node count. */
void pinn_ref_burgers_default(pinn_ref_burgers *opt);

/* Evaluate u(t[i], x[i]) for i < n into u[i] (t = 0 returns u0(x)).  Fails with
 * PINN_ERR_INVALID for nu <= 0, t < 0 or non-finite input, PINN_ERR_NOMEM, and PINN_ERR_NUMERIC
 * when the rule with the given (or the largest automatic) number of nodes cannot resolve the
 * integrand: its peak lies too far out (sqrt(t/nu) max|u0| large) or is too narrow
 * (t max u0' large); the message names the point.  Cost: O(nodes) exponentials per point
 * (and 10 calls of u0 per node without u0_int).  In a float build the callbacks' values are
 * rounded to float and F's rounding is amplified by 1/(2 nu). */
pinn_status pinn_ref_burgers_eval(const pinn_ref_burgers *opt, size_t n, const pinn_real *t,
                                  const pinn_real *x, pinn_real *u, pinn_error *err);

/* ======================================================================================
 * Periodic reaction-diffusion:  u_t = d u_xx + c0 + c1 u + c2 u^2 + c3 u^3 on [x0, x1), periodic.
 * Allen-Cahn is d = 1e-4, c = {0, 5, 0, -5}, u0 = x^2 cos(pi x) on [-1, 1).
 * Fourier pseudo-spectral in space (no dealiasing), ETDRK4 (Cox-Matthews) in time with the
 * linear part d*(-k^2) + c1 integrated exactly and the phi-function coefficients evaluated by the
 * Kassam-Trefethen contour integral.
 * ====================================================================================== */
typedef struct pinn_ref_allen_cahn {
    double d;           /* diffusion coefficient >= 0; default 1e-4 */
    double c[4];        /* reaction f(u) = c[0] + c[1] u + c[2] u^2 + c[3] u^3; default {0,5,0,-5} */
    double x0, x1;      /* periodic interval [x0, x1); default [-1, 1) */
    size_t n;           /* grid points, a power of two >= 4; default 512 */
    double h;           /* largest time step; each output interval is split into equal steps
                         * no longer than h; default 1e-4 */
    pinn_ref_fn1 u0;    /* initial condition; NULL means x^2 cos(pi x) */
    void *ctx;          /* passed to u0 */
    size_t contour;     /* contour points (upper half circle) for the phi functions;
                         * 0 means 32 */
} pinn_ref_allen_cahn;

/* Fill opt with the Allen-Cahn defaults above. */
void pinn_ref_allen_cahn_default(pinn_ref_allen_cahn *opt);

/* Solve up to the nt output times times[0] <= times[1] <= ... (all >= 0) and store the grid
 * values u(times[j], x0 + i (x1-x0)/n) in u[j*n + i].  xgrid (n entries, may be NULL) receives
 * the grid.  Fails with PINN_ERR_INVALID for bad options or unsorted/negative times,
 * PINN_ERR_NOMEM, or PINN_ERR_NUMERIC if the solution stops being finite. */
pinn_status pinn_ref_allen_cahn_solve(const pinn_ref_allen_cahn *opt, size_t nt,
                                      const pinn_real *times, pinn_real *u, pinn_real *xgrid,
                                      pinn_error *err);

/* Trigonometric interpolation of one periodic grid function: values[i] at x0 + i (x1-x0)/n
 * (n a power of two), evaluated at the m points xq[] into out[] (any xq; periodicity applies).
 * Costs O(n log n + n m).  Fails with PINN_ERR_INVALID or PINN_ERR_NOMEM. */
pinn_status pinn_ref_periodic_interp(size_t n, double x0, double x1, const pinn_real *values,
                                     size_t m, const pinn_real *xq, pinn_real *out,
                                     pinn_error *err);

/* ======================================================================================
 * Poisson:  -lap(u) = f in a simple polygon Omega, u = g on its boundary.
 * A uniform grid of spacing h covers the bounding box; the unknowns are the grid nodes strictly
 * inside the polygon (nodes within 1e-9 h of an edge count as boundary nodes and take g).
 * ====================================================================================== */

/* How a stencil arm that leaves the domain is closed. */
typedef enum pinn_ref_boundary {
    /* Shortley-Weller: the arm ends where the grid line meets the boundary, at distance
     * theta*h, and uses g there with the non-uniform three-point second difference. Second-order
     * accurate for any polygon; the matrix is nonsymmetric when some theta < 1 (BiCGSTAB). */
    PINN_REF_BOUNDARY_SHORTLEY_WELLER = 0,
    /* Staircase: the arm always ends at the neighbouring grid node, which takes g(node).
     * Symmetric (CG); exact second order only where the edges lie on grid lines. */
    PINN_REF_BOUNDARY_STAIRCASE,
    PINN_REF_BOUNDARY_COUNT
} pinn_ref_boundary;

/* "shortley-weller" / "staircase"; "unknown" out of range. */
const char *pinn_ref_boundary_to_string(pinn_ref_boundary b);

typedef struct pinn_ref_poisson_opts {
    const double *vertices; /* nvert (x, y) pairs of a simple polygon, either orientation,
                             * without repeating the first vertex */
    size_t nvert;           /* >= 3 */
    double h;               /* grid spacing > 0 */
    pinn_ref_fn2 f;         /* source; NULL means 0 */
    pinn_ref_fn2 g;         /* Dirichlet data; NULL means 0.  It is also sampled at grid nodes
                             * just outside Omega (Staircase, and the interpolation near the
                             * boundary), so it should extend smoothly */
    void *ctx;              /* passed to f and g */
    pinn_ref_boundary boundary; /* default Shortley-Weller */
    double tol;             /* stop when ||b - A u|| <= tol ||b|| (true residual); 0 means 1e-10 */
    size_t max_iter;        /* 0 means 20 * (number of unknowns) + 100 */
    /* A general 2-D domain instead of the polygon (e.g. constructive geometry): its signed
     * distance sdist(x, y, sd_ctx) (< 0 inside, continuous, 0 exactly on the boundary) and its
     * bounding box box = {xmin, xmax, ymin, ymax}.  Nodes with sdist < -1e-9 h are unknowns; an
     * arm whose end node is not one ends where sdist changes sign along it (bisection). */
    double (*sdist)(double x, double y, void *sd_ctx);
    void *sd_ctx;
    double box[4];
} pinn_ref_poisson_opts;

/* Fill o with defaults: no polygon, h = 0.05, f = g = 0, Shortley-Weller, tol 1e-10. */
void pinn_ref_poisson_opts_default(pinn_ref_poisson_opts *o);

/* A solved Poisson problem on its grid. Node (i, j) is at (x0 + i h, y0 + j h), 0 <= i < nx,
 * 0 <= j < ny, stored at index j*nx + i. */
typedef struct pinn_ref_poisson {
    size_t nx, ny;
    double x0, y0, h;
    double *u;             /* nx*ny node values: the solution at interior nodes, g elsewhere */
    unsigned char *inside; /* nx*ny flags: 1 for unknowns (strictly interior nodes), else 0 */
    size_t n_unknowns;
    size_t iterations;     /* Krylov iterations used */
    double residual;       /* final ||b - A u|| / ||b|| */
    int symmetric;         /* 1 if the system was symmetric and solved by CG, 0 for BiCGSTAB */
} pinn_ref_poisson;

/* Zero p so that pinn_ref_poisson_free is safe on it. */
void pinn_ref_poisson_init(pinn_ref_poisson *p);
/* Release what p owns and zero it. */
void pinn_ref_poisson_free(pinn_ref_poisson *p);

/* Assemble and solve; p (initialised) receives the grid solution and owns its arrays.
 * Fails with PINN_ERR_INVALID (bad polygon or h, more than 2^31 nodes), PINN_ERR_NOMEM, or
 * PINN_ERR_NUMERIC when the iteration does not reach tol within max_iter (p then still holds the
 * last iterate, with iterations and residual set). */
pinn_status pinn_ref_poisson_solve(const pinn_ref_poisson_opts *o, pinn_ref_poisson *p,
                                   pinn_error *err);

/* Bilinear interpolation of the grid values at m points (x[k], y[k]) into out[k].  Points must
 * lie within the grid's box (PINN_ERR_INVALID otherwise); near the boundary the interpolation
 * uses g at the outside nodes of the cell. */
pinn_status pinn_ref_poisson_interp(const pinn_ref_poisson *p, size_t m, const pinn_real *x,
                                    const pinn_real *y, pinn_real *out, pinn_error *err);

/* ======================================================================================
 * Buckley-Leverett:  s_t + f(s)_x = 0 for x > 0, f(s) = s^2 / (s^2 + M (1-s)^2),
 * s(0,x) = s_init, s(t,0) = s_inj > s_init.  Entropy solution by the Welge tangent: the shock
 * saturation s* solves f'(s*) (s* - s_init) = f(s*) - f(s_init); behind the shock, a rarefaction
 * with x/t = f'(s) for s* <= s <= s_inj, ahead of it s_init.  If s_init is beyond the inflection
 * point there is no shock; if the tangent point lies above s_inj there is a single shock.
 * ====================================================================================== */
typedef struct pinn_ref_bl {
    double M;      /* viscosity (mobility) ratio in the flux, > 0; default 1 */
    double s_init; /* initial saturation in [0, 1); default 0 */
    double s_inj;  /* injected saturation in (s_init, 1]; default 1 */
} pinn_ref_bl;

/* The structure of a Buckley-Leverett solution. */
typedef struct pinn_ref_bl_wave {
    double s_shock;     /* saturation just behind the shock (s* or s_inj); = s_init if none */
    double shock_speed; /* (f(s_shock) - f(s_init)) / (s_shock - s_init); f'(s_init) if none */
    double fan_slow;    /* slowest rarefaction speed f'(s_inj) (= shock_speed if no fan) */
} pinn_ref_bl_wave;

/* Fill o with the defaults M = 1, s_init = 0, s_inj = 1. */
void pinn_ref_bl_default(pinn_ref_bl *o);
/* The fractional flow f(s) and its derivative f'(s) = 2 M s (1-s) / (s^2 + M (1-s)^2)^2. */
double pinn_ref_bl_flux(double M, double s);
double pinn_ref_bl_dflux(double M, double s);
/* Solve the Welge construction into *w.  PINN_ERR_INVALID for parameters out of range. */
pinn_status pinn_ref_bl_wave_solve(const pinn_ref_bl *o, pinn_ref_bl_wave *w, pinn_error *err);
/* s(t[i], x[i]) into s[i] for i < n (x <= 0 gives s_inj; t = 0 gives s_init for x > 0). */
pinn_status pinn_ref_bl_eval(const pinn_ref_bl *o, size_t n, const pinn_real *t,
                             const pinn_real *x, pinn_real *s, pinn_error *err);

#ifdef __cplusplus
}
#endif
#endif
