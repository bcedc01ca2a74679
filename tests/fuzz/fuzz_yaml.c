/* fuzz_yaml.c - libFuzzer harness of the YAML problem loader.  First byte even: the rest is a
 * problem file, written to a private temporary file and loaded.  Odd: the rest is split at
 * newlines into up to 16 `--set` overrides applied to a fixed, valid problem file.  What loads is
 * also validated again and printed back as YAML (the resolved config.yaml of a run). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pinnc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const base =
    "title: base\n"
    "domain: {t: [0, 1], x: [-1, 1]}\n"
    "constants: {nu: 0.01/pi}\n"
    "fields: [u]\n"
    "parameters: {lam: 1}\n"
    "equations: [\"u_t + lam*u*u_x - nu*u_xx = 0\"]\n"
    "conditions:\n"
    "  - {name: initial, on: \"t = 0\", equation: \"u = -sin(pi*x)\", points: 10}\n"
    "  - {name: walls, on: \"x = -1 or x = 1\", equation: \"u = 0\", points: 10}\n"
    "model: {hidden: [4, 4], activation: tanh}\n"
    "train: {collocation: 10, epochs: 1, weighting: {scheme: ma}}\n"
    "reference: {solver: exact, u: \"sin(x)*t\"}\n"
    "output: {grid: [3, 3]}\n";

static char file_path[64], base_path[64];

static void write_file(const char *path, const void *buf, size_t n) {
    FILE *f = fopen(path, "wb");
    if (!f) abort();
    if (n && fwrite(buf, 1, n, f) != n) abort();
    fclose(f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1 || size > 65536) return 0;
    if (!file_path[0]) {
        snprintf(file_path, sizeof file_path, "/tmp/pinnc-fuzz-%d.yaml", (int)getpid());
        snprintf(base_path, sizeof base_path, "/tmp/pinnc-fuzz-base-%d.yaml", (int)getpid());
        write_file(base_path, base, strlen(base));
    }
    pinn_problem *p = malloc(sizeof *p);
    pinn_error err;
    pinn_status st;
    if (!(data[0] & 1)) {
        write_file(file_path, data + 1, size - 1);
        st = pinn_problem_load(p, file_path, 0, NULL, &err);
    } else {
        char *text = malloc(size);
        memcpy(text, data + 1, size - 1);
        text[size - 1] = '\0';
        const char *sets[16];
        int n = 0;
        for (char *s = text; s && n < 16;) {
            char *nl = strchr(s, '\n');
            if (nl) *nl = '\0';
            sets[n++] = s;
            s = nl ? nl + 1 : NULL;
        }
        st = pinn_problem_load(p, base_path, n, sets, &err);
        free(text);
    }
    if (st == PINN_OK) {
        if (pinn_problem_validate(p, &err) != PINN_OK) abort(); /* a loaded problem is valid */
        FILE *devnull = fopen("/dev/null", "w");
        if (devnull) pinn_problem_print(p, devnull), fclose(devnull);
    } else if (!memchr(err.msg, '\0', sizeof err.msg) || strchr(err.msg, '\n'))
        abort(); /* messages are one line */
    free(p);
    return 0;
}
