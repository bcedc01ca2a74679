/* test_vmath.c - the vectorised exp, expm1 and tanh against the C library over wide ranges,
 * including tiny arguments (relative accuracy of tanh and expm1 near 0) and saturation. */
#include "check.h"
#include "jet/vmath.h"

enum { N = 200001 };
static pinn_real x[N], y[N];

static double max_rel(double (*ref)(double), double lo, double hi, void (*f)(const pinn_real *, pinn_real *, size_t)) {
    for (int i = 0; i < N; i++) x[i] = lo + (hi - lo) * i / (N - 1);
    f(x, y, N);
    double m = 0;
    for (int i = 0; i < N; i++) {
        double r = ref(x[i]);
        double e = r == 0 ? fabs(y[i]) : fabs(y[i] - r) / fabs(r);
        if (e > m) m = e;
    }
    return m;
}

int main(void) {
    /* double: a few ulp.  float: exp and expm1 evaluate in double and round once, so the result
     * is within half an ulp (eps / 2); the bound is one ulp.  The float tanh computes in float
     * (reduction, polynomial, division): bound 3 ulp.  The exp range is what the real type holds
     * without overflow or subnormals. */
    const double tol = PINN_TEST_TOL(4e-16 * 8, PINN_TEST_EPS), xe = PINN_TEST_TOL(700, 87);
    const double tol_tanh = PINN_TEST_TOL(4e-16 * 8, 3 * PINN_TEST_EPS);
    const double huge = PINN_TEST_TOL(1e300, 1e30);
    double e;
    e = max_rel(tanh, -30, 30, pinn_vtanh);
    CHECK(e < tol_tanh, "tanh on [-30,30]: max relative error %.3g", e);
    e = max_rel(tanh, -1e-6, 1e-6, pinn_vtanh);
    CHECK(e < tol_tanh, "tanh near 0: max relative error %.3g", e);
    e = max_rel(exp, -xe, xe, pinn_vexp);
    CHECK(e < tol, "exp on [-%g,%g]: max relative error %.3g", xe, xe, e);
    e = max_rel(expm1, -30, 30, pinn_vexpm1);
    CHECK(e < tol, "expm1 on [-30,30]: max relative error %.3g", e);
    e = max_rel(expm1, -1e-8, 1e-8, pinn_vexpm1);
    CHECK(e < tol, "expm1 near 0: max relative error %.3g", e);
    pinn_real big[4] = {(pinn_real)huge, (pinn_real)-huge, 800, -800}, out[4];
    pinn_vtanh(big, out, 4);
    CHECK(out[0] == 1 && out[1] == -1, "tanh saturates: %g %g", out[0], out[1]);
    pinn_vexp(big + 2, out, 2);
    CHECK(isinf(out[0]) || out[0] > 1e307, "exp(800) overflows: %g", out[0]);
    CHECK(out[1] == 0, "exp(-800) underflows to 0: %g", out[1]);
    pinn_real nan_in = NAN, nan_out;
    pinn_vtanh(&nan_in, &nan_out, 1);
    CHECK(isnan(nan_out), "tanh(NaN) is NaN");
    return CHECK_DONE();
}
