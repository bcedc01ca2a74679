/* csr.c - the CSR sparse matrix of src/solve: sized-once builder (row appends or triplets), the
 * transposed copy for threaded A^T x, products, column norms; and the deterministic vector
 * kernels and the clock shared by the solvers. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "solve/solve_internal.h"

/* Products and vector kernels thread only above these sizes (below, the fork costs more). */
#define SV_PAR_NNZ 200000
#define SV_PAR_VEC 200000
/* Fixed number of chunks of every reduction, independent of the thread count. */
#define SV_CHUNKS 32

/* Returns seconds on CLOCK_MONOTONIC. */
double sv_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Dot product summed in SV_CHUNKS fixed chunks, then the chunk sums in order. */
double sv_dot(int64_t n, const double *x, const double *y) {
    double part[SV_CHUNKS];
#pragma omp parallel for schedule(static) if (n >= SV_PAR_VEC)
    for (int c = 0; c < SV_CHUNKS; c++) {
        int64_t i0 = n * c / SV_CHUNKS, i1 = n * (c + 1) / SV_CHUNKS;
        double s = 0.0;
        for (int64_t i = i0; i < i1; i++) s += x[i] * y[i];
        part[c] = s;
    }
    double s = 0.0;
    for (int c = 0; c < SV_CHUNKS; c++) s += part[c];
    return s;
}

double sv_nrm2(int64_t n, const double *x) { return sqrt(sv_dot(n, x, x)); }

void sv_scal(int64_t n, double a, double *x) {
#pragma omp parallel for schedule(static) if (n >= SV_PAR_VEC)
    for (int64_t i = 0; i < n; i++) x[i] *= a;
}

void sv_axpy(int64_t n, double a, const double *x, double *y) {
#pragma omp parallel for schedule(static) if (n >= SV_PAR_VEC)
    for (int64_t i = 0; i < n; i++) y[i] += a * x[i];
}

void sv_xpby(int64_t n, const double *x, double b, double *y) {
#pragma omp parallel for schedule(static) if (n >= SV_PAR_VEC)
    for (int64_t i = 0; i < n; i++) y[i] = x[i] + b * y[i];
}

void sv_copy(int64_t n, const double *x, double *y) {
    if (n > 0) memcpy(y, x, (size_t)n * sizeof *y);
}

void sv_zero(int64_t n, double *x) {
    if (n > 0) memset(x, 0, (size_t)n * sizeof *x);
}

/* Allocates row_ptr, col_idx, values for nnz_cap entries; A owns them. */
pinn_status pinn_csr_init(pinn_csr *A, int rows, int cols, int64_t nnz_cap, pinn_error *err) {
    memset(A, 0, sizeof *A);
    if (rows < 0 || cols < 0 || nnz_cap < 0)
        return pinn_error_set(err, PINN_ERR_INVALID, "csr: negative size (%d x %d, %lld entries)",
                              rows, cols, (long long)nnz_cap);
    A->rows = rows;
    A->cols = cols;
    A->cap = nnz_cap;
    A->row_ptr = calloc((size_t)rows + 1, sizeof *A->row_ptr);
    A->col_idx = malloc((size_t)(nnz_cap > 0 ? nnz_cap : 1) * sizeof *A->col_idx);
    A->values = malloc((size_t)(nnz_cap > 0 ? nnz_cap : 1) * sizeof *A->values);
    if (!A->row_ptr || !A->col_idx || !A->values) {
        pinn_csr_free(A);
        return pinn_error_set(err, PINN_ERR_NOMEM, "csr: no memory for %lld entries",
                              (long long)nnz_cap);
    }
    return PINN_OK;
}

/* Sorts the entries of one row by column (insertion sort: rows arrive nearly sorted) and sums
 * duplicates; returns the new length. */
static int64_t row_sort_merge(int *c, double *v, int64_t n) {
    for (int64_t i = 1; i < n; i++) {
        int ci = c[i];
        double vi = v[i];
        int64_t j = i - 1;
        while (j >= 0 && c[j] > ci) {
            c[j + 1] = c[j];
            v[j + 1] = v[j];
            j--;
        }
        c[j + 1] = ci;
        v[j + 1] = vi;
    }
    int64_t w = 0;
    for (int64_t i = 0; i < n; i++) {
        if (w > 0 && c[w - 1] == c[i]) {
            v[w - 1] += v[i];
        } else {
            c[w] = c[i];
            v[w] = v[i];
            w++;
        }
    }
    return w;
}

/* Copies the row into the next slot, sorted and merged; INVALID past the end or capacity. */
pinn_status pinn_csr_append_row(pinn_csr *A, int n, const int *cols, const double *vals,
                                pinn_error *err) {
    if (A->next_row >= A->rows)
        return pinn_error_set(err, PINN_ERR_INVALID, "csr: all %d rows already appended", A->rows);
    if (n < 0 || A->nnz + n > A->cap)
        return pinn_error_set(err, PINN_ERR_INVALID,
                              "csr: row %d with %d entries exceeds the capacity %lld", A->next_row,
                              n, (long long)A->cap);
    int *c = A->col_idx + A->nnz;
    double *v = A->values + A->nnz;
    for (int k = 0; k < n; k++) {
        if (cols[k] < 0 || cols[k] >= A->cols)
            return pinn_error_set(err, PINN_ERR_INVALID, "csr: row %d: column %d out of [0, %d)",
                                  A->next_row, cols[k], A->cols);
        c[k] = cols[k];
        v[k] = vals[k];
    }
    A->nnz += row_sort_merge(c, v, n);
    A->next_row++;
    A->row_ptr[A->next_row] = A->nnz;
    return PINN_OK;
}

/* Counting sort of the triplets by row into a fresh A, then per-row sort and merge. */
pinn_status pinn_csr_from_triplets(pinn_csr *A, int rows, int cols, int64_t nnz, const int *ri,
                                   const int *ci, const double *v, pinn_error *err) {
    pinn_status st = pinn_csr_init(A, rows, cols, nnz, err);
    if (st) return st;
    for (int64_t k = 0; k < nnz; k++) {
        if (ri[k] < 0 || ri[k] >= rows || ci[k] < 0 || ci[k] >= cols) {
            pinn_csr_free(A);
            return pinn_error_set(err, PINN_ERR_INVALID,
                                  "csr: triplet %lld at (%d, %d) outside %d x %d", (long long)k,
                                  ri[k], ci[k], rows, cols);
        }
        A->row_ptr[ri[k] + 1]++;
    }
    for (int i = 0; i < rows; i++) A->row_ptr[i + 1] += A->row_ptr[i];
    /* next free slot per row: reuse row_ptr shifted by one, restored below */
    for (int64_t k = 0; k < nnz; k++) {
        int64_t at = A->row_ptr[ri[k]]++;
        A->col_idx[at] = ci[k];
        A->values[at] = v[k];
    }
    for (int i = rows; i > 0; i--) A->row_ptr[i] = A->row_ptr[i - 1];
    A->row_ptr[0] = 0;
    /* sort and merge each row, compacting in place */
    int64_t w = 0;
    for (int i = 0; i < rows; i++) {
        int64_t r0 = A->row_ptr[i], r1 = A->row_ptr[i + 1];
        if (w != r0) {
            memmove(A->col_idx + w, A->col_idx + r0, (size_t)(r1 - r0) * sizeof *A->col_idx);
            memmove(A->values + w, A->values + r0, (size_t)(r1 - r0) * sizeof *A->values);
        }
        A->row_ptr[i] = w;
        w += row_sort_merge(A->col_idx + w, A->values + w, r1 - r0);
    }
    A->row_ptr[rows] = w;
    A->nnz = w;
    A->next_row = rows;
    return pinn_csr_finish(A, err);
}

/* Fills the missing row pointers and builds t_ptr / t_idx / t_val (A owns them). */
pinn_status pinn_csr_finish(pinn_csr *A, pinn_error *err) {
    for (int i = A->next_row; i < A->rows; i++) A->row_ptr[i + 1] = A->nnz;
    A->next_row = A->rows;
    free(A->t_ptr);
    free(A->t_idx);
    free(A->t_val);
    A->t_ptr = calloc((size_t)A->cols + 1, sizeof *A->t_ptr);
    A->t_idx = malloc((size_t)(A->nnz > 0 ? A->nnz : 1) * sizeof *A->t_idx);
    A->t_val = malloc((size_t)(A->nnz > 0 ? A->nnz : 1) * sizeof *A->t_val);
    if (!A->t_ptr || !A->t_idx || !A->t_val) {
        free(A->t_ptr);
        free(A->t_idx);
        free(A->t_val);
        A->t_ptr = NULL;
        A->t_idx = NULL;
        A->t_val = NULL;
        return pinn_error_set(err, PINN_ERR_NOMEM, "csr: no memory for the transpose (%lld entries)",
                              (long long)A->nnz);
    }
    for (int64_t k = 0; k < A->nnz; k++) A->t_ptr[A->col_idx[k] + 1]++;
    for (int j = 0; j < A->cols; j++) A->t_ptr[j + 1] += A->t_ptr[j];
    /* rows in increasing order, so each column's row list comes out sorted */
    for (int i = 0; i < A->rows; i++)
        for (int64_t k = A->row_ptr[i]; k < A->row_ptr[i + 1]; k++) {
            int64_t at = A->t_ptr[A->col_idx[k]]++;
            A->t_idx[at] = i;
            A->t_val[at] = A->values[k];
        }
    for (int j = A->cols; j > 0; j--) A->t_ptr[j] = A->t_ptr[j - 1];
    A->t_ptr[0] = 0;
    return PINN_OK;
}

void pinn_csr_free(pinn_csr *A) {
    if (!A) return;
    free(A->row_ptr);
    free(A->col_idx);
    free(A->values);
    free(A->t_ptr);
    free(A->t_idx);
    free(A->t_val);
    memset(A, 0, sizeof *A);
}

/* y = A x, one row per iteration (rows are independent: deterministic). */
void pinn_csr_matvec(const pinn_csr *A, const double *x, double *y) {
    const int64_t *rp = A->row_ptr;
    const int *ci = A->col_idx;
    const double *v = A->values;
#pragma omp parallel for schedule(static) if (A->nnz >= SV_PAR_NNZ)
    for (int i = 0; i < A->rows; i++) {
        double s = 0.0;
        for (int64_t k = rp[i]; k < rp[i + 1]; k++) s += v[k] * x[ci[k]];
        y[i] = s;
    }
}

/* y = A^T x: rows of the transpose in parallel, or a serial scatter in row order without it;
 * both add the terms of y_j in increasing row order, so they agree bit for bit. */
void pinn_csr_matvec_t(const pinn_csr *A, const double *x, double *y) {
    if (A->t_ptr) {
        const int64_t *tp = A->t_ptr;
        const int *ti = A->t_idx;
        const double *tv = A->t_val;
#pragma omp parallel for schedule(static) if (A->nnz >= SV_PAR_NNZ)
        for (int j = 0; j < A->cols; j++) {
            double s = 0.0;
            for (int64_t k = tp[j]; k < tp[j + 1]; k++) s += tv[k] * x[ti[k]];
            y[j] = s;
        }
        return;
    }
    sv_zero(A->cols, y);
    for (int i = 0; i < A->rows; i++) {
        double xi = x[i];
        for (int64_t k = A->row_ptr[i]; k < A->row_ptr[i + 1]; k++)
            y[A->col_idx[k]] += A->values[k] * xi;
    }
}

/* norms[j] = ||A e_j||; through the transpose when present. */
void pinn_csr_col_norms(const pinn_csr *A, double *norms) {
    if (A->t_ptr) {
#pragma omp parallel for schedule(static) if (A->nnz >= SV_PAR_NNZ)
        for (int j = 0; j < A->cols; j++) {
            double s = 0.0;
            for (int64_t k = A->t_ptr[j]; k < A->t_ptr[j + 1]; k++) s += A->t_val[k] * A->t_val[k];
            norms[j] = sqrt(s);
        }
        return;
    }
    sv_zero(A->cols, norms);
    for (int64_t k = 0; k < A->nnz; k++) norms[A->col_idx[k]] += A->values[k] * A->values[k];
    for (int j = 0; j < A->cols; j++) norms[j] = sqrt(norms[j]);
}

/* Dense row-major copy of A into D (rows x ld). */
void pinn_csr_to_dense(const pinn_csr *A, double *D, int ld) {
    for (int i = 0; i < A->rows; i++) {
        double *d = D + (size_t)i * (size_t)ld;
        memset(d, 0, (size_t)A->cols * sizeof *d);
        for (int64_t k = A->row_ptr[i]; k < A->row_ptr[i + 1]; k++) d[A->col_idx[k]] = A->values[k];
    }
}
