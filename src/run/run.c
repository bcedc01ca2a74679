/* run.c - a training run in a directory: the observer that turns the driver's events into
 * config.yaml, history.csv, checkpoints, gradient histograms and the final outputs, and resume
 * from the directory's checkpoint (pinn_trainer_train). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/files.h"
#include "run/run.h"

typedef struct run_obs {
    const char *dir;
    volatile const int *stop;
    int resumed;
    FILE *hist;
    FILE *causal; /* causal.csv, opened at the first report of a causal phase */
    pinn_progress_fn progress;
    void *progress_ctx;
} run_obs;

/* history.csv: the header, or on resume the rows up to the checkpoint's step (later ones dropped). */
static pinn_status history_open(pinn_trainer *t, const char *dir, int resume, FILE **out, pinn_error *err) {
    char path[PINN_RUN_PATH];
    pinn_status st = pinn_run_path(path, sizeof path, dir, "history.csv", err);
    if (st) return st;
    pinn_trainer_info v;
    pinn_trainer_get_info(t, &v);
    *out = NULL;
    if (resume) {
        FILE *f = fopen(path, "r");
        if (f) {
            char line[16384], *keep = NULL;
            size_t len = 0, cap = 0;
            while (fgets(line, sizeof line, f)) {
                long ep = -1;
                if (strncmp(line, "epoch", 5) != 0) ep = strtol(line, NULL, 10);
                if (ep > v.step || strstr(line, ",final,")) continue; /* the end is written again */
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
            st = pinn_file_write_atomic(path, keep ? keep : "", len, err);
            free(keep);
            if (st) return st;
            if ((*out = fopen(path, "a"))) return PINN_OK;
        }
    }
    FILE *h = fopen(path, "w");
    if (!h) return pinn_error_set(err, PINN_ERR_IO, "%s: cannot write", path);
    fprintf(h, "epoch,phase,wall_s,loss");
    for (int k = 0; k < v.n_terms; k++) fprintf(h, ",loss_%s", v.term_names[k]);
    for (int k = 0; k < v.n_terms; k++) fprintf(h, ",w_%s", v.term_names[k]);
    for (int k = 0; k < v.n_terms; k++) fprintf(h, ",gnorm_%s", v.term_names[k]);
    for (int k = 0; k < v.n_params; k++) fprintf(h, ",%s", v.param_names[k]);
    for (int f = 0; f < v.n_fields; f++) fprintf(h, ",rel_l2_%s", v.problem->fields[f]);
    char mn[PINN_MODEL_MAX_VALUES][32];
    double mv[PINN_MODEL_MAX_VALUES];
    int nm = pinn_trainer_model_values(t, mn, mv); /* the model's own columns (e.g. expert importances) */
    for (int k = 0; k < nm; k++) fprintf(h, ",%s", mn[k]);
    fprintf(h, "\n");
    fflush(h);
    *out = h;
    return PINN_OK;
}

static void history_row(FILE *f, pinn_trainer *t, const pinn_progress *p, int n_fields, const double *rel) {
    if (!f) return;
    fprintf(f, "%ld,%s,%.4f,%.9e", p->step, p->phase, p->wall_s, p->loss);
    for (int k = 0; k < p->n_terms; k++) fprintf(f, ",%.9e", p->term_loss[k]);
    for (int k = 0; k < p->n_terms; k++) fprintf(f, ",%.9g", p->weights[k]);
    for (int k = 0; k < p->n_terms; k++) fprintf(f, ",%.6e", p->gnorm[k]);
    for (int k = 0; k < p->n_params; k++) fprintf(f, ",%.12g", p->param_values[k]);
    for (int q = 0; q < n_fields; q++) {
        if (p->evaluated && isfinite(rel[q])) fprintf(f, ",%.6e", rel[q]);
        else fprintf(f, ",");
    }
    char mn[PINN_MODEL_MAX_VALUES][32];
    double mv[PINN_MODEL_MAX_VALUES];
    int nm = pinn_trainer_model_values(t, mn, mv);
    for (int k = 0; k < nm; k++) fprintf(f, ",%.6e", mv[k]);
    fprintf(f, "\n");
    fflush(f);
}

/* causal.csv: step, eps, then each chunk's loss and weight at the step (a causal phase's reports). */
static void causal_row(run_obs *o, pinn_trainer *t, long step) {
    double eps;
    const double *L, *w;
    int M = pinn_trainer_causal(t, &eps, &L, &w);
    if (M <= 0 || !o->dir) return;
    if (!o->causal) {
        char path[PINN_RUN_PATH];
        pinn_error e;
        if (pinn_run_path(path, sizeof path, o->dir, "causal.csv", &e) || !(o->causal = fopen(path, o->resumed ? "a" : "w"))) return;
        if (!o->resumed) {
            fprintf(o->causal, "step,eps");
            for (int i = 0; i < M; i++) fprintf(o->causal, ",L%d", i);
            for (int i = 0; i < M; i++) fprintf(o->causal, ",w%d", i);
            fprintf(o->causal, "\n");
        }
    }
    fprintf(o->causal, "%ld,%.6g", step, eps);
    for (int i = 0; i < M; i++) fprintf(o->causal, ",%.6e", L[i]);
    for (int i = 0; i < M; i++) fprintf(o->causal, ",%.6e", w[i]);
    fprintf(o->causal, "\n");
    fflush(o->causal);
}

static pinn_status on_event(void *ctx, pinn_trainer *t, pinn_event ev, const pinn_progress *p, pinn_error *err) {
    run_obs *o = ctx;
    pinn_trainer_info v;
    pinn_trainer_get_info(t, &v);
    const pinn_weighting_file *wf = &v.problem->train.weighting;
    pinn_status st = PINN_OK;
    switch (ev) {
    case PINN_EVENT_START: /* the starting state, so that a run can be resumed whenever it fails */
        if (o->dir && !o->resumed) st = pinn_run_checkpoint_write(t, o->dir, err);
        break;
    case PINN_EVENT_STEP: /* gradient histograms at the chosen Adam epochs; a requested stop */
        for (int h = 0; o->dir && h < wf->n_hist && !st; h++)
            if (!strcmp(p->phase, "adam") && wf->hist_epochs[h] == p->step - 1) st = pinn_run_write_histograms(t, o->dir, p->step - 1, err);
        if (!st && o->stop && *o->stop) {
            if (o->dir && (st = pinn_run_checkpoint_write(t, o->dir, err))) break;
            st = pinn_error_set(err, PINN_ERR_INTERRUPTED, "interrupted at step %ld%s%s; pinnc train --resume continues",
                                p->step, o->dir ? ": checkpoint written to " : "", o->dir ? o->dir : "");
        }
        break;
    case PINN_EVENT_LOG:
        history_row(o->hist, t, p, v.n_fields, v.rel);
        causal_row(o, t, p->step);
        if (o->progress) o->progress(o->progress_ctx, p);
        break;
    case PINN_EVENT_CHECKPOINT:
        if (o->dir) st = pinn_run_checkpoint_write(t, o->dir, err);
        break;
    case PINN_EVENT_END:
        history_row(o->hist, t, p, v.n_fields, v.rel);
        break;
    default: break;
    }
    return st;
}

pinn_status pinn_trainer_train(pinn_trainer *t, const char *dir, int resume, pinn_progress_fn fn, void *ctx,
                               pinn_error *err) {
    pinn_run_opts ro = {resume, 0, NULL, 0};
    return pinn_trainer_train_opts(t, dir, &ro, fn, ctx, err);
}

pinn_status pinn_trainer_train_opts(pinn_trainer *t, const char *dir, const pinn_run_opts *ro, pinn_progress_fn fn,
                                    void *ctx, pinn_error *err) {
    int resume = ro && ro->resume, force = ro && ro->force;
    run_obs o = {dir, ro ? ro->stop : NULL, resume, NULL, NULL, fn, ctx};
    /* the reference first: a problem with it is reported before any training */
    pinn_status st = pinn_trainer_compute_reference(t, err);
    if (st) return st;
    if (dir && ro && ro->no_write) {
        /* a reading rank: the checkpoint on resume, then no files */
        char path[PINN_RUN_PATH], prev[PINN_RUN_PATH];
        pinn_error e2;
        if (resume && ((st = pinn_run_path(path, sizeof path, dir, "checkpoint.bin", err)) ||
                       ((st = pinn_run_checkpoint_read(t, path, force, err)) &&
                        (pinn_run_path(prev, sizeof prev, dir, "checkpoint.bin.prev", &e2) ||
                         pinn_run_checkpoint_read(t, prev, force, &e2)))))
            return st;
        dir = NULL, o.dir = NULL;
    }
    if (dir) {
        char path[PINN_RUN_PATH];
        if ((st = pinn_mkdir_p(dir, err))) return st;
        if (resume) {
            if ((st = pinn_run_path(path, sizeof path, dir, "checkpoint.bin", err))) return st;
            if ((st = pinn_run_checkpoint_read(t, path, force, err))) {
                /* a damaged or missing checkpoint: the previous good one, if there is one (its
                 * own failure leaves the first error as the message) */
                pinn_error e2;
                char prev[PINN_RUN_PATH];
                if (!pinn_run_path(prev, sizeof prev, dir, "checkpoint.bin.prev", &e2) && !pinn_run_checkpoint_read(t, prev, force, &e2))
                    st = PINN_OK;
                if (st) return st;
            }
        } else {
            if ((st = pinn_run_path(path, sizeof path, dir, "config.yaml", err))) return st;
            const pinn_problem *p = pinn_trainer_problem(t);
            if ((st = pinn_problem_write(p, path, err))) return st;
        }
        if ((st = history_open(t, dir, resume, &o.hist, err))) return st;
    }
    pinn_observer obs = {&o, on_event};
    st = pinn_trainer_run(t, &obs, err);
    if (o.hist) fclose(o.hist);
    if (o.causal) fclose(o.causal);
    /* a failed or diverged run keeps its last good checkpoint: only a finished state is written */
    if (dir && !st) st = pinn_run_checkpoint_write(t, dir, err);
    if (dir && !st) st = pinn_run_best_write(t, dir, err);
    if (dir && !st) st = pinn_run_write_outputs(t, dir, err);
    /* report.html and the VTK files, read back from the directory's files */
    if (dir && !st) st = pinn_report_write(dir, err);
    if (dir && !st) {
        st = pinn_report_vtk(dir, err);
        if (st == PINN_ERR_UNSUPPORTED) st = PINN_OK;
    }
    return st;
}

pinn_status pinn_trainer_write_outputs(pinn_trainer *t, const char *dir, pinn_error *err) {
    return pinn_run_write_outputs(t, dir, err);
}
