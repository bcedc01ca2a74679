/* pinnc/train.h - the trainer: a pinn_problem turned into a model, loss terms, point sets and
 * optimizers; the training loop with history, checkpoints and resume; evaluation against the
 * reference solution and the run-directory outputs. */
#ifndef PINNC_TRAIN_H
#define PINNC_TRAIN_H

#include "pinnc/model.h"
#include "pinnc/problem.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct pinn_trainer pinn_trainer;

/* A progress report, passed to the caller's callback every train.log_every epochs and at the end. */
typedef struct pinn_progress {
    const char *phase;      /* the phase's kind: "adam", "lbfgs", ... */
    int phase_index;        /* its place in train.phases */
    long epoch, total;      /* epochs (Adam) or iterations (L-BFGS) done / planned in this phase */
    long step;              /* steps of every phase so far (the history's first column) */
    int evaluated;          /* the reference error was evaluated at this step (rel_l2 is current) */
    const double *gnorm;    /* L2 norm of each term's gradient at the last per-term evaluation */
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

/* What the driver tells an observer (the run layer writes history, checkpoints and outputs from
 * these; a program may watch training the same way). */
typedef enum pinn_event {
    PINN_EVENT_START = 0,  /* before the first step of this call */
    PINN_EVENT_STEP,       /* after every step */
    PINN_EVENT_LOG,        /* every train.log_every steps of a phase and at its end */
    PINN_EVENT_CHECKPOINT, /* every train.checkpoint_every steps of a phase */
    PINN_EVENT_PHASE_END,
    PINN_EVENT_END,        /* after the final evaluation */
    PINN_EVENT_COUNT
} pinn_event;
const char *pinn_event_to_string(pinn_event e);

typedef struct pinn_observer {
    void *ctx;
    /* A non-OK status stops training with that error. */
    pinn_status (*event)(void *ctx, pinn_trainer *t, pinn_event ev, const pinn_progress *p, pinn_error *err);
} pinn_observer;

/* Runs the phases of train.phases (or Adam for train.epochs, then L-BFGS for train.lbfgs) from
 * the trainer's current state to the end, then evaluates; obs may be NULL.  Writes no file. */
pinn_status pinn_trainer_run(pinn_trainer *t, const pinn_observer *obs, pinn_error *err);

/* The trainer's state as named arrays of doubles (parameters, counters, optimizer and weighting
 * states, weights), for checkpoints: put is called once per section; get fills a section
 * (cap values at most) and reports its stored size in *n, or fails when it is missing. */
typedef struct pinn_state_io {
    void *ctx;
    pinn_status (*put)(void *ctx, const char *name, const double *data, size_t n, pinn_error *err);
    pinn_status (*get)(void *ctx, const char *name, double *data, size_t cap, size_t *n, pinn_error *err);
} pinn_state_io;
pinn_status pinn_trainer_state_write(const pinn_trainer *t, const pinn_state_io *io, pinn_error *err);
/* Every size is checked against this trainer's problem before anything is changed. */
pinn_status pinn_trainer_state_read(pinn_trainer *t, const pinn_state_io *io, pinn_error *err);
/* 64-bit fingerprint of what a state depends on: the model, coordinates, fields, terms and their
 * point counts, parameter count.  A checkpoint of another problem has another fingerprint. */
uint64_t pinn_trainer_fingerprint(const pinn_trainer *t);

/* Read-only view of a trainer for reports (valid until the trainer changes). */
typedef struct pinn_trainer_info {
    const pinn_problem *problem;  /* the resolved problem */
    int n_terms;
    const char *const *term_names;
    const double *term_loss, *weights, *gnorm;
    int n_fields;
    const double *rel;            /* relative L2 per field at the last evaluation (NaN if none) */
    int n_params;                 /* trainable PDE parameters and their values */
    const char *const *param_names;
    const double *param_values;
    long step, epochs, lbfgs_iterations;
    int phase, n_phases;
    const char *lbfgs_stop;       /* "" when no L-BFGS ran */
    double wall_s, final_loss;
    double time_adam_s, time_weighting_s, time_lbfgs_s, time_eval_s;
    double time_adam_cpu_s; /* process CPU time of the Adam steps (all threads) */
    long timed_epochs;
    double gemm_gflop_per_epoch;  /* matrix-product work of one Adam step */
    size_t n_total_params, n_net_params, collocation;
    int threads;
    /* the evaluation grid (after pinn_trainer_predict_grid) */
    int d;
    const int *grid_dims;
    size_t n_eval;
    const pinn_real *eval_x;      /* [n_eval][d] */
    const unsigned char *mask;    /* [n_eval]: inside the domain */
    const pinn_real *pred;        /* [n_eval][n_fields] */
    const pinn_real *ref;         /* [n_eval][n_fields], NULL without a reference */
} pinn_trainer_info;
void pinn_trainer_get_info(const pinn_trainer *t, pinn_trainer_info *info);

/* Keep the best: the lowest training loss a step saw and the lowest relative L2 error (rms over
 * the fields) of an evaluation, with their step counts (NaN and -1 when none); have_params: best
 * parameters are held (those of the best evaluation when a reference exists, else of the lowest
 * training loss).  Kept for the run in this process (a resumed run starts a new record). */
typedef struct pinn_trainer_best_info {
    double loss, rel_l2;
    long loss_step, rel_step;
    int have_params;
} pinn_trainer_best_info;
void pinn_trainer_best(const pinn_trainer *t, pinn_trainer_best_info *best);
/* Causal training of the current phase: returns its chunks M (0: none) and, when M > 0, its eps,
 * the chunk losses and weights of the last step ([M] each, owned by the trainer). */
int pinn_trainer_causal(const pinn_trainer *t, double *eps, const double **loss, const double **weight);
/* Exchanges the current parameters with the best ones (call twice to undo); 0 when none held. */
int pinn_trainer_swap_best(pinn_trainer *t);
/* Predicts the fields on the evaluation grid (and the reference error when there is one). */
pinn_status pinn_trainer_predict_grid(pinn_trainer *t, pinn_error *err);
/* Term k's gradient of the last per-term evaluation (n_total_params values). */
const pinn_real *pinn_trainer_term_grad(const pinn_trainer *t, int k);
/* The latent maps (train/latent.c, `pinnc latent`): through sink, "points" [m][d + fields] (a
 * subsample of the evaluation grid: coordinates and predictions), and per hidden representation l
 * (1-based) "layer<l>" [n_eval][width] (activations at every evaluation point), "layer<l>_pca"
 * [m][2] and "layer<l>_pca_var" [2] (shares of the variance), with tsne also "layer<l>_tsne" [m][2]
 * (m <= 1000 then, else <= 2000). */
pinn_status pinn_trainer_latent(pinn_trainer *t, const pinn_model_sink *sink, int tsne, pinn_error *err);
/* The model's diagnostics (if its kind has any) at the evaluation points, through sink. */
pinn_status pinn_trainer_model_diagnostics(pinn_trainer *t, const pinn_model_sink *sink, pinn_error *err);
/* The model's named values at the current parameters (its kind's values hook: e.g. each expert's
 * mean gate weight), at most PINN_MODEL_MAX_VALUES; returns how many (0 for kinds without). */
int pinn_trainer_model_values(pinn_trainer *t, char (*names)[32], double *values);
/* Warm start: copies src's network parameters into t for every slice of equal name and size (a
 * pruned mixture's experts keep their pruned state, which lives in the parameters); *copied gets
 * how many slices; fails when none matches. */
pinn_status pinn_trainer_copy_params(pinn_trainer *t, const pinn_trainer *src, int *copied, pinn_error *err);

/* Build everything the problem needs (compiles expressions, samples points, builds the model and
 * its terms, initialises parameters from train.seed, prepares the reference).  The problem is
 * copied.  Errors name the problem file and line of the offending item. */
pinn_status pinn_trainer_init(pinn_trainer **out, const pinn_problem *p, pinn_error *err);
/* The same within a context (threads, GEMM kernel, added model kinds; see pinnc/ctx.h); the
 * context must outlive the trainer.  pinn_trainer_init makes one of its own from train.threads. */
struct pinn_ctx;
pinn_status pinn_trainer_init_ctx(pinn_trainer **out, struct pinn_ctx *ctx, const pinn_problem *p, pinn_error *err);
void pinn_trainer_free(pinn_trainer *t);
/* The trainer's context (its own or the one it was made with). */
struct pinn_ctx *pinn_trainer_ctx(const pinn_trainer *t);

/* Train (Adam for train.epochs, then L-BFGS for train.lbfgs iterations).  With run_dir non-NULL:
 * writes config.yaml, appends history.csv, writes a checkpoint every train.checkpoint_every epochs
 * and at the end, and the final outputs (summary.json, grids as .npy).  resume: continue from
 * run_dir/checkpoint.bin.  progress may be NULL. */
pinn_status pinn_trainer_train(pinn_trainer *t, const char *run_dir, int resume, pinn_progress_fn progress,
                               void *ctx, pinn_error *err);

/* How pinn_trainer_train_opts runs. */
typedef struct pinn_run_opts {
    int resume;                 /* continue from run_dir/checkpoint.bin (checkpoint.prev if it is damaged) */
    int force;                  /* load a checkpoint whose problem fingerprint differs (sizes must agree) */
    volatile const int *stop;   /* when it becomes nonzero (e.g. set by a signal handler), the run writes a
                                 * checkpoint after the current step and returns PINN_ERR_INTERRUPTED */
    int no_write;               /* read run_dir (resume) but write nothing there: the ranks other than 0
                                 * of a data-parallel run */
} pinn_run_opts;
pinn_status pinn_trainer_train_opts(pinn_trainer *t, const char *run_dir, const pinn_run_opts *opts,
                                    pinn_progress_fn progress, void *ctx, pinn_error *err);

/* The resolved problem the trainer was built from (model and phase sections resolved). */
const pinn_problem *pinn_trainer_problem(const pinn_trainer *t);

/* Solve the reference on the evaluation grid now (it is otherwise solved when first needed). */
pinn_status pinn_trainer_compute_reference(pinn_trainer *t, pinn_error *err);

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

/* An estimate of the bytes training will hold (engine tapes, gradients, points, optimizer states;
 * L-BFGS with its configured memory), for `pinnc check`. */
size_t pinn_trainer_memory_bytes(const pinn_trainer *t);

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
