/* test_ref_bl.c - the Buckley-Leverett Welge solution: the tangent point against the closed form
 * sqrt(M/(1+M)), Rankine-Hugoniot and tangency at the shock, x/t = f'(s) in the fan, mass
 * conservation, the single-shock and shock-free cases, and input checks. */
#include <math.h>
#include <stdio.h>

#include "check.h"
#include "pinnc/ref.h"
#include "ref/quad.h"

/* tolerances widen to single precision when pinn_real is float */
#define LOOSE(tol) (sizeof(pinn_real) == sizeof(double) ? (tol) : fmax((tol), 1e-5))

/* ∫_0^X s(t, x) dx by 20-point Gauss-Legendre on 40 panels in each smooth piece. */
static double mass(const pinn_ref_bl *o, const pinn_ref_bl_wave *w, double t, double X) {
    double gx[20], gw[20];
    pinn_ref_gauss_legendre(20, gx, gw);
    double cuts[4] = {0.0, w->fan_slow * t, w->shock_speed * t, X}, total = 0.0;
    for (int piece = 0; piece < 3; piece++) {
        double a = cuts[piece], b = cuts[piece + 1];
        if (b <= a) continue;
        for (int panel = 0; panel < 40; panel++) {
            double pa = a + (b - a) * panel / 40.0, pb = a + (b - a) * (panel + 1) / 40.0;
            for (int k = 0; k < 20; k++) {
                pinn_real tx = (pinn_real)t, xx = (pinn_real)(0.5 * (pa + pb) + 0.5 * (pb - pa) * gx[k]), s;
                pinn_ref_bl_eval(o, 1, &tx, &xx, &s, NULL);
                total += 0.5 * (pb - pa) * gw[k] * (double)s;
            }
        }
    }
    return total;
}

/* Checks one configuration; want: 0 fan + shock, 1 single shock, 2 fan only. */
static void check_case(double M, double s0, double s1, int want) {
    pinn_ref_bl o = {M, s0, s1};
    pinn_ref_bl_wave w;
    pinn_error err;
    CHECK_OK(pinn_ref_bl_wave_solve(&o, &w, &err), err);
    double f0 = pinn_ref_bl_flux(M, s0), f1 = pinn_ref_bl_flux(M, s1);
    printf("M=%-4g s_init=%-4g s_inj=%-4g: s_shock %.12f speed %.12f fan from %.6f\n", M, s0, s1, w.s_shock,
           w.shock_speed, w.fan_slow);
    if (want == 0) {
        CHECK(w.s_shock > s0 && w.s_shock < s1, "tangent point %g inside (%g, %g)", w.s_shock, s0, s1);
        /* Rankine-Hugoniot with the state ahead, and tangency (Welge) */
        CHECK_CLOSE(w.shock_speed, (pinn_ref_bl_flux(M, w.s_shock) - f0) / (w.s_shock - s0), 1e-12, "RH speed");
        CHECK_CLOSE(w.shock_speed, pinn_ref_bl_dflux(M, w.s_shock), 1e-9, "tangency");
    } else if (want == 1) {
        CHECK(w.s_shock == s1, "single shock to s_inj");
        CHECK_CLOSE(w.shock_speed, (f1 - f0) / (s1 - s0), 1e-14, "single shock speed");
    } else {
        CHECK(w.s_shock == s0, "no shock expected");
        CHECK_CLOSE(w.shock_speed, pinn_ref_bl_dflux(M, s0), 1e-14, "fan front speed");
    }
    /* inside the fan, x/t = f'(s(t,x)); the profile is nonincreasing in x */
    double t = 0.7, worst = 0, prev = 2.0;
    int monotone = 1;
    for (int k = 0; k <= 200; k++) {
        pinn_real tt = (pinn_real)t, xx = (pinn_real)(1.3 * w.shock_speed * t * k / 200.0), s;
        CHECK_OK(pinn_ref_bl_eval(&o, 1, &tt, &xx, &s, &err), err);
        double xi = (double)xx / t;
        if (xi > w.fan_slow && xi < w.shock_speed) worst = fmax(worst, fabs(pinn_ref_bl_dflux(M, (double)s) - xi));
        if ((double)s > prev) monotone = 0;
        prev = (double)s;
    }
    CHECK(worst < LOOSE(1e-10), "fan: |f'(s) - x/t| up to %.3e", worst);
    CHECK(monotone, "profile not monotone");
    /* mass: ∫_0^X s dx = X s_init + t (f(s_inj) - f(s_init)) beyond the front */
    double X = 1.5 * w.shock_speed * t + 0.1;
    double m = mass(&o, &w, t, X), expect = X * s0 + t * (f1 - f0);
    CHECK(fabs(m - expect) < LOOSE(1e-9), "mass %.12f vs %.12f", m, expect);
}

int main(void) {
    pinn_error err;
    /* with s_init = 0 the tangent condition reduces to M (1 - s^2) = s^2 */
    double Ms[4] = {0.5, 1.0, 2.0, 5.0};
    for (int k = 0; k < 4; k++) {
        pinn_ref_bl o = {Ms[k], 0.0, 1.0};
        pinn_ref_bl_wave w;
        CHECK_OK(pinn_ref_bl_wave_solve(&o, &w, &err), err);
        CHECK_CLOSE(w.s_shock, sqrt(Ms[k] / (1.0 + Ms[k])), 1e-12, "tangent point vs sqrt(M/(1+M))");
        CHECK_CLOSE(w.fan_slow, 0.0, 1e-15, "f'(1) = 0");
        check_case(Ms[k], 0.0, 1.0, 0);
    }
    check_case(1.0, 0.2, 0.9, 0);  /* connate water and partial injection */
    check_case(1.0, 0.0, 0.3, 1);  /* tangent point above s_inj: one shock */
    check_case(1.0, 0.75, 1.0, 2); /* s_init beyond the inflection point: fan only */

    /* t = 0 and x <= 0 */
    pinn_ref_bl def;
    pinn_ref_bl_default(&def);
    pinn_real t[3] = {0, 0, 1}, x[3] = {0.5, 0, -1}, s[3];
    CHECK_OK(pinn_ref_bl_eval(&def, 3, t, x, s, &err), err);
    CHECK(s[0] == 0 && s[1] == 1 && s[2] == 1, "edges: %g %g %g", (double)s[0], (double)s[1], (double)s[2]);

    /* input checks */
    pinn_ref_bl bad = {0.0, 0.0, 1.0};
    CHECK(pinn_ref_bl_eval(&bad, 3, t, x, s, &err) == PINN_ERR_INVALID, "M = 0 accepted");
    bad = (pinn_ref_bl){1.0, 0.5, 0.5};
    CHECK(pinn_ref_bl_eval(&bad, 3, t, x, s, &err) == PINN_ERR_INVALID, "s_init = s_inj accepted");
    pinn_real tn = -1;
    CHECK(pinn_ref_bl_eval(&def, 1, &tn, x, s, &err) == PINN_ERR_INVALID, "t < 0 accepted");
    return CHECK_DONE();
}
