/* driver.c - training as a list of phases run by one driver: the list (train.phases, or Adam then
 * L-BFGS from the train keys), the loop that steps each phase and tells an observer what happened
 * (steps, reports, checkpoints, phase ends, the end), the trainer's state as named sections for
 * checkpoints, and the read-only view the run layer reports from.  Writes no file. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "train/phase.h"

/* Adding a phase kind: its file and one line here. */
static const tr_phase_ops *const kinds[] = {&tr_phase_adam, &tr_phase_lbfgs, &tr_phase_lstsq, &tr_phase_gauss_newton, &tr_phase_lm, NULL};

const tr_phase_ops *tr_phase_find(const char *kind) {
    for (int i = 0; kinds[i]; i++)
        if (!strcmp(kinds[i]->kind, kind)) return kinds[i];
    return NULL;
}

static const char *const event_names[PINN_EVENT_COUNT] = {"start", "step", "log", "checkpoint", "phase_end", "end"};
const char *pinn_event_to_string(pinn_event e) { return (int)e >= 0 && e < PINN_EVENT_COUNT ? event_names[e] : "unknown"; }

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* A phase's `weights: {term: factor, ...}`: factors (>= 0) on the named terms' weights while the
 * phase runs, e.g. {moe_sparsity: 0} to fine-tune without the gate's regulariser.  Allocates
 * ph->wfac (all 1 but the named ones) when the key is there; an unknown term is an error that
 * lists the terms. */
static pinn_status phase_weights(tr_phase *ph, pinn_cfg *c, int node, const pinn_trainer *t, pinn_error *err) {
    int w = pinn_cfg_find(c, node, "weights");
    if (w < 0) return PINN_OK;
    if (pinn_cfg_type_of(c, w) != PINN_CFG_MAP || pinn_cfg_count(c, w) < 1)
        return pinn_cfg_expected(c, w, "weights", "a mapping {term: factor, ...} such as {moe_sparsity: 0}", err);
    ph->wfac = malloc(sizeof(double) * (size_t)(t->n_terms > 0 ? t->n_terms : 1));
    if (!ph->wfac) return pinn_error_set(err, PINN_ERR_NOMEM, "out of memory");
    for (int k = 0; k < t->n_terms; k++) ph->wfac[k] = 1;
    for (int i = 0, n = pinn_cfg_count(c, w); i < n; i++) {
        int it = pinn_cfg_item(c, w, i);
        const char *name = pinn_cfg_key(c, it);
        int k = 0;
        while (k < t->n_terms && strcmp(t->terms[k].name, name)) k++;
        if (k == t->n_terms) {
            char form[512];
            int o = snprintf(form, sizeof form, "a loss term's name (one of:");
            for (int q = 0; q < t->n_terms && o < (int)sizeof form - 1; q++)
                o += snprintf(form + o, sizeof form - (size_t)o, " %s", t->terms[q].name);
            if (o < (int)sizeof form - 1) snprintf(form + o, sizeof form - (size_t)o, ")");
            return pinn_error_set(err, PINN_ERR_INVALID, "%s:%d: train.phases.weights: no loss term '%s'; expected %s",
                                  t->prob.file, pinn_cfg_line(c, it), name, form);
        }
        pinn_status st = pinn_cfg_real(c, w, name, 0, 1e300, 0, 0, &ph->wfac[k], err);
        if (st) return st;
    }
    return PINN_OK;
}

/* The phase list: train.phases as written, or [{kind: adam}, {kind: lbfgs}] whose settings
 * default to the train keys (L-BFGS only with train.lbfgs > 0). */
pinn_status tr_phases_setup(pinn_trainer *t, pinn_error *err) {
    const pinn_train_cfg *tc = &t->prob.train;
    pinn_cfg *c = &t->phases_cfg;
    int list;
    if (tc->has_phases) {
        *c = tc->phases;
        list = pinn_cfg_find(c, 0, "phases");
    } else {
        pinn_cfg_clear(c, t->prob.file, "train", tc->line);
        list = pinn_cfg_add(c, 0, "phases", PINN_CFG_SEQ, NULL, tc->line);
        int a = pinn_cfg_add(c, list, NULL, PINN_CFG_MAP, NULL, tc->line);
        pinn_cfg_set(c, a, "kind", "adam");
        if (tc->lbfgs_iters > 0) pinn_cfg_set(c, pinn_cfg_add(c, list, NULL, PINN_CFG_MAP, NULL, tc->line), "kind", "lbfgs");
    }
    int n = pinn_cfg_count(c, list);
    if (pinn_cfg_type_of(c, list) != PINN_CFG_SEQ || n < 1 || n > TR_MAX_PHASES) {
        char form[96];
        snprintf(form, sizeof form, "a list of 1 to %d phases such as [{kind: adam, epochs: 5000}, {kind: lbfgs}]",
                 TR_MAX_PHASES);
        return pinn_cfg_expected(c, list, "phases", form, err);
    }
    t->phases = calloc((size_t)n, sizeof *t->phases);
    if (!t->phases) return pinn_error_set(err, PINN_ERR_NOMEM, "out of memory");
    t->n_phases = n;
    for (int i = 0; i < n; i++) {
        int node = pinn_cfg_item(c, list, i);
        char kind[32], form[96];
        int o = snprintf(form, sizeof form, "a phase kind (one of:");
        for (int k = 0; kinds[k] && o < (int)sizeof form - 1; k++) o += snprintf(form + o, sizeof form - (size_t)o, " %s", kinds[k]->kind);
        if (o < (int)sizeof form - 1) snprintf(form + o, sizeof form - (size_t)o, ")");
        if (pinn_cfg_type_of(c, node) != PINN_CFG_MAP) return pinn_cfg_expected(c, node, "phases", "a mapping {kind: ..., ...}", err);
        pinn_status st = pinn_cfg_str(c, node, "kind", NULL, kind, sizeof kind, err);
        if (st) return st;
        tr_phase *ph = &t->phases[i];
        ph->ops = tr_phase_find(kind);
        if (!ph->ops) return pinn_cfg_expected(c, pinn_cfg_find(c, node, "kind"), "phases.kind", form, err);
        ph->index = i;
        ph->line = pinn_cfg_line(c, node);
        if ((st = ph->ops->configure(ph, c, node, t, err))) return st;
        if ((st = phase_weights(ph, c, node, t, err))) return st;
    }
    if (tc->has_phases) t->prob.train.phases = *c; /* resolved: config.yaml shows every setting */
    t->lbfgs_stop = -1;
    return PINN_OK;
}

void tr_phases_free(pinn_trainer *t) {
    for (int i = 0; t->phases && i < t->n_phases; i++)
    {
        if (t->phases[i].ops && t->phases[i].ops->release) t->phases[i].ops->release(&t->phases[i]);
        free(t->phases[i].wfac);
    }
    free(t->phases);
    t->phases = NULL;
}

/* L2 norm of each term's (network) gradient, for the history. */
static void grad_norms(pinn_trainer *t) {
    for (int k = 0; k < t->n_terms; k++) {
        if (t->terms[k].in_group && t->grp.combined) continue; /* not formed at this step */
        double s = 0;
        for (size_t i = 0; i < t->np_net; i++) s += (double)t->terms[k].grad[i] * t->terms[k].grad[i];
        t->gnorm[k] = sqrt(s);
    }
}

static void progress_of(pinn_trainer *t, const tr_phase *ph, double loss, double rate, int final, int evaluated,
                        pinn_progress *p) {
    memset(p, 0, sizeof *p);
    p->phase = ph ? ph->ops->kind : "final";
    p->phase_index = ph ? ph->index : t->n_phases;
    p->epoch = ph ? ph->iter : 0;
    p->total = ph ? ph->total : 0;
    p->step = t->step;
    p->evaluated = evaluated;
    p->gnorm = t->gnorm;
    p->loss = loss;
    p->n_terms = t->n_terms;
    p->term_names = t->term_names;
    p->term_loss = t->term_loss;
    p->weights = t->weights;
    p->wall_s = t->wall_s;
    p->rate = rate;
    p->eta_s = rate > 0 && ph ? (double)(ph->total - ph->iter) / rate : NAN;
    p->rel_l2 = t->rel[0];
    p->param_names = t->param_names;
    p->param_values = t->param_values;
    p->n_params = t->prob.n_params;
    p->final = final;
}

static pinn_status tell(const pinn_observer *obs, pinn_trainer *t, pinn_event ev, const pinn_progress *p, pinn_error *err) {
    return obs && obs->event ? obs->event(obs->ctx, t, ev, p, err) : PINN_OK;
}

pinn_status tr_model_after_step(pinn_trainer *t, pinn_error *err) {
    const pinn_model_ops *ops = pinn_model_kind(t->model);
    pinn_status st = ops->after_step ? ops->after_step(pinn_model_state(t->model), t->step, t->graph, t->P, err) : PINN_OK;
    if (!st && ops->after_step && ops->param_mask && t->trainable) { /* the step may have changed the mask (pruning) */
        memset(t->trainable, 1, t->np_net);
        ops->param_mask(pinn_model_state(t->model), t->graph, t->trainable);
    }
    if (!st && ops->restart_optimizer && ops->restart_optimizer(pinn_model_state(t->model)) && t->phase < t->n_phases) {
        tr_phase *ph = &t->phases[t->phase];
        if (ph->ops == &tr_phase_adam && ph->begun) pinn_adam_reset(&ph->adam);
    }
    return st;
}

static pinn_status evaluate_now(pinn_trainer *t, pinn_error *err) {
    double s0 = now_s();
    pinn_status st = t->has_ref ? pinn_trainer_evaluate(t, t->rel, err) : PINN_OK;
    t->time_eval_s += now_s() - s0;
    return st;
}

pinn_status pinn_trainer_run(pinn_trainer *t, const pinn_observer *obs, pinn_error *err) {
    const pinn_train_cfg *c = &t->prob.train;
    int every = c->log_every > 0 ? c->log_every : 100;
    /* a finished phase resumed with more steps goes on with them, unless it stopped by its own test
     * (L-BFGS converged or failed, LM converged or without descent): an L-BFGS phase that ran out of
     * iterations or evaluations goes on under a larger limit */
    t->phase = t->n_phases;
    for (int i = t->n_phases - 1; i >= 0; i--) {
        const tr_phase *ph = &t->phases[i];
        int budget = ph->ops == &tr_phase_lbfgs && (ph->stop == PINN_LBFGS_MAX_ITER || ph->stop == PINN_LBFGS_MAX_EVALS);
        int stopped = ph->stop > 0 && !budget && (ph->ops == &tr_phase_lbfgs || ph->ops == &tr_phase_lm);
        if (ph->iter < ph->total && !stopped) t->phase = i;
    }
    double t0 = now_s() - t->wall_s, loss = NAN;
    pinn_progress pr;
    progress_of(t, t->phase < t->n_phases ? &t->phases[t->phase] : NULL, loss, 0, 0, 0, &pr);
    pinn_status st = tr_model_after_step(t, err);
    if (!st) st = tr_best_setup(t, err);
    if (!st) st = tell(obs, t, PINN_EVENT_START, &pr, err);
    for (; !st && t->phase < t->n_phases; t->phase++) {
        tr_phase *ph = &t->phases[t->phase];
        tr_apply_schedules(t); /* held through the phase unless the phase updates it (Adam: every step) */
        if (!ph->begun && (st = ph->ops->begin(ph, t, err))) break;
        ph->begun = 1;
        double last = now_s();
        long last_it = ph->iter;
        int done = ph->iter >= ph->total;
        while (!st && !done && ph->iter < ph->total) {
            tr_best_before_step(t);
            if ((st = ph->ops->step(ph, t, &loss, &done, err))) break;
            tr_best_after_step(t, loss, t->step);
            ph->iter++;
            t->step++;
            if ((st = tr_model_after_step(t, err))) break;
            t->wall_s = now_s() - t0;
            int end = done || ph->iter == ph->total;
            int ev = c->eval_every > 0 && ph->iter % c->eval_every == 0;
            if (ev && (st = evaluate_now(t, err))) break;
            if (ev) tr_best_after_eval(t, t->step);
            /* the report first: an observer that stops the run at this step (a checkpoint at the
             * step event) must not lose the step's history row */
            if (ph->iter % every == 0 || end) {
                double dt = now_s() - last, rate = dt > 0 ? (double)(ph->iter - last_it) / dt : 0;
                last = now_s(), last_it = ph->iter;
                if (ph->ops->refresh_losses) tr_eval_each(t, 1, TR_LOSS); /* per-term losses at the accepted point */
                grad_norms(t);
                progress_of(t, ph, loss, rate, end, ev, &pr);
                if ((st = tell(obs, t, PINN_EVENT_LOG, &pr, err))) break;
            }
            progress_of(t, ph, loss, 0, end, ev, &pr);
            if ((st = tell(obs, t, PINN_EVENT_STEP, &pr, err))) break;
            if (c->checkpoint_every > 0 && ph->iter % c->checkpoint_every == 0 &&
                (st = tell(obs, t, PINN_EVENT_CHECKPOINT, &pr, err)))
                break;
        }
        if (!st) st = tell(obs, t, PINN_EVENT_PHASE_END, &pr, err);
    }
    t->wall_s = now_s() - t0;
    if (st) return st;
    if ((st = evaluate_now(t, err)) || (st = tr_eval_terms(t, 1, NULL, &loss, err))) return st;
    tr_best_after_eval(t, t->step);
    t->final_loss = loss;
    progress_of(t, NULL, loss, 0, 1, 1, &pr);
    return tell(obs, t, PINN_EVENT_END, &pr, err);
}

/* ------------------------------------------------------------------ state sections */

/* A 64-bit value as two exact doubles. */
static void put_u64(double *d, uint64_t v) { d[0] = (double)(v >> 32), d[1] = (double)(v & 0xffffffffu); }
static uint64_t get_u64(const double *d) { return ((uint64_t)d[0] << 32) | (uint64_t)d[1]; }

enum { N_COUNTERS = 8, WT_FIXED = 12 };

/* Phase i's state section: its name into name[32] and a buffer of n doubles (NULL: no memory). */
static double *phase_buffer(int i, const tr_phase *ph, size_t n, char *name, pinn_error *err) {
    snprintf(name, 32, "phase%d.%s", i, ph->ops->kind);
    double *s = malloc(sizeof(double) * n);
    if (!s) pinn_error_set(err, PINN_ERR_NOMEM, "out of memory");
    return s;
}

pinn_status pinn_trainer_state_write(const pinn_trainer *t, const pinn_state_io *io, pinn_error *err) {
    size_t np = t->np, nt = (size_t)t->n_terms, nph = (size_t)t->n_phases;
    size_t ns = np > 6 * nt + WT_FIXED ? np : 6 * nt + WT_FIXED;
    double *buf = malloc(sizeof(double) * (ns + 2 * nph + N_COUNTERS));
    if (!buf) return pinn_error_set(err, PINN_ERR_NOMEM, "out of memory");
    pinn_status st;
    for (size_t i = 0; i < np; i++) buf[i] = (double)t->P[i];
    if ((st = io->put(io->ctx, "params", buf, np, err))) goto done;
    double cnt[N_COUNTERS] = {(double)t->phase, (double)t->step, (double)t->epoch, (double)t->lbfgs_iter, t->wall_s,
                              (double)t->lbfgs_stop, (double)t->n_phases, (double)t->n_terms};
    if ((st = io->put(io->ctx, "counters", cnt, N_COUNTERS, err))) goto done;
    for (size_t i = 0; i < nph; i++) buf[2 * i] = (double)t->phases[i].iter, buf[2 * i + 1] = t->phases[i].begun + 2.0 * t->phases[i].stop;
    if ((st = io->put(io->ctx, "phases", buf, 2 * nph, err))) goto done;
    if ((st = io->put(io->ctx, "weights", t->weights, nt, err))) goto done;
    if ((st = io->put(io->ctx, "gnorm", t->gnorm, nt, err))) goto done;
    /* the weighting scheme's running statistics */
    const pinn_weighting *w = &t->wt;
    double *q = buf;
    for (size_t k = 0; k < nt; k++)
        q[k] = w->lambda[k], q[nt + k] = w->w[k], q[2 * nt + k] = w->stat[k], q[3 * nt + k] = w->hat[k],
        q[4 * nt + k] = w->loss0[k], q[5 * nt + k] = w->loss_prev[k];
    q += 6 * nt;
    q[0] = (double)w->updates;
    for (int i = 0; i < 4; i++) put_u64(q + 1 + 2 * i, w->rng.s[i]);
    q[9] = w->rng.spare, q[10] = w->rng.has_spare, q[11] = (double)w->n;
    if ((st = io->put(io->ctx, "weighting", buf, 6 * nt + WT_FIXED, err))) goto done;
    for (int i = 0; i < t->n_phases; i++) {
        const tr_phase *ph = &t->phases[i];
        size_t n = ph->begun ? ph->ops->state_size(ph) : 0;
        if (!n) continue;
        char name[32];
        double *s = phase_buffer(i, ph, n, name, err);
        if (!s) {
            st = PINN_ERR_NOMEM;
            goto done;
        }
        ph->ops->state_save(ph, s);
        st = io->put(io->ctx, name, s, n, err);
        free(s);
        if (st) goto done;
    }
done:
    free(buf);
    return st;
}

/* Reads section name of exactly n values into data. */
static pinn_status get_exact(const pinn_state_io *io, const char *name, double *data, size_t n, pinn_error *err) {
    size_t got = 0;
    pinn_status st = io->get(io->ctx, name, data, n, &got, err);
    if (st) return st;
    if (got != n)
        return pinn_error_set(err, PINN_ERR_INVALID, "checkpoint: section '%s' holds %zu values, this problem needs %zu", name,
                              got, n);
    return PINN_OK;
}

pinn_status pinn_trainer_state_read(pinn_trainer *t, const pinn_state_io *io, pinn_error *err) {
    size_t np = t->np, nt = (size_t)t->n_terms, nph = (size_t)t->n_phases;
    double cnt[N_COUNTERS];
    pinn_status st = get_exact(io, "counters", cnt, N_COUNTERS, err);
    if (st) return st;
    /* phases added after the checkpoint's (a resume with more of them) start fresh */
    if (!(cnt[6] >= 1 && cnt[6] <= (double)nph) || cnt[7] != (double)nt)
        return pinn_error_set(err, PINN_ERR_INVALID, "checkpoint: %g phases and %g terms, this problem has %zu and %zu", cnt[6],
                              cnt[7], nph, nt);
    size_t nph_saved = (size_t)cnt[6];
    for (int i = 0; i < 6; i++)
        if (!isfinite(cnt[i]) || cnt[i] < -1 || cnt[i] > 9.0e15)
            return pinn_error_set(err, PINN_ERR_INVALID, "checkpoint: counter %d out of range (%g)", i, cnt[i]);
    size_t ns = np > 6 * nt + WT_FIXED ? np : 6 * nt + WT_FIXED;
    double *P = malloc(sizeof(double) * np), *buf = malloc(sizeof(double) * (ns + 2 * nph)), wts[TR_MAX_TERMS],
           gn[TR_MAX_TERMS];
    if (!P || !buf) {
        free(P), free(buf);
        return pinn_error_set(err, PINN_ERR_NOMEM, "out of memory");
    }
    double *ph_buf = buf + ns;
    memset(ph_buf, 0, sizeof(double) * 2 * nph);
    if ((st = get_exact(io, "params", P, np, err)) || (st = get_exact(io, "phases", ph_buf, 2 * nph_saved, err)) ||
        (st = get_exact(io, "weights", wts, nt, err)) || (st = get_exact(io, "gnorm", gn, nt, err)) ||
        (st = get_exact(io, "weighting", buf, 6 * nt + WT_FIXED, err)))
        goto done;
    for (size_t i = 0; i < nph; i++)
        if (!(ph_buf[2 * i] >= 0 && ph_buf[2 * i] <= 9.0e15) || !(ph_buf[2 * i + 1] >= 0 && ph_buf[2 * i + 1] < 1e6)) {
            st = pinn_error_set(err, PINN_ERR_INVALID, "checkpoint: phase %zu counters out of range", i);
            goto done;
        }
    if (buf[6 * nt + 11] != (double)nt) {
        st = pinn_error_set(err, PINN_ERR_INVALID, "checkpoint: weighting state of %g terms, expected %zu", buf[6 * nt + 11], nt);
        goto done;
    }
    /* the optimizer states, into phases begun now */
    for (int i = 0; i < t->n_phases && !st; i++) {
        tr_phase *ph = &t->phases[i];
        if (!((long)ph_buf[2 * i + 1] & 1)) continue;
        if (!ph->begun && (st = ph->ops->begin(ph, t, err))) break;
        ph->begun = 1;
        size_t n = ph->ops->state_size(ph), got = 0;
        if (!n) continue;
        char name[32];
        double *s = phase_buffer(i, ph, n, name, err);
        if (!s) {
            st = PINN_ERR_NOMEM;
            break;
        }
        st = io->get(io->ctx, name, s, n, &got, err);
        if (!st) st = ph->ops->state_load(ph, t, s, got, err);
        free(s);
    }
    if (st) goto done;
    for (size_t i = 0; i < np; i++) t->P[i] = (pinn_real)P[i];
    t->phase = (int)cnt[0], t->step = (long)cnt[1], t->epoch = (long)cnt[2], t->lbfgs_iter = (long)cnt[3];
    t->wall_s = cnt[4], t->lbfgs_stop = (int)cnt[5];
    for (size_t i = 0; i < nph; i++) {
        t->phases[i].iter = (long)ph_buf[2 * i];
        t->phases[i].stop = (int)((long)ph_buf[2 * i + 1] >> 1);
    }
    memcpy(t->weights, wts, sizeof(double) * nt);
    memcpy(t->gnorm, gn, sizeof(double) * nt);
    pinn_weighting *w = &t->wt;
    for (size_t k = 0; k < nt; k++)
        w->lambda[k] = buf[k], w->w[k] = buf[nt + k], w->stat[k] = buf[2 * nt + k], w->hat[k] = buf[3 * nt + k],
        w->loss0[k] = buf[4 * nt + k], w->loss_prev[k] = buf[5 * nt + k];
    const double *q = buf + 6 * nt;
    w->updates = (long)q[0];
    for (int i = 0; i < 4; i++) w->rng.s[i] = get_u64(q + 1 + 2 * i);
    w->rng.spare = q[9], w->rng.has_spare = (int)q[10];
    for (int k = 0; k < t->prob.n_params; k++) t->param_values[k] = t->P[t->np_net + (size_t)k];
    /* the resampled collocation points are a function of the Adam epochs done: replay them; the
     * batch permutation of the current cycle is rebuilt at the next step */
    for (int i = 0; i < t->n_phases && !st; i++) {
        tr_phase *ph = &t->phases[i];
        long R = t->prob.train.resample_every;
        if (ph->ops != &tr_phase_adam || R <= 0 || ph->iter < 1) continue;
        for (long e = 0; e < (ph->iter - 1) / R && !st; e++) st = pinn_pointset_resample(t->colloc, err);
        if (!st) st = tr_order_colloc(t, err);
    }
    if (!st) st = tr_model_after_step(t, err);
    t->perm_valid = 0;
done:
    free(P), free(buf);
    return st;
}

/* FNV-1a over the bytes of s. */
static uint64_t fnv(uint64_t h, const void *s, size_t n) {
    const unsigned char *p = s;
    for (size_t i = 0; i < n; i++) h = (h ^ p[i]) * 0x100000001b3ULL;
    return h;
}

/* The keys and scalars of a configuration subtree in document order (pre-order), so a tree read
 * back from config.yaml, whose nodes are numbered in that order, hashes as the tree it was written
 * from, whose defaults were appended (inside nested mappings too) after the file's nodes.  A child
 * of node keyed `skip` (NULL: none) is left out, its subtree too. */
static uint64_t fnv_cfg(uint64_t h, const pinn_cfg *c, int node, const char *skip) {
    const char *k = pinn_cfg_key(c, node), *v = pinn_cfg_text(c, node);
    if (k) h = fnv(h, k, strlen(k) + 1);
    if (v) h = fnv(h, v, strlen(v) + 1);
    for (int i = 0; i < pinn_cfg_count(c, node); i++) {
        int n = pinn_cfg_item(c, node, i);
        const char *key = pinn_cfg_key(c, n);
        if (!(skip && key && !strcmp(key, skip))) h = fnv_cfg(h, c, n, NULL);
    }
    return h;
}

uint64_t pinn_trainer_fingerprint(const pinn_trainer *t) {
    uint64_t h = 0xcbf29ce484222325ULL;
    const pinn_problem *p = &t->prob;
    h = fnv(h, p->model.kind, strlen(p->model.kind));
    /* the model section but for `prune`: a pruning schedule changes neither the parameters nor the
     * graph (a pruned expert is read back from its pinned gate bias), so a checkpoint resumes under
     * a schedule added or changed later */
    h = fnv_cfg(h, &p->model.cfg, 0, "prune");
    for (int i = 0; i < t->d; i++) h = fnv(h, t->coord_names[i], strlen(t->coord_names[i]) + 1);
    for (int f = 0; f < t->nf; f++) h = fnv(h, t->field_names[f], strlen(t->field_names[f]) + 1);
    for (int k = 0; k < t->n_terms; k++) {
        h = fnv(h, t->terms[k].name, strlen(t->terms[k].name) + 1);
        uint64_t n = t->terms[k].n_all;
        h = fnv(h, &n, sizeof n);
    }
    uint64_t np = t->np;
    return fnv(h, &np, sizeof np);
}

/* ------------------------------------------------------------------ the read-only view */

void pinn_trainer_get_info(const pinn_trainer *t, pinn_trainer_info *v) {
    memset(v, 0, sizeof *v);
    v->problem = &t->prob;
    v->n_terms = t->n_terms;
    v->term_names = t->term_names;
    v->term_loss = t->term_loss, v->weights = t->weights, v->gnorm = t->gnorm;
    v->n_fields = t->nf;
    v->rel = t->rel;
    v->n_params = t->prob.n_params;
    v->param_names = t->param_names, v->param_values = t->param_values;
    v->step = t->step, v->epochs = t->epoch, v->lbfgs_iterations = t->lbfgs_iter;
    v->phase = t->phase, v->n_phases = t->n_phases;
    v->lbfgs_stop = t->lbfgs_stop >= 0 && t->lbfgs_iter ? pinn_lbfgs_reason_to_string((pinn_lbfgs_reason)t->lbfgs_stop) : "";
    v->wall_s = t->wall_s, v->final_loss = t->final_loss;
    v->time_adam_cpu_s = t->time_adam_cpu_s;
    v->time_adam_s = t->time_adam_s, v->time_weighting_s = t->time_weighting_s, v->time_lbfgs_s = t->time_lbfgs_s;
    v->time_eval_s = t->time_eval_s, v->timed_epochs = t->timed_epochs;
    double flop = 0;
    for (int k = 0; k < t->n_terms; k++) {
        const tr_term *tm = &t->terms[k];
        if (tm->in_group) continue;
        flop += (double)tm->n_all * pinn_graph_gemm_flops(t->graph, tm->plan, 1);
    }
    if (t->grp.n) /* one forward; one backward per member where per-term gradients are formed */
        flop += (double)(t->batch ? t->batch : pinn_pointset_count(t->colloc)) *
                (t->grp.combined_ok ? pinn_graph_gemm_flops(t->graph, t->grp.plan, 1)
                                    : pinn_graph_gemm_flops(t->graph, t->grp.plan, 0) +
                                          t->grp.n * (pinn_graph_gemm_flops(t->graph, t->grp.plan, 1) -
                                                      pinn_graph_gemm_flops(t->graph, t->grp.plan, 0)));
    v->gemm_gflop_per_epoch = 1e-9 * flop;
    v->n_total_params = t->np;
    v->n_net_params = t->np_net;
    v->collocation = pinn_pointset_count(t->colloc);
    v->threads = t->n_threads;
    v->d = t->d;
    v->grid_dims = t->grid_dims;
    v->n_eval = t->n_eval;
    v->eval_x = t->eval_x, v->mask = t->mask, v->pred = t->pred;
    v->ref = t->has_ref ? t->ref : NULL;
}

const pinn_real *pinn_trainer_term_grad(const pinn_trainer *t, int k) { return t->terms[k].grad; }

pinn_status pinn_trainer_model_diagnostics(pinn_trainer *t, const pinn_model_sink *sink, pinn_error *err) {
    const pinn_model_ops *ops = pinn_model_kind(t->model);
    if (!ops->diagnostics) return PINN_OK;
    return ops->diagnostics(pinn_model_state(t->model), t->graph, t->P, t->n_eval, t->eval_x, sink, err);
}

/* Copies src's network parameters into t slice by slice where a slice of the same name and size
 * exists (a warm start: e.g. the surviving experts of a pruned mixture); *copied: how many. */
pinn_status pinn_trainer_copy_params(pinn_trainer *t, const pinn_trainer *src, int *copied, pinn_error *err) {
    *copied = 0;
    for (int i = 0; i < pinn_graph_nslices(t->graph); i++) {
        const char *name;
        size_t off, size;
        pinn_graph_slice(t->graph, i, &name, &off, &size);
        for (int j = 0; j < pinn_graph_nslices(src->graph); j++) {
            const char *sname;
            size_t soff, ssize;
            pinn_graph_slice(src->graph, j, &sname, &soff, &ssize);
            if (strcmp(name, sname) || size != ssize) continue;
            memcpy(t->P + off, src->P + soff, sizeof(pinn_real) * size);
            ++*copied;
            break;
        }
    }
    if (!*copied) return pinn_error_set(err, PINN_ERR_INVALID, "no parameter slice of the earlier run matches this model");
    return tr_model_after_step(t, err); /* the model reads its state from the copied parameters */
}

int pinn_trainer_model_values(pinn_trainer *t, char (*names)[32], double *values) {
    const pinn_model_ops *ops = pinn_model_kind(t->model);
    if (!ops->values) return 0;
    int n = ops->values(pinn_model_state(t->model), t->graph, t->P, names, values);
    return n < 0 ? 0 : n > PINN_MODEL_MAX_VALUES ? PINN_MODEL_MAX_VALUES : n;
}

const pinn_problem *pinn_trainer_problem(const pinn_trainer *t) { return &t->prob; }

size_t pinn_trainer_memory_bytes(const pinn_trainer *t) {
    size_t b = sizeof *t + sizeof(pinn_real) * t->np * (3 + (size_t)t->n_terms + (t->grp.n ? (size_t)t->grp.n + 1 : 0));
    for (int k = 0; k < t->n_terms; k++) {
        const tr_term *tm = &t->terms[k];
        b += pinn_term_bytes(tm->term) + sizeof(pinn_real) * tm->n_all * (size_t)t->d * (tm->in_group ? 0 : 2);
        b += tm->scr ? (size_t)tm->n_threads * sizeof(pinn_real) * tm->block * (2 * (size_t)tm->n_leaves + 2 * (size_t)t->d + 2) : 0;
    }
    b += pinn_term_bytes(t->grp.term) + pinn_term_bytes(t->eval_term);
    b += sizeof(pinn_real) * pinn_pointset_count(t->colloc) * (size_t)t->d;
    b += sizeof(pinn_real) * t->n_eval * ((size_t)t->d + 2 * (size_t)t->w_out) + t->n_eval;
    for (int i = 0; i < t->n_phases; i++) b += sizeof(pinn_real) * t->np * (t->phases[i].ops == &tr_phase_lbfgs ? 2 * (size_t)t->phases[i].lbfgs_cfg.memory + 4 : 2);
    return b;
}
