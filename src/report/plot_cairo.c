/* plot_cairo.c - the cairo backend of the plotting module: antialiased PNG figures with real font
 * metrics (text anchored by its measured extents).  Compiled to a stub returning
 * PINN_ERR_UNSUPPORTED in builds without cairo (PINN_WITH_CAIRO=OFF or not found). */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "report/plot.h"

#ifdef PINN_HAVE_CAIRO
#include <cairo.h>

typedef struct cr_ctx {
    cairo_t *cr;
    cairo_surface_t *surf;
    double scale;
    int failed;
} cr_ctx;

static void set_rgb(cairo_t *cr, unsigned c) {
    cairo_set_source_rgb(cr, ((c >> 16) & 255) / 255.0, ((c >> 8) & 255) / 255.0, (c & 255) / 255.0);
}

static void cr_begin(void *c, double w, double h) {
    cr_ctx *s = c;
    s->surf = cairo_image_surface_create(CAIRO_FORMAT_RGB24, (int)ceil(w * s->scale), (int)ceil(h * s->scale));
    s->cr = cairo_create(s->surf);
    cairo_scale(s->cr, s->scale, s->scale);
    cairo_select_font_face(s->cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
}

static void set_dash(cairo_t *cr, int dash) {
    static const double d1[2] = {6, 4}, d2[2] = {1.5, 3};
    if (dash == 1) cairo_set_dash(cr, d1, 2, 0);
    else if (dash == 2) cairo_set_dash(cr, d2, 2, 0);
    else cairo_set_dash(cr, NULL, 0, 0);
}

static void cr_line(void *c, int n, const double *xy, unsigned color, double width, int dash) {
    cr_ctx *s = c;
    if (n < 2) return;
    cairo_move_to(s->cr, xy[0], xy[1]);
    for (int i = 1; i < n; i++) cairo_line_to(s->cr, xy[2 * i], xy[2 * i + 1]);
    set_rgb(s->cr, color);
    cairo_set_line_width(s->cr, width);
    cairo_set_line_join(s->cr, CAIRO_LINE_JOIN_ROUND);
    set_dash(s->cr, dash);
    cairo_stroke(s->cr);
    set_dash(s->cr, 0);
}

static void cr_rect(void *c, double x, double y, double w, double h, unsigned fill, int has_fill, unsigned stroke, double sw) {
    cr_ctx *s = c;
    cairo_rectangle(s->cr, x, y, w, h);
    if (has_fill) {
        set_rgb(s->cr, fill);
        if (sw > 0) cairo_fill_preserve(s->cr);
        else cairo_fill(s->cr);
    }
    if (sw > 0) {
        set_rgb(s->cr, stroke);
        cairo_set_line_width(s->cr, sw);
        cairo_stroke(s->cr);
    }
    cairo_new_path(s->cr);
}

static void cr_text(void *c, double x, double y, const char *t, double size, int anchor, int rotate, int bold,
                    unsigned color) {
    cr_ctx *s = c;
    cairo_save(s->cr);
    cairo_select_font_face(s->cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL, bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size(s->cr, size);
    cairo_text_extents_t e;
    cairo_text_extents(s->cr, t, &e);
    cairo_translate(s->cr, x, y);
    if (rotate) cairo_rotate(s->cr, -1.5707963267948966);
    double dx = anchor < 0 ? 0 : anchor > 0 ? -e.x_advance : -e.x_advance / 2;
    cairo_move_to(s->cr, dx, 0);
    set_rgb(s->cr, color);
    cairo_show_text(s->cr, t);
    cairo_restore(s->cr);
}

static void cr_image(void *c, double x, double y, double w, double h, int iw, int ih, const unsigned char *rgba) {
    cr_ctx *s = c;
    cairo_surface_t *img = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, iw, ih);
    if (cairo_surface_status(img) != CAIRO_STATUS_SUCCESS) {
        s->failed = 1;
        cairo_surface_destroy(img);
        return;
    }
    cairo_surface_flush(img);
    unsigned char *d = cairo_image_surface_get_data(img);
    int stride = cairo_image_surface_get_stride(img);
    for (int r = 0; r < ih; r++)
        for (int q = 0; q < iw; q++) { /* premultiplied native-endian ARGB */
            const unsigned char *p = rgba + ((size_t)r * (size_t)iw + (size_t)q) * 4;
            unsigned a = p[3];
            uint32_t v = a << 24 | (p[0] * a / 255) << 16 | (p[1] * a / 255) << 8 | (p[2] * a / 255);
            memcpy(d + (size_t)r * (size_t)stride + (size_t)q * 4, &v, 4);
        }
    cairo_surface_mark_dirty(img);
    cairo_save(s->cr);
    cairo_rectangle(s->cr, x, y, w, h);
    cairo_clip(s->cr);
    cairo_translate(s->cr, x, y);
    cairo_scale(s->cr, w / iw, h / ih);
    cairo_set_source_surface(s->cr, img, 0, 0);
    cairo_pattern_set_filter(cairo_get_source(s->cr), CAIRO_FILTER_BILINEAR);
    cairo_pattern_set_extend(cairo_get_source(s->cr), CAIRO_EXTEND_PAD);
    cairo_paint(s->cr);
    cairo_restore(s->cr);
    cairo_surface_destroy(img);
}

static void cr_clip(void *c, double x, double y, double w, double h) {
    cr_ctx *s = c;
    cairo_reset_clip(s->cr);
    if (w <= 0) return;
    cairo_rectangle(s->cr, x, y, w, h);
    cairo_clip(s->cr);
}

static void cr_end(void *c) { (void)c; }

static cairo_status_t write_buf(void *closure, const unsigned char *data, unsigned int len) {
    rp_buf *b = closure;
    rp_buf_put(b, data, len);
    return b->oom ? CAIRO_STATUS_NO_MEMORY : CAIRO_STATUS_SUCCESS;
}

pinn_status plot_cairo_png(const plot_figure *f, double scale, rp_buf *out, pinn_error *err) {
    cr_ctx s = {NULL, NULL, scale > 0 ? scale : 1, 0};
    plot_backend b = {&s, cr_begin, cr_line, cr_rect, cr_text, cr_image, cr_clip, cr_end};
    pinn_status st = plot_render(f, &b, err);
    if (!st && (s.failed || cairo_status(s.cr) != CAIRO_STATUS_SUCCESS))
        st = pinn_error_set(err, PINN_ERR_NOMEM, "cairo drawing failed: %s", cairo_status_to_string(cairo_status(s.cr)));
    if (!st) {
        cairo_surface_flush(s.surf);
        if (cairo_surface_write_to_png_stream(s.surf, write_buf, out) != CAIRO_STATUS_SUCCESS)
            st = pinn_error_set(err, PINN_ERR_NOMEM, "cairo PNG encoding failed");
    }
    if (s.cr) cairo_destroy(s.cr);
    if (s.surf) cairo_surface_destroy(s.surf);
    return st;
}
#else
pinn_status plot_cairo_png(const plot_figure *f, double scale, rp_buf *out, pinn_error *err) {
    (void)f, (void)scale, (void)out;
    return pinn_error_set(err, PINN_ERR_UNSUPPORTED, "built without cairo (no PNG figures)");
}
#endif
