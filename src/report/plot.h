/* plot.h - a small plotting module for run reports: one figure = one set of axes with a title,
 * axis names, ticks and tick labels, either line series (linear or log scale, legend) or a
 * heatmap of a 2-D field with a colour bar carrying values.  Figures are drawn through a backend
 * (plot_svg.c: dependency-free SVG with text as SVG text; plot_cairo.c: PNG through cairo when
 * the build has PINN_HAVE_CAIRO).  Data arrays are borrowed, not copied. */
#ifndef PINN_REPORT_PLOT_H
#define PINN_REPORT_PLOT_H

#include <stddef.h>

#include "pinnc/core.h"
#include "report/rbuf.h"

#define PLOT_MAX_SERIES 40
#define PLOT_MAX_VLINES 8

typedef struct plot_series {
    const double *x, *y; /* n points; non-finite (or, on a log axis, non-positive) values break the line */
    size_t n;
    char label[80];
    int color;           /* index into the palette (plot_palette; negative: near-black) */
    int dash;            /* 0 solid, 1 dashed, 2 dotted */
    double width;        /* line width in pixels (0: 1.6) */
    int markers;         /* 1: draw a dot at every point */
    const double *cval;  /* non-NULL: a scatter (no line), dot i coloured by cval[i] in [cmin, cmax] (viridis) */
    double cmin, cmax;
} plot_series;

typedef enum plot_cmap { PLOT_CMAP_VIRIDIS = 0, PLOT_CMAP_DIVERGING } plot_cmap;

typedef struct plot_heatmap {
    const double *v;     /* ny x nx values, v[iy*nx + ix], iy = 0 at the bottom (lowest y); NaN: outside */
    size_t nx, ny;
    double x0, x1, y0, y1; /* coordinates of the first and last column / row centres */
    plot_cmap cmap;      /* DIVERGING: range [-m, m] with m = max |v| */
    char cbar_label[80];
    double vmin, vmax;   /* colour range when vmin < vmax (e.g. shared by solution and reference) */
} plot_heatmap;

typedef struct plot_figure {
    char title[200], xlabel[80], ylabel[80];
    double area_w, area_h; /* plot area in pixels (0: 520 x 300); the figure adds margins */
    int logx, logy;
    int n_series;
    plot_series series[PLOT_MAX_SERIES];
    int n_vlines;          /* vertical marker lines (e.g. where L-BFGS starts) */
    double vline_x[PLOT_MAX_VLINES];
    char vline_label[PLOT_MAX_VLINES][40];
    const plot_heatmap *heat; /* non-NULL: a heatmap figure (series are drawn on top) */
    int legend_inside;     /* 1: legend in the upper right of the plot area, else to the right */
    double xmin, xmax, ymin, ymax; /* fixed ranges where xmin < xmax (ymin < ymax); else automatic */
} plot_figure;

/* Drawing operations of a backend, in figure pixels (origin top left, y down).  Colours are
 * 0xRRGGBB; text anchor -1 start, 0 middle, 1 end; rotate 1 = text runs upwards. */
typedef struct plot_backend {
    void *ctx;
    void (*begin)(void *ctx, double w, double h);
    void (*line)(void *ctx, int n, const double *xy, unsigned color, double width, int dash);
    void (*rect)(void *ctx, double x, double y, double w, double h, unsigned fill, int has_fill, unsigned stroke,
                 double stroke_w);
    void (*text)(void *ctx, double x, double y, const char *s, double size, int anchor, int rotate, int bold,
                 unsigned color);
    /* an RGBA image of iw x ih pixels (row 0 at the top) stretched over the rectangle */
    void (*image)(void *ctx, double x, double y, double w, double h, int iw, int ih, const unsigned char *rgba);
    void (*clip)(void *ctx, double x, double y, double w, double h); /* w <= 0: remove the clip */
    void (*end)(void *ctx);
} plot_backend;

/* Colour i of the line palette (ten distinct colours, repeating); i < 0: near-black. */
unsigned plot_palette(int i);
/* Colour of t in [0, 1] in a colour map. */
unsigned plot_cmap_color(plot_cmap m, double t);

/* Size in pixels of the whole figure (plot area plus margins). */
void plot_figure_size(const plot_figure *f, double *w, double *h);
/* Draw the figure through the backend.  Returns PINN_ERR_NOMEM on allocation failure. */
pinn_status plot_render(const plot_figure *f, const plot_backend *b, pinn_error *err);

/* Tick positions for [lo, hi]: about `target` "nice" values (1, 2, 5 x 10^k) on a linear axis,
 * powers of ten (with 2 and 5 inside a single decade) on a log axis.  Returns the count (<= max). */
int plot_ticks(double lo, double hi, int logscale, int target, double *ticks, int max);
/* Tick label text for v given the spacing of neighbouring ticks. */
void plot_tick_label(double v, double step, int logscale, char *buf, size_t n);

/* Render to an SVG document appended to out. */
pinn_status plot_svg(const plot_figure *f, rp_buf *out, pinn_error *err);
/* Render to a PNG file image appended to out through cairo at `scale` x the figure size;
 * PINN_ERR_UNSUPPORTED in builds without cairo. */
pinn_status plot_cairo_png(const plot_figure *f, double scale, rp_buf *out, pinn_error *err);

#endif
