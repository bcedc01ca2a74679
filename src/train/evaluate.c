/* evaluate.c - the evaluation grid, the reference on it, relative L2 errors, predictions of any
 * expression of the fields at arbitrary points, and the run-directory outputs. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/csv.h"
#include "io/files.h"
#include "io/png.h"
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
            t->has_ref = 1;
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
            if ((st = tr_reference_compute(t, n, t->eval_x, t->ref, err))) return st;
            t->has_ref = 1;
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

/* The fields on the grid into pred [n_eval][nf] (auxiliary model columns dropped). */
static void predict_grid(pinn_trainer *t) {
    pinn_term_predict(t->eval_term, t->n_eval, t->eval_x, t->P, t->pred);
    if (t->w_out != t->nf)
        for (size_t k = 0; k < t->n_eval; k++)
            for (int f = 0; f < t->nf; f++) t->pred[k * t->nf + f] = t->pred[k * (size_t)t->w_out + f];
}

pinn_status pinn_trainer_evaluate(pinn_trainer *t, double *rel, pinn_error *err) {
    for (int f = 0; f < t->nf; f++) rel[f] = NAN;
    if (!t->has_ref) return pinn_error_set(err, PINN_ERR_UNSUPPORTED, "the problem has no reference solution");
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
                pinn_term_predict(tm.term, n, x, t->P, jet);
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

/* PNG heatmaps of each field on a two-coordinate grid (solution, reference, error); skipped for
 * other grids and in builds without zlib. */
static pinn_status write_pictures(pinn_trainer *t, const char *dir, int solution, double *buf, pinn_error *err) {
    if (!t->prob.output.png || t->d != 2 || t->grid_dims[0] < 2 || t->grid_dims[1] < 2) return PINN_OK;
    /* the first coordinate runs along the horizontal axis, the second upwards */
    size_t nx = (size_t)t->grid_dims[0], ny = (size_t)t->grid_dims[1], n = nx * ny;
    for (int f = 0; f < t->nf; f++)
        for (int kind = 0; kind < 3; kind++) {
            if ((kind == 0 && !solution) || (kind > 0 && !t->has_ref) || (kind == 2 && !solution)) continue;
            static const char *const names[3] = {"solution", "reference", "error"};
            for (size_t k = 0; k < n; k++) { /* grid point k = (i0, i1) goes to row i1, column i0 */
                size_t i = k * (size_t)t->nf + (size_t)f, i0 = k / ny, i1 = k % ny;
                double v = kind == 0 ? t->pred[i] : kind == 1 ? t->ref[i] : t->pred[i] - t->ref[i];
                buf[i1 * nx + i0] = t->mask[k] ? v : NAN;
            }
            char path[1200];
            if (t->nf == 1) snprintf(path, sizeof path, "%s/%s.png", dir, names[kind]);
            else snprintf(path, sizeof path, "%s/%s_%s.png", dir, names[kind], t->prob.fields[f]);
            pinn_error e;
            pinn_status st = pinn_png_heatmap(path, ny, nx, buf, kind == 2, &e);
            if (st == PINN_ERR_UNSUPPORTED) return PINN_OK;
            if (st) return pinn_error_set(err, st, "%s", e.msg);
        }
    return PINN_OK;
}

/* grid.npy: [n][d] points; solution/reference/error.npy: shaped by the grid (+ field axis if > 1). */
static pinn_status write_grids(pinn_trainer *t, const char *dir, int solution, pinn_error *err) {
    char path[1100];
    size_t shape[PINN_MAX_INPUTS + 1], gshape[2] = {t->n_eval, (size_t)t->d};
    int nd = 0;
    for (int i = 0; i < t->d; i++)
        if (t->grid_dims[i] > 1 || t->d == 1) shape[nd++] = (size_t)t->grid_dims[i];
    if (t->nf > 1) shape[nd++] = (size_t)t->nf;
    size_t cnt = t->n_eval * t->nf;
    double *buf = malloc(sizeof(double) * (t->n_eval * ((size_t)t->d > (size_t)t->nf ? (size_t)t->d : (size_t)t->nf) + 1));
    if (!buf) return pinn_error_set(err, PINN_ERR_NOMEM, "out of memory");
    pinn_status st;
    for (size_t k = 0; k < t->n_eval * t->d; k++) buf[k] = t->eval_x[k];
    snprintf(path, sizeof path, "%s/grid.npy", dir);
    if ((st = pinn_npy_write(path, 2, gshape, buf, err))) goto done;
    if (solution) {
        for (size_t k = 0; k < cnt; k++) buf[k] = t->mask[k / t->nf] ? t->pred[k] : NAN;
        snprintf(path, sizeof path, "%s/solution.npy", dir);
        if ((st = pinn_npy_write(path, nd, shape, buf, err))) goto done;
    }
    if (t->has_ref) {
        for (size_t k = 0; k < cnt; k++) buf[k] = t->mask[k / t->nf] ? t->ref[k] : NAN;
        snprintf(path, sizeof path, "%s/reference.npy", dir);
        if ((st = pinn_npy_write(path, nd, shape, buf, err))) goto done;
        if (solution) {
            for (size_t k = 0; k < cnt; k++) buf[k] = t->mask[k / t->nf] ? t->pred[k] - t->ref[k] : NAN;
            snprintf(path, sizeof path, "%s/error.npy", dir);
            if ((st = pinn_npy_write(path, nd, shape, buf, err))) goto done;
        }
    }
    st = write_pictures(t, dir, solution, buf, err);
done:
    free(buf);
    return st;
}

pinn_status pinn_trainer_write_reference(pinn_trainer *t, const char *dir, pinn_error *err) {
    if (!t->has_ref) return pinn_error_set(err, PINN_ERR_UNSUPPORTED, "the problem has no reference solution");
    pinn_status st = pinn_mkdir_p(dir, err);
    return st ? st : write_grids(t, dir, 0, err);
}

pinn_status pinn_trainer_write_outputs(pinn_trainer *t, const char *dir, pinn_error *err) {
    double rel[PINN_MAX_FIELDS];
    if (t->has_ref) pinn_trainer_evaluate(t, rel, NULL);
    else predict_grid(t);
    pinn_status st = write_grids(t, dir, 1, err);
    if (st) return st;
    char path[1100];
    snprintf(path, sizeof path, "%s/summary.json", dir);
    pinn_afile a;
    if ((st = pinn_afile_open(&a, path, err))) return st;
    FILE *f = a.f;
    fprintf(f, "{\n  \"problem\": ");
    pinn_json_string(f, t->prob.file);
    fprintf(f, ",\n  \"title\": ");
    pinn_json_string(f, t->prob.title);
    fprintf(f, ",\n  \"version\": ");
    pinn_json_string(f, pinn_version());
    fprintf(f, ",\n  \"rel_l2\": {");
    for (int q = 0; q < t->nf; q++) {
        fprintf(f, "%s", q ? ", " : "");
        pinn_json_string(f, t->prob.fields[q]);
        fprintf(f, ": ");
        pinn_json_number(f, t->has_ref ? t->rel[q] : NAN);
    }
    fprintf(f, "},\n  \"final_loss\": ");
    pinn_json_number(f, t->final_loss);
    fprintf(f, ",\n  \"term_loss\": {");
    for (int k = 0; k < t->n_terms; k++) {
        fprintf(f, "%s", k ? ", " : "");
        pinn_json_string(f, t->terms[k].name);
        fprintf(f, ": ");
        pinn_json_number(f, t->term_loss[k]);
    }
    fprintf(f, "},\n  \"parameters\": {");
    for (int k = 0; k < t->prob.n_params; k++) {
        fprintf(f, "%s", k ? ", " : "");
        pinn_json_string(f, t->prob.params[k].name);
        fprintf(f, ": ");
        pinn_json_number(f, t->param_values[k]);
    }
    fprintf(f, "},\n  \"epochs\": %ld,\n  \"lbfgs_iterations\": %ld,\n", t->epoch, t->lbfgs_iter);
    fprintf(f, "  \"lbfgs_stop\": ");
    pinn_json_string(f, t->lbfgs_iter ? pinn_lbfgs_reason_to_string((pinn_lbfgs_reason)t->lbfgs_stop) : "");
    fprintf(f, ",\n  \"wall_s\": ");
    pinn_json_number(f, t->wall_s);
    /* timing of this process: per-epoch Adam cost and the share of the weighting update */
    fprintf(f, ",\n  \"timing\": {\"adam_s\": ");
    pinn_json_number(f, t->time_adam_s);
    fprintf(f, ", \"adam_ms_per_epoch\": ");
    pinn_json_number(f, t->timed_epochs ? 1e3 * t->time_adam_s / (double)t->timed_epochs : NAN);
    fprintf(f, ", \"weighting_s\": ");
    pinn_json_number(f, t->time_weighting_s);
    fprintf(f, ", \"weighting_fraction\": ");
    pinn_json_number(f, t->time_adam_s > 0 ? t->time_weighting_s / t->time_adam_s : NAN);
    fprintf(f, ", \"lbfgs_s\": ");
    pinn_json_number(f, t->time_lbfgs_s);
    fprintf(f, ", \"evaluate_s\": ");
    pinn_json_number(f, t->time_eval_s);
    /* matrix-product work of one Adam step (forward and backward of every term) and its rate */
    double flop = 0;
    for (int k = 0; k < t->n_terms; k++) {
        const tr_term *tm = &t->terms[k];
        size_t n = tm->kind == TR_PDE && t->batch ? t->batch : tm->n_all;
        flop += (double)n * pinn_graph_gemm_flops(t->graph, tm->plan, 1);
    }
    fprintf(f, ", \"gemm_gflop_per_epoch\": ");
    pinn_json_number(f, 1e-9 * flop);
    fprintf(f, ", \"gemm_gflops\": ");
    pinn_json_number(f, t->time_adam_s > 0 ? 1e-9 * flop * (double)t->timed_epochs / t->time_adam_s : NAN);
    fprintf(f, "}");
    fprintf(f, ",\n  \"params\": %zu,\n  \"threads\": %d,\n  \"collocation\": %zu\n}\n", t->np, t->n_threads,
            pinn_pointset_count(t->colloc));
    return pinn_afile_commit(&a, err);
}
