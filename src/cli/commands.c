/* commands.c - the pinnc subcommands: option parsing, loading, and what each prints. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "io/files.h"
#include "problem/csv.h"

#define MAX_SETS 64

typedef struct opts {
    const char *file, *out, *points, *what;
    const char *sets[MAX_SETS + 2];
    int n_sets, resume, quiet;
    char seed_set[64], threads_set[64];
} opts;

static int is_help(const char *a) { return !strcmp(a, "--help") || !strcmp(a, "-h"); }

/* Parses common options; returns 0 on success, 2 on a usage error (message printed). */
static int parse(int argc, char **argv, opts *o, const char *cmd, const char *help) {
    memset(o, 0, sizeof *o);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (is_help(a)) {
            fputs(help, stdout);
            exit(0);
        } else if (!strcmp(a, "--set") && v) {
            if (o->n_sets >= MAX_SETS) {
                fprintf(stderr, "pinnc %s: too many --set options (at most %d)\n", cmd, MAX_SETS);
                return 2;
            }
            o->sets[o->n_sets++] = v, i++;
        } else if (!strcmp(a, "--out") && v) o->out = v, i++;
        else if (!strcmp(a, "--points") && v) o->points = v, i++;
        else if (!strcmp(a, "--what") && v) o->what = v, i++;
        else if (!strcmp(a, "--resume") && v) o->out = v, o->resume = 1, i++;
        else if (!strcmp(a, "--quiet") || !strcmp(a, "-q")) o->quiet = 1;
        else if (!strcmp(a, "--seed") && v) {
            snprintf(o->seed_set, sizeof o->seed_set, "train.seed=%s", v);
            o->sets[o->n_sets++] = o->seed_set, i++;
        } else if (!strcmp(a, "--threads") && v) {
            snprintf(o->threads_set, sizeof o->threads_set, "train.threads=%s", v);
            o->sets[o->n_sets++] = o->threads_set, i++;
        } else if (a[0] == '-' && a[1]) {
            fprintf(stderr, "pinnc %s: unknown option '%s' (or missing value)\n%s", cmd, a, help);
            return 2;
        } else if (!o->file) o->file = a;
        else {
            fprintf(stderr, "pinnc %s: unexpected argument '%s'\n%s", cmd, a, help);
            return 2;
        }
    }
    if (!o->file && !o->resume) {
        fprintf(stderr, "pinnc %s: missing FILE\n%s", cmd, help);
        return 2;
    }
    return 0;
}

static int load(const opts *o, pinn_problem *p) {
    pinn_error err;
    if (pinn_problem_load(p, o->file, o->n_sets, o->sets, &err) != PINN_OK) {
        fprintf(stderr, "pinnc: %s\n", err.msg);
        return 1;
    }
    return 0;
}

/* Parses the options of cmd and loads its problem file; NULL with *rc set (2 usage, 1 error). */
static pinn_problem *parse_and_load(int argc, char **argv, opts *o, const char *cmd, const char *help, int *rc) {
    if ((*rc = parse(argc, argv, o, cmd, help))) return NULL;
    pinn_problem *p = malloc(sizeof *p);
    if (!p || load(o, p)) {
        free(p);
        *rc = 1;
        return NULL;
    }
    return p;
}

/* runs/<file stem>, or runs/<stem>-2, -3, ... if taken */
static void default_out(const char *file, char *out, size_t n) {
    const char *b = strrchr(file, '/');
    b = b ? b + 1 : file;
    char stem[256];
    snprintf(stem, sizeof stem, "%s", b);
    char *dot = strrchr(stem, '.');
    if (dot) *dot = '\0';
    struct stat sb;
    snprintf(out, n, "runs/%s", stem);
    for (int k = 2; stat(out, &sb) == 0 && k < 10000; k++) snprintf(out, n, "runs/%s-%d", stem, k);
}

static const char *const train_help =
    "usage: pinnc train FILE [--set key.path=value]... [--out DIR] [--seed N] [--threads N] [--quiet]\n"
    "       pinnc train --resume DIR [--quiet]\n"
    "Train on the problem in FILE and write DIR (default runs/<name>): config.yaml, history.csv,\n"
    "summary.json, checkpoint.bin, grid.npy, solution.npy, reference.npy, error.npy.\n"
    "--set overrides any key of the problem file (value in YAML syntax), e.g. --set train.epochs=500.\n"
    "--resume DIR continues an interrupted run from its checkpoint.\n";

int cli_train(int argc, char **argv) {
    opts o;
    int rc = parse(argc, argv, &o, "train", train_help);
    if (rc) return rc;
    char out[512], cfg[600];
    if (o.resume) {
        snprintf(cfg, sizeof cfg, "%s/config.yaml", o.out);
        o.file = cfg;
    }
    pinn_problem *p = malloc(sizeof *p);
    if (!p || load(&o, p)) {
        free(p);
        return 1;
    }
    if (o.out) snprintf(out, sizeof out, "%s", o.out);
    else default_out(o.file, out, sizeof out);
    pinn_error err;
    pinn_trainer *t = NULL;
    cli_progress_state ps;
    cli_progress_init(&ps, o.quiet);
    if (pinn_trainer_init(&t, p, &err) != PINN_OK ||
        pinn_trainer_train(t, out, o.resume, cli_progress, &ps, &err) != PINN_OK) {
        fprintf(stderr, "pinnc: %s\n", err.msg);
        pinn_trainer_free(t);
        free(p);
        return 1;
    }
    double rel[PINN_MAX_FIELDS];
    if (pinn_trainer_evaluate(t, rel, &err) == PINN_OK)
        for (int f = 0; f < p->n_fields; f++) printf("%s: relative L2 error %.3e\n", p->fields[f], rel[f]);
    printf("run written to %s\n", out);
    if (!o.quiet) printf("report written to %s/report.html\n", out); /* by the run layer */
    pinn_trainer_free(t);
    free(p);
    return 0;
}

static const char *const eval_help =
    "usage: pinnc eval RUN --points FILE.csv [--what u,u_x,...] [--out OUT.csv]\n"
    "Evaluate the trained model of run directory RUN at the points of FILE.csv (columns named by\n"
    "the problem's coordinates, in any order; other columns are ignored).  --what lists fields,\n"
    "derivatives (u_x, u_tt) or any expression of them (default: every field).  Writes OUT.csv\n"
    "(default: standard output) with the coordinates followed by one column per quantity.\n";

int cli_eval(int argc, char **argv) {
    opts o;
    int rc = parse(argc, argv, &o, "eval", eval_help);
    if (rc) return rc;
    if (!o.points) {
        fprintf(stderr, "pinnc eval: --points FILE.csv is required\n%s", eval_help);
        return 2;
    }
    char cfg[600], ck[600];
    snprintf(cfg, sizeof cfg, "%s/config.yaml", o.file);
    snprintf(ck, sizeof ck, "%s/checkpoint.bin", o.file);
    opts lo = o;
    lo.file = cfg;
    pinn_problem *p = malloc(sizeof *p);
    if (!p || load(&lo, p)) {
        free(p);
        return 1;
    }
    pinn_error err;
    pinn_trainer *t = NULL;
    pinn_csv_table tab;
    pinn_csv_init(&tab);
    int ret = 1;
    char whatbuf[2048];
    const char *what[64];
    int nw = 0;
    if (o.what) {
        snprintf(whatbuf, sizeof whatbuf, "%s", o.what);
        for (char *s = strtok(whatbuf, ","); s && nw < 64; s = strtok(NULL, ",")) what[nw++] = s;
    } else
        for (int f = 0; f < p->n_fields; f++) what[nw++] = p->fields[f];
    if (pinn_trainer_init(&t, p, &err) || pinn_trainer_load_checkpoint(t, ck, &err) || pinn_csv_read(o.points, &tab, &err))
        goto done;
    int d = p->domain.d;
    long col[PINN_MAX_INPUTS];
    for (int i = 0; i < d; i++) {
        col[i] = pinn_csv_column(&tab, p->domain.coord[i]);
        if (col[i] < 0) {
            pinn_error_set(&err, PINN_ERR_INVALID, "%s: no column '%s' (the problem's coordinates are needed)", o.points,
                           p->domain.coord[i]);
            goto done;
        }
    }
    size_t n = tab.nrows;
    pinn_real *x = malloc(sizeof(pinn_real) * (n ? n : 1) * (size_t)d);
    pinn_real *y = malloc(sizeof(pinn_real) * (n ? n : 1) * (size_t)nw);
    double *table = malloc(sizeof(double) * (n ? n : 1) * (size_t)(d + nw));
    if (!x || !y || !table) {
        free(x), free(y), free(table);
        pinn_error_set(&err, PINN_ERR_NOMEM, "out of memory");
        goto done;
    }
    for (size_t r = 0; r < n; r++)
        for (int i = 0; i < d; i++) x[r * d + i] = (pinn_real)tab.data[r * tab.ncols + (size_t)col[i]];
    if (pinn_trainer_predict(t, n, x, nw, what, y, &err) == PINN_OK) {
        const char *names[PINN_MAX_INPUTS + 64];
        for (int i = 0; i < d; i++) names[i] = p->domain.coord[i];
        for (int k = 0; k < nw; k++) names[d + k] = what[k];
        for (size_t r = 0; r < n; r++) {
            for (int i = 0; i < d; i++) table[r * (d + nw) + i] = x[r * d + i];
            for (int k = 0; k < nw; k++) table[r * (d + nw) + d + k] = y[r * nw + k];
        }
        if (o.out) {
            if (pinn_csv_write_atomic(o.out, names, n, (size_t)(d + nw), table, &err) == PINN_OK) ret = 0;
        } else {
            for (int c = 0; c < d + nw; c++) printf("%s%s", c ? "," : "", names[c]);
            printf("\n");
            for (size_t r = 0; r < n; r++)
                for (int c = 0; c < d + nw; c++) printf("%.17g%s", table[r * (d + nw) + c], c + 1 < d + nw ? "," : "\n");
            ret = 0;
        }
    }
    free(x), free(y), free(table);
done:
    if (ret) fprintf(stderr, "pinnc: %s\n", err.msg);
    pinn_csv_free(&tab);
    pinn_trainer_free(t);
    free(p);
    return ret;
}

static const char *const check_help =
    "usage: pinnc check FILE [--set key.path=value]...\n"
    "Validate FILE, then print the resolved problem (every key with its value), the derivative\n"
    "plan of each loss term and the number of trainable parameters.\n";

int cli_check(int argc, char **argv) {
    opts o;
    int rc;
    pinn_problem *p = parse_and_load(argc, argv, &o, "check", check_help, &rc);
    if (!p) return rc;
    pinn_error err;
    pinn_trainer *t = NULL;
    if (pinn_trainer_init(&t, p, &err) != PINN_OK) {
        fprintf(stderr, "pinnc: %s\n", err.msg);
        free(p);
        return 1;
    }
    pinn_problem_print(pinn_trainer_problem(t), stdout); /* resolved: model and phases included */
    printf("# loss terms and their derivative plans\n");
    for (int i = 0; i < pinn_trainer_nterms(t); i++) {
        const char *name;
        size_t pts;
        const pinn_plan *pl;
        pinn_trainer_term(t, i, &name, &pts, &pl);
        printf("#   %-16s %7zu points, %d streams:", name, pts, pinn_plan_size(pl));
        for (int s = 0; s < pinn_plan_size(pl); s++) {
            const int *a = pinn_plan_alpha(pl, s);
            printf(" %s", s == 0 ? "value" : "d");
            if (s)
                for (int c = 0; c < p->domain.d; c++)
                    for (int k = 0; k < a[c]; k++) printf("%s", p->domain.coord[c]);
        }
        printf("\n");
    }
    printf("# trainable parameters: %zu\n", pinn_trainer_nparams(t));
    pinn_trainer_free(t);
    free(p);
    return 0;
}

static const char *const reference_help =
    "usage: pinnc reference FILE [--set key.path=value]... [--out DIR]\n"
    "Run only the reference solver of FILE on the evaluation grid; writes DIR/grid.npy and\n"
    "DIR/reference.npy (default DIR: runs/<name>-reference).\n";

int cli_reference(int argc, char **argv) {
    opts o;
    int rc;
    pinn_problem *p = parse_and_load(argc, argv, &o, "reference", reference_help, &rc);
    if (!p) return rc;
    char out[512];
    if (o.out) snprintf(out, sizeof out, "%s", o.out);
    else {
        default_out(o.file, out, sizeof out);
        strncat(out, "-reference", sizeof out - strlen(out) - 1);
    }
    pinn_error err;
    pinn_trainer *t = NULL;
    int ret = 0;
    if (pinn_trainer_init(&t, p, &err) != PINN_OK || pinn_trainer_write_reference(t, out, &err) != PINN_OK) {
        fprintf(stderr, "pinnc: %s\n", err.msg);
        ret = 1;
    } else
        printf("reference written to %s\n", out);
    pinn_trainer_free(t);
    free(p);
    return ret;
}

static const char *const report_help =
    "usage: pinnc report RUN [--quiet]\n"
    "Rebuild RUN/report.html (one self-contained page: the problem, settings, results, timing and\n"
    "the figures), the figures under RUN/figures/ (.svg, and .png when built with cairo) and the\n"
    "VTK files for ParaView (RUN/fields.vti, or RUN/fields.pvd with RUN/vtk/*.vti for a time series)\n"
    "from the files of the run directory.\n";

/* Writes the report and the VTK files of a run directory; 0 on success (VTK is skipped quietly
 * for grids it cannot represent). */
int cli_write_report(const char *dir, int quiet) {
    pinn_error err;
    if (pinn_report_write(dir, &err) != PINN_OK) {
        fprintf(stderr, "pinnc: report: %s\n", err.msg);
        return 1;
    }
    pinn_status st = pinn_report_vtk(dir, &err);
    if (st != PINN_OK && st != PINN_ERR_UNSUPPORTED) {
        fprintf(stderr, "pinnc: vtk: %s\n", err.msg);
        return 1;
    }
    if (!quiet) printf("report written to %s/report.html\n", dir);
    return 0;
}

int cli_report(int argc, char **argv) {
    opts o;
    int rc = parse(argc, argv, &o, "report", report_help);
    return rc ? rc : cli_write_report(o.file, o.quiet);
}

static const char *const compare_help =
    "usage: pinnc compare RUN... [--out DIR]\n"
    "Print a table of the runs' errors, epochs, parameter counts and times, and write DIR/compare.html\n"
    "with the table and the loss and error curves overlaid (DIR/compare_loss.svg, compare_error.svg,\n"
    "and .png when built with cairo; default DIR: runs/compare).\n";

int cli_compare(int argc, char **argv) {
    const char *runs[32], *out = "runs/compare";
    int n = 0;
    for (int i = 1; i < argc; i++) {
        if (is_help(argv[i])) {
            fputs(compare_help, stdout);
            return 0;
        } else if (!strcmp(argv[i], "--out") && i + 1 < argc) out = argv[++i];
        else if (argv[i][0] == '-') {
            fprintf(stderr, "pinnc compare: unknown option '%s'\n%s", argv[i], compare_help);
            return 2;
        } else if (n < 32) runs[n++] = argv[i];
    }
    if (!n) {
        fprintf(stderr, "pinnc compare: missing RUN\n%s", compare_help);
        return 2;
    }
    pinn_error err;
    char *table = NULL;
    if (pinn_report_compare(n, runs, out, &table, &err) != PINN_OK) {
        fprintf(stderr, "pinnc: compare: %s\n", err.msg);
        return 1;
    }
    fputs(table, stdout);
    printf("comparison written to %s/compare.html\n", out);
    free(table);
    return 0;
}
