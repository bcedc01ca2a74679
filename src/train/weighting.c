/* weighting.c - loss weighting schemes: MA-, ID-, DN-PINN (exponential decay, update interval,
 * bias correction, L^p norms) and ReLoBRaLo.  See docs/methods.md for the equations. */
#include <math.h>
#include <string.h>

#include "pinnc/weighting.h"

static const char *const scheme_names[PINN_WEIGHT_SCHEME_COUNT] = {"fixed", "ma", "ma_mean", "id", "dn", "relobralo"};

const char *pinn_weight_scheme_to_string(pinn_weight_scheme s) {
    return (int)s >= 0 && s < PINN_WEIGHT_SCHEME_COUNT ? scheme_names[s] : "unknown";
}

int pinn_weight_scheme_from_string(const char *name) {
    for (int s = 0; s < PINN_WEIGHT_SCHEME_COUNT; s++)
        if (!strcmp(name, scheme_names[s])) return s;
    if (!strcmp(name, "none") || !strcmp(name, "pinn")) return PINN_WEIGHT_FIXED;
    return -1;
}

void pinn_weighting_cfg_default(pinn_weighting_cfg *c, int n_terms) {
    memset(c, 0, sizeof *c);
    c->scheme = PINN_WEIGHT_FIXED;
    c->beta = 0.99;
    c->every = 10;
    c->p = 2;
    c->init = 1;
    c->reference = 0;
    for (int j = 1; j < n_terms && j < PINN_WEIGHT_MAX_TERMS; j++) c->weighted[j] = 1;
    c->temperature = 0.1;
    c->alpha = 0.999;
    c->rho = 0.999;
    c->seed = 1;
}

pinn_status pinn_weighting_init(pinn_weighting *w, int n_terms, const double *fixed, const pinn_weighting_cfg *cfg,
                                pinn_error *err) {
    memset(w, 0, sizeof *w);
    if (n_terms < 1 || n_terms > PINN_WEIGHT_MAX_TERMS)
        return pinn_error_set(err, PINN_ERR_INVALID, "weighting: %d terms (expected 1..%d)", n_terms, PINN_WEIGHT_MAX_TERMS);
    if ((int)cfg->scheme < 0 || cfg->scheme >= PINN_WEIGHT_SCHEME_COUNT)
        return pinn_error_set(err, PINN_ERR_INVALID, "weighting: unknown scheme");
    if (!(cfg->beta >= 0 && cfg->beta < 1) || cfg->every < 1)
        return pinn_error_set(err, PINN_ERR_INVALID, "weighting: expected 0 <= beta < 1 and every >= 1");
    if (!(cfg->p == 1 || cfg->p == 2 || isinf(cfg->p)))
        return pinn_error_set(err, PINN_ERR_INVALID, "weighting: p must be 1, 2 or inf (got %g)", cfg->p);
    if (cfg->reference < 0 || cfg->reference >= n_terms)
        return pinn_error_set(err, PINN_ERR_INVALID, "weighting: reference term %d out of range", cfg->reference);
    if (cfg->scheme == PINN_WEIGHT_RELOBRALO &&
        !(cfg->temperature > 0 && cfg->alpha >= 0 && cfg->alpha <= 1 && cfg->rho >= 0 && cfg->rho <= 1))
        return pinn_error_set(err, PINN_ERR_INVALID, "weighting: ReLoBRaLo needs temperature > 0, alpha and rho in [0, 1]");
    w->cfg = *cfg;
    w->n = n_terms;
    pinn_rng_seed(&w->rng, cfg->seed);
    for (int j = 0; j < n_terms; j++) {
        w->fixed[j] = fixed ? fixed[j] : 1.0;
        int dyn = cfg->scheme != PINN_WEIGHT_FIXED && cfg->weighted[j] && j != cfg->reference;
        if (cfg->scheme == PINN_WEIGHT_RELOBRALO) dyn = cfg->weighted[j] || j == cfg->reference;
        w->lambda[j] = dyn ? (cfg->bias_correction ? 0.0 : cfg->init) : w->fixed[j];
        w->w[j] = dyn ? (cfg->scheme == PINN_WEIGHT_RELOBRALO ? 1.0 : cfg->init) : w->fixed[j];
        w->w[j] = dyn && cfg->bias_correction && cfg->scheme != PINN_WEIGHT_RELOBRALO ? cfg->init : w->w[j];
    }
    return PINN_OK;
}

double pinn_weighting_stat(pinn_weight_scheme s, double p, int as_reference, const pinn_real *g, size_t np) {
    double acc = 0, mx = 0;
    if (s == PINN_WEIGHT_MA && as_reference) { /* max |g_ref|; other terms: mean |g| */
        for (size_t i = 0; i < np; i++) mx = fmax(mx, fabs((double)g[i]));
        return mx;
    }
    switch (s) {
    case PINN_WEIGHT_MA:
    case PINN_WEIGHT_MA_MEAN:
        for (size_t i = 0; i < np; i++) acc += fabs((double)g[i]);
        return np ? acc / (double)np : 0;
    case PINN_WEIGHT_ID: {
        double mean = 0;
        for (size_t i = 0; i < np; i++) mean += g[i];
        mean /= (double)(np ? np : 1);
        for (size_t i = 0; i < np; i++) acc += ((double)g[i] - mean) * ((double)g[i] - mean);
        return np > 1 ? sqrt(acc / (double)(np - 1)) : 0;
    }
    case PINN_WEIGHT_DN:
        if (isinf(p)) {
            for (size_t i = 0; i < np; i++) mx = fmax(mx, fabs((double)g[i]));
            return mx;
        }
        if (p == 1) {
            for (size_t i = 0; i < np; i++) acc += fabs((double)g[i]);
            return acc;
        }
        for (size_t i = 0; i < np; i++) acc += (double)g[i] * g[i];
        return sqrt(acc);
    default: return 0;
    }
}

/* ReLoBRaLo (Bischof & Kraus): softmax of loss ratios, against the previous losses and, with
 * probability rho, blended with the running weights (else with the ratios to the first losses). */
static void relobralo(pinn_weighting *w, const double *L) {
    const pinn_weighting_cfg *c = &w->cfg;
    int m = 0;
    for (int j = 0; j < w->n; j++) m += c->weighted[j] || j == c->reference;
    if (w->updates == 0) {
        for (int j = 0; j < w->n; j++) w->loss0[j] = w->loss_prev[j] = L[j];
        w->updates = 1;
        return;
    }
    double bal_prev[PINN_WEIGHT_MAX_TERMS], bal0[PINN_WEIGHT_MAX_TERMS], zp = 0, z0 = 0, mxp = -INFINITY, mx0 = -INFINITY;
    for (int j = 0; j < w->n; j++) {
        if (!(c->weighted[j] || j == c->reference)) continue;
        bal_prev[j] = L[j] / (c->temperature * w->loss_prev[j] + 1e-300);
        bal0[j] = L[j] / (c->temperature * w->loss0[j] + 1e-300);
        mxp = fmax(mxp, bal_prev[j]), mx0 = fmax(mx0, bal0[j]);
    }
    for (int j = 0; j < w->n; j++) {
        if (!(c->weighted[j] || j == c->reference)) continue;
        bal_prev[j] = exp(bal_prev[j] - mxp), bal0[j] = exp(bal0[j] - mx0);
        zp += bal_prev[j], z0 += bal0[j];
    }
    int lookback = pinn_rng_uniform(&w->rng) < c->rho; /* Bernoulli(rho): keep the history */
    for (int j = 0; j < w->n; j++) {
        if (!(c->weighted[j] || j == c->reference)) continue;
        double hist = lookback ? w->w[j] : m * bal0[j] / z0;
        w->w[j] = c->alpha * hist + (1 - c->alpha) * m * bal_prev[j] / zp;
        w->loss_prev[j] = L[j];
    }
    w->updates++;
}

int pinn_weighting_update(pinn_weighting *w, long epoch, const pinn_real *const *grads, size_t np, const double *losses) {
    const pinn_weighting_cfg *c = &w->cfg;
    if (c->scheme == PINN_WEIGHT_FIXED || epoch % c->every != 0) return 0;
    if (c->scheme == PINN_WEIGHT_RELOBRALO) {
        relobralo(w, losses);
        return 1;
    }
    int r = c->reference;
    double sref = pinn_weighting_stat(c->scheme, c->p, 1, grads[r], np);
    w->stat[r] = sref;
    w->updates++;
    double corr = c->bias_correction ? 1.0 - pow(c->beta, (double)w->updates) : 1.0;
    for (int j = 0; j < w->n; j++) {
        if (!c->weighted[j] || j == r) continue;
        double s = pinn_weighting_stat(c->scheme, c->p, 0, grads[j], np);
        w->stat[j] = s;
        double hat = s > 0 ? sref / s : w->lambda[j];
        if (c->scheme == PINN_WEIGHT_MA) { /* eq. 15: divided by the previous weight */
            double prev = w->w[j] > 0 ? w->w[j] : 1.0;
            hat = s > 0 ? sref / (prev * s) : w->lambda[j];
        }
        w->hat[j] = hat;
        w->lambda[j] = c->beta * w->lambda[j] + (1 - c->beta) * hat;
        w->w[j] = w->lambda[j] / corr;
    }
    return 1;
}
