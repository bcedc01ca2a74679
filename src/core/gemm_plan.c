/* gemm_plan.c - the GEMM planner of gemm_plan.h: time the library and the register-blocked kernel
 * for one product shape (thread CPU time, the best of interleaved trials), keep the faster, and
 * cache the choices per machine in a line-per-shape text file written atomically.  A cache file
 * that is damaged in any line is ignored line by line and rewritten whole. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/blas.h"
#include "core/gemm_plan.h"
#include "core/gemm_small.h"
#include "io/files.h"

enum { PLAN_TRIALS = 5, PLAN_MAX = 4096 };

struct pinn_gemm_planner {
    char path[1024];
    int loaded, dirty;
    int n, cap;
    pinn_gemm_plan_entry *e;
};

/* FNV-1a hash of s, continued from h. */
static uint64_t fnv(uint64_t h, const char *s) {
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

/* The CPU's model name from /proc/cpuinfo ("unknown" elsewhere) into buf. */
static void cpu_model(char *buf, size_t size) {
    snprintf(buf, size, "unknown");
    FILE *f = fopen("/proc/cpuinfo", "r");
    if (!f) return;
    char line[512];
    while (fgets(line, sizeof line, f))
        if (!strncmp(line, "model name", 10)) {
            const char *c = strchr(line, ':');
            if (c) snprintf(buf, size, "%s", c + 2 + (c[1] != ' ' ? -1 : 0));
            buf[strcspn(buf, "\n")] = '\0';
            break;
        }
    fclose(f);
}

/* The default cache path (see the header) into buf; "" when no directory is known. */
static void default_path(char *buf, size_t size) {
    const char *e = getenv("PINN_GEMM_CACHE");
    if (e) {
        snprintf(buf, size, "%s", e);
        return;
    }
    char dir[900];
    const char *x = getenv("XDG_CACHE_HOME"), *h = getenv("HOME");
    if (x && x[0] == '/') snprintf(dir, sizeof dir, "%s/pinnc", x);
    else if (h && h[0]) snprintf(dir, sizeof dir, "%s/.cache/pinnc", h);
    else {
        buf[0] = '\0';
        return;
    }
    char cpu[256];
    cpu_model(cpu, sizeof cpu);
    uint64_t hh = fnv(fnv(fnv(14695981039346656037ull, cpu), pinn_blas_name()), PINN_VERSION);
    snprintf(buf, size, "%s/gemm-plan-%s-%016llx.txt", dir, sizeof(pinn_real) == 4 ? "f32" : "f64",
             (unsigned long long)hh);
}

pinn_status pinn_gemm_planner_init(pinn_gemm_planner **out, const char *cache_path, pinn_error *err) {
    *out = calloc(1, sizeof **out);
    if (!*out) return pinn_error_set(err, PINN_ERR_NOMEM, "GEMM planner: out of memory");
    if (cache_path) snprintf((*out)->path, sizeof (*out)->path, "%s", cache_path);
    else default_path((*out)->path, sizeof (*out)->path);
    return PINN_OK;
}

void pinn_gemm_planner_free(pinn_gemm_planner *p) {
    if (!p) return;
    free(p->e);
    free(p);
}

int pinn_gemm_planner_count(const pinn_gemm_planner *p) { return p->n; }
const pinn_gemm_plan_entry *pinn_gemm_planner_entry(const pinn_gemm_planner *p, int i) {
    return i >= 0 && i < p->n ? &p->e[i] : NULL;
}
const char *pinn_gemm_planner_path(const pinn_gemm_planner *p) { return p->path; }

/* The entry for a shape, or NULL. */
static pinn_gemm_plan_entry *find(pinn_gemm_planner *p, int ta, int tb, int M, int N, int K) {
    for (int i = 0; i < p->n; i++) {
        pinn_gemm_plan_entry *e = &p->e[i];
        if (e->ta == ta && e->tb == tb && e->m == M && e->n == N && e->k == K) return e;
    }
    return NULL;
}

/* Appends an entry (no-op when full or out of memory); returns it or NULL. */
static pinn_gemm_plan_entry *add(pinn_gemm_planner *p, const pinn_gemm_plan_entry *e) {
    if (p->n == p->cap) {
        int cap = p->cap ? 2 * p->cap : 64;
        if (cap > PLAN_MAX) return NULL;
        pinn_gemm_plan_entry *ne = realloc(p->e, sizeof *ne * (size_t)cap);
        if (!ne) return NULL;
        p->e = ne, p->cap = cap;
    }
    p->e[p->n] = *e;
    return &p->e[p->n++];
}

/* Reads the cache file once: each well-formed line becomes an entry; any other line marks the
 * plan dirty so the file is rewritten clean. */
static void load(pinn_gemm_planner *p) {
    if (p->loaded) return;
    p->loaded = 1;
    if (!p->path[0]) return;
    FILE *f = fopen(p->path, "r");
    if (!f) return;
    char line[256];
    while (fgets(line, sizeof line, f)) {
        if (line[0] == '#') continue;
        pinn_gemm_plan_entry e = {0};
        char kind[16], extra[2];
        int got = sscanf(line, "%d %d %d %d %d %15s %lf %lf %1s", &e.ta, &e.tb, &e.m, &e.n, &e.k, kind,
                         &e.library_s, &e.small_s, extra);
        int ok = got == 8 && (e.ta == 0 || e.ta == 1) && (e.tb == 0 || e.tb == 1) && !(e.ta && e.tb) && e.m > 0 &&
                 e.n > 0 && e.k > 0 && e.library_s >= 0 && e.small_s >= 0 && !find(p, e.ta, e.tb, e.m, e.n, e.k);
        if (ok && !strcmp(kind, "library")) e.kind = PINN_GEMM_LIBRARY;
        else if (ok && !strcmp(kind, "small")) e.kind = PINN_GEMM_SMALL;
        else ok = 0;
        e.from_cache = 1;
        if (!ok || !add(p, &e)) p->dirty = 1;
    }
    fclose(f);
}

/* Thread CPU time in seconds. */
static double cpu_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* One timed trial of reps products through kernel kind; returns seconds per product. */
static double trial(int kind, int reps, int ta, int tb, int M, int N, int K, const pinn_real *A, const pinn_real *B,
                    pinn_real *C) {
    int lda = ta ? M : K, ldb = tb ? K : N;
    double t0 = cpu_now();
    for (int r = 0; r < reps; r++) pinn_gemm_with(kind, ta, tb, M, N, K, 1, A, lda, B, ldb, r ? 1 : 0, C, N);
    return (cpu_now() - t0) / reps;
}

/* Times both kernels for one shape into e (best of PLAN_TRIALS interleaved trials of about
 * 20 MFLOP each); returns 0, or -1 when out of memory. */
static int time_shape(pinn_gemm_plan_entry *e) {
    size_t na = (size_t)e->m * (size_t)e->k, nb = (size_t)e->k * (size_t)e->n, nc = (size_t)e->m * (size_t)e->n;
    pinn_real *A = malloc(sizeof *A * (na + nb + nc));
    if (!A) return -1;
    pinn_real *B = A + na, *C = B + nb;
    uint32_t s = 12345u;
    for (size_t i = 0; i < na + nb; i++) {
        s = s * 1664525u + 1013904223u;
        A[i] = (pinn_real)((double)(s >> 8) / 16777216.0 - 0.5);
    }
    double flop = 2.0 * e->m * e->n * e->k;
    int reps = (int)(2e7 / (flop + 1.0)) + 1; /* about 20 MFLOP a trial, at least one product */
    if (reps > 100000) reps = 100000;
    trial(PINN_GEMM_LIBRARY, 1, e->ta, e->tb, e->m, e->n, e->k, A, B, C);
    trial(PINN_GEMM_SMALL, 1, e->ta, e->tb, e->m, e->n, e->k, A, B, C);
    e->library_s = e->small_s = 1e30;
    for (int t = 0; t < PLAN_TRIALS; t++) {
        double a = trial(PINN_GEMM_LIBRARY, reps, e->ta, e->tb, e->m, e->n, e->k, A, B, C);
        double b = trial(PINN_GEMM_SMALL, reps, e->ta, e->tb, e->m, e->n, e->k, A, B, C);
        if (a < e->library_s) e->library_s = a;
        if (b < e->small_s) e->small_s = b;
    }
    free(A);
    e->kind = e->small_s < e->library_s ? PINN_GEMM_SMALL : PINN_GEMM_LIBRARY;
    return 0;
}

pinn_gemm_kind pinn_gemm_planner_choose(pinn_gemm_planner *p, int ta, int tb, int M, int N, int K) {
    ta = ta != 0, tb = tb != 0;
    if ((ta && tb) || M <= 0 || N <= 0 || K <= 0) return PINN_GEMM_LIBRARY;
    load(p);
    pinn_gemm_plan_entry *f = find(p, ta, tb, M, N, K);
    if (f) {
        f->used = 1;
        return f->kind;
    }
    pinn_gemm_plan_entry e = {ta, tb, M, N, K, PINN_GEMM_LIBRARY, 0, 0, 0, 1};
    if (time_shape(&e)) return PINN_GEMM_LIBRARY;
    if (add(p, &e)) p->dirty = 1;
    return e.kind;
}

int pinn_gemm_planner_save(pinn_gemm_planner *p) {
    if (!p->dirty || !p->path[0]) return 0;
    size_t cap = 256 + (size_t)p->n * 96, len = 0;
    char *buf = malloc(cap);
    if (!buf) return 0;
    char cpu[256];
    cpu_model(cpu, sizeof cpu);
    len += (size_t)snprintf(buf + len, cap - len, "# pinnc %s GEMM plan, %s; cpu: %s\n# ta tb M N K kernel library_s small_s\n",
                            PINN_VERSION, sizeof(pinn_real) == 4 ? "float32" : "float64", cpu);
    for (int i = 0; i < p->n && len < cap; i++) {
        const pinn_gemm_plan_entry *e = &p->e[i];
        len += (size_t)snprintf(buf + len, cap - len, "%d %d %d %d %d %s %.6g %.6g\n", e->ta, e->tb, e->m, e->n, e->k,
                                e->kind == PINN_GEMM_SMALL ? "small" : "library", e->library_s, e->small_s);
    }
    if (len >= cap) len = cap - 1;
    /* the directory of the file, made if missing */
    char dir[1024];
    snprintf(dir, sizeof dir, "%s", p->path);
    char *slash = strrchr(dir, '/');
    pinn_error err;
    int ok = 1;
    if (slash && slash != dir) {
        *slash = '\0';
        ok = pinn_mkdir_p(dir, &err) == PINN_OK;
    }
    ok = ok && pinn_file_write_atomic(p->path, buf, len, &err) == PINN_OK;
    free(buf);
    if (ok) p->dirty = 0;
    return ok;
}
