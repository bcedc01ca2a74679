/* data.c - data conditions: a table (CSV, .npy, .npz) with one column per coordinate and either
 * field columns (a misfit per observed field value) or, with `observe`, one column of observed
 * values of an expression of the fields (a derivative, a flux: a residual term `expr - value`
 * on the data points); Gaussian noise per data set; and anchors, the data points of conditions
 * with `anchor: true`, which join the collocation set of the equations. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "problem/csv.h"
#include "train/trainer.h"

/* The table of condition c and the column of each coordinate; errors name file and line. */
static pinn_status read_table(const pinn_trainer *t, const pinn_condition *c, pinn_csv_table *tab, long *col,
                              pinn_error *err) {
    pinn_error e;
    pinn_status st = pinn_data_read(c->file, c->columns, tab, &e);
    if (st) return pinn_error_set(err, st, "%s:%d: condition '%s': %s", t->prob.file, c->line, c->name, e.msg);
    for (int i = 0; i < t->d; i++)
        if ((col[i] = pinn_csv_column(tab, t->prob.domain.coord[i])) < 0) {
            pinn_csv_free(tab);
            return pinn_error_set(err, PINN_ERR_INVALID, "%s:%d: condition '%s': %s has no column '%s'", t->prob.file,
                                  c->line, c->name, c->file, t->prob.domain.coord[i]);
        }
    return PINN_OK;
}

pinn_status tr_anchor_points(pinn_trainer *t, pinn_real **x, size_t *n, pinn_error *err) {
    *x = NULL, *n = 0;
    int d = t->d;
    for (int q = 0; q < t->prob.n_conditions; q++) {
        const pinn_condition *c = &t->prob.conditions[q];
        if (c->kind != PINN_COND_DATA || !c->anchor) continue;
        pinn_csv_table tab;
        long col[PINN_MAX_INPUTS];
        pinn_status st = read_table(t, c, &tab, col, err);
        if (st) return st;
        pinn_real *nx = realloc(*x, sizeof(pinn_real) * (*n + tab.nrows) * (size_t)d);
        if (!nx) {
            pinn_csv_free(&tab);
            return pinn_error_set(err, PINN_ERR_NOMEM, "out of memory");
        }
        *x = nx;
        for (size_t r = 0; r < tab.nrows; r++)
            for (int i = 0; i < d; i++) nx[(*n + r) * d + i] = (pinn_real)tab.data[r * tab.ncols + (size_t)col[i]];
        *n += tab.nrows;
        pinn_csv_free(&tab);
    }
    return PINN_OK;
}

/* The observed values of an observation term, reordered with its points by the model's order. */
static pinn_status observe_term(pinn_trainer *t, tr_term *tm, const pinn_condition *c, const pinn_csv_table *tab,
                                pinn_error *err) {
    const char *cname = c->column[0] ? c->column : "value";
    long vc = pinn_csv_column(tab, cname);
    if (vc < 0)
        return pinn_error_set(err, PINN_ERR_INVALID, "%s:%d: condition '%s': %s has no column '%s' (the observed values of '%s'%s)",
                              t->prob.file, c->line, c->name, c->file, cname, c->observe,
                              c->column[0] ? "" : "; name it with 'column:'");
    pinn_status st = tr_compile(t, c->observe, c->line, "observe", PINN_EXPR_VALUE, &tm->eq, err);
    if (!st) st = tr_leaves_plan(tm, t->d, err);
    if (st) return st;
    if (tm->uses_normals)
        return pinn_error_set(err, PINN_ERR_INVALID, "%s:%d: condition '%s': observe: data points have no outward normal (_n)",
                              t->prob.file, c->line, c->name);
    size_t n = tab->nrows;
    tm->obs = malloc(sizeof(pinn_real) * (n ? n : 1));
    if (!tm->obs) return pinn_error_set(err, PINN_ERR_NOMEM, "out of memory");
    pinn_rng rng;
    pinn_rng_seed(&rng, t->prob.train.seed ^ 0x5eedda7aULL);
    for (size_t r = 0; r < n; r++) tm->obs[r] = (pinn_real)(tab->data[r * tab->ncols + (size_t)vc] + c->noise * pinn_rng_normal(&rng));
    /* the model's point order, applied to the values too */
    const pinn_model_ops *ops = pinn_model_kind(t->model);
    if (!ops->order_points || n < 2) return PINN_OK;
    if ((st = tr_order_points(t, n, tm->x, NULL, err))) return st;
    pinn_real *tmp = malloc(sizeof(pinn_real) * n);
    if (!tmp) return pinn_error_set(err, PINN_ERR_NOMEM, "out of memory");
    memcpy(tmp, tm->obs, sizeof(pinn_real) * n);
    for (size_t i = 0; i < n; i++) tm->obs[i] = tmp[t->order[i]];
    free(tmp);
    return PINN_OK;
}

pinn_status tr_data_term(pinn_trainer *t, tr_term *tm, const pinn_condition *c, pinn_error *err) {
    pinn_csv_table tab;
    long col[PINN_MAX_INPUTS], fcol[PINN_MAX_FIELDS];
    pinn_status st = read_table(t, c, &tab, col, err);
    if (st) return st;
    int d = t->d, nf = t->nf, nfound = 0;
    for (int f = 0; f < nf; f++) nfound += (fcol[f] = pinn_csv_column(&tab, t->prob.fields[f])) >= 0;
    if (!c->observe[0] && !nfound)
        st = pinn_error_set(err, PINN_ERR_INVALID,
                            "%s:%d: condition '%s': %s has no column named after a field (or give 'observe: expression')",
                            t->prob.file, c->line, c->name, c->file);
    size_t n = tab.nrows;
    pinn_real *x = NULL;
    if (!st) {
        x = malloc(sizeof(pinn_real) * (n ? n : 1) * d);
        if (!c->observe[0]) tm->target = malloc(sizeof(pinn_real) * (n ? n : 1) * nf);
        if (!x || (!c->observe[0] && !tm->target)) st = pinn_error_set(err, PINN_ERR_NOMEM, "out of memory");
    }
    if (!st) {
        for (size_t r = 0; r < n; r++)
            for (int i = 0; i < d; i++) x[r * d + i] = (pinn_real)tab.data[r * tab.ncols + (size_t)col[i]];
        st = tr_take_points(tm, d, x, NULL, n, err);
    }
    if (!st && c->observe[0]) st = observe_term(t, tm, c, &tab, err);
    else if (!st) {
        pinn_rng rng;
        pinn_rng_seed(&rng, t->prob.train.seed ^ 0x5eedda7aULL);
        for (size_t r = 0; r < n; r++)
            for (int f = 0; f < nf; f++)
                tm->target[r * nf + f] = fcol[f] < 0 ? NAN
                                                     : (pinn_real)(tab.data[r * tab.ncols + (size_t)fcol[f]] +
                                                                   c->noise * pinn_rng_normal(&rng));
        st = pinn_plan_init(&tm->plan, d, 0, NULL, err);
    }
    free(x);
    pinn_csv_free(&tab);
    return st;
}
