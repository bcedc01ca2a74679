/* bench_gemm_batch.c - pinn_gemm_batch at the shapes of an FBPINN step: nb products (default
 * 1 024, one per subdomain) of len[b] rows (uniform in [lo, hi] points, times the S streams where
 * the layer's input is not affine), for each form the tapes issue (NT forward, NN input adjoint,
 * TN weight gradient), through the BLAS library one call per product and through the small
 * kernel's batch entry; also the small kernel one pinn_gemm_small call per product (the path
 * without batching).  Prints GFLOP/s per CPU second (process CPU time; best of reps).
 * usage: bench_gemm_batch [nb=1024] [lo=16] [hi=64] [S=5] [reps=20]
 * Shapes: PINN_BENCH_SHAPES="2x16a,16x1,16x16" (in x out, 'a': input affine, rows = points). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/blas.h"
#include "core/gemm_batch.h"
#include "core/gemm_small.h"
#include "pinnc/ctx.h"

static double cpu_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

typedef struct batch {
    int nb, *len;
    pinn_real **A, **B, **C;
    const pinn_real **Ac, **Bc;
} batch;

/* Operands for the largest of the three forms at these sizes. */
static void batch_init(batch *bt, int nb, const int *len, int in, int out) {
    bt->nb = nb;
    bt->len = (int *)len;
    bt->A = malloc(sizeof *bt->A * nb), bt->B = malloc(sizeof *bt->B * nb), bt->C = malloc(sizeof *bt->C * nb);
    bt->Ac = malloc(sizeof *bt->Ac * nb), bt->Bc = malloc(sizeof *bt->Bc * nb);
    int w = in > out ? in : out;
    for (int b = 0; b < nb; b++) {
        size_t big = (size_t)len[b] * w + 64, small = (size_t)in * out + 64;
        bt->A[b] = malloc(sizeof(pinn_real) * big);
        bt->B[b] = malloc(sizeof(pinn_real) * (big > small ? big : small));
        bt->C[b] = malloc(sizeof(pinn_real) * (big > small ? big : small));
        for (size_t i = 0; i < big; i++) bt->A[b][i] = (pinn_real)(0.001 * (double)(i % 97));
        for (size_t i = 0; i < (big > small ? big : small); i++) bt->B[b][i] = bt->C[b][i] = (pinn_real)(0.002 * (double)(i % 89));
        bt->Ac[b] = bt->A[b], bt->Bc[b] = bt->B[b];
    }
}

/* One form: 0 NT (y = x W^T: len x in -> len x out), 1 NN (gx = gy W: len x out -> len x in),
 * 2 TN (gW = gy^T x: out x in).  how: 0 library loop, 1 small batch, 2 small per call. */
static void run_form(const batch *bt, int form, int in, int out, int how) {
    int kind = how == 0 ? PINN_GEMM_LIBRARY : PINN_GEMM_SMALL;
    if (how == 2) {
        for (int b = 0; b < bt->nb; b++) {
            int L = bt->len[b];
            if (form == 0) pinn_gemm_small(0, 1, L, out, in, 1, bt->A[b], in, bt->B[b], in, 0, bt->C[b], out);
            else if (form == 1) pinn_gemm_small(0, 0, L, in, out, 1, bt->A[b], out, bt->B[b], in, 1, bt->C[b], in);
            else pinn_gemm_small(1, 0, out, in, L, 1, bt->A[b], out, bt->B[b], in, 1, bt->C[b], in);
        }
        return;
    }
    if (form == 0) pinn_gemm_batch(kind, 0, 1, bt->nb, bt->len, out, in, 1, bt->Ac, in, bt->Bc, in, 0, bt->C, out);
    else if (form == 1) pinn_gemm_batch(kind, 0, 0, bt->nb, bt->len, in, out, 1, bt->Ac, out, bt->Bc, in, 1, bt->C, in);
    else pinn_gemm_batch(kind, 1, 0, bt->nb, bt->len, in, out, 1, bt->Ac, out, bt->Bc, in, 1, bt->C, in);
}

int main(int argc, char **argv) {
    int nb = argc > 1 ? atoi(argv[1]) : 1024, lo = argc > 2 ? atoi(argv[2]) : 16, hi = argc > 3 ? atoi(argv[3]) : 64;
    int S = argc > 4 ? atoi(argv[4]) : 5, reps = argc > 5 ? atoi(argv[5]) : 20;
    const char *shapes = getenv("PINN_BENCH_SHAPES");
    char buf[256];
    snprintf(buf, sizeof buf, "%s", shapes ? shapes : "2x16a,16x1,16x16,1x16a,16x32,32x32,32x1");
    pinn_blas_single_thread();
    printf("%d products, %d..%d points, S = %d; GFLOP/s per CPU second: library / small batch / small per call\n", nb,
           lo, hi, S);
    srand(7);
    int *pts = malloc(sizeof(int) * nb), *len = malloc(sizeof(int) * nb);
    for (int b = 0; b < nb; b++) pts[b] = lo + rand() % (hi - lo + 1);
    for (char *tok = strtok(buf, ","); tok; tok = strtok(NULL, ",")) {
        int in = 0, out = 0;
        if (sscanf(tok, "%dx%d", &in, &out) != 2) continue;
        int affine = strchr(tok, 'a') != NULL;
        static const char *names[3] = {"NT", "NN", "TN"};
        printf("%-6s", tok);
        for (int form = 0; form < 3; form++) {
            if (form == 1 && affine) continue; /* no input adjoint for the first layer */
            double rows = 0;
            for (int b = 0; b < nb; b++) rows += (len[b] = affine || form == 1 ? pts[b] * (form == 1 ? S : 1) : pts[b] * S);
            if (affine) for (int b = 0; b < nb; b++) len[b] = pts[b];
            if (affine) rows = 0;
            if (affine) for (int b = 0; b < nb; b++) rows += len[b];
            batch bt;
            batch_init(&bt, nb, len, in, out);
            double flops = 2.0 * rows * in * out, best[3] = {1e30, 1e30, 1e30};
            for (int r = 0; r < reps; r++)
                for (int how = 0; how < 3; how++) {
                    double t0 = cpu_s();
                    run_form(&bt, form, in, out, how);
                    double t = cpu_s() - t0;
                    if (t < best[how]) best[how] = t;
                }
            printf("  %s %6.2f / %6.2f / %6.2f", names[form], 1e-9 * flops / best[0], 1e-9 * flops / best[1],
                   1e-9 * flops / best[2]);
            for (int b = 0; b < nb; b++) free(bt.A[b]), free(bt.B[b]), free(bt.C[b]);
            free(bt.A), free(bt.B), free(bt.C), free(bt.Ac), free(bt.Bc);
        }
        printf("\n");
    }
    free(pts), free(len);
    return 0;
}
