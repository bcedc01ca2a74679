/* solve_util.h - test matrices for the least-squares tests: A = U S V^T with random orthonormal
 * factors and chosen singular values, dense <-> CSR, and an ELM-FBPINN-like block-sparse matrix
 * (1-D overlapping subdomains, K random tanh features per subdomain times a window).
 * Everything is double: src/solve always is, whatever pinn_real. */
#ifndef PINN_TESTS_SOLVE_UTIL_H
#define PINN_TESTS_SOLVE_UTIL_H

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "pinnc/core.h"
#include "pinnc/solve.h"

/* Q (m x n row-major, m >= n) with orthonormal columns: Gram-Schmidt twice on normal deviates. */
static inline void su_orthonormal(int m, int n, double *Q, pinn_rng *rng) {
    for (size_t i = 0; i < (size_t)m * n; i++) Q[i] = pinn_rng_normal(rng);
    for (int j = 0; j < n; j++)
        for (int pass = 0; pass < 2; pass++) {
            for (int k = 0; k < j; k++) {
                double d = 0.0;
                for (int i = 0; i < m; i++) d += Q[(size_t)i * n + k] * Q[(size_t)i * n + j];
                for (int i = 0; i < m; i++) Q[(size_t)i * n + j] -= d * Q[(size_t)i * n + k];
            }
            double s = 0.0;
            for (int i = 0; i < m; i++) s += Q[(size_t)i * n + j] * Q[(size_t)i * n + j];
            s = 1.0 / sqrt(s);
            for (int i = 0; i < m; i++) Q[(size_t)i * n + j] *= s;
        }
}

/* A (m x n row-major) = U diag(sig) V^T; U (m x n) and V (n x n) are returned if non-NULL. */
static inline void su_usv(int m, int n, const double *sig, double *A, double *Uout, double *Vout,
                   uint64_t seed) {
    pinn_rng rng;
    pinn_rng_seed(&rng, seed);
    double *U = malloc((size_t)m * n * sizeof *U), *V = malloc((size_t)n * n * sizeof *V);
    su_orthonormal(m, n, U, &rng);
    su_orthonormal(n, n, V, &rng);
    for (int i = 0; i < m; i++)
        for (int j = 0; j < n; j++) {
            double s = 0.0;
            for (int k = 0; k < n; k++) s += U[(size_t)i * n + k] * sig[k] * V[(size_t)j * n + k];
            A[(size_t)i * n + j] = s;
        }
    if (Uout) memcpy(Uout, U, (size_t)m * n * sizeof *U);
    if (Vout) memcpy(Vout, V, (size_t)n * n * sizeof *V);
    free(U);
    free(V);
}

/* CSR copy of the nonzeros of dense row-major D (m x n), finished. */
static inline pinn_status su_dense_to_csr(int m, int n, const double *D, pinn_csr *A, pinn_error *err) {
    int64_t nnz = 0;
    for (size_t i = 0; i < (size_t)m * n; i++) nnz += D[i] != 0.0;
    pinn_status st = pinn_csr_init(A, m, n, nnz, err);
    if (st) return st;
    int *c = malloc((size_t)(n > 0 ? n : 1) * sizeof *c);
    double *v = malloc((size_t)(n > 0 ? n : 1) * sizeof *v);
    for (int i = 0; i < m && !st; i++) {
        int k = 0;
        for (int j = 0; j < n; j++)
            if (D[(size_t)i * n + j] != 0.0) {
                c[k] = j;
                v[k++] = D[(size_t)i * n + j];
            }
        st = pinn_csr_append_row(A, k, c, v, err);
    }
    free(c);
    free(v);
    return st ? st : pinn_csr_finish(A, err);
}

/* ELM-FBPINN-like matrix: m points uniform on [0,1]; J overlapping subdomains (centres
 * (j+0.5)/J, half-width h = 1/J, so each point lies in 2 of them); K features per subdomain
 * phi_jk(x) = w_j(x) tanh(a_jk (x - c_j)/h + b_jk) with w_j(x) = cos^2(pi (x-c_j) / (2h)), a ~
 * scale * U(-1,1), b ~ U(-1,1).  Columns of block j are j*K .. j*K+K-1.  b gets f(x) = sin(6 pi x)
 * + x.  Returns the matrix finished; rows are appended block by block. */
static inline pinn_status su_elm(int m, int J, int K, double scale, uint64_t seed, pinn_csr *A, double *b,
                          pinn_error *err) {
    pinn_rng rng;
    pinn_rng_seed(&rng, seed);
    double *a = malloc((size_t)J * K * sizeof *a), *bb = malloc((size_t)J * K * sizeof *bb);
    for (int q = 0; q < J * K; q++) {
        a[q] = scale * (2.0 * pinn_rng_uniform(&rng) - 1.0);
        bb[q] = 2.0 * pinn_rng_uniform(&rng) - 1.0;
    }
    pinn_status st = pinn_csr_init(A, m, J * K, (int64_t)m * 2 * K, err);
    int *c = malloc((size_t)2 * K * sizeof *c);
    double *v = malloc((size_t)2 * K * sizeof *v);
    const double pi = 3.14159265358979323846, h = 1.0 / J;
    for (int i = 0; i < m && !st; i++) {
        double x = (i + 0.5) / m;
        int n = 0;
        int j0 = (int)floor(x * J - 0.5);
        for (int j = j0; j <= j0 + 1; j++) {
            if (j < 0 || j >= J) continue;
            double cj = (j + 0.5) * h, d = (x - cj) / h;
            if (fabs(d) >= 1.0) continue;
            double w = cos(0.5 * pi * d);
            w *= w;
            for (int k = 0; k < K; k++) {
                c[n] = j * K + k;
                v[n++] = w * tanh(a[j * K + k] * d + bb[j * K + k]);
            }
        }
        if (b) b[i] = sin(6.0 * pi * x) + x;
        st = pinn_csr_append_row(A, n, c, v, err);
    }
    free(a);
    free(bb);
    free(c);
    free(v);
    return st ? st : pinn_csr_finish(A, err);
}

/* ||x - y|| / max(||y||, tiny) */
static inline double su_relerr(int n, const double *x, const double *y) {
    double d = 0.0, s = 0.0;
    for (int i = 0; i < n; i++) {
        d += (x[i] - y[i]) * (x[i] - y[i]);
        s += y[i] * y[i];
    }
    return sqrt(d) / fmax(sqrt(s), 1e-300);
}

#endif
