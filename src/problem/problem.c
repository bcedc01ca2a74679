/* problem.c - the problem as plain data: its defaults, the enum name tables of its sections and
 * validation of a problem however it was built (the YAML loader is io/config_load.c). */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/msg.h"
#include "pinnc.h"

const char *pinn_msg_path(const char *path, char *buf, size_t size) {
    size_t n = path ? strlen(path) : 0;
    if (!path) return "";
    if (n <= PINN_MSG_PATH_MAX || size < PINN_MSG_PATH_MAX + 1) return path;
    snprintf(buf, size, "...%s", path + n - (PINN_MSG_PATH_MAX - 3));
    return buf;
}

static const char *const shape_names[PINN_DOMAIN_SHAPE_COUNT] = {"box", "polygon", "lshape", "disk", "csg"};
static const char *const cond_names[PINN_COND_KIND_COUNT] = {"equation", "periodic", "data"};
static const char *const ref_names[PINN_REFK_COUNT] = {"none",         "exact",  "burgers", "allen_cahn",
                                                       "poisson_fd",   "buckley_leverett", "csv"};

const char *pinn_domain_shape_to_string(pinn_domain_shape s) {
    return (int)s >= 0 && s < PINN_DOMAIN_SHAPE_COUNT ? shape_names[s] : "unknown";
}
const char *pinn_cond_kind_to_string(pinn_cond_kind k) {
    return (int)k >= 0 && k < PINN_COND_KIND_COUNT ? cond_names[k] : "unknown";
}
const char *pinn_ref_kind_to_string(pinn_ref_kind k) {
    return (int)k >= 0 && k < PINN_REFK_COUNT ? ref_names[k] : "unknown";
}
int pinn_config_lookup(const char *const *names, int n, const char *s) {
    for (int i = 0; i < n; i++)
        if (!strcmp(names[i], s)) return i;
    return -1;
}
const char *const *pinn_config_shape_names(void) { return shape_names; }
const char *const *pinn_config_ref_names(void) { return ref_names; }

void pinn_problem_defaults(pinn_problem *p) {
    memset(p, 0, sizeof *p);
    p->domain.time = -1;
    snprintf(p->model.kind, sizeof p->model.kind, "mlp");
    pinn_cfg_clear(&p->model.cfg, "", "model", 0);
    for (int q = 0; q < PINN_MAX_EQUATIONS; q++) p->eq_weight[q] = 1;
    p->train.collocation = 2000;
    p->train.epochs = 5000;
    p->train.lr = 1e-3;
    snprintf(p->train.schedule, sizeof p->train.schedule, "constant");
    p->train.decay_rate = 0.9;
    p->train.decay_steps = 1000;
    p->train.lbfgs_memory = 50;
    p->train.lbfgs_gtol = 1e-9;
    p->train.lbfgs_ftol = 1e-12;
    snprintf(p->train.sampler, sizeof p->train.sampler, "sobol");
    p->train.seed = 1;
    p->train.log_every = 100;
    p->train.eval_every = 1000;
    p->train.checkpoint_every = 1000;
    snprintf(p->train.weighting.scheme, sizeof p->train.weighting.scheme, "fixed");
    p->train.weighting.beta = 0.99;
    p->train.weighting.every = 10;
    p->train.weighting.p = 2;
    p->train.weighting.temperature = 0.1;
    p->train.weighting.alpha = 0.999;
    p->train.weighting.rho = 0.999;
    p->reference.diffusion = 1e-4;
    p->reference.c1 = 5;
    p->reference.c3 = -5;
    p->output.npy = 1;
    p->output.png = 1;
}

pinn_status pinn_problem_validate_lang(const pinn_problem *p, const char *f, pinn_error *err);

/* Checks names, ranges and counts; expressions are compiled by the trainer and the loader. */
pinn_status pinn_problem_validate(const pinn_problem *p, pinn_error *err) {
    char fb[PINN_MSG_PATH_MAX + 1];
    const char *f = p->file[0] ? pinn_msg_path(p->file, fb, sizeof fb) : "<problem>";
    const pinn_domain *dm = &p->domain;
    if (dm->d < 1 || dm->d > PINN_MAX_INPUTS)
        return pinn_error_set(err, PINN_ERR_INVALID, "%s:%d: domain: expected 1 to %d coordinates, got %d", f, dm->line,
                              PINN_MAX_INPUTS, dm->d);
    for (int i = 0; i < dm->d; i++) {
        if (!(dm->lo[i] < dm->hi[i]) || !isfinite(dm->lo[i]) || !isfinite(dm->hi[i]))
            return pinn_error_set(err, PINN_ERR_INVALID, "%s:%d: domain.%s: expected [lo, hi] with lo < hi, got [%g, %g]", f,
                                  dm->line, dm->coord[i], dm->lo[i], dm->hi[i]);
        for (int j = 0; j < i; j++)
            if (!strcmp(dm->coord[i], dm->coord[j]))
                return pinn_error_set(err, PINN_ERR_INVALID, "%s:%d: domain: coordinate '%s' appears twice", f, dm->line,
                                      dm->coord[i]);
    }
    if (p->n_fields < 1)
        return pinn_error_set(err, PINN_ERR_INVALID, "%s:1: fields: expected at least one field name", f);
    if (p->n_equations < 1)
        return pinn_error_set(err, PINN_ERR_INVALID, "%s:1: equations: expected at least one equation", f);
    /* names must not clash: coordinates, fields, constants, parameters */
    const char *names[64];
    int nn = 0;
    for (int i = 0; i < dm->d; i++) names[nn++] = dm->coord[i];
    for (int i = 0; i < p->n_fields; i++) names[nn++] = p->fields[i];
    for (int i = 0; i < p->n_consts && nn < 64; i++) names[nn++] = p->consts[i].name;
    for (int i = 0; i < p->n_params && nn < 64; i++) names[nn++] = p->params[i].name;
    for (int i = 0; i < nn; i++)
        for (int j = 0; j < i; j++)
            if (!strcmp(names[i], names[j]))
                return pinn_error_set(err, PINN_ERR_INVALID,
                                      "%s:1: the name '%s' is used twice (coordinates, fields, constants and parameters "
                                      "need distinct names)",
                                      f, names[i]);
    for (int c = 0; c < p->n_conditions; c++) {
        const pinn_condition *cd = &p->conditions[c];
        if (cd->kind != PINN_COND_DATA && cd->points < 1)
            return pinn_error_set(err, PINN_ERR_INVALID, "%s:%d: condition '%s': points: expected a positive integer, got %d",
                                  f, cd->line, cd->name, cd->points);
        if (!(cd->weight >= 0) || !isfinite(cd->weight))
            return pinn_error_set(err, PINN_ERR_INVALID, "%s:%d: condition '%s': weight: expected a number >= 0", f, cd->line,
                                  cd->name);
        if (cd->kind == PINN_COND_PERIODIC && (cd->coordinate < 0 || cd->coordinate >= dm->d || cd->coordinate == dm->time))
            return pinn_error_set(err, PINN_ERR_INVALID, "%s:%d: condition '%s': periodic: expected a space coordinate", f,
                                  cd->line, cd->name);
        for (int j = 0; j < c; j++)
            if (!strcmp(cd->name, p->conditions[j].name))
                return pinn_error_set(err, PINN_ERR_INVALID, "%s:%d: condition name '%s' is used twice", f, cd->line, cd->name);
    }
    long total = p->train.collocation;
    for (int c = 0; c < p->n_conditions; c++) {
        const pinn_condition *cd = &p->conditions[c];
        if (cd->kind == PINN_COND_DATA) continue;
        if (cd->points > PINN_MAX_COND_POINTS)
            return pinn_error_set(err, PINN_ERR_INVALID, "%s:%d: condition '%s': points: at most %ld, got %d", f, cd->line,
                                  cd->name, PINN_MAX_COND_POINTS, cd->points);
        total += cd->points;
    }
    if (p->train.collocation > PINN_MAX_COLLOCATION || total > PINN_MAX_TOTAL_POINTS)
        return pinn_error_set(err, PINN_ERR_INVALID,
                              "%s:%d: train.collocation: %d collocation points and %ld in all (with the conditions), "
                              "above the limit of %ld",
                              f, p->train.line, p->train.collocation, total, PINN_MAX_TOTAL_POINTS);
    double grid = 1;
    for (int i = 0; i < dm->d; i++) grid *= p->output.grid[i] > 0 ? p->output.grid[i] : 1;
    if (grid > (double)PINN_MAX_GRID_POINTS)
        return pinn_error_set(err, PINN_ERR_INVALID, "%s:%d: output.grid: %.0f points, above the limit of %ld", f,
                              p->output.line, grid, PINN_MAX_GRID_POINTS);

    const pinn_train_cfg *t = &p->train;
    if (t->collocation < 1 || t->epochs < 0 || !(t->lr > 0) || t->lbfgs_iters < 0 || t->batch < 0)
        return pinn_error_set(err, PINN_ERR_INVALID,
                              "%s:%d: train: expected collocation >= 1, epochs >= 0, lr > 0, lbfgs >= 0, batch >= 0", f,
                              t->line);
    return pinn_problem_validate_lang(p, f, err);
}

/* See problem.h: the predicate of an `on:` text, or NULL when it has none. */
const char *pinn_cond_on_predicate(const char *on) {
    while (isspace((unsigned char)*on)) on++;
    if (!strcmp(on, "boundary")) return NULL;
    if (!strncmp(on, "at", 2)) {
        const char *r = on + 2;
        while (isspace((unsigned char)*r)) r++;
        if (*r == '(') return NULL;
    }
    if (!strncmp(on, "interior", 8) && !(isalnum((unsigned char)on[8]) || on[8] == '_')) {
        const char *r = on + 8;
        while (isspace((unsigned char)*r)) r++;
        if (!*r) return NULL;
        if (!strncmp(r, "and", 3) && !(isalnum((unsigned char)r[3]) || r[3] == '_')) return r + 3;
    }
    return on;
}
