/* fft.h - internal radix-2 complex FFT (in place, interleaved re/im doubles) for the spectral
 * reference solvers. */
#ifndef PINN_REF_FFT_H
#define PINN_REF_FFT_H

#include <stddef.h>

/* A plan for one power-of-two length: twiddle factors and the bit-reversal permutation. */
typedef struct pinn_ref_fft {
    size_t n;
    double *tw;   /* n/2 twiddles exp(-2 pi i k / n), interleaved */
    size_t *rev;  /* bit-reversed index of each position */
} pinn_ref_fft;

/* 1 if n is a power of two >= 1. */
int pinn_ref_fft_is_pow2(size_t n);
/* Builds the plan for length n (a power of two >= 2); the plan owns its tables.
 * Returns 0, -1 for a bad n, -2 if out of memory (the plan is then empty). */
int pinn_ref_fft_init(pinn_ref_fft *p, size_t n);
/* Releases the plan's tables. */
void pinn_ref_fft_free(pinn_ref_fft *p);
/* In-place transform of data[2n] (re, im pairs): forward computes X_k = sum_j x_j e^{-2 pi i jk/n};
 * inverse (inverse != 0) uses e^{+...} and does NOT divide by n. */
void pinn_ref_fft_run(const pinn_ref_fft *p, double *data, int inverse);

#endif
