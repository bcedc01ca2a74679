/* test_stop.c - a run stopped through pinn_run_opts.stop (what SIGINT does in the CLI) and resumed
 * ends with the history of an uninterrupted run, row for row (wall time aside), also when the stop
 * comes at a step that is reported: the step's history row is written before its checkpoint. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "trainer_util.h"
#include "pinnc.h"

typedef struct stopper {
    volatile int stop;
    long at; /* the progress report at which the stop is requested */
} stopper;

static void on_progress(void *ctx, const pinn_progress *p) {
    stopper *s = ctx;
    if (p->step == s->at) s->stop = 1;
}

/* history.csv of dir without its wall_s column, into buf (size cap); returns the length. */
static size_t history(const char *dir, char *buf, size_t cap) {
    char path[512];
    snprintf(path, sizeof path, "%s/history.csv", dir);
    FILE *f = fopen(path, "r");
    size_t n = 0;
    char line[8192];
    while (f && fgets(line, sizeof line, f)) {
        char *c1 = strchr(line, ','), *c2 = c1 ? strchr(c1 + 1, ',') : NULL, *c3 = c2 ? strchr(c2 + 1, ',') : NULL;
        if (!c3) continue;
        *c3 = 0; /* epoch,phase,wall_s | rest */
        *c2 = 0;
        n += (size_t)snprintf(buf + n, cap - n, "%s,%s%s", line, c1 + 1, c3 + 1);
        if (n >= cap) n = cap - 1;
    }
    if (f) fclose(f);
    return n;
}

static pinn_trainer *heat(pinn_error *err) {
    const char *sets[] = {"model.hidden=[8, 8]", "train.collocation=200", "train.threads=1", "train.eval_every=0",
                          "train.log_every=1", "train.checkpoint_every=1000",
                          "train.phases=[{kind: adam, epochs: 30}, {kind: lbfgs, iterations: 10}]"};
    return make(ex("heat.yaml"), 7, sets, err);
}

int main(void) {
    pinn_error err = {0};
    static char h0[1 << 16], h1[1 << 16];
    pinn_trainer *t = heat(&err);
    CHECK(t != NULL, "heat: %s", err.msg);
    if (!t) return CHECK_DONE();
    pinn_run_opts ro = {0, 0, NULL, 0};
    CHECK_OK(pinn_trainer_train_opts(t, "test_stop_ref", &ro, NULL, NULL, &err), err);
    pinn_trainer_free(t);
    size_t n0 = history("test_stop_ref", h0, sizeof h0);
    CHECK(n0 > 0, "no history");
    /* stops at reported steps in Adam and in L-BFGS (every step is reported: log_every 1) */
    const long at[] = {12, 33};
    for (int k = 0; k < 2; k++) {
        stopper s = {0, at[k]};
        t = heat(&err);
        ro.resume = 0, ro.stop = &s.stop;
        pinn_status st = pinn_trainer_train_opts(t, "test_stop_run", &ro, on_progress, &s, &err);
        CHECK(st == PINN_ERR_INTERRUPTED, "stop at %ld: %s", at[k], pinn_status_to_string(st));
        pinn_trainer_free(t);
        t = heat(&err);
        ro.resume = 1, ro.stop = NULL;
        CHECK_OK(pinn_trainer_train_opts(t, "test_stop_run", &ro, NULL, NULL, &err), err);
        pinn_trainer_free(t);
        size_t n1 = history("test_stop_run", h1, sizeof h1);
        CHECK(n1 == n0 && !memcmp(h0, h1, n0), "stop at %ld: the resumed history differs (%zu against %zu bytes)", at[k],
              n1, n0);
    }
    return CHECK_DONE();
}
