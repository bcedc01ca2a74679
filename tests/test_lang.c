/* test_lang.c - the problem language (issue 18): named expressions (substitution, chains, cycles
 * named, unknown names), operators on expressions (the chain rules of d() against central
 * differences in a coordinate; (q*u_x)_x, div(k*grad(u)), lap and dot against their expanded
 * forms, in value and reverse pass, and in a trainer's loss and gradient; operators on
 * non-differentiable expressions refused), equation weights and weight schedules, data from
 * .npy/.npz files, observations of an expression (observe: u equals a field-data term; u_x), and
 * anchors joining the collocation set. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "pinnc.h"
#include "problem/csv.h"

static const char *coords[] = {"t", "x", "y"};
static const int spatial[] = {0, 1, 1};
static const char *fields[] = {"u", "v"};
static const char *cn[] = {"k"};
static const double cv[] = {3.0};
static const char *pn[] = {"lam"};
static const char *dn[] = {"q", "r2", "flux", "cyc_a", "cyc_b", "bad_def", "w"};
static const char *dt[] = {"1 + x^2*y", "x^2 + y^2", "q*u_x", "2*cyc_b", "cyc_a + 1", "zz + 1", "sin(q)*u"};
static pinn_expr_symbols sym = {3, coords, spatial, 2, fields, 1, cn, cv, 1, pn, 0, 7, dn, dt};

enum { N = 6, NL = 24 };
static pinn_real C[3][N], P[1] = {0.7};

/* Smooth stand-ins for the field derivatives: leaf (f, alpha) at point i. */
static pinn_real leaf_value(int f, const int *a, int i) {
    return (pinn_real)(0.3 + 0.1 * f + 0.05 * (a[0] + 2 * a[1] + 3 * a[2]) + 0.07 * i + 0.01 * f * a[1] * i);
}

typedef struct ev {
    pinn_expr *e;
    pinn_real out[N];
    int nl, field[NL], alpha[NL][PINN_MAX_INPUTS];
    pinn_real grad[NL][N]; /* d out_sum / d leaf */
    pinn_real dpar;
} ev;

/* Compiles and evaluates text, then the reverse pass of sum(out). */
static int run(const char *text, ev *r) {
    pinn_error err;
    memset(r, 0, sizeof *r);
    if (pinn_expr_compile(&r->e, text, &sym, &err) != PINN_OK) {
        fprintf(stderr, "compile '%s': %s\n", text, err.msg);
        return 0;
    }
    static pinn_real L[NL][N];
    const pinn_real *cp[3] = {C[0], C[1], C[2]}, *lp[NL];
    pinn_real *gp[NL], gout[N];
    r->nl = pinn_expr_n_derivs(r->e);
    for (int k = 0; k < r->nl; k++) {
        pinn_expr_deriv(r->e, k, &r->field[k], r->alpha[k]);
        for (int i = 0; i < N; i++) L[k][i] = leaf_value(r->field[k], r->alpha[k], i);
        lp[k] = L[k], gp[k] = r->grad[k];
    }
    for (int i = 0; i < N; i++) gout[i] = 1;
    void *scr = malloc(pinn_expr_scratch_size(r->e, N) + 1);
    pinn_expr_eval(r->e, N, cp, lp, NULL, P, r->out, scr);
    pinn_expr_backward(r->e, N, cp, lp, NULL, P, gout, gp, &r->dpar, scr);
    free(scr);
    return 1;
}

/* The adjoint of leaf (f, alpha) in r (0 when r does not read it). */
static pinn_real adj(const ev *r, int f, const int *a, int i) {
    for (int k = 0; k < r->nl; k++)
        if (r->field[k] == f && !memcmp(r->alpha[k], a, sizeof(int) * PINN_MAX_INPUTS)) return r->grad[k][i];
    return 0;
}

/* text and its hand-expanded form: the same values and the same adjoints of every leaf. */
static void same(const char *text, const char *expanded) {
    ev a, b;
    if (!run(text, &a) || !run(expanded, &b)) {
        CHECK(0, "'%s' or '%s' did not compile", text, expanded);
        return;
    }
    double dv = 0, dg = 0;
    for (int i = 0; i < N; i++) {
        dv = fmax(dv, fabs((double)a.out[i] - b.out[i]) / fmax(1, fabs((double)b.out[i])));
        for (int k = 0; k < a.nl; k++) dg = fmax(dg, fabs((double)a.grad[k][i] - adj(&b, a.field[k], a.alpha[k], i)));
        for (int k = 0; k < b.nl; k++) dg = fmax(dg, fabs((double)b.grad[k][i] - adj(&a, b.field[k], b.alpha[k], i)));
    }
    dg = fmax(dg, fabs((double)a.dpar - b.dpar));
    double tol = PINN_TEST_ROUNDING(1e-13);
    CHECK(dv <= tol && dg <= tol, "'%s' vs '%s': values %.3g, adjoints %.3g", text, expanded, dv, dg);
    pinn_expr_free(a.e), pinn_expr_free(b.e);
}

/* d(f, x) against central differences of f in the coordinate x (f of coordinates only). */
static void chain_rule(const char *f) {
    char dtext[300];
    snprintf(dtext, sizeof dtext, "d(%s, x)", f);
    ev a, b;
    if (!run(dtext, &a) || !run(f, &b)) {
        CHECK(0, "'%s' did not compile", dtext);
        return;
    }
    double h = PINN_TEST_TOL(1e-6, 0x1p-9), worst = 0;
    pinn_real save[N], fp[N], fm[N];
    memcpy(save, C[1], sizeof save);
    const pinn_real *cp[3] = {C[0], C[1], C[2]};
    void *scr = malloc(pinn_expr_scratch_size(b.e, N) + 1);
    for (int i = 0; i < N; i++) C[1][i] = save[i] + (pinn_real)h;
    pinn_expr_eval(b.e, N, cp, NULL, NULL, P, fp, scr);
    for (int i = 0; i < N; i++) C[1][i] = save[i] - (pinn_real)h;
    pinn_expr_eval(b.e, N, cp, NULL, NULL, P, fm, scr);
    memcpy(C[1], save, sizeof save);
    for (int i = 0; i < N; i++) {
        double fd = ((double)fp[i] - fm[i]) / (2 * h);
        worst = fmax(worst, fabs(fd - a.out[i]) / fmax(1, fabs(fd)));
    }
    CHECK(worst < PINN_TEST_TOL(1e-7, 2e-3), "d(%s, x) against differences: %.3g", f, worst);
    free(scr);
    pinn_expr_free(a.e), pinn_expr_free(b.e);
}

/* The reverse pass of an operator's result (a DAG: subtrees shared by several parents) against
 * central differences in every leaf and in the parameter. */
static void fd_leaves(const char *text) {
    ev a;
    if (!run(text, &a)) {
        CHECK(0, "'%s' did not compile", text);
        return;
    }
    static pinn_real L[NL][N];
    const pinn_real *cp[3] = {C[0], C[1], C[2]}, *lp[NL];
    for (int k = 0; k < a.nl; k++) {
        for (int i = 0; i < N; i++) L[k][i] = leaf_value(a.field[k], a.alpha[k], i);
        lp[k] = L[k];
    }
    void *scr = malloc(pinn_expr_scratch_size(a.e, N) + 1);
    double h = PINN_TEST_TOL(1e-6, 0x1p-9), worst = 0;
    pinn_real fp[N], fm[N];
    for (int k = 0; k <= a.nl; k++) {
        pinn_real *v = k < a.nl ? L[k] : P;
        int m = k < a.nl ? N : 1;
        for (int i = 0; i < m; i++) {
            pinn_real save = v[i];
            v[i] = save + (pinn_real)h;
            pinn_expr_eval(a.e, N, cp, lp, NULL, P, fp, scr);
            v[i] = save - (pinn_real)h;
            pinn_expr_eval(a.e, N, cp, lp, NULL, P, fm, scr);
            v[i] = save;
            double fd = 0;
            for (int j = 0; j < N; j++) fd += ((double)fp[j] - fm[j]) / (2 * h);
            double an = k < a.nl ? a.grad[k][i] : a.dpar;
            worst = fmax(worst, fabs(fd - an) / fmax(1, fabs(fd)));
        }
    }
    CHECK(worst < PINN_TEST_TOL(1e-7, 5e-3), "reverse pass of '%s' against differences: %.3g", text, worst);
    free(scr);
    pinn_expr_free(a.e);
}

static void bad(const char *text, const char *needle) {
    pinn_expr *e = NULL;
    pinn_error err = {0};
    pinn_status st = pinn_expr_compile(&e, text, &sym, &err);
    CHECK(st == PINN_ERR_PARSE && strstr(err.msg, "column ") && (!needle || strstr(err.msg, needle)), "'%s' -> %s: %s",
          text, pinn_status_to_string(st), err.msg);
    pinn_expr_free(e);
}

static void expressions(void) {
    for (int i = 0; i < N; i++) C[0][i] = (pinn_real)(0.1 * i), C[1][i] = (pinn_real)(0.2 + 0.11 * i), C[2][i] = (pinn_real)(0.5 - 0.07 * i);
    /* definitions: substitution, chains, subscripts on definitions */
    same("q*u", "(1 + x^2*y)*u");
    same("flux + r2", "(1 + x^2*y)*u_x + x^2 + y^2");
    same("q_x", "2*x*y");
    same("w", "sin(1 + x^2*y)*u");
    /* operators on expressions against their expanded forms */
    same("(q*u_x)_x", "2*x*y*u_x + (1 + x^2*y)*u_xx");
    same("d(q*u_x, x)", "q_x*u_x + q*u_xx");
    same("flux_x", "(q*u_x)_x");
    same("(u*v)_xy", "u_xy*v + u_x*v_y + u_y*v_x + u*v_xy");
    same("(u*v)_t", "u_t*v + u*v_t");
    same("d(u, x, x, y)", "u_xxy");
    same("div(k*grad(u))", "k*lap(u)");
    same("div(q*grad(u))", "q_x*u_x + q*u_xx + q_y*u_y + q*u_yy");
    same("div(u*v, v)", "u_x*v + u*v_x + v_y");
    same("lap(x^2*u)", "2*u + 4*x*u_x + x^2*lap(u)");
    same("lap(u_t)", "u_txx + u_tyy");
    same("dot(grad(u), grad(v))", "u_x*v_x + u_y*v_y");
    same("dot(grad(u) + 2*grad(v), grad(u))", "(u_x + 2*v_x)*u_x + (u_y + 2*v_y)*u_y");
    same("(u^3)_x", "3*u^2*u_x");
    same("(lam*u/v)_x", "lam*u_x/v - lam*u*v_x/v^2");
    same("(exp(u)*sin(v))_y", "exp(u)*u_y*sin(v) + exp(u)*cos(v)*v_y");
    same("(u^v)_x", "u^v*(v_x*log(u) + v*u_x/u)");
    /* the chain rules of every smooth function against differences in x */
    const char *f[] = {"sin(x*y) + cos(x) - tan(0.3*x)", "exp(x)*log(1 + x) / sqrt(x + 1)", "tanh(x) + sinh(x) - cosh(2*x)",
                       "atan(x) + asin(0.5*x) + acos(0.3*x)", "x^3 - 2^x + x^x", "(x + y)^2.5 / (1 + x^2)", "-x*y + k*x"};
    for (size_t i = 0; i < sizeof f / sizeof f[0]; i++) chain_rule(f[i]);
    /* the reverse pass through shared subtrees */
    const char *dag[] = {"(q*u_x)_x", "lap(exp(u)*v)", "div(lam*q*grad(u))", "d(tanh(u*v)/(1 + v^2), x, y)",
                         "dot(grad(w), grad(sin(u)))", "(u^v + lam*v)_xt"};
    for (size_t i = 0; i < sizeof dag / sizeof dag[0]; i++) fd_leaves(dag[i]);
    /* the plan comes from the leaves: (q*u_x)_x reads u_x and u_xx only */
    ev r;
    if (run("(q*u_x)_x", &r)) {
        CHECK(r.nl == 2 && pinn_expr_max_order(r.e) == 2, "leaves of (q*u_x)_x: %d", r.nl);
        pinn_expr_free(r.e);
    }
    /* bad input */
    bad("cyc_a", "cycle: cyc_a -> cyc_b -> cyc_a");
    bad("1 + bad_def", "definition of 'bad_def'");
    bad("d(abs(u), x)", "abs() is not differentiable");
    bad("(max(u, v))_x", "max() is not differentiable");
    bad("d(x > 0, x)", "not differentiable");
    bad("(u_n)_x", "normal");
    bad("grad(u)", "vector");
    bad("sin(grad(u)) + 1", "vector");
    bad("div(grad(u)*grad(v))", "dot(");
    bad("div(u)", "div() takes a vector");
    bad("div(u, v, u)", "one component per space coordinate");
    bad("d(u, z)", "coordinate name");
    bad("(u*v)_z", "unknown coordinate");
    bad("d(u)", "d() takes");
    /* a constant is differentiable anywhere */
    same("d(abs(k), x) + u", "u");
}

/* -(q u_x)_x = f on [0, 1] with q = 1 + x^2: the divergence form and its expanded form. */
static void flow_problem(pinn_problem *p, const char *eq) {
    pinn_problem_defaults(p);
    p->domain.d = 1;
    strcpy(p->domain.coord[0], "x");
    p->domain.lo[0] = 0, p->domain.hi[0] = 1;
    p->n_fields = 1;
    strcpy(p->fields[0], "u");
    p->n_defines = 1;
    strcpy(p->defines[0].name, "q"), strcpy(p->defines[0].expr, "1 + x^2");
    p->n_equations = 1;
    snprintf(p->equations[0].expr, sizeof p->equations[0].expr, "%s", eq);
    p->n_conditions = 1;
    pinn_condition *c = &p->conditions[0];
    strcpy(c->name, "ends"), strcpy(c->on, "x = 0 or x = 1"), strcpy(c->equation, "u = 0");
    c->points = 2, c->weight = 1;
    pinn_cfg_clear(&p->model.cfg, "", "model", 0);
    int h = pinn_cfg_add(&p->model.cfg, 0, "hidden", PINN_CFG_SEQ, NULL, 0);
    pinn_cfg_add(&p->model.cfg, h, NULL, PINN_CFG_SCALAR, "8", 0);
    pinn_cfg_add(&p->model.cfg, h, NULL, PINN_CFG_SCALAR, "8", 0);
    p->train.collocation = 64;
    p->train.epochs = 3;
    p->train.threads = 1;
    p->train.eval_every = 0;
}

/* The loss of every term (up to 8) and the gradients of the first two, at the initial parameters. */
static int loss_grad(const pinn_problem *p, double *loss, pinn_real **g, size_t *np) {
    pinn_trainer *t;
    pinn_error err;
    if (pinn_trainer_init(&t, p, &err)) {
        fprintf(stderr, "trainer: %s\n", err.msg);
        return 0;
    }
    pinn_objective *o = pinn_trainer_objective(t);
    *np = pinn_objective_nparams(o);
    *g = calloc(*np * 2, sizeof(pinn_real));
    pinn_real *gs[8] = {*g, *g + *np, NULL, NULL, NULL, NULL, NULL, NULL}; /* the first two terms' gradients */
    if (pinn_objective_nterms(o) > 8) {
        pinn_trainer_free(t);
        return 0;
    }
    int ok = pinn_objective_eval(o, NULL, 1, loss, gs, &err) == PINN_OK;
    pinn_trainer_free(t);
    return ok;
}

static void trainer_equivalence(void) {
    pinn_problem *a = malloc(sizeof *a), *b = malloc(sizeof *b);
    flow_problem(a, "-(q*u_x)_x = pi^2*sin(pi*x)");
    flow_problem(b, "-(2*x*u_x + (1 + x^2)*u_xx) = pi^2*sin(pi*x)");
    double la[8], lb[8];
    pinn_real *ga = NULL, *gb = NULL;
    size_t na = 0, nb = 0;
    if (loss_grad(a, la, &ga, &na) && loss_grad(b, lb, &gb, &nb) && na == nb) {
        double dg = 0, gmax = 0;
        for (size_t i = 0; i < na; i++) dg = fmax(dg, fabs((double)ga[i] - gb[i])), gmax = fmax(gmax, fabs((double)gb[i]));
        double tol = PINN_TEST_ROUNDING(1e-12);
        CHECK(fabs(la[0] - lb[0]) <= tol * fmax(1, lb[0]) && dg <= tol * fmax(1, gmax),
              "(q*u_x)_x vs expanded in a trainer: loss %.17g vs %.17g, gradient %.3g (max %.3g)", la[0], lb[0], dg, gmax);
        CHECK(la[0] > 0 && gmax > 0, "a nontrivial loss %.3g", la[0]);
    } else
        CHECK(0, "the two flow problems did not build");
    free(ga), free(gb);
    free(a), free(b);
}

static void weights(void) {
    pinn_weight_ramp r = {PINN_RAMP_LINEAR, 0, 10, 100, 200};
    CHECK(pinn_weight_ramp_factor(&r, 0) == 0 && pinn_weight_ramp_factor(&r, 150) == 5 && pinn_weight_ramp_factor(&r, 900) == 10,
          "linear ramp");
    r.kind = PINN_RAMP_STEP;
    CHECK(pinn_weight_ramp_factor(&r, 99) == 0 && pinn_weight_ramp_factor(&r, 100) == 10, "step");
    r.kind = PINN_RAMP_EXP, r.from = 1e-2, r.to = 1;
    CHECK(fabs(pinn_weight_ramp_factor(&r, 150) - 0.1) < 1e-12, "exp ramp %g", pinn_weight_ramp_factor(&r, 150));
    /* an equation weight scales the term; a schedule sets the weight from the step count */
    pinn_problem *p = malloc(sizeof *p);
    flow_problem(p, "-(q*u_x)_x = pi^2*sin(pi*x)");
    p->eq_weight[0] = 3;
    p->conditions[0].ramp = (pinn_weight_ramp){PINN_RAMP_LINEAR, 0, 4, 0, 4};
    pinn_trainer *t;
    pinn_error err;
    if (pinn_trainer_init(&t, p, &err) == PINN_OK) {
        const double *w = pinn_objective_weights(pinn_trainer_objective(t));
        CHECK(w[0] == 3 && w[1] == 0, "weights at step 0: %g %g", w[0], w[1]);
        CHECK(pinn_trainer_run(t, NULL, &err) == PINN_OK, "run: %s", err.msg);
        w = pinn_objective_weights(pinn_trainer_objective(t));
        CHECK(w[0] == 3 && w[1] == 2, "weights at the last of 3 Adam steps (step 2): %g %g", w[0], w[1]);
        pinn_trainer_free(t);
    } else
        CHECK(0, "trainer: %s", err.msg);
    /* under a dynamic scheme the factor multiplies the scheme's weight, whose statistics use the
     * unweighted gradients: after the first update (step 0) the ramped term's weight is exactly
     * factor x the weight the same run without a schedule gives it */
    double wdyn[2][2] = {{0}};
    for (int k = 0; k < 2; k++) {
        p->eq_weight[0] = 1;
        snprintf(p->train.weighting.scheme, sizeof p->train.weighting.scheme, "dn");
        p->train.epochs = 1;
        p->conditions[0].ramp = (pinn_weight_ramp){k ? PINN_RAMP_STEP : PINN_RAMP_NONE, 0.25, 0.25, 0, 0};
        if (pinn_trainer_init(&t, p, &err) == PINN_OK) {
            CHECK(pinn_trainer_run(t, NULL, &err) == PINN_OK, "dn run: %s", err.msg);
            memcpy(wdyn[k], pinn_objective_weights(pinn_trainer_objective(t)), sizeof wdyn[k]);
            pinn_trainer_free(t);
        }
    }
    CHECK(wdyn[0][1] != 1 && wdyn[0][1] > 0 && wdyn[1][1] == 0.25 * wdyn[0][1] && wdyn[1][0] == wdyn[0][0],
          "dn weights with and without a factor 0.25: %.17g %.17g", wdyn[1][1], wdyn[0][1]);
    p->train.weighting.scheme[0] = '\0';
    p->eq_weight[0] = -1;
    CHECK(pinn_problem_validate(p, &err) == PINN_ERR_INVALID && strstr(err.msg, "weight"), "negative weight: %s", err.msg);
    p->eq_weight[0] = 1;
    p->eq_ramp[0] = (pinn_weight_ramp){PINN_RAMP_LINEAR, 0, 1, 10, 5};
    CHECK(pinn_problem_validate(p, &err) == PINN_ERR_INVALID && strstr(err.msg, "weight_schedule"), "end < start: %s", err.msg);
    p->eq_ramp[0].kind = PINN_RAMP_NONE;
    strcpy(p->defines[0].name, "u");
    CHECK(pinn_problem_validate(p, &err) == PINN_ERR_INVALID && strstr(err.msg, "already a field"), "define shadows a field: %s", err.msg);
    strcpy(p->defines[0].name, "u_x");
    CHECK(pinn_problem_validate(p, &err) == PINN_ERR_INVALID && strstr(err.msg, "derivative"), "define shadows u_x: %s", err.msg);
    free(p);
}

/* A .npy file of rows x cols float64 values v (row-major), or float32 1-D. */
static void write_npy(const char *path, const double *v, int rows, int cols, int f32) {
    char h[128];
    int l = cols ? snprintf(h, sizeof h, "{'descr': '<f8', 'fortran_order': False, 'shape': (%d, %d), }", rows, cols)
                 : snprintf(h, sizeof h, "{'descr': '<f4', 'fortran_order': False, 'shape': (%d,), }", rows);
    while ((10 + l + 1) % 64) h[l++] = ' ';
    h[l++] = '\n';
    FILE *f = fopen(path, "wb");
    unsigned char pre[10] = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, (unsigned char)(l & 255), (unsigned char)(l >> 8)};
    fwrite(pre, 1, 10, f), fwrite(h, 1, (size_t)l, f);
    for (int i = 0; i < rows * (cols ? cols : 1); i++) {
        if (f32) {
            float x = (float)v[i];
            fwrite(&x, 4, 1, f);
        } else
            fwrite(&v[i], 8, 1, f);
    }
    fclose(f);
}

static void data_files(void) {
    const char *tmp = getenv("PINN_BUILD") ? getenv("PINN_BUILD") : ".";
    char path[600];
    double v[12] = {0, 0.5, 1, 0.5, -0.5, 0.25, 1, 0, 2, 0.25, 0.75, 3};
    snprintf(path, sizeof path, "%s/lang_test.npy", tmp);
    write_npy(path, v, 4, 3, 0);
    pinn_csv_table t;
    pinn_error err;
    CHECK(pinn_data_read(path, "t,x,u", &t, &err) == PINN_OK && t.nrows == 4 && t.ncols == 3 && t.data[5] == 0.25 &&
              pinn_csv_column(&t, "u") == 2,
          ".npy 2-D: %s", err.msg);
    pinn_csv_free(&t);
    CHECK(pinn_data_read(path, "t,x", &t, &err) == PINN_ERR_INVALID && strstr(err.msg, "columns"), "column count: %s", err.msg);
    write_npy(path, v, 5, 0, 1);
    CHECK(pinn_data_read(path, "x", &t, &err) == PINN_OK && t.nrows == 5 && t.data[1] == 0.5, ".npy float32 1-D: %s", err.msg);
    pinn_csv_free(&t);
    FILE *f = fopen(path, "wb");
    fputs("not numpy", f);
    fclose(f);
    CHECK(pinn_data_read(path, "x", &t, &err) == PINN_ERR_PARSE && strstr(err.msg, "magic"), "not .npy: %s", err.msg);
    /* a deflated .npz written by Python's zipfile (x float64, u float32 = x^2) */
    const char *src = getenv("PINN_SOURCE");
    if (src) {
        snprintf(path, sizeof path, "%s/tests/data/small_deflate.npz", src);
        pinn_status st = pinn_data_read(path, NULL, &t, &err);
        if (st == PINN_ERR_UNSUPPORTED) CHECK(strstr(err.msg, "zlib") != NULL, "no zlib: %s", err.msg);
        else {
            long cx = pinn_csv_column(&t, "x"), cu = pinn_csv_column(&t, "u");
            CHECK(st == PINN_OK && t.nrows == 5 && cx >= 0 && cu >= 0 &&
                      fabs(t.data[2 * t.ncols + cu] - 0.09) < 1e-7 && fabs(t.data[2 * t.ncols + cx] - 0.3) < 1e-15,
                  ".npz deflated: %s", st ? err.msg : "");
            pinn_csv_free(&t);
        }
        /* every truncation of the archive is an error, never a crash (run under ASan too) */
        FILE *in = fopen(path, "rb");
        unsigned char img[4096];
        size_t len = in ? fread(img, 1, sizeof img, in) : 0;
        if (in) fclose(in);
        snprintf(path, sizeof path, "%s/lang_cut.npz", tmp);
        int crashed_ok = 1;
        for (size_t cut = 0; cut + 1 < len; cut += 3) {
            FILE *o = fopen(path, "wb");
            fwrite(img, 1, cut, o);
            fclose(o);
            st = pinn_data_read(path, NULL, &t, &err);
            crashed_ok &= st != PINN_OK;
            if (!st) pinn_csv_free(&t);
        }
        CHECK(len > 300 && crashed_ok, "truncated .npz files are refused (%zu bytes)", len);
    }
}

/* Observations: observe "u" from a value column is the field-data term; observe "u_x" reads the
 * derivative; anchors add the data points to the collocation set. */
static void observations(void) {
    const char *tmp = getenv("PINN_BUILD") ? getenv("PINN_BUILD") : ".";
    char path[600], path2[600];
    snprintf(path, sizeof path, "%s/lang_obs.csv", tmp);
    snprintf(path2, sizeof path2, "%s/lang_obs.npy", tmp);
    FILE *f = fopen(path, "w");
    fprintf(f, "x,u,value\n");
    for (int i = 0; i < 7; i++) fprintf(f, "%.17g,%.17g,%.17g\n", 0.1 + 0.12 * i, 0.3 * i, 0.3 * i);
    fclose(f);
    pinn_problem *p = malloc(sizeof *p);
    double la[8] = {0}, lb[8] = {0};
    pinn_real *g = NULL;
    size_t np;
    flow_problem(p, "-(q*u_x)_x = pi^2*sin(pi*x)");
    p->n_conditions = 2;
    pinn_condition *c = &p->conditions[1];
    memset(c, 0, sizeof *c);
    strcpy(c->name, "obs"), c->kind = PINN_COND_DATA, strcpy(c->file, path), c->weight = 1;
    int ok = loss_grad(p, la, &g, &np);
    free(g), g = NULL;
    strcpy(c->observe, "u");
    ok = ok && loss_grad(p, lb, &g, &np);
    free(g), g = NULL;
    CHECK(ok && la[2] > 0 && fabs(la[2] - lb[2]) <= PINN_TEST_ROUNDING(1e-13) * la[2], "observe u = field data: %.17g vs %.17g",
          la[2], lb[2]);
    /* the same data from a 2-D .npy with named columns */
    double xv[14];
    for (int i = 0; i < 7; i++) xv[2 * i] = 0.1 + 0.12 * i, xv[2 * i + 1] = 0.3 * i;
    write_npy(path2, xv, 7, 2, 0);
    strcpy(c->file, path2), strcpy(c->columns, "x,u"), c->observe[0] = '\0';
    double lc[8] = {0};
    ok = loss_grad(p, lc, &g, &np);
    free(g), g = NULL;
    CHECK(ok && fabs(lc[2] - la[2]) <= PINN_TEST_ROUNDING(1e-13) * la[2], ".npy data = CSV data: %.17g vs %.17g", lc[2], la[2]);
    strcpy(c->file, path), c->columns[0] = '\0';
    strcpy(c->observe, "u_x + q");
    strcpy(c->column, "nope");
    pinn_trainer *t;
    pinn_error err;
    CHECK(pinn_trainer_init(&t, p, &err) == PINN_ERR_INVALID && strstr(err.msg, "no column 'nope'"), "missing column: %s", err.msg);
    c->column[0] = '\0';
    c->anchor = 1;
    if (pinn_trainer_init(&t, p, &err) == PINN_OK) {
        size_t pts = 0;
        const pinn_plan *plan;
        pinn_trainer_term(t, 0, NULL, &pts, NULL);
        CHECK(pts == 64 + 7, "collocation with 7 anchors: %zu", pts);
        pinn_trainer_term(t, 2, NULL, &pts, &plan);
        int ax[PINN_MAX_INPUTS] = {1};
        CHECK(pts == 7 && pinn_plan_index(plan, ax) >= 0, "observation of u_x: %zu points, u_x in the plan", pts);
        pinn_trainer_free(t);
    } else
        CHECK(0, "anchored trainer: %s", err.msg);
    free(p);
}

/* The YAML keys: load a problem with every new key, write it resolved, read it back. */
static void yaml_round_trip(void) {
    const char *tmp = getenv("PINN_BUILD") ? getenv("PINN_BUILD") : ".", *src = getenv("PINN_SOURCE");
    if (!src) return;
    char path[600], out[600];
    snprintf(path, sizeof path, "%s/lang_keys.yaml", tmp);
    snprintf(out, sizeof out, "%s/lang_keys_resolved.yaml", tmp);
    FILE *f = fopen(path, "w");
    fprintf(f, "domain: {x: [0, 1]}\nfields: [u]\nparameters: {a: 0.5}\n"
               "define: {f: \"2*pi^2*sin(pi*x)\", g: \"f/2\"}\n"
               "equations: [{equation: \"-(a*u_x)_x = 2*g\", weight: 2.5, weight_schedule: {kind: step, from: 0.5, to: 2, start: 7}}]\n"
               "conditions:\n"
               "  - {name: ends, on: \"x = 0 or x = 1\", equation: \"u = 0\", points: 2, weight_schedule: {start: 0, end: 10}}\n"
               "  - {name: strain, data: %s/examples/inverse_strain.csv, observe: u_x, column: value, anchor: true, noise: 0.01}\n",
            src);
    fclose(f);
    pinn_problem *p = malloc(sizeof *p), *q = malloc(sizeof *q);
    pinn_error err;
    pinn_status st = pinn_problem_load(p, path, 0, NULL, &err);
    if (st == PINN_ERR_UNSUPPORTED) {
        free(p), free(q);
        return; /* a build without libyaml */
    }
    CHECK(st == PINN_OK, "load: %s", err.msg);
    if (!st) st = pinn_problem_write(p, out, &err);
    if (!st) st = pinn_problem_load(q, out, 0, NULL, &err);
    CHECK(st == PINN_OK, "round trip: %s", err.msg);
    for (int k = 0; k < 2 && !st; k++) {
        pinn_problem *r = k ? q : p;
        const pinn_condition *c = &r->conditions[1];
        CHECK(r->n_defines == 2 && !strcmp(r->defines[1].expr, "f/2") && r->eq_weight[0] == 2.5 &&
                  r->eq_ramp[0].kind == PINN_RAMP_STEP && r->eq_ramp[0].start == 7 && r->eq_ramp[0].to == 2 &&
                  r->conditions[0].ramp.kind == PINN_RAMP_LINEAR && r->conditions[0].ramp.end == 10 &&
                  !strcmp(c->observe, "u_x") && !strcmp(c->column, "value") && c->anchor && c->noise == 0.01,
              "keys after %s", k ? "the round trip" : "loading");
    }
    free(p), free(q);
}

int main(void) {
    expressions();
    trainer_equivalence();
    weights();
    data_files();
    observations();
    yaml_round_trip();
    return CHECK_DONE();
}
