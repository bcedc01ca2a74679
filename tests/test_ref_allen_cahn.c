/* test_ref_allen_cahn.c - the ETDRK4 spectral solver against the published Raissi Allen-Cahn
 * data (201 x 512 grid), against exact solutions of its two halves (pure diffusion, pure
 * reaction), trigonometric interpolation, and argument checks. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "check.h"
#include "problem/csv.h"
#include "pinnc/ref.h"

#define PI 3.14159265358979323846
/* tolerances widen to single precision when pinn_real is float */
#define LOOSE(tol) (sizeof(pinn_real) == sizeof(double) ? (tol) : fmax((tol), 1e-5))

static pinn_real cos_mode(double x, void *ctx) {
    (void)ctx;
    return (pinn_real)(0.3 + cos(3.0 * PI * x) - 0.5 * sin(PI * x));
}
static pinn_real smooth_ic(double x, void *ctx) {
    (void)ctx;
    return (pinn_real)(0.4 * sin(PI * x) + 0.1);
}

int main(void) {
    pinn_error err;
    char path[4096];
    const char *shared = getenv("PINN_SHARED");
    snprintf(path, sizeof path, "%s/ref/allen_cahn_raissi.csv", shared ? shared : "../shared");

    /* 1. the published grid: 201 times x 512 points */
    pinn_csv_table tab;
    pinn_csv_init(&tab);
    CHECK_OK(pinn_csv_read(path, &tab, &err), err);
    const size_t nt = 201, n = 512;
    CHECK(tab.nrows == nt * n && tab.ncols == 3, "reference shape %zu x %zu", tab.nrows, tab.ncols);
    pinn_real *u = malloc(nt * n * sizeof *u), times[201], xg[512];
    if (!u) return EXIT_FAILURE;
    if (tab.nrows == nt * n) {
        for (size_t j = 0; j < nt; j++) times[j] = (pinn_real)tab.data[3 * j * n];
        pinn_ref_allen_cahn opt;
        pinn_ref_allen_cahn_default(&opt);
        CHECK_OK(pinn_ref_allen_cahn_solve(&opt, nt, times, u, xg, &err), err);
        double e2 = 0, r2 = 0, emax = 0, xerr = 0;
        for (size_t i = 0; i < nt * n; i++) {
            double d = (double)u[i] - tab.data[3 * i + 2];
            e2 += d * d;
            r2 += tab.data[3 * i + 2] * tab.data[3 * i + 2];
            emax = fmax(emax, fabs(d));
        }
        for (size_t i = 0; i < n; i++) xerr = fmax(xerr, fabs((double)xg[i] - tab.data[3 * i + 1]));
        double rel = sqrt(e2 / r2);
        printf("allen-cahn (h = %g) vs allen_cahn_raissi.csv: relative L2 %.3e, max abs %.3e\n", opt.h, rel, emax);
        CHECK(rel <= 1e-6, "relative L2 error %.3e > 1e-6", rel);
        CHECK(xerr < LOOSE(1e-15), "grid differs from the reference's by %g", xerr);
        CHECK_CLOSE(u[0], -1.0, 1e-15, "u(0,-1)");
    }

    /* 2. pure diffusion (c = 0): each Fourier mode decays exactly as exp(-d k^2 t) */
    pinn_ref_allen_cahn dif;
    pinn_ref_allen_cahn_default(&dif);
    dif.d = 0.01;
    dif.c[1] = dif.c[3] = 0.0;
    dif.n = 64;
    dif.h = 0.01;
    dif.u0 = cos_mode;
    pinn_real td[2] = {0.0, 0.7}, ud[128], xd[64];
    CHECK_OK(pinn_ref_allen_cahn_solve(&dif, 2, td, ud, xd, &err), err);
    double ed = 0;
    for (size_t i = 0; i < 64; i++) {
        double x = (double)xd[i];
        double ex = 0.3 + exp(-0.01 * 9 * PI * PI * 0.7) * cos(3 * PI * x) - 0.5 * exp(-0.01 * PI * PI * 0.7) * sin(PI * x);
        ed = fmax(ed, fabs((double)ud[64 + i] - ex));
        ed = fmax(ed, fabs((double)ud[i] - (double)cos_mode(x, NULL)));
    }
    CHECK(ed < LOOSE(1e-13), "pure diffusion error %.3e", ed);

    /* 3. pure reaction (d = 0): u' = 5u - 5u^3 has u(t) = u0 e^{5t} / sqrt(1 + u0^2 (e^{10t} - 1)) */
    pinn_ref_allen_cahn rea;
    pinn_ref_allen_cahn_default(&rea);
    rea.d = 0.0;
    rea.n = 32;
    rea.h = 1e-3;
    rea.u0 = smooth_ic;
    pinn_real tr[3] = {0.1, 0.1, 0.6}, ur[96], xr[32];
    CHECK_OK(pinn_ref_allen_cahn_solve(&rea, 3, tr, ur, xr, &err), err);
    double er = 0;
    for (size_t j = 1; j < 3; j++)
        for (size_t i = 0; i < 32; i++) {
            double u0 = (double)smooth_ic((double)xr[i], NULL), e5 = exp(5.0 * (double)tr[j]);
            double ex = u0 * e5 / sqrt(1.0 + u0 * u0 * (e5 * e5 - 1.0));
            er = fmax(er, fabs((double)ur[j * 32 + i] - ex));
        }
    printf("pure reaction: max error %.3e\n", er);
    CHECK(er < LOOSE(1e-10), "pure reaction error %.3e", er);
    CHECK(ur[5] == ur[32 + 5], "repeated output time gives the same state");

    /* 4. trigonometric interpolation: exact for band-limited data, periodic, reproduces nodes */
    pinn_real vals[16], xq[4] = {0.123, -0.77, 1.123 + 2.0, -1.0}, out[4];
    for (int i = 0; i < 16; i++) {
        double x = -1.0 + 2.0 * i / 16.0;
        vals[i] = (pinn_real)(1.0 + sin(PI * x) + 0.25 * cos(5 * PI * x));
    }
    CHECK_OK(pinn_ref_periodic_interp(16, -1.0, 1.0, vals, 4, xq, out, &err), err);
    for (int q = 0; q < 3; q++) {
        double x = (double)xq[q];
        CHECK_CLOSE(out[q], 1.0 + sin(PI * x) + 0.25 * cos(5 * PI * x), LOOSE(1e-13), "trig interpolation");
    }
    CHECK_CLOSE(out[3], vals[0], LOOSE(1e-14), "interpolation at a node");

    /* 5. argument checks */
    pinn_ref_allen_cahn bad;
    pinn_ref_allen_cahn_default(&bad);
    bad.n = 500;
    CHECK(pinn_ref_allen_cahn_solve(&bad, 2, td, ud, NULL, &err) == PINN_ERR_INVALID, "n = 500 accepted");
    pinn_ref_allen_cahn_default(&bad);
    pinn_real unsorted[2] = {0.5, 0.2};
    CHECK(pinn_ref_allen_cahn_solve(&bad, 2, unsorted, ud, NULL, &err) == PINN_ERR_INVALID, "unsorted times accepted");
    bad.h = 0;
    CHECK(pinn_ref_allen_cahn_solve(&bad, 2, td, ud, NULL, &err) == PINN_ERR_INVALID, "h = 0 accepted");
    CHECK(pinn_ref_periodic_interp(12, -1, 1, vals, 1, xq, out, &err) == PINN_ERR_INVALID, "interp n = 12 accepted");

    free(u);
    pinn_csv_free(&tab);
    return CHECK_DONE();
}
