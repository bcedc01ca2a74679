/* registry.c - the model layer: the table of built-in kinds, a configured model handle, and the
 * parts every kind shares: output transforms (hard constraints, `model.transform`) and the
 * auxiliary loss columns appended after the fields. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pinnc/expr.h"
#include "pinnc/model.h"

extern const pinn_model_ops pinn_model_mlp_ops, pinn_model_moe_ops, pinn_model_fbpinn_ops, pinn_model_elm_ops,
    pinn_model_elm_fbpinn_ops;

/* Adding a kind: its file in src/model/ and one line here. */
static const pinn_model_ops *const builtin[] = {&pinn_model_mlp_ops, &pinn_model_moe_ops, &pinn_model_fbpinn_ops,
                                                &pinn_model_elm_ops, &pinn_model_elm_fbpinn_ops, NULL};

const pinn_model_ops *const *pinn_model_builtin(void) { return builtin; }

const pinn_model_ops *pinn_model_find_builtin(const char *kind) {
    for (int i = 0; builtin[i]; i++)
        if (!strcmp(builtin[i]->kind, kind)) return builtin[i];
    return NULL;
}

struct pinn_model {
    const pinn_model_ops *ops;
    void *state;
    pinn_model_info info;
    double lo[PINN_MAX_INPUTS], hi[PINN_MAX_INPUTS];
    const char *coords[PINN_MAX_INPUTS];
    char coord_buf[PINN_MAX_INPUTS][32];
    const pinn_cfg *cfg; /* for transforms and messages; owned by the caller */
    pinn_model_out out;
    int width;
    int transformed;
};

pinn_status pinn_model_init(pinn_model **out, const pinn_model_ops *ops, pinn_cfg *cfg, const pinn_model_info *info,
                            pinn_error *err) {
    *out = NULL;
    if (!ops || !ops->configure || !ops->build || !ops->kind)
        return pinn_error_set(err, PINN_ERR_INVALID, "model: a kind needs a name, configure and build");
    if (info->n_in < 1 || info->n_in > PINN_MAX_INPUTS || info->n_out < 1)
        return pinn_error_set(err, PINN_ERR_INVALID, "model: %d inputs and %d outputs", info->n_in, info->n_out);
    pinn_model *m = calloc(1, sizeof *m);
    if (!m) return pinn_error_set(err, PINN_ERR_NOMEM, "model: out of memory");
    m->ops = ops;
    m->cfg = cfg;
    m->info = *info;
    for (int i = 0; i < info->n_in; i++) {
        m->lo[i] = info->lo[i], m->hi[i] = info->hi[i];
        snprintf(m->coord_buf[i], sizeof m->coord_buf[i], "%s", info->coords ? info->coords[i] : "x");
        m->coords[i] = m->coord_buf[i];
    }
    m->info.lo = m->lo, m->info.hi = m->hi, m->info.coords = m->coords;
    m->state = calloc(1, ops->state_size ? ops->state_size : 1);
    pinn_status st = m->state ? PINN_OK : pinn_error_set(err, PINN_ERR_NOMEM, "model: out of memory");
    if (!st) st = ops->configure(m->state, cfg, 0, &m->info, err);
    if (st) {
        pinn_model_free(m);
        return st;
    }
    *out = m;
    return PINN_OK;
}

void pinn_model_free(pinn_model *m) {
    if (!m) return;
    if (m->ops->release && m->state) m->ops->release(m->state);
    free(m->state);
    free(m);
}

const pinn_model_ops *pinn_model_kind(const pinn_model *m) { return m->ops; }
void *pinn_model_state(pinn_model *m) { return m->state; }
const pinn_model_out *pinn_model_outputs(const pinn_model *m) { return &m->out; }
int pinn_model_width(const pinn_model *m) { return m->width; }
int pinn_model_transformed(const pinn_model *m) { return m->transformed; }

/* Transform text of field f from the section's `transform` key (a scalar: field 0; a mapping:
 * by field name); NULL when none. */
static const char *transform_of(const pinn_model *m, const pinn_expr_symbols *sym, int f) {
    int t = pinn_cfg_find(m->cfg, 0, "transform");
    if (t < 0) return NULL;
    if (pinn_cfg_type_of(m->cfg, t) == PINN_CFG_SCALAR) return f == 0 ? pinn_cfg_text(m->cfg, t) : NULL;
    int i = pinn_cfg_find(m->cfg, t, sym->fields[f]);
    return i >= 0 ? pinn_cfg_text(m->cfg, i) : NULL;
}

/* Field f becomes T_f(x, N_f): each transform compiled against the coordinates, constants and
 * N (the raw output), then appended to the graph as jet ops. */
static pinn_status apply_transforms(pinn_model *m, pinn_graph *g, const pinn_expr_symbols *sym, int *fields,
                                    pinn_error *err) {
    int nf = m->info.n_out, any = 0, line = pinn_cfg_line(m->cfg, pinn_cfg_find(m->cfg, 0, "transform"));
    int t = pinn_cfg_find(m->cfg, 0, "transform");
    if (t < 0) return PINN_OK;
    if (pinn_cfg_type_of(m->cfg, t) == PINN_CFG_MAP)
        for (int i = 0; i < pinn_cfg_count(m->cfg, t); i++) {
            int item = pinn_cfg_item(m->cfg, t, i), ok = 0;
            for (int f = 0; f < nf; f++) ok |= !strcmp(pinn_cfg_key(m->cfg, item), sym->fields[f]);
            if (!ok || !pinn_cfg_text(m->cfg, item))
                return pinn_cfg_expected(m->cfg, item, "transform", "a mapping of field names to expressions", err);
        }
    else if (pinn_cfg_type_of(m->cfg, t) != PINN_CFG_SCALAR)
        return pinn_cfg_expected(m->cfg, t, "transform", "an expression or a mapping of fields to expressions", err);
    for (int f = 0; f < nf; f++) any |= transform_of(m, sym, f) != NULL;
    if (!any) return PINN_OK;
    int coord[PINN_MAX_INPUTS], cols = -1, out = *fields;
    for (int i = 0; i < m->info.n_in; i++) coord[i] = pinn_graph_slice_cols(g, pinn_graph_input(g), i, 1);
    const char *nfn[1] = {"N"};
    pinn_expr_symbols s = *sym;
    s.n_fields = 1, s.fields = nfn, s.n_params = 0;
    for (int f = 0; f < nf; f++) {
        int nf_node = nf == 1 ? out : pinn_graph_slice_cols(g, out, f, 1), col = nf_node;
        const char *text = transform_of(m, sym, f);
        if (text) {
            pinn_expr *e = NULL;
            pinn_error e2;
            pinn_status st = pinn_expr_compile_as(&e, text, &s, PINN_EXPR_VALUE, &e2);
            if (!st) st = pinn_expr_to_graph(e, g, coord, nf_node, &col, &e2);
            pinn_expr_free(e);
            if (st)
                return pinn_error_set(err, st, "%s:%d: model.transform (%s): %s", m->cfg->file, line ? line : pinn_cfg_line(m->cfg, 0),
                                      sym->fields[f], e2.msg);
        }
        cols = f == 0 ? col : pinn_graph_concat(g, cols, col);
    }
    *fields = cols;
    return PINN_OK;
}

pinn_status pinn_model_build(pinn_model *m, pinn_graph *g, const pinn_expr_symbols *sym, pinn_error *err) {
    memset(&m->out, 0, sizeof m->out);
    m->out.fields = -1;
    pinn_status st = m->ops->build(m->state, g, pinn_graph_input(g), &m->info, &m->out, err);
    if (st) return st;
    pinn_error e;
    if (m->out.fields >= 0) pinn_graph_set_output(g, m->out.fields);
    if ((st = pinn_graph_status(g, &e)))
        return pinn_error_set(err, st, "%s:%d: model (%s): %s", m->cfg->file, pinn_cfg_line(m->cfg, 0), m->ops->kind, e.msg);
    if ((double)pinn_graph_nparams(g) > PINN_MODEL_MAX_PARAMS)
        return pinn_error_set(err, PINN_ERR_INVALID, "%s:%d: model (%s): %zu trainable parameters, at most %.0f", m->cfg->file,
                              pinn_cfg_line(m->cfg, 0), m->ops->kind, pinn_graph_nparams(g), PINN_MODEL_MAX_PARAMS);
    if (m->out.fields < 0 || pinn_graph_width(g, m->out.fields) != m->info.n_out)
        return pinn_error_set(err, PINN_ERR_INVALID, "model (%s): the build gave no output of width %d", m->ops->kind,
                              m->info.n_out);
    if (m->out.n_aux < 0 || m->out.n_aux > PINN_MODEL_MAX_AUX)
        return pinn_error_set(err, PINN_ERR_INVALID, "model (%s): %d auxiliary outputs (at most %d)", m->ops->kind,
                              m->out.n_aux, PINN_MODEL_MAX_AUX);
    int fields = m->out.fields;
    if ((st = apply_transforms(m, g, sym, &fields, err))) return st;
    m->transformed = fields != m->out.fields;
    int out = fields;
    for (int k = 0; k < m->out.n_aux; k++) {
        if (pinn_graph_width(g, m->out.aux[k]) != 1)
            return pinn_error_set(err, PINN_ERR_INVALID, "model (%s): auxiliary output %d is not of width 1", m->ops->kind, k);
        out = pinn_graph_concat(g, out, m->out.aux[k]);
    }
    pinn_graph_set_output(g, out);
    if ((st = pinn_graph_status(g, &e)))
        return pinn_error_set(err, st, "%s:%d: model (%s): %s", m->cfg->file, pinn_cfg_line(m->cfg, 0), m->ops->kind, e.msg);
    m->width = pinn_graph_width(g, out);
    return PINN_OK;
}
