/* causal.c - causal training's chunk weights, eps schedule and stopping rule (see causal.h);
 * the weighted residual itself is in losses.c (expr_pass). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "train/causal.h"
#include "train/phase.h"

void tr_causal_weights(const double *L, int M, double eps, double *w) {
    double s = 0;
    for (int i = 0; i < M; i++) {
        w[i] = exp(-eps * s);
        s += L[i];
    }
}

pinn_status tr_causal_configure(tr_causal_cfg *cfg, pinn_cfg *c, int node, int has_time, pinn_error *err) {
    memset(cfg, 0, sizeof *cfg);
    int ic = pinn_cfg_find(c, node, "causal");
    if (ic < 0) return PINN_OK;
    if (pinn_cfg_type_of(c, ic) != PINN_CFG_MAP)
        return pinn_cfg_expected(c, ic, "causal", "a mapping {chunks: 32, eps: [0.01, 0.1, 1, 10, 100], delta: 0.99, stop: false}", err);
    if (!has_time) return pinn_cfg_expected(c, ic, "causal", "a problem with a time coordinate", err);
    static const char *const keys[] = {"chunks", "eps", "delta", "stop", NULL};
    long M;
    pinn_status st = pinn_cfg_check_keys(c, ic, keys, err);
    if (!st) st = pinn_cfg_int(c, ic, "chunks", 2, TR_CAUSAL_MAX_CHUNKS, 1, 32, &M, err);
    if (!st) st = pinn_cfg_real(c, ic, "delta", 0, 1, 1, 0.99, &cfg->delta, err);
    if (!st) st = pinn_cfg_bool(c, ic, "stop", 1, 0, &cfg->stop, err);
    if (st) return st;
    cfg->chunks = (int)M;
    int ie = pinn_cfg_find(c, ic, "eps");
    static const char *form = "a positive number or an increasing list of at most 8";
    if (ie < 0) {
        cfg->n_eps = 1, cfg->eps[0] = 1.0;
        return pinn_cfg_set(c, ic, "eps", "1") < 0 ? pinn_cfg_expected(c, ic, "eps", "room in the configuration", err) : PINN_OK;
    }
    int type = pinn_cfg_type_of(c, ie), n = type == PINN_CFG_SCALAR ? 1 : pinn_cfg_count(c, ie);
    if ((type != PINN_CFG_SCALAR && type != PINN_CFG_SEQ) || n < 1 || n > TR_CAUSAL_MAX_EPS)
        return pinn_cfg_expected(c, ie, "eps", form, err);
    for (int k = 0; k < n; k++) {
        int it = type == PINN_CFG_SCALAR ? ie : pinn_cfg_item(c, ie, k);
        const char *s = pinn_cfg_text(c, it);
        char *end = NULL;
        double v = s ? strtod(s, &end) : NAN;
        if (!s || end == s || *end || !(v > 0) || !isfinite(v) || (k > 0 && v <= cfg->eps[k - 1]))
            return pinn_cfg_expected(c, ie, "eps", form, err);
        cfg->eps[k] = v;
    }
    cfg->n_eps = n;
    return PINN_OK;
}

pinn_status tr_causal_init(tr_causal **out, const tr_causal_cfg *cfg, int time, double t0, double t1, int n_threads,
                           pinn_error *err) {
    tr_causal *c = calloc(1, sizeof *c);
    if (c) c->acc = calloc((size_t)(n_threads > 0 ? n_threads : 1) * 2 * (size_t)cfg->chunks, sizeof *c->acc);
    if (!c || !c->acc) {
        if (c) free(c);
        return pinn_error_set(err, PINN_ERR_NOMEM, "out of memory");
    }
    c->cfg = *cfg;
    c->time = time;
    c->t0 = t0, c->t1 = t1;
    c->n_threads = n_threads > 0 ? n_threads : 1;
    for (int i = 0; i < cfg->chunks; i++) c->w[i] = 1.0;
    *out = c;
    return PINN_OK;
}

void tr_causal_free(tr_causal *c) {
    if (!c) return;
    free(c->acc);
    free(c);
}

int tr_causal_chunk(const tr_causal *c, double tv) {
    int M = c->cfg.chunks;
    double span = c->t1 - c->t0;
    int i = span > 0 ? (int)floor((tv - c->t0) / span * M) : 0;
    return i < 0 ? 0 : i >= M ? M - 1 : i;
}

void tr_causal_reset(tr_causal *c) { memset(c->acc, 0, sizeof *c->acc * (size_t)c->n_threads * 2 * (size_t)c->cfg.chunks); }

int tr_causal_update(tr_causal *c) {
    int M = c->cfg.chunks;
    for (int i = 0; i < M; i++) {
        double s = 0, n = 0;
        for (int k = 0; k < c->n_threads; k++) s += c->acc[(size_t)k * 2 * M + 2 * i], n += c->acc[(size_t)k * 2 * M + 2 * i + 1];
        if (n > 0) c->L[i] = s / n; /* a chunk without points in this batch keeps its last loss */
    }
    tr_causal_weights(c->L, M, c->cfg.eps[c->k_eps], c->w);
    double wmin = c->w[M - 1];
    if (wmin > c->cfg.delta) {
        if (c->k_eps + 1 < c->cfg.n_eps) {
            c->k_eps++;
            tr_causal_weights(c->L, M, c->cfg.eps[c->k_eps], c->w);
        } else
            c->done = 1;
    }
    return c->done && c->cfg.stop;
}

size_t tr_causal_state_size(const tr_causal_cfg *cfg) { return cfg->chunks > 0 ? 1 + (size_t)cfg->chunks : 0; }

void tr_causal_state_save(const tr_causal *c, double *buf) {
    buf[0] = c->k_eps;
    memcpy(buf + 1, c->L, sizeof(double) * (size_t)c->cfg.chunks);
}

void tr_causal_state_load(tr_causal *c, const double *buf) {
    int k = (int)buf[0];
    c->k_eps = k < 0 ? 0 : k >= c->cfg.n_eps ? c->cfg.n_eps - 1 : k;
    memcpy(c->L, buf + 1, sizeof(double) * (size_t)c->cfg.chunks);
    tr_causal_weights(c->L, c->cfg.chunks, c->cfg.eps[c->k_eps], c->w);
}

int pinn_trainer_causal(const pinn_trainer *t, double *eps, const double **loss, const double **weight) {
    if (t->phase < 0 || t->phase >= t->n_phases || !t->phases[t->phase].causal) return 0;
    const tr_causal *c = t->phases[t->phase].causal;
    if (eps) *eps = c->cfg.eps[c->k_eps];
    if (loss) *loss = c->L;
    if (weight) *weight = c->w;
    return c->cfg.chunks;
}
