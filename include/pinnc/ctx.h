/* pinnc/ctx.h - a context: what would otherwise be process-wide state.  It holds the number of
 * threads over point blocks, the matrix-product kernel choice and the model kinds a program adds
 * to the built-in ones.  Two trainers with different contexts in one process each give exactly
 * what they give alone.  A trainer made without a context uses one of its own. */
#ifndef PINNC_CTX_H
#define PINNC_CTX_H

#include "pinnc/model.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Matrix-product kernels for the engine's products. */
typedef enum pinn_gemm_kind {
    PINN_GEMM_AUTO = 0, /* the library, or the small register-blocked kernel where built and faster */
    PINN_GEMM_LIBRARY,  /* always the BLAS library (or the built-in blocked fallback) */
    PINN_GEMM_SMALL,    /* the register-blocked kernel wherever it applies (builds with it only) */
    PINN_GEMM_KIND_COUNT
} pinn_gemm_kind;
const char *pinn_gemm_kind_to_string(pinn_gemm_kind k);

#define PINN_CTX_MAX_KINDS 32

typedef struct pinn_ctx pinn_ctx;

/* A context with all cores (threads <= 0), PINN_GEMM_AUTO (PINN_SMALL_GEMM=0 in the environment
 * at this call selects PINN_GEMM_LIBRARY) and the built-in model kinds. */
pinn_status pinn_ctx_init(pinn_ctx **out, int threads, pinn_error *err);
void pinn_ctx_free(pinn_ctx *c);
/* Threads over point blocks (<= 0: all cores). */
void pinn_ctx_set_threads(pinn_ctx *c, int threads);
int pinn_ctx_threads(const pinn_ctx *c);
void pinn_ctx_set_gemm(pinn_ctx *c, pinn_gemm_kind k);
pinn_gemm_kind pinn_ctx_gemm(const pinn_ctx *c);
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
