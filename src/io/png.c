/* png.c - a small PNG encoder (RGB, filter 0, zlib) and the run pictures drawn with it. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "io/files.h"
#include "io/png.h"

#ifdef PINN_HAVE_ZLIB
#include <zlib.h>
#endif

pinn_status pinn_canvas_init(pinn_canvas *c, int w, int h, pinn_error *err) {
    c->w = w, c->h = h;
    c->rgb = malloc((size_t)w * (size_t)h * 3);
    if (!c->rgb) return pinn_error_set(err, PINN_ERR_NOMEM, "png: out of memory");
    memset(c->rgb, 255, (size_t)w * (size_t)h * 3);
    return PINN_OK;
}

void pinn_canvas_free(pinn_canvas *c) {
    free(c->rgb);
    c->rgb = NULL;
}

void pinn_canvas_rect(pinn_canvas *c, int x0, int y0, int x1, int y1, const unsigned char *rgb, double alpha) {
    for (int y = y0 < 0 ? 0 : y0; y < y1 && y < c->h; y++)
        for (int x = x0 < 0 ? 0 : x0; x < x1 && x < c->w; x++) {
            unsigned char *p = c->rgb + ((size_t)y * (size_t)c->w + (size_t)x) * 3;
            for (int k = 0; k < 3; k++) p[k] = (unsigned char)lround((1 - alpha) * p[k] + alpha * rgb[k]);
        }
}

#ifdef PINN_HAVE_ZLIB
static void put32(unsigned char *p, unsigned long v) {
    p[0] = (unsigned char)(v >> 24), p[1] = (unsigned char)(v >> 16), p[2] = (unsigned char)(v >> 8), p[3] = (unsigned char)v;
}

static void chunk(FILE *f, const char *type, const unsigned char *data, size_t len) {
    unsigned char b[4];
    put32(b, (unsigned long)len);
    fwrite(b, 1, 4, f);
    fwrite(type, 1, 4, f);
    if (len) fwrite(data, 1, len, f);
    unsigned long crc = crc32(0L, (const Bytef *)type, 4);
    if (len) crc = crc32(crc, data, (uInt)len);
    put32(b, crc);
    fwrite(b, 1, 4, f);
}
#endif

pinn_status pinn_png_write(const char *path, const pinn_canvas *c, pinn_error *err) {
#ifdef PINN_HAVE_ZLIB
    size_t raw_len = (size_t)c->h * ((size_t)c->w * 3 + 1);
    unsigned char *raw = malloc(raw_len);
    uLongf zlen = compressBound((uLong)raw_len);
    unsigned char *z = malloc(zlen);
    if (!raw || !z) {
        free(raw), free(z);
        return pinn_error_set(err, PINN_ERR_NOMEM, "png: out of memory");
    }
    for (int y = 0; y < c->h; y++) {
        unsigned char *row = raw + (size_t)y * ((size_t)c->w * 3 + 1);
        row[0] = 0; /* filter: none */
        memcpy(row + 1, c->rgb + (size_t)y * (size_t)c->w * 3, (size_t)c->w * 3);
    }
    int zr = compress2(z, &zlen, raw, (uLong)raw_len, 6);
    free(raw);
    if (zr != Z_OK) {
        free(z);
        return pinn_error_set(err, PINN_ERR_IO, "%s: compression failed", path);
    }
    pinn_afile a;
    pinn_status st = pinn_afile_open(&a, path, err);
    if (st) {
        free(z);
        return st;
    }
    static const unsigned char sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    fwrite(sig, 1, 8, a.f);
    unsigned char ihdr[13];
    put32(ihdr, (unsigned long)c->w);
    put32(ihdr + 4, (unsigned long)c->h);
    ihdr[8] = 8, ihdr[9] = 2, ihdr[10] = 0, ihdr[11] = 0, ihdr[12] = 0; /* 8-bit RGB */
    chunk(a.f, "IHDR", ihdr, 13);
    chunk(a.f, "IDAT", z, zlen);
    chunk(a.f, "IEND", NULL, 0);
    free(z);
    return pinn_afile_commit(&a, err);
#else
    (void)c;
    return pinn_error_set(err, PINN_ERR_UNSUPPORTED, "%s: built without zlib, no PNG output", path);
#endif
}

/* A perceptually ordered colour ramp through five anchors (dark blue, blue, teal, yellow-green,
 * yellow), or a diverging blue-white-red ramp for signed data. */
static void ramp(double s, int diverging, unsigned char *rgb) {
    static const double seq[5][3] = {{40, 20, 90}, {50, 90, 170}, {30, 160, 150}, {140, 210, 80}, {250, 230, 40}};
    static const double div[3][3] = {{40, 80, 190}, {245, 245, 245}, {200, 40, 40}};
    const double(*a)[3] = diverging ? div : seq;
    int n = diverging ? 3 : 5;
    s = s < 0 ? 0 : s > 1 ? 1 : s;
    double f = s * (n - 1);
    int i = (int)f;
    if (i >= n - 1) i = n - 2;
    double u = f - i;
    for (int k = 0; k < 3; k++) rgb[k] = (unsigned char)lround((1 - u) * a[i][k] + u * a[i + 1][k]);
}

pinn_status pinn_png_heatmap(const char *path, size_t ny, size_t nx, const double *v, int symmetric, pinn_error *err) {
    double lo = INFINITY, hi = -INFINITY;
    for (size_t i = 0; i < nx * ny; i++)
        if (isfinite(v[i])) lo = fmin(lo, v[i]), hi = fmax(hi, v[i]);
    if (!(lo <= hi)) lo = 0, hi = 1;
    if (symmetric) hi = fmax(fabs(lo), fabs(hi)), lo = -hi;
    if (hi == lo) hi = lo + 1;
    int scale = (int)(512 / (nx > ny ? nx : ny));
    if (scale < 1) scale = 1;
    int W = (int)nx * scale, H = (int)ny * scale, bar = 24;
    pinn_canvas c;
    pinn_status st = pinn_canvas_init(&c, W + bar + 8, H, err);
    if (st) return st;
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++) {
            double val = v[(size_t)(ny - 1 - (size_t)(y / scale)) * nx + (size_t)(x / scale)];
            unsigned char *p = c.rgb + ((size_t)y * (size_t)c.w + (size_t)x) * 3;
            if (isfinite(val)) ramp((val - lo) / (hi - lo), symmetric, p);
            else p[0] = p[1] = p[2] = 200;
        }
    for (int y = 0; y < H; y++) /* colour bar, high values at the top */
        for (int x = W + 8; x < W + 8 + bar; x++) ramp(1.0 - (double)y / (H - 1 > 0 ? H - 1 : 1), symmetric, c.rgb + ((size_t)y * (size_t)c.w + (size_t)x) * 3);
    st = pinn_png_write(path, &c, err);
    pinn_canvas_free(&c);
    return st;
}

pinn_status pinn_png_histograms(const char *path, int n_series, int n_bins, const long *counts, pinn_error *err) {
    static const unsigned char col[6][3] = {{30, 90, 200}, {220, 80, 30}, {40, 160, 60}, {150, 60, 170}, {200, 170, 0}, {90, 90, 90}};
    long mx = 1;
    for (int i = 0; i < n_series * n_bins; i++) mx = counts[i] > mx ? counts[i] : mx;
    int bw = 8, W = n_bins * bw, H = 320;
    pinn_canvas c;
    pinn_status st = pinn_canvas_init(&c, W, H, err);
    if (st) return st;
    for (int s = 0; s < n_series; s++)
        for (int b = 0; b < n_bins; b++) {
            int h = (int)lround((double)counts[(size_t)s * (size_t)n_bins + (size_t)b] / (double)mx * (H - 10));
            pinn_canvas_rect(&c, b * bw, H - h, (b + 1) * bw, H, col[s % 6], 0.45);
        }
    st = pinn_png_write(path, &c, err);
    pinn_canvas_free(&c);
    return st;
}
