/* ctx.c - the context of pinnc/ctx.h: thread count, GEMM choice and added model kinds. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "core/blas.h"
#include "core/gemm_plan.h"
#include "pinnc/ctx.h"

struct pinn_ctx {
    int threads;
    pinn_gemm_kind gemm;
    pinn_gemm_planner *plan; /* made on the first planned product */
    int plan_path_set;
    char plan_path[1024];
    int rank, nranks;
    pinn_gather_fn gather;
    void *gather_user;
    pinn_dist_lsq_fn dist_lsq;
    void *dist_lsq_user;
    int n_kinds;
    const pinn_model_ops *kinds[PINN_CTX_MAX_KINDS];
};

static const char *const gemm_names[PINN_GEMM_KIND_COUNT] = {"auto", "library", "small", "plan"};
const char *pinn_gemm_kind_to_string(pinn_gemm_kind k) {
    return (int)k >= 0 && k < PINN_GEMM_KIND_COUNT ? gemm_names[k] : "unknown";
}

/* The kind named s, or PINN_ERR_INVALID naming the choices. */
pinn_status pinn_gemm_kind_from_string(const char *s, pinn_gemm_kind *out, pinn_error *err) {
    for (int i = 0; i < PINN_GEMM_KIND_COUNT; i++)
        if (s && !strcmp(s, gemm_names[i])) {
            *out = (pinn_gemm_kind)i;
            return PINN_OK;
        }
    return pinn_error_set(err, PINN_ERR_INVALID, "GEMM kind '%s': expected auto, library, small or plan", s ? s : "");
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
    (*out)->nranks = 1;
    const char *e = getenv("PINN_SMALL_GEMM"), *g = getenv("PINN_GEMM");
    (*out)->gemm = e && e[0] == '0' ? PINN_GEMM_LIBRARY : PINN_GEMM_AUTO;
    pinn_gemm_kind k;
    pinn_error ignored;
    if (g && g[0] && pinn_gemm_kind_from_string(g, &k, &ignored) == PINN_OK) (*out)->gemm = k;
    /* products run inside pinnc's own parallel regions: BLAS stays on one thread */
    pinn_blas_single_thread();
    return PINN_OK;
}

void pinn_ctx_free(pinn_ctx *c) {
    if (!c) return;
    pinn_gemm_planner_free(c->plan);
    free(c);
}
void pinn_ctx_set_threads(pinn_ctx *c, int threads) { c->threads = resolve_threads(threads); }
int pinn_ctx_threads(const pinn_ctx *c) { return c->threads; }
void pinn_ctx_set_gemm(pinn_ctx *c, pinn_gemm_kind k) { c->gemm = k; }
pinn_gemm_kind pinn_ctx_gemm(const pinn_ctx *c) { return c->gemm; }

pinn_status pinn_ctx_set_gemm_cache(pinn_ctx *c, const char *cache_path, pinn_error *err) {
    if (c->plan) return pinn_error_set(err, PINN_ERR_INVALID, "GEMM plan cache: set after planning began");
    c->plan_path_set = cache_path != NULL;
    snprintf(c->plan_path, sizeof c->plan_path, "%s", cache_path ? cache_path : "");
    return PINN_OK;
}

/* The kernel for one product (see the header); a planner that cannot be made falls back to the
 * library. */
pinn_gemm_kind pinn_ctx_gemm_for(pinn_ctx *c, int ta, int tb, int M, int N, int K) {
    if (c->gemm != PINN_GEMM_PLAN) return c->gemm;
    pinn_error err;
    if (!c->plan && pinn_gemm_planner_init(&c->plan, c->plan_path_set ? c->plan_path : NULL, &err) != PINN_OK)
        return PINN_GEMM_LIBRARY;
    return pinn_gemm_planner_choose(c->plan, ta, tb, M, N, K);
}

void pinn_ctx_gemm_plan_save(pinn_ctx *c) {
    if (c->plan) pinn_gemm_planner_save(c->plan);
}
int pinn_ctx_gemm_plan_count(const pinn_ctx *c) { return c->plan ? pinn_gemm_planner_count(c->plan) : 0; }
const pinn_gemm_plan_entry *pinn_ctx_gemm_plan_entry(const pinn_ctx *c, int i) {
    return c->plan ? pinn_gemm_planner_entry(c->plan, i) : NULL;
}

pinn_status pinn_ctx_set_ranks(pinn_ctx *c, int rank, int nranks, pinn_gather_fn gather, void *user, pinn_error *err) {
    if (nranks < 1 || rank < 0 || rank >= nranks || (nranks > 1 && !gather))
        return pinn_error_set(err, PINN_ERR_INVALID, "context: rank %d of %d%s", rank, nranks,
                              nranks > 1 && !gather ? " without a gather function" : "");
    c->rank = rank, c->nranks = nranks;
    c->gather = nranks > 1 ? gather : NULL;
    c->gather_user = nranks > 1 ? user : NULL;
    return PINN_OK;
}
int pinn_ctx_rank(const pinn_ctx *c) { return c->rank; }
int pinn_ctx_nranks(const pinn_ctx *c) { return c->nranks; }
pinn_gather_fn pinn_ctx_gather(const pinn_ctx *c, void **user) {
    if (user) *user = c->gather_user;
    return c->gather;
}

pinn_status pinn_ctx_set_dist_lsq(pinn_ctx *c, pinn_dist_lsq_fn fn, void *user, pinn_error *err) {
    if (!c) return pinn_error_set(err, PINN_ERR_INVALID, "context: none");
    c->dist_lsq = fn;
    c->dist_lsq_user = fn ? user : NULL;
    return PINN_OK;
}
pinn_dist_lsq_fn pinn_ctx_dist_lsq(const pinn_ctx *c, void **user) {
    if (user) *user = c ? c->dist_lsq_user : NULL;
    return c ? c->dist_lsq : NULL;
}

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
