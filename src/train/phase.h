/* phase.h - training phases: a list (train.phases, or Adam then L-BFGS from the train keys), each
 * of a kind with its own settings, run one after another by the driver (driver.c).  Adding a kind:
 * one file with its table of operations and one line in driver.c's list. */
#ifndef PINN_TRAIN_PHASE_H
#define PINN_TRAIN_PHASE_H

#include "train/causal.h"
#include "train/rar.h"
#include "train/trainer.h"

#define TR_MAX_PHASES 16

typedef struct tr_phase tr_phase;

typedef struct tr_phase_ops {
    const char *kind;
    /* Reads the phase's keys of mapping `node` (defaults stored), sets ph->total. */
    pinn_status (*configure)(tr_phase *ph, pinn_cfg *cfg, int node, const pinn_trainer *t, pinn_error *err);
    /* Allocates the phase's optimizer when the phase starts (or is resumed into). */
    pinn_status (*begin)(tr_phase *ph, pinn_trainer *t, pinn_error *err);
    /* One step (an epoch, an iteration); *loss: the weighted loss it saw; *done: the phase ended
     * early (converged). */
    pinn_status (*step)(tr_phase *ph, pinn_trainer *t, double *loss, int *done, pinn_error *err);
    /* Optimizer state for checkpoints (size 0: none). */
    size_t (*state_size)(const tr_phase *ph);
    void (*state_save)(const tr_phase *ph, double *buf);
    pinn_status (*state_load)(tr_phase *ph, pinn_trainer *t, const double *buf, size_t n, pinn_error *err);
    void (*release)(tr_phase *ph);
    int refresh_losses;     /* per-term losses are recomputed at the accepted point before a report */
} tr_phase_ops;

struct tr_phase {
    const tr_phase_ops *ops;
    int index, line;
    long iter, total;       /* steps done and planned */
    int begun, stop;        /* stop: a kind's reason code (pinn_lbfgs_reason) */
    int primed;             /* the starting point has been evaluated in this process (L-BFGS) */
    double f;               /* the loss at the current point (L-BFGS) */
    double *wfac;           /* [n_terms] factor on each term's weight in this phase (key `weights`); NULL: all 1 */
    /* adam */
    pinn_adam_config adam_cfg;
    pinn_adam adam;
    tr_causal_cfg causal_cfg;   /* causal training (causal.c), chunks 0: off */
    tr_causal *causal;
    tr_rar_cfg rar_cfg;         /* residual-based refinement (rar.c), every 0: off */
    tr_rar *rar;
    /* lbfgs */
    pinn_lbfgs_config lbfgs_cfg;
    pinn_lbfgs lbfgs;
    int lbfgs_ready;
    /* lstsq, gauss_newton (phase_lstsq.c) */
    struct lsq_cfg *lsq;
    /* lm (phase_lm.c) */
    struct lm_state *lm;
};

extern const tr_phase_ops tr_phase_adam, tr_phase_lbfgs, tr_phase_lstsq, tr_phase_gauss_newton, tr_phase_lm;
const tr_phase_ops *tr_phase_find(const char *kind);

/* phase_adam.c: the objective of one Adam step (terms, weighting update at this step, weighted
 * sum into t->G), shared with tests through the trainer. */
pinn_status tr_adam_objective(pinn_trainer *t, long step, long phase_step, long phase_total, double *loss,
                              pinn_error *err);

#endif
