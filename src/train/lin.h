/* lin.h - the least-squares work space of a trainer (assemble.c, phase_lstsq.c): the model's
 * coefficient layout and the diagnostics of the last least-squares solve, which the run layer
 * reports through pinn_trainer_lsq_info. */
#ifndef PINN_TRAIN_LIN_H
#define PINN_TRAIN_LIN_H

#include "train/trainer.h"

typedef struct tr_lin {
    pinn_lin_cover cover;
    int has_cover;
    pinn_lsq_summary sum;  /* the last solve (pinnc/objective.h) */
    int passes;            /* forward passes per term of the last sparse assembly */
} tr_lin;

/* The trainer's work space, made on first use. */
pinn_status tr_lin_get(pinn_trainer *t, tr_lin **out, pinn_error *err);

#endif
