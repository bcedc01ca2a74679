/* test_moe.c - the "moe" model kind: diverse experts (widths, activations, residual, init) under a
 * gate with its own layers and a softmax temperature, with the sparsity column, against finite
 * differences in the inputs (orders 1-4) and the parameters; the regulariser's value and its
 * gradient where a gate weight is ~1e-17; pruning (threshold, keep, the gate weight exactly 0, the
 * expert's parameters masked and without effect, the pruned model FD-checked, the state recovered
 * from the parameters after a restart); the search option; importances and the configuration errors. */
#include <stdio.h>
#include <unistd.h>

#include "check.h"
#include "fdcheck.h"

static int seq(pinn_cfg *c, int parent, const char *key, const char *const *items, int n) {
    int s = pinn_cfg_add(c, parent, key, PINN_CFG_SEQ, NULL, 0);
    for (int i = 0; i < n; i++) pinn_cfg_add(c, s, NULL, PINN_CFG_SCALAR, items[i], 0);
    return s;
}

/* Three diverse experts (2 tanh layers with a skip, 1 sin layer with uniform init, 2 relu^5
 * layers, swish in float) under a 1-layer sin gate at temperature 0.7, sparsity weight 0.1 with p = 0.5. */
static void diverse_cfg(pinn_cfg *c, int prune) {
    pinn_cfg_clear(c, "test.yaml", "model", 1);
    pinn_cfg_set(c, 0, "kind", "moe");
    int ex = pinn_cfg_add(c, 0, "experts", PINN_CFG_SEQ, NULL, 0);
    static const char *const h66[] = {"6", "6"}, *const h5[] = {"5"}, *const h44[] = {"4", "4"};
    int e0 = pinn_cfg_add(c, ex, NULL, PINN_CFG_MAP, NULL, 0);
    seq(c, e0, "hidden", h66, 2);
    pinn_cfg_set(c, e0, "activation", "tanh");
    pinn_cfg_set(c, e0, "residual", "true");
    int e1 = pinn_cfg_add(c, ex, NULL, PINN_CFG_MAP, NULL, 0);
    seq(c, e1, "hidden", h5, 1);
    pinn_cfg_set(c, e1, "activation", "sin");
    pinn_cfg_set(c, e1, "init", "glorot_uniform");
    pinn_cfg_set(c, e1, "name", "sine");
    int e2 = pinn_cfg_add(c, ex, NULL, PINN_CFG_MAP, NULL, 0);
    seq(c, e2, "hidden", h44, 2);
    /* relu^5 in double; in float swish: the float differences of a relu^k expert inside the
     * mixture (order-4 plans, steps 2^-6 across its kinks) err by up to 0.1 */
    pinn_cfg_set(c, e2, "activation", PINN_TEST_FLOAT ? "swish" : "relu^5");
    int g = pinn_cfg_add(c, 0, "gate", PINN_CFG_MAP, NULL, 0);
    seq(c, g, "hidden", h5, 1);
    pinn_cfg_set(c, g, "activation", "sin");
    pinn_cfg_set(c, g, "temperature", "0.7");
    int s = pinn_cfg_add(c, 0, "sparsity", PINN_CFG_MAP, NULL, 0);
    pinn_cfg_set(c, s, "weight", "0.1");
    /* p = 0.5; in float p = 2: the order-3/4 streams of (lambda + eps)^0.5 carry (lambda + eps)^-3.5,
     * beyond what float differences resolve (the loss reads only the value stream) */
    pinn_cfg_set(c, s, "p", PINN_TEST_FLOAT ? "2" : "0.5");
    if (prune) {
        static const char *const ep[] = {"5"};
        int p = pinn_cfg_add(c, 0, "prune", PINN_CFG_MAP, NULL, 0);
        seq(c, p, "epochs", ep, 1);
        pinn_cfg_set(c, p, "threshold", "0.05");
    }
}

typedef struct built {
    pinn_model *m;
    pinn_graph *g;
    pinn_real *P;
} built;

static int build(built *b, pinn_cfg *c, pinn_error *err) {
    static const double lo[2] = {-1, -1}, hi[2] = {1, 1};
    static const char *const coords[2] = {"x", "y"};
    pinn_model_info info = {2, 1, lo, hi, coords, -1, 1};
    memset(b, 0, sizeof *b);
    pinn_status st = pinn_model_init(&b->m, pinn_model_find_builtin("moe"), c, &info, err);
    if (st) return st;
    pinn_expr_symbols sym;
    memset(&sym, 0, sizeof sym);
    if ((st = pinn_graph_init(&b->g, 2, err)) || (st = pinn_model_build(b->m, b->g, &sym, err))) return st;
    size_t np = pinn_graph_nparams(b->g);
    b->P = malloc(sizeof(pinn_real) * np);
    pinn_rng r;
    pinn_rng_seed(&r, 7);
    pinn_graph_init_params(b->g, b->P, &r);
    for (size_t i = 0; i < np; i++)
        if (b->P[i] == 0) b->P[i] = 0.1 * pinn_rng_normal(&r); /* non-zero biases: every parameter matters */
    return PINN_OK;
}

static void unbuild(built *b) {
    free(b->P);
    pinn_graph_free(b->g);
    pinn_model_free(b->m);
}

/* FD checks of the whole output (fields and sparsity column) for full plans of orders 2 and 4 and
 * the Laplacian plan. */
static void fd_all(const char *name, const pinn_graph *g, pinn_real *P) {
    for (int order = 2; order <= 4; order += 2) {
        pinn_plan *pl = fd_full_plan(2, order);
        fd_result res = fd_check(g, pl, P, 5, -0.9, 0.9, 0, 11);
        for (int o = 1; o <= order; o++)
            CHECK(res.in_err[o] <= FD_TOL_IN(o), "%s order %d: input derivative error %.3g", name, o, res.in_err[o]);
        CHECK(res.par_err <= FD_TOL_PAR, "%s plan order %d: parameter gradient error %.3g", name, order, res.par_err);
        if (getenv("PINN_TEST_VERBOSE"))
            printf("%-24s ord%d in: %.1e %.1e %.1e %.1e  par: %.1e\n", name, order, res.in_err[1], res.in_err[2],
                   res.in_err[3], res.in_err[4], res.par_err);
        pinn_plan_free(pl);
    }
    int req[2 * PINN_MAX_INPUTS] = {0};
    req[0] = 2, req[PINN_MAX_INPUTS + 1] = 2;
    pinn_plan *pl = NULL;
    pinn_error e;
    CHECK(pinn_plan_init(&pl, 2, 2, req, &e) == PINN_OK, "plan: %s", e.msg);
    fd_result res = fd_check(g, pl, P, 5, -0.9, 0.9, 0, 12);
    CHECK(res.in_err[2] <= FD_TOL_IN(2) && res.par_err <= FD_TOL_PAR, "%s Laplacian plan: %.3g %.3g", name, res.in_err[2],
          res.par_err);
    pinn_plan_free(pl);
}

/* Value stream of the output at n points: [n][2] (u, sparsity column). */
static void values_at(const pinn_graph *g, const pinn_real *P, int n, const pinn_real *x, double *out) {
    pinn_plan *pl = NULL;
    pinn_tape *t = NULL;
    pinn_error e;
    CHECK(pinn_plan_init(&pl, 2, 0, NULL, &e) == PINN_OK && pinn_tape_init(&t, g, pl, n, &e) == PINN_OK, "tape: %s", e.msg);
    pinn_tape_forward(t, P, x, n);
    const pinn_real *o = pinn_tape_output(t);
    for (int i = 0; i < 2 * n; i++) out[i] = o[i];
    pinn_tape_free(t);
    pinn_plan_free(pl);
}

static size_t slice_off(const pinn_graph *g, const char *name, size_t *size) {
    for (int i = 0; i < pinn_graph_nslices(g); i++) {
        const char *nm;
        size_t off;
        pinn_graph_slice(g, i, &nm, &off, size);
        if (!strcmp(nm, name)) return off;
    }
    CHECK(0, "no slice %s", name);
    return 0;
}

static void bad(const char *what, void (*edit)(pinn_cfg *c), const char *needle) {
    pinn_cfg c;
    diverse_cfg(&c, 0);
    edit(&c);
    built b;
    pinn_error err;
    err.msg[0] = 0;
    int st = build(&b, &c, &err);
    CHECK(st != PINN_OK && strstr(err.msg, needle) && strstr(err.msg, "test.yaml"), "%s: status %d, message '%s'", what, st, err.msg);
    unbuild(&b);
}
static void edit_scalar_expert(pinn_cfg *c) { pinn_cfg_add(c, pinn_cfg_find(c, 0, "experts"), NULL, PINN_CFG_SCALAR, "3", 0); }
static void edit_unknown(pinn_cfg *c) { pinn_cfg_set(c, pinn_cfg_item(c, pinn_cfg_find(c, 0, "experts"), 0), "depth", "3"); }
static void edit_dup(pinn_cfg *c) { pinn_cfg_set(c, pinn_cfg_item(c, pinn_cfg_find(c, 0, "experts"), 0), "name", "sine"); }
static void edit_both(pinn_cfg *c) {
    static const char *const h[] = {"4"};
    seq(c, 0, "gate_hidden", h, 1);
}
static void edit_prune(pinn_cfg *c) { pinn_cfg_add(c, 0, "prune", PINN_CFG_MAP, NULL, 0); }
static void edit_top(pinn_cfg *c) { pinn_cfg_set(c, 0, "activation", "sin"); }
static void edit_temp(pinn_cfg *c) { pinn_cfg_set(c, pinn_cfg_find(c, 0, "gate"), "temperature", "0"); }

/* The problem of the tiny training runs below: Poisson on the unit square, up to its model line. */
#define TINY_PROBLEM                                                                               \
    "title: moe tiny\ndomain: {x: [0, 1], y: [0, 1]}\nfields: [u]\nequations: [\"-lap(u) = 1\"]\n" \
    "conditions:\n  - {name: boundary, on: boundary, equation: \"u = 0\", points: 40}\n"

/* Writes `yaml` to dir.yaml and trains it into dir: the problem in *p, the trainer in *t (the caller
 * frees both); the trainer's fingerprint before training goes to tiny_fingerprint. */
static uint64_t tiny_fingerprint;
static pinn_status run_yaml(const char *dir, const char *yaml, pinn_problem *p, pinn_trainer **t, pinn_error *err) {
    char path[600];
    snprintf(path, sizeof path, "%s.yaml", dir);
    FILE *f = fopen(path, "w");
    if (!f) return pinn_error_set(err, PINN_ERR_IO, "cannot write %s", path);
    fputs(yaml, f);
    fclose(f);
    pinn_status st = pinn_problem_load(p, path, 0, NULL, err);
    if (!st) st = pinn_trainer_init(t, p, err);
    if (!st) tiny_fingerprint = pinn_trainer_fingerprint(*t);
    if (!st) st = pinn_trainer_train(*t, dir, 0, NULL, NULL, err);
    remove(path);
    return st;
}

/* Trains a tiny mixture of `experts` experts for 10 steps into dir (pruning to 1 at step 5 when prune);
 * returns the matrix-product GFLOP of one epoch at the end. */
static double train_tiny(const char *dir, int experts, int prune) {
    char yaml[1200];
    snprintf(yaml, sizeof yaml,
             TINY_PROBLEM "model: {kind: moe, experts: %d, hidden: [32, 32], gate: {hidden: [2]}, sparsity: {weight: 0.01, p: 0.5}%s}\n"
             "train: {collocation: 100, epochs: 10, lbfgs: %d, log_every: 5, eval_every: 0, threads: 1}\n"
             "output: {grid: [5, 5], png: false}\n",
             experts, prune ? ", prune: {epochs: [5], threshold: 1.0, keep: 1}" : "", prune ? 8 : 0);
    pinn_problem *p = malloc(sizeof *p);
    pinn_trainer *t = NULL;
    pinn_error err;
    double flop = 0;
    pinn_status st = run_yaml(dir, yaml, p, &t, &err);
    CHECK(st == PINN_OK, "tiny run: %s", err.msg);
    if (!st) {
        pinn_trainer_info v;
        pinn_trainer_get_info(t, &v);
        flop = v.gemm_gflop_per_epoch;
        /* L-BFGS goes on after pruning (a huge pinned logit once broke its line search) */
        if (prune) CHECK(v.lbfgs_iterations == 8 && strcmp(v.lbfgs_stop, "line_search"), "L-BFGS after pruning: %ld iterations, stop %s",
                         v.lbfgs_iterations, v.lbfgs_stop);
    }
    pinn_trainer_free(t);
    free(p);
    return flop;
}

/* Levenberg-Marquardt after pruning: `phases` trains a tiny 3-expert mixture (pruned to 1 at step 5)
 * into dir; returns its parameters (malloc'd, *n of them) and the final loss, NULL on failure. */
static pinn_real *lm_tiny(const char *dir, const char *phases, const pinn_real *before, size_t *n, double *loss) {
    char yaml[1200];
    snprintf(yaml, sizeof yaml,
             TINY_PROBLEM "model: {kind: moe, experts: 3, hidden: [8], gate: {hidden: [2]}, sparsity: {weight: 0.01, p: 0.5},"
             " prune: {epochs: [5], threshold: 1.0, keep: 1}}\n"
             "train: {collocation: 60, phases: %s, log_every: 5, eval_every: 0, threads: 1}\n"
             "output: {grid: [5, 5], png: false, npy: false}\n",
             phases);
    pinn_problem *p = malloc(sizeof *p);
    pinn_trainer *t = NULL;
    pinn_error err;
    pinn_real *P = NULL;
    pinn_status st = run_yaml(dir, yaml, p, &t, &err);
    CHECK(st == PINN_OK, "lm after pruning: %s", err.msg);
    if (!st) {
        pinn_trainer_info v;
        pinn_trainer_get_info(t, &v);
        *n = pinn_trainer_nparams(t), *loss = v.final_loss;
        P = malloc(sizeof *P * *n);
        if (P) memcpy(P, pinn_trainer_params(t), sizeof *P * *n);
        built b;
        if (P && before && !build(&b, &p->model.cfg, &err)) {
            /* by slice: a pruned expert (its gate bias pinned at -1e4) is where `before` left it */
            size_t gsz, gb = slice_off(b.g, "gate.b1", &gsz);
            unsigned pruned = 0;
            int live_moved = 0;
            for (int i = 0; i < pinn_graph_nslices(b.g); i++) {
                const char *nm;
                size_t off, sz;
                pinn_graph_slice(b.g, i, &nm, &off, &sz);
                int e;
                if (sscanf(nm, "expert_e%d", &e) != 1 || e < 0 || (size_t)e >= gsz) continue;
                int same = !memcmp(P + off, before + off, sizeof *P * sz);
                if (P[gb + (size_t)e] <= -1e3) {
                    pruned |= 1u << e;
                    CHECK(same, "lm after pruning: slice %s of a pruned expert moved", nm);
                } else
                    live_moved += !same;
            }
            CHECK(__builtin_popcount(pruned) == 2 && live_moved > 0, "lm after pruning: experts pruned (mask) %u, %d slices of the live one moved",
                  pruned, live_moved);
            unbuild(&b);
        }
    }
    pinn_trainer_free(t);
    free(p);
    return P;
}

/* The last line of dir/name and its header, read back. */
static void read_csv(const char *dir, const char *name, char *head, char *last, size_t n) {
    char path[700], line[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "r");
    head[0] = last[0] = 0;
    if (!f) return;
    if (fgets(head, (int)n, f))
        while (fgets(line, sizeof line, f)) snprintf(last, n, "%s", line);
    fclose(f);
}

int main(void) {
    pinn_error err;
    pinn_cfg c;
    built b;

    /* 1. diverse experts and the regulariser, FD-checked */
    diverse_cfg(&c, 0);
    CHECK(build(&b, &c, &err) == PINN_OK, "build: %s", err.msg);
    const pinn_model_out *mo = pinn_model_outputs(b.m);
    CHECK(mo->n_aux == 1 && !strcmp(mo->aux_name[0], "moe_sparsity") && mo->aux_weight[0] == 0.1, "aux %d", mo->n_aux);
    /* parameters: gate 2->5->3 (33), experts 2->6->6->1 (67), 2->5->1 (21), 2->4->4->1 (37) */
    CHECK(pinn_graph_nparams(b.g) == 33 + 67 + 21 + 37, "params %zu", pinn_graph_nparams(b.g));
    fd_all("moe diverse + sparsity", b.g, b.P);

    /* the regulariser's value: sum_e (lambda_e + eps)^p - 3 eps^p, in [0, 3^(1-p)] (p = 0.5) */
    pinn_real x[8 * 2];
    for (int i = 0; i < 16; i++) x[i] = (pinn_real)(-0.8 + 0.1 * i);
    double v[16], imp[PINN_MAX_EXPERTS_MOE];
    values_at(b.g, b.P, 8, x, v);
    for (int i = 0; i < 8 && !PINN_TEST_FLOAT; i++)
        CHECK(v[2 * i + 1] > 1.0 - 1e-6 && v[2 * i + 1] <= sqrt(3.0) + 1e-6, "reg %g", v[2 * i + 1]);
    for (int i = 0; i < 8 && PINN_TEST_FLOAT; i++) /* p = 2: sum lambda^2 in [1/3, 1] */
        CHECK(v[2 * i + 1] > 1.0 / 3 - 1e-5 && v[2 * i + 1] <= 1.0 + 1e-5, "reg %g", v[2 * i + 1]);
    /* lambda_0 -> ~1e-17: the gradient stays finite and matches the differences */
    size_t sz, gb = slice_off(b.g, "gate.b1", &sz);
    b.P[gb] = -40;
    fd_all("moe lambda_0 ~ 1e-17", b.g, b.P);
    {
        pinn_plan *pl = fd_full_plan(2, 2);
        pinn_tape *t = NULL;
        CHECK(pinn_tape_init(&t, b.g, pl, 8, &err) == PINN_OK, "tape: %s", err.msg);
        pinn_real *G = calloc(pinn_graph_nparams(b.g), sizeof *G);
        pinn_tape_forward(t, b.P, x, 8);
        pinn_tape_zero_grad(t);
        pinn_real *gz = pinn_tape_output_grad(t);
        for (int p = 0; p < 8; p++) gz[p * 2 + 1] = 1; /* d(sum of the regulariser's values) */
        pinn_tape_backward(t, b.P, G);
        int finite = 1;
        for (size_t i = 0; i < pinn_graph_nparams(b.g); i++) finite &= isfinite((double)G[i]);
        CHECK(finite, "regulariser gradient not finite at lambda ~ 0");
        free(G);
        pinn_tape_free(t);
        pinn_plan_free(pl);
    }
    unbuild(&b);

    /* 2. pruning at step 5: expert 1 (gate bias -20) falls below 0.05 and leaves */
    diverse_cfg(&c, 1);
    CHECK(build(&b, &c, &err) == PINN_OK, "build: %s", err.msg);
    const pinn_model_ops *ops = pinn_model_kind(b.m);
    void *state = pinn_model_state(b.m);
    gb = slice_off(b.g, "gate.b1", &sz);
    b.P[gb + 1] = -20;
    pinn_real *pts = fd_points(500, 2, -1, 1, 5);
    ops->points(state, 500, pts);
    char names[PINN_MODEL_MAX_VALUES][32];
    int nv = ops->values(state, b.g, b.P, names, imp);
    CHECK(nv == 4 && !strcmp(names[1], "imp_sine") && !strcmp(names[0], "imp_e0_tanh_2x6") && imp[3] == 3, "values %d %s", nv,
          names[0]);
    CHECK(imp[1] < 1e-6 && fabs(imp[0] + imp[1] + imp[2] - 1) < 1e-5, "importances %g %g %g", imp[0], imp[1], imp[2]);
    double before[16], after[16];
    values_at(b.g, b.P, 8, x, before);
    CHECK(ops->after_step(state, 4, b.g, b.P, &err) == PINN_OK, "after_step: %s", err.msg);
    ops->values(state, b.g, b.P, names, imp);
    CHECK(imp[3] == 3, "pruned before its step");
    CHECK(ops->after_step(state, 5, b.g, b.P, &err) == PINN_OK, "after_step: %s", err.msg);
    ops->values(state, b.g, b.P, names, imp);
    CHECK(imp[3] == 2 && imp[1] == 0 && imp[0] > 0.05 && imp[2] > 0.05, "after pruning: %g active, lambda_1 %g", imp[3], imp[1]);
    size_t np = pinn_graph_nparams(b.g);
    unsigned char *tr = malloc(np);
    memset(tr, 1, np);
    ops->param_mask(state, b.g, tr);
    size_t e1sz, e1 = slice_off(b.g, "expert_sine.W0", &e1sz), masked = 0;
    for (size_t i = 0; i < np; i++) masked += !tr[i];
    CHECK(!tr[e1] && !tr[gb + 1] && tr[gb] && masked == 21 + 5 + 1, "mask: %zu parameters off", masked);
    /* the output loses a weight below 1e-8: nearly unchanged, and the expert's parameters have no effect */
    values_at(b.g, b.P, 8, x, after);
    for (int i = 0; i < 8; i++) CHECK(fabs(after[2 * i] - before[2 * i]) < 1e-6, "pruning moved u by %g", after[2 * i] - before[2 * i]);
    for (size_t k = 0; k < e1sz; k++) b.P[e1 + k] += 1;
    values_at(b.g, b.P, 8, x, before);
    for (int i = 0; i < 16; i++) CHECK(before[i] == after[i], "a pruned expert still acts: %g vs %g", before[i], after[i]);
    fd_all("moe pruned", b.g, b.P);
    /* a restart (a fresh model over the saved parameters) finds the pruned expert again */
    pinn_real *saved = malloc(sizeof(pinn_real) * np);
    memcpy(saved, b.P, sizeof(pinn_real) * np);
    unbuild(&b);
    diverse_cfg(&c, 1);
    CHECK(build(&b, &c, &err) == PINN_OK, "build: %s", err.msg);
    memcpy(b.P, saved, sizeof(pinn_real) * np);
    ops->points(pinn_model_state(b.m), 500, pts);
    CHECK(ops->after_step(pinn_model_state(b.m), 0, b.g, b.P, &err) == PINN_OK, "after_step: %s", err.msg);
    ops->values(pinn_model_state(b.m), b.g, b.P, names, imp);
    CHECK(imp[3] == 2 && imp[1] == 0, "restart: %g active", imp[3]);
    free(saved);
    free(tr);
    free(pts);
    unbuild(&b);

    /* pruning by contribution: the shares of sum |lambda_e u_e| as extra columns, summing to 1 */
    diverse_cfg(&c, 1);
    pinn_cfg_set(&c, pinn_cfg_find(&c, 0, "prune"), "by", "contribution");
    CHECK(build(&b, &c, &err) == PINN_OK, "build: %s", err.msg);
    pts = fd_points(200, 2, -1, 1, 8);
    ops->points(pinn_model_state(b.m), 200, pts);
    nv = ops->values(pinn_model_state(b.m), b.g, b.P, names, imp);
    CHECK(nv == 7 && !strcmp(names[4], "con_sine") && imp[6] == 3 && fabs(imp[3] + imp[4] + imp[5] - 1) < 1e-9 && imp[4] > 0,
          "contribution values: %d, %s, sum %g", nv, names[4], imp[3] + imp[4] + imp[5]);
    free(pts);
    unbuild(&b);

    /* 3. the architecture search: one expert per activation x depth x width */
    pinn_cfg_clear(&c, "test.yaml", "model", 1);
    pinn_cfg_set(&c, 0, "kind", "moe");
    {
        static const char *const acts[] = {"sin", "tanh"}, *const deps[] = {"1", "2"}, *const wids[] = {"3"};
        int sr = pinn_cfg_add(&c, 0, "search", PINN_CFG_MAP, NULL, 0);
        seq(&c, sr, "activations", acts, 2);
        seq(&c, sr, "depths", deps, 2);
        seq(&c, sr, "widths", wids, 1);
    }
    CHECK(build(&b, &c, &err) == PINN_OK, "search build: %s", err.msg);
    pts = fd_points(50, 2, -1, 1, 6);
    ops->points(pinn_model_state(b.m), 50, pts);
    nv = ops->values(pinn_model_state(b.m), b.g, b.P, names, imp);
    CHECK(nv == 5 && !strcmp(names[0], "imp_e0_sin_1x3") && !strcmp(names[3], "imp_e3_tanh_2x3"), "search: %d values, %s %s", nv,
          names[0], names[3]);
    /* gate 2->16->4 (116), experts 2->3->1 (13) and 2->3->3->1 (25), twice */
    CHECK(pinn_graph_nparams(b.g) == 116 + 2 * (13 + 25), "search params %zu", pinn_graph_nparams(b.g));
    fd_all("moe search", b.g, b.P);
    free(pts);
    unbuild(&b);

    /* 4. training: importance columns in the history, the ranking in summary.json, and a pruned
     * mixture's epoch does the matrix products of the gate and one expert only */
    {
        char dir0[256], dir1[256], head[4096], last[4096];
        snprintf(dir0, sizeof dir0, "%s/pinnc_test_moe_%d_a", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp", (int)getpid());
        snprintf(dir1, sizeof dir1, "%s/pinnc_test_moe_%d_b", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp", (int)getpid());
        { /* lm after pruning packs J's trainable columns: the pruned experts' parameters stay where
           * the pruning step left them, the survivor's and the gate's move and lower the loss */
            size_t na = 0, nb = 0;
            double la = 0, lb = 0;
            pinn_real *A = lm_tiny(dir0, "[{kind: adam, epochs: 10, lr: 0.01}]", NULL, &na, &la);
            pinn_real *B = A ? lm_tiny(dir0, "[{kind: adam, epochs: 10, lr: 0.01}, {kind: lm, iterations: 6, weights: {moe_sparsity: 0}}]",
                                       A, &nb, &lb)
                             : NULL;
            if (A && B && na == nb)
                CHECK(lb < la, "lm after pruning: loss %g after Adam, %g after lm", la, lb);
            else
                CHECK(0, "lm after pruning: runs failed or differ in size (%zu, %zu)", na, nb);
            free(A), free(B);
        }
        double f_all = train_tiny(dir0, 3, 0);
        uint64_t fp_plain = tiny_fingerprint;
        double f_single = train_tiny(dir0, 1, 0), f_one = train_tiny(dir1, 3, 1);
        /* a pruning schedule is no part of the fingerprint (a run resumes under one added later) */
        CHECK(tiny_fingerprint == fp_plain, "fingerprint with a prune key %016llx, without %016llx", (unsigned long long)tiny_fingerprint,
              (unsigned long long)fp_plain);
        /* pruned from 3 to 1: the matrix products of a 1-expert mixture, but for the gate's output
         * layer (2 x 3 against 2 x 1: 0.4 % of an expert's) */
        CHECK(f_all > 0 && f_one < 0.7 * f_all && fabs(f_one / f_single - 1) < 0.05, "epoch GFLOP: pruned %g, 1 expert %g, 3 experts %g",
              f_one, f_single, f_all);
        if (getenv("PINN_TEST_VERBOSE")) printf("epoch GFLOP: pruned %g, 1 expert %g, 3 experts %g\n", f_one, f_single, f_all);
        read_csv(dir1, "history.csv", head, last, sizeof head);
        CHECK(strstr(head, ",imp_e0_tanh_2x32,imp_e1_tanh_2x32,imp_e2_tanh_2x32,moe_active\n") != NULL, "history header: %s", head);
        size_t l = strlen(last);
        CHECK(l > 2 && !strcmp(last + l - 13, "1.000000e+00\n"), "history's last row: %s", last);
        char path[700];
        snprintf(path, sizeof path, "%s/summary.json", dir1);
        FILE *f = fopen(path, "r");
        char buf[8192] = "";
        if (f) buf[fread(buf, 1, sizeof buf - 1, f)] = 0, fclose(f);
        CHECK(strstr(buf, "\"importance_ranking\": [{\"expert\": \"e") && strstr(buf, "\"moe_active\": 1"), "summary: %.300s", buf);
        for (int q = 0; q < 2; q++) { /* clean up what the run layer wrote */
            char cmd[700];
            snprintf(cmd, sizeof cmd, "rm -rf '%s'", q ? dir1 : dir0);
            if (system(cmd)) fprintf(stderr, "cannot remove %s\n", q ? dir1 : dir0);
        }
    }

    /* 5. configuration errors name the file and what was expected */
    bad("a scalar expert", edit_scalar_expert, "mapping");
    bad("an unknown expert key", edit_unknown, "depth");
    bad("two experts of one name", edit_dup, "name");
    bad("gate and gate_hidden", edit_both, "gate_hidden");
    bad("prune without steps", edit_prune, "epochs");
    bad("MLP keys beside a list", edit_top, "inside each entry");
    bad("temperature 0", edit_temp, "temperature");
    return CHECK_DONE();
}
