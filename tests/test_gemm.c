/* test_gemm.c - the small-matrix GEMM kernel (gemm_small.c) and pinn_gemm against a naive
 * triple loop: the three patterns NT, NN, TN, odd sizes, several alpha/beta, leading dimensions
 * larger than the minimum, both tile heights; beta = 0 must not read C, entries of C outside the
 * product must stay untouched, and repeated products must agree bitwise. */
#include <string.h>

#include "check.h"
#include "core/blas.h"
#include "core/gemm_small.h"

static unsigned long long rng_state = 88172645463325252ULL;

/* Uniform in [-1, 1) from xorshift64. */
static pinn_real urand(void) {
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (pinn_real)((double)(rng_state >> 11) / 9007199254740992.0 * 2 - 1);
}

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

int main(void) {
    static const int sizes[] = {1, 3, 4, 7, 8, 13, 17, 20, 50, 129};
    const int ns = (int)(sizeof sizes / sizeof sizes[0]);
    static const double ab[][2] = {{1, 0}, {1, 1}, {-0.5, 2}, {2.5, 0}, {0, 0.5}};
    const int pat[3][2] = {{0, 1}, {0, 0}, {1, 0}};
    int idx = 0;
    for (int rows = 4; rows <= 8; rows += 4) { /* both tile heights */
        pinn_gemm_small_tiles(rows);
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
