/* qr.c - the built-in dense factorisations of src/solve (column-major, unblocked): Householder
 * QR with optional column pivoting (LAPACK dlaqp2-style norm downdating), Q^T b, triangular solves,
 * inverse and 1-norm condition estimate (Hager), and a one-sided Jacobi SVD.  They serve the block
 * preconditioners (small local blocks) and the dense solvers of builds without LAPACKE. */
#include <float.h>
#include <math.h>
#include <string.h>

#include "solve/solve_internal.h"

#define AT(A, lda, i, j) (A)[(size_t)(i) + (size_t)(j) * (size_t)(lda)]

/* 2-norm of x[0..n-1] with scaling against overflow/underflow. */
static double nrm2_scaled(int n, const double *x) {
    double scale = 0.0, ssq = 1.0;
    for (int i = 0; i < n; i++) {
        double a = fabs(x[i]);
        if (a == 0.0) continue;
        if (scale < a) {
            ssq = 1.0 + ssq * (scale / a) * (scale / a);
            scale = a;
        } else {
            ssq += (a / scale) * (a / scale);
        }
    }
    return scale * sqrt(ssq);
}

/* The Householder reflector H = I - tau v v^T, v = [1; A(k+1:m, k)], that maps column k below the
 * diagonal to beta e_1: v is stored below the diagonal, beta on it; returns tau (0: nothing to do). */
static double reflector(int m, double *A, int lda, int k) {
    double alpha = AT(A, lda, k, k);
    double xnorm = k + 1 < m ? nrm2_scaled(m - k - 1, &AT(A, lda, k + 1, k)) : 0.0;
    if (xnorm == 0.0) return 0.0;
    double beta = -copysign(hypot(alpha, xnorm), alpha), sc = 1.0 / (alpha - beta);
    for (int i = k + 1; i < m; i++) AT(A, lda, i, k) *= sc;
    AT(A, lda, k, k) = beta;
    return (beta - alpha) / beta;
}

static void swap_cols(int m, double *A, int lda, int p, int q) {
    if (p == q) return;
    double *a = &AT(A, lda, 0, p), *b = &AT(A, lda, 0, q);
    for (int i = 0; i < m; i++) {
        double t = a[i];
        a[i] = b[i];
        b[i] = t;
    }
}

/* In-place Householder QR; see solve_internal.h.  Owns nothing. */
void sv_hqr(int m, int n, double *A, int lda, double *tau, int *piv, double *work) {
    int mn = m < n ? m : n;
    double *vn1 = work, *vn2 = work ? work + n : NULL;
    if (piv) {
        for (int j = 0; j < n; j++) {
            piv[j] = j;
            vn1[j] = vn2[j] = nrm2_scaled(m, &AT(A, lda, 0, j));
        }
    }
    const double tol3z = sqrt(DBL_EPSILON);
    for (int k = 0; k < mn; k++) {
        if (piv) {
            int p = k;
            for (int j = k + 1; j < n; j++)
                if (vn1[j] > vn1[p]) p = j;
            if (p != k) {
                swap_cols(m, A, lda, k, p);
                int t = piv[k];
                piv[k] = piv[p];
                piv[p] = t;
                vn1[p] = vn1[k];
                vn2[p] = vn2[k];
            }
        }
        /* reflector H = I - tau v v^T with v = [1; A(k+1:m, k)], H x = beta e_1 */
        double t = tau[k] = reflector(m, A, lda, k);
        if (t != 0.0) {
            for (int j = k + 1; j < n; j++) {
                double w = AT(A, lda, k, j);
                for (int i = k + 1; i < m; i++) w += AT(A, lda, i, k) * AT(A, lda, i, j);
                w *= t;
                AT(A, lda, k, j) -= w;
                for (int i = k + 1; i < m; i++) AT(A, lda, i, j) -= w * AT(A, lda, i, k);
            }
        }
        if (piv) {
            for (int j = k + 1; j < n; j++) {
                if (vn1[j] == 0.0) continue;
                double r = fabs(AT(A, lda, k, j)) / vn1[j];
                double tmp = 1.0 - r * r;
                if (tmp < 0.0) tmp = 0.0;
                double tmp2 = tmp * (vn1[j] / vn2[j]) * (vn1[j] / vn2[j]);
                if (tmp2 <= tol3z) {
                    vn1[j] = k + 1 < m ? nrm2_scaled(m - k - 1, &AT(A, lda, k + 1, j)) : 0.0;
                    vn2[j] = vn1[j];
                } else {
                    vn1[j] *= sqrt(tmp);
                }
            }
        }
    }
}

/* Greedy in-order QR with dropping; see solve_internal.h.  Owns nothing. */
int sv_hqr_greedy(int m, int n, double *A, int lda, double *tau, double sigma, int *keep,
                  double *work) {
    for (int j = 0; j < n; j++) work[j] = nrm2_scaled(m, &AT(A, lda, 0, j));
    int k = 0;
    for (int j = 0; j < n && k < m; j++) {
        double rest = nrm2_scaled(m - k, &AT(A, lda, k, j));
        if (rest == 0.0 || rest <= sigma * work[j]) continue; /* dropped */
        if (j != k) swap_cols(m, A, lda, k, j);
        keep[k] = j;
        double t = tau[k] = reflector(m, A, lda, k);
        /* update the columns still to be examined (j+1..n-1; the swapped-out column k is a dropped
         * one and needs nothing) */
        if (t != 0.0)
            for (int l = j + 1; l < n; l++) {
                double w = AT(A, lda, k, l);
                for (int i = k + 1; i < m; i++) w += AT(A, lda, i, k) * AT(A, lda, i, l);
                w *= t;
                AT(A, lda, k, l) -= w;
                for (int i = k + 1; i < m; i++) AT(A, lda, i, l) -= w * AT(A, lda, i, k);
            }
        k++;
    }
    return k;
}

/* b <- H_{k-1} ... H_0 b = Q^T b. */
void sv_hqr_qtb(int m, int k, const double *A, int lda, const double *tau, double *b) {
    for (int r = 0; r < k; r++) {
        if (tau[r] == 0.0) continue;
        double w = b[r];
        for (int i = r + 1; i < m; i++) w += AT(A, lda, i, r) * b[i];
        w *= tau[r];
        b[r] -= w;
        for (int i = r + 1; i < m; i++) b[i] -= w * AT(A, lda, i, r);
    }
}

/* Back substitution with the leading k x k upper triangle. */
void sv_trsv_upper(int k, const double *R, int ldr, double *b) {
    for (int i = k - 1; i >= 0; i--) {
        double s = b[i];
        for (int j = i + 1; j < k; j++) s -= AT(R, ldr, i, j) * b[j];
        b[i] = s / AT(R, ldr, i, i);
    }
}

/* Forward substitution with R^T. */
void sv_trsv_upper_t(int k, const double *R, int ldr, double *b) {
    for (int i = 0; i < k; i++) {
        double s = b[i];
        for (int j = 0; j < i; j++) s -= AT(R, ldr, j, i) * b[j];
        b[i] = s / AT(R, ldr, i, i);
    }
}

/* Column-by-column in-place inverse (as LAPACK dtrti2). */
int sv_tri_inv_upper(int k, double *R, int ldr) {
    for (int j = 0; j < k; j++)
        if (AT(R, ldr, j, j) == 0.0) return -1;
    for (int j = 0; j < k; j++) {
        AT(R, ldr, j, j) = 1.0 / AT(R, ldr, j, j);
        double ajj = -AT(R, ldr, j, j);
        /* x = R(0:j, j); x <- Rinv(0:j, 0:j) x, in increasing i (x_i needs x_l, l >= i) */
        for (int i = 0; i < j; i++) {
            double s = 0.0;
            for (int l = i; l < j; l++) s += AT(R, ldr, i, l) * AT(R, ldr, l, j);
            AT(R, ldr, i, j) = s;
        }
        for (int i = 0; i < j; i++) AT(R, ldr, i, j) *= ajj;
    }
    return 0;
}

/* Hager's estimate of ||R^-1||_1 times the exact ||R||_1. */
double sv_tri_cond1(int k, const double *R, int ldr, double *work) {
    if (k <= 0) return 1.0;
    double anorm = 0.0;
    for (int j = 0; j < k; j++) {
        if (AT(R, ldr, j, j) == 0.0) return INFINITY;
        double s = 0.0;
        for (int i = 0; i <= j; i++) s += fabs(AT(R, ldr, i, j));
        if (s > anorm) anorm = s;
    }
    double *x = work, *z = work + k;
    for (int i = 0; i < k; i++) x[i] = 1.0 / k;
    double est = 0.0;
    int last = -1;
    for (int it = 0; it < 5; it++) {
        sv_trsv_upper(k, R, ldr, x); /* x = R^-1 x */
        double y1 = 0.0;
        for (int i = 0; i < k; i++) y1 += fabs(x[i]);
        if (it > 0 && y1 <= est) break;
        est = y1;
        for (int i = 0; i < k; i++) z[i] = x[i] >= 0.0 ? 1.0 : -1.0;
        sv_trsv_upper_t(k, R, ldr, z); /* z = R^-T sign(x) */
        int jmax = 0;
        for (int i = 1; i < k; i++)
            if (fabs(z[i]) > fabs(z[jmax])) jmax = i;
        if (jmax == last) break;
        last = jmax;
        for (int i = 0; i < k; i++) x[i] = 0.0;
        x[jmax] = 1.0;
    }
    return anorm * est;
}

/* One-sided (Hestenes) Jacobi; see solve_internal.h. */
int sv_jacobi_svd(int r, int n, double *G, int ldg, double *V, int ldv, double *s, double *work) {
    (void)work;
    for (int j = 0; j < n; j++)
        for (int i = 0; i < n; i++) AT(V, ldv, i, j) = i == j ? 1.0 : 0.0;
    const double tol = DBL_EPSILON * fmax(1.0, sqrt((double)r));
    int sweeps = -1;
    for (int sw = 0; sw < 60; sw++) {
        int rotated = 0;
        for (int p = 0; p < n - 1; p++) {
            double *gp = &AT(G, ldg, 0, p), *vp = &AT(V, ldv, 0, p);
            for (int q = p + 1; q < n; q++) {
                double *gq = &AT(G, ldg, 0, q), *vq = &AT(V, ldv, 0, q);
                double a = 0.0, b = 0.0, c = 0.0;
                for (int i = 0; i < r; i++) {
                    a += gp[i] * gp[i];
                    b += gq[i] * gq[i];
                    c += gp[i] * gq[i];
                }
                if (a == 0.0 || b == 0.0 || fabs(c) <= tol * sqrt(a) * sqrt(b)) continue;
                rotated++;
                double zeta = (b - a) / (2.0 * c);
                double t = (zeta >= 0.0 ? 1.0 : -1.0) / (fabs(zeta) + sqrt(1.0 + zeta * zeta));
                double cs = 1.0 / sqrt(1.0 + t * t), sn = cs * t;
                for (int i = 0; i < r; i++) {
                    double x = gp[i], y = gq[i];
                    gp[i] = cs * x - sn * y;
                    gq[i] = sn * x + cs * y;
                }
                for (int i = 0; i < n; i++) {
                    double x = vp[i], y = vq[i];
                    vp[i] = cs * x - sn * y;
                    vq[i] = sn * x + cs * y;
                }
            }
        }
        if (rotated == 0) {
            sweeps = sw + 1;
            break;
        }
    }
    for (int j = 0; j < n; j++) s[j] = nrm2_scaled(r, &AT(G, ldg, 0, j));
    /* selection sort, decreasing */
    for (int j = 0; j < n; j++) {
        int p = j;
        for (int q = j + 1; q < n; q++)
            if (s[q] > s[p]) p = q;
        if (p != j) {
            double t = s[p];
            s[p] = s[j];
            s[j] = t;
            swap_cols(r, G, ldg, j, p);
            swap_cols(n, V, ldv, j, p);
        }
    }
    return sweeps;
}
