/* vmath.c - vectorisable exp/expm1/tanh over arrays.
 *
 * expm1(x): x = k ln2 + r with |r| <= ln2/2 (k by the round-to-nearest "shifter" trick, so no
 * integer conversion instructions are needed), expm1(r) by its Taylor polynomial of degree 13
 * (truncation < 1e-17 relative), then expm1(x) = 2^k expm1(r) + (2^k - 1).
 * tanh(x) = -sign(x) e / (2 + e) with e = expm1(-2|x|), which keeps full relative accuracy for
 * small |x|.  Arguments are clamped where the results saturate. */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "jet/vmath.h"

#define VM_CLONES PINN_SIMD_CLONES

static inline double as_double(uint64_t u) {
    double d;
    memcpy(&d, &u, sizeof d);
    return d;
}
static inline uint64_t as_u64(double d) {
    uint64_t u;
    memcpy(&u, &d, sizeof u);
    return u;
}

/* 2^k and expm1(r) for x = k ln2 + r, inlined into the array loops; -708 <= x <= 709. */
static inline void exp_parts(double x, double *scale_out, double *em_out) {
    const double shifter = 0x1.8p52, inv_ln2 = 1.4426950408889634, ln2_hi = 0x1.62e42fefa3800p-1,
                 ln2_lo = 0x1.ef35793c76730p-45;
    double kd = x * inv_ln2 + shifter;
    uint64_t ki = as_u64(kd);
    kd -= shifter;
    double r = x - kd * ln2_hi - kd * ln2_lo;
    /* Taylor coefficients 1/j!, j = 2..13 */
    double p = 1.0 / 6227020800.0;
    p = p * r + 1.0 / 479001600.0;
    p = p * r + 1.0 / 39916800.0;
    p = p * r + 1.0 / 3628800.0;
    p = p * r + 1.0 / 362880.0;
    p = p * r + 1.0 / 40320.0;
    p = p * r + 1.0 / 5040.0;
    p = p * r + 1.0 / 720.0;
    p = p * r + 1.0 / 120.0;
    p = p * r + 1.0 / 24.0;
    p = p * r + 1.0 / 6.0;
    p = p * r + 0.5;
    double em = r + r * r * p;                      /* expm1(r) */
    *scale_out = as_double(((ki + 1023u) & 0x7ffu) << 52); /* 2^k, -1022 <= k <= 1023 */
    *em_out = em;
}

/* expm1 of one value; x in [-40, 709]. */
static inline double expm1_core(double x) {
    double scale, em;
    exp_parts(x, &scale, &em);
    return scale * em + (scale - 1.0);
}

VM_CLONES void pinn_vexpm1(const pinn_real *x, pinn_real *y, size_t n) {
    for (size_t i = 0; i < n; i++) {
        double v = x[i];
        v = v < -40.0 ? -40.0 : (v > 709.0 ? 709.0 : v);
        y[i] = (pinn_real)expm1_core(v);
    }
}

VM_CLONES void pinn_vexp(const pinn_real *x, pinn_real *y, size_t n) {
    for (size_t i = 0; i < n; i++) {
        double v = x[i];
        double c = v < -708.0 ? -708.0 : (v > 709.0 ? 709.0 : v), scale, em;
        exp_parts(c, &scale, &em);
        double e = scale + scale * em;
        y[i] = (pinn_real)(v < -708.0 ? 0.0 : (v > 709.0 ? HUGE_VAL : e));
    }
}

#ifdef PINN_REAL_FLOAT
static inline float as_float(uint32_t u) {
    float f;
    memcpy(&f, &u, sizeof f);
    return f;
}
static inline uint32_t as_u32(float f) {
    uint32_t u;
    memcpy(&u, &f, sizeof u);
    return u;
}

/* expm1(x) in float arithmetic for -20 <= x <= 0: the same reduction with a float shifter and a
 * Taylor polynomial of degree 7 (truncation < 2e-8 relative on |r| <= ln2/2). */
static inline float expm1f_core(float x) {
    const float shifter = 0x1.8p23f, inv_ln2 = 1.44269504f, ln2_hi = 0x1.62e4p-1f, ln2_lo = 0x1.7f7d1cp-20f;
    float kd = x * inv_ln2 + shifter;
    uint32_t ki = as_u32(kd);
    kd -= shifter;
    float r = x - kd * ln2_hi - kd * ln2_lo;
    float p = 1.0f / 5040.0f;
    p = p * r + 1.0f / 720.0f;
    p = p * r + 1.0f / 120.0f;
    p = p * r + 1.0f / 24.0f;
    p = p * r + 1.0f / 6.0f;
    p = p * r + 0.5f;
    float em = r + r * r * p;
    float scale = as_float(((ki + 127u) & 0xffu) << 23); /* 2^k, -126 <= k <= 127 */
    return scale * em + (scale - 1.0f);
}

/* float build: tanh in float arithmetic (twice the vector width of the double path), within a
 * few ulp; |x| >= 9 rounds to +-1. */
VM_CLONES void pinn_vtanh(const pinn_real *x, pinn_real *y, size_t n) {
    for (size_t i = 0; i < n; i++) {
        float v = x[i], a = fabsf(v);
        float e = expm1f_core(-2.0f * (a > 9.0f ? 9.0f : a));
        y[i] = copysignf(-e / (2.0f + e), v);
    }
}
#else
VM_CLONES void pinn_vtanh(const pinn_real *x, pinn_real *y, size_t n) {
    for (size_t i = 0; i < n; i++) {
        double v = x[i], a = fabs(v);
        double m = -2.0 * (a > 20.0 ? 20.0 : a);
        double e = expm1_core(m);
        double t = -e / (2.0 + e);
        y[i] = (pinn_real)copysign(t, v);
    }
}
#endif

/* out[i] = sum_j c[j] y[i]^j (Horner), j = 0..deg. */
VM_CLONES void pinn_vpoly(const double *c, int deg, const pinn_real *y, pinn_real *out, size_t n) {
    for (size_t i = 0; i < n; i++) {
        double v = y[i], r = c[deg];
        for (int j = deg - 1; j >= 0; j--) r = r * v + c[j];
        out[i] = (pinn_real)r;
    }
}

/* tanh derivatives from t = tanh: f1 = 1 - t^2, f2 = -2 t f1, f3 = -2 f1 (1 - 3 t^2); writes
 * orders 1..K (K <= 3) into out[(k-1)*ld + i], i < n. */
VM_CLONES void pinn_vtanh_derivs(const pinn_real *t, size_t n, size_t ld, int K, pinn_real *out) {
    pinn_real *d1 = out, *d2 = out + ld, *d3 = out + 2 * ld;
    if (K >= 3)
        for (size_t i = 0; i < n; i++) {
            double y = t[i], s = 1.0 - y * y;
            d1[i] = (pinn_real)s;
            d2[i] = (pinn_real)(-2.0 * y * s);
            d3[i] = (pinn_real)(-2.0 * s * (1.0 - 3.0 * y * y));
        }
    else if (K == 2)
        for (size_t i = 0; i < n; i++) {
            double y = t[i], s = 1.0 - y * y;
            d1[i] = (pinn_real)s;
            d2[i] = (pinn_real)(-2.0 * y * s);
        }
    else if (K == 1)
        for (size_t i = 0; i < n; i++) d1[i] = (pinn_real)(1.0 - (double)t[i] * t[i]);
}
