/* setup.c - from a pinn_problem to a ready trainer: symbols, geometry, the model graph, one loss
 * term per equation and condition (each with its compiled residual, plan and point set), the
 * parameter vector and the optimizers. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "problem/csv.h"
#include "train/trainer.h"

/* Compiles text against the trainer's symbols; errors are prefixed with "FILE:LINE: what: ". */
pinn_status tr_compile(const pinn_trainer *t, const char *text, int line, const char *what, pinn_expr_kind kind,
                       pinn_expr **out, pinn_error *err) {
    pinn_error e;
    pinn_status st = pinn_expr_compile_as(out, text, &t->sym, kind, &e);
    if (st != PINN_OK)
        return pinn_error_set(err, st, "%s:%d: %s: %s", t->prob.file[0] ? t->prob.file : "<problem>", line, what,
                              e.msg);
    return PINN_OK;
}

static pinn_status fail_at(const pinn_trainer *t, int line, pinn_error *err, pinn_status st, const char *what,
                           const char *msg) {
    return pinn_error_set(err, st, "%s:%d: %s: %s", t->prob.file[0] ? t->prob.file : "<problem>", line, what, msg);
}

/* The geometry: a box/interval/polygon/disk over the spatial coordinates, crossed with time. */
pinn_status tr_make_geometry(pinn_trainer *t, pinn_error *err) {
    const pinn_domain *dm = &t->prob.domain;
    int ns = 0;
    pinn_real lo[PINN_MAX_INPUTS], hi[PINN_MAX_INPUTS];
    for (int i = 0; i < dm->d; i++)
        if (i != dm->time) {
            lo[ns] = (pinn_real)dm->lo[i];
            hi[ns] = (pinn_real)dm->hi[i];
            ns++;
        }
    pinn_error e;
    pinn_status st = PINN_OK;
    if (ns == 0) st = pinn_geom_init_time(&t->geom, (pinn_real)dm->lo[0], (pinn_real)dm->hi[0], &e);
    else if (dm->shape == PINN_DOMAIN_BOX) st = pinn_geom_init_box(&t->geom, ns, lo, hi, &e);
    else if (dm->shape == PINN_DOMAIN_CSG) st = pinn_geom_init_csg(&t->geom, ns, dm->n_csg, dm->csg, &e);
    else if (ns != 2) return fail_at(t, dm->line, err, PINN_ERR_INVALID, "domain", "polygons and disks need two spatial coordinates");
    else if (dm->shape == PINN_DOMAIN_LSHAPE) st = pinn_geom_init_lshape(&t->geom, &e);
    else if (dm->shape == PINN_DOMAIN_DISK)
        st = pinn_geom_init_disk(&t->geom, (pinn_real)dm->center[0], (pinn_real)dm->center[1], (pinn_real)dm->radius, &e);
    else {
        pinn_real xy[2 * PINN_MAX_VERTICES];
        for (int v = 0; v < dm->n_vertices; v++) xy[2 * v] = (pinn_real)dm->vertex[v][0], xy[2 * v + 1] = (pinn_real)dm->vertex[v][1];
        st = pinn_geom_init_polygon(&t->geom, (size_t)dm->n_vertices, xy, &e);
    }
    if (st == PINN_OK && ns > 0 && dm->time >= 0)
        st = pinn_geom_set_time(t->geom, dm->time, (pinn_real)dm->lo[dm->time], (pinn_real)dm->hi[dm->time], &e);
    if (st != PINN_OK) return fail_at(t, dm->line, err, st, "domain", e.msg);
    return PINN_OK;
}

/* The network: the model kind named by model.kind (the context's registry), built into the
 * jet graph over the coordinates; its output holds the fields, then any auxiliary loss columns. */
pinn_status tr_make_model(pinn_trainer *t, pinn_error *err) {
    pinn_model_cfg *m = &t->prob.model;
    const pinn_model_ops *ops = pinn_ctx_find_model(t->ctx, m->kind);
    if (!ops) {
        char names[512];
        pinn_ctx_model_names(t->ctx, names, sizeof names);
        return pinn_error_set(err, PINN_ERR_INVALID, "%s:%d: model.kind: unknown kind '%s' (expected one of: %s)",
                              t->prob.file[0] ? t->prob.file : "<problem>", m->line ? m->line : 1, m->kind, names);
    }
    pinn_model_info info = {t->d, t->nf, t->prob.domain.lo, t->prob.domain.hi, t->coord_names, t->prob.domain.time,
                            t->prob.train.seed};
    if (!m->cfg.file[0] || !m->cfg.n_nodes) pinn_cfg_clear(&m->cfg, t->prob.file, "model", m->line);
    pinn_status st = pinn_model_init(&t->model, ops, &m->cfg, &info, err);
    if (!st) st = pinn_graph_init(&t->graph, t->d, err);
    if (!st) st = pinn_model_build(t->model, t->graph, &t->sym, err);
    if (st) return st;
    t->w_out = pinn_model_width(t->model);
    return PINN_OK;
}

/* The plan of an expression's derivative leaves; records leaf -> (field, stream). */
pinn_status tr_leaves_plan(tr_term *tm, int d, pinn_error *err) {
    int nl = pinn_expr_n_derivs(tm->eq);
    if (nl > TR_MAX_LEAVES) return pinn_error_set(err, PINN_ERR_UNSUPPORTED, "%s: more than %d derivative terms", tm->name, TR_MAX_LEAVES);
    int req[TR_MAX_LEAVES][PINN_MAX_INPUTS];
    for (int k = 0; k < nl; k++) pinn_expr_deriv(tm->eq, k, &tm->leaf_field[k], req[k]);
    pinn_status st = pinn_plan_init(&tm->plan, d, nl, &req[0][0], err);
    if (st != PINN_OK) return st;
    tm->n_leaves = nl;
    for (int k = 0; k < nl; k++) tm->leaf_stream[k] = pinn_plan_index(tm->plan, req[k]);
    tm->uses_normals = pinn_expr_uses_normals(tm->eq);
    return PINN_OK;
}

/* Evaluates an expression of the coordinates (no field leaves) at n points x[n][d]. */
pinn_status tr_expr_points(const pinn_trainer *t, pinn_expr *e, size_t n, const pinn_real *x, pinn_real *out,
                           pinn_error *err) {
    if (pinn_expr_n_derivs(e) > 0)
        return pinn_error_set(err, PINN_ERR_INVALID, "expression uses fields where only coordinates are allowed");
    size_t chunk = n < 4096 ? n : 4096;
    int d = t->d;
    pinn_real *c = malloc(sizeof(pinn_real) * (chunk ? chunk : 1) * (size_t)d);
    void *scr = malloc(pinn_expr_scratch_size(e, chunk ? chunk : 1) + 1);
    if (!c || !scr) {
        free(c), free(scr);
        return pinn_error_set(err, PINN_ERR_NOMEM, "out of memory");
    }
    const pinn_real *cp[PINN_MAX_INPUTS];
    pinn_status st = PINN_OK;
    for (size_t a = 0; a < n && st == PINN_OK; a += chunk) {
        size_t m = n - a < chunk ? n - a : chunk;
        for (int i = 0; i < d; i++) {
            for (size_t p = 0; p < m; p++) c[(size_t)i * m + p] = x[(a + p) * d + i];
            cp[i] = c + (size_t)i * m;
        }
        st = pinn_expr_eval(e, m, cp, NULL, NULL, t->P ? t->P + t->np_net : t->param_init, out + a, scr);
        if (st != PINN_OK) pinn_error_set(err, st, "expression evaluation failed");
    }
    free(c), free(scr);
    return st;
}

tr_term *tr_new_term(pinn_trainer *t, const char *name, tr_kind kind, int line, double weight) {
    tr_term *tm = &t->terms[t->n_terms];
    memset(tm, 0, sizeof *tm);
    snprintf(tm->name, sizeof tm->name, "%s", name);
    tm->kind = kind;
    tm->line = line;
    tm->weight = weight;
    tm->tr = t;
    t->term_names[t->n_terms] = tm->name;
    t->weights[t->n_terms] = weight;
    t->n_terms++;
    return tm;
}

/* Copies the point set's current points (and normals) into the term's own arrays. */
pinn_status tr_take_points(tr_term *tm, int d, const pinn_real *x, const pinn_real *nrm, size_t n, pinn_error *err) {
    tm->x = malloc(sizeof(pinn_real) * (n ? n : 1) * (size_t)d);
    if (!tm->x) return pinn_error_set(err, PINN_ERR_NOMEM, "out of memory");
    memcpy(tm->x, x, sizeof(pinn_real) * n * (size_t)d);
    if (nrm) {
        tm->normals = malloc(sizeof(pinn_real) * (n ? n : 1) * (size_t)d);
        if (!tm->normals) return pinn_error_set(err, PINN_ERR_NOMEM, "out of memory");
        memcpy(tm->normals, nrm, sizeof(pinn_real) * n * (size_t)d);
    }
    tm->n_all = tm->n = n;
    return PINN_OK;
}
