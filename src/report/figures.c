/* figures.c - the figures of a run (figures.h). */
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "problem/csv.h"
#include "report/figures.h"

rp_fig *rp_figset_add(rp_figset *fs, const char *name, int group) {
    if (fs->n == fs->cap) {
        int cap = fs->cap ? 2 * fs->cap : 16;
        rp_fig **nf = realloc(fs->f, sizeof *nf * (size_t)cap);
        if (!nf) return NULL;
        fs->f = nf, fs->cap = cap;
    }
    rp_fig *g = calloc(1, sizeof *g);
    if (!g) return NULL;
    snprintf(g->name, sizeof g->name, "%s", name);
    g->group = group;
    fs->f[fs->n++] = g;
    return g;
}

void rp_figures_free(rp_figset *fs) {
    for (int i = 0; i < fs->n; i++) {
        for (int k = 0; k < fs->f[i]->n_own; k++) free(fs->f[i]->own[k]);
        free(fs->f[i]);
    }
    free(fs->f);
    memset(fs, 0, sizeof *fs);
}

/* Take ownership of a malloc'ed array of n doubles; NULL (and the array freed) when full. */
static double *own(rp_fig *g, size_t n) {
    if (g->n_own >= (int)(sizeof g->own / sizeof g->own[0])) return NULL;
    double *a = malloc(sizeof(double) * (n ? n : 1));
    if (a) g->own[g->n_own++] = a;
    return a;
}

double *rp_fig_own(rp_fig *g, size_t n) { return own(g, n); }

double *rp_fig_column(rp_fig *g, const rp_history *h, long c) {
    double *a = own(g, h->nrows);
    if (a)
        for (size_t r = 0; r < h->nrows; r++) a[r] = c >= 0 ? h->data[r * h->ncols + (size_t)c] : NAN;
    return a;
}

static pinn_status nomem(pinn_error *err) { return pinn_error_set(err, PINN_ERR_NOMEM, "out of memory"); }

/* One series per history column whose name starts with prefix; returns the number added. */
static int prefix_series(rp_fig *g, const rp_history *h, const double *x, const char *prefix, int need_varying, int *oom) {
    int added = 0;
    size_t pl = strlen(prefix);
    for (size_t c = 0; c < h->ncols && g->fig.n_series < PLOT_MAX_SERIES; c++) {
        if (strncmp(h->names[c], prefix, pl) || !h->names[c][pl]) continue;
        double *y = rp_fig_column(g, h, (long)c);
        if (!y) {
            *oom = 1;
            return added;
        }
        int finite = 0, varying = 0;
        for (size_t r = 0; r < h->nrows; r++)
            if (isfinite(y[r])) {
                finite++;
                if (fabs(y[r] - y[0]) > 1e-12 * fabs(y[0])) varying = 1;
            }
        if (!finite || (need_varying && !varying)) continue;
        plot_series *s = &g->fig.series[g->fig.n_series++];
        s->x = x, s->y = y, s->n = h->nrows, s->color = added;
        s->markers = finite < 30;
        snprintf(s->label, sizeof s->label, "%s", h->names[c] + pl);
        added++;
    }
    return added;
}

/* The epoch where L-BFGS starts (the last Adam row before the first L-BFGS row), NaN if none. */
static double lbfgs_start(const rp_history *h, const double *epoch) {
    for (size_t r = 0; r < h->nrows; r++)
        if (h->phase[r] == 1) return r ? epoch[r - 1] : epoch[r];
    return NAN;
}

static pinn_status training_figures(const rp_run *r, rp_figset *fs, pinn_error *err) {
    const rp_history *h = &r->hist;
    long ce = rp_hist_col(h, "epoch");
    if (!h->nrows || ce < 0) return PINN_OK;
    static const struct {
        const char *name, *prefix, *title, *ylabel, *caption;
        int need_varying;
    } kinds[4] = {
        {"loss", "loss_", "Training loss per term", "loss (unweighted mean square)",
         "Loss of every term against the epoch (log scale); the grey line is the weighted total.", 0},
        {"error_history", "rel_l2_", "Relative L2 error against the reference", "relative L2 error",
         "Relative L2 error of each field on the evaluation grid, at each evaluation during training.", 0},
        {"weights", "w_", "Loss weights", "weight", "Weight of each loss term as the weighting scheme set it.", 1},
        {"gradnorm", "gnorm_", "Gradient norm per term", "||grad of term loss||",
         "Norm of the gradient of each term's loss with respect to the parameters.", 0},
    };
    for (int k = 0; k < 4; k++) {
        rp_fig *g = rp_figset_add(fs, kinds[k].name, 0);
        if (!g) return nomem(err);
        double *x = rp_fig_column(g, h, ce);
        if (!x) return nomem(err);
        g->fig.logy = 1;
        snprintf(g->fig.title, sizeof g->fig.title, "%s", kinds[k].title);
        snprintf(g->fig.xlabel, sizeof g->fig.xlabel, "epoch");
        snprintf(g->fig.ylabel, sizeof g->fig.ylabel, "%s", kinds[k].ylabel);
        snprintf(g->caption, sizeof g->caption, "%s", kinds[k].caption);
        int oom = 0;
        if (k == 0) {
            long ct = rp_hist_col(h, "loss");
            if (ct >= 0) {
                double *y = rp_fig_column(g, h, ct);
                if (!y) return nomem(err);
                plot_series *s = &g->fig.series[g->fig.n_series++];
                s->x = x, s->y = y, s->n = h->nrows, s->color = 7, s->width = 2.6;
                snprintf(s->label, sizeof s->label, "total (weighted)");
            }
        }
        int added = prefix_series(g, h, x, kinds[k].prefix, kinds[k].need_varying || k == 2, &oom);
        if (oom) return nomem(err);
        if (k == 0)
            for (int s = 1; s < g->fig.n_series; s++) g->fig.series[s].color = s - 1;
        if (!added && g->fig.n_series == 0) { /* nothing to show: drop it */
            for (int q = 0; q < g->n_own; q++) free(g->own[q]);
            free(g);
            fs->n--;
            continue;
        }
        double lb = lbfgs_start(h, x);
        if (isfinite(lb)) {
            g->fig.vline_x[0] = lb;
            snprintf(g->fig.vline_label[0], sizeof g->fig.vline_label[0], "L-BFGS");
            g->fig.n_vlines = 1;
        }
    }
    return PINN_OK;
}

/* A 2-D section of the grid: coordinates h (horizontal) and v (vertical), the others fixed at
 * index fix[]; returns 0 when the grid has no such section. */
typedef rp_section section;

static int choose_section(const rp_run *r, section *s) {
    memset(s, 0, sizeof *s);
    if (!r->regular || r->d < 2 || r->d > 3) return 0;
    int fixed = -1;
    if (r->d == 3) {
        fixed = r->time >= 0 ? r->time : 0;
        s->fix[fixed] = r->time >= 0 ? r->dims[fixed] - 1 : r->dims[fixed] / 2;
    }
    int free_c[2], nfree = 0;
    for (int i = 0; i < r->d; i++)
        if (i != fixed) free_c[nfree++] = i;
    s->h = free_c[0], s->v = free_c[1];
    if (r->time == free_c[1]) s->h = free_c[1], s->v = free_c[0]; /* time runs horizontally */
    if (r->dims[s->h] < 2 || r->dims[s->v] < 2) return 0;
    if (fixed >= 0) {
        size_t stride = 1;
        for (int i = r->d - 1; i > fixed; i--) stride *= (size_t)r->dims[i];
        double val = r->grid[(size_t)s->fix[fixed] * stride * (size_t)r->d + (size_t)fixed];
        snprintf(s->where, sizeof s->where, " at %s = %.4g", r->coord[fixed], val);
    }
    return 1;
}

/* Flat index of the grid point with per-coordinate indices idx. */
static size_t grid_index(const rp_run *r, const int *idx) {
    size_t k = 0;
    for (int i = 0; i < r->d; i++) k = k * (size_t)r->dims[i] + (size_t)idx[i];
    return k;
}

static pinn_status heatmaps(const rp_run *r, rp_figset *fs, pinn_error *err) {
    section s;
    if (!choose_section(r, &s)) return PINN_OK;
    size_t nx = (size_t)r->dims[s.h], ny = (size_t)r->dims[s.v];
    double wx = r->hi[s.h] - r->lo[s.h], wy = r->hi[s.v] - r->lo[s.v];
    double aw = 520, ah = 260;
    if (r->time != s.h && wx > 0 && wy > 0) { /* space by space: equal scales, longer side 380 px */
        double sc = 380 / fmax(wx, wy);
        aw = fmax(160, wx * sc), ah = fmax(160, wy * sc);
    }
    static const char *const kind_name[3] = {"solution", "reference", "error"};
    for (int f = 0; f < r->nf; f++) {
        double vmin = INFINITY, vmax = -INFINITY; /* one colour range for solution and reference */
        for (int kind = 0; kind < 2; kind++) {
            const double *src = kind == 0 ? r->sol : r->ref;
            for (size_t k = 0; src && k < r->n; k++) {
                double v = src[k * (size_t)r->nf + (size_t)f];
                if (isfinite(v)) vmin = fmin(vmin, v), vmax = fmax(vmax, v);
            }
        }
        for (int kind = 0; kind < 3; kind++) {
            const double *src = kind == 0 ? r->sol : kind == 1 ? r->ref : r->err;
            if (!src) continue;
            char name[40];
            if (r->nf == 1) snprintf(name, sizeof name, "%s", kind_name[kind]);
            else snprintf(name, sizeof name, "%s_%s", kind_name[kind], r->field[f]);
            rp_fig *g = rp_figset_add(fs, name, 1);
            if (!g) return nomem(err);
            snprintf(g->alias, sizeof g->alias, "%s.png", name);
            double *v = own(g, nx * ny);
            if (!v) return nomem(err);
            int idx[PINN_MAX_INPUTS];
            memcpy(idx, s.fix, sizeof idx);
            for (size_t iy = 0; iy < ny; iy++)
                for (size_t ix = 0; ix < nx; ix++) {
                    idx[s.h] = (int)ix, idx[s.v] = (int)iy;
                    v[iy * nx + ix] = src[grid_index(r, idx) * (size_t)r->nf + (size_t)f];
                }
            plot_heatmap *hm = &g->heat;
            hm->v = v, hm->nx = nx, hm->ny = ny;
            hm->x0 = r->lo[s.h], hm->x1 = r->hi[s.h], hm->y0 = r->lo[s.v], hm->y1 = r->hi[s.v];
            hm->cmap = kind == 2 ? PLOT_CMAP_DIVERGING : PLOT_CMAP_VIRIDIS;
            if (kind < 2) hm->vmin = vmin, hm->vmax = vmax;
            snprintf(hm->cbar_label, sizeof hm->cbar_label, "%s%s", kind == 2 ? "error in " : "", r->field[f]);
            g->fig.heat = hm;
            g->fig.area_w = aw, g->fig.area_h = ah;
            static const char *const what[3] = {"PINN solution", "reference solution", "error: PINN \xe2\x88\x92 reference"};
            snprintf(g->fig.title, sizeof g->fig.title, "%s: %s%s", r->field[f], what[kind], s.where);
            snprintf(g->fig.xlabel, sizeof g->fig.xlabel, "%s", r->coord[s.h]);
            snprintf(g->fig.ylabel, sizeof g->fig.ylabel, "%s", r->coord[s.v]);
            snprintf(g->caption, sizeof g->caption, "%s of %s on the %zu x %zu evaluation grid%s%s.", what[kind], r->field[f],
                     nx, ny, s.where, r->time == s.h ? " (time horizontal)" : "");
        }
    }
    /* slices at three values of the horizontal coordinate, against the reference */
    if (!r->sol || !r->ref || nx < 4) return PINN_OK;
    static const double frac[3] = {0.25, 0.5, 0.75};
    for (int f = 0; f < r->nf; f++) {
        char name[64];
        snprintf(name, sizeof name, r->nf == 1 ? "slices" : "slices_%s", r->field[f]);
        rp_fig *g = rp_figset_add(fs, name, 2);
        if (!g) return nomem(err);
        double *y = own(g, ny);
        if (!y) return nomem(err);
        int idx[PINN_MAX_INPUTS];
        memcpy(idx, s.fix, sizeof idx);
        for (size_t iy = 0; iy < ny; iy++) {
            idx[s.h] = 0, idx[s.v] = (int)iy;
            y[iy] = r->grid[grid_index(r, idx) * (size_t)r->d + (size_t)s.v];
        }
        char at[160] = "";
        for (int q = 0; q < 3; q++) {
            size_t ix = (size_t)lround(frac[q] * (double)(nx - 1));
            idx[s.h] = (int)ix;
            double hv = r->grid[grid_index(r, idx) * (size_t)r->d + (size_t)s.h];
            for (int kind = 0; kind < 2; kind++) {
                double *u = own(g, ny);
                if (!u) return nomem(err);
                const double *src = kind ? r->sol : r->ref;
                for (size_t iy = 0; iy < ny; iy++) {
                    idx[s.v] = (int)iy;
                    u[iy] = src[grid_index(r, idx) * (size_t)r->nf + (size_t)f];
                }
                plot_series *ps = &g->fig.series[g->fig.n_series++];
                ps->x = y, ps->y = u, ps->n = ny, ps->color = kind ? -1 : q;
                ps->dash = kind, ps->width = kind ? 1.8 : 4.0;
                if (!kind) snprintf(ps->label, sizeof ps->label, "reference, %s = %.3g", r->coord[s.h], hv);
                else if (q == 2) snprintf(ps->label, sizeof ps->label, "PINN");
            }
            size_t l = strlen(at);
            snprintf(at + l, sizeof at - l, "%s%.3g", q ? ", " : "", hv);
        }
        snprintf(g->fig.title, sizeof g->fig.title, "%.31s at %.31s = %.60s%.60s", r->field[f], r->coord[s.h], at, s.where);
        snprintf(g->fig.xlabel, sizeof g->fig.xlabel, "%s", r->coord[s.v]);
        snprintf(g->fig.ylabel, sizeof g->fig.ylabel, "%s", r->field[f]);
        g->fig.area_w = 460, g->fig.area_h = 280;
        snprintf(g->caption, sizeof g->caption,
                 "Slices of %.31s at %.31s = %.60s: reference (thick, coloured) and PINN (dashed, black).", r->field[f], r->coord[s.h], at);
    }
    return PINN_OK;
}

/* 1-D problems: the solution against the reference, and the pointwise error. */
static pinn_status line_figures(const rp_run *r, rp_figset *fs, pinn_error *err) {
    if (r->d != 1 || !r->grid || r->n < 2 || (!r->sol && !r->ref)) return PINN_OK;
    for (int f = 0; f < r->nf; f++)
        for (int kind = 0; kind < 2; kind++) {
            if (kind == 1 && !r->err) continue;
            char name[64];
            snprintf(name, sizeof name, "%s%s%s", kind ? "error" : "solution", r->nf > 1 ? "_" : "", r->nf > 1 ? r->field[f] : "");
            rp_fig *g = rp_figset_add(fs, name, 1);
            if (!g) return nomem(err);
            double *x = own(g, r->n);
            if (!x) return nomem(err);
            memcpy(x, r->grid, sizeof(double) * r->n);
            const double *srcs[2] = {kind ? r->err : r->ref, kind ? NULL : r->sol};
            for (int q = 0; q < 2; q++) {
                if (!srcs[q]) continue;
                double *u = own(g, r->n);
                if (!u) return nomem(err);
                for (size_t k = 0; k < r->n; k++) u[k] = srcs[q][k * (size_t)r->nf + (size_t)f];
                plot_series *ps = &g->fig.series[g->fig.n_series++];
                ps->x = x, ps->y = u, ps->n = r->n, ps->color = kind ? 1 : q;
                ps->dash = q, ps->width = q ? 2.0 : 3.0;
                snprintf(ps->label, sizeof ps->label, "%s", kind ? "PINN \xe2\x88\x92 reference" : q ? "PINN" : "reference");
            }
            snprintf(g->fig.title, sizeof g->fig.title, "%s: %s", r->field[f], kind ? "error, PINN \xe2\x88\x92 reference" : "PINN and reference");
            snprintf(g->fig.xlabel, sizeof g->fig.xlabel, "%s", r->coord[0]);
            snprintf(g->fig.ylabel, sizeof g->fig.ylabel, "%s%s", kind ? "error in " : "", r->field[f]);
            g->fig.legend_inside = 1;
            snprintf(g->caption, sizeof g->caption, "%s on the %zu-point evaluation grid.", kind ? "Pointwise error" : "Solution", r->n);
        }
    return PINN_OK;
}

/* grad_hist_<epoch>.csv (train.weighting.histograms): counts of log10 |weighted gradient entry|
 * per term, one figure per epoch, in epoch order. */
static pinn_status gradient_histograms(const rp_run *r, rp_figset *fs, pinn_error *err) {
    DIR *dp = opendir(r->dir);
    if (!dp) return PINN_OK;
    long epochs[64];
    int ne = 0;
    struct dirent *de;
    while ((de = readdir(dp)) && ne < 64) {
        long ep;
        char tail[8];
        if (sscanf(de->d_name, "grad_hist_%ld.%7s", &ep, tail) == 2 && !strcmp(tail, "csv")) epochs[ne++] = ep;
    }
    closedir(dp);
    for (int i = 1; i < ne; i++) /* insertion sort: a handful of files */
        for (int j = i; j > 0 && epochs[j] < epochs[j - 1]; j--) {
            long tmp = epochs[j];
            epochs[j] = epochs[j - 1], epochs[j - 1] = tmp;
        }
    for (int i = 0; i < ne; i++) {
        char path[1024], name[64];
        snprintf(path, sizeof path, "%.900s/grad_hist_%ld.csv", r->dir, epochs[i]);
        pinn_csv_table tab;
        pinn_csv_init(&tab);
        pinn_error e;
        if (pinn_csv_read(path, &tab, &e) || tab.ncols < 3 || !tab.nrows) {
            pinn_csv_free(&tab);
            continue; /* not ours to judge: the report shows what it can read */
        }
        snprintf(name, sizeof name, "grad_hist_%ld", epochs[i]);
        rp_fig *g = rp_figset_add(fs, name, 0);
        double *x = g ? own(g, tab.nrows) : NULL;
        if (!x) {
            pinn_csv_free(&tab);
            return nomem(err);
        }
        for (size_t k = 0; k < tab.nrows; k++) x[k] = 0.5 * (tab.data[k * tab.ncols] + tab.data[k * tab.ncols + 1]);
        g->fig.logy = 1;
        snprintf(g->fig.title, sizeof g->fig.title, "Gradient distribution per term at epoch %ld", epochs[i]);
        snprintf(g->fig.xlabel, sizeof g->fig.xlabel, "log10 |weight x gradient entry|");
        snprintf(g->fig.ylabel, sizeof g->fig.ylabel, "parameters per bin of 0.2");
        snprintf(g->caption, sizeof g->caption,
                 "Histogram of the weighted gradient of each term over the network parameters at epoch %ld "
                 "(the first bin also counts zeros).", epochs[i]);
        for (size_t c = 2; c < tab.ncols && g->fig.n_series < PLOT_MAX_SERIES; c++) {
            double *y = own(g, tab.nrows);
            if (!y) {
                pinn_csv_free(&tab);
                return nomem(err);
            }
            for (size_t k = 0; k < tab.nrows; k++) y[k] = tab.data[k * tab.ncols + c]; /* 0: a gap on the log axis */
            plot_series *sr = &g->fig.series[g->fig.n_series];
            sr->x = x, sr->y = y, sr->n = tab.nrows, sr->color = (int)c - 2, sr->markers = 1;
            snprintf(sr->label, sizeof sr->label, "%s", tab.names[c]);
            g->fig.n_series++;
        }
        pinn_csv_free(&tab);
    }
    return PINN_OK;
}

pinn_status rp_figures_build(const rp_run *r, rp_figset *fs, pinn_error *err) {
    memset(fs, 0, sizeof *fs);
    pinn_status st = training_figures(r, fs, err);
    if (!st) st = gradient_histograms(r, fs, err);
    if (!st) st = heatmaps(r, fs, err);
    if (!st) st = line_figures(r, fs, err);
    if (!st) st = rp_figures_ideas(r, fs, err); /* figures_ideas.c: VQ code map, latent maps */
    if (!st) st = rp_moe_figures(r, fs, err);
    if (!st) st = rp_decomposition_figures(r, fs, err);
    if (st) rp_figures_free(fs);
    return st;
}

int rp_choose_section(const rp_run *r, rp_section *s) { return choose_section(r, s); }
size_t rp_grid_index(const rp_run *r, const int *idx) { return grid_index(r, idx); }
