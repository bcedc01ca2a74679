/* config_write.c - a pinn_problem written back as a complete YAML problem file (every key with its
 * value, defaults filled in), atomically; loading the result gives the same problem. */
#include <stdio.h>
#include <string.h>

#include "io/files.h"
#include "pinnc.h"

/* A YAML double-quoted string. */
void pinn_config_write_csg(FILE *f, const pinn_domain *dm);

static void q(FILE *f, const char *s) {
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"' || *s == '\\') fputc('\\', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

/* A weight schedule as ", weight_schedule: {...}" (nothing for a constant weight). */
static void write_ramp(FILE *f, const pinn_weight_ramp *r) {
    if (r->kind == PINN_RAMP_NONE) return;
    fprintf(f, ", weight_schedule: {kind: %s, from: %.17g, to: %.17g, start: %ld, end: %ld}", pinn_ramp_kind_to_string(r->kind),
            r->from, r->to, r->start, r->end);
}

static void ints(FILE *f, const int *v, int n) {
    fputc('[', f);
    for (int i = 0; i < n; i++) fprintf(f, "%s%d", i ? ", " : "", v[i]);
    fputc(']', f);
}

void pinn_problem_print(const pinn_problem *p, FILE *f) {
    const pinn_domain *dm = &p->domain;
    fprintf(f, "# resolved problem written by pinnc %s from %s\n", pinn_version(), p->file[0] ? p->file : "C");
    fprintf(f, "title: ");
    q(f, p->title);
    fprintf(f, "\nconstants:\n");
    for (int i = 0; i < p->n_consts; i++) {
        fprintf(f, "  %s: ", p->consts[i].name);
        q(f, p->consts[i].expr[0] ? p->consts[i].expr : "0");
        fprintf(f, "   # = %.17g\n", p->consts[i].value);
    }
    if (!p->n_consts) fprintf(f, "  {}\n");
    fprintf(f, "domain:\n");
    for (int i = 0; i < dm->d; i++) fprintf(f, "  %s: [%.17g, %.17g]\n", dm->coord[i], dm->lo[i], dm->hi[i]);
    fprintf(f, "  time: %s\n", dm->time >= 0 ? dm->coord[dm->time] : "null");
    fprintf(f, "  shape: %s\n", pinn_domain_shape_to_string(dm->shape));
    if (dm->shape == PINN_DOMAIN_POLYGON) {
        fprintf(f, "  vertices: [");
        for (int v = 0; v < dm->n_vertices; v++) fprintf(f, "%s[%.17g, %.17g]", v ? ", " : "", dm->vertex[v][0], dm->vertex[v][1]);
        fprintf(f, "]\n");
    }
    if (dm->shape == PINN_DOMAIN_DISK)
        fprintf(f, "  center: [%.17g, %.17g]\n  radius: %.17g\n", dm->center[0], dm->center[1], dm->radius);
    pinn_config_write_csg(f, dm);
    fprintf(f, "fields: [");
    for (int i = 0; i < p->n_fields; i++) fprintf(f, "%s%s", i ? ", " : "", p->fields[i]);
    fprintf(f, "]\nparameters:%s\n", p->n_params ? "" : " {}");
    for (int i = 0; i < p->n_params; i++) fprintf(f, "  %s: %.17g\n", p->params[i].name, p->params[i].value);
    if (p->n_defines) fprintf(f, "define:\n");
    for (int i = 0; i < p->n_defines; i++) {
        fprintf(f, "  %s: ", p->defines[i].name);
        q(f, p->defines[i].expr);
        fputc('\n', f);
    }
    fprintf(f, "equations:\n");
    for (int i = 0; i < p->n_equations; i++) {
        fprintf(f, "  - {name: ");
        q(f, p->equations[i].name);
        fprintf(f, ", equation: ");
        q(f, p->equations[i].expr);
        fprintf(f, ", weight: %.17g", p->eq_weight[i]);
        write_ramp(f, &p->eq_ramp[i]);
        fprintf(f, "}\n");
    }
    fprintf(f, "conditions:%s\n", p->n_conditions ? "" : " []");
    for (int i = 0; i < p->n_conditions; i++) {
        const pinn_condition *c = &p->conditions[i];
        fprintf(f, "  - {name: ");
        q(f, c->name);
        if (c->kind == PINN_COND_EQUATION) {
            fprintf(f, ", on: ");
            q(f, c->on);
            fprintf(f, ", equation: ");
            q(f, c->equation);
            fprintf(f, ", points: %d", c->points);
        } else if (c->kind == PINN_COND_PERIODIC)
            fprintf(f, ", periodic: %s, points: %d, derivatives: %d", dm->coord[c->coordinate], c->points, c->derivatives);
        else {
            fprintf(f, ", data: ");
            q(f, c->file);
            fprintf(f, ", noise: %.17g", c->noise);
            if (c->observe[0]) fprintf(f, ", observe: "), q(f, c->observe);
            if (c->column[0]) fprintf(f, ", column: "), q(f, c->column);
            if (c->columns[0]) fprintf(f, ", columns: [%s]", c->columns);
            if (c->anchor) fprintf(f, ", anchor: true");
        }
        fprintf(f, ", weight: %.17g", c->weight);
        write_ramp(f, &c->ramp);
        fprintf(f, "}\n");
    }
    const pinn_model_cfg *m = &p->model;
    fprintf(f, "model:\n  kind: ");
    q(f, m->kind);
    fputc('\n', f);
    pinn_cfg_write_yaml(&m->cfg, 0, 2, f);
    const pinn_train_cfg *t = &p->train;
    fprintf(f, "train:\n  collocation: %d\n  epochs: %d\n  lr: %.17g\n  schedule: %s\n  decay_rate: %.17g\n"
               "  decay_steps: %d\n  lr_min: %.17g\n  lbfgs: %d\n  lbfgs_memory: %d\n  lbfgs_gtol: %.17g\n"
               "  lbfgs_ftol: %.17g\n  sampler: %s\n  resample_every: %d\n  batch: %d\n  block: %d\n  seed: %lu\n"
               "  threads: %d\n  log_every: %d\n  eval_every: %d\n  checkpoint_every: %d\n",
            t->collocation, t->epochs, t->lr, t->schedule, t->decay_rate, t->decay_steps, t->lr_min, t->lbfgs_iters,
            t->lbfgs_memory, t->lbfgs_gtol, t->lbfgs_ftol, t->sampler, t->resample_every, t->batch, t->block, t->seed,
            t->threads, t->log_every > 0 ? t->log_every : 1, t->eval_every, t->checkpoint_every);
    if (t->gemm[0]) fprintf(f, "  gemm: %s\n", t->gemm);
    if (t->has_phases) pinn_cfg_write_yaml(&t->phases, 0, 2, f);
    const pinn_weighting_file *w = &p->train.weighting;
    fprintf(f, "  weighting:\n    scheme: %s\n    beta: %.17g\n    every: %d\n    bias_correction: %s\n    p: ", w->scheme,
            w->beta, w->every, w->bias_correction ? "true" : "false");
    if (w->p > 2) fprintf(f, "inf\n");
    else fprintf(f, "%g\n", w->p);
    if (w->weights_only) fprintf(f, "    params: weights\n");
    if (w->reference[0]) fprintf(f, "    reference: "), q(f, w->reference), fputc('\n', f);
    if (w->n_terms) {
        fprintf(f, "    terms: [");
        for (int i = 0; i < w->n_terms; i++) fprintf(f, "%s", i ? ", " : ""), q(f, w->terms[i]);
        fprintf(f, "]\n");
    }
    fprintf(f, "    temperature: %.17g\n    alpha: %.17g\n    rho: %.17g\n", w->temperature, w->alpha, w->rho);
    if (w->n_hist) fprintf(f, "    histograms: "), ints(f, w->hist_epochs, w->n_hist), fputc('\n', f);
    const pinn_reference_cfg *r = &p->reference;
    if (r->kind != PINN_REFK_NONE) {
        fprintf(f, "reference:\n  solver: %s\n", pinn_ref_kind_to_string(r->kind));
        switch (r->kind) {
        case PINN_REFK_EXACT:
            for (int i = 0; i < p->n_fields; i++) fprintf(f, "  %s: ", p->fields[i]), q(f, r->exact[i]), fputc('\n', f);
            break;
        case PINN_REFK_BURGERS:
            if (r->nu[0]) fprintf(f, "  nu: "), q(f, r->nu), fputc('\n', f);
            if (r->initial[0]) fprintf(f, "  initial: "), q(f, r->initial), fputc('\n', f);
            break;
        case PINN_REFK_ALLEN_CAHN:
            fprintf(f, "  diffusion: %.17g\n  c1: %.17g\n  c3: %.17g\n", r->diffusion, r->c1, r->c3);
            if (r->initial[0]) fprintf(f, "  initial: "), q(f, r->initial), fputc('\n', f);
            if (r->h > 0) fprintf(f, "  dt: %.17g\n", r->h);
            break;
        case PINN_REFK_POISSON_FD:
            if (r->source[0]) fprintf(f, "  source: "), q(f, r->source), fputc('\n', f);
            if (r->boundary[0]) fprintf(f, "  boundary: "), q(f, r->boundary), fputc('\n', f);
            if (r->h > 0) fprintf(f, "  h: %.17g\n", r->h);
            break;
        case PINN_REFK_BUCKLEY_LEVERETT: fprintf(f, "  mobility: %.17g\n", r->mobility); break;
        case PINN_REFK_CSV: fprintf(f, "  file: "), q(f, r->file), fputc('\n', f); break;
        default: break;
        }
    }
    fprintf(f, "output:\n  npy: %s\n  png: %s\n", p->output.npy ? "true" : "false", p->output.png ? "true" : "false");
    if (p->output.grid[0] > 0) fprintf(f, "  grid: "), ints(f, p->output.grid, dm->d), fputc('\n', f);
}

pinn_status pinn_problem_write(const pinn_problem *p, const char *path, pinn_error *err) {
    pinn_afile a;
    pinn_status st = pinn_afile_open(&a, path, err);
    if (st) return st;
    pinn_problem_print(p, a.f);
    return pinn_afile_commit(&a, err);
}
