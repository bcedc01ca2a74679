/* moe.h - the state of the "moe" model kind shared by its configuration and build (moe.c) and its
 * training hooks (moe_train.c: importances, pruning, gate and expert maps). */
#ifndef PINN_MODEL_MOE_H
#define PINN_MODEL_MOE_H

#include "pinnc/model.h"

#define MOE_MAX_PRUNE 16
/* The gate bias of a pruned expert, times max(1, T): its logit is below the others by far more than
 * exp underflows at (about 745 in double, 104 in float), so its softmax weight is exactly 0; a
 * moderate size keeps the parameter vector's scale (L-BFGS's step tolerances) sane. */
#define MOE_PRUNED_LOGIT (-1e4)
#define MOE_PROBE_BLOCK 256

typedef struct moe_state {
    /* configuration */
    int n_experts, n_in, n_out;
    pinn_mlp_spec ex[PINN_MAX_EXPERTS_MOE], gate;
    char prefix[PINN_MAX_EXPERTS_MOE][64]; /* parameter names: "expert_<label>.W0", ... */
    char label[PINN_MAX_EXPERTS_MOE][48];  /* names in history and summary: `name` or "e0_tanh_2x64" (< 28 chars) */
    double temperature;
    int sparsity;
    double sp_weight, sp_p, sp_eps;
    int n_prune, keep;
    long prune_epochs[MOE_MAX_PRUNE], prune_every, prune_after;
    double threshold;
    int by_contribution; /* prune.by: 0 the mean gate weight, 1 the share of sum |lambda_e u_e| */
    /* after build: the main graph's layout */
    pinn_moe_nodes nodes;
    size_t ex_off[PINN_MAX_EXPERTS_MOE], ex_len[PINN_MAX_EXPERTS_MOE]; /* each expert's parameters */
    size_t gw_off, gb_off;  /* the gate's last weight (n_experts x gw_cols) and bias */
    int gw_cols;
    unsigned char pruned[PINN_MAX_EXPERTS_MOE];
    long pruned_at[PINN_MAX_EXPERTS_MOE];
    /* the probe: gate weights and expert outputs at plain points (value stream only) */
    pinn_graph *probe;
    pinn_plan *plan;
    pinn_tape *tape;
    pinn_real *probe_P;
    size_t *probe_map; /* probe parameter i is main parameter probe_map[i] */
    double *acc;       /* [n_experts] */
    /* the collocation points (points hook) */
    const pinn_real *pts;
    size_t n_pts;
} moe_state;

/* moe.c: the mixture fused into one MIX node (fused = 1) or composed of slices, products and sums
 * (0); pinn_moe_build_ex is this in the PINN_MOE_FUSED mode. */
int pinn_moe_build_mode(pinn_graph *g, int x, const pinn_mlp_spec *gate, double temperature, int n_experts,
                        const pinn_mlp_spec *experts, pinn_moe_nodes *nodes, int fused);

/* moe_train.c */
pinn_status moe_layout(moe_state *m, const pinn_graph *g, pinn_error *err);
void moe_param_mask(const void *state, const pinn_graph *g, unsigned char *trainable);
pinn_status moe_after_step(void *state, long step, const pinn_graph *g, pinn_real *params, pinn_error *err);
pinn_status moe_diagnostics(void *state, const pinn_graph *g, const pinn_real *params, size_t n, const pinn_real *x,
                            const pinn_model_sink *sink, pinn_error *err);
void moe_release(void *state);
void moe_points(void *state, size_t n, const pinn_real *x);
int moe_values(void *state, const pinn_graph *g, const pinn_real *params, char (*names)[32], double *values);
/* Mean gate weight of each expert over n points x into imp[n_experts] (params: the main graph's),
 * and, when con is not NULL, each expert's share of the mean of sum_e |lambda_e u_e| into con. */
pinn_status moe_importance(moe_state *m, const pinn_real *params, size_t n, const pinn_real *x, double *imp,
                           double *con, pinn_error *err);

#endif
