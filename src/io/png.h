/* png.h - minimal PNG output (RGB, zlib-compressed) for pictures of runs: heatmaps of fields on
 * 2-D grids and overlaid histograms.  Built only with zlib (PINN_HAVE_ZLIB). */
#ifndef PINN_IO_PNG_H
#define PINN_IO_PNG_H

#include <stddef.h>

#include "pinnc/core.h"

/* An RGB canvas, row-major, 3 bytes per pixel. */
typedef struct pinn_canvas {
    int w, h;
    unsigned char *rgb;
} pinn_canvas;

pinn_status pinn_canvas_init(pinn_canvas *c, int w, int h, pinn_error *err);
void pinn_canvas_free(pinn_canvas *c);
void pinn_canvas_rect(pinn_canvas *c, int x0, int y0, int x1, int y1, const unsigned char *rgb, double alpha);
/* Write the canvas as a PNG file atomically (PINN_ERR_UNSUPPORTED without zlib). */
pinn_status pinn_png_write(const char *path, const pinn_canvas *c, pinn_error *err);

/* Heatmap of a ny x nx array (row 0 at the bottom), NaN drawn grey, scaled to about 512 pixels on
 * the long side, with a colour bar; symmetric: colour range [-m, m] with m = max |v|. */
pinn_status pinn_png_heatmap(const char *path, size_t ny, size_t nx, const double *v, int symmetric, pinn_error *err);

/* Overlaid histograms: n_series series of n_bins counts, drawn as translucent bars. */
pinn_status pinn_png_histograms(const char *path, int n_series, int n_bins, const long *counts, pinn_error *err);

#endif
