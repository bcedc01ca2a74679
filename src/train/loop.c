/* loop.c - the training loop: loss terms combined with their weights, Adam epochs (full batch or
 * mini-batches, optional resampling), then L-BFGS; progress reports, history.csv, checkpoints
 * written atomically, and resume. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "io/files.h"
#include "io/png.h"
#include "train/trainer.h"

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static pinn_block_loss_fn loss_of(const tr_term *tm) {
    switch (tm->kind) {
    case TR_PERIODIC: return tr_periodic_loss;
    case TR_DATA: return tr_data_loss;
    default: return tr_expr_loss;
    }
}

/* Evaluates every term into its own gradient (want_grad) and records its unweighted loss. */
static void eval_each(pinn_trainer *t, int full, int want_grad) {
    for (int k = 0; k < t->n_terms; k++) {
        tr_term *tm = &t->terms[k];
        if (tm->kind == TR_PDE) {
            int use_batch = t->batch && !full;
            tm->x = use_batch ? t->batch_x : (pinn_real *)pinn_pointset_points(t->colloc);
            tm->n = use_batch ? t->batch : pinn_pointset_count(t->colloc);
        }
        if (full && t->batch && tm->kind == TR_PDE) {
            /* the term was sized for a batch: sum over batch-sized slices of all points */
            size_t nall = pinn_pointset_count(t->colloc), done = 0;
            const pinn_real *all = pinn_pointset_points(t->colloc);
            double L = 0;
            if (want_grad) memset(tm->grad, 0, sizeof(pinn_real) * t->np);
            while (done < nall) {
                size_t m = nall - done < t->batch ? nall - done : t->batch;
                tm->x = (pinn_real *)all + done * t->d;
                tm->n = nall; /* means divide by the full count */
                L += pinn_term_eval(tm->term, m, tm->x, t->P, want_grad ? t->lbfgs_tmp : NULL, loss_of(tm), tm);
                if (want_grad)
                    for (size_t i = 0; i < t->np; i++) tm->grad[i] += t->lbfgs_tmp[i];
                done += m;
            }
            tm->loss = L;
        } else {
            tm->loss = pinn_term_eval(tm->term, tm->n, tm->x, t->P, want_grad ? tm->grad : NULL, loss_of(tm), tm);
        }
        t->term_loss[k] = tm->loss;
    }
}

/* G = sum_k w_k grad_k; returns the weighted loss. */
static double combine(pinn_trainer *t, pinn_real *G) {
    double total = 0;
    if (G) memset(G, 0, sizeof(pinn_real) * t->np);
    for (int k = 0; k < t->n_terms; k++) {
        total += t->weights[k] * t->terms[k].loss;
        if (!G) continue;
        const pinn_real w = (pinn_real)t->weights[k], *g = t->terms[k].grad;
        for (size_t i = 0; i < t->np; i++) G[i] += w * g[i];
    }
    for (int k = 0; k < t->prob.n_params; k++) t->param_values[k] = t->P[t->np_net + (size_t)k];
    return total;
}

/* Evaluates every term and combines them with the current weights: G = sum_k w_k grad_k.
 * full: PDE terms use all collocation points (else the current mini-batch).  Returns the weighted
 * loss; G may be NULL for the loss only. */
double tr_eval_terms(pinn_trainer *t, int full, pinn_real *G) {
    eval_each(t, full, G != NULL);
    return combine(t, G);
}

/* Adam's step objective: terms, then a weighting update at this epoch, then the weighted sum. */
static double adam_objective(pinn_trainer *t, long epoch) {
    eval_each(t, 0, 1);
    const pinn_real *grads[TR_MAX_TERMS];
    size_t np = t->np_net;
    double s0 = now_s();
    for (int k = 0; k < t->n_terms; k++) grads[k] = t->terms[k].grad;
    if (t->wsel && epoch % t->wt.cfg.every == 0) { /* params: weights */
        np = t->n_wsel;
        for (int k = 0; k < t->n_terms; k++) {
            pinn_real *dst = t->wsel_grad + (size_t)k * np;
            for (size_t i = 0; i < np; i++) dst[i] = t->terms[k].grad[t->wsel[i]];
            grads[k] = dst;
        }
    }
    if (pinn_weighting_update(&t->wt, epoch, grads, np, t->term_loss))
        for (int k = 0; k < t->n_terms; k++) t->weights[k] = t->wt.w[k];
    t->time_weighting_s += now_s() - s0;
    return combine(t, t->G);
}

/* L2 norm of each term's (network) gradient, for the history. */
static void grad_norms(pinn_trainer *t) {
    for (int k = 0; k < t->n_terms; k++) {
        double s = 0;
        for (size_t i = 0; i < t->np_net; i++) s += (double)t->terms[k].grad[i] * t->terms[k].grad[i];
        t->gnorm[k] = sqrt(s);
    }
}

/* grad_hist_<epoch>.csv: counts of log10|g| of each term's gradient in bins of 0.2 from -14 to 2
 * (first bin: everything below, including zeros), for the gradient-distribution figures. */
static pinn_status write_histograms(pinn_trainer *t, const char *dir, long epoch, pinn_error *err) {
    enum { NB = 80 };
    char path[1200];
    snprintf(path, sizeof path, "%s/grad_hist_%ld.csv", dir, epoch);
    pinn_afile a;
    pinn_status st = pinn_afile_open(&a, path, err);
    if (st) return st;
    fprintf(a.f, "log10_lo,log10_hi");
    for (int k = 0; k < t->n_terms; k++) fprintf(a.f, ",%s", t->terms[k].name);
    fprintf(a.f, "\n");
    long(*cnt)[NB] = calloc((size_t)t->n_terms, sizeof *cnt);
    if (!cnt) {
        pinn_afile_abort(&a);
        return pinn_error_set(err, PINN_ERR_NOMEM, "out of memory");
    }
    for (int k = 0; k < t->n_terms; k++)
        for (size_t i = 0; i < t->np_net; i++) {
            double v = fabs((double)t->terms[k].grad[i]) * t->weights[k];
            int b = v > 0 ? (int)floor((log10(v) + 14.0) / 0.2) : 0;
            cnt[k][b < 0 ? 0 : b >= NB ? NB - 1 : b]++;
        }
    for (int b = 0; b < NB; b++) {
        fprintf(a.f, "%.1f,%.1f", -14.0 + 0.2 * b, -14.0 + 0.2 * (b + 1));
        for (int k = 0; k < t->n_terms; k++) fprintf(a.f, ",%ld", cnt[k][b]);
        fprintf(a.f, "\n");
    }
    st = pinn_afile_commit(&a, err);
    if (!st && t->prob.output.png) {
        snprintf(path, sizeof path, "%s/grad_hist_%ld.png", dir, epoch);
        pinn_error e;
        st = pinn_png_histograms(path, t->n_terms, NB, &cnt[0][0], &e);
        if (st == PINN_ERR_UNSUPPORTED) st = PINN_OK;
        else if (st) pinn_error_set(err, st, "%s", e.msg);
    }
    free(cnt);
    return st;
}

/* The L-BFGS objective: full-batch weighted loss. */
static double fg(void *ctx, const pinn_real *x, pinn_real *g) {
    pinn_trainer *t = ctx;
    if (x != t->P) memcpy(t->P, x, sizeof(pinn_real) * t->np);
    return tr_eval_terms(t, 1, g);
}

/* ------------------------------------------------------------------ history and checkpoints */

static pinn_status history_open(pinn_trainer *t, const char *dir, int resume, FILE **out, pinn_error *err) {
    char path[1100];
    snprintf(path, sizeof path, "%s/history.csv", dir);
    *out = NULL;
    if (resume) {
        /* keep the rows up to the checkpoint's epoch, drop later ones */
        FILE *f = fopen(path, "r");
        if (f) {
            char line[8192], *keep = NULL;
            size_t len = 0, cap = 0;
            while (fgets(line, sizeof line, f)) {
                long ep = -1;
                if (strncmp(line, "epoch", 5) != 0) ep = strtol(line, NULL, 10);
                if (ep > t->epoch + t->lbfgs_iter) continue;
                size_t l = strlen(line);
                if (len + l + 1 > cap) {
                    cap = 2 * (len + l + 1);
                    char *nk = realloc(keep, cap);
                    if (!nk) break;
                    keep = nk;
                }
                memcpy(keep + len, line, l);
                len += l;
            }
            fclose(f);
            pinn_status st = pinn_file_write_atomic(path, keep ? keep : "", len, err);
            free(keep);
            if (st) return st;
            *out = fopen(path, "a");
            if (*out) return PINN_OK;
        }
    }
    *out = fopen(path, "w");
    if (!*out) return pinn_error_set(err, PINN_ERR_IO, "%s: cannot write", path);
    fprintf(*out, "epoch,phase,wall_s,loss");
    for (int k = 0; k < t->n_terms; k++) fprintf(*out, ",loss_%s", t->terms[k].name);
    for (int k = 0; k < t->n_terms; k++) fprintf(*out, ",w_%s", t->terms[k].name);
    for (int k = 0; k < t->n_terms; k++) fprintf(*out, ",gnorm_%s", t->terms[k].name);
    for (int k = 0; k < t->prob.n_params; k++) fprintf(*out, ",%s", t->prob.params[k].name);
    for (int f = 0; f < t->nf; f++) fprintf(*out, ",rel_l2_%s", t->prob.fields[f]);
    fprintf(*out, "\n");
    fflush(*out);
    return PINN_OK;
}

static void history_row(pinn_trainer *t, FILE *f, long epoch, const char *phase, double loss, int evaluated) {
    if (!f) return;
    fprintf(f, "%ld,%s,%.4f,%.9e", epoch, phase, t->wall_s, loss);
    for (int k = 0; k < t->n_terms; k++) fprintf(f, ",%.9e", t->term_loss[k]);
    for (int k = 0; k < t->n_terms; k++) fprintf(f, ",%.9g", t->weights[k]);
    for (int k = 0; k < t->n_terms; k++) fprintf(f, ",%.6e", t->gnorm[k]);
    for (int k = 0; k < t->prob.n_params; k++) fprintf(f, ",%.12g", t->param_values[k]);
    for (int q = 0; q < t->nf; q++) {
        if (evaluated && isfinite(t->rel[q])) fprintf(f, ",%.6e", t->rel[q]);
        else fprintf(f, ",");
    }
    fprintf(f, "\n");
    fflush(f);
}

#define CKPT_MAGIC "PINNCKP1"

/* checkpoint.bin: magic, then doubles: np, epoch, lbfgs_iter, phase, wall_s, params[np],
 * adam state size + state, lbfgs state size + state (0 if none), term weights. */
static pinn_status checkpoint_write(pinn_trainer *t, const char *dir, pinn_error *err) {
    char path[1100];
    snprintf(path, sizeof path, "%s/checkpoint.bin", dir);
    pinn_afile a;
    pinn_status st = pinn_afile_open(&a, path, err);
    if (st) return st;
    double head[6] = {(double)t->np, (double)t->epoch, (double)t->lbfgs_iter, (double)t->phase, t->wall_s,
                      (double)t->n_terms};
    fwrite(CKPT_MAGIC, 1, 8, a.f);
    fwrite(head, sizeof(double), 6, a.f);
    for (size_t i = 0; i < t->np; i++) {
        double v = (double)t->P[i];
        fwrite(&v, sizeof v, 1, a.f);
    }
    size_t as = pinn_adam_state_size(&t->adam);
    double *buf = malloc(sizeof(double) * (as ? as : 1));
    if (!buf) {
        pinn_afile_abort(&a);
        return pinn_error_set(err, PINN_ERR_NOMEM, "out of memory");
    }
    pinn_adam_state_save(&t->adam, buf);
    double dsz = (double)as;
    fwrite(&dsz, sizeof dsz, 1, a.f);
    fwrite(buf, sizeof(double), as, a.f);
    free(buf);
    size_t ls = t->lbfgs_ready ? pinn_lbfgs_state_size(&t->lbfgs) : 0;
    dsz = (double)ls;
    fwrite(&dsz, sizeof dsz, 1, a.f);
    if (ls) {
        buf = malloc(sizeof(double) * ls);
        if (!buf) {
            pinn_afile_abort(&a);
            return pinn_error_set(err, PINN_ERR_NOMEM, "out of memory");
        }
        pinn_lbfgs_state_save(&t->lbfgs, buf);
        fwrite(buf, sizeof(double), ls, a.f);
        free(buf);
    }
    fwrite(t->weights, sizeof(double), (size_t)t->n_terms, a.f);
    fwrite(&t->wt, sizeof t->wt, 1, a.f);
    return pinn_afile_commit(&a, err);
}

pinn_status pinn_trainer_load_checkpoint(pinn_trainer *t, const char *path, pinn_error *err) {
    FILE *f = fopen(path, "rb");
    if (!f) return pinn_error_set(err, PINN_ERR_IO, "%s: cannot open checkpoint", path);
    char magic[8];
    double head[6], dsz;
    pinn_status st = PINN_OK;
    double *buf = NULL;
    if (fread(magic, 1, 8, f) != 8 || memcmp(magic, CKPT_MAGIC, 8) != 0 || fread(head, sizeof(double), 6, f) != 6) {
        st = pinn_error_set(err, PINN_ERR_PARSE, "%s: not a pinnc checkpoint", path);
        goto done;
    }
    if ((size_t)head[0] != t->np || (int)head[5] != t->n_terms) {
        st = pinn_error_set(err, PINN_ERR_INVALID, "%s: checkpoint has %zu parameters and %d terms, the problem %zu and %d",
                            path, (size_t)head[0], (int)head[5], t->np, t->n_terms);
        goto done;
    }
    for (size_t i = 0; i < t->np; i++) {
        double v;
        if (fread(&v, sizeof v, 1, f) != 1) {
            st = pinn_error_set(err, PINN_ERR_IO, "%s: truncated checkpoint", path);
            goto done;
        }
        t->P[i] = (pinn_real)v;
    }
    if (fread(&dsz, sizeof dsz, 1, f) != 1 || !(buf = malloc(sizeof(double) * ((size_t)dsz + 1))) ||
        fread(buf, sizeof(double), (size_t)dsz, f) != (size_t)dsz ||
        (st = pinn_adam_state_load(&t->adam, buf, err)) != PINN_OK) {
        if (!st) st = pinn_error_set(err, PINN_ERR_IO, "%s: truncated checkpoint (optimizer state)", path);
        goto done;
    }
    free(buf);
    buf = NULL;
    if (fread(&dsz, sizeof dsz, 1, f) != 1) {
        st = pinn_error_set(err, PINN_ERR_IO, "%s: truncated checkpoint", path);
        goto done;
    }
    if (dsz > 0) {
        if ((st = tr_lbfgs_setup(t, err))) goto done;
        buf = malloc(sizeof(double) * (size_t)dsz);
        if (!buf || fread(buf, sizeof(double), (size_t)dsz, f) != (size_t)dsz ||
            (st = pinn_lbfgs_state_load(&t->lbfgs, buf, err)) != PINN_OK) {
            if (!st) st = pinn_error_set(err, PINN_ERR_IO, "%s: truncated checkpoint (L-BFGS state)", path);
            goto done;
        }
    }
    if (fread(t->weights, sizeof(double), (size_t)t->n_terms, f) != (size_t)t->n_terms ||
        fread(&t->wt, sizeof t->wt, 1, f) != 1) {
        st = pinn_error_set(err, PINN_ERR_IO, "%s: truncated checkpoint (weights)", path);
        goto done;
    }
    t->epoch = (long)head[1];
    t->lbfgs_iter = (long)head[2];
    t->phase = (int)head[3];
    t->wall_s = head[4];
    for (int k = 0; k < t->prob.n_params; k++) t->param_values[k] = t->P[t->np_net + (size_t)k];
done:
    free(buf);
    fclose(f);
    return st;
}

pinn_status tr_lbfgs_setup(pinn_trainer *t, pinn_error *err) {
    if (t->lbfgs_ready) return PINN_OK;
    pinn_lbfgs_config lc;
    pinn_lbfgs_config_default(&lc);
    lc.memory = t->prob.train.lbfgs_memory > 0 ? t->prob.train.lbfgs_memory : 50;
    lc.gtol = t->prob.train.lbfgs_gtol;
    lc.ftol = t->prob.train.lbfgs_ftol;
    lc.max_iter = t->prob.train.lbfgs_iters;
    lc.max_evals = 3 * (int64_t)t->prob.train.lbfgs_iters + 10;
    pinn_status st = pinn_lbfgs_init(&t->lbfgs, t->np, &lc, err);
    if (st == PINN_OK) t->lbfgs_ready = 1;
    return st;
}

/* ------------------------------------------------------------------ the loop */

static void report(pinn_trainer *t, pinn_progress_fn fn, void *ctx, const char *phase, long done, long total,
                   double loss, double rate, int final) {
    if (!fn) return;
    pinn_progress p;
    memset(&p, 0, sizeof p);
    p.phase = phase;
    p.epoch = done;
    p.total = total;
    p.loss = loss;
    p.n_terms = t->n_terms;
    p.term_names = t->term_names;
    p.term_loss = t->term_loss;
    p.weights = t->weights;
    p.wall_s = t->wall_s;
    p.rate = rate;
    p.eta_s = rate > 0 ? (double)(total - done) / rate : NAN;
    p.rel_l2 = t->rel[0];
    p.param_names = t->param_names;
    p.param_values = t->param_values;
    p.n_params = t->prob.n_params;
    p.final = final;
    fn(ctx, &p);
}

static void evaluate_now(pinn_trainer *t) {
    double s0 = now_s();
    if (t->has_ref) pinn_trainer_evaluate(t, t->rel, NULL);
    t->time_eval_s += now_s() - s0;
}

pinn_status pinn_trainer_train(pinn_trainer *t, const char *dir, int resume, pinn_progress_fn fn, void *ctx,
                               pinn_error *err) {
    const pinn_train_cfg *c = &t->prob.train;
    FILE *hist = NULL;
    pinn_status st = PINN_OK;
    if (dir) {
        char path[1100];
        if ((st = pinn_mkdir_p(dir, err))) return st;
        snprintf(path, sizeof path, "%s/checkpoint.bin", dir);
        if (resume && (st = pinn_trainer_load_checkpoint(t, path, err))) return st;
        /* a finished run resumed with more epochs or iterations goes on with them */
        if (resume && t->epoch < c->epochs) t->phase = 0;
        else if (resume && t->phase == 2 && t->lbfgs_iter < c->lbfgs_iters) t->phase = 1;
        snprintf(path, sizeof path, "%s/config.yaml", dir);
        if (!resume && (st = pinn_problem_write(&t->prob, path, err))) return st;
        if ((st = history_open(t, dir, resume, &hist, err))) return st;
    }
    double t0 = now_s() - t->wall_s, last = now_s();
    long last_ep = t->epoch;
    int every = c->log_every > 0 ? c->log_every : 100;
    size_t nc = pinn_pointset_count(t->colloc), nbatches = t->batch ? (nc + t->batch - 1) / t->batch : 1;
    double loss = NAN;
    /* Adam */
    while (t->phase == 0 && t->epoch < c->epochs) {
        long ep = t->epoch;
        if (c->resample_every > 0 && ep > 0 && ep % c->resample_every == 0) {
            pinn_pointset_resample(t->colloc, NULL);
            if (t->lbfgs_ready) pinn_lbfgs_reset(&t->lbfgs, 0);
        }
        if (t->batch) {
            size_t b = (size_t)ep % nbatches;
            if (b == 0) pinn_pointset_permutation(t->colloc, c->seed, (uint64_t)ep / nbatches, t->perm);
            pinn_pointset_batch(t->colloc, t->perm, t->batch, b, t->batch_x, NULL, NULL);
        }
        double s0 = now_s();
        loss = adam_objective(t, ep);
        if (!isfinite(loss)) {
            st = pinn_error_set(err, PINN_ERR_NUMERIC, "epoch %ld: the loss is %g; lower train.lr?", ep, loss);
            break;
        }
        double s1 = now_s(); /* histogram files are not part of the step's time */
        for (int h = 0; dir && h < c->weighting.n_hist; h++)
            if (c->weighting.hist_epochs[h] == ep && (st = write_histograms(t, dir, ep, err))) break;
        if (st) break;
        s0 += now_s() - s1;
        if ((st = pinn_adam_step(&t->adam, t->P, t->G, err))) break;
        t->time_adam_s += now_s() - s0;
        t->timed_epochs++;
        t->epoch++;
        t->wall_s = now_s() - t0;
        int ev = c->eval_every > 0 && t->epoch % c->eval_every == 0;
        if (ev) evaluate_now(t);
        if (t->epoch % every == 0 || t->epoch == c->epochs) {
            double dt = now_s() - last, rate = dt > 0 ? (double)(t->epoch - last_ep) / dt : 0;
            last = now_s(), last_ep = t->epoch;
            grad_norms(t);
            history_row(t, hist, t->epoch, "adam", loss, ev);
            report(t, fn, ctx, "adam", t->epoch, c->epochs, loss, rate, t->epoch == c->epochs);
        }
        if (dir && c->checkpoint_every > 0 && t->epoch % c->checkpoint_every == 0 &&
            (st = checkpoint_write(t, dir, err)))
            break;
    }
    if (!st && t->phase == 0) t->phase = 1;
    /* L-BFGS on the full batch */
    if (!st && t->phase == 1 && c->lbfgs_iters > 0 && t->lbfgs_iter < c->lbfgs_iters) {
        if ((st = tr_lbfgs_setup(t, err)) == PINN_OK) {
            loss = fg(t, t->P, t->G);
            pinn_lbfgs_reason why = PINN_LBFGS_RUNNING;
            last = now_s(), last_ep = t->lbfgs_iter;
            while (why == PINN_LBFGS_RUNNING && t->lbfgs_iter < c->lbfgs_iters) {
                double s0 = now_s();
                pinn_status s2 = pinn_lbfgs_step(&t->lbfgs, t->P, &loss, t->G, fg, t, &why, err);
                t->time_lbfgs_s += now_s() - s0;
                if (s2 && why != PINN_LBFGS_NUMERIC) {
                    st = s2;
                    break;
                }
                t->lbfgs_iter++;
                t->wall_s = now_s() - t0;
                long step = t->epoch + t->lbfgs_iter;
                int ev = c->eval_every > 0 && t->lbfgs_iter % c->eval_every == 0;
                if (ev) evaluate_now(t);
                if (t->lbfgs_iter % every == 0 || why != PINN_LBFGS_RUNNING) {
                    double dt = now_s() - last, rate = dt > 0 ? (double)(t->lbfgs_iter - last_ep) / dt : 0;
                    last = now_s(), last_ep = t->lbfgs_iter;
                    tr_eval_terms(t, 1, NULL); /* per-term losses at the accepted point */
                    history_row(t, hist, step, "lbfgs", loss, ev);
                    report(t, fn, ctx, "lbfgs", t->lbfgs_iter, c->lbfgs_iters, loss, rate, why != PINN_LBFGS_RUNNING);
                }
                if (dir && c->checkpoint_every > 0 && t->lbfgs_iter % c->checkpoint_every == 0 &&
                    (st = checkpoint_write(t, dir, err)))
                    break;
            }
            t->lbfgs_stop = why;
        }
    }
    if (!st) t->phase = 2;
    t->wall_s = now_s() - t0;
    if (!st) {
        evaluate_now(t);
        loss = tr_eval_terms(t, 1, NULL);
        t->final_loss = loss;
        history_row(t, hist, t->epoch + t->lbfgs_iter, "final", loss, 1);
    }
    if (hist) fclose(hist);
    if (dir) {
        pinn_error e2;
        pinn_status s2 = checkpoint_write(t, dir, st ? &e2 : err);
        if (!st && s2) st = s2;
        if (!st) st = pinn_trainer_write_outputs(t, dir, err);
    }
    return st;
}
