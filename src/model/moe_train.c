/* moe_train.c - the training-time hooks of the "moe" kind: the parameter layout of the built
 * mixture, a probe graph (gate weights and every expert's output at plain points), each expert's
 * mean importance over the collocation points (history columns), pruning (at chosen steps or
 * periodically by a threshold: the expert's gate logit is pinned to -1e4 so its weight is exactly
 * 0, its parameters leave the optimizer through the mask, and its nodes are skipped by every later
 * pass), and the gate / expert / dominant-expert maps on the evaluation grid. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/moe.h"

/* Frees the probe (built again by the next build). */
void moe_release(void *state) {
    moe_state *m = state;
    pinn_tape_free(m->tape);
    pinn_plan_free(m->plan);
    pinn_graph_free(m->probe);
    free(m->probe_P);
    free(m->probe_map);
    free(m->acc);
    m->tape = NULL, m->plan = NULL, m->probe = NULL, m->probe_P = NULL, m->probe_map = NULL, m->acc = NULL;
}

static int slice_find(const pinn_graph *g, const char *name) {
    for (int i = 0; i < pinn_graph_nslices(g); i++) {
        const char *nm;
        pinn_graph_slice(g, i, &nm, NULL, NULL);
        if (!strcmp(nm, name)) return i;
    }
    return -1;
}

/* After build: each expert's parameter range, the gate's last layer, and the probe graph whose
 * parameters map by slice name onto the main graph's. */
pinn_status moe_layout(moe_state *m, const pinn_graph *g, pinn_error *err) {
    moe_release(m);
    int E = m->n_experts, L = m->gate.n_hidden;
    char name[64];
    for (int e = 0; e < E; e++) {
        size_t lo = (size_t)-1, hi = 0, sum = 0;
        size_t plen = strlen(m->prefix[e]);
        for (int i = 0; i < pinn_graph_nslices(g); i++) {
            const char *nm;
            size_t off, size;
            pinn_graph_slice(g, i, &nm, &off, &size);
            if (strncmp(nm, m->prefix[e], plen) || nm[plen] != '.') continue;
            lo = off < lo ? off : lo, hi = off + size > hi ? off + size : hi, sum += size;
        }
        if (sum == 0 || hi - lo != sum) return pinn_error_set(err, PINN_ERR_INVALID, "moe: expert %d's parameters are not contiguous", e);
        m->ex_off[e] = lo, m->ex_len[e] = sum;
        m->pruned[e] = 0, m->pruned_at[e] = 0;
    }
    snprintf(name, sizeof name, "gate.W%d", L);
    int sw = slice_find(g, name);
    snprintf(name, sizeof name, "gate.b%d", L);
    int sb = slice_find(g, name);
    if (sw < 0 || sb < 0) return pinn_error_set(err, PINN_ERR_INVALID, "moe: the gate's output layer is missing");
    size_t size;
    pinn_graph_slice(g, sw, NULL, &m->gw_off, &size);
    m->gw_cols = (int)(size / (size_t)E);
    pinn_graph_slice(g, sb, NULL, &m->gb_off, NULL);
    /* the probe: [lambda_0 .. lambda_{E-1}, u_0 (n_out) .. u_{E-1}] */
    pinn_status st = pinn_graph_init(&m->probe, m->n_in, err);
    if (st) return st;
    pinn_moe_nodes nd;
    if (pinn_moe_build_ex(m->probe, 0, &m->gate, m->temperature, E, m->ex, &nd) >= 0) {
        int out = nd.gate;
        for (int e = 0; e < E; e++) out = pinn_graph_concat(m->probe, out, nd.expert[e]);
        pinn_graph_set_output(m->probe, out);
    }
    if ((st = pinn_graph_status(m->probe, err))) return st;
    size_t np = pinn_graph_nparams(m->probe);
    m->probe_P = malloc(sizeof(pinn_real) * (np + 1));
    m->probe_map = malloc(sizeof(size_t) * (np + 1));
    m->acc = malloc(sizeof(double) * (size_t)E);
    if (!m->probe_P || !m->probe_map || !m->acc) return pinn_error_set(err, PINN_ERR_NOMEM, "moe: out of memory");
    for (int i = 0; i < pinn_graph_nslices(m->probe); i++) {
        const char *nm;
        size_t off, sz, moff, msz;
        pinn_graph_slice(m->probe, i, &nm, &off, &sz);
        int j = slice_find(g, nm);
        if (j < 0) return pinn_error_set(err, PINN_ERR_INVALID, "moe: probe slice %s not in the model", nm);
        pinn_graph_slice(g, j, NULL, &moff, &msz);
        if (msz != sz) return pinn_error_set(err, PINN_ERR_INVALID, "moe: probe slice %s differs from the model's", nm);
        for (size_t k = 0; k < sz; k++) m->probe_map[off + k] = moff + k;
    }
    if ((st = pinn_plan_init(&m->plan, m->n_in, 0, NULL, err))) return st;
    return pinn_tape_init(&m->tape, m->probe, m->plan, MOE_PROBE_BLOCK, err);
}

/* Probe forward over points x[first .. first + n) (n <= MOE_PROBE_BLOCK); returns the output rows
 * [n][E + E n_out]. */
static const pinn_real *probe_block(moe_state *m, const pinn_real *x, int n) {
    pinn_tape_forward(m->tape, m->probe_P, x, n);
    return pinn_tape_output(m->tape);
}

static void probe_load(moe_state *m, const pinn_real *params) {
    size_t np = pinn_graph_nparams(m->probe);
    for (size_t i = 0; i < np; i++) m->probe_P[i] = params[m->probe_map[i]];
}

/* Mean gate weight of each expert over n points (all of them up to 8192, else an even stride). */
pinn_status moe_importance(moe_state *m, const pinn_real *params, size_t n, const pinn_real *x, double *imp,
                           double *con, pinn_error *err) {
    int E = m->n_experts, W = E * (1 + m->n_out), d = m->n_in, no = m->n_out;
    for (int e = 0; e < E; e++) imp[e] = 0, m->acc[e] = 0;
    if (!m->tape) return pinn_error_set(err, PINN_ERR_INVALID, "moe: importance before build");
    if (n == 0 || !x) {
        for (int e = 0; e < E; e++) imp[e] = NAN;
        if (con)
            for (int e = 0; e < E; e++) con[e] = NAN;
        return PINN_OK;
    }
    probe_load(m, params);
    size_t stride = n > 8192 ? (n + 8191) / 8192 : 1, used = 0;
    pinn_real buf[MOE_PROBE_BLOCK * PINN_MAX_INPUTS];
    for (size_t i = 0; i < n;) {
        int nb = 0;
        for (; nb < MOE_PROBE_BLOCK && i < n; nb++, i += stride) memcpy(buf + (size_t)nb * d, x + i * d, sizeof(pinn_real) * d);
        const pinn_real *o = probe_block(m, buf, nb);
        for (int p = 0; p < nb; p++)
            for (int e = 0; e < E; e++) {
                const pinn_real *row = o + (size_t)p * W;
                imp[e] += (double)row[e];
                for (int f = 0; f < no; f++) m->acc[e] += fabs((double)row[e] * (double)row[E + e * no + f]);
            }
        used += (size_t)nb;
    }
    double tot = 0;
    for (int e = 0; e < E; e++) imp[e] /= (double)used, tot += m->acc[e];
    if (con)
        for (int e = 0; e < E; e++) con[e] = tot > 0 ? m->acc[e] / tot : 0;
    return PINN_OK;
}

/* Pruned experts: no gradient for their parameters nor for their gate row. */
void moe_param_mask(const void *state, const pinn_graph *g, unsigned char *trainable) {
    (void)g;
    const moe_state *m = state;
    for (int e = 0; e < m->n_experts; e++) {
        if (!m->pruned[e]) continue;
        memset(trainable + m->ex_off[e], 0, m->ex_len[e]);
        memset(trainable + m->gw_off + (size_t)e * (size_t)m->gw_cols, 0, (size_t)m->gw_cols);
        trainable[m->gb_off + (size_t)e] = 0;
    }
}

/* Pins expert e's gate row (zero weights, bias -1e4 max(1, T)) and skips its nodes. */
static pinn_status prune_one(moe_state *m, pinn_graph *g, pinn_real *params, int e, pinn_error *err) {
    for (int j = 0; j < m->gw_cols; j++) params[m->gw_off + (size_t)e * (size_t)m->gw_cols + (size_t)j] = 0;
    params[m->gb_off + (size_t)e] = (pinn_real)(MOE_PRUNED_LOGIT * fmax(1.0, m->temperature));
    m->pruned[e] = 1;
    if (!pinn_graph_skipped(g, m->nodes.last[e]) && pinn_graph_set_skip(g, m->nodes.first[e], m->nodes.last[e], 1))
        return pinn_error_set(err, PINN_ERR_NOMEM, "moe: cannot mark expert %s skipped (out of memory)", m->label[e]);
    return PINN_OK;
}

static int prune_due(const moe_state *m, long step) {
    for (int i = 0; i < m->n_prune; i++)
        if (m->prune_epochs[i] == step) return 1;
    return m->prune_every > 0 && step > 0 && step >= m->prune_after && step % m->prune_every == 0;
}

/* After each step: experts pruned before (a gate bias at -1e4 T, also after a checkpoint is read)
 * stay pinned; at a pruning step, the experts below the threshold leave (the least important
 * first, at least `keep` stay). */
pinn_status moe_after_step(void *state, long step, const pinn_graph *gc, pinn_real *params, pinn_error *err) {
    moe_state *m = state;
    pinn_graph *g = (pinn_graph *)gc; /* the skip flags are the model's to set (pinnc/model.h: after_step) */
    int E = m->n_experts, active = 0;
    for (int e = 0; e < E; e++) {
        pinn_status st;
        if ((m->pruned[e] || params[m->gb_off + (size_t)e] <= (pinn_real)(MOE_PRUNED_LOGIT / 2 * fmax(1.0, m->temperature))) &&
            (st = prune_one(m, g, params, e, err)))
            return st;
        active += !m->pruned[e];
    }
    if (!prune_due(m, step) || active <= m->keep || !m->pts) return PINN_OK;
    double w[PINN_MAX_EXPERTS_MOE], c[PINN_MAX_EXPERTS_MOE], *imp = m->by_contribution ? c : w;
    pinn_status st = moe_importance(m, params, m->n_pts, m->pts, w, c, err);
    if (st) return st;
    while (active > m->keep) {
        int worst = -1;
        for (int e = 0; e < E; e++)
            if (!m->pruned[e] && imp[e] < m->threshold && (worst < 0 || imp[e] < imp[worst])) worst = e;
        if (worst < 0) break;
        if ((st = prune_one(m, g, params, worst, err))) return st;
        m->pruned_at[worst] = step;
        active--;
    }
    return PINN_OK;
}

void moe_points(void *state, size_t n, const pinn_real *x) {
    moe_state *m = state;
    m->pts = x, m->n_pts = n;
}

/* History columns: imp_<label> per expert, con_<label> (with prune.by: contribution), and the
 * number of active experts. */
int moe_values(void *state, const pinn_graph *g, const pinn_real *params, char (*names)[32], double *values) {
    (void)g;
    moe_state *m = state;
    int E = m->n_experts, active = 0;
    pinn_error err;
    int nc = m->by_contribution ? E : 0; /* con_<label>: the shares of sum |lambda u| the pruning uses */
    if (moe_importance(m, params, m->n_pts, m->pts, values, nc ? values + E : NULL, &err))
        for (int e = 0; e < E + nc; e++) values[e] = NAN;
    for (int e = 0; e < E; e++) {
        snprintf(names[e], 32, "imp_%.27s", m->label[e]);
        if (nc) snprintf(names[E + e], 32, "con_%.27s", m->label[e]);
        active += !m->pruned[e];
    }
    snprintf(names[E + nc], 32, "moe_active");
    values[E + nc] = active;
    return E + nc + 1;
}

/* moe_gate.npy [n][E] (lambda_e), moe_experts.npy [n][E][n_out] (each expert's own prediction),
 * moe_dominant.npy [n] (the index of the largest lambda) at the evaluation points; and
 * moe_importance.npy [E] over the collocation points. */
pinn_status moe_diagnostics(void *state, const pinn_graph *g, const pinn_real *params, size_t n, const pinn_real *x,
                            const pinn_model_sink *sink, pinn_error *err) {
    (void)g;
    moe_state *m = state;
    int E = m->n_experts, no = m->n_out, W = E * (1 + no), d = m->n_in;
    if (!m->tape) return pinn_error_set(err, PINN_ERR_INVALID, "moe: diagnostics before build");
    double *gate = malloc(sizeof(double) * (n * (size_t)E + 1)), *ex = malloc(sizeof(double) * (n * (size_t)(E * no) + 1));
    double *dom = malloc(sizeof(double) * (n + 1));
    pinn_status st = gate && ex && dom ? PINN_OK : pinn_error_set(err, PINN_ERR_NOMEM, "moe: out of memory");
    if (!st) {
        probe_load(m, params);
        for (size_t i = 0; i < n; i += MOE_PROBE_BLOCK) {
            int nb = n - i < MOE_PROBE_BLOCK ? (int)(n - i) : MOE_PROBE_BLOCK;
            const pinn_real *o = probe_block(m, x + i * d, nb);
            for (int p = 0; p < nb; p++) {
                const pinn_real *row = o + (size_t)p * W;
                int best = 0;
                for (int e = 0; e < E; e++) {
                    gate[(i + p) * E + e] = row[e];
                    if (row[e] > row[best]) best = e;
                    for (int f = 0; f < no; f++) ex[((i + p) * E + e) * no + f] = row[E + e * no + f];
                }
                dom[i + p] = best;
            }
        }
        size_t s2[2] = {n, (size_t)E}, s3[3] = {n, (size_t)E, (size_t)no}, s1[1] = {n};
        if (!st) st = sink->array(sink->ctx, "moe_gate", 2, s2, gate, err);
        if (!st) st = sink->array(sink->ctx, "moe_experts", 3, s3, ex, err);
        if (!st) st = sink->array(sink->ctx, "moe_dominant", 1, s1, dom, err);
        double imp[PINN_MAX_EXPERTS_MOE];
        size_t se[1] = {(size_t)E};
        if (!st && m->pts && !(st = moe_importance(m, params, m->n_pts, m->pts, imp, NULL, err)))
            st = sink->array(sink->ctx, "moe_importance", 1, se, imp, err);
    }
    free(gate);
    free(ex);
    free(dom);
    return st;
}
