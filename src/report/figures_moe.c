/* figures_moe.c - the figures of a mixture-of-experts run: each expert's mean importance against
 * the epoch (history columns imp_*), and on the heatmaps' grid section each expert's gate weight
 * lambda_e(x), each expert's own prediction and the dominant expert (argmax of lambda), from
 * moe_gate.npy, moe_experts.npy and moe_dominant.npy. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/files.h"
#include "report/figures.h"

static pinn_status nomem(pinn_error *err) { return pinn_error_set(err, PINN_ERR_NOMEM, "out of memory"); }

/* Reads dir/name into *data (NULL and OK when the file is missing). */
static pinn_status load(const rp_run *r, const char *name, int *nd, size_t *shape, double **data, pinn_error *err) {
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", r->dir, name);
    *data = NULL;
    FILE *f = fopen(path, "rb");
    if (!f) return PINN_OK;
    fclose(f);
    return pinn_npy_read(path, nd, shape, data, err);
}

/* Expert e's label: the history column imp_<label>, else "expert <e>". */
static void label_of(const rp_run *r, int e, char *out, size_t n) {
    int k = 0;
    for (size_t c = 0; c < r->hist.ncols; c++)
        if (!strncmp(r->hist.names[c], "imp_", 4) && k++ == e) {
            snprintf(out, n, "%s", r->hist.names[c] + 4);
            return;
        }
    snprintf(out, n, "expert %d", e);
}

static pinn_status importance_curves(const rp_run *r, rp_figset *fs, pinn_error *err) {
    const rp_history *h = &r->hist;
    long ce = rp_hist_col(h, "epoch");
    int any = 0;
    for (size_t c = 0; c < h->ncols; c++) any |= !strncmp(h->names[c], "imp_", 4);
    if (!h->nrows || ce < 0 || !any) return PINN_OK;
    rp_fig *g = rp_figset_add(fs, "moe_importance", 0);
    if (!g) return nomem(err);
    double *x = rp_fig_column(g, h, ce);
    if (!x) return nomem(err);
    for (size_t c = 0; c < h->ncols && g->fig.n_series < PLOT_MAX_SERIES; c++) {
        if (strncmp(h->names[c], "imp_", 4)) continue;
        double *y = rp_fig_column(g, h, (long)c);
        if (!y) return nomem(err);
        plot_series *s = &g->fig.series[g->fig.n_series];
        s->x = x, s->y = y, s->n = h->nrows, s->color = g->fig.n_series++;
        snprintf(s->label, sizeof s->label, "%s", h->names[c] + 4);
    }
    snprintf(g->fig.title, sizeof g->fig.title, "Mean gate weight of each expert");
    snprintf(g->fig.xlabel, sizeof g->fig.xlabel, "epoch");
    snprintf(g->fig.ylabel, sizeof g->fig.ylabel, "importance (mean of lambda over the collocation points)");
    g->fig.ymin = 0, g->fig.ymax = 1;
    snprintf(g->caption, sizeof g->caption,
             "Importance of each expert: its gate weight averaged over the collocation points, at every logged step "
             "(a pruned expert drops to 0).");
    return PINN_OK;
}

/* One heatmap of values val(k) at the section's grid points (NaN outside the domain). */
static pinn_status map(const rp_run *r, rp_figset *fs, const rp_section *s, const char *name, const char *title,
                       const char *cbar, const char *caption, const double *src, size_t stride, size_t off, double vmin,
                       double vmax, pinn_error *err) {
    size_t nx = (size_t)r->dims[s->h], ny = (size_t)r->dims[s->v];
    rp_fig *g = rp_figset_add(fs, name, 1);
    if (!g) return nomem(err);
    double *v = g->n_own < (int)(sizeof g->own / sizeof g->own[0]) ? malloc(sizeof(double) * nx * ny) : NULL;
    if (!v) return nomem(err);
    g->own[g->n_own++] = v;
    int idx[PINN_MAX_INPUTS];
    memcpy(idx, s->fix, sizeof idx);
    for (size_t iy = 0; iy < ny; iy++)
        for (size_t ix = 0; ix < nx; ix++) {
            idx[s->h] = (int)ix, idx[s->v] = (int)iy;
            size_t k = rp_grid_index(r, idx);
            int inside = !r->sol || isfinite(r->sol[k * (size_t)r->nf]);
            v[iy * nx + ix] = inside ? src[k * stride + off] : NAN;
        }
    plot_heatmap *hm = &g->heat;
    hm->v = v, hm->nx = nx, hm->ny = ny;
    hm->x0 = r->lo[s->h], hm->x1 = r->hi[s->h], hm->y0 = r->lo[s->v], hm->y1 = r->hi[s->v];
    hm->cmap = PLOT_CMAP_VIRIDIS;
    hm->vmin = vmin, hm->vmax = vmax;
    snprintf(hm->cbar_label, sizeof hm->cbar_label, "%s", cbar);
    g->fig.heat = hm;
    double wx = r->hi[s->h] - r->lo[s->h], wy = r->hi[s->v] - r->lo[s->v], aw = 520, ah = 260;
    if (r->time != s->h && wx > 0 && wy > 0) {
        double sc = 300 / fmax(wx, wy);
        aw = fmax(140, wx * sc), ah = fmax(140, wy * sc);
    }
    g->fig.area_w = aw, g->fig.area_h = ah;
    snprintf(g->fig.title, sizeof g->fig.title, "%s%s", title, s->where);
    snprintf(g->fig.xlabel, sizeof g->fig.xlabel, "%s", r->coord[s->h]);
    snprintf(g->fig.ylabel, sizeof g->fig.ylabel, "%s", r->coord[s->v]);
    snprintf(g->caption, sizeof g->caption, "%s", caption);
    return PINN_OK;
}

pinn_status rp_moe_figures(const rp_run *r, rp_figset *fs, pinn_error *err) {
    pinn_status st = importance_curves(r, fs, err);
    rp_section s;
    if (st || !rp_choose_section(r, &s)) return st;
    int nd = 0, ne = 0;
    size_t sg[4] = {0}, sx[4] = {0}, sd[4] = {0};
    double *gate = NULL, *ex = NULL, *dom = NULL;
    if ((st = load(r, "moe_gate.npy", &nd, sg, &gate, err))) return st;
    if (gate && (nd != 2 || sg[0] != r->n)) goto done; /* not of this grid */
    if ((st = load(r, "moe_experts.npy", &ne, sx, &ex, err))) goto done;
    if (ex && (ne != 3 || sx[0] != r->n)) free(ex), ex = NULL;
    if ((st = load(r, "moe_dominant.npy", &nd, sd, &dom, err))) goto done;
    if (dom && sd[0] != r->n) free(dom), dom = NULL;
    int E = gate ? (int)sg[1] : ex ? (int)sx[1] : 0;
    char name[64], title[200], cap[300], lab[40];
    for (int e = 0; gate && e < E && !st; e++) {
        label_of(r, e, lab, sizeof lab);
        snprintf(name, sizeof name, "moe_gate_%d", e);
        snprintf(title, sizeof title, "gate weight of %s", lab);
        snprintf(cap, sizeof cap, "Gate weight lambda of expert %s (softmax output, 0 to 1): where the gate uses it.", lab);
        st = map(r, fs, &s, name, title, "lambda", cap, gate, (size_t)E, (size_t)e, 0, 1, err);
    }
    for (int e = 0; ex && e < E && !st; e++) {
        label_of(r, e, lab, sizeof lab);
        snprintf(name, sizeof name, "moe_expert_%d", e);
        snprintf(title, sizeof title, "%s: prediction of %s alone", r->field[0], lab);
        snprintf(cap, sizeof cap, "Output of expert %s by itself (field %s), before the gate weighs it.", lab, r->field[0]);
        st = map(r, fs, &s, name, title, r->field[0], cap, ex, (size_t)E * sx[2], (size_t)e * sx[2], 0, 0, err);
    }
    if (dom && !st) {
        snprintf(cap, sizeof cap, "Index of the expert with the largest gate weight at each point (0 to %d, in the order of "
                                  "the importance columns).", E - 1);
        st = map(r, fs, &s, "moe_dominant", "dominant expert", "expert index", cap, dom, 1, 0, 0, E > 1 ? E - 1 : 1, err);
    }
done:
    free(gate);
    free(ex);
    free(dom);
    return st;
}
