/* plot_svg.c - the SVG backend of the plotting module: text stays text (<text>), rasters (heatmaps,
 * colour bars) are embedded as base64 PNG <image> elements, so one .svg file stands alone. */
#include <stdio.h>
#include <string.h>

#include "report/plot.h"

typedef struct svg_ctx {
    rp_buf *out;
    int clip_id, clipped;
    pinn_error *err;
    pinn_status st;
} svg_ctx;

static void svg_begin(void *c, double w, double h) {
    svg_ctx *s = c;
    rp_buf_printf(s->out,
                  "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\" "
                  "font-family=\"DejaVu Sans, Liberation Sans, Arial, Helvetica, sans-serif\">\n",
                  w, h, w, h);
}

static const char *dash_attr(int dash) {
    return dash == 1 ? " stroke-dasharray=\"6 4\"" : dash == 2 ? " stroke-dasharray=\"1.5 3\"" : "";
}

static void svg_line(void *c, int n, const double *xy, unsigned color, double width, int dash) {
    svg_ctx *s = c;
    rp_buf_printf(s->out, "<polyline fill=\"none\" stroke=\"#%06x\" stroke-width=\"%.2g\" stroke-linejoin=\"round\"%s points=\"",
                  color, width, dash_attr(dash));
    for (int i = 0; i < n; i++) rp_buf_printf(s->out, "%s%.2f,%.2f", i ? " " : "", xy[2 * i], xy[2 * i + 1]);
    rp_buf_puts(s->out, "\"/>\n");
}

static void svg_rect(void *c, double x, double y, double w, double h, unsigned fill, int has_fill, unsigned stroke,
                     double sw) {
    svg_ctx *s = c;
    rp_buf_printf(s->out, "<rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\"", x, y, w, h);
    if (has_fill) rp_buf_printf(s->out, " fill=\"#%06x\"", fill);
    else rp_buf_puts(s->out, " fill=\"none\"");
    if (sw > 0) rp_buf_printf(s->out, " stroke=\"#%06x\" stroke-width=\"%.2g\"", stroke, sw);
    rp_buf_puts(s->out, "/>\n");
}

static void svg_text(void *c, double x, double y, const char *t, double size, int anchor, int rotate, int bold,
                     unsigned color) {
    svg_ctx *s = c;
    rp_buf_printf(s->out, "<text x=\"%.2f\" y=\"%.2f\" font-size=\"%.1f\" fill=\"#%06x\" text-anchor=\"%s\"%s", x, y, size,
                  color, anchor < 0 ? "start" : anchor > 0 ? "end" : "middle", bold ? " font-weight=\"bold\"" : "");
    if (rotate) rp_buf_printf(s->out, " transform=\"rotate(-90 %.2f %.2f)\"", x, y);
    rp_buf_puts(s->out, ">");
    rp_buf_xml(s->out, t);
    rp_buf_puts(s->out, "</text>\n");
}

static void svg_image(void *c, double x, double y, double w, double h, int iw, int ih, const unsigned char *rgba) {
    svg_ctx *s = c;
    rp_buf png;
    rp_buf_init(&png);
    pinn_status st = rp_png_encode(&png, iw, ih, rgba, s->err);
    if (st) {
        s->st = st;
        rp_buf_free(&png);
        return;
    }
    rp_buf_printf(s->out, "<image x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\" preserveAspectRatio=\"none\" href=\"data:image/png;base64,",
                  x, y, w, h);
    rp_buf_base64(s->out, png.data, png.len);
    rp_buf_puts(s->out, "\"/>\n");
    rp_buf_free(&png);
}

static void svg_clip(void *c, double x, double y, double w, double h) {
    svg_ctx *s = c;
    if (s->clipped) rp_buf_puts(s->out, "</g>\n");
    s->clipped = 0;
    if (w <= 0) return;
    s->clip_id++;
    rp_buf_printf(s->out, "<clipPath id=\"c%d\"><rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\"/></clipPath>\n<g clip-path=\"url(#c%d)\">\n",
                  s->clip_id, x, y, w, h, s->clip_id);
    s->clipped = 1;
}

static void svg_end(void *c) {
    svg_ctx *s = c;
    if (s->clipped) rp_buf_puts(s->out, "</g>\n");
    rp_buf_puts(s->out, "</svg>\n");
}

pinn_status plot_svg(const plot_figure *f, rp_buf *out, pinn_error *err) {
    svg_ctx s = {out, 0, 0, err, PINN_OK};
    plot_backend b = {&s, svg_begin, svg_line, svg_rect, svg_text, svg_image, svg_clip, svg_end};
    pinn_status st = plot_render(f, &b, err);
    if (!st) st = s.st;
    if (!st && out->oom) st = pinn_error_set(err, PINN_ERR_NOMEM, "out of memory");
    return st;
}
