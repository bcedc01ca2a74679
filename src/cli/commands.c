/* commands.c - the pinnc subcommands: option parsing, loading, and what each prints. */
#include <errno.h>
#include <signal.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "io/files.h"
#include "problem/csv.h"

/* Paths the CLI builds file names from (DIR/config.yaml, ...) must fit this; longer ones are an
 * error, never silently cut. */
#define CLI_PATH_MAX 480

typedef struct opts {
    const char *file, *out, *points, *what, *from;
    const char **sets; /* argc entries: every --set, --seed and --threads becomes one */
    int n_sets, resume, quiet, force, best;
    char *seed_set, *threads_set, *gemm_set; /* "train.seed=N" / "train.threads=N" / "train.gemm=K" (the last option wins) */
    int seed_at, threads_at, gemm_at;        /* their index in sets, -1 when absent */
} opts;

static void opts_free(opts *o) {
    free(o->sets);
    free(o->seed_set);
    free(o->threads_set);
    free(o->gemm_set);
    o->sets = NULL, o->seed_set = o->threads_set = o->gemm_set = NULL;
}

/* Replaces *slot with "prefix" + v and records it in sets (once; a later option overrides). */
static int set_option(opts *o, char **slot, int *at, const char *prefix, const char *v) {
    char *s = malloc(strlen(prefix) + strlen(v) + 1);
    if (!s) return -1;
    strcpy(s, prefix);
    strcat(s, v);
    free(*slot);
    *slot = s;
    if (*at < 0) *at = o->n_sets++;
    o->sets[*at] = s;
    return 0;
}

/* 0 when path fits CLI_PATH_MAX, else prints the error and returns 1. */
static int path_ok(const char *cmd, const char *what, const char *path) {
    if (strlen(path) <= CLI_PATH_MAX) return 0;
    fprintf(stderr, "pinnc %s: %s: the path is longer than %d bytes: %.60s...\n", cmd, what, CLI_PATH_MAX, path);
    return 1;
}

static int is_help(const char *a) { return !strcmp(a, "--help") || !strcmp(a, "-h"); }

/* Parses common options; returns 0 on success, 2 on a usage error (message printed).  o owns
 * memory afterwards either way (opts_free). */
static int parse(int argc, char **argv, opts *o, const char *cmd, const char *help) {
    memset(o, 0, sizeof *o);
    o->seed_at = o->threads_at = o->gemm_at = -1;
    o->sets = calloc((size_t)argc + 1, sizeof *o->sets);
    if (!o->sets) {
        fprintf(stderr, "pinnc %s: out of memory\n", cmd);
        return 2;
    }
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (is_help(a)) {
            fputs(help, stdout);
            exit(0);
        } else if (!strcmp(a, "--set") && v) {
            o->sets[o->n_sets++] = v, i++;
        } else if (!strcmp(a, "--force")) o->force = 1;
        else if (!strcmp(a, "--out") && v) o->out = v, i++;
        else if (!strcmp(a, "--points") && v) o->points = v, i++;
        else if (!strcmp(a, "--what") && v) o->what = v, i++;
        else if (!strcmp(a, "--resume") && v) o->out = v, o->resume = 1, i++;
        else if (!strcmp(a, "--from") && v) o->from = v, i++;
        else if (!strcmp(a, "--quiet") || !strcmp(a, "-q")) o->quiet = 1;
        else if (!strcmp(a, "--best")) o->best = 1;
        else if ((!strcmp(a, "--seed") || !strcmp(a, "--threads") || !strcmp(a, "--gemm")) && v) {
            int seed = !strcmp(a, "--seed"), gemm = !strcmp(a, "--gemm");
            if (set_option(o, seed ? &o->seed_set : gemm ? &o->gemm_set : &o->threads_set,
                           seed ? &o->seed_at : gemm ? &o->gemm_at : &o->threads_at,
                           seed ? "train.seed=" : gemm ? "train.gemm=" : "train.threads=", v)) {
                fprintf(stderr, "pinnc %s: out of memory\n", cmd);
                return 2;
            }
            i++;
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
    if ((o->out && path_ok(cmd, "--out", o->out)) || (o->file && path_ok(cmd, "FILE", o->file))) return 2;
    return 0;
}

/* 1 when dir exists and holds anything. */
static int dir_in_use(const char *dir) {
    struct stat sb;
    if (stat(dir, &sb) != 0) return 0;
    if (!S_ISDIR(sb.st_mode)) return 1;
    DIR *dp = opendir(dir);
    if (!dp) return 1;
    int used = 0;
    for (struct dirent *de; !used && (de = readdir(dp));) used = strcmp(de->d_name, ".") && strcmp(de->d_name, "..");
    closedir(dp);
    return used;
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
    if ((*rc = parse(argc, argv, o, cmd, help))) {
        opts_free(o);
        return NULL;
    }
    pinn_problem *p = malloc(sizeof *p);
    if (!p || load(o, p)) {
        free(p);
        opts_free(o);
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
    "usage: pinnc train FILE [--set key.path=value]... [--out DIR] [--force] [--seed N] [--threads N]\n"
    "                  [--gemm auto|library|small|plan] [--from RUN] [--quiet]\n"
    "       pinnc train --resume DIR [--force] [--quiet]\n"
    "Train on the problem in FILE and write DIR (default runs/<name>): config.yaml, history.csv,\n"
    "summary.json, checkpoint.bin, grid.npy, solution.npy, reference.npy, error.npy.\n"
    "--set overrides any key of the problem file (value in YAML syntax), e.g. --set train.epochs=500.\n"
    "--resume DIR continues an interrupted run from its checkpoint.\n"
    "--gemm chooses the matrix-product kernel (train.gemm); plan times both per shape once and caches\n"
    "the choice per machine (PINN_GEMM and PINN_GEMM_CACHE in the environment do the same).\n"
    "--from RUN starts from the parameters of run directory RUN wherever a parameter slice has the\n"
    "same name and size (e.g. FILE = RUN's config.yaml with new phases: a pruned mixture of experts\n"
    "goes on with its surviving experts only); optimizer state and counters start afresh.\n"
    "A fresh run refuses an --out DIR that already holds files unless --force is given.\n";

volatile int cli_stop_requested;

static void on_signal(int sig) {
    (void)sig;
    cli_stop_requested = 1;
}

/* The first SIGINT or SIGTERM asks the run to stop cleanly; a second one ends the process. */
static void cli_catch_signals(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sa.sa_flags = SA_RESETHAND;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

/* --from RUN: the parameters of RUN's checkpoint, by slice name, into t. */
static pinn_status warm_start(pinn_trainer *t, const char *run, pinn_error *err) {
    char cfg[CLI_PATH_MAX + 32], ck[CLI_PATH_MAX + 32];
    snprintf(cfg, sizeof cfg, "%s/config.yaml", run);
    snprintf(ck, sizeof ck, "%s/checkpoint.bin", run);
    pinn_problem *p = malloc(sizeof *p);
    pinn_trainer *src = NULL;
    if (!p) return pinn_error_set(err, PINN_ERR_NOMEM, "out of memory");
    int copied = 0;
    pinn_status st = pinn_problem_load(p, cfg, 0, NULL, err);
    if (!st) st = pinn_trainer_init(&src, p, err);
    if (!st) st = pinn_trainer_load_checkpoint(src, ck, err);
    if (!st) st = pinn_trainer_copy_params(t, src, &copied, err);
    if (!st) printf("--from %s: %d parameter slices copied\n", run, copied);
    if (st) {
        char m[sizeof err->msg];
        snprintf(m, sizeof m, "%s", err->msg);
        pinn_error_set(err, st, "--from %.200s: %s", run, m);
    }
    pinn_trainer_free(src);
    free(p);
    return st;
}

int cli_train(int argc, char **argv) {
    opts o;
    int rc = parse(argc, argv, &o, "train", train_help);
    if (rc) {
        opts_free(&o);
        return rc;
    }
    char out[CLI_PATH_MAX + 1], cfg[CLI_PATH_MAX + 32];
    if (o.resume) {
        snprintf(cfg, sizeof cfg, "%s/config.yaml", o.out);
        o.file = cfg;
    }
    if (o.out) snprintf(out, sizeof out, "%s", o.out);
    else default_out(o.file, out, sizeof out);
    int rank = cli_mpi_rank();
    if (rank) o.quiet = 1;
    if (!o.resume && !o.force && !rank && dir_in_use(out)) {
        fprintf(stderr,
                "pinnc train: %s already exists and is not empty (a previous run?); use --force to overwrite it or "
                "--resume %s to continue it\n",
                out, out);
        opts_free(&o);
        return 1;
    }
    pinn_problem *p = malloc(sizeof *p);
    if (!p || load(&o, p)) {
        free(p);
        opts_free(&o);
        return 1;
    }
    pinn_error err;
    pinn_trainer *t = NULL;
    cli_progress_state ps;
    cli_progress_init(&ps, o.quiet);
    /* SIGINT/SIGTERM: the run writes a checkpoint after the current step and stops */
    /* under MPI every rank trains the same run on its share of the point blocks; rank 0 writes */
    pinn_run_opts ro = {o.resume, o.force, &cli_stop_requested, rank != 0};
    cli_catch_signals();
    pinn_ctx *ctx = NULL;
    pinn_status st = o.from && o.resume ? pinn_error_set(&err, PINN_ERR_INVALID, "--from and --resume exclude each other") : PINN_OK;
    if (!st && (cli_mpi_size() > 1 || cli_petsc_built())) {
        pinn_gemm_kind gk;
        if (!(st = pinn_ctx_init(&ctx, p->train.threads, &err)) && p->train.gemm[0] &&
            !(st = pinn_gemm_kind_from_string(p->train.gemm, &gk, &err)))
            pinn_ctx_set_gemm(ctx, gk);
        if (!st) st = cli_mpi_setup(ctx, &err);
        if (!st) st = cli_petsc_setup(ctx, &err); /* solver: petsc_lsqr, petsc_cgls */
    }
    if (!st) st = pinn_trainer_init_ctx(&t, ctx, p, &err);
    if (!st && o.from) st = warm_start(t, o.from, &err);
    if (!st) st = pinn_trainer_train_opts(t, out, &ro, cli_progress, &ps, &err);
    if (st) {
        if (!o.quiet && ps.tty) fputc('\n', stderr);
        fprintf(stderr, "pinnc: %s%s\n", rank ? "rank > 0: " : "", err.msg);
        pinn_trainer_free(t);
        pinn_ctx_free(ctx);
        free(p);
        opts_free(&o);
        return st == PINN_ERR_INTERRUPTED ? 130 : 1;
    }
    double rel[PINN_MAX_FIELDS];
    if (!rank && pinn_trainer_evaluate(t, rel, &err) == PINN_OK)
        for (int f = 0; f < p->n_fields; f++) printf("%s: relative L2 error %.3e\n", p->fields[f], rel[f]);
    if (!rank) printf("run written to %s%s\n", out, cli_mpi_size() > 1 ? " (data-parallel over MPI ranks)" : "");
    if (!o.quiet) printf("report written to %s/report.html\n", out); /* by the run layer */
    pinn_trainer_free(t);
    pinn_ctx_free(ctx);
    free(p);
    opts_free(&o);
    return 0;
}

static const char *const eval_help =
    "usage: pinnc eval RUN --points FILE.csv [--what u,u_x,...] [--out OUT.csv] [--best]\n"
    "Evaluate the trained model of run directory RUN at the points of FILE.csv (columns named by\n"
    "the problem's coordinates, in any order; other columns are ignored).  --what lists fields,\n"
    "derivatives (u_x, u_tt) or any expression of them (default: every field).  Writes OUT.csv\n"
    "(default: standard output) with the coordinates followed by one column per quantity.\n"
    "--best uses the run's best parameters (best.bin: the best evaluation, else the lowest loss).\n";

/* Warns (stderr) about points outside the domain's coordinate ranges: how many, and the first. */
static void warn_outside(const pinn_problem *p, const char *file, size_t n, const pinn_real *x) {
    const pinn_domain *dm = &p->domain;
    size_t bad = 0, first = 0;
    int fc = 0;
    for (size_t r = 0; r < n; r++)
        for (int i = 0; i < dm->d; i++) {
            double v = (double)x[r * (size_t)dm->d + (size_t)i], tol = 1e-9 * (dm->hi[i] - dm->lo[i]);
            if (v < dm->lo[i] - tol || v > dm->hi[i] + tol) {
                if (!bad++) first = r, fc = i;
                break;
            }
        }
    if (bad)
        fprintf(stderr,
                "pinnc eval: warning: %s: %zu of %zu points lie outside the domain (first: data row %zu, %s = %g outside "
                "[%g, %g]); the network only extrapolates there\n",
                file, bad, n, first + 1, dm->coord[fc], (double)x[first * (size_t)dm->d + (size_t)fc], dm->lo[fc], dm->hi[fc]);
}

int cli_eval(int argc, char **argv) {
    opts o;
    int rc = parse(argc, argv, &o, "eval", eval_help);
    if (!rc && !o.points) {
        fprintf(stderr, "pinnc eval: --points FILE.csv is required\n%s", eval_help);
        rc = 2;
    }
    if (rc) {
        opts_free(&o);
        return rc;
    }
    char cfg[CLI_PATH_MAX + 32], ck[CLI_PATH_MAX + 32];
    snprintf(cfg, sizeof cfg, "%s/config.yaml", o.file);
    snprintf(ck, sizeof ck, "%s/%s", o.file, o.best ? "best.bin" : "checkpoint.bin");
    opts lo = o;
    lo.file = cfg;
    pinn_problem *p = malloc(sizeof *p);
    if (!p || load(&lo, p)) {
        free(p);
        opts_free(&o);
        return 1;
    }
    pinn_error err;
    pinn_trainer *t = NULL;
    pinn_csv_table tab;
    pinn_csv_init(&tab);
    int ret = 1;
    /* --what: any number of comma-separated quantities */
    size_t nwmax = 1;
    for (const char *c = o.what; c && *c; c++) nwmax += *c == ',';
    if (nwmax < (size_t)p->n_fields) nwmax = (size_t)p->n_fields;
    char *whatbuf = o.what ? strdup(o.what) : NULL;
    const char **what = malloc(sizeof *what * nwmax);
    const char **names = malloc(sizeof *names * (nwmax + PINN_MAX_INPUTS));
    int nw = 0;
    if (!what || !names || (o.what && !whatbuf)) {
        pinn_error_set(&err, PINN_ERR_NOMEM, "out of memory for --what");
        goto done;
    }
    if (o.what) {
        for (char *s = strtok(whatbuf, ","); s; s = strtok(NULL, ",")) what[nw++] = s;
        if (!nw) {
            pinn_error_set(&err, PINN_ERR_INVALID, "--what '%.60s' names no quantity", o.what);
            goto done;
        }
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
        pinn_error_set(&err, PINN_ERR_NOMEM, "%s: out of memory for %zu points and %d quantities", o.points, n, nw);
        goto done;
    }
    for (size_t r = 0; r < n; r++)
        for (int i = 0; i < d; i++) x[r * d + i] = (pinn_real)tab.data[r * tab.ncols + (size_t)col[i]];
    warn_outside(p, o.points, n, x); /* NaN and inf were refused by the CSV reader */
    if (pinn_trainer_predict(t, n, x, nw, what, y, &err) == PINN_OK) {
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
    free(whatbuf), free(what), free(names);
    opts_free(&o);
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
        opts_free(&o);
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
    printf("# memory for training: about %.1f MB\n", (double)pinn_trainer_memory_bytes(t) / 1048576.0);
    pinn_trainer_free(t);
    free(p);
    opts_free(&o);
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
    char out[CLI_PATH_MAX + 16];
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
    opts_free(&o);
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
