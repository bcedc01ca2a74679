/* pinnc/optim.h - optimizers on one flat parameter vector: learning-rate schedules, Adam/AdamW and
 * L-BFGS with a strong Wolfe line search.  All of them work on `pinn_real x[n]` with a gradient
 * `g[n]` of the same length, allocate their state once at init, never allocate while stepping, and
 * can export/import their complete state as a flat array of doubles for checkpoints.
 * The equations and every tolerance are described in docs/optimizers.md. */
#ifndef PINNC_OPTIM_H
#define PINNC_OPTIM_H

#include <stddef.h>
#include <stdint.h>

#include "pinnc/core.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ======================================================================================
 * Learning-rate schedules
 * ====================================================================================== */

/* The shape of a schedule after the (optional) linear warmup. */
typedef enum pinn_schedule_kind {
    PINN_SCHEDULE_CONSTANT = 0, /* lr = lr0 */
    PINN_SCHEDULE_EXPONENTIAL,  /* lr = lr0 * gamma^(s/decay_steps), floor(.) if staircase */
    PINN_SCHEDULE_COSINE,       /* cosine annealing lr0 -> lr_min over total_steps, then lr_min */
    PINN_SCHEDULE_INVERSE_TIME, /* lr = lr0 / (1 + gamma * s / decay_steps) */
    PINN_SCHEDULE_COUNT
} pinn_schedule_kind;

/* Name of a schedule kind ("constant", "exponential", "cosine"); "unknown" when out of range. */
const char *pinn_schedule_kind_to_string(pinn_schedule_kind k);
/* Parse a schedule kind name (case-insensitive; "exp" and "cos" are accepted as short forms).
 * Returns PINN_OK and sets *out, or PINN_ERR_PARSE naming the unknown word. */
pinn_status pinn_schedule_kind_from_string(const char *name, pinn_schedule_kind *out, pinn_error *err);

/* A learning-rate schedule: a plain value, copy it freely.  Steps are counted from 0.
 * With warmup W > 0 the rate for step < W is lr0 * (step + 1) / W; the decay shape then runs on
 * s = step - W (so the first post-warmup step gets exactly lr0).  Without warmup s = step. */
typedef struct pinn_schedule {
    pinn_schedule_kind kind;
    double lr0;            /* base rate (> 0) */
    double gamma;          /* exponential: factor per decay_steps, in (0, 1]; default 0.9 */
    int64_t decay_steps;   /* exponential: steps per factor gamma (> 0); default 1000 */
    int staircase;         /* exponential: nonzero = decay in whole periods, floor(s / decay_steps) */
    double lr_min;         /* cosine: final rate (0 <= lr_min <= lr0); default 0 */
    int64_t total_steps;   /* cosine: annealing length T (> 0), lr stays at lr_min for s >= T */
    int64_t warmup_steps;  /* linear warmup length (>= 0); default 0 */
} pinn_schedule;

/* Fill s with a constant schedule at rate lr0 and the documented defaults for the other fields
 * (gamma 0.9, decay_steps 1000, no staircase, lr_min 0, total_steps 10000, no warmup). */
void pinn_schedule_default(pinn_schedule *s, double lr0);
/* Check that the fields used by s->kind are in range; PINN_ERR_INVALID with the field named. */
pinn_status pinn_schedule_validate(const pinn_schedule *s, pinn_error *err);
/* The learning rate at step `step` (>= 0; negative steps are treated as 0).  Pure function. */
double pinn_schedule_lr(const pinn_schedule *s, int64_t step);

/* ======================================================================================
 * Adam / AdamW
 * ====================================================================================== */

/* Adam settings.  Defaults (pinn_adam_config_default): constant lr 1e-3, beta1 0.9, beta2 0.999,
 * eps 1e-8, no weight decay, no clipping. */
typedef struct pinn_adam_config {
    pinn_schedule schedule; /* the rate of step t is pinn_schedule_lr(&schedule, t), t = 0, 1, ... */
    double beta1;           /* first-moment decay, in [0, 1) */
    double beta2;           /* second-moment decay, in [0, 1) */
    double eps;             /* added to sqrt(v_hat) in the denominator, > 0 */
    double weight_decay;    /* decoupled (AdamW) decay: x -= lr * weight_decay * x; 0 = off */
    double clip_norm;       /* if > 0, g is scaled so that ||g||_2 <= clip_norm before use */
} pinn_adam_config;

/* Fill cfg with the defaults listed above. */
void pinn_adam_config_default(pinn_adam_config *cfg);

/* Adam state.  Fields are readable; change them only through the functions below. */
typedef struct pinn_adam {
    size_t n;              /* parameter count */
    pinn_adam_config cfg;  /* copy of the settings */
    int64_t t;             /* completed steps */
    pinn_real *m;          /* first moments [n] (owned) */
    pinn_real *v;          /* second moments [n] (owned) */
    double last_lr;        /* rate used by the most recent step (0 before the first) */
    double last_gnorm;     /* ||g||_2 of the most recent step before clipping (0 when unknown) */
} pinn_adam;

/* Validate cfg, allocate the moment vectors (zeroed) for n > 0 parameters.  On failure *opt is
 * left empty (safe to pass to pinn_adam_free).  Free with pinn_adam_free. */
pinn_status pinn_adam_init(pinn_adam *opt, size_t n, const pinn_adam_config *cfg, pinn_error *err);
/* Release the moment vectors; opt becomes empty.  NULL and empty opts are fine. */
void pinn_adam_free(pinn_adam *opt);
/* Forget the moments and the step count (as right after init). */
void pinn_adam_reset(pinn_adam *opt);

/* One Adam step at the scheduled rate: updates x[n] in place from the gradient g[n].  No allocation.
 * If g holds a NaN or Inf, nothing is changed and PINN_ERR_NUMERIC is returned. */
pinn_status pinn_adam_step(pinn_adam *opt, pinn_real *x, const pinn_real *g, pinn_error *err);
/* Same as pinn_adam_step but with an explicit learning rate lr (the schedule is ignored; the step
 * count still advances).  For callers that drive the rate themselves. */
pinn_status pinn_adam_step_lr(pinn_adam *opt, pinn_real *x, const pinn_real *g, double lr,
                              pinn_error *err);

/* Number of doubles in a saved Adam state: 3 + 2n (a tag, n, t, then m and v). */
size_t pinn_adam_state_size(const pinn_adam *opt);
/* Write the state (step count and moments) into buf[pinn_adam_state_size(opt)].  The settings are
 * not saved: restore into an optimizer initialised with the same config. */
void pinn_adam_state_save(const pinn_adam *opt, double *buf);
/* Read a state written by pinn_adam_state_save.  PINN_ERR_INVALID (opt unchanged) if the tag or
 * the size n does not match.  Continuing afterwards is bitwise identical to never having stopped. */
pinn_status pinn_adam_state_load(pinn_adam *opt, const double *buf, pinn_error *err);

/* ======================================================================================
 * L-BFGS with a strong Wolfe line search
 * ====================================================================================== */

/* The objective: return f(x) and write the gradient into g[n]. */
typedef double (*pinn_fg_fn)(void *ctx, const pinn_real *x, pinn_real *g);

/* Why an L-BFGS run stopped (or that it should go on). */
typedef enum pinn_lbfgs_reason {
    PINN_LBFGS_RUNNING = 0,   /* no stopping test fired: call step again */
    PINN_LBFGS_GTOL,          /* max_i |g_i| <= gtol */
    PINN_LBFGS_FTOL,          /* |f_k - f_k+1| / max(|f_k|, |f_k+1|, 1) <= ftol */
    PINN_LBFGS_XTOL,          /* max_i |x_k+1 - x_k|_i <= xtol * max(1, max_i |x_k+1|_i) */
    PINN_LBFGS_MAX_ITER,      /* the iteration counter reached max_iter */
    PINN_LBFGS_MAX_EVALS,     /* the evaluation counter reached max_evals */
    PINN_LBFGS_LINE_SEARCH,   /* no strong Wolfe point found, even along steepest descent */
    PINN_LBFGS_NUMERIC,       /* f or g was NaN/Inf; x is back at the last good point */
    PINN_LBFGS_REASON_COUNT
} pinn_lbfgs_reason;

/* Name of a reason ("running", "gtol", "ftol", "xtol", "max_iter", "max_evals", "line_search",
 * "numeric"); "unknown" when out of range. */
const char *pinn_lbfgs_reason_to_string(pinn_lbfgs_reason r);

/* L-BFGS settings.  A tolerance or limit <= 0 switches that test off.  Defaults
 * (pinn_lbfgs_config_default): memory 10, gtol 1e-7, ftol 1e-12, xtol 0 (off), max_iter 1000,
 * max_evals 2500, c1 1e-4, c2 0.9, max_ls_evals 25, curvature_eps 1e-10, first_step 1,
 * fnoise 1e-12 (1e-5 when pinn_real is float). */
typedef struct pinn_lbfgs_config {
    int memory;            /* m: number of (s, y) pairs kept, >= 1 */
    double gtol;           /* stop when ||g||_inf <= gtol */
    double ftol;           /* stop when the relative decrease of f in one iteration <= ftol */
    double xtol;           /* stop when ||x_k+1 - x_k||_inf <= xtol * max(1, ||x_k+1||_inf) */
    int64_t max_iter;      /* stop when the iteration counter reaches this */
    int64_t max_evals;     /* stop when the evaluation counter reaches this (checked before each) */
    double c1;             /* sufficient decrease constant, 0 < c1 < c2 < 1 */
    double c2;             /* curvature constant of the strong Wolfe conditions */
    int max_ls_evals;      /* evaluations allowed per line search, >= 1 */
    double curvature_eps;  /* skip the pair when s'y <= curvature_eps * ||s|| ||y|| */
    double first_step;     /* without history the first trial step has length <= first_step */
    double fnoise;         /* relative rounding noise of f: when |f(trial) - f0| <= fnoise * |f0| the
                            * sufficient-decrease test uses the secant slope instead of the values
                            * (see docs/optimizers.md); 0 = always compare values */
} pinn_lbfgs_config;

/* Fill cfg with the defaults listed above. */
void pinn_lbfgs_config_default(pinn_lbfgs_config *cfg);

/* L-BFGS state.  Fields are readable; change them only through the functions below. */
typedef struct pinn_lbfgs {
    size_t n;               /* parameter count */
    pinn_lbfgs_config cfg;  /* copy of the settings */
    int m;                  /* history capacity (= cfg.memory) */
    int count;              /* pairs stored, 0..m */
    int head;               /* ring slot the next pair goes to */
    pinn_real *s, *y;       /* history [m][n] each (owned) */
    double *rho;            /* 1 / (s'y) per slot [m] (owned) */
    double *alpha;          /* two-loop scratch [m] (owned) */
    pinn_real *d;           /* search direction [n] (owned) */
    pinn_real *x0, *g0;     /* start point of the current line search [n] (owned) */
    pinn_real *xlast;       /* where the previous step left x [n] (owned) */
    int has_last;           /* xlast is valid */
    int64_t iter;           /* accepted iterations since init / reset with counters */
    int64_t evals;          /* objective evaluations made by the optimizer */
    int64_t skipped;        /* pairs rejected by the curvature safeguard */
    int64_t restarts;       /* fallbacks to steepest descent (history dropped) */
    double last_step;       /* step length alpha accepted by the last iteration (0 before) */
} pinn_lbfgs;

/* Validate cfg and allocate all buffers (2*m*n + 4*n reals) for n > 0 parameters.  On failure
 * *opt is left empty (safe to pass to pinn_lbfgs_free).  Free with pinn_lbfgs_free. */
pinn_status pinn_lbfgs_init(pinn_lbfgs *opt, size_t n, const pinn_lbfgs_config *cfg, pinn_error *err);
/* Release all buffers; opt becomes empty.  NULL and empty opts are fine. */
void pinn_lbfgs_free(pinn_lbfgs *opt);
/* Drop the curvature history (the next step starts with steepest descent).  Call this whenever the
 * objective itself changes (e.g. resampled collocation points).  If clear_counters is nonzero the
 * iteration/evaluation/skip/restart counters are zeroed too, giving max_iter/max_evals a fresh
 * budget.  A step called with an x different from where the previous step left it drops the
 * history by itself. */
void pinn_lbfgs_reset(pinn_lbfgs *opt, int clear_counters);

/* One L-BFGS iteration.  On entry x[n], *f and g[n] must be consistent (f = fg(x)); this may be any
 * point, e.g. where Adam stopped.  The step first applies the stopping tests that need no work
 * (limits, gtol, NaN in f/g); otherwise it builds the two-loop direction, runs the strong Wolfe line
 * search (several fg calls), and on success leaves the new point in x, *f, g, updates the history
 * and applies all stopping tests.  If the quasi-Newton direction fails, the history is dropped and
 * steepest descent is tried once.  On any stop inside the search (NaN/Inf, max_evals, line search
 * failure) x, *f, g are restored to the entry point.  *reason (required) says whether to go on.
 * No allocation.  Returns PINN_OK, PINN_ERR_NUMERIC together with reason NUMERIC, or
 * PINN_ERR_INVALID for bad arguments. */
pinn_status pinn_lbfgs_step(pinn_lbfgs *opt, pinn_real *x, double *f, pinn_real *g, pinn_fg_fn fg,
                            void *ctx, pinn_lbfgs_reason *reason, pinn_error *err);
/* Convenience loop: evaluates *f and g at x (counted as one evaluation), then calls
 * pinn_lbfgs_step until the reason is no longer RUNNING.  reason may be NULL. */
pinn_status pinn_lbfgs_minimize(pinn_lbfgs *opt, pinn_real *x, double *f, pinn_real *g, pinn_fg_fn fg,
                                void *ctx, pinn_lbfgs_reason *reason, pinn_error *err);

/* Number of doubles in a saved L-BFGS state: 11 + m + 2*m*n + n (header, 1/s'y, pairs, last x). */
size_t pinn_lbfgs_state_size(const pinn_lbfgs *opt);
/* Write history, ring position, counters and the last point into buf[pinn_lbfgs_state_size(opt)].
 * The settings are not saved: restore into an optimizer initialised with the same config. */
void pinn_lbfgs_state_save(const pinn_lbfgs *opt, double *buf);
/* Read a state written by pinn_lbfgs_state_save.  PINN_ERR_INVALID (opt unchanged) if the tag, n or
 * m do not match or the ring fields are out of range.  Stepping afterwards from the saved x (with
 * f, g re-evaluated there) is bitwise identical to never having stopped. */
pinn_status pinn_lbfgs_state_load(pinn_lbfgs *opt, const double *buf, pinn_error *err);

#ifdef __cplusplus
}
#endif
#endif
