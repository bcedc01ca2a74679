/* config_geom.c - the problem file's geometry keys beyond coordinate ranges: domain.csg (a tree
 * of primitives and set operations, read into the domain's flat node list and written back as a
 * tree) and a condition's `on:` given as a list of points (kept as the text "at (x, y) ..."). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "pinnc.h"

#ifdef PINN_HAVE_YAML
#include "io/config_lang.h"
#include "io/yamldoc.h"

#define TRY(x)                          \
    do {                                \
        pinn_status st_ = (x);          \
        if (st_ != PINN_OK) return st_; \
    } while (0)

static int seq_len(yaml_node_t *n) {
    return n && n->type == YAML_SEQUENCE_NODE ? (int)(n->data.sequence.items.top - n->data.sequence.items.start) : -1;
}
static yaml_node_t *seq_at(ydoc *d, yaml_node_t *n, int i) { return ydoc_node(d, n->data.sequence.items.start[i]); }

/* A list of exactly n numbers into out. */
static pinn_status vec(ydoc *d, yaml_node_t *v, const char *key, const pinn_problem *p, int n, double *out) {
    if (seq_len(v) != n) {
        char form[64];
        snprintf(form, sizeof form, "a list of %d numbers (one per space coordinate)", n);
        return ydoc_expected(d, v, key, form);
    }
    for (int i = 0; i < n; i++) TRY(pinn_config_scalar(d, seq_at(d, v, i), key, p, &out[i]));
    return PINN_OK;
}

/* The value of key in mapping m, or NULL. */
static yaml_node_t *member(ydoc *d, yaml_node_t *m, const char *key) {
    if (!m || m->type != YAML_MAPPING_NODE) return NULL;
    for (yaml_node_pair_t *pr = m->data.mapping.pairs.start; pr < m->data.mapping.pairs.top; pr++) {
        const char *k = ydoc_scalar(ydoc_node(d, pr->key));
        if (k && !strcmp(k, key)) return ydoc_node(d, pr->value);
    }
    return NULL;
}

/* The spatial axis of a coordinate name, or -1. */
static int space_axis(const pinn_domain *dm, const char *name) {
    for (int i = 0, k = 0; i < dm->d; i++) {
        if (i == dm->time) continue;
        if (!strcmp(dm->coord[i], name)) return k;
        k++;
    }
    return -1;
}

/* Appends a node; errors past PINN_CSG_MAX_NODES. */
static pinn_status add_node(ydoc *d, yaml_node_t *v, pinn_domain *dm, const pinn_csg_node *nd, int *index) {
    if (dm->n_csg == PINN_CSG_MAX_NODES) return ydoc_fail(d, v, PINN_ERR_INVALID, "domain.csg", "more than 16 nodes (primitives and operations)");
    dm->csg[dm->n_csg] = *nd;
    *index = dm->n_csg++;
    return PINN_OK;
}

/* One node of the tree ({box: ...}, {union: [...]}, ...), appended after its operands. */
static pinn_status csg_node(ydoc *d, yaml_node_t *v, pinn_problem *p, int ns, int depth, int *index) {
    static const char *const form = "a mapping with one key: box, disk, ball, polygon, halfspace, cylinder, union, intersection or difference";
    pinn_domain *dm = &p->domain;
    if (!v || v->type != YAML_MAPPING_NODE || v->data.mapping.pairs.top - v->data.mapping.pairs.start != 1)
        return ydoc_expected(d, v, "domain.csg", form);
    if (depth > PINN_CSG_MAX_NODES) return ydoc_fail(d, v, PINN_ERR_INVALID, "domain.csg", "nested too deeply");
    yaml_node_pair_t *pr = v->data.mapping.pairs.start;
    const char *k = ydoc_scalar(ydoc_node(d, pr->key));
    yaml_node_t *x = ydoc_node(d, pr->value);
    pinn_csg_node nd;
    memset(&nd, 0, sizeof nd);
    char key[64];
    snprintf(key, sizeof key, "domain.csg.%s", k ? k : "?");
    if (!k) return ydoc_expected(d, v, "domain.csg", form);
    if (!strcmp(k, "union") || !strcmp(k, "intersection") || !strcmp(k, "difference")) {
        int n = seq_len(x);
        if (n < 2) return ydoc_expected(d, x, key, "a list of at least two shapes");
        pinn_csg_kind op = k[0] == 'u' ? PINN_CSG_UNION : k[0] == 'i' ? PINN_CSG_INTERSECTION : PINN_CSG_DIFFERENCE;
        int acc;
        TRY(csg_node(d, seq_at(d, x, 0), p, ns, depth + 1, &acc));
        for (int i = 1; i < n; i++) { /* difference: the first minus each of the others */
            int b;
            TRY(csg_node(d, seq_at(d, x, i), p, ns, depth + 1, &b));
            nd.kind = op, nd.a = acc, nd.b = b;
            TRY(add_node(d, v, dm, &nd, &acc));
        }
        *index = acc;
        return PINN_OK;
    }
    if (!strcmp(k, "box")) {
        nd.kind = PINN_CSG_BOX;
        if (seq_len(x) != 2) return ydoc_expected(d, x, key, "[[lo...], [hi...]] (two corners)");
        TRY(vec(d, seq_at(d, x, 0), key, p, ns, nd.lo));
        TRY(vec(d, seq_at(d, x, 1), key, p, ns, nd.hi));
    } else if (!strcmp(k, "disk") || !strcmp(k, "ball") || !strcmp(k, "halfspace") || !strcmp(k, "cylinder")) {
        static const char *const ball_keys[] = {"center", "radius", NULL};
        static const char *const half_keys[] = {"normal", "offset", NULL};
        static const char *const cyl_keys[] = {"axis", "center", "radius", "range", NULL};
        int half = k[0] == 'h', cyl = k[0] == 'c';
        if (!x || x->type != YAML_MAPPING_NODE)
            return ydoc_expected(d, x, key, half ? "{normal: [...], offset: c} (normal . x <= c)"
                                            : cyl ? "{axis: z, center: [...], radius: r, range: [lo, hi]}"
                                                  : "{center: [...], radius: r}");
        TRY(ydoc_check_keys(d, x, key, half ? half_keys : cyl ? cyl_keys : ball_keys));
        if (half) {
            nd.kind = PINN_CSG_HALFSPACE;
            TRY(vec(d, member(d, x, "normal"), key, p, ns, nd.normal));
            yaml_node_t *o = member(d, x, "offset");
            if (!o) return ydoc_fail(d, x, PINN_ERR_INVALID, key, "missing 'offset'");
            TRY(pinn_config_scalar(d, o, key, p, &nd.offset));
        } else {
            nd.kind = cyl ? PINN_CSG_CYLINDER : PINN_CSG_BALL;
            TRY(vec(d, member(d, x, "center"), key, p, ns, nd.center));
            yaml_node_t *r = member(d, x, "radius");
            if (!r) return ydoc_fail(d, x, PINN_ERR_INVALID, key, "missing 'radius'");
            TRY(pinn_config_scalar(d, r, key, p, &nd.radius));
            if (cyl) {
                yaml_node_t *a = member(d, x, "axis");
                const char *an = ydoc_scalar(a);
                nd.axis = an ? space_axis(dm, an) : -1;
                if (nd.axis < 0) return ydoc_expected(d, a ? a : x, key, "axis: the name of a space coordinate");
                double rg[2];
                TRY(vec(d, member(d, x, "range"), key, p, 2, rg));
                nd.lo[0] = rg[0], nd.hi[0] = rg[1];
            }
        }
    } else if (!strcmp(k, "polygon")) {
        nd.kind = PINN_CSG_POLYGON;
        int n = seq_len(x);
        if (n < 3 || n > PINN_CSG_MAX_VERTICES) return ydoc_expected(d, x, key, "a list of 3 to 32 [x, y] vertices");
        nd.nv = n;
        for (int i = 0; i < n; i++) TRY(vec(d, seq_at(d, x, i), key, p, 2, nd.xy[i]));
    } else
        return ydoc_expected(d, v, "domain.csg", form);
    return add_node(d, v, dm, &nd, index);
}

/* domain.csg: the tree into dm->csg (the last node the shape), then built once to check it
 * (operands, dimensions, empty or unbounded shapes) and that it fits the coordinate ranges. */
pinn_status pinn_config_csg(ydoc *d, yaml_node_t *v, pinn_problem *p) {
    pinn_domain *dm = &p->domain;
    int ns = dm->d - (dm->time >= 0), root;
    if (ns != 2 && ns != 3) return ydoc_fail(d, v, PINN_ERR_INVALID, "domain.csg", "needs 2 or 3 space coordinates (give the coordinate ranges before csg)");
    dm->n_csg = 0;
    TRY(csg_node(d, v, p, ns, 0, &root));
    pinn_geom *g = NULL;
    pinn_error e;
    if (pinn_geom_init_csg(&g, ns, dm->n_csg, dm->csg, &e)) return ydoc_fail(d, v, PINN_ERR_INVALID, "domain.csg", e.msg);
    pinn_real lo[3], hi[3];
    pinn_geom_bbox(g, lo, hi);
    pinn_geom_free(g);
    for (int i = 0, k = 0; i < dm->d; i++) {
        if (i == dm->time) continue;
        double tol = 1e-9 * (dm->hi[i] - dm->lo[i]);
        if ((double)lo[k] < dm->lo[i] - tol || (double)hi[k] > dm->hi[i] + tol) {
            char m[256];
            snprintf(m, sizeof m, "the shape spans [%g, %g] in %s, outside the coordinate's range [%g, %g]", (double)lo[k],
                     (double)hi[k], dm->coord[i], dm->lo[i], dm->hi[i]);
            return ydoc_fail(d, v, PINN_ERR_INVALID, "domain.csg", m);
        }
        k++;
    }
    return PINN_OK;
}

/* A condition's `on:`: an expression, or a list of points [[x, y], ...] (one number per
 * coordinate, in the domain's order) kept as "at (x, y) ..." in c->on. */
pinn_status pinn_config_cond_on(ydoc *d, yaml_node_t *v, const pinn_problem *p, pinn_condition *c) {
    int n = seq_len(v);
    if (n < 0) return ydoc_expr(d, v, "conditions.on", c->on, sizeof c->on);
    if (n == 0) return ydoc_expected(d, v, "conditions.on", "a predicate, or a nonempty list of points [[x, y], ...]");
    size_t len = (size_t)snprintf(c->on, sizeof c->on, "at");
    for (int i = 0; i < n; i++) {
        double pt[PINN_MAX_INPUTS];
        TRY(vec(d, seq_at(d, v, i), "conditions.on", p, p->domain.d, pt));
        len += (size_t)snprintf(c->on + len, sizeof c->on > len ? sizeof c->on - len : 0, " (");
        for (int k = 0; k < p->domain.d; k++)
            len += (size_t)snprintf(c->on + len, sizeof c->on > len ? sizeof c->on - len : 0, "%s%.17g", k ? ", " : "", pt[k]);
        len += (size_t)snprintf(c->on + len, sizeof c->on > len ? sizeof c->on - len : 0, ")");
        if (len >= sizeof c->on) return ydoc_fail(d, v, PINN_ERR_INVALID, "conditions.on", "too many points for one condition (the list must fit in 511 characters)");
    }
    c->points = n;
    return PINN_OK;
}
#endif

/* Writes node i of the list as a YAML flow tree. */
static void write_node(FILE *f, const pinn_domain *dm, int ns, int i) {
    const pinn_csg_node *nd = &dm->csg[i];
    switch (nd->kind) {
    case PINN_CSG_UNION:
    case PINN_CSG_INTERSECTION:
    case PINN_CSG_DIFFERENCE:
        fprintf(f, "{%s: [", pinn_csg_kind_to_string(nd->kind));
        write_node(f, dm, ns, nd->a);
        fprintf(f, ", ");
        write_node(f, dm, ns, nd->b);
        fprintf(f, "]}");
        return;
    case PINN_CSG_BOX:
        fprintf(f, "{box: [[");
        for (int k = 0; k < ns; k++) fprintf(f, "%s%.17g", k ? ", " : "", nd->lo[k]);
        fprintf(f, "], [");
        for (int k = 0; k < ns; k++) fprintf(f, "%s%.17g", k ? ", " : "", nd->hi[k]);
        fprintf(f, "]]}");
        return;
    case PINN_CSG_POLYGON:
        fprintf(f, "{polygon: [");
        for (int v = 0; v < nd->nv; v++) fprintf(f, "%s[%.17g, %.17g]", v ? ", " : "", nd->xy[v][0], nd->xy[v][1]);
        fprintf(f, "]}");
        return;
    case PINN_CSG_HALFSPACE:
        fprintf(f, "{halfspace: {normal: [");
        for (int k = 0; k < ns; k++) fprintf(f, "%s%.17g", k ? ", " : "", nd->normal[k]);
        fprintf(f, "], offset: %.17g}}", nd->offset);
        return;
    default: {
        int cyl = nd->kind == PINN_CSG_CYLINDER;
        fprintf(f, "{%s: {center: [", cyl ? "cylinder" : "ball");
        for (int k = 0; k < ns; k++) fprintf(f, "%s%.17g", k ? ", " : "", nd->center[k]);
        fprintf(f, "], radius: %.17g", nd->radius);
        if (cyl) {
            const char *an = "?";
            for (int i2 = 0, k = 0; i2 < dm->d; i2++)
                if (i2 != dm->time && k++ == nd->axis) an = dm->coord[i2];
            fprintf(f, ", axis: %s, range: [%.17g, %.17g]", an, nd->lo[0], nd->hi[0]);
        }
        fprintf(f, "}}");
        return;
    }
    }
}

/* Writes "  csg: TREE\n" for a CSG domain (nothing otherwise). */
void pinn_config_write_csg(FILE *f, const pinn_domain *dm) {
    if (dm->shape != PINN_DOMAIN_CSG || dm->n_csg < 1) return;
    fprintf(f, "  csg: ");
    write_node(f, dm, dm->d - (dm->time >= 0), dm->n_csg - 1);
    fprintf(f, "\n");
}
