/* ctx.c - the context of pinnc/ctx.h: thread count, GEMM choice and added model kinds. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "core/blas.h"
#include "pinnc/ctx.h"

struct pinn_ctx {
    int threads;
    pinn_gemm_kind gemm;
    int n_kinds;
    const pinn_model_ops *kinds[PINN_CTX_MAX_KINDS];
};

static const char *const gemm_names[PINN_GEMM_KIND_COUNT] = {"auto", "library", "small"};
const char *pinn_gemm_kind_to_string(pinn_gemm_kind k) {
    return (int)k >= 0 && k < PINN_GEMM_KIND_COUNT ? gemm_names[k] : "unknown";
}

static int resolve_threads(int n) {
#ifdef _OPENMP
    return n > 0 ? n : omp_get_num_procs();
#else
    (void)n;
    return 1;
#endif
}

pinn_status pinn_ctx_init(pinn_ctx **out, int threads, pinn_error *err) {
    *out = calloc(1, sizeof **out);
    if (!*out) return pinn_error_set(err, PINN_ERR_NOMEM, "context: out of memory");
    (*out)->threads = resolve_threads(threads);
    const char *e = getenv("PINN_SMALL_GEMM");
    (*out)->gemm = e && e[0] == '0' ? PINN_GEMM_LIBRARY : PINN_GEMM_AUTO;
    /* products run inside pinnc's own parallel regions: BLAS stays on one thread */
    pinn_blas_single_thread();
    return PINN_OK;
}

void pinn_ctx_free(pinn_ctx *c) { free(c); }
void pinn_ctx_set_threads(pinn_ctx *c, int threads) { c->threads = resolve_threads(threads); }
int pinn_ctx_threads(const pinn_ctx *c) { return c->threads; }
void pinn_ctx_set_gemm(pinn_ctx *c, pinn_gemm_kind k) { c->gemm = k; }
pinn_gemm_kind pinn_ctx_gemm(const pinn_ctx *c) { return c->gemm; }

pinn_status pinn_ctx_register_model(pinn_ctx *c, const pinn_model_ops *ops, pinn_error *err) {
    if (!ops || !ops->kind || !ops->kind[0] || !ops->configure || !ops->build)
        return pinn_error_set(err, PINN_ERR_INVALID, "model kind: needs a name, configure and build");
    if (pinn_ctx_find_model(c, ops->kind))
        return pinn_error_set(err, PINN_ERR_INVALID, "model kind '%s' is already known", ops->kind);
    if (c->n_kinds == PINN_CTX_MAX_KINDS)
        return pinn_error_set(err, PINN_ERR_INVALID, "more than %d added model kinds", PINN_CTX_MAX_KINDS);
    c->kinds[c->n_kinds++] = ops;
    return PINN_OK;
}

const pinn_model_ops *pinn_ctx_find_model(const pinn_ctx *c, const char *kind) {
    for (int i = 0; c && i < c->n_kinds; i++)
        if (!strcmp(c->kinds[i]->kind, kind)) return c->kinds[i];
    return pinn_model_find_builtin(kind);
}

void pinn_ctx_model_names(const pinn_ctx *c, char *buf, size_t size) {
    buf[0] = '\0';
    const pinn_model_ops *const *b = pinn_model_builtin();
    for (int i = 0; b[i]; i++) snprintf(buf + strlen(buf), size - strlen(buf), "%s%s", buf[0] ? " " : "", b[i]->kind);
    for (int i = 0; c && i < c->n_kinds; i++)
        snprintf(buf + strlen(buf), size - strlen(buf), "%s%s", buf[0] ? " " : "", c->kinds[i]->kind);
}
