/* checkpoint.c - checkpoint.bin: the trainer's state sections (pinn_trainer_state_write) in a
 * versioned file with explicit sizes, a fingerprint of the problem and a CRC-32 of everything
 * before it; written atomically, the previous good file kept as checkpoint.prev.  Reading checks
 * every size against the file and the trainer before anything is changed.
 *
 * Layout (little-endian as the machine writes it): "PINNCKP2", u32 version 2, u32 sections,
 * u64 fingerprint, then per section: char name[32], u64 count, double data[count]; then u32 CRC. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <unistd.h>

#include "io/files.h"
#include "run/run.h"

#define CKPT_MAGIC "PINNCKP2"
#define CKPT_VERSION 2u
#define CKPT_MAX_SECTIONS 64

/* CRC-32 (IEEE, reflected) of n bytes, continuing from crc. */
static uint32_t crc32_update(uint32_t crc, const void *data, size_t n) {
    static uint32_t table[256];
    static int ready;
    if (!ready) {
        for (uint32_t i = 0; i < 256; i++) {
            uint32_t c = i;
            for (int k = 0; k < 8; k++) c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
            table[i] = c;
        }
        ready = 1;
    }
    const unsigned char *p = data;
    crc = ~crc;
    for (size_t i = 0; i < n; i++) crc = table[(crc ^ p[i]) & 0xff] ^ (crc >> 8);
    return ~crc;
}

/* ------------------------------------------------------------------ writing */

typedef struct ck_writer {
    unsigned char *buf;
    size_t len, cap;
    uint32_t n_sections;
} ck_writer;

static pinn_status ck_append(ck_writer *w, const void *data, size_t n, pinn_error *err) {
    if (w->len + n > w->cap) {
        size_t cap = 2 * (w->len + n) + 4096;
        unsigned char *b = realloc(w->buf, cap);
        if (!b) return pinn_error_set(err, PINN_ERR_NOMEM, "checkpoint: out of memory");
        w->buf = b, w->cap = cap;
    }
    memcpy(w->buf + w->len, data, n);
    w->len += n;
    return PINN_OK;
}

static pinn_status ck_put(void *ctx, const char *name, const double *data, size_t n, pinn_error *err) {
    ck_writer *w = ctx;
    char nm[32] = {0};
    if (strlen(name) >= sizeof nm || w->n_sections == CKPT_MAX_SECTIONS)
        return pinn_error_set(err, PINN_ERR_INVALID, "checkpoint: section '%s' cannot be stored", name);
    memcpy(nm, name, strlen(name));
    uint64_t cnt = n;
    pinn_status st = ck_append(w, nm, sizeof nm, err);
    if (!st) st = ck_append(w, &cnt, sizeof cnt, err);
    if (!st && n) st = ck_append(w, data, sizeof(double) * n, err);
    if (!st) w->n_sections++;
    return st;
}

pinn_status pinn_run_checkpoint_write(pinn_trainer *t, const char *dir, pinn_error *err) {
    char path[PINN_RUN_PATH], prev[PINN_RUN_PATH + 8];
    if (pinn_run_path(path, sizeof path, dir, "checkpoint.bin", err)) return err->status;
    snprintf(prev, sizeof prev, "%s/checkpoint.prev", dir);
    ck_writer w = {0};
    pinn_status st = ck_append(&w, CKPT_MAGIC, 8, err);
    uint32_t version = CKPT_VERSION, zero = 0;
    uint64_t fp = pinn_trainer_fingerprint(t);
    if (!st) st = ck_append(&w, &version, 4, err);
    if (!st) st = ck_append(&w, &zero, 4, err); /* section count, patched below */
    if (!st) st = ck_append(&w, &fp, 8, err);
    pinn_state_io io = {&w, ck_put, NULL};
    if (!st) st = pinn_trainer_state_write(t, &io, err);
    if (!st) {
        memcpy(w.buf + 12, &w.n_sections, 4);
        uint32_t crc = crc32_update(0, w.buf, w.len);
        st = ck_append(&w, &crc, 4, err);
    }
    /* the last good checkpoint stays as checkpoint.prev (a second link to it), and checkpoint.bin
     * is replaced atomically: a failed write leaves both good */
    if (!st) {
        unlink(prev);
        if (link(path, prev) != 0 && errno != ENOENT)
            st = pinn_error_set(err, PINN_ERR_IO, "%s: cannot keep the previous checkpoint: %s", prev, strerror(errno));
    }
    if (!st) st = pinn_file_write_atomic(path, w.buf, w.len, err);
    free(w.buf);
    return st;
}

/* ------------------------------------------------------------------ reading */

typedef struct ck_reader {
    const unsigned char *buf;
    size_t len;
    uint32_t n_sections;
    const char *path;
} ck_reader;

/* Finds section name: its count and data offset; checks bounds against the file. */
static pinn_status ck_find(const ck_reader *r, const char *name, uint64_t *count, size_t *data_off, pinn_error *err) {
    size_t off = 24;
    for (uint32_t s = 0; s < r->n_sections; s++) {
        if (off + 40 > r->len) break;
        char nm[33];
        memcpy(nm, r->buf + off, 32);
        nm[32] = '\0';
        uint64_t cnt;
        memcpy(&cnt, r->buf + off + 32, 8);
        if (cnt > (r->len - off - 40) / sizeof(double))
            return pinn_error_set(err, PINN_ERR_PARSE, "%s: section '%.32s' claims %llu values, more than the file holds", r->path,
                                  nm, (unsigned long long)cnt);
        if (!strcmp(nm, name)) {
            *count = cnt, *data_off = off + 40;
            return PINN_OK;
        }
        off += 40 + (size_t)cnt * sizeof(double);
    }
    return pinn_error_set(err, PINN_ERR_PARSE, "%s: no section '%s' (truncated or not a checkpoint of this version)", r->path, name);
}

static pinn_status ck_get(void *ctx, const char *name, double *data, size_t cap, size_t *n, pinn_error *err) {
    const ck_reader *r = ctx;
    uint64_t cnt = 0;
    size_t off = 0;
    pinn_status st = ck_find(r, name, &cnt, &off, err);
    if (st) return st;
    *n = (size_t)cnt;
    if (cnt > cap) return pinn_error_set(err, PINN_ERR_INVALID, "%s: section '%s' holds %llu values, expected at most %zu", r->path, name, (unsigned long long)cnt, cap);
    memcpy(data, r->buf + off, (size_t)cnt * sizeof(double));
    return PINN_OK;
}

pinn_status pinn_run_checkpoint_read(pinn_trainer *t, const char *path, int force, pinn_error *err) {
    FILE *f = fopen(path, "rb");
    if (!f) return pinn_error_set(err, PINN_ERR_IO, "%s: cannot open checkpoint", path);
    unsigned char *buf = NULL;
    size_t len = 0;
    pinn_status st = PINN_OK;
    if (fseek(f, 0, SEEK_END) == 0) {
        long n = ftell(f);
        if (n > 0 && (unsigned long)n < ((size_t)1 << 40) && fseek(f, 0, SEEK_SET) == 0 && (buf = malloc((size_t)n))) {
            len = fread(buf, 1, (size_t)n, f);
            if (len != (size_t)n) st = pinn_error_set(err, PINN_ERR_IO, "%s: read error", path);
        } else if (n > 0)
            st = pinn_error_set(err, PINN_ERR_NOMEM, "%s: cannot read %ld bytes", path, n);
    }
    fclose(f);
    uint32_t version = 0, sections = 0, crc, want;
    uint64_t fp;
    if (!st && (len < 28 || memcmp(buf, CKPT_MAGIC, 8) != 0))
        st = pinn_error_set(err, PINN_ERR_PARSE, "%s: not a pinnc checkpoint (format %s)", path, CKPT_MAGIC);
    if (!st) {
        memcpy(&version, buf + 8, 4), memcpy(&sections, buf + 12, 4), memcpy(&fp, buf + 16, 8);
        memcpy(&crc, buf + len - 4, 4);
        want = crc32_update(0, buf, len - 4);
        if (version != CKPT_VERSION) st = pinn_error_set(err, PINN_ERR_PARSE, "%s: checkpoint format version %u, expected %u", path, version, CKPT_VERSION);
        else if (crc != want) st = pinn_error_set(err, PINN_ERR_PARSE, "%s: checksum mismatch (the file is damaged or truncated)", path);
        else if (sections > CKPT_MAX_SECTIONS) st = pinn_error_set(err, PINN_ERR_PARSE, "%s: %u sections", path, sections);
        else if (fp != pinn_trainer_fingerprint(t) && !force)
            st = pinn_error_set(err, PINN_ERR_INVALID,
                                "%s: the checkpoint belongs to another problem (model, fields, terms or point counts "
                                "differ); --force loads it anyway",
                                path);
    }
    if (!st) {
        ck_reader r = {buf, len - 4, sections, path};
        pinn_state_io io = {&r, NULL, ck_get};
        st = pinn_trainer_state_read(t, &io, err);
    }
    free(buf);
    return st;
}

pinn_status pinn_trainer_load_checkpoint(pinn_trainer *t, const char *path, pinn_error *err) {
    return pinn_run_checkpoint_read(t, path, 0, err);
}
