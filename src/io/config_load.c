/* config_load.c - converting the YAML document of a problem file into a pinn_problem, section by
 * section, with errors naming file, line and the expected form; then compiling every expression
 * once so that undefined names and syntax errors are reported at load time. */
#define _XOPEN_SOURCE 700 /* realpath */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pinnc.h"

#ifdef PINN_HAVE_YAML
#include "io/config_lang.h"
#include "io/msg.h"
#include "io/yamldoc.h"

int pinn_config_lookup(const char *const *names, int n, const char *s);
const char *const *pinn_config_shape_names(void);
const char *const *pinn_config_ref_names(void);
pinn_status pinn_config_csg(ydoc *d, yaml_node_t *v, pinn_problem *p);
pinn_status pinn_config_cond_on(ydoc *d, yaml_node_t *v, const pinn_problem *p, pinn_condition *c);

#define PAIRS(n) for (yaml_node_pair_t *pr = (n)->data.mapping.pairs.start; pr < (n)->data.mapping.pairs.top; pr++)
#define KEY(d) ydoc_scalar(ydoc_node(d, pr->key))
#define VAL(d) ydoc_node(d, pr->value)
#define TRY(x)                    \
    do {                          \
        pinn_status st_ = (x);    \
        if (st_ != PINN_OK) return st_; \
    } while (0)

/* The absolute path of an existing file into out; nonzero when it does not exist or is too long. */
static int abs_path(const char *rel, char *out, size_t size) {
    char *r = realpath(rel, NULL);
    int bad = !r || strlen(r) >= size;
    if (!bad) snprintf(out, size, "%s", r);
    free(r);
    return bad;
}

/* The error for a name over PINN_NAME_MAX - 1 characters (names are never cut). */
static pinn_status name_too_long(ydoc *d, yaml_node_t *n, const char *key, const char *name) {
    char m[128];
    snprintf(m, sizeof m, "the name '%.20s...' is longer than %d characters", name, PINN_NAME_MAX - 1);
    return ydoc_fail(d, n, PINN_ERR_INVALID, key, m);
}

/* one of names[n]; error lists them */
static pinn_status choice(ydoc *d, yaml_node_t *v, const char *key, const char *const *names, int n, int *out) {
    const char *s = ydoc_scalar(v);
    int k = s ? pinn_config_lookup(names, n, s) : -1;
    if (k >= 0) {
        *out = k;
        return PINN_OK;
    }
    char form[400] = "one of:";
    for (int i = 0; i < n; i++) strncat(form, " ", sizeof form - strlen(form) - 1), strncat(form, names[i], sizeof form - strlen(form) - 1);
    return ydoc_expected(d, v, key, form);
}

pinn_status pinn_config_scalar(ydoc *d, yaml_node_t *v, const char *key, const pinn_problem *p, double *out) {
    char text[PINN_EXPR_MAX];
    TRY(ydoc_expr(d, v, key, text, sizeof text));
    const char *cn[PINN_MAX_CONSTS];
    double cv[PINN_MAX_CONSTS];
    for (int i = 0; i < p->n_consts; i++) cn[i] = p->consts[i].name, cv[i] = p->consts[i].value;
    pinn_expr_symbols sym = {0};
    sym.n_consts = p->n_consts;
    sym.const_names = cn;
    sym.const_values = cv;
    pinn_error e;
    if (pinn_expr_eval_scalar(text, &sym, out, &e) != PINN_OK) return ydoc_fail(d, v, PINN_ERR_INVALID, key, e.msg);
    if (!isfinite(*out)) return ydoc_fail(d, v, PINN_ERR_INVALID, key, "the value is not finite");
    return PINN_OK;
}

static pinn_status pair_of(ydoc *d, yaml_node_t *v, const char *key, const pinn_problem *p, double *a, double *b) {
    if (!v || v->type != YAML_SEQUENCE_NODE || v->data.sequence.items.top - v->data.sequence.items.start != 2)
        return ydoc_expected(d, v, key, "[lo, hi]");
    TRY(pinn_config_scalar(d, ydoc_node(d, v->data.sequence.items.start[0]), key, p, a));
    return pinn_config_scalar(d, ydoc_node(d, v->data.sequence.items.start[1]), key, p, b);
}

static pinn_status load_domain(ydoc *d, yaml_node_t *n, pinn_problem *p) {
    pinn_domain *dm = &p->domain;
    dm->line = ydoc_line(d, n);
    if (!n || n->type != YAML_MAPPING_NODE) return ydoc_expected(d, n, "domain", "a mapping such as {x: [-1, 1], t: [0, 1]}");
    char time_name[PINN_NAME_MAX] = "t";
    int time_given = 0;
    yaml_node_t *csg = NULL;
    PAIRS(n) {
        const char *k = KEY(d);
        yaml_node_t *v = VAL(d);
        if (!k) return ydoc_expected(d, ydoc_node(d, pr->key), "domain", "a coordinate name");
        if (!strcmp(k, "shape")) {
            int s;
            TRY(choice(d, v, "domain.shape", pinn_config_shape_names(), PINN_DOMAIN_SHAPE_COUNT, &s));
            dm->shape = (pinn_domain_shape)s;
        } else if (!strcmp(k, "time")) {
            const char *s = ydoc_scalar(v);
            time_given = 1;
            if (!s || !strcmp(s, "null") || !strcmp(s, "~") || !*s) time_name[0] = '\0';
            else TRY(ydoc_str(d, v, "domain.time", time_name, sizeof time_name));
        } else if (!strcmp(k, "vertices")) {
            if (!v || v->type != YAML_SEQUENCE_NODE) return ydoc_expected(d, v, "domain.vertices", "a list of [x, y] points");
            dm->n_vertices = 0;
            for (yaml_node_item_t *it = v->data.sequence.items.start; it < v->data.sequence.items.top; it++) {
                if (dm->n_vertices == PINN_MAX_VERTICES) return ydoc_fail(d, v, PINN_ERR_INVALID, "domain.vertices", "more than 64 vertices");
                TRY(pair_of(d, ydoc_node(d, *it), "domain.vertices", p, &dm->vertex[dm->n_vertices][0],
                            &dm->vertex[dm->n_vertices][1]));
                dm->n_vertices++;
            }
        } else if (!strcmp(k, "csg")) {
            csg = v;
        } else if (!strcmp(k, "center")) {
            TRY(pair_of(d, v, "domain.center", p, &dm->center[0], &dm->center[1]));
        } else if (!strcmp(k, "radius")) {
            TRY(pinn_config_scalar(d, v, "domain.radius", p, &dm->radius));
            if (!(dm->radius > 0)) return ydoc_expected(d, v, "domain.radius", "a positive number");
        } else {
            if (dm->d == PINN_MAX_INPUTS) return ydoc_fail(d, v, PINN_ERR_INVALID, "domain", "more than 4 coordinates");
            if (strlen(k) >= PINN_NAME_MAX) return name_too_long(d, ydoc_node(d, pr->key), "domain", k);
            char key[64];
            snprintf(key, sizeof key, "domain.%s", k);
            TRY(pair_of(d, v, key, p, &dm->lo[dm->d], &dm->hi[dm->d]));
            if (!(dm->lo[dm->d] < dm->hi[dm->d])) return ydoc_expected(d, v, key, "[lo, hi] with lo < hi");
            double w = dm->hi[dm->d] - dm->lo[dm->d], mag = fmax(fabs(dm->lo[dm->d]), fabs(dm->hi[dm->d]));
            if (!(w >= PINN_MIN_RANGE && w <= PINN_MAX_RANGE) || !(w >= 1e-6 * mag))
                return ydoc_expected(d, v, key, "[lo, hi] with a width hi - lo in [1e-12, 1e12] and above 1e-6 |lo|, |hi|");
            dm->coord_line[dm->d] = ydoc_line(d, v);
            snprintf(dm->coord[dm->d], PINN_NAME_MAX, "%s", k);
            dm->d++;
        }
    }
    if (dm->d == 0) return ydoc_fail(d, n, PINN_ERR_INVALID, "domain", "no coordinates (expected e.g. {x: [-1, 1]})");
    dm->time = -1;
    for (int i = 0; i < dm->d; i++)
        if (time_name[0] && !strcmp(dm->coord[i], time_name)) dm->time = i;
    if (time_given && time_name[0] && dm->time < 0)
        return ydoc_fail(d, n, PINN_ERR_INVALID, "domain.time", "names no coordinate of the domain");
    int ns = dm->d - (dm->time >= 0);
    if (dm->shape == PINN_DOMAIN_LSHAPE) {
        static const double L[6][2] = {{-1, -1}, {0, -1}, {0, 0}, {1, 0}, {1, 1}, {-1, 1}};
        memcpy(dm->vertex, L, sizeof L);
        dm->n_vertices = 6;
    }
    if ((dm->shape == PINN_DOMAIN_CSG) != (csg != NULL))
        return ydoc_fail(d, n, PINN_ERR_INVALID, "domain.csg", "give both 'shape: csg' and the 'csg' tree, or neither");
    if (csg) return pinn_config_csg(d, csg, p);
    if (dm->shape != PINN_DOMAIN_BOX && ns != 2)
        return ydoc_fail(d, n, PINN_ERR_INVALID, "domain.shape", "polygons, the L-shape and disks need exactly two space coordinates");
    if (dm->shape == PINN_DOMAIN_POLYGON && dm->n_vertices < 3)
        return ydoc_fail(d, n, PINN_ERR_INVALID, "domain.vertices", "a polygon needs at least 3 vertices");
    if (dm->shape == PINN_DOMAIN_DISK && !(dm->radius > 0))
        return ydoc_fail(d, n, PINN_ERR_INVALID, "domain.radius", "a disk needs center and radius > 0");
    if (dm->shape == PINN_DOMAIN_POLYGON) {
        pinn_real xy[2 * PINN_MAX_VERTICES];
        for (int v = 0; v < dm->n_vertices; v++) xy[2 * v] = (pinn_real)dm->vertex[v][0], xy[2 * v + 1] = (pinn_real)dm->vertex[v][1];
        pinn_geom *g = NULL;
        pinn_error e;
        if (pinn_geom_init_polygon(&g, (size_t)dm->n_vertices, xy, &e) != PINN_OK)
            return ydoc_fail(d, n, PINN_ERR_INVALID, "domain.vertices", e.msg);
        pinn_geom_free(g);
    }
    return PINN_OK;
}

static pinn_status load_constants(ydoc *d, yaml_node_t *n, pinn_problem *p) {
    if (n->type != YAML_MAPPING_NODE) return ydoc_expected(d, n, "constants", "a mapping of names to expressions");
    PAIRS(n) {
        const char *k = KEY(d);
        yaml_node_t *v = VAL(d);
        if (!k || !*k) return ydoc_expected(d, ydoc_node(d, pr->key), "constants", "a name");
        if (strlen(k) >= PINN_NAME_MAX) return name_too_long(d, ydoc_node(d, pr->key), "constants", k);
        if (p->n_consts == PINN_MAX_CONSTS) return ydoc_fail(d, v, PINN_ERR_INVALID, "constants", "more than 32 constants");
        pinn_named_expr *c = &p->consts[p->n_consts];
        char key[64];
        snprintf(key, sizeof key, "constants.%s", k);
        snprintf(c->name, sizeof c->name, "%s", k);
        c->line = ydoc_line(d, v);
        TRY(ydoc_expr(d, v, key, c->expr, sizeof c->expr));
        TRY(pinn_config_scalar(d, v, key, p, &c->value));
        for (int j = 0; j < p->n_consts; j++)
            if (!strcmp(p->consts[j].name, k)) return ydoc_fail(d, v, PINN_ERR_INVALID, key, "defined twice");
        p->n_consts++;
    }
    return PINN_OK;
}

static pinn_status load_fields(ydoc *d, yaml_node_t *n, pinn_problem *p) {
    if (ydoc_scalar(n)) {
        TRY(ydoc_str(d, n, "fields", p->fields[0], PINN_NAME_MAX));
        p->n_fields = 1;
        return PINN_OK;
    }
    if (n->type != YAML_SEQUENCE_NODE) return ydoc_expected(d, n, "fields", "a list of names such as [u, v]");
    for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
        if (p->n_fields == PINN_MAX_FIELDS) return ydoc_fail(d, n, PINN_ERR_INVALID, "fields", "more than 8 fields");
        yaml_node_t *v = ydoc_node(d, *it);
        TRY(ydoc_str(d, v, "fields", p->fields[p->n_fields], PINN_NAME_MAX));
        if (strchr(p->fields[p->n_fields], '_') || !p->fields[p->n_fields][0])
            return ydoc_expected(d, v, "fields", "a name without '_' (subscripts mark derivatives)");
        p->n_fields++;
    }
    if (!p->n_fields) return ydoc_fail(d, n, PINN_ERR_INVALID, "fields", "expected at least one field name");
    return PINN_OK;
}

static pinn_status load_params(ydoc *d, yaml_node_t *n, pinn_problem *p) {
    if (n->type != YAML_MAPPING_NODE) return ydoc_expected(d, n, "parameters", "a mapping of names to initial values");
    PAIRS(n) {
        const char *k = KEY(d);
        yaml_node_t *v = VAL(d);
        if (p->n_params == PINN_MAX_PARAMS) return ydoc_fail(d, v, PINN_ERR_INVALID, "parameters", "more than 8 parameters");
        pinn_named_expr *q = &p->params[p->n_params];
        char key[64];
        snprintf(key, sizeof key, "parameters.%s", k ? k : "?");
        if (!k || !*k) return ydoc_expected(d, ydoc_node(d, pr->key), "parameters", "a name");
        if (strlen(k) >= PINN_NAME_MAX) return name_too_long(d, ydoc_node(d, pr->key), "parameters", k);
        snprintf(q->name, sizeof q->name, "%s", k);
        q->line = ydoc_line(d, v);
        TRY(pinn_config_scalar(d, v, key, p, &q->value));
        snprintf(q->expr, sizeof q->expr, "%.17g", q->value);
        p->n_params++;
    }
    return PINN_OK;
}

static pinn_status load_equations(ydoc *d, yaml_node_t *n, pinn_problem *p) {
    if (ydoc_scalar(n)) {
        p->equations[0].line = ydoc_line(d, n);
        TRY(ydoc_expr(d, n, "equations", p->equations[0].expr, PINN_EXPR_MAX));
        p->n_equations = 1;
        return PINN_OK;
    }
    if (n->type != YAML_SEQUENCE_NODE) return ydoc_expected(d, n, "equations", "a list of equations such as [\"u_t = u_xx\"]");
    for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
        if (p->n_equations == PINN_MAX_EQUATIONS) return ydoc_fail(d, n, PINN_ERR_INVALID, "equations", "more than 8 equations");
        yaml_node_t *v = ydoc_node(d, *it);
        pinn_named_expr *q = &p->equations[p->n_equations];
        q->line = ydoc_line(d, v);
        if (v->type == YAML_MAPPING_NODE) {
            static const char *const keys[] = {"name", "equation", "weight", "weight_schedule", NULL};
            TRY(ydoc_check_keys(d, v, "equations", keys));
            PAIRS(v) {
                if (!strcmp(KEY(d), "name")) TRY(ydoc_str(d, VAL(d), "equations.name", q->name, sizeof q->name));
                else if (!strcmp(KEY(d), "weight")) {
                    TRY(ydoc_real(d, VAL(d), "equations.weight", &p->eq_weight[p->n_equations]));
                    if (!(p->eq_weight[p->n_equations] >= 0)) return ydoc_expected(d, VAL(d), "equations.weight", "a number >= 0");
                } else if (!strcmp(KEY(d), "weight_schedule"))
                    TRY(pinn_config_load_ramp(d, VAL(d), "equations.weight_schedule", &p->eq_ramp[p->n_equations]));
                else TRY(ydoc_expr(d, VAL(d), "equations.equation", q->expr, sizeof q->expr));
            }
            if (!q->expr[0]) return ydoc_fail(d, v, PINN_ERR_INVALID, "equations", "missing 'equation'");
        } else
            TRY(ydoc_expr(d, v, "equations", q->expr, sizeof q->expr));
        p->n_equations++;
    }
    if (!p->n_equations) return ydoc_fail(d, n, PINN_ERR_INVALID, "equations", "expected at least one equation");
    return PINN_OK;
}

static pinn_status load_conditions(ydoc *d, yaml_node_t *n, pinn_problem *p) {
    static const char *const keys[] = {"name", "on", "equation", "points", "weight", "periodic", "derivatives", "data",
                                       "noise", "observe", "column", "columns", "anchor", "weight_schedule", NULL};
    if (n->type != YAML_SEQUENCE_NODE) return ydoc_expected(d, n, "conditions", "a list of conditions");
    for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
        if (p->n_conditions == PINN_MAX_CONDITIONS) return ydoc_fail(d, n, PINN_ERR_INVALID, "conditions", "more than 16 conditions");
        yaml_node_t *v = ydoc_node(d, *it);
        TRY(ydoc_check_keys(d, v, "conditions", keys));
        pinn_condition *c = &p->conditions[p->n_conditions];
        c->line = ydoc_line(d, v);
        c->points = 100;
        c->weight = 1;
        c->derivatives = 1;
        snprintf(c->name, sizeof c->name, "cond%d", p->n_conditions + 1);
        int has_per = 0, has_data = 0;
        PAIRS(v) {
            const char *k = KEY(d);
            yaml_node_t *x = VAL(d);
            long iv;
            pinn_status lst;
            if (pinn_config_data_key(d, k, x, c, &lst)) TRY(lst);
            else if (!strcmp(k, "name")) TRY(ydoc_str(d, x, "conditions.name", c->name, sizeof c->name));
            else if (!strcmp(k, "on")) TRY(pinn_config_cond_on(d, x, p, c));
            else if (!strcmp(k, "equation")) TRY(ydoc_expr(d, x, "conditions.equation", c->equation, sizeof c->equation));
            else if (!strcmp(k, "points")) { TRY(ydoc_int(d, x, "conditions.points", 1, PINN_MAX_COND_POINTS, &iv)); c->points = (int)iv; }
            else if (!strcmp(k, "weight")) {
                TRY(ydoc_real(d, x, "conditions.weight", &c->weight));
                if (c->weight < 0) return ydoc_expected(d, x, "conditions.weight", "a number >= 0");
            } else if (!strcmp(k, "derivatives"))
                { TRY(ydoc_int(d, x, "conditions.derivatives", 0, PINN_MAX_ORDER, &iv)); c->derivatives = (int)iv; }
            else if (!strcmp(k, "noise")) {
                TRY(ydoc_real(d, x, "conditions.noise", &c->noise));
                if (c->noise < 0) return ydoc_expected(d, x, "conditions.noise", "a number >= 0");
            } else if (!strcmp(k, "periodic")) {
                char nm[PINN_NAME_MAX];
                TRY(ydoc_str(d, x, "conditions.periodic", nm, sizeof nm));
                c->coordinate = -1;
                for (int i = 0; i < p->domain.d; i++)
                    if (!strcmp(p->domain.coord[i], nm)) c->coordinate = i;
                if (c->coordinate < 0 || c->coordinate == p->domain.time)
                    return ydoc_expected(d, x, "conditions.periodic", "a space coordinate of the domain");
                has_per = 1;
            } else if (!strcmp(k, "data")) {
                char file[PINN_PATH_MAX];
                TRY(ydoc_str(d, x, "conditions.data", file, sizeof file));
                const char *slash = strrchr(d->file, '/');
                char rel[2 * PINN_PATH_MAX];
                if (file[0] == '/' || !slash) snprintf(rel, sizeof rel, "%s", file);
                else snprintf(rel, sizeof rel, "%.*s/%s", (int)(slash - d->file), d->file, file);
                if (abs_path(rel, c->file, sizeof c->file)) return ydoc_fail(d, x, PINN_ERR_INVALID, "conditions.data", "the file cannot be opened");
                has_data = 1;
            }
        }
        if (has_per && has_data) return ydoc_fail(d, v, PINN_ERR_INVALID, "conditions", "a condition is periodic or data, not both");
        c->kind = has_per ? PINN_COND_PERIODIC : has_data ? PINN_COND_DATA : PINN_COND_EQUATION;
        if (c->kind == PINN_COND_EQUATION && (!c->on[0] || !c->equation[0]))
            return ydoc_fail(d, v, PINN_ERR_INVALID, "conditions",
                             "expected 'on' (where) and 'equation' (what), or 'periodic: x', or 'data: file.csv'");
        if (c->kind != PINN_COND_EQUATION && (c->on[0] || c->equation[0]))
            return ydoc_fail(d, v, PINN_ERR_INVALID, "conditions", "'on' and 'equation' do not go with 'periodic' or 'data'");
        for (int j = 0; j < p->n_conditions; j++)
            if (!strcmp(p->conditions[j].name, c->name))
                return ydoc_fail(d, v, PINN_ERR_INVALID, "conditions.name", "used twice");
        p->n_conditions++;
    }
    return PINN_OK;
}

static pinn_status int_list(ydoc *d, yaml_node_t *v, const char *key, int *out, int max, int *count) {
    if (!v || v->type != YAML_SEQUENCE_NODE) return ydoc_expected(d, v, key, "a list of positive integers");
    *count = 0;
    for (yaml_node_item_t *it = v->data.sequence.items.start; it < v->data.sequence.items.top; it++) {
        long iv;
        if (*count == max) return ydoc_fail(d, v, PINN_ERR_INVALID, key, "too many entries");
        TRY(ydoc_int(d, ydoc_node(d, *it), key, 1, 1000000L, &iv));
        out[(*count)++] = (int)iv;
    }
    return PINN_OK;
}

/* A YAML subtree as a configuration tree node under parent (key for mappings). */
static pinn_status to_cfg(ydoc *d, yaml_node_t *n, pinn_cfg *c, int parent, const char *key, int depth, const char *where) {
    if (depth > 32) return ydoc_fail(d, n, PINN_ERR_INVALID, where, "nested too deeply");
    int type = n->type == YAML_SCALAR_NODE ? PINN_CFG_SCALAR : n->type == YAML_SEQUENCE_NODE ? PINN_CFG_SEQ : PINN_CFG_MAP;
    int id = pinn_cfg_add(c, parent, key, (pinn_cfg_type)type, ydoc_scalar(n), ydoc_line(d, n));
    if (id < 0) return ydoc_fail(d, n, PINN_ERR_INVALID, where, "the section is too large");
    if (n->type == YAML_SEQUENCE_NODE) {
        for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++)
            TRY(to_cfg(d, ydoc_node(d, *it), c, id, NULL, depth + 1, where));
    } else if (n->type == YAML_MAPPING_NODE) {
        PAIRS(n) {
            const char *k = KEY(d);
            if (!k) return ydoc_expected(d, ydoc_node(d, pr->key), where, "a key that is a plain name");
            if (pinn_cfg_find(c, id, k) >= 0) return ydoc_fail(d, ydoc_node(d, pr->key), PINN_ERR_INVALID, where, "a key appears twice");
            TRY(to_cfg(d, VAL(d), c, id, k, depth + 1, where));
        }
    }
    return PINN_OK;
}

/* The model section: its kind, and every other key as a tree the kind reads (pinnc/model.h). */
static pinn_status load_model(ydoc *d, yaml_node_t *n, pinn_problem *p) {
    pinn_model_cfg *m = &p->model;
    m->line = ydoc_line(d, n);
    if (!n || n->type != YAML_MAPPING_NODE) return ydoc_expected(d, n, "model", "a mapping such as {kind: mlp, hidden: [20, 20]}");
    pinn_cfg_clear(&m->cfg, p->file, "model", m->line);
    PAIRS(n) {
        const char *k = KEY(d);
        yaml_node_t *v = VAL(d);
        if (!k) return ydoc_expected(d, ydoc_node(d, pr->key), "model", "a key that is a plain name");
        if (!strcmp(k, "kind")) TRY(ydoc_str(d, v, "model.kind", m->kind, sizeof m->kind));
        else {
            if (pinn_cfg_find(&m->cfg, 0, k) >= 0) return ydoc_fail(d, ydoc_node(d, pr->key), PINN_ERR_INVALID, "model", "a key appears twice");
            char where[64];
            snprintf(where, sizeof where, "model.%s", k);
            TRY(to_cfg(d, v, &m->cfg, 0, k, 1, where));
        }
    }
    return PINN_OK;
}

static pinn_status load_weighting(ydoc *d, yaml_node_t *n, pinn_problem *p) {
    static const char *const keys[] = {"scheme", "beta", "every", "bias_correction", "p", "reference", "terms",
                                       "temperature", "alpha", "rho", "histograms", "params", NULL};
    TRY(ydoc_check_keys(d, n, "train.weighting", keys));
    pinn_weighting_file *w = &p->train.weighting;
    w->line = ydoc_line(d, n);
    PAIRS(n) {
        const char *k = KEY(d);
        yaml_node_t *v = VAL(d);
        char key[64];
        long iv;
        snprintf(key, sizeof key, "train.weighting.%s", k);
        if (!strcmp(k, "scheme")) {
            const char *s[PINN_WEIGHT_SCHEME_COUNT];
            for (int i = 0; i < PINN_WEIGHT_SCHEME_COUNT; i++) s[i] = pinn_weight_scheme_to_string((pinn_weight_scheme)i);
            int c;
            TRY(choice(d, v, key, s, PINN_WEIGHT_SCHEME_COUNT, &c));
            snprintf(w->scheme, sizeof w->scheme, "%s", s[c]);
        } else if (!strcmp(k, "beta") || !strcmp(k, "alpha") || !strcmp(k, "rho")) {
            double x;
            TRY(ydoc_real(d, v, key, &x));
            if (!(x >= 0 && x <= 1) || (!strcmp(k, "beta") && x == 1)) return ydoc_expected(d, v, key, "a number in [0, 1)");
            if (!strcmp(k, "beta")) w->beta = x;
            else if (!strcmp(k, "alpha")) w->alpha = x;
            else w->rho = x;
        } else if (!strcmp(k, "temperature")) {
            TRY(ydoc_real(d, v, key, &w->temperature));
            if (!(w->temperature > 0)) return ydoc_expected(d, v, key, "a positive number");
        } else if (!strcmp(k, "every")) { TRY(ydoc_int(d, v, key, 1, 0x7fffffffL, &iv)); w->every = (int)iv; }
        else if (!strcmp(k, "bias_correction")) TRY(ydoc_bool(d, v, key, &w->bias_correction));
        else if (!strcmp(k, "params")) {
            static const char *const s[] = {"all", "weights"};
            TRY(choice(d, v, key, s, 2, &w->weights_only));
        }
        else if (!strcmp(k, "p")) {
            const char *s = ydoc_scalar(v);
            if (s && (!strcmp(s, "inf") || !strcmp(s, "infinity") || !strcmp(s, ".inf"))) w->p = INFINITY;
            else if (s && !strcmp(s, "1")) w->p = 1;
            else if (s && !strcmp(s, "2")) w->p = 2;
            else return ydoc_expected(d, v, key, "1, 2 or inf");
        } else if (!strcmp(k, "reference")) TRY(ydoc_str(d, v, key, w->reference, sizeof w->reference));
        else if (!strcmp(k, "terms")) {
            if (ydoc_scalar(v)) {
                TRY(ydoc_str(d, v, key, w->terms[0], sizeof w->terms[0]));
                w->n_terms = 1;
            } else {
                if (v->type != YAML_SEQUENCE_NODE) return ydoc_expected(d, v, key, "a list of term names");
                w->n_terms = 0;
                for (yaml_node_item_t *it = v->data.sequence.items.start; it < v->data.sequence.items.top; it++) {
                    if (w->n_terms == PINN_MAX_EQUATIONS + PINN_MAX_CONDITIONS) return ydoc_fail(d, v, PINN_ERR_INVALID, key, "too many terms");
                    TRY(ydoc_str(d, ydoc_node(d, *it), key, w->terms[w->n_terms], sizeof w->terms[0]));
                    w->n_terms++;
                }
            }
        } else {
            int cnt;
            TRY(int_list(d, v, key, w->hist_epochs, 16, &cnt));
            w->n_hist = cnt;
        }
    }
    return PINN_OK;
}

static pinn_status load_train(ydoc *d, yaml_node_t *n, pinn_problem *p) {
    static const char *const keys[] = {"collocation", "epochs", "lr", "schedule", "decay_rate", "decay_steps", "lr_min",
                                       "lbfgs", "lbfgs_memory", "lbfgs_gtol", "lbfgs_ftol", "sampler", "resample_every",
                                       "batch", "block", "seed", "threads", "gemm", "log_every", "eval_every",
                                       "checkpoint_every", "optimizer", "weighting", "phases", NULL};
    TRY(ydoc_check_keys(d, n, "train", keys));
    pinn_train_cfg *t = &p->train;
    t->line = ydoc_line(d, n);
    PAIRS(n) {
        const char *k = KEY(d);
        yaml_node_t *v = VAL(d);
        long iv;
        char key[64];
        snprintf(key, sizeof key, "train.%s", k);
        struct {
            const char *name;
            int *dst;
            long lo, hi;
        } ints[] = {{"collocation", &t->collocation, 1, PINN_MAX_COLLOCATION}, {"epochs", &t->epochs, 0, 0x7fffffffL},
                    {"decay_steps", &t->decay_steps, 1, 0x7fffffffL}, {"lbfgs", &t->lbfgs_iters, 0, 0x7fffffffL},
                    {"lbfgs_memory", &t->lbfgs_memory, 1, 1000}, {"resample_every", &t->resample_every, 0, 0x7fffffffL},
                    {"batch", &t->batch, 0, PINN_MAX_COLLOCATION}, {"block", &t->block, 0, 1000000L},
                    {"threads", &t->threads, 0, 1024}, {"log_every", &t->log_every, 1, 0x7fffffffL},
                    {"eval_every", &t->eval_every, 0, 0x7fffffffL}, {"checkpoint_every", &t->checkpoint_every, 0, 0x7fffffffL}};
        int done = 0;
        for (size_t i = 0; i < sizeof ints / sizeof ints[0]; i++)
            if (!strcmp(k, ints[i].name)) {
                TRY(ydoc_int(d, v, key, ints[i].lo, ints[i].hi, &iv));
                *ints[i].dst = (int)iv;
                done = 1;
            }
        if (done) continue;
        if (!strcmp(k, "seed")) { TRY(ydoc_int(d, v, key, 0, 0x7fffffffL, &iv)); t->seed = (unsigned long)iv; }
        else if (!strcmp(k, "phases")) {
            if (v->type != YAML_SEQUENCE_NODE) return ydoc_expected(d, v, key, "a list of phases such as [{kind: adam, epochs: 5000}, {kind: lbfgs}]");
            pinn_cfg_clear(&t->phases, p->file, "train", ydoc_line(d, v));
            TRY(to_cfg(d, v, &t->phases, 0, "phases", 1, key));
            t->has_phases = 1;
        }
        else if (!strcmp(k, "weighting")) TRY(load_weighting(d, v, p));
        else if (!strcmp(k, "lr") || !strcmp(k, "decay_rate") || !strcmp(k, "lr_min") || !strcmp(k, "lbfgs_gtol") ||
                 !strcmp(k, "lbfgs_ftol")) {
            double x;
            TRY(ydoc_real(d, v, key, &x));
            if (x < 0 || (!strcmp(k, "lr") && x == 0)) return ydoc_expected(d, v, key, strcmp(k, "lr") ? "a number >= 0" : "a positive number");
            if (!strcmp(k, "lr")) t->lr = x;
            else if (!strcmp(k, "decay_rate")) t->decay_rate = x;
            else if (!strcmp(k, "lr_min")) t->lr_min = x;
            else if (!strcmp(k, "lbfgs_gtol")) t->lbfgs_gtol = x;
            else t->lbfgs_ftol = x;
        } else if (!strcmp(k, "schedule")) {
            const char *s[PINN_SCHEDULE_COUNT];
            for (int i = 0; i < PINN_SCHEDULE_COUNT; i++) s[i] = pinn_schedule_kind_to_string((pinn_schedule_kind)i);
            int c;
            TRY(choice(d, v, key, s, PINN_SCHEDULE_COUNT, &c));
            snprintf(t->schedule, sizeof t->schedule, "%s", s[c]);
        } else if (!strcmp(k, "gemm")) {
            const char *s[PINN_GEMM_KIND_COUNT];
            for (int i = 0; i < PINN_GEMM_KIND_COUNT; i++) s[i] = pinn_gemm_kind_to_string((pinn_gemm_kind)i);
            int c;
            TRY(choice(d, v, key, s, PINN_GEMM_KIND_COUNT, &c));
            snprintf(t->gemm, sizeof t->gemm, "%s", s[c]);
        } else if (!strcmp(k, "sampler")) {
            const char *s[PINN_SAMPLER_COUNT];
            for (int i = 0; i < PINN_SAMPLER_COUNT; i++) s[i] = pinn_sampler_to_string((pinn_sampler)i);
            int c;
            TRY(choice(d, v, key, s, PINN_SAMPLER_COUNT, &c));
            snprintf(t->sampler, sizeof t->sampler, "%s", s[c]);
        } else { /* optimizer: {name: adam, lr: ...} */
            static const char *const ok[] = {"name", "lr", NULL};
            TRY(ydoc_check_keys(d, v, "train.optimizer", ok));
            for (yaml_node_pair_t *q = v->data.mapping.pairs.start; q < v->data.mapping.pairs.top; q++) {
                const char *kk = ydoc_scalar(ydoc_node(d, q->key));
                yaml_node_t *vv = ydoc_node(d, q->value);
                if (!strcmp(kk, "lr")) {
                    TRY(ydoc_real(d, vv, "train.optimizer.lr", &t->lr));
                    if (!(t->lr > 0)) return ydoc_expected(d, vv, "train.optimizer.lr", "a positive number");
                } else {
                    static const char *const on[] = {"adam"};
                    int c;
                    TRY(choice(d, vv, "train.optimizer.name", on, 1, &c));
                }
            }
        }
    }
    return PINN_OK;
}

static pinn_status load_reference(ydoc *d, yaml_node_t *n, pinn_problem *p) {
    if (n->type != YAML_MAPPING_NODE) return ydoc_expected(d, n, "reference", "a mapping such as {solver: burgers}");
    pinn_reference_cfg *r = &p->reference;
    r->line = ydoc_line(d, n);
    yaml_node_t *solver = NULL;
    PAIRS(n) if (!strcmp(KEY(d), "solver")) solver = VAL(d);
    if (!solver) return ydoc_fail(d, n, PINN_ERR_INVALID, "reference", "missing 'solver'");
    int k;
    TRY(choice(d, solver, "reference.solver", pinn_config_ref_names(), PINN_REFK_COUNT, &k));
    r->kind = (pinn_ref_kind)k;
    static const char *const common[] = {"solver", NULL};
    static const char *const burgers[] = {"solver", "nu", "initial", NULL};
    static const char *const ac[] = {"solver", "diffusion", "c1", "c3", "initial", "dt", NULL};
    static const char *const pfd[] = {"solver", "source", "boundary", "h", NULL};
    static const char *const bl[] = {"solver", "mobility", NULL};
    static const char *const csv[] = {"solver", "file", NULL};
    const char *exact[PINN_MAX_FIELDS + 2];
    exact[0] = "solver";
    for (int f = 0; f < p->n_fields; f++) exact[f + 1] = p->fields[f];
    exact[p->n_fields + 1] = NULL;
    const char *const *keys = r->kind == PINN_REFK_BURGERS      ? burgers
                              : r->kind == PINN_REFK_ALLEN_CAHN ? ac
                              : r->kind == PINN_REFK_POISSON_FD ? pfd
                              : r->kind == PINN_REFK_BUCKLEY_LEVERETT ? bl
                              : r->kind == PINN_REFK_CSV      ? csv
                              : r->kind == PINN_REFK_EXACT    ? exact
                                                              : common;
    char sect[64];
    snprintf(sect, sizeof sect, "reference (%s)", pinn_ref_kind_to_string(r->kind));
    TRY(ydoc_check_keys(d, n, sect, keys));
    int seen[PINN_MAX_FIELDS] = {0};
    PAIRS(n) {
        const char *kk = KEY(d);
        yaml_node_t *v = VAL(d);
        char key[64];
        snprintf(key, sizeof key, "reference.%s", kk);
        if (!strcmp(kk, "solver")) continue;
        if (!strcmp(kk, "nu")) TRY(ydoc_expr(d, v, key, r->nu, sizeof r->nu));
        else if (!strcmp(kk, "initial")) TRY(ydoc_expr(d, v, key, r->initial, sizeof r->initial));
        else if (!strcmp(kk, "source")) TRY(ydoc_expr(d, v, key, r->source, sizeof r->source));
        else if (!strcmp(kk, "boundary")) TRY(ydoc_expr(d, v, key, r->boundary, sizeof r->boundary));
        else if (!strcmp(kk, "diffusion")) TRY(pinn_config_scalar(d, v, key, p, &r->diffusion));
        else if (!strcmp(kk, "c1")) TRY(pinn_config_scalar(d, v, key, p, &r->c1));
        else if (!strcmp(kk, "c3")) TRY(pinn_config_scalar(d, v, key, p, &r->c3));
        else if (!strcmp(kk, "mobility")) TRY(pinn_config_scalar(d, v, key, p, &r->mobility));
        else if (!strcmp(kk, "dt") || !strcmp(kk, "h")) {
            TRY(pinn_config_scalar(d, v, key, p, &r->h));
            if (!(r->h > 0)) return ydoc_expected(d, v, key, "a positive number");
        } else if (!strcmp(kk, "file")) {
            char file[PINN_PATH_MAX];
            TRY(ydoc_str(d, v, key, file, sizeof file));
            const char *slash = strrchr(d->file, '/');
            char rel[2 * PINN_PATH_MAX];
            if (file[0] == '/' || !slash) snprintf(rel, sizeof rel, "%s", file);
            else snprintf(rel, sizeof rel, "%.*s/%s", (int)(slash - d->file), d->file, file);
            if (abs_path(rel, r->file, sizeof r->file)) return ydoc_fail(d, v, PINN_ERR_INVALID, key, "the file cannot be opened");
        } else
            for (int f = 0; f < p->n_fields; f++)
                if (!strcmp(kk, p->fields[f])) { TRY(ydoc_expr(d, v, key, r->exact[f], sizeof r->exact[f])); seen[f] = 1; }
    }
    if (r->kind == PINN_REFK_EXACT)
        for (int f = 0; f < p->n_fields; f++)
            if (!seen[f]) {
                char m[96];
                snprintf(m, sizeof m, "no exact solution for field '%s'", p->fields[f]);
                return ydoc_fail(d, n, PINN_ERR_INVALID, "reference", m);
            }
    return PINN_OK;
}

static pinn_status load_output(ydoc *d, yaml_node_t *n, pinn_problem *p) {
    static const char *const keys[] = {"grid", "npy", "png", NULL};
    TRY(ydoc_check_keys(d, n, "output", keys));
    p->output.line = ydoc_line(d, n);
    PAIRS(n) {
        const char *k = KEY(d);
        yaml_node_t *v = VAL(d);
        if (!strcmp(k, "grid")) {
            int cnt;
            TRY(int_list(d, v, "output.grid", p->output.grid, PINN_MAX_INPUTS, &cnt));
            if (cnt != p->domain.d) return ydoc_expected(d, v, "output.grid", "one point count per coordinate");
        } else if (!strcmp(k, "npy")) TRY(ydoc_bool(d, v, "output.npy", &p->output.npy));
        else TRY(ydoc_bool(d, v, "output.png", &p->output.png));
    }
    return PINN_OK;
}

/* Compiles text with the problem's symbols; errors carry the file and line. */
static pinn_status check_expr(const pinn_problem *p, pinn_error *err, const char *text, int line, const char *what,
                              pinn_expr_kind kind, int allow_fields) {
    const char *coords[PINN_MAX_INPUTS], *fields[PINN_MAX_FIELDS], *cn[PINN_MAX_CONSTS], *pn[PINN_MAX_PARAMS];
    int spatial[PINN_MAX_INPUTS];
    double cv[PINN_MAX_CONSTS];
    for (int i = 0; i < p->domain.d; i++) coords[i] = p->domain.coord[i], spatial[i] = i != p->domain.time;
    for (int i = 0; i < p->n_fields; i++) fields[i] = p->fields[i];
    for (int i = 0; i < p->n_consts; i++) cn[i] = p->consts[i].name, cv[i] = p->consts[i].value;
    for (int i = 0; i < p->n_params; i++) pn[i] = p->params[i].name;
    const char *dn[PINN_MAX_DEFINES], *dt[PINN_MAX_DEFINES];
    pinn_config_def_symbols(p, dn, dt);
    pinn_expr_symbols sym = {p->domain.d, coords, spatial, allow_fields ? p->n_fields : 0, fields, p->n_consts, cn, cv,
                             p->n_params, pn, 0, p->n_defines, dn, dt};
    if (!text) return pinn_config_check_defines(p, &sym, err);
    pinn_expr *e = NULL;
    pinn_error e2;
    pinn_status st = pinn_expr_compile_as(&e, text, &sym, kind, &e2);
    int no_field = !st && kind == PINN_EXPR_EQUATION && allow_fields && pinn_expr_n_derivs(e) == 0;
    pinn_expr_free(e);
    char fb[PINN_MSG_PATH_MAX + 1];
    const char *f = pinn_msg_path(p->file, fb, sizeof fb);
    if (st) return pinn_error_set(err, st, "%s:%d: %s: %s", f, line, what, e2.msg);
    if (no_field)
        return pinn_error_set(err, PINN_ERR_INVALID, "%s:%d: %s: '%.40s' involves no field (expected an equation such as \"u_t = u_xx\")",
                              f, line, what, text);
    return PINN_OK;
}

static pinn_status check_all(pinn_problem *p, pinn_error *err) {
    char what[64];
    TRY(check_expr(p, err, NULL, 0, "define", PINN_EXPR_VALUE, 1)); /* the definitions themselves */
    for (int q = 0; q < p->n_equations; q++) {
        snprintf(what, sizeof what, "equation %d", q + 1);
        TRY(check_expr(p, err, p->equations[q].expr, p->equations[q].line, what, PINN_EXPR_EQUATION, 1));
    }
    for (int c = 0; c < p->n_conditions; c++) {
        const pinn_condition *cd = &p->conditions[c];
        if (cd->kind == PINN_COND_DATA && cd->observe[0]) {
            snprintf(what, sizeof what, "condition '%s': observe", cd->name);
            TRY(check_expr(p, err, cd->observe, cd->line, what, PINN_EXPR_VALUE, 1));
        }
        if (cd->kind != PINN_COND_EQUATION) continue;
        snprintf(what, sizeof what, "condition '%s': on", cd->name);
        if (pinn_cond_on_predicate(cd->on)) TRY(check_expr(p, err, pinn_cond_on_predicate(cd->on), cd->line, what, PINN_EXPR_PREDICATE, 0));
        snprintf(what, sizeof what, "condition '%s': equation", cd->name);
        TRY(check_expr(p, err, cd->equation, cd->line, what, PINN_EXPR_EQUATION, 1));
    }
    /* the model section: a built-in kind is resolved now (defaults filled in, every key checked);
     * a kind added by a program is checked when its trainer is built */
    const pinn_model_ops *ops = pinn_model_find_builtin(p->model.kind);
    if (ops) {
        const char *coords[PINN_MAX_INPUTS], *fields[PINN_MAX_FIELDS], *cn[PINN_MAX_CONSTS];
        double cv[PINN_MAX_CONSTS];
        for (int i = 0; i < p->domain.d; i++) coords[i] = p->domain.coord[i];
        for (int i = 0; i < p->n_fields; i++) fields[i] = p->fields[i];
        for (int i = 0; i < p->n_consts; i++) cn[i] = p->consts[i].name, cv[i] = p->consts[i].value;
        const char *dn[PINN_MAX_DEFINES], *dt[PINN_MAX_DEFINES];
        pinn_config_def_symbols(p, dn, dt);
        pinn_expr_symbols sym = {p->domain.d, coords, NULL, p->n_fields, fields, p->n_consts, cn, cv, 0, NULL, 0,
                                 p->n_defines, dn, dt};
        pinn_model_info info = {p->domain.d, p->n_fields, p->domain.lo, p->domain.hi, coords, p->domain.time, p->train.seed};
        pinn_model *m = NULL;
        pinn_graph *g = NULL;
        pinn_status st = pinn_model_init(&m, ops, &p->model.cfg, &info, err);
        if (!st) st = pinn_graph_init(&g, p->domain.d, err);
        if (!st) st = pinn_model_build(m, g, &sym, err);
        pinn_graph_free(g);
        pinn_model_free(m);
        if (st) return st;
    }
    const pinn_reference_cfg *r = &p->reference;
    if (r->kind == PINN_REFK_EXACT)
        for (int f = 0; f < p->n_fields; f++) TRY(check_expr(p, err, r->exact[f], r->line, "reference", PINN_EXPR_VALUE, 0));
    const char *opt[] = {r->nu, r->initial, r->source, r->boundary};
    for (int k = 0; k < 4; k++)
        if (opt[k][0]) TRY(check_expr(p, err, opt[k], r->line, "reference", PINN_EXPR_VALUE, 0));
    return PINN_OK;
}

/* Messages quote the user's text (values, keys, expressions), which YAML lets span lines or hold
 * control characters; the message of a failed load is kept to one printable line. */
static void one_line(pinn_status st, pinn_error *err) {
    if (!st || !err) return;
    for (char *c = err->msg; *c; c++)
        if ((unsigned char)*c < 0x20 || *c == 0x7f) *c = ' ';
}

pinn_status pinn_problem_load(pinn_problem *p, const char *path, int n_set, const char *const *set, pinn_error *err) {
    pinn_problem_defaults(p);
    char fb[PINN_MSG_PATH_MAX + 1];
    snprintf(p->file, sizeof p->file, "%s", pinn_msg_path(path, fb, sizeof fb));
    pinn_cfg_clear(&p->model.cfg, p->file, "model", 1);
    ydoc d;
    pinn_status st = ydoc_load(&d, path, n_set, set, err);
    if (st) {
        one_line(st, err);
        return st;
    }
    yaml_node_t *root = ydoc_node(&d, 1);
    static const char *const keys[] = {"title", "domain", "constants", "fields", "parameters", "equations",
                                       "conditions", "model", "train", "reference", "output", "define", NULL};
    st = ydoc_check_keys(&d, root, "problem", keys);
    yaml_node_t *sec[12] = {0};
    if (!st)
        for (yaml_node_pair_t *pr = root->data.mapping.pairs.start; pr < root->data.mapping.pairs.top; pr++)
            for (int k = 0; k < 12; k++)
                if (!strcmp(ydoc_scalar(ydoc_node(&d, pr->key)), keys[k])) sec[k] = ydoc_node(&d, pr->value);
    for (int k = 1; !st && k < 6; k += 2)
        if (!sec[k == 1 ? 1 : k == 3 ? 3 : 5])
            st = pinn_error_set(err, PINN_ERR_INVALID, "%s:1: missing section '%s' (every problem needs domain, fields and equations)",
                                p->file, keys[k == 1 ? 1 : k == 3 ? 3 : 5]);
    if (!st && sec[0]) st = ydoc_str(&d, sec[0], "title", p->title, sizeof p->title);
    if (!st && sec[2]) st = load_constants(&d, sec[2], p);
    if (!st) st = load_domain(&d, sec[1], p);
    if (!st) st = load_fields(&d, sec[3], p);
    if (!st && sec[4]) st = load_params(&d, sec[4], p);
    if (!st && sec[11]) st = pinn_config_load_defines(&d, sec[11], p);
    if (!st) st = load_equations(&d, sec[5], p);
    if (!st && sec[6]) st = load_conditions(&d, sec[6], p);
    if (!st && sec[7]) st = load_model(&d, sec[7], p);
    if (!st && sec[8]) st = load_train(&d, sec[8], p);
    if (!st && sec[9]) st = load_reference(&d, sec[9], p);
    if (!st && sec[10]) st = load_output(&d, sec[10], p);
    ydoc_free(&d);
    if (!st) st = pinn_problem_validate(p, err);
    if (!st) st = check_all(p, err);
    one_line(st, err);
    return st;
}

#else

pinn_status pinn_problem_load(pinn_problem *p, const char *path, int n_set, const char *const *set, pinn_error *err) {
    (void)p, (void)n_set, (void)set;
    return pinn_error_set(err, PINN_ERR_UNSUPPORTED, "%s: this build has no YAML support (configure with libyaml)", path);
}

#endif
