/* cond_select.c - where an equation condition's points lie.  `on:` selects parts of the domain:
 * the spatial boundary and the initial slice (filtered by the predicate), the lines and surfaces
 * inside the domain and the time slices named by equalities of the predicate ("x = 0.5",
 * "t = 1"), the interior ("interior" or "interior and <predicate>"), or a list of points
 * ("at (x, y) (x, y) ...", the text form of `on: [[x, y], ...]`).  Each selected part gets points
 * in proportion to the measure of its selected piece, estimated on a probe of each part. */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "train/trainer.h"

enum { SEL_BOUNDARY = 0, SEL_INITIAL, SEL_TSLICE, SEL_XSLICE, SEL_INTERIOR };
#define SEL_MAX_PARTS 10
#define SEL_PROBE 2000

/* One part of the domain a condition may sample. */
typedef struct sel_part {
    int kind;
    int axis;      /* slices: the coordinate held fixed */
    double value;  /* slices: its value */
    double share;  /* measure of the selected piece (estimated) */
} sel_part;

/* The filter of one part: the predicate, after fixing a coordinate (slices), and strictly inside
 * the domain (spatial slices: the pieces of a slice on the boundary belong to the boundary). */
typedef struct sel_ctx {
    const pinn_trainer *t;
    pinn_expr *pred;
    int axis;
    double value;
    int strict;
    double tol;
} sel_ctx;

/* The keep-filter of a part; see sel_ctx. */
static int keep_sel(const pinn_real *pt, void *vc) {
    const sel_ctx *c = vc;
    pinn_real q[PINN_GEOM_MAX_DIM];
    memcpy(q, pt, sizeof(pinn_real) * (size_t)c->t->d);
    if (c->axis >= 0) q[c->axis] = (pinn_real)c->value;
    if (c->strict && !(pinn_geom_contains(c->t->geom, q, 0) && pinn_geom_signed_distance(c->t->geom, q) < -c->tol))
        return 0;
    if (!c->pred) return 1;
    pinn_real out = 0;
    return tr_expr_points(c->t, c->pred, 1, q, &out, NULL) == PINN_OK && out != 0;
}

static const char *file_of(const pinn_trainer *t) { return t->prob.file[0] ? t->prob.file : "<problem>"; }

static int ident_char(char ch) { return isalnum((unsigned char)ch) || ch == '_'; }

/* Appends to parts the slices named by equalities "coord = value" (or "==") of the predicate whose
 * value is a constant inside the coordinate's range (time: in (t0, t1]; space: in (lo, hi), the
 * faces of the range being boundary).  Returns the new number of parts. */
static int find_slices(const pinn_trainer *t, const char *on, sel_part *parts, int np) {
    const pinn_domain *dm = &t->prob.domain;
    size_t n = strlen(on);
    for (size_t i = 0; i < n; i++) {
        if (!(isalpha((unsigned char)on[i]) || on[i] == '_') || (i > 0 && (ident_char(on[i - 1]) || on[i - 1] == '.'))) continue;
        size_t j = i;
        while (j < n && ident_char(on[j])) j++;
        int ci = -1;
        for (int k = 0; k < dm->d; k++)
            if (strlen(dm->coord[k]) == j - i && !strncmp(dm->coord[k], on + i, j - i)) ci = k;
        size_t b = i;
        while (b > 0 && isspace((unsigned char)on[b - 1])) b--;
        int after_op = b > 0 && strchr("*/+-^<>=!", on[b - 1]);
        size_t k = j;
        while (k < n && isspace((unsigned char)on[k])) k++;
        if (ci < 0 || after_op || k >= n || on[k] != '=' || (k + 1 < n && on[k + 1] != '=' && strchr("<>!", on[k + 1]))) {
            i = j - 1;
            continue;
        }
        k += (k + 1 < n && on[k + 1] == '=') ? 2 : 1;
        size_t m = k;
        int depth = 0;
        while (m < n) {
            if (on[m] == '(') depth++;
            else if (on[m] == ')') {
                if (depth == 0) break;
                depth--;
            } else if (depth == 0 && (on[m] == ',' || on[m] == '&' || on[m] == '|')) break;
            else if (depth == 0 && isalpha((unsigned char)on[m]) && !ident_char(on[m - 1])) {
                size_t w = m;
                while (w < n && ident_char(on[w])) w++;
                if ((w - m == 3 && !strncmp(on + m, "and", 3)) || (w - m == 2 && !strncmp(on + m, "or", 2))) break;
                m = w;
                continue;
            }
            m++;
        }
        char text[PINN_EXPR_MAX];
        snprintf(text, sizeof text, "%.*s", (int)(m - k), on + k);
        double v;
        pinn_error e;
        i = j - 1;
        if (pinn_expr_eval_scalar(text, &t->sym, &v, &e) != PINN_OK || !isfinite(v)) continue;
        double lo = dm->lo[ci], hi = dm->hi[ci], eps = 1e-9 * (hi - lo);
        int ok = ci == dm->time ? (v > lo + eps && v <= hi + eps) : (v > lo + eps && v < hi - eps);
        if (ci == dm->time && fabs(v - hi) <= eps) v = hi;
        for (int q = 0; q < np; q++)
            if (parts[q].axis == ci && parts[q].value == v) ok = 0;
        if (!ok || np == SEL_MAX_PARTS) continue;
        parts[np].kind = ci == dm->time ? SEL_TSLICE : SEL_XSLICE;
        parts[np].axis = ci;
        parts[np].value = v;
        parts[np].share = 0;
        np++;
    }
    return np;
}

/* A description of part p for messages, into buf. */
static const char *part_name(const pinn_trainer *t, const sel_part *p, char *buf, size_t size) {
    const pinn_domain *dm = &t->prob.domain;
    switch (p->kind) {
    case SEL_BOUNDARY: snprintf(buf, size, "the spatial boundary"); break;
    case SEL_INITIAL: snprintf(buf, size, "the initial slice %s = %g", dm->coord[dm->time], dm->lo[dm->time]); break;
    case SEL_INTERIOR: snprintf(buf, size, "the interior"); break;
    default: snprintf(buf, size, "the slice %s = %g", dm->coord[p->axis], p->value); break;
    }
    return buf;
}

/* The box over the domain's bounding box (with the same time axis): spatial slices are drawn
 * from it, uniformly in the other coordinates, and filtered to the domain. */
static pinn_status bbox_geom(const pinn_trainer *t, pinn_geom **out, pinn_error *err) {
    pinn_real lo[PINN_GEOM_MAX_DIM], hi[PINN_GEOM_MAX_DIM], sl[PINN_GEOM_MAX_SPACE], sh[PINN_GEOM_MAX_SPACE];
    pinn_geom_bbox(t->geom, lo, hi);
    int ns = pinn_geom_space_dim(t->geom), ti = pinn_geom_time_index(t->geom);
    for (int k = 0; k < ns; k++) sl[k] = lo[pinn_geom_space_index(t->geom, k)], sh[k] = hi[pinn_geom_space_index(t->geom, k)];
    pinn_status st = pinn_geom_init_box(out, ns, sl, sh, err);
    if (!st && ti >= 0) st = pinn_geom_set_time(*out, ti, lo[ti], hi[ti], err);
    return st;
}

/* Draws up to n points of part p (filtered by ctx) into x, normals into nrm (boundary only). */
static pinn_status sample_part(const pinn_trainer *t, const pinn_geom *bb, const sel_part *p, pinn_sequence *seq,
                               size_t n, pinn_keep_fn keep, sel_ctx *ctx, pinn_real *x, pinn_real *nrm, size_t *cnt,
                               pinn_error *err) {
    pinn_status st;
    switch (p->kind) {
    case SEL_BOUNDARY: return pinn_geom_sample_boundary(t->geom, seq, n, -1, keep, ctx, x, nrm, NULL, cnt, err);
    case SEL_INITIAL:
    case SEL_TSLICE: st = pinn_geom_sample_initial(t->geom, seq, n, keep, ctx, x, cnt, err); break;
    case SEL_XSLICE: st = pinn_geom_sample_interior(bb, seq, n, keep, ctx, x, cnt, err); break;
    default: st = pinn_geom_sample_interior(t->geom, seq, n, keep, ctx, x, cnt, err); break;
    }
    if (!st && (p->kind == SEL_TSLICE || p->kind == SEL_XSLICE))
        for (size_t i = 0; i < *cnt; i++) x[i * (size_t)t->d + (size_t)p->axis] = (pinn_real)p->value;
    return st;
}

/* The measure of part p (the whole part, before the predicate's filter). */
static double part_measure(const pinn_trainer *t, const pinn_geom *bb, const sel_part *p) {
    pinn_real t0, t1;
    double T = pinn_geom_time_range(t->geom, &t0, &t1) ? (double)(t1 - t0) : 1.0;
    const pinn_domain *dm = &t->prob.domain;
    switch (p->kind) {
    case SEL_BOUNDARY: return (double)pinn_geom_boundary_measure(t->geom) * T;
    case SEL_INITIAL:
    case SEL_TSLICE: return (double)pinn_geom_space_measure(t->geom);
    case SEL_XSLICE: return (double)pinn_geom_measure(bb) / (dm->hi[p->axis] - dm->lo[p->axis]);
    default: return (double)pinn_geom_measure(t->geom);
    }
}

/* Parses "at (a, b) (c, d) ..." into the term's points (each inside the domain; on the boundary
 * when the equation uses the normal derivative, whose normals then come from the geometry). */
static pinn_status explicit_points(pinn_trainer *t, tr_term *tm, const pinn_condition *c, const char *s, pinn_error *err) {
    int d = t->d;
    size_t cap = strlen(s) / 2 + 1, n = 0;
    pinn_real *x = malloc(sizeof(pinn_real) * cap * (size_t)d), *nr = malloc(sizeof(pinn_real) * cap * (size_t)d);
    pinn_status st = PINN_OK;
    if (!x || !nr) st = pinn_error_set(err, PINN_ERR_NOMEM, "out of memory");
    pinn_real lo[PINN_GEOM_MAX_DIM], hi[PINN_GEOM_MAX_DIM];
    pinn_geom_bbox(t->geom, lo, hi);
    double span = 0;
    for (int k = 0; k < d; k++) span = fmax(span, (double)(hi[k] - lo[k]));
    while (st == PINN_OK) {
        while (isspace((unsigned char)*s)) s++;
        if (!*s) break;
        if (*s != '(') {
            st = pinn_error_set(err, PINN_ERR_INVALID, "%s:%d: condition '%s': on: expected '(' to open point %zu near '%.12s'",
                                file_of(t), c->line, c->name, n + 1, s);
            break;
        }
        s++;
        for (int k = 0; k < d && st == PINN_OK; k++) {
            char *end;
            double v = strtod(s, &end);
            while (isspace((unsigned char)*end)) end++;
            char want = k + 1 < d ? ',' : ')';
            if (end == s || !isfinite(v) || *end != want)
                st = pinn_error_set(err, PINN_ERR_INVALID,
                                    "%s:%d: condition '%s': on: point %zu: expected %d numbers (one per coordinate, in the "
                                    "domain's order) separated by commas",
                                    file_of(t), c->line, c->name, n + 1, d);
            else x[n * (size_t)d + (size_t)k] = (pinn_real)v, s = end + 1;
        }
        if (st) break;
        pinn_real *pt = x + n * (size_t)d;
        if (!pinn_geom_contains(t->geom, pt, (pinn_real)(1e-9 * span))) {
            char b[128] = "";
            for (int k = 0; k < d; k++)
                snprintf(b + strlen(b), sizeof b - strlen(b), "%s%g", k ? ", " : "", (double)pt[k]);
            st = pinn_error_set(err, PINN_ERR_INVALID, "%s:%d: condition '%s': on: point %zu (%s) lies outside the domain",
                                file_of(t), c->line, c->name, n + 1, b);
            break;
        }
        if (tm->uses_normals) {
            if (pinn_geom_space_dim(t->geom) == 0 || fabs((double)pinn_geom_signed_distance(t->geom, pt)) > 1e-9 * span)
                st = pinn_error_set(err, PINN_ERR_INVALID,
                                    "%s:%d: condition '%s': the normal derivative (_n) needs points on the spatial boundary; "
                                    "point %zu is not on it",
                                    file_of(t), c->line, c->name, n + 1);
            else st = pinn_geom_normal(t->geom, pt, nr + n * (size_t)d, NULL, err);
        }
        n++;
    }
    if (!st && n == 0)
        st = pinn_error_set(err, PINN_ERR_INVALID, "%s:%d: condition '%s': on: the point list is empty", file_of(t), c->line, c->name);
    if (!st) st = tr_take_points(tm, d, x, tm->uses_normals ? nr : NULL, n, err);
    free(x), free(nr);
    return st;
}

/* An equation condition's points: see the file comment. */
pinn_status tr_cond_points(pinn_trainer *t, tr_term *tm, const pinn_condition *c, pinn_sampler smp, pinn_error *err) {
    const char *on = c->on;
    while (isspace((unsigned char)*on)) on++;
    if (!strncmp(on, "at", 2)) {
        const char *r = on + 2;
        while (isspace((unsigned char)*r)) r++;
        if (*r == '(') return explicit_points(t, tm, c, r, err);
    }
    int whole = !strcmp(on, "boundary"); /* the whole spatial boundary, no filter */
    int interior = !strncmp(on, "interior", 8) && !ident_char(on[8]);
    const char *ptext = pinn_cond_on_predicate(on);
    if (!ptext) ptext = "";
    else if (interior && ptext == on)
        return pinn_error_set(err, PINN_ERR_INVALID,
                              "%s:%d: condition '%s': on: expected 'interior' or 'interior and <predicate>', got '%s'",
                              file_of(t), c->line, c->name, c->on);
    pinn_expr *pred = NULL;
    pinn_status st = PINN_OK;
    if (!whole && *ptext) st = tr_compile(t, ptext, c->line, "on", PINN_EXPR_PREDICATE, &pred, err);
    if (st) return st;
    sel_part parts[SEL_MAX_PARTS];
    int np = 0;
    if (interior) parts[np++] = (sel_part){SEL_INTERIOR, -1, 0, 0};
    else {
        if (pinn_geom_sample_dim(t->geom, PINN_REGION_BOUNDARY)) parts[np++] = (sel_part){SEL_BOUNDARY, -1, 0, 0};
        if (pinn_geom_sample_dim(t->geom, PINN_REGION_INITIAL)) parts[np++] = (sel_part){SEL_INITIAL, -1, 0, 0};
        if (!whole) np = find_slices(t, ptext, parts, np);
    }
    int d = t->d;
    pinn_real lo[PINN_GEOM_MAX_DIM], hi[PINN_GEOM_MAX_DIM];
    pinn_geom_bbox(t->geom, lo, hi);
    double span = 0;
    for (int k = 0; k < d; k++) span = fmax(span, (double)(hi[k] - lo[k]));
    sel_ctx ctx[SEL_MAX_PARTS];
    for (int r = 0; r < np; r++) {
        int sl = parts[r].kind == SEL_TSLICE || parts[r].kind == SEL_XSLICE;
        ctx[r] = (sel_ctx){t, pred, sl ? parts[r].axis : -1, parts[r].value, parts[r].kind == SEL_XSLICE, 1e-9 * span};
    }
    pinn_geom *bb = NULL;
    pinn_real *probe = malloc(sizeof(pinn_real) * SEL_PROBE * (size_t)d);
    pinn_real *xs = malloc(sizeof(pinn_real) * (size_t)c->points * (size_t)d);
    pinn_real *ns = malloc(sizeof(pinn_real) * (size_t)c->points * (size_t)d);
    if (!probe || !xs || !ns) {
        st = pinn_error_set(err, PINN_ERR_NOMEM, "out of memory");
        goto done;
    }
    for (int r = 0; r < np && !bb; r++)
        if (parts[r].kind == SEL_XSLICE && (st = bbox_geom(t, &bb, err))) goto done;
    double total = 0;
    for (int r = 0; r < np; r++) {
        const pinn_geom *g = parts[r].kind == SEL_XSLICE ? bb : t->geom;
        pinn_region reg = parts[r].kind == SEL_BOUNDARY ? PINN_REGION_BOUNDARY
                          : (parts[r].kind == SEL_INITIAL || parts[r].kind == SEL_TSLICE) ? PINN_REGION_INITIAL
                                                                                          : PINN_REGION_INTERIOR;
        pinn_sequence *seq = NULL;
        size_t cnt = 0;
        if ((st = pinn_sequence_init(&seq, PINN_SAMPLER_UNIFORM, pinn_geom_sample_dim(g, reg), t->prob.train.seed + 17, NULL, err)))
            goto done;
        st = sample_part(t, bb, &parts[r], seq, SEL_PROBE, NULL, NULL, probe, NULL, &cnt, err);
        pinn_sequence_free(seq);
        if (st) goto done;
        size_t hit = 0;
        for (size_t i = 0; i < cnt; i++)
            hit += whole ? (size_t)(parts[r].kind == SEL_BOUNDARY) : (size_t)keep_sel(probe + i * (size_t)d, &ctx[r]);
        parts[r].share = cnt ? part_measure(t, bb, &parts[r]) * (double)hit / (double)cnt : 0;
        total += parts[r].share;
    }
    if (total <= 0) {
        char tried[400] = "", nm[96];
        for (int r = 0; r < np; r++)
            snprintf(tried + strlen(tried), sizeof tried - strlen(tried), "%s%s", r ? (r + 1 == np ? " and " : ", ") : "",
                     part_name(t, &parts[r], nm, sizeof nm));
        st = pinn_error_set(err, PINN_ERR_INVALID,
                            "%s:%d: condition '%s': 'on: %s' selects no point: it was tested on %s and holds on none of "
                            "them (an equality 'x = c' selects the line or surface x = c when c lies inside the range of "
                            "x; use 'interior and ...' for a part of the interior, 'at (x, y) ...' or a list [[x, y], ...] "
                            "for single points)",
                            file_of(t), c->line, c->name, c->on, np ? tried : "nothing");
        goto done;
    }
    for (int r = 0; r < np; r++)
        if (tm->uses_normals && parts[r].kind != SEL_BOUNDARY && parts[r].share > 0) {
            char nm[96];
            st = pinn_error_set(err, PINN_ERR_INVALID,
                                "%s:%d: condition '%s': the normal derivative (_n) needs points on the spatial boundary, "
                                "but 'on: %s' selects points of %s, which has no outward normal",
                                file_of(t), c->line, c->name, c->on, part_name(t, &parts[r], nm, sizeof nm));
            goto done;
        }
    size_t got_total = 0;
    double cum = 0;
    long long before = 0;
    int any_normals = 0;
    for (int r = 0; r < np; r++) {
        cum += parts[r].share;
        long long upto = r + 1 == np ? (long long)c->points : llround((double)c->points * cum / total);
        size_t want = (size_t)(upto - before);
        before = upto;
        if (!want) continue;
        const pinn_geom *g = parts[r].kind == SEL_XSLICE ? bb : t->geom;
        pinn_region reg = parts[r].kind == SEL_BOUNDARY ? PINN_REGION_BOUNDARY
                          : (parts[r].kind == SEL_INITIAL || parts[r].kind == SEL_TSLICE) ? PINN_REGION_INITIAL
                                                                                          : PINN_REGION_INTERIOR;
        pinn_sequence *seq = NULL;
        pinn_sequence_opts so = {0};
        so.randomize = 1;
        size_t cnt = 0;
        uint64_t seed = t->prob.train.seed * 7919 + (uint64_t)t->n_terms + (r >= 2 ? 1000003ULL * (uint64_t)r : 0);
        if ((st = pinn_sequence_init(&seq, smp == PINN_SAMPLER_GRID ? PINN_SAMPLER_SOBOL : smp, pinn_geom_sample_dim(g, reg),
                                     seed, &so, err)))
            goto done;
        int filtered = !whole && (pred || parts[r].kind == SEL_XSLICE);
        pinn_error e;
        st = sample_part(t, bb, &parts[r], seq, want, filtered ? keep_sel : NULL, &ctx[r], xs + got_total * d,
                         ns + got_total * d, &cnt, &e);
        if (!st && parts[r].kind == SEL_BOUNDARY) any_normals = 1;
        else if (!st)
            for (size_t i = 0; i < cnt * (size_t)d; i++) ns[got_total * d + i] = 0;
        pinn_sequence_free(seq);
        if (st) {
            char nm[96];
            st = pinn_error_set(err, st, "%s:%d: condition '%s': on %s: %s", file_of(t), c->line, c->name,
                                part_name(t, &parts[r], nm, sizeof nm), e.msg);
            goto done;
        }
        got_total += cnt;
    }
    st = tr_take_points(tm, d, xs, any_normals ? ns : NULL, got_total, err);
done:
    free(probe), free(xs), free(ns);
    pinn_geom_free(bb);
    pinn_expr_free(pred);
    return st;
}
