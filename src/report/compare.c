/* compare.c - `pinnc compare RUN...`: a table of errors, times and parameter counts of several
 * runs, and their loss and error curves overlaid (pinn_report_compare). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/files.h"
#include "pinnc/report.h"
#include "report/figures.h"

#define MAX_RUNS 32

static const char *base(const char *p) {
    size_t n = strlen(p);
    while (n > 1 && p[n - 1] == '/') n--;
    const char *b = p + n;
    while (b > p && b[-1] != '/') b--;
    return b;
}

/* Label of run i: the directory name (without trailing slashes). */
static void label(const char *dir, char *out, size_t n) {
    const char *b = base(dir);
    size_t l = strcspn(b, "/");
    snprintf(out, n, "%.*s", (int)l, b);
}

static void cell(char *buf, size_t n, double v, const char *fmt) {
    if (isfinite(v)) snprintf(buf, n, fmt, v);
    else snprintf(buf, n, "-");
}

/* One overlaid figure: column `col` (or the first column with prefix when col ends in '_') of
 * every run's history. */
static void overlay(rp_fig *g, rp_run *runs, int n, const char *col, int *oom) {
    for (int i = 0; i < n && g->fig.n_series < PLOT_MAX_SERIES; i++) {
        const rp_history *h = &runs[i].hist;
        long ce = rp_hist_col(h, "epoch"), cy = rp_hist_col(h, col);
        if (cy < 0 && col[strlen(col) - 1] == '_')
            for (size_t c = 0; c < h->ncols && cy < 0; c++)
                if (!strncmp(h->names[c], col, strlen(col))) cy = (long)c;
        if (ce < 0 || cy < 0) continue;
        double *x = rp_fig_column(g, h, ce), *y = rp_fig_column(g, h, cy);
        if (!x || !y) {
            *oom = 1;
            return;
        }
        int finite = 0;
        for (size_t r = 0; r < h->nrows; r++) finite += isfinite(y[r]) != 0;
        if (!finite) continue;
        plot_series *s = &g->fig.series[g->fig.n_series++];
        s->x = x, s->y = y, s->n = h->nrows, s->color = i, s->markers = finite < 30;
        label(runs[i].dir, s->label, sizeof s->label);
    }
}

pinn_status pinn_report_compare(int n_runs, const char *const *run_dirs, const char *out_dir, char **table, pinn_error *err) {
    *table = NULL;
    if (n_runs < 1 || n_runs > MAX_RUNS) return pinn_error_set(err, PINN_ERR_INVALID, "compare: 1 to %d runs", MAX_RUNS);
    rp_run *runs = calloc((size_t)n_runs, sizeof *runs);
    if (!runs) return pinn_error_set(err, PINN_ERR_NOMEM, "out of memory");
    pinn_status st = PINN_OK;
    int loaded = 0;
    for (; loaded < n_runs && !st; loaded++) st = rp_run_load(&runs[loaded], run_dirs[loaded], err);
    if (st) loaded--;
    rp_buf t, h;
    rp_buf_init(&t), rp_buf_init(&h);
    rp_figset fs = {0};
    if (st) goto done;
    /* the table, as aligned text and as HTML */
    static const char *const head[9] = {"run", "title", "epochs", "L-BFGS", "params", "rel. L2 error", "final loss", "wall s", "ms/epoch"};
    char cells[MAX_RUNS + 1][9][160];
    for (int c = 0; c < 9; c++) snprintf(cells[0][c], 160, "%s", head[c]);
    for (int i = 0; i < n_runs; i++) {
        const rp_json *j = &runs[i].summary;
        char(*row)[160] = cells[i + 1];
        label(run_dirs[i], row[0], 160);
        snprintf(row[1], 160, "%.60s", runs[i].title);
        cell(row[2], 160, rp_json_num(j, 0, "epochs"), "%.0f");
        cell(row[3], 160, rp_json_num(j, 0, "lbfgs_iterations"), "%.0f");
        cell(row[4], 160, rp_json_num(j, 0, "params"), "%.0f");
        row[5][0] = '\0';
        int rel = rp_json_get(j, 0, "rel_l2");
        size_t off = 0;
        for (int c = rel >= 0 ? j->nodes[rel].first : -1; c >= 0 && off < 120; c = j->nodes[c].next) {
            char v[32];
            cell(v, sizeof v, j->nodes[c].num, "%.3e");
            off += (size_t)snprintf(row[5] + off, 160 - off, "%s%s %s", off ? ", " : "", j->nodes[c].key, v);
        }
        if (!off) snprintf(row[5], 160, "-");
        cell(row[6], 160, rp_json_num(j, 0, "final_loss"), "%.3e");
        cell(row[7], 160, rp_json_num(j, 0, "wall_s"), "%.1f");
        cell(row[8], 160, rp_json_num(j, rp_json_get(j, 0, "timing"), "adam_ms_per_epoch"), "%.2f");
    }
    int width[9] = {0};
    for (int i = 0; i <= n_runs; i++)
        for (int c = 0; c < 9; c++) {
            int w = (int)strlen(cells[i][c]);
            width[c] = w > width[c] ? w : width[c];
        }
    for (int i = 0; i <= n_runs; i++) {
        for (int c = 0; c < 9; c++) rp_buf_printf(&t, c >= 2 ? "%*s%s" : "%-*s%s", width[c], cells[i][c], c < 8 ? "  " : "\n");
    }
    rp_buf_puts(&h, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>pinnc compare</title>\n"
                    "<style>body{font-family:'DejaVu Sans',Arial,sans-serif;margin:1em 2em;color:#222}table{border-collapse:collapse}"
                    "th,td{border:1px solid #ddd;padding:.25em .6em}th{background:#f4f4f4}td.n{text-align:right}"
                    "figure{display:inline-block;margin:.5em;border:1px solid #e2e2e2;padding:.4em}img{max-width:100%;height:auto}</style>"
                    "</head><body>\n<h1>Comparison of runs</h1>\n<table>\n");
    for (int i = 0; i <= n_runs; i++) {
        rp_buf_puts(&h, "<tr>");
        for (int c = 0; c < 9; c++) {
            rp_buf_puts(&h, i == 0 ? "<th>" : c >= 2 ? "<td class=\"n\">" : "<td>");
            if (i > 0 && c == 0) {
                rp_buf_puts(&h, "<a href=\"");
                rp_buf_xml(&h, run_dirs[i - 1]);
                rp_buf_puts(&h, "/report.html\">");
            }
            rp_buf_xml(&h, cells[i][c]);
            rp_buf_puts(&h, i == 0 ? "</th>" : c == 0 ? "</a></td>" : "</td>");
        }
        rp_buf_puts(&h, "</tr>\n");
    }
    rp_buf_puts(&h, "</table>\n");
    /* overlaid curves */
    if ((st = pinn_mkdir_p(out_dir, err))) goto done;
    static const struct {
        const char *name, *col, *title, *ylabel;
    } kinds[2] = {{"compare_loss", "loss", "Training loss (weighted total)", "loss"},
                  {"compare_error", "rel_l2_", "Relative L2 error (first field)", "relative L2 error"}};
    for (int k = 0; k < 2; k++) {
        rp_fig *g = rp_figset_add(&fs, kinds[k].name, 0);
        if (!g) {
            st = pinn_error_set(err, PINN_ERR_NOMEM, "out of memory");
            goto done;
        }
        int oom = 0;
        overlay(g, runs, n_runs, kinds[k].col, &oom);
        if (oom) {
            st = pinn_error_set(err, PINN_ERR_NOMEM, "out of memory");
            goto done;
        }
        if (!g->fig.n_series) continue;
        g->fig.logy = 1;
        snprintf(g->fig.title, sizeof g->fig.title, "%s", kinds[k].title);
        snprintf(g->fig.xlabel, sizeof g->fig.xlabel, "epoch");
        snprintf(g->fig.ylabel, sizeof g->fig.ylabel, "%s", kinds[k].ylabel);
        rp_buf svg, png;
        rp_buf_init(&svg), rp_buf_init(&png);
        char path[1400];
        snprintf(path, sizeof path, "%s/%s.svg", out_dir, g->name);
        if (!(st = plot_svg(&g->fig, &svg, err))) st = pinn_file_write_atomic(path, svg.data, svg.len, err);
        pinn_error e;
        if (!st && plot_cairo_png(&g->fig, 2.0, &png, &e) == PINN_OK) {
            snprintf(path, sizeof path, "%s/%s.png", out_dir, g->name);
            st = pinn_file_write_atomic(path, png.data, png.len, err);
        }
        if (!st) {
            rp_buf_puts(&h, "<figure><img alt=\"");
            rp_buf_xml(&h, g->fig.title);
            rp_buf_puts(&h, "\" src=\"data:image/svg+xml;base64,");
            rp_buf_base64(&h, svg.data, svg.len);
            rp_buf_puts(&h, "\"></figure>\n");
        }
        rp_buf_free(&svg), rp_buf_free(&png);
        if (st) goto done;
    }
    rp_buf_puts(&h, "</body></html>\n");
    char path[1400];
    snprintf(path, sizeof path, "%s/compare.html", out_dir);
    if (t.oom || h.oom) st = pinn_error_set(err, PINN_ERR_NOMEM, "out of memory");
    else st = pinn_file_write_atomic(path, h.data, h.len, err);
    if (!st) {
        *table = t.data;
        t.data = NULL;
    }
done:
    rp_figures_free(&fs);
    rp_buf_free(&t), rp_buf_free(&h);
    for (int i = 0; i < loaded; i++) rp_run_free(&runs[i]);
    free(runs);
    return st;
}
