/* gemm_small.c - hand-blocked GEMM for the matrix products of the jet engine's affine layers.
 *
 * The engine's products are tall and skinny: Y = X W^T (pattern NT), gX += gY W (NN) with
 * S*n = 500..20000 rows but only 2..128 columns and inner dimension, and gW += gY^T X (TN) whose
 * reduction runs over those rows.  At these sizes OpenBLAS spends much of its time packing the
 * large dimension; here nothing large is copied:
 *   NT      only op(B), the small matrix, is copied, transposed into zero-padded panels of up
 *           to GS_NV vectors of columns; A is read in place, 4 or 8 rows at a time.
 *   NN, TN  both operands are read in place (TN: the reduction runs over the rows, GS_KC at a
 *           time); the last vector of a column panel is shifted left to overlap its neighbour
 *           rather than read past the end of a row (B is copied only for a panel narrower than one
 *           vector).  NT with one output column runs as dot products (gs_dot).
 * The register tile is 8 rows (4 without AVX-512's 32 registers) x up to GS_NV vectors, written
 * with GCC vector extensions.  Two widths of vector are built from gemm_small_body.h: 32 bytes
 * (4 doubles or 8 floats; its driver compiled for x86-64-v4, -v3 and baseline and picked at load
 * time by target_clones) and, with GCC on x86-64, 64 bytes (AVX-512: 8 doubles or 16 floats,
 * compiled for x86-64-v4 only), which is the default where the CPU has x86-64-v4: CPUs with full
 * 512-bit FMA units (AMD Zen 5, Intel server cores) run it at up to twice the rate.  FMA
 * contraction is on.  The summation order depends only on the sizes (not on the vector width,
 * the tile height or row grouping), so results are bitwise reproducible on a given machine. */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "core/gemm_small.h"

#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && !defined(__SANITIZE_ADDRESS__)
#define GS_HAVE_CLONES 1
#define GS_CLONES \
    __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default"), optimize("O3", "fp-contract=fast")))
#elif defined(__GNUC__) && !defined(__clang__)
#define GS_CLONES __attribute__((optimize("O3", "fp-contract=fast")))
#else
#define GS_CLONES
#endif
#define GS_INLINE static inline __attribute__((always_inline))
#if defined(__GNUC__) /* GCC and clang */
/* vectors passed to and returned from the always-inlined helpers never cross an ABI boundary */
#pragma GCC diagnostic ignored "-Wpsabi"
#endif

#define GS_MR 8                              /* most rows of a register tile (4 or 8) */
#define GS_NV 3                              /* vectors of columns of the register tile */
#define GS_KC 128                            /* inner-dimension chunk */
#define GS_MC 128                            /* rows per pass over the packed panels (NT, NN) */
/* fn(mrx, nv, ta, ...) with compile-time tile sizes: mrx = 8 rows when wide (32 vector
 * registers), else 4; nv = 1..3 vectors; ta = 0 or 1. */
#define GS_TILE_SWITCH1(fn, mrx, nv, ta, ...)                      \
    do {                                                           \
        if ((nv) == 3) {                                           \
            if (ta) fn(mrx, 3, 1, __VA_ARGS__);                    \
            else fn(mrx, 3, 0, __VA_ARGS__);                       \
        } else if ((nv) == 2) {                                    \
            if (ta) fn(mrx, 2, 1, __VA_ARGS__);                    \
            else fn(mrx, 2, 0, __VA_ARGS__);                       \
        } else {                                                   \
            if (ta) fn(mrx, 1, 1, __VA_ARGS__);                    \
            else fn(mrx, 1, 0, __VA_ARGS__);                       \
        }                                                          \
    } while (0)
#define GS_TILE_SWITCH(fn, wide, nv, ta, ...)                      \
    do {                                                           \
        if (wide) GS_TILE_SWITCH1(fn, 8, nv, ta, __VA_ARGS__);     \
        else GS_TILE_SWITCH1(fn, 4, nv, ta, __VA_ARGS__);          \
    } while (0)

/* 32-byte vectors: every x86-64 level (and any other target GCC or clang vectorises for) */
#define GS_VB 32
#define GS_N(x) x##_v32
#define GS_DRIVER GS_CLONES
#include "core/gemm_small_body.h"
#undef GS_VB
#undef GS_N
#undef GS_DRIVER

#if defined(GS_HAVE_CLONES)
/* 64-byte vectors, x86-64-v4 only (called only where the CPU supports it) */
#define GS_HAVE_V64 1
#define GS_VB 64
#define GS_N(x) x##_v64
#define GS_DRIVER __attribute__((target("arch=x86-64-v4"), optimize("O3", "fp-contract=fast")))
#include "core/gemm_small_body.h"
#undef GS_VB
#undef GS_N
#undef GS_DRIVER
#endif

static _Atomic int gs_rows_forced = 0; /* 0: by the CPU; 4 or 8: pinn_gemm_small_tiles */
static _Atomic int gs_vb_forced = 0;   /* 0: by the CPU; 32 or 64: pinn_gemm_small_vectors */

/* Force 4- or 8-row register tiles (tests run both), 0 to choose by the CPU again. */
void pinn_gemm_small_tiles(int rows) { gs_rows_forced = rows == 4 || rows == 8 ? rows : 0; }

/* Force 32- or 64-byte vectors (64 only where the CPU has x86-64-v4), 0 to choose by the CPU. */
void pinn_gemm_small_vectors(int bytes) { gs_vb_forced = bytes == 32 || bytes == 64 ? bytes : 0; }

/* The vector width in bytes pinn_gemm_small uses now (32 or 64). */
int pinn_gemm_small_vector_bytes(void) {
#if defined(GS_HAVE_V64)
    int f = gs_vb_forced;
    if (__builtin_cpu_supports("x86-64-v4") && gs_rows_forced != 4) return f ? f : 64;
#endif
    return 32;
}

/* Whether 8-row tiles are used: where the x86-64-v4 clone runs (32 vector registers), unless a
 * test forced a tile height. */
static int gs_wide(void) {
    int forced = gs_rows_forced;
#if defined(GS_HAVE_CLONES)
    return forced ? forced == 8 : __builtin_cpu_supports("x86-64-v4");
#else
    return forced == 8;
#endif
}

/* Both entries: G groups of M rows (ta = 0) after the argument checks. */
static void gs_dispatch(int ta, int tb, int G, int M, int N, int K, pinn_real alpha, const pinn_real *A, int lda,
                        size_t gsa, const pinn_real *B, int ldb, pinn_real beta, pinn_real *C, int ldc, size_t gsc) {
    int wide = gs_wide(); /* else 4-row tiles */
#if defined(GS_HAVE_V64)
    if (wide && pinn_gemm_small_vector_bytes() == 64) {
        gs_gemm_v64(1, ta, tb, G, M, N, K, alpha, A, lda, gsa, B, ldb, beta, C, ldc, gsc);
        return;
    }
#endif
    gs_gemm_v32(wide, ta, tb, G, M, N, K, alpha, A, lda, gsa, B, ldb, beta, C, ldc, gsc);
}

/* The kernel entry: the patterns NT, NN and TN. */
int pinn_gemm_small(int ta, int tb, int M, int N, int K, pinn_real alpha, const pinn_real *A, int lda,
                    const pinn_real *B, int ldb, pinn_real beta, pinn_real *C, int ldc) {
    if (ta && tb) return -1;
    if (M <= 0 || N <= 0) return 0;
    gs_dispatch(ta, tb, 1, M, N, K, alpha, A, lda, 0, B, ldb, beta, C, ldc, 0);
    return 0;
}

/* NT or NN over G groups of M rows; see the header. */
int pinn_gemm_small_groups(int tb, int G, int M, int N, int K, pinn_real alpha, const pinn_real *A, int lda,
                           size_t gsa, const pinn_real *B, int ldb, pinn_real beta, pinn_real *C, int ldc,
                           size_t gsc) {
    if (G <= 0 || M <= 0 || N <= 0) return 0;
    gs_dispatch(0, tb, G, M, N, K, alpha, A, lda, gsa, B, ldb, beta, C, ldc, gsc);
    return 0;
}

/* nb independent products with shared shapes but for len[b]; see the header.  The tile and
 * vector choice is made once for the whole batch. */
int pinn_gemm_small_batch(int ta, int tb, int nb, const int *len, int N, int W, pinn_real alpha,
                          const pinn_real *const *A, int lda, const pinn_real *const *B, int ldb, pinn_real beta,
                          pinn_real *const *C, int ldc) {
    if (ta && tb) return -1;
    if (nb <= 0 || N <= 0 || W <= 0) return 0;
    int wide = gs_wide();
#if defined(GS_HAVE_V64)
    int v64 = wide && pinn_gemm_small_vector_bytes() == 64;
#endif
    for (int b = 0; b < nb; b++) {
        int M = ta ? W : len[b], K = ta ? len[b] : W;
        if (M <= 0) continue;
#if defined(GS_HAVE_V64)
        if (v64) {
            gs_gemm_v64(1, ta, tb, 1, M, N, K, alpha, A[b], lda, 0, B[b], ldb, beta, C[b], ldc, 0);
            continue;
        }
#endif
        gs_gemm_v32(wide, ta, tb, 1, M, N, K, alpha, A[b], lda, 0, B[b], ldb, beta, C[b], ldc, 0);
    }
    return 0;
}

/* Dispatch policy (see the header); the environment is read once, race-free. */
int pinn_gemm_small_wanted(int ta, int tb, int M, int N, int K) {
    static _Atomic int mode = -1;
    int m = mode;
    if (m < 0) {
        const char *e = getenv("PINN_SMALL_GEMM");
        m = !(e && e[0] == '0');
        mode = m;
    }
    return m && pinn_gemm_small_policy(ta, tb, M, N, K);
}

int pinn_gemm_small_policy(int ta, int tb, int M, int N, int K) {
    if (ta && tb) return 0;
    /* bench_gemm on an AMD EPYC (Zen 4, AVX-512, OpenBLAS 0.3.21, one thread), rows 2048..4096:
     * NT faster at every width tried (1.0-1.4x, also for 2 inputs or 1 output); NN about even to
     * 1.2x for widths 20..64, slower at 128 and for widths below 8; TN faster for widths
     * 20..128 but 3x slower when a width is below one vector. */
    if (ta) return M >= 8 && N >= 8 && M <= 128 && N <= 128;
    if (tb) return N <= 128 && K <= 128;
    return N >= 8 && K >= 8 && N <= 64 && K <= 64;
}
