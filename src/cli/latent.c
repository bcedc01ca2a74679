/* latent.c - `pinnc latent RUN`: the hidden layers' activations of a trained run at its
 * evaluation points (RUN/latent/layer<l>.npy), their 2-D embeddings (PCA, and t-SNE with --tsne)
 * and the report rebuilt with the latent-map figures (docs/ideas.md). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "io/files.h"

static const char *const latent_help =
    "usage: pinnc latent RUN [--tsne] [--quiet]\n"
    "Write the activations of every hidden layer of the trained run RUN at its evaluation points\n"
    "(RUN/latent/layer<l>.npy), their projections on two principal components (layer<l>_pca.npy)\n"
    "and, with --tsne, a t-SNE embedding of 1000 of the points (layer<l>_tsne.npy); then rebuild\n"
    "RUN/report.html with the latent maps coloured by each coordinate and by the prediction.\n";

typedef struct latent_sink {
    char dir[CLI_LATENT_PATH];
} latent_sink;

/* The sink: <dir>/<name>.npy. */
static pinn_status latent_array(void *ctx, const char *name, int ndim, const size_t *shape, const double *data, pinn_error *err) {
    const latent_sink *s = ctx;
    char path[CLI_LATENT_PATH + 128];
    snprintf(path, sizeof path, "%s/%s.npy", s->dir, name);
    return pinn_npy_write(path, ndim, shape, data, err);
}

int cli_latent(int argc, char **argv) {
    const char *run = NULL;
    int tsne = 0, quiet = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            fputs(latent_help, stdout);
            return 0;
        } else if (!strcmp(argv[i], "--tsne")) tsne = 1;
        else if (!strcmp(argv[i], "--quiet")) quiet = 1;
        else if (argv[i][0] == '-' || run) {
            fprintf(stderr, "pinnc latent: unexpected argument '%s' (see pinnc latent --help)\n", argv[i]);
            return 2;
        } else run = argv[i];
    }
    if (!run) {
        fprintf(stderr, "pinnc latent: missing RUN (see pinnc latent --help)\n");
        return 2;
    }
    if (strlen(run) > CLI_LATENT_PATH - 64) {
        fprintf(stderr, "pinnc latent: run directory path too long\n");
        return 2;
    }
    char cfg[CLI_LATENT_PATH], ck[CLI_LATENT_PATH];
    latent_sink ls;
    snprintf(cfg, sizeof cfg, "%s/config.yaml", run);
    snprintf(ck, sizeof ck, "%s/checkpoint.bin", run);
    snprintf(ls.dir, sizeof ls.dir, "%s/latent", run);
    pinn_problem *p = malloc(sizeof *p);
    pinn_trainer *t = NULL;
    pinn_error err;
    int ret = 1;
    if (!p) {
        fprintf(stderr, "pinnc latent: out of memory\n");
        return 1;
    }
    pinn_model_sink sink = {&ls, latent_array};
    if (pinn_problem_load(p, cfg, 0, NULL, &err) || pinn_trainer_init(&t, p, &err) || pinn_trainer_load_checkpoint(t, ck, &err))
        fprintf(stderr, "pinnc latent: %s\n", err.msg);
    else if (mkdir(ls.dir, 0777) && errno != EEXIST)
        fprintf(stderr, "pinnc latent: cannot create %s: %s\n", ls.dir, strerror(errno));
    else if (pinn_trainer_latent(t, &sink, tsne, &err) || pinn_report_write(run, &err))
        fprintf(stderr, "pinnc latent: %s\n", err.msg);
    else {
        ret = 0;
        if (!quiet) printf("latent maps written to %s (figures in %s/report.html)\n", ls.dir, run);
    }
    pinn_trainer_free(t);
    free(p);
    return ret;
}
