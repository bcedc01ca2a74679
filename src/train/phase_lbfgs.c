/* phase_lbfgs.c - the L-BFGS phase: full-batch iterations with a strong Wolfe line search on the
 * weighted loss.  Keys: iterations, memory, gtol, ftol (defaults from the train section). */
#include <math.h>
#include <string.h>
#include <time.h>

#include "train/phase.h"

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static pinn_status lbfgs_configure(tr_phase *ph, pinn_cfg *c, int node, const pinn_trainer *t, pinn_error *err) {
    static const char *const keys[] = {"kind", "iterations", "memory", "gtol", "ftol", "weights", NULL};
    const pinn_train_cfg *tc = &t->prob.train;
    long it, mem;
    pinn_lbfgs_config *l = &ph->lbfgs_cfg;
    pinn_lbfgs_config_default(l);
    pinn_status st;
    if ((st = pinn_cfg_check_keys(c, node, keys, err)) ||
        (st = pinn_cfg_int(c, node, "iterations", 0, 0x7fffffffL, 1, tc->lbfgs_iters, &it, err)) ||
        (st = pinn_cfg_int(c, node, "memory", 1, 100000, 1, tc->lbfgs_memory > 0 ? tc->lbfgs_memory : 50, &mem, err)) ||
        (st = pinn_cfg_real(c, node, "gtol", 0, 1e300, 1, tc->lbfgs_gtol, &l->gtol, err)) ||
        (st = pinn_cfg_real(c, node, "ftol", 0, 1e300, 1, tc->lbfgs_ftol, &l->ftol, err)))
        return st;
    l->memory = (int)mem;
    l->max_iter = it;
    l->max_evals = 3 * (int64_t)it + 10;
    ph->total = it;
    return PINN_OK;
}

/* The L-BFGS objective: the full-batch weighted loss (one combined backward where it can). */
static double fg(void *ctx, const pinn_real *x, pinn_real *g) {
    pinn_trainer *t = ctx;
    if (x != t->P) memcpy(t->P, x, sizeof(pinn_real) * t->np);
    tr_eval_each(t, 1, g ? TR_SUM : TR_LOSS);
    return tr_combine(t, g);
}

static pinn_status lbfgs_begin(tr_phase *ph, pinn_trainer *t, pinn_error *err) {
    pinn_status st = pinn_lbfgs_init(&ph->lbfgs, t->np, &ph->lbfgs_cfg, err);
    ph->lbfgs_ready = !st;
    return st;
}

static pinn_status lbfgs_step(tr_phase *ph, pinn_trainer *t, double *loss, int *done, pinn_error *err) {
    if (!ph->primed) { /* the first step of this process evaluates the starting point */
        ph->f = fg(t, t->P, t->G);
        ph->primed = 1;
    }
    pinn_lbfgs_reason why = PINN_LBFGS_RUNNING;
    double s0 = now_s();
    pinn_status st = pinn_lbfgs_step(&ph->lbfgs, t->P, &ph->f, t->G, fg, t, &why, err);
    t->time_lbfgs_s += now_s() - s0;
    if (st && why != PINN_LBFGS_NUMERIC) return st;
    t->lbfgs_iter++;
    ph->stop = (int)why;
    t->lbfgs_stop = (int)why;
    *loss = ph->f;
    *done = why != PINN_LBFGS_RUNNING;
    return PINN_OK;
}

static size_t lbfgs_state_size(const tr_phase *ph) { return ph->lbfgs_ready ? pinn_lbfgs_state_size(&ph->lbfgs) : 0; }
static void lbfgs_state_save(const tr_phase *ph, double *buf) { pinn_lbfgs_state_save(&ph->lbfgs, buf); }
static pinn_status lbfgs_state_load(tr_phase *ph, pinn_trainer *t, const double *buf, size_t n, pinn_error *err) {
    (void)t;
    if (n != pinn_lbfgs_state_size(&ph->lbfgs))
        return pinn_error_set(err, PINN_ERR_INVALID, "checkpoint: L-BFGS state of %zu values, expected %zu", n,
                              pinn_lbfgs_state_size(&ph->lbfgs));
    return pinn_lbfgs_state_load(&ph->lbfgs, buf, err);
}
static void lbfgs_release(tr_phase *ph) { pinn_lbfgs_free(&ph->lbfgs); }

const tr_phase_ops tr_phase_lbfgs = {"lbfgs",          lbfgs_configure,  lbfgs_begin,      lbfgs_step,
                                     lbfgs_state_size, lbfgs_state_save, lbfgs_state_load, lbfgs_release, 1};

