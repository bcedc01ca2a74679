/* precond.c - right preconditioners x = M y for the Krylov least-squares solvers: column scaling,
 * block Jacobi / additive Schwarz over column blocks with local QR (M_b = R^-1), local SVD
 * pseudo-inverse (M_b = V_k S_k^-1) or local rank-revealing QR (M_b = P_k R_11^-1), and caller
 * callbacks.  Each block's M_b is stored explicitly (n_b x k_b, row-major), so applying M or M^T
 * is one small dense product per block, threaded over blocks. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "solve/solve_internal.h"

#define AT(A, lda, i, j) (A)[(size_t)(i) + (size_t)(j) * (size_t)(lda)]
/* apply M / M^T threaded above this many stored entries */
#define PC_PAR_ENTRIES 100000

struct pinn_precond {
    pinn_precond_kind kind;
    int n, dim;
    double seconds;
    double block_cond;   /* max local condition (kept part), NaN if none */
    double *scale;       /* COLSCALE: n */
    /* block kinds */
    int nblk;
    int overlap;         /* a column in more than one block */
    int64_t *cptr;       /* nblk + 1, into cols */
    int *cols;
    int64_t *yptr;       /* nblk + 1, into y */
    int64_t *mptr;       /* nblk + 1, into mat */
    double *mat;         /* block b: n_b x k_b row-major */
    double *tmp;         /* overlap only: cptr[nblk] doubles */
    /* CUSTOM */
    void (*apply_fn)(void *, const double *, double *);
    void (*apply_t_fn)(void *, const double *, double *);
    void *ctx;
};

static const char *const kind_names[PINN_PRECOND_KIND_COUNT] = {
    [PINN_PRECOND_NONE] = "none",           [PINN_PRECOND_COLSCALE] = "colscale",
    [PINN_PRECOND_BLOCK_QR] = "block_qr",   [PINN_PRECOND_BLOCK_SVD] = "block_svd",
    [PINN_PRECOND_BLOCK_RRQR] = "block_rrqr", [PINN_PRECOND_CUSTOM] = "custom",
};

const char *pinn_precond_kind_to_string(pinn_precond_kind k) {
    if ((int)k < 0 || k >= PINN_PRECOND_KIND_COUNT) return "unknown";
    return kind_names[k];
}

pinn_status pinn_precond_kind_from_string(const char *s, pinn_precond_kind *k, pinn_error *err) {
    for (int i = 0; i < PINN_PRECOND_KIND_COUNT; i++)
        if (s && strcmp(s, kind_names[i]) == 0 && i != PINN_PRECOND_CUSTOM) {
            *k = (pinn_precond_kind)i;
            return PINN_OK;
        }
    return pinn_error_set(err, PINN_ERR_INVALID,
                          "unknown preconditioner '%s' (expected none, colscale, block_qr, "
                          "block_svd or block_rrqr)",
                          s ? s : "(null)");
}

void pinn_precond_free(pinn_precond *P) {
    if (!P) return;
    free(P->scale);
    free(P->cptr);
    free(P->cols);
    free(P->yptr);
    free(P->mptr);
    free(P->mat);
    free(P->tmp);
    free(P);
}

static int cmp_int(const void *a, const void *b) {
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

/* position of v in the sorted list r[0..n-1] (present by construction) */
static int find_sorted(const int *r, int n, int v) {
    int lo = 0, hi = n - 1;
    while (lo < hi) {
        int mid = (lo + hi) / 2;
        if (r[mid] < v) lo = mid + 1;
        else hi = mid;
    }
    return lo;
}

/* Per-thread scratch of the block factorisations, sized for the largest block. */
typedef struct pc_ws {
    int *rows;      /* nnz of the block: row indices, then unique */
    int *piv;       /* n_b */
    double *L;      /* m_b x n_b local matrix (column-major) */
    double *tau;    /* n_b */
    double *work;   /* 2 n_b */
    double *G, *V;  /* n_b x n_b each (SVD) */
    double *s;      /* n_b */
} pc_ws;

/* Factor block b: gather its rows of A into ws->L, factor by P->kind at tolerance sigma, write
 * M_b (n_b x k_b row-major) at P->mat + P->mptr[b]; returns k_b, and the local condition of the
 * kept part in *cond.  Returns -1 if the Jacobi SVD did not converge. */
static int pc_block(pinn_precond *P, const pinn_csr *A, int b, double sigma, pc_ws *ws,
                    double *cond) {
    const int *cols = P->cols + P->cptr[b];
    int nb = (int)(P->cptr[b + 1] - P->cptr[b]);
    int nr = 0;
    for (int l = 0; l < nb; l++)
        for (int64_t q = A->t_ptr[cols[l]]; q < A->t_ptr[cols[l] + 1]; q++) ws->rows[nr++] = A->t_idx[q];
    qsort(ws->rows, (size_t)nr, sizeof *ws->rows, cmp_int);
    int mb = 0;
    for (int i = 0; i < nr; i++)
        if (mb == 0 || ws->rows[mb - 1] != ws->rows[i]) ws->rows[mb++] = ws->rows[i];
    double *L = ws->L;
    int ld = mb > 0 ? mb : 1;
    memset(L, 0, (size_t)ld * (size_t)nb * sizeof *L);
    for (int l = 0; l < nb; l++)
        for (int64_t q = A->t_ptr[cols[l]]; q < A->t_ptr[cols[l] + 1]; q++)
            AT(L, ld, find_sorted(ws->rows, mb, A->t_idx[q]), l) = A->t_val[q];
    double *M = P->mat + P->mptr[b];
    int k = 0, kmax = mb < nb ? mb : nb;
    *cond = 1.0;
    if (P->kind == PINN_PRECOND_BLOCK_QR || P->kind == PINN_PRECOND_BLOCK_RRQR) {
        if (P->kind == PINN_PRECOND_BLOCK_QR) {
            k = sv_hqr_greedy(mb, nb, L, ld, ws->tau, sigma, ws->piv, ws->work);
        } else {
            sv_hqr(mb, nb, L, ld, ws->tau, ws->piv, ws->work);
            double r11 = kmax > 0 ? fabs(AT(L, ld, 0, 0)) : 0.0;
            while (k < kmax && AT(L, ld, k, k) != 0.0 && fabs(AT(L, ld, k, k)) > sigma * r11) k++;
        }
        if (k > 0) *cond = sv_tri_cond1(k, L, ld, ws->work);
        sv_tri_inv_upper(k, L, ld); /* nonzero diagonal by construction */
        memset(M, 0, (size_t)nb * (size_t)k * sizeof *M);
        for (int q = 0; q < k; q++)          /* row piv[q] of M_b = row q of R^-1 */
            for (int c = q; c < k; c++) M[(size_t)ws->piv[q] * k + c] = AT(L, ld, q, c);
    } else { /* BLOCK_SVD: QR, then Jacobi on the kmax x nb factor R */
        sv_hqr(mb, nb, L, ld, ws->tau, NULL, NULL);
        for (int j = 0; j < nb; j++)
            for (int i = 0; i < kmax; i++) AT(ws->G, kmax, i, j) = i <= j ? AT(L, ld, i, j) : 0.0;
        if (kmax > 0 && sv_jacobi_svd(kmax, nb, ws->G, kmax, ws->V, nb, ws->s, ws->work) < 0)
            return -1;
        double s0 = kmax > 0 ? ws->s[0] : 0.0;
        while (k < kmax && ws->s[k] > 0.0 && ws->s[k] > sigma * s0) k++;
        if (k > 0) *cond = s0 / ws->s[k - 1];
        for (int i = 0; i < nb; i++)
            for (int c = 0; c < k; c++) M[(size_t)i * k + c] = AT(ws->V, nb, i, c) / ws->s[c];
    }
    return k;
}

/* Builds the block list (the caller's blocks, then 1 x 1 blocks for uncovered columns) and the
 * factors.  P owns everything it allocates. */
static pinn_status pc_blocks(pinn_precond *P, const pinn_csr *A, const pinn_precond_opts *o,
                             pinn_error *err) {
    int n = A->cols;
    const pinn_col_blocks *B = &o->blocks;
    double sigma = o->sigma > 0.0 ? o->sigma : 1e-8;
    if (!A->t_ptr)
        return pinn_error_set(err, PINN_ERR_INVALID,
                              "precond %s: the matrix has no transpose; call pinn_csr_finish first",
                              kind_names[P->kind]);
    if (B->count < 0 || (B->count > 0 && (!B->ptr || !B->cols)))
        return pinn_error_set(err, PINN_ERR_INVALID, "precond: bad column blocks");
    int *cover = calloc((size_t)n + 1, sizeof *cover);
    if (!cover) return pinn_error_set(err, PINN_ERR_NOMEM, "precond: no memory");
    int64_t base = B->count > 0 ? B->ptr[0] : 0, given = B->count > 0 ? B->ptr[B->count] - base : 0;
    for (int b = 0; b < B->count; b++)
        if (B->ptr[b + 1] < B->ptr[b]) {
            free(cover);
            return pinn_error_set(err, PINN_ERR_INVALID, "precond: block %d has negative size", b);
        }
    for (int64_t q = base; q < base + given; q++) {
        int c = B->cols[q];
        if (c < 0 || c >= n) {
            free(cover);
            return pinn_error_set(err, PINN_ERR_INVALID, "precond: block column %d out of [0, %d)",
                                  c, n);
        }
        if (cover[c]++) P->overlap = 1;
    }
    int extra = 0;
    for (int c = 0; c < n; c++) extra += cover[c] == 0;
    P->nblk = B->count + extra;
    int64_t ncols = given + extra;
    P->cptr = malloc(((size_t)P->nblk + 1) * sizeof *P->cptr);
    P->yptr = malloc(((size_t)P->nblk + 1) * sizeof *P->yptr);
    P->mptr = malloc(((size_t)P->nblk + 1) * sizeof *P->mptr);
    P->cols = malloc((size_t)(ncols > 0 ? ncols : 1) * sizeof *P->cols);
    if (!P->cptr || !P->yptr || !P->mptr || !P->cols) {
        free(cover);
        return pinn_error_set(err, PINN_ERR_NOMEM, "precond: no memory");
    }
    P->cptr[0] = 0;
    for (int b = 0; b < B->count; b++) {
        P->cptr[b + 1] = B->ptr[b + 1] - B->ptr[0];
        memcpy(P->cols + P->cptr[b], B->cols + B->ptr[b],
               (size_t)(B->ptr[b + 1] - B->ptr[b]) * sizeof *P->cols);
    }
    int b = B->count;
    for (int c = 0; c < n; c++)
        if (cover[c] == 0) {
            P->cols[P->cptr[b]] = c;
            P->cptr[b + 1] = P->cptr[b] + 1;
            b++;
        }
    free(cover);
    /* sizes: factor slots n_b^2 (compacted to n_b k_b below), scratch for the largest block */
    int64_t maxnnz = 1, mat = 0;
    int maxn = 1;
    for (b = 0; b < P->nblk; b++) {
        int nb = (int)(P->cptr[b + 1] - P->cptr[b]);
        int64_t z = 0;
        for (int64_t q = P->cptr[b]; q < P->cptr[b + 1]; q++)
            z += A->t_ptr[P->cols[q] + 1] - A->t_ptr[P->cols[q]];
        if (z > maxnnz) maxnnz = z;
        if (nb > maxn) maxn = nb;
        P->mptr[b] = mat;
        mat += (int64_t)nb * nb;
    }
    P->mptr[P->nblk] = mat;
    int nt = 1;
#ifdef _OPENMP
    nt = omp_get_max_threads();
#endif
    size_t wsd = (size_t)maxnnz * (size_t)maxn + 5 * (size_t)maxn + 2 * (size_t)maxn * maxn;
    size_t wsi = (size_t)maxnnz + (size_t)maxn;
    P->mat = malloc((size_t)(mat > 0 ? mat : 1) * sizeof *P->mat);
    double *wd = malloc(wsd * (size_t)nt * sizeof *wd);
    int *wi = malloc(wsi * (size_t)nt * sizeof *wi);
    int *kb = malloc((size_t)(P->nblk > 0 ? P->nblk : 1) * sizeof *kb);
    double *cb = malloc((size_t)(P->nblk > 0 ? P->nblk : 1) * sizeof *cb);
    pinn_status st = PINN_OK;
    if (!P->mat || !wd || !wi || !kb || !cb) {
        st = pinn_error_set(err, PINN_ERR_NOMEM, "precond: no memory for the block factors");
        goto done;
    }
    int failed = -1;
#pragma omp parallel num_threads(nt)
    {
        int t = 0;
#ifdef _OPENMP
        t = omp_get_thread_num();
#endif
        pc_ws ws;
        double *d = wd + wsd * (size_t)t;
        ws.rows = wi + wsi * (size_t)t;
        ws.piv = ws.rows + maxnnz;
        ws.L = d;
        d += (size_t)maxnnz * (size_t)maxn;
        ws.tau = d;
        ws.work = d + maxn;
        ws.s = d + 3 * (size_t)maxn;
        ws.G = d + 5 * (size_t)maxn;
        ws.V = ws.G + (size_t)maxn * maxn;
#pragma omp for schedule(dynamic, 4)
        for (int q = 0; q < P->nblk; q++) {
            kb[q] = pc_block(P, A, q, sigma, &ws, &cb[q]);
            if (kb[q] < 0) {
#pragma omp critical(pinn_precond_fail)
                failed = q;
            }
        }
    }
    if (failed >= 0) {
        st = pinn_error_set(err, PINN_ERR_NUMERIC, "precond block_svd: Jacobi SVD of block %d did "
                            "not converge", failed);
        goto done;
    }
    /* compact the factors to n_b x k_b and lay out y */
    int64_t at = 0;
    P->yptr[0] = 0;
    P->block_cond = 1.0;
    for (b = 0; b < P->nblk; b++) {
        int64_t sz = (P->cptr[b + 1] - P->cptr[b]) * (int64_t)kb[b];
        if (at != P->mptr[b]) memmove(P->mat + at, P->mat + P->mptr[b], (size_t)sz * sizeof *P->mat);
        P->mptr[b] = at;
        at += sz;
        P->yptr[b + 1] = P->yptr[b] + kb[b];
        if (kb[b] > 0 && cb[b] > P->block_cond) P->block_cond = cb[b];
    }
    P->mptr[P->nblk] = at;
    P->dim = (int)P->yptr[P->nblk];
    double *shrunk = realloc(P->mat, (size_t)(at > 0 ? at : 1) * sizeof *P->mat);
    if (shrunk) P->mat = shrunk;
    if (P->overlap) {
        P->tmp = malloc((size_t)(ncols > 0 ? ncols : 1) * sizeof *P->tmp);
        if (!P->tmp) st = pinn_error_set(err, PINN_ERR_NOMEM, "precond: no memory");
    }
done:
    free(wd);
    free(wi);
    free(kb);
    free(cb);
    return st;
}

/* Creates *P by opts->kind; on failure *P is NULL and nothing is left allocated. */
pinn_status pinn_precond_create(pinn_precond **Pout, const pinn_csr *A, const pinn_precond_opts *o,
                                pinn_error *err) {
    double t0 = sv_now();
    *Pout = NULL;
    if (!A || !o || (int)o->kind < 0 || o->kind >= PINN_PRECOND_KIND_COUNT ||
        o->kind == PINN_PRECOND_CUSTOM)
        return pinn_error_set(err, PINN_ERR_INVALID,
                              "precond: bad arguments (custom ones come from pinn_precond_custom)");
    pinn_precond *P = calloc(1, sizeof *P);
    if (!P) return pinn_error_set(err, PINN_ERR_NOMEM, "precond: no memory");
    P->kind = o->kind;
    P->n = P->dim = A->cols;
    P->block_cond = NAN;
    pinn_status st = PINN_OK;
    if (o->kind == PINN_PRECOND_COLSCALE) {
        P->scale = malloc((size_t)(A->cols > 0 ? A->cols : 1) * sizeof *P->scale);
        if (!P->scale) {
            st = pinn_error_set(err, PINN_ERR_NOMEM, "precond: no memory");
        } else {
            pinn_csr_col_norms(A, P->scale);
            for (int j = 0; j < A->cols; j++) P->scale[j] = P->scale[j] > 0.0 ? 1.0 / P->scale[j] : 1.0;
        }
    } else if (o->kind != PINN_PRECOND_NONE) {
        st = pc_blocks(P, A, o, err);
    }
    if (st) {
        pinn_precond_free(P);
        return st;
    }
    P->seconds = sv_now() - t0;
    *Pout = P;
    return PINN_OK;
}

pinn_status pinn_precond_custom(pinn_precond **Pout, int n, int dim,
                                void (*apply)(void *ctx, const double *y, double *x),
                                void (*apply_t)(void *ctx, const double *x, double *y), void *ctx,
                                pinn_error *err) {
    *Pout = NULL;
    if (n < 0 || dim < 0 || !apply || !apply_t)
        return pinn_error_set(err, PINN_ERR_INVALID, "precond custom: bad arguments");
    pinn_precond *P = calloc(1, sizeof *P);
    if (!P) return pinn_error_set(err, PINN_ERR_NOMEM, "precond: no memory");
    P->kind = PINN_PRECOND_CUSTOM;
    P->n = n;
    P->dim = dim;
    P->block_cond = NAN;
    P->apply_fn = apply;
    P->apply_t_fn = apply_t;
    P->ctx = ctx;
    *Pout = P;
    return PINN_OK;
}

/* x = M y.  Overlapping blocks go through P->tmp (so one P must not be applied by two threads
 * at once), then are summed in block order: deterministic. */
void pinn_precond_apply(const pinn_precond *P, const double *y, double *x) {
    switch (P->kind) {
    case PINN_PRECOND_NONE: sv_copy(P->n, y, x); return;
    case PINN_PRECOND_CUSTOM: P->apply_fn(P->ctx, y, x); return;
    case PINN_PRECOND_COLSCALE:
        for (int j = 0; j < P->n; j++) x[j] = P->scale[j] * y[j];
        return;
    default: break;
    }
    double *out = P->overlap ? P->tmp : NULL;
#pragma omp parallel for schedule(dynamic, 16) if (P->mptr[P->nblk] >= PC_PAR_ENTRIES)
    for (int b = 0; b < P->nblk; b++) {
        int nb = (int)(P->cptr[b + 1] - P->cptr[b]), kb = (int)(P->yptr[b + 1] - P->yptr[b]);
        const double *M = P->mat + P->mptr[b], *yb = y + P->yptr[b];
        const int *cols = P->cols + P->cptr[b];
        for (int i = 0; i < nb; i++) {
            double s = 0.0;
            for (int c = 0; c < kb; c++) s += M[(size_t)i * kb + c] * yb[c];
            if (out) out[P->cptr[b] + i] = s;
            else x[cols[i]] = s;
        }
    }
    if (out) {
        sv_zero(P->n, x);
        for (int64_t q = 0; q < P->cptr[P->nblk]; q++) x[P->cols[q]] += out[q];
    }
}

/* y = M^T x, block by block (each y_b is written by one block only). */
void pinn_precond_apply_t(const pinn_precond *P, const double *x, double *y) {
    switch (P->kind) {
    case PINN_PRECOND_NONE: sv_copy(P->n, x, y); return;
    case PINN_PRECOND_CUSTOM: P->apply_t_fn(P->ctx, x, y); return;
    case PINN_PRECOND_COLSCALE:
        for (int j = 0; j < P->n; j++) y[j] = P->scale[j] * x[j];
        return;
    default: break;
    }
#pragma omp parallel for schedule(dynamic, 16) if (P->mptr[P->nblk] >= PC_PAR_ENTRIES)
    for (int b = 0; b < P->nblk; b++) {
        int nb = (int)(P->cptr[b + 1] - P->cptr[b]), kb = (int)(P->yptr[b + 1] - P->yptr[b]);
        const double *M = P->mat + P->mptr[b];
        const int *cols = P->cols + P->cptr[b];
        double *yb = y + P->yptr[b];
        for (int c = 0; c < kb; c++) yb[c] = 0.0;
        for (int i = 0; i < nb; i++) {
            double xi = x[cols[i]];
            const double *m = M + (size_t)i * kb;
            for (int c = 0; c < kb; c++) yb[c] += m[c] * xi;
        }
    }
}

int pinn_precond_dim(const pinn_precond *P) { return P->dim; }
pinn_precond_kind pinn_precond_kind_of(const pinn_precond *P) { return P->kind; }
double pinn_precond_block_cond(const pinn_precond *P) { return P->block_cond; }
double pinn_precond_seconds(const pinn_precond *P) { return P->seconds; }
