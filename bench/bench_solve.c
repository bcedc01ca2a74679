/* bench_solve.c - times pinnc's least-squares solvers on an ELM-FBPINN-like block-sparse matrix:
 * 1-D overlapping subdomains, K random tanh features per subdomain times a window, every row in
 * 2 subdomains (defaults: 20000 rows, 250 subdomains x 20 features = 5000 columns).  Prints one
 * markdown table row per solver and preconditioner: iterations, seconds (solve; preconditioner
 * set-up separately), ||Ax-b||, ||A^T(Ax-b)||, condition estimates, columns kept.
 * usage: bench_solve [ROWS] [SUBDOMAINS] [K] [MAX_ITER] [SCALE] [--dense]
 *   --dense also runs the dense QR / pivoted QR / SVD (ROWS x COLS doubles, twice). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../tests/solve_util.h"
#include "pinnc/solve.h"

static void row(const pinn_lsq_info *in, double sigma, double pre_s) {
    printf("| %-5s | %-10s | %5.0e | %6d | %8.3f | %6.3f | %.6e | %.2e | %9.2e | %9.2e | %5d | %s |\n",
           in->method, in->precond, sigma, in->iterations, in->seconds, pre_s, in->residual,
           in->normal_residual, in->cond, in->cond_precond, in->rank, pinn_lsq_stop_to_string(in->stop));
    fflush(stdout);
}

int main(int argc, char **argv) {
    int rows = 20000, J = 250, K = 20, maxit = 5000, dense = 0;
    double scale = 2.0;
    int pos = 0;
    for (int a = 1; a < argc; a++) {
        if (strcmp(argv[a], "--dense") == 0) {
            dense = 1;
            continue;
        }
        switch (pos++) {
        case 0: rows = atoi(argv[a]); break;
        case 1: J = atoi(argv[a]); break;
        case 2: K = atoi(argv[a]); break;
        case 3: maxit = atoi(argv[a]); break;
        case 4: scale = atof(argv[a]); break;
        default: break;
        }
    }
    pinn_error err = {0};
    pinn_csr A;
    double *b = malloc((size_t)rows * sizeof *b);
    if (su_elm(rows, J, K, scale, 5, &A, b, &err)) {
        fprintf(stderr, "bench_solve: %s\n", err.msg);
        return 1;
    }
    int n = A.cols;
    double *x = malloc((size_t)n * sizeof *x);
    int64_t *ptr = malloc((size_t)(J + 1) * sizeof *ptr);
    int *cols = malloc((size_t)n * sizeof *cols);
    for (int j = 0; j <= J; j++) ptr[j] = (int64_t)j * K;
    for (int c = 0; c < n; c++) cols[c] = c;
    printf("matrix: %d x %d, %lld nonzeros (%d subdomains x %d tanh features, scale %g); "
           "threads %d; %s\n\n",
           rows, n, (long long)A.nnz, J, K, scale, pinn_threads_get(), pinn_lsq_backend());
    printf("| method | precond | sigma | iters | solve s | precond s | ||Ax-b|| | ||A^T r|| | "
           "cond(A) | cond(AM) | kept | stop |\n");
    printf("|---|---|---|---|---|---|---|---|---|---|---|---|\n");
    pinn_lsq_opts o = pinn_lsq_opts_default();
    pinn_lsq_info info;
    if (pinn_lsq_method_available(PINN_LSQ_SPQR)) {
        o.method = PINN_LSQ_SPQR;
        if (pinn_lsq_solve(&A, b, x, &o, &info, &err) == PINN_OK) row(&info, 0, 0);
        else fprintf(stderr, "spqr: %s\n", err.msg);
    }
    if (dense)
        for (int m = PINN_LSQ_QR; m <= PINN_LSQ_SVD; m++) {
            o = pinn_lsq_opts_default();
            o.method = (pinn_lsq_method)m;
            o.rcond = 1e-12;
            if (pinn_lsq_solve(&A, b, x, &o, &info, &err) == PINN_OK) row(&info, 0, 0);
            else fprintf(stderr, "%s: %s\n", pinn_lsq_method_to_string(o.method), err.msg);
        }
    const pinn_precond_kind kinds[] = {PINN_PRECOND_NONE, PINN_PRECOND_COLSCALE,
                                       PINN_PRECOND_BLOCK_QR, PINN_PRECOND_BLOCK_SVD,
                                       PINN_PRECOND_BLOCK_RRQR};
    for (int q = 0; q < 5; q++) {
        double sigma = kinds[q] >= PINN_PRECOND_BLOCK_QR ? 1e-8 : 0.0;
        pinn_precond_opts po = {kinds[q], {J, ptr, cols}, sigma};
        pinn_precond *P = NULL;
        if (pinn_precond_create(&P, &A, &po, &err)) {
            fprintf(stderr, "precond: %s\n", err.msg);
            return 1;
        }
        for (int m = PINN_LSQ_LSQR; m <= PINN_LSQ_CGNE; m++) {
            o = pinn_lsq_opts_default();
            o.method = (pinn_lsq_method)m;
            o.precond = P;
            o.atol = o.btol = 1e-8;
            o.max_iter = maxit;
            if (pinn_lsq_solve(&A, b, x, &o, &info, &err) == PINN_OK)
                row(&info, kinds[q] >= PINN_PRECOND_BLOCK_QR ? sigma : 0, pinn_precond_seconds(P));
            else fprintf(stderr, "%s: %s\n", pinn_lsq_method_to_string(o.method), err.msg);
        }
        pinn_precond_free(P);
    }
    pinn_csr_free(&A);
    free(b);
    free(x);
    free(ptr);
    free(cols);
    return 0;
}
