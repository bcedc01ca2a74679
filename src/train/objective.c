/* objective.c - the objective: every loss term evaluated on its points, the terms on the
 * collocation points as one group (one forward pass per block over the union of their plans),
 * the weighted sum, failure reports that name the term and the first offending point, and the
 * public pinn_objective calls: per-term losses and gradients, and the Jacobian rows of the
 * residuals with respect to a parameter slice (linearize). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "train/trainer.h"

static pinn_block_loss_fn loss_of(const tr_term *tm) {
    switch (tm->kind) {
    case TR_PERIODIC: return tr_periodic_loss;
    case TR_DATA: return tr_data_loss;
    case TR_AUX: return tr_aux_loss;
    default: return tr_expr_loss;
    }
}

/* The group of PDE and auxiliary terms: the union plan, each member's leaf streams in it, and one
 * evaluator for all of them. */
pinn_status tr_group_setup(pinn_trainer *t, pinn_error *err) {
    tr_group *gp = &t->grp;
    int req[256][PINN_MAX_INPUTS], nr = 0;
    gp->n = 0;
    for (int k = 0; k < t->n_terms; k++) {
        tr_term *tm = &t->terms[k];
        if (tm->kind != TR_PDE && tm->kind != TR_AUX) continue;
        gp->member[gp->n++] = k;
        for (int s = 0; s < pinn_plan_size(tm->plan); s++) {
            const int *a = pinn_plan_alpha(tm->plan, s);
            int dup = 0;
            for (int q = 0; q < nr && !dup; q++) dup = !memcmp(req[q], a, sizeof req[q]);
            if (dup) continue;
            if (nr == 256) return pinn_error_set(err, PINN_ERR_UNSUPPORTED, "the equations need more than 256 derivatives");
            memcpy(req[nr++], a, sizeof req[0]);
        }
    }
    if (!gp->n) return PINN_OK;
    pinn_status st = pinn_plan_init(&gp->plan, t->d, nr, &req[0][0], err);
    if (st) return st;
    for (int q = 0; q < gp->n; q++) {
        tr_term *tm = &t->terms[gp->member[q]];
        tm->in_group = 1;
        tm->jplan = gp->plan;
        for (int k = 0; k < tm->n_leaves; k++) {
            int alpha[PINN_MAX_INPUTS];
            memcpy(alpha, pinn_plan_alpha(tm->plan, tm->leaf_stream[k]), sizeof alpha);
            tm->leaf_stream[k] = pinn_plan_index(gp->plan, alpha);
        }
    }
    size_t nc = pinn_pointset_count(t->colloc), max_points = t->batch ? t->batch : nc;
    int block = t->prob.train.block > 0 ? t->prob.train.block : PINN_TERM_DEFAULT_BLOCK;
    if ((size_t)block > max_points) block = (int)(max_points ? max_points : 1);
    if ((st = pinn_term_init_ctx(&gp->term, t->ctx, t->graph, gp->plan, max_points, block, t->np, err)) ||
        (st = pinn_term_set_losses(gp->term, gp->n, err)))
        return st;
    gp->tmp = malloc(sizeof(pinn_real) * (size_t)gp->n * t->np);
    gp->cgrad = malloc(sizeof(pinn_real) * t->np);
    if (!gp->tmp || !gp->cgrad) return pinn_error_set(err, PINN_ERR_NOMEM, "out of memory");
    gp->combined_ok = gp->n > 1 && t->prob.n_params == 0;
    for (int q = 0; q < gp->n; q++) {
        tr_term *tm = &t->terms[gp->member[q]];
        tm->block = (size_t)block;
        tm->grad = calloc(t->np, sizeof(pinn_real));
        if (!tm->grad) return pinn_error_set(err, PINN_ERR_NOMEM, "out of memory");
        if ((st = tr_term_scratch(tm, t->d, err))) return st;
    }
    return PINN_OK;
}

void tr_group_free(pinn_trainer *t) {
    pinn_term_free(t->grp.term);
    pinn_plan_free(t->grp.plan);
    free(t->grp.tmp);
    free(t->grp.cgrad);
}

static void reset_failures(pinn_trainer *t) {
    for (int k = 0; k < t->n_terms; k++)
        for (int i = 0; t->terms[k].scr && i < t->terms[k].n_threads; i++) t->terms[k].scr[i].status = PINN_OK;
}

/* The group's terms on the collocation points (or the current mini-batch). */
static void eval_group(pinn_trainer *t, int full, int grad) {
    tr_group *gp = &t->grp;
    pinn_block_loss_fn fns[TR_MAX_TERMS];
    void *ctxs[TR_MAX_TERMS];
    pinn_real *grads[TR_MAX_TERMS], *slice[TR_MAX_TERMS];
    double w[TR_MAX_TERMS], L[TR_MAX_TERMS];
    int sum = grad == TR_SUM && gp->combined_ok, K = gp->n;
    int use_batch = t->batch && !full;
    pinn_real *x = use_batch ? t->batch_x : (pinn_real *)pinn_pointset_points(t->colloc);
    size_t n = use_batch ? t->batch_n : pinn_pointset_count(t->colloc);
    for (int q = 0; q < K; q++) {
        tr_term *tm = &t->terms[gp->member[q]];
        fns[q] = loss_of(tm), ctxs[q] = tm, w[q] = t->weights[gp->member[q]];
        tm->x = x, tm->n = n;
        grads[q] = sum ? gp->cgrad : tm->grad;
        slice[q] = gp->tmp + (size_t)q * t->np;
    }
    if (full && t->batch) {
        /* the group was sized for a batch: sum over batch-sized slices of all points */
        size_t done = 0, ng = sum ? 1 : (size_t)K;
        double Ls[TR_MAX_TERMS];
        for (int q = 0; q < K; q++) L[q] = 0;
        if (grad)
            for (size_t q = 0; q < ng; q++) memset(grads[q], 0, sizeof(pinn_real) * t->np);
        while (done < n) {
            size_t m = n - done < t->batch ? n - done : t->batch;
            pinn_term_eval_multi(gp->term, m, x + done * (size_t)t->d, t->P, K, fns, ctxs, sum ? w : NULL, Ls,
                                 grad ? slice : NULL);
            for (int q = 0; q < K; q++) L[q] += Ls[q];
            for (size_t q = 0; grad && q < ng; q++)
                for (size_t i = 0; i < t->np; i++) grads[q][i] += slice[q][i];
            done += m;
        }
    } else
        pinn_term_eval_multi(gp->term, n, x, t->P, K, fns, ctxs, sum ? w : NULL, L, grad ? grads : NULL);
    for (int q = 0; q < K; q++) {
        t->terms[gp->member[q]].loss = L[q];
        t->term_loss[gp->member[q]] = L[q];
    }
    gp->combined = sum && grad;
}

void tr_eval_each(pinn_trainer *t, int full, int grad) {
    reset_failures(t);
    if (t->grp.n) eval_group(t, full, grad);
    for (int k = 0; k < t->n_terms; k++) {
        tr_term *tm = &t->terms[k];
        if (tm->in_group) continue;
        tm->loss = pinn_term_eval(tm->term, tm->n, tm->x, t->P, grad ? tm->grad : NULL, loss_of(tm), tm);
        t->term_loss[k] = tm->loss;
    }
}

double tr_combine(pinn_trainer *t, pinn_real *G) {
    double total = 0;
    int group_done = 0;
    if (G) memset(G, 0, sizeof(pinn_real) * t->np);
    for (int k = 0; k < t->n_terms; k++) {
        total += t->weights[k] * t->terms[k].loss;
        if (!G) continue;
        if (t->terms[k].in_group && t->grp.combined) {
            if (!group_done)
                for (size_t i = 0; i < t->np; i++) G[i] += t->grp.cgrad[i];
            group_done = 1;
            continue;
        }
        const pinn_real w = (pinn_real)t->weights[k], *g = t->terms[k].grad;
        for (size_t i = 0; i < t->np; i++) G[i] += w * g[i];
    }
    if (G && t->trainable)
        for (size_t i = 0; i < t->np_net; i++)
            if (!t->trainable[i]) G[i] = 0;
    for (int k = 0; k < t->prob.n_params; k++) t->param_values[k] = t->P[t->np_net + (size_t)k];
    return total;
}

pinn_status tr_check(pinn_trainer *t, pinn_error *err) {
    for (int k = 0; k < t->n_terms; k++) {
        tr_term *tm = &t->terms[k];
        pinn_status st = PINN_OK;
        size_t bad = 0;
        int net = 0;
        for (int i = 0; tm->scr && i < tm->n_threads; i++)
            if (tm->scr[i].status && (!st || tm->scr[i].bad < bad))
                st = tm->scr[i].status, bad = tm->scr[i].bad, net = tm->scr[i].bad_net;
        if (!st && isfinite(tm->loss)) continue;
        char at[256] = "";
        if (st && tm->x && bad < tm->n) {
            int o = snprintf(at, sizeof at, " at point %zu (", bad);
            for (int i = 0; i < t->d && o < (int)sizeof at - 40; i++)
                o += snprintf(at + o, sizeof at - (size_t)o, "%s%s = %.6g", i ? ", " : "", t->coord_names[i],
                              (double)tm->x[bad * (size_t)t->d + (size_t)i]);
            snprintf(at + o, sizeof at - (size_t)o, ")");
        }
        int params_ok = 1;
        for (size_t i = 0; i < t->np && params_ok; i++) params_ok = isfinite(t->P[i]);
        const char *file = t->prob.file[0] ? t->prob.file : "<problem>";
        if (!params_ok || net)
            return pinn_error_set(err, PINN_ERR_NUMERIC,
                                  "term '%s': the loss is %g: the run diverged (%s%s); lower the learning rate "
                                  "(train.lr) or use a schedule",
                                  tm->name, tm->loss, params_ok ? "the network's output overflows" : "the parameters are not finite",
                                  params_ok ? at : "");
        if (st && st != PINN_ERR_NUMERIC)
            return pinn_error_set(err, st, "%s:%d: term '%s': evaluating the expression failed%s", file, tm->line, tm->name, at);
        return pinn_error_set(err, PINN_ERR_NUMERIC,
                              "%s:%d: term '%s': the loss is %g: the residual is not finite%s with finite parameters; "
                              "check the equation, its data and transforms there",
                              file, tm->line, tm->name, tm->loss, at);
    }
    return PINN_OK;
}

pinn_status tr_eval_terms(pinn_trainer *t, int full, pinn_real *G, double *loss, pinn_error *err) {
    tr_eval_each(t, full, G ? TR_SUM : TR_LOSS);
    double L = tr_combine(t, G);
    if (loss) *loss = L;
    return tr_check(t, err);
}

/* ------------------------------------------------------------------ the public objective */

pinn_objective *pinn_trainer_objective(pinn_trainer *t) { return (pinn_objective *)t; }
#define TR(o) ((pinn_trainer *)(o))

int pinn_objective_nterms(const pinn_objective *o) { return TR(o)->n_terms; }
const char *pinn_objective_term_name(const pinn_objective *o, int k) { return TR(o)->terms[k].name; }
size_t pinn_objective_nparams(const pinn_objective *o) { return TR(o)->np; }
const double *pinn_objective_weights(const pinn_objective *o) { return TR(o)->weights; }

/* Sets the trainer's parameters to params (when another array). */
static void take_params(pinn_trainer *t, const pinn_real *params) {
    if (params && params != t->P) memcpy(t->P, params, sizeof(pinn_real) * t->np);
}

pinn_status pinn_objective_eval(pinn_objective *o, const pinn_real *params, int full, double *losses,
                                pinn_real *const *grads, pinn_error *err) {
    pinn_trainer *t = TR(o);
    take_params(t, params);
    tr_eval_each(t, full, grads ? TR_EACH : TR_LOSS);
    for (int k = 0; k < t->n_terms; k++) {
        if (losses) losses[k] = t->terms[k].loss;
        if (grads && grads[k]) memcpy(grads[k], t->terms[k].grad, sizeof(pinn_real) * t->np);
    }
    return tr_check(t, err);
}

/* Rows of term k: one per point (equations), per point and observed field (data), per pair,
 * compared stream and field (periodic); auxiliary terms are no squares and have none. */
static size_t term_rows(const pinn_trainer *t, const tr_term *tm) {
    size_t n = tm->kind == TR_PDE ? pinn_pointset_count(t->colloc) : tm->n_all;
    switch (tm->kind) {
    case TR_AUX: return 0;
    case TR_PERIODIC: return n / 2 * (size_t)tm->n_per_streams * (size_t)t->nf;
    case TR_DATA: {
        size_t r = 0;
        for (size_t i = 0; i < n * (size_t)t->nf; i++) r += !isnan(tm->target[i]);
        return r;
    }
    default: return n;
    }
}

size_t pinn_objective_nrows(const pinn_objective *o) {
    size_t r = 0;
    for (int k = 0; k < TR(o)->n_terms; k++) r += term_rows(TR(o), &TR(o)->terms[k]);
    return r;
}

/* One row: backward of the seeded output adjoint into gbuf, then the slice, scaled. */
static void emit_row(pinn_trainer *t, pinn_tape *tp, pinn_real *gbuf, size_t off, size_t len, double scale,
                     double r, pinn_real *J, pinn_real *rv, size_t *row) {
    pinn_tape_backward(tp, t->P, gbuf);
    for (size_t j = 0; j < len; j++) J[*row * len + j] = (pinn_real)(scale * gbuf[off + j]);
    rv[*row] = (pinn_real)(scale * r);
    (*row)++;
}

pinn_status pinn_objective_linearize(pinn_objective *o, const pinn_real *params, size_t off, size_t len,
                                     pinn_real *J, pinn_real *r, pinn_error *err) {
    pinn_trainer *t = TR(o);
    if (off > t->np || len > t->np - off)
        return pinn_error_set(err, PINN_ERR_INVALID, "linearize: slice [%zu, %zu) outside %zu parameters", off, off + len, t->np);
    take_params(t, params);
    pinn_real *gbuf = malloc(sizeof(pinn_real) * t->np);
    if (!gbuf) return pinn_error_set(err, PINN_ERR_NOMEM, "out of memory");
    reset_failures(t);
    size_t row = 0;
    int d = t->d, w = t->w_out, nf = t->nf;
    pinn_status st = PINN_OK;
    for (int k = 0; k < t->n_terms && !st; k++) {
        tr_term *tm = &t->terms[k];
        if (tm->kind == TR_AUX) continue;
        const pinn_plan *pl = tm->jplan ? tm->jplan : tm->plan;
        if (!tm->lin_tape && (st = pinn_tape_init(&tm->lin_tape, t->graph, pl, 2, err))) break;
        pinn_tape *tp = tm->lin_tape;
        const pinn_real *x = tm->kind == TR_PDE ? pinn_pointset_points(t->colloc) : tm->x;
        size_t n = tm->kind == TR_PDE ? pinn_pointset_count(t->colloc) : tm->n_all, S = (size_t)pinn_plan_size(pl);
        double denom = tm->kind == TR_PERIODIC ? (double)(n / 2) : (double)n;
        double scale = sqrt(t->weights[k] / (denom > 0 ? denom : 1));
        if (tm->kind == TR_PDE) tm->x = (pinn_real *)x, tm->n = n;
        for (size_t p = 0; p < n; p += tm->kind == TR_PERIODIC ? 2 : 1) {
            int m = tm->kind == TR_PERIODIC ? 2 : 1;
            if (p + (size_t)m > n) break;
            pinn_tape_forward(tp, t->P, x + p * (size_t)d, m);
            const pinn_real *out = pinn_tape_output(tp);
            if (tm->kind == TR_PDE || tm->kind == TR_COND) {
                pinn_real rv0;
                memset(gbuf, 0, sizeof(pinn_real) * t->np);
                pinn_tape_zero_grad(tp);
                tr_expr_rows(tm, p, 1, x + p * (size_t)d, out, pinn_tape_output_grad(tp), t->P, gbuf, &rv0);
                emit_row(t, tp, gbuf, off, len, scale, rv0, J, r, &row);
            } else if (tm->kind == TR_DATA) {
                for (int f = 0; f < nf; f++) {
                    pinn_real y = tm->target[p * (size_t)nf + (size_t)f];
                    if (isnan(y)) continue;
                    memset(gbuf, 0, sizeof(pinn_real) * t->np);
                    pinn_tape_zero_grad(tp);
                    pinn_tape_output_grad(tp)[f] = 1;
                    emit_row(t, tp, gbuf, off, len, scale, (double)out[f] - y, J, r, &row);
                }
            } else
                for (int q = 0; q < tm->n_per_streams; q++) {
                    size_t so = (size_t)tm->per_streams[q] * 2 * (size_t)w;
                    (void)S;
                    for (int f = 0; f < nf; f++) {
                        memset(gbuf, 0, sizeof(pinn_real) * t->np);
                        pinn_tape_zero_grad(tp);
                        pinn_real *og = pinn_tape_output_grad(tp);
                        og[so + (size_t)f] = 1, og[so + (size_t)w + (size_t)f] = -1;
                        emit_row(t, tp, gbuf, off, len, scale, (double)out[so + (size_t)f] - out[so + (size_t)w + (size_t)f],
                                 J, r, &row);
                    }
                }
        }
    }
    free(gbuf);
    if (!st) st = tr_check(t, err);
    return st;
}
