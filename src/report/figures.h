/* figures.h - the figures of one run, built from its files (run.h): training curves (loss per
 * term, error against epoch, weights, gradient norms), heatmaps of solution, reference and error
 * with time on the horizontal axis, slices against the reference, 1-D solution plots. */
#ifndef PINN_REPORT_FIGURES_H
#define PINN_REPORT_FIGURES_H

#include "report/plot.h"
#include "report/run.h"

typedef struct rp_fig {
    char name[64];       /* file stem under figures/: "loss", "solution_u", ... */
    char caption[300];
    int group;           /* 0 training, 1 fields, 2 slices */
    char alias[64];      /* heatmaps: the run-directory picture it replaces ("solution.png"), or "" */
    plot_figure fig;
    plot_heatmap heat;
    double *own[2 * PLOT_MAX_SERIES + 2]; /* arrays the figure points into */
    int n_own;
} rp_fig;

typedef struct rp_figset {
    rp_fig **f;
    int n, cap;
} rp_figset;

/* A 2-D section of the grid: coordinates h (horizontal) and v (vertical), the others fixed at
 * index fix[] (the last time, or the middle). */
typedef struct rp_section {
    int h, v;
    int fix[PINN_MAX_INPUTS];
    char where[96]; /* " at t = 1" */
} rp_section;
/* The section the heatmaps use; 0 when the grid has none.  rp_grid_index: flat index of the grid
 * point with per-coordinate indices idx. */
int rp_choose_section(const rp_run *r, rp_section *s);
size_t rp_grid_index(const rp_run *r, const int *idx);
/* figures_moe.c: a mixture of experts' importance curves, gate-weight, expert and dominant-expert
 * maps (from moe_*.npy), when the run has them. */
pinn_status rp_moe_figures(const rp_run *r, rp_figset *fs, pinn_error *err);

/* Build every figure the run's files allow. */
pinn_status rp_figures_build(const rp_run *r, rp_figset *fs, pinn_error *err);
void rp_figures_free(rp_figset *fs);

/* Add an empty figure to fs (owned by fs); NULL when out of memory. */
rp_fig *rp_figset_add(rp_figset *fs, const char *name, int group);
/* An array of n doubles owned by fig; NULL when out of memory or fig holds too many. */
double *rp_fig_own(rp_fig *fig, size_t n);
/* fig_decomp.c: the FBPINN decomposition (subdomain boxes) and sweep schedule figures, when the run
 * directory holds fbpinn_boxes.npy / fbpinn_schedule.npy. */
pinn_status rp_decomposition_figures(const rp_run *r, rp_figset *fs, pinn_error *err);
/* A copy of column c of the history (owned by fig); NULL when out of memory. */
double *rp_fig_column(rp_fig *fig, const rp_history *h, long c);

/* figures_ideas.c: the VQ code map (vq_code.npy) and the latent maps (latent/, `pinnc latent`). */
pinn_status rp_figures_ideas(const rp_run *r, rp_figset *fs, pinn_error *err);

#endif
