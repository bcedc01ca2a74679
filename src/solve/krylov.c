/* krylov.c - Krylov least-squares solvers on the right-preconditioned operator K = A M, in the
 * reduced variable y (x = M y): LSQR (Paige & Saunders 1982, with its ||K|| and cond(K)
 * estimates), CGLS, and CG on the normal equations K^T K y = K^T b (condition estimate from the
 * Lanczos tridiagonal hidden in the CG coefficients).  All vectors are allocated once per solve;
 * every reduction is deterministic (csr.c). */
#include <float.h>
#include <math.h>
#include <stdlib.h>

#include "solve/solve_internal.h"

/* The operator K = A M with the n-vector it needs between the two factors. */
typedef struct kop {
    const pinn_csr *A;
    const pinn_precond *P;   /* NULL: identity */
    double *xn;              /* n */
} kop;

/* u = K y */
static void k_mul(const kop *k, const double *y, double *u) {
    if (k->P) {
        pinn_precond_apply(k->P, y, k->xn);
        pinn_csr_matvec(k->A, k->xn, u);
    } else {
        pinn_csr_matvec(k->A, y, u);
    }
}

/* y = K^T u */
static void k_mul_t(const kop *k, const double *u, double *y) {
    if (k->P) {
        pinn_csr_matvec_t(k->A, u, k->xn);
        pinn_precond_apply_t(k->P, k->xn, y);
    } else {
        pinn_csr_matvec_t(k->A, u, y);
    }
}

/* Number of eigenvalues of the symmetric tridiagonal (d, e) below x (Sturm sequence). */
static int sturm_count(int k, const double *d, const double *e, double x) {
    int c = 0;
    double q = 1.0;
    for (int i = 0; i < k; i++) {
        double off = i > 0 ? e[i - 1] * e[i - 1] / q : 0.0;
        q = d[i] - x - off;
        if (q == 0.0) q = -DBL_EPSILON * (fabs(d[i]) + fabs(x) + DBL_MIN);
        if (q < 0.0) c++;
    }
    return c;
}

/* The j-th smallest eigenvalue of (d, e) by bisection inside the Gershgorin interval. */
static double tridiag_eig(int k, const double *d, const double *e, int j) {
    double lo = INFINITY, hi = -INFINITY;
    for (int i = 0; i < k; i++) {
        double r = (i > 0 ? fabs(e[i - 1]) : 0.0) + (i + 1 < k ? fabs(e[i]) : 0.0);
        if (d[i] - r < lo) lo = d[i] - r;
        if (d[i] + r > hi) hi = d[i] + r;
    }
    for (int it = 0; it < 200 && hi - lo > 4 * DBL_EPSILON * fmax(fabs(lo), fabs(hi)); it++) {
        double mid = 0.5 * (lo + hi);
        if (sturm_count(k, d, e, mid) >= j + 1) hi = mid;
        else lo = mid;
    }
    return 0.5 * (lo + hi);
}

/* From k CG steps (alpha_j, beta_j) the Lanczos tridiagonal of K^T K, its extreme eigenvalues
 * -> ||K|| and cond(K) estimates.  d, e: k doubles of scratch each. */
static void cg_lanczos_estimate(int k, const double *al, const double *be, double *d, double *e,
                                double *norm_est, double *cond_est) {
    if (k <= 0) return;
    for (int j = 0; j < k; j++) {
        d[j] = 1.0 / al[j] + (j > 0 ? be[j - 1] / al[j - 1] : 0.0);
        e[j] = sqrt(be[j]) / al[j];
    }
    double lmax = tridiag_eig(k, d, e, k - 1), lmin = tridiag_eig(k, d, e, 0);
    *norm_est = sqrt(fmax(lmax, 0.0));
    *cond_est = lmin > 0.0 ? sqrt(lmax / lmin) : INFINITY;
}

/* LSQR; x (cols of A) gets M y.  Owns its vectors only. */
pinn_status sv_lsqr(const pinn_csr *A, const pinn_precond *P, const double *b, double *x,
                    const pinn_lsq_opts *o, sv_krylov_out *out, pinn_error *err) {
    int m = A->rows, n = A->cols, dim = P ? pinn_precond_dim(P) : n;
    size_t mx = (size_t)(m > dim ? m : dim);
    double *buf = malloc(((size_t)m + mx + (size_t)3 * dim + (size_t)n + 4) * sizeof *buf);
    if (!buf) return pinn_error_set(err, PINN_ERR_NOMEM, "lsqr: no memory");
    double *u = buf, *tmp = u + m, *v = tmp + mx, *w = v + dim, *y = w + dim, *xn = y + dim;
    kop K = {A, P, xn};
    sv_zero(dim, y);
    sv_copy(m, b, u);
    double beta = sv_nrm2(m, u), alpha = 0.0;
    if (beta > 0.0) {
        sv_scal(m, 1.0 / beta, u);
        k_mul_t(&K, u, v);
        alpha = sv_nrm2(dim, v);
    } else {
        sv_zero(dim, v);
    }
    if (alpha > 0.0) sv_scal(dim, 1.0 / alpha, v);
    sv_copy(dim, v, w);
    double rhobar = alpha, phibar = beta, bnorm = beta;
    double anorm = 0.0, acond = 0.0, ddnorm = 0.0;
    out->iterations = 0;
    out->stop = PINN_LSQ_STOP_MAX_ITER;
    if (alpha * beta == 0.0) out->stop = PINN_LSQ_STOP_ZERO_RHS;
    int itn = 0;
    while (out->stop != PINN_LSQ_STOP_ZERO_RHS && itn < o->max_iter) {
        itn++;
        /* bidiagonalisation: beta u = K v - alpha u, alpha v = K^T u - beta v */
        k_mul(&K, v, tmp);
        sv_xpby(m, tmp, -alpha, u);
        beta = sv_nrm2(m, u);
        if (beta > 0.0) {
            sv_scal(m, 1.0 / beta, u);
            anorm = sqrt(anorm * anorm + alpha * alpha + beta * beta);
            k_mul_t(&K, u, tmp);
            sv_xpby(dim, tmp, -beta, v);
            alpha = sv_nrm2(dim, v);
            if (alpha > 0.0) sv_scal(dim, 1.0 / alpha, v);
        } else {
            anorm = sqrt(anorm * anorm + alpha * alpha);
        }
        /* plane rotation eliminating beta */
        double rho = hypot(rhobar, beta);
        double c = rhobar / rho, s = beta / rho;
        double theta = s * alpha;
        rhobar = -c * alpha;
        double phi = c * phibar;
        phibar = s * phibar;
        double t1 = phi / rho, t2 = -theta / rho;
        double wn = sv_nrm2(dim, w) / rho;
        ddnorm += wn * wn;
        sv_axpy(dim, t1, w, y);
        sv_xpby(dim, v, t2, w);
        double xnorm = sv_nrm2(dim, y);
        acond = anorm * sqrt(ddnorm);
        double rnorm = phibar, arnorm = alpha * fabs(s * phi);
        double test1 = rnorm / bnorm;
        double test2 = anorm * rnorm > 0.0 ? arnorm / (anorm * rnorm) : 0.0;
        double test3 = acond > 0.0 ? 1.0 / acond : INFINITY;
        double rtol = o->btol + o->atol * anorm * xnorm / bnorm;
        out->iterations = itn;
        if (test3 <= 1.0 / o->conlim) out->stop = PINN_LSQ_STOP_CONLIM;
        if (test2 <= o->atol) out->stop = PINN_LSQ_STOP_NORMAL;
        if (test1 <= rtol) out->stop = PINN_LSQ_STOP_RESIDUAL;
        if (out->stop != PINN_LSQ_STOP_MAX_ITER) break;
        if (rho == 0.0 || !isfinite(xnorm)) {
            out->stop = PINN_LSQ_STOP_BREAKDOWN;
            break;
        }
    }
    out->norm_est = anorm;
    out->cond_est = acond;
    if (P) pinn_precond_apply(P, y, x);
    else sv_copy(n, y, x);
    free(buf);
    return PINN_OK;
}

/* CGLS (normal_form 0) or CG on the normal equations (1); x gets M y.  Owns its vectors. */
pinn_status sv_cg(const pinn_csr *A, const pinn_precond *P, const double *b, double *x,
                  const pinn_lsq_opts *o, int normal_form, int fixed_iters, sv_krylov_out *out,
                  pinn_error *err) {
    int m = A->rows, n = A->cols, dim = P ? pinn_precond_dim(P) : n;
    int maxit = fixed_iters > 0 ? fixed_iters : o->max_iter;
    size_t len = (size_t)2 * m + (size_t)5 * dim + (size_t)n + (size_t)4 * maxit + 8;
    double *buf = malloc(len * sizeof *buf);
    const char *name = normal_form ? "cgne" : "cgls";
    if (!buf) return pinn_error_set(err, PINN_ERR_NOMEM, "%s: no memory", name);
    double *r = buf, *q = r + m, *s = q + m, *p = s + dim, *t = p + dim, *y = t + dim;
    double *ybest = y + dim, *xn = ybest + dim, *al = xn + n, *be = al + maxit, *d = be + maxit, *e = d + maxit;
    kop K = {A, P, xn};
    sv_zero(dim, y);
    sv_copy(m, b, r);
    k_mul_t(&K, r, s);
    sv_copy(dim, s, p);
    double gamma = sv_dot(dim, s, s), bnorm = sv_nrm2(m, b), normest = 0.0;
    /* rounding guard: the iterate with the smallest ||K^T r|| is kept; once that minimum is at
     * the rounding level (1e-10 of the start) and ||K^T r|| has grown 1e3-fold above it (noise
     * amplified: CGLS can diverge there when asked for more than it can attain) the solver stops
     * and returns the kept iterate */
    double s0 = sqrt(gamma), sbest = s0;
    int best_k = 0;
    sv_zero(dim, ybest);
    out->iterations = 0;
    out->stop = gamma == 0.0 ? PINN_LSQ_STOP_ZERO_RHS : PINN_LSQ_STOP_MAX_ITER;
    int k = 0;
    while (out->stop == PINN_LSQ_STOP_MAX_ITER && k < maxit) {
        k_mul(&K, p, q);
        double delta = sv_dot(m, q, q), pn = sv_nrm2(dim, p);
        if (!(delta > 0.0) || !(gamma > 0.0)) {
            out->stop = PINN_LSQ_STOP_BREAKDOWN;
            break;
        }
        if (sqrt(delta) / pn > normest) normest = sqrt(delta) / pn;
        double alpha = gamma / delta;
        sv_axpy(dim, alpha, p, y);
        sv_axpy(m, -alpha, q, r);
        if (normal_form) {
            k_mul_t(&K, q, t);       /* t = K^T K p */
            sv_axpy(dim, -alpha, t, s);
        } else {
            k_mul_t(&K, r, s);
        }
        double gnew = sv_dot(dim, s, s);
        double beta = gnew / gamma;
        al[k] = alpha;
        be[k] = beta;
        gamma = gnew;
        k++;
        out->iterations = k;
        if (fixed_iters <= 0) {
            double rnorm = sv_nrm2(m, r), ynorm = sv_nrm2(dim, y), sn = sqrt(gamma);
            if (sn <= sbest) {
                sbest = sn;
                best_k = k;
                sv_copy(dim, y, ybest);
            }
            if (rnorm <= o->btol * bnorm + o->atol * normest * ynorm) out->stop = PINN_LSQ_STOP_RESIDUAL;
            else if (sn <= o->atol * normest * rnorm) out->stop = PINN_LSQ_STOP_NORMAL;
            else if (sbest <= 1e-10 * s0 && sn > 1e3 * sbest) out->stop = PINN_LSQ_STOP_STAGNATION;
        }
        sv_xpby(dim, s, beta, p);
    }
    out->norm_est = normest;
    out->cond_est = NAN;
    if (out->stop == PINN_LSQ_STOP_STAGNATION) {
        sv_copy(dim, ybest, y);
        k = best_k > 0 ? best_k : k; /* the coefficients past the best iterate are noise */
    }
    cg_lanczos_estimate(k, al, be, d, e, &out->norm_est, &out->cond_est);
    if (P) pinn_precond_apply(P, y, x);
    else sv_copy(n, y, x);
    free(buf);
    return PINN_OK;
}
