/* trainer_util.h - helpers of the tests that train an example: the path of a file under
 * examples/ (the source tree from $PINN_SOURCE, else ".."), and a trainer made from a problem
 * file with --set style overrides. */
#ifndef PINN_TESTS_TRAINER_UTIL_H
#define PINN_TESTS_TRAINER_UTIL_H

#include <stdio.h>
#include <stdlib.h>

#include "pinnc.h"

/* The path of examples/name (a static buffer: valid until the next call). */
static inline const char *ex(const char *name) {
    static char path[1024];
    const char *src = getenv("PINN_SOURCE");
    snprintf(path, sizeof path, "%s/examples/%s", src ? src : "..", name);
    return path;
}

/* A trainer for file with the n overrides sets ("key=value"); NULL with err set on failure. */
static inline pinn_trainer *make(const char *file, int n, const char **sets, pinn_error *err) {
    pinn_problem *p = malloc(sizeof *p);
    pinn_trainer *t = NULL;
    if (!p) return NULL;
    if (pinn_problem_load(p, file, n, sets, err) || pinn_trainer_init(&t, p, err)) t = NULL;
    free(p);
    return t;
}

#endif
