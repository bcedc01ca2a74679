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

/* pinn_objective_linearize_csr restricted to part `part` of `nparts`: each term's points (periodic
 * terms: pairs) split into nparts contiguous shares, the rows of share `part` only, in term order
 * (r gets as many residuals).  Stacking the parts 0, 1, ... gives the whole system up to the order
 * of its rows.  One part: pinn_objective_linearize_csr. */
pinn_status tr_linearize_csr_part(pinn_objective *o, const pinn_real *params, const pinn_lin_cover *cv, int part,
                                  int nparts, pinn_csr *M, double *r, pinn_error *err);

#endif
