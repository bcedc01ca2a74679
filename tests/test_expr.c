/* test_expr.c - the expression language: values against hand-computed results, precedence,
 * kinds, derivative subscripts and their multi-indices, lap and u_n expansion, constant folding,
 * the reverse pass against central differences for every operator and function, parameter
 * gradients, predicates, and malformed inputs that must fail with a column. */
#include <string.h>

#include "check.h"
#include "pinnc.h"

static const char *coords[] = {"t", "x", "y"};
static const int spatial[] = {0, 1, 1};
static const char *fields[] = {"u", "v"};
static const char *cn[] = {"nu", "k"};
static const double cv[] = {0.5, 3.0};
static const char *pn[] = {"lam"};
static pinn_expr_symbols sym = {3, coords, spatial, 2, fields, 2, cn, cv, 1, pn, 0, 0, NULL, NULL};

enum { N = 5 };
static pinn_real C[3][N], D[16][N], NRM[3][N], P[1] = {0.7};

/* Evaluates text at the N test points (leaves filled with smooth values). */
static int eval(const char *text, pinn_real *out, pinn_expr **keep) {
    pinn_expr *e;
    pinn_error err;
    if (pinn_expr_compile(&e, text, &sym, &err) != PINN_OK) {
        fprintf(stderr, "compile '%s': %s\n", text, err.msg);
        return 0;
    }
    const pinn_real *cp[3] = {C[0], C[1], C[2]}, *dp[16], *np_[3] = {NRM[0], NRM[1], NRM[2]};
    for (int k = 0; k < 16; k++) dp[k] = D[k];
    void *scr = malloc(pinn_expr_scratch_size(e, N));
    pinn_expr_eval(e, N, cp, dp, np_, P, out, scr);
    free(scr);
    if (keep) *keep = e;
    else pinn_expr_free(e);
    return 1;
}

/* Values: 1e-14 in double; in float the inputs and every operation round to 6e-8 relative, and
 * the longest expressions below take a few such roundings. */
#define TOL_VALUE PINN_TEST_TOL(1e-14, 4 * PINN_TEST_EPS)

static void value(const char *text, double want_at0) {
    pinn_real out[N];
    if (!eval(text, out, NULL)) {
        CHECK(0, "'%s' did not compile", text);
        return;
    }
    CHECK_CLOSE(out[0], want_at0, TOL_VALUE, text);
}

/* Reverse pass of text against central differences in every leaf and the parameter.  Step 1e-6
 * in double; 2^-9 in float, where rounding of the outputs (|f| ~ 1-3, a few ulps) costs ~1e-4
 * and truncation h^2 f''' / 6 ~ 1e-5, and which keeps x +- h on one side of the kinks the
 * leaves sit near (u = 0.41 against 0.4).  Differences divide by the step the leaf really moved
 * by.  Tolerance 1e-7 in double, 5e-4 in float (relative, floor 1). */
#define H_GRAD PINN_TEST_TOL(1e-6, 0x1p-9)
#define TOL_GRAD PINN_TEST_TOL(1e-7, 5e-4)

static void grad(const char *text) {
    pinn_expr *e;
    pinn_real out[N];
    if (!eval(text, out, &e)) {
        CHECK(0, "'%s' did not compile", text);
        return;
    }
    int nl = pinn_expr_n_derivs(e);
    const pinn_real *cp[3] = {C[0], C[1], C[2]}, *dp[16], *np_[3] = {NRM[0], NRM[1], NRM[2]};
    pinn_real *dd[16], G[16][N], gout[N], dpar[1] = {0};
    for (int k = 0; k < 16; k++) dp[k] = D[k], dd[k] = G[k];
    memset(G, 0, sizeof G);
    for (int i = 0; i < N; i++) gout[i] = 1.0 + 0.1 * i;
    void *scr = malloc(pinn_expr_scratch_size(e, N));
    pinn_expr_eval(e, N, cp, dp, np_, P, out, scr);
    pinn_expr_backward(e, N, cp, dp, np_, P, gout, dd, dpar, scr);
    double h = H_GRAD, worst = 0;
    for (int k = 0; k < nl; k++)
        for (int i = 0; i < N; i++) {
            pinn_real save = D[k][i], op[N], om[N];
            D[k][i] = (pinn_real)(save + h);
            double step = D[k][i];
            pinn_expr_eval(e, N, cp, dp, np_, P, op, scr);
            D[k][i] = (pinn_real)(save - h);
            step -= D[k][i];
            pinn_expr_eval(e, N, cp, dp, np_, P, om, scr);
            D[k][i] = save;
            double fd = gout[i] * ((double)op[i] - om[i]) / step;
            worst = fmax(worst, fabs(fd - G[k][i]) / fmax(1, fabs(fd)));
        }
    pinn_real save = P[0], op[N], om[N];
    P[0] = (pinn_real)(save + h);
    double step = P[0];
    pinn_expr_eval(e, N, cp, dp, np_, P, op, scr);
    P[0] = (pinn_real)(save - h);
    step -= P[0];
    pinn_expr_eval(e, N, cp, dp, np_, P, om, scr);
    P[0] = save;
    double fd = 0;
    for (int i = 0; i < N; i++) fd += gout[i] * ((double)op[i] - om[i]) / step;
    worst = fmax(worst, fabs(fd - dpar[0]) / fmax(1, fabs(fd)));
    if (getenv("PINN_TEST_VERBOSE")) printf("reverse pass of '%s': error %.3g\n", text, worst);
    CHECK(worst < TOL_GRAD, "reverse pass of '%s': error %.3g", text, worst);
    free(scr);
    pinn_expr_free(e);
}

static void bad(const char *text, const char *needle) {
    pinn_expr *e = NULL;
    pinn_error err = {0};
    pinn_status st = pinn_expr_compile(&e, text, &sym, &err);
    CHECK(st == PINN_ERR_PARSE && strstr(err.msg, "column ") && (!needle || strstr(err.msg, needle)),
          "'%s' -> %s: %s", text, pinn_status_to_string(st), err.msg);
    CHECK(!strchr(err.msg, '\n'), "multi-line message for '%s'", text);
    pinn_expr_free(e);
}

int main(void) {
    for (int i = 0; i < N; i++) {
        C[0][i] = 0.1 + 0.2 * i, C[1][i] = -0.3 + 0.15 * i, C[2][i] = 0.4 - 0.1 * i;
        NRM[0][i] = 0, NRM[1][i] = 0.6, NRM[2][i] = 0.8;
        for (int k = 0; k < 16; k++) D[k][i] = 0.3 + 0.05 * k + 0.11 * i;
    }
    /* values at point 0: t=0.1, x=-0.3, y=0.4 */
    value("1 + 2*3", 7);
    value("2^3^2", 512);
    value("-2^2", -4);
    value("(1+2)*(3-5)/4", -1.5);
    value("2*pi", 2 * 3.14159265358979323846);
    value("e", 2.71828182845904523536);
    value("nu*k + 1e-3 + .5", 2.001);
    value("sin(x)^2 + cos(x)^2", 1);
    value("exp(log(3))", 3);
    value("sqrt(16) + abs(-2) + sign(-3) + tanh(0) + sinh(0) + cosh(0)", 4 + 2 - 1 + 0 + 0 + 1);
    value("min(x, t) + max(x, t)", -0.3 + 0.1);
    value("atan(1)*4", 3.14159265358979323846);
    value("t*x - y", 0.1 * -0.3 - 0.4);
    value("lam*2", 1.4);
    value("x = -0.3 or x = 1", 1);
    value("x > 0 and y > 0", 0);
    value("not (t < 0)", 1);
    value("t <= 0.1 and t >= 0.1 and t == 0.1 and t != 0.2", 1);
    value("u_t = nu*u_t", 0.5 * 0.3); /* the residual lhs - rhs; the single leaf u_t is 0.3 at point 0 */
    /* kinds */
    pinn_expr *e;
    pinn_error err;
    pinn_expr_compile(&e, "u_t = nu*u_xx", &sym, &err);
    CHECK(pinn_expr_kind_of(e) == PINN_EXPR_EQUATION, "kind %s", pinn_expr_kind_to_string(pinn_expr_kind_of(e)));
    pinn_expr_free(e);
    pinn_expr_compile(&e, "x = -1 or x = 1", &sym, &err);
    CHECK(pinn_expr_kind_of(e) == PINN_EXPR_PREDICATE, "predicate kind");
    pinn_expr_free(e);
    CHECK(pinn_expr_compile_as(&e, "t = 0", &sym, PINN_EXPR_PREDICATE, &err) == PINN_OK, "t = 0 as predicate");
    pinn_real tz[N];
    {
        const pinn_real *cp[3] = {C[0], C[1], C[2]};
        void *scr = malloc(pinn_expr_scratch_size(e, N));
        pinn_real save = C[0][2];
        C[0][2] = 1e-12;
        pinn_expr_eval(e, N, cp, NULL, NULL, P, tz, scr);
        C[0][2] = save;
        CHECK(tz[0] == 0 && tz[2] == 1, "t = 0 with tolerance: %g %g", tz[0], tz[2]);
        free(scr);
    }
    pinn_expr_free(e);
    pinn_expr_compile(&e, "0.01/pi", &sym, &err);
    CHECK(pinn_expr_kind_of(e) == PINN_EXPR_VALUE && pinn_expr_is_constant(e), "constant folding");
    pinn_expr_free(e);
    double v;
    CHECK(pinn_expr_eval_scalar("k^2 - 1", &sym, &v, &err) == PINN_OK && v == 8, "scalar %g", v);
    CHECK(pinn_expr_eval_scalar("x + 1", &sym, &v, &err) == PINN_ERR_INVALID, "non-constant accepted as a constant");
    /* derivative leaves: u_xt == u_tx; lap expands; u_n uses normals */
    pinn_expr_compile(&e, "u_xt + u_tx + v_xxxx + lap(u) + u_n", &sym, &err);
    int f, a[PINN_MAX_INPUTS], seen_tx = 0, seen_v4 = 0, seen_yy = 0;
    for (int k = 0; k < pinn_expr_n_derivs(e); k++) {
        pinn_expr_deriv(e, k, &f, a);
        seen_tx += f == 0 && a[0] == 1 && a[1] == 1 && a[2] == 0;
        seen_v4 += f == 1 && a[1] == 4;
        seen_yy += f == 0 && a[2] == 2 && a[1] == 0;
    }
    CHECK(seen_tx == 1 && seen_v4 == 1 && seen_yy == 1, "leaves: tx %d v_xxxx %d u_yy %d", seen_tx, seen_v4, seen_yy);
    CHECK(pinn_expr_n_derivs(e) == 6, "distinct leaves %d (u_tx, v_xxxx, u_xx, u_yy, u_x, u_y)", pinn_expr_n_derivs(e));
    CHECK(pinn_expr_uses_normals(e) && pinn_expr_max_order(e) == 4, "normals / order");
    pinn_expr_free(e);
    /* reverse pass for every operator and function */
    const char *g[] = {"u_t + u*u_x - nu*u_xx = 0", "u/v - v^3 + u^v", "-u + 2*v - u*3", "sin(u) + cos(v) + tan(u)",
                       "exp(u) + log(v) + sqrt(u)", "tanh(u) + sinh(v) + cosh(u)", "abs(u - 0.5) + sign(u)*v",
                       "atan(u) + asin(0.5*v) + acos(0.3*u)", "min(u, v) + max(u, 0.6)", "lam*u_xx + lam^2*u",
                       "lap(u) + k*u_n", "x*u + t^2*v_y", "(u > 0.4)*u + v"};
    for (size_t k = 0; k < sizeof g / sizeof g[0]; k++) grad(g[k]);
    /* malformed inputs */
    bad("", "empty");
    bad("(u + 1", "')'");
    bad("u + 1)", "unexpected");
    bad("u +", "end of input");
    bad("foo + 1", "unknown name 'foo'");
    bad("sinn(x)", "unknown function");
    bad("min(x)", "two arguments");
    bad("sin(x, y)", "too many");
    bad("u_q", "unknown coordinate");
    bad("w_x", "unknown field 'w'");
    bad("u = v = 1", "second '='");
    bad("2x", "2*x");
    bad("u_xxxxxxx", "order");
    bad("lap(abs(x))", "not differentiable"); /* lap of an expression needs a smooth argument */
    bad("x + * y", NULL);
    bad("3 $ 4", NULL);
    bad("((x)", "')'");
    bad("x <", NULL);
    bad("and x", NULL);
    bad("sin x", NULL);
    bad("u_t +", NULL);
    pinn_expr *pe = NULL;
    CHECK(pinn_expr_compile_as(&pe, "u + 1", &sym, PINN_EXPR_PREDICATE, &err) == PINN_ERR_PARSE, "value as predicate");
    CHECK(pinn_expr_compile_as(&pe, "x = 1", &sym, PINN_EXPR_VALUE, &err) == PINN_ERR_PARSE, "'=' in a value");
    char buf[256];
    pinn_expr_compile(&e, "2*3 + x", &sym, &err);
    pinn_expr_to_string(e, buf, sizeof buf);
    CHECK(strcmp(buf, "(6 + x1)") == 0, "printed '%s'", buf);
    pinn_expr_free(e);
    /* hostile nesting through the C API: a depth limit with a message, never a stack overflow */
    {
        enum { DEEP = 100000 };
        char *t = malloc(6 * DEEP + 16);
        const char *what[] = {"parentheses", "signs", "sum chain", "not chain", "power chain", "calls"};
        for (int k = 0; k < 6; k++) {
            size_t o = 0;
            for (int i = 0; i < DEEP; i++) {
                if (k == 0) t[o++] = '(';
                else if (k == 1) t[o++] = '-';
                else if (k == 2) t[o++] = 'x', t[o++] = '+';
                else if (k == 3) memcpy(t + o, "not ", 4), o += 4;
                else if (k == 4) t[o++] = 'x', t[o++] = '^';
                else memcpy(t + o, "sin(", 4), o += 4;
            }
            t[o++] = 'x';
            if (k == 3) memcpy(t + o, " < 1", 4), o += 4;
            for (int i = 0; k == 0 && i < DEEP; i++) t[o++] = ')';
            for (int i = 0; k == 5 && i < DEEP; i++) t[o++] = ')';
            t[o] = '\0';
            pinn_expr *de = NULL;
            pinn_error derr = {0};
            pinn_status dst = pinn_expr_compile(&de, t, &sym, &derr);
            CHECK(dst == PINN_ERR_PARSE && strstr(derr.msg, "nested deeper than 200"), "%s: %s", what[k], derr.msg);
            pinn_expr_free(de);
        }
        /* just below the limit still compiles */
        size_t o = 0;
        for (int i = 0; i < 150; i++) t[o++] = '(';
        t[o++] = 'x';
        for (int i = 0; i < 150; i++) t[o++] = ')';
        t[o] = '\0';
        pinn_expr *de = NULL;
        pinn_error derr = {0};
        CHECK_OK(pinn_expr_compile(&de, t, &sym, &derr), derr);
        pinn_expr_free(de);
        free(t);
    }
    return CHECK_DONE();
}
