/* test_train.c - the trainer end to end on the heat example (short run, looser bound than the
 * documented one): it learns, its files are written, predictions at the grid agree with
 * solution.npy, derivatives agree with the exact solution, and an interrupted run resumed from its
 * checkpoint ends bitwise where an uninterrupted run ends. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "io/files.h"
#include "pinnc.h"

static char path[1024];
static const char *ex(const char *name) {
    const char *src = getenv("PINN_SOURCE");
    snprintf(path, sizeof path, "%s/examples/%s", src ? src : "..", name);
    return path;
}

static pinn_trainer *make(const char *file, int n, const char **sets) {
    pinn_problem *p = malloc(sizeof *p);
    pinn_error err;
    pinn_trainer *t = NULL;
    if (pinn_problem_load(p, file, n, sets, &err) || pinn_trainer_init(&t, p, &err)) {
        fprintf(stderr, "%s\n", err.msg);
        t = NULL;
    }
    free(p);
    return t;
}

/* Trains `full` straight into dir/<tag>a and `part` into dir/<tag>b, then resumes dir/<tag>b under
 * `full` (n settings each): *a is the straight trainer, *b the resumed one (the caller frees both). */
static void straight_and_resumed(const char *dir, const char *tag, int n, const char **full, const char **part,
                                 pinn_trainer **a, pinn_trainer **b) {
    char run[600];
    pinn_error err;
    *a = make(ex("heat.yaml"), n, full), *b = make(ex("heat.yaml"), n, part);
    CHECK(*a && *b, "%s: trainers", tag);
    if (!*a || !*b) return;
    snprintf(run, sizeof run, "%s/%sa", dir, tag);
    CHECK_OK(pinn_trainer_train(*a, run, 0, NULL, NULL, &err), err);
    snprintf(run, sizeof run, "%s/%sb", dir, tag);
    CHECK_OK(pinn_trainer_train(*b, run, 0, NULL, NULL, &err), err);
    pinn_trainer_free(*b);
    *b = make(ex("heat.yaml"), n, full);
    CHECK(*b != NULL, "%s: trainer to resume", tag);
    if (*b) CHECK_OK(pinn_trainer_train(*b, run, 1, NULL, NULL, &err), err);
}

int main(void) {
    char dir[] = "/tmp/pinnc-train-XXXXXX", run[1100], f[1200];
    CHECK(mkdtemp(dir) != NULL, "mkdtemp");
    pinn_error err;
    const char *sets[] = {"train.epochs=1500", "train.lbfgs=300", "train.collocation=800", "train.log_every=100",
                          "train.eval_every=0", "train.threads=2"};
    pinn_trainer *t = make(ex("heat.yaml"), 6, sets);
    CHECK(t != NULL, "heat trainer");
    if (!t) return CHECK_DONE();
    double rel[PINN_MAX_FIELDS], rel0;
    pinn_trainer_evaluate(t, rel, &err);
    rel0 = rel[0];
    snprintf(run, sizeof run, "%s/heat", dir);
    CHECK_OK(pinn_trainer_train(t, run, 0, NULL, NULL, &err), err);
    CHECK_OK(pinn_trainer_evaluate(t, rel, &err), err);
    printf("heat: relative L2 error %.3e (untrained %.3e)\n", rel[0], rel0);
    CHECK(rel[0] < 2e-2 && rel[0] < rel0 / 20, "heat did not learn: %.3e (from %.3e)", rel[0], rel0);
    const char *files[] = {"config.yaml", "history.csv", "summary.json", "checkpoint.bin", "grid.npy",
                           "solution.npy", "reference.npy", "error.npy"};
    for (int k = 0; k < 8; k++) {
        snprintf(f, sizeof f, "%s/%s", run, files[k]);
        CHECK(access(f, R_OK) == 0, "missing %s", files[k]);
    }
    /* summary.json's timing block: a positive Adam time per epoch and matrix-product work per epoch,
     * and a weighting share that is a fraction of the Adam time */
    snprintf(f, sizeof f, "%s/summary.json", run);
    FILE *sf = fopen(f, "r");
    char sj[8192] = "";
    if (sf) {
        size_t got = fread(sj, 1, sizeof sj - 1, sf);
        sj[got] = 0;
        fclose(sf);
    }
    const char *keys[] = {"\"adam_ms_per_epoch\": ", "\"weighting_fraction\": ", "\"gemm_gflop_per_epoch\": "};
    double tv[3] = {-1, -1, -1};
    for (int k = 0; k < 3; k++) {
        const char *q = strstr(sj, keys[k]);
        if (q) tv[k] = strtod(q + strlen(keys[k]), NULL);
    }
    CHECK(tv[0] > 0, "summary.json: adam_ms_per_epoch %g", tv[0]);
    CHECK(tv[1] >= 0 && tv[1] <= 1, "summary.json: weighting_fraction %g", tv[1]);
    CHECK(tv[2] > 0, "summary.json: gemm_gflop_per_epoch %g", tv[2]);
    /* predictions at the grid points agree with solution.npy; u_x, u_t against the exact solution */
    int nd;
    size_t gs[4], ss[4];
    double *grid = NULL, *sol = NULL;
    snprintf(f, sizeof f, "%s/grid.npy", run);
    CHECK_OK(pinn_npy_read(f, &nd, gs, &grid, &err), err);
    snprintf(f, sizeof f, "%s/solution.npy", run);
    CHECK_OK(pinn_npy_read(f, &nd, ss, &sol, &err), err);
    if (grid && sol) {
        size_t n = gs[0];
        pinn_real *x = malloc(sizeof(pinn_real) * n * 2), *y = malloc(sizeof(pinn_real) * n * 3);
        for (size_t i = 0; i < 2 * n; i++) x[i] = grid[i];
        const char *what[] = {"u", "u_x", "u_t"};
        CHECK_OK(pinn_trainer_predict(t, n, x, 3, what, y, &err), err);
        double worst = 0, num = 0, den = 0;
        const double k = 0.2, PI = 3.14159265358979323846;
        for (size_t i = 0; i < n; i++) {
            worst = fmax(worst, fabs(y[3 * i] - sol[i]));
            double tt = x[2 * i], xx = x[2 * i + 1], ux = PI * exp(-k * PI * PI * tt) * cos(PI * xx);
            num += (y[3 * i + 1] - ux) * (y[3 * i + 1] - ux), den += ux * ux;
        }
        CHECK(worst == 0, "predict and solution.npy differ by %.3g", worst);
        CHECK(sqrt(num / den) < 5e-2, "u_x relative error %.3g", sqrt(num / den));
        free(x), free(y);
    }
    free(grid), free(sol);
    pinn_trainer_free(t);

    /* DN weights with beta = 0 after one update are the ratio of gradient norms: over all network
     * parameters they equal the logged norms' ratio; over the weight matrices only they differ */
    for (int wo = 0; wo < 2; wo++) {
        const char *sd[] = {"train.epochs=1", "train.lbfgs=0", "train.collocation=300", "train.log_every=1",
                            "train.eval_every=0", "train.weighting.scheme=dn", "train.weighting.beta=0",
                            "train.weighting.every=1", wo ? "train.weighting.params=weights" : "train.weighting.params=all"};
        pinn_trainer *w = make(ex("heat.yaml"), 9, sd);
        CHECK(w != NULL, "dn trainer");
        if (!w) continue;
        snprintf(run, sizeof run, "%s/dn%d", dir, wo);
        CHECK_OK(pinn_trainer_train(w, run, 0, NULL, NULL, &err), err);
        snprintf(f, sizeof f, "%s/history.csv", run);
        FILE *hf = fopen(f, "r");
        char line[2][1024] = {"", ""};
        for (int r = 0; hf && r < 2; r++)
            if (!fgets(line[r], sizeof line[r], hf)) line[r][0] = 0;
        if (hf) fclose(hf);
        /* columns: epoch,phase,wall_s,loss,loss_pde,loss_initial,loss_ends,w_pde,w_initial,w_ends,gnorm_... */
        double v[14] = {0};
        char *q = line[1];
        for (int c = 0; c < 14 && q; c++) {
            v[c] = strtod(q, NULL);
            q = strchr(q, ',');
            q = q ? q + 1 : NULL;
        }
        CHECK(strstr(line[0], "w_initial,w_ends,gnorm_pde,gnorm_initial,gnorm_ends") != NULL, "history columns: %s", line[0]);
        double r_init = v[10] / v[11], r_ends = v[10] / v[12];
        double e1 = fabs(v[8] / r_init - 1), e2 = fabs(v[9] / r_ends - 1);
        if (!wo) CHECK(e1 < 1e-5 && e2 < 1e-5, "DN weights %g %g, norm ratios %g %g", v[8], v[9], r_init, r_ends);
        else CHECK(fmax(e1, e2) > 1e-2, "params: weights ignored: weights %g %g, all-parameter ratios %g %g", v[8], v[9], r_init, r_ends);
        pinn_trainer_free(w);
    }

    /* resume: 60 epochs straight vs 30 + resume to 60 */
    const char *s60[] = {"train.epochs=60", "train.lbfgs=0", "train.collocation=300", "train.checkpoint_every=30",
                         "train.eval_every=0"};
    const char *s30[] = {"train.epochs=30", "train.lbfgs=0", "train.collocation=300", "train.checkpoint_every=30",
                         "train.eval_every=0"};
    pinn_trainer *a = NULL, *b = NULL;
    straight_and_resumed(dir, "", 5, s60, s30, &a, &b);
    CHECK(a && b && pinn_trainer_nparams(a) == pinn_trainer_nparams(b) &&
              memcmp(pinn_trainer_params(a), pinn_trainer_params(b), sizeof(pinn_real) * pinn_trainer_nparams(a)) == 0,
          "resumed run differs from the uninterrupted one");
    /* a finished run whose L-BFGS phase ran out of iterations goes on when resumed with more:
     * epochs 10 + L-BFGS 20 straight against L-BFGS 10, then resumed with 20 */
    pinn_trainer_free(a), pinn_trainer_free(b);
    const char *l20[] = {"train.epochs=10", "train.lbfgs=20", "train.collocation=300", "train.eval_every=0"};
    const char *l10[] = {"train.epochs=10", "train.lbfgs=10", "train.collocation=300", "train.eval_every=0"};
    straight_and_resumed(dir, "l", 4, l20, l10, &a, &b);
    if (a && b) {
        pinn_trainer_info va, vb;
        pinn_trainer_get_info(a, &va), pinn_trainer_get_info(b, &vb);
        CHECK(va.lbfgs_iterations == 20 && vb.lbfgs_iterations == 20, "L-BFGS iterations: straight %ld, resumed %ld",
              va.lbfgs_iterations, vb.lbfgs_iterations);
        CHECK(memcmp(pinn_trainer_params(a), pinn_trainer_params(b), sizeof(pinn_real) * pinn_trainer_nparams(a)) == 0,
              "L-BFGS resumed with more iterations differs from the uninterrupted run");
    }
    /* a checkpoint from another problem is refused */
    snprintf(f, sizeof f, "%s/a/checkpoint.bin", dir);
    const char *other[] = {"model.hidden=[5]"};
    pinn_trainer *c = make(ex("heat.yaml"), 1, other);
    CHECK(c && pinn_trainer_load_checkpoint(c, f, &err) == PINN_ERR_INVALID, "foreign checkpoint accepted: %s", err.msg);
    pinn_trainer_free(a), pinn_trainer_free(b), pinn_trainer_free(c);
    /* an output transform (hard constraints): the initial and boundary values hold exactly */
    const char *sh[] = {"train.epochs=200", "train.lbfgs=0", "train.collocation=300", "train.eval_every=0"};
    pinn_trainer *h = make(ex("heat_hard.yaml"), 4, sh);
    CHECK(h != NULL, "heat_hard trainer");
    if (h) {
        snprintf(run, sizeof run, "%s/h", dir);
        CHECK_OK(pinn_trainer_train(h, run, 0, NULL, NULL, &err), err);
        pinn_real pts[8] = {0, 0.3, 0, 0.77, 0.5, 0.0, 0.7, 1.0}, y[4];
        const char *what[] = {"u - sin(pi*x)"};
        CHECK_OK(pinn_trainer_predict(h, 4, pts, 1, what, y, &err), err);
        for (int i = 0; i < 4; i++) CHECK(fabs(y[i]) < 1e-14, "constraint violated at point %d: %g", i, y[i]);
        pinn_trainer_free(h);
    }
    /* Neumann conditions: u_n = n . grad u on the sampled boundary points with outward normals */
    char nf[1100];
    const char *src = getenv("PINN_SOURCE");
    snprintf(nf, sizeof nf, "%s/tests/data/neumann.yaml", src ? src : "..");
    pinn_trainer *nm = make(nf, 0, NULL);
    CHECK(nm != NULL, "neumann trainer");
    if (nm) {
        CHECK_OK(pinn_trainer_train(nm, NULL, 0, NULL, NULL, &err), err);
        CHECK_OK(pinn_trainer_evaluate(nm, rel, &err), err);
        printf("neumann: relative L2 error %.3e\n", rel[0]);
        CHECK(rel[0] < 1e-2, "Neumann problem error %.3e", rel[0]);
        pinn_trainer_free(nm);
    }
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    CHECK(system(cmd) == 0, "cleanup");
    return CHECK_DONE();
}
