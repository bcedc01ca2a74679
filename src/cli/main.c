/* main.c - the pinnc command: dispatch to the subcommands, --help and --version. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

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

int main(int argc, char **argv) {
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
