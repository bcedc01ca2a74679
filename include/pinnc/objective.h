/* pinnc/objective.h - the objective of a trainer: its loss terms on their point sets, as a
 * function of the flat parameter vector.  eval gives each term's (unweighted) loss and gradient;
 * linearize gives, for every residual row, its value and its derivatives with respect to a slice
 * of the parameters: the rows of the least-squares matrix of an extreme learning machine, and the
 * Jacobian of a Gauss-Newton step.  Rows are scaled so that the sum of their squares is the
 * weighted loss sum_k w_k L_k of the least-squares terms (auxiliary model terms have no rows). */
#ifndef PINNC_OBJECTIVE_H
#define PINNC_OBJECTIVE_H

#include "pinnc/solve.h"
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

/* ---------------------------------------------------------------- sparse least-squares systems
 *
 * For a model linear in some coefficients (its kind's linear_cover: an ELM, an ELM-FBPINN), the
 * rows of the linearisation with respect to those coefficients straight into a CSR matrix, with
 * only the columns that touch each row's points: memory O(rows x overlap x K).  Row i of any
 * residual (equations, conditions, data, periodic pairs) is
 *     M[i][c] = sum over the jet entries e the row reads of dr_i/d(jet_e) * d(jet_e)/d(coef_c),
 * where dr_i/d(jet) comes from the expression's reverse pass at the current parameters (exact for
 * nonlinear residuals: the Gauss-Newton Jacobian) and d(jet)/d(coef_c) from forward passes of
 * the model with the coefficients of one colour set to 1 (exact, because the jets are linear in
 * the coefficients: transforms, if any, must be affine in the raw output). */

/* The model's coefficient layout; UNSUPPORTED when its kind has none. */
pinn_status pinn_objective_cover(pinn_objective *o, const pinn_lin_cover **cover, pinn_error *err);
/* Sets the parameters to params (NULL: keep them), then builds M (pinn_objective_nrows x
 * cover->n_cols, finished; the caller frees it with pinn_csr_free) and r (nrows doubles, the
 * residuals), both scaled as in pinn_objective_linearize, so |M d + r|^2 is the weighted loss
 * after coefficients += d (exactly, for a linear residual). */
pinn_status pinn_objective_linearize_csr(pinn_objective *o, const pinn_real *params, const pinn_lin_cover *cover,
                                         pinn_csr *M, double *r, pinn_error *err);

/* What the last lstsq / gauss_newton phase did (for summary.json). */
typedef struct pinn_lsq_summary {
    int ran;                 /* a least-squares phase ran */
    char phase[16];          /* "lstsq" or "gauss_newton" */
    char method[16], precond[16], stop[40];
    long rows, cols, nnz;
    int iterations;          /* Krylov iterations of the last solve (all Gauss-Newton steps: total) */
    int outer;               /* Gauss-Newton steps (1 for lstsq) */
    int rank;
    double residual, rhs_norm, cond, cond_precond, block_cond;
    double assemble_s, precond_s, solve_s;          /* wall time, all steps */
    double assemble_cpu_s, solve_cpu_s;             /* process CPU time, all steps */
    double loss_before, loss_after;
    double matrix_mb;        /* memory of M (values, indices, transpose) */
    int passes;              /* forward passes per term of the last assembly (wide groups or colours, + 1 or 2) */
    double peak_rss_mb;      /* the process's peak resident memory after the last solve (getrusage) */
} pinn_lsq_summary;
/* The trainer's last least-squares summary (ran = 0 when none). */
const pinn_lsq_summary *pinn_trainer_lsq_summary(const pinn_trainer *t);

#ifdef __cplusplus
}
#endif
#endif
