/* rbuf.h - internal helpers of the report layer: a growing text/byte buffer with printf-style
 * appends, base64 encoding, and an in-memory PNG encoder (RGBA) used to embed raster images in
 * SVG figures and HTML pages.  No dependency: PNG data is deflate-compressed with zlib when the
 * build has it, else stored in uncompressed deflate blocks (valid PNG either way). */
#ifndef PINN_REPORT_RBUF_H
#define PINN_REPORT_RBUF_H

#include <stddef.h>

#include "pinnc/core.h"

/* A growing byte buffer; data is NUL-terminated after every append.  oom is set (and further
 * appends ignored) when an allocation fails, so callers check once at the end. */
typedef struct rp_buf {
    char *data;
    size_t len, cap;
    int oom;
} rp_buf;

void rp_buf_init(rp_buf *b);
void rp_buf_free(rp_buf *b);
/* Append n bytes. */
void rp_buf_put(rp_buf *b, const void *p, size_t n);
/* Append a NUL-terminated string. */
void rp_buf_puts(rp_buf *b, const char *s);
/* Append printf-style text. */
void rp_buf_printf(rp_buf *b, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
/* Append s with the XML/HTML special characters (& < > " ') escaped. */
void rp_buf_xml(rp_buf *b, const char *s);
/* Append the base64 encoding of n bytes. */
void rp_buf_base64(rp_buf *b, const void *p, size_t n);

/* Encode a w x h RGBA image (row 0 at the top, 4 bytes per pixel) as a PNG file image into out
 * (appended).  Returns PINN_ERR_NOMEM on allocation failure. */
pinn_status rp_png_encode(rp_buf *out, int w, int h, const unsigned char *rgba, pinn_error *err);

/* Read a whole file into b (appended); PINN_ERR_IO names the path. */
pinn_status rp_file_read(rp_buf *b, const char *path, pinn_error *err);

#endif
