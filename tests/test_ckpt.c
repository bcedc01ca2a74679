/* test_ckpt.c - the checkpoint container (io/ckpt.h): a round trip of every type, the CRC-32
 * check value, and damaged files built here - every truncation, every flipped bit, wrong
 * fingerprints, versions, section counts and element counts (with valid checksums, as a hostile
 * writer would make them) - each refused with a message naming the file, never a crash. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "io/ckpt.h"

static unsigned char *slurp(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *b = malloc((size_t)n + 1);
    *len = fread(b, 1, (size_t)n, f);
    fclose(f);
    return b;
}

static void spit(const char *path, const unsigned char *b, size_t len) {
    FILE *f = fopen(path, "wb");
    if (f) fwrite(b, 1, len, f), fclose(f);
}

/* Recomputes both checksums of an image, so that only the field under test is wrong. */
static void reseal(unsigned char *b, size_t len) {
    uint32_t c = pinn_ckpt_crc32(0, b + PINN_CKPT_HEADER_BYTES, len - PINN_CKPT_HEADER_BYTES);
    for (int i = 0; i < 4; i++) b[40 + i] = (unsigned char)(c >> (8 * i));
    c = pinn_ckpt_crc32(0, b, 44);
    for (int i = 0; i < 4; i++) b[44 + i] = (unsigned char)(c >> (8 * i));
}

static void put64(unsigned char *b, uint64_t v) {
    for (int i = 0; i < 8; i++) b[i] = (unsigned char)(v >> (8 * i));
}

/* Opens path expecting a refusal whose message names the file and contains want. */
static void refused(const char *path, uint64_t fp, const char *want, const char *what) {
    pinn_ckpt c;
    pinn_error err = {0};
    pinn_status st = pinn_ckpt_open(&c, path, fp, 0, &err);
    CHECK(st != PINN_OK && strstr(err.msg, path) && strstr(err.msg, want) && !strchr(err.msg, '\n'), "%s: %s", what,
          err.msg);
    CHECK(c.buf == NULL && c.n == 0, "%s: reader left empty", what);
}

int main(void) {
    const char *path = "test_ckpt.bin", *bad = "test_ckpt_bad.bin";
    pinn_error err = {0};
    CHECK(pinn_ckpt_crc32(0, "123456789", 9) == 0xCBF43926u, "CRC-32 check value %08x", pinn_ckpt_crc32(0, "123456789", 9));
    CHECK(pinn_ckpt_hash(PINN_CKPT_HASH_INIT, "a", 1) == 0xaf63dc4c8601ec8cULL, "FNV-1a of 'a'");

    /* round trip */
    uint64_t fp = pinn_ckpt_hash(PINN_CKPT_HASH_INIT, "problem", 7);
    double w[5] = {1.5, -2, 3e-300, 0, 1e300};
    float f3[3] = {1, 2, 3};
    int32_t i3[3] = {-1, 7, 1 << 30};
    int64_t epoch = 123456789012LL;
    uint64_t rng[4] = {1, 2, 3, UINT64_MAX};
    unsigned char bytes[5] = {9, 8, 7, 6, 5};
    pinn_ckpt_writer *wr = malloc(sizeof *wr);
    pinn_ckpt_writer_init(wr, fp);
    CHECK_OK(pinn_ckpt_add(wr, "params", PINN_CKPT_F64, 5, w, &err), err);
    CHECK_OK(pinn_ckpt_add(wr, "f", PINN_CKPT_F32, 3, f3, &err), err);
    CHECK_OK(pinn_ckpt_add(wr, "i", PINN_CKPT_I32, 3, i3, &err), err);
    CHECK_OK(pinn_ckpt_add(wr, "epoch", PINN_CKPT_I64, 1, &epoch, &err), err);
    CHECK_OK(pinn_ckpt_add(wr, "rng", PINN_CKPT_U64, 4, rng, &err), err);
    CHECK_OK(pinn_ckpt_add(wr, "raw", PINN_CKPT_U8, 5, bytes, &err), err);
    CHECK_OK(pinn_ckpt_add(wr, "empty", PINN_CKPT_F64, 0, NULL, &err), err);
    CHECK(pinn_ckpt_add(wr, "params", PINN_CKPT_F64, 1, w, &err) == PINN_ERR_INVALID && strstr(err.msg, "twice"), "dup add");
    CHECK(pinn_ckpt_add(wr, "", PINN_CKPT_F64, 1, w, &err) == PINN_ERR_INVALID, "empty name");
    CHECK(pinn_ckpt_add(wr, "a name that is much too long for a section", PINN_CKPT_F64, 1, w, &err) == PINN_ERR_INVALID,
          "long name");
    CHECK(pinn_ckpt_add(wr, "x", (pinn_ckpt_type)99, 1, w, &err) == PINN_ERR_INVALID, "bad type");
    CHECK_OK(pinn_ckpt_write(wr, path, 0, &err), err);

    pinn_ckpt *c = malloc(sizeof *c);
    CHECK_OK(pinn_ckpt_open(c, path, fp, 0, &err), err);
    double w2[5];
    float f2[3];
    int32_t i2[3];
    int64_t e2;
    uint64_t r2[4];
    unsigned char b2[5];
    size_t n;
    CHECK_OK(pinn_ckpt_get(c, "params", PINN_CKPT_F64, 5, w2, &err), err);
    CHECK_OK(pinn_ckpt_get(c, "f", PINN_CKPT_F32, 3, f2, &err), err);
    CHECK_OK(pinn_ckpt_get(c, "i", PINN_CKPT_I32, 3, i2, &err), err);
    CHECK_OK(pinn_ckpt_get(c, "epoch", PINN_CKPT_I64, 1, &e2, &err), err);
    CHECK_OK(pinn_ckpt_get(c, "rng", PINN_CKPT_U64, 4, r2, &err), err);
    CHECK_OK(pinn_ckpt_get_var(c, "raw", PINN_CKPT_U8, 16, b2, &n, &err), err);
    CHECK(!memcmp(w, w2, sizeof w) && !memcmp(f3, f2, sizeof f2) && !memcmp(i3, i2, sizeof i2) && e2 == epoch &&
              !memcmp(rng, r2, sizeof r2) && n == 5 && !memcmp(bytes, b2, 5),
          "round trip is bitwise");
    CHECK_OK(pinn_ckpt_get(c, "empty", PINN_CKPT_F64, 0, w2, &err), err);
    CHECK(c->n == 7 && c->fingerprint == fp && c->version == PINN_CKPT_VERSION, "header fields");
    /* sizes checked against the caller's */
    pinn_status st = pinn_ckpt_get(c, "params", PINN_CKPT_F64, 4, w2, &err);
    CHECK(st == PINN_ERR_INVALID && strstr(err.msg, "holds 5 f64 values, expected 4"), "count mismatch: %s", err.msg);
    st = pinn_ckpt_get(c, "params", PINN_CKPT_F32, 5, w2, &err);
    CHECK(st == PINN_ERR_INVALID && strstr(err.msg, "f32"), "type mismatch: %s", err.msg);
    st = pinn_ckpt_get(c, "adam_m", PINN_CKPT_F64, 5, w2, &err);
    CHECK(st == PINN_ERR_INVALID && strstr(err.msg, "no section 'adam_m'"), "missing: %s", err.msg);
    st = pinn_ckpt_get_var(c, "raw", PINN_CKPT_U8, 4, b2, &n, &err);
    CHECK(st == PINN_ERR_INVALID && strstr(err.msg, "at most 4"), "var too long: %s", err.msg);
    pinn_ckpt_close(c);

    /* fingerprint: refused unless forced */
    refused(path, fp ^ 1, "another problem", "fingerprint");
    CHECK_OK(pinn_ckpt_open(c, path, fp ^ 1, 1, &err), err);
    pinn_ckpt_close(c);

    size_t len = 0;
    unsigned char *img = slurp(path, &len), *dmg = malloc(len + 64);
    CHECK(img && len > PINN_CKPT_HEADER_BYTES, "image read");
    /* every truncation */
    int all = 1;
    for (size_t k = 0; k < len; k++) {
        spit(bad, img, k);
        pinn_ckpt cc;
        pinn_error e = {0};
        if (pinn_ckpt_open(&cc, bad, fp, 1, &e) == PINN_OK || !strstr(e.msg, bad)) all = 0;
    }
    CHECK(all, "every truncation refused");
    /* every flipped bit (forced, so only damage can refuse it) */
    all = 1;
    for (size_t k = 0; k < len * 8; k++) {
        memcpy(dmg, img, len);
        dmg[k / 8] ^= (unsigned char)(1u << (k % 8));
        spit(bad, dmg, len);
        pinn_ckpt cc;
        pinn_error e = {0};
        if (pinn_ckpt_open(&cc, bad, fp, 1, &e) == PINN_OK) all = 0;
    }
    CHECK(all, "every flipped bit refused");
    memcpy(dmg, img, len);
    dmg[len - 9] ^= 4;
    spit(bad, dmg, len);
    refused(bad, fp, "checksum mismatch", "flipped data bit");
    /* appended bytes */
    memcpy(dmg, img, len);
    memset(dmg + len, 0, 8);
    spit(bad, dmg, len + 8);
    refused(bad, fp, "the header says", "appended bytes");
    /* hostile fields with valid checksums */
    const size_t rec0 = PINN_CKPT_HEADER_BYTES; /* first record: "params", 5 x f64 */
    struct {
        size_t at;
        uint64_t value;
        int width;
        const char *want, *what;
    } cases[] = {
        {rec0 + 40, UINT64_MAX, 8, "claims", "count 2^64-1 (a negative size)"},
        {rec0 + 40, 1ULL << 61, 8, "claims", "huge count"},
        {rec0 + 40, 6, 8, "", "count one too large"},
        {rec0 + 40, 4, 8, "", "count one too small"},
        {rec0 + 32, 17, 4, "unknown type", "type"},
        {rec0 + 32, PINN_CKPT_U8, 4, "", "type u8 (sizes no longer add up)"},
        {16, 1000, 4, "sections", "section count 1000"},
        {16, 3, 4, "after the last section", "section count too small"},
        {16, 9, 4, "past the end", "section count too large"},
        {8, 2, 4, "version 2", "version"},
        {12, 2, 4, "flags", "flags"},
        {32, 1ULL << 40, 8, "the header says", "payload length"},
        {rec0, 0, 1, "bad name", "empty name"},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        memcpy(dmg, img, len);
        if (cases[k].width == 8) put64(dmg + cases[k].at, cases[k].value);
        else if (cases[k].width == 4)
            for (int i = 0; i < 4; i++) dmg[cases[k].at + i] = (unsigned char)(cases[k].value >> (8 * i));
        else dmg[cases[k].at] = (unsigned char)cases[k].value;
        reseal(dmg, len);
        spit(bad, dmg, len);
        refused(bad, fp, cases[k].want, cases[k].what);
    }
    /* a duplicate section name */
    memcpy(dmg, img, len);
    size_t rec1 = rec0 + PINN_CKPT_RECORD_BYTES + 40; /* "f" after params (40 data bytes) */
    memcpy(dmg + rec1, "params", 7);
    reseal(dmg, len);
    spit(bad, dmg, len);
    refused(bad, fp, "appears twice", "duplicate section");
    refused("test_ckpt_no_such_file.bin", fp, "cannot open", "missing file");
    spit(bad, (const unsigned char *)"hello", 5);
    refused(bad, fp, "not a pinnc checkpoint", "other file");

    /* the previous good checkpoint is kept; a damaged current file never replaces it */
    char prev[64];
    snprintf(prev, sizeof prev, "%s.prev", path);
    remove(prev);
    epoch = 1;
    CHECK_OK(pinn_ckpt_write(wr, path, 1, &err), err);
    CHECK_OK(pinn_ckpt_open(c, prev, fp, 0, &err), err);
    CHECK_OK(pinn_ckpt_get(c, "epoch", PINN_CKPT_I64, 1, &e2, &err), err);
    CHECK(e2 == 123456789012LL, "prev holds the older epoch %lld", (long long)e2);
    pinn_ckpt_close(c);
    spit(path, img, len / 2); /* the current file is damaged (e.g. a full disk) */
    epoch = 2;
    CHECK_OK(pinn_ckpt_write(wr, path, 1, &err), err);
    CHECK_OK(pinn_ckpt_open(c, prev, fp, 0, &err), err);
    CHECK_OK(pinn_ckpt_get(c, "epoch", PINN_CKPT_I64, 1, &e2, &err), err);
    CHECK(e2 == 123456789012LL, "a damaged file did not replace prev (epoch %lld)", (long long)e2);
    pinn_ckpt_close(c);
    CHECK_OK(pinn_ckpt_open(c, path, fp, 0, &err), err);
    CHECK_OK(pinn_ckpt_get(c, "epoch", PINN_CKPT_I64, 1, &e2, &err), err);
    CHECK(e2 == 2, "the new checkpoint is current");
    pinn_ckpt_close(c);

    remove(path), remove(bad), remove(prev);
    free(img), free(dmg), free(wr), free(c);
    return CHECK_DONE();
}
