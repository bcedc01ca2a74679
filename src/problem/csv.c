/* csv.c - numeric CSV tables: a strict reader (header row, at least one data row, every field a
 * finite decimal number, errors that name file and line) and an atomic writer (io/files.h: temporary file beside the target,
 * fsync, rename). */
#include "problem/csv.h"


#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void pinn_csv_init(pinn_csv_table *t) {
    t->nrows = t->ncols = 0;
    t->names = NULL;
    t->data = NULL;
}

void pinn_csv_free(pinn_csv_table *t) {
    if (!t) return;
    free(t->names); /* names and their strings are one block */
    free(t->data);
    pinn_csv_init(t);
}

/* Reads the whole file into a NUL-terminated buffer the caller frees; NULL on failure with err
 * set. */
static char *slurp(const char *path, size_t *len, pinn_error *err) {
    FILE *f = fopen(path, "rb");
    if (!f) {
        pinn_error_set(err, PINN_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
        return NULL;
    }
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap);
    if (!buf) goto nomem;
    for (;;) {
        if (cap - n < 2) {
            char *nb = realloc(buf, cap * 2);
            if (!nb) goto nomem;
            buf = nb;
            cap *= 2;
        }
        size_t got = fread(buf + n, 1, cap - n - 1, f);
        n += got;
        if (got == 0) break;
    }
    if (ferror(f)) {
        pinn_error_set(err, PINN_ERR_IO, "%s: read error", path);
        free(buf);
        fclose(f);
        return NULL;
    }
    fclose(f);
    buf[n] = '\0';
    *len = n;
    return buf;
nomem:
    free(buf);
    fclose(f);
    pinn_error_set(err, PINN_ERR_NOMEM, "%s: no memory to read the file", path);
    return NULL;
}

/* Pointer past leading blanks / the end of trailing blanks of [s, e). */
static char *skip_blank(char *s, char *e) {
    while (s < e && (*s == ' ' || *s == '\t')) s++;
    return s;
}
static char *trim_end(char *s, char *e) {
    while (e > s && (e[-1] == ' ' || e[-1] == '\t')) e--;
    return e;
}

/* 1 if the line [s, e) holds no content (blank, or a '#' comment). */
static int line_is_empty(char *s, char *e) {
    s = skip_blank(s, e);
    return s == e || *s == '#';
}

/* Counts the comma-separated fields of [s, e). */
static size_t count_fields(const char *s, const char *e) {
    size_t k = 1;
    for (; s < e; s++)
        if (*s == ',') k++;
    return k;
}

/* Parses the header line into one block: ncols pointers followed by the name strings. */
static pinn_status parse_header(const char *path, size_t lineno, char *s, char *e,
                                pinn_csv_table *t, pinn_error *err) {
    size_t nc = count_fields(s, e);
    char **names = malloc(nc * sizeof *names + (size_t)(e - s) + nc);
    if (!names) return pinn_error_set(err, PINN_ERR_NOMEM, "%s: no memory for the header", path);
    char *out = (char *)(names + nc);
    size_t c = 0;
    for (char *p = s; c < nc; c++) {
        char *q = p;
        while (q < e && *q != ',') q++;
        char *a = skip_blank(p, q), *b = trim_end(a, q);
        if (b - a >= 2 && *a == '"' && b[-1] == '"') {
            a++;
            b--;
        }
        if (a == b) {
            free(names);
            return pinn_error_set(err, PINN_ERR_PARSE, "%s:%zu: header column %zu has no name", path,
                                  lineno, c + 1);
        }
        names[c] = out;
        memcpy(out, a, (size_t)(b - a));
        out += b - a;
        *out++ = '\0';
        p = q + 1;
    }
    t->names = names;
    t->ncols = nc;
    return PINN_OK;
}

/* Parses one data line of exactly t->ncols numbers into row. */
static pinn_status parse_row(const char *path, size_t lineno, char *s, char *e,
                             const pinn_csv_table *t, double *row, pinn_error *err) {
    size_t nf = count_fields(s, e);
    if (nf != t->ncols)
        return pinn_error_set(err, PINN_ERR_PARSE, "%s:%zu: expected %zu fields, found %zu", path,
                              lineno, t->ncols, nf);
    char *p = s;
    for (size_t c = 0; c < nf; c++) {
        char *q = p;
        while (q < e && *q != ',') q++;
        char *a = skip_blank(p, q), *b = trim_end(a, q);
        char save = *b; /* b <= e, and *e is a NUL or '\r' / '\n' we own */
        *b = '\0';
        char *end;
        errno = 0;
        double v = strtod(a, &end);
        int bad = (a == b) || end != b || (errno == ERANGE && isinf(v));
        int hex = (b - a > 2 && (a[0] == '0' || ((a[0] == '-' || a[0] == '+') && a[1] == '0')) &&
                   strpbrk(a, "xX") != NULL);
        *b = save;
        if (!bad && (!isfinite(v) || hex)) {
            int len = (int)(b - a) > 40 ? 40 : (int)(b - a);
            return pinn_error_set(err, PINN_ERR_PARSE, "%s:%zu: column %zu (%s): '%.*s' is not a finite decimal number", path,
                                  lineno, c + 1, t->names[c], len, a);
        }
        if (bad) {
            int len = (int)(b - a) > 40 ? 40 : (int)(b - a);
            return pinn_error_set(err, PINN_ERR_PARSE,
                                  "%s:%zu: column %zu (%s): '%.*s' is not a number", path, lineno,
                                  c + 1, t->names[c], len, a);
        }
        row[c] = v;
        p = q + 1;
    }
    return PINN_OK;
}

pinn_status pinn_csv_read(const char *path, pinn_csv_table *t, pinn_error *err) {
    if (!path || !t) return pinn_error_set(err, PINN_ERR_INVALID, "csv: NULL path or table");
    pinn_csv_init(t);
    size_t len = 0;
    char *buf = slurp(path, &len, err);
    if (!buf) return err ? err->status : PINN_ERR_IO;
    char *end = buf + len;
    pinn_status st = PINN_OK;
    /* pass 0 parses the header and counts the rows; pass 1 parses the rows into t->data */
    size_t lineno = 0, nrows = 0;
    for (int pass = 0; pass < 2; pass++) {
        int have_header = 0;
        size_t r = 0;
        lineno = 0;
        for (char *s = buf; s < end;) {
            char *e = memchr(s, '\n', (size_t)(end - s));
            if (!e) e = end;
            char *le = (e > s && e[-1] == '\r') ? e - 1 : e;
            lineno++;
            if (!line_is_empty(s, le)) {
                if (!have_header) {
                    if (pass == 0 && (st = parse_header(path, lineno, s, le, t, err)) != PINN_OK) goto fail;
                    have_header = 1;
                } else if (pass == 0) {
                    nrows++;
                } else {
                    st = parse_row(path, lineno, s, le, t, t->data + r * t->ncols, err);
                    if (st != PINN_OK) goto fail;
                    r++;
                }
            }
            s = e + 1;
        }
        if (pass == 1) break;
        if (!have_header) {
            st = pinn_error_set(err, PINN_ERR_PARSE, "%s:%zu: no header row", path, lineno ? lineno : 1);
            goto fail;
        }
        if (nrows == 0) {
            st = pinn_error_set(err, PINN_ERR_PARSE, "%s:%zu: no data rows after the header", path, lineno ? lineno : 1);
            goto fail;
        }
        t->data = malloc((nrows ? nrows : 1) * t->ncols * sizeof *t->data);
        if (!t->data) {
            st = pinn_error_set(err, PINN_ERR_NOMEM, "%s:%zu: out of memory for %zu rows of %zu columns", path, lineno, nrows,
                                t->ncols);
            goto fail;
        }
    }
    t->nrows = nrows;
    free(buf);
    return PINN_OK;
fail:
    free(buf);
    pinn_csv_free(t);
    return st;
}

long pinn_csv_column(const pinn_csv_table *t, const char *name) {
    if (!t || !name) return -1;
    for (size_t c = 0; c < t->ncols; c++)
        if (strcmp(t->names[c], name) == 0) return (long)c;
    return -1;
}

