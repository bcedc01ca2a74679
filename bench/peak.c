/* peak.c - the machine's FMA peak in double and single precision, measured: independent
 * multiply-add chains over vector registers on every thread.  Built with -O3 -march=native by
 * bench/run.sh.  Prints GFLOP/s for 1 thread and for all threads, per precision. */
#include <omp.h>
#include <stdio.h>
#include <time.h>

/* 64 doubles or 128 floats: eight 512-bit registers of independent chains, enough to cover the
 * FMA latency on two FMA ports (with 64 floats the float figure was latency-bound at half peak) */
enum { LANES = 64, ITERS = 20000000 };

/* One chain set of type T: LANES independent accumulators, ITERS multiply-adds each. */
#define DEFINE_RUN(name, T, NL)                                                                              \
    static double name(void) {                                                                               \
        T acc[NL], m = (T)0.999999, a = (T)1e-9;                                                             \
        for (int k = 0; k < NL; k++) acc[k] = (T)k;                                                          \
        for (long i = 0; i < ITERS; i++)                                                                     \
            _Pragma("omp simd") for (int k = 0; k < NL; k++) acc[k] = acc[k] * m + a;                        \
        double s = 0;                                                                                        \
        for (int k = 0; k < NL; k++) s += (double)acc[k];                                                    \
        return s;                                                                                            \
    }
DEFINE_RUN(run_double, double, LANES)
DEFINE_RUN(run_float, float, 2 * LANES)

int main(void) {
    for (int prec = 0; prec < 2; prec++)
        for (int threads = 1; threads <= omp_get_num_procs(); threads *= 2) {
            double t0 = omp_get_wtime(), sink = 0;
#pragma omp parallel num_threads(threads) reduction(+ : sink)
            sink += prec ? run_float() : run_double();
            double dt = omp_get_wtime() - t0;
            printf("%s threads %d: %.1f GFLOP/s (checksum %.3g)\n", prec ? "float32" : "float64", threads,
                   2.0 * LANES * (prec + 1) * ITERS * threads / dt / 1e9, sink);
        }
    /* per CPU second of one thread: the peak on a shared host, where wall time counts other
     * processes' turns on the core too */
    for (int prec = 0; prec < 2; prec++) {
        struct timespec a, b;
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &a);
        double sink = prec ? run_float() : run_double();
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &b);
        double dt = (double)(b.tv_sec - a.tv_sec) + 1e-9 * (double)(b.tv_nsec - a.tv_nsec);
        printf("%s cpu-time 1: %.1f GFLOP/s (checksum %.3g)\n", prec ? "float32" : "float64", 2.0 * LANES * (prec + 1) * ITERS / dt / 1e9,
               sink);
    }
    return 0;
}
