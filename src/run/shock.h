/* shock.h - Buckley-Leverett shock metrics for summary.json (shock.c). */
#ifndef PINN_RUN_SHOCK_H
#define PINN_RUN_SHOCK_H

#include <stdio.h>

#include "pinnc.h"

typedef struct pinn_run_shock_result {
    int ok;            /* a Buckley-Leverett run with at least one slice measured */
    double t_mid;      /* the slice nearest mid-time: its time, exact and predicted shock */
    double x_exact, x_pred;
    double mean_error; /* mean |x_pred - x_exact| over the slices with the shock inside */
    int slices;
    double rmse;       /* root-mean-square saturation error over the grid */
} pinn_run_shock_result;

pinn_status pinn_run_shock(const pinn_trainer_info *v, pinn_run_shock_result *r, pinn_error *err);
void pinn_run_shock_json(FILE *f, const pinn_run_shock_result *r);

#endif
