/* test_phase_lm.c - the Levenberg-Marquardt phase (phase_lm.c): one step solves the damped normal
 * equations (J^T J + lambda I) d = -J^T r of the objective's Jacobian at the starting point, in the
 * primal form (more rows than parameters) and the dual one (fewer rows); the loss never rises
 * over the steps and ends below the warm start's; models with auxiliary loss terms and work
 * spaces over max_mb are refused with the phase named, unless a phase's `weights` leaves the
 * auxiliary term out; a phase's weight factors hold in that phase only. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "trainer_util.h"
#include "pinnc.h"

typedef struct watch {
    double loss[256];
    int n;
    const char *term;   /* a term whose weight is recorded per step (NULL: none) */
    double w[256];
    int phase[256];
} watch;

static pinn_status on_event(void *ctx, pinn_trainer *t, pinn_event ev, const pinn_progress *p, pinn_error *err) {
    (void)t, (void)err;
    watch *w = ctx;
    if (ev == PINN_EVENT_STEP && w->n < 256) {
        w->w[w->n] = NAN, w->phase[w->n] = p->phase_index;
        for (int k = 0; w->term && k < p->n_terms; k++)
            if (!strcmp(p->term_names[k], w->term)) w->w[w->n] = p->weights[k];
        w->loss[w->n++] = p->loss;
    }
    return PINN_OK;
}

/* Trains the heat example (hidden widths, collocation and condition points given) with Adam for
 * 150 epochs, then one LM step at damping mu0; checks the step against the normal equations
 * formed here from the objective's Jacobian at the warm start. */
static void one_step(const char *hidden, const char *colloc, const char *cp0, const char *cp1, int want_dual) {
    pinn_error err;
    const char *sets[8] = {hidden, colloc, cp0, cp1, "train.threads=1", "train.eval_every=0",
                           "train.phases=[{kind: adam, epochs: 150}]"};
    pinn_trainer *t0 = make(ex("heat.yaml"), 7, sets, &err);
    CHECK(t0 != NULL, "heat: %s", err.msg);
    if (!t0) return;
    CHECK_OK(pinn_trainer_run(t0, NULL, &err), err);
    pinn_objective *o = pinn_trainer_objective(t0);
    size_t np = pinn_objective_nparams(o), nr = pinn_objective_nrows(o);
    CHECK(want_dual ? nr < np : nr > np, "%zu rows, %zu parameters: not the %s form", nr, np, want_dual ? "dual" : "primal");
    pinn_real *P0 = malloc(sizeof(pinn_real) * np), *J = malloc(sizeof(pinn_real) * nr * np), *r = malloc(sizeof(pinn_real) * nr);
    double *A = calloc(np * np, sizeof(double)), *g = calloc(np, sizeof(double)), *d = malloc(sizeof(double) * np);
    memcpy(P0, pinn_trainer_params(t0), sizeof(pinn_real) * np);
    CHECK_OK(pinn_objective_linearize(o, P0, 0, np, J, r, &err), err);
    double tr = 0, f0 = 0;
    for (size_t k = 0; k < nr; k++) {
        f0 += (double)r[k] * r[k];
        for (size_t i = 0; i < np; i++) {
            g[i] += (double)J[k * np + i] * r[k];
            for (size_t j = 0; j <= i; j++) A[i * np + j] += (double)J[k * np + i] * J[k * np + j];
        }
    }
    for (size_t i = 0; i < np; i++) {
        tr += A[i * np + i];
        for (size_t j = 0; j < i; j++) A[j * np + i] = A[i * np + j];
    }
    size_t m = nr < np ? nr : np;
    /* the same warm start, then one LM step */
    sets[6] = "train.phases=[{kind: adam, epochs: 150}, {kind: lm, iterations: 1, damping: 1.0e-2}]";
    pinn_trainer *t1 = make(ex("heat.yaml"), 7, sets, &err);
    CHECK(t1 != NULL, "heat + lm: %s", err.msg);
    CHECK_OK(pinn_trainer_run(t1, NULL, &err), err);
    const pinn_real *P1 = pinn_trainer_params(t1);
    for (size_t i = 0; i < np; i++) d[i] = (double)P1[i] - (double)P0[i];
    /* the accepted try k has lambda = 1e-2 * 4^k * tr / m */
    double best = INFINITY, gn = 0;
    for (size_t i = 0; i < np; i++) gn += g[i] * g[i];
    gn = sqrt(gn);
    for (int k = 0; k < 10; k++) {
        double lam = 1e-2 * pow(4, k) * tr / (double)m, res = 0;
        for (size_t i = 0; i < np; i++) {
            double s = lam * d[i] + g[i];
            for (size_t j = 0; j < np; j++) s += A[i * np + j] * d[j];
            res += s * s;
        }
        if (sqrt(res) / gn < best) best = sqrt(res) / gn;
    }
    CHECK(best <= PINN_TEST_TOL(1e-7, 2e-2), "%s step: normal equations residual %.3g of |J^T r|", want_dual ? "dual" : "primal",
          best);
    pinn_trainer_info v;
    pinn_trainer_get_info(t1, &v);
    CHECK(v.final_loss < f0, "LM step did not lower the loss: %g -> %g", f0, v.final_loss);
    pinn_trainer_free(t0), pinn_trainer_free(t1);
    free(P0), free(J), free(r), free(A), free(g), free(d);
}

int main(void) {
    pinn_error err;
    /* primal: 2 x 8 tanh (105 parameters) on 300 + 60 + 60 rows; dual: 2 x 16 (337) on 120 + 40 + 40 */
    one_step("model.hidden=[8, 8]", "train.collocation=300", "conditions.0.points=60", "conditions.1.points=60", 0);
    one_step("model.hidden=[16, 16]", "train.collocation=120", "conditions.0.points=40", "conditions.1.points=40", 1);

    /* several steps: the loss never rises, and ends well below the warm start's */
    {
        const char *sets[] = {"model.hidden=[8, 8]", "train.collocation=300", "train.threads=1", "train.eval_every=0",
                              "train.log_every=1",
                              "train.phases=[{kind: adam, epochs: 100}, {kind: lm, iterations: 12}]"};
        pinn_trainer *t = make(ex("heat.yaml"), 6, sets, &err);
        CHECK(t != NULL, "heat: %s", err.msg);
        watch w = {.n = 0};
        pinn_observer obs = {&w, on_event};
        CHECK_OK(pinn_trainer_run(t, &obs, &err), err);
        CHECK(w.n >= 100 + 2, "only %d steps reported", w.n);
        int rises = 0;
        for (int k = 101; k < w.n; k++) rises += w.loss[k] > w.loss[k - 1];
        CHECK(rises == 0, "the loss rose in %d LM steps", rises);
        CHECK(w.n > 101 && w.loss[w.n - 1] < 0.1 * w.loss[99], "LM: %g after Adam, %g after LM", w.loss[99], w.loss[w.n - 1]);
        pinn_trainer_free(t);
    }
    /* refusals */
    {
        const char *sets[] = {"train.phases=[{kind: lm, iterations: 2, max_mb: 1}]"};
        pinn_trainer *t = make(ex("heat.yaml"), 1, sets, &err);
        pinn_status st = t ? pinn_trainer_run(t, NULL, &err) : PINN_ERR_INVALID;
        CHECK(st != PINN_OK && strstr(err.msg, "(lm)") && strstr(err.msg, "max_mb"), "max_mb not enforced: %s", err.msg);
        pinn_trainer_free(t);
        const char *sets2[] = {"train.phases=[{kind: lm, iterations: 2}]", "train.collocation=200"};
        t = make(ex("moe/lshape_moe.yaml"), 2, sets2, &err);
        st = t ? pinn_trainer_run(t, NULL, &err) : PINN_ERR_INVALID;
        CHECK(st != PINN_OK && strstr(err.msg, "no sum of squares"), "aux term accepted: %s", err.msg);
        pinn_trainer_free(t);
        /* the same model with the sparsity term left out of the lm phase: it runs, the loss does not
         * rise, and the term's weight is 0 in that phase only */
        const char *sets4[] = {"train.collocation=200", "conditions.0.points=80", "train.threads=1", "train.eval_every=0",
                               "train.phases=[{kind: adam, epochs: 20}, {kind: lm, iterations: 3, weights: {moe_sparsity: 0}},"
                               " {kind: adam, epochs: 2, lr: 1.0e-5}]"};
        t = make(ex("moe/lshape_moe.yaml"), 5, sets4, &err);
        CHECK(t != NULL, "lshape + lm: %s", err.msg);
        if (t) {
            watch w = {.term = "moe_sparsity"};
            pinn_observer obs = {&w, on_event};
            CHECK_OK(pinn_trainer_run(t, &obs, &err), err);
            CHECK(w.n >= 22 && w.phase[19] == 0 && w.phase[20] == 1, "%d steps, phases %d %d", w.n, w.phase[19], w.phase[20]);
            int bad = 0;
            for (int k = 0; k < w.n; k++) bad += w.phase[k] == 1 ? w.w[k] != 0 : !(w.w[k] == 1.0e-2);
            CHECK(bad == 0, "moe_sparsity's weight wrong in %d steps (lm: %g, adam after: %g)", bad, w.w[20], w.w[w.n - 1]);
            for (int k = 20; k < w.n && w.phase[k] == 1; k++)
                CHECK(w.loss[k] <= w.loss[k - 1] || k == 20, "lm loss rose at step %d: %g -> %g", k, w.loss[k - 1], w.loss[k]);
        }
        pinn_trainer_free(t);
        const char *sets5[] = {"train.phases=[{kind: adam, epochs: 2, weights: {pde: 0, nosuch: 1}}]"};
        t = make(ex("heat.yaml"), 1, sets5, &err);
        CHECK(t == NULL && strstr(err.msg, "no loss term 'nosuch'") && strstr(err.msg, "pde"), "unknown term accepted: %s",
              t ? "" : err.msg);
        pinn_trainer_free(t);
        const char *sets6[] = {"train.phases=[{kind: adam, epochs: 2, weights: {pde: -1}}]"};
        t = make(ex("heat.yaml"), 1, sets6, &err);
        CHECK(t == NULL && strstr(err.msg, "pde"), "negative weight factor accepted: %s", t ? "" : err.msg);
        pinn_trainer_free(t);
        const char *sets3[] = {"train.phases=[{kind: lm, damping: -1}]"};
        t = make(ex("heat.yaml"), 1, sets3, &err);
        CHECK(t == NULL && strstr(err.msg, "damping"), "negative damping accepted: %s", t ? "" : err.msg);
        pinn_trainer_free(t);
    }
    return CHECK_DONE();
}
