/* gemm_plan.h - the GEMM planner: for each product shape the engine issues, the candidate kernels
 * (the BLAS library and the register-blocked kernel of gemm_small.c) are timed once, the fastest
 * is kept, and the choices are cached per machine in a text file so later runs reuse them (and so
 * give bitwise the same products).  Not thread-safe: plans are made while tapes are set up. */
#ifndef PINN_CORE_GEMM_PLAN_H
#define PINN_CORE_GEMM_PLAN_H

#include "pinnc/ctx.h"

typedef struct pinn_gemm_planner pinn_gemm_planner;

/* An empty planner; the cache file is read on the first choice.  cache_path NULL: the default
 * (PINN_GEMM_CACHE, else $XDG_CACHE_HOME/pinnc/, else $HOME/.cache/pinnc/, with a file name that
 * names the CPU, the precision and the library); "" keeps the plan in memory only. */
pinn_status pinn_gemm_planner_init(pinn_gemm_planner **out, const char *cache_path, pinn_error *err);
void pinn_gemm_planner_free(pinn_gemm_planner *p);
/* The kernel (PINN_GEMM_LIBRARY or PINN_GEMM_SMALL) for op(A) op(B) with op(A) M x K, op(B) K x N:
 * from the plan, else timed now and added to it. */
pinn_gemm_kind pinn_gemm_planner_choose(pinn_gemm_planner *p, int ta, int tb, int M, int N, int K);
/* Writes the plan to its cache file (atomically) if it gained entries; a cache that cannot be
 * written is not an error (the plan still holds in memory).  Returns 1 if written. */
int pinn_gemm_planner_save(pinn_gemm_planner *p);
int pinn_gemm_planner_count(const pinn_gemm_planner *p);
const pinn_gemm_plan_entry *pinn_gemm_planner_entry(const pinn_gemm_planner *p, int i);
/* The cache file's path ("" when none). */
const char *pinn_gemm_planner_path(const pinn_gemm_planner *p);

#endif
