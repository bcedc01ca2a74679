/* unary.c - elementwise functions of jets: z = f(h), forward and backward.
 *
 * General path (any order): walk the plan's Faà di Bruno table,
 *     z_a = sum_t c_t f^(k_t)(h_0) prod_{b<k_t} h_{idx_t[b]},
 * and its exact adjoint, which needs f^(k+1) for the h_0 dependence of f^(k)(h_0):
 *     gh_0 += c f^(k+1) prod h * gz_a,   gh_{idx[b]} += c f^(k) prod_{b' != b} h * gz_a.
 * When h is affine in the inputs (first layer), only the all-singletons term survives.
 * Fast path (plans of order <= 2): each stream has at most two terms, fused into one loop. */
#include <string.h>

#include "jet/graph.h"
#include "jet/vmath.h"

enum { CHUNK = 128 }; /* elements per pass of the fused order <= 2 kernels: all arrays of a pass stay in L1 */

/* f^(0..K+1) of the value stream into aux; K = plan order. */
static void derivs(const pinn_pass *ps, const pinn_node *nd, const pinn_real *h0, pinn_real *D) {
    size_t nw = (size_t)ps->n * (size_t)nd->w;
    pinn_fn_derivs(nd->fn, nd->p, h0, nw, ps->plan->order + 1, D);
}

/* IVDEP: the loops below index disjoint streams of one buffer (and several factors may be the same
 * stream, which only ever happens within one iteration), so no dependence crosses iterations. */
#if defined(__GNUC__) && !defined(__clang__)
#define IVDEP _Pragma("GCC ivdep")
#else
#define IVDEP
#endif

PINN_SIMD_CLONES
static void forward_general(const pinn_pass *ps, size_t nw, int x_affine, const pinn_real *h, const pinn_real *D,
                            pinn_real *z) {
    const pinn_plan *pl = ps->plan;
    for (int s = 1; s < pl->S; s++) {
        pinn_real *Z = z + (size_t)s * nw;
        memset(Z, 0, sizeof(pinn_real) * nw);
        for (int t = pl->fdb_start[s]; t < pl->fdb_start[s + 1]; t++) {
            const pinn_fdb_term *ft = &pl->fdb[t];
            if (x_affine && ft->k < pl->ord[s]) continue;
            const pinn_real c = (pinn_real)ft->coef, *Dk = D + (size_t)ft->k * nw;
            const pinn_real *h0 = h + (size_t)ft->idx[0] * nw, *h1 = ft->k > 1 ? h + (size_t)ft->idx[1] * nw : NULL,
                            *h2 = ft->k > 2 ? h + (size_t)ft->idx[2] * nw : NULL,
                            *h3 = ft->k > 3 ? h + (size_t)ft->idx[3] * nw : NULL;
            switch (ft->k) {
            case 1: IVDEP for (size_t i = 0; i < nw; i++) Z[i] += c * Dk[i] * h0[i]; break;
            case 2: IVDEP for (size_t i = 0; i < nw; i++) Z[i] += c * Dk[i] * h0[i] * h1[i]; break;
            case 3: IVDEP for (size_t i = 0; i < nw; i++) Z[i] += c * Dk[i] * h0[i] * h1[i] * h2[i]; break;
            case 4: IVDEP for (size_t i = 0; i < nw; i++) Z[i] += c * Dk[i] * h0[i] * h1[i] * h2[i] * h3[i]; break;
            default:
                for (size_t i = 0; i < nw; i++) {
                    pinn_real prod = c * Dk[i];
                    for (int b = 0; b < ft->k; b++) prod *= h[(size_t)ft->idx[b] * nw + i];
                    Z[i] += prod;
                }
            }
        }
    }
}

/* Terms of up to 4 factors have their leave-one-out products written out; longer ones use
 * prefix/suffix products. */
PINN_SIMD_CLONES
static void backward_general(const pinn_pass *ps, size_t nw, int x_affine, const pinn_real *h, pinn_real *gh,
                             const pinn_real *D, const pinn_real *gz) {
    const pinn_plan *pl = ps->plan;
    for (int s = 1; s < pl->S; s++) {
        const pinn_real *GZ = gz + (size_t)s * nw;
        for (int t = pl->fdb_start[s]; t < pl->fdb_start[s + 1]; t++) {
            const pinn_fdb_term *ft = &pl->fdb[t];
            if (x_affine && ft->k < pl->ord[s]) continue;
            int k = ft->k;
            const pinn_real c = (pinn_real)ft->coef, *Dk = D + (size_t)k * nw, *Dk1 = Dk + nw;
            const pinn_real *f[4] = {NULL, NULL, NULL, NULL};
            pinn_real *q[4] = {NULL, NULL, NULL, NULL};
            for (int b = 0; b < k && b < 4; b++) f[b] = h + (size_t)ft->idx[b] * nw, q[b] = gh + (size_t)ft->idx[b] * nw;
            switch (k) {
            case 1:
                IVDEP for (size_t i = 0; i < nw; i++) {
                    pinn_real g = c * GZ[i];
                    gh[i] += g * Dk1[i] * f[0][i];
                    q[0][i] += g * Dk[i];
                }
                continue;
            case 2:
                IVDEP for (size_t i = 0; i < nw; i++) {
                    pinn_real g = c * GZ[i], a = f[0][i], b = f[1][i], gd = g * Dk[i];
                    gh[i] += g * Dk1[i] * a * b;
                    q[0][i] += gd * b;
                    q[1][i] += gd * a;
                }
                continue;
            case 3:
                IVDEP for (size_t i = 0; i < nw; i++) {
                    pinn_real g = c * GZ[i], a = f[0][i], b = f[1][i], e = f[2][i], gd = g * Dk[i];
                    gh[i] += g * Dk1[i] * a * b * e;
                    q[0][i] += gd * b * e;
                    q[1][i] += gd * a * e;
                    q[2][i] += gd * a * b;
                }
                continue;
            case 4:
                IVDEP for (size_t i = 0; i < nw; i++) {
                    pinn_real g = c * GZ[i], a = f[0][i], b = f[1][i], e = f[2][i], r = f[3][i], gd = g * Dk[i];
                    gh[i] += g * Dk1[i] * a * b * e * r;
                    q[0][i] += gd * b * e * r;
                    q[1][i] += gd * a * e * r;
                    q[2][i] += gd * a * b * r;
                    q[3][i] += gd * a * b * e;
                }
                continue;
            default: break;
            }
            for (size_t i = 0; i < nw; i++) {
                pinn_real g = c * GZ[i];
                pinn_real fv[PINN_MAX_ORDER], pre = 1;
                for (int b = 0; b < k; b++) fv[b] = h[(size_t)ft->idx[b] * nw + i];
                /* prefix/suffix products give every leave-one-out product */
                pinn_real suf[PINN_MAX_ORDER + 1];
                suf[k] = 1;
                for (int b = k - 1; b >= 0; b--) suf[b] = suf[b + 1] * fv[b];
                gh[i] += g * Dk1[i] * suf[0];
                for (int b = 0; b < k; b++) {
                    gh[(size_t)ft->idx[b] * nw + i] += g * Dk[i] * pre * suf[b + 1];
                    pre *= fv[b];
                }
            }
        }
    }
}

/* Order <= 2 kernels.  Each loop gets restrict-qualified arrays (the streams of one buffer are
 * disjoint ranges), so it vectorises; the two factors of a k = 2 term may be the same stream,
 * which gets its own loop.  The callers are built per x86-64 level (PINN_SIMD_CLONES). */
#define INL static inline __attribute__((always_inline))
typedef pinn_real *restrict rp;
typedef const pinn_real *restrict crp;

INL void fwd_ord1(size_t n, crp D1, crp hs, rp Z) {
    for (size_t i = 0; i < n; i++) Z[i] = D1[i] * hs[i];
}
INL void fwd_ord2(size_t n, pinn_real c2, crp D1, crp D2, crp ha, crp hb, crp hs, rp Z) {
    if (!hs)
        for (size_t i = 0; i < n; i++) Z[i] = c2 * D2[i] * ha[i] * hb[i];
    else
        for (size_t i = 0; i < n; i++) Z[i] = c2 * D2[i] * ha[i] * hb[i] + D1[i] * hs[i];
}
/* acc = 0: the adjoint is empty and is stored rather than accumulated into (see tape.c). */
INL void bwd_value(size_t n, int acc, crp D1, crp gz, rp gh) {
    if (acc)
        for (size_t i = 0; i < n; i++) gh[i] += D1[i] * gz[i];
    else
        for (size_t i = 0; i < n; i++) gh[i] = D1[i] * gz[i];
}
INL void bwd_ord1(size_t n, int acc, crp D1, crp D2, crp hs, crp GZ, rp gh, rp gs) {
    if (acc)
        for (size_t i = 0; i < n; i++) {
            gh[i] += D2[i] * hs[i] * GZ[i];
            gs[i] += D1[i] * GZ[i];
        }
    else
        for (size_t i = 0; i < n; i++) {
            gh[i] += D2[i] * hs[i] * GZ[i];
            gs[i] = D1[i] * GZ[i];
        }
}
/* k = 2 term c2 f'' h_a h_b (+ f' h_s unless affine, hs = gs = NULL then; acc_s = 0: gs is
 * stored). */
INL void bwd_ord2(size_t n, pinn_real c2, crp D1, crp D2, crp D3, crp ha, crp hb, crp hs, crp GZ, rp gh, rp ga,
                  rp gb, rp gs, int acc_s) {
    if (hs && !acc_s)
        for (size_t i = 0; i < n; i++) {
            pinn_real g = GZ[i];
            gh[i] += (c2 * D3[i] * ha[i] * hb[i] + D2[i] * hs[i]) * g;
            gs[i] = D1[i] * g;
            ga[i] += c2 * g * D2[i] * hb[i];
            gb[i] += c2 * g * D2[i] * ha[i];
        }
    else if (hs)
        for (size_t i = 0; i < n; i++) {
            pinn_real g = GZ[i];
            gh[i] += (c2 * D3[i] * ha[i] * hb[i] + D2[i] * hs[i]) * g;
            gs[i] += D1[i] * g;
            ga[i] += c2 * g * D2[i] * hb[i];
            gb[i] += c2 * g * D2[i] * ha[i];
        }
    else
        for (size_t i = 0; i < n; i++) {
            pinn_real g = GZ[i];
            gh[i] += c2 * D3[i] * ha[i] * hb[i] * g;
            ga[i] += c2 * g * D2[i] * hb[i];
            gb[i] += c2 * g * D2[i] * ha[i];
        }
}
/* the same with a == b: c2 f'' h_a^2, whose adjoint into h_a is 2 c2 f'' h_a. */
INL void bwd_ord2_sq(size_t n, pinn_real c2, crp D1, crp D2, crp D3, crp ha, crp hs, crp GZ, rp gh, rp ga, rp gs,
                     int acc_s) {
    if (hs && !acc_s)
        for (size_t i = 0; i < n; i++) {
            pinn_real g = GZ[i];
            gh[i] += (c2 * D3[i] * ha[i] * ha[i] + D2[i] * hs[i]) * g;
            gs[i] = D1[i] * g;
            ga[i] += 2 * c2 * g * D2[i] * ha[i];
        }
    else if (hs)
        for (size_t i = 0; i < n; i++) {
            pinn_real g = GZ[i];
            gh[i] += (c2 * D3[i] * ha[i] * ha[i] + D2[i] * hs[i]) * g;
            gs[i] += D1[i] * g;
            ga[i] += 2 * c2 * g * D2[i] * ha[i];
        }
    else
        for (size_t i = 0; i < n; i++) {
            pinn_real g = GZ[i];
            gh[i] += c2 * D3[i] * ha[i] * ha[i] * g;
            ga[i] += 2 * c2 * g * D2[i] * ha[i];
        }
}

/* The k = 2 term of an order-2 stream s. */
static const pinn_fdb_term *k2_term(const pinn_plan *pl, int s) {
    const pinn_fdb_term *t2 = &pl->fdb[pl->fdb_start[s]];
    return t2->k == 2 ? t2 : t2 + 1;
}

/* Order <= 2: stream s has a k=1 term (f' h_s) unless affine, and for order 2 one k=2 term.
 * Elements [i0, i0 + n) of every stream. */
PINN_SIMD_CLONES
static void forward_fast(const pinn_pass *ps, size_t nw, size_t i0, size_t n, int x_affine, const pinn_real *h,
                         const pinn_real *D, pinn_real *z) {
    const pinn_plan *pl = ps->plan;
    const pinn_real *D1 = D + nw + i0, *D2 = D + 2 * nw + i0;
    for (int s = 1; s < pl->S; s++) {
        pinn_real *Z = z + (size_t)s * nw + i0;
        const pinn_real *hs = h + (size_t)s * nw + i0;
        if (pl->ord[s] == 1) {
            fwd_ord1(n, D1, hs, Z);
            continue;
        }
        const pinn_fdb_term *t2 = k2_term(pl, s);
        fwd_ord2(n, (pinn_real)t2->coef, D1, D2, h + (size_t)t2->idx[0] * nw + i0, h + (size_t)t2->idx[1] * nw + i0,
                 x_affine ? NULL : hs, Z);
    }
}

/* Fused backward for plans whose order-2 streams are all pure second derivatives d²/dx_a² of
 * inputs that have their own order-1 stream (Burgers, Allen-Cahn, heat: t, x, xx; Laplacians:
 * x, y, xx, yy), up to 3 + 3 streams, with a non-affine input.  One pass reads every stream once
 * and writes each adjoint once (per element 4 + 2(M1 + M2) loads instead of about twice that). */
typedef struct fused_plan {
    int m1, m2;
    int s1[3], s2[3];    /* order-1 and order-2 streams */
    pinn_real c2[3];     /* coefficient of f'' h_a² in stream s2[q] */
    pinn_real msk[3][3]; /* msk[q][k] = 1 if s2[q] differentiates twice along stream s1[k] */
} fused_plan;

static int fused_plan_of(const pinn_plan *pl, fused_plan *f) {
    memset(f, 0, sizeof *f);
    for (int s = 1; s < pl->S; s++) {
        if (pl->ord[s] != 1) continue;
        if (f->m1 == 3) return 0;
        f->s1[f->m1++] = s;
    }
    for (int s = 1; s < pl->S; s++) {
        if (pl->ord[s] == 1) continue;
        const pinn_fdb_term *t2 = k2_term(pl, s);
        if (pl->ord[s] != 2 || f->m2 == 3 || t2->idx[0] != t2->idx[1]) return 0;
        int k = 0;
        while (k < f->m1 && f->s1[k] != t2->idx[0]) k++;
        if (k == f->m1) return 0;
        f->msk[f->m2][k] = 1;
        f->c2[f->m2] = (pinn_real)t2->coef;
        f->s2[f->m2++] = s;
    }
    return f->m1 > 0;
}

#define ST_SET(x, v) (x) = (v)
#define ST_ADD(x, v) (x) += (v)
/* the fused loop for M1 order-1 and M2 order-2 streams; ST stores or accumulates */
#define FUSED_LOOP(M1, M2, ST)                                                                               \
    IVDEP for (size_t i = 0; i < n; i++) {                                                                    \
        pinn_real d1 = D1[i], d2 = D2[i], d3 = (M2) ? D3[i] : 0, v0 = d1 * gz0[i], ga[3] = {0, 0, 0}, h1[3];  \
        for (int k = 0; k < (M1); k++) {                                                                      \
            pinn_real g = GZ1[k][i];                                                                          \
            h1[k] = H1[k][i];                                                                                 \
            v0 += d2 * h1[k] * g;                                                                             \
            ga[k] = d1 * g;                                                                                   \
        }                                                                                                     \
        for (int q = 0; q < (M2); q++) {                                                                      \
            pinn_real g = GZ2[q][i], ha = 0;                                                                  \
            for (int k = 0; k < (M1); k++) ha += f->msk[q][k] * h1[k];                                        \
            v0 += (f->c2[q] * d3 * ha * ha + d2 * H2[q][i]) * g;                                              \
            pinn_real t = 2 * f->c2[q] * g * d2 * ha;                                                         \
            for (int k = 0; k < (M1); k++) ga[k] += f->msk[q][k] * t;                                         \
            ST(G2[q][i], d1 * g);                                                                             \
        }                                                                                                     \
        ST(gh0[i], v0);                                                                                       \
        for (int k = 0; k < (M1); k++) ST(G1[k][i], ga[k]);                                                   \
    }
#define FUSED_FN(M1, M2)                                                                                       \
    PINN_SIMD_CLONES static void fused_##M1##_##M2(const fused_plan *f, size_t n, int acc, const pinn_real *D1, \
                                                   const pinn_real *D2, const pinn_real *D3,                  \
                                                   const pinn_real *gz0, pinn_real *gh0, const pinn_real **H1,  \
                                                   const pinn_real **GZ1, pinn_real **G1, const pinn_real **H2, \
                                                   const pinn_real **GZ2, pinn_real **G2) {                   \
        if (acc) {                                                                                            \
            FUSED_LOOP(M1, M2, ST_ADD)                                                                        \
        } else {                                                                                              \
            FUSED_LOOP(M1, M2, ST_SET)                                                                        \
        }                                                                                                     \
    }
FUSED_FN(1, 0)
FUSED_FN(1, 1)
FUSED_FN(2, 0)
FUSED_FN(2, 1)
FUSED_FN(2, 2)
FUSED_FN(3, 0)
FUSED_FN(3, 1)
FUSED_FN(3, 2)
FUSED_FN(3, 3)
typedef void (*fused_fn)(const fused_plan *, size_t, int, const pinn_real *, const pinn_real *, const pinn_real *,
                         const pinn_real *, pinn_real *, const pinn_real **, const pinn_real **, pinn_real **,
                         const pinn_real **, const pinn_real **, pinn_real **);

/* The forward pass of the same plans in one loop: z_s = f' h_s, z_(aa) = c f'' h_a² + f' h_(aa). */
#define FUSED_FWD_FN(M1, M2)                                                                                     \
    PINN_SIMD_CLONES static void fused_fwd_##M1##_##M2(const fused_plan *f, size_t n, const pinn_real *D1,      \
                                                       const pinn_real *D2, const pinn_real **H1, pinn_real **Z1, \
                                                       const pinn_real **H2, pinn_real **Z2) {                  \
        IVDEP for (size_t i = 0; i < n; i++) {                                                                  \
            pinn_real d1 = D1[i], d2 = D2[i], h1[3];                                                            \
            for (int k = 0; k < (M1); k++) {                                                                    \
                h1[k] = H1[k][i];                                                                               \
                Z1[k][i] = d1 * h1[k];                                                                          \
            }                                                                                                   \
            for (int q = 0; q < (M2); q++) {                                                                    \
                pinn_real ha = 0;                                                                               \
                for (int k = 0; k < (M1); k++) ha += f->msk[q][k] * h1[k];                                      \
                Z2[q][i] = f->c2[q] * d2 * ha * ha + d1 * H2[q][i];                                             \
            }                                                                                                   \
        }                                                                                                       \
    }
FUSED_FWD_FN(1, 0)
FUSED_FWD_FN(1, 1)
FUSED_FWD_FN(2, 0)
FUSED_FWD_FN(2, 1)
FUSED_FWD_FN(2, 2)
FUSED_FWD_FN(3, 0)
FUSED_FWD_FN(3, 1)
FUSED_FWD_FN(3, 2)
FUSED_FWD_FN(3, 3)
typedef void (*fused_fwd_fn)(const fused_plan *, size_t, const pinn_real *, const pinn_real *, const pinn_real **,
                             pinn_real **, const pinn_real **, pinn_real **);

/* The forward and backward kernels for m1 order-1 and m2 order-2 streams (m2 <= m1 <= 3, as
 * fused_plan_of guarantees: each order-2 stream differentiates twice along its own input). */
typedef struct fused_kernels {
    fused_fwd_fn fwd;
    fused_fn bwd;
} fused_kernels;
#define FK(M1, M2) {fused_fwd_##M1##_##M2, fused_##M1##_##M2}
static const fused_kernels *fused_pick(const fused_plan *f) {
    static const fused_kernels tab[4][4] = {{{NULL, NULL}, {NULL, NULL}, {NULL, NULL}, {NULL, NULL}},
                                            {FK(1, 0), FK(1, 1), {NULL, NULL}, {NULL, NULL}},
                                            {FK(2, 0), FK(2, 1), FK(2, 2), {NULL, NULL}},
                                            {FK(3, 0), FK(3, 1), FK(3, 2), FK(3, 3)}};
    return f->m1 >= 1 && f->m1 <= 3 && f->m2 <= f->m1 ? &tab[f->m1][f->m2] : NULL;
}

/* Elements [i0, i0 + n) of every stream through the fused forward kernel fn. */
static void forward_fused(fused_fwd_fn fn, const fused_plan *f, size_t nw, size_t i0, size_t n, const pinn_real *h,
                          const pinn_real *D, pinn_real *z) {
    const pinn_real *H1[3], *H2[3];
    pinn_real *Z1[3], *Z2[3];
    for (int k = 0; k < f->m1; k++) H1[k] = h + (size_t)f->s1[k] * nw + i0, Z1[k] = z + (size_t)f->s1[k] * nw + i0;
    for (int q = 0; q < f->m2; q++) H2[q] = h + (size_t)f->s2[q] * nw + i0, Z2[q] = z + (size_t)f->s2[q] * nw + i0;
    fn(f, n, D + nw + i0, D + 2 * nw + i0, H1, Z1, H2, Z2);
}

/* Elements [i0, i0 + n) of every stream through the fused kernel fn. */
static void backward_fused(fused_fn fn, const fused_plan *f, size_t nw, size_t i0, size_t n, int empty,
                           const pinn_real *h, pinn_real *gh, const pinn_real *D, const pinn_real *gz) {
    const pinn_real *H1[3], *GZ1[3], *H2[3], *GZ2[3];
    pinn_real *G1[3], *G2[3];
    for (int k = 0; k < f->m1; k++) {
        size_t o = (size_t)f->s1[k] * nw + i0;
        H1[k] = h + o, GZ1[k] = gz + o, G1[k] = gh + o;
    }
    for (int q = 0; q < f->m2; q++) {
        size_t o = (size_t)f->s2[q] * nw + i0;
        H2[q] = h + o, GZ2[q] = gz + o, G2[q] = gh + o;
    }
    const pinn_real *D3 = f->m2 ? D + 3 * nw + i0 : NULL; /* the third derivative exists for order-2 plans only */
    fn(f, n, !empty, D + nw + i0, D + 2 * nw + i0, D3, gz + i0, gh + i0, H1, GZ1, G1, H2, GZ2, G2);
}

enum { FAST_MAX_S = 64 }; /* streams the store-first bookkeeping covers (else: zero, then add) */

/* Zero chunk [i0, i0 + n) of stream s of gh unless done[s]; marks it done. */
static inline void chunk_claim(unsigned char *done, int s, pinn_real *gh, size_t nw, size_t i0, size_t n) {
    if (done[s]) return;
    memset(gh + (size_t)s * nw + i0, 0, sizeof(pinn_real) * n);
    done[s] = 1;
}

/* empty: gh holds no values yet; each stream's chunk is stored on its first write, and zeroed
 * first where a product term would only add into it. */
PINN_SIMD_CLONES
static void backward_fast(const pinn_pass *ps, size_t nw, size_t i0, size_t n, int x_affine, int empty,
                          const pinn_real *h, pinn_real *gh, const pinn_real *D, const pinn_real *gz) {
    const pinn_plan *pl = ps->plan;
    const pinn_real *D1 = D + nw + i0, *D2 = D + 2 * nw + i0, *D3 = pl->order >= 2 ? D + 3 * nw + i0 : NULL;
    unsigned char done[FAST_MAX_S];
    memset(done, !empty, sizeof done);
    bwd_value(n, !empty, D1, gz + i0, gh + i0);
    for (int s = 1; s < pl->S; s++) {
        const pinn_real *GZ = gz + (size_t)s * nw + i0, *hs = h + (size_t)s * nw + i0;
        pinn_real *gs = gh + (size_t)s * nw + i0;
        if (pl->ord[s] == 1) {
            bwd_ord1(n, done[s], D1, D2, hs, GZ, gh + i0, gs);
            done[s] = 1;
            continue;
        }
        const pinn_fdb_term *t2 = k2_term(pl, s);
        const pinn_real c2 = (pinn_real)t2->coef;
        int ia = t2->idx[0], ib = t2->idx[1];
        size_t a = (size_t)ia * nw + i0, b = (size_t)ib * nw + i0;
        chunk_claim(done, ia, gh, nw, i0, n);
        chunk_claim(done, ib, gh, nw, i0, n);
        int acc_s = done[s];
        if (x_affine) hs = NULL, gs = NULL;
        else done[s] = 1;
        if (a == b)
            bwd_ord2_sq(n, c2, D1, D2, D3, h + a, hs, GZ, gh + i0, gh + a, gs, acc_s);
        else
            bwd_ord2(n, c2, D1, D2, D3, h + a, h + b, hs, GZ, gh + i0, gh + a, gh + b, gs, acc_s);
    }
    for (int s = 1; s < pl->S; s++) chunk_claim(done, s, gh, nw, i0, n); /* streams nothing wrote */
}

/* Whether the order <= 2 kernels (fused or fast) take this node: those work on element ranges. */
static int ranged(const pinn_pass *ps) { return ps->plan->order <= 2 && !ps->general && ps->S <= FAST_MAX_S; }

int pinn_unary_has_range(const pinn_pass *ps) { return ranged(ps); }

/* Elements [r0, r0 + cnt) of every stream, r0 + cnt <= nw, through the ranged kernels. */
void pinn_unary_forward_range(const pinn_pass *ps, const pinn_node *nd, int x_affine, const pinn_jetbuf *x,
                              pinn_jetbuf *z, size_t r0, size_t cnt) {
    size_t nw = (size_t)ps->n * (size_t)nd->w, r1 = r0 + cnt;
    pinn_fn_derivs_ld(nd->fn, nd->p, x->v + r0, cnt, nw, ps->plan->order + 1, z->aux + r0);
    memcpy(z->v + r0, z->aux + r0, sizeof(pinn_real) * cnt);
    fused_plan f;
    const fused_kernels *fk;
    if (!x_affine && fused_plan_of(ps->plan, &f) && (fk = fused_pick(&f))) {
        for (size_t i0 = r0; i0 < r1; i0 += CHUNK)
            forward_fused(fk->fwd, &f, nw, i0, i0 + CHUNK < r1 ? CHUNK : r1 - i0, x->v, z->aux, z->v);
        return;
    }
    for (size_t i0 = r0; i0 < r1; i0 += CHUNK)
        forward_fast(ps, nw, i0, i0 + CHUNK < r1 ? CHUNK : r1 - i0, x_affine, x->v, z->aux, z->v);
}

void pinn_unary_forward(const pinn_pass *ps, const pinn_node *nd, int x_affine, const pinn_jetbuf *x,
                        pinn_jetbuf *z) {
    size_t nw = (size_t)ps->n * (size_t)nd->w;
    if (ranged(ps)) {
        pinn_unary_forward_range(ps, nd, x_affine, x, z, 0, nw);
        return;
    }
    derivs(ps, nd, x->v, z->aux);
    memcpy(z->v, z->aux, sizeof(pinn_real) * nw);
    forward_general(ps, nw, x_affine, x->v, z->aux, z->v);
}

/* Elements [r0, r0 + cnt) of every stream through the ranged kernels; empty: x's adjoint holds no
 * values yet in this range (it is stored there, not added to). */
void pinn_unary_backward_range(const pinn_pass *ps, const pinn_node *nd, int x_affine, int empty, pinn_jetbuf *x,
                               const pinn_jetbuf *z, size_t r0, size_t cnt) {
    size_t nw = (size_t)ps->n * (size_t)nd->w, r1 = r0 + cnt;
    fused_plan f;
    const fused_kernels *fk;
    if (!x_affine && fused_plan_of(ps->plan, &f) && (fk = fused_pick(&f))) {
        for (size_t i0 = r0; i0 < r1; i0 += CHUNK)
            backward_fused(fk->bwd, &f, nw, i0, i0 + CHUNK < r1 ? CHUNK : r1 - i0, empty, x->v, x->g, z->aux, z->g);
        return;
    }
    for (size_t i0 = r0; i0 < r1; i0 += CHUNK)
        backward_fast(ps, nw, i0, i0 + CHUNK < r1 ? CHUNK : r1 - i0, x_affine, empty, x->v, x->g, z->aux, z->g);
}

void pinn_unary_backward(const pinn_pass *ps, const pinn_node *nd, int x_affine, int empty, pinn_jetbuf *x,
                         const pinn_jetbuf *z) {
    size_t nw = (size_t)ps->n * (size_t)nd->w;
    if (ranged(ps)) {
        pinn_unary_backward_range(ps, nd, x_affine, empty, x, z, 0, nw);
        return;
    }
    if (empty) memset(x->g, 0, sizeof(pinn_real) * nw * (size_t)ps->S);
    const pinn_real *D1 = z->aux + nw;
    for (size_t i = 0; i < nw; i++) x->g[i] += D1[i] * z->g[i];
    backward_general(ps, nw, x_affine, x->v, x->g, z->aux, z->g);
}
