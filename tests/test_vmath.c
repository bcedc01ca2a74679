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
    double e;
    e = max_rel(tanh, -30, 30, pinn_vtanh);
    CHECK(e < 4e-16 * 8, "tanh on [-30,30]: max relative error %.3g", e);
    e = max_rel(tanh, -1e-6, 1e-6, pinn_vtanh);
    CHECK(e < 4e-16 * 8, "tanh near 0: max relative error %.3g", e);
    e = max_rel(exp, -700, 700, pinn_vexp);
    CHECK(e < 4e-16 * 8, "exp on [-700,700]: max relative error %.3g", e);
    e = max_rel(expm1, -30, 30, pinn_vexpm1);
    CHECK(e < 4e-16 * 8, "expm1 on [-30,30]: max relative error %.3g", e);
    e = max_rel(expm1, -1e-8, 1e-8, pinn_vexpm1);
    CHECK(e < 4e-16 * 8, "expm1 near 0: max relative error %.3g", e);
    pinn_real big[4] = {1e300, -1e300, 800, -800}, out[4];
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
