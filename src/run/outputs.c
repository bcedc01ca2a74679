/* outputs.c - what a run directory holds besides history and checkpoints: the evaluation grid,
 * solution, reference and error as .npy, summary.json, gradient histograms (CSV), and the
 * model's own diagnostics (<name>.npy).  The pictures, with axes and colour bars, are the
 * report's (src/report/), drawn from these files. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/blas.h"
#include "io/files.h"
#include "run/run.h"
#include "run/shock.h"

pinn_status pinn_run_path(char *out, size_t size, const char *dir, const char *name, pinn_error *err) {
    int n = snprintf(out, size, "%s/%s", dir, name);
    if (n < 0 || (size_t)n >= size)
        return pinn_error_set(err, PINN_ERR_INVALID, "run directory path too long (%zu bytes; at most %zu)", strlen(dir),
                              size - strlen(name) - 2);
    return PINN_OK;
}

/* grid.npy: [n][d] points; solution/reference/error.npy: shaped by the grid (+ field axis if > 1). */
static pinn_status write_grids(const pinn_trainer_info *v, const char *dir, int solution, pinn_error *err) {
    char path[PINN_RUN_PATH];
    size_t shape[PINN_MAX_INPUTS + 1], gshape[2] = {v->n_eval, (size_t)v->d}, nf = (size_t)v->n_fields;
    int nd = 0;
    for (int i = 0; i < v->d; i++)
        if (v->grid_dims[i] > 1 || v->d == 1) shape[nd++] = (size_t)v->grid_dims[i];
    if (nf > 1) shape[nd++] = nf;
    size_t cnt = v->n_eval * nf, wide = (size_t)v->d > nf ? (size_t)v->d : nf;
    double *buf = malloc(sizeof(double) * (v->n_eval * wide + 1));
    if (!buf) return pinn_error_set(err, PINN_ERR_NOMEM, "out of memory writing %s", dir);
    pinn_status st;
    for (size_t k = 0; k < v->n_eval * (size_t)v->d; k++) buf[k] = v->eval_x[k];
    if ((st = pinn_run_path(path, sizeof path, dir, "grid.npy", err)) || (st = pinn_npy_write(path, 2, gshape, buf, err)))
        goto done;
    if (solution) {
        for (size_t k = 0; k < cnt; k++) buf[k] = v->mask[k / nf] ? v->pred[k] : NAN;
        if ((st = pinn_run_path(path, sizeof path, dir, "solution.npy", err)) || (st = pinn_npy_write(path, nd, shape, buf, err)))
            goto done;
    }
    if (v->ref) {
        for (size_t k = 0; k < cnt; k++) buf[k] = v->mask[k / nf] ? v->ref[k] : NAN;
        if ((st = pinn_run_path(path, sizeof path, dir, "reference.npy", err)) || (st = pinn_npy_write(path, nd, shape, buf, err)))
            goto done;
        if (solution) {
            for (size_t k = 0; k < cnt; k++) buf[k] = v->mask[k / nf] ? v->pred[k] - v->ref[k] : NAN;
            if ((st = pinn_run_path(path, sizeof path, dir, "error.npy", err)) || (st = pinn_npy_write(path, nd, shape, buf, err)))
                goto done;
        }
    }
done:
    free(buf);
    return st;
}

pinn_status pinn_trainer_write_reference(pinn_trainer *t, const char *dir, pinn_error *err) {
    pinn_status st = pinn_trainer_compute_reference(t, err);
    if (st) return st;
    pinn_trainer_info v;
    pinn_trainer_get_info(t, &v);
    if (!v.ref) return pinn_error_set(err, PINN_ERR_UNSUPPORTED, "the problem has no reference solution");
    st = pinn_mkdir_p(dir, err);
    return st ? st : write_grids(&v, dir, 0, err);
}

/* A model diagnostics array as <name>.npy in the run directory. */
/* The context's matrix-product kernel and, under the planner, every planned product this run
 * used: its shape, the kernel chosen and the seconds per product each kernel took. */
static void write_gemm(FILE *f, const pinn_ctx *c) {
    fprintf(f, ",\n  \"gemm\": {\"kind\": ");
    pinn_json_string(f, pinn_gemm_kind_to_string(pinn_ctx_gemm(c)));
    /* the library's own kernel choice: OpenBLAS falls back to old SSE3 kernels ("Prescott") on
     * CPUs newer than its build, which OPENBLAS_CORETYPE overrides */
    fprintf(f, ", \"blas\": ");
    pinn_json_string(f, pinn_blas_name());
    fprintf(f, ", \"blas_core\": ");
    pinn_json_string(f, pinn_blas_core());
    if (pinn_ctx_gemm(c) == PINN_GEMM_PLAN) {
        fprintf(f, ", \"plan\": [");
        int first = 1;
        for (int i = 0; i < pinn_ctx_gemm_plan_count(c); i++) {
            const pinn_gemm_plan_entry *e = pinn_ctx_gemm_plan_entry(c, i);
            if (!e->used) continue;
            fprintf(f, "%s\n    {\"op\": \"%s\", \"m\": %d, \"n\": %d, \"k\": %d, \"kernel\": ", first ? "" : ",",
                    e->ta ? "TN" : e->tb ? "NT" : "NN", e->m, e->n, e->k);
            pinn_json_string(f, pinn_gemm_kind_to_string(e->kind));
            fprintf(f, ", \"library_s\": ");
            pinn_json_number(f, e->library_s);
            fprintf(f, ", \"small_s\": ");
            pinn_json_number(f, e->small_s);
            fprintf(f, ", \"from_cache\": %s}", e->from_cache ? "true" : "false");
            first = 0;
        }
        fprintf(f, "]");
    }
    fprintf(f, "}");
}

typedef struct sink_ctx {
    const char *dir;
} sink_ctx;

static pinn_status sink_array(void *ctx, const char *name, int ndim, const size_t *shape, const double *data, pinn_error *err) {
    const sink_ctx *s = ctx;
    char file[128], path[PINN_RUN_PATH];
    if (strchr(name, '/') || strlen(name) > 100) return pinn_error_set(err, PINN_ERR_INVALID, "diagnostics: bad name '%s'", name);
    snprintf(file, sizeof file, "%s.npy", name);
    pinn_status st = pinn_run_path(path, sizeof path, s->dir, file, err);
    return st ? st : pinn_npy_write(path, ndim, shape, data, err);
}

static void json_map(FILE *f, int n, const char *const *names, const double *values) {
    fprintf(f, "{");
    for (int k = 0; k < n; k++) {
        fprintf(f, "%s", k ? ", " : "");
        pinn_json_string(f, names[k]);
        fprintf(f, ": ");
        pinn_json_number(f, values[k]);
    }
    fprintf(f, "}");
}

pinn_status pinn_run_write_outputs(pinn_trainer *t, const char *dir, pinn_error *err) {
    pinn_status st = pinn_trainer_predict_grid(t, err);
    if (st) return st;
    pinn_trainer_info v;
    pinn_trainer_get_info(t, &v);
    if ((st = write_grids(&v, dir, 1, err))) return st;
    sink_ctx sc = {dir};
    pinn_model_sink sink = {&sc, sink_array};
    if ((st = pinn_trainer_model_diagnostics(t, &sink, err))) return st;
    const pinn_problem *p = v.problem;
    char path[PINN_RUN_PATH];
    pinn_afile a;
    if ((st = pinn_run_path(path, sizeof path, dir, "summary.json", err)) || (st = pinn_afile_open(&a, path, err))) return st;
    FILE *f = a.f;
    const char *fields[PINN_MAX_FIELDS];
    double rel[PINN_MAX_FIELDS];
    for (int q = 0; q < v.n_fields; q++) fields[q] = p->fields[q], rel[q] = v.ref ? v.rel[q] : NAN;
    fprintf(f, "{\n  \"problem\": ");
    pinn_json_string(f, p->file);
    fprintf(f, ",\n  \"title\": ");
    pinn_json_string(f, p->title);
    fprintf(f, ",\n  \"version\": ");
    pinn_json_string(f, pinn_version());
    fprintf(f, ",\n  \"model\": ");
    pinn_json_string(f, p->model.kind);
    fprintf(f, ",\n  \"rel_l2\": ");
    json_map(f, v.n_fields, fields, rel);
    pinn_json_field(f, ",\n  \"final_loss\": ", v.final_loss);
    pinn_trainer_best_info best; /* keep the best: final and best side by side */
    pinn_trainer_best(t, &best);
    pinn_json_field(f, ",\n  \"best\": {\"loss\": ", best.loss);
    fprintf(f, ", \"loss_step\": %ld", best.loss_step);
    pinn_json_field(f, ", \"rel_l2\": ", best.rel_l2);
    fprintf(f, ", \"rel_l2_step\": %ld, \"params\": %s}", best.rel_step, best.have_params ? "\"best.bin\"" : "null");
    fprintf(f, ",\n  \"term_loss\": ");
    json_map(f, v.n_terms, v.term_names, v.term_loss);
    fprintf(f, ",\n  \"parameters\": ");
    json_map(f, v.n_params, v.param_names, v.param_values);
    fprintf(f, ",\n  \"epochs\": %ld,\n  \"lbfgs_iterations\": %ld,\n  \"steps\": %ld,\n  \"phases\": %d,\n", v.epochs,
            v.lbfgs_iterations, v.step, v.n_phases);
    fprintf(f, "  \"lbfgs_stop\": ");
    pinn_json_string(f, v.lbfgs_stop);
    pinn_json_field(f, ",\n  \"wall_s\": ", v.wall_s);
    /* timing of this process: per-epoch Adam cost and the share of the weighting update */
    pinn_json_field(f, ",\n  \"timing\": {\"adam_s\": ", v.time_adam_s);
    pinn_json_field(f, ", \"adam_ms_per_epoch\": ", v.timed_epochs ? 1e3 * v.time_adam_s / (double)v.timed_epochs : NAN);
    pinn_json_field(f, ", \"adam_cpu_ms_per_epoch\": ", v.timed_epochs ? 1e3 * v.time_adam_cpu_s / (double)v.timed_epochs : NAN);
    pinn_json_field(f, ", \"weighting_s\": ", v.time_weighting_s);
    pinn_json_field(f, ", \"weighting_fraction\": ", v.time_adam_s > 0 ? v.time_weighting_s / v.time_adam_s : NAN);
    pinn_json_field(f, ", \"lbfgs_s\": ", v.time_lbfgs_s);
    pinn_json_field(f, ", \"evaluate_s\": ", v.time_eval_s);
    /* matrix-product work of one Adam step and its rate */
    pinn_json_field(f, ", \"gemm_gflop_per_epoch\": ", v.gemm_gflop_per_epoch);
    pinn_json_field(f, ", \"gemm_gflops\": ", v.time_adam_s > 0 ? v.gemm_gflop_per_epoch * (double)v.timed_epochs / v.time_adam_s : NAN);
    fprintf(f, "}");
    const pinn_lsq_summary *ls = pinn_trainer_lsq_summary(t);
    if (ls->ran) { /* the last least-squares phase (lstsq, gauss_newton) */
        fprintf(f, ",\n  \"least_squares\": {\"phase\": ");
        pinn_json_string(f, ls->phase);
        fprintf(f, ", \"method\": ");
        pinn_json_string(f, ls->method);
        fprintf(f, ", \"precond\": ");
        pinn_json_string(f, ls->precond);
        fprintf(f, ", \"stop\": ");
        pinn_json_string(f, ls->stop);
        fprintf(f, ", \"rows\": %ld, \"cols\": %ld, \"nnz\": %ld, \"iterations\": %d, \"steps\": %d, \"rank\": %d", ls->rows,
                ls->cols, ls->nnz, ls->iterations, ls->outer, ls->rank);
        fprintf(f, ", \"assembly_passes\": %d", ls->passes);
        const char *nm[] = {"residual", "rhs_norm", "cond", "cond_precond", "block_cond", "assemble_s", "assemble_cpu_s",
                            "precond_s", "solve_s", "solve_cpu_s", "loss_before", "loss_after", "matrix_mb",
                            "peak_rss_mb"};
        double val[] = {ls->residual, ls->rhs_norm, ls->cond, ls->cond_precond, ls->block_cond, ls->assemble_s,
                        ls->assemble_cpu_s, ls->precond_s, ls->solve_s, ls->solve_cpu_s, ls->loss_before, ls->loss_after,
                        ls->matrix_mb, ls->peak_rss_mb};
        for (size_t q = 0; q < sizeof val / sizeof val[0]; q++) {
            fprintf(f, ", \"%s\": ", nm[q]);
            pinn_json_number(f, val[q]);
        }
        fprintf(f, "}");
    }
    pinn_run_shock_result sh; /* Buckley-Leverett: the shock position (shock.c) */
    if ((st = pinn_run_shock(&v, &sh, err))) {
        pinn_afile_abort(&a);
        return st;
    }
    pinn_run_shock_json(f, &sh);
    write_gemm(f, pinn_trainer_ctx(t));
    fprintf(f, ",\n  \"ranks\": %d", pinn_ctx_nranks(pinn_trainer_ctx(t)));
    char mn[PINN_MODEL_MAX_VALUES][32];
    double mv[PINN_MODEL_MAX_VALUES];
    int nm = pinn_trainer_model_values(t, mn, mv);
    if (nm > 0) { /* the model's own values; columns named imp_* are ranked, largest first */
        const char *names[PINN_MODEL_MAX_VALUES];
        int rank[PINN_MODEL_MAX_VALUES], nr = 0;
        for (int k = 0; k < nm; k++) {
            names[k] = mn[k];
            if (!strncmp(mn[k], "imp_", 4)) rank[nr++] = k;
        }
        fprintf(f, ",\n  \"model_values\": ");
        json_map(f, nm, names, mv);
        for (int a = 1; a < nr; a++) /* insertion sort by decreasing importance */
            for (int b = a; b > 0 && mv[rank[b]] > mv[rank[b - 1]]; b--) {
                int tmp = rank[b];
                rank[b] = rank[b - 1], rank[b - 1] = tmp;
            }
        if (nr) {
            fprintf(f, ",\n  \"importance_ranking\": [");
            for (int q = 0; q < nr; q++) {
                fprintf(f, "%s{\"expert\": ", q ? ", " : "");
                pinn_json_string(f, mn[rank[q]] + 4);
                pinn_json_field(f, ", \"importance\": ", mv[rank[q]]);
                fprintf(f, "}");
            }
            fprintf(f, "]");
        }
    }
    fprintf(f, ",\n  \"params\": %zu,\n  \"threads\": %d,\n  \"collocation\": %zu\n}\n", v.n_total_params, v.threads,
            v.collocation);
    return pinn_afile_commit(&a, err);
}

/* grad_hist_<epoch>.csv: counts of log10|g| of each term's gradient in bins of 0.2 from -14 to 2
 * (first bin: everything below, including zeros), for the gradient-distribution figures. */
pinn_status pinn_run_write_histograms(pinn_trainer *t, const char *dir, long epoch, pinn_error *err) {
    enum { NB = 80 };
    pinn_trainer_info v;
    pinn_trainer_get_info(t, &v);
    char name[64], path[PINN_RUN_PATH];
    snprintf(name, sizeof name, "grad_hist_%ld.csv", epoch);
    pinn_afile a;
    pinn_status st = pinn_run_path(path, sizeof path, dir, name, err);
    if (st || (st = pinn_afile_open(&a, path, err))) return st;
    fprintf(a.f, "log10_lo,log10_hi");
    for (int k = 0; k < v.n_terms; k++) fprintf(a.f, ",%s", v.term_names[k]);
    fprintf(a.f, "\n");
    long(*cnt)[NB] = calloc((size_t)v.n_terms, sizeof *cnt);
    if (!cnt) {
        pinn_afile_abort(&a);
        return pinn_error_set(err, PINN_ERR_NOMEM, "out of memory");
    }
    for (int k = 0; k < v.n_terms; k++) {
        const pinn_real *g = pinn_trainer_term_grad(t, k);
        for (size_t i = 0; i < v.n_net_params; i++) {
            double x = fabs((double)g[i]) * v.weights[k];
            int b = x > 0 ? (int)floor((log10(x) + 14.0) / 0.2) : 0;
            cnt[k][b < 0 ? 0 : b >= NB ? NB - 1 : b]++;
        }
    }
    for (int b = 0; b < NB; b++) {
        fprintf(a.f, "%.1f,%.1f", -14.0 + 0.2 * b, -14.0 + 0.2 * (b + 1));
        for (int k = 0; k < v.n_terms; k++) fprintf(a.f, ",%ld", cnt[k][b]);
        fprintf(a.f, "\n");
    }
    st = pinn_afile_commit(&a, err);
    free(cnt);
    return st;
}
