/* test_ref_poisson.c - the finite-difference Poisson solver: second-order convergence for a
 * manufactured solution on the unit square, the L-shape and slanted polygons (Shortley-Weller),
 * convergence and symmetry of the MoE-PINN L-shape problem (f = 1, g = 0), interpolation and
 * input checks. */
#include <math.h>
#include <stdio.h>

#include "check.h"
#include "pinnc/ref.h"

/* tolerances widen to single precision when pinn_real is float */
#define LOOSE(tol) (sizeof(pinn_real) == sizeof(double) ? (tol) : fmax((tol), 1e-5))

/* manufactured solution u = e^x sin(2y) + x^2, so f = -lap(u) = 3 e^x sin(2y) - 2 */
static pinn_real u_exact(double x, double y, void *ctx) {
    (void)ctx;
    return (pinn_real)(exp(x) * sin(2.0 * y) + x * x);
}
static pinn_real f_exact(double x, double y, void *ctx) {
    (void)ctx;
    return (pinn_real)(3.0 * exp(x) * sin(2.0 * y) - 2.0);
}
static pinn_real one(double x, double y, void *ctx) {
    (void)x, (void)y, (void)ctx;
    return 1;
}

/* Max nodal error of the manufactured problem on the polygon with spacing h (-1 on failure). */
static double mms_error(const double *v, size_t nv, double h, pinn_ref_boundary b, int *symmetric) {
    pinn_ref_poisson_opts o;
    pinn_ref_poisson_opts_default(&o);
    o.vertices = v;
    o.nvert = nv;
    o.h = h;
    o.f = f_exact;
    o.g = u_exact;
    o.boundary = b;
    pinn_ref_poisson p;
    pinn_ref_poisson_init(&p);
    pinn_error err;
    CHECK_OK(pinn_ref_poisson_solve(&o, &p, &err), err);
    CHECK(p.residual <= 1e-10, "residual %g after %zu iterations", p.residual, p.iterations);
    double e = p.u ? 0.0 : -1.0;
    for (size_t j = 0; p.u && j < p.ny; j++)
        for (size_t i = 0; i < p.nx; i++)
            if (p.inside[j * p.nx + i])
                e = fmax(e, fabs(p.u[j * p.nx + i] - (double)u_exact(p.x0 + (double)i * h, p.y0 + (double)j * h, NULL)));
    *symmetric = p.symmetric;
    pinn_ref_poisson_free(&p);
    return e;
}

/* Halves h three times from h0 and checks that the error ratio exceeds 3 each time. */
static void convergence(const char *name, const double *v, size_t nv, double h0, pinn_ref_boundary b, int want_sym) {
    double prev = 0.0;
    for (int k = 0; k < 4; k++) {
        int sym = -1;
        double e = mms_error(v, nv, h0 / (double)(1 << k), b, &sym);
        CHECK(sym == want_sym, "%s: symmetric flag %d", name, sym);
        if (k) {
            printf("%s (%s): h = %-9g max error %.3e  ratio %.2f\n", name, pinn_ref_boundary_to_string(b),
                   h0 / (1 << k), e, prev / e);
            CHECK(prev / e > 3.0, "%s: error ratio %.2f at h = %g", name, prev / e, h0 / (1 << k));
        } else {
            printf("%s (%s): h = %-9g max error %.3e\n", name, pinn_ref_boundary_to_string(b), h0, e);
        }
        prev = e;
    }
}

int main(void) {
    pinn_error err;
    const double square[] = {0, 0, 1, 0, 1, 1, 0, 1};
    const double lshape[] = {-1, -1, 0, -1, 0, 0, 1, 0, 1, 1, -1, 1}; /* [-1,1]^2 minus [0,1]x[-1,0] */
    const double pentagon[] = {0, 0, 1.1, 0.2, 1.3, 1.0, 0.5, 1.4, -0.2, 0.7}; /* slanted edges */
    const double triangle_cw[] = {0.05, 0.1, 0.4, 0.93, 1.03, 0.27};           /* clockwise */

    /* (a) second order: grid-aligned polygons give symmetric systems (CG) */
    convergence("unit square", square, 4, 1.0 / 8, PINN_REF_BOUNDARY_SHORTLEY_WELLER, 1);
    convergence("L-shape", lshape, 6, 1.0 / 8, PINN_REF_BOUNDARY_SHORTLEY_WELLER, 1);
    convergence("L-shape", lshape, 6, 1.0 / 8, PINN_REF_BOUNDARY_STAIRCASE, 1);
    /* slanted edges: Shortley-Weller is nonsymmetric (BiCGSTAB) and still second order */
    convergence("pentagon", pentagon, 5, 0.1, PINN_REF_BOUNDARY_SHORTLEY_WELLER, 0);
    convergence("triangle", triangle_cw, 3, 0.1, PINN_REF_BOUNDARY_SHORTLEY_WELLER, 0);

    /* (b) the seed's L-shape ([-1,1]^2 minus the top-right quadrant), f = 1, g = 0 */
    const double seed_l[] = {-1, -1, 1, -1, 1, 0, 0, 0, 0, 1, -1, 1};
    pinn_ref_poisson_opts o;
    pinn_ref_poisson_opts_default(&o);
    o.vertices = seed_l;
    o.nvert = 6;
    o.f = one;
    double prev = 0, prevdiff = 0;
    for (int k = 0; k < 5; k++) {
        o.h = 0.125 / (double)(1 << k);
        pinn_ref_poisson p;
        pinn_ref_poisson_init(&p);
        CHECK_OK(pinn_ref_poisson_solve(&o, &p, &err), err);
        pinn_real qx[3] = {-0.5, 0.5, -0.5}, qy[3] = {-0.5, -0.5, 0.5}, qu[3];
        CHECK_OK(pinn_ref_poisson_interp(&p, 3, qx, qy, qu, &err), err);
        /* the domain is symmetric under (x, y) -> (y, x), and so is the discrete solution */
        double asym = 0, umax = 0;
        for (size_t j = 0; j < p.ny; j++)
            for (size_t i = 0; i < p.nx; i++) {
                asym = fmax(asym, fabs(p.u[j * p.nx + i] - p.u[i * p.nx + j]));
                umax = fmax(umax, p.u[j * p.nx + i]);
            }
        CHECK(p.nx == p.ny && asym < 1e-8, "asymmetry %g", asym);
        CHECK_CLOSE(qu[1], qu[2], LOOSE(1e-8), "u(0.5,-0.5) = u(-0.5,0.5)");
        CHECK(umax > 0 && umax < 0.5, "max u = %g", umax);
        double diff = fabs((double)qu[0] - prev);
        printf("L-shape f=1: h = %-9g unknowns %6zu  CG its %4zu  u(-0.5,-0.5) = %.8f  change %.2e\n", o.h,
               p.n_unknowns, p.iterations, (double)qu[0], diff);
        if (k >= 2) CHECK(prevdiff / diff > 2.0, "point value not converging: changes %.3e then %.3e", prevdiff, diff);
        prevdiff = diff;
        prev = (double)qu[0];
        pinn_ref_poisson_free(&p);
    }

    /* interpolation reproduces node values and bilinear data; rejects points off the grid */
    pinn_ref_poisson_opts_default(&o);
    o.vertices = square;
    o.nvert = 4;
    o.h = 0.25;
    o.g = u_exact;
    o.f = f_exact;
    pinn_ref_poisson p;
    pinn_ref_poisson_init(&p);
    CHECK_OK(pinn_ref_poisson_solve(&o, &p, &err), err);
    CHECK(p.n_unknowns == 9 && p.nx == 5 && p.ny == 5, "3x3 unknowns, got %zu", p.n_unknowns);
    pinn_real ix[2] = {0.5, 0.625}, iy[2] = {0.25, 0.375}, iu[2];
    CHECK_OK(pinn_ref_poisson_interp(&p, 2, ix, iy, iu, &err), err);
    CHECK_CLOSE(iu[0], p.u[1 * 5 + 2], LOOSE(1e-15), "interpolation at a node");
    double mid = 0.25 * (p.u[1 * 5 + 2] + p.u[1 * 5 + 3] + p.u[2 * 5 + 2] + p.u[2 * 5 + 3]);
    CHECK_CLOSE(iu[1], mid, LOOSE(1e-15), "interpolation at a cell centre");
    pinn_real ox = 1.5, oy = 0.5;
    CHECK(pinn_ref_poisson_interp(&p, 1, &ox, &oy, iu, &err) == PINN_ERR_INVALID, "point off the grid accepted");
    pinn_ref_poisson_free(&p);

    /* input checks: a bow-tie, too few vertices, h <= 0, and a hopeless iteration limit */
    const double bowtie[] = {0, 0, 1, 1, 1, 0, 0, 1};
    o.vertices = bowtie;
    CHECK(pinn_ref_poisson_solve(&o, &p, &err) == PINN_ERR_INVALID, "self-intersecting polygon accepted");
    o.vertices = square;
    o.nvert = 2;
    CHECK(pinn_ref_poisson_solve(&o, &p, &err) == PINN_ERR_INVALID, "2 vertices accepted");
    o.nvert = 4;
    o.h = -1;
    CHECK(pinn_ref_poisson_solve(&o, &p, &err) == PINN_ERR_INVALID, "h < 0 accepted");
    o.h = 1.0 / 32;
    o.max_iter = 3;
    pinn_status st = pinn_ref_poisson_solve(&o, &p, &err);
    CHECK(st == PINN_ERR_NUMERIC && p.iterations == 3, "max_iter not honoured: %s, %zu its", pinn_status_to_string(st),
          p.iterations);
    pinn_ref_poisson_free(&p);
    return CHECK_DONE();
}
