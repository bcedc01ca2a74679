/* buckley_leverett.c - the entropy solution of the Buckley-Leverett Riemann problem
 * s_t + f(s)_x = 0, f(s) = s^2 / (s^2 + M (1-s)^2), by the Welge tangent construction: a
 * rarefaction fan x/t = f'(s) behind a shock whose speed is the slope of the tangent from
 * (s_init, f(s_init)) to the flux curve. */
#include <math.h>

#include "pinnc/ref.h"

#define BL_SCAN 4000 /* samples used to bracket the tangent point and check the fan */

void pinn_ref_bl_default(pinn_ref_bl *o) {
    o->M = 1.0;
    o->s_init = 0.0;
    o->s_inj = 1.0;
}

double pinn_ref_bl_flux(double M, double s) {
    double a = s * s, b = M * (1.0 - s) * (1.0 - s);
    return a / (a + b);
}

double pinn_ref_bl_dflux(double M, double s) {
    double D = s * s + M * (1.0 - s) * (1.0 - s);
    return 2.0 * M * s * (1.0 - s) / (D * D);
}

/* Tangency defect: f'(s) (s - s0) - (f(s) - f(s0)); positive while the curve is steeper than
 * the chord from s0, zero at the tangent point. */
static double tangency(double M, double s0, double s) {
    return pinn_ref_bl_dflux(M, s) * (s - s0) - (pinn_ref_bl_flux(M, s) - pinn_ref_bl_flux(M, s0));
}

pinn_status pinn_ref_bl_wave_solve(const pinn_ref_bl *o, pinn_ref_bl_wave *w, pinn_error *err) {
    if (!o || !w) return pinn_error_set(err, PINN_ERR_INVALID, "buckley-leverett: NULL argument");
    double M = o->M, s0 = o->s_init, s1 = o->s_inj;
    if (!(M > 0.0) || !isfinite(M))
        return pinn_error_set(err, PINN_ERR_INVALID, "buckley-leverett: mobility ratio M must be > 0 (got %g)", M);
    if (!(s0 >= 0.0 && s0 < s1 && s1 <= 1.0))
        return pinn_error_set(err, PINN_ERR_INVALID,
                              "buckley-leverett: need 0 <= s_init < s_inj <= 1 (got s_init=%g, s_inj=%g)", s0, s1);
    double f0 = pinn_ref_bl_flux(M, s0);
    if (tangency(M, s0, s1) >= 0.0) { /* the chord lies under the curve's envelope: one shock */
        w->s_shock = s1;
        w->shock_speed = (pinn_ref_bl_flux(M, s1) - f0) / (s1 - s0);
        w->fan_slow = w->shock_speed;
        return PINN_OK;
    }
    /* scan down from s_inj for the last sample where the curve is still steeper than the chord */
    double lo = s0, hi = s1;
    int found = 0;
    for (int k = BL_SCAN - 1; k >= 1; k--) {
        double s = s0 + (s1 - s0) * (double)k / BL_SCAN;
        if (tangency(M, s0, s) > 0.0) {
            lo = s;
            hi = s0 + (s1 - s0) * (double)(k + 1) / BL_SCAN;
            found = 1;
            break;
        }
        hi = s;
    }
    double ss = s0;
    if (found) {
        for (int it = 0; it < 200 && hi - lo > 1e-16; it++) {
            double mid = 0.5 * (lo + hi);
            if (tangency(M, s0, mid) > 0.0) lo = mid;
            else hi = mid;
        }
        ss = 0.5 * (lo + hi);
    }
    /* the fan needs f' nonincreasing on [ss, s_inj] for x/t = f'(s) to have one solution */
    double prev = pinn_ref_bl_dflux(M, ss);
    for (int k = 1; k <= BL_SCAN; k++) {
        double d = pinn_ref_bl_dflux(M, ss + (s1 - ss) * (double)k / BL_SCAN);
        if (d > prev * (1.0 + 1e-12) + 1e-14)
            return pinn_error_set(err, PINN_ERR_UNSUPPORTED,
                                  "buckley-leverett: f' is not monotone behind the shock (M=%g)", M);
        prev = d;
    }
    w->s_shock = ss;
    w->shock_speed = found ? (pinn_ref_bl_flux(M, ss) - f0) / (ss - s0) : pinn_ref_bl_dflux(M, s0);
    w->fan_slow = pinn_ref_bl_dflux(M, s1);
    return PINN_OK;
}

/* The saturation in the fan where f'(s) = xi, fan_slow < xi < f'(s_shock), by bisection on the
 * decreasing f' over [s_shock, s_inj]. */
static double fan_saturation(double M, double s_lo, double s_hi, double xi) {
    double lo = s_lo, hi = s_hi; /* f'(lo) >= xi >= f'(hi) */
    for (int it = 0; it < 200 && hi - lo > 1e-16; it++) {
        double mid = 0.5 * (lo + hi);
        if (pinn_ref_bl_dflux(M, mid) > xi) lo = mid;
        else hi = mid;
    }
    return 0.5 * (lo + hi);
}

pinn_status pinn_ref_bl_eval(const pinn_ref_bl *o, size_t n, const pinn_real *t,
                             const pinn_real *x, pinn_real *s, pinn_error *err) {
    pinn_ref_bl def;
    if (!o) {
        pinn_ref_bl_default(&def);
        o = &def;
    }
    pinn_ref_bl_wave w;
    pinn_status st = pinn_ref_bl_wave_solve(o, &w, err);
    if (st != PINN_OK) return st;
    if (n && (!t || !x || !s)) return pinn_error_set(err, PINN_ERR_INVALID, "buckley-leverett: NULL array");
    for (size_t k = 0; k < n; k++) {
        double tk = (double)t[k], xk = (double)x[k], v;
        if (!isfinite(tk) || !isfinite(xk) || tk < 0.0)
            return pinn_error_set(err, PINN_ERR_INVALID,
                                  "buckley-leverett: point %zu (t=%g, x=%g) must be finite with t >= 0", k, tk, xk);
        if (xk <= 0.0) {
            v = o->s_inj;
        } else if (tk == 0.0) {
            v = o->s_init;
        } else {
            double xi = xk / tk;
            if (xi >= w.shock_speed) v = o->s_init;
            else if (xi <= w.fan_slow) v = o->s_inj;
            else v = fan_saturation(o->M, w.s_shock, o->s_inj, xi);
        }
        s[k] = (pinn_real)v;
    }
    return PINN_OK;
}
