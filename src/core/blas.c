/* blas.c - row-major GEMM through CBLAS, or a portable blocked fallback (PINN_WITH_OPENBLAS=OFF);
 * tall-and-skinny products go to the register-blocked kernel of gemm_small.c where it is faster
 * (PINN_WITH_SMALL_GEMM). */
#include <stddef.h>
#include <string.h>

#include "core/blas.h"
#include "core/gemm_small.h"

#ifdef PINN_HAVE_OPENBLAS
#include <cblas.h>

void pinn_gemm_library(int ta, int tb, int M, int N, int K, pinn_real alpha, const pinn_real *A, int lda,
                       const pinn_real *B, int ldb, pinn_real beta, pinn_real *C, int ldc) {
    if (M <= 0 || N <= 0) return;
#ifdef PINN_REAL_FLOAT
    cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, M, N,
                K, alpha, A, lda, B, ldb, beta, C, ldc);
#else
    cblas_dgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, M, N,
                K, alpha, A, lda, B, ldb, beta, C, ldc);
#endif
}

void pinn_blas_single_thread(void) { openblas_set_num_threads(1); }

const char *pinn_blas_name(void) { return openblas_get_config(); }

const char *pinn_blas_core(void) {
    const char *c = openblas_get_corename();
    return c ? c : "";
}

/* OpenBLAS (DYNAMIC_ARCH) falls back to its SSE3 "Prescott" kernels on x86 CPUs newer than its
 * build (Debian 12's 0.3.21 on Sapphire Rapids, for one), which makes its products 2-4x slower.
 * Returns the newest kernel set this CPU can run, "SkylakeX" (AVX-512 F/BW/DQ/VL) or "Haswell"
 * (AVX2 + FMA), when OpenBLAS chose Prescott; NULL when its choice stands. */
const char *pinn_blas_suggest_core(void) {
    if (strcmp(pinn_blas_core(), "Prescott") != 0) return NULL;
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
        __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl"))
        return "SkylakeX";
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return "Haswell";
#endif
    return NULL;
}

#else

void pinn_gemm_library(int ta, int tb, int M, int N, int K, pinn_real alpha, const pinn_real *A, int lda,
                       const pinn_real *B, int ldb, pinn_real beta, pinn_real *C, int ldc) {
    for (int i = 0; i < M; i++)
        for (int j = 0; j < N; j++) C[(size_t)i * ldc + j] *= beta;
    enum { BK = 64 };
    for (int k0 = 0; k0 < K; k0 += BK) {
        int k1 = k0 + BK < K ? k0 + BK : K;
        for (int i = 0; i < M; i++) {
            pinn_real *c = C + (size_t)i * ldc;
            for (int k = k0; k < k1; k++) {
                pinn_real a = alpha * (ta ? A[(size_t)k * lda + i] : A[(size_t)i * lda + k]);
                if (a == 0) continue;
                if (!tb) {
                    const pinn_real *b = B + (size_t)k * ldb;
                    for (int j = 0; j < N; j++) c[j] += a * b[j];
                } else {
                    for (int j = 0; j < N; j++) c[j] += a * B[(size_t)j * ldb + k];
                }
            }
        }
    }
}

void pinn_blas_single_thread(void) {}

const char *pinn_blas_name(void) { return "built-in blocked GEMM"; }

const char *pinn_blas_suggest_core(void) { return NULL; }

const char *pinn_blas_core(void) { return ""; }

#endif

void pinn_gemm(int ta, int tb, int M, int N, int K, pinn_real alpha, const pinn_real *A, int lda,
               const pinn_real *B, int ldb, pinn_real beta, pinn_real *C, int ldc) {
    if (M <= 0 || N <= 0) return;
#ifdef PINN_HAVE_SMALL_GEMM
    if (pinn_gemm_small_wanted(ta, tb, M, N, K) && !pinn_gemm_small(ta, tb, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc))
        return;
#endif
    pinn_gemm_library(ta, tb, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
}

void pinn_gemm_with(int kind, int ta, int tb, int M, int N, int K, pinn_real alpha, const pinn_real *A, int lda,
                    const pinn_real *B, int ldb, pinn_real beta, pinn_real *C, int ldc) {
    if (kind < 0) {
        pinn_gemm(ta, tb, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
        return;
    }
    if (M <= 0 || N <= 0) return;
    /* the small kernel is always compiled: an explicit choice (a forced or planned kernel) uses it
     * in every build; auto follows the shape policy only where PINN_WITH_SMALL_GEMM routes to it */
#ifdef PINN_HAVE_SMALL_GEMM
    int small = kind == 2 ? !(ta && tb) : kind == 0 ? pinn_gemm_small_policy(ta, tb, M, N, K) : 0;
#else
    int small = kind == 2 && !(ta && tb);
#endif
    if (small && !pinn_gemm_small(ta, tb, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc)) return;
    pinn_gemm_library(ta, tb, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
}

int pinn_gemm_uses_small(int kind, int ta, int tb, int M, int N, int K) {
    if (ta && tb) return 0;
#ifdef PINN_HAVE_SMALL_GEMM
    if (kind < 0) return pinn_gemm_small_wanted(ta, tb, M, N, K);
    return kind == 2 || (kind == 0 && pinn_gemm_small_policy(ta, tb, M, N, K));
#else
    (void)M, (void)N, (void)K;
    return kind == 2;
#endif
}
