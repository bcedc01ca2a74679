/* rar.h - residual-based adaptive refinement of the collocation points (an Adam phase's `rar`):
 * every `every` epochs the current points and as many fresh ones are scored by their squared PDE
 * residual, and the new set is drawn from the union without replacement with probability
 * proportional to (r^2)^(k/2) / mean + c (the residual-based adaptive distribution of Wu et al.
 * 2023; c large: uniform, k large: the largest residuals, as in Lu et al.'s RAR). */
#ifndef PINN_TRAIN_RAR_H
#define PINN_TRAIN_RAR_H

#include "pinnc.h"

typedef struct tr_rar_cfg {
    int every;     /* epochs between refinements (0: off) */
    double k, c;   /* the density's exponent and floor */
} tr_rar_cfg;

typedef struct tr_rar {
    tr_rar_cfg cfg;
    size_t n;
    int d;
    pinn_real *x;        /* [2n][d]: current points, then the fresh ones */
    double *score;       /* [2n] squared residuals summed over the equations */
    double *key;         /* [2n] sampling keys */
    size_t *idx;         /* [2n] */
} tr_rar;

/* Reads the `rar` mapping of node into cfg; absent: off. */
pinn_status tr_rar_configure(tr_rar_cfg *cfg, pinn_cfg *c, int node, pinn_error *err);
pinn_status tr_rar_init(tr_rar **out, const tr_rar_cfg *cfg, size_t n, int d, pinn_error *err);
void tr_rar_free(tr_rar *r);
/* Chooses m of the N candidates (scores s) without replacement, candidate i with weight
 * (s_i^(k/2)) / mean + c, by the Efraimidis-Spirakis keys u^(1/w); writes their indices to idx
 * (the first m entries; key and idx hold N entries of work space). */
void tr_rar_choose(const double *s, size_t N, size_t m, double k, double c, pinn_rng *rng, double *key, size_t *idx);
/* One refinement of the trainer's collocation points at Adam epoch ep (a no-op unless due). */
struct pinn_trainer;
pinn_status tr_rar_refine(tr_rar *r, struct pinn_trainer *t, long ep, pinn_error *err);

#endif
