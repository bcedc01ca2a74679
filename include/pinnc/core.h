/* pinnc/core.h - status codes, errors, the real type, the seeded RNG and threading controls. */
#ifndef PINNC_CORE_H
#define PINNC_CORE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#ifdef PINN_REAL_FLOAT
typedef float pinn_real;
#else
typedef double pinn_real;
#endif

/* Status codes returned by every fallible library function. */
typedef enum pinn_status {
    PINN_OK = 0,
    PINN_ERR_NOMEM,       /* an allocation failed */
    PINN_ERR_INVALID,     /* an argument or a combination of arguments is invalid */
    PINN_ERR_IO,          /* a file could not be read or written */
    PINN_ERR_PARSE,       /* text (expression, YAML, CSV) could not be parsed */
    PINN_ERR_NUMERIC,     /* a numerical failure: NaN, breakdown, no convergence */
    PINN_ERR_UNSUPPORTED, /* valid request that this build does not support */
    PINN_ERR_INTERRUPTED, /* stopped on request (a signal); the state was saved */
    PINN_STATUS_COUNT
} pinn_status;

/* The name of a status ("ok", "out of memory", ...); never NULL. */
const char *pinn_status_to_string(pinn_status s);

/* An error report: the status and a human-readable message naming what was wrong and where. */
typedef struct pinn_error {
    pinn_status status;
    char msg[512];
} pinn_error;

/* Fill err (if non-NULL) with status s and a printf-style message; returns s. */
pinn_status pinn_error_set(pinn_error *err, pinn_status s, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
/* Reset err to PINN_OK with an empty message. */
void pinn_error_clear(pinn_error *err);

/* ---- random numbers: xoshiro256** seeded by splitmix64; reproducible across platforms ---- */
typedef struct pinn_rng {
    uint64_t s[4];
    double spare;     /* cached second normal deviate */
    int has_spare;
} pinn_rng;

void pinn_rng_seed(pinn_rng *r, uint64_t seed);
uint64_t pinn_rng_next(pinn_rng *r);
/* uniform in [0,1) with 53 random bits */
double pinn_rng_uniform(pinn_rng *r);
/* standard normal (polar Box-Muller) */
double pinn_rng_normal(pinn_rng *r);
/* uniform integer in [0, n) without modulo bias; n > 0 */
uint64_t pinn_rng_below(pinn_rng *r, uint64_t n);

/* ---- threads ---- */
/* Set the number of threads used over point blocks (<= 0: all available). BLAS calls inside a
 * block always run single-threaded so that results do not depend on the thread count. */
void pinn_threads_set(int n);
int pinn_threads_get(void);

/* Library version string, e.g. "0.1.0". */
const char *pinn_version(void);

#ifdef __cplusplus
}
#endif
#endif
