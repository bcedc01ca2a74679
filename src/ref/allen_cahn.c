/* allen_cahn.c - periodic reaction-diffusion u_t = d u_xx + c0 + c1 u + c2 u^2 + c3 u^3 by a
 * Fourier pseudo-spectral discretisation and Cox-Matthews ETDRK4 time stepping, with the
 * phi-function coefficients from the Kassam-Trefethen contour integral; plus trigonometric
 * interpolation of periodic grid functions. */
#include <complex.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "pinnc/ref.h"
#include "ref/fft.h"
#include "ref/quad.h"

void pinn_ref_allen_cahn_default(pinn_ref_allen_cahn *opt) {
    opt->d = 1e-4;
    opt->c[0] = 0.0;
    opt->c[1] = 5.0;
    opt->c[2] = 0.0;
    opt->c[3] = -5.0;
    opt->x0 = -1.0;
    opt->x1 = 1.0;
    opt->n = 512;
    opt->h = 1e-4;
    opt->u0 = NULL;
    opt->ctx = NULL;
    opt->contour = 0;
}

/* All state of one solve; one allocation holds every array. */
typedef struct ac_state {
    const pinn_ref_allen_cahn *o;
    size_t n;
    pinn_ref_fft fft;
    double *lin;                       /* n: linear symbol -d k^2 + c1 */
    double *E, *E2, *Q, *f1, *f2, *f3; /* n each: ETDRK4 coefficients for the current step */
    double *v, *a, *b, *c;             /* 2n each: spectral states (interleaved complex) */
    double *Nv, *Na, *Nb, *Nc, *tmp;   /* 2n each: nonlinear terms and scratch */
    double hcur;                       /* step the coefficients were built for (0: none) */
} ac_state;

/* Kassam-Trefethen: each coefficient is the mean over contour points z = L h + e^{i theta} of a
 * function of z that is analytic but cancellation-prone near z = 0; for real L h the upper half
 * circle and the real part suffice. */
static void ac_coefficients(ac_state *s, double h) {
    size_t M = s->o->contour ? s->o->contour : 32;
    for (size_t j = 0; j <= s->n / 2; j++) { /* modes j and n - j share their symbol */
        double Lh = h * s->lin[j];
        double complex q = 0, g1 = 0, g2 = 0, g3 = 0;
        for (size_t m = 0; m < M; m++) {
            double th = PINN_REF_PI * ((double)m + 0.5) / (double)M;
            double complex z = Lh + cexp(I * th), ez = cexp(z), ez2 = cexp(0.5 * z);
            double complex z2 = z * z, z3 = z2 * z;
            q += (ez2 - 1.0) / z;
            g1 += (-4.0 - z + ez * (4.0 - 3.0 * z + z2)) / z3;
            g2 += (2.0 + z + ez * (z - 2.0)) / z3;
            g3 += (-4.0 - 3.0 * z - z2 + ez * (4.0 - z)) / z3;
        }
        s->E[j] = exp(Lh);
        s->E2[j] = exp(0.5 * Lh);
        s->Q[j] = h * creal(q) / (double)M;
        s->f1[j] = h * creal(g1) / (double)M;
        s->f2[j] = h * creal(g2) / (double)M;
        s->f3[j] = h * creal(g3) / (double)M;
    }
    for (size_t j = s->n / 2 + 1; j < s->n; j++) {
        size_t m = s->n - j;
        s->E[j] = s->E[m];
        s->E2[j] = s->E2[m];
        s->Q[j] = s->Q[m];
        s->f1[j] = s->f1[m];
        s->f2[j] = s->f2[m];
        s->f3[j] = s->f3[m];
    }
    s->hcur = h;
}

/* out = FFT( N(real(IFFT(in))) ) with N(u) = c0 + c2 u^2 + c3 u^3 (c1 is in the linear part). */
static void ac_nonlinear(ac_state *s, const double *in, double *out) {
    size_t n = s->n;
    const double *c = s->o->c;
    memcpy(s->tmp, in, 2 * n * sizeof *in);
    pinn_ref_fft_run(&s->fft, s->tmp, 1);
    double inv = 1.0 / (double)n;
    for (size_t i = 0; i < n; i++) {
        double u = s->tmp[2 * i] * inv;
        out[2 * i] = c[0] + u * u * (c[2] + c[3] * u);
        out[2 * i + 1] = 0.0;
    }
    pinn_ref_fft_run(&s->fft, out, 0);
}

/* One Cox-Matthews ETDRK4 step of length s->hcur on s->v. */
static void ac_step(ac_state *s) {
    size_t n = s->n;
    ac_nonlinear(s, s->v, s->Nv);
    for (size_t j = 0; j < n; j++)
        for (int r = 0; r < 2; r++) s->a[2 * j + r] = s->E2[j] * s->v[2 * j + r] + s->Q[j] * s->Nv[2 * j + r];
    ac_nonlinear(s, s->a, s->Na);
    for (size_t j = 0; j < n; j++)
        for (int r = 0; r < 2; r++) s->b[2 * j + r] = s->E2[j] * s->v[2 * j + r] + s->Q[j] * s->Na[2 * j + r];
    ac_nonlinear(s, s->b, s->Nb);
    for (size_t j = 0; j < n; j++)
        for (int r = 0; r < 2; r++)
            s->c[2 * j + r] = s->E2[j] * s->a[2 * j + r] + s->Q[j] * (2.0 * s->Nb[2 * j + r] - s->Nv[2 * j + r]);
    ac_nonlinear(s, s->c, s->Nc);
    for (size_t j = 0; j < n; j++)
        for (int r = 0; r < 2; r++) {
            size_t k = 2 * j + r;
            s->v[k] = s->E[j] * s->v[k] + s->f1[j] * s->Nv[k] + 2.0 * s->f2[j] * (s->Na[k] + s->Nb[k]) +
                      s->f3[j] * s->Nc[k];
        }
}

/* Writes the physical grid values of s->v into out; returns -1 if any is not finite. */
static int ac_output(ac_state *s, pinn_real *out) {
    size_t n = s->n;
    memcpy(s->tmp, s->v, 2 * n * sizeof *s->v);
    pinn_ref_fft_run(&s->fft, s->tmp, 1);
    int ok = 0;
    for (size_t i = 0; i < n; i++) {
        double u = s->tmp[2 * i] / (double)n;
        if (!isfinite(u)) ok = -1;
        out[i] = (pinn_real)u;
    }
    return ok;
}

static pinn_status ac_check(const pinn_ref_allen_cahn *o, size_t nt, const pinn_real *times,
                            pinn_real *u, pinn_error *err) {
    if (!(o->d >= 0.0) || !isfinite(o->d))
        return pinn_error_set(err, PINN_ERR_INVALID, "allen-cahn: diffusion d must be >= 0 (got %g)", o->d);
    for (int k = 0; k < 4; k++)
        if (!isfinite(o->c[k]))
            return pinn_error_set(err, PINN_ERR_INVALID, "allen-cahn: reaction coefficient c[%d] is not finite", k);
    if (!(o->x1 > o->x0) || !isfinite(o->x1 - o->x0))
        return pinn_error_set(err, PINN_ERR_INVALID, "allen-cahn: need x0 < x1 (got [%g, %g))", o->x0, o->x1);
    if (o->n < 4 || !pinn_ref_fft_is_pow2(o->n) || o->n > ((size_t)1 << 24))
        return pinn_error_set(err, PINN_ERR_INVALID, "allen-cahn: n must be a power of two in 4..2^24 (got %zu)", o->n);
    if (!(o->h > 0.0) || !isfinite(o->h))
        return pinn_error_set(err, PINN_ERR_INVALID, "allen-cahn: time step h must be > 0 (got %g)", o->h);
    if (o->contour > 4096)
        return pinn_error_set(err, PINN_ERR_INVALID, "allen-cahn: contour points must be <= 4096");
    if (nt && (!times || !u)) return pinn_error_set(err, PINN_ERR_INVALID, "allen-cahn: NULL times or output");
    for (size_t j = 0; j < nt; j++) {
        if (!isfinite((double)times[j]) || times[j] < 0 || (j && times[j] < times[j - 1]))
            return pinn_error_set(err, PINN_ERR_INVALID,
                                  "allen-cahn: output times must be finite, >= 0 and nondecreasing (times[%zu] = %g)",
                                  j, (double)times[j]);
        if ((double)times[j] / o->h > 1e12)
            return pinn_error_set(err, PINN_ERR_INVALID, "allen-cahn: times[%zu]/h is too many steps", j);
    }
    return PINN_OK;
}

pinn_status pinn_ref_allen_cahn_solve(const pinn_ref_allen_cahn *opt, size_t nt,
                                      const pinn_real *times, pinn_real *u, pinn_real *xgrid,
                                      pinn_error *err) {
    pinn_ref_allen_cahn def;
    if (!opt) {
        pinn_ref_allen_cahn_default(&def);
        opt = &def;
    }
    pinn_status st = ac_check(opt, nt, times, u, err);
    if (st != PINN_OK) return st;
    size_t n = opt->n;
    double L = opt->x1 - opt->x0;
    if (xgrid)
        for (size_t i = 0; i < n; i++) xgrid[i] = (pinn_real)(opt->x0 + L * (double)i / (double)n);
    if (nt == 0) return PINN_OK;

    ac_state s;
    memset(&s, 0, sizeof s);
    s.o = opt;
    s.n = n;
    double *block = malloc((7 * n + 9 * 2 * n) * sizeof *block);
    int fr = pinn_ref_fft_init(&s.fft, n);
    if (!block || fr != 0) {
        free(block);
        pinn_ref_fft_free(&s.fft);
        return pinn_error_set(err, PINN_ERR_NOMEM, "allen-cahn: no memory for n = %zu", n);
    }
    double *p = block;
    double **real_arrays[] = {&s.lin, &s.E, &s.E2, &s.Q, &s.f1, &s.f2, &s.f3};
    for (size_t k = 0; k < 7; k++, p += n) *real_arrays[k] = p;
    double **cplx_arrays[] = {&s.v, &s.a, &s.b, &s.c, &s.Nv, &s.Na, &s.Nb, &s.Nc, &s.tmp};
    for (size_t k = 0; k < 9; k++, p += 2 * n) *cplx_arrays[k] = p;

    for (size_t j = 0; j < n; j++) {
        double m = (j <= n / 2) ? (double)j : (double)j - (double)n; /* Nyquist: k^2 either way */
        double k = 2.0 * PINN_REF_PI * m / L;
        s.lin[j] = -opt->d * k * k + opt->c[1];
    }
    for (size_t i = 0; i < n; i++) {
        double x = opt->x0 + L * (double)i / (double)n;
        s.v[2 * i] = opt->u0 ? (double)opt->u0(x, opt->ctx) : x * x * cos(PINN_REF_PI * x);
        s.v[2 * i + 1] = 0.0;
    }
    pinn_ref_fft_run(&s.fft, s.v, 0);

    double tcur = 0.0;
    for (size_t j = 0; j < nt && st == PINN_OK; j++) {
        double span = (double)times[j] - tcur;
        if (span > 0.0) {
            double steps = ceil(span / opt->h * (1.0 - 1e-12));
            if (steps < 1.0) steps = 1.0;
            double hh = span / steps;
            if (fabs(hh - s.hcur) > 1e-13 * hh) ac_coefficients(&s, hh);
            for (double q = 0; q < steps; q++) ac_step(&s);
            tcur = (double)times[j];
        }
        if (ac_output(&s, u + j * n) != 0)
            st = pinn_error_set(err, PINN_ERR_NUMERIC, "allen-cahn: the solution is not finite at t = %g (h = %g too large?)",
                                (double)times[j], opt->h);
    }
    free(block);
    pinn_ref_fft_free(&s.fft);
    return st;
}

pinn_status pinn_ref_periodic_interp(size_t n, double x0, double x1, const pinn_real *values,
                                     size_t m, const pinn_real *xq, pinn_real *out,
                                     pinn_error *err) {
    if (n < 2 || !pinn_ref_fft_is_pow2(n))
        return pinn_error_set(err, PINN_ERR_INVALID, "periodic interp: n must be a power of two >= 2 (got %zu)", n);
    if (!(x1 > x0) || !isfinite(x1 - x0))
        return pinn_error_set(err, PINN_ERR_INVALID, "periodic interp: need x0 < x1");
    if (m == 0) return PINN_OK;
    if (!values || !xq || !out) return pinn_error_set(err, PINN_ERR_INVALID, "periodic interp: NULL array");
    pinn_ref_fft fft;
    double *c = malloc(2 * n * sizeof *c);
    if (!c || pinn_ref_fft_init(&fft, n) != 0) {
        free(c);
        return pinn_error_set(err, PINN_ERR_NOMEM, "periodic interp: no memory for n = %zu", n);
    }
    for (size_t i = 0; i < n; i++) {
        c[2 * i] = (double)values[i] / (double)n;
        c[2 * i + 1] = 0.0;
    }
    pinn_ref_fft_run(&fft, c, 0);
    double L = x1 - x0;
    for (size_t q = 0; q < m; q++) {
        double th = 2.0 * PINN_REF_PI * ((double)xq[q] - x0) / L;
        double cr = cos(th), si = sin(th), wr = cr, wi = si, sum = c[0];
        for (size_t j = 1; j < n / 2; j++) { /* 2 Re(c_j e^{i j th}); e^{i j th} by rotation */
            sum += 2.0 * (c[2 * j] * wr - c[2 * j + 1] * wi);
            double t = wr * cr - wi * si;
            wi = wr * si + wi * cr;
            wr = t;
            if ((j & 63) == 0) { /* resynchronise the rotation */
                wr = cos((double)(j + 1) * th);
                wi = sin((double)(j + 1) * th);
            }
        }
        sum += c[n] * cos(0.5 * (double)n * th); /* the Nyquist term, real for real data */
        out[q] = (pinn_real)sum;
    }
    free(c);
    pinn_ref_fft_free(&fft);
    return PINN_OK;
}
