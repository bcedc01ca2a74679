/* figures_ideas.c - the pictures of the ideas laboratory (docs/ideas.md) in a run's report: which
 * VQ code wins where (vq_code.npy, a heatmap on the evaluation grid), and the latent maps written
 * by `pinnc latent` (latent/layer<l>_pca.npy, _tsne.npy with latent/points.npy): one scatter per
 * layer, embedding and colouring (each coordinate, the first field). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "io/files.h"
#include "report/figures.h"

static int exists(const char *path) {
    struct stat sb;
    return stat(path, &sb) == 0;
}

/* Hands a malloc'ed array to the figure (freed with it); 0 when its table is full. */
static int adopt(rp_fig *g, double *a) {
    if (g->n_own >= (int)(sizeof g->own / sizeof g->own[0])) return 0;
    g->own[g->n_own++] = a;
    return 1;
}

/* The winning-code heatmap from vq_code.npy (2-D grids; time horizontal), if the run has one. */
static pinn_status vq_map(const rp_run *r, rp_figset *fs, pinn_error *err) {
    char path[1100];
    snprintf(path, sizeof path, "%s/vq_code.npy", r->dir);
    if (!exists(path) || !r->regular || r->d != 2 || !r->grid) return PINN_OK;
    int nd;
    size_t shape[4];
    double *code = NULL;
    pinn_status st = pinn_npy_read(path, &nd, shape, &code, err);
    if (st) return st;
    if (nd != 1 || shape[0] != r->n) {
        free(code);
        return PINN_OK; /* a stale file of another grid: no picture */
    }
    int h = r->time >= 0 ? r->time : 0, v = 1 - h;
    size_t nx = (size_t)r->dims[h], ny = (size_t)r->dims[v];
    rp_fig *g = rp_figset_add(fs, "vq_code", 1);
    double *a = malloc(sizeof *a * nx * ny);
    if (!g || !a || !adopt(g, a)) {
        free(a), free(code);
        return pinn_error_set(err, PINN_ERR_NOMEM, "out of memory");
    }
    double kmax = 0;
    for (size_t iy = 0; iy < ny; iy++)
        for (size_t ix = 0; ix < nx; ix++) {
            size_t i0 = h == 0 ? ix : iy, i1 = h == 0 ? iy : ix;
            a[iy * nx + ix] = code[i0 * (size_t)r->dims[1] + i1];
            kmax = fmax(kmax, a[iy * nx + ix]);
        }
    free(code);
    plot_heatmap *hm = &g->heat;
    hm->v = a, hm->nx = nx, hm->ny = ny;
    hm->x0 = r->lo[h], hm->x1 = r->hi[h], hm->y0 = r->lo[v], hm->y1 = r->hi[v];
    hm->cmap = PLOT_CMAP_VIRIDIS;
    hm->vmin = 0, hm->vmax = kmax > 0 ? kmax : 1;
    snprintf(hm->cbar_label, sizeof hm->cbar_label, "code index");
    g->fig.heat = hm;
    g->fig.area_w = 520, g->fig.area_h = 260;
    snprintf(g->fig.title, sizeof g->fig.title, "vector quantisation: the winning code");
    snprintf(g->fig.xlabel, sizeof g->fig.xlabel, "%s", r->coord[h]);
    snprintf(g->fig.ylabel, sizeof g->fig.ylabel, "%s", r->coord[v]);
    snprintf(g->caption, sizeof g->caption,
             "Index of the codebook vector nearest (cosine similarity) to the latent vector of each evaluation point.");
    return PINN_OK;
}

/* One scatter: embedding Y [m][2] coloured by column c of points [m][pc]. */
static pinn_status scatter(const rp_run *r, rp_figset *fs, int l, const char *emb, const double *Y, size_t m, const double *pts,
                           int pc, int c, const char *cname, const double *var, pinn_error *err) {
    char name[64];
    snprintf(name, sizeof name, "latent%d_%s_%s", l, emb, cname);
    rp_fig *g = rp_figset_add(fs, name, 3);
    double *x = malloc(sizeof *x * m), *y = malloc(sizeof *y * m), *cv = malloc(sizeof *cv * m);
    if (!g || !x || !y || !cv || !adopt(g, x) || !adopt(g, y) || !adopt(g, cv)) {
        free(x), free(y), free(cv);
        return pinn_error_set(err, PINN_ERR_NOMEM, "out of memory");
    }
    double lo = INFINITY, hi = -INFINITY;
    for (size_t p = 0; p < m; p++) {
        x[p] = Y[2 * p], y[p] = Y[2 * p + 1], cv[p] = pts[p * (size_t)pc + (size_t)c];
        if (isfinite(cv[p])) lo = fmin(lo, cv[p]), hi = fmax(hi, cv[p]);
    }
    plot_series *s = &g->fig.series[g->fig.n_series++];
    s->x = x, s->y = y, s->n = m, s->cval = cv, s->cmin = lo, s->cmax = hi;
    g->fig.area_w = 300, g->fig.area_h = 300;
    snprintf(g->fig.title, sizeof g->fig.title, "layer %d, %s, colour: %s", l, emb, cname);
    snprintf(g->fig.xlabel, sizeof g->fig.xlabel, "%s 1", emb);
    snprintf(g->fig.ylabel, sizeof g->fig.ylabel, "%s 2", emb);
    if (var)
        snprintf(g->caption, sizeof g->caption,
                 "Hidden layer %d at %zu evaluation points, projected on its two principal components (%.0f%% and %.0f%% of "
                 "the variance); colour: %s from %.3g (dark) to %.3g (yellow).",
                 l, m, 100 * var[0], 100 * var[1], cname, lo, hi);
    else
        snprintf(g->caption, sizeof g->caption,
                 "Hidden layer %d at %zu evaluation points, t-SNE embedding (perplexity 30); colour: %s from %.3g (dark) to "
                 "%.3g (yellow).",
                 l, m, cname, lo, hi);
    (void)r;
    return PINN_OK;
}

/* Every latent/layer<l>_{pca,tsne}.npy with latent/points.npy: one scatter per colouring. */
static pinn_status latent_maps(const rp_run *r, rp_figset *fs, pinn_error *err) {
    char path[1100];
    snprintf(path, sizeof path, "%s/latent/points.npy", r->dir);
    if (!exists(path)) return PINN_OK;
    int nd;
    size_t shp[4];
    double *pts = NULL;
    pinn_status st = pinn_npy_read(path, &nd, shp, &pts, err);
    if (st) return st;
    size_t m = shp[0];
    int pc = nd == 2 ? (int)shp[1] : 0;
    if (nd != 2 || pc < r->d + 1) {
        free(pts);
        return pinn_error_set(err, PINN_ERR_INVALID, "%s: expected [points][coordinates + fields]", path);
    }
    for (int l = 1; !st && l <= 64; l++) {
        static const char *const embs[2] = {"pca", "tsne"};
        for (int e = 0; !st && e < 2; e++) {
            double *Y = NULL, *var = NULL;
            size_t ys[4], vs[4];
            int ynd, vnd;
            snprintf(path, sizeof path, "%s/latent/layer%d_%s.npy", r->dir, l, embs[e]);
            if (!exists(path)) {
                if (e == 0) l = 65; /* no more layers */
                continue;
            }
            if ((st = pinn_npy_read(path, &ynd, ys, &Y, err))) break;
            if (e == 0) {
                snprintf(path, sizeof path, "%s/latent/layer%d_pca_var.npy", r->dir, l);
                if (exists(path) && pinn_npy_read(path, &vnd, vs, &var, err) == PINN_OK && (vnd != 1 || vs[0] != 2)) free(var), var = NULL;
            }
            if (ynd == 2 && ys[0] == m && ys[1] == 2) {
                for (int c = 0; !st && c <= r->d; c++)
                    st = scatter(r, fs, l, embs[e], Y, m, pts, pc, c, c < r->d ? r->coord[c] : r->field[0], var, err);
            }
            free(Y), free(var);
        }
    }
    free(pts);
    return st;
}

/* Both kinds of figure, where their files exist (nothing otherwise). */
pinn_status rp_figures_ideas(const rp_run *r, rp_figset *fs, pinn_error *err) {
    pinn_status st = vq_map(r, fs, err);
    return st ? st : latent_maps(r, fs, err);
}
