/* test_elm.c - extreme learning machines and training by least squares: the sparse system
 * assembled from the model's cover (pinn_objective_linearize_csr) against the dense linearisation
 * and against finite differences of the residual rows in the coefficients, for a nonlinear
 * equation, a condition, periodic pairs and data on a two-level ELM-FBPINN; lstsq on problems
 * whose exact solution the basis holds (a cubic with a polynomial basis, globally and on a
 * partition of unity) reaches it to rounding; Gauss-Newton on a nonlinear ODE; frozen hidden
 * layers under Adam; bad settings give file:line errors. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "pinnc.h"

static char dir[] = "/tmp/pinnc-elm-XXXXXX";

static void write_file(const char *path, const char *text) {
    FILE *f = fopen(path, "w");
    if (f) fputs(text, f), fclose(f);
}

/* Loads text as dir/name.yaml and makes a trainer (NULL on failure; err then holds why). */
static pinn_trainer *trainer_of(const char *name, const char *text, pinn_problem *p, pinn_error *err) {
    char path[512];
    snprintf(path, sizeof path, "%s/%s.yaml", dir, name);
    write_file(path, text);
    pinn_trainer *t = NULL;
    if (pinn_problem_load(p, path, 0, NULL, err) || pinn_trainer_init(&t, p, err)) t = NULL;
    return t;
}

/* ------------------------------------------------------------------ the assembled matrix */

/* The checks on the model with `extra` added to its section; M is moved to *keep when given.
 * Without a transform the assembly takes the wide-basis passes, with one the colour passes. */
static void assembled_matrix(const char *extra, pinn_csr *keep) {
    char csv[600], text[2400];
    snprintf(csv, sizeof csv, "%s/obs.csv", dir);
    write_file(csv, "t,x,u\n0.5,0.1,0.2\n0.25,-0.4,0.5\n0.75,0.6,-0.3\n");
    snprintf(text, sizeof text,
             "domain: {t: [0, 1], x: [-1, 1]}\n"
             "constants: {nu: 0.05}\n"
             "fields: [u]\n"
             "equations: [\"u_t + u*u_x - nu*u_xx = 0\"]\n"
             "conditions:\n"
             "  - {name: initial, on: \"t = 0\", equation: \"u = -sin(pi*x)\", points: 7, weight: 2}\n"
             "  - {name: per, periodic: x, derivatives: 1, points: 5}\n"
             "  - {name: obs, data: \"%s\", weight: 0.5}\n"
             "model: {kind: elm_fbpinn, subdomains: [2, 3], levels: 2, features: 4, weight_scale: 1.5%s}\n"
             "train: {collocation: 40}\n",
             csv, extra);
    pinn_problem *p = malloc(sizeof *p);
    pinn_error err;
    pinn_trainer *t = trainer_of("assembled", text, p, &err);
    CHECK(t != NULL, "trainer: %s", err.msg);
    if (!t) {
        free(p);
        return;
    }
    pinn_objective *o = pinn_trainer_objective(t);
    const pinn_lin_cover *cv = NULL;
    CHECK_OK(pinn_objective_cover(o, &cv, &err), err);
    size_t np = pinn_objective_nparams(o), nr = pinn_objective_nrows(o), nc = cv ? cv->n_cols : 0;
    /* levels of 1 x 2 and 2 x 3 subdomains, 4 features + bias each */
    CHECK(nc == (2 + 6) * 5, "columns: %zu", nc);
    if (!cv) goto out;
    pinn_real *P = malloc(sizeof(pinn_real) * np);
    memcpy(P, pinn_trainer_params(t), sizeof(pinn_real) * np);
    for (size_t c = 0; c < nc; c++) P[cv->param[c]] = (pinn_real)(0.3 * sin(1.7 * (double)c + 0.2)); /* u != 0: nonlinear seeds */
    pinn_csr M;
    double *r = malloc(sizeof(double) * nr);
    CHECK_OK(pinn_objective_linearize_csr(o, P, cv, &M, r, &err), err);
    CHECK(M.rows == (int)nr && M.cols == (int)nc, "M is %d x %d", M.rows, M.cols);
    CHECK(M.nnz < (int64_t)nr * (int64_t)nc, "M is sparse: %lld of %zu entries", (long long)M.nnz, nr * nc);
    double *D = calloc(nr * nc, sizeof(double));
    pinn_csr_to_dense(&M, D, (int)nc);
    /* against the dense linearisation: the same rows and residuals */
    pinn_real *J = malloc(sizeof(pinn_real) * nr * np), *rr = malloc(sizeof(pinn_real) * nr);
    CHECK_OK(pinn_objective_linearize(o, P, 0, np, J, rr, &err), err);
    double worst = 0, worst_r = 0, scale = 0;
    for (size_t i = 0; i < nr; i++) {
        worst_r = fmax(worst_r, fabs(r[i] - rr[i]));
        for (size_t c = 0; c < nc; c++) {
            double a = D[i * nc + c], b = J[i * np + cv->param[c]];
            worst = fmax(worst, fabs(a - b));
            scale = fmax(scale, fabs(b));
        }
    }
    CHECK(worst <= PINN_TEST_TOL(1e-10, 2e-4) * scale, "sparse vs dense rows: %.3e (scale %.3e)", worst, scale);
    CHECK(worst_r <= PINN_TEST_TOL(1e-12, 1e-5), "residuals: %.3e", worst_r);
    /* entries outside the pattern are zero in the dense Jacobian too */
    int outside = 0;
    for (size_t i = 0; i < nr; i++)
        for (size_t c = 0; c < nc; c++)
            if (D[i * nc + c] == 0 && fabs((double)J[i * np + cv->param[c]]) > PINN_TEST_TOL(1e-12, 1e-5) * scale) outside++;
    CHECK(outside == 0, "%d Jacobian entries outside the sparse pattern", outside);
    /* against central differences of the residual rows (quadratic in the coefficients: exact up to rounding) */
    double h = PINN_TEST_TOL(1e-4, 2e-2), worst_fd = 0;
    pinn_real *rp = malloc(sizeof(pinn_real) * nr), *rm = malloc(sizeof(pinn_real) * nr);
    for (size_t c = 0; c < nc; c += 3) {
        size_t j = cv->param[c];
        pinn_real keep = P[j];
        P[j] = keep + (pinn_real)h;
        pinn_objective_linearize(o, P, 0, 0, J, rp, &err);
        P[j] = keep - (pinn_real)h;
        pinn_objective_linearize(o, P, 0, 0, J, rm, &err);
        P[j] = keep;
        for (size_t i = 0; i < nr; i++) worst_fd = fmax(worst_fd, fabs(((double)rp[i] - rm[i]) / (2 * h) - D[i * nc + c]));
    }
    CHECK(worst_fd <= PINN_TEST_TOL(1e-7, 3e-3) * fmax(1, scale), "M vs finite differences: %.3e", worst_fd);
    printf("assembly: %d x %d, nnz %lld; vs dense %.2e, vs differences %.2e (scale %.2e)\n", M.rows, M.cols,
           (long long)M.nnz, worst, worst_fd, scale);
    free(rp), free(rm), free(J), free(rr), free(D), free(r), free(P);
    if (keep) *keep = M;
    else pinn_csr_free(&M);
out:
    pinn_trainer_free(t);
    free(p);
    remove(csv);
}

/* ------------------------------------------------------------------ lstsq reaches the basis's solution */

/* Max |u - exact| of a trained problem on its evaluation grid. */
static double max_error(pinn_trainer *t, double (*exact)(double)) {
    pinn_error err;
    double e = INFINITY;
    if (pinn_trainer_predict_grid(t, &err)) return e;
    pinn_trainer_info v;
    pinn_trainer_get_info(t, &v);
    e = 0;
    for (size_t i = 0; i < v.n_eval; i++) e = fmax(e, fabs((double)v.pred[i] - exact((double)v.eval_x[i])));
    return e;
}

static double cubic(double x) { return x * x * x - 0.5 * x; }
static double inv1(double x) { return 1.0 / (1.0 + x); }

static void lstsq_exact(void) {
    static const char *const models[3] = {"{kind: elm, basis: polynomial, degree: 3}",
                                          "{kind: elm_fbpinn, subdomains: 4, basis: polynomial, degree: 3}",
                                          "{kind: elm, basis: both, features: 6, degree: 3}"};
    static const char *const solvers[3] = {"{kind: lstsq, solver: qr}", "{kind: lstsq, solver: lsqr, precond: rrqr}",
                                           "{kind: lstsq, solver: svd}"};
    for (int k = 0; k < 3; k++) {
        char text[1200];
        snprintf(text, sizeof text,
                 "domain: {x: [0, 2]}\nfields: [u]\nequations: [\"u_xx = 6*x\"]\n"
                 "conditions:\n  - {name: left, on: \"x = 0\", equation: \"u = 0\", points: 1}\n"
                 "  - {name: right, on: \"x = 2\", equation: \"u = 7\", points: 1}\n"
                 "model: %s\ntrain: {collocation: 50, phases: [%s]}\n",
                 models[k], solvers[k]);
        pinn_problem *p = malloc(sizeof *p);
        pinn_error err;
        pinn_trainer *t = trainer_of("cubic", text, p, &err);
        CHECK(t != NULL, "case %d: %s", k, err.msg);
        if (t) {
            CHECK_OK(pinn_trainer_run(t, NULL, &err), err);
            double e = max_error(t, cubic);
            printf("lstsq case %d: max error %.2e\n", k, e);
            CHECK(e < PINN_TEST_TOL(1e-8, 2e-3), "case %d: max error %.3e (the cubic is in the basis)", k, e);
            const pinn_lsq_summary *s = pinn_trainer_lsq_summary(t);
            CHECK(s->ran && s->outer == 1 && s->nnz > 0 && s->loss_after < 1e-3 * s->loss_before, "case %d: summary", k);
        }
        pinn_trainer_free(t);
        free(p);
    }
}

/* u' = -u^2, u(0) = 1 on [0, 1]: u = 1/(1 + x), by Gauss-Newton from zero coefficients. */
static void gauss_newton(void) {
    const char *text = "domain: {x: [0, 1]}\nfields: [u]\nequations: [\"u_x + u^2 = 0\"]\n"
                       "conditions:\n  - {name: left, on: \"x = 0\", equation: \"u = 1\", points: 1}\n"
                       "model: {kind: elm, basis: polynomial, degree: 12}\n"
                       "train: {collocation: 60, sampler: grid, phases: [{kind: gauss_newton, iterations: 30, solver: qrp}]}\n";
    pinn_problem *p = malloc(sizeof *p);
    pinn_error err;
    pinn_trainer *t = trainer_of("gn", text, p, &err);
    CHECK(t != NULL, "gauss_newton: %s", err.msg);
    if (t) {
        CHECK_OK(pinn_trainer_run(t, NULL, &err), err);
        double e = max_error(t, inv1);
        printf("gauss_newton: max error %.2e in %d steps\n", e, pinn_trainer_lsq_summary(t)->outer);
        CHECK(e < PINN_TEST_TOL(1e-7, 1e-3), "gauss_newton: max error %.3e", e);
        CHECK(pinn_trainer_lsq_summary(t)->outer >= 3, "gauss_newton: %d steps", pinn_trainer_lsq_summary(t)->outer);
    }
    pinn_trainer_free(t);
    free(p);
}

/* Adam moves only the output layer of an ELM. */
static void frozen_hidden(void) {
    const char *text = "domain: {x: [0, 1]}\nfields: [u]\nequations: [\"u_xx = -sin(x)\"]\n"
                       "conditions:\n  - {name: ends, on: \"x = 0 or x = 1\", equation: \"u = sin(x)\", points: 2}\n"
                       "model: {kind: elm, features: 8}\ntrain: {collocation: 32, epochs: 5, lr: 0.01}\n";
    pinn_problem *p = malloc(sizeof *p);
    pinn_error err;
    pinn_trainer *t = trainer_of("frozen", text, p, &err);
    CHECK(t != NULL, "frozen: %s", err.msg);
    if (t) {
        size_t np = pinn_trainer_nparams(t);
        pinn_real *P0 = malloc(sizeof(pinn_real) * np);
        memcpy(P0, pinn_trainer_params(t), sizeof(pinn_real) * np);
        CHECK_OK(pinn_trainer_run(t, NULL, &err), err);
        const pinn_real *P = pinn_trainer_params(t);
        size_t moved = 0, hidden = 8 * 1 + 8; /* W0, b0 come first */
        int hidden_same = 1;
        for (size_t i = 0; i < np; i++) {
            if (i < hidden) hidden_same &= P[i] == P0[i];
            else moved += P[i] != P0[i];
        }
        CHECK(hidden_same, "the random hidden layer did not move");
        CHECK(moved == np - hidden, "the output layer moved (%zu of %zu)", moved, np - hidden);
        free(P0);
    }
    pinn_trainer_free(t);
    free(p);
}

/* ------------------------------------------------------------------ bad settings */

static void bad_configs(void) {
    static const char *const head = "domain: {x: [0, 1]}\nfields: [u]\nequations: [\"u_xx = 0\"]\n";
    static const struct {
        const char *tail, *expect;
        int line, at_run;
    } cases[] = {
        {"model: {kind: elm, features: 0}\n", "features", 4, 0},
        {"model: {kind: elm_fbpinn, subdomains: [4, 2]}\n", "subdomains", 4, 0},
        {"model: {kind: elm_fbpinn, subdomain: 4}\n", "subdomain", 4, 0},
        {"model: {kind: elm, activation: relu^2}\n", "activation", 4, 0},
        {"model: {kind: elm_fbpinn, subdomains: 4, window: sigmoid, steepness: 0}\n", "steepness", 4, 0},
        {"model: {kind: elm_fbpinn, subdomains: 4, window: gauss}\n", "window", 4, 0},
        {"model: {kind: elm}\ntrain:\n  phases:\n    - {kind: lstsq, solver: qr, precond: rrqr}\n", "precond", 7, 0},
        {"model: {kind: elm}\ntrain:\n  phases:\n    - {kind: lstsq, solver: magic}\n", "solver", 7, 0},
        {"model: {kind: mlp, hidden: [4]}\ntrain:\n  phases:\n    - {kind: lstsq}\n", "not linear", 7, 1},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        char text[800], path[512], where[600];
        snprintf(text, sizeof text, "%s%s", head, cases[k].tail);
        snprintf(path, sizeof path, "%s/bad.yaml", dir);
        snprintf(where, sizeof where, "%s:%d", path, cases[k].line);
        pinn_problem *p = malloc(sizeof *p);
        pinn_error err;
        err.msg[0] = 0;
        pinn_trainer *t = trainer_of("bad", text, p, &err);
        pinn_status st = t ? PINN_OK : err.status;
        if (t && cases[k].at_run) st = pinn_trainer_run(t, NULL, &err);
        CHECK(st != PINN_OK && strstr(err.msg, cases[k].expect) && strstr(err.msg, where), "case %zu: want %s and '%s': %s",
              k, where, cases[k].expect, err.msg);
        pinn_trainer_free(t);
        free(p);
    }
}

int main(void) {
    CHECK(mkdtemp(dir) != NULL, "mkdtemp");
    pinn_csr Mw, Mc;
    memset(&Mw, 0, sizeof Mw), memset(&Mc, 0, sizeof Mc);
    assembled_matrix("", &Mw);                             /* wide-basis passes */
    assembled_matrix(", transform: \"N + 0*x\"", &Mc);    /* colour passes, the same function */
    int same = Mw.nnz == Mc.nnz && Mw.rows == Mc.rows && Mw.nnz > 0;
    double dwc = 0, mwc = 0;
    for (int64_t q = 0; same && q < Mw.nnz; q++) {
        same = Mw.col_idx[q] == Mc.col_idx[q];
        dwc = fmax(dwc, fabs(Mw.values[q] - Mc.values[q])), mwc = fmax(mwc, fabs(Mc.values[q]));
    }
    CHECK(same && dwc <= PINN_TEST_TOL(1e-12, 1e-5) * fmax(1, mwc), "wide vs colour assembly: pattern %d, values %.3e",
          same, dwc);
    pinn_csr_free(&Mw), pinn_csr_free(&Mc);
    lstsq_exact();
    gauss_newton();
    frozen_hidden();
    bad_configs();
    char path[600];
    static const char *const names[] = {"assembled", "cubic", "gn", "frozen", "bad"};
    for (int k = 0; k < 5; k++) snprintf(path, sizeof path, "%s/%s.yaml", dir, names[k]), remove(path);
    rmdir(dir);
    return CHECK_DONE();
}
