/* quad.c - Gauss-Hermite (log-weights) and Gauss-Legendre rules computed from their
 * three-term recurrences; used by the Cole-Hopf Burgers evaluator and the reference tests. */
#include "ref/quad.h"

#include <math.h>

/* Evaluates the orthonormal Hermite polynomials p_n(z) and p_{n-1}(z) (orthonormal for the
 * weight exp(-z^2)).  The values are returned as *pn * exp(*lscale), *pm * exp(*lscale): the
 * recurrence is rescaled whenever it grows large, so z up to ~60 works without overflow. */
static void hermite_eval(size_t n, double z, double *pn, double *pm, double *lscale) {
    double p0 = 0.0, p1 = pow(PINN_REF_PI, -0.25), ls = 0.0; /* p1 holds p_k, p0 holds p_{k-1} */
    for (size_t k = 0; k < n; k++) {
        double kk = (double)k;
        double p2 = sqrt(2.0 / (kk + 1.0)) * z * p1 - sqrt(kk / (kk + 1.0)) * p0;
        p0 = p1;
        p1 = p2;
        double a = fabs(p1);
        if (a > 1e150) {
            p0 /= a;
            p1 /= a;
            ls += log(a);
        }
    }
    *pn = p1;
    *pm = p0;
    *lscale = ls;
}

/* Number of eigenvalues below lam of the Hermite Jacobi matrix (zero diagonal, off-diagonal
 * sqrt(k/2)), by the Sturm sequence of the LDL^T pivots. */
static size_t hermite_sturm(size_t n, double lam) {
    size_t count = 0;
    double q = -lam;
    if (q == 0.0) q = -1e-300;
    if (q < 0.0) count++;
    for (size_t i = 1; i < n; i++) {
        q = -lam - (0.5 * (double)i) / q;
        if (q == 0.0) q = -1e-300;
        if (q < 0.0) count++;
    }
    return count;
}

int pinn_ref_gauss_hermite(size_t n, double *z, double *logw) {
    if (n < 1 || n > 2000) return -1;
    double bound = sqrt(2.0 * (double)n) + 1.0; /* Gershgorin: |lambda| <= 2 max b_k */
    for (size_t j = n / 2; j < n; j++) {         /* the non-negative half; mirror the rest */
        double lo = (j > n / 2) ? z[j - 1] : 0.0, hi = bound;
        /* spacing grows slowly outward: try twice the previous gap as the upper end first */
        if (j >= n / 2 + 2) {
            double guess = lo + 2.0 * (z[j - 1] - z[j - 2]);
            if (guess < bound && hermite_sturm(n, guess) > j) hi = guess;
        }
        /* bisection to 1e-6, then Newton (kept inside the bracket) to full precision */
        for (int it = 0; it < 200 && hi - lo > 1e-6; it++) {
            double mid = 0.5 * (lo + hi);
            if (hermite_sturm(n, mid) > j) hi = mid;
            else lo = mid;
        }
        double x = 0.5 * (lo + hi);
        if (n % 2 == 1 && j == n / 2) x = 0.0;
        for (int it = 0; it < 4 && x != 0.0; it++) {
            double pn, pm, ls;
            hermite_eval(n, x, &pn, &pm, &ls);
            double xn = x - pn / (sqrt(2.0 * (double)n) * pm);
            if (!(xn > lo - 1e-6 && xn < hi + 1e-6)) break; /* keep the bisection estimate */
            x = xn;
        }
        z[j] = x;
    }
    for (size_t j = 0; j < n / 2; j++) z[j] = -z[n - 1 - j];
    for (size_t j = n / 2; j < n; j++) {
        double pn, pm, ls;
        hermite_eval(n, z[j], &pn, &pm, &ls);
        (void)pn;
        logw[j] = -log((double)n) - 2.0 * (log(fabs(pm)) + ls);
        logw[n - 1 - j] = logw[j];
    }
    return 0;
}

int pinn_ref_gauss_legendre(size_t n, double *x, double *w) {
    if (n < 1 || n > 512) return -1;
    for (size_t i = 0; i < (n + 1) / 2; i++) {
        double r = cos(PINN_REF_PI * ((double)i + 0.75) / ((double)n + 0.5)), dp = 1.0;
        for (int it = 0; it < 100; it++) {
            double p0 = 1.0, p1 = r; /* P_0, P_1 */
            for (size_t k = 1; k < n; k++) {
                double p2 = ((2.0 * (double)k + 1.0) * r * p1 - (double)k * p0) / ((double)k + 1.0);
                p0 = p1;
                p1 = p2;
            }
            dp = (double)n * (r * p1 - p0) / (r * r - 1.0);
            double dr = p1 / dp;
            r -= dr;
            if (fabs(dr) < 1e-16) break;
        }
        {   /* final derivative at the converged root */
            double p0 = 1.0, p1 = r;
            for (size_t k = 1; k < n; k++) {
                double p2 = ((2.0 * (double)k + 1.0) * r * p1 - (double)k * p0) / ((double)k + 1.0);
                p0 = p1;
                p1 = p2;
            }
            dp = (double)n * (r * p1 - p0) / (r * r - 1.0);
        }
        x[i] = -r;
        x[n - 1 - i] = r;
        w[i] = w[n - 1 - i] = 2.0 / ((1.0 - r * r) * dp * dp);
    }
    if (n % 2 == 1) x[n / 2] = 0.0;
    return 0;
}
