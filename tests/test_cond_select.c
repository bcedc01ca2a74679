/* test_cond_select.c - where conditions put their points: an interior line "x = 0.5" (on the
 * line, spread over it), a line and a boundary edge together (points split by length), an
 * interior segment of the L-shape next to its boundary edge, a terminal slice "t = 1" of a time
 * domain and of a space-time domain, "interior and ..." (inside, in the selected part), explicit
 * points (YAML list and text form), a CSG domain's hole; and the errors: a selection that
 * selects nothing names what was tried, normal derivatives off the boundary, a point outside. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "pinnc.h"
#include "train/trainer.h"

static char dir[] = "/tmp/pinnc-cond-XXXXXX";

/* Loads the problem text (domain/fields/equations from head, then conditions) and builds a
 * trainer; on failure returns NULL with the message in msg. */
static pinn_trainer *make(const char *text, char *msg, size_t size) {
    char file[256];
    snprintf(file, sizeof file, "%s/p.yaml", dir);
    FILE *f = fopen(file, "w");
    if (!f) return NULL;
    fputs(text, f);
    fputs("model: {kind: mlp, hidden: [4]}\ntrain: {collocation: 64, epochs: 1}\n", f);
    fclose(f);
    pinn_problem *p = malloc(sizeof *p);
    pinn_error err;
    pinn_trainer *t = NULL;
    if (pinn_problem_load(p, file, 0, NULL, &err) || pinn_trainer_init(&t, p, &err)) {
        snprintf(msg, size, "%s", err.msg);
        t = NULL;
    } else
        msg[0] = 0;
    free(p);
    return t;
}

/* The term named name. */
static const tr_term *term(const pinn_trainer *t, const char *name) {
    for (int k = 0; k < t->n_terms; k++)
        if (!strcmp(t->terms[k].name, name)) return &t->terms[k];
    return NULL;
}

#define BOX "domain: {x: [0, 1], y: [0, 1]}\nfields: [u]\nequations: ['lap(u) = 0']\nconditions:\n"

static void test_box(void) {
    char msg[600];
    pinn_trainer *t = make(BOX "  - {name: line, on: 'x = 0.5', equation: 'u = 1', points: 400}\n"
                               "  - {name: mixed, on: 'x = 0.5 or y = 0', equation: 'u = 1', points: 1000}\n"
                               "  - {name: inner, on: 'interior and x < 0.25', equation: 'u = 1', points: 300}\n"
                               "  - {name: pts, on: [[0.25, 0.75], [0.5, 0.5]], equation: 'u = 1'}\n"
                               "  - {name: pts2, on: 'at (0.1, 0.2) (0.3, 0.4) (0.5, 0.6)', equation: 'u = 1', points: 7}\n",
                           msg, sizeof msg);
    CHECK(t != NULL, "box trainer: %s", msg);
    if (!t) return;
    const tr_term *a = term(t, "line");
    size_t off = 0, low = 0;
    for (size_t i = 0; a && i < a->n_all; i++) {
        off += a->x[2 * i] != (pinn_real)0.5 || a->x[2 * i + 1] < 0 || a->x[2 * i + 1] > 1;
        low += a->x[2 * i + 1] < 0.5;
    }
    CHECK(a && a->n_all == 400 && off == 0, "line x = 0.5: %zu points, %zu off the line", a ? a->n_all : 0, off);
    CHECK(a && low > 160 && low < 240, "line x = 0.5: %zu of 400 points below y = 0.5", low);
    const tr_term *b = term(t, "mixed");
    size_t on_line = 0, on_edge = 0;
    for (size_t i = 0; b && i < b->n_all; i++) {
        on_line += b->x[2 * i] == (pinn_real)0.5 && b->x[2 * i + 1] != 0;
        on_edge += b->x[2 * i + 1] == 0;
    }
    CHECK(b && on_line + on_edge == 1000 && on_line > 420 && on_line < 580,
          "x = 0.5 or y = 0: %zu on the line, %zu on the edge (equal lengths)", on_line, on_edge);
    const tr_term *c = term(t, "inner");
    size_t bad = 0;
    for (size_t i = 0; c && i < c->n_all; i++)
        bad += !(c->x[2 * i] < 0.25 && c->x[2 * i] > 0 && c->x[2 * i + 1] > 0 && c->x[2 * i + 1] < 1);
    CHECK(c && c->n_all == 300 && bad == 0, "interior and x < 0.25: %zu points, %zu outside", c ? c->n_all : 0, bad);
    const tr_term *d = term(t, "pts");
    CHECK(d && d->n_all == 2 && d->x[0] == (pinn_real)0.25 && d->x[1] == (pinn_real)0.75 && d->x[2] == (pinn_real)0.5,
          "point list: %zu points", d ? d->n_all : 0);
    const tr_term *e = term(t, "pts2");
    CHECK(e && e->n_all == 3 && e->x[5] == (pinn_real)0.6, "text point list: %zu points", e ? e->n_all : 0);
    pinn_trainer_free(t);
}

static void test_lshape_time_csg(void) {
    char msg[600];
    /* the L-shape's x = 0: the edge y in [-1, 0] (boundary) and the segment y in (0, 1) (inside) */
    pinn_trainer *t = make("domain: {x: [-1, 1], y: [-1, 1], shape: lshape}\nfields: [u]\nequations: ['lap(u) = 0']\n"
                           "conditions:\n  - {name: cut, on: 'x = 0', equation: 'u = 0', points: 1000}\n",
                           msg, sizeof msg);
    CHECK(t != NULL, "lshape trainer: %s", msg);
    if (t) {
        const tr_term *a = term(t, "cut");
        size_t up = 0, off = 0;
        for (size_t i = 0; a && i < a->n_all; i++) up += a->x[2 * i + 1] > 0, off += a->x[2 * i] != 0;
        CHECK(a && a->n_all == 1000 && off == 0 && up > 420 && up < 580, "lshape x = 0: %zu of 1000 in the interior half", up);
        pinn_trainer_free(t);
    }
    /* a two-point problem: t = 0 and t = 1 of a time domain */
    t = make("domain: {t: [0, 1]}\nfields: [u]\nequations: ['u_tt = -1']\nconditions:\n"
             "  - {name: end, on: 't = 1', equation: 'u = 0', points: 3}\n"
             "  - {name: both, on: 't = 0 or t = 1', equation: 'u = 0', points: 10}\n",
             msg, sizeof msg);
    CHECK(t != NULL, "time trainer: %s", msg);
    if (t) {
        const tr_term *a = term(t, "end"), *b = term(t, "both");
        CHECK(a && a->n_all == 3 && a->x[0] == 1 && a->x[2] == 1, "t = 1: terminal points");
        size_t ends = 0;
        for (size_t i = 0; b && i < b->n_all; i++) ends += b->x[i] == 1;
        CHECK(b && b->n_all == 10 && ends == 5, "t = 0 or t = 1: %zu of 10 at t = 1", ends);
        pinn_trainer_free(t);
    }
    /* space-time: the terminal slice t = 1 of [0,1] x [-1,1], and a time slice t = 0.5 */
    t = make("domain: {t: [0, 1], x: [-1, 1]}\nfields: [u]\nequations: ['u_t = u_xx']\nconditions:\n"
             "  - {name: final, on: 't = 1', equation: 'u = 0', points: 200}\n"
             "  - {name: mid, on: 't = 0.5 and x > 0', equation: 'u = 0', points: 100}\n",
             msg, sizeof msg);
    CHECK(t != NULL, "space-time trainer: %s", msg);
    if (t) {
        const tr_term *a = term(t, "final"), *b = term(t, "mid");
        size_t bad = 0;
        for (size_t i = 0; a && i < a->n_all; i++) bad += a->x[2 * i] != 1 || a->x[2 * i + 1] < -1 || a->x[2 * i + 1] > 1;
        for (size_t i = 0; b && i < b->n_all; i++) bad += b->x[2 * i] != (pinn_real)0.5 || !(b->x[2 * i + 1] > 0);
        CHECK(a && b && a->n_all == 200 && b->n_all == 100 && bad == 0, "time slices: %zu points off their slice", bad);
        pinn_trainer_free(t);
    }
    /* a CSG plate's hole: points on the circle, normals towards its centre */
    t = make("domain: {x: [-1, 1], y: [-1, 1], shape: csg,\n"
             "  csg: {difference: [{box: [[-1, -1], [1, 1]]}, {disk: {center: [0, 0], radius: 0.5}}]}}\n"
             "fields: [u]\nequations: ['lap(u) = 0']\nconditions:\n"
             "  - {name: hole, on: 'x^2 + y^2 < 0.5', equation: 'u_n = 0', points: 300}\n",
             msg, sizeof msg);
    CHECK(t != NULL, "csg trainer: %s", msg);
    if (t) {
        const tr_term *a = term(t, "hole");
        size_t bad = 0;
        for (size_t i = 0; a && i < a->n_all; i++) {
            double x = (double)a->x[2 * i], y = (double)a->x[2 * i + 1], r = sqrt(x * x + y * y);
            bad += fabs(r - 0.5) > PINN_TEST_TOL(1e-9, 1e-6) || (x * a->normals[2 * i] + y * a->normals[2 * i + 1]) / r > -0.999;
        }
        CHECK(a && a->n_all == 300 && a->normals && bad == 0, "csg hole: %zu bad points or normals", bad);
        pinn_trainer_free(t);
    }
}

static void test_errors(void) {
    char msg[600];
    pinn_trainer *t = make(BOX "  - {on: 'x = 2', equation: 'u = 0'}\n", msg, sizeof msg);
    CHECK(!t && strstr(msg, "selects no point") && strstr(msg, "tested on the spatial boundary"), "x = 2: %s", msg);
    t = make(BOX "  - {on: 'x = 0.5 and y > 2', equation: 'u = 0'}\n", msg, sizeof msg);
    CHECK(!t && strstr(msg, "the slice x = 0.5"), "empty part of a slice: %s", msg);
    t = make("domain: {t: [0, 1]}\nfields: [u]\nequations: ['u_t = 0']\nconditions:\n  - {on: 't = 2', equation: 'u = 0'}\n",
             msg, sizeof msg);
    CHECK(!t && strstr(msg, "initial slice t = 0"), "t = 2: %s", msg);
    t = make(BOX "  - {on: 'y = 0.5', equation: 'u_n = 0'}\n", msg, sizeof msg);
    CHECK(!t && strstr(msg, "no outward normal"), "u_n on a slice: %s", msg);
    t = make(BOX "  - {on: [[0.5, 1.5]], equation: 'u = 0'}\n", msg, sizeof msg);
    CHECK(!t && strstr(msg, "outside the domain"), "point outside: %s", msg);
    t = make(BOX "  - {on: [[0.5, 0.5, 0.5]], equation: 'u = 0'}\n", msg, sizeof msg);
    CHECK(!t && strstr(msg, "2 numbers"), "point of 3 coordinates: %s", msg);
    t = make(BOX "  - {on: [[0.5, 0.5]], equation: 'u_n = 0'}\n", msg, sizeof msg);
    CHECK(!t && strstr(msg, "not on it"), "u_n at an inner point: %s", msg);
    t = make(BOX "  - {on: [[1, 0.5]], equation: 'u_n = 0'}\n", msg, sizeof msg);
    CHECK(t != NULL, "u_n at a boundary point: %s", msg);
    if (t) {
        const tr_term *a = &t->terms[t->n_terms - 1];
        CHECK(a->normals && a->normals[0] == 1 && a->normals[1] == 0, "normal at (1, 0.5)");
        pinn_trainer_free(t);
    }
}

int main(void) {
    CHECK(mkdtemp(dir) != NULL, "mkdtemp");
    test_box();
    test_lshape_time_csg();
    test_errors();
    char f[256];
    snprintf(f, sizeof f, "%s/p.yaml", dir);
    unlink(f);
    rmdir(dir);
    return CHECK_DONE();
}
