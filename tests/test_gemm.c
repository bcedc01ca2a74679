/* test_gemm.c - the small-matrix GEMM kernel (gemm_small.c) and pinn_gemm against a naive
 * triple loop: the three patterns NT, NN, TN, odd sizes, several alpha/beta, leading dimensions
 * larger than the minimum, both tile heights; beta = 0 must not read C, entries of C outside the
 * product must stay untouched, and repeated products must agree bitwise.  Every variant of the
 * kernel (4- or 8-row tiles, 32- or 64-byte vectors) and the grouped entry give bitwise the same
 * products. */
#include <string.h>

#include "check.h"
#include "core/blas.h"
#include "core/gemm_small.h"

#define urand check_urand

/* op(X)[i][k] of a row-major X with leading dimension ld. */
static double at(const pinn_real *X, int ld, int t, int i, int k) {
    return t ? (double)X[(size_t)k * ld + i] : (double)X[(size_t)i * ld + k];
}

/* One product: kernel (or pinn_gemm when via_gemm) against the naive loop in double, error
 * bounded relative to sum |alpha a b| + |beta c|. */
static void check_one(int ta, int tb, int M, int N, int K, double alpha, double beta, int via_gemm) {
    int ar = ta ? K : M, ac = ta ? M : K, br = tb ? N : K, bc = tb ? K : N;
    int lda = ac + 3, ldb = bc + 5, ldc = N + 2;
    pinn_real *A = malloc(sizeof(pinn_real) * ((size_t)ar * lda + 1)), *B = malloc(sizeof(pinn_real) * ((size_t)br * ldb + 1));
    pinn_real *C = malloc(sizeof(pinn_real) * (size_t)M * ldc), *C0 = malloc(sizeof(pinn_real) * (size_t)M * ldc);
    pinn_real *C2 = malloc(sizeof(pinn_real) * (size_t)M * ldc);
    for (size_t i = 0; i < (size_t)ar * lda + 1; i++) A[i] = urand();
    for (size_t i = 0; i < (size_t)br * ldb + 1; i++) B[i] = urand();
    for (size_t i = 0; i < (size_t)M * ldc; i++) C0[i] = beta == 0 ? (pinn_real)NAN : urand();
    for (int i = 0; i < M; i++) /* sentinels past column N */
        for (int j = N; j < ldc; j++) C0[(size_t)i * ldc + j] = (pinn_real)(1000 + j);
    memcpy(C, C0, sizeof(pinn_real) * (size_t)M * ldc);
    memcpy(C2, C0, sizeof(pinn_real) * (size_t)M * ldc);
    if (via_gemm) {
        pinn_gemm(ta, tb, M, N, K, (pinn_real)alpha, A, lda, B, ldb, (pinn_real)beta, C, ldc);
        pinn_gemm(ta, tb, M, N, K, (pinn_real)alpha, A, lda, B, ldb, (pinn_real)beta, C2, ldc);
    } else {
        CHECK(pinn_gemm_small(ta, tb, M, N, K, (pinn_real)alpha, A, lda, B, ldb, (pinn_real)beta, C, ldc) == 0,
              "kernel declined %d%d", ta, tb);
        pinn_gemm_small(ta, tb, M, N, K, (pinn_real)alpha, A, lda, B, ldb, (pinn_real)beta, C2, ldc);
    }
    double tol = PINN_TEST_TOL(1e-13, 2e-5), worst = 0;
    int bad_sentinel = 0;
    for (int i = 0; i < M; i++) {
        for (int j = 0; j < N; j++) {
            double s = 0, mag = 0;
            for (int k = 0; k < K; k++) {
                double p = at(A, lda, ta, i, k) * at(B, ldb, tb, k, j);
                s += p, mag += fabs(p);
            }
            double c0 = beta == 0 ? 0 : (double)C0[(size_t)i * ldc + j];
            double ref = alpha * s + beta * c0, scale = fabs(alpha) * mag + fabs(beta * c0);
            double e = fabs((double)C[(size_t)i * ldc + j] - ref) / (scale > 0 ? scale : 1);
            if (!(e <= worst)) worst = e; /* NaN sticks */
        }
        for (int j = N; j < ldc; j++) bad_sentinel += C[(size_t)i * ldc + j] != (pinn_real)(1000 + j);
    }
    CHECK(worst <= tol, "ta=%d tb=%d M=%d N=%d K=%d alpha=%g beta=%g gemm=%d: rel err %.3g", ta, tb, M, N, K, alpha,
          beta, via_gemm, worst);
    CHECK(bad_sentinel == 0, "ta=%d tb=%d M=%d N=%d K=%d: %d entries past N written", ta, tb, M, N, K, bad_sentinel);
    CHECK(memcmp(C, C2, sizeof(pinn_real) * (size_t)M * ldc) == 0, "ta=%d tb=%d M=%d N=%d K=%d: not reproducible", ta,
          tb, M, N, K);
    free(A), free(B), free(C), free(C0), free(C2);
}

/* The product of (ta, tb, M, N, K) under every kernel variant, and (ta = 0) through the grouped
 * entry with the rows in 3 groups apart in memory: all bitwise equal to the first. */
static void check_variants(int ta, int tb, int M, int N, int K, double alpha, double beta) {
    int ar = ta ? K : M, ac = ta ? M : K, br = tb ? N : K, bc = tb ? K : N;
    int lda = ac + 1, ldb = bc + 3, ldc = N + 1;
    size_t na = (size_t)ar * lda, nc = (size_t)M * ldc;
    pinn_real *A = malloc(sizeof(pinn_real) * na), *B = malloc(sizeof(pinn_real) * (size_t)br * ldb);
    pinn_real *C0 = malloc(sizeof(pinn_real) * nc), *C = malloc(sizeof(pinn_real) * nc), *R = malloc(sizeof(pinn_real) * nc);
    for (size_t i = 0; i < na; i++) A[i] = urand();
    for (size_t i = 0; i < (size_t)br * ldb; i++) B[i] = urand();
    for (size_t i = 0; i < nc; i++) C0[i] = urand();
    static const int var[][2] = {{4, 32}, {8, 32}, {8, 64}, {0, 0}};
    for (int v = 0; v < 4; v++) {
        pinn_gemm_small_tiles(var[v][0]);
        pinn_gemm_small_vectors(var[v][1]);
        memcpy(C, C0, sizeof(pinn_real) * nc);
        pinn_gemm_small(ta, tb, M, N, K, (pinn_real)alpha, A, lda, B, ldb, (pinn_real)beta, C, ldc);
        if (v == 0) memcpy(R, C, sizeof(pinn_real) * nc);
        CHECK(memcmp(R, C, sizeof(pinn_real) * nc) == 0, "ta=%d tb=%d M=%d N=%d K=%d: tiles %d vectors %d differ", ta, tb,
              M, N, K, var[v][0], var[v][1]);
        if (ta || M % 3) continue;
        /* the same rows as 3 groups of M/3, spread out with a gap between groups */
        int m = M / 3;
        size_t gsa = (size_t)m * lda + 7, gsc = (size_t)m * ldc + 5;
        pinn_real *GA = calloc(3 * gsa, sizeof(pinn_real)), *GC = calloc(3 * gsc, sizeof(pinn_real));
        for (int g = 0; g < 3; g++) {
            memcpy(GA + g * gsa, A + (size_t)g * m * lda, sizeof(pinn_real) * (size_t)m * lda);
            memcpy(GC + g * gsc, C0 + (size_t)g * m * ldc, sizeof(pinn_real) * (size_t)m * ldc);
        }
        pinn_gemm_small_groups(tb, 3, m, N, K, (pinn_real)alpha, GA, lda, gsa, B, ldb, (pinn_real)beta, GC, ldc, gsc);
        int bad = 0;
        for (int g = 0; g < 3; g++)
            for (int i = 0; i < m; i++)
                for (int j = 0; j < N; j++)
                    bad += GC[g * gsc + (size_t)i * ldc + j] != R[((size_t)g * m + i) * ldc + j];
        CHECK(bad == 0, "tb=%d M=%d N=%d K=%d: grouped product differs in %d entries", tb, M, N, K, bad);
        free(GA), free(GC);
    }
    pinn_gemm_small_tiles(0);
    pinn_gemm_small_vectors(0);
    free(A), free(B), free(C0), free(C), free(R);
}

int main(void) {
    /* every variant bitwise equal: widths around one and several vectors, K over one chunk */
    static const int vw[] = {1, 5, 8, 12, 16, 20, 33, 128};
    for (int p = 0; p < 3; p++)
        for (int a = 0; a < 8; a++)
            for (int b = 0; b < 8; b += 3) {
                int ta = p == 2, tb = p == 0;
                check_variants(ta, tb, ta ? vw[a] : 96, vw[a], ta ? 300 : vw[b], 1, p == 1 ? 1 : 0);
                check_variants(ta, tb, ta ? vw[b] : 51, vw[a], ta ? 131 : 140, -0.5, 2);
            }
    static const int sizes[] = {1, 3, 4, 7, 8, 13, 17, 20, 50, 129};
    const int ns = (int)(sizeof sizes / sizeof sizes[0]);
    static const double ab[][2] = {{1, 0}, {1, 1}, {-0.5, 2}, {2.5, 0}, {0, 0.5}};
    const int pat[3][2] = {{0, 1}, {0, 0}, {1, 0}};
    int idx = 0;
    for (int rv = 0; rv < 3; rv++) { /* both tile heights, both vector widths */
        pinn_gemm_small_tiles(rv == 0 ? 4 : 8);
        pinn_gemm_small_vectors(rv == 1 ? 32 : 64);
        for (int p = 0; p < 3; p++)
            for (int a = 0; a < ns; a++)
                for (int b = 0; b < ns; b++)
                    for (int c = 0; c < ns; c++, idx++)
                        check_one(pat[p][0], pat[p][1], sizes[a], sizes[b], sizes[c], ab[idx % 5][0], ab[idx % 5][1], 0);
        /* the engine's shapes: many rows (NT, NN) or a long reduction (TN, several chunks) */
        static const int widths[] = {2, 20, 50, 64};
        for (int iw = 0; iw < 4; iw++) {
            int w = widths[iw];
            check_one(0, 1, 2053, w, 20, 1, 0, 0);
            check_one(0, 0, 2053, 20, w, 1, 1, 0);
            check_one(1, 0, 20, w, 3001, 1, 1, 0);
            check_one(1, 0, w, 1, 3001, 1, 1, 0);
            check_one(0, 0, 2053, w, 1, 1, 1, 0);
        }
        check_one(0, 1, 300, 20, 300, -1, 0.5, 0); /* K beyond one chunk */
        check_one(0, 0, 300, 20, 300, -1, 0.5, 0);
    }
    pinn_gemm_small_tiles(0);
    pinn_gemm_small_vectors(0);
    /* K = 0: C = beta C */
    check_one(0, 1, 17, 5, 0, 1, 0.5, 0);
    check_one(1, 0, 17, 5, 0, 1, 0, 0);
    /* TT is not the kernel's; pinn_gemm routes every pattern correctly */
    pinn_real one = 1, c = 0;
    CHECK(pinn_gemm_small(1, 1, 1, 1, 1, 1, &one, 1, &one, 1, 0, &c, 1) == -1, "TT declined");
    for (int p = 0; p < 4; p++) {
        int ta = p >> 1, tb = p & 1;
        check_one(ta, tb, 2053, 20, 20, 1, 1, 1);
        check_one(ta, tb, 20, 50, 2053, 1, 0, 1);
        check_one(ta, tb, 7, 129, 13, -2, 0.5, 1);
    }
    return CHECK_DONE();
}
