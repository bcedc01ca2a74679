/* phase_adam.c - the Adam phase: epochs over the collocation points (full batch or mini-batches,
 * optional resampling), each one evaluation of the terms, a weighting update, and one Adam step
 * on the weighted gradient.  Keys: epochs, lr, schedule, decay_rate, decay_steps, lr_min, beta1,
 * beta2, eps, weight_decay, clip_norm (defaults from the train section). */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "train/phase.h"

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* CPU time of the process (all threads), for the per-epoch cost on a shared host. */
static double cpu_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static pinn_status adam_configure(tr_phase *ph, pinn_cfg *c, int node, const pinn_trainer *t, pinn_error *err) {
    static const char *const keys[] = {"kind", "epochs", "lr", "schedule", "decay_rate", "decay_steps", "lr_min", "beta1",
                                       "beta2", "eps", "weight_decay", "clip_norm", "causal", "rar", "weights", NULL};
    const char *sched[PINN_SCHEDULE_COUNT];
    const pinn_train_cfg *tc = &t->prob.train;
    int sdef = 0, sk;
    for (int k = 0; k < PINN_SCHEDULE_COUNT; k++) {
        sched[k] = pinn_schedule_kind_to_string((pinn_schedule_kind)k);
        if (!strcmp(tc->schedule, sched[k])) sdef = k;
    }
    long epochs, steps;
    pinn_adam_config *a = &ph->adam_cfg;
    pinn_adam_config_default(a);
    double lr;
    pinn_status st;
    if ((st = pinn_cfg_check_keys(c, node, keys, err)) ||
        (st = pinn_cfg_int(c, node, "epochs", 0, 0x7fffffffL, 1, tc->epochs, &epochs, err)) ||
        (st = pinn_cfg_real(c, node, "lr", 1e-300, 1e300, 1, tc->lr, &lr, err)) ||
        (st = pinn_cfg_choice(c, node, "schedule", sched, PINN_SCHEDULE_COUNT, sdef, &sk, err)) ||
        (st = pinn_cfg_real(c, node, "decay_rate", 0, 1, 1, tc->decay_rate, &a->schedule.gamma, err)) ||
        (st = pinn_cfg_int(c, node, "decay_steps", 1, 0x7fffffffL, 1, tc->decay_steps > 0 ? tc->decay_steps : 1000, &steps, err)) ||
        (st = pinn_cfg_real(c, node, "lr_min", 0, 1e300, 1, tc->lr_min, &a->schedule.lr_min, err)) ||
        (st = pinn_cfg_real(c, node, "beta1", 0, 0.999999999, 1, a->beta1, &a->beta1, err)) ||
        (st = pinn_cfg_real(c, node, "beta2", 0, 0.999999999, 1, a->beta2, &a->beta2, err)) ||
        (st = pinn_cfg_real(c, node, "eps", 1e-300, 1, 1, a->eps, &a->eps, err)) ||
        (st = pinn_cfg_real(c, node, "weight_decay", 0, 1e300, 1, a->weight_decay, &a->weight_decay, err)) ||
        (st = pinn_cfg_real(c, node, "clip_norm", 0, 1e300, 1, a->clip_norm, &a->clip_norm, err)))
        return st;
    double gamma = a->schedule.gamma, lr_min = a->schedule.lr_min;
    pinn_schedule_default(&a->schedule, lr);
    pinn_error e;
    a->schedule.kind = (pinn_schedule_kind)sk;
    a->schedule.gamma = gamma;
    a->schedule.decay_steps = steps;
    a->schedule.lr_min = lr_min;
    a->schedule.total_steps = epochs > 0 ? epochs : 1;
    if ((st = pinn_schedule_validate(&a->schedule, &e)))
        return pinn_error_set(err, st, "%s:%d: train.phases (adam): %s", c->file, pinn_cfg_line(c, node), e.msg);
    ph->total = epochs;
    if ((st = tr_causal_configure(&ph->causal_cfg, c, node, t->prob.domain.time >= 0, err))) return st;
    return tr_rar_configure(&ph->rar_cfg, c, node, err);
}

static pinn_status adam_begin(tr_phase *ph, pinn_trainer *t, pinn_error *err) {
    pinn_status st = pinn_adam_init(&ph->adam, t->np, &ph->adam_cfg, err);
    if (!st && ph->rar_cfg.every > 0 && !ph->rar)
        st = tr_rar_init(&ph->rar, &ph->rar_cfg, pinn_pointset_count(t->colloc), t->d, err);
    if (st || ph->causal_cfg.chunks <= 0 || ph->causal) return st;
    int ti = t->prob.domain.time;
    return tr_causal_init(&ph->causal, &ph->causal_cfg, ti, t->prob.domain.lo[ti], t->prob.domain.hi[ti], t->n_threads, err);
}

/* Whether this step needs each term's own gradient: a weighting update that reads gradients, a
 * history row (gradient norms), or a gradient histogram. */
static int need_each(const pinn_trainer *t, long step, long ep, long total) {
    const pinn_train_cfg *c = &t->prob.train;
    int every = c->log_every > 0 ? c->log_every : 100;
    if (t->wt.cfg.scheme != PINN_WEIGHT_FIXED && t->wt.cfg.scheme != PINN_WEIGHT_RELOBRALO && step % t->wt.cfg.every == 0)
        return 1;
    if ((ep + 1) % every == 0 || ep + 1 == total) return 1;
    for (int h = 0; h < c->weighting.n_hist; h++)
        if (c->weighting.hist_epochs[h] == step) return 1;
    return 0;
}

pinn_status tr_adam_objective(pinn_trainer *t, long step, long phase_step, long phase_total, double *loss,
                              pinn_error *err) {
    tr_apply_schedules(t);
    tr_eval_each(t, 0, need_each(t, step, phase_step, phase_total) ? TR_EACH : TR_SUM);
    const pinn_real *grads[TR_MAX_TERMS];
    size_t np = t->np_net;
    double s0 = now_s();
    for (int k = 0; k < t->n_terms; k++) grads[k] = t->terms[k].grad;
    if (t->wsel && step % t->wt.cfg.every == 0) { /* params: weights */
        np = t->n_wsel;
        for (int k = 0; k < t->n_terms; k++) {
            pinn_real *dst = t->wsel_grad + (size_t)k * np;
            for (size_t i = 0; i < np; i++) dst[i] = t->terms[k].grad[t->wsel[i]];
            grads[k] = dst;
        }
    }
    if (pinn_weighting_update(&t->wt, step, grads, np, t->term_loss))
        tr_apply_schedules(t);
    t->time_weighting_s += now_s() - s0;
    *loss = tr_combine(t, t->G);
    return tr_check(t, err);
}

/* The batch permutation of cycle `cycle` (a phase after the first gets its own sequence). */
static void permute(tr_phase *ph, pinn_trainer *t, uint64_t cycle) {
    uint64_t seed = t->prob.train.seed ^ ((uint64_t)ph->index * 0x9e3779b97f4a7c15ULL);
    pinn_pointset_permutation(t->colloc, seed, cycle, t->perm);
}

static pinn_status adam_step(tr_phase *ph, pinn_trainer *t, double *loss, int *done, pinn_error *err) {
    const pinn_train_cfg *c = &t->prob.train;
    long ep = ph->iter;
    size_t nc = pinn_pointset_count(t->colloc), nbatches = t->batch ? (nc + t->batch - 1) / t->batch : 1;
    pinn_status st;
    *done = 0;
    if (c->resample_every > 0 && ep > 0 && ep % c->resample_every == 0 &&
        ((st = pinn_pointset_resample(t->colloc, err)) || (st = tr_order_colloc(t, err))))
        return st;
    if (ph->rar && (st = tr_rar_refine(ph->rar, t, ep, err))) return st;
    if (t->batch) {
        size_t b = (size_t)ep % nbatches;
        if (b == 0 || !t->perm_valid) permute(ph, t, (uint64_t)ep / nbatches);
        t->perm_valid = 1;
        /* the last batch of a pass may be shorter: it has only its own points */
        t->batch_n = pinn_pointset_batch(t->colloc, t->perm, t->batch, b, t->batch_x, NULL, NULL);
        if ((st = tr_order_points(t, t->batch_n, t->batch_x, NULL, err))) return st;
    }
    double s0 = now_s(), c0 = cpu_s();
    if (ph->causal) tr_causal_reset(ph->causal);
    t->causal = ph->causal; /* weights the PDE residuals of this step's evaluation only */
    st = tr_adam_objective(t, t->step, ep, ph->total, loss, err);
    t->causal = NULL;
    if (!st && ph->causal) *done = tr_causal_update(ph->causal);
    if (st) {
        char msg[sizeof err->msg];
        snprintf(msg, sizeof msg, "%s", err->msg);
        return pinn_error_set(err, st, "epoch %ld: %s", ep, msg);
    }
    if ((st = pinn_adam_step(&ph->adam, t->P, t->G, err))) return st;
    t->time_adam_s += now_s() - s0;
    t->time_adam_cpu_s += cpu_s() - c0;
    t->timed_epochs++;
    t->epoch++;
    return PINN_OK;
}

/* The Adam state, then the causal state (eps index, chunk losses) when causal training is on. */
static size_t adam_state_size(const tr_phase *ph) {
    return pinn_adam_state_size(&ph->adam) + tr_causal_state_size(&ph->causal_cfg);
}
static void adam_state_save(const tr_phase *ph, double *buf) {
    pinn_adam_state_save(&ph->adam, buf);
    if (ph->causal) tr_causal_state_save(ph->causal, buf + pinn_adam_state_size(&ph->adam));
}
static pinn_status adam_state_load(tr_phase *ph, pinn_trainer *t, const double *buf, size_t n, pinn_error *err) {
    if (n != adam_state_size(ph))
        return pinn_error_set(err, PINN_ERR_INVALID, "checkpoint: Adam state of %zu values, expected %zu", n,
                              adam_state_size(ph));
    (void)t;
    if (ph->causal) tr_causal_state_load(ph->causal, buf + pinn_adam_state_size(&ph->adam));
    return pinn_adam_state_load(&ph->adam, buf, err);
}
static void adam_release(tr_phase *ph) {
    pinn_adam_free(&ph->adam);
    tr_causal_free(ph->causal);
    ph->causal = NULL;
    tr_rar_free(ph->rar);
    ph->rar = NULL;
}

const tr_phase_ops tr_phase_adam = {"adam",          adam_configure,  adam_begin,      adam_step,
                                    adam_state_size, adam_state_save, adam_state_load, adam_release, 0};
