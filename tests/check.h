/* check.h - the tiny assertion kit shared by pinnc's tests: CHECK keeps going and counts,
 * the final CHECK_DONE() prints "N passed, N failed" and returns the exit code. */
#ifndef PINN_TESTS_CHECK_H
#define PINN_TESTS_CHECK_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

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

#endif
