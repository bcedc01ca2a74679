/* gemm_small_body.h - the register-blocked GEMM of gemm_small.c, included there once per vector
 * width: GS_VB bytes per vector (32: AVX2-sized, 64: AVX-512-sized), GS_N(x) names this width's
 * functions, GS_DRIVER gives the driver's attributes.  The per-element summation order (k in
 * order, chunks of GS_KC; fixed partial sums for NT with one output column, gs_dot, and for TN
 * with one output row, gs_rowsum) does not depend on the width, the tile height, the grouping of
 * rows or whether B is read in place, so every variant gives bitwise the same products. */
#define gs_vec GS_N(gs_vec)
#define gs_load GS_N(gs_load)
#define gs_store GS_N(gs_store)
#define gs_tile_out GS_N(gs_tile_out)
#define gs_tile GS_N(gs_tile)
#define gs_rows GS_N(gs_rows)
#define gs_gemm GS_N(gs_gemm)
#define gs_dot GS_N(gs_dot)
#define gs_rowsum GS_N(gs_rowsum)

#define GS_VL (int)(GS_VB / sizeof(pinn_real)) /* reals per vector */
#define GS_NB (GS_NV * GS_VL)                /* columns of the register tile */
#define GS_PL (int)(64 / sizeof(pinn_real))  /* partial sums of gs_dot, the same for both widths */
#define GS_RP 4                              /* partial sums per column of gs_rowsum */

typedef pinn_real gs_vec __attribute__((vector_size(GS_VB)));

/* Unaligned vector load. */
GS_INLINE gs_vec gs_load(const pinn_real *p) {
    gs_vec v;
    memcpy(&v, p, sizeof v);
    return v;
}

/* Unaligned vector store. */
GS_INLINE void gs_store(pinn_real *p, gs_vec v) { memcpy(p, &v, sizeof v); }

/* C[r][0..nc) = alpha * acc[r] + beta * C[r] for the first mr rows of a tile of nv vectors.
 * Vector v holds columns v*GS_VL.. except the last, which holds columns last.. : shifted left to
 * overlap its neighbour when nc is not a whole number of vectors (so it is stored whole; the
 * overlapping columns get the same value twice, and every load of C precedes the stores), or
 * zero-padded past nc when the panel is narrower than one vector (stored column by column).
 * beta == 0 does not read C. */
GS_INLINE void gs_tile_out(int mrx, int nv, int mr, gs_vec acc[GS_MR][GS_NV], pinn_real alpha, pinn_real beta,
                           pinn_real *C, int ldc, int nc, int last) {
#pragma GCC unroll 8
    for (int r = 0; r < mrx; r++) {
        if (r >= mr) break;
        pinn_real *c = C + (size_t)r * (size_t)ldc;
        gs_vec o[GS_NV];
#pragma GCC unroll 4
        for (int v = 0; v < nv; v++) {
            int col = v == nv - 1 ? last : v * GS_VL;
            o[v] = alpha * acc[r][v];
            if (beta != 0 && col + GS_VL <= nc) o[v] += beta * gs_load(c + col);
        }
#pragma GCC unroll 4
        for (int v = 0; v < nv; v++) {
            int col = v == nv - 1 ? last : v * GS_VL;
            if (col + GS_VL <= nc) {
                gs_store(c + col, o[v]);
            } else {
                pinn_real t[GS_VB / sizeof(pinn_real)];
                memcpy(t, &o[v], sizeof t);
                for (int l = 0; l < GS_VL && col + l < nc; l++)
                    c[col + l] = beta != 0 ? t[l] + beta * c[col + l] : t[l];
            }
        }
    }
}

/* One register tile: acc = op(A)[0..mr)[0..kc) * Bp, Bp kc rows (stride ldp) of nv vectors, the
 * last at offset lastp of a row of Bp and column `last` of C; op(A) = A (ta = 0, rows of A) or
 * A^T (ta = 1, columns of A).  Rows past mr repeat row mr-1 (read, never stored).  Columns
 * [0, nc) go to C. */
GS_INLINE void gs_tile(int mrx, int nv, int ta, int mr, int kc, pinn_real alpha, const pinn_real *A, int lda,
                       const pinn_real *Bp, int ldp, int lastp, int last, pinn_real beta, pinn_real *C, int ldc,
                       int nc) {
    size_t ar[GS_MR]; /* offset of row r of op(A) */
    for (int r = 0; r < mrx; r++) ar[r] = (size_t)(r < mr ? r : mr - 1) * (ta ? 1 : (size_t)lda);
    size_t ak = ta ? (size_t)lda : 1; /* step along k */
    gs_vec acc[GS_MR][GS_NV];
    for (int r = 0; r < mrx; r++)
        for (int v = 0; v < GS_NV; v++) acc[r][v] = (gs_vec){0};
    for (int k = 0; k < kc; k++) {
        const pinn_real *bk = Bp + (size_t)k * (size_t)ldp, *a = A + (size_t)k * ak;
        gs_vec b[GS_NV];
        for (int v = 0; v < nv; v++) b[v] = gs_load(bk + (v == nv - 1 ? lastp : v * GS_VL));
        for (int r = 0; r < mrx; r++) {
            pinn_real s = a[ar[r]];
            for (int v = 0; v < nv; v++) acc[r][v] += s * b[v];
        }
    }
    gs_tile_out(mrx, nv, mr, acc, alpha, beta, C, ldc, nc, last);
}

/* All row tiles of rows [0, m) against one panel of nv vectors (nc valid columns). */
GS_INLINE void gs_rows(int mrx, int nv, int ta, int m, int kc, pinn_real alpha, const pinn_real *A, int lda,
                       const pinn_real *Bp, int ldp, int lastp, int last, pinn_real beta, pinn_real *C, int ldc,
                       int nc) {
    for (int i = 0; i < m; i += mrx) {
        int mr = m - i < mrx ? m - i : mrx;
        const pinn_real *Ai = A + (size_t)i * (ta ? 1 : (size_t)lda);
        gs_tile(mrx, nv, ta, mr, kc, alpha, Ai, lda, Bp, ldp, lastp, last, beta, C + (size_t)i * (size_t)ldc, ldc, nc);
    }
}


/* NT with one output column (a matrix-vector product, the last layer of a network): C[i] =
 * alpha * A[i] . b + beta * C[i], b = B's one row, for the M rows of G groups.  The row's products
 * are summed in GS_PL fixed partial sums (lane k mod GS_PL: one 64-byte vector, or two 32-byte
 * ones), then pairwise; the order depends only on K, so both widths give the same bits.  Four
 * rows at a time (independent chains). */
GS_INLINE void gs_dot(int G, int M, int K, pinn_real alpha, const pinn_real *A, int lda, size_t gsa,
                      const pinn_real *b, pinn_real beta, pinn_real *C, int ldc, size_t gsc) {
    enum { NPV = GS_PL / GS_VL, R = 4 };
    int kv = K / GS_PL * GS_PL;
    for (int g = 0; g < G; g++)
        for (int i0 = 0; i0 < M; i0 += R) {
            int mr = M - i0 < R ? M - i0 : R;
            const pinn_real *a[R];
            for (int r = 0; r < R; r++) a[r] = A + g * gsa + (size_t)(i0 + (r < mr ? r : mr - 1)) * (size_t)lda;
            gs_vec acc[R][NPV];
            for (int r = 0; r < R; r++)
                for (int v = 0; v < NPV; v++) acc[r][v] = (gs_vec){0};
            for (int k = 0; k < kv; k += GS_PL)
                for (int v = 0; v < NPV; v++) {
                    gs_vec bv = gs_load(b + k + v * GS_VL);
                    for (int r = 0; r < R; r++) acc[r][v] += gs_load(a[r] + k + v * GS_VL) * bv;
                }
            for (int r = 0; r < mr; r++) {
                pinn_real p[GS_PL];
                memcpy(p, acc[r], sizeof p);
                for (int k = kv; k < K; k++) p[k - kv] += a[r][k] * b[k];
                for (int h = GS_PL / 2; h >= 1; h /= 2)
                    for (int l = 0; l < h; l++) p[l] += p[l + h];
                pinn_real *c = C + g * gsc + (size_t)(i0 + r) * (size_t)ldc;
                *c = beta != 0 ? alpha * p[0] + beta * *c : alpha * p[0];
            }
        }
}

/* TN with one output row (the weight gradient of a one-output layer): C[j] = alpha * sum_k a[k]
 * B[k][j] + beta * C[j], a[k] = A[k * lda].  Each column sums its K products in GS_RP partial
 * sums (k mod GS_RP, independent chains), combined pairwise, the same in a vector lane or in the
 * scalar path of a panel narrower than one vector, so both widths give the same bits. */
GS_INLINE void gs_rowsum(int N, int K, pinn_real alpha, const pinn_real *A, int lda, const pinn_real *B, int ldb,
                         pinn_real beta, pinn_real *C) {
    enum { R = GS_RP };
    int kr = K / R * R;
    for (int j0 = 0; j0 < N; j0 += GS_NB) {
        int nc = N - j0 < GS_NB ? N - j0 : GS_NB;
        if (nc < GS_VL) { /* narrower than one vector: column by column */
            for (int j = j0; j < j0 + nc; j++) {
                pinn_real p[R] = {0};
                for (int k = 0; k < kr; k += R)
                    for (int r = 0; r < R; r++) p[r] += A[(size_t)(k + r) * lda] * B[(size_t)(k + r) * ldb + j];
                for (int k = kr; k < K; k++) p[k - kr] += A[(size_t)k * lda] * B[(size_t)k * ldb + j];
                pinn_real t = (p[0] + p[2]) + (p[1] + p[3]);
                C[j] = beta != 0 ? alpha * t + beta * C[j] : alpha * t;
            }
            continue;
        }
        int nv = (nc + GS_VL - 1) / GS_VL, col[GS_NV];
        for (int v = 0; v < nv; v++) col[v] = j0 + (v == nv - 1 ? nc - GS_VL : v * GS_VL);
        gs_vec acc[R][GS_NV];
        for (int r = 0; r < R; r++)
            for (int v = 0; v < GS_NV; v++) acc[r][v] = (gs_vec){0};
        for (int k = 0; k < kr; k += R)
            for (int r = 0; r < R; r++) {
                pinn_real a = A[(size_t)(k + r) * lda];
                const pinn_real *b = B + (size_t)(k + r) * ldb;
                for (int v = 0; v < nv; v++) acc[r][v] += a * gs_load(b + col[v]);
            }
        for (int k = kr; k < K; k++) {
            pinn_real a = A[(size_t)k * lda];
            for (int v = 0; v < nv; v++) acc[k - kr][v] += a * gs_load(B + (size_t)k * ldb + col[v]);
        }
        gs_vec o[GS_NV];
        for (int v = 0; v < nv; v++) { /* every load of C before the (overlapping) stores */
            o[v] = alpha * ((acc[0][v] + acc[2][v]) + (acc[1][v] + acc[3][v]));
            if (beta != 0) o[v] += beta * gs_load(C + col[v]);
        }
        for (int v = 0; v < nv; v++) gs_store(C + col[v], o[v]);
    }
}

/* C = alpha * op(A) op(B) + beta * C for (ta, tb) = (0,1), (0,0), (1,0), the M rows of op(A) and
 * C in G groups of m (group g at A + g*gsa and C + g*gsc; G = 1 for TN): chunks of GS_KC along K;
 * per chunk, op(B) is prepared once per panel of up to GS_NV vectors of columns (TN and NN with N
 * of at least one vector read B in place; NT copies it, transposed, zero-padded only when the
 * panel is narrower than one vector), and every row tile of every group runs against the panel,
 * GS_MC rows at a time.  In every panel of at least one vector the last vector is shifted left
 * to end at the panel's last column. */
GS_DRIVER static void gs_gemm(int wide, int ta, int tb, int G, int M, int N, int K, pinn_real alpha,
                              const pinn_real *A, int lda, size_t gsa, const pinn_real *B, int ldb, pinn_real beta,
                              pinn_real *C, int ldc, size_t gsc) {
    if (ta && M == 1) { /* one output row: sums over rows */
        gs_rowsum(N, K, alpha, A, lda, B, ldb, beta, C);
        return;
    }
    if (!ta && tb && N == 1) { /* one output column: dot products */
        gs_dot(G, M, K, alpha, A, lda, gsa, B, beta, C, ldc, gsc);
        return;
    }
    _Alignas(64) pinn_real Bp[GS_KC * GS_NB];
    for (int k0 = 0; k0 < K || k0 == 0; k0 += GS_KC) {
        int kc = K - k0 < GS_KC ? K - k0 : GS_KC;
        pinn_real be = k0 == 0 ? beta : 1;
        for (int j0 = 0; j0 < N; j0 += GS_NB) {
            int nc = N - j0 < GS_NB ? N - j0 : GS_NB;
            int nv = (nc + GS_VL - 1) / GS_VL, w = nv * GS_VL;
            /* the last vector: columns last.. of the panel, shifted left when nc >= one vector */
            int last = (nv - 1) * GS_VL < nc - GS_VL ? (nv - 1) * GS_VL : nc - GS_VL;
            if (last < 0) last = 0;
            const pinn_real *Bq;
            int ldq, lastp;
            /* TN, NN: B in place where this panel is at least one vector wide (a narrower last
             * panel, e.g. column 12 of N = 13 with 12-column panels, would read past B's row and,
             * on its last row, past B itself: it is copied, zero-padded) */
            if (!tb && nc >= GS_VL) {
                Bq = B + (size_t)k0 * (size_t)ldb + j0, ldq = ldb, lastp = last;
            } else {
                int cmap[GS_NB]; /* panel lane -> column of the panel, -1: zero */
                for (int q = 0; q < w; q++) {
                    int v = q / GS_VL, l = q % GS_VL, col = v == nv - 1 ? last + l : q;
                    cmap[q] = col < nc ? col : -1;
                }
                for (int k = 0; k < kc; k++) {
                    pinn_real *bp = Bp + (size_t)k * (size_t)w;
                    for (int q = 0; q < w; q++) {
                        int col = cmap[q];
                        size_t at = tb ? (size_t)(j0 + col) * (size_t)ldb + (size_t)(k0 + k)
                                       : (size_t)(k0 + k) * (size_t)ldb + (size_t)(j0 + col);
                        bp[q] = col >= 0 ? B[at] : 0;
                    }
                }
                Bq = Bp, ldq = w, lastp = (nv - 1) * GS_VL;
            }
            for (int i0 = 0; i0 < M; i0 += GS_MC) {
                int m = M - i0 < GS_MC ? M - i0 : GS_MC;
                const pinn_real *Ai = ta ? A + (size_t)k0 * (size_t)lda + i0 : A + (size_t)i0 * (size_t)lda + k0;
                pinn_real *Ci = C + (size_t)i0 * (size_t)ldc + j0;
                for (int g = 0; g < G; g++)
                    GS_TILE_SWITCH(gs_rows, wide, nv, ta, m, kc, alpha, Ai + g * gsa, lda, Bq, ldq, lastp, last, be,
                                   Ci + g * gsc, ldc, nc);
            }
        }
    }
}

#undef gs_vec
#undef gs_load
#undef gs_store
#undef gs_tile_out
#undef gs_tile
#undef gs_rows
#undef gs_gemm
#undef gs_dot
#undef gs_rowsum
#undef GS_VL
#undef GS_NB
#undef GS_PL
#undef GS_RP
