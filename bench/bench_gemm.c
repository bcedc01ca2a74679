/* bench_gemm.c - GFLOP/s of the three matrix-product patterns of the engine's affine layers,
 * library GEMM (OpenBLAS, pinned to one thread) against the small-matrix kernel (gemm_small.c):
 *   NT  Y  = X W^T     rows x w  = (rows x xw)(xw x w)      forward
 *   NN  gX += gY W     rows x xw = (rows x w)(w x xw)       backward, input adjoint
 *   TN  gW += gY^T X   w x xw    = (w x rows)(rows x xw)    backward, weight gradient
 * usage: bench_gemm [seconds per measurement, default 0.003] [rows ...]
 * PINN_BENCH_WIDTHS="2x16,16x1" replaces the list of (input width x output width) layers.
 * Library and kernel measurements alternate; each figure is the best of 25. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "core/blas.h"
#include "core/gemm_small.h"

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

typedef void gemm_fn(int ta, int tb, int M, int N, int K, pinn_real alpha, const pinn_real *A, int lda,
                     const pinn_real *B, int ldb, pinn_real beta, pinn_real *C, int ldc);

/* pinn_gemm_small with pinn_gemm's signature. */
static void small(int ta, int tb, int M, int N, int K, pinn_real alpha, const pinn_real *A, int lda,
                  const pinn_real *B, int ldb, pinn_real beta, pinn_real *C, int ldc) {
    pinn_gemm_small(ta, tb, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
}

/* Seconds per call of fn on one pattern: calibrates a repetition count on the first call
 * (*reps == 0) so that one measurement takes about `sec` seconds. */
static double time_call(gemm_fn *fn, int *reps, int ta, int tb, int M, int N, int K, const pinn_real *A, int lda,
                        const pinn_real *B, int ldb, pinn_real beta, pinn_real *C, int ldc, double sec) {
    if (*reps == 0) {
        *reps = 1;
        for (;;) {
            double t0 = now();
            for (int r = 0; r < *reps; r++) fn(ta, tb, M, N, K, 1, A, lda, B, ldb, beta, C, ldc);
            if (now() - t0 > sec / 4) break;
            *reps *= 2;
        }
        *reps *= 4;
    }
    double t0 = now();
    for (int r = 0; r < *reps; r++) fn(ta, tb, M, N, K, 1, A, lda, B, ldb, beta, C, ldc);
    return (now() - t0) / *reps;
}

/* Largest |difference| relative to the largest |entry| between the two GEMMs on one pattern. */
static double rel_diff(int ta, int tb, int M, int N, int K, const pinn_real *A, int lda, const pinn_real *B, int ldb,
                       pinn_real *C1, pinn_real *C2, int ldc) {
    pinn_gemm_library(ta, tb, M, N, K, 1, A, lda, B, ldb, 0, C1, ldc);
    pinn_gemm_small(ta, tb, M, N, K, 1, A, lda, B, ldb, 0, C2, ldc);
    double d = 0, m = 0;
    for (long i = 0; i < (long)M * ldc; i++) {
        if (fabs((double)(C1[i] - C2[i])) > d) d = fabs((double)(C1[i] - C2[i]));
        if (fabs((double)C1[i]) > m) m = fabs((double)C1[i]);
    }
    return m > 0 ? d / m : d;
}

int main(int argc, char **argv) {
    double sec = argc > 1 ? atof(argv[1]) : 0.003;
    int rows_list[8] = {2048, 4096}, nrows = 2;
    if (argc > 2) {
        nrows = 0;
        for (int a = 2; a < argc && nrows < 8; a++) rows_list[nrows++] = atoi(argv[a]);
    }
    /* (xw, w): input and output widths of a layer */
    int widths[16][2] = {{20, 20}, {50, 50}, {128, 128}, {64, 64}, {2, 20}, {20, 1}}, nw = 6;
    const char *ws = getenv("PINN_BENCH_WIDTHS"); /* e.g. "2x16,16x16,16x1": xw x w of each layer */
    if (ws && *ws) {
        nw = 0;
        for (const char *p = ws; *p && nw < 16;) {
            int a, b, used = 0;
            if (sscanf(p, "%dx%d%n", &a, &b, &used) != 2 || a < 1 || b < 1) break;
            widths[nw][0] = a, widths[nw][1] = b, nw++;
            p += used;
            if (*p == ',') p++;
        }
    }
    pinn_blas_single_thread();
    printf("%s, %d-byte reals\n", pinn_blas_name(), (int)sizeof(pinn_real));
    printf("%-4s %6s %4s %4s  %9s %9s %7s  %s\n", "op", "rows", "xw", "w", "library", "small", "ratio", "rel.diff");
    for (int ir = 0; ir < nrows; ir++)
        for (int iw = 0; iw < nw; iw++) {
            int rows = rows_list[ir], xw = widths[iw][0], w = widths[iw][1];
            size_t big = (size_t)rows * (size_t)(xw > w ? xw : w);
            pinn_real *X = malloc(sizeof(pinn_real) * big), *Y = malloc(sizeof(pinn_real) * big),
                      *W = malloc(sizeof(pinn_real) * (size_t)w * (size_t)xw), *C1 = malloc(sizeof(pinn_real) * big),
                      *C2 = malloc(sizeof(pinn_real) * big);
            for (size_t i = 0; i < big; i++) X[i] = (pinn_real)(sin(0.1 * (double)i)), Y[i] = (pinn_real)cos(0.3 * (double)i);
            for (int i = 0; i < w * xw; i++) W[i] = (pinn_real)sin(1.7 * i);
            struct {
                const char *name;
                int ta, tb, M, N, K, lda, ldb, ldc;
                const pinn_real *A, *B;
                pinn_real beta;
            } ops[3] = {{"NT", 0, 1, rows, w, xw, xw, xw, w, X, W, 0},
                        {"NN", 0, 0, rows, xw, w, w, xw, xw, Y, W, 1},
                        {"TN", 1, 0, w, xw, rows, w, xw, xw, Y, X, 1}};
            for (int o = 0; o < 3; o++) {
                int ta = ops[o].ta, tb = ops[o].tb, M = ops[o].M, N = ops[o].N, K = ops[o].K;
                double d = rel_diff(ta, tb, M, N, K, ops[o].A, ops[o].lda, ops[o].B, ops[o].ldb, C1, C2, ops[o].ldc);
                /* library and kernel alternate, best of ROUNDS each (the machine may be shared) */
                enum { ROUNDS = 25 };
                int rl = 0, rs = 0;
                double tl = 1e30, ts = 1e30;
                for (int round = 0; round < ROUNDS; round++) {
                    double t = time_call(pinn_gemm_library, &rl, ta, tb, M, N, K, ops[o].A, ops[o].lda, ops[o].B,
                                         ops[o].ldb, ops[o].beta, C1, ops[o].ldc, sec);
                    if (t < tl) tl = t;
                    t = time_call(small, &rs, ta, tb, M, N, K, ops[o].A, ops[o].lda, ops[o].B, ops[o].ldb, ops[o].beta,
                                  C2, ops[o].ldc, sec);
                    if (t < ts) ts = t;
                }
                double fl = 2.0 * M * N * K / 1e9, gl = fl / tl, gs = fl / ts;
                printf("%-4s %6d %4d %4d  %9.2f %9.2f %7.2f  %.1e\n", ops[o].name, rows, xw, w, gl, gs, gs / gl, d);
                fflush(stdout);
            }
            free(X), free(Y), free(W), free(C1), free(C2);
        }
    return 0;
}
