/* quad.h - internal quadrature rules for the reference solvers: Gauss-Hermite nodes with
 * log-weights (so that rules of several hundred nodes neither underflow nor overflow) and
 * Gauss-Legendre nodes and weights on [-1, 1]. */
#ifndef PINN_REF_QUAD_H
#define PINN_REF_QUAD_H

#include <stddef.h>

/* pi to double precision (M_PI is not part of strict C17). */
#define PINN_REF_PI 3.14159265358979323846

/* Gauss-Hermite rule for the weight exp(-z^2) on the real line with n nodes (1 <= n <= 2000):
 * z[0] < z[1] < ... < z[n-1] and logw[i] = log of the i-th weight (the weights themselves
 * underflow for n beyond ~700).  Nodes are the eigenvalues of the Jacobi matrix of the Hermite
 * recurrence, found by Sturm-sequence bisection and polished by Newton's method; the weights are
 * 1 / (n p_{n-1}(z)^2) times exp(-z^2) with p_k the orthonormal Hermite polynomials.
 * The caller owns z and logw (n entries each).  Returns 0 on success, -1 if n is out of range. */
int pinn_ref_gauss_hermite(size_t n, double *z, double *logw);

/* Gauss-Legendre rule on [-1, 1] with n nodes (1 <= n <= 512), ascending; Newton's method on the
 * Legendre three-term recurrence from cosine initial guesses.  Returns 0, or -1 if n is invalid. */
int pinn_ref_gauss_legendre(size_t n, double *x, double *w);

#endif
