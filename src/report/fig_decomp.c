/* fig_decomp.c - the decomposition figures of an FBPINN run, from the model's diagnostics arrays
 * (src/model/fbpinn.c): fbpinn_boxes.npy, [J][2 + 2d] rows (level, state, centre..., half-width...),
 * drawn as the subdomain boxes over the domain (first two coordinates; in 1-D as one bar per
 * subdomain), one colour per level; and fbpinn_schedule.npy, [stages][J] states of a sweep, drawn
 * as a heatmap of the active set over the stages. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "io/files.h"
#include "report/figures.h"

static pinn_status nomem(pinn_error *err) { return pinn_error_set(err, PINN_ERR_NOMEM, "out of memory"); }

/* Reads dir/name into a 2-D array; 0 with *data NULL when the file is missing. */
static pinn_status read2(const rp_run *r, const char *name, size_t *shape, double **data, pinn_error *err) {
    char path[1024];
    struct stat sb;
    *data = NULL;
    snprintf(path, sizeof path, "%.900s/%s", r->dir, name);
    if (stat(path, &sb)) return PINN_OK;
    int nd = 0;
    size_t sh[8] = {0};
    pinn_status st = pinn_npy_read(path, &nd, sh, data, err);
    if (st) return st;
    if (nd != 2 || !sh[0] || !sh[1]) {
        free(*data), *data = NULL;
        return pinn_error_set(err, PINN_ERR_PARSE, "%s: expected a 2-D array, got %d dimensions", path, nd);
    }
    shape[0] = sh[0], shape[1] = sh[1];
    return PINN_OK;
}

/* The boxes: one series per level (outlines, or 1-D bars), NaN between boxes. */
static pinn_status boxes_figure(const rp_run *r, const double *a, size_t J, int d, rp_figset *fs, pinn_error *err) {
    int cols = 2 + 2 * d, levels = 0;
    for (size_t j = 0; j < J; j++) levels = (int)fmax(levels, a[j * (size_t)cols] + 1);
    if (levels < 1 || levels > PLOT_MAX_SERIES) return PINN_OK;
    rp_fig *g = rp_figset_add(fs, "decomposition", 1);
    if (!g) return nomem(err);
    size_t row = 0; /* 1-D: bars stacked by subdomain */
    for (int l = 0; l < levels; l++) {
        size_t cnt = 0;
        for (size_t j = 0; j < J; j++) cnt += (int)a[j * (size_t)cols] == l;
        size_t per = d >= 2 ? 6 : 3, n = cnt * per;
        double *x = rp_fig_own(g, n), *y = rp_fig_own(g, n);
        if (!x || !y) return nomem(err);
        size_t k = 0;
        for (size_t j = 0; j < J; j++) {
            const double *b = a + j * (size_t)cols;
            if ((int)b[0] != l) continue;
            const double *c = b + 2, *h = b + 2 + d;
            if (d >= 2) {
                static const int sx[5] = {-1, 1, 1, -1, -1}, sy[5] = {-1, -1, 1, 1, -1};
                for (int q = 0; q < 5; q++, k++) x[k] = c[0] + sx[q] * h[0], y[k] = c[1] + sy[q] * h[1];
            } else {
                x[k] = c[0] - h[0], y[k++] = (double)row;
                x[k] = c[0] + h[0], y[k++] = (double)row++;
            }
            x[k] = y[k] = NAN, k++;
        }
        plot_series *s = &g->fig.series[g->fig.n_series++];
        s->x = x, s->y = y, s->n = n, s->color = l, s->width = levels > 1 ? 1.2 + 0.6 * (levels - 1 - l) : 1.2;
        snprintf(s->label, sizeof s->label, "level %d (%zu)", l, cnt);
    }
    snprintf(g->fig.title, sizeof g->fig.title, "Decomposition: %zu subdomains, %d level%s", J, levels, levels > 1 ? "s" : "");
    snprintf(g->fig.xlabel, sizeof g->fig.xlabel, "%s", r->d > 0 ? r->coord[0] : "x");
    snprintf(g->fig.ylabel, sizeof g->fig.ylabel, "%s", d >= 2 && r->d > 1 ? r->coord[1] : "subdomain");
    g->fig.legend_inside = 0;
    snprintf(g->caption, sizeof g->caption,
             "Supports of the %zu subdomains (%s), one colour per level; neighbouring supports overlap.", J,
             d >= 2 ? "boxes over the first two coordinates" : "one bar per subdomain, stacked");
    return PINN_OK;
}

/* The sweep's schedule: states of the first level's subdomains at each stage. */
static pinn_status schedule_figure(const double *q, const size_t *shape, rp_figset *fs, pinn_error *err) {
    rp_fig *g = rp_figset_add(fs, "schedule", 1);
    double *v = g ? rp_fig_own(g, shape[0] * shape[1]) : NULL;
    if (!v) return nomem(err);
    memcpy(v, q, sizeof(double) * shape[0] * shape[1]);
    g->heat.v = v, g->heat.nx = shape[1], g->heat.ny = shape[0];
    g->heat.x0 = 0, g->heat.x1 = (double)shape[1] - 1, g->heat.y0 = 0, g->heat.y1 = (double)shape[0] - 1;
    g->heat.cmap = PLOT_CMAP_VIRIDIS, g->heat.vmin = 0, g->heat.vmax = 2;
    snprintf(g->heat.cbar_label, sizeof g->heat.cbar_label, "0 active, 1 fixed, 2 inactive");
    g->fig.heat = &g->heat;
    snprintf(g->fig.title, sizeof g->fig.title, "Time scheduling: the active set at each of %zu stages", shape[0]);
    snprintf(g->fig.xlabel, sizeof g->fig.xlabel, "subdomain");
    snprintf(g->fig.ylabel, sizeof g->fig.ylabel, "stage");
    snprintf(g->caption, sizeof g->caption, "State of each subdomain (columns) during each stage of the sweep (rows).");
    return PINN_OK;
}

pinn_status rp_decomposition_figures(const rp_run *r, rp_figset *fs, pinn_error *err) {
    size_t sh[2];
    double *a;
    pinn_status st = read2(r, "fbpinn_boxes.npy", sh, &a, err);
    if (st || !a) return st;
    int d = (int)(sh[1] - 2) / 2;
    if (sh[1] < 4 || (sh[1] - 2) % 2 || d > PINN_MAX_INPUTS) st = pinn_error_set(err, PINN_ERR_PARSE, "%s/fbpinn_boxes.npy: %zu columns, expected 2 + 2d", r->dir, sh[1]);
    if (!st) st = boxes_figure(r, a, sh[0], d, fs, err);
    free(a);
    if (st) return st;
    if ((st = read2(r, "fbpinn_schedule.npy", sh, &a, err)) || !a) return st;
    st = schedule_figure(a, sh, fs, err);
    free(a);
    return st;
}
