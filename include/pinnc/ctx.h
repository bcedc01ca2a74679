/* pinnc/ctx.h - a context: what would otherwise be process-wide state.  It holds the number of
 * threads over point blocks, the matrix-product kernel choice and the model kinds a program adds
 * to the built-in ones.  Two trainers with different contexts in one process each give exactly
 * what they give alone.  A trainer made without a context uses one of its own. */
#ifndef PINNC_CTX_H
#define PINNC_CTX_H

#include "pinnc/model.h"
#include "pinnc/solve.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Matrix-product kernels for the engine's products. */
typedef enum pinn_gemm_kind {
    PINN_GEMM_AUTO = 0, /* the library, or the small register-blocked kernel where built and faster */
    PINN_GEMM_LIBRARY,  /* always the BLAS library (or the built-in blocked fallback) */
    PINN_GEMM_SMALL,    /* the register-blocked kernel wherever it applies */
    PINN_GEMM_PLAN,     /* per product shape the faster of the two, timed once and cached per machine */
    PINN_GEMM_KIND_COUNT
} pinn_gemm_kind;
const char *pinn_gemm_kind_to_string(pinn_gemm_kind k);
/* The kind named s ("auto", "library", "small", "plan"); PINN_ERR_INVALID lists the names. */
pinn_status pinn_gemm_kind_from_string(const char *s, pinn_gemm_kind *out, pinn_error *err);

/* One planned product: op(A) op(B) with op(A) m x k, op(B) k x n; the kernel chosen (library or
 * small) and the seconds per product each took when timed (thread CPU time, best of 5). */
typedef struct pinn_gemm_plan_entry {
    int ta, tb, m, n, k;
    pinn_gemm_kind kind;
    double library_s, small_s;
    int from_cache; /* read from the machine's plan cache rather than timed in this process */
    int used;       /* chosen for a product of this process (the cache may hold other shapes) */
} pinn_gemm_plan_entry;

#define PINN_CTX_MAX_KINDS 32

typedef struct pinn_ctx pinn_ctx;

/* A context with all cores (threads <= 0), PINN_GEMM_AUTO (the environment at this call may
 * choose another: PINN_GEMM=auto|library|small|plan, or PINN_SMALL_GEMM=0 for library) and the
 * built-in model kinds. */
pinn_status pinn_ctx_init(pinn_ctx **out, int threads, pinn_error *err);
void pinn_ctx_free(pinn_ctx *c);
/* Threads over point blocks (<= 0: all cores). */
void pinn_ctx_set_threads(pinn_ctx *c, int threads);
int pinn_ctx_threads(const pinn_ctx *c);
void pinn_ctx_set_gemm(pinn_ctx *c, pinn_gemm_kind k);
pinn_gemm_kind pinn_ctx_gemm(const pinn_ctx *c);
/* The kernel for one product under the context's kind: PINN_GEMM_PLAN looks the shape up in the
 * plan (read from the machine's cache on first use, else timed now); other kinds return
 * themselves.  Not for use while another thread calls it on the same context. */
pinn_gemm_kind pinn_ctx_gemm_for(pinn_ctx *c, int ta, int tb, int M, int N, int K);
/* Writes new plan entries to the cache file (atomically; failure to write is not an error). */
void pinn_ctx_gemm_plan_save(pinn_ctx *c);
/* The plan's path (cache_path NULL: the default, see docs/benchmarks.md; "": memory only); call
 * before the first planned product. */
pinn_status pinn_ctx_set_gemm_cache(pinn_ctx *c, const char *cache_path, pinn_error *err);
/* The entries planned so far (shapes this context's tapes use, and any read from the cache). */
int pinn_ctx_gemm_plan_count(const pinn_ctx *c);
const pinn_gemm_plan_entry *pinn_ctx_gemm_plan_entry(const pinn_ctx *c, int i);
/* Data parallelism across processes (MPI ranks, say): a term's fixed chunks of point blocks are
 * split into contiguous runs, one per rank; each rank computes its run, and gather fills in the
 * others' so that every rank sums all chunks in chunk order, as one process would.  So any rank
 * count gives bitwise the result of one process.  gather(user, buf, elem_bytes, counts, displs)
 * is an in-place all-gather: rank r contributes counts[r] elements of elem_bytes bytes starting at
 * element displs[r] of buf, and on return every rank's buf holds all of them (MPI_Allgatherv with
 * MPI_IN_PLACE).  Every rank runs the same training; only rank 0 should write files. */
typedef void (*pinn_gather_fn)(void *user, void *buf, size_t elem_bytes, const int *counts, const int *displs);
/* rank in [0, nranks); nranks 1 (the default) turns it off.  Set before trainers are made. */
pinn_status pinn_ctx_set_ranks(pinn_ctx *c, int rank, int nranks, pinn_gather_fn gather, void *user, pinn_error *err);
int pinn_ctx_rank(const pinn_ctx *c);
int pinn_ctx_nranks(const pinn_ctx *c);
/* The gather function and its user pointer (NULL with one rank). */
pinn_gather_fn pinn_ctx_gather(const pinn_ctx *c, void **user);

/* A distributed least-squares solver (pinnc/solve.h) for the lstsq and gauss_newton phases'
 * solver: petsc_lsqr / petsc_cgls; NULL removes it.  Under pinn_ctx_set_ranks each rank then
 * assembles only its share of the rows.  The library itself has none (it links no MPI). */
pinn_status pinn_ctx_set_dist_lsq(pinn_ctx *c, pinn_dist_lsq_fn fn, void *user, pinn_error *err);
/* The solver and its user pointer (NULL when none is set). */
pinn_dist_lsq_fn pinn_ctx_dist_lsq(const pinn_ctx *c, void **user);

/* Adds a model kind (the table must outlive the context); a kind named like an existing one is an
 * error. */
pinn_status pinn_ctx_register_model(pinn_ctx *c, const pinn_model_ops *ops, pinn_error *err);
/* The kind named `kind`: registered ones first, then the built-in ones; NULL if unknown. */
const pinn_model_ops *pinn_ctx_find_model(const pinn_ctx *c, const char *kind);
/* Names of every kind known to c, for messages ("mlp moe ..."). */
void pinn_ctx_model_names(const pinn_ctx *c, char *buf, size_t size);

#ifdef __cplusplus
}
#endif
#endif
