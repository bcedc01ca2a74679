/* adam.c - the Adam optimizer (Kingma & Ba, 2015) on a flat parameter vector, with bias
 * correction, decoupled weight decay (AdamW, Loshchilov & Hutter) and global gradient-norm
 * clipping; its state can be saved to and loaded from a flat array of doubles. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "pinnc/optim.h"

/* Tag at the front of a saved state ("ADM1" read as a 32-bit number; exact in a double). */
#define ADAM_STATE_TAG 1094995249.0
#define ADAM_STATE_HEADER 3

/* The defaults documented in optim.h. */
void pinn_adam_config_default(pinn_adam_config *cfg) {
    memset(cfg, 0, sizeof *cfg);
    pinn_schedule_default(&cfg->schedule, 1e-3);
    cfg->beta1 = 0.9;
    cfg->beta2 = 0.999;
    cfg->eps = 1e-8;
    cfg->weight_decay = 0.0;
    cfg->clip_norm = 0.0;
}

/* Checks cfg, then allocates m and v (zeroed).  opt owns them until pinn_adam_free. */
pinn_status pinn_adam_init(pinn_adam *opt, size_t n, const pinn_adam_config *cfg, pinn_error *err) {
    if (!opt) return pinn_error_set(err, PINN_ERR_INVALID, "adam: NULL optimizer");
    memset(opt, 0, sizeof *opt);
    if (!cfg) return pinn_error_set(err, PINN_ERR_INVALID, "adam: NULL config");
    if (n == 0) return pinn_error_set(err, PINN_ERR_INVALID, "adam: parameter count must be > 0");
    pinn_status st = pinn_schedule_validate(&cfg->schedule, err);
    if (st != PINN_OK) return st;
    if (!(cfg->beta1 >= 0.0 && cfg->beta1 < 1.0))
        return pinn_error_set(err, PINN_ERR_INVALID, "adam: beta1 must be in [0, 1), got %g", cfg->beta1);
    if (!(cfg->beta2 >= 0.0 && cfg->beta2 < 1.0))
        return pinn_error_set(err, PINN_ERR_INVALID, "adam: beta2 must be in [0, 1), got %g", cfg->beta2);
    if (!(cfg->eps > 0.0) || !isfinite(cfg->eps))
        return pinn_error_set(err, PINN_ERR_INVALID, "adam: eps must be > 0, got %g", cfg->eps);
    if (!(cfg->weight_decay >= 0.0) || !isfinite(cfg->weight_decay))
        return pinn_error_set(err, PINN_ERR_INVALID, "adam: weight_decay must be >= 0, got %g",
                              cfg->weight_decay);
    if (!(cfg->clip_norm >= 0.0) || !isfinite(cfg->clip_norm))
        return pinn_error_set(err, PINN_ERR_INVALID, "adam: clip_norm must be >= 0 (0 = off), got %g",
                              cfg->clip_norm);
    if (n > SIZE_MAX / (2 * sizeof(pinn_real)))
        return pinn_error_set(err, PINN_ERR_NOMEM, "adam: %zu parameters is too many", n);
    /* one block holds m then v */
    pinn_real *block = calloc(2 * n, sizeof *block);
    if (!block) return pinn_error_set(err, PINN_ERR_NOMEM, "adam: cannot allocate state for %zu parameters", n);
    opt->n = n;
    opt->cfg = *cfg;
    opt->m = block;
    opt->v = block + n;
    opt->t = 0;
    return PINN_OK;
}

/* Frees the moment block (m owns it) and empties opt. */
void pinn_adam_free(pinn_adam *opt) {
    if (!opt) return;
    free(opt->m);
    memset(opt, 0, sizeof *opt);
}

/* Zeroes the moments and the step count. */
void pinn_adam_reset(pinn_adam *opt) {
    if (!opt || !opt->m) return;
    memset(opt->m, 0, opt->n * sizeof *opt->m);
    memset(opt->v, 0, opt->n * sizeof *opt->v);
    opt->t = 0;
    opt->last_lr = 0.0;
    opt->last_gnorm = 0.0;
}

/* The Adam update with rate lr; see docs/optimizers.md.  One pass for ||g|| (NaN check and
 * clipping), one pass for the update. */
pinn_status pinn_adam_step_lr(pinn_adam *opt, pinn_real *x, const pinn_real *g, double lr, pinn_error *err) {
    if (!opt || !opt->m || !x || !g) return pinn_error_set(err, PINN_ERR_INVALID, "adam step: NULL argument");
    if (!(lr >= 0.0) || !isfinite(lr))
        return pinn_error_set(err, PINN_ERR_INVALID, "adam step: learning rate must be >= 0, got %g", lr);
    const size_t n = opt->n;
    double ss = 0.0;
    for (size_t i = 0; i < n; i++) ss += (double)g[i] * (double)g[i];
    if (!isfinite(ss))
        return pinn_error_set(err, PINN_ERR_NUMERIC, "adam step %lld: gradient contains NaN/Inf",
                              (long long)opt->t + 1);
    const double gnorm = sqrt(ss);
    double scale = 1.0;
    if (opt->cfg.clip_norm > 0.0 && gnorm > opt->cfg.clip_norm) scale = opt->cfg.clip_norm / gnorm;

    const double b1 = opt->cfg.beta1, b2 = opt->cfg.beta2, eps = opt->cfg.eps;
    const double wd = opt->cfg.weight_decay;
    opt->t++;
    const double bc1 = 1.0 - pow(b1, (double)opt->t);
    const double bc2 = 1.0 - pow(b2, (double)opt->t);
    pinn_real *restrict m = opt->m, *restrict v = opt->v;
    for (size_t i = 0; i < n; i++) {
        double gi = scale * (double)g[i];
        double mi = b1 * (double)m[i] + (1.0 - b1) * gi;
        double vi = b2 * (double)v[i] + (1.0 - b2) * gi * gi;
        m[i] = (pinn_real)mi;
        v[i] = (pinn_real)vi;
        double mhat = mi / bc1;
        double vhat = vi / bc2;
        double xi = (double)x[i];
        x[i] = (pinn_real)(xi - lr * (mhat / (sqrt(vhat) + eps) + wd * xi));
    }
    opt->last_lr = lr;
    opt->last_gnorm = gnorm;
    return PINN_OK;
}

/* Looks the rate up in the schedule at the current step count and delegates. */
pinn_status pinn_adam_step(pinn_adam *opt, pinn_real *x, const pinn_real *g, pinn_error *err) {
    if (!opt || !opt->m) return pinn_error_set(err, PINN_ERR_INVALID, "adam step: NULL or empty optimizer");
    return pinn_adam_step_lr(opt, x, g, pinn_schedule_lr(&opt->cfg.schedule, opt->t), err);
}

size_t pinn_adam_state_size(const pinn_adam *opt) { return ADAM_STATE_HEADER + 2 * opt->n; }

/* Layout: [tag, n, t, m[0..n), v[0..n)]. */
void pinn_adam_state_save(const pinn_adam *opt, double *buf) {
    const size_t n = opt->n;
    buf[0] = ADAM_STATE_TAG;
    buf[1] = (double)n;
    buf[2] = (double)opt->t;
    for (size_t i = 0; i < n; i++) buf[ADAM_STATE_HEADER + i] = (double)opt->m[i];
    for (size_t i = 0; i < n; i++) buf[ADAM_STATE_HEADER + n + i] = (double)opt->v[i];
}

/* Validates the header before touching opt. */
pinn_status pinn_adam_state_load(pinn_adam *opt, const double *buf, pinn_error *err) {
    if (!opt || !opt->m || !buf) return pinn_error_set(err, PINN_ERR_INVALID, "adam state load: NULL argument");
    if (buf[0] != ADAM_STATE_TAG)
        return pinn_error_set(err, PINN_ERR_INVALID, "adam state load: not an Adam state (bad tag)");
    if (buf[1] != (double)opt->n)
        return pinn_error_set(err, PINN_ERR_INVALID, "adam state load: state is for %g parameters, optimizer has %zu",
                              buf[1], opt->n);
    if (!(buf[2] >= 0.0 && buf[2] <= 9007199254740992.0) || buf[2] != floor(buf[2]))
        return pinn_error_set(err, PINN_ERR_INVALID, "adam state load: bad step count %g", buf[2]);
    const size_t n = opt->n;
    opt->t = (int64_t)buf[2];
    for (size_t i = 0; i < n; i++) opt->m[i] = (pinn_real)buf[ADAM_STATE_HEADER + i];
    for (size_t i = 0; i < n; i++) opt->v[i] = (pinn_real)buf[ADAM_STATE_HEADER + n + i];
    return PINN_OK;
}
