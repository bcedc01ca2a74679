/* config_lang.c - the problem-language keys of a problem file: the define: section (named
 * expressions), weight schedules of equations and conditions, the data-condition keys observe,
 * column, columns and anchor, and the load-time check of the definitions (unknown names, cycles). */
#include <stdio.h>
#include <string.h>

#include "io/config_lang.h"
#include "pinnc.h"

void pinn_config_def_symbols(const pinn_problem *p, const char **names, const char **texts) {
    for (int k = 0; k < p->n_defines; k++) names[k] = p->defines[k].name, texts[k] = p->defines[k].expr;
}

#ifdef PINN_HAVE_YAML
#include "io/msg.h"

#define PAIRS(n) for (yaml_node_pair_t *pr = (n)->data.mapping.pairs.start; pr < (n)->data.mapping.pairs.top; pr++)

pinn_status pinn_config_load_defines(ydoc *d, yaml_node_t *n, pinn_problem *p) {
    if (n->type != YAML_MAPPING_NODE)
        return ydoc_expected(d, n, "define", "a mapping of names to expressions, e.g. {r2: \"x^2 + y^2\"}");
    PAIRS(n) {
        const char *k = ydoc_scalar(ydoc_node(d, pr->key));
        yaml_node_t *v = ydoc_node(d, pr->value);
        if (!k || !*k) return ydoc_expected(d, ydoc_node(d, pr->key), "define", "a name");
        if (strlen(k) >= PINN_NAME_MAX) return ydoc_fail(d, ydoc_node(d, pr->key), PINN_ERR_INVALID, "define", "the name is too long");
        if (p->n_defines == PINN_MAX_DEFINES) return ydoc_fail(d, v, PINN_ERR_INVALID, "define", "more than 32 definitions");
        pinn_named_expr *q = &p->defines[p->n_defines];
        char key[64];
        snprintf(key, sizeof key, "define.%s", k);
        snprintf(q->name, sizeof q->name, "%s", k);
        q->line = ydoc_line(d, v);
        pinn_status st = ydoc_expr(d, v, key, q->expr, sizeof q->expr);
        if (st) return st;
        p->n_defines++;
    }
    return PINN_OK;
}

pinn_status pinn_config_load_ramp(ydoc *d, yaml_node_t *n, const char *key, pinn_weight_ramp *r) {
    static const char *const keys[] = {"kind", "from", "to", "start", "end", NULL};
    if (!n || n->type != YAML_MAPPING_NODE)
        return ydoc_expected(d, n, key, "a mapping such as {kind: linear, from: 0, to: 1, start: 0, end: 1000}");
    pinn_status st = ydoc_check_keys(d, n, key, keys);
    if (st) return st;
    r->kind = PINN_RAMP_LINEAR;
    r->from = 0, r->to = 1, r->start = 0, r->end = -1;
    int has_end = 0;
    char sub[96];
    PAIRS(n) {
        const char *k = ydoc_scalar(ydoc_node(d, pr->key));
        yaml_node_t *v = ydoc_node(d, pr->value);
        snprintf(sub, sizeof sub, "%s.%s", key, k);
        if (!strcmp(k, "kind")) {
            const char *s = ydoc_scalar(v);
            int kind = -1;
            for (int i = 1; s && i < PINN_RAMP_COUNT; i++)
                if (!strcmp(s, pinn_ramp_kind_to_string((pinn_ramp_kind)i))) kind = i;
            if (kind < 0) return ydoc_expected(d, v, sub, "one of: linear step exp");
            r->kind = (pinn_ramp_kind)kind;
        } else if (!strcmp(k, "from") || !strcmp(k, "to")) {
            double x;
            if ((st = ydoc_real(d, v, sub, &x))) return st;
            if (!(x >= 0)) return ydoc_expected(d, v, sub, "a number >= 0");
            *(k[0] == 'f' ? &r->from : &r->to) = x;
        } else {
            long iv;
            if ((st = ydoc_int(d, v, sub, 0, 0x7fffffffL, &iv))) return st;
            if (!strcmp(k, "start")) r->start = iv;
            else r->end = iv, has_end = 1;
        }
    }
    if (r->kind == PINN_RAMP_STEP && !has_end) r->end = r->start;
    if (r->kind != PINN_RAMP_STEP && !(has_end && r->end > r->start))
        return ydoc_fail(d, n, PINN_ERR_INVALID, key, "a linear or exp schedule needs 'end' after 'start'");
    if (r->kind == PINN_RAMP_EXP && !(r->from > 0 && r->to > 0))
        return ydoc_fail(d, n, PINN_ERR_INVALID, key, "an exp schedule needs from > 0 and to > 0");
    return PINN_OK;
}

int pinn_config_data_key(ydoc *d, const char *k, yaml_node_t *v, pinn_condition *c, pinn_status *st) {
    if (!strcmp(k, "observe")) *st = ydoc_expr(d, v, "conditions.observe", c->observe, sizeof c->observe);
    else if (!strcmp(k, "column")) *st = ydoc_str(d, v, "conditions.column", c->column, sizeof c->column);
    else if (!strcmp(k, "anchor")) *st = ydoc_bool(d, v, "conditions.anchor", &c->anchor);
    else if (!strcmp(k, "weight_schedule")) *st = pinn_config_load_ramp(d, v, "conditions.weight_schedule", &c->ramp);
    else if (!strcmp(k, "columns")) {
        if (!v || v->type != YAML_SEQUENCE_NODE) {
            *st = ydoc_expected(d, v, "conditions.columns", "a list of column names such as [x, t, u]");
            return 1;
        }
        c->columns[0] = '\0';
        *st = PINN_OK;
        for (yaml_node_item_t *it = v->data.sequence.items.start; it < v->data.sequence.items.top && !*st; it++) {
            char nm[PINN_NAME_MAX];
            *st = ydoc_str(d, ydoc_node(d, *it), "conditions.columns", nm, sizeof nm);
            if (*st) break;
            if (strlen(c->columns) + strlen(nm) + 2 >= sizeof c->columns) {
                *st = ydoc_fail(d, v, PINN_ERR_INVALID, "conditions.columns", "too many columns");
                break;
            }
            if (c->columns[0]) strcat(c->columns, ",");
            strcat(c->columns, nm);
        }
    } else
        return 0;
    return 1;
}

pinn_status pinn_config_check_defines(const pinn_problem *p, const pinn_expr_symbols *sym, pinn_error *err) {
    char fb[PINN_MSG_PATH_MAX + 1];
    const char *f = pinn_msg_path(p->file, fb, sizeof fb);
    for (int k = 0; k < p->n_defines; k++) {
        pinn_expr *e = NULL;
        pinn_error e2;
        pinn_status st = pinn_expr_compile_as(&e, p->defines[k].name, sym, PINN_EXPR_VALUE, &e2);
        if (st == PINN_ERR_PARSE && strstr(e2.msg, "unexpected '='"))
            st = PINN_OK; /* a predicate such as "x = 0" is fine as a definition used in 'on' */
        pinn_expr_free(e);
        if (st) {
            const char *m = e2.msg;
            const char *in = strstr(m, "in the definition of '");
            if (in && !strncmp(m, "column 1: ", 10)) m += 10; /* the name itself is column 1 */
            return pinn_error_set(err, st, "%s:%d: define.%s: %s", f, p->defines[k].line, p->defines[k].name, m);
        }
    }
    return PINN_OK;
}
#endif
