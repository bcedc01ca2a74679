/* cli.h - shared pieces of the pinnc command-line tool. */
#ifndef PINN_CLI_CLI_H
#define PINN_CLI_CLI_H

#include "pinnc.h"

typedef struct cli_progress_state {
    int tty, quiet;
} cli_progress_state;

void cli_progress_init(cli_progress_state *st, int quiet);
void cli_progress(void *ctx, const pinn_progress *p);

int cli_train(int argc, char **argv);
int cli_eval(int argc, char **argv);
int cli_check(int argc, char **argv);
int cli_reference(int argc, char **argv);
int cli_report(int argc, char **argv);
int cli_compare(int argc, char **argv);
#define CLI_LATENT_PATH 4096
int cli_latent(int argc, char **argv); /* latent.c */
int cli_write_report(const char *dir, int quiet);

/* MPI (mpi.c): init starts MPI only under a launcher (returns -1 on failure); setup gives a
 * context the ranks; abort ends every rank after a failure on one. */
int cli_mpi_init(int *argc, char ***argv);
void cli_mpi_finalize(void);
void cli_mpi_abort(int code);
int cli_mpi_rank(void);
int cli_mpi_size(void);
pinn_status cli_mpi_setup(pinn_ctx *c, pinn_error *err);
/* PETSc (petsc.c, PINN_HAVE_PETSC builds): setup gives the context the distributed least-squares
 * solver of the petsc_lsqr / petsc_cgls phases (nothing without PETSc); finalize stops PETSc if a
 * solve started it (call before cli_mpi_finalize); built: whether this build has it. */
pinn_status cli_petsc_setup(pinn_ctx *c, pinn_error *err);
void cli_petsc_finalize(void);
int cli_petsc_built(void);

#endif
