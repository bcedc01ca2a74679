/* pinnc/objective.h - the objective of a trainer: its loss terms on their point sets, as a
 * function of the flat parameter vector.  eval gives each term's (unweighted) loss and gradient;
 * linearize gives, for every residual row, its value and its derivatives with respect to a slice
 * of the parameters: the rows of the least-squares matrix of an extreme learning machine, and the
 * Jacobian of a Gauss-Newton step.  Rows are scaled so that the sum of their squares is the
 * weighted loss sum_k w_k L_k of the least-squares terms (auxiliary model terms have no rows). */
#ifndef PINNC_OBJECTIVE_H
#define PINNC_OBJECTIVE_H

#include "pinnc/train.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct pinn_objective pinn_objective;

/* The trainer's objective (owned by the trainer). */
pinn_objective *pinn_trainer_objective(pinn_trainer *t);
int pinn_objective_nterms(const pinn_objective *o);
const char *pinn_objective_term_name(const pinn_objective *o, int k);
size_t pinn_objective_nparams(const pinn_objective *o);
/* The current weight of each term. */
const double *pinn_objective_weights(const pinn_objective *o);

/* Sets the trainer's parameters to params (NULL: keep them) and evaluates every term on its
 * points (full: all collocation points, else the current mini-batch): losses[k] (may be NULL) and,
 * when grads is non-NULL, term k's gradient into grads[k] (np entries; a NULL entry skips it).
 * A term whose expression fails or whose loss is not finite gives an error naming the term, its
 * line and the first offending point. */
pinn_status pinn_objective_eval(pinn_objective *o, const pinn_real *params, int full, double *losses,
                                pinn_real *const *grads, pinn_error *err);

/* Residual rows over all collocation and condition points. */
size_t pinn_objective_nrows(const pinn_objective *o);
/* Sets the parameters to params (NULL: keep them); r[i] = row i's residual and
 * J[i][j] = d r_i / d params[off + j] (row-major, nrows x len). */
pinn_status pinn_objective_linearize(pinn_objective *o, const pinn_real *params, size_t off, size_t len,
                                     pinn_real *J, pinn_real *r, pinn_error *err);

#ifdef __cplusplus
}
#endif
#endif
