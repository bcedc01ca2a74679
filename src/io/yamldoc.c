/* yamldoc.c - loading a YAML document with libyaml, typed node access with located error messages,
 * suggestions for misspelt keys, and `--set key.path=value` overrides. */
#ifdef PINN_HAVE_YAML
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "io/yamldoc.h"

int ydoc_line(const ydoc *d, yaml_node_t *n) {
    (void)d;
    return n ? (int)n->start_mark.line + 1 : 0;
}

void ydoc_where(const ydoc *d, yaml_node_t *n, char *buf, size_t size) {
    int idx = n ? (int)(n - d->doc.nodes.start) + 1 : 0;
    if (idx > d->n_orig && idx - d->n_orig - 1 < d->n_set_nodes && d->set_of[idx - d->n_orig - 1])
        snprintf(buf, size, "--set %s", d->set_of[idx - d->n_orig - 1]);
    else
        snprintf(buf, size, "%s:%d", d->file, ydoc_line(d, n));
}

pinn_status ydoc_fail(const ydoc *d, yaml_node_t *n, pinn_status st, const char *key, const char *msg) {
    char w[600];
    ydoc_where(d, n, w, sizeof w);
    return pinn_error_set(d->err, st, "%s: %s: %s", w, key, msg);
}

pinn_status ydoc_expected(const ydoc *d, yaml_node_t *n, const char *key, const char *form) {
    char w[600], got[64];
    ydoc_where(d, n, w, sizeof w);
    if (!n) snprintf(got, sizeof got, "nothing");
    else if (n->type == YAML_SCALAR_NODE) snprintf(got, sizeof got, "'%.50s'", (const char *)n->data.scalar.value);
    else snprintf(got, sizeof got, "a %s", n->type == YAML_MAPPING_NODE ? "mapping" : "list");
    return pinn_error_set(d->err, PINN_ERR_INVALID, "%s: %s: expected %s, got %s", w, key, form, got);
}

yaml_node_t *ydoc_node(ydoc *d, int index) { return yaml_document_get_node(&d->doc, index); }

const char *ydoc_scalar(yaml_node_t *n) {
    return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

pinn_status ydoc_int(const ydoc *d, yaml_node_t *n, const char *key, long lo, long hi, long *out) {
    const char *s = ydoc_scalar(n);
    char form[96];
    if (hi >= 100000000L && lo == 1) snprintf(form, sizeof form, "a positive integer");
    else if (hi >= 100000000L) snprintf(form, sizeof form, "an integer >= %ld", lo);
    else snprintf(form, sizeof form, "an integer in [%ld, %ld]", lo, hi);
    if (!s || !*s) return ydoc_expected(d, n, key, form);
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (*end || errno || v != floor(v) || v < (double)lo || v > (double)hi) return ydoc_expected(d, n, key, form);
    *out = (long)v;
    return PINN_OK;
}

pinn_status ydoc_real(const ydoc *d, yaml_node_t *n, const char *key, double *out) {
    const char *s = ydoc_scalar(n);
    if (!s || !*s) return ydoc_expected(d, n, key, "a number");
    char *end;
    double v = strtod(s, &end);
    if (*end || !isfinite(v)) return ydoc_expected(d, n, key, "a number");
    *out = v;
    return PINN_OK;
}

pinn_status ydoc_bool(const ydoc *d, yaml_node_t *n, const char *key, int *out) {
    const char *s = ydoc_scalar(n);
    if (s && (!strcasecmp(s, "true") || !strcasecmp(s, "yes") || !strcasecmp(s, "on") || !strcmp(s, "1"))) *out = 1;
    else if (s && (!strcasecmp(s, "false") || !strcasecmp(s, "no") || !strcasecmp(s, "off") || !strcmp(s, "0"))) *out = 0;
    else return ydoc_expected(d, n, key, "true or false");
    return PINN_OK;
}

pinn_status ydoc_str(const ydoc *d, yaml_node_t *n, const char *key, char *out, size_t size) {
    const char *s = ydoc_scalar(n);
    if (!s) return ydoc_expected(d, n, key, "a text value");
    if (strlen(s) >= size) return ydoc_fail(d, n, PINN_ERR_INVALID, key, "text too long");
    snprintf(out, size, "%s", s);
    return PINN_OK;
}

pinn_status ydoc_expr(const ydoc *d, yaml_node_t *n, const char *key, char *out, size_t size) {
    const char *s = ydoc_scalar(n);
    if (!s || !*s) return ydoc_expected(d, n, key, "an expression (text or number)");
    return ydoc_str(d, n, key, out, size);
}

/* Levenshtein distance, for "did you mean" suggestions. */
static int edit_distance(const char *a, const char *b) {
    size_t la = strlen(a), lb = strlen(b);
    if (la > 63 || lb > 63) return 99;
    int row[64];
    for (size_t j = 0; j <= lb; j++) row[j] = (int)j;
    for (size_t i = 1; i <= la; i++) {
        int prev = row[0];
        row[0] = (int)i;
        for (size_t j = 1; j <= lb; j++) {
            int cur = row[j];
            int sub = prev + (a[i - 1] != b[j - 1]);
            int m = row[j] + 1 < row[j - 1] + 1 ? row[j] + 1 : row[j - 1] + 1;
            row[j] = m < sub ? m : sub;
            prev = cur;
        }
    }
    return row[lb];
}

pinn_status ydoc_check_keys(const ydoc *d, yaml_node_t *n, const char *section, const char *const *allowed) {
    if (!n || n->type != YAML_MAPPING_NODE) return ydoc_expected(d, n, section, "a mapping of keys to values");
    for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
        yaml_node_t *k = yaml_document_get_node((yaml_document_t *)&d->doc, p->key);
        const char *ks = ydoc_scalar(k);
        if (!ks) return ydoc_expected(d, k, section, "a key name");
        int ok = 0, best = 99;
        const char *sugg = NULL;
        for (int i = 0; allowed[i]; i++) {
            if (!strcmp(ks, allowed[i])) ok = 1;
            int dd = edit_distance(ks, allowed[i]);
            if (dd < best) best = dd, sugg = allowed[i];
        }
        if (ok) continue;
        char w[600], list[512] = "";
        ydoc_where(d, k, w, sizeof w);
        if (sugg && best <= 2)
            return pinn_error_set(d->err, PINN_ERR_INVALID, "%s: %s: unknown key '%s' (did you mean '%s'?)", w, section, ks,
                                  sugg);
        for (int i = 0; allowed[i]; i++)
            strncat(list, allowed[i], sizeof list - strlen(list) - 3), strncat(list, i && !allowed[i + 1] ? "" : " ", 2);
        return pinn_error_set(d->err, PINN_ERR_INVALID, "%s: %s: unknown key '%s' (expected one of: %s)", w, section, ks, list);
    }
    return PINN_OK;
}

/* Copies node `src` of document s into d (deep); returns the new index or 0. */
static int copy_node(ydoc *d, yaml_document_t *s, int src, const char *set) {
    yaml_node_t *n = yaml_document_get_node(s, src);
    int idx = 0;
    if (!n) return 0;
    if (n->type == YAML_SCALAR_NODE)
        idx = yaml_document_add_scalar(&d->doc, NULL, n->data.scalar.value, (int)n->data.scalar.length, n->data.scalar.style);
    else if (n->type == YAML_SEQUENCE_NODE) {
        idx = yaml_document_add_sequence(&d->doc, NULL, n->data.sequence.style);
        for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
            int c = copy_node(d, s, *it, set);
            if (!c || !yaml_document_append_sequence_item(&d->doc, idx, c)) return 0;
        }
    } else {
        idx = yaml_document_add_mapping(&d->doc, NULL, n->data.mapping.style);
        for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
            int k = copy_node(d, s, p->key, set), v = copy_node(d, s, p->value, set);
            if (!k || !v || !yaml_document_append_mapping_pair(&d->doc, idx, k, v)) return 0;
        }
    }
    if (idx > 0 && idx - d->n_orig - 1 < 256) {
        d->set_of[idx - d->n_orig - 1] = set;
        if (idx - d->n_orig > d->n_set_nodes) d->n_set_nodes = idx - d->n_orig;
    }
    return idx;
}

/* Applies one override "a.b.c=value". */
static pinn_status apply_set(ydoc *d, const char *set) {
    const char *eq = strchr(set, '=');
    if (!eq || eq == set) return pinn_error_set(d->err, PINN_ERR_INVALID, "--set %s: expected key.path=value", set);
    char path[256];
    snprintf(path, sizeof path, "%.*s", (int)(eq - set < 255 ? eq - set : 255), set);
    yaml_parser_t ps;
    yaml_document_t vd;
    yaml_parser_initialize(&ps);
    yaml_parser_set_input_string(&ps, (const unsigned char *)(eq + 1), strlen(eq + 1));
    if (!yaml_parser_load(&ps, &vd)) {
        pinn_status st = pinn_error_set(d->err, PINN_ERR_PARSE, "--set %s: bad value: %s", set, ps.problem ? ps.problem : "?");
        yaml_parser_delete(&ps);
        return st;
    }
    yaml_parser_delete(&ps);
    pinn_status st = PINN_OK;
    int cur = 1; /* root */
    char *save = NULL, *tok = strtok_r(path, ".", &save);
    while (tok && !st) {
        char *next = strtok_r(NULL, ".", &save);
        yaml_node_t *n = yaml_document_get_node(&d->doc, cur);
        int child = 0, *slot = NULL;
        if (n && n->type == YAML_MAPPING_NODE) {
            for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
                const char *ks = ydoc_scalar(yaml_document_get_node(&d->doc, p->key));
                if (ks && !strcmp(ks, tok)) child = p->value, slot = &p->value;
            }
            if (!child) { /* create the key */
                int k = yaml_document_add_scalar(&d->doc, NULL, (yaml_char_t *)tok, -1, YAML_PLAIN_SCALAR_STYLE);
                int v = next ? yaml_document_add_mapping(&d->doc, NULL, YAML_BLOCK_MAPPING_STYLE)
                             : yaml_document_add_scalar(&d->doc, NULL, (yaml_char_t *)"", 0, YAML_PLAIN_SCALAR_STYLE);
                n = yaml_document_get_node(&d->doc, cur); /* the node array may have moved */
                if (!k || !v || !yaml_document_append_mapping_pair(&d->doc, cur, k, v)) {
                    st = pinn_error_set(d->err, PINN_ERR_NOMEM, "--set %s: out of memory", set);
                    break;
                }
                n = yaml_document_get_node(&d->doc, cur);
                yaml_node_pair_t *p = n->data.mapping.pairs.top - 1;
                child = p->value, slot = &p->value;
            }
        } else if (n && n->type == YAML_SEQUENCE_NODE) {
            char *end;
            long i = strtol(tok, &end, 10);
            long cnt = n->data.sequence.items.top - n->data.sequence.items.start;
            if (*end || i < 0 || i >= cnt) {
                st = pinn_error_set(d->err, PINN_ERR_INVALID, "--set %s: '%s' is not an index of a list of %ld", set, tok, cnt);
                break;
            }
            child = n->data.sequence.items.start[i], slot = &n->data.sequence.items.start[i];
        } else {
            st = pinn_error_set(d->err, PINN_ERR_INVALID, "--set %s: '%s' is not inside a mapping or a list", set, tok);
            break;
        }
        if (!next) {
            int root = yaml_document_get_root_node(&vd) ? 1 : 0;
            int nv = root ? copy_node(d, &vd, 1, set) : 0;
            if (!nv) st = pinn_error_set(d->err, PINN_ERR_INVALID, "--set %s: empty value", set);
            else {
                /* re-find the slot: adding nodes may move node storage but not pair/item arrays */
                *slot = nv;
            }
        }
        cur = child;
        tok = next;
    }
    yaml_document_delete(&vd);
    return st;
}

pinn_status ydoc_load(ydoc *d, const char *path, int n_set, const char *const *set, pinn_error *err) {
    memset(d, 0, sizeof *d);
    d->file = path;
    d->err = err;
    FILE *f = fopen(path, "rb");
    if (!f) return pinn_error_set(err, PINN_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
    yaml_parser_t ps;
    yaml_parser_initialize(&ps);
    yaml_parser_set_input_file(&ps, f);
    int ok = yaml_parser_load(&ps, &d->doc);
    pinn_status st = PINN_OK;
    if (!ok) {
        st = pinn_error_set(err, PINN_ERR_PARSE, "%s:%zu: YAML syntax error: %s%s%s", path,
                            (ps.problem_mark.line ? ps.problem_mark.line : ps.context_mark.line) + 1,
                            ps.problem ? ps.problem : "?", ps.context ? " " : "", ps.context ? ps.context : "");
    }
    yaml_parser_delete(&ps);
    fclose(f);
    if (st) return st;
    yaml_node_t *root = yaml_document_get_root_node(&d->doc);
    if (!root) {
        yaml_document_delete(&d->doc);
        return pinn_error_set(err, PINN_ERR_INVALID, "%s:1: the file is empty (expected a problem: domain, fields, equations, ...)", path);
    }
    d->n_orig = (int)(d->doc.nodes.top - d->doc.nodes.start);
    for (int i = 0; i < n_set && !st; i++) st = apply_set(d, set[i]);
    if (st) ydoc_free(d);
    return st;
}

void ydoc_free(ydoc *d) { yaml_document_delete(&d->doc); }

#endif
