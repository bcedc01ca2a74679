/* npy.c - reading data tables from NumPy files: .npy (version 1-3 headers, little-endian float64,
 * float32, int64 or int32, C or Fortran order, 1-D or 2-D) and .npz archives of 1-D arrays (zip
 * entries stored, or deflated when the library is built with zlib).  The result is the numeric
 * table of csv.h, so data conditions read every format the same way. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>
#ifdef PINN_HAVE_ZLIB
#include <zlib.h>
#endif

#include "problem/csv.h"

#define NPY_MAX_BYTES (1L << 30)

static unsigned long le(const unsigned char *b, int n) {
    unsigned long v = 0;
    for (int i = n - 1; i >= 0; i--) v = (v << 8) | b[i];
    return v;
}

/* One parsed array: values as doubles, shape (rows, cols) with cols = 1 for 1-D. */
typedef struct npy_arr {
    size_t rows, cols;
    double *v; /* row-major */
} npy_arr;

/* Parses the .npy image buf[0..n) into *a; what names the source in messages. */
static pinn_status npy_parse(const unsigned char *buf, size_t n, const char *what, npy_arr *a, pinn_error *err) {
    memset(a, 0, sizeof *a);
    if (n < 10 || memcmp(buf, "\x93NUMPY", 6))
        return pinn_error_set(err, PINN_ERR_PARSE, "%s: not a .npy array (no \\x93NUMPY magic)", what);
    int major = buf[6];
    if (major >= 2 && n < 12) return pinn_error_set(err, PINN_ERR_PARSE, "%s: truncated .npy header", what);
    size_t hl = major == 1 ? le(buf + 8, 2) : le(buf + 8, 4), h0 = major == 1 ? 10 : 12;
    if (major < 1 || major > 3 || h0 + hl > n)
        return pinn_error_set(err, PINN_ERR_PARSE, "%s: unsupported or truncated .npy header", what);
    char hdr[1024];
    snprintf(hdr, sizeof hdr, "%.*s", (int)(hl < sizeof hdr - 1 ? hl : sizeof hdr - 1), (const char *)buf + h0);
    const char *ds = strstr(hdr, "'descr'"), *fo = strstr(hdr, "'fortran_order'"), *sh = strstr(hdr, "'shape'");
    if (!ds || !fo || !sh) return pinn_error_set(err, PINN_ERR_PARSE, "%s: .npy header without descr, fortran_order or shape", what);
    ds = strchr(ds + 7, '\'');
    int size = 0, isint = 0;
    if (ds && (!strncmp(ds, "'<f8'", 5) || !strncmp(ds, "'|f8'", 5))) size = 8;
    else if (ds && !strncmp(ds, "'<f4'", 5)) size = 4;
    else if (ds && !strncmp(ds, "'<i8'", 5)) size = 8, isint = 1;
    else if (ds && !strncmp(ds, "'<i4'", 5)) size = 4, isint = 1;
    if (!size)
        return pinn_error_set(err, PINN_ERR_PARSE, "%s: unsupported dtype (expected little-endian float64, float32, int64 or int32)", what);
    int fortran = strstr(fo, "True") && (!strstr(fo, "False") || strstr(fo, "True") < strstr(fo, "False"));
    const char *lp = strchr(sh, '(');
    if (!lp) return pinn_error_set(err, PINN_ERR_PARSE, "%s: .npy shape is not a tuple", what);
    long dims[3] = {0, 0, 0};
    int nd = 0;
    for (const char *c = lp + 1; *c && *c != ')';) {
        while (*c == ' ' || *c == ',') c++;
        if (*c == ')') break;
        char *end;
        long v = strtol(c, &end, 10);
        if (end == c || v < 0 || nd == 3) return pinn_error_set(err, PINN_ERR_PARSE, "%s: bad .npy shape", what);
        dims[nd++] = v;
        c = end;
    }
    if (nd < 1 || nd > 2) return pinn_error_set(err, PINN_ERR_PARSE, "%s: expected a 1-D or 2-D array (got %d dimensions)", what, nd);
    a->rows = (size_t)dims[0];
    a->cols = nd == 2 ? (size_t)dims[1] : 1;
    size_t cnt = a->rows * a->cols, off = h0 + hl;
    if (a->cols && cnt / a->cols != a->rows) return pinn_error_set(err, PINN_ERR_PARSE, "%s: shape too large", what);
    if (cnt > (n - off) / (size_t)size) return pinn_error_set(err, PINN_ERR_PARSE, "%s: truncated .npy data", what);
    a->v = malloc(sizeof(double) * (cnt ? cnt : 1));
    if (!a->v) return pinn_error_set(err, PINN_ERR_NOMEM, "%s: out of memory", what);
    for (size_t i = 0; i < cnt; i++) {
        const unsigned char *b = buf + off + i * (size_t)size;
        double x;
        if (isint) {
            uint64_t u = le(b, size);
            x = size == 8 ? (double)(int64_t)u : (double)(int32_t)(uint32_t)u;
        } else if (size == 8) {
            uint64_t u = (uint64_t)le(b, 4) | ((uint64_t)le(b + 4, 4) << 32);
            memcpy(&x, &u, 8);
        } else {
            uint32_t u = (uint32_t)le(b, 4);
            float f;
            memcpy(&f, &u, 4);
            x = f;
        }
        size_t r = fortran ? i % a->rows : i / a->cols, c = fortran ? i / a->rows : i % a->cols;
        a->v[r * a->cols + c] = x;
    }
    return PINN_OK;
}

static pinn_status slurp(const char *path, unsigned char **buf, size_t *n, pinn_error *err) {
    FILE *f = fopen(path, "rb");
    if (!f) return pinn_error_set(err, PINN_ERR_IO, "%s: cannot open", path);
    long sz = -1;
    if (!fseek(f, 0, SEEK_END)) sz = ftell(f);
    if (sz < 0 || sz > NPY_MAX_BYTES || fseek(f, 0, SEEK_SET)) {
        fclose(f);
        return pinn_error_set(err, PINN_ERR_IO, "%s: cannot read (or larger than 1 GiB)", path);
    }
    *buf = malloc((size_t)sz + 1);
    if (!*buf) {
        fclose(f);
        return pinn_error_set(err, PINN_ERR_NOMEM, "%s: out of memory", path);
    }
    *n = fread(*buf, 1, (size_t)sz, f);
    fclose(f);
    if (*n != (size_t)sz) {
        free(*buf);
        return pinn_error_set(err, PINN_ERR_IO, "%s: short read", path);
    }
    return PINN_OK;
}

/* The table from k arrays of equal length (columns named names[c]); checks the values are finite. */
static pinn_status to_table(const char *path, int k, npy_arr *arr, char names[][64], pinn_csv_table *t, pinn_error *err) {
    size_t rows = arr[0].rows, ncols = 0;
    for (int i = 0; i < k; i++) {
        if (arr[i].rows != rows)
            return pinn_error_set(err, PINN_ERR_PARSE, "%s: arrays of different lengths (%zu and %zu rows)", path, rows, arr[i].rows);
        ncols += arr[i].cols;
    }
    if (!rows) return pinn_error_set(err, PINN_ERR_PARSE, "%s: no data rows", path);
    size_t chars = 0;
    for (size_t c = 0; c < ncols; c++) chars += strlen(names[c]) + 1;
    t->names = malloc(sizeof *t->names * ncols + chars); /* one block, as pinn_csv_free expects */
    t->data = malloc(sizeof(double) * rows * ncols);
    if (!t->names || !t->data) return pinn_error_set(err, PINN_ERR_NOMEM, "%s: out of memory", path);
    char *sp = (char *)(t->names + ncols);
    for (size_t c = 0; c < ncols; c++) {
        t->names[c] = sp;
        strcpy(sp, names[c]);
        sp += strlen(names[c]) + 1;
    }
    t->nrows = rows, t->ncols = ncols;
    size_t c0 = 0;
    for (int i = 0; i < k; i++) {
        for (size_t c = 0; c < arr[i].cols; c++) {
            for (size_t r = 0; r < rows; r++) {
                double x = arr[i].v[r * arr[i].cols + c];
                if (!isfinite(x))
                    return pinn_error_set(err, PINN_ERR_PARSE, "%s: column '%s', row %zu is not finite", path, names[c0 + c], r + 1);
                t->data[r * ncols + c0 + c] = x;
            }
        }
        c0 += arr[i].cols;
    }
    return PINN_OK;
}

#define NPZ_MAX_ARRAYS 16

/* The entries of a zip archive (.npz) into arrays named after their entry names. */
static pinn_status npz_read(const char *path, const unsigned char *z, size_t n, npy_arr *arr, char names[][64], int *k,
                            pinn_error *err) {
    size_t e = n >= 22 ? n - 22 : 0;
    for (;; e--) {
        if (n >= 22 && le(z + e, 4) == 0x06054b50UL) break;
        if (e == 0 || n - e > 65557) return pinn_error_set(err, PINN_ERR_PARSE, "%s: not a zip (.npz) archive", path);
    }
    size_t nent = le(z + e + 10, 2), cd = le(z + e + 16, 4);
    *k = 0;
    for (size_t i = 0; i < nent; i++) {
        if (cd + 46 > n || le(z + cd, 4) != 0x02014b50UL) return pinn_error_set(err, PINN_ERR_PARSE, "%s: bad zip directory", path);
        int method = (int)le(z + cd + 10, 2);
        size_t csz = le(z + cd + 20, 4), usz = le(z + cd + 24, 4), nl = le(z + cd + 28, 2), xl = le(z + cd + 30, 2),
               cl = le(z + cd + 32, 2), lho = le(z + cd + 42, 4);
        if (csz == 0xffffffffUL || usz == 0xffffffffUL || lho == 0xffffffffUL)
            return pinn_error_set(err, PINN_ERR_UNSUPPORTED, "%s: zip64 archives are not supported", path);
        if (cd + 46 + nl > n) return pinn_error_set(err, PINN_ERR_PARSE, "%s: bad zip directory", path);
        char nm[64];
        snprintf(nm, sizeof nm, "%.*s", (int)(nl < 63 ? nl : 63), (const char *)z + cd + 46);
        cd += 46 + nl + xl + cl;
        char *dot = strstr(nm, ".npy");
        if (dot) *dot = '\0';
        if (*k == NPZ_MAX_ARRAYS) return pinn_error_set(err, PINN_ERR_UNSUPPORTED, "%s: more than %d arrays", path, NPZ_MAX_ARRAYS);
        if (lho + 30 > n || le(z + lho, 4) != 0x04034b50UL) return pinn_error_set(err, PINN_ERR_PARSE, "%s: bad zip entry '%s'", path, nm);
        size_t data = lho + 30 + le(z + lho + 26, 2) + le(z + lho + 28, 2);
        if (data + csz > n) return pinn_error_set(err, PINN_ERR_PARSE, "%s: truncated zip entry '%s'", path, nm);
        const unsigned char *img = z + data;
        unsigned char *inflated = NULL;
        if (usz > NPY_MAX_BYTES) return pinn_error_set(err, PINN_ERR_UNSUPPORTED, "%s: entry '%s' is larger than 1 GiB", path, nm);
        if (method == 8) {
#ifdef PINN_HAVE_ZLIB
            inflated = malloc(usz ? usz : 1);
            if (!inflated) return pinn_error_set(err, PINN_ERR_NOMEM, "%s: out of memory", path);
            z_stream s;
            memset(&s, 0, sizeof s);
            int ok = inflateInit2(&s, -15) == Z_OK;
            s.next_in = (unsigned char *)(uintptr_t)img, s.avail_in = (unsigned)csz;
            s.next_out = inflated, s.avail_out = (unsigned)usz;
            ok = ok && inflate(&s, Z_FINISH) == Z_STREAM_END && s.total_out == usz;
            inflateEnd(&s);
            if (!ok) {
                free(inflated);
                return pinn_error_set(err, PINN_ERR_PARSE, "%s: entry '%s' does not inflate", path, nm);
            }
            img = inflated;
#else
            return pinn_error_set(err, PINN_ERR_UNSUPPORTED,
                                  "%s: entry '%s' is deflated and this build has no zlib (save with numpy.savez, not savez_compressed)",
                                  path, nm);
#endif
        } else if (method != 0 || csz != usz)
            return pinn_error_set(err, PINN_ERR_UNSUPPORTED, "%s: entry '%s' uses zip method %d (expected stored or deflate)", path, nm, method);
        char what[600];
        snprintf(what, sizeof what, "%s[%s]", path, nm);
        pinn_status st = npy_parse(img, usz, what, &arr[*k], err);
        free(inflated);
        if (st) return st;
        if (arr[*k].cols != 1) {
            free(arr[*k].v);
            return pinn_error_set(err, PINN_ERR_PARSE, "%s: array '%s' is 2-D (an .npz holds one 1-D array per column)", path, nm);
        }
        snprintf(names[*k], 64, "%s", nm);
        (*k)++;
    }
    if (!*k) return pinn_error_set(err, PINN_ERR_PARSE, "%s: no arrays", path);
    return PINN_OK;
}

pinn_status pinn_data_read(const char *path, const char *columns, pinn_csv_table *t, pinn_error *err) {
    size_t L = strlen(path);
    int is_npy = L > 4 && !strcmp(path + L - 4, ".npy"), is_npz = L > 4 && !strcmp(path + L - 4, ".npz");
    pinn_csv_init(t);
    if (!is_npy && !is_npz) return pinn_csv_read(path, t, err);
    unsigned char *buf = NULL;
    size_t n = 0;
    pinn_status st = slurp(path, &buf, &n, err);
    if (st) return st;
    npy_arr arr[NPZ_MAX_ARRAYS];
    char names[NPZ_MAX_ARRAYS * 4][64];
    int k = 0;
    memset(arr, 0, sizeof arr);
    if (is_npz) st = npz_read(path, buf, n, arr, names, &k, err);
    else {
        st = npy_parse(buf, n, path, &arr[0], err);
        k = st ? 0 : 1;
        int nc = 0;
        if (!st && columns && *columns) {
            const char *c = columns;
            while (*c && nc < NPZ_MAX_ARRAYS * 4) {
                size_t l = strcspn(c, ",");
                snprintf(names[nc++], 64, "%.*s", (int)(l < 63 ? l : 63), c);
                c += l + (c[l] == ',');
            }
        }
        if (!st && (size_t)nc != arr[0].cols)
            st = pinn_error_set(err, PINN_ERR_INVALID, "%s: the array has %zu columns but 'columns' names %d (name each, e.g. columns: [x, t, u])",
                                path, arr[0].cols, nc);
    }
    if (!st) st = to_table(path, k, arr, names, t, err);
    for (int i = 0; i < k; i++) free(arr[i].v);
    free(buf);
    if (st) pinn_csv_free(t);
    return st;
}
