/* main.c - the pinnc command: dispatch to the subcommands, --help and --version. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/blas.h"

static const char *const usage =
    "usage: pinnc <command> [options]\n"
    "\n"
    "commands:\n"
    "  train FILE      train a PINN on the problem in FILE (YAML) and write a run directory\n"
    "  eval RUN        evaluate a trained run at points from a CSV file\n"
    "  check FILE      validate FILE and print the resolved problem, plans and parameter count\n"
    "  reference FILE  run only the reference solver of FILE and write its solution\n"
    "  report RUN      rebuild report.html, the figures and the VTK files of a run directory\n"
    "  compare RUN...  a table and overlaid loss curves of several runs\n"
    "  latent RUN      hidden-layer activations of a trained run and their 2-D embeddings\n"
    "\n"
    "`pinnc <command> --help` describes a command's options.  See docs/problem-file.md.\n";

/* OpenBLAS picks its kernels when it is loaded, before main: where it fell back to the slow
 * "Prescott" set on a CPU it does not know, start this program once more with OPENBLAS_CORETYPE
 * naming the kernels the CPU runs (docs/benchmarks.md: 2-4x faster products on such hosts).  A
 * user's own OPENBLAS_CORETYPE always stands (OPENBLAS_CORETYPE=Prescott keeps the fallback);
 * PINNC_BLAS_CORE marks the second start so that it cannot loop (set by a user, to any value, it
 * keeps OpenBLAS's own choice, e.g. to match a program that loaded libpinnc itself).  Returns
 * only when nothing is changed or the new start failed (then the run goes on with OpenBLAS's own
 * choice and the environment as it was). */
static void blas_core_restart(char **argv) {
    if (getenv("OPENBLAS_CORETYPE") || getenv("PINNC_BLAS_CORE")) return;
    const char *core = pinn_blas_suggest_core();
    if (!core) return;
    if (setenv("OPENBLAS_CORETYPE", core, 1) || setenv("PINNC_BLAS_CORE", core, 1)) return;
    execv("/proc/self/exe", argv);
    unsetenv("OPENBLAS_CORETYPE");
    unsetenv("PINNC_BLAS_CORE");
}

int main(int argc, char **argv) {
    blas_core_restart(argv);
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        fputs(usage, argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    if (!strcmp(argv[1], "--version")) {
        printf("pinnc %s\n", pinn_version());
        return 0;
    }
    if (!strcmp(argv[1], "train")) {
        /* data-parallel training when started by mpirun (PINN_MPI builds) */
        if (cli_mpi_init(&argc, &argv)) {
            fprintf(stderr, "pinnc: MPI_Init failed\n");
            return 1;
        }
        int rc = cli_train(argc - 1, argv + 1);
        if (rc) cli_mpi_abort(rc);
        cli_petsc_finalize();
        cli_mpi_finalize();
        return rc;
    }
    if (!strcmp(argv[1], "eval")) return cli_eval(argc - 1, argv + 1);
    if (!strcmp(argv[1], "check")) return cli_check(argc - 1, argv + 1);
    if (!strcmp(argv[1], "reference")) return cli_reference(argc - 1, argv + 1);
    if (!strcmp(argv[1], "report")) return cli_report(argc - 1, argv + 1);
    if (!strcmp(argv[1], "compare")) return cli_compare(argc - 1, argv + 1);
    if (!strcmp(argv[1], "latent")) return cli_latent(argc - 1, argv + 1);
    fprintf(stderr, "pinnc: unknown command '%s'\n%s", argv[1], usage);
    return 2;
}
