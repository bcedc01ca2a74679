/* sparse.h - internal CSR matrices and Jacobi-preconditioned Krylov solvers (CG for symmetric
 * positive definite systems, BiCGSTAB for nonsymmetric ones) used by the finite-difference
 * reference solver.  Kept apart from src/solve so that the reference stays independent. */
#ifndef PINN_REF_SPARSE_H
#define PINN_REF_SPARSE_H

#include <stddef.h>

/* Compressed sparse rows: row r holds entries rowptr[r] .. rowptr[r+1]-1 of col/val. */
typedef struct pinn_ref_csr {
    size_t n;        /* square: n rows and n columns */
    size_t *rowptr;  /* n+1 */
    size_t *col;     /* nnz */
    double *val;     /* nnz */
} pinn_ref_csr;

/* y = A x. */
void pinn_ref_csr_matvec(const pinn_ref_csr *A, const double *x, double *y);

/* Outcome of a Krylov solve. */
typedef struct pinn_ref_krylov_result {
    size_t iterations;
    double residual;   /* ||b - A x|| / ||b||, recomputed from the final x (0 if b = 0) */
    int converged;     /* 1 if residual <= tol */
    int breakdown;     /* 1 if the recurrence broke down (a zero inner product) */
} pinn_ref_krylov_result;

/* Jacobi-preconditioned conjugate gradients for SPD A with nonzero diagonal.  x holds the initial
 * guess and receives the solution; work has room for 4n doubles.  Stops at ||r|| <= tol ||b|| or
 * after max_iter iterations; if the true residual then exceeds tol while the recurred one did
 * not, the iteration restarts from the current x (up to 5 times, within max_iter in all). */
pinn_ref_krylov_result pinn_ref_cg_jacobi(const pinn_ref_csr *A, const double *b, double *x,
                                          double tol, size_t max_iter, double *work);

/* Jacobi-preconditioned BiCGSTAB (right preconditioning) for general A with nonzero diagonal;
 * as above with work for 8n doubles. */
pinn_ref_krylov_result pinn_ref_bicgstab_jacobi(const pinn_ref_csr *A, const double *b, double *x,
                                                double tol, size_t max_iter, double *work);

#endif
