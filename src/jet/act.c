/* act.c - elementwise functions and all their derivatives f^(0..K), as the jet ops need them.
 * tanh and sigmoid derivatives are polynomials in the function value (P_{k+1} = P_k' * (1-t^2),
 * Q_{k+1} = Q_k' * (s - s^2)); the coefficients are generated on the fly (K is small). */
#include <math.h>
#include <string.h>

#include "jet/vmath.h"
#include "pinnc/jet.h"

static const char *const fn_names[PINN_FN_COUNT] = {
    [PINN_FN_IDENTITY] = "identity", [PINN_FN_TANH] = "tanh",         [PINN_FN_SIN] = "sin",
    [PINN_FN_COS] = "cos",           [PINN_FN_EXP] = "exp",           [PINN_FN_LOG] = "log",
    [PINN_FN_SIGMOID] = "sigmoid",   [PINN_FN_SWISH] = "swish",       [PINN_FN_SOFTPLUS] = "softplus",
    [PINN_FN_RELUK] = "reluk",       [PINN_FN_POW] = "pow",           [PINN_FN_RECIP] = "recip",
    [PINN_FN_SINH] = "sinh",         [PINN_FN_COSH] = "cosh",
};

const char *pinn_fn_to_string(pinn_fn f) {
    if ((int)f < 0 || f >= PINN_FN_COUNT) return "unknown";
    return fn_names[f];
}

int pinn_fn_from_string(const char *name) {
    if (strcmp(name, "silu") == 0) return PINN_FN_SWISH;
    if (strcmp(name, "linear") == 0 || strcmp(name, "none") == 0) return PINN_FN_IDENTITY;
    if (strcmp(name, "relu") == 0) return PINN_FN_RELUK;
    for (int f = 0; f < PINN_FN_COUNT; f++)
        if (strcmp(name, fn_names[f]) == 0) return f;
    return -1;
}

enum { MAXK = PINN_MAX_ORDER + 2 };

/* Coefficients c[k][j] of the polynomial P_k(y) = sum_j c[k][j] y^j with P_0 = y and
 * P_{k+1}(y) = P_k'(y) * (a1*y + a2*y^2).  tanh: a1 = 0 with (1 - y^2) handled by a0 = 1, a2 = -1;
 * sigmoid: a0 = 0, a1 = 1, a2 = -1.  Degree of P_k is k+1. */
static void poly_table(double a0, double a1, double a2, int K, double c[MAXK + 1][MAXK + 3]) {
    memset(c, 0, sizeof(double) * (MAXK + 1) * (MAXK + 3));
    c[0][1] = 1.0;
    for (int k = 0; k < K; k++)
        for (int j = 1; j <= k + 1; j++) { /* derivative of c[k][j] y^j is j c y^(j-1) */
            double dj = j * c[k][j];
            c[k + 1][j - 1] += a0 * dj;
            c[k + 1][j] += a1 * dj;
            c[k + 1][j + 1] += a2 * dj;
        }
}

static double horner(const double *c, int deg, double y) {
    double r = c[deg];
    for (int j = deg - 1; j >= 0; j--) r = r * y + c[j];
    return r;
}

/* Fills D[k*ld+i] = f^(k)(x[i]) for k = 0..K (K <= PINN_MAX_ORDER + 1), i < n <= ld. */
void pinn_fn_derivs_ld(pinn_fn f, double p, const pinn_real *x, size_t n, size_t ld, int K, pinn_real *D) {
    double c[MAXK + 1][MAXK + 3];
    switch (f) {
    case PINN_FN_IDENTITY:
        for (size_t i = 0; i < n; i++) D[i] = x[i];
        if (K >= 1)
            for (size_t i = 0; i < n; i++) D[ld + i] = 1;
        for (int k = 2; k <= K; k++) memset(D + k * ld, 0, sizeof(pinn_real) * n);
        return;
    case PINN_FN_TANH:
    case PINN_FN_SIGMOID: {
        int th = f == PINN_FN_TANH;
        if (th && K <= 3) { /* the common case (plans of order <= 2): closed forms in t = tanh */
            pinn_vtanh(x, D, n);
            pinn_vtanh_derivs(D, n, ld, K, D + ld);
            return;
        }
        if (th) {
            poly_table(1, 0, -1, K, c);
            pinn_vtanh(x, D, n);
        } else { /* sigmoid(x) = (1 + tanh(x/2)) / 2 */
            poly_table(0, 1, -1, K, c);
            for (size_t i = 0; i < n; i++) D[i] = (pinn_real)(0.5 * x[i]);
            pinn_vtanh(D, D, n);
            for (size_t i = 0; i < n; i++) D[i] = (pinn_real)(0.5 + 0.5 * D[i]);
        }
        for (int k = 1; k <= K; k++) pinn_vpoly(c[k], k + 1, D, D + k * ld, n);
        return;
    }
    case PINN_FN_SWISH:
        /* (x s)^(k) = x s^(k) + k s^(k-1) */
        poly_table(0, 1, -1, K, c);
        for (size_t i = 0; i < n; i++) {
            double s = 1.0 / (1.0 + exp(-x[i])), prev = s;
            D[i] = (pinn_real)(x[i] * s);
            for (int k = 1; k <= K; k++) {
                double sk = horner(c[k], k + 1, s);
                D[k * ld + i] = (pinn_real)(x[i] * sk + k * prev);
                prev = sk;
            }
        }
        return;
    case PINN_FN_SOFTPLUS:
        poly_table(0, 1, -1, K, c);
        for (size_t i = 0; i < n; i++) {
            double v = x[i], s = 1.0 / (1.0 + exp(-v));
            D[i] = (pinn_real)(fmax(v, 0.0) + log1p(exp(-fabs(v))));
            for (int k = 1; k <= K; k++) D[k * ld + i] = (pinn_real)horner(c[k - 1], k, s);
        }
        return;
    case PINN_FN_SIN:
    case PINN_FN_COS:
        for (size_t i = 0; i < n; i++) {
            double s = sin(x[i]), co = cos(x[i]);
            double cyc[4] = {s, co, -s, -co};
            int off = f == PINN_FN_COS ? 1 : 0;
            for (int k = 0; k <= K; k++) D[k * ld + i] = (pinn_real)cyc[(k + off) & 3];
        }
        return;
    case PINN_FN_SINH:
    case PINN_FN_COSH:
        for (size_t i = 0; i < n; i++) {
            double s = sinh(x[i]), co = cosh(x[i]);
            for (int k = 0; k <= K; k++) D[k * ld + i] = (pinn_real)(((k + (f == PINN_FN_COSH)) & 1) ? co : s);
        }
        return;
    case PINN_FN_EXP:
        pinn_vexp(x, D, n);
        for (int k = 1; k <= K; k++) memcpy(D + k * ld, D, sizeof(pinn_real) * n);
        return;
    case PINN_FN_LOG:
        for (size_t i = 0; i < n; i++) {
            double v = x[i], r = 1.0 / v, pk = r, fact = 1.0;
            D[i] = (pinn_real)log(v);
            for (int k = 1; k <= K; k++) { /* (-1)^(k-1) (k-1)! / x^k */
                D[k * ld + i] = (pinn_real)(((k & 1) ? 1.0 : -1.0) * fact * pk);
                pk *= r;
                fact *= k;
            }
        }
        return;
    case PINN_FN_RECIP:
        for (size_t i = 0; i < n; i++) {
            double r = 1.0 / x[i], pk = r, fact = 1.0;
            for (int k = 0; k <= K; k++) { /* (-1)^k k! / x^(k+1) */
                D[k * ld + i] = (pinn_real)(((k & 1) ? -1.0 : 1.0) * fact * pk);
                pk *= r;
                fact *= k + 1;
            }
        }
        return;
    case PINN_FN_POW: { /* while x > 0: one pow per point, x^(p-k) = x^p (1/x)^k */
        size_t i = 0;
        for (; i < n && x[i] > 0; i++) {
            double r = 1.0 / x[i], pk = pow(x[i], p), fall = 1.0;
            for (int k = 0; k <= K; k++) {
                D[k * ld + i] = (pinn_real)(fall == 0.0 ? 0.0 : fall * pk);
                pk *= r;
                fall *= p - k;
            }
        }
        if (i == n) return;
    } /* else every point again with pow per derivative, below */
    /* fall through */
    case PINN_FN_RELUK:
        for (size_t i = 0; i < n; i++) {
            double v = x[i], fall = 1.0;
            int relu = f == PINN_FN_RELUK;
            for (int k = 0; k <= K; k++) { /* p (p-1) ... (p-k+1) x^(p-k) */
                double e = p - k, val;
                if (relu) val = (v > 0 && e >= 0) ? fall * pow(v, e) : 0.0;
                else val = fall == 0.0 ? 0.0 : fall * pow(v, e);
                D[k * ld + i] = (pinn_real)val;
                fall *= p - k;
            }
        }
        return;
    case PINN_FN_COUNT:
        break;
    }
}

/* Fills D[k*n+i] = f^(k)(x[i]) for k = 0..K (K <= PINN_MAX_ORDER + 1). */
void pinn_fn_derivs(pinn_fn f, double p, const pinn_real *x, size_t n, int K, pinn_real *D) {
    pinn_fn_derivs_ld(f, p, x, n, n, K, D);
}
