/* rbuf.c - the report layer's growing buffer, base64, in-memory PNG encoding and file slurping. */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef PINN_HAVE_ZLIB
#include <zlib.h>
#endif

#include "report/rbuf.h"

void rp_buf_init(rp_buf *b) { memset(b, 0, sizeof *b); }

void rp_buf_free(rp_buf *b) {
    free(b->data);
    memset(b, 0, sizeof *b);
}

/* Make room for n more bytes plus the terminating NUL; 0 on failure (oom set). */
static int reserve(rp_buf *b, size_t n) {
    if (b->oom) return 0;
    if (b->len + n + 1 <= b->cap) return 1;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + n + 1) cap *= 2;
    char *d = realloc(b->data, cap);
    if (!d) {
        b->oom = 1;
        return 0;
    }
    b->data = d, b->cap = cap;
    return 1;
}

void rp_buf_put(rp_buf *b, const void *p, size_t n) {
    if (!reserve(b, n)) return;
    if (n) memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void rp_buf_puts(rp_buf *b, const char *s) { rp_buf_put(b, s, strlen(s)); }

void rp_buf_printf(rp_buf *b, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    char small[256];
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0) return;
    if ((size_t)n < sizeof small) {
        rp_buf_put(b, small, (size_t)n);
        return;
    }
    if (!reserve(b, (size_t)n)) return;
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

void rp_buf_xml(rp_buf *b, const char *s) {
    for (; *s; s++) {
        switch (*s) {
        case '&': rp_buf_puts(b, "&amp;"); break;
        case '<': rp_buf_puts(b, "&lt;"); break;
        case '>': rp_buf_puts(b, "&gt;"); break;
        case '"': rp_buf_puts(b, "&quot;"); break;
        case '\'': rp_buf_puts(b, "&#39;"); break;
        default: rp_buf_put(b, s, 1);
        }
    }
}

void rp_buf_base64(rp_buf *b, const void *p, size_t n) {
    static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    const unsigned char *s = p;
    if (!reserve(b, (n + 2) / 3 * 4)) return;
    char *o = b->data + b->len;
    size_t i = 0;
    for (; i + 3 <= n; i += 3) {
        uint32_t v = (uint32_t)s[i] << 16 | (uint32_t)s[i + 1] << 8 | s[i + 2];
        *o++ = tab[v >> 18], *o++ = tab[(v >> 12) & 63], *o++ = tab[(v >> 6) & 63], *o++ = tab[v & 63];
    }
    if (i < n) {
        uint32_t v = (uint32_t)s[i] << 16 | (i + 1 < n ? (uint32_t)s[i + 1] << 8 : 0);
        *o++ = tab[v >> 18], *o++ = tab[(v >> 12) & 63];
        *o++ = i + 1 < n ? tab[(v >> 6) & 63] : '=';
        *o++ = '=';
    }
    b->len = (size_t)(o - b->data);
    b->data[b->len] = '\0';
}

static uint32_t crc_update(uint32_t c, const unsigned char *p, size_t n) {
    for (size_t i = 0; i < n; i++) {
        c ^= p[i];
        for (int k = 0; k < 8; k++) c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1u)));
    }
    return c;
}

static void put_be32(rp_buf *b, uint32_t v) {
    unsigned char q[4] = {(unsigned char)(v >> 24), (unsigned char)(v >> 16), (unsigned char)(v >> 8), (unsigned char)v};
    rp_buf_put(b, q, 4);
}

/* One PNG chunk: length, type, data, CRC over type and data. */
static void put_chunk(rp_buf *b, const char *type, const unsigned char *data, size_t n) {
    put_be32(b, (uint32_t)n);
    rp_buf_put(b, type, 4);
    rp_buf_put(b, data, n);
    uint32_t c = crc_update(0xFFFFFFFFu, (const unsigned char *)type, 4);
    c = crc_update(c, data, n);
    put_be32(b, c ^ 0xFFFFFFFFu);
}

/* A zlib stream of raw: compressed with zlib when available, else stored blocks + Adler-32. */
static pinn_status zlib_stream(rp_buf *z, const unsigned char *raw, size_t n, pinn_error *err) {
#ifdef PINN_HAVE_ZLIB
    uLongf cap = compressBound((uLong)n);
    unsigned char *o = malloc(cap);
    if (!o) return pinn_error_set(err, PINN_ERR_NOMEM, "out of memory");
    if (compress2(o, &cap, raw, (uLong)n, 6) != Z_OK) {
        free(o);
        return pinn_error_set(err, PINN_ERR_NOMEM, "PNG compression failed");
    }
    rp_buf_put(z, o, cap);
    free(o);
#else
    unsigned char hdr[2] = {0x78, 0x01};
    rp_buf_put(z, hdr, 2);
    size_t off = 0;
    do {
        size_t m = n - off < 65535 ? n - off : 65535;
        unsigned char bh[5] = {(unsigned char)(off + m == n), (unsigned char)(m & 255), (unsigned char)(m >> 8),
                               (unsigned char)(~m & 255), (unsigned char)((~m >> 8) & 255)};
        rp_buf_put(z, bh, 5);
        rp_buf_put(z, raw + off, m);
        off += m;
    } while (off < n);
    uint32_t a = 1, s = 0;
    for (size_t i = 0; i < n; i++) a = (a + raw[i]) % 65521u, s = (s + a) % 65521u;
    put_be32(z, s << 16 | a);
#endif
    return z->oom ? pinn_error_set(err, PINN_ERR_NOMEM, "out of memory") : PINN_OK;
}

pinn_status rp_png_encode(rp_buf *out, int w, int h, const unsigned char *rgba, pinn_error *err) {
    size_t row = (size_t)w * 4 + 1, n = row * (size_t)h;
    unsigned char *raw = malloc(n ? n : 1);
    if (!raw) return pinn_error_set(err, PINN_ERR_NOMEM, "out of memory");
    for (int y = 0; y < h; y++) {
        raw[(size_t)y * row] = 0; /* filter: none */
        memcpy(raw + (size_t)y * row + 1, rgba + (size_t)y * (size_t)w * 4, (size_t)w * 4);
    }
    rp_buf z;
    rp_buf_init(&z);
    pinn_status st = zlib_stream(&z, raw, n, err);
    free(raw);
    if (st) {
        rp_buf_free(&z);
        return st;
    }
    static const unsigned char sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    rp_buf_put(out, sig, 8);
    unsigned char ihdr[13] = {(unsigned char)(w >> 24), (unsigned char)(w >> 16), (unsigned char)(w >> 8), (unsigned char)w,
                              (unsigned char)(h >> 24), (unsigned char)(h >> 16), (unsigned char)(h >> 8), (unsigned char)h,
                              8, 6, 0, 0, 0};
    put_chunk(out, "IHDR", ihdr, 13);
    put_chunk(out, "IDAT", (const unsigned char *)z.data, z.len);
    put_chunk(out, "IEND", NULL, 0);
    rp_buf_free(&z);
    return out->oom ? pinn_error_set(err, PINN_ERR_NOMEM, "out of memory") : PINN_OK;
}

pinn_status rp_file_read(rp_buf *b, const char *path, pinn_error *err) {
    FILE *f = fopen(path, "rb");
    if (!f) return pinn_error_set(err, PINN_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
    char chunk[8192];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) rp_buf_put(b, chunk, n);
    int bad = ferror(f);
    fclose(f);
    if (bad) return pinn_error_set(err, PINN_ERR_IO, "%s: read error", path);
    return b->oom ? pinn_error_set(err, PINN_ERR_NOMEM, "out of memory") : PINN_OK;
}
