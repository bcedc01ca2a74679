/* moe.c - the softmax-gated mixture of experts as a jet graph, and the "moe" model kind: a gate
 * MLP whose softmax weighs expert MLPs (Bischof & Kraus, MoE-PINNs). */
#include <stdio.h>
#include <string.h>

#include "pinnc/model.h"

int pinn_moe_build(pinn_graph *g, int x, const pinn_mlp_spec *gate, int n_experts, const pinn_mlp_spec *experts,
                   int *gate_node) {
    if (n_experts < 1 || gate->n_out != n_experts) return pinn_graph_affine(g, -1, -1, -1);
    int logits = pinn_mlp_build(g, x, gate);
    int p = pinn_graph_softmax(g, logits);
    if (gate_node) *gate_node = p;
    int acc = -1;
    for (int e = 0; e < n_experts; e++) {
        int u = pinn_mlp_build(g, x, &experts[e]);
        int pe = pinn_graph_slice_cols(g, p, e, 1);
        int term = pinn_graph_mul(g, pe, u);
        acc = e == 0 ? term : pinn_graph_add(g, acc, term, 1.0, 1.0);
    }
    return acc;
}

/* ---------------------------------------------------------------- the "moe" kind */

typedef struct moe_state {
    pinn_mlp_spec expert, gate;
    int n_experts;
    char names[PINN_MAX_EXPERTS_MOE][24];
} moe_state;

static pinn_status moe_configure(void *state, pinn_cfg *c, int node, const pinn_model_info *info, pinn_error *err) {
    static const char *const keys[] = {PINN_MODEL_COMMON_KEYS, "hidden", "activation", "k", "residual", "normalize", "init",
                                       "experts", "gate_hidden", NULL};
    moe_state *m = state;
    long ne;
    static const int gdef[1] = {16};
    pinn_status st;
    if ((st = pinn_cfg_check_keys(c, node, keys, err)) || (st = pinn_mlp_spec_configure(&m->expert, c, node, info, err)) ||
        (st = pinn_cfg_int(c, node, "experts", 1, PINN_MAX_EXPERTS_MOE, 1, 4, &ne, err)))
        return st;
    m->n_experts = (int)ne;
    m->gate = m->expert;
    m->gate.n_out = m->n_experts;
    if ((st = pinn_cfg_int_list(c, node, "gate_hidden", 1, 100000, PINN_MLP_MAX_LAYERS, gdef, 1, m->gate.hidden,
                                &m->gate.n_hidden, err)))
        return st;
    for (int l = 0; l < m->gate.n_hidden; l++) m->gate.act[l] = PINN_FN_TANH, m->gate.act_p[l] = 1;
    m->gate.residual = 0;
    return PINN_OK;
}

static pinn_status moe_build(void *state, pinn_graph *g, int x, const pinn_model_info *info, pinn_model_out *out,
                             pinn_error *err) {
    (void)info, (void)err;
    moe_state *m = state;
    pinn_mlp_spec ex[PINN_MAX_EXPERTS_MOE];
    m->gate.prefix = "gate";
    for (int e = 0; e < m->n_experts; e++) {
        snprintf(m->names[e], sizeof m->names[e], "expert%d", e);
        ex[e] = m->expert;
        ex[e].prefix = m->names[e];
    }
    out->fields = pinn_moe_build(g, x, &m->gate, m->n_experts, ex, NULL);
    return PINN_OK;
}

const pinn_model_ops pinn_model_moe_ops = {"moe", sizeof(moe_state), moe_configure, moe_build, NULL, NULL, NULL, NULL, NULL};
