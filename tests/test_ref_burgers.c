/* test_ref_burgers.c - the Cole-Hopf Burgers evaluator against the published Raissi data
 * (100 x 256 grid), plus the initial condition, the walls, user callbacks (with and without the
 * antiderivative), a finite-difference check of the PDE, and error handling. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "check.h"
#include "problem/csv.h"
#include "pinnc/ref.h"

#define PI 3.14159265358979323846
/* tolerances widen to single precision when pinn_real is float */
#define LOOSE(tol) (sizeof(pinn_real) == sizeof(double) ? (tol) : fmax((tol), 1e-5))

static pinn_real minus_sin(double x, void *ctx) {
    (void)ctx;
    return (pinn_real)(-sin(PI * x));
}
static pinn_real minus_sin_int(double x, void *ctx) {
    (void)ctx;
    return (pinn_real)((cos(PI * x) - 1.0) / PI);
}
static pinn_real steep(double x, void *ctx) {
    (void)ctx;
    return (pinn_real)tanh(20.0 * x);
}
static pinn_real steep_int(double x, void *ctx) {
    (void)ctx;
    double a = fabs(20.0 * x); /* log cosh without overflow */
    return (pinn_real)((a + log1p(exp(-2.0 * a)) - log(2.0)) / 20.0);
}
static pinn_real bump(double x, void *ctx) {
    (void)ctx;
    return (pinn_real)exp(-4.0 * x * x);
}

int main(void) {
    pinn_error err;
    char path[4096];
    const char *shared = getenv("PINN_SHARED");
    snprintf(path, sizeof path, "%s/ref/burgers_raissi.csv", shared ? shared : "../shared");

    /* 1. the published grid */
    pinn_csv_table tab;
    pinn_csv_init(&tab);
    CHECK_OK(pinn_csv_read(path, &tab, &err), err);
    CHECK(tab.nrows == 100 * 256 && tab.ncols == 3, "reference shape %zu x %zu", tab.nrows, tab.ncols);
    size_t n = tab.nrows;
    pinn_real *t = malloc(n * sizeof *t), *x = malloc(n * sizeof *x), *u = malloc(n * sizeof *u);
    if (!t || !x || !u) return EXIT_FAILURE;
    for (size_t i = 0; i < n; i++) {
        t[i] = (pinn_real)tab.data[3 * i];
        x[i] = (pinn_real)tab.data[3 * i + 1];
    }
    pinn_ref_burgers opt;
    pinn_ref_burgers_default(&opt);
    CHECK_CLOSE(opt.nu, 0.01 / PI, 1e-15, "default nu");
    if (n) {
        CHECK_OK(pinn_ref_burgers_eval(&opt, n, t, x, u, &err), err);
        double e2 = 0, r2 = 0, emax = 0;
        for (size_t i = 0; i < n; i++) {
            double d = (double)u[i] - tab.data[3 * i + 2];
            e2 += d * d;
            r2 += tab.data[3 * i + 2] * tab.data[3 * i + 2];
            emax = fmax(emax, fabs(d));
        }
        double rel = sqrt(e2 / r2);
        printf("burgers vs burgers_raissi.csv: relative L2 %.3e, max abs %.3e\n", rel, emax);
        CHECK(rel <= 1e-6, "relative L2 error %.3e > 1e-6", rel);
    }

    /* 2. t = 0 gives u0; the walls stay at zero; oddness u(t,-x) = -u(t,x) */
    pinn_real tt[6] = {0, 0, 0.5, 0.5, 0.9, 0.9}, xx[6] = {0.3, -0.7, 1, -1, 0.37, -0.37}, uu[6];
    CHECK_OK(pinn_ref_burgers_eval(&opt, 6, tt, xx, uu, &err), err);
    CHECK_CLOSE(uu[0], -sin(PI * 0.3), LOOSE(1e-15), "u(0, 0.3)");
    CHECK_CLOSE(uu[1], -sin(PI * -0.7), LOOSE(1e-15), "u(0, -0.7)");
    CHECK(fabs(uu[2]) < LOOSE(1e-12) && fabs(uu[3]) < LOOSE(1e-12), "walls: %g %g", (double)uu[2], (double)uu[3]);
    CHECK_CLOSE(uu[4], -uu[5], LOOSE(1e-12), "oddness");

    /* 3. the same problem through callbacks: with the antiderivative, and integrated numerically */
    pinn_ref_burgers cb = opt;
    cb.u0 = minus_sin;
    cb.u0_int = minus_sin_int;
    size_t m = 512, stride = n / m;
    pinn_real *ts = malloc(m * sizeof *ts), *xs = malloc(m * sizeof *xs), *ua = malloc(m * sizeof *ua),
              *ub = malloc(m * sizeof *ub), *uc = malloc(m * sizeof *uc);
    if (!ts || !xs || !ua || !ub || !uc) return EXIT_FAILURE;
    for (size_t k = 0; k < m; k++) {
        ts[k] = t[k * stride];
        xs[k] = x[k * stride];
    }
    CHECK_OK(pinn_ref_burgers_eval(&opt, m, ts, xs, ua, &err), err);
    CHECK_OK(pinn_ref_burgers_eval(&cb, m, ts, xs, ub, &err), err);
    cb.u0_int = NULL;
    CHECK_OK(pinn_ref_burgers_eval(&cb, m, ts, xs, uc, &err), err);
    double dab = 0, dac = 0;
    for (size_t k = 0; k < m; k++) {
        dab = fmax(dab, fabs((double)ua[k] - (double)ub[k]));
        dac = fmax(dac, fabs((double)ua[k] - (double)uc[k]));
    }
    printf("callbacks: max diff with F %.3e, with numerical F %.3e\n", dab, dac);
    CHECK(dab < LOOSE(1e-9), "callback with antiderivative differs by %.3e", dab);
    CHECK(dac < LOOSE(1e-8), "callback with numerical antiderivative differs by %.3e", dac);

    /* 4. a non-periodic initial bump with nu = 0.05: central differences of the evaluated
     *    solution satisfy u_t + u u_x - nu u_xx = 0 to the differencing error */
    pinn_ref_burgers gb;
    pinn_ref_burgers_default(&gb);
    gb.nu = 0.05;
    gb.u0 = bump;
    double dt = 2e-4, dx = 2e-4, worst = 0;
    for (int q = 0; q < 5 && sizeof(pinn_real) == sizeof(double); q++) { /* needs double values */
        double t0 = 0.2 + 0.15 * q, x0 = -0.4 + 0.3 * q;
        pinn_real pt[5] = {(pinn_real)t0, (pinn_real)(t0 + dt), (pinn_real)(t0 - dt), (pinn_real)t0, (pinn_real)t0};
        pinn_real px[5] = {(pinn_real)x0, (pinn_real)x0, (pinn_real)x0, (pinn_real)(x0 + dx), (pinn_real)(x0 - dx)};
        pinn_real pu[5];
        CHECK_OK(pinn_ref_burgers_eval(&gb, 5, pt, px, pu, &err), err);
        double ut = (pu[1] - pu[2]) / (2 * dt), ux = (pu[3] - pu[4]) / (2 * dx);
        double uxx = (pu[3] - 2 * pu[0] + pu[4]) / (dx * dx);
        double res = ut + pu[0] * ux - gb.nu * uxx;
        worst = fmax(worst, fabs(res));
    }
    if (sizeof(pinn_real) == sizeof(double))
        printf("bump: worst PDE residual by central differences %.3e\n", worst);
    CHECK(worst < 2e-6, "PDE residual %.3e", worst);

    /* 5. errors: bad viscosity, negative time, too few nodes for a steep case */
    pinn_ref_burgers bad = opt;
    bad.nu = 0.0;
    CHECK(pinn_ref_burgers_eval(&bad, 1, tt, xx, uu, &err) == PINN_ERR_INVALID, "nu = 0 accepted");
    pinn_real tneg = -1;
    CHECK(pinn_ref_burgers_eval(&opt, 1, &tneg, xx, uu, &err) == PINN_ERR_INVALID, "t < 0 accepted");
    bad = opt;
    bad.nodes = 32;
    pinn_real tl = 1, xl = 0.1;
    pinn_status st = pinn_ref_burgers_eval(&bad, 1, &tl, &xl, uu, &err);
    CHECK(st == PINN_ERR_NUMERIC, "32 nodes at t = 1 -> %s (%s)", pinn_status_to_string(st), err.msg);

    /* 6. the automatic rule grows for a ten times smaller viscosity and stays consistent */
    pinn_ref_burgers thin;
    pinn_ref_burgers_default(&thin);
    thin.nu = 0.001 / PI;
    pinn_real t2[2] = {0.8, 0.8}, x2[2] = {0.5, -0.5}, u2[2], u3[2];
    CHECK_OK(pinn_ref_burgers_eval(&thin, 2, t2, x2, u2, &err), err);
    thin.nodes = 2000;
    CHECK_OK(pinn_ref_burgers_eval(&thin, 2, t2, x2, u3, &err), err);
    CHECK_CLOSE(u2[0], u3[0], LOOSE(1e-10), "automatic vs 2000 nodes");
    CHECK_CLOSE(u2[0], -u2[1], LOOSE(1e-10), "oddness at small nu");

    /* 7. narrow integrands also make the automatic rule grow: a long time (t = 10) and a steep
     *    expanding initial condition tanh(20 x) (given with its antiderivative) */
    pinn_ref_burgers lt;
    pinn_ref_burgers_default(&lt);
    pinn_real t7[2] = {10, 10}, x7[2] = {0.3, 0.77}, u7[2], v7[2];
    CHECK_OK(pinn_ref_burgers_eval(&lt, 2, t7, x7, u7, &err), err);
    lt.nodes = 2000;
    CHECK_OK(pinn_ref_burgers_eval(&lt, 2, t7, x7, v7, &err), err);
    CHECK_CLOSE(u7[0], v7[0], LOOSE(1e-10), "t = 10: automatic vs 2000 nodes");
    CHECK_CLOSE(u7[1], v7[1], LOOSE(1e-10), "t = 10: automatic vs 2000 nodes");
    pinn_ref_burgers st20;
    pinn_ref_burgers_default(&st20);
    st20.nu = 0.01;
    st20.u0 = steep;
    st20.u0_int = steep_int;
    pinn_real t8[2] = {1, 1}, x8[2] = {0.3, 0.05};
    CHECK_OK(pinn_ref_burgers_eval(&st20, 2, t8, x8, u7, &err), err);
    st20.nodes = 2000;
    CHECK_OK(pinn_ref_burgers_eval(&st20, 2, t8, x8, v7, &err), err);
    CHECK_CLOSE(u7[0], v7[0], LOOSE(1e-10), "tanh(20x): automatic vs 2000 nodes");
    CHECK_CLOSE(u7[1], v7[1], LOOSE(1e-10), "tanh(20x): automatic vs 2000 nodes");
    /* close to the inviscid value from characteristics x = x0 + t tanh(20 x0) (nu is small) */
    double lo = -1.0, hi = 1.0;
    for (int it = 0; it < 100; it++) {
        double mid = 0.5 * (lo + hi);
        if (mid + tanh(20.0 * mid) < 0.3) lo = mid;
        else hi = mid;
    }
    double uchar = tanh(20.0 * 0.5 * (lo + hi));
    CHECK(fabs((double)u7[0] - uchar) < 0.01, "u(1, 0.3) = %g, characteristics give %g", (double)u7[0], uchar);
    st20.nodes = 200;
    CHECK(pinn_ref_burgers_eval(&st20, 2, t8, x8, u7, &err) == PINN_ERR_NUMERIC, "narrow integrand not detected");

    free(t);
    free(x);
    free(u);
    free(ts);
    free(xs);
    free(ua);
    free(ub);
    free(uc);
    pinn_csv_free(&tab);
    return CHECK_DONE();
}
