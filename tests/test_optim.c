/* test_optim.c - tests of the optimizers: learning-rate schedules against hand-computed values,
 * Adam's first steps against a hand-computed sequence, Adam and L-BFGS on Rosenbrock and on a
 * random least-squares problem (against a Cholesky solve of the normal equations), the strong
 * Wolfe conditions at every accepted L-BFGS step, every stopping reason, and bitwise-identical
 * continuation after saving and loading the optimizer state. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "pinnc/optim.h"

#define MAXN 64
#define LS_ROWS 50
#define LS_COLS 10

static int noisy_accepts; /* accepted steps that needed the fnoise rule (reported) */

/* ---------------- objectives, all recording their last evaluation ---------------- */

typedef enum { F_ROSEN, F_LS, F_QUAD, F_NAN, F_WRONG } fkind;

typedef struct prob {
    fkind kind;
    size_t n;
    long evals;
    double last_f;
    pinn_real last_x[MAXN], last_g[MAXN];
    double A[LS_ROWS * LS_COLS], b[LS_ROWS]; /* least squares data */
} prob;

/* extended Rosenbrock: sum over pairs of 100 (x2 - x1^2)^2 + (1 - x1)^2 */
static double rosen(const pinn_real *x, pinn_real *g, size_t n) {
    double f = 0.0;
    for (size_t i = 0; i + 1 < n; i += 2) {
        double a = x[i + 1] - x[i] * x[i], b = 1.0 - x[i];
        f += 100.0 * a * a + b * b;
        g[i] = -400.0 * a * x[i] - 2.0 * b;
        g[i + 1] = 200.0 * a;
    }
    return f;
}

/* ||A x - b||^2 and its gradient 2 A'(A x - b) */
static double lsq(const prob *p, const pinn_real *x, pinn_real *g) {
    double f = 0.0;
    for (size_t j = 0; j < LS_COLS; j++) g[j] = 0.0;
    for (size_t i = 0; i < LS_ROWS; i++) {
        double r = -p->b[i];
        for (size_t j = 0; j < LS_COLS; j++) r += p->A[i * LS_COLS + j] * x[j];
        f += r * r;
        for (size_t j = 0; j < LS_COLS; j++) g[j] += 2.0 * r * p->A[i * LS_COLS + j];
    }
    return f;
}

static double fg(void *ctx, const pinn_real *x, pinn_real *g) {
    prob *p = ctx;
    double f = 0.0;
    switch (p->kind) {
    case F_ROSEN: f = rosen(x, g, p->n); break;
    case F_LS: f = lsq(p, x, g); break;
    case F_QUAD: /* sum (i+1) x_i^2 / 2 */
        for (size_t i = 0; i < p->n; i++) {
            f += 0.5 * (double)(i + 1) * x[i] * x[i];
            g[i] = (double)(i + 1) * x[i];
        }
        break;
    case F_NAN: /* -x0 for x0 < 3 (unbounded slope), NaN beyond */
        f = x[0] < 3.0 ? -x[0] : NAN;
        g[0] = -1.0;
        break;
    case F_WRONG: /* x^2 with the gradient's sign flipped: no descent along -g */
        f = x[0] * x[0];
        g[0] = -2.0 * x[0];
        break;
    }
    p->evals++;
    p->last_f = f;
    memcpy(p->last_x, x, p->n * sizeof *x);
    memcpy(p->last_g, g, p->n * sizeof *g);
    return f;
}

static void rosen_start(pinn_real *x, size_t n) {
    for (size_t i = 0; i + 1 < n; i += 2) {
        x[i] = -1.2;
        x[i + 1] = 1.0;
    }
}

static double dotv(const pinn_real *a, const pinn_real *b, size_t n) {
    double s = 0.0;
    for (size_t i = 0; i < n; i++) s += (double)a[i] * b[i];
    return s;
}

static double max_abs_diff(const pinn_real *a, const double *b, size_t n) {
    double m = 0.0;
    for (size_t i = 0; i < n; i++) m = fmax(m, fabs((double)a[i] - b[i]));
    return m;
}

static double norm2(const double *a, size_t n) {
    double s = 0.0;
    for (size_t i = 0; i < n; i++) s += a[i] * a[i];
    return sqrt(s);
}

/* Random 50x10 A (seeded), b = A x_true + noise; xstar = solution of A'A x = A'b by Cholesky. */
static void ls_setup(prob *p, double *xstar) {
    memset(p, 0, sizeof *p);
    p->kind = F_LS;
    p->n = LS_COLS;
    pinn_rng r;
    pinn_rng_seed(&r, 20240611);
    double xt[LS_COLS];
    for (size_t j = 0; j < LS_COLS; j++) xt[j] = pinn_rng_normal(&r);
    for (size_t i = 0; i < LS_ROWS * LS_COLS; i++) p->A[i] = pinn_rng_normal(&r);
    for (size_t i = 0; i < LS_ROWS; i++) {
        double s = 0.1 * pinn_rng_normal(&r);
        for (size_t j = 0; j < LS_COLS; j++) s += p->A[i * LS_COLS + j] * xt[j];
        p->b[i] = s;
    }
    /* normal equations M x = c, M = A'A = L L' */
    double M[LS_COLS][LS_COLS], c[LS_COLS], L[LS_COLS][LS_COLS] = {{0}};
    for (size_t j = 0; j < LS_COLS; j++) {
        c[j] = 0.0;
        for (size_t i = 0; i < LS_ROWS; i++) c[j] += p->A[i * LS_COLS + j] * p->b[i];
        for (size_t k = 0; k < LS_COLS; k++) {
            M[j][k] = 0.0;
            for (size_t i = 0; i < LS_ROWS; i++) M[j][k] += p->A[i * LS_COLS + j] * p->A[i * LS_COLS + k];
        }
    }
    for (size_t j = 0; j < LS_COLS; j++) {
        double d = M[j][j];
        for (size_t k = 0; k < j; k++) d -= L[j][k] * L[j][k];
        L[j][j] = sqrt(d);
        for (size_t i = j + 1; i < LS_COLS; i++) {
            double s = M[i][j];
            for (size_t k = 0; k < j; k++) s -= L[i][k] * L[j][k];
            L[i][j] = s / L[j][j];
        }
    }
    double z[LS_COLS];
    for (size_t i = 0; i < LS_COLS; i++) {
        double s = c[i];
        for (size_t k = 0; k < i; k++) s -= L[i][k] * z[k];
        z[i] = s / L[i][i];
    }
    for (size_t i = LS_COLS; i-- > 0;) {
        double s = z[i];
        for (size_t k = i + 1; k < LS_COLS; k++) s -= L[k][i] * xstar[k];
        xstar[i] = s / L[i][i];
    }
}

/* ---------------- schedules ---------------- */

static void test_schedules(void) {
    pinn_schedule s;
    pinn_error err = {0};
    pinn_schedule_default(&s, 0.01);
    CHECK_OK(pinn_schedule_validate(&s, &err), err);
    CHECK(pinn_schedule_lr(&s, 0) == 0.01 && pinn_schedule_lr(&s, 123456) == 0.01, "constant");

    s.kind = PINN_SCHEDULE_EXPONENTIAL;
    s.lr0 = 0.1;
    s.gamma = 0.5;
    s.decay_steps = 100;
    CHECK_OK(pinn_schedule_validate(&s, &err), err);
    CHECK_CLOSE(pinn_schedule_lr(&s, 0), 0.1, 1e-15, "exp step 0");
    CHECK_CLOSE(pinn_schedule_lr(&s, 100), 0.05, 1e-15, "exp step 100");
    CHECK_CLOSE(pinn_schedule_lr(&s, 50), 0.070710678118654752, 1e-15, "exp step 50 = 0.1/sqrt2");
    CHECK_CLOSE(pinn_schedule_lr(&s, 300), 0.0125, 1e-15, "exp step 300");
    s.staircase = 1;
    CHECK_CLOSE(pinn_schedule_lr(&s, 150), 0.05, 1e-15, "staircase 150");
    CHECK_CLOSE(pinn_schedule_lr(&s, 199), 0.05, 1e-15, "staircase 199");
    CHECK_CLOSE(pinn_schedule_lr(&s, 200), 0.025, 1e-15, "staircase 200");
    CHECK_CLOSE(pinn_schedule_lr(&s, 99), 0.1, 1e-15, "staircase 99");

    pinn_schedule_default(&s, 1.0);
    s.kind = PINN_SCHEDULE_COSINE;
    s.lr_min = 0.1;
    s.total_steps = 100;
    CHECK_OK(pinn_schedule_validate(&s, &err), err);
    CHECK_CLOSE(pinn_schedule_lr(&s, 0), 1.0, 1e-15, "cos 0");
    CHECK_CLOSE(pinn_schedule_lr(&s, 50), 0.55, 1e-15, "cos T/2");
    CHECK_CLOSE(pinn_schedule_lr(&s, 25), 0.1 + 0.45 * (1.0 + 0.70710678118654752), 1e-15, "cos T/4");
    CHECK_CLOSE(pinn_schedule_lr(&s, 100), 0.1, 1e-15, "cos T");
    CHECK_CLOSE(pinn_schedule_lr(&s, 5000), 0.1, 1e-15, "cos after T");
    /* warmup 10 then cosine on step - 10 */
    s.warmup_steps = 10;
    CHECK_CLOSE(pinn_schedule_lr(&s, 0), 0.1, 1e-15, "warmup 0 = lr0/10");
    CHECK_CLOSE(pinn_schedule_lr(&s, 4), 0.5, 1e-15, "warmup 4");
    CHECK_CLOSE(pinn_schedule_lr(&s, 9), 1.0, 1e-15, "warmup 9");
    CHECK_CLOSE(pinn_schedule_lr(&s, 10), 1.0, 1e-15, "after warmup");
    CHECK_CLOSE(pinn_schedule_lr(&s, 60), 0.55, 1e-15, "warmup + T/2");
    CHECK_CLOSE(pinn_schedule_lr(&s, 110), 0.1, 1e-15, "warmup + T");

    /* names */
    pinn_schedule_kind k;
    for (int i = 0; i < PINN_SCHEDULE_COUNT; i++) {
        CHECK_OK(pinn_schedule_kind_from_string(pinn_schedule_kind_to_string((pinn_schedule_kind)i), &k, &err), err);
        CHECK(k == (pinn_schedule_kind)i, "name round trip %d", i);
    }
    CHECK(pinn_schedule_kind_from_string("Cosine", &k, &err) == PINN_OK && k == PINN_SCHEDULE_COSINE, "case");
    CHECK(pinn_schedule_kind_from_string("exp", &k, &err) == PINN_OK && k == PINN_SCHEDULE_EXPONENTIAL, "exp");
    CHECK(pinn_schedule_kind_from_string("linear-ish", &k, &err) == PINN_ERR_PARSE, "unknown name");
    CHECK(strstr(err.msg, "linear-ish") != NULL, "message names the word: %s", err.msg);
    CHECK(strcmp(pinn_schedule_kind_to_string((pinn_schedule_kind)99), "unknown") == 0, "out of range");
    /* validation */
    s.kind = PINN_SCHEDULE_EXPONENTIAL;
    s.gamma = 1.5;
    CHECK(pinn_schedule_validate(&s, &err) == PINN_ERR_INVALID, "gamma > 1 rejected");
    pinn_schedule_default(&s, -1.0);
    CHECK(pinn_schedule_validate(&s, &err) == PINN_ERR_INVALID, "negative lr rejected");
}

/* ---------------- Adam ---------------- */

static void test_adam_hand(void) {
    /* f = 2 (x - 1)^2, g = 4 (x - 1), x0 = 3, lr 0.1: values from 50-digit arithmetic */
    pinn_adam_config cfg;
    pinn_adam_config_default(&cfg);
    cfg.schedule.lr0 = 0.1;
    pinn_adam opt;
    pinn_error err = {0};
    CHECK_OK(pinn_adam_init(&opt, 1, &cfg, &err), err);
    const double want[3] = {2.9000000001249999998, 2.8001664858630045806, 2.7006233916636401064};
    pinn_real x = 3.0, g;
    /* an independent transcription of the Adam recurrences */
    double rx = 3.0, rm = 0.0, rv = 0.0;
    for (int t = 1; t <= 50; t++) {
        g = 4.0 * (x - 1.0);
        CHECK_OK(pinn_adam_step(&opt, &x, &g, &err), err);
        double rg = 4.0 * (rx - 1.0);
        rm = 0.9 * rm + 0.1 * rg;
        rv = 0.999 * rv + 0.001 * rg * rg;
        rx -= 0.1 * (rm / (1.0 - pow(0.9, t))) / (sqrt(rv / (1.0 - pow(0.999, t))) + 1e-8);
        /* float: x rounds to 24 bits at every step (seen: 5e-8 after 3 steps, 1.2e-7 after 50) */
        if (t <= 3) CHECK_CLOSE(x, want[t - 1], PINN_TEST_TOL(1e-14, 4 * PINN_TEST_EPS), "adam hand step");
        CHECK_CLOSE(x, rx, PINN_TEST_TOL(1e-13, 1e-6), "adam recurrence");
    }
    CHECK(opt.t == 50, "step count %lld", (long long)opt.t);
    /* NaN gradient: refused, nothing changes */
    pinn_real before = x;
    g = NAN;
    CHECK(pinn_adam_step(&opt, &x, &g, &err) == PINN_ERR_NUMERIC, "NaN gradient refused");
    CHECK(x == before && opt.t == 50, "NaN step changed nothing");
    pinn_adam_free(&opt);

    /* AdamW + clipping, first step: x -= lr (g~/(|g~| + eps) + wd x), g~ = g * clip/||g|| */
    cfg.schedule.lr0 = 0.01;
    cfg.weight_decay = 0.5;
    cfg.clip_norm = 1.0;
    CHECK_OK(pinn_adam_init(&opt, 2, &cfg, &err), err);
    pinn_real x2[2] = {2.0, -1.0}, g2[2] = {3.0, 4.0};
    CHECK_OK(pinn_adam_step(&opt, x2, g2, &err), err);
    CHECK_CLOSE(x2[0], 2.0 - 0.01 * (0.6 / (0.6 + 1e-8) + 0.5 * 2.0), PINN_TEST_ROUNDING(1e-15), "adamw x0");
    CHECK_CLOSE(x2[1], -1.0 - 0.01 * (0.8 / (0.8 + 1e-8) - 0.5), PINN_TEST_ROUNDING(1e-15), "adamw x1");
    CHECK_CLOSE(opt.m[0], 0.1 * 0.6, PINN_TEST_ROUNDING(1e-15), "clipped first moment");
    CHECK_CLOSE(opt.last_gnorm, 5.0, 1e-15, "gradient norm before clipping");
    pinn_adam_free(&opt);

    cfg.beta1 = 1.0;
    CHECK(pinn_adam_init(&opt, 2, &cfg, &err) == PINN_ERR_INVALID, "beta1 = 1 rejected");
    pinn_adam_free(&opt);
}

static void test_adam_rosenbrock(void) {
    prob p = {.kind = F_ROSEN, .n = 2};
    pinn_adam_config cfg;
    pinn_adam_config_default(&cfg);
    cfg.schedule.kind = PINN_SCHEDULE_COSINE;
    cfg.schedule.lr0 = 1e-2;
    cfg.schedule.lr_min = 1e-6;
    cfg.schedule.total_steps = 20000;
    pinn_adam opt;
    pinn_error err = {0};
    CHECK_OK(pinn_adam_init(&opt, 2, &cfg, &err), err);
    pinn_real x[2] = {-1.2, 1.0}, g[2];
    for (int k = 0; k < 20000; k++) {
        fg(&p, x, g);
        CHECK_OK(pinn_adam_step(&opt, x, g, &err), err);
    }
    double one[2] = {1.0, 1.0};
    double e = max_abs_diff(x, one, 2);
    printf("adam rosenbrock 2D: 20000 steps, max|x - 1| = %.3e\n", e);
    CHECK(e < 1e-3, "adam rosenbrock error %g", e);
    pinn_adam_free(&opt);
}

static void test_adam_ls(void) {
    prob p;
    double xstar[LS_COLS];
    ls_setup(&p, xstar);
    pinn_adam_config cfg;
    pinn_adam_config_default(&cfg);
    cfg.schedule.kind = PINN_SCHEDULE_EXPONENTIAL;
    cfg.schedule.lr0 = 0.05;
    cfg.schedule.gamma = 0.1;
    cfg.schedule.decay_steps = 2000;
    pinn_adam opt;
    pinn_error err = {0};
    CHECK_OK(pinn_adam_init(&opt, LS_COLS, &cfg, &err), err);
    pinn_real x[LS_COLS] = {0}, g[LS_COLS];
    for (int k = 0; k < 10000; k++) {
        fg(&p, x, g);
        CHECK_OK(pinn_adam_step(&opt, x, g, &err), err);
    }
    double d[LS_COLS];
    for (size_t j = 0; j < LS_COLS; j++) d[j] = x[j] - xstar[j];
    double rel = norm2(d, LS_COLS) / norm2(xstar, LS_COLS);
    printf("adam least squares 50x10: 10000 steps, relative error %.3e\n", rel);
    CHECK(rel < 1e-6, "adam LS relative error %g", rel);
    pinn_adam_free(&opt);
}

/* Adam: save after K steps, continue K more; a fresh optimizer loaded from the state must
 * reproduce the same iterates bit for bit. */
static void test_adam_checkpoint(void) {
    prob p = {.kind = F_ROSEN, .n = 4};
    pinn_adam_config cfg;
    pinn_adam_config_default(&cfg);
    cfg.schedule.kind = PINN_SCHEDULE_COSINE;
    cfg.schedule.lr0 = 5e-3;
    cfg.schedule.total_steps = 1000;
    cfg.schedule.warmup_steps = 20;
    cfg.weight_decay = 1e-3;
    cfg.clip_norm = 10.0;
    pinn_adam a, b;
    pinn_error err = {0};
    CHECK_OK(pinn_adam_init(&a, 4, &cfg, &err), err);
    CHECK_OK(pinn_adam_init(&b, 4, &cfg, &err), err);
    pinn_real x[4], g[4], xs[4];
    rosen_start(x, 4);
    for (int k = 0; k < 300; k++) {
        fg(&p, x, g);
        pinn_adam_step(&a, x, g, &err);
    }
    double buf[3 + 2 * 4];
    CHECK(pinn_adam_state_size(&a) == 11, "adam state size");
    pinn_adam_state_save(&a, buf);
    memcpy(xs, x, sizeof x);
    for (int k = 0; k < 300; k++) {
        fg(&p, x, g);
        pinn_adam_step(&a, x, g, &err);
    }
    CHECK_OK(pinn_adam_state_load(&b, buf, &err), err);
    for (int k = 0; k < 300; k++) {
        fg(&p, xs, g);
        pinn_adam_step(&b, xs, g, &err);
    }
    CHECK(memcmp(x, xs, sizeof x) == 0, "adam continuation is bitwise identical");
    CHECK(memcmp(a.m, b.m, 4 * sizeof *a.m) == 0 && memcmp(a.v, b.v, 4 * sizeof *a.v) == 0 && a.t == b.t,
          "adam moments identical");
    /* mismatches are refused */
    pinn_adam c;
    CHECK_OK(pinn_adam_init(&c, 3, &cfg, &err), err);
    CHECK(pinn_adam_state_load(&c, buf, &err) == PINN_ERR_INVALID, "wrong n refused");
    buf[0] = 1.0;
    CHECK(pinn_adam_state_load(&b, buf, &err) == PINN_ERR_INVALID, "bad tag refused");
    pinn_adam_free(&a);
    pinn_adam_free(&b);
    pinn_adam_free(&c);
}

/* ---------------- L-BFGS ---------------- */

/* Steps L-BFGS until it stops, checking at every accepted iteration that the new point is the last
 * one evaluated and that the strong Wolfe conditions hold for s = x_k+1 - x_k.  Returns the reason. */
static pinn_lbfgs_reason drive(pinn_lbfgs *opt, prob *p, pinn_real *x, double *f, pinn_real *g, int *wolfe_bad) {
    const size_t n = p->n;
    pinn_real xk[MAXN], gk[MAXN];
    pinn_error err = {0};
    pinn_lbfgs_reason reason = PINN_LBFGS_RUNNING;
    *f = fg(p, x, g);
    while (reason == PINN_LBFGS_RUNNING) {
        memcpy(xk, x, n * sizeof *x);
        memcpy(gk, g, n * sizeof *g);
        double fk = *f;
        int64_t it = opt->iter;
        pinn_status st = pinn_lbfgs_step(opt, x, f, g, fg, p, &reason, &err);
        CHECK(st == PINN_OK, "step: %s", err.msg);
        if (st != PINN_OK) break;
        if (opt->iter == it) continue; /* stopped before or inside the search: nothing accepted */
        double s[MAXN];
        pinn_real sr[MAXN];
        for (size_t i = 0; i < n; i++) sr[i] = (pinn_real)(s[i] = (double)x[i] - (double)xk[i]);
        double gs0 = dotv(gk, sr, n), gs1 = dotv(g, sr, n);
        int same = *f == p->last_f && memcmp(x, p->last_x, n * sizeof *x) == 0 &&
                   memcmp(g, p->last_g, n * sizeof *g) == 0;
        /* Armijo on values, or (documented fnoise rule) on the secant slope when the change of f
         * is within its rounding noise */
        int armijo = *f <= fk + opt->cfg.c1 * gs0;
        if (!armijo && opt->cfg.fnoise > 0.0 && fabs(*f - fk) <= opt->cfg.fnoise * fabs(fk) &&
            gs1 <= (2.0 * opt->cfg.c1 - 1.0) * gs0 * (1.0 - 1e-9)) {
            armijo = 1;
            noisy_accepts++;
        }
        int curv = fabs(gs1) <= opt->cfg.c2 * fabs(gs0) * (1.0 + 1e-9);
        if (!(same && armijo && curv && gs0 < 0.0)) {
            (*wolfe_bad)++;
            fprintf(stderr, "iter %lld: same %d armijo %d (f %.17g fk %.17g c1gs %.3g) curv %d (%.17g vs %.17g)\n",
                    (long long)opt->iter, same, armijo, *f, fk, opt->cfg.c1 * gs0, curv, gs1, gs0);
        }
    }
    return reason;
}

static void test_lbfgs_rosenbrock(size_t n) {
    prob p = {.kind = F_ROSEN, .n = n};
    pinn_lbfgs_config cfg;
    pinn_lbfgs_config_default(&cfg);
    cfg.gtol = 1e-10;
    cfg.ftol = 0.0;
    pinn_lbfgs opt;
    pinn_error err = {0};
    CHECK_OK(pinn_lbfgs_init(&opt, n, &cfg, &err), err);
    pinn_real x[MAXN], g[MAXN];
    double f;
    rosen_start(x, n);
    int bad = 0;
    noisy_accepts = 0;
    pinn_lbfgs_reason r = drive(&opt, &p, x, &f, g, &bad);
    double one[MAXN];
    for (size_t i = 0; i < n; i++) one[i] = 1.0;
    double e = max_abs_diff(x, one, n);
    printf("lbfgs rosenbrock %zuD: %s after %lld iterations, %lld evaluations, max|x - 1| = %.3e, "
           "skipped %lld, restarts %lld, fnoise-rule steps %d\n",
           n, pinn_lbfgs_reason_to_string(r), (long long)opt.iter, (long long)opt.evals, e, (long long)opt.skipped,
           (long long)opt.restarts, noisy_accepts);
    CHECK(r == PINN_LBFGS_GTOL, "reason %s", pinn_lbfgs_reason_to_string(r));
    CHECK(e <= 1e-8, "rosenbrock %zuD error %g", n, e);
    CHECK(opt.iter < 100, "iterations %lld", (long long)opt.iter);
    CHECK(bad == 0, "strong Wolfe violated at %d steps", bad);
    CHECK(noisy_accepts == 0, "f -> 0 here, so every step passes the plain Armijo test");
    CHECK(opt.evals == p.evals - 1, "evaluation counter %lld vs %ld", (long long)opt.evals, p.evals);
    pinn_lbfgs_free(&opt);
}

static void test_lbfgs_ls(void) {
    prob p;
    double xstar[LS_COLS];
    ls_setup(&p, xstar);
    pinn_lbfgs_config cfg;
    pinn_lbfgs_config_default(&cfg);
    /* |g| <= 1e-9 bounds |x - x*| by ~1e-9 * sqrt(10) / lambda_min(2 A'A) ~ 1e-10.  In float, x
     * itself is only good to 6e-8 relative, which leaves |g| ~ 2 |A'A| |dx| ~ 1e-5: gtol 1e-4,
     * and the error bound is 1e-5 */
    cfg.gtol = PINN_TEST_TOL(1e-9, 1e-4);
    const double rel_tol = PINN_TEST_TOL(1e-10, 1e-5);
    cfg.ftol = 0.0;
    pinn_lbfgs opt;
    pinn_error err = {0};
    CHECK_OK(pinn_lbfgs_init(&opt, LS_COLS, &cfg, &err), err);
    pinn_real x[LS_COLS] = {0}, g[LS_COLS];
    double f;
    int bad = 0;
    noisy_accepts = 0;
    pinn_lbfgs_reason r = drive(&opt, &p, x, &f, g, &bad);
    double d[LS_COLS];
    for (size_t j = 0; j < LS_COLS; j++) d[j] = x[j] - xstar[j];
    double rel = norm2(d, LS_COLS) / norm2(xstar, LS_COLS);
    printf("lbfgs least squares 50x10: %s after %lld iterations, %lld evaluations, relative error %.3e, "
           "%d steps accepted by the fnoise rule\n",
           pinn_lbfgs_reason_to_string(r), (long long)opt.iter, (long long)opt.evals, rel, noisy_accepts);
    CHECK(r == PINN_LBFGS_GTOL, "reason %s", pinn_lbfgs_reason_to_string(r));
    CHECK(rel <= rel_tol, "LS relative error %g", rel);
    CHECK(opt.iter <= 25, "iterations %lld", (long long)opt.iter);
    CHECK(bad == 0, "strong Wolfe violated at %d steps", bad);
    pinn_lbfgs_free(&opt);

    /* fnoise = 0: plain strong Wolfe only.  The run ends once f stops resolving the progress
     * (line search failure, x back at the last good point), still well converged. */
    cfg.fnoise = 0.0;
    CHECK_OK(pinn_lbfgs_init(&opt, LS_COLS, &cfg, &err), err);
    memset(x, 0, sizeof x);
    bad = 0;
    noisy_accepts = 0;
    r = drive(&opt, &p, x, &f, g, &bad);
    for (size_t j = 0; j < LS_COLS; j++) d[j] = x[j] - xstar[j];
    rel = norm2(d, LS_COLS) / norm2(xstar, LS_COLS);
    printf("lbfgs least squares, fnoise 0: %s after %lld iterations, relative error %.3e\n",
           pinn_lbfgs_reason_to_string(r), (long long)opt.iter, rel);
    CHECK(r == PINN_LBFGS_GTOL || r == PINN_LBFGS_LINE_SEARCH, "reason %s", pinn_lbfgs_reason_to_string(r));
    CHECK(bad == 0 && noisy_accepts == 0, "strict strong Wolfe: %d violations", bad);
    CHECK(rel <= PINN_TEST_TOL(1e-9, rel_tol), "relative error %g", rel);
    pinn_real gc[LS_COLS];
    CHECK(fg(&p, x, gc) == f && memcmp(gc, g, sizeof gc) == 0, "final point consistent");
    pinn_lbfgs_free(&opt);
}

/* Each tolerance and limit ends a run with its own reason, and the claim behind it holds. */
static void test_lbfgs_reasons(void) {
    pinn_lbfgs_config cfg;
    pinn_lbfgs opt;
    pinn_error err = {0};
    pinn_lbfgs_reason r;
    pinn_real x[MAXN], g[MAXN], xk[MAXN];
    double f, fk;

    /* gtol on a quadratic */
    prob q = {.kind = F_QUAD, .n = 8};
    pinn_lbfgs_config_default(&cfg);
    cfg.gtol = 1e-4;
    cfg.ftol = 0.0;
    CHECK_OK(pinn_lbfgs_init(&opt, 8, &cfg, &err), err);
    for (size_t i = 0; i < 8; i++) x[i] = 1.0;
    CHECK_OK(pinn_lbfgs_minimize(&opt, x, &f, g, fg, &q, &r, &err), err);
    double gmax = 0.0;
    for (size_t i = 0; i < 8; i++) gmax = fmax(gmax, fabs(g[i]));
    CHECK(r == PINN_LBFGS_GTOL && gmax <= 1e-4 && opt.iter >= 2, "gtol: %s, |g| %g, iter %lld",
          pinn_lbfgs_reason_to_string(r), gmax, (long long)opt.iter);
    CHECK(opt.evals == q.evals, "minimize counts its first evaluation");
    /* calling again at a converged point does nothing */
    long ev = q.evals;
    CHECK_OK(pinn_lbfgs_step(&opt, x, &f, g, fg, &q, &r, &err), err);
    CHECK(r == PINN_LBFGS_GTOL && q.evals == ev, "converged step makes no evaluation");
    pinn_lbfgs_free(&opt);

    /* ftol on Rosenbrock: stops early with a small relative decrease */
    prob p = {.kind = F_ROSEN, .n = 2};
    pinn_lbfgs_config_default(&cfg);
    cfg.gtol = 1e-12;
    cfg.ftol = 1e-3;
    CHECK_OK(pinn_lbfgs_init(&opt, 2, &cfg, &err), err);
    rosen_start(x, 2);
    f = fg(&p, x, g);
    r = PINN_LBFGS_RUNNING;
    while (r == PINN_LBFGS_RUNNING) {
        fk = f;
        CHECK_OK(pinn_lbfgs_step(&opt, x, &f, g, fg, &p, &r, &err), err);
    }
    double rel = fabs(fk - f) / fmax(fmax(fabs(fk), fabs(f)), 1.0);
    CHECK(r == PINN_LBFGS_FTOL && rel <= 1e-3 && f > 1e-12, "ftol: %s, rel %g, f %g",
          pinn_lbfgs_reason_to_string(r), rel, f);
    pinn_lbfgs_free(&opt);

    /* xtol on Rosenbrock */
    pinn_lbfgs_config_default(&cfg);
    cfg.gtol = 0.0;
    cfg.ftol = 0.0;
    cfg.xtol = 1e-3;
    CHECK_OK(pinn_lbfgs_init(&opt, 2, &cfg, &err), err);
    rosen_start(x, 2);
    f = fg(&p, x, g);
    r = PINN_LBFGS_RUNNING;
    double smax = 0.0;
    while (r == PINN_LBFGS_RUNNING) {
        memcpy(xk, x, 2 * sizeof *x);
        CHECK_OK(pinn_lbfgs_step(&opt, x, &f, g, fg, &p, &r, &err), err);
        smax = fmax(fabs(x[0] - xk[0]), fabs(x[1] - xk[1]));
    }
    CHECK(r == PINN_LBFGS_XTOL && smax <= 1e-3 * fmax(1.0, fmax(fabs(x[0]), fabs(x[1]))) && smax > 0.0,
          "xtol: %s, step %g", pinn_lbfgs_reason_to_string(r), smax);
    pinn_lbfgs_free(&opt);

    /* max_iter */
    pinn_lbfgs_config_default(&cfg);
    cfg.max_iter = 3;
    CHECK_OK(pinn_lbfgs_init(&opt, 2, &cfg, &err), err);
    rosen_start(x, 2);
    CHECK_OK(pinn_lbfgs_minimize(&opt, x, &f, g, fg, &p, &r, &err), err);
    CHECK(r == PINN_LBFGS_MAX_ITER && opt.iter == 3, "max_iter: %s after %lld", pinn_lbfgs_reason_to_string(r),
          (long long)opt.iter);
    pinn_lbfgs_free(&opt);

    /* max_evals: the run never exceeds the budget and ends at a consistent point */
    pinn_lbfgs_config_default(&cfg);
    cfg.max_evals = 7;
    CHECK_OK(pinn_lbfgs_init(&opt, 2, &cfg, &err), err);
    rosen_start(x, 2);
    p.evals = 0;
    CHECK_OK(pinn_lbfgs_minimize(&opt, x, &f, g, fg, &p, &r, &err), err);
    pinn_real gc[2];
    double fc = fg(&p, x, gc);
    CHECK(r == PINN_LBFGS_MAX_EVALS && opt.evals <= 7 && p.evals - 1 == opt.evals, "max_evals: %s, %lld evals",
          pinn_lbfgs_reason_to_string(r), (long long)opt.evals);
    CHECK(fc == f && gc[0] == g[0] && gc[1] == g[1] && f < 24.2, "max_evals leaves a consistent, improved point");
    pinn_lbfgs_free(&opt);

    /* NaN inside the line search: NUMERIC, x back at the entry point */
    prob pn = {.kind = F_NAN, .n = 1};
    pinn_lbfgs_config_default(&cfg);
    CHECK_OK(pinn_lbfgs_init(&opt, 1, &cfg, &err), err);
    x[0] = 0.0;
    f = fg(&pn, x, g);
    CHECK(pinn_lbfgs_step(&opt, x, &f, g, fg, &pn, &r, &err) == PINN_ERR_NUMERIC, "NaN gives a numeric status");
    CHECK(r == PINN_LBFGS_NUMERIC && x[0] == 0.0 && f == 0.0 && g[0] == -1.0 && pn.evals >= 3,
          "numeric: %s, x %g, f %g after %ld evals", pinn_lbfgs_reason_to_string(r), x[0], f, pn.evals);
    /* NaN handed in */
    f = NAN;
    CHECK(pinn_lbfgs_step(&opt, x, &f, g, fg, &pn, &r, &err) == PINN_ERR_NUMERIC && r == PINN_LBFGS_NUMERIC,
          "NaN at entry");
    pinn_lbfgs_free(&opt);

    /* a wrong gradient: no point satisfies the conditions, LINE_SEARCH and x restored */
    prob pw = {.kind = F_WRONG, .n = 1};
    CHECK_OK(pinn_lbfgs_init(&opt, 1, &cfg, &err), err);
    x[0] = 1.0;
    f = fg(&pw, x, g);
    CHECK_OK(pinn_lbfgs_step(&opt, x, &f, g, fg, &pw, &r, &err), err);
    CHECK(r == PINN_LBFGS_LINE_SEARCH && x[0] == 1.0 && f == 1.0 && g[0] == -2.0, "line search failure: %s",
          pinn_lbfgs_reason_to_string(r));
    CHECK(pw.evals - 1 <= cfg.max_ls_evals, "line search bounded: %ld evals", pw.evals - 1);
    pinn_lbfgs_free(&opt);

    /* curvature safeguard: with curvature_eps = 1 every pair is rejected (Cauchy-Schwarz) */
    pinn_lbfgs_config_default(&cfg);
    cfg.curvature_eps = 1.0;
    cfg.max_iter = 20;
    CHECK_OK(pinn_lbfgs_init(&opt, 2, &cfg, &err), err);
    rosen_start(x, 2);
    CHECK_OK(pinn_lbfgs_minimize(&opt, x, &f, g, fg, &p, &r, &err), err);
    CHECK(opt.skipped == opt.iter && opt.count == 0 && f < 24.2, "safeguard: skipped %lld of %lld, f %g",
          (long long)opt.skipped, (long long)opt.iter, f);
    pinn_lbfgs_free(&opt);

    /* a history that gives an ascent direction (pair with s'y < 0 planted by hand): the step
     * drops it, restarts along -g and still makes progress */
    pinn_lbfgs_config_default(&cfg);
    cfg.memory = 1;
    CHECK_OK(pinn_lbfgs_init(&opt, 2, &cfg, &err), err);
    rosen_start(x, 2);
    f = fg(&p, x, g);
    CHECK_OK(pinn_lbfgs_step(&opt, x, &f, g, fg, &p, &r, &err), err);
    CHECK(opt.count == 1, "one pair stored");
    opt.rho[0] = -opt.rho[0];
    for (size_t i = 0; i < 2; i++) opt.y[i] = -opt.y[i];
    fk = f;
    CHECK_OK(pinn_lbfgs_step(&opt, x, &f, g, fg, &p, &r, &err), err);
    CHECK(opt.restarts == 1 && r == PINN_LBFGS_RUNNING && f < fk && opt.count == 1 && opt.rho[0] > 0.0,
          "restart: %lld restarts, f %g -> %g", (long long)opt.restarts, fk, f);
    pinn_lbfgs_free(&opt);

    CHECK(strcmp(pinn_lbfgs_reason_to_string(PINN_LBFGS_MAX_EVALS), "max_evals") == 0, "reason names");
    CHECK(strcmp(pinn_lbfgs_reason_to_string((pinn_lbfgs_reason)-1), "unknown") == 0, "reason out of range");
    cfg.c2 = cfg.c1 / 2;
    CHECK(pinn_lbfgs_init(&opt, 2, &cfg, &err) == PINN_ERR_INVALID, "c2 < c1 rejected");
    pinn_lbfgs_free(&opt);
}

/* Adam first, then L-BFGS from wherever Adam stopped; moving x between L-BFGS steps drops history. */
static void test_switch(void) {
    prob p = {.kind = F_ROSEN, .n = 10};
    pinn_adam_config acfg;
    pinn_adam_config_default(&acfg);
    acfg.schedule.lr0 = 1e-2;
    pinn_adam adam;
    pinn_lbfgs opt;
    pinn_lbfgs_config cfg;
    pinn_lbfgs_config_default(&cfg);
    cfg.gtol = 1e-10;
    cfg.ftol = 0.0;
    pinn_error err = {0};
    CHECK_OK(pinn_adam_init(&adam, 10, &acfg, &err), err);
    CHECK_OK(pinn_lbfgs_init(&opt, 10, &cfg, &err), err);
    pinn_real x[10], g[10];
    double f;
    rosen_start(x, 10);
    for (int k = 0; k < 200; k++) {
        fg(&p, x, g);
        pinn_adam_step(&adam, x, g, &err);
    }
    f = fg(&p, x, g);
    pinn_lbfgs_reason r;
    for (int k = 0; k < 5; k++) CHECK_OK(pinn_lbfgs_step(&opt, x, &f, g, fg, &p, &r, &err), err);
    CHECK(opt.count == 5 || opt.count + opt.skipped == 5, "history grows: %d", opt.count);
    pinn_adam_step(&adam, x, g, &err); /* x moves under L-BFGS's feet */
    f = fg(&p, x, g);
    CHECK_OK(pinn_lbfgs_step(&opt, x, &f, g, fg, &p, &r, &err), err);
    CHECK(opt.count <= 1, "history dropped after x changed outside: %d", opt.count);
    while (r == PINN_LBFGS_RUNNING) CHECK_OK(pinn_lbfgs_step(&opt, x, &f, g, fg, &p, &r, &err), err);
    double one[10] = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1};
    CHECK(r == PINN_LBFGS_GTOL && max_abs_diff(x, one, 10) < 1e-8, "adam -> lbfgs converges: %s",
          pinn_lbfgs_reason_to_string(r));
    pinn_adam_free(&adam);
    pinn_lbfgs_free(&opt);
}

/* L-BFGS: save mid-run (after the ring has wrapped), continue; a fresh optimizer loaded from the
 * state and started at the saved x must reproduce the remaining iterates bit for bit. */
static void test_lbfgs_checkpoint(void) {
    enum { N = 10 };
    prob p = {.kind = F_ROSEN, .n = N};
    pinn_lbfgs_config cfg;
    pinn_lbfgs_config_default(&cfg);
    cfg.memory = 4;
    cfg.gtol = 1e-10;
    cfg.ftol = 0.0;
    pinn_lbfgs a, b;
    pinn_error err = {0};
    CHECK_OK(pinn_lbfgs_init(&a, N, &cfg, &err), err);
    CHECK_OK(pinn_lbfgs_init(&b, N, &cfg, &err), err);
    pinn_real x[N], g[N], xs[N];
    double f, fs;
    pinn_lbfgs_reason r = PINN_LBFGS_RUNNING, rb = PINN_LBFGS_RUNNING;
    rosen_start(x, N);
    f = fg(&p, x, g);
    for (int k = 0; k < 12; k++) pinn_lbfgs_step(&a, x, &f, g, fg, &p, &r, &err);
    CHECK(r == PINN_LBFGS_RUNNING && a.count == 4, "mid-run with a full ring");
    size_t sz = pinn_lbfgs_state_size(&a);
    CHECK(sz == 11 + 4 + 2 * 4 * N + N, "lbfgs state size %zu", sz);
    double buf[11 + 4 + 2 * 4 * N + N];
    pinn_lbfgs_state_save(&a, buf);
    memcpy(xs, x, sizeof x);
    while (r == PINN_LBFGS_RUNNING) pinn_lbfgs_step(&a, x, &f, g, fg, &p, &r, &err);
    CHECK_OK(pinn_lbfgs_state_load(&b, buf, &err), err);
    fs = fg(&p, xs, g);
    while (rb == PINN_LBFGS_RUNNING) pinn_lbfgs_step(&b, xs, &fs, g, fg, &p, &rb, &err);
    CHECK(memcmp(x, xs, sizeof x) == 0 && f == fs, "lbfgs continuation is bitwise identical");
    CHECK(r == rb && a.iter == b.iter && a.evals == b.evals, "same reason and counters (%lld/%lld iters)",
          (long long)a.iter, (long long)b.iter);
    pinn_lbfgs c;
    cfg.memory = 5;
    CHECK_OK(pinn_lbfgs_init(&c, N, &cfg, &err), err);
    CHECK(pinn_lbfgs_state_load(&c, buf, &err) == PINN_ERR_INVALID, "wrong memory refused");
    buf[0] = 0.0;
    CHECK(pinn_lbfgs_state_load(&b, buf, &err) == PINN_ERR_INVALID, "bad tag refused");
    pinn_lbfgs_free(&a);
    pinn_lbfgs_free(&b);
    pinn_lbfgs_free(&c);
}

int main(void) {
    test_schedules();
    test_adam_hand();
    test_adam_rosenbrock();
    test_adam_ls();
    test_adam_checkpoint();
    test_lbfgs_rosenbrock(2);
    test_lbfgs_rosenbrock(10);
    test_lbfgs_ls();
    test_lbfgs_reasons();
    test_switch();
    test_lbfgs_checkpoint();
    return CHECK_DONE();
}
