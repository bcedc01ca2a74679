/* gemm_small.c - hand-blocked GEMM for the matrix products of the jet engine's affine layers.
 *
 * The engine's products are tall and skinny: Y = X W^T (pattern NT), gX += gY W (NN) with
 * S*n = 500..20000 rows but only 2..128 columns and inner dimension, and gW += gY^T X (TN) whose
 * reduction runs over those rows.  At these sizes OpenBLAS spends much of its time packing the
 * large dimension; here nothing large is copied:
 *   NT, NN  only op(B), the small matrix, is copied, into zero-padded panels of up to GS_NV
 *           vectors of columns (transposed for NT); A is read in place, 4 or 8 rows at a time.
 *   TN      the reduction runs over the rows, GS_KC at a time, both operands read in place;
 *           the last vector of a column panel is shifted left to overlap its neighbour rather
 *           than read past the end of a row (B is copied only when N is below one vector).
 * The register tile is 8 rows (4 without AVX-512's 32 registers) x up to GS_NV vectors of 32
 * bytes (4 doubles or 8 floats), written with GCC vector extensions; each driver is compiled for x86-64-v4, -v3 and baseline and picked
 * at load time (target_clones), with FMA contraction on.  The summation order depends only on
 * the sizes, so results are bitwise reproducible on a given machine. */
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

#define GS_VL (int)(32 / sizeof(pinn_real)) /* reals per vector */
#define GS_MR 8                              /* most rows of a register tile (4 or 8) */
#define GS_NV 3                              /* vectors of columns of the register tile */
#define GS_NB (GS_NV * GS_VL)                /* columns of the register tile */
#define GS_KC 128                            /* inner-dimension chunk */
#define GS_MC 128                            /* rows per pass over the packed panels (NT, NN) */

typedef pinn_real gs_vec __attribute__((vector_size(32)));

/* Unaligned vector load. */
GS_INLINE gs_vec gs_load(const pinn_real *p) {
    gs_vec v;
    memcpy(&v, p, sizeof v);
    return v;
}

/* Unaligned vector store. */
GS_INLINE void gs_store(pinn_real *p, gs_vec v) { memcpy(p, &v, sizeof v); }

/* C[r][0..nc) = alpha * acc[r] + beta * C[r] for the first mr rows of a tile of nv vectors.
 * Vector v holds columns v*GS_VL.. except the last, which holds columns last.. (TN shifts it left
 * rather than read past the end of a row of B); beta == 0 does not read C. */
GS_INLINE void gs_tile_out(int mrx, int nv, int mr, gs_vec acc[GS_MR][GS_NV], pinn_real alpha, pinn_real beta,
                           pinn_real *C, int ldc, int nc, int last) {
#pragma GCC unroll 8
    for (int r = 0; r < mrx; r++) {
        if (r >= mr) break;
        pinn_real *c = C + (size_t)r * (size_t)ldc;
#pragma GCC unroll 4
        for (int v = 0; v < nv; v++) {
            int j0 = v * GS_VL, off = v == nv - 1 ? last : j0, j1 = j0 + GS_VL < nc ? j0 + GS_VL : nc;
            gs_vec o = alpha * acc[r][v];
            if (off == j0 && j1 == j0 + GS_VL) {
                if (beta != 0) o += beta * gs_load(c + j0);
                gs_store(c + j0, o);
            } else {
                pinn_real t[32 / sizeof(pinn_real)];
                memcpy(t, &o, sizeof t);
                for (int j = j0; j < j1; j++) c[j] = beta != 0 ? t[j - off] + beta * c[j] : t[j - off];
            }
        }
    }
}

/* One register tile: acc = op(A)[0..mr)[0..kc) * Bp, Bp kc rows (stride ldp) of nv vectors, the
 * last at column `last`; op(A) = A (ta = 0, rows of A) or A^T (ta = 1, columns of A).  Rows past
 * mr repeat row mr-1 (read, never stored).  Columns [0, nc) go to C. */
GS_INLINE void gs_tile(int mrx, int nv, int ta, int mr, int kc, pinn_real alpha, const pinn_real *A, int lda,
                       const pinn_real *Bp, int ldp, int last, pinn_real beta, pinn_real *C, int ldc, int nc) {
    size_t ar[GS_MR]; /* offset of row r of op(A) */
    for (int r = 0; r < mrx; r++) ar[r] = (size_t)(r < mr ? r : mr - 1) * (ta ? 1 : (size_t)lda);
    size_t ak = ta ? (size_t)lda : 1; /* step along k */
    gs_vec acc[GS_MR][GS_NV];
    for (int r = 0; r < mrx; r++)
        for (int v = 0; v < GS_NV; v++) acc[r][v] = (gs_vec){0};
    for (int k = 0; k < kc; k++) {
        const pinn_real *bk = Bp + (size_t)k * (size_t)ldp, *a = A + (size_t)k * ak;
        gs_vec b[GS_NV];
        for (int v = 0; v < nv; v++) b[v] = gs_load(bk + (v == nv - 1 ? last : v * GS_VL));
        for (int r = 0; r < mrx; r++) {
            pinn_real s = a[ar[r]];
            for (int v = 0; v < nv; v++) acc[r][v] += s * b[v];
        }
    }
    gs_tile_out(mrx, nv, mr, acc, alpha, beta, C, ldc, nc, last);
}

/* All row tiles of rows [0, m) against one panel of nv vectors (nc valid columns). */
GS_INLINE void gs_rows(int mrx, int nv, int ta, int m, int kc, pinn_real alpha, const pinn_real *A, int lda,
                       const pinn_real *Bp, int ldp, int last, pinn_real beta, pinn_real *C, int ldc, int nc) {
    for (int i = 0; i < m; i += mrx) {
        int mr = m - i < mrx ? m - i : mrx;
        const pinn_real *Ai = A + (size_t)i * (ta ? 1 : (size_t)lda);
        gs_tile(mrx, nv, ta, mr, kc, alpha, Ai, lda, Bp, ldp, last, beta, C + (size_t)i * (size_t)ldc, ldc, nc);
    }
}

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

/* C = alpha * op(A) op(B) + beta * C for (ta, tb) = (0,1), (0,0), (1,0): chunks of GS_KC along
 * K and GS_MC rows of C; per chunk, op(B) is copied panel by panel (zero-padded to whole
 * vectors; TN reads B in place) and every row tile of the chunk runs against the panel. */
GS_CLONES static void gs_gemm(int wide, int ta, int tb, int M, int N, int K, pinn_real alpha, const pinn_real *A,
                              int lda, const pinn_real *B, int ldb, pinn_real beta, pinn_real *C, int ldc) {
    _Alignas(64) pinn_real Bp[GS_KC * GS_NB];
    for (int k0 = 0; k0 < K || k0 == 0; k0 += GS_KC) {
        int kc = K - k0 < GS_KC ? K - k0 : GS_KC;
        pinn_real be = k0 == 0 ? beta : 1;
        for (int i0 = 0; i0 < M; i0 += GS_MC) {
            int m = M - i0 < GS_MC ? M - i0 : GS_MC;
            const pinn_real *Ai = ta ? A + (size_t)k0 * (size_t)lda + i0 : A + (size_t)i0 * (size_t)lda + k0;
            pinn_real *Ci = C + (size_t)i0 * (size_t)ldc;
            for (int j0 = 0; j0 < N; j0 += GS_NB) {
                int nc = N - j0 < GS_NB ? N - j0 : GS_NB;
                int nv = (nc + GS_VL - 1) / GS_VL, w = nv * GS_VL;
                if (ta && N >= GS_VL) {
                    /* TN: B in place, the last vector ending at the panel's last column */
                    int last = (nv - 1) * GS_VL < nc - GS_VL ? (nv - 1) * GS_VL : nc - GS_VL;
                    const pinn_real *Bj = B + (size_t)k0 * (size_t)ldb + j0;
                    GS_TILE_SWITCH(gs_rows, wide, nv, 1, m, kc, alpha, Ai, lda, Bj, ldb, last, be, Ci + j0, ldc, nc);
                    continue;
                }
                for (int k = 0; k < kc; k++) {
                    pinn_real *bp = Bp + (size_t)k * (size_t)w;
                    if (tb)
                        for (int j = 0; j < nc; j++) bp[j] = B[(size_t)(j0 + j) * (size_t)ldb + (size_t)(k0 + k)];
                    else
                        memcpy(bp, B + (size_t)(k0 + k) * (size_t)ldb + j0, sizeof(pinn_real) * (size_t)nc);
                    for (int j = nc; j < w; j++) bp[j] = 0;
                }
                GS_TILE_SWITCH(gs_rows, wide, nv, ta, m, kc, alpha, Ai, lda, Bp, w, (nv - 1) * GS_VL, be, Ci + j0, ldc, nc);
            }
        }
    }
}

static _Atomic int gs_rows_forced = 0; /* 0: by the CPU; 4 or 8: pinn_gemm_small_tiles */

/* Force 4- or 8-row register tiles (tests run both), 0 to choose by the CPU again. */
void pinn_gemm_small_tiles(int rows) { gs_rows_forced = rows == 4 || rows == 8 ? rows : 0; }

/* The kernel entry: the patterns NT, NN and TN. */
int pinn_gemm_small(int ta, int tb, int M, int N, int K, pinn_real alpha, const pinn_real *A, int lda,
                    const pinn_real *B, int ldb, pinn_real beta, pinn_real *C, int ldc) {
    if (ta && tb) return -1;
    if (M <= 0 || N <= 0) return 0;
    /* 8-row tiles where the x86-64-v4 clone runs (32 vector registers), else 4-row tiles */
    int forced = gs_rows_forced;
#if defined(GS_HAVE_CLONES)
    int wide = forced ? forced == 8 : __builtin_cpu_supports("x86-64-v4");
#else
    int wide = forced == 8;
#endif
    gs_gemm(wide, ta, tb, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
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
