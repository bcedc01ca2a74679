/* mpi.c - the pinnc command's MPI layer: started only when a launcher (mpirun) set up the
 * process, it gives the context its rank, rank count and an in-place all-gather for the terms'
 * chunk results (pinn_ctx_set_ranks).  Without PINN_HAVE_MPI every process is rank 0 of 1. */
#include <stdlib.h>

#include "cli/cli.h"

#ifdef PINN_HAVE_MPI
#include <mpi.h>

static int mpi_on, mpi_rank, mpi_size;
static int *byte_counts, *byte_displs; /* [mpi_size] */

/* Whether a launcher started this process (OpenMPI, MPICH/Hydra or Slurm's PMI). */
static int launched(void) {
    return getenv("OMPI_COMM_WORLD_SIZE") || getenv("PMI_SIZE") || getenv("PMIX_RANK");
}

int cli_mpi_init(int *argc, char ***argv) {
    if (!launched()) return 0;
    if (MPI_Init(argc, argv) != MPI_SUCCESS) return -1;
    mpi_on = 1;
    MPI_Comm_rank(MPI_COMM_WORLD, &mpi_rank);
    MPI_Comm_size(MPI_COMM_WORLD, &mpi_size);
    byte_counts = malloc(sizeof(int) * 2 * (size_t)mpi_size);
    if (!byte_counts) return -1;
    byte_displs = byte_counts + mpi_size;
    return 0;
}

void cli_mpi_finalize(void) {
    if (!mpi_on) return;
    free(byte_counts);
    MPI_Finalize();
    mpi_on = 0;
}

/* Aborts every rank (a failure on one rank would otherwise leave the others waiting). */
void cli_mpi_abort(int code) {
    if (mpi_on && mpi_size > 1) MPI_Abort(MPI_COMM_WORLD, code);
}

int cli_mpi_rank(void) { return mpi_on ? mpi_rank : 0; }
int cli_mpi_size(void) { return mpi_on ? mpi_size : 1; }

/* pinn_gather_fn over MPI_COMM_WORLD: counts and displacements in elements become bytes. */
static void gather(void *user, void *buf, size_t elem, const int *counts, const int *displs) {
    (void)user;
    for (int r = 0; r < mpi_size; r++) {
        byte_counts[r] = (int)((size_t)counts[r] * elem);
        byte_displs[r] = (int)((size_t)displs[r] * elem);
    }
    MPI_Allgatherv(MPI_IN_PLACE, 0, MPI_DATATYPE_NULL, buf, byte_counts, byte_displs, MPI_BYTE, MPI_COMM_WORLD);
}

pinn_status cli_mpi_setup(pinn_ctx *c, pinn_error *err) {
    if (!mpi_on || mpi_size == 1) return PINN_OK;
    return pinn_ctx_set_ranks(c, mpi_rank, mpi_size, gather, NULL, err);
}

#else

int cli_mpi_init(int *argc, char ***argv) {
    (void)argc, (void)argv;
    return 0;
}
void cli_mpi_finalize(void) {}
void cli_mpi_abort(int code) { (void)code; }
int cli_mpi_rank(void) { return 0; }
int cli_mpi_size(void) { return 1; }
pinn_status cli_mpi_setup(pinn_ctx *c, pinn_error *err) {
    (void)c, (void)err;
    return PINN_OK;
}

#endif
