/* check.h - the tiny assertion kit shared by pinnc's tests: CHECK keeps going and counts,
 * the final CHECK_DONE() prints "N passed, N failed" and returns the exit code. */
#ifndef PINN_TESTS_CHECK_H
#define PINN_TESTS_CHECK_H

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "pinnc/core.h"

/* Precision of the build.  pinn_real is double by default and float with -DPINN_FLOAT32=ON
 * (PINN_REAL_FLOAT).  Every test tolerance that depends on the real type goes through
 * PINN_TEST_TOL(double_tol, float_tol): the double value is the original, unweakened bound; the
 * float value is chosen per check from its error budget in single precision (unit roundoff
 * PINN_TEST_EPS / 2 = 6e-8; finite differences lose about eps / h to cancellation, see fdcheck.h)
 * and stays tight enough that a wrong result still fails.  PINN_TEST_FLOAT is 1 in the float
 * build, for the few checks whose setup (not only the bound) depends on the precision. */
/* For a check whose error is pure rounding (a measure, a recurrence, a decimal constant), the
 * double tolerance carried over as the same multiple of the build's epsilon: identity in double,
 * x 2^29 (1e-15 -> 5.4e-7) in float. */
#define PINN_TEST_ROUNDING(double_tol) ((double_tol) * (PINN_TEST_EPS / DBL_EPSILON))
#ifdef PINN_REAL_FLOAT
#define PINN_TEST_FLOAT 1
#define PINN_TEST_EPS ((double)FLT_EPSILON)
#define PINN_TEST_TOL(double_tol, float_tol) (float_tol)
#else
#define PINN_TEST_FLOAT 0
#define PINN_TEST_EPS DBL_EPSILON
#define PINN_TEST_TOL(double_tol, float_tol) (double_tol)
#endif

static int check_pass_, check_fail_;

#define CHECK(cond, ...)                                                              \
    do {                                                                              \
        if (cond) {                                                                   \
            check_pass_++;                                                            \
        } else {                                                                      \
            check_fail_++;                                                            \
            fprintf(stderr, "%s:%d: CHECK(%s) failed: ", __FILE__, __LINE__, #cond); \
            fprintf(stderr, __VA_ARGS__);                                             \
            fprintf(stderr, "\n");                                                    \
        }                                                                             \
    } while (0)

/* |a-b| <= tol * max(1, |a|, |b|)  (relative, with an absolute floor of tol) */
#define CHECK_CLOSE(a, b, tol, what)                                                          \
    do {                                                                                      \
        double ca_ = (double)(a), cb_ = (double)(b);                                          \
        double sc_ = fmax(1.0, fmax(fabs(ca_), fabs(cb_)));                                   \
        CHECK(fabs(ca_ - cb_) <= (tol) * sc_, "%s: %.12g vs %.12g (tol %g)", what, ca_, cb_, \
              (double)(tol));                                                                 \
    } while (0)

#define CHECK_OK(expr, err)                                                                  \
    do {                                                                                     \
        pinn_status st_ = (expr);                                                            \
        CHECK(st_ == PINN_OK, "%s -> %s: %s", #expr, pinn_status_to_string(st_), (err).msg); \
    } while (0)

#define CHECK_DONE()                                                     \
    (printf("%d passed, %d failed\n", check_pass_, check_fail_), \
     check_fail_ ? EXIT_FAILURE : EXIT_SUCCESS)

/* A reproducible uniform number in [-1, 1) from xorshift64 (one stream per test program). */
static unsigned long long check_rng_state_ = 88172645463325252ULL;
static inline pinn_real check_urand(void) {
    check_rng_state_ ^= check_rng_state_ << 13;
    check_rng_state_ ^= check_rng_state_ >> 7;
    check_rng_state_ ^= check_rng_state_ << 17;
    return (pinn_real)((double)(check_rng_state_ >> 11) / 9007199254740992.0 * 2 - 1);
}

#endif
