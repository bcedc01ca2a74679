/* test_arch.c - the layers of the architecture: a model kind defined in this file alone, added
 * through the public registry call, trains and its auxiliary loss term has the gradient finite
 * differences give; the objective's Jacobian rows (linearize) against finite differences of the
 * residual rows, for equations, conditions, periodic pairs, data and a PDE parameter; the terms of
 * a PDE system evaluated in one pass give the gradient of the per-term path; an explicit phase
 * list equals the train keys bitwise; two trainers with 1 and 2 threads run at the same time in
 * one process, each bitwise equal to its own solo run. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "pinnc.h"
#include "train/trainer.h"

/* ------------------------------------------------------------------ a toy kind: sin layer + u^2 */

typedef struct toy_state {
    long width;
    double reg;
} toy_state;

static pinn_status toy_configure(void *state, pinn_cfg *c, int node, const pinn_model_info *info, pinn_error *err) {
    (void)info;
    static const char *const keys[] = {PINN_MODEL_COMMON_KEYS, "width", "reg", NULL};
    toy_state *s = state;
    pinn_status st = pinn_cfg_check_keys(c, node, keys, err);
    if (!st) st = pinn_cfg_int(c, node, "width", 1, 1000, 1, 12, &s->width, err);
    if (!st) st = pinn_cfg_real(c, node, "reg", 0, 1, 1, 1e-6, &s->reg, err);
    return st;
}

static pinn_status toy_build(void *state, pinn_graph *g, int x, const pinn_model_info *info, pinn_model_out *out,
                             pinn_error *err) {
    (void)err;
    toy_state *s = state;
    pinn_mlp_spec spec;
    pinn_mlp_spec_default(&spec, info->n_in, info->n_out, 1, (int)s->width, PINN_FN_SIN);
    spec.prefix = "toy";
    out->fields = pinn_mlp_build(g, x, &spec);
    out->n_aux = 1;
    out->aux[0] = pinn_graph_mul(g, out->fields, out->fields);
    snprintf(out->aux_name[0], sizeof out->aux_name[0], "toy_reg");
    out->aux_weight[0] = s->reg;
    return PINN_OK;
}

static const pinn_model_ops toy_ops = {.kind = "toy", .state_size = sizeof(toy_state), .configure = toy_configure, .build = toy_build};

/* -u'' = pi^2 sin(pi x) on [0, 1], u(0) = u(1) = 0: u = sin(pi x). */
static void poisson1d(pinn_problem *p, const char *kind, int epochs, int lbfgs, int threads) {
    pinn_problem_defaults(p);
    p->domain.d = 1;
    strcpy(p->domain.coord[0], "x");
    p->domain.lo[0] = 0, p->domain.hi[0] = 1;
    p->n_fields = 1;
    strcpy(p->fields[0], "u");
    p->n_equations = 1;
    strcpy(p->equations[0].expr, "u_xx + pi^2*sin(pi*x) = 0");
    p->n_conditions = 1;
    pinn_condition *c = &p->conditions[0];
    strcpy(c->name, "ends"), strcpy(c->on, "x = 0 or x = 1"), strcpy(c->equation, "u = 0");
    c->points = 2, c->weight = 1;
    snprintf(p->model.kind, sizeof p->model.kind, "%s", kind);
    pinn_cfg_clear(&p->model.cfg, "", "model", 0);
    if (!strcmp(kind, "mlp")) {
        int h = pinn_cfg_add(&p->model.cfg, 0, "hidden", PINN_CFG_SEQ, NULL, 0);
        pinn_cfg_add(&p->model.cfg, h, NULL, PINN_CFG_SCALAR, "12", 0);
        pinn_cfg_add(&p->model.cfg, h, NULL, PINN_CFG_SCALAR, "12", 0);
    }
    p->train.collocation = 128;
    p->train.epochs = epochs;
    p->train.lbfgs_iters = lbfgs;
    p->train.lr = 3e-3;
    p->train.threads = threads;
    p->train.eval_every = 0;
    p->reference.kind = PINN_REFK_EXACT;
    strcpy(p->reference.exact[0], "sin(pi*x)");
}

static void toy_kind(void) {
    pinn_error err;
    pinn_ctx *ctx = NULL;
    CHECK_OK(pinn_ctx_init(&ctx, 1, &err), err);
    pinn_problem *p = malloc(sizeof *p);
    poisson1d(p, "toy", 1500, 200, 1);
    pinn_trainer *t = NULL;
    CHECK(pinn_trainer_init_ctx(&t, ctx, p, &err) == PINN_ERR_INVALID && strstr(err.msg, "unknown kind 'toy'"),
          "an unregistered kind must be refused: %s", err.msg);
    CHECK_OK(pinn_ctx_register_model(ctx, &toy_ops, &err), err);
    CHECK(pinn_ctx_register_model(ctx, &toy_ops, &err) == PINN_ERR_INVALID, "a kind registered twice");
    CHECK_OK(pinn_trainer_init_ctx(&t, ctx, p, &err), err);
    if (!t) goto done;
    pinn_objective *o = pinn_trainer_objective(t);
    CHECK(pinn_objective_nterms(o) == 3 && !strcmp(pinn_objective_term_name(o, 2), "toy_reg"), "the auxiliary term");
    /* the auxiliary term's gradient against central differences of its loss */
    size_t np = pinn_objective_nparams(o);
    pinn_real *P = malloc(sizeof(pinn_real) * np), *g[3];
    for (int k = 0; k < 3; k++) g[k] = malloc(sizeof(pinn_real) * np);
    memcpy(P, pinn_trainer_params(t), sizeof(pinn_real) * np);
    double L[3], Lp[3], Lm[3], h = PINN_TEST_TOL(1e-6, 1e-2);
    CHECK_OK(pinn_objective_eval(o, P, 1, L, g, &err), err);
    for (size_t j = 0; j < np; j += 5) {
        pinn_real keep = P[j];
        P[j] = keep + (pinn_real)h;
        pinn_objective_eval(o, P, 1, Lp, NULL, &err);
        P[j] = keep - (pinn_real)h;
        pinn_objective_eval(o, P, 1, Lm, NULL, &err);
        P[j] = keep;
        CHECK_CLOSE(g[2][j], (Lp[2] - Lm[2]) / (2 * h), PINN_TEST_TOL(1e-6, 5e-2), "d toy_reg / d param");
    }
    pinn_objective_eval(o, P, 1, L, NULL, &err);
    CHECK_OK(pinn_trainer_train(t, NULL, 0, NULL, NULL, &err), err);
    double rel[1];
    CHECK_OK(pinn_trainer_evaluate(t, rel, &err), err);
    printf("toy kind: relative L2 error %.3e\n", rel[0]);
    CHECK(rel[0] < 1e-2, "the toy kind did not learn: %.3e", rel[0]);
    free(P);
    for (int k = 0; k < 3; k++) free(g[k]);
done:
    pinn_trainer_free(t);
    pinn_ctx_free(ctx);
    free(p);
}

/* ------------------------------------------------------------------ linearize */

static void linearize(const char *dir) {
    char csv[400];
    snprintf(csv, sizeof csv, "%.300s/data.csv", dir);
    FILE *f = fopen(csv, "w");
    fprintf(f, "t,x,u\n0.5,0.1,0.2\n0.25,-0.4,0.5\n0.75,0.6,-0.3\n");
    fclose(f);
    pinn_problem *p = malloc(sizeof *p);
    pinn_problem_defaults(p);
    p->domain.d = 2, p->domain.time = 0;
    strcpy(p->domain.coord[0], "t"), strcpy(p->domain.coord[1], "x");
    p->domain.lo[0] = 0, p->domain.hi[0] = 1, p->domain.lo[1] = -1, p->domain.hi[1] = 1;
    p->n_fields = 1;
    strcpy(p->fields[0], "u");
    p->n_params = 1;
    strcpy(p->params[0].name, "nu"), p->params[0].value = 0.05;
    p->n_equations = 1;
    strcpy(p->equations[0].expr, "u_t + u*u_x - nu*u_xx = 0");
    p->n_conditions = 3;
    pinn_condition *c = p->conditions;
    strcpy(c[0].name, "initial"), strcpy(c[0].on, "t = 0"), strcpy(c[0].equation, "u = -sin(pi*x)");
    c[0].points = 6, c[0].weight = 2;
    strcpy(c[1].name, "per"), c[1].kind = PINN_COND_PERIODIC, c[1].coordinate = 1, c[1].derivatives = 1;
    c[1].points = 4, c[1].weight = 1;
    strcpy(c[2].name, "obs"), c[2].kind = PINN_COND_DATA, c[2].weight = 0.5;
    snprintf(c[2].file, sizeof c[2].file, "%s", csv);
    int h = pinn_cfg_add(&p->model.cfg, 0, "hidden", PINN_CFG_SEQ, NULL, 0);
    pinn_cfg_add(&p->model.cfg, h, NULL, PINN_CFG_SCALAR, "6", 0);
    pinn_cfg_add(&p->model.cfg, h, NULL, PINN_CFG_SCALAR, "5", 0);
    p->train.collocation = 10;
    pinn_error err;
    pinn_trainer *t = NULL;
    CHECK_OK(pinn_trainer_init(&t, p, &err), err);
    if (!t) {
        free(p);
        return;
    }
    pinn_objective *o = pinn_trainer_objective(t);
    size_t np = pinn_objective_nparams(o), nr = pinn_objective_nrows(o);
    CHECK(nr == 10 + 6 + 4 * 2 + 3, "rows: %zu (10 + 6 + 4 pairs x 2 streams + 3 data)", nr);
    pinn_real *P = malloc(sizeof(pinn_real) * np), *J = malloc(sizeof(pinn_real) * nr * np),
              *r = malloc(sizeof(pinn_real) * nr), *rp = malloc(sizeof(pinn_real) * nr), *rm = malloc(sizeof(pinn_real) * nr),
              *Jd = malloc(sizeof(pinn_real) * nr * np);
    memcpy(P, pinn_trainer_params(t), sizeof(pinn_real) * np);
    CHECK_OK(pinn_objective_linearize(o, P, 0, np, J, r, &err), err);
    /* the rows' squares add up to the weighted loss */
    double L[8], ss = 0, tot = 0;
    CHECK_OK(pinn_objective_eval(o, P, 1, L, NULL, &err), err);
    for (size_t i = 0; i < nr; i++) ss += (double)r[i] * r[i];
    for (int k = 0; k < pinn_objective_nterms(o); k++) tot += pinn_objective_weights(o)[k] * L[k];
    CHECK_CLOSE(ss, tot, PINN_TEST_TOL(1e-12, 1e-5), "sum of squared rows = weighted loss");
    double hh = PINN_TEST_TOL(1e-6, 3e-3);
    int bad = 0;
    for (size_t j = 0; j < np; j++) {
        pinn_real keep = P[j];
        P[j] = keep + (pinn_real)hh;
        pinn_objective_linearize(o, P, 0, np, Jd, rp, &err);
        P[j] = keep - (pinn_real)hh;
        pinn_objective_linearize(o, P, 0, np, Jd, rm, &err);
        P[j] = keep;
        for (size_t i = 0; i < nr; i++) {
            double fd = ((double)rp[i] - rm[i]) / (2 * hh), an = J[i * np + j];
            if (fabs(fd - an) > PINN_TEST_TOL(1e-6, 3e-2) * fmax(1, fabs(an))) bad++;
        }
    }
    CHECK(bad == 0, "linearize: %d Jacobian entries differ from finite differences", bad);
    /* a slice: the last column is the PDE parameter nu */
    CHECK_OK(pinn_objective_linearize(o, P, np - 1, 1, Jd, rp, &err), err);
    int same = 1;
    for (size_t i = 0; i < nr; i++) same &= Jd[i] == J[i * np + np - 1] && rp[i] == r[i];
    CHECK(same, "a one-column slice equals that column of the full Jacobian");
    free(P), free(J), free(r), free(rp), free(rm), free(Jd);
    pinn_trainer_free(t);
    free(p);
    remove(csv);
}

/* ------------------------------------------------------------------ one pass for a system */

static void system_one_pass(void) {
    pinn_problem *p = malloc(sizeof *p);
    poisson1d(p, "mlp", 0, 0, 1);
    p->n_fields = 2;
    strcpy(p->fields[1], "v");
    p->n_equations = 2;
    strcpy(p->equations[0].expr, "u_xx - v = 0");
    strcpy(p->equations[1].expr, "v + pi^2*sin(pi*x) + u*u_x = 0");
    p->reference.kind = PINN_REFK_NONE;
    pinn_error err;
    pinn_trainer *t = NULL;
    CHECK_OK(pinn_trainer_init(&t, p, &err), err);
    if (!t) {
        free(p);
        return;
    }
    CHECK(t->grp.n == 2 && t->grp.combined_ok, "the two equations form one group");
    t->weights[0] = 0.7, t->weights[1] = 1.3, t->weights[2] = 2.0;
    pinn_real *G1 = malloc(sizeof(pinn_real) * t->np), *G2 = malloc(sizeof(pinn_real) * t->np);
    tr_eval_each(t, 1, TR_EACH);
    double L1 = tr_combine(t, G1);
    tr_eval_each(t, 1, TR_SUM);
    CHECK(t->grp.combined, "one weighted backward pass");
    double L2 = tr_combine(t, G2);
    CHECK_CLOSE(L1, L2, PINN_TEST_ROUNDING(1e-15), "loss of both paths");
    double num = 0, den = 0;
    for (size_t i = 0; i < t->np; i++) num += ((double)G1[i] - G2[i]) * ((double)G1[i] - G2[i]), den += (double)G1[i] * G1[i];
    CHECK(sqrt(num / den) < PINN_TEST_TOL(1e-13, 1e-5), "one-pass gradient differs: %.3e relative", sqrt(num / den));
    free(G1), free(G2);
    pinn_trainer_free(t);
    free(p);
}

/* ------------------------------------------------------------------ phases and threads */

static pinn_real *train_params(pinn_problem *p, pinn_ctx *ctx, size_t *np) {
    pinn_error err;
    pinn_trainer *t = NULL;
    pinn_real *out = NULL;
    if (pinn_trainer_init_ctx(&t, ctx, p, &err) || pinn_trainer_train(t, NULL, 0, NULL, NULL, &err)) {
        fprintf(stderr, "%s\n", err.msg);
    } else {
        *np = pinn_trainer_nparams(t);
        out = malloc(sizeof(pinn_real) * *np);
        memcpy(out, pinn_trainer_params(t), sizeof(pinn_real) * *np);
    }
    pinn_trainer_free(t);
    return out;
}

static void phases_equal_keys(void) {
    pinn_problem *a = malloc(sizeof *a), *b = malloc(sizeof *b);
    poisson1d(a, "mlp", 300, 40, 1);
    *b = *a;
    b->train.epochs = 1, b->train.lbfgs_iters = 0; /* the list overrides these */
    pinn_cfg *c = &b->train.phases;
    pinn_cfg_clear(c, "", "train", 0);
    int l = pinn_cfg_add(c, 0, "phases", PINN_CFG_SEQ, NULL, 0);
    int x = pinn_cfg_add(c, l, NULL, PINN_CFG_MAP, NULL, 0);
    pinn_cfg_set(c, x, "kind", "adam"), pinn_cfg_set(c, x, "epochs", "300");
    x = pinn_cfg_add(c, l, NULL, PINN_CFG_MAP, NULL, 0);
    pinn_cfg_set(c, x, "kind", "lbfgs"), pinn_cfg_set(c, x, "iterations", "40");
    b->train.has_phases = 1;
    size_t na = 0, nb = 0;
    pinn_real *pa = train_params(a, NULL, &na), *pb = train_params(b, NULL, &nb);
    CHECK(pa && pb && na == nb && !memcmp(pa, pb, sizeof(pinn_real) * na), "explicit phases differ from the train keys");
    /* an unknown phase kind is a located error */
    pinn_cfg_set(c, x, "kind", "sgd");
    pinn_error err;
    pinn_trainer *t = NULL;
    CHECK(pinn_trainer_init(&t, b, &err) == PINN_ERR_INVALID && strstr(err.msg, "phases.kind"), "%s", err.msg);
    pinn_trainer_free(t);
    free(pa), free(pb), free(a), free(b);
}

typedef struct job {
    pinn_problem *p;
    pinn_ctx *ctx;
    pinn_real *out;
    size_t np;
} job;

static void *run_job(void *arg) {
    job *j = arg;
    j->out = train_params(j->p, j->ctx, &j->np);
    return NULL;
}

static void two_trainers(void) {
    pinn_problem *p = malloc(sizeof *p);
    poisson1d(p, "mlp", 400, 30, 0);
    p->train.collocation = 1024; /* several chunks, so that two threads share the work */
    pinn_error err;
    pinn_ctx *c1 = NULL, *c2 = NULL;
    CHECK_OK(pinn_ctx_init(&c1, 1, &err), err);
    CHECK_OK(pinn_ctx_init(&c2, 2, &err), err);
    CHECK(pinn_ctx_threads(c1) == 1, "context threads");
    job solo1 = {p, c1, NULL, 0}, solo2 = {p, c2, NULL, 0}, j1 = {p, c1, NULL, 0}, j2 = {p, c2, NULL, 0};
    run_job(&solo1);
    run_job(&solo2);
    pthread_t a, b;
    pthread_create(&a, NULL, run_job, &j1);
    pthread_create(&b, NULL, run_job, &j2);
    pthread_join(a, NULL);
    pthread_join(b, NULL);
    CHECK(solo1.out && j1.out && !memcmp(solo1.out, j1.out, sizeof(pinn_real) * solo1.np), "1-thread trainer differs");
    CHECK(solo2.out && j2.out && !memcmp(solo2.out, j2.out, sizeof(pinn_real) * solo2.np), "2-thread trainer differs");
    CHECK(solo1.out && solo2.out && !memcmp(solo1.out, solo2.out, sizeof(pinn_real) * solo1.np),
          "the thread count changed the result");
    free(solo1.out), free(solo2.out), free(j1.out), free(j2.out);
    pinn_ctx_free(c1), pinn_ctx_free(c2);
    free(p);
}

/* ------------------------------------------------------------------ the normal derivative */

/* u_n in an equation, or in a condition on the initial slice, is a located error (it crashed). */
static void normal_derivative(const char *dir) {
    const char *cases[][2] = {
        {"domain: {t: [0, 1], x: [-1, 1]}\nfields: [u]\nequations: [\"u_t - u_n = 0\"]\n", "defined on the boundary only"},
        {"domain: {t: [0, 1], x: [-1, 1]}\nfields: [u]\nequations: [\"u_t - u_xx = 0\"]\nconditions:\n"
         "  - {name: ic, on: \"t = 0\", equation: \"u_n = 0\", points: 10}\n",
         "selects points of the initial slice"}};
    for (int k = 0; k < 2; k++) {
        char path[512];
        snprintf(path, sizeof path, "%.400s/normal%d.yaml", dir, k);
        FILE *f = fopen(path, "w");
        fputs(cases[k][0], f);
        fclose(f);
        pinn_problem *p = malloc(sizeof *p);
        pinn_error err;
        pinn_trainer *t = NULL;
        CHECK_OK(pinn_problem_load(p, path, 0, NULL, &err), err);
        pinn_status st = pinn_trainer_init(&t, p, &err);
        CHECK(st == PINN_ERR_INVALID && strstr(err.msg, cases[k][1]) && strstr(err.msg, path), "case %d: %s", k, err.msg);
        pinn_trainer_free(t);
        free(p);
        remove(path);
    }
}

/* ------------------------------------------------------------------ subdomain centres */

/* FBPINN and ELM-FBPINN at the exact centres of a 16 x 16 decomposition with overlap 2, where the
 * support test can also admit both neighbours through rounding: finite values, continuous with a
 * point nearby (the locator's cap once dropped the centre instance and gave 0/0). */
static void subdomain_centres(const char *dir) {
    const char *kinds[2] = {"model: {kind: fbpinn, subdomains: 16, hidden: [4]}",
                            "model: {kind: elm_fbpinn, subdomains: 16, features: 4}"};
    for (int k = 0; k < 2; k++) {
        char path[512];
        snprintf(path, sizeof path, "%.400s/centres%d.yaml", dir, k);
        FILE *f = fopen(path, "w");
        fprintf(f, "domain: {x: [0, 1], y: [0, 1]}\nfields: [u]\nequations: [\"lap(u) = 1\"]\n%s\n"
                   "train: {collocation: 64, epochs: 1}\n", kinds[k]);
        fclose(f);
        pinn_problem *p = malloc(sizeof *p);
        pinn_error err;
        pinn_trainer *t = NULL;
        CHECK_OK(pinn_problem_load(p, path, 0, NULL, &err), err);
        CHECK_OK(pinn_trainer_init(&t, p, &err), err);
        if (t) {
            enum { N = 16 };
            pinn_real x[2 * N * N * 2], u[N * N * 2];
            const char *what[1] = {"u"};
            for (int i = 0; i < N; i++)
                for (int j = 0; j < N; j++) {
                    pinn_real *c = x + 4 * (i * N + j);
                    c[0] = (pinn_real)i / 15, c[1] = (pinn_real)j / 15;            /* a centre */
                    c[2] = c[0] + (pinn_real)1e-6, c[3] = c[1] + (pinn_real)1e-6; /* beside it */
                }
            CHECK_OK(pinn_trainer_predict(t, 2 * N * N, x, 1, what, u, &err), err);
            int bad = 0;
            for (int q = 0; q < N * N; q++) bad += !isfinite(u[2 * q]) || fabs(u[2 * q] - u[2 * q + 1]) > 1e-3;
            CHECK(bad == 0, "%s: %d of %d centres give a non-finite or discontinuous value", kinds[k], bad, N * N);
        }
        pinn_trainer_free(t);
        free(p);
        remove(path);
    }
}

int main(void) {
    char dir[] = "/tmp/pinnc-arch-XXXXXX";
    CHECK(mkdtemp(dir) != NULL, "mkdtemp");
    toy_kind();
    linearize(dir);
    system_one_pass();
    phases_equal_keys();
    two_trainers();
    normal_derivative(dir);
    subdomain_centres(dir);
    rmdir(dir);
    return CHECK_DONE();
}
