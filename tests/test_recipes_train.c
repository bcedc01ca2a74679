/* test_recipes_train.c - the training recipes through the problem file and the trainer: the MLP
 * recipe keys (periodic, Fourier features, weight factorisation, modified MLP) configure and train,
 * bad values are refused with the key named; causal training runs as an Adam phase key; keep the
 * best: the best loss is the lowest any step saw, the best evaluation the lowest of the
 * evaluations, and the best parameters reproduce it; RAR's draw prefers large residuals, never
 * repeats a candidate, and runs as an Adam phase key; inverse-time decay. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "trainer_util.h"
#include "pinnc.h"
#include "train/rar.h"
#include "train/trainer.h"


typedef struct watch {
    double min_loss, min_rel;
    int n_eval;
} watch;

static pinn_status on_event(void *ctx, pinn_trainer *t, pinn_event ev, const pinn_progress *p, pinn_error *err) {
    (void)err;
    watch *w = ctx;
    pinn_trainer_info v;
    pinn_trainer_get_info(t, &v);
    if (ev == PINN_EVENT_STEP && isfinite(p->loss) && p->loss < w->min_loss) w->min_loss = p->loss;
    if ((ev == PINN_EVENT_STEP || ev == PINN_EVENT_END) && p->evaluated) {
        w->n_eval++;
        if (v.rel[0] < w->min_rel) w->min_rel = v.rel[0];
    }
    return PINN_OK;
}

int main(void) {
    pinn_error err;
    /* inverse-time decay: lr0 / (1 + gamma k / decay_steps) */
    pinn_schedule sc;
    pinn_schedule_default(&sc, 1e-3);
    sc.kind = PINN_SCHEDULE_INVERSE_TIME, sc.gamma = 0.5, sc.decay_steps = 100;
    CHECK(pinn_schedule_validate(&sc, &err) == PINN_OK, "inverse_time: %s", err.msg);
    CHECK(pinn_schedule_lr(&sc, 0) == 1e-3 && fabs(pinn_schedule_lr(&sc, 100) - 1e-3 / 1.5) <= 1e-18 &&
              fabs(pinn_schedule_lr(&sc, 1000) - 1e-3 / 6) <= 1e-18 && fabs(pinn_schedule_lr(&sc, 50) - 1e-3 / 1.25) <= 1e-18,
          "inverse_time rates %g %g %g", pinn_schedule_lr(&sc, 100), pinn_schedule_lr(&sc, 1000), pinn_schedule_lr(&sc, 50));
    pinn_schedule_kind sk;
    CHECK(pinn_schedule_kind_from_string("inverse_time", &sk, &err) == PINN_OK && sk == PINN_SCHEDULE_INVERSE_TIME, "name");
    /* RAR's draw: 5 large and 5 tiny squared residuals, k = 2, c = 0: the large ones come first;
     * with a huge floor the draw is a permutation (each candidate once) */
    {
        double s[10], key[10];
        size_t idx[10];
        for (int i = 0; i < 10; i++) s[i] = i % 2 ? 1e6 : 1e-6;
        pinn_rng rng;
        pinn_rng_seed(&rng, 11);
        tr_rar_choose(s, 10, 5, 2.0, 0.0, &rng, key, idx);
        int big = 0, seen[10] = {0};
        for (int i = 0; i < 5; i++) big += idx[i] % 2 == 1;
        CHECK(big == 5, "RAR chose %d of the 5 large residuals first", big);
        tr_rar_choose(s, 10, 10, 2.0, 1e12, &rng, key, idx);
        for (int i = 0; i < 10; i++) seen[idx[i] < 10 ? idx[i] : 0]++;
        int once = 1;
        for (int i = 0; i < 10; i++) once &= seen[i] == 1;
        CHECK(once, "RAR's draw repeats a candidate");
    }

    /* keep the best on a run with a too-large learning rate (losses go up and down) */
    const char *sets[] = {"train.epochs=200", "train.lbfgs=0", "train.collocation=300", "train.log_every=50",
                          "train.eval_every=10", "train.threads=1", "train.lr=0.1", "model.hidden=[12, 12]"};
    pinn_trainer *t = make(ex("heat.yaml"), 8, sets, &err);
    CHECK(t != NULL, "heat trainer: %s", err.msg);
    if (t) {
        watch w = {INFINITY, INFINITY, 0};
        pinn_observer obs = {&w, on_event};
        CHECK_OK(pinn_trainer_run(t, &obs, &err), err);
        pinn_trainer_best_info b;
        pinn_trainer_best(t, &b);
        double rel[PINN_MAX_FIELDS], final_rel;
        CHECK_OK(pinn_trainer_evaluate(t, rel, &err), err);
        final_rel = rel[0];
        CHECK(w.n_eval == 21, "%d evaluations", w.n_eval);
        CHECK(b.loss == w.min_loss && b.loss_step >= 0, "best loss %.17g, lowest seen %.17g", b.loss, w.min_loss);
        CHECK(b.rel_l2 == w.min_rel && b.rel_step >= 0 && b.have_params, "best rel %.17g, lowest seen %.17g", b.rel_l2,
              w.min_rel);
        /* at this rate the error rises again by the end: the best is an earlier state */
        CHECK(b.rel_l2 < final_rel && b.rel_step < 200, "best %.3g (step %ld) not below final %.3g", b.rel_l2, b.rel_step,
              final_rel);
        CHECK(pinn_trainer_swap_best(t) == 1, "no best parameters");
        CHECK_OK(pinn_trainer_evaluate(t, rel, &err), err);
        CHECK(fabs(rel[0] - b.rel_l2) <= 1e-12 * b.rel_l2, "best parameters evaluate to %.17g, recorded %.17g", rel[0], b.rel_l2);
        pinn_trainer_swap_best(t);
        CHECK_OK(pinn_trainer_evaluate(t, rel, &err), err);
        CHECK(rel[0] == final_rel, "swapping back: %.17g vs %.17g", rel[0], final_rel);
        if (getenv("PINN_TEST_VERBOSE")) printf("best rel %.3e at %ld, final %.3e\n", b.rel_l2, b.rel_step, final_rel);
        pinn_trainer_free(t);
    }

    /* the recipe keys through the problem file, and causal training as an Adam phase key: each
     * configures and trains a few steps to a finite loss */
    const char *rec[][3] = {
        {"model.fourier_features=6", "model.fourier_scale=2", "model.rwf=true"},
        {"model.modified=true", "model.periodic=[x]", "model.harmonics=2"},
        {"model.periodic={x: 2}", "model.rwf_std=0.2", "train.phases=[{kind: adam, epochs: 20, causal: {chunks: 4, eps: [0.1, 1]}}]"},
        {"train.batch=64", "model.rwf=false", "train.phases=[{kind: adam, epochs: 20, rar: {every: 7, k: 2}}]"},
    };
    for (int r = 0; r < 4; r++) {
        const char *s[] = {"train.epochs=20", "train.lbfgs=0", "train.collocation=200", "train.eval_every=0", "train.threads=1",
                           "model.hidden=[8, 8]", rec[r][0], rec[r][1], rec[r][2]};
        t = make(ex("heat.yaml"), 9, s, &err);
        CHECK(t != NULL, "recipe %d: %s", r, err.msg);
        if (!t) continue;
        CHECK_OK(pinn_trainer_run(t, NULL, &err), err);
        pinn_trainer_info v;
        pinn_trainer_get_info(t, &v);
        CHECK(isfinite(v.final_loss) && v.step == 20, "recipe %d: loss %g after %ld steps", r, v.final_loss, v.step);
        if (r == 3) { /* the RAR run's points stay inside the domain [0,1]^2 and are not the sampler's first draw */
            pinn_trainer *u = make(ex("heat.yaml"), 9, s, &err);
            size_t nc = u ? v.collocation : 0, moved = 0, inside = 1;
            const pinn_real *a = pinn_pointset_points(t->colloc), *b = u ? pinn_pointset_points(u->colloc) : NULL;
            for (size_t i = 0; b && i < 2 * nc; i++) moved += a[i] != b[i], inside &= a[i] >= 0 && a[i] <= 1;
            CHECK(u && moved > nc && inside, "RAR: %zu of %zu coordinates moved, inside %d", moved, 2 * nc, (int)inside);
            pinn_trainer_free(u);
        }
        pinn_trainer_free(t);
    }
    /* bad values name the key */
    const char *bad[][2] = {{"model.modified=true", "model.hidden=[8, 6]"}, {"model.periodic=[y]", "model.rwf=false"},
                            {"model.fourier_features=-1", "model.rwf=false"},
                            {"train.phases=[{kind: adam, causal: {chunks: 1}}]", "model.rwf=false"},
                            {"train.phases=[{kind: adam, causal: {eps: [1, 0.1]}}]", "model.rwf=false"},
                            {"model.modified=yes please", "model.rwf=false"},
                            {"train.phases=[{kind: adam, rar: {every: 0}}]", "model.rwf=false"}};
    const char *key[] = {"modified", "periodic", "fourier_features", "chunks", "eps", "modified", "every"};
    for (int r = 0; r < 7; r++) {
        t = make(ex("heat.yaml"), 2, bad[r], &err);
        CHECK(t == NULL && strstr(err.msg, key[r]) && strstr(err.msg, "heat.yaml"), "bad %d (%s): accepted or unclear: %s", r,
              bad[r][0], t ? "" : err.msg);
        pinn_trainer_free(t);
    }
    return CHECK_DONE();
}
