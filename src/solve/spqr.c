/* spqr.c - direct sparse least squares through SuiteSparseQR's C interface (optional,
 * PINN_WITH_SUITESPARSE): the CSR matrix is handed over in CHOLMOD's compressed-column form and
 * solved by SuiteSparseQR_C_backslash (Q-less sparse QR with fill-reducing ordering; a basic
 * solution for rank-deficient A).  Without SuiteSparse the entry point returns UNSUPPORTED. */
#include <stdlib.h>
#include <string.h>

#include "solve/solve_internal.h"

#ifdef PINN_HAVE_SUITESPARSE
#include <SuiteSparseQR_C.h>

/* Builds the CHOLMOD copies, solves, copies X into x; frees everything it made. */
pinn_status sv_spqr(const pinn_csr *A, const double *b, double *x, double tol, int *rank,
                    pinn_error *err) {
    int m = A->rows, n = A->cols;
    cholmod_common cc;
    cholmod_l_start(&cc);
    cholmod_sparse *S = cholmod_l_allocate_sparse((size_t)m, (size_t)n, (size_t)A->nnz, 1, 1, 0,
                                                  CHOLMOD_REAL, &cc);
    cholmod_dense *B = cholmod_l_allocate_dense((size_t)m, 1, (size_t)m, CHOLMOD_REAL, &cc);
    pinn_status st = PINN_OK;
    if (!S || !B) {
        st = pinn_error_set(err, PINN_ERR_NOMEM, "spqr: no memory for the CHOLMOD copies");
        goto done;
    }
    SuiteSparse_long *cp = S->p, *ri = S->i;
    double *sx = S->x;
    /* column counts, prefix sums, then rows in increasing order (sorted columns) */
    memset(cp, 0, ((size_t)n + 1) * sizeof *cp);
    for (int64_t k = 0; k < A->nnz; k++) cp[A->col_idx[k] + 1]++;
    for (int j = 0; j < n; j++) cp[j + 1] += cp[j];
    for (int i = 0; i < m; i++)
        for (int64_t k = A->row_ptr[i]; k < A->row_ptr[i + 1]; k++) {
            SuiteSparse_long at = cp[A->col_idx[k]]++;
            ri[at] = i;
            sx[at] = A->values[k];
        }
    for (int j = n; j > 0; j--) cp[j] = cp[j - 1];
    cp[0] = 0;
    memcpy(B->x, b, (size_t)m * sizeof *b);
    cholmod_dense *X = SuiteSparseQR_C_backslash(SPQR_ORDERING_DEFAULT,
                                                 tol < 0.0 ? SPQR_DEFAULT_TOL : tol, S, B, &cc);
    if (!X) {
        st = pinn_error_set(err, cc.status == CHOLMOD_OUT_OF_MEMORY ? PINN_ERR_NOMEM : PINN_ERR_NUMERIC,
                            "spqr: SuiteSparseQR failed (CHOLMOD status %d)", cc.status);
        goto done;
    }
    memcpy(x, X->x, (size_t)n * sizeof *x);
    *rank = (int)cc.SPQR_istat[4];
    cholmod_l_free_dense(&X, &cc);
done:
    if (S) cholmod_l_free_sparse(&S, &cc);
    if (B) cholmod_l_free_dense(&B, &cc);
    cholmod_l_finish(&cc);
    return st;
}

#else

pinn_status sv_spqr(const pinn_csr *A, const double *b, double *x, double tol, int *rank,
                    pinn_error *err) {
    (void)A;
    (void)b;
    (void)x;
    (void)tol;
    (void)rank;
    return pinn_error_set(err, PINN_ERR_UNSUPPORTED,
                          "spqr: this build has no SuiteSparseQR (install libsuitesparse-dev and "
                          "configure with -DPINN_WITH_SUITESPARSE=ON)");
}

#endif
