/* test_causal.c - causal training's weights against the formula w_i = exp(-eps sum_{k<i} L_k) on a
 * fixed loss sequence, the chunk of a time value, chunk losses from the accumulators, the eps
 * schedule and the stopping rule. */
#include <math.h>
#include <stdio.h>

#include "check.h"
#include "train/causal.h"

int main(void) {
    const double L[5] = {0.5, 0.2, 1.0, 0.1, 3.0};
    double w[5];
    tr_causal_weights(L, 5, 2.0, w);
    const double want[5] = {1.0, exp(-1.0), exp(-1.4), exp(-3.4), exp(-3.6)};
    for (int i = 0; i < 5; i++) CHECK(fabs(w[i] - want[i]) <= 1e-15, "w[%d] = %.17g, expected %.17g", i, w[i], want[i]);

    tr_causal_cfg cfg = {4, 3, {0.1, 1.0, 10.0}, 0.9, 1};
    tr_causal *c = NULL;
    pinn_error err;
    CHECK(tr_causal_init(&c, &cfg, 0, 0.0, 2.0, 2, &err) == PINN_OK, "init: %s", err.msg);
    if (!c) return CHECK_DONE();
    CHECK(tr_causal_chunk(c, 0.0) == 0 && tr_causal_chunk(c, 0.49) == 0 && tr_causal_chunk(c, 0.5) == 1 &&
              tr_causal_chunk(c, 1.99) == 3 && tr_causal_chunk(c, 2.0) == 3 && tr_causal_chunk(c, -1) == 0,
          "chunk mapping");
    for (int i = 0; i < 4; i++) CHECK(c->w[i] == 1.0, "initial weight %d = %g", i, c->w[i]);
    /* chunk sums over two threads: chunk i's mean square is (i + 1) * 0.25 */
    tr_causal_reset(c);
    for (int i = 0; i < 4; i++) {
        c->acc[2 * i] = 0.25 * (i + 1) * 3, c->acc[2 * i + 1] = 3;         /* thread 0: 3 points */
        c->acc[8 + 2 * i] = 0.25 * (i + 1) * 1, c->acc[8 + 2 * i + 1] = 1; /* thread 1: 1 point */
    }
    int stop = tr_causal_update(c);
    double s = 0;
    for (int i = 0; i < 4; i++) {
        CHECK(fabs(c->L[i] - 0.25 * (i + 1)) <= 1e-15, "chunk loss %d = %g", i, c->L[i]);
        CHECK(fabs(c->w[i] - exp(-0.1 * s)) <= 1e-15, "eps 0.1: weight %d = %g, expected %g", i, c->w[i], exp(-0.1 * s));
        s += c->L[i];
    }
    /* w_3 = exp(-0.1 * 1.5) = 0.86 < 0.9: eps stays */
    CHECK(!stop && c->k_eps == 0 && !c->done, "eps advanced too early (k %d)", c->k_eps);
    /* small losses: w_3 = exp(-0.1 * 0.03) > 0.9, then exp(-1 * 0.03) > 0.9: one step each */
    tr_causal_reset(c);
    for (int i = 0; i < 4; i++) c->acc[2 * i] = 0.01, c->acc[2 * i + 1] = 1;
    stop = tr_causal_update(c);
    CHECK(!stop && c->k_eps == 1, "eps index %d after small losses, expected 1", c->k_eps);
    CHECK(fabs(c->w[3] - exp(-1.0 * 0.03)) <= 1e-15, "weights recomputed at the new eps: %g", c->w[3]);
    tr_causal_reset(c); /* no points in chunk 2: it keeps its last loss */
    for (int i = 0; i < 4; i++)
        if (i != 2) c->acc[2 * i] = 0.001, c->acc[2 * i + 1] = 1;
    stop = tr_causal_update(c);
    CHECK(fabs(c->L[2] - 0.01) <= 1e-15 && c->k_eps == 2 && !stop, "empty chunk: L %g, k %d", c->L[2], c->k_eps);
    /* at the last eps (10): w_3 = exp(-10 * 0.012) = 0.89 < 0.9, not done; then smaller: done and stop */
    tr_causal_reset(c);
    for (int i = 0; i < 4; i++) c->acc[2 * i] = 0.004, c->acc[2 * i + 1] = 1;
    stop = tr_causal_update(c);
    CHECK(!stop && !c->done, "done at w_min %g", c->w[3]);
    tr_causal_reset(c);
    for (int i = 0; i < 4; i++) c->acc[2 * i] = 0.001, c->acc[2 * i + 1] = 1;
    stop = tr_causal_update(c);
    CHECK(stop && c->done, "stopping rule: w_min %g > 0.9 at the last eps did not stop", c->w[3]);
    /* checkpoint state round trip */
    double buf[8];
    CHECK(tr_causal_state_size(&cfg) == 5, "state size %zu", tr_causal_state_size(&cfg));
    tr_causal_state_save(c, buf);
    tr_causal *d = NULL;
    tr_causal_init(&d, &cfg, 0, 0.0, 2.0, 1, &err);
    if (d) {
        tr_causal_state_load(d, buf);
        CHECK(d->k_eps == 2 && fabs(d->w[3] - c->w[3]) <= 1e-15, "state load: k %d w3 %g", d->k_eps, d->w[3]);
    }
    tr_causal_free(d);
    tr_causal_free(c);
    return CHECK_DONE();
}
