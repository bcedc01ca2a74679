/* run.h - a run directory read back from its files (config.yaml, summary.json, history.csv,
 * grid.npy, solution/reference/error.npy), independent of the trainer that wrote it.  The report,
 * the VTK writer and `pinnc compare` work from this. */
#ifndef PINN_REPORT_RUN_H
#define PINN_REPORT_RUN_H

#include <stddef.h>

#include "pinnc/problem.h"
#include "report/json.h"
#include "report/rbuf.h"

/* history.csv: numeric columns (empty or non-numeric cells read as NaN), and the phase of each
 * row (0 adam, 1 lbfgs, 2 other) from the "phase" column. */
typedef struct rp_history {
    size_t nrows, ncols;
    char **names;
    double *data; /* data[r*ncols + c] */
    int *phase;
} rp_history;

typedef struct rp_array {
    int ndim;
    size_t shape[4];
    double *data; /* NULL when the file is missing */
} rp_array;

typedef struct rp_run {
    char dir[900];
    rp_buf config;      /* config.yaml as written ("" if missing) */
    rp_json summary;    /* summary.json (n == 0 if missing) */
    rp_history hist;    /* nrows == 0 if missing */
    pinn_problem *prob; /* config.yaml loaded as a problem; NULL if that failed (see prob_err) */
    char prob_err[512];
    /* names, from the problem or guessed from the files */
    int d, nf, time;    /* coordinates, fields, index of the time coordinate (-1 none) */
    char coord[PINN_MAX_INPUTS][PINN_NAME_MAX];
    char field[PINN_MAX_FIELDS][PINN_NAME_MAX];
    char title[128];
    /* the evaluation grid */
    size_t n;           /* points */
    double *grid;       /* n x d (NULL if grid.npy is missing) */
    int regular;        /* 1: a full tensor grid with dims[] points per coordinate, C order */
    int dims[PINN_MAX_INPUTS];
    double lo[PINN_MAX_INPUTS], hi[PINN_MAX_INPUTS]; /* grid extent per coordinate */
    double *sol, *ref, *err; /* n x nf each (NULL if missing); NaN outside the domain */
} rp_run;

/* Read what exists of run directory dir.  Fails only if dir has neither summary.json nor
 * history.csv nor grid.npy (not a run directory) or on a malformed file. */
pinn_status rp_run_load(rp_run *r, const char *dir, pinn_error *err);
void rp_run_free(rp_run *r);

/* Index of history column name, or -1. */
long rp_hist_col(const rp_history *h, const char *name);

/* Read history.csv-style text (header row, rows of numbers or words). */
pinn_status rp_history_read(rp_history *h, const char *path, pinn_error *err);
void rp_history_free(rp_history *h);

#endif
