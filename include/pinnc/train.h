/* pinnc/train.h - the trainer: a pinn_problem turned into a model, loss terms, point sets and
 * optimizers; the training loop with history, checkpoints and resume; evaluation against the
 * reference solution and the run-directory outputs. */
#ifndef PINNC_TRAIN_H
#define PINNC_TRAIN_H

#include "pinnc/problem.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct pinn_trainer pinn_trainer;

/* A progress report, passed to the caller's callback every train.log_every epochs and at the end. */
typedef struct pinn_progress {
    const char *phase;      /* "adam" or "lbfgs" */
    long epoch, total;      /* epochs (Adam) or iterations (L-BFGS) done / planned in this phase */
    double loss;            /* weighted total loss */
    int n_terms;
    const char *const *term_names;
    const double *term_loss;   /* unweighted loss of each term */
    const double *weights;     /* weight of each term */
    double wall_s, rate, eta_s; /* seconds so far, epochs per second, estimated seconds left */
    double rel_l2;          /* relative L2 error of the first field at the last evaluation (NaN if none) */
    const char *const *param_names; /* trainable PDE parameters and their current values */
    const double *param_values;
    int n_params;
    int final;              /* 1 for the last report of a phase */
} pinn_progress;

typedef void (*pinn_progress_fn)(void *ctx, const pinn_progress *p);

/* Build everything the problem needs (compiles expressions, samples points, builds the model and
 * its terms, initialises parameters from train.seed, prepares the reference).  The problem is
 * copied.  Errors name the problem file and line of the offending item. */
pinn_status pinn_trainer_init(pinn_trainer **out, const pinn_problem *p, pinn_error *err);
/* The same within a context (threads, GEMM kernel, added model kinds; see pinnc/ctx.h); the
 * context must outlive the trainer.  pinn_trainer_init makes one of its own from train.threads. */
struct pinn_ctx;
pinn_status pinn_trainer_init_ctx(pinn_trainer **out, struct pinn_ctx *ctx, const pinn_problem *p, pinn_error *err);
void pinn_trainer_free(pinn_trainer *t);

/* Train (Adam for train.epochs, then L-BFGS for train.lbfgs iterations).  With run_dir non-NULL:
 * writes config.yaml, appends history.csv, writes a checkpoint every train.checkpoint_every epochs
 * and at the end, and the final outputs (summary.json, grids as .npy).  resume: continue from
 * run_dir/checkpoint.bin.  progress may be NULL. */
pinn_status pinn_trainer_train(pinn_trainer *t, const char *run_dir, int resume, pinn_progress_fn progress,
                               void *ctx, pinn_error *err);

/* Relative L2 error of each field on the evaluation grid against the reference (NaN without a
 * reference); rel has n_fields entries.  Returns PINN_ERR_UNSUPPORTED without a reference. */
pinn_status pinn_trainer_evaluate(pinn_trainer *t, double *rel, pinn_error *err);

/* Evaluate at n points x (row-major n x d) the quantities named in what (n_what strings such as
 * "u", "u_x", "v_tt"); out is row-major n x n_what. */
pinn_status pinn_trainer_predict(pinn_trainer *t, size_t n, const pinn_real *x, int n_what, const char *const *what,
                                 pinn_real *out, pinn_error *err);

/* Load parameters (and optimizer state) from a checkpoint written by pinn_trainer_train. */
pinn_status pinn_trainer_load_checkpoint(pinn_trainer *t, const char *path, pinn_error *err);

/* Write the run outputs into run_dir: summary.json, grid.npy, solution.npy, reference.npy,
 * error.npy (reference and error only with a reference). */
pinn_status pinn_trainer_write_outputs(pinn_trainer *t, const char *run_dir, pinn_error *err);

/* Compute the reference solution alone on the evaluation grid and write grid.npy and
 * reference.npy into dir.  PINN_ERR_UNSUPPORTED when the problem has none. */
pinn_status pinn_trainer_write_reference(pinn_trainer *t, const char *dir, pinn_error *err);

/* Counts and names for reports (`pinnc check`). */
size_t pinn_trainer_nparams(const pinn_trainer *t);
int pinn_trainer_nterms(const pinn_trainer *t);
/* Term i: name, number of points, its plan (for printing streams). */
void pinn_trainer_term(const pinn_trainer *t, int i, const char **name, size_t *points, const pinn_plan **plan);
const pinn_real *pinn_trainer_params(const pinn_trainer *t);
/* The evaluation grid: points per coordinate (d entries). */
void pinn_trainer_grid(const pinn_trainer *t, int *dims);

#ifdef __cplusplus
}
#endif
#endif
