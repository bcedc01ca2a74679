/* sparse.c - CSR matrix-vector product and Jacobi-preconditioned CG / BiCGSTAB. */
#include "ref/sparse.h"

#include <math.h>

void pinn_ref_csr_matvec(const pinn_ref_csr *A, const double *x, double *y) {
    for (size_t r = 0; r < A->n; r++) {
        double s = 0.0;
        for (size_t k = A->rowptr[r]; k < A->rowptr[r + 1]; k++) s += A->val[k] * x[A->col[k]];
        y[r] = s;
    }
}

static double dot(size_t n, const double *a, const double *b) {
    double s = 0.0;
    for (size_t i = 0; i < n; i++) s += a[i] * b[i];
    return s;
}

/* Stores 1/diag(A) into dinv (a missing or zero diagonal gives 1). */
static void inverse_diagonal(const pinn_ref_csr *A, double *dinv) {
    for (size_t r = 0; r < A->n; r++) {
        double d = 0.0;
        for (size_t k = A->rowptr[r]; k < A->rowptr[r + 1]; k++)
            if (A->col[k] == r) d += A->val[k];
        dinv[r] = d != 0.0 ? 1.0 / d : 1.0;
    }
}

/* ||b - A x|| / ||b|| using tmp (n doubles). */
static double true_residual(const pinn_ref_csr *A, const double *b, const double *x, double *tmp,
                            double bnorm) {
    pinn_ref_csr_matvec(A, x, tmp);
    double s = 0.0;
    for (size_t i = 0; i < A->n; i++) s += (b[i] - tmp[i]) * (b[i] - tmp[i]);
    return bnorm > 0.0 ? sqrt(s) / bnorm : sqrt(s);
}

/* Common start of a Krylov cycle: ||b|| into *bnorm, 1/diag(A) into dinv and r = b - A x.
 * Returns 1 (with x = 0 and res marked converged) when b = 0, so there is nothing to solve. */
static int krylov_start(const pinn_ref_csr *A, const double *b, double *x, double *r, double *dinv,
                        double *bnorm, pinn_ref_krylov_result *res) {
    size_t n = A->n;
    *bnorm = sqrt(dot(n, b, b));
    if (*bnorm == 0.0) {
        for (size_t i = 0; i < n; i++) x[i] = 0.0;
        res->converged = 1;
        return 1;
    }
    inverse_diagonal(A, dinv);
    pinn_ref_csr_matvec(A, x, r);
    for (size_t i = 0; i < n; i++) r[i] = b[i] - r[i];
    return 0;
}

/* One CG cycle from the current x; the result's residual is the true one. */
static pinn_ref_krylov_result cg_cycle(const pinn_ref_csr *A, const double *b, double *x,
                                       double tol, size_t max_iter, double *work) {
    size_t n = A->n;
    double *r = work, *z = work + n, *p = work + 2 * n, *dinv = work + 3 * n, *q = z;
    pinn_ref_krylov_result res = {0, 0.0, 0, 0};
    double bnorm;
    if (krylov_start(A, b, x, r, dinv, &bnorm, &res)) return res;
    for (size_t i = 0; i < n; i++) p[i] = dinv[i] * r[i];
    double rz = dot(n, r, p), rnorm = sqrt(dot(n, r, r));
    size_t it = 0;
    while (rnorm > tol * bnorm && it < max_iter) {
        pinn_ref_csr_matvec(A, p, q);
        double pq = dot(n, p, q);
        if (pq == 0.0 || !isfinite(pq)) {
            res.breakdown = 1;
            break;
        }
        double alpha = rz / pq;
        for (size_t i = 0; i < n; i++) {
            x[i] += alpha * p[i];
            r[i] -= alpha * q[i];
        }
        it++;
        rnorm = sqrt(dot(n, r, r));
        double rz_new = 0.0;
        for (size_t i = 0; i < n; i++) rz_new += r[i] * dinv[i] * r[i];
        double beta = rz_new / rz;
        rz = rz_new;
        for (size_t i = 0; i < n; i++) p[i] = dinv[i] * r[i] + beta * p[i];
    }
    res.iterations = it;
    res.residual = true_residual(A, b, x, r, bnorm);
    res.converged = res.residual <= tol;
    return res;
}

/* One BiCGSTAB cycle from the current x; the result's residual is the true one. */
static pinn_ref_krylov_result bicgstab_cycle(const pinn_ref_csr *A, const double *b, double *x,
                                             double tol, size_t max_iter, double *work) {
    size_t n = A->n;
    double *r = work, *r0 = work + n, *p = work + 2 * n, *v = work + 3 * n, *s = work + 4 * n;
    double *t = work + 5 * n, *y = work + 6 * n, *dinv = work + 7 * n;
    pinn_ref_krylov_result res = {0, 0.0, 0, 0};
    double bnorm;
    if (krylov_start(A, b, x, r, dinv, &bnorm, &res)) return res;
    for (size_t i = 0; i < n; i++) {
        r0[i] = r[i];
        p[i] = v[i] = 0.0;
    }
    double rho = 1.0, alpha = 1.0, omega = 1.0, rnorm = sqrt(dot(n, r, r));
    size_t it = 0;
    while (rnorm > tol * bnorm && it < max_iter) {
        double rho_new = dot(n, r0, r);
        if (rho_new == 0.0 || omega == 0.0 || !isfinite(rho_new)) {
            res.breakdown = 1;
            break;
        }
        double beta = (rho_new / rho) * (alpha / omega);
        rho = rho_new;
        for (size_t i = 0; i < n; i++) p[i] = r[i] + beta * (p[i] - omega * v[i]);
        for (size_t i = 0; i < n; i++) y[i] = dinv[i] * p[i];
        pinn_ref_csr_matvec(A, y, v);
        double r0v = dot(n, r0, v);
        if (r0v == 0.0 || !isfinite(r0v)) {
            res.breakdown = 1;
            break;
        }
        alpha = rho / r0v;
        for (size_t i = 0; i < n; i++) {
            x[i] += alpha * y[i];
            s[i] = r[i] - alpha * v[i];
        }
        it++;
        double snorm = sqrt(dot(n, s, s));
        if (snorm <= tol * bnorm) {
            rnorm = snorm;
            for (size_t i = 0; i < n; i++) r[i] = s[i];
            break;
        }
        for (size_t i = 0; i < n; i++) y[i] = dinv[i] * s[i];
        pinn_ref_csr_matvec(A, y, t);
        double tt = dot(n, t, t);
        omega = tt > 0.0 ? dot(n, t, s) / tt : 0.0;
        for (size_t i = 0; i < n; i++) {
            x[i] += omega * y[i];
            r[i] = s[i] - omega * t[i];
        }
        rnorm = sqrt(dot(n, r, r));
    }
    res.iterations = it;
    res.residual = true_residual(A, b, x, r, bnorm);
    res.converged = res.residual <= tol;
    return res;
}

typedef pinn_ref_krylov_result (*krylov_cycle)(const pinn_ref_csr *, const double *, double *, double,
                                               size_t, double *);

/* Runs cycles, restarting from the current iterate while the recurred residual has met tol but
 * the true one has drifted above it (at most 5 restarts), within max_iter iterations in all. */
static pinn_ref_krylov_result krylov_restarted(krylov_cycle cycle, const pinn_ref_csr *A,
                                               const double *b, double *x, double tol,
                                               size_t max_iter, double *work) {
    pinn_ref_krylov_result total = {0, 0.0, 0, 0};
    for (int restart = 0; restart <= 5; restart++) {
        pinn_ref_krylov_result r = cycle(A, b, x, tol, max_iter - total.iterations, work);
        total.iterations += r.iterations;
        total.residual = r.residual;
        total.converged = r.converged;
        total.breakdown = r.breakdown;
        if (r.converged || total.iterations >= max_iter || (r.breakdown && r.iterations == 0)) break;
    }
    return total;
}

pinn_ref_krylov_result pinn_ref_cg_jacobi(const pinn_ref_csr *A, const double *b, double *x,
                                          double tol, size_t max_iter, double *work) {
    return krylov_restarted(cg_cycle, A, b, x, tol, max_iter, work);
}

pinn_ref_krylov_result pinn_ref_bicgstab_jacobi(const pinn_ref_csr *A, const double *b, double *x,
                                                double tol, size_t max_iter, double *work) {
    return krylov_restarted(bicgstab_cycle, A, b, x, tol, max_iter, work);
}
