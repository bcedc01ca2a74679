/* plot.c - layout, ticks, colour maps and drawing of one figure through a backend (plot.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/plot.h"

#define FS_TITLE 15.0
#define FS_LABEL 13.0
#define FS_TICK 11.0
#define FS_LEGEND 11.5
#define LEGEND_ROW 17.0

unsigned plot_palette(int i) {
    static const unsigned pal[10] = {0x1f77b4, 0xd62728, 0x2ca02c, 0xff7f0e, 0x9467bd,
                                     0x8c564b, 0xe377c2, 0x7f7f7f, 0xbcbd22, 0x17becf};
    return i < 0 ? 0x111111 : pal[i % 10];
}

/* Piecewise-linear interpolation between n control colours. */
static unsigned lerp_colors(const unsigned *c, int n, double t) {
    if (!(t >= 0)) t = 0;
    if (t > 1) t = 1;
    double s = t * (n - 1);
    int i = (int)s;
    if (i >= n - 1) i = n - 2;
    double f = s - i;
    unsigned out = 0;
    for (int sh = 16; sh >= 0; sh -= 8) {
        double a = (c[i] >> sh) & 255, b = (c[i + 1] >> sh) & 255;
        out |= (unsigned)lround(a + (b - a) * f) << sh;
    }
    return out;
}

unsigned plot_cmap_color(plot_cmap m, double t) {
    static const unsigned viridis[9] = {0x440154, 0x472d7b, 0x3b528b, 0x2c728e, 0x21918c,
                                        0x28ae80, 0x5ec962, 0xaddc30, 0xfde725};
    static const unsigned diverging[7] = {0x2166ac, 0x67a9cf, 0xd1e5f0, 0xf7f7f7, 0xfddbc7, 0xef8a62, 0xb2182b};
    return m == PLOT_CMAP_DIVERGING ? lerp_colors(diverging, 7, t) : lerp_colors(viridis, 9, t);
}

/* Estimated width of text in a sans-serif font (no font metrics in the SVG path). */
static double text_w(const char *s, double size) {
    double w = 0;
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if ((c & 0xC0) == 0x80) continue; /* UTF-8 continuation */
        w += strchr("il.,:;|!'()[]1 ", c) ? 0.34 : (c >= 'A' && c <= 'Z') || strchr("mw", c) ? 0.7 : 0.56;
    }
    return w * size;
}

static double nice_step(double raw) {
    double e = pow(10, floor(log10(raw))), m = raw / e;
    return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * e;
}

int plot_ticks(double lo, double hi, int logscale, int target, double *ticks, int max) {
    int n = 0;
    if (!(hi > lo)) return 0;
    if (logscale) {
        int a = (int)ceil(log10(lo) - 1e-9), b = (int)floor(log10(hi) + 1e-9);
        if (b - a + 1 >= 3) {
            int stride = (b - a + 1 + target - 1) / target;
            if (stride < 1) stride = 1;
            for (int k = a; k <= b && n < max; k++)
                if ((k - a) % stride == 0) ticks[n++] = pow(10, k);
        } else {
            for (int k = a - 1; k <= b + 1; k++)
                for (int m = 1; m <= 5 && n < max; m += (m == 1 ? 1 : 3)) { /* 1, 2, 5 */
                    double v = m * pow(10, k);
                    if (v >= lo * (1 - 1e-9) && v <= hi * (1 + 1e-9)) ticks[n++] = v;
                }
        }
        return n;
    }
    double step = nice_step((hi - lo) / (target > 1 ? target : 2));
    for (double v = ceil(lo / step - 1e-9) * step; v <= hi + 1e-9 * (hi - lo) && n < max; v += step)
        ticks[n++] = fabs(v) < 1e-12 * step ? 0 : v;
    return n;
}

void plot_tick_label(double v, double step, int logscale, char *buf, size_t n) {
    if (logscale) {
        int k = (int)floor(log10(v) + 1e-9);
        double m = v / pow(10, k);
        if (k >= -3 && k <= 3) snprintf(buf, n, "%g", v);
        else if (fabs(m - 1) < 1e-6) snprintf(buf, n, "1e%d", k);
        else snprintf(buf, n, "%.0fe%d", m, k);
        return;
    }
    double av = fabs(v);
    if (av > 0 && (av >= 1e5 || (step > 0 && step < 1e-3))) {
        snprintf(buf, n, "%.2g", v);
        return;
    }
    int dec = 0; /* the decimals the step needs: 0.2 -> 1, 0.25 -> 2 */
    while (step > 0 && dec < 10 && fabs(step * pow(10, dec) - round(step * pow(10, dec))) > 1e-6 * step * pow(10, dec)) dec++;
    snprintf(buf, n, "%.*f", dec, v == 0 ? 0.0 : v);
}

/* The data range of the line series along one axis (0 x, 1 y); returns 0 when empty. */
static int series_range(const plot_figure *f, int axis, double *lo, double *hi) {
    *lo = INFINITY, *hi = -INFINITY;
    for (int s = 0; s < f->n_series; s++) {
        const plot_series *ps = &f->series[s];
        for (size_t i = 0; i < ps->n; i++) {
            double x = ps->x[i], y = ps->y[i];
            if (!isfinite(x) || !isfinite(y) || (f->logx && x <= 0) || (f->logy && y <= 0)) continue;
            double v = axis ? y : x;
            if (v < *lo) *lo = v;
            if (v > *hi) *hi = v;
        }
    }
    return *lo <= *hi;
}

/* Final axis ranges of f. */
static void axis_ranges(const plot_figure *f, double *x0, double *x1, double *y0, double *y1) {
    if (f->heat) {
        *x0 = f->heat->x0, *x1 = f->heat->x1, *y0 = f->heat->y0, *y1 = f->heat->y1;
    } else {
        if (!series_range(f, 0, x0, x1)) *x0 = 0, *x1 = 1;
        if (!series_range(f, 1, y0, y1)) *y0 = f->logy ? 1e-3 : 0, *y1 = 1;
        if (f->logy) {
            double a = floor(log10(*y0)), b = ceil(log10(*y1));
            if (b - a < 1) a -= 0.5, b += 0.5;
            *y0 = pow(10, a), *y1 = pow(10, b);
        } else {
            if (*y1 - *y0 < 1e-300 + 1e-12 * fabs(*y1)) {
                double d = fabs(*y1) > 0 ? 0.1 * fabs(*y1) : 1;
                *y0 -= d, *y1 += d;
            }
            double pad = 0.04 * (*y1 - *y0);
            *y0 -= pad, *y1 += pad;
        }
        if (!(*x1 > *x0)) *x0 -= 0.5, *x1 += 0.5;
    }
    if (f->xmin < f->xmax) *x0 = f->xmin, *x1 = f->xmax;
    if (f->ymin < f->ymax) *y0 = f->ymin, *y1 = f->ymax;
}

/* The layout of a figure: margins and plot area. */
typedef struct layout {
    double w, h, ax, ay, aw, ah; /* figure size; plot area */
    double x0, x1, y0, y1;       /* axis ranges */
    double yt[32], xt[32];
    int nyt, nxt;
    double ystep, xstep;
    double cmin, cmax;           /* heatmap colour range */
    double ct[32], cstep;
    int nct;
    double legend_w;
} layout;

static double tick_step(const double *t, int n) { return n >= 2 ? t[1] - t[0] : 0; }

static void heat_range(const plot_heatmap *h, double *lo, double *hi) {
    *lo = INFINITY, *hi = -INFINITY;
    for (size_t k = 0; k < h->nx * h->ny; k++)
        if (isfinite(h->v[k])) {
            if (h->v[k] < *lo) *lo = h->v[k];
            if (h->v[k] > *hi) *hi = h->v[k];
        }
    if (!(*lo <= *hi)) *lo = 0, *hi = 1;
    if (h->vmin < h->vmax) *lo = h->vmin, *hi = h->vmax;
    if (h->cmap == PLOT_CMAP_DIVERGING) {
        double m = fmax(fabs(*lo), fabs(*hi));
        *lo = -m, *hi = m;
    }
    if (*hi - *lo <= 1e-300 + 1e-12 * fabs(*hi)) {
        double d = fabs(*hi) > 0 ? 0.1 * fabs(*hi) : 1;
        *lo -= d, *hi += d;
    }
}

static void do_layout(const plot_figure *f, layout *L) {
    memset(L, 0, sizeof *L);
    L->aw = f->area_w > 0 ? f->area_w : 520;
    L->ah = f->area_h > 0 ? f->area_h : 300;
    axis_ranges(f, &L->x0, &L->x1, &L->y0, &L->y1);
    L->nxt = plot_ticks(L->x0, L->x1, f->logx, (int)(L->aw / 90) + 1, L->xt, 32);
    L->nyt = plot_ticks(L->y0, L->y1, f->logy, (int)(L->ah / 55) + 1, L->yt, 32);
    L->xstep = tick_step(L->xt, L->nxt), L->ystep = tick_step(L->yt, L->nyt);
    double ylw = 0;
    char buf[64];
    for (int i = 0; i < L->nyt; i++) {
        plot_tick_label(L->yt[i], L->ystep, f->logy, buf, sizeof buf);
        ylw = fmax(ylw, text_w(buf, FS_TICK));
    }
    double ml = 12 + (f->ylabel[0] ? FS_LABEL + 8 : 0) + ylw + 8;
    double mt = f->title[0] ? 34 : 14, mb = 8 + FS_TICK + 8 + (f->xlabel[0] ? FS_LABEL + 10 : 0) + 6;
    double mr = 16;
    if (f->heat) {
        heat_range(f->heat, &L->cmin, &L->cmax);
        L->nct = plot_ticks(L->cmin, L->cmax, 0, (int)(L->ah / 50) + 1, L->ct, 32);
        L->cstep = tick_step(L->ct, L->nct);
        double cw = 0;
        for (int i = 0; i < L->nct; i++) {
            plot_tick_label(L->ct[i], L->cstep, 0, buf, sizeof buf);
            cw = fmax(cw, text_w(buf, FS_TICK));
        }
        mr = 16 + 16 + 6 + cw + (f->heat->cbar_label[0] ? FS_LABEL + 12 : 0) + 8;
    }
    int legend = 0;
    for (int s = 0; s < f->n_series; s++)
        if (f->series[s].label[0]) {
            legend++;
            L->legend_w = fmax(L->legend_w, 34 + text_w(f->series[s].label, FS_LEGEND) + 10);
        }
    if (legend && !f->legend_inside && !f->heat) mr += L->legend_w + 6;
    L->ax = ml, L->ay = mt;
    L->w = ceil(ml + L->aw + mr);
    L->h = ceil(fmax(mt + L->ah + mb, mt + legend * LEGEND_ROW + 16));
}

void plot_figure_size(const plot_figure *f, double *w, double *h) {
    layout L;
    do_layout(f, &L);
    *w = L.w, *h = L.h;
}

static double map_x(const plot_figure *f, const layout *L, double x) {
    double t = f->logx ? (log10(x) - log10(L->x0)) / (log10(L->x1) - log10(L->x0)) : (x - L->x0) / (L->x1 - L->x0);
    return L->ax + t * L->aw;
}

static double map_y(const plot_figure *f, const layout *L, double y) {
    double t = f->logy ? (log10(y) - log10(L->y0)) / (log10(L->y1) - log10(L->y0)) : (y - L->y0) / (L->y1 - L->y0);
    return L->ay + L->ah - t * L->ah;
}

/* The heatmap as RGBA pixels, top row first; NaN cells transparent. */
static unsigned char *heat_pixels(const plot_heatmap *h, double lo, double hi) {
    unsigned char *px = malloc(h->nx * h->ny * 4 + 4);
    if (!px) return NULL;
    for (size_t r = 0; r < h->ny; r++)
        for (size_t c = 0; c < h->nx; c++) {
            double v = h->v[(h->ny - 1 - r) * h->nx + c];
            unsigned char *p = px + (r * h->nx + c) * 4;
            if (!isfinite(v)) {
                p[0] = p[1] = p[2] = 255, p[3] = 0;
                continue;
            }
            unsigned col = plot_cmap_color(h->cmap, (v - lo) / (hi - lo));
            p[0] = (unsigned char)(col >> 16), p[1] = (unsigned char)(col >> 8), p[2] = (unsigned char)col, p[3] = 255;
        }
    return px;
}

/* Draw the line series, broken at points that cannot be shown. */
static pinn_status draw_series(const plot_figure *f, const layout *L, const plot_backend *b, pinn_error *err) {
    size_t maxn = 1;
    for (int s = 0; s < f->n_series; s++) maxn = f->series[s].n > maxn ? f->series[s].n : maxn;
    double *xy = malloc(sizeof(double) * 2 * maxn);
    if (!xy) return pinn_error_set(err, PINN_ERR_NOMEM, "out of memory");
    b->clip(b->ctx, L->ax, L->ay, L->aw, L->ah);
    for (int s = 0; s < f->n_series; s++) {
        const plot_series *ps = &f->series[s];
        unsigned col = plot_palette(ps->color);
        double w = ps->width > 0 ? ps->width : 1.6;
        int m = 0;
        for (size_t i = 0; i <= ps->n; i++) {
            int ok = i < ps->n && isfinite(ps->x[i]) && isfinite(ps->y[i]) && !(f->logx && ps->x[i] <= 0) &&
                     !(f->logy && ps->y[i] <= 0);
            if (i < ps->n && isfinite(ps->x[i]) && isnan(ps->y[i])) continue; /* a missing value: join over it */
            if (ok) {
                xy[2 * m] = map_x(f, L, ps->x[i]), xy[2 * m + 1] = map_y(f, L, ps->y[i]);
                m++;
                if (ps->cval) { /* scatter: each dot in its own colour */
                    double tc = ps->cmax > ps->cmin ? (ps->cval[i] - ps->cmin) / (ps->cmax - ps->cmin) : 0.5;
                    unsigned cc = plot_cmap_color(PLOT_CMAP_VIRIDIS, tc < 0 ? 0 : tc > 1 ? 1 : tc);
                    b->rect(b->ctx, xy[2 * m - 2] - 1.5, xy[2 * m - 1] - 1.5, 3, 3, cc, 1, cc, 0);
                } else if (ps->markers) b->rect(b->ctx, xy[2 * m - 2] - 2, xy[2 * m - 1] - 2, 4, 4, col, 1, col, 0);
            } else {
                if (m >= 2 && !ps->cval) b->line(b->ctx, m, xy, col, w, ps->dash);
                m = 0;
            }
        }
    }
    for (int v = 0; v < f->n_vlines; v++) {
        double x = map_x(f, L, f->vline_x[v]);
        double seg[4] = {x, L->ay, x, L->ay + L->ah};
        b->line(b->ctx, 2, seg, 0x555555, 1.0, 1);
        if (f->vline_label[v][0]) b->text(b->ctx, x + 4, L->ay + 14, f->vline_label[v], FS_TICK, -1, 0, 0, 0x444444);
    }
    b->clip(b->ctx, 0, 0, 0, 0);
    free(xy);
    return PINN_OK;
}

static void draw_legend(const plot_figure *f, const layout *L, const plot_backend *b) {
    int rows = 0;
    for (int s = 0; s < f->n_series; s++) rows += f->series[s].label[0] != 0;
    if (!rows) return;
    double lx = f->legend_inside || f->heat ? L->ax + L->aw - L->legend_w - 6 : L->ax + L->aw + 12;
    double ly = f->legend_inside || f->heat ? L->ay + 6 : L->ay;
    b->rect(b->ctx, lx, ly, L->legend_w, rows * LEGEND_ROW + 8, 0xffffff, 1, 0xbbbbbb, 0.8);
    int r = 0;
    for (int s = 0; s < f->n_series; s++) {
        const plot_series *ps = &f->series[s];
        if (!ps->label[0]) continue;
        double y = ly + 4 + (r + 0.5) * LEGEND_ROW;
        double seg[4] = {lx + 6, y, lx + 30, y};
        b->line(b->ctx, 2, seg, plot_palette(ps->color), ps->width > 0 ? ps->width : 1.8, ps->dash);
        b->text(b->ctx, lx + 34, y + 4, ps->label, FS_LEGEND, -1, 0, 0, 0x222222);
        r++;
    }
}

pinn_status plot_render(const plot_figure *f, const plot_backend *b, pinn_error *err) {
    layout L;
    do_layout(f, &L);
    char buf[64];
    b->begin(b->ctx, L.w, L.h);
    b->rect(b->ctx, 0, 0, L.w, L.h, 0xffffff, 1, 0, 0);
    if (f->heat) {
        b->rect(b->ctx, L.ax, L.ay, L.aw, L.ah, 0xeeeeee, 1, 0, 0); /* outside the domain */
        unsigned char *px = heat_pixels(f->heat, L.cmin, L.cmax);
        if (!px) return pinn_error_set(err, PINN_ERR_NOMEM, "out of memory");
        b->image(b->ctx, L.ax, L.ay, L.aw, L.ah, (int)f->heat->nx, (int)f->heat->ny, px);
        free(px);
    }
    /* grid lines and ticks */
    for (int i = 0; i < L.nxt; i++) {
        double x = map_x(f, &L, L.xt[i]);
        if (!f->heat) {
            double g[4] = {x, L.ay, x, L.ay + L.ah};
            b->line(b->ctx, 2, g, 0xe4e4e4, 1, 0);
        }
        double t[4] = {x, L.ay + L.ah, x, L.ay + L.ah + 5};
        b->line(b->ctx, 2, t, 0x222222, 1, 0);
        plot_tick_label(L.xt[i], L.xstep, f->logx, buf, sizeof buf);
        b->text(b->ctx, x, L.ay + L.ah + 8 + FS_TICK, buf, FS_TICK, 0, 0, 0, 0x222222);
    }
    for (int i = 0; i < L.nyt; i++) {
        double y = map_y(f, &L, L.yt[i]);
        if (!f->heat) {
            double g[4] = {L.ax, y, L.ax + L.aw, y};
            b->line(b->ctx, 2, g, 0xe4e4e4, 1, 0);
        }
        double t[4] = {L.ax - 5, y, L.ax, y};
        b->line(b->ctx, 2, t, 0x222222, 1, 0);
        plot_tick_label(L.yt[i], L.ystep, f->logy, buf, sizeof buf);
        b->text(b->ctx, L.ax - 8, y + FS_TICK * 0.36, buf, FS_TICK, 1, 0, 0, 0x222222);
    }
    pinn_status st = draw_series(f, &L, b, err);
    if (st) return st;
    b->rect(b->ctx, L.ax, L.ay, L.aw, L.ah, 0, 0, 0x222222, 1);
    if (f->xlabel[0]) b->text(b->ctx, L.ax + L.aw / 2, L.ay + L.ah + 8 + FS_TICK + 8 + FS_LABEL, f->xlabel, FS_LABEL, 0, 0, 0, 0x111111);
    if (f->ylabel[0]) b->text(b->ctx, 12 + FS_LABEL * 0.8, L.ay + L.ah / 2, f->ylabel, FS_LABEL, 0, 1, 0, 0x111111);
    if (f->title[0]) b->text(b->ctx, L.ax + L.aw / 2, 22, f->title, FS_TITLE, 0, 0, 1, 0x111111);
    if (f->heat) { /* colour bar */
        double cx = L.ax + L.aw + 16, cw = 16;
        unsigned char grad[256 * 4];
        for (int i = 0; i < 256; i++) {
            unsigned c = plot_cmap_color(f->heat->cmap, (255 - i) / 255.0);
            grad[4 * i] = (unsigned char)(c >> 16), grad[4 * i + 1] = (unsigned char)(c >> 8), grad[4 * i + 2] = (unsigned char)c;
            grad[4 * i + 3] = 255;
        }
        b->image(b->ctx, cx, L.ay, cw, L.ah, 1, 256, grad);
        b->rect(b->ctx, cx, L.ay, cw, L.ah, 0, 0, 0x222222, 1);
        double lw = 0;
        for (int i = 0; i < L.nct; i++) {
            double y = L.ay + L.ah - (L.ct[i] - L.cmin) / (L.cmax - L.cmin) * L.ah;
            double t[4] = {cx + cw, y, cx + cw + 4, y};
            b->line(b->ctx, 2, t, 0x222222, 1, 0);
            plot_tick_label(L.ct[i], L.cstep, 0, buf, sizeof buf);
            lw = fmax(lw, text_w(buf, FS_TICK));
            b->text(b->ctx, cx + cw + 6, y + FS_TICK * 0.36, buf, FS_TICK, -1, 0, 0, 0x222222);
        }
        if (f->heat->cbar_label[0])
            b->text(b->ctx, cx + cw + 6 + lw + 8 + FS_LABEL * 0.8, L.ay + L.ah / 2, f->heat->cbar_label, FS_LABEL, 0, 1, 0,
                    0x111111);
    }
    draw_legend(f, &L, b);
    b->end(b->ctx);
    return PINN_OK;
}
