/* wsched.c - per-term weight schedules: the weight a term carries at a step is the weight the
 * weighting scheme gives it (its fixed weight under `fixed`, or its dynamic weight) times the
 * factor of its schedule at the trainer's step count (docs/methods.md, "Weight schedules"), times
 * the running phase's factor for it (train.phases[i].weights; after the last phase: none). */
#include "train/phase.h"

/* Sets t->weights from the weighting's weights, every term's schedule factor at t->step and the
 * current phase's factors. */
void tr_apply_schedules(pinn_trainer *t) {
    const double *f = t->phases && t->phase >= 0 && t->phase < t->n_phases ? t->phases[t->phase].wfac : NULL;
    for (int k = 0; k < t->n_terms; k++)
        t->weights[k] = t->wt.w[k] * pinn_weight_ramp_factor(&t->terms[k].ramp, t->step) * (f ? f[k] : 1);
}
