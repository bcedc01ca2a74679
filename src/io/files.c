/* files.c - atomic file output, .npy arrays, mkdir -p and JSON scalars. */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "io/files.h"

pinn_status pinn_afile_open(pinn_afile *a, const char *path, pinn_error *err) {
    memset(a, 0, sizeof *a);
    if (strlen(path) >= sizeof a->path) return pinn_error_set(err, PINN_ERR_INVALID, "%s: path too long", path);
    snprintf(a->path, sizeof a->path, "%s", path);
    snprintf(a->tmp, sizeof a->tmp, "%s.tmp.%ld", path, (long)getpid());
    a->f = fopen(a->tmp, "wb");
    if (!a->f) return pinn_error_set(err, PINN_ERR_IO, "%s: cannot write: %s", path, strerror(errno));
    return PINN_OK;
}

pinn_status pinn_afile_commit(pinn_afile *a, pinn_error *err) {
    int bad = ferror(a->f) != 0;
    bad |= fflush(a->f) != 0;
    bad |= fsync(fileno(a->f)) != 0 && errno != EINVAL;
    int e = errno;
    bad |= fclose(a->f) != 0;
    a->f = NULL;
    if (bad || rename(a->tmp, a->path) != 0) {
        if (!bad) e = errno;
        remove(a->tmp);
        return pinn_error_set(err, PINN_ERR_IO, "%s: write failed: %s", a->path, strerror(e));
    }
    return PINN_OK;
}

void pinn_afile_abort(pinn_afile *a) {
    if (a->f) fclose(a->f);
    a->f = NULL;
    remove(a->tmp);
}

pinn_status pinn_file_write_atomic(const char *path, const void *data, size_t len, pinn_error *err) {
    pinn_afile a;
    pinn_status st = pinn_afile_open(&a, path, err);
    if (st != PINN_OK) return st;
    if (len && fwrite(data, 1, len, a.f) != len) {
        pinn_afile_abort(&a);
        return pinn_error_set(err, PINN_ERR_IO, "%s: short write", path);
    }
    return pinn_afile_commit(&a, err);
}

/* NPY v1.0: magic, version, little-endian header length, a Python dict padded to 64 bytes. */
pinn_status pinn_npy_write(const char *path, int ndim, const size_t *shape, const double *data, pinn_error *err) {
    char dict[256], shp[128] = "";
    size_t count = 1, off = 0;
    for (int i = 0; i < ndim; i++) {
        off += (size_t)snprintf(shp + off, sizeof shp - off, "%zu%s", shape[i], (ndim == 1 || i + 1 < ndim) ? ", " : "");
        count *= shape[i];
    }
    if (ndim == 1) shp[strlen(shp) - 1] = '\0'; /* "(n,)" */
    int len = snprintf(dict, sizeof dict, "{'descr': '<f8', 'fortran_order': False, 'shape': (%s), }", shp);
    size_t total = 10 + (size_t)len + 1, pad = (64 - total % 64) % 64;
    uint16_t hlen = (uint16_t)(len + (int)pad + 1);
    pinn_afile a;
    pinn_status st = pinn_afile_open(&a, path, err);
    if (st != PINN_OK) return st;
    unsigned char head[10] = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, (unsigned char)(hlen & 0xff),
                              (unsigned char)(hlen >> 8)};
    fwrite(head, 1, 10, a.f);
    fwrite(dict, 1, (size_t)len, a.f);
    for (size_t i = 0; i < pad; i++) fputc(' ', a.f);
    fputc('\n', a.f);
    if (count && fwrite(data, sizeof(double), count, a.f) != count) {
        pinn_afile_abort(&a);
        return pinn_error_set(err, PINN_ERR_IO, "%s: short write", path);
    }
    return pinn_afile_commit(&a, err);
}

pinn_status pinn_npy_read(const char *path, int *ndim, size_t *shape, double **data, pinn_error *err) {
    *data = NULL;
    FILE *f = fopen(path, "rb");
    if (!f) return pinn_error_set(err, PINN_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
    unsigned char head[10];
    char dict[1024];
    pinn_status st = PINN_OK;
    if (fread(head, 1, 10, f) != 10 || head[0] != 0x93 || memcmp(head + 1, "NUMPY", 5) != 0) {
        st = pinn_error_set(err, PINN_ERR_PARSE, "%s: not a .npy file", path);
        goto done;
    }
    size_t hlen = (size_t)head[8] | ((size_t)head[9] << 8);
    if (hlen >= sizeof dict || fread(dict, 1, hlen, f) != hlen) {
        st = pinn_error_set(err, PINN_ERR_PARSE, "%s: bad .npy header", path);
        goto done;
    }
    dict[hlen] = '\0';
    if (!strstr(dict, "'<f8'") || strstr(dict, "True")) {
        st = pinn_error_set(err, PINN_ERR_PARSE, "%s: expected a float64 C-order array", path);
        goto done;
    }
    char *p = strstr(dict, "'shape': (");
    if (!p) {
        st = pinn_error_set(err, PINN_ERR_PARSE, "%s: .npy header without shape", path);
        goto done;
    }
    p += 10;
    *ndim = 0;
    size_t count = 1;
    while (*p && *p != ')' && *ndim < 4) {
        char *end;
        unsigned long v = strtoul(p, &end, 10);
        if (end == p) break;
        shape[(*ndim)++] = v;
        count *= v;
        p = end;
        while (*p == ',' || *p == ' ') p++;
    }
    *data = malloc(sizeof(double) * (count ? count : 1));
    if (!*data || fread(*data, sizeof(double), count, f) != count) {
        free(*data);
        *data = NULL;
        st = pinn_error_set(err, PINN_ERR_IO, "%s: truncated .npy data", path);
    }
done:
    fclose(f);
    return st;
}

pinn_status pinn_mkdir_p(const char *path, pinn_error *err) {
    char buf[1024];
    if (snprintf(buf, sizeof buf, "%s", path) >= (int)sizeof buf)
        return pinn_error_set(err, PINN_ERR_INVALID, "%s: path too long", path);
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/') continue;
        *p = '\0';
        if (mkdir(buf, 0777) != 0 && errno != EEXIST)
            return pinn_error_set(err, PINN_ERR_IO, "%s: cannot create directory: %s", buf, strerror(errno));
        *p = '/';
    }
    if (mkdir(buf, 0777) != 0 && errno != EEXIST)
        return pinn_error_set(err, PINN_ERR_IO, "%s: cannot create directory: %s", buf, strerror(errno));
    return PINN_OK;
}

void pinn_json_string(FILE *f, const char *s) {
    fputc('"', f);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') fprintf(f, "\\%c", c);
        else if (c == '\n') fputs("\\n", f);
        else if (c < 0x20) fprintf(f, "\\u%04x", c);
        else fputc(c, f);
    }
    fputc('"', f);
}

void pinn_json_number(FILE *f, double v) {
    if (!isfinite(v)) fputs("null", f);
    else fprintf(f, "%.17g", v);
}

void pinn_json_field(FILE *f, const char *prefix, double v) {
    fputs(prefix, f);
    pinn_json_number(f, v);
}
