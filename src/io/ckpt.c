/* ckpt.c - the versioned checkpoint container of io/ckpt.h: writer (sections by reference, one
 * image, atomic write, previous file kept), verifying reader, CRC-32 and FNV-1a fingerprints. */
#include "io/ckpt.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifdef PINN_HAVE_ZLIB
#include <zlib.h>
#endif

#include "io/files.h"
#include "io/msg.h"

static const char *const type_names[PINN_CKPT_TYPE_COUNT] = {"u8", "i32", "i64", "u64", "f32", "f64"};
static const size_t type_sizes[PINN_CKPT_TYPE_COUNT] = {1, 4, 8, 8, 4, 8};

const char *pinn_ckpt_type_to_string(pinn_ckpt_type t) {
    return (int)t >= 0 && t < PINN_CKPT_TYPE_COUNT ? type_names[t] : "unknown";
}

size_t pinn_ckpt_type_size(pinn_ckpt_type t) { return (int)t >= 0 && t < PINN_CKPT_TYPE_COUNT ? type_sizes[t] : 0; }

#ifdef PINN_HAVE_ZLIB
uint32_t pinn_ckpt_crc32(uint32_t crc, const void *data, size_t n) {
    const unsigned char *p = data;
    while (n) { /* zlib takes uInt lengths */
        uInt k = n > (1u << 30) ? (1u << 30) : (uInt)n;
        crc = (uint32_t)crc32((uLong)crc, p, k);
        p += k, n -= k;
    }
    return crc;
}
#else
/* The reflected CRC-32 of polynomial 0xEDB88320, one table lookup per byte. */
uint32_t pinn_ckpt_crc32(uint32_t crc, const void *data, size_t n) {
    static uint32_t table[256];
    static int ready;
    if (!ready) { /* idempotent: concurrent first calls write the same values */
        for (uint32_t i = 0; i < 256; i++) {
            uint32_t c = i;
            for (int k = 0; k < 8; k++) c = c & 1 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            table[i] = c;
        }
        ready = 1;
    }
    const unsigned char *p = data;
    crc = ~crc;
    for (size_t i = 0; i < n; i++) crc = table[(crc ^ p[i]) & 0xff] ^ (crc >> 8);
    return ~crc;
}
#endif

uint64_t pinn_ckpt_hash(uint64_t h, const void *data, size_t n) {
    const unsigned char *p = data;
    for (size_t i = 0; i < n; i++) h = (h ^ p[i]) * 0x100000001b3ULL;
    return h;
}

static void put32(unsigned char *b, uint32_t v) {
    for (int i = 0; i < 4; i++) b[i] = (unsigned char)(v >> (8 * i));
}
static void put64(unsigned char *b, uint64_t v) {
    for (int i = 0; i < 8; i++) b[i] = (unsigned char)(v >> (8 * i));
}
static uint32_t get32(const unsigned char *b) {
    uint32_t v = 0;
    for (int i = 0; i < 4; i++) v |= (uint32_t)b[i] << (8 * i);
    return v;
}
static uint64_t get64(const unsigned char *b) {
    uint64_t v = 0;
    for (int i = 0; i < 8; i++) v |= (uint64_t)b[i] << (8 * i);
    return v;
}
static int host_big_endian(void) {
    const uint16_t one = 1;
    return *(const unsigned char *)&one == 0;
}
static size_t pad8(size_t n) { return (n + 7) & ~(size_t)7; }

void pinn_ckpt_writer_init(pinn_ckpt_writer *w, uint64_t fingerprint) {
    w->fingerprint = fingerprint;
    w->n = 0;
}

/* 1 when name is 1..PINN_CKPT_NAME_MAX-1 printable characters. */
static int good_name(const char *name) {
    size_t n = name ? strlen(name) : 0;
    if (n == 0 || n >= PINN_CKPT_NAME_MAX) return 0;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)name[i] < 0x21 || (unsigned char)name[i] > 0x7e) return 0;
    return 1;
}

pinn_status pinn_ckpt_add(pinn_ckpt_writer *w, const char *name, pinn_ckpt_type type, size_t count, const void *data,
                          pinn_error *err) {
    if (!good_name(name))
        return pinn_error_set(err, PINN_ERR_INVALID, "checkpoint: section name '%.40s' is not 1 to %d printable characters",
                              name ? name : "(null)", PINN_CKPT_NAME_MAX - 1);
    if (!pinn_ckpt_type_size(type) || (count && !data))
        return pinn_error_set(err, PINN_ERR_INVALID, "checkpoint: section '%s': bad type or no data", name);
    if (count > (PINN_CKPT_MAX_BYTES / pinn_ckpt_type_size(type)))
        return pinn_error_set(err, PINN_ERR_INVALID, "checkpoint: section '%s': %zu elements is too large", name, count);
    if (w->n == PINN_CKPT_MAX_SECTIONS)
        return pinn_error_set(err, PINN_ERR_INVALID, "checkpoint: more than %d sections", PINN_CKPT_MAX_SECTIONS);
    for (int i = 0; i < w->n; i++)
        if (!strcmp(w->sec[i].name, name))
            return pinn_error_set(err, PINN_ERR_INVALID, "checkpoint: section '%s' added twice", name);
    pinn_ckpt_section *s = &w->sec[w->n++];
    memset(s->name, 0, sizeof s->name);
    memcpy(s->name, name, strlen(name));
    s->type = type;
    s->count = count;
    s->data = data;
    return PINN_OK;
}

/* fsync of the directory holding path, so that a rename in it is durable (best effort). */
static void sync_dir(const char *path) {
    char dir[1024];
    const char *slash = strrchr(path, '/');
    if (!slash) snprintf(dir, sizeof dir, ".");
    else if (slash == path) snprintf(dir, sizeof dir, "/");
    else snprintf(dir, sizeof dir, "%.*s", (int)(slash - path) < 1023 ? (int)(slash - path) : 1023, path);
    int fd = open(dir, O_RDONLY);
    if (fd >= 0) {
        (void)fsync(fd);
        close(fd);
    }
}

pinn_status pinn_ckpt_write(const pinn_ckpt_writer *w, const char *path, int keep_prev, pinn_error *err) {
    char pb[PINN_MSG_PATH_MAX + 1];
    const char *ps = pinn_msg_path(path, pb, sizeof pb);
    size_t payload = 0;
    for (int i = 0; i < w->n; i++)
        payload += PINN_CKPT_RECORD_BYTES + pad8((size_t)w->sec[i].count * pinn_ckpt_type_size(w->sec[i].type));
    if (payload > PINN_CKPT_MAX_BYTES)
        return pinn_error_set(err, PINN_ERR_INVALID, "%s: checkpoint of %zu bytes is above the limit", ps, payload);
    size_t len = PINN_CKPT_HEADER_BYTES + payload;
    unsigned char *img = calloc(1, len);
    if (!img) return pinn_error_set(err, PINN_ERR_NOMEM, "%s: out of memory for a checkpoint of %zu bytes", ps, len);
    unsigned char *p = img + PINN_CKPT_HEADER_BYTES;
    for (int i = 0; i < w->n; i++) {
        const pinn_ckpt_section *s = &w->sec[i];
        size_t bytes = (size_t)s->count * pinn_ckpt_type_size(s->type);
        memcpy(p, s->name, PINN_CKPT_NAME_MAX);
        put32(p + 32, (uint32_t)s->type);
        put64(p + 40, s->count);
        if (bytes) memcpy(p + PINN_CKPT_RECORD_BYTES, s->data, bytes);
        p += PINN_CKPT_RECORD_BYTES + pad8(bytes);
    }
    memcpy(img, "PINNCKPT", 8);
    put32(img + 8, PINN_CKPT_VERSION);
    put32(img + 12, host_big_endian() ? 1u : 0u);
    put32(img + 16, (uint32_t)w->n);
    put64(img + 24, w->fingerprint);
    put64(img + 32, (uint64_t)payload);
    put32(img + 40, pinn_ckpt_crc32(0, img + PINN_CKPT_HEADER_BYTES, payload));
    put32(img + 44, pinn_ckpt_crc32(0, img, 44));
    pinn_status st = keep_prev ? pinn_ckpt_keep_prev(path, err) : PINN_OK;
    if (!st) st = pinn_file_write_atomic(path, img, len, err);
    free(img);
    if (!st) sync_dir(path);
    return st;
}

/* Reads the whole file (at most PINN_CKPT_MAX_BYTES) into *buf. */
static pinn_status read_all(const char *path, const char *ps, unsigned char **buf, size_t *len, pinn_error *err) {
    FILE *f = fopen(path, "rb");
    if (!f) return pinn_error_set(err, PINN_ERR_IO, "%s: cannot open: %s", ps, strerror(errno));
    struct stat sb;
    if (fstat(fileno(f), &sb) != 0 || !S_ISREG(sb.st_mode)) {
        fclose(f);
        return pinn_error_set(err, PINN_ERR_IO, "%s: not a regular file", ps);
    }
    if ((unsigned long long)sb.st_size > PINN_CKPT_MAX_BYTES) {
        fclose(f);
        return pinn_error_set(err, PINN_ERR_PARSE, "%s: %lld bytes, larger than any checkpoint", ps, (long long)sb.st_size);
    }
    size_t n = (size_t)sb.st_size;
    unsigned char *b = malloc(n ? n : 1);
    if (!b) {
        fclose(f);
        return pinn_error_set(err, PINN_ERR_NOMEM, "%s: out of memory reading %zu bytes", ps, n);
    }
    size_t got = n ? fread(b, 1, n, f) : 0;
    int extra = fgetc(f) != EOF; /* the file grew while being read */
    fclose(f);
    if (got != n || extra) {
        free(b);
        return pinn_error_set(err, PINN_ERR_IO, "%s: read error (the file changed while being read?)", ps);
    }
    *buf = b, *len = n;
    return PINN_OK;
}

/* Verifies the image in c->buf / c->len and fills the section table. */
static pinn_status verify(pinn_ckpt *c, uint64_t fingerprint, int force, pinn_error *err) {
    const char *ps = c->path;
    const unsigned char *b = c->buf;
    if (c->len < PINN_CKPT_HEADER_BYTES || memcmp(b, "PINNCKPT", 8))
        return pinn_error_set(err, PINN_ERR_PARSE, "%s: not a pinnc checkpoint (no PINNCKPT header; %zu bytes)", ps, c->len);
    if (get32(b + 44) != pinn_ckpt_crc32(0, b, 44))
        return pinn_error_set(err, PINN_ERR_PARSE, "%s: damaged checkpoint: header checksum mismatch", ps);
    c->version = get32(b + 8);
    if (c->version != PINN_CKPT_VERSION)
        return pinn_error_set(err, PINN_ERR_PARSE, "%s: checkpoint format version %u, this pinnc reads version %d", ps,
                              (unsigned)c->version, PINN_CKPT_VERSION);
    uint32_t flags = get32(b + 12);
    if ((flags & ~1u) || get32(b + 20))
        return pinn_error_set(err, PINN_ERR_PARSE, "%s: damaged checkpoint: unknown header flags", ps);
    if ((int)(flags & 1u) != host_big_endian())
        return pinn_error_set(err, PINN_ERR_UNSUPPORTED, "%s: checkpoint written on a machine of the other byte order", ps);
    uint32_t nsec = get32(b + 16);
    uint64_t payload = get64(b + 32);
    if (payload != (uint64_t)(c->len - PINN_CKPT_HEADER_BYTES))
        return pinn_error_set(err, PINN_ERR_PARSE, "%s: truncated or damaged checkpoint: %zu bytes, the header says %llu", ps,
                              c->len, (unsigned long long)payload + PINN_CKPT_HEADER_BYTES);
    if (get32(b + 40) != pinn_ckpt_crc32(0, b + PINN_CKPT_HEADER_BYTES, (size_t)payload))
        return pinn_error_set(err, PINN_ERR_PARSE, "%s: damaged checkpoint: checksum mismatch (a changed byte)", ps);
    if (nsec > PINN_CKPT_MAX_SECTIONS)
        return pinn_error_set(err, PINN_ERR_PARSE, "%s: damaged checkpoint: %u sections (at most %d)", ps, (unsigned)nsec,
                              PINN_CKPT_MAX_SECTIONS);
    size_t off = PINN_CKPT_HEADER_BYTES;
    for (uint32_t i = 0; i < nsec; i++) {
        if (c->len - off < PINN_CKPT_RECORD_BYTES)
            return pinn_error_set(err, PINN_ERR_PARSE, "%s: damaged checkpoint: section %u runs past the end", ps, (unsigned)i + 1);
        const unsigned char *r = b + off;
        pinn_ckpt_section *s = &c->sec[i];
        memcpy(s->name, r, PINN_CKPT_NAME_MAX);
        s->name[PINN_CKPT_NAME_MAX - 1] = '\0';
        int padded = 1;
        for (size_t k = strlen(s->name); k < PINN_CKPT_NAME_MAX; k++) padded &= r[k] == 0;
        uint32_t type = get32(r + 32);
        if (!good_name(s->name) || !padded || get32(r + 36))
            return pinn_error_set(err, PINN_ERR_PARSE, "%s: damaged checkpoint: section %u has a bad name", ps, (unsigned)i + 1);
        if (type >= PINN_CKPT_TYPE_COUNT)
            return pinn_error_set(err, PINN_ERR_PARSE, "%s: damaged checkpoint: section '%s' has unknown type %u", ps, s->name,
                                  (unsigned)type);
        s->type = (pinn_ckpt_type)type;
        s->count = get64(r + 40);
        size_t left = c->len - off - PINN_CKPT_RECORD_BYTES, es = pinn_ckpt_type_size(s->type);
        if (s->count > left / es)
            return pinn_error_set(err, PINN_ERR_PARSE, "%s: damaged checkpoint: section '%s' claims %llu %s values, only %zu bytes left",
                                  ps, s->name, (unsigned long long)s->count, pinn_ckpt_type_to_string(s->type), left);
        size_t bytes = (size_t)s->count * es;
        if (pad8(bytes) > left)
            return pinn_error_set(err, PINN_ERR_PARSE, "%s: damaged checkpoint: section '%s' runs past the end", ps, s->name);
        for (size_t k = bytes; k < pad8(bytes); k++)
            if (r[PINN_CKPT_RECORD_BYTES + k])
                return pinn_error_set(err, PINN_ERR_PARSE, "%s: damaged checkpoint: section '%s' has bad padding", ps, s->name);
        s->data = r + PINN_CKPT_RECORD_BYTES;
        for (uint32_t j = 0; j < i; j++)
            if (!strcmp(c->sec[j].name, s->name))
                return pinn_error_set(err, PINN_ERR_PARSE, "%s: damaged checkpoint: section '%s' appears twice", ps, s->name);
        off += PINN_CKPT_RECORD_BYTES + pad8(bytes);
        c->n = (int)i + 1;
    }
    if (off != c->len)
        return pinn_error_set(err, PINN_ERR_PARSE, "%s: damaged checkpoint: %zu bytes after the last section", ps, c->len - off);
    c->fingerprint = get64(b + 24);
    if (c->fingerprint != fingerprint && !force)
        return pinn_error_set(err, PINN_ERR_INVALID,
                              "%s: the checkpoint belongs to another problem or network (fingerprint %016llx, this "
                              "problem %016llx); use --force to load it anyway",
                              ps, (unsigned long long)c->fingerprint, (unsigned long long)fingerprint);
    return PINN_OK;
}

pinn_status pinn_ckpt_open(pinn_ckpt *c, const char *path, uint64_t fingerprint, int force, pinn_error *err) {
    memset(c, 0, sizeof *c);
    char pb[PINN_MSG_PATH_MAX + 1];
    snprintf(c->path, sizeof c->path, "%s", pinn_msg_path(path, pb, sizeof pb));
    pinn_status st = read_all(path, c->path, &c->buf, &c->len, err);
    if (!st) st = verify(c, fingerprint, force, err);
    if (st) pinn_ckpt_close(c);
    return st;
}

void pinn_ckpt_close(pinn_ckpt *c) {
    if (!c) return;
    free(c->buf);
    c->buf = NULL;
    c->len = 0;
    c->n = 0;
}

const pinn_ckpt_section *pinn_ckpt_find(const pinn_ckpt *c, const char *name) {
    for (int i = 0; c && name && i < c->n; i++)
        if (!strcmp(c->sec[i].name, name)) return &c->sec[i];
    return NULL;
}

pinn_status pinn_ckpt_get_var(const pinn_ckpt *c, const char *name, pinn_ckpt_type type, size_t max_count, void *out,
                              size_t *count, pinn_error *err) {
    const pinn_ckpt_section *s = pinn_ckpt_find(c, name);
    if (!s) return pinn_error_set(err, PINN_ERR_INVALID, "%s: the checkpoint has no section '%s'", c->path, name ? name : "");
    if (s->type != type || s->count > max_count)
        return pinn_error_set(err, PINN_ERR_INVALID,
                              "%s: checkpoint section '%s' holds %llu %s values, expected at most %zu %s values "
                              "(from another version or network?)",
                              c->path, name, (unsigned long long)s->count, pinn_ckpt_type_to_string(s->type), max_count,
                              pinn_ckpt_type_to_string(type));
    if (s->count) memcpy(out, s->data, (size_t)s->count * pinn_ckpt_type_size(type));
    if (count) *count = (size_t)s->count;
    return PINN_OK;
}

pinn_status pinn_ckpt_get(const pinn_ckpt *c, const char *name, pinn_ckpt_type type, size_t count, void *out,
                          pinn_error *err) {
    const pinn_ckpt_section *s = pinn_ckpt_find(c, name);
    if (s && s->type == type && s->count != count)
        return pinn_error_set(err, PINN_ERR_INVALID,
                              "%s: checkpoint section '%s' holds %llu %s values, expected %zu (from another version or network?)",
                              c->path, name, (unsigned long long)s->count, pinn_ckpt_type_to_string(s->type), count);
    return pinn_ckpt_get_var(c, name, type, count, out, NULL, err);
}

pinn_status pinn_ckpt_keep_prev(const char *path, pinn_error *err) {
    pinn_ckpt c;
    pinn_error ignore;
    if (pinn_ckpt_open(&c, path, 0, 1, &ignore) != PINN_OK) return PINN_OK; /* nothing good to keep */
    char prev[1040], tmp[1060];
    char pb[PINN_MSG_PATH_MAX + 1];
    if (strlen(path) + 5 >= sizeof prev) {
        pinn_ckpt_close(&c);
        return pinn_error_set(err, PINN_ERR_INVALID, "%s: path too long", pinn_msg_path(path, pb, sizeof pb));
    }
    snprintf(prev, sizeof prev, "%s.prev", path);
    snprintf(tmp, sizeof tmp, "%s.prev.tmp.%ld", path, (long)getpid());
    remove(tmp);
    pinn_status st = PINN_OK;
    if (link(path, tmp) == 0) {
        if (rename(tmp, prev) != 0) {
            remove(tmp);
            st = pinn_error_set(err, PINN_ERR_IO, "%s: cannot keep the previous checkpoint: %s", pinn_msg_path(prev, pb, sizeof pb),
                                strerror(errno));
        }
    } else
        st = pinn_file_write_atomic(prev, c.buf, c.len, err); /* no hard links here: a copy */
    pinn_ckpt_close(&c);
    return st;
}
