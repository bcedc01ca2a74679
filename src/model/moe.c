/* moe.c - the softmax-gated mixture of experts as a jet graph, and the configuration and build of
 * the "moe" model kind (Bischof & Kraus, MoE-PINNs): a list of diverse expert MLPs, a gate MLP
 * with its own layers and a softmax temperature, the gate's sparsity regulariser as an auxiliary
 * loss column, and the pruning settings.  Training-time hooks (importances, pruning, maps) are in
 * moe_train.c; the shared state is moe.h. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/moe.h"

/* Whether the mixture is one fused node (pinn_graph_mix): yes unless PINN_MOE_FUSED is "0" (read
 * once; the composed slices, products and sums stay for the comparison, docs/moe.md). */
static int fused_default(void) {
    static _Atomic int mode = -1;
    int m = mode;
    if (m < 0) {
        const char *e = getenv("PINN_MOE_FUSED");
        m = !(e && e[0] == '0');
        mode = m;
    }
    return m;
}

/* Appends the mixture over node x, fused (one MIX node) or composed (a column slice, a product and
 * a sum per expert); returns the output node (width n_out) and fills nodes: an expert's skip range
 * ends at its output node (fused) or its product (composed). */
int pinn_moe_build_mode(pinn_graph *g, int x, const pinn_mlp_spec *gate, double temperature, int n_experts,
                        const pinn_mlp_spec *experts, pinn_moe_nodes *nodes, int fused) {
    if (n_experts < 1 || n_experts > PINN_MAX_EXPERTS_MOE || gate->n_out != n_experts || !(temperature > 0))
        return pinn_graph_affine(g, -1, -1, -1);
    for (int e = 1; e < n_experts; e++)
        if (experts[e].n_out != experts[0].n_out) return pinn_graph_affine(g, -1, -1, -1);
    int logits = pinn_mlp_build(g, x, gate);
    if (temperature != 1.0) logits = pinn_graph_scale_shift(g, logits, 1.0 / temperature, 0.0);
    int p = pinn_graph_softmax(g, logits);
    if (nodes) nodes->gate = p;
    int acc = -1, us[PINN_MAX_EXPERTS_MOE];
    for (int e = 0; e < n_experts; e++) {
        int first = pinn_graph_nnodes(g);
        int u = pinn_mlp_build(g, x, &experts[e]), last = u;
        us[e] = u;
        if (!fused) {
            int pe = pinn_graph_slice_cols(g, p, e, 1);
            last = pinn_graph_mul(g, pe, u);
            acc = e == 0 ? last : pinn_graph_add(g, acc, last, 1.0, 1.0);
        }
        if (nodes) nodes->expert[e] = u, nodes->first[e] = first, nodes->last[e] = last;
    }
    return fused ? pinn_graph_mix(g, p, n_experts, us) : acc;
}

/* The mixture in the default mode (fused_default). */
int pinn_moe_build_ex(pinn_graph *g, int x, const pinn_mlp_spec *gate, double temperature, int n_experts,
                      const pinn_mlp_spec *experts, pinn_moe_nodes *nodes) {
    return pinn_moe_build_mode(g, x, gate, temperature, n_experts, experts, nodes, fused_default());
}

int pinn_moe_build(pinn_graph *g, int x, const pinn_mlp_spec *gate, int n_experts, const pinn_mlp_spec *experts,
                   int *gate_node) {
    pinn_moe_nodes nd;
    int out = pinn_moe_build_ex(g, x, gate, 1.0, n_experts, experts, &nd);
    if (gate_node) *gate_node = out >= 0 ? nd.gate : -1;
    return out;
}

/* ---------------------------------------------------------------- configuration */

/* "tanh", "sin", "relu^3": a short activation name for expert labels. */
static void act_label(const pinn_mlp_spec *s, char *out, size_t n) {
    if (s->n_hidden == 0) {
        snprintf(out, n, "linear");
        return;
    }
    const char *name = pinn_fn_to_string(s->act[0]);
    if (s->act[0] == PINN_FN_RELUK) snprintf(out, n, "relu%d", (int)s->act_p[0]);
    else snprintf(out, n, "%s", name ? name : "f");
}

/* The label of expert e: its `name`, else "e<i>_<act>_<L>x<W>". */
static pinn_status expert_label(moe_state *m, pinn_cfg *c, int item, int e, pinn_error *err) {
    char act[16], name[32] = "";
    if (item >= 0 && pinn_cfg_find(c, item, "name") >= 0) {
        pinn_status st = pinn_cfg_str(c, item, "name", "", name, sizeof name - 4, err);
        if (st) return st;
        for (char *q = name; *q; q++)
            if (!((*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z') || (*q >= '0' && *q <= '9') || *q == '_'))
                return pinn_cfg_expected(c, pinn_cfg_find(c, item, "name"), "name", "letters, digits and _", err);
        snprintf(m->label[e], sizeof m->label[e], "%s", name);
        return PINN_OK;
    }
    const pinn_mlp_spec *s = &m->ex[e];
    act_label(s, act, sizeof act);
    int w = s->n_hidden ? s->hidden[0] : 0;
    snprintf(m->label[e], sizeof m->label[e], "e%d_%.8s_%dx%d", e, act, s->n_hidden, w);
    return PINN_OK;
}

#define MOE_STR2(x) #x
#define MOE_STR(x) MOE_STR2(x)

/* model.search: {activations, depths, widths, init}: one expert per combination (activation
 * outermost, then depth, then width), for the architecture search. */
static pinn_status read_search(moe_state *m, pinn_cfg *c, int node, const pinn_model_info *info, pinn_error *err) {
    static const char *const skeys[] = {"activations", "depths", "widths", "residual", "init", NULL};
    static const int ddef[2] = {2, 3}, wdef[1] = {32};
    int is = pinn_cfg_find(c, node, "search"), depth[8], width[8], nd, nw;
    if (pinn_cfg_find(c, node, "experts") >= 0) return pinn_cfg_expected(c, is, "search", "either search or experts, not both", err);
    if (pinn_cfg_type_of(c, is) != PINN_CFG_MAP)
        return pinn_cfg_expected(c, is, "search", "a mapping {activations, depths, widths, residual, init}", err);
    pinn_status st;
    if ((st = pinn_cfg_check_keys(c, is, skeys, err)) ||
        (st = pinn_cfg_int_list(c, is, "depths", 1, PINN_MLP_MAX_LAYERS, 8, ddef, 2, depth, &nd, err)) ||
        (st = pinn_cfg_int_list(c, is, "widths", 1, 100000, 8, wdef, 1, width, &nw, err)))
        return st;
    int ia = pinn_cfg_find(c, is, "activations");
    if (ia < 0) {
        ia = pinn_cfg_add(c, is, "activations", PINN_CFG_SEQ, NULL, 0);
        if (ia < 0 || pinn_cfg_add(c, ia, NULL, PINN_CFG_SCALAR, "tanh", 0) < 0 || pinn_cfg_add(c, ia, NULL, PINN_CFG_SCALAR, "sin", 0) < 0)
            return pinn_error_set(err, PINN_ERR_INVALID, "%s: model: the configuration is too large", c->file);
    }
    int na = pinn_cfg_type_of(c, ia) == PINN_CFG_SEQ ? pinn_cfg_count(c, ia) : 0;
    if (na < 1) return pinn_cfg_expected(c, ia, "activations", "a list of activation names", err);
    if ((long)na * nd * nw > PINN_MAX_EXPERTS_MOE)
        return pinn_cfg_expected(c, is, "search", "at most " MOE_STR(PINN_MAX_EXPERTS_MOE) " combinations of activations, depths and widths", err);
    /* each activation through a scratch mapping, so that its errors read as the MLP's */
    pinn_cfg tmp;
    m->n_experts = 0;
    for (int a = 0; a < na; a++) {
        int item = pinn_cfg_item(c, ia, a);
        if (!pinn_cfg_text(c, item)) return pinn_cfg_expected(c, item, "activations", "a list of activation names", err);
        pinn_cfg_clear(&tmp, c->file, c->prefix, pinn_cfg_line(c, item));
        pinn_cfg_set(&tmp, 0, "activation", pinn_cfg_text(c, item));
        tmp.node[pinn_cfg_find(&tmp, 0, "activation")].line = pinn_cfg_line(c, item);
        if (pinn_cfg_find(c, is, "residual") >= 0) pinn_cfg_copy(&tmp, 0, "residual", c, pinn_cfg_find(c, is, "residual"));
        if (pinn_cfg_find(c, is, "init") >= 0) pinn_cfg_copy(&tmp, 0, "init", c, pinn_cfg_find(c, is, "init"));
        static const int one[1] = {1};
        int cnt;
        int h[1];
        if ((st = pinn_cfg_int_list(&tmp, 0, "hidden", 1, 1, 1, one, 1, h, &cnt, err))) return st;
        pinn_mlp_spec base;
        if ((st = pinn_mlp_spec_configure(&base, &tmp, 0, info, err))) return st;
        for (int q = 0; q < nd; q++)
            for (int w = 0; w < nw; w++) {
                int e = m->n_experts++;
                m->ex[e] = base;
                m->ex[e].n_hidden = depth[q];
                for (int l = 0; l < depth[q]; l++) m->ex[e].hidden[l] = width[w], m->ex[e].act[l] = base.act[0], m->ex[e].act_p[l] = base.act_p[0];
                if ((st = expert_label(m, c, -1, e, err))) return st;
            }
    }
    return PINN_OK;
}

/* model.experts: a number (that many copies of the MLP keys at the top level) or a list of
 * mappings, each an MLP of its own. */
static pinn_status read_experts(moe_state *m, pinn_cfg *c, int node, const pinn_model_info *info, pinn_error *err) {
    static const char *const ekeys[] = {"hidden", "activation", "k", "residual", "normalize", "init", "name", NULL};
    int ie = pinn_cfg_find(c, node, "experts");
    pinn_status st;
    if (pinn_cfg_find(c, node, "search") >= 0) return read_search(m, c, node, info, err);
    if (ie >= 0 && pinn_cfg_type_of(c, ie) == PINN_CFG_SEQ) {
        int n = pinn_cfg_count(c, ie);
        if (n < 1 || n > PINN_MAX_EXPERTS_MOE)
            return pinn_cfg_expected(c, ie, "experts", "a list of 1 to " MOE_STR(PINN_MAX_EXPERTS_MOE) " expert mappings", err);
        for (int e = 0; e < n; e++) {
            int item = pinn_cfg_item(c, ie, e);
            if (pinn_cfg_type_of(c, item) != PINN_CFG_MAP)
                return pinn_cfg_expected(c, item, "experts", "a mapping {hidden, activation, k, residual, normalize, init, name}",
                                         err);
            if ((st = pinn_cfg_check_keys(c, item, ekeys, err)) || (st = pinn_mlp_spec_configure(&m->ex[e], c, item, info, err)) ||
                (st = expert_label(m, c, item, e, err)))
                return st;
            for (int q = 0; q < e; q++)
                if (!strcmp(m->label[q], m->label[e]))
                    return pinn_cfg_expected(c, item, "name", "a name no other expert has", err);
        }
        m->n_experts = n;
        return PINN_OK;
    }
    long ne;
    pinn_mlp_spec one;
    if ((st = pinn_mlp_spec_configure(&one, c, node, info, err)) ||
        (st = pinn_cfg_int(c, node, "experts", 1, PINN_MAX_EXPERTS_MOE, 1, 4, &ne, err)))
        return st;
    m->n_experts = (int)ne;
    for (int e = 0; e < m->n_experts; e++) {
        m->ex[e] = one;
        if ((st = expert_label(m, c, -1, e, err))) return st;
    }
    return PINN_OK;
}

/* model.gate: {hidden, activation, k, residual, init, normalize, temperature}; the older key gate_hidden
 * sets the widths alone. */
static pinn_status read_gate(moe_state *m, pinn_cfg *c, int node, const pinn_model_info *info, pinn_error *err) {
    static const char *const gkeys[] = {"hidden", "activation", "k", "residual", "init", "normalize", "temperature", NULL};
    static const int gdef[1] = {16};
    pinn_status st;
    int ig = pinn_cfg_find(c, node, "gate");
    if (ig >= 0 && pinn_cfg_find(c, node, "gate_hidden") >= 0)
        return pinn_cfg_expected(c, ig, "gate", "either gate or gate_hidden, not both", err);
    if (ig < 0) {
        int old = pinn_cfg_find(c, node, "gate_hidden");
        ig = pinn_cfg_add(c, node, "gate", PINN_CFG_MAP, NULL, 0);
        if (ig < 0) return pinn_error_set(err, PINN_ERR_INVALID, "%s: model: the configuration is too large", c->file);
        if (old >= 0 && pinn_cfg_copy(c, ig, "hidden", c, old) < 0)
            return pinn_error_set(err, PINN_ERR_INVALID, "%s: model: the configuration is too large", c->file);
    }
    if (pinn_cfg_type_of(c, ig) != PINN_CFG_MAP)
        return pinn_cfg_expected(c, ig, "gate", "a mapping {hidden, activation, init, temperature}", err);
    int tmp[PINN_MLP_MAX_LAYERS], nt;
    if ((st = pinn_cfg_check_keys(c, ig, gkeys, err)) ||
        (st = pinn_cfg_int_list(c, ig, "hidden", 1, 100000, PINN_MLP_MAX_LAYERS, gdef, 1, tmp, &nt, err)) ||
        (st = pinn_mlp_spec_configure(&m->gate, c, ig, info, err)) ||
        (st = pinn_cfg_real(c, ig, "temperature", 1e-3, 1e3, 1, 1.0, &m->temperature, err)))
        return st;
    m->gate.n_out = m->n_experts;
    return PINN_OK;
}

/* model.sparsity: {weight, p, eps}: L_reg = weight * mean_x sum_e ((lambda_e + eps)^p - eps^p). */
static pinn_status read_sparsity(moe_state *m, pinn_cfg *c, int node, pinn_error *err) {
    static const char *const skeys[] = {"weight", "p", "eps", NULL};
    int is = pinn_cfg_find(c, node, "sparsity");
    if (is < 0) return PINN_OK;
    if (pinn_cfg_type_of(c, is) != PINN_CFG_MAP) return pinn_cfg_expected(c, is, "sparsity", "a mapping {weight, p, eps}", err);
    pinn_status st;
    if ((st = pinn_cfg_check_keys(c, is, skeys, err)) || (st = pinn_cfg_real(c, is, "weight", 0, 1e6, 1, 1e-2, &m->sp_weight, err)) ||
        (st = pinn_cfg_real(c, is, "p", 1e-3, 10, 1, 0.5, &m->sp_p, err)) ||
        (st = pinn_cfg_real(c, is, "eps", 1e-12, 1e-2, 1, 1e-6, &m->sp_eps, err)))
        return st;
    m->sparsity = m->sp_weight > 0; /* weight 0: no term at all */
    return PINN_OK;
}

/* model.prune: {epochs: [...], every, after, threshold, keep, by}: experts whose mean gate weight
 * over the collocation points (by: weight), or whose share of the mean of sum_e |lambda_e u_e| (by:
 * contribution), is below threshold leave the mixture at those steps. */
static pinn_status read_prune(moe_state *m, pinn_cfg *c, int node, pinn_error *err) {
    static const char *const pkeys[] = {"epochs", "every", "after", "threshold", "keep", "by", NULL};
    static const char *const by[] = {"weight", "contribution"};
    int ip = pinn_cfg_find(c, node, "prune");
    if (ip < 0) return PINN_OK;
    if (pinn_cfg_type_of(c, ip) != PINN_CFG_MAP)
        return pinn_cfg_expected(c, ip, "prune", "a mapping {epochs, every, after, threshold, keep}", err);
    pinn_status st;
    static const int none[1] = {0};
    int ep[MOE_MAX_PRUNE];
    long keep;
    if ((st = pinn_cfg_check_keys(c, ip, pkeys, err)) ||
        (st = pinn_cfg_int_list(c, ip, "epochs", 0, 1000000000, MOE_MAX_PRUNE, none, 0, ep, &m->n_prune, err)) ||
        (st = pinn_cfg_int(c, ip, "every", 0, 1000000000, 1, 0, &m->prune_every, err)) ||
        (st = pinn_cfg_int(c, ip, "after", 0, 1000000000, 1, 0, &m->prune_after, err)) ||
        (st = pinn_cfg_real(c, ip, "threshold", 0, 1, 1, 0.05, &m->threshold, err)) ||
        (st = pinn_cfg_int(c, ip, "keep", 1, PINN_MAX_EXPERTS_MOE, 1, 1, &keep, err)) ||
        (st = pinn_cfg_choice(c, ip, "by", by, 2, 0, &m->by_contribution, err)))
        return st;
    if (m->n_prune == 0 && m->prune_every == 0)
        return pinn_cfg_expected(c, ip, "prune", "epochs (a list of steps) or every (a period)", err);
    for (int i = 0; i < m->n_prune; i++) m->prune_epochs[i] = ep[i];
    m->keep = (int)keep;
    return PINN_OK;
}

static pinn_status moe_configure(void *state, pinn_cfg *c, int node, const pinn_model_info *info, pinn_error *err) {
    static const char *const keys[] = {PINN_MODEL_COMMON_KEYS, "hidden", "activation", "k", "residual", "normalize", "init",
                                       "experts", "search", "gate_hidden", "gate", "sparsity", "prune", NULL};
    moe_state *m = state;
    pinn_status st;
    int ie = pinn_cfg_find(c, node, "experts");
    if ((st = pinn_cfg_check_keys(c, node, keys, err))) return st;
    if ((ie >= 0 && pinn_cfg_type_of(c, ie) == PINN_CFG_SEQ) || pinn_cfg_find(c, node, "search") >= 0) { /* the MLP keys belong to each expert */
        static const char *const mk[] = {"hidden", "activation", "k", "residual", "normalize", "init"};
        for (size_t q = 0; q < sizeof mk / sizeof mk[0]; q++)
            if (pinn_cfg_find(c, node, mk[q]) >= 0)
                return pinn_cfg_expected(c, pinn_cfg_find(c, node, mk[q]), mk[q], "this key inside each entry of experts", err);
    }
    if ((st = read_experts(m, c, node, info, err)) || (st = read_gate(m, c, node, info, err)) ||
        (st = read_sparsity(m, c, node, err)) || (st = read_prune(m, c, node, err)))
        return st;
    if (m->keep > m->n_experts) m->keep = m->n_experts;
    m->n_in = info->n_in, m->n_out = info->n_out;
    return PINN_OK;
}

/* ---------------------------------------------------------------- build */

/* The mixture into g (and, once, the probe graph of moe_train.c); the sparsity column as an
 * auxiliary output: sum_e (lambda_e + eps)^p - E eps^p, whose mean the trainer weighs. */
static pinn_status moe_build(void *state, pinn_graph *g, int x, const pinn_model_info *info, pinn_model_out *out,
                             pinn_error *err) {
    (void)info;
    moe_state *m = state;
    m->gate.prefix = "gate";
    for (int e = 0; e < m->n_experts; e++) {
        snprintf(m->prefix[e], sizeof m->prefix[e], "expert_%.40s", m->label[e]); /* by name: --from maps experts by it */
        m->ex[e].prefix = m->prefix[e];
    }
    out->fields = pinn_moe_build_ex(g, x, &m->gate, m->temperature, m->n_experts, m->ex, &m->nodes);
    if (out->fields < 0) return PINN_OK; /* the graph holds the error */
    if (m->sparsity) {
        double E = m->n_experts, c0 = E * pow(m->sp_eps, m->sp_p);
        int s = pinn_graph_scale_shift(g, m->nodes.gate, 1.0, m->sp_eps);
        s = pinn_graph_sum(g, pinn_graph_unary(g, PINN_FN_POW, m->sp_p, s));
        out->aux[out->n_aux] = pinn_graph_scale_shift(g, s, 1.0, -c0);
        snprintf(out->aux_name[out->n_aux], sizeof out->aux_name[0], "moe_sparsity");
        out->aux_weight[out->n_aux++] = m->sp_weight;
    }
    return moe_layout(m, g, err);
}

const pinn_model_ops pinn_model_moe_ops = {.kind = "moe",
                                           .state_size = sizeof(moe_state),
                                           .configure = moe_configure,
                                           .build = moe_build,
                                           .param_mask = moe_param_mask,
                                           .after_step = moe_after_step,
                                           .diagnostics = moe_diagnostics,
                                           .release = moe_release,
                                           .points = moe_points,
                                           .values = moe_values};
