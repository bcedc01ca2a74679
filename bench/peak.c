/* peak.c - the machine's double-precision FMA peak, measured: independent multiply-add chains
 * over vector registers on every thread.  Built with -O3 -march=native by bench/run.sh.
 * Prints GFLOP/s for 1 thread and for all threads. */
#include <omp.h>
#include <stdio.h>
#include <time.h>

enum { LANES = 64, ITERS = 20000000 };

static double run(void) {
    double acc[LANES], m = 0.999999, a = 1e-9;
    for (int k = 0; k < LANES; k++) acc[k] = k;
    for (long i = 0; i < ITERS; i++)
#pragma omp simd
        for (int k = 0; k < LANES; k++) acc[k] = acc[k] * m + a;
    double s = 0;
    for (int k = 0; k < LANES; k++) s += acc[k];
    return s;
}

int main(void) {
    for (int threads = 1; threads <= omp_get_num_procs(); threads *= 2) {
        double t0 = omp_get_wtime(), sink = 0;
#pragma omp parallel num_threads(threads) reduction(+ : sink)
        sink += run();
        double dt = omp_get_wtime() - t0;
        printf("threads %d: %.1f GFLOP/s (checksum %.3g)\n", threads, 2.0 * LANES * ITERS * threads / dt / 1e9, sink);
    }
    return 0;
}
