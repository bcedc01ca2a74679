/* rar.c - residual-based adaptive refinement of the collocation points (see rar.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "train/rar.h"
#include "train/trainer.h"

pinn_status tr_rar_configure(tr_rar_cfg *cfg, pinn_cfg *c, int node, pinn_error *err) {
    memset(cfg, 0, sizeof *cfg);
    int ir = pinn_cfg_find(c, node, "rar");
    if (ir < 0) return PINN_OK;
    if (pinn_cfg_type_of(c, ir) != PINN_CFG_MAP)
        return pinn_cfg_expected(c, ir, "rar", "a mapping {every: 1000, k: 1, c: 1}", err);
    static const char *const keys[] = {"every", "k", "c", NULL};
    long every = 1000;
    pinn_status st = pinn_cfg_check_keys(c, ir, keys, err);
    if (!st) st = pinn_cfg_int(c, ir, "every", 1, 0x7fffffffL, 1, 1000, &every, err);
    if (!st) st = pinn_cfg_real(c, ir, "k", 0, 100, 1, 1.0, &cfg->k, err);
    if (!st) st = pinn_cfg_real(c, ir, "c", 0, 1e300, 1, 1.0, &cfg->c, err);
    cfg->every = (int)every;
    return st;
}

pinn_status tr_rar_init(tr_rar **out, const tr_rar_cfg *cfg, size_t n, int d, pinn_error *err) {
    tr_rar *r = calloc(1, sizeof *r);
    *out = NULL;
    if (!r) return pinn_error_set(err, PINN_ERR_NOMEM, "out of memory");
    r->cfg = *cfg, r->n = n, r->d = d;
    r->x = malloc(sizeof(pinn_real) * 2 * n * (size_t)d);
    r->score = malloc(sizeof(double) * 2 * n);
    r->key = malloc(sizeof(double) * 2 * n);
    r->idx = malloc(sizeof(size_t) * 2 * n);
    if (!r->x || !r->score || !r->key || !r->idx) {
        tr_rar_free(r);
        return pinn_error_set(err, PINN_ERR_NOMEM, "out of memory");
    }
    *out = r;
    return PINN_OK;
}

void tr_rar_free(tr_rar *r) {
    if (!r) return;
    free(r->x), free(r->score), free(r->key), free(r->idx);
    free(r);
}

static const double *sort_keys; /* qsort has no context argument; refinements run one at a time */
static int by_key_desc(const void *a, const void *b) {
    double ka = sort_keys[*(const size_t *)a], kb = sort_keys[*(const size_t *)b];
    return ka < kb ? 1 : ka > kb ? -1 : (*(const size_t *)a > *(const size_t *)b) - (*(const size_t *)a < *(const size_t *)b);
}

void tr_rar_choose(const double *s, size_t N, size_t m, double k, double c, pinn_rng *rng, double *key, size_t *idx) {
    double mean = 0;
    for (size_t i = 0; i < N; i++) mean += pow(s[i], 0.5 * k) / (double)N;
    for (size_t i = 0; i < N; i++) {
        double w = (mean > 0 ? pow(s[i], 0.5 * k) / mean : 0.0) + c;
        double u = pinn_rng_uniform(rng);
        /* log of u^(1/w): larger is chosen first; weight 0 never before a positive one */
        key[i] = w > 0 ? log(u > 0 ? u : 1e-300) / w : -INFINITY;
        idx[i] = i;
    }
    sort_keys = key;
    qsort(idx, N, sizeof *idx, by_key_desc);
    (void)m;
}

/* Squared residuals of the trainer's current collocation points into score[0..n). */
static pinn_status score_points(pinn_trainer *t, double *score, pinn_error *err) {
    size_t n = pinn_pointset_count(t->colloc);
    memset(score, 0, sizeof(double) * n);
    t->rar_score = score;
    t->rar_base = pinn_pointset_points(t->colloc);
    tr_eval_each(t, 1, 0);
    t->rar_score = NULL;
    return tr_check(t, err);
}

pinn_status tr_rar_refine(tr_rar *r, pinn_trainer *t, long ep, pinn_error *err) {
    if (r->cfg.every <= 0 || ep <= 0 || ep % r->cfg.every) return PINN_OK;
    size_t n = pinn_pointset_count(t->colloc), d = (size_t)t->d;
    if (n != r->n) return pinn_error_set(err, PINN_ERR_INVALID, "rar: %zu collocation points, sized for %zu", n, r->n);
    pinn_real *X = (pinn_real *)pinn_pointset_points(t->colloc);
    pinn_status st = score_points(t, r->score, err);
    if (st) return st;
    memcpy(r->x, X, sizeof(pinn_real) * n * d);
    if ((st = pinn_pointset_resample(t->colloc, err)) || (st = tr_order_colloc(t, err)) ||
        (st = score_points(t, r->score + n, err)))
        return st;
    memcpy(r->x + n * d, X, sizeof(pinn_real) * n * d);
    pinn_rng rng;
    pinn_rng_seed(&rng, t->prob.train.seed ^ (0x52415200ULL + (uint64_t)ep));
    tr_rar_choose(r->score, 2 * n, n, r->cfg.k, r->cfg.c, &rng, r->key, r->idx);
    for (size_t i = 0; i < n; i++) memcpy(X + i * d, r->x + r->idx[i] * d, sizeof(pinn_real) * d);
    t->perm_valid = 0;
    return tr_order_colloc(t, err);
}
