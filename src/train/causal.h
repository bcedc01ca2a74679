/* causal.h - causal training (Wang, Sankaran, Perdikaris 2022): the PDE residuals of the
 * collocation points are split by time into M chunks, chunk i weighted by
 * w_i = exp(-eps * sum_{k<i} L_k) (L_k: chunk k's mean squared residual, not differentiated), with a
 * schedule of eps raised when every weight exceeds delta, and an optional stop after the last. */
#ifndef PINN_TRAIN_CAUSAL_H
#define PINN_TRAIN_CAUSAL_H

#include "pinnc.h"

#define TR_CAUSAL_MAX_CHUNKS 256
#define TR_CAUSAL_MAX_EPS 8

typedef struct tr_causal_cfg {
    int chunks;                         /* M (0: causal training off) */
    int n_eps;
    double eps[TR_CAUSAL_MAX_EPS];      /* the schedule, increasing */
    double delta;                       /* all weights > delta: next eps */
    int stop;                           /* end the phase when the weights pass delta at the last eps */
} tr_causal_cfg;

typedef struct tr_causal {
    tr_causal_cfg cfg;
    int time;                           /* the time coordinate */
    double t0, t1;                      /* its range */
    int k_eps;                          /* current schedule entry */
    int done;                           /* the weights passed delta at the last eps */
    int n_threads;
    double *acc;                        /* [n_threads][2 M]: sum of r^2 and count per chunk */
    double L[TR_CAUSAL_MAX_CHUNKS];     /* chunk losses of the last evaluation */
    double w[TR_CAUSAL_MAX_CHUNKS];     /* weights applied at the next evaluation */
} tr_causal;

/* w_i = exp(-eps * sum_{k<i} L_k), i < M: the causal weights of chunk losses L. */
void tr_causal_weights(const double *L, int M, double eps, double *w);
/* Reads the `causal` mapping of node (an Adam phase's) into cfg; absent: off (chunks 0). */
pinn_status tr_causal_configure(tr_causal_cfg *cfg, pinn_cfg *c, int node, int has_time, pinn_error *err);
/* Starts causal training over time coordinate `time` in [t0, t1] with n_threads accumulators. */
pinn_status tr_causal_init(tr_causal **out, const tr_causal_cfg *cfg, int time, double t0, double t1, int n_threads,
                           pinn_error *err);
void tr_causal_free(tr_causal *c);
/* The chunk of time value tv. */
int tr_causal_chunk(const tr_causal *c, double tv);
/* Clears the accumulators before an evaluation. */
void tr_causal_reset(tr_causal *c);
/* After an evaluation: chunk losses from the accumulators, the weights for the next one, the eps
 * schedule; returns 1 when the stopping rule says the phase is done. */
int tr_causal_update(tr_causal *c);
/* Checkpoint state: eps index and chunk losses (1 + M values). */
size_t tr_causal_state_size(const tr_causal_cfg *cfg);
void tr_causal_state_save(const tr_causal *c, double *buf);
void tr_causal_state_load(tr_causal *c, const double *buf);

#endif
