/* threads.c - the process-wide thread count for point-block parallelism, and BLAS pinning.
 * This is the one piece of process state pinnc keeps: it mirrors OpenMP's own global setting. */
#ifdef _OPENMP
#include <omp.h>
#endif
#include "core/blas.h"
#include "pinnc/core.h"

/* BLAS is pinned to one thread first: the OpenMP build of OpenBLAS implements that with
 * omp_set_num_threads(1), which would otherwise undo the point-block thread count set after it
 * (pinnc's products run inside its own parallel regions, where OpenBLAS stays serial anyway). */
void pinn_threads_set(int n) {
    pinn_blas_single_thread();
#ifdef _OPENMP
    if (n <= 0) n = omp_get_num_procs();
    omp_set_num_threads(n);
#else
    (void)n;
#endif
}

int pinn_threads_get(void) {
#ifdef _OPENMP
    return omp_get_max_threads();
#else
    return 1;
#endif
}
