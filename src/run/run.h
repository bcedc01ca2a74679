/* run.h - internal interface of the run layer (src/run/): a run directory's files written from
 * the driver's events: config.yaml, history.csv, checkpoints, gradient histograms, the grids as
 * .npy, PNG pictures and summary.json.  train/ knows nothing of files; this layer does. */
#ifndef PINN_RUN_RUN_H
#define PINN_RUN_RUN_H

#include "pinnc.h"

#define PINN_RUN_PATH 4096

/* dir + "/" + name into out[size]; an error naming the directory when it does not fit. */
pinn_status pinn_run_path(char *out, size_t size, const char *dir, const char *name, pinn_error *err);

/* checkpoint.c */
pinn_status pinn_run_checkpoint_write(pinn_trainer *t, const char *dir, pinn_error *err);
/* best.bin beside checkpoint.bin: the state with the best parameters (none held: no file). */
pinn_status pinn_run_best_write(pinn_trainer *t, const char *dir, pinn_error *err);
/* force: load a checkpoint whose fingerprint differs (sizes are still checked). */
pinn_status pinn_run_checkpoint_read(pinn_trainer *t, const char *path, int force, pinn_error *err);

/* outputs.c */
pinn_status pinn_run_write_outputs(pinn_trainer *t, const char *dir, pinn_error *err);
pinn_status pinn_run_write_histograms(pinn_trainer *t, const char *dir, long epoch, pinn_error *err);

#endif
