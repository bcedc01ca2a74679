/* test_fbpinn.c - the "fbpinn" model kind: the partition of unity (one level and multilevel, 1-D and
 * 2-D, exact to rounding), finite-difference checks of the whole model (input derivatives to order 3,
 * parameter gradients; grids, levels, explicit boxes, no unity), located errors of bad sections, the
 * collocation order, the sweep schedule (states by step, frozen parameters, zero output where only
 * inactive subdomains reach, the resolved section's fingerprint), and a short training run on the 1-D multi-scale problem against a
 * plain MLP of the same step budget. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fdcheck.h"
#include "pinnc.h"
#include "train/phase.h"

/* ------------------------------------------------------------------ building a model from a tree */

/* key: a scalar, or a flow list "[a, b]" / nested "[[a, b], [c]]" of scalars. */
static void put(pinn_cfg *c, int node, const char *key, const char *val) {
    if (val[0] != '[') {
        pinn_cfg_add(c, node, key, PINN_CFG_SCALAR, val, 7);
        return;
    }
    int stack[4], top = 0;
    stack[0] = pinn_cfg_add(c, node, key, PINN_CFG_SEQ, NULL, 7);
    const char *p = val + 1;
    while (*p && top >= 0) {
        if (*p == '[') {
            int child = pinn_cfg_add(c, stack[top], NULL, PINN_CFG_SEQ, NULL, 7);
            stack[++top] = child, p++;
        }
        else if (*p == ']') top--, p++;
        else if (*p == ',' || *p == ' ') p++;
        else {
            char tok[32];
            int n = 0;
            while (*p && *p != ',' && *p != ']' && n < 31) tok[n++] = *p++;
            tok[n] = 0;
            pinn_cfg_add(c, stack[top], NULL, PINN_CFG_SCALAR, tok, 7);
        }
    }
}

/* A model section from "key=value;key=value" pairs. */
static void section(pinn_cfg *c, const char *spec) {
    pinn_cfg_clear(c, "test.yaml", "model", 3);
    char buf[512];
    snprintf(buf, sizeof buf, "%s", spec);
    for (char *tok = strtok(buf, ";"); tok; tok = strtok(NULL, ";")) {
        char *eq = strchr(tok, '=');
        *eq = 0;
        put(c, 0, tok, eq + 1);
    }
}

typedef struct built {
    pinn_model *m;
    pinn_graph *g;
    pinn_real *P;
    size_t np;
} built;

static const char *coord_names[PINN_MAX_INPUTS] = {"x", "y", "z", "t"};

static pinn_status build(built *b, pinn_cfg *c, int d, const double *lo, const double *hi, pinn_error *err) {
    memset(b, 0, sizeof *b);
    pinn_model_info info = {d, 1, lo, hi, coord_names, -1, 5};
    const char *fields[1] = {"u"};
    pinn_expr_symbols sym;
    memset(&sym, 0, sizeof sym);
    sym.n_coords = d, sym.coords = coord_names, sym.n_fields = 1, sym.fields = fields;
    pinn_status st = pinn_model_init(&b->m, pinn_model_find_builtin("fbpinn"), c, &info, err);
    if (!st) st = pinn_graph_init(&b->g, d, err);
    if (!st) st = pinn_model_build(b->m, b->g, &sym, err);
    if (st) return st;
    b->np = pinn_graph_nparams(b->g);
    b->P = malloc(sizeof(pinn_real) * b->np);
    pinn_rng rng;
    pinn_rng_seed(&rng, 11);
    pinn_graph_init_params(b->g, b->P, &rng);
    return PINN_OK;
}

static void unbuild(built *b) {
    pinn_graph_free(b->g);
    pinn_model_free(b->m);
    free(b->P);
}

/* ------------------------------------------------------------------ partition of unity */

/* Every subnetwork outputs the constant 1 (weights 0, output bias 1): with unity the model is
 * scale everywhere in the box and every derivative vanishes, to rounding. */
static void unity(const char *name, const char *spec, int d, double scale) {
    pinn_cfg *c = malloc(sizeof *c);
    section(c, spec);
    double lo[4] = {-1, 0, 0, 0}, hi[4] = {2, 1, 1, 1};
    built b;
    pinn_error err;
    pinn_status bst = build(&b, c, d, lo, hi, &err);
    CHECK_OK(bst, err);
    if (bst) goto done;
    memset(b.P, 0, sizeof(pinn_real) * b.np);
    int set = 0;
    for (int i = 0; i < pinn_graph_nslices(b.g); i++) {
        const char *nm;
        size_t off, size;
        pinn_graph_slice(b.g, i, &nm, &off, &size);
        const char *dot = strrchr(nm, '.');
        if (dot && !strcmp(dot, ".b1")) /* one hidden layer: b1 is the output bias */
            for (size_t q = 0; q < size; q++) b.P[off + q] = 1, set++;
    }
    CHECK(set > 0, "%s: output biases found", name);
    int n = 500;
    pinn_real *x = malloc(sizeof(pinn_real) * (size_t)n * d);
    pinn_rng rng;
    pinn_rng_seed(&rng, 3);
    for (int p = 0; p < n; p++)
        for (int i = 0; i < d; i++) x[p * d + i] = (pinn_real)(lo[i] + (hi[i] - lo[i]) * pinn_rng_uniform(&rng));
    pinn_plan *plan = fd_full_plan(d, 2);
    pinn_tape *t = NULL;
    CHECK_OK(pinn_tape_init(&t, b.g, plan, n, &err), err);
    pinn_tape_forward(t, b.P, x, n);
    const pinn_real *o = pinn_tape_output(t);
    double e0 = 0, e1 = 0;
    for (int p = 0; p < n; p++) e0 = fmax(e0, fabs(o[p] - scale));
    for (int s = 1; s < pinn_plan_size(plan); s++)
        for (int p = 0; p < n; p++) e1 = fmax(e1, fabs(o[(size_t)s * n + p]));
    printf("%-28s |u - %g| <= %.2e, |derivatives| <= %.2e\n", name, scale, e0, e1);
    CHECK(e0 <= PINN_TEST_TOL(1e-14, 2e-6) * fabs(scale), "%s: partition of unity: %.3e", name, e0);
    CHECK(e1 <= PINN_TEST_TOL(1e-10, 2e-2), "%s: derivatives of the unity: %.3e", name, e1);
    pinn_tape_free(t);
    pinn_plan_free(plan);
    free(x);
done:
    unbuild(&b);
    free(c);
}

/* ------------------------------------------------------------------ finite differences */

/* Input derivatives (full plan of order `order`) and parameter gradients at points that stay 3 steps
 * away from every support edge (there the C^3 window's order-4 derivative jumps).  Supports are kept
 * about 1 wide or more: the differences' truncation error grows like (pi / r)^5 h^4, which the float
 * build's step h = 2^-6 would otherwise turn into 1e-3 errors (docs/engine.md). */
static void fd_model(const char *name, const char *spec, int d, int order) {
    pinn_cfg *c = malloc(sizeof *c);
    section(c, spec);
    double lo[4] = {-1, 0, 0, 0}, hi[4] = {2, 1, 1, 1};
    built b;
    pinn_error err;
    pinn_status bst = build(&b, c, d, lo, hi, &err);
    CHECK_OK(bst, err);
    if (bst) goto done;
    int n = 0, want = 40;
    pinn_real *x = malloc(sizeof(pinn_real) * (size_t)want * d);
    pinn_rng rng;
    pinn_rng_seed(&rng, 9);
    double h = FD_H_IN, margin = 3 * h;
    for (int tries = 0; n < want && tries < 100000; tries++) {
        pinn_real p[PINN_MAX_INPUTS];
        for (int i = 0; i < d; i++) {
            p[i] = (pinn_real)(lo[i] + (hi[i] - lo[i]) * pinn_rng_uniform(&rng));
            if (PINN_TEST_FLOAT) p[i] = (pinn_real)ldexp(nearbyint(ldexp(p[i], 12)), -12);
        }
        int ok = 1;
        for (int k = 0; k < pinn_graph_subnets_count(b.g) && ok; k++)
            for (int j = 0; j < pinn_graph_subnets_instances(b.g, k) && ok; j++) {
                double cc[PINN_MAX_INPUTS], r[PINN_MAX_INPUTS];
                pinn_graph_subnets_box(b.g, k, j, cc, r);
                for (int i = 0; i < d; i++)
                    if (fabs(fabs(p[i] - cc[i]) - r[i]) < margin) ok = 0;
            }
        if (ok) memcpy(x + (size_t)n++ * d, p, sizeof(pinn_real) * d);
    }
    pinn_plan *plan = fd_full_plan(d, order);
    fd_result r = fd_check_at(b.g, plan, b.P, n, x, 0);
    printf("%-28s order 1 %.1e, 2 %.1e, 3 %.1e, params %.1e\n", name, r.in_err[1], r.in_err[2], order >= 3 ? r.in_err[3] : 0.0,
           r.par_err);
    for (int o = 1; o <= order; o++) CHECK(r.in_err[o] <= FD_TOL_IN(o), "%s: order %d derivatives: %.3e", name, o, r.in_err[o]);
    CHECK(r.par_err <= FD_TOL_PAR, "%s: parameter gradient: %.3e", name, r.par_err);
    pinn_plan_free(plan);
    free(x);
done:
    unbuild(&b);
    free(c);
}

/* ------------------------------------------------------------------ problem files */

static pinn_status load(const char *dir, const char *name, const char *text, pinn_problem *p, pinn_trainer **t,
                        pinn_error *err) {
    char path[512];
    snprintf(path, sizeof path, "%.400s/%s", dir, name);
    FILE *f = fopen(path, "w");
    fputs(text, f);
    fclose(f);
    *t = NULL;
    pinn_status st = pinn_problem_load(p, path, 0, NULL, err);
    if (!st) st = pinn_trainer_init(t, p, err);
    remove(path);
    return st;
}

/* The 1-D multi-scale problem du/dx = cos(x) + 15 cos(15 x), u(0) = 0 (hard), x in [-2 pi, 2 pi]. */
static const char *multiscale =
    "domain: {x: [-6.283185307179586, 6.283185307179586]}\nfields: [u]\n"
    "equations: [\"u_x - cos(x) - 15*cos(15*x) = 0\"]\n"
    "reference: {solver: exact, u: \"sin(x) + sin(15*x)\"}\n";

static void bad_sections(const char *dir) {
    const char *cases[][2] = {
        {"model: {kind: fbpinn, subdomains: 8,\n        overlap: 1.0}\n", "bad.yaml:6: model (fbpinn): overlap"},
        {"model: {kind: fbpinn, subdomains: 8, overlap: 0.7}\n", "covered by none"},
        {"model: {kind: fbpinn, centres: [-4, 4], widths: [6]}\n", "do not cover"},
        {"model: {kind: fbpinn, centres: [-3, 3], widths: [7, 7, 7]}\n", "widths"},
        {"model: {kind: fbpinn, subdomains: 4, levels: [1, 2]}\n", "give one of"},
        {"model: {kind: fbpinn, subdomains: [4, 4]}\n", "one per coordinate"},
        {"model: {kind: fbpinn, window: hat}\n", "window"},
        {"model: {kind: fbpinn, normalize: true}\n", "normalize"},
        {"model: {kind: fbpinn, schedule: {kind: sweep, along: [t]}}\n", "schedule.along"},
        {"model: {kind: fbpinn, levels: [1, 2], schedule: {kind: sweep}}\n", "one level"},
        {"model: {kind: fbpinn, subdomains: 0}\n", "subdomains"},
    };
    pinn_problem *p = malloc(sizeof *p);
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        char text[2048];
        snprintf(text, sizeof text, "%s%s", multiscale, cases[k][0]);
        pinn_trainer *t = NULL;
        pinn_error err;
        pinn_status st = load(dir, "bad.yaml", text, p, &t, &err);
        CHECK(st == PINN_ERR_INVALID && strstr(err.msg, cases[k][1]) && strstr(err.msg, "bad.yaml:"), "case %zu: %s", k, err.msg);
        if (k < 3) printf("bad section %zu: %s\n", k, err.msg);
        pinn_trainer_free(t);
    }
    free(p);
}

/* The collocation points reach the model sorted by cell (a block touches few subdomains). */
static void collocation_order(const char *dir) {
    char text[2048];
    snprintf(text, sizeof text, "%smodel: {kind: fbpinn, subdomains: 30}\ntrain: {collocation: 3000, sampler: uniform}\n", multiscale);
    pinn_problem *p = malloc(sizeof *p);
    pinn_trainer *t = NULL;
    pinn_error err;
    CHECK_OK(load(dir, "order.yaml", text, p, &t, &err), err);
    if (t) {
        const pinn_real *x = pinn_pointset_points(t->colloc);
        size_t n = pinn_pointset_count(t->colloc), bad = 0, touched = 0, blocks = 0;
        double dc = 4 * 3.141592653589793 / 29;
        for (size_t i = 1; i < n; i++) bad += floor((x[i] + 2 * 3.141592653589793) / dc) < floor((x[i - 1] + 2 * 3.141592653589793) / dc);
        for (size_t b0 = 0; b0 < n; b0 += 64, blocks++) { /* distinct subdomains per block of 64 */
            int seen[64] = {0}, cnt = 0, inst[8];
            for (size_t i = b0; i < n && i < b0 + 64; i++) {
                int m = pinn_graph_subnets_locate(t->graph, 0, x + i, inst, 8);
                for (int q = 0; q < m; q++)
                    if (!seen[inst[q] & 63]) seen[inst[q] & 63] = 1, cnt++;
            }
            touched += (size_t)cnt;
        }
        printf("collocation order: %zu out of order, %.2f subdomains per block of 64\n", bad, (double)touched / blocks);
        CHECK(bad == 0, "collocation points not sorted by cell: %zu", bad);
        CHECK((double)touched / blocks < 6, "blocks touch %.1f subdomains", (double)touched / blocks);
    }
    pinn_trainer_free(t);
    free(p);
}

/* A sweep: states follow the step count, parameters of subdomains that are not active do not move,
 * and where only inactive subdomains reach, the model is 0. */
static void sweep(const char *dir) {
    char text[2048];
    snprintf(text, sizeof text,
             "domain: {t: [0, 1]}\nfields: [u]\nequations: [\"u_t + u = 0\"]\n"
             "conditions: [{name: ic, on: \"t = 0\", equation: \"u = 1\", points: 1}]\n"
             "model: {kind: fbpinn, subdomains: 10, hidden: [8],\n  schedule: {kind: sweep, along: [t], active: 2, steps: 5}}\n"
             "train: {collocation: 200, epochs: 12, lr: 1.0e-2, eval_every: 0}\n");
    pinn_problem *p = malloc(sizeof *p);
    pinn_trainer *t = NULL;
    pinn_error err;
    CHECK_OK(load(dir, "sweep.yaml", text, p, &t, &err), err);
    if (!t) goto done;
    size_t per, off = pinn_graph_subnets_params(t->graph, 0, &per), np = pinn_trainer_nparams(t);
    pinn_real *P0 = malloc(sizeof(pinn_real) * np), *P5 = malloc(sizeof(pinn_real) * np);
    memcpy(P0, t->P, sizeof(pinn_real) * np);
    t->prob.train.epochs = 5;
    t->phases[0].total = 5;
    CHECK_OK(pinn_trainer_train(t, NULL, 0, NULL, NULL, &err), err);
    memcpy(P5, t->P, sizeof(pinn_real) * np);
    t->phases[0].total = 12;
    CHECK_OK(pinn_trainer_train(t, NULL, 0, NULL, NULL, &err), err);
    const unsigned char *st = pinn_graph_subnets_state(t->graph, 0);
    /* step 12, 5 steps per stage: stage 2, layers 0-1 fixed, 2-3 active, 4-9 inactive; layer 0's
     * support (overlap 2) meets no active one, so the loss passes park it (inactive) */
    unsigned char want[10] = {2, 1, 0, 0, 2, 2, 2, 2, 2, 2};
    int ok = 1;
    for (int j = 0; j < 10; j++) ok &= st[j] == want[j];
    CHECK(ok, "states at step 12: %d %d %d %d %d ...", st[0], st[1], st[2], st[3], st[4]);
    int moved[10];
    for (int j = 0; j < 10; j++) {
        moved[j] = memcmp(P0 + off + j * per, t->P + off + j * per, sizeof(pinn_real) * per) != 0;
    }
    CHECK(moved[0] && moved[1] && moved[2] && moved[3], "active subdomains trained");
    CHECK(!memcmp(P5 + off, t->P + off, sizeof(pinn_real) * per), "subdomain 0, fixed at step 5, moved after");
    for (int j = 4; j < 10; j++) CHECK(!moved[j], "inactive subdomain %d moved", j);
    /* only inactive subdomains reach t = 0.95: the model is 0 there; at t = 0.3 it is not, nor at
     * t = 0.02, which only the parked subdomain 0 and the fixed 1 cover (evaluations see both) */
    pinn_real xs[3] = {0.3, 0.95, 0.02}, u[3];
    const char *what[1] = {"u"};
    CHECK_OK(pinn_trainer_predict(t, 3, xs, 1, what, u, &err), err);
    CHECK(u[1] == 0 && u[0] != 0 && u[2] != 0, "model %g at t = 0.3, %g at 0.95 (only inactive subdomains), %g at 0.02",
          (double)u[0], (double)u[1], (double)u[2]);
    CHECK(st[0] == 2, "subdomain 0 parked again after the prediction (state %d)", st[0]);
    /* t = 0.4 is covered by subdomains 3 (active) and 4 (inactive): with partial: drop (the default)
     * it is left out as well */
    pinn_real xf[1] = {0.4}, uf[1];
    CHECK_OK(pinn_trainer_predict(t, 1, xf, 1, what, uf, &err), err);
    CHECK(uf[0] == 0, "point at the front (an inactive subdomain covers it): model %g, expected 0", (double)uf[0]);
    free(P0), free(P5);
    { /* the resolved section (defaults inside the schedule mapping) read back has the same fingerprint */
        char path[512];
        snprintf(path, sizeof path, "%.400s/resolved.yaml", dir);
        pinn_problem *q = malloc(sizeof *q);
        pinn_trainer *t2 = NULL;
        CHECK_OK(pinn_problem_write(pinn_trainer_problem(t), path, &err), err);
        CHECK_OK(pinn_problem_load(q, path, 0, NULL, &err), err);
        CHECK_OK(pinn_trainer_init(&t2, q, &err), err);
        CHECK(t2 && pinn_trainer_fingerprint(t2) == pinn_trainer_fingerprint(t), "fingerprint of the resolved problem");
        pinn_trainer_free(t2);
        free(q);
        remove(path);
    }
done:
    pinn_trainer_free(t);
    free(p);
}

/* A sweep with a longer first stage, Adam restarted at each stage change and the front points kept:
 * the stage follows first + k * steps, the moments restart, a front point is evaluated. */
static void sweep_restart(const char *dir) {
    char text[2048];
    snprintf(text, sizeof text,
             "domain: {t: [0, 1]}\nfields: [u]\nequations: [\"u_t + u = 0\"]\n"
             "conditions: [{name: ic, on: \"t = 0\", equation: \"u = 1\", points: 1}]\n"
             "model: {kind: fbpinn, subdomains: 10, hidden: [8],\n"
             "  schedule: {kind: sweep, active: 2, first: 7, steps: 5, restart: true, partial: keep}}\n"
             "train: {collocation: 200, epochs: 14, lr: 1.0e-2, eval_every: 0}\n");
    pinn_problem *p = malloc(sizeof *p);
    pinn_trainer *t = NULL;
    pinn_error err;
    CHECK_OK(load(dir, "sweep2.yaml", text, p, &t, &err), err);
    if (!t) goto done;
    CHECK_OK(pinn_trainer_train(t, NULL, 0, NULL, NULL, &err), err);
    const unsigned char *st = pinn_graph_subnets_state(t->graph, 0);
    /* step 14: stage 1 + (14 - 7) / 5 = 2; the last restart at step 12 */
    CHECK(st[1] == 1 && st[2] == 0 && st[3] == 0 && st[4] == 2, "states at step 14: %d %d %d %d", st[1], st[2], st[3], st[4]);
    CHECK(t->phases[0].adam.t == 2, "Adam steps since the restart at step 12: %ld, expected 2", (long)t->phases[0].adam.t);
    pinn_real xf[1] = {0.4}, uf[1];
    const char *what[1] = {"u"};
    CHECK_OK(pinn_trainer_predict(t, 1, xf, 1, what, uf, &err), err);
    CHECK(uf[0] != 0, "partial: keep evaluates the front point t = 0.4 by subdomain 3 (model %g)", (double)uf[0]);
done:
    pinn_trainer_free(t);
    free(p);
}

/* ------------------------------------------------------------------ training */

static double train_rel(const char *dir, const char *model) {
    char text[2048];
    snprintf(text, sizeof text, "%smodel: %s\ntrain: {collocation: 600, sampler: grid, epochs: 2000, lr: 3.0e-3, eval_every: 0, threads: 1}\n",
             multiscale, model);
    pinn_problem *p = malloc(sizeof *p);
    pinn_trainer *t = NULL;
    pinn_error err;
    double rel = NAN;
    CHECK_OK(load(dir, "train.yaml", text, p, &t, &err), err);
    if (t && !pinn_trainer_train(t, NULL, 0, NULL, NULL, &err)) pinn_trainer_evaluate(t, &rel, &err);
    pinn_trainer_free(t);
    free(p);
    return rel;
}

/* FBPINN (30 subdomains of 1 x 16) against an MLP of 3 x 32 (3 x the parameters per point it sees
 * do not matter here: the same number of steps), both with the hard constraint u = tanh(x) N. */
static void multiscale_training(const char *dir) {
    double fb = train_rel(dir, "{kind: fbpinn, subdomains: 30, hidden: [16], transform: \"tanh(x)*N\"}");
    double ml = train_rel(dir, "{kind: mlp, hidden: [32, 32, 32], transform: \"tanh(x)*N\"}");
    printf("1-D multi-scale, 2000 Adam steps: FBPINN relative L2 %.3e, MLP 3 x 32 %.3e\n", fb, ml);
    CHECK(fb < 0.2 * ml, "FBPINN %.3e is not 5x better than the MLP %.3e", fb, ml);
    CHECK(fb < 0.2, "FBPINN error %.3e", fb);
}

int main(void) {
    char dir[] = "/tmp/pinnc-fbpinn-XXXXXX";
    CHECK(mkdtemp(dir) != NULL, "mkdtemp");
    unity("1-D, 7 subdomains", "kind=fbpinn;subdomains=7;overlap=1.6", 1, 1.0);
    unity("1-D, levels 1 2 4 8, x 2.5", "kind=fbpinn;levels=[1, 2, 4, 8];overlap=2.5;scale=2.5", 1, 2.5);
    unity("2-D, levels 1 [2,3] 5", "kind=fbpinn;levels=[1, [2, 3], 5];overlap=1.9", 2, 1.0);
    unity("2-D, explicit boxes", "kind=fbpinn;centres=[[-0.5, 0.2], [1.2, 0.5], [0.5, 0.8]];widths=[[3, 2.4], [2.4, 2.4], [2.4, 2.2]]", 2, 1.0);
    fd_model("1-D grid, order 3", "kind=fbpinn;subdomains=4;overlap=2.5;hidden=[8, 8]", 1, 3);
    fd_model("1-D levels 1 3, order 3", "kind=fbpinn;levels=[1, 3];hidden=[6];activation=sin;scale=1.7", 1, 3);
    fd_model("2-D grid 3x2, order 2", "kind=fbpinn;subdomains=[3, 2];overlap=2.2;hidden=[6]", 2, 2);
    fd_model("2-D levels, no unity", "kind=fbpinn;levels=[[1, 1], [2, 2]];unity=false;hidden=[5]", 2, 2);
    fd_model("2-D boxes, order 3", "kind=fbpinn;centres=[[-0.5, 0.2], [1.2, 0.5], [0.5, 0.8]];widths=[[3, 2.4], [2.4, 2.4], [2.4, 2.2]];hidden=[5]",
             2, 3);
    bad_sections(dir);
    collocation_order(dir);
    sweep(dir);
    sweep_restart(dir);
    multiscale_training(dir);
    rmdir(dir);
    return CHECK_DONE();
}
