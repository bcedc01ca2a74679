/* wsched.c - per-term weight schedules: the weight a term carries at a step is the weight the
 * weighting scheme gives it (its fixed weight under `fixed`, or its dynamic weight) times the
 * factor of its schedule at the trainer's step count (docs/methods.md, "Weight schedules"). */
#include "train/trainer.h"

/* Sets t->weights from the weighting's weights and every term's schedule factor at t->step. */
void tr_apply_schedules(pinn_trainer *t) {
    for (int k = 0; k < t->n_terms; k++)
        t->weights[k] = t->wt.w[k] * pinn_weight_ramp_factor(&t->terms[k].ramp, t->step);
}
