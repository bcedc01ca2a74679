/* test_gemm_plan.c - the GEMM planner: a damaged cache file is read line by line and rewritten
 * clean; a forced plan (a cache file) gives bitwise the same training twice, and a plan of all
 * "small" or all "library" entries gives bitwise the run forced to that kernel.  No timings are
 * asserted: the planner's measurements only choose, they are never compared. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "core/gemm_plan.h"
#include "pinnc.h"

static const char *problem_yaml =
    "domain: {t: [0, 1], x: [-1, 1]}\nconstants: {nu: 0.01/pi}\nfields: [u]\n"
    "equations: [{name: pde, equation: \"u_t + u*u_x - nu*u_xx = 0\"}]\n"
    "conditions:\n  - {name: ic, on: \"t = 0\", equation: \"u = -sin(pi*x)\", points: 40}\n"
    "  - {name: bc, on: \"x = -1 or x = 1\", equation: \"u = 0\", points: 40}\n"
    "model: {kind: mlp, hidden: [12, 12], activation: tanh}\n"
    "train: {collocation: 300, epochs: 12, lr: 1.0e-3, lbfgs: 0, log_every: 100, eval_every: 0, checkpoint_every: 0}\n";

/* Trains the problem under a context of kernel kind (cache: the plan file for PINN_GEMM_PLAN);
 * returns the malloc'ed final parameters (np of them) or NULL.  *all_cached: every planned
 * product came from the cache. */
static pinn_real *train(const pinn_problem *p, pinn_gemm_kind kind, const char *cache, size_t *np, int *all_cached) {
    pinn_error err;
    pinn_ctx *c = NULL;
    pinn_trainer *t = NULL;
    pinn_real *out = NULL;
    CHECK_OK(pinn_ctx_init(&c, 1, &err), err);
    if (!c) return NULL;
    pinn_ctx_set_gemm(c, kind);
    CHECK_OK(pinn_ctx_set_gemm_cache(c, cache, &err), err);
    CHECK_OK(pinn_trainer_init_ctx(&t, c, p, &err), err);
    if (t) {
        CHECK_OK(pinn_trainer_train(t, NULL, 0, NULL, NULL, &err), err);
        pinn_trainer_info info;
        pinn_trainer_get_info(t, &info);
        *np = info.n_total_params;
        out = malloc(sizeof(pinn_real) * *np);
        memcpy(out, pinn_trainer_params(t), sizeof(pinn_real) * *np);
    }
    if (all_cached) {
        *all_cached = pinn_ctx_gemm_plan_count(c) > 0;
        for (int i = 0; i < pinn_ctx_gemm_plan_count(c); i++) {
            const pinn_gemm_plan_entry *e = pinn_ctx_gemm_plan_entry(c, i);
            if (e->used && !e->from_cache) *all_cached = 0;
        }
    }
    pinn_trainer_free(t);
    pinn_ctx_free(c);
    return out;
}

/* Rewrites the plan file at path with every kernel replaced: mode 0 flips each choice, 1 makes
 * all "small", 2 all "library". Returns the number of entries. */
static int rewrite(const char *path, int mode) {
    FILE *f = fopen(path, "r");
    if (!f) return 0;
    char lines[512][128];
    int n = 0;
    char line[256];
    while (n < 512 && fgets(line, sizeof line, f)) {
        int ta, tb, m, nn, k;
        char kind[16];
        double a, b;
        if (line[0] == '#' || sscanf(line, "%d %d %d %d %d %15s %lf %lf", &ta, &tb, &m, &nn, &k, kind, &a, &b) != 8) continue;
        const char *nk = mode == 1 ? "small" : mode == 2 ? "library" : strcmp(kind, "small") ? "small" : "library";
        snprintf(lines[n++], sizeof lines[0], "%d %d %d %d %d %s %g %g\n", ta, tb, m, nn, k, nk, a, b);
    }
    fclose(f);
    f = fopen(path, "w");
    for (int i = 0; i < n; i++) fputs(lines[i], f);
    fclose(f);
    return n;
}

/* A cache with damaged lines: the good ones are used, the bad ones dropped on the next save. */
static void damaged_cache(const char *dir) {
    char path[600];
    snprintf(path, sizeof path, "%s/damaged.txt", dir);
    FILE *f = fopen(path, "w");
    fputs("# comment\n0 1 64 20 20 small 1e-6 2e-6\nnot a plan line\n1 1 4 4 4 small 1 1\n0 0 64 20 20 libr", f);
    fclose(f);
    pinn_error err;
    pinn_gemm_planner *p = NULL;
    CHECK_OK(pinn_gemm_planner_init(&p, path, &err), err);
    if (!p) return;
    CHECK(pinn_gemm_planner_choose(p, 0, 1, 64, 20, 20) == PINN_GEMM_SMALL, "the cached choice is used");
    CHECK(pinn_gemm_planner_count(p) == 1 && pinn_gemm_planner_entry(p, 0)->from_cache, "one good line read");
    pinn_gemm_kind k = pinn_gemm_planner_choose(p, 0, 0, 64, 20, 20); /* timed now */
    CHECK(k == PINN_GEMM_SMALL || k == PINN_GEMM_LIBRARY, "a timed choice");
    CHECK(pinn_gemm_planner_count(p) == 2 && !pinn_gemm_planner_entry(p, 1)->from_cache, "the timed entry");
    CHECK(pinn_gemm_planner_save(p) == 1, "the plan is saved");
    pinn_gemm_planner_free(p);
    /* the rewritten file holds exactly the two entries, each well formed */
    f = fopen(path, "r");
    char line[256];
    int good = 0, bad = 0;
    while (f && fgets(line, sizeof line, f)) {
        if (line[0] == '#') continue;
        int a[5];
        char kind[16];
        double x, y;
        if (sscanf(line, "%d %d %d %d %d %15s %lf %lf", &a[0], &a[1], &a[2], &a[3], &a[4], kind, &x, &y) == 8) good++;
        else bad++;
    }
    if (f) fclose(f);
    CHECK(good == 2 && bad == 0, "rewritten cache: %d good, %d bad lines", good, bad);
    /* a cache that is a directory, or unwritable, leaves the plan in memory */
    CHECK_OK(pinn_gemm_planner_init(&p, dir, &err), err);
    if (p) {
        pinn_gemm_planner_choose(p, 0, 1, 8, 3, 2);
        CHECK(pinn_gemm_planner_save(p) == 0 && pinn_gemm_planner_count(p) == 1, "an unwritable cache");
        pinn_gemm_planner_free(p);
    }
    CHECK(pinn_gemm_kind_from_string("plan", &k, &err) == PINN_OK && k == PINN_GEMM_PLAN, "kind name");
    CHECK(pinn_gemm_kind_from_string("fast", &k, &err) == PINN_ERR_INVALID && strstr(err.msg, "plan"), "bad kind name");
}

int main(void) {
    char dir[] = "/tmp/pinnc_gemm_plan_XXXXXX";
    CHECK(mkdtemp(dir) != NULL, "mkdtemp");
    damaged_cache(dir);
    char yaml[600], cache[600];
    snprintf(yaml, sizeof yaml, "%s/p.yaml", dir);
    snprintf(cache, sizeof cache, "%s/plan.txt", dir);
    FILE *f = fopen(yaml, "w");
    fputs(problem_yaml, f);
    fclose(f);
    pinn_problem *p = malloc(sizeof *p);
    pinn_error err;
    CHECK_OK(pinn_problem_load(p, yaml, 0, NULL, &err), err);
    size_t np = 0, np2 = 0;
    int cached = 0;
    /* a first run plans (times) every shape and writes the cache */
    free(train(p, PINN_GEMM_PLAN, cache, &np, &cached));
    CHECK(!cached, "the first run timed its products");
    CHECK(access(cache, R_OK) == 0, "the plan cache was written");
    /* a forced plan: every choice flipped, so both kernels appear whatever this machine measured */
    CHECK(rewrite(cache, 0) > 0, "plan entries");
    pinn_real *a = train(p, PINN_GEMM_PLAN, cache, &np, &cached);
    CHECK(cached, "the forced plan was used, nothing timed");
    pinn_real *b = train(p, PINN_GEMM_PLAN, cache, &np2, &cached);
    CHECK(a && b && np == np2 && !memcmp(a, b, sizeof(pinn_real) * np), "a forced plan is bitwise reproducible");
    /* an all-small plan is the small kernel, an all-library plan the library */
    for (int mode = 1; mode <= 2; mode++) {
        rewrite(cache, mode);
        pinn_real *c = train(p, PINN_GEMM_PLAN, cache, &np, &cached);
        pinn_real *d = train(p, mode == 1 ? PINN_GEMM_SMALL : PINN_GEMM_LIBRARY, "", &np2, NULL);
        CHECK(c && d && np == np2 && !memcmp(c, d, sizeof(pinn_real) * np), "an all-%s plan equals that kernel",
              mode == 1 ? "small" : "library");
        /* and both agree with the other kernels to rounding */
        for (size_t i = 0; c && a && i < np; i++)
            if (fabs((double)c[i] - (double)a[i]) > PINN_TEST_TOL(1e-8, 1e-3) * (1 + fabs((double)a[i]))) {
                CHECK(0, "kernels disagree beyond rounding at parameter %zu: %g vs %g", i, (double)c[i], (double)a[i]);
                break;
            }
        free(c), free(d);
    }
    free(a), free(b), free(p);
    char cmd[700];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    CHECK(system(cmd) == 0, "cleanup");
    return CHECK_DONE();
}
