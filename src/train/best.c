/* best.c - keep the best: the lowest training loss a step saw (with the parameters it was
 * evaluated at) and the lowest relative L2 error of an evaluation against the reference (with the
 * parameters evaluated).  The best parameters are those of the best evaluation when the problem
 * has a reference, else those of the lowest training loss.  Buffers are allocated once, at the
 * first step of a run. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "train/trainer.h"

/* Allocates the buffers (once) and clears the record when nothing has been recorded yet. */
pinn_status tr_best_setup(pinn_trainer *t, pinn_error *err) {
    if (t->best_P) return PINN_OK;
    t->best_P = malloc(sizeof(pinn_real) * (t->np ? t->np : 1));
    t->best_prev = malloc(sizeof(pinn_real) * (t->np ? t->np : 1));
    if (!t->best_P || !t->best_prev) return pinn_error_set(err, PINN_ERR_NOMEM, "out of memory");
    memcpy(t->best_P, t->P, sizeof(pinn_real) * t->np);
    t->best_loss = t->best_rel = INFINITY;
    t->best_loss_step = t->best_rel_step = -1;
    t->best_have = 0;
    return PINN_OK;
}

/* Before a step: the parameters its loss will be evaluated at. */
void tr_best_before_step(pinn_trainer *t) {
    if (t->best_prev) memcpy(t->best_prev, t->P, sizeof(pinn_real) * t->np);
}

/* After a step that saw training loss `loss` at the parameters saved before it (step: its index). */
void tr_best_after_step(pinn_trainer *t, double loss, long step) {
    if (!t->best_prev || !isfinite(loss) || !(loss < t->best_loss)) return;
    t->best_loss = loss;
    t->best_loss_step = step;
    if (!t->has_ref) {
        memcpy(t->best_P, t->best_prev, sizeof(pinn_real) * t->np);
        t->best_have = 1;
    }
}

/* After an evaluation of the current parameters (t->rel current) at step count `step`. */
void tr_best_after_eval(pinn_trainer *t, long step) {
    if (!t->best_P || !t->has_ref) return;
    double r = 0;
    for (int f = 0; f < t->nf; f++) r += t->rel[f] * t->rel[f];
    r = sqrt(r / (t->nf > 0 ? t->nf : 1)); /* one number over the fields: their rms */
    if (!isfinite(r) || !(r < t->best_rel)) return;
    t->best_rel = r;
    t->best_rel_step = step;
    memcpy(t->best_P, t->P, sizeof(pinn_real) * t->np);
    t->best_have = 1;
}

void tr_best_free(pinn_trainer *t) {
    free(t->best_P), free(t->best_prev);
    t->best_P = t->best_prev = NULL;
}

void pinn_trainer_best(const pinn_trainer *t, pinn_trainer_best_info *b) {
    b->loss = t->best_P ? t->best_loss : NAN;
    b->loss_step = t->best_P ? t->best_loss_step : -1;
    b->rel_l2 = t->best_P && t->has_ref ? t->best_rel : NAN;
    b->rel_step = t->best_P && t->has_ref ? t->best_rel_step : -1;
    b->have_params = t->best_have;
}

int pinn_trainer_swap_best(pinn_trainer *t) {
    if (!t->best_have) return 0;
    for (size_t i = 0; i < t->np; i++) {
        pinn_real v = t->P[i];
        t->P[i] = t->best_P[i];
        t->best_P[i] = v;
    }
    return 1;
}
