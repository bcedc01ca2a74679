/* fft.c - iterative radix-2 decimation-in-time complex FFT with exactly computed twiddles. */
#include "ref/fft.h"

#include <math.h>
#include <stdlib.h>

#include "ref/quad.h"

int pinn_ref_fft_is_pow2(size_t n) { return n > 0 && (n & (n - 1)) == 0; }

int pinn_ref_fft_init(pinn_ref_fft *p, size_t n) {
    p->n = 0;
    p->tw = NULL;
    p->rev = NULL;
    if (n < 2 || !pinn_ref_fft_is_pow2(n)) return -1;
    p->tw = malloc(n * sizeof *p->tw); /* n/2 complex numbers */
    p->rev = malloc(n * sizeof *p->rev);
    if (!p->tw || !p->rev) {
        pinn_ref_fft_free(p);
        return -2;
    }
    p->n = n;
    for (size_t k = 0; k < n / 2; k++) {
        double a = -2.0 * PINN_REF_PI * (double)k / (double)n;
        p->tw[2 * k] = cos(a);
        p->tw[2 * k + 1] = sin(a);
    }
    unsigned bits = 0;
    while (((size_t)1 << bits) < n) bits++;
    for (size_t i = 0; i < n; i++) {
        size_t r = 0;
        for (unsigned b = 0; b < bits; b++)
            if (i & ((size_t)1 << b)) r |= (size_t)1 << (bits - 1 - b);
        p->rev[i] = r;
    }
    return 0;
}

void pinn_ref_fft_free(pinn_ref_fft *p) {
    free(p->tw);
    free(p->rev);
    p->tw = NULL;
    p->rev = NULL;
    p->n = 0;
}

void pinn_ref_fft_run(const pinn_ref_fft *p, double *a, int inverse) {
    size_t n = p->n;
    for (size_t i = 0; i < n; i++) {
        size_t r = p->rev[i];
        if (r > i) {
            double tr = a[2 * i], ti = a[2 * i + 1];
            a[2 * i] = a[2 * r];
            a[2 * i + 1] = a[2 * r + 1];
            a[2 * r] = tr;
            a[2 * r + 1] = ti;
        }
    }
    double sgn = inverse ? -1.0 : 1.0; /* conjugate the twiddles for the inverse */
    for (size_t len = 2; len <= n; len <<= 1) {
        size_t half = len / 2, step = n / len;
        for (size_t s = 0; s < n; s += len) {
            for (size_t k = 0; k < half; k++) {
                double wr = p->tw[2 * k * step], wi = sgn * p->tw[2 * k * step + 1];
                double *x = a + 2 * (s + k), *y = a + 2 * (s + k + half);
                double yr = y[0] * wr - y[1] * wi, yi = y[0] * wi + y[1] * wr;
                y[0] = x[0] - yr;
                y[1] = x[1] - yi;
                x[0] += yr;
                x[1] += yi;
            }
        }
    }
}
