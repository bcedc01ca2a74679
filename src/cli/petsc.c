/* petsc.c - the pinnc command's distributed least-squares solver (solver: petsc_lsqr, petsc_cgls
 * of the lstsq and gauss_newton phases) on PETSc: every MPI rank hands in its own rows of the
 * assembled system (pinn_dist_lsq, pinnc/solve.h), which become one row-distributed MPIAIJ
 * matrix; KSPLSQR (or KSPCG on the normal equations) solves it, with column scaling as an exact
 * right preconditioner or block Jacobi over the subdomains' column blocks on the normal matrix,
 * and the solution is gathered to every rank.  PETSc starts on the first solve (after MPI_Init
 * when mpirun started the process; otherwise it starts MPI itself, as a singleton) and stops in
 * cli_petsc_finalize.  Without PINN_HAVE_PETSC there is no such solver. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

#ifdef PINN_HAVE_PETSC
#include <petscksp.h>

static int petsc_on;

/* Starts PETSc once (collective): no signal handlers of its own, errors returned, not printed. */
static pinn_status petsc_start(pinn_error *err) {
    if (petsc_on) return PINN_OK;
    PetscOptionsSetValue(NULL, "-no_signal_handler", NULL);
    if (PetscInitializeNoArguments()) return pinn_error_set(err, PINN_ERR_UNSUPPORTED, "PETSc: PetscInitialize failed");
    PetscPushErrorHandler(PetscReturnErrorHandler, NULL);
    petsc_on = 1;
    return PINN_OK;
}

void cli_petsc_finalize(void) {
    if (!petsc_on) return;
    PetscPopErrorHandler();
    PetscFinalize();
    petsc_on = 0;
}

/* a PETSc call; on failure set err and leave through `done` */
#define PCALL(call)                                                                                                    \
    do {                                                                                                               \
        PetscErrorCode ierr_ = (call);                                                                                 \
        if (ierr_) {                                                                                                   \
            st = pinn_error_set(err, PINN_ERR_NUMERIC, "PETSc: %s failed (error %d)", #call, (int)ierr_);             \
            goto done;                                                                                                 \
        }                                                                                                              \
    } while (0)

/* Why KSP stopped, as pinnc's stopping reasons. */
static pinn_lsq_stop stop_of(KSPConvergedReason r) {
    switch (r) {
    case KSP_CONVERGED_RTOL:
    case KSP_CONVERGED_ATOL: return PINN_LSQ_STOP_RESIDUAL;
    case KSP_CONVERGED_RTOL_NORMAL:
    case KSP_CONVERGED_ATOL_NORMAL: return PINN_LSQ_STOP_NORMAL;
    case KSP_DIVERGED_ITS: return PINN_LSQ_STOP_MAX_ITER;
    case KSP_CONVERGED_HAPPY_BREAKDOWN: return PINN_LSQ_STOP_RESIDUAL;
    default: return PINN_LSQ_STOP_BREAKDOWN;
    }
}

/* The column ownership: with block Jacobi, rank r owns whole blocks (blocks B r / R .. B (r+1) / R
 * of the contiguous column blocks), else PETSc's even split.  Returns the local column count,
 * or -1 when the blocks are not contiguous ranges covering every column in order. */
static int local_cols(const pinn_dist_lsq *p, int rank, int nranks) {
    int n = p->A->cols;
    if (p->precond != PINN_PRECOND_BLOCK_QR) return n / nranks + (rank < n % nranks);
    const pinn_col_blocks *B = &p->blocks;
    if (B->count <= 0 || B->ptr[0] != 0 || B->ptr[B->count] != n) return -1;
    for (int64_t q = 0; q < n; q++)
        if (B->cols[q] != (int)q) return -1;
    int b0 = (int)((long)B->count * rank / nranks), b1 = (int)((long)B->count * (rank + 1) / nranks);
    return (int)(B->ptr[b1] - B->ptr[b0]);
}

/* The block sizes for PCBJacobiSetTotalBlocks. */
static PetscInt *block_lens(const pinn_col_blocks *B) {
    PetscInt *lens = malloc(sizeof(PetscInt) * (size_t)(B->count + 1));
    for (int b = 0; lens && b < B->count; b++) lens[b] = (PetscInt)(B->ptr[b + 1] - B->ptr[b]);
    return lens;
}

/* The distributed solve (pinn_dist_lsq_fn).  Owns every PETSc object it makes. */
static pinn_status petsc_solve(void *user, pinn_dist_lsq *p, double *xout, pinn_lsq_info *info, pinn_error *err) {
    (void)user;
    pinn_status st = petsc_start(err);
    if (st) return st;
    double t0 = MPI_Wtime();
    const pinn_csr *M = p->A;
    int n = M->cols, rank = 0, nranks = 1;
    MPI_Comm_rank(PETSC_COMM_WORLD, &rank);
    MPI_Comm_size(PETSC_COMM_WORLD, &nranks);
    int cg = p->method == PINN_LSQ_CGLS;
    memset(info, 0, sizeof *info);
    info->method = cg ? "petsc_cgls" : "petsc_lsqr";
    info->precond = p->precond == PINN_PRECOND_COLSCALE ? "colscale" : p->precond == PINN_PRECOND_BLOCK_QR ? "bjacobi" : "none";
    info->cols = info->rank = n;
    info->residual = info->normal_residual = info->rhs_norm = NAN;
    info->sigma_max = info->sigma_min = info->cond = info->cond_precond = info->norm_estimate = NAN;
    Mat A = NULL, N = NULL, Pm = NULL;
    Vec b = NULL, x = NULL, dscale = NULL, r = NULL, g = NULL, rhs = NULL, xall = NULL;
    KSP ksp = NULL;
    VecScatter sc = NULL;
    PetscInt *ip = NULL, *jp = NULL, *lens = NULL;
    double *cn = NULL, *av = NULL;
    int nloc = local_cols(p, rank, nranks);
    if (nloc < 0) {
        st = pinn_error_set(err, PINN_ERR_INVALID,
                            "petsc: block_jacobi needs the model's column blocks as contiguous ranges covering every column");
        goto done;
    }
    /* this rank's rows, and on the last rank the damping rows sqrt(lambda) D_j */
    int damp = p->damping > 0, mloc = M->rows + (damp && rank == nranks - 1 ? n : 0);
    int64_t nnz = M->nnz + (damp && rank == nranks - 1 ? n : 0);
    ip = malloc(sizeof(PetscInt) * ((size_t)mloc + 1));
    jp = malloc(sizeof(PetscInt) * ((size_t)nnz + 1));
    av = malloc(sizeof(double) * ((size_t)nnz + 1));
    cn = calloc((size_t)n + 1, sizeof(double));
    if (!ip || !jp || !av || !cn) {
        st = pinn_error_set(err, PINN_ERR_NOMEM, "petsc: out of memory");
        goto done;
    }
    for (int i = 0; i <= M->rows; i++) ip[i] = (PetscInt)M->row_ptr[i];
    for (int64_t q = 0; q < M->nnz; q++) jp[q] = M->col_idx[q], av[q] = M->values[q];
    if (damp) { /* column norms over every rank's rows */
        for (int64_t q = 0; q < M->nnz; q++) cn[M->col_idx[q]] += M->values[q] * M->values[q];
        MPI_Allreduce(MPI_IN_PLACE, cn, n, MPI_DOUBLE, MPI_SUM, PETSC_COMM_WORLD);
        if (rank == nranks - 1)
            for (int j = 0; j < n; j++) {
                int64_t q = M->nnz + j;
                jp[q] = j;
                av[q] = sqrt(p->damping) * (cn[j] > 0 ? sqrt(cn[j]) : 1.0);
                ip[M->rows + j + 1] = (PetscInt)(q + 1);
            }
    }
    long gl[2] = {M->rows, (long)M->nnz}; /* the system's own rows, as the serial solvers report them */
    MPI_Allreduce(MPI_IN_PLACE, gl, 2, MPI_LONG, MPI_SUM, PETSC_COMM_WORLD);
    p->global_rows = gl[0], p->global_nnz = gl[1];
    info->rows = (int)gl[0];
    PCALL(MatCreateMPIAIJWithArrays(PETSC_COMM_WORLD, mloc, nloc, PETSC_DETERMINE, n, ip, jp, av, &A));
    PCALL(MatCreateVecs(A, &x, &b));
    {
        PetscScalar *bb;
        PCALL(VecGetArray(b, &bb));
        for (int i = 0; i < M->rows; i++) bb[i] = p->b[i];
        for (int i = M->rows; i < mloc; i++) bb[i] = 0;
        PCALL(VecRestoreArray(b, &bb));
    }
    PCALL(VecNorm(b, NORM_2, &info->rhs_norm));
    PCALL(VecDuplicate(b, &r));
    PCALL(VecDuplicate(x, &g));
    double tp = MPI_Wtime();
    if (p->precond == PINN_PRECOND_COLSCALE) { /* exact right preconditioning: solve with A D, x = D y */
        PCALL(MatGetColumnNorms(A, NORM_2, cn));
        PCALL(VecDuplicate(x, &dscale));
        PetscInt lo, hi;
        PCALL(VecGetOwnershipRange(dscale, &lo, &hi));
        PetscScalar *dd;
        PCALL(VecGetArray(dscale, &dd));
        for (PetscInt j = lo; j < hi; j++) dd[j - lo] = cn[j] > 0 ? 1.0 / cn[j] : 1.0;
        PCALL(VecRestoreArray(dscale, &dd));
        PCALL(MatDiagonalScale(A, NULL, dscale));
    }
    PCALL(KSPCreate(PETSC_COMM_WORLD, &ksp));
    if (cg || p->precond == PINN_PRECOND_BLOCK_QR) PCALL(MatCreateNormal(A, &N));
    if (p->precond == PINN_PRECOND_BLOCK_QR) /* the normal matrix itself, for the local factors */
        PCALL(MatTransposeMatMult(A, A, MAT_INITIAL_MATRIX, PETSC_DEFAULT, &Pm));
    if (cg) {
        PCALL(KSPSetOperators(ksp, N, Pm ? Pm : N));
        PCALL(KSPSetType(ksp, KSPCG));
        PCALL(VecDuplicate(x, &rhs));
        PCALL(MatMultTranspose(A, b, rhs));
    } else {
        PCALL(KSPSetOperators(ksp, A, Pm ? Pm : A));
        PCALL(KSPSetType(ksp, KSPLSQR));
    }
    PC pc;
    PCALL(KSPGetPC(ksp, &pc));
    if (p->precond == PINN_PRECOND_BLOCK_QR) {
        lens = block_lens(&p->blocks);
        if (!lens) {
            st = pinn_error_set(err, PINN_ERR_NOMEM, "petsc: out of memory");
            goto done;
        }
        PCALL(PCSetType(pc, PCBJACOBI));
        PCALL(PCBJacobiSetTotalBlocks(pc, p->blocks.count, lens));
    } else {
        PCALL(PCSetType(pc, PCNONE));
    }
    int maxit = p->max_iter > 0 ? p->max_iter : 4 * n + 100;
    PCALL(KSPSetTolerances(ksp, p->atol > 0 ? p->atol : 1e-12, PETSC_DEFAULT, PETSC_DEFAULT, maxit));
    PCALL(KSPSetInitialGuessNonzero(ksp, PETSC_FALSE));
    PCALL(KSPSetFromOptions(ksp)); /* PETSC_OPTIONS (e.g. -ksp_monitor) still apply */
    PCALL(KSPSetUp(ksp));
    if (p->precond == PINN_PRECOND_BLOCK_QR) { /* local blocks: dense pseudo-inverse (PCSVD), cut below sigma^2 */
        KSP *sub;
        PetscInt nsub, first;
        PCALL(PCBJacobiGetSubKSP(pc, &nsub, &first, &sub));
        for (PetscInt q = 0; q < nsub; q++) {
            PC spc;
            PCALL(KSPSetType(sub[q], KSPPREONLY));
            PCALL(KSPGetPC(sub[q], &spc));
            PCALL(PCSetType(spc, PCSVD));
            PCALL(PCSetFromOptions(spc)); /* -sub_pc_svd_zero_sing ... from PETSC_OPTIONS */
        }
    }
    p->precond_seconds = MPI_Wtime() - tp;
    PCALL(KSPSolve(ksp, cg ? rhs : b, x));
    PetscInt its;
    KSPConvergedReason why;
    PCALL(KSPGetIterationNumber(ksp, &its));
    PCALL(KSPGetConvergedReason(ksp, &why));
    info->iterations = (int)its;
    info->stop = stop_of(why);
    if (cg && info->stop == PINN_LSQ_STOP_RESIDUAL) info->stop = PINN_LSQ_STOP_NORMAL; /* CG's residual is A^T r */
    if (!cg) {
        PetscReal arn, anorm;
        PCALL(KSPLSQRGetNorms(ksp, &arn, &anorm));
        info->norm_estimate = anorm;
    }
    /* true residuals from the returned iterate (A D y = A x) */
    PCALL(MatMult(A, x, r));
    PCALL(VecAXPY(r, -1.0, b));
    PCALL(VecNorm(r, NORM_2, &info->residual));
    PCALL(MatMultTranspose(A, r, g));
    if (dscale) {
        PCALL(VecPointwiseDivide(g, g, dscale));
        PCALL(VecPointwiseMult(x, x, dscale));
    }
    PCALL(VecNorm(g, NORM_2, &info->normal_residual));
    /* the solution on every rank */
    PCALL(VecScatterCreateToAll(x, &sc, &xall));
    PCALL(VecScatterBegin(sc, x, xall, INSERT_VALUES, SCATTER_FORWARD));
    PCALL(VecScatterEnd(sc, x, xall, INSERT_VALUES, SCATTER_FORWARD));
    {
        const PetscScalar *xa;
        PCALL(VecGetArrayRead(xall, &xa));
        for (int j = 0; j < n; j++) xout[j] = xa[j];
        PCALL(VecRestoreArrayRead(xall, &xa));
    }
    if (!isfinite(info->residual)) st = pinn_error_set(err, PINN_ERR_NUMERIC, "%s: the solution is not finite", info->method);
done:
    VecScatterDestroy(&sc);
    VecDestroy(&xall);
    VecDestroy(&rhs);
    VecDestroy(&g);
    VecDestroy(&r);
    VecDestroy(&dscale);
    VecDestroy(&x);
    VecDestroy(&b);
    KSPDestroy(&ksp);
    MatDestroy(&Pm);
    MatDestroy(&N);
    MatDestroy(&A);
    free(ip), free(jp), free(av), free(cn), free(lens);
    info->seconds = MPI_Wtime() - t0;
    return st;
}

pinn_status cli_petsc_setup(pinn_ctx *c, pinn_error *err) { return pinn_ctx_set_dist_lsq(c, petsc_solve, NULL, err); }
int cli_petsc_built(void) { return 1; }

#else

pinn_status cli_petsc_setup(pinn_ctx *c, pinn_error *err) {
    (void)c, (void)err;
    return PINN_OK;
}
void cli_petsc_finalize(void) {}
int cli_petsc_built(void) { return 0; }

#endif
