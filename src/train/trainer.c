/* trainer.c - pinn_trainer_init/free: assembling symbols, geometry, model, the loss terms with
 * their points, the parameters and the optimizers from a problem. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "problem/csv.h"
#include "train/trainer.h"

static pinn_status periodic_term(pinn_trainer *t, tr_term *tm, const pinn_condition *c, pinn_sampler smp,
                                 pinn_error *err) {
    int d = t->d, ax = c->coordinate;
    int m = pinn_geom_sample_dim(t->geom, PINN_REGION_PERIODIC);
    if (m == 0)
        return pinn_error_set(err, PINN_ERR_INVALID, "%s:%d: condition '%s': periodic pairs need a box or interval domain",
                              t->prob.file, c->line, c->name);
    size_t n = (size_t)c->points;
    pinn_real *xa = malloc(sizeof(pinn_real) * n * d), *xb = malloc(sizeof(pinn_real) * n * d),
              *xi = malloc(sizeof(pinn_real) * 2 * n * d);
    pinn_sequence *seq = NULL;
    pinn_sequence_opts so = {0};
    so.randomize = 1;
    size_t cnt = 0;
    pinn_status st = PINN_OK;
    if (!xa || !xb || !xi) st = pinn_error_set(err, PINN_ERR_NOMEM, "out of memory");
    if (!st) st = pinn_sequence_init(&seq, smp == PINN_SAMPLER_GRID ? PINN_SAMPLER_SOBOL : smp, m, t->prob.train.seed + 31, &so, err);
    if (!st) {
        pinn_error e;
        st = pinn_geom_sample_periodic(t->geom, seq, n, ax, NULL, NULL, xa, xb, &cnt, &e);
        if (st) pinn_error_set(err, st, "%s:%d: condition '%s': %s", t->prob.file, c->line, c->name, e.msg);
    }
    if (!st) {
        for (size_t i = 0; i < cnt; i++) { /* interleave: pairs never straddle an (even) block */
            memcpy(xi + (2 * i) * d, xa + i * d, sizeof(pinn_real) * d);
            memcpy(xi + (2 * i + 1) * d, xb + i * d, sizeof(pinn_real) * d);
        }
        st = tr_take_points(tm, d, xi, NULL, 2 * cnt, err);
    }
    if (!st) {
        int req[PINN_MAX_ORDER + 1][PINN_MAX_INPUTS];
        memset(req, 0, sizeof req);
        int k = c->derivatives < PINN_MAX_ORDER ? c->derivatives : PINN_MAX_ORDER;
        req[0][ax] = k;
        st = pinn_plan_init(&tm->plan, d, 1, &req[0][0], err);
        if (!st) {
            tm->n_per_streams = pinn_plan_size(tm->plan);
            for (int s = 0; s < tm->n_per_streams; s++) tm->per_streams[s] = s;
        }
    }
    pinn_sequence_free(seq);
    free(xa), free(xb), free(xi);
    return st;
}

static void set_symbols(pinn_trainer *t) {
    const pinn_problem *p = &t->prob;
    for (int i = 0; i < t->d; i++) {
        t->coord_names[i] = p->domain.coord[i];
        t->spatial[i] = i != p->domain.time;
    }
    for (int f = 0; f < t->nf; f++) t->field_names[f] = p->fields[f];
    for (int c = 0; c < p->n_consts; c++) t->const_names[c] = p->consts[c].name, t->const_values[c] = p->consts[c].value;
    for (int k = 0; k < p->n_params; k++) {
        t->param_names[k] = p->params[k].name;
        t->param_init[k] = (pinn_real)p->params[k].value;
        t->param_values[k] = p->params[k].value;
    }
    memset(&t->sym, 0, sizeof t->sym);
    t->sym.n_coords = t->d;
    t->sym.coords = t->coord_names;
    t->sym.spatial = t->spatial;
    t->sym.n_fields = t->nf;
    t->sym.fields = t->field_names;
    t->sym.n_consts = p->n_consts;
    t->sym.const_names = t->const_names;
    t->sym.const_values = t->const_values;
    t->sym.n_params = p->n_params;
    t->sym.param_names = t->param_names;
    for (int k = 0; k < p->n_defines; k++) t->def_names[k] = p->defines[k].name, t->def_texts[k] = p->defines[k].expr;
    t->sym.n_defs = p->n_defines;
    t->sym.def_names = t->def_names;
    t->sym.def_texts = t->def_texts;
}

/* Permutes x (and normals) by the model's order_points hook; the scratch grows to the largest set. */
pinn_status tr_order_points(pinn_trainer *t, size_t n, pinn_real *x, pinn_real *normals, pinn_error *err) {
    const pinn_model_ops *ops = pinn_model_kind(t->model);
    if (!ops->order_points || n < 2) return PINN_OK;
    size_t d = (size_t)t->d;
    if (n > t->n_order) {
        free(t->order), free(t->order_x);
        t->order = malloc(sizeof(size_t) * n);
        t->order_x = malloc(sizeof(pinn_real) * n * d);
        t->n_order = t->order && t->order_x ? n : 0;
        if (!t->n_order) return pinn_error_set(err, PINN_ERR_NOMEM, "out of memory");
    }
    pinn_status st = ops->order_points(pinn_model_state(t->model), t->graph, n, x, t->order, err);
    if (st) return st;
    for (int pass = 0; pass < (normals ? 2 : 1); pass++) {
        pinn_real *v = pass ? normals : x;
        memcpy(t->order_x, v, sizeof(pinn_real) * n * d);
        for (size_t i = 0; i < n; i++) memcpy(v + i * d, t->order_x + t->order[i] * d, sizeof(pinn_real) * d);
    }
    return PINN_OK;
}

/* The collocation points in the model's order (interior points carry no normals). */
pinn_status tr_order_colloc(pinn_trainer *t, pinn_error *err) {
    size_t n = pinn_pointset_count(t->colloc);
    pinn_real *x = (pinn_real *)pinn_pointset_points(t->colloc);
    pinn_status st = tr_order_points(t, n, x, NULL, err);
    const pinn_model_ops *ops = pinn_model_kind(t->model);
    if (!st && ops->points) ops->points(pinn_model_state(t->model), n, x); /* e.g. for the model's importances */
    return st;
}

/* Allocates a term's evaluator, gradient and scratch once its plan and points are known. */
static pinn_status finish_term(pinn_trainer *t, tr_term *tm, size_t max_points, pinn_error *err) {
    int block = t->prob.train.block > 0 ? t->prob.train.block : PINN_TERM_DEFAULT_BLOCK;
    if (tm->kind == TR_PERIODIC) block += block & 1;
    tm->block = (size_t)block < max_points ? (size_t)block : (max_points ? max_points : 1);
    pinn_status st = pinn_term_init_ctx(&tm->term, t->ctx, t->graph, tm->plan, max_points, (int)tm->block, t->np, err);
    if (st) return st;
    tm->grad = calloc(t->np, sizeof(pinn_real));
    if (!tm->grad) return pinn_error_set(err, PINN_ERR_NOMEM, "out of memory");
    return tr_term_scratch(tm, t->d, err);
}

/* The weighting scheme: the reference term (named, or the PDE term of highest derivative order)
 * and the terms with dynamic weights (named, or all others; ReLoBRaLo: all). */
pinn_status tr_weighting_setup(pinn_trainer *t, pinn_error *err) {
    const pinn_weighting_file *wf = &t->prob.train.weighting;
    const char *file = t->prob.file;
    pinn_weighting_cfg c;
    pinn_weighting_cfg_default(&c, t->n_terms);
    int s = pinn_weight_scheme_from_string(wf->scheme[0] ? wf->scheme : "fixed");
    if (s < 0) return pinn_error_set(err, PINN_ERR_INVALID, "%s:%d: train.weighting.scheme: unknown '%s'", file, wf->line, wf->scheme);
    c.scheme = (pinn_weight_scheme)s;
    c.beta = wf->beta;
    c.every = wf->every > 0 ? wf->every : 10;
    c.bias_correction = wf->bias_correction;
    c.p = wf->p > 0 ? wf->p : 2;
    c.temperature = wf->temperature > 0 ? wf->temperature : 0.1;
    c.alpha = wf->alpha;
    c.rho = wf->rho;
    c.seed = t->prob.train.seed ^ 0x7e1ba1a5ULL;
    int ref = -1, best = -1;
    for (int k = 0; k < t->n_terms; k++) {
        if (wf->reference[0] && !strcmp(wf->reference, t->terms[k].name)) ref = k;
        if (t->terms[k].kind == TR_PDE && pinn_expr_max_order(t->terms[k].eq) > best)
            best = pinn_expr_max_order(t->terms[k].eq), ref = wf->reference[0] ? ref : k;
    }
    if (ref < 0)
        return pinn_error_set(err, PINN_ERR_INVALID, "%s:%d: train.weighting.reference: no term named '%s'", file, wf->line,
                              wf->reference);
    c.reference = ref;
    memset(c.weighted, 0, sizeof c.weighted);
    for (int k = 0; k < t->n_terms; k++) c.weighted[k] = wf->n_terms == 0 && (k != ref || c.scheme == PINN_WEIGHT_RELOBRALO);
    for (int q = 0; q < wf->n_terms; q++) {
        int found = -1;
        for (int k = 0; k < t->n_terms; k++)
            if (!strcmp(wf->terms[q], t->terms[k].name)) found = k;
        if (found < 0)
            return pinn_error_set(err, PINN_ERR_INVALID, "%s:%d: train.weighting.terms: no term named '%s'", file, wf->line,
                                  wf->terms[q]);
        c.weighted[found] = 1;
    }
    /* params: weights -- the gradient statistics see only the weight matrices' entries (schemes
     * that read no gradients need no selection) */
    if (wf->weights_only && c.scheme != PINN_WEIGHT_FIXED && c.scheme != PINN_WEIGHT_RELOBRALO) {
        size_t n = 0, off, size;
        for (int i = 0; i < pinn_graph_nslices(t->graph); i++)
            if (pinn_graph_slice_is_weight(t->graph, i)) pinn_graph_slice(t->graph, i, NULL, NULL, &size), n += size;
        t->wsel = malloc(sizeof *t->wsel * (n ? n : 1));
        t->wsel_grad = malloc(sizeof *t->wsel_grad * (n ? n : 1) * (size_t)t->n_terms);
        if (!t->wsel || !t->wsel_grad) return pinn_error_set(err, PINN_ERR_NOMEM, "out of memory");
        t->n_wsel = 0;
        for (int i = 0; i < pinn_graph_nslices(t->graph); i++)
            if (pinn_graph_slice_is_weight(t->graph, i)) {
                pinn_graph_slice(t->graph, i, NULL, &off, &size);
                for (size_t q = 0; q < size; q++) t->wsel[t->n_wsel++] = off + q;
            }
    }
    pinn_status st = pinn_weighting_init(&t->wt, t->n_terms, t->weights, &c, err);
    if (st) return st;
    tr_apply_schedules(t);
    return PINN_OK;
}

struct pinn_ctx *pinn_trainer_ctx(const pinn_trainer *t) { return t->ctx; }

pinn_status pinn_trainer_init(pinn_trainer **out, const pinn_problem *p, pinn_error *err) {
    return pinn_trainer_init_ctx(out, NULL, p, err);
}

pinn_status pinn_trainer_init_ctx(pinn_trainer **out, pinn_ctx *ctx, const pinn_problem *p, pinn_error *err) {
    *out = NULL;
    pinn_status st = pinn_problem_validate(p, err);
    if (st) return st;
    pinn_trainer *t = calloc(1, sizeof *t);
    if (!t) return pinn_error_set(err, PINN_ERR_NOMEM, "out of memory");
    t->prob = *p;
    t->d = p->domain.d;
    t->nf = p->n_fields;
    set_symbols(t);
    if (!ctx) {
        if ((st = pinn_ctx_init(&t->ctx, p->train.threads, err))) goto fail;
        t->own_ctx = 1;
        pinn_gemm_kind gk;
        if (p->train.gemm[0]) {
            if ((st = pinn_gemm_kind_from_string(p->train.gemm, &gk, err))) goto fail;
            pinn_ctx_set_gemm(t->ctx, gk);
        }
    } else
        t->ctx = ctx;
    t->n_threads = pinn_ctx_threads(t->ctx);
    pinn_sampler smp = PINN_SAMPLER_SOBOL;
    pinn_error e;
    if (pinn_sampler_from_string(p->train.sampler, &smp, &e) != PINN_OK) {
        st = pinn_error_set(err, PINN_ERR_INVALID, "%s:%d: train.sampler: %s", p->file, p->train.line, e.msg);
        goto fail;
    }
    if ((st = tr_make_geometry(t, err)) || (st = tr_make_model(t, err))) goto fail;
    t->np_net = pinn_graph_nparams(t->graph);
    t->np = t->np_net + (size_t)p->n_params;
    t->P = malloc(sizeof(pinn_real) * t->np);
    t->G = malloc(sizeof(pinn_real) * t->np);
    if (!t->P || !t->G) {
        st = pinn_error_set(err, PINN_ERR_NOMEM, "out of memory");
        goto fail;
    }
    pinn_rng rng;
    pinn_rng_seed(&rng, p->train.seed);
    pinn_graph_init_params(t->graph, t->P, &rng);
    const pinn_model_ops *mops = pinn_model_kind(t->model);
    if (mops->param_mask) { /* frozen parameters (e.g. an ELM's random hidden layers) get no gradient */
        if (!(t->trainable = malloc(t->np_net + 1))) {
            st = pinn_error_set(err, PINN_ERR_NOMEM, "out of memory");
            goto fail;
        }
        memset(t->trainable, 1, t->np_net);
        mops->param_mask(pinn_model_state(t->model), t->graph, t->trainable);
    }
    for (int k = 0; k < p->n_params; k++) t->P[t->np_net + (size_t)k] = t->param_init[k];

    /* collocation points, shared by every equation */
    pinn_sample_spec spec;
    pinn_sample_spec_default(&spec);
    spec.region = PINN_REGION_INTERIOR;
    spec.sampler = smp;
    spec.seed = p->train.seed;
    spec.randomize = 1;
    if ((st = pinn_pointset_init(&t->colloc, t->geom, &spec, (size_t)p->train.collocation, &e))) {
        st = pinn_error_set(err, st, "%s:%d: train.collocation: %s", p->file, p->train.line, e.msg);
        goto fail;
    }
    pinn_real *anchors = NULL;
    size_t n_anchors = 0;
    if ((st = tr_anchor_points(t, &anchors, &n_anchors, err))) goto fail;
    if (n_anchors && (st = pinn_pointset_add_fixed(t->colloc, n_anchors, anchors, &e)))
        st = pinn_error_set(err, st, "%s:%d: anchor: %s", p->file, p->train.line, e.msg);
    free(anchors);
    if (st) goto fail;
    size_t nc = pinn_pointset_count(t->colloc);
    if ((st = tr_order_colloc(t, err))) goto fail;
    t->batch = p->train.batch > 0 && (size_t)p->train.batch < nc ? (size_t)p->train.batch : 0;
    if (t->batch) {
        t->perm = malloc(sizeof(size_t) * nc);
        t->batch_x = malloc(sizeof(pinn_real) * t->batch * t->d);
        if (!t->perm || !t->batch_x) {
            st = pinn_error_set(err, PINN_ERR_NOMEM, "out of memory");
            goto fail;
        }
    }
    for (int q = 0; q < p->n_equations; q++) {
        const pinn_named_expr *eq = &p->equations[q];
        char nm[64];
        if (eq->name[0]) snprintf(nm, sizeof nm, "%s", eq->name);
        else snprintf(nm, sizeof nm, p->n_equations > 1 ? "pde%d" : "pde", q + 1);
        tr_term *tm = tr_new_term(t, nm, TR_PDE, eq->line, p->eq_weight[q]);
        tm->ramp = p->eq_ramp[q];
        char what[32];
        snprintf(what, sizeof what, "equation %d", q + 1);
        if ((st = tr_compile(t, eq->expr, eq->line, what, PINN_EXPR_EQUATION, &tm->eq, err)) || (st = tr_leaves_plan(tm, t->d, err))) goto fail;
        if (tm->uses_normals) {
            st = pinn_error_set(err, PINN_ERR_INVALID,
                                "%s:%d: %s: the normal derivative (_n) is defined on the boundary only; use it in a "
                                "condition, or write the derivatives out in the equation",
                                p->file, eq->line, what);
            goto fail;
        }
        tm->x = (pinn_real *)pinn_pointset_points(t->colloc);
        tm->n_all = tm->n = nc; /* evaluated with the collocation group (tr_group_setup) */
    }
    for (int q = 0; q < p->n_conditions; q++) {
        const pinn_condition *c = &p->conditions[q];
        tr_term *tm = tr_new_term(t, c->name, c->kind == PINN_COND_PERIODIC ? TR_PERIODIC
                                              : c->kind == PINN_COND_DATA   ? (c->observe[0] ? TR_COND : TR_DATA)
                                                                            : TR_COND,
                                  c->line, c->weight);
        tm->ramp = c->ramp;
        if (c->kind == PINN_COND_EQUATION) {
            if ((st = tr_compile(t, c->equation, c->line, "equation", PINN_EXPR_EQUATION, &tm->eq, err)) || (st = tr_leaves_plan(tm, t->d, err)) ||
                (st = tr_cond_points(t, tm, c, smp, err)))
                goto fail;
        } else if (c->kind == PINN_COND_PERIODIC) {
            if ((st = periodic_term(t, tm, c, smp, err))) goto fail;
        } else if ((st = tr_data_term(t, tm, c, err)))
            goto fail;
        if (tm->kind == TR_COND && !tm->obs && (st = tr_order_points(t, tm->n_all, tm->x, tm->normals, err))) goto fail;
        if ((st = finish_term(t, tm, tm->n_all, err))) goto fail;
    }
    /* the model's auxiliary terms (regularisers) on the collocation points */
    const pinn_model_out *mo = pinn_model_outputs(t->model);
    for (int q = 0; q < mo->n_aux; q++) {
        if (t->n_terms == TR_MAX_TERMS) {
            st = pinn_error_set(err, PINN_ERR_INVALID, "%s: more than %d loss terms", p->file, TR_MAX_TERMS);
            goto fail;
        }
        tr_term *tm = tr_new_term(t, mo->aux_name[q], TR_AUX, p->model.line, mo->aux_weight[q]);
        tm->aux_col = t->nf + q;
        if ((st = pinn_plan_init(&tm->plan, t->d, 0, NULL, err))) goto fail;
        tm->x = (pinn_real *)pinn_pointset_points(t->colloc);
        tm->n_all = tm->n = nc;
    }
    if ((st = tr_group_setup(t, err)) || (st = tr_weighting_setup(t, err))) goto fail;
    if ((st = tr_phases_setup(t, err))) goto fail;
    if ((st = tr_eval_setup(t, err))) goto fail;
    for (int k = 0; k < PINN_MAX_FIELDS; k++) t->rel[k] = NAN;
    *out = t;
    return PINN_OK;
fail:
    pinn_trainer_free(t);
    return st;
}

void pinn_trainer_free(pinn_trainer *t) {
    if (!t) return;
    for (int i = 0; i < t->n_terms; i++) {
        tr_term *tm = &t->terms[i];
        pinn_expr_free(tm->eq);
        pinn_plan_free(tm->plan);
        pinn_term_free(tm->term);
        pinn_tape_free(tm->lin_tape);
        if (tm->kind != TR_PDE && tm->kind != TR_AUX) free(tm->x);
        free(tm->normals);
        free(tm->target);
        free(tm->obs);
        free(tm->grad);
        tr_term_release(tm);
    }
    tr_eval_free(t);
    tr_group_free(t);
    pinn_pointset_free(t->colloc);
    free(t->perm);
    free(t->batch_x);
    free(t->order), free(t->order_x);
    tr_phases_free(t);
    pinn_graph_free(t->graph);
    pinn_model_free(t->model);
    if (t->own_ctx) pinn_ctx_free(t->ctx);
    free(t->wsel);
    free(t->wsel_grad);
    pinn_geom_free(t->geom);
    tr_best_free(t);
    free(t->P);
    free(t->G);
    free(t->trainable);
    tr_lin_free(t);
    free(t);
}

size_t pinn_trainer_nparams(const pinn_trainer *t) { return t->np; }
int pinn_trainer_nterms(const pinn_trainer *t) { return t->n_terms; }
const pinn_real *pinn_trainer_params(const pinn_trainer *t) { return t->P; }
void pinn_trainer_grid(const pinn_trainer *t, int *dims) { memcpy(dims, t->grid_dims, sizeof(int) * (size_t)t->d); }
void pinn_trainer_term(const pinn_trainer *t, int i, const char **name, size_t *points, const pinn_plan **plan) {
    if (name) *name = t->terms[i].name;
    if (points) *points = t->terms[i].n_all;
    if (plan) *plan = t->terms[i].plan;
}
