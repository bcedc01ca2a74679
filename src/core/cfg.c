/* cfg.c - the configuration tree of pinnc/cfg.h: building, lookup, typed accessors with located
 * errors (storing defaults so the tree ends resolved), and writing back as YAML. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "pinnc/cfg.h"

static const char *const type_names[PINN_CFG_TYPE_COUNT] = {"none", "scalar", "list", "mapping"};
const char *pinn_cfg_type_to_string(pinn_cfg_type t) {
    return (int)t >= 0 && t < PINN_CFG_TYPE_COUNT ? type_names[t] : "unknown";
}

/* Copies s into the pool; returns its offset or -1 when the pool is full. */
static int intern(pinn_cfg *c, const char *s) {
    if (!s) return -1;
    size_t n = strlen(s) + 1;
    if ((size_t)c->used + n > sizeof c->pool) return -1;
    memcpy(c->pool + c->used, s, n);
    c->used += (int)n;
    return c->used - (int)n;
}

void pinn_cfg_clear(pinn_cfg *c, const char *file, const char *prefix, int line) {
    snprintf(c->file, sizeof c->file, "%s", file && file[0] ? file : "<problem>");
    snprintf(c->prefix, sizeof c->prefix, "%s", prefix ? prefix : "");
    c->n_nodes = 1;
    c->used = 0;
    c->node[0] = (pinn_cfg_node){PINN_CFG_MAP, line, -1, -1, -1, -1, -1};
}

int pinn_cfg_add(pinn_cfg *c, int parent, const char *key, pinn_cfg_type type, const char *text, int line) {
    if (parent < 0 || parent >= c->n_nodes || c->n_nodes >= PINN_CFG_MAX_NODES) return -1;
    pinn_cfg_node *p = &c->node[parent];
    if (p->type != PINN_CFG_MAP && p->type != PINN_CFG_SEQ) return -1;
    if ((p->type == PINN_CFG_MAP) != (key != NULL)) return -1;
    int k = key ? intern(c, key) : -1, t = type == PINN_CFG_SCALAR ? intern(c, text ? text : "") : -1;
    if ((key && k < 0) || (type == PINN_CFG_SCALAR && t < 0)) return -1;
    int id = c->n_nodes++;
    c->node[id] = (pinn_cfg_node){(int)type, line, k, t, -1, -1, -1};
    if (p->last >= 0) c->node[p->last].next = id;
    else p->child = id;
    p->last = id;
    return id;
}

int pinn_cfg_find(const pinn_cfg *c, int node, const char *key) {
    if (node < 0 || node >= c->n_nodes || c->node[node].type != PINN_CFG_MAP) return -1;
    for (int i = c->node[node].child; i >= 0; i = c->node[i].next)
        if (!strcmp(c->pool + c->node[i].key, key)) return i;
    return -1;
}

int pinn_cfg_set(pinn_cfg *c, int node, const char *key, const char *text) {
    int i = pinn_cfg_find(c, node, key);
    if (i < 0) return pinn_cfg_add(c, node, key, PINN_CFG_SCALAR, text, 0);
    int t = intern(c, text);
    if (t < 0) return -1;
    c->node[i].type = PINN_CFG_SCALAR;
    c->node[i].text = t;
    c->node[i].child = c->node[i].last = -1;
    return i;
}

int pinn_cfg_count(const pinn_cfg *c, int node) {
    int n = 0;
    if (node < 0 || node >= c->n_nodes) return 0;
    for (int i = c->node[node].child; i >= 0; i = c->node[i].next) n++;
    return n;
}

int pinn_cfg_item(const pinn_cfg *c, int node, int k) {
    if (node < 0 || node >= c->n_nodes) return -1;
    for (int i = c->node[node].child; i >= 0; i = c->node[i].next)
        if (k-- == 0) return i;
    return -1;
}

const char *pinn_cfg_key(const pinn_cfg *c, int node) {
    return node >= 0 && node < c->n_nodes && c->node[node].key >= 0 ? c->pool + c->node[node].key : NULL;
}
const char *pinn_cfg_text(const pinn_cfg *c, int node) {
    return node >= 0 && node < c->n_nodes && c->node[node].type == PINN_CFG_SCALAR ? c->pool + c->node[node].text : NULL;
}
int pinn_cfg_type_of(const pinn_cfg *c, int node) { return node >= 0 && node < c->n_nodes ? c->node[node].type : PINN_CFG_NONE; }
int pinn_cfg_line(const pinn_cfg *c, int node) { return node >= 0 && node < c->n_nodes ? c->node[node].line : 0; }

int pinn_cfg_copy(pinn_cfg *dst, int dst_parent, const char *key, const pinn_cfg *src, int src_node) {
    const pinn_cfg_node *s = &src->node[src_node];
    int id = pinn_cfg_add(dst, dst_parent, key, (pinn_cfg_type)s->type, pinn_cfg_text(src, src_node), s->line);
    if (id < 0) return -1;
    for (int i = s->child; i >= 0; i = src->node[i].next)
        if (pinn_cfg_copy(dst, id, s->type == PINN_CFG_MAP ? pinn_cfg_key(src, i) : NULL, src, i) < 0) return -1;
    return id;
}

/* "file:line: prefix.key" (the node's line, or the root's). */
/* Appends to buf (holding len chars) the key path from below cur down to target: ".key" for a
 * member of a mapping, "[k]" for an item of a list.  Returns 1 when target lies under cur. */
static int path_to(const pinn_cfg *c, int cur, int target, char *buf, size_t size, size_t len, int depth) {
    if (depth > 64) return 0;
    int k = 0;
    for (int i = c->node[cur].child; i >= 0; i = c->node[i].next, k++) {
        if (c->node[cur].type == PINN_CFG_MAP) snprintf(buf + len, size - len, ".%s", c->pool + c->node[i].key);
        else snprintf(buf + len, size - len, "[%d]", k);
        size_t n = len + strlen(buf + len);
        if (i == target || path_to(c, i, target, buf, size, n, depth + 1)) return 1;
        buf[len] = 0;
    }
    return 0;
}

/* "file:line: path" for messages about node: path is the section prefix, the keys and list
 * indices down to node (up to its parent only with parent_only), then key unless the path
 * already ends at a member or item named key. */
static void where_path(const pinn_cfg *c, int node, const char *key, int parent_only, char *buf, size_t size) {
    int line = pinn_cfg_line(c, node);
    if (!line) line = c->node[0].line;
    char path[400] = "";
    if (node > 0 && node < c->n_nodes && !path_to(c, 0, node, path, sizeof path, 0, 0)) path[0] = 0;
    if (parent_only) { /* cut the last component */
        char *dot = strrchr(path, '.'), *br = strrchr(path, '[');
        char *cut = dot > br ? dot : br;
        if (cut) *cut = 0;
    }
    if (key && key[0]) { /* the last named component, without its [k] suffixes */
        char *dot = strrchr(path, '.');
        const char *last = dot ? dot + 1 : path;
        size_t n = strcspn(last, "[");
        if (!(n == strlen(key) && !strncmp(last, key, n)))
            snprintf(path + strlen(path), sizeof path - strlen(path), ".%s", key);
    }
    const char *p = path[0] == '.' ? path + 1 : path;
    snprintf(buf, size, "%.300s:%d: %s%s%.200s", c->file, line, c->prefix, c->prefix[0] && p[0] ? "." : "", p);
}

static void where(const pinn_cfg *c, int node, const char *key, char *buf, size_t size) {
    where_path(c, node, key, 0, buf, size);
}

pinn_status pinn_cfg_expected(const pinn_cfg *c, int node, const char *key, const char *form, pinn_error *err) {
    char w[640];
    where(c, node, key, w, sizeof w);
    const char *got = pinn_cfg_text(c, node);
    if (got) return pinn_error_set(err, PINN_ERR_INVALID, "%s: expected %s, got '%.60s'", w, form, got);
    if (node >= 0 && c->node[node].type != PINN_CFG_SCALAR)
        return pinn_error_set(err, PINN_ERR_INVALID, "%s: expected %s, got a %s", w, form,
                              pinn_cfg_type_to_string((pinn_cfg_type)c->node[node].type));
    return pinn_error_set(err, PINN_ERR_INVALID, "%s: expected %s", w, form);
}

pinn_status pinn_cfg_check_keys(const pinn_cfg *c, int node, const char *const *allowed, pinn_error *err) {
    if (pinn_cfg_type_of(c, node) != PINN_CFG_MAP) return pinn_cfg_expected(c, node, NULL, "a mapping", err);
    for (int i = c->node[node].child; i >= 0; i = c->node[i].next) {
        const char *k = pinn_cfg_key(c, i);
        int ok = 0;
        for (int a = 0; allowed[a] && !ok; a++) ok = !strcmp(allowed[a], k);
        if (!ok) {
            char form[600] = "one of the keys:", w[640];
            for (int a = 0; allowed[a]; a++)
                strncat(form, " ", sizeof form - strlen(form) - 1), strncat(form, allowed[a], sizeof form - strlen(form) - 1);
            where_path(c, i, NULL, 1, w, sizeof w);
            return pinn_error_set(err, PINN_ERR_INVALID, "%s: unknown key '%s' (expected %s)", w, k, form);
        }
    }
    return PINN_OK;
}

/* The scalar at key, storing text `def` when missing and given; -1 when missing. */
static int scalar_or_default(pinn_cfg *c, int node, const char *key, const char *def) {
    int i = pinn_cfg_find(c, node, key);
    if (i < 0 && def) i = pinn_cfg_add(c, node, key, PINN_CFG_SCALAR, def, 0);
    return i;
}

static pinn_status missing(const pinn_cfg *c, int node, const char *key, const char *form, pinn_error *err) {
    char w[640];
    where(c, node, key, w, sizeof w);
    if (pinn_cfg_find(c, node, key) < 0 && c->n_nodes >= PINN_CFG_MAX_NODES)
        return pinn_error_set(err, PINN_ERR_INVALID, "%s: the section has too many entries", w);
    return pinn_error_set(err, PINN_ERR_INVALID, "%s: missing (expected %s)", w, form);
}

/* Strict decimal integer (optional sign, no hexadecimal, no trailing text). */
static int parse_long(const char *s, long *out) {
    if (!s || !*s) return 0;
    const char *p = s + (*s == '-' || *s == '+');
    if (!*p) return 0;
    for (const char *q = p; *q; q++)
        if (*q < '0' || *q > '9') return 0;
    errno = 0;
    long v = strtol(s, NULL, 10);
    if (errno) return 0;
    *out = v;
    return 1;
}

pinn_status pinn_cfg_int(pinn_cfg *c, int node, const char *key, long lo, long hi, int has_default, long def, long *out,
                         pinn_error *err) {
    char d[32], form[96];
    snprintf(d, sizeof d, "%ld", def);
    snprintf(form, sizeof form, "an integer in [%ld, %ld]", lo, hi);
    int i = scalar_or_default(c, node, key, has_default ? d : NULL);
    if (i < 0) return missing(c, node, key, form, err);
    long v;
    if (!parse_long(pinn_cfg_text(c, i), &v) || v < lo || v > hi) return pinn_cfg_expected(c, i, key, form, err);
    *out = v;
    return PINN_OK;
}

pinn_status pinn_cfg_real(pinn_cfg *c, int node, const char *key, double lo, double hi, int has_default, double def,
                          double *out, pinn_error *err) {
    char d[40], form[96];
    snprintf(d, sizeof d, "%.17g", def);
    snprintf(form, sizeof form, "a number in [%g, %g]", lo, hi);
    int i = scalar_or_default(c, node, key, has_default ? d : NULL);
    if (i < 0) return missing(c, node, key, form, err);
    const char *s = pinn_cfg_text(c, i);
    char *end = NULL;
    double v = s && *s ? strtod(s, &end) : NAN;
    if (!end || *end || !isfinite(v) || v < lo || v > hi) return pinn_cfg_expected(c, i, key, form, err);
    *out = v;
    return PINN_OK;
}

pinn_status pinn_cfg_bool(pinn_cfg *c, int node, const char *key, int has_default, int def, int *out, pinn_error *err) {
    int i = scalar_or_default(c, node, key, has_default ? (def ? "true" : "false") : NULL);
    if (i < 0) return missing(c, node, key, "true or false", err);
    const char *s = pinn_cfg_text(c, i);
    static const char *const yes[] = {"true", "True", "TRUE", "yes", "on", "1"}, *const no[] = {"false", "False", "FALSE", "no", "off", "0"};
    for (int k = 0; s && k < 6; k++) {
        if (!strcmp(s, yes[k])) return *out = 1, PINN_OK;
        if (!strcmp(s, no[k])) return *out = 0, PINN_OK;
    }
    return pinn_cfg_expected(c, i, key, "true or false", err);
}

pinn_status pinn_cfg_str(pinn_cfg *c, int node, const char *key, const char *def, char *out, size_t size, pinn_error *err) {
    int i = scalar_or_default(c, node, key, def);
    if (i < 0) return missing(c, node, key, "a string", err);
    const char *s = pinn_cfg_text(c, i);
    if (!s) return pinn_cfg_expected(c, i, key, "a string", err);
    if (strlen(s) >= size) {
        char form[64];
        snprintf(form, sizeof form, "at most %zu characters", size - 1);
        return pinn_cfg_expected(c, i, key, form, err);
    }
    memcpy(out, s, strlen(s) + 1);
    return PINN_OK;
}

pinn_status pinn_cfg_choice(pinn_cfg *c, int node, const char *key, const char *const *names, int n, int def, int *out,
                            pinn_error *err) {
    char form[600] = "one of:";
    for (int k = 0; k < n; k++) strncat(form, " ", sizeof form - strlen(form) - 1), strncat(form, names[k], sizeof form - strlen(form) - 1);
    int i = scalar_or_default(c, node, key, def >= 0 ? names[def] : NULL);
    if (i < 0) return missing(c, node, key, form, err);
    const char *s = pinn_cfg_text(c, i);
    for (int k = 0; s && k < n; k++)
        if (!strcmp(s, names[k])) return *out = k, PINN_OK;
    return pinn_cfg_expected(c, i, key, form, err);
}

pinn_status pinn_cfg_int_list(pinn_cfg *c, int node, const char *key, long lo, long hi, int max, const int *def, int n_def,
                              int *out, int *count, pinn_error *err) {
    char form[96], item[64];
    if (lo == 1) snprintf(form, sizeof form, "a list of positive integers (at most %d)", max);
    else snprintf(form, sizeof form, "a list of at most %d integers in [%ld, %ld]", max, lo, hi);
    snprintf(item, sizeof item, "an integer in [%ld, %ld]", lo, hi);
    int i = pinn_cfg_find(c, node, key);
    if (i < 0 && def) {
        i = pinn_cfg_add(c, node, key, PINN_CFG_SEQ, NULL, 0);
        for (int k = 0; i >= 0 && k < n_def; k++) {
            char t[32];
            snprintf(t, sizeof t, "%d", def[k]);
            if (pinn_cfg_add(c, i, NULL, PINN_CFG_SCALAR, t, 0) < 0) i = -1;
        }
    }
    if (i < 0) return missing(c, node, key, form, err);
    if (c->node[i].type != PINN_CFG_SEQ || pinn_cfg_count(c, i) > max) return pinn_cfg_expected(c, i, key, form, err);
    int k = 0;
    for (int j = c->node[i].child; j >= 0; j = c->node[j].next, k++) {
        long v;
        if (!parse_long(pinn_cfg_text(c, j), &v) || v < lo || v > hi) return pinn_cfg_expected(c, j, key, item, err);
        out[k] = (int)v;
    }
    *count = k;
    return PINN_OK;
}

/* A double-quoted YAML scalar. */
static void quoted(FILE *f, const char *s) {
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"' || *s == '\\') fputc('\\', f), fputc(*s, f);
        else if (*s == '\n') fputs("\\n", f);
        else if ((unsigned char)*s < 0x20) fprintf(f, "\\x%02x", (unsigned char)*s);
        else fputc(*s, f);
    }
    fputc('"', f);
}

/* A list of scalars only is written in flow style on one line. */
static int flat_list(const pinn_cfg *c, int node) {
    for (int i = c->node[node].child; i >= 0; i = c->node[i].next)
        if (c->node[i].type != PINN_CFG_SCALAR) return 0;
    return 1;
}

static void write_value(const pinn_cfg *c, int i, int indent, FILE *f);

static void write_children(const pinn_cfg *c, int node, int indent, FILE *f) {
    int seq = c->node[node].type == PINN_CFG_SEQ;
    for (int i = c->node[node].child; i >= 0; i = c->node[i].next) {
        fprintf(f, "%*s", indent, "");
        if (seq) fputs("- ", f);
        else fprintf(f, "%s:", pinn_cfg_key(c, i));
        write_value(c, i, indent, f);
    }
}

static void write_value(const pinn_cfg *c, int i, int indent, FILE *f) {
    int seq_item = c->node[i].key < 0;
    const pinn_cfg_node *n = &c->node[i];
    if (n->type == PINN_CFG_SCALAR) {
        if (!seq_item) fputc(' ', f);
        quoted(f, pinn_cfg_text(c, i)), fputc('\n', f);
    } else if (n->child < 0) fputs(seq_item ? (n->type == PINN_CFG_SEQ ? "[]\n" : "{}\n") : (n->type == PINN_CFG_SEQ ? " []\n" : " {}\n"), f);
    else if (n->type == PINN_CFG_SEQ && flat_list(c, i)) {
        fputs(seq_item ? "[" : " [", f);
        for (int j = n->child; j >= 0; j = c->node[j].next) {
            quoted(f, pinn_cfg_text(c, j));
            if (c->node[j].next >= 0) fputs(", ", f);
        }
        fputs("]\n", f);
    } else {
        fputc('\n', f);
        write_children(c, i, indent + 2 + (seq_item ? 2 : 0), f);
    }
}

void pinn_cfg_write_yaml(const pinn_cfg *c, int node, int indent, FILE *f) { write_children(c, node, indent, f); }
