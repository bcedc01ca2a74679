/* fuzz_ckpt.c - libFuzzer harness of the checkpoint reader (io/ckpt.h): the input is written to a
 * private file and opened (forced, so the fingerprint does not stop it early); what verifies is
 * read section by section as the trainer would, with both right and wrong expectations.  Most
 * random inputs fail the CRC, so the harness also reseals every input (recomputes both checksums)
 * when its first byte is odd, which lets the fuzzer reach the section parser.
 * PINN_FUZZ_CKPT_SEEDS=DIR makes it write a few valid checkpoints into DIR at start-up. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "io/ckpt.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char path[64];

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    (void)argc, (void)argv;
    snprintf(path, sizeof path, "/tmp/pinnc-fuzz-ckpt-%d.bin", (int)getpid());
    const char *dir = getenv("PINN_FUZZ_CKPT_SEEDS");
    if (!dir) return 0;
    static pinn_ckpt_writer w;
    double p[7] = {1, 2, 3, 4, 5, 6, 7};
    int64_t e = 42;
    uint64_t r[4] = {1, 2, 3, 4};
    float f[2] = {1, 2};
    int32_t i[3] = {1, 2, 3};
    unsigned char b[3] = {1, 2, 3};
    pinn_error err;
    for (int k = 0; k < 3; k++) {
        char out[1024];
        pinn_ckpt_writer_init(&w, 0x1234u + (unsigned)k);
        pinn_ckpt_add(&w, "params", PINN_CKPT_F64, (size_t)(7 - 2 * k), p, &err);
        if (k > 0) pinn_ckpt_add(&w, "epoch", PINN_CKPT_I64, 1, &e, &err);
        if (k > 1) {
            pinn_ckpt_add(&w, "rng", PINN_CKPT_U64, 4, r, &err);
            pinn_ckpt_add(&w, "f", PINN_CKPT_F32, 2, f, &err);
            pinn_ckpt_add(&w, "i", PINN_CKPT_I32, 3, i, &err);
            pinn_ckpt_add(&w, "raw", PINN_CKPT_U8, 3, b, &err);
        }
        snprintf(out, sizeof out, "%s/seed-%d", dir, k);
        pinn_ckpt_write(&w, out, 0, &err);
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size > (1u << 20)) return 0;
    unsigned char *buf = malloc(size ? size : 1);
    memcpy(buf, data, size);
    if (size >= PINN_CKPT_HEADER_BYTES && (buf[0] & 1)) {
        buf[0] = 'P'; /* the seal bit doubles as the first magic byte */
        uint32_t c = pinn_ckpt_crc32(0, buf + PINN_CKPT_HEADER_BYTES, size - PINN_CKPT_HEADER_BYTES);
        for (int i = 0; i < 4; i++) buf[40 + i] = (unsigned char)(c >> (8 * i));
        c = pinn_ckpt_crc32(0, buf, 44);
        for (int i = 0; i < 4; i++) buf[44 + i] = (unsigned char)(c >> (8 * i));
    }
    FILE *f = fopen(path, "wb");
    if (!f) abort();
    if (size && fwrite(buf, 1, size, f) != size) abort();
    fclose(f);
    free(buf);
    static pinn_ckpt c;
    pinn_error err;
    if (pinn_ckpt_open(&c, path, 0x1234, 1, &err) == PINN_OK) {
        double out[16];
        size_t n;
        for (int s = 0; s < c.n; s++) {
            const pinn_ckpt_section *sec = &c.sec[s];
            size_t es = pinn_ckpt_type_size(sec->type);
            size_t fit = sizeof out / es;
            pinn_ckpt_get_var(&c, sec->name, sec->type, fit, out, &n, &err);
            pinn_ckpt_get(&c, sec->name, sec->type, 7, out, &err); /* right or wrong count */
            pinn_ckpt_get(&c, sec->name, PINN_CKPT_F64, 1, out, &err);
        }
        pinn_ckpt_get(&c, "params", PINN_CKPT_F64, 7, out, &err);
        pinn_ckpt_close(&c);
    } else if (strchr(err.msg, '\n'))
        abort();
    return 0;
}
