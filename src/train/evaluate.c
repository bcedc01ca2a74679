/* evaluate.c - the evaluation grid, the reference on it (solved when first needed, so that
 * `pinnc check` and `pinnc eval` never run a solver), relative L2 errors, and predictions of any
 * expression of the fields at arbitrary points. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "problem/csv.h"
#include "train/trainer.h"

/* Default points per coordinate: 1001 (1-D), 101 (2-D, 256 along a space axis with time), 41, 21. */
static int default_grid(const pinn_trainer *t, int i) {
    switch (t->d) {
    case 1: return 1001;
    case 2: return (t->prob.domain.time >= 0 && i != t->prob.domain.time) ? 256 : 101;
    case 3: return 41;
    default: return 21;
    }
}

pinn_status tr_eval_setup(pinn_trainer *t, pinn_error *err) {
    int d = t->d;
    pinn_status st = pinn_plan_init(&t->value_plan, d, 0, NULL, err);
    if (st) return st;
    const pinn_reference_cfg *r = &t->prob.reference;
    if (r->kind == PINN_REFK_CSV) {
        /* the evaluation points are the file's points */
        pinn_csv_table tab;
        pinn_csv_init(&tab);
        const char *path = r->file; /* resolved by the loader */
        pinn_error e;
        if ((st = pinn_csv_read(path, &tab, &e)))
            return pinn_error_set(err, st, "%s:%d: reference: %s", t->prob.file, r->line, e.msg);
        long col[PINN_MAX_INPUTS], fcol[PINN_MAX_FIELDS];
        for (int i = 0; i < d && !st; i++)
            if ((col[i] = pinn_csv_column(&tab, t->prob.domain.coord[i])) < 0)
                st = pinn_error_set(err, PINN_ERR_INVALID, "%s:%d: reference: %s has no column '%s'", t->prob.file,
                                    r->line, path, t->prob.domain.coord[i]);
        for (int f = 0; f < t->nf && !st; f++)
            if ((fcol[f] = pinn_csv_column(&tab, t->prob.fields[f])) < 0)
                st = pinn_error_set(err, PINN_ERR_INVALID, "%s:%d: reference: %s has no column '%s'", t->prob.file,
                                    r->line, path, t->prob.fields[f]);
        if (!st) {
            t->n_eval = tab.nrows;
            t->grid_dims[0] = (int)tab.nrows;
            for (int i = 1; i < d; i++) t->grid_dims[i] = 1;
            t->eval_x = malloc(sizeof(pinn_real) * (t->n_eval + 1) * d);
            t->ref = malloc(sizeof(pinn_real) * (t->n_eval + 1) * t->nf);
            t->mask = malloc(t->n_eval + 1);
            if (!t->eval_x || !t->ref || !t->mask) st = pinn_error_set(err, PINN_ERR_NOMEM, "out of memory");
        }
        if (!st) {
            for (size_t k = 0; k < t->n_eval; k++) {
                for (int i = 0; i < d; i++) t->eval_x[k * d + i] = (pinn_real)tab.data[k * tab.ncols + (size_t)col[i]];
                for (int f = 0; f < t->nf; f++) t->ref[k * t->nf + f] = (pinn_real)tab.data[k * tab.ncols + (size_t)fcol[f]];
                t->mask[k] = 1;
            }
            t->has_ref = t->ref_ready = 1;
        }
        pinn_csv_free(&tab);
    } else {
        size_t n = 1;
        for (int i = 0; i < d; i++) {
            t->grid_dims[i] = t->prob.output.grid[i] > 0 ? t->prob.output.grid[i] : default_grid(t, i);
            n *= (size_t)t->grid_dims[i];
        }
        t->n_eval = n;
        t->eval_x = malloc(sizeof(pinn_real) * n * d);
        t->mask = malloc(n);
        if (!t->eval_x || !t->mask) return pinn_error_set(err, PINN_ERR_NOMEM, "out of memory");
        for (size_t k = 0; k < n; k++) { /* C order: the last coordinate varies fastest */
            size_t rem = k;
            for (int i = d - 1; i >= 0; i--) {
                int gi = (int)(rem % (size_t)t->grid_dims[i]);
                rem /= (size_t)t->grid_dims[i];
                double lo = t->prob.domain.lo[i], hi = t->prob.domain.hi[i];
                t->eval_x[k * d + i] = (pinn_real)(t->grid_dims[i] > 1 ? lo + (hi - lo) * gi / (t->grid_dims[i] - 1) : lo);
            }
            t->mask[k] = (unsigned char)pinn_geom_contains(t->geom, t->eval_x + k * d, 1e-12);
        }
        if (r->kind != PINN_REFK_NONE) {
            t->ref = malloc(sizeof(pinn_real) * n * t->nf);
            if (!t->ref) return pinn_error_set(err, PINN_ERR_NOMEM, "out of memory");
            t->has_ref = 1; /* solved by pinn_trainer_compute_reference when first needed */
        }
    }
    if (st) return st;
    t->pred = malloc(sizeof(pinn_real) * (t->n_eval + 1) * (size_t)t->w_out);
    if (!t->pred) return pinn_error_set(err, PINN_ERR_NOMEM, "out of memory");
    return pinn_term_init_ctx(&t->eval_term, t->ctx, t->graph, t->value_plan, t->n_eval, 512, t->np, err);
}

void tr_eval_free(pinn_trainer *t) {
    pinn_term_free(t->eval_term);
    pinn_plan_free(t->value_plan);
    free(t->eval_x);
    free(t->mask);
    free(t->ref);
    free(t->pred);
}

/* Tells the model that evaluations outside the loss begin (on = 1) or end (0). */
static void eval_mode(pinn_trainer *t, int on) {
    const pinn_model_ops *ops = pinn_model_kind(t->model);
    if (ops->eval_mode) ops->eval_mode(pinn_model_state(t->model), t->graph, on);
}

/* The fields on the grid into pred [n_eval][nf] (auxiliary model columns dropped). */
static void predict_grid(pinn_trainer *t) {
    eval_mode(t, 1);
    pinn_term_predict(t->eval_term, t->n_eval, t->eval_x, t->P, t->pred);
    eval_mode(t, 0);
    if (t->w_out != t->nf)
        for (size_t k = 0; k < t->n_eval; k++)
            for (int f = 0; f < t->nf; f++) t->pred[k * t->nf + f] = t->pred[k * (size_t)t->w_out + f];
}

pinn_status pinn_trainer_compute_reference(pinn_trainer *t, pinn_error *err) {
    if (!t->has_ref || t->ref_ready) return PINN_OK;
    pinn_status st = tr_reference_compute(t, t->n_eval, t->eval_x, t->ref, err);
    if (!st) t->ref_ready = 1;
    return st;
}

pinn_status pinn_trainer_predict_grid(pinn_trainer *t, pinn_error *err) {
    double rel[PINN_MAX_FIELDS];
    if (t->has_ref) return pinn_trainer_evaluate(t, rel, err);
    predict_grid(t);
    return PINN_OK;
}

pinn_status pinn_trainer_evaluate(pinn_trainer *t, double *rel, pinn_error *err) {
    for (int f = 0; f < t->nf; f++) rel[f] = NAN;
    if (!t->has_ref) return pinn_error_set(err, PINN_ERR_UNSUPPORTED, "the problem has no reference solution");
    pinn_status st = pinn_trainer_compute_reference(t, err);
    if (st) return st;
    predict_grid(t);
    for (int f = 0; f < t->nf; f++) {
        double num = 0, den = 0;
        for (size_t k = 0; k < t->n_eval; k++) {
            if (!t->mask[k]) continue;
            double r = t->ref[k * t->nf + f], u = t->pred[k * t->nf + f];
            num += (u - r) * (u - r);
            den += r * r;
        }
        rel[f] = den > 0 ? sqrt(num / den) : sqrt(num);
        t->rel[f] = rel[f];
    }
    return PINN_OK;
}

pinn_status pinn_trainer_predict(pinn_trainer *t, size_t n, const pinn_real *x, int n_what, const char *const *what,
                                 pinn_real *out, pinn_error *err) {
    pinn_status st = PINN_OK;
    for (int q = 0; q < n_what && !st; q++) {
        tr_term tm;
        memset(&tm, 0, sizeof tm);
        tm.tr = t;
        snprintf(tm.name, sizeof tm.name, "%s", what[q]);
        pinn_error e;
        if ((st = pinn_expr_compile(&tm.eq, what[q], &t->sym, &e))) {
            st = pinn_error_set(err, st, "--what '%s': %s", what[q], e.msg);
            break;
        }
        size_t block = 512;
        pinn_real *jet = NULL, *vals = malloc(sizeof(pinn_real) * (n ? n : 1));
        void *scr = NULL;
        if ((st = tr_leaves_plan(&tm, t->d, err)) == PINN_OK &&
            (st = pinn_term_init_ctx(&tm.term, t->ctx, t->graph, tm.plan, n, (int)block, t->np, err)) == PINN_OK) {
            size_t S = (size_t)pinn_plan_size(tm.plan);
            jet = malloc(sizeof(pinn_real) * S * (n ? n : 1) * (size_t)t->w_out);
            if (!jet || !vals) st = pinn_error_set(err, PINN_ERR_NOMEM, "out of memory");
            else {
                eval_mode(t, 1);
                pinn_term_predict(tm.term, n, x, t->P, jet);
                eval_mode(t, 0);
                /* evaluate the expression on the leaves, chunk by chunk */
                size_t chunk = 4096 < n ? 4096 : (n ? n : 1);
                scr = malloc(pinn_expr_scratch_size(tm.eq, chunk) + 1);
                pinn_real *buf = malloc(sizeof(pinn_real) * chunk * ((size_t)tm.n_leaves + (size_t)t->d + 1));
                for (size_t a = 0; a < n && scr && buf; a += chunk) {
                    size_t m = n - a < chunk ? n - a : chunk;
                    const pinn_real *lp[TR_MAX_LEAVES], *cp[PINN_MAX_INPUTS];
                    for (int k = 0; k < tm.n_leaves; k++) {
                        pinn_real *l = buf + (size_t)k * m;
                        const pinn_real *s = jet + (size_t)tm.leaf_stream[k] * n * (size_t)t->w_out;
                        for (size_t p = 0; p < m; p++) l[p] = s[(a + p) * (size_t)t->w_out + tm.leaf_field[k]];
                        lp[k] = l;
                    }
                    for (int i = 0; i < t->d; i++) {
                        pinn_real *c = buf + ((size_t)tm.n_leaves + (size_t)i) * m;
                        for (size_t p = 0; p < m; p++) c[p] = x[(a + p) * t->d + i];
                        cp[i] = c;
                    }
                    pinn_expr_eval(tm.eq, m, cp, lp, NULL, t->P + t->np_net, vals + a, scr);
                }
                if (!scr || !buf) st = pinn_error_set(err, PINN_ERR_NOMEM, "out of memory");
                free(buf);
                for (size_t p = 0; p < n; p++) out[p * (size_t)n_what + (size_t)q] = vals[p];
            }
        }
        free(scr), free(jet), free(vals);
        pinn_term_free(tm.term);
        pinn_plan_free(tm.plan);
        pinn_expr_free(tm.eq);
    }
    return st;
}

