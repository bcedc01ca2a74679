/* yamldoc.c - loading a YAML document with libyaml, typed node access with located error messages,
 * suggestions for misspelt keys, and `--set key.path=value` overrides. */
#ifdef PINN_HAVE_YAML
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "io/msg.h"
#include "io/yamldoc.h"

int ydoc_line(const ydoc *d, yaml_node_t *n) {
    (void)d;
    return n ? (int)n->start_mark.line + 1 : 0;
}

void ydoc_where(const ydoc *d, yaml_node_t *n, char *buf, size_t size) {
    int idx = n ? (int)(n - d->doc.nodes.start) + 1 : 0;
    char sb[PINN_MSG_PATH_MAX + 1];
    if (idx > d->n_orig && idx - d->n_orig - 1 < d->n_set_nodes && d->set_of[idx - d->n_orig - 1])
        snprintf(buf, size, "--set %s", pinn_msg_path(d->set_of[idx - d->n_orig - 1], sb, sizeof sb));
    else
        snprintf(buf, size, "%s:%d", pinn_msg_path(d->file, sb, sizeof sb), ydoc_line(d, n));
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

/* 1 when s is a decimal number: [+-]digits[.digits][(e|E)[+-]digits] (no hexadecimal, inf, nan or
 * blanks, which strtod would accept). */
static int decimal_number(const char *s) {
    int digits = 0;
    if (*s == '+' || *s == '-') s++;
    while (*s >= '0' && *s <= '9') s++, digits++;
    if (*s == '.')
        for (s++; *s >= '0' && *s <= '9'; s++) digits++;
    if (!digits) return 0;
    if (*s == 'e' || *s == 'E') {
        s++;
        if (*s == '+' || *s == '-') s++;
        if (!(*s >= '0' && *s <= '9')) return 0;
        while (*s >= '0' && *s <= '9') s++;
    }
    return *s == '\0';
}

pinn_status ydoc_int(const ydoc *d, yaml_node_t *n, const char *key, long lo, long hi, long *out) {
    const char *s = ydoc_scalar(n);
    char form[96];
    if (hi >= 100000000L && lo == 1) snprintf(form, sizeof form, "a positive integer");
    else if (hi >= 100000000L) snprintf(form, sizeof form, "an integer >= %ld", lo);
    else snprintf(form, sizeof form, "an integer in [%ld, %ld]", lo, hi);
    if (!s || !*s || !decimal_number(s)) return ydoc_expected(d, n, key, form);
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (*end || errno || v != floor(v) || v < (double)lo || v > (double)hi) return ydoc_expected(d, n, key, form);
    *out = (long)v;
    return PINN_OK;
}

pinn_status ydoc_real(const ydoc *d, yaml_node_t *n, const char *key, double *out) {
    const char *s = ydoc_scalar(n);
    if (!s || !*s || !decimal_number(s)) return ydoc_expected(d, n, key, "a number");
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
    if (strlen(s) >= size) {
        char m[96];
        snprintf(m, sizeof m, "'%.24s...' is longer than %zu characters", s, size - 1);
        return ydoc_fail(d, n, PINN_ERR_INVALID, key, m);
    }
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

/* Records that node idx (added after the file's nodes) comes from override `set`; 0 when out of
 * memory. */
static int note_set_node(ydoc *d, int idx, const char *set) {
    int k = idx - d->n_orig - 1;
    if (k < 0) return 1;
    if (k >= d->set_cap) {
        int cap = d->set_cap ? 2 * d->set_cap : 64;
        while (cap <= k) cap *= 2;
        const char **ns = realloc(d->set_of, sizeof *ns * (size_t)cap);
        if (!ns) return 0;
        for (int i = d->set_cap; i < cap; i++) ns[i] = NULL;
        d->set_of = ns, d->set_cap = cap;
    }
    d->set_of[k] = set;
    if (k + 1 > d->n_set_nodes) d->n_set_nodes = k + 1;
    return 1;
}

/* Copies node `src` of document s into d (deep; s has passed check_events, so it is acyclic and
 * its expansion is bounded); returns the new index or 0. */
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
    if (idx > 0 && !note_set_node(d, idx, set)) return 0;
    return idx;
}

/* Reads the file into a malloc'ed buffer (at most YDOC_MAX_BYTES). */
static pinn_status slurp(const char *path, const char *shown, unsigned char **out, size_t *len, pinn_error *err) {
    FILE *f = fopen(path, "rb");
    if (!f) return pinn_error_set(err, PINN_ERR_IO, "%s: cannot open: %s", shown, strerror(errno));
    size_t cap = 1 << 14, n = 0;
    unsigned char *buf = malloc(cap);
    for (;;) {
        if (!buf) break;
        n += fread(buf + n, 1, cap - n, f);
        if (n < cap || (long)n > YDOC_MAX_BYTES) break;
        unsigned char *nb = realloc(buf, cap * 2);
        if (!nb) free(buf);
        buf = nb, cap *= 2;
    }
    int bad = buf ? ferror(f) : 0;
    fclose(f);
    if (!buf) return pinn_error_set(err, PINN_ERR_NOMEM, "%s:1: out of memory reading the file", shown);
    if (bad || (long)n > YDOC_MAX_BYTES) {
        free(buf);
        if (bad) return pinn_error_set(err, PINN_ERR_IO, "%s: read error", shown);
        return pinn_error_set(err, PINN_ERR_INVALID, "%s:1: the file is larger than %ld bytes (not a problem file?)",
                              shown, (long)YDOC_MAX_BYTES);
    }
    *out = buf, *len = n;
    return PINN_OK;
}

/* "WHERE:LINE" for a file, "WHERE" (already "--set ...") for an override. */
static pinn_status ev_fail(pinn_error *err, pinn_status st, const char *where, int is_set, size_t line, const char *msg) {
    if (is_set) return pinn_error_set(err, st, "%s: %s", where, msg);
    return pinn_error_set(err, st, "%s:%zu: %s", where, line + 1, msg);
}

static pinn_status syntax_error(const yaml_parser_t *ps, const char *where, int is_set, pinn_error *err) {
    char m[300];
    if (ps->error == YAML_MEMORY_ERROR) return ev_fail(err, PINN_ERR_NOMEM, where, is_set, 0, "out of memory reading YAML");
    snprintf(m, sizeof m, "YAML syntax error: %s%s%s", ps->problem ? ps->problem : "?", ps->context ? " " : "",
             ps->context ? ps->context : "");
    return ev_fail(err, PINN_ERR_PARSE, where, is_set, ps->problem_mark.line ? ps->problem_mark.line : ps->context_mark.line, m);
}

typedef struct ev_anchor {
    char *name;
    long size; /* nodes of the anchored subtree, aliases expanded */
    int open;  /* still being read: an alias to it would be recursive */
} ev_anchor;

/* Registers anchor name (may be NULL) for a node starting at node count `count`; returns its index,
 * -1 when there is none, -2 when out of memory. */
static int ev_add_anchor(ev_anchor **a, int *n, int *cap, const yaml_char_t *name, int open) {
    if (!name) return -1;
    if (*n == *cap) {
        int nc = *cap ? 2 * *cap : 16;
        ev_anchor *na = realloc(*a, sizeof *na * (size_t)nc);
        if (!na) return -2;
        *a = na, *cap = nc;
    }
    (*a)[*n].name = strdup((const char *)name);
    if (!(*a)[*n].name) return -2;
    (*a)[*n].size = 1, (*a)[*n].open = open;
    return (*n)++;
}

/* Reads the event stream of text before anything is composed and refuses, at the first offending
 * event: nesting deeper than YDOC_MAX_DEPTH, more than YDOC_MAX_NODES nodes counting every alias
 * as the size of its target (alias bombs), an alias to a node that contains it, and a second
 * document.  Linear in the text (libyaml's own cost grows with the nesting, which is bounded). */
static pinn_status check_events(const unsigned char *text, size_t len, const char *where, int is_set, pinn_error *err) {
    yaml_parser_t ps;
    if (!yaml_parser_initialize(&ps)) return pinn_error_set(err, PINN_ERR_NOMEM, "%s: out of memory", where);
    yaml_parser_set_input_string(&ps, text, len);
    ev_anchor *anc = NULL;
    int na = 0, cap = 0, depth = 0, docs = 0, done = 0;
    struct {
        long start;
        int anchor;
    } open[YDOC_MAX_DEPTH + 1];
    long count = 0;
    pinn_status st = PINN_OK;
    char m[200];
    while (!st && !done) {
        yaml_event_t ev;
        if (!yaml_parser_parse(&ps, &ev)) {
            st = syntax_error(&ps, where, is_set, err);
            break;
        }
        size_t line = ev.start_mark.line;
        int a;
        switch (ev.type) {
        case YAML_STREAM_END_EVENT: done = 1; break;
        case YAML_DOCUMENT_START_EVENT:
            if (++docs > 1)
                st = ev_fail(err, PINN_ERR_INVALID, where, is_set, line,
                             "a second YAML document ('---'): a problem file holds exactly one");
            break;
        case YAML_SCALAR_EVENT:
            count++;
            if (ev_add_anchor(&anc, &na, &cap, ev.data.scalar.anchor, 0) == -2) st = pinn_error_set(err, PINN_ERR_NOMEM, "%s: out of memory", where);
            break;
        case YAML_SEQUENCE_START_EVENT:
        case YAML_MAPPING_START_EVENT:
            count++;
            if (depth == YDOC_MAX_DEPTH) {
                snprintf(m, sizeof m, "YAML nested deeper than %d levels", YDOC_MAX_DEPTH);
                st = ev_fail(err, PINN_ERR_INVALID, where, is_set, line, m);
                break;
            }
            a = ev_add_anchor(&anc, &na, &cap,
                              ev.type == YAML_SEQUENCE_START_EVENT ? ev.data.sequence_start.anchor : ev.data.mapping_start.anchor, 1);
            if (a == -2) st = pinn_error_set(err, PINN_ERR_NOMEM, "%s: out of memory", where);
            open[depth].start = count - 1, open[depth].anchor = a;
            depth++;
            break;
        case YAML_SEQUENCE_END_EVENT:
        case YAML_MAPPING_END_EVENT:
            if (depth > 0) {
                depth--;
                if (open[depth].anchor >= 0) anc[open[depth].anchor].size = count - open[depth].start, anc[open[depth].anchor].open = 0;
            }
            break;
        case YAML_ALIAS_EVENT:
            a = -1;
            for (int i = na - 1; i >= 0 && a < 0; i--)
                if (!strcmp(anc[i].name, (const char *)ev.data.alias.anchor)) a = i;
            if (a < 0) {
                snprintf(m, sizeof m, "alias '*%.40s' names no anchor defined before it", (const char *)ev.data.alias.anchor);
                st = ev_fail(err, PINN_ERR_INVALID, where, is_set, line, m);
            } else if (anc[a].open) {
                snprintf(m, sizeof m, "recursive alias '*%.40s' (it refers to a node that contains it)", anc[a].name);
                st = ev_fail(err, PINN_ERR_INVALID, where, is_set, line, m);
            } else
                count += anc[a].size;
            break;
        default: break;
        }
        if (!st && count > YDOC_MAX_NODES) {
            snprintf(m, sizeof m, "more than %d YAML nodes (counting each alias as what it repeats)", YDOC_MAX_NODES);
            st = ev_fail(err, PINN_ERR_INVALID, where, is_set, line, m);
        }
        yaml_event_delete(&ev);
    }
    for (int i = 0; i < na; i++) free(anc[i].name);
    free(anc);
    yaml_parser_delete(&ps);
    return st;
}

/* check_events, then composes the document into doc (deleted again on failure). */
static pinn_status load_text(yaml_document_t *doc, const unsigned char *text, size_t len, const char *where, int is_set,
                             pinn_error *err) {
    pinn_status st = check_events(text, len, where, is_set, err);
    if (st) return st;
    yaml_parser_t ps;
    if (!yaml_parser_initialize(&ps)) return pinn_error_set(err, PINN_ERR_NOMEM, "%s: out of memory", where);
    yaml_parser_set_input_string(&ps, text, len);
    if (!yaml_parser_load(&ps, doc)) st = syntax_error(&ps, where, is_set, err);
    yaml_parser_delete(&ps);
    return st;
}

static int key_cmp(const void *a, const void *b) {
    yaml_node_t *const *x = a, *const *y = b;
    int c = strcmp((const char *)(*x)->data.scalar.value, (const char *)(*y)->data.scalar.value);
    if (c) return c;
    return (*x)->start_mark.index < (*y)->start_mark.index ? -1 : (*x)->start_mark.index > (*y)->start_mark.index;
}

/* Walks the (acyclic) tree once from node idx: every mapping key must be a scalar, and no mapping
 * may repeat a key. */
static pinn_status walk(ydoc *d, int idx, unsigned char *seen) {
    yaml_node_t *n = ydoc_node(d, idx);
    if (!n || seen[idx]) return PINN_OK;
    seen[idx] = 1;
    if (n->type == YAML_SEQUENCE_NODE) {
        for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
            pinn_status st = walk(d, *it, seen);
            if (st) return st;
        }
        return PINN_OK;
    }
    if (n->type != YAML_MAPPING_NODE) return PINN_OK;
    size_t np = (size_t)(n->data.mapping.pairs.top - n->data.mapping.pairs.start), k = 0;
    yaml_node_t **keys = malloc(sizeof *keys * (np ? np : 1));
    if (!keys) return ydoc_fail(d, n, PINN_ERR_NOMEM, "YAML", "out of memory");
    pinn_status st = PINN_OK;
    for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top && !st; p++) {
        yaml_node_t *kn = ydoc_node(d, p->key);
        if (!ydoc_scalar(kn)) st = ydoc_expected(d, kn ? kn : n, "YAML", "a key that is a plain name");
        else keys[k++] = kn;
    }
    if (!st) qsort(keys, k, sizeof *keys, key_cmp);
    for (size_t i = 1; i < k && !st; i++)
        if (!strcmp((const char *)keys[i]->data.scalar.value, (const char *)keys[i - 1]->data.scalar.value)) {
            char m[160];
            snprintf(m, sizeof m, "duplicate key (also at line %d)", ydoc_line(d, keys[i - 1]));
            st = ydoc_fail(d, keys[i], PINN_ERR_INVALID, (const char *)keys[i]->data.scalar.value, m);
        }
    free(keys);
    for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top && !st; p++)
        st = walk(d, p->value, seen);
    return st;
}

static pinn_status check_tree(ydoc *d) {
    int nn = (int)(d->doc.nodes.top - d->doc.nodes.start);
    unsigned char *seen = calloc((size_t)nn + 2, 1);
    if (!seen) return pinn_error_set(d->err, PINN_ERR_NOMEM, "%s: out of memory", d->file);
    pinn_status st = walk(d, 1, seen);
    free(seen);
    return st;
}

/* Applies one override "a.b.c=value". */
static pinn_status apply_set(ydoc *d, const char *set) {
    const char *eq = strchr(set, '=');
    char path[256], sb[PINN_MSG_PATH_MAX + 1];
    const char *ss = pinn_msg_path(set, sb, sizeof sb);
    if (!eq || eq == set) return pinn_error_set(d->err, PINN_ERR_INVALID, "--set %s: expected key.path=value", ss);
    if (eq - set >= (long)sizeof path)
        return pinn_error_set(d->err, PINN_ERR_INVALID, "--set %s: the key path is longer than %zu characters", ss,
                              sizeof path - 1);
    snprintf(path, sizeof path, "%.*s", (int)(eq - set), set);
    char where[PINN_MSG_PATH_MAX + 8];
    snprintf(where, sizeof where, "--set %s", ss);
    yaml_document_t vd;
    pinn_status st0 = load_text(&vd, (const unsigned char *)(eq + 1), strlen(eq + 1), where, 1, d->err);
    if (st0) return st0;
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
                if (!k || !v || !note_set_node(d, k, set) || !note_set_node(d, v, set) ||
                    !yaml_document_append_mapping_pair(&d->doc, cur, k, v)) {
                    st = pinn_error_set(d->err, PINN_ERR_NOMEM, "--set %s: out of memory", ss);
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
                st = pinn_error_set(d->err, PINN_ERR_INVALID, "--set %s: '%.40s' is not an index of a list of %ld", ss, tok, cnt);
                break;
            }
            child = n->data.sequence.items.start[i], slot = &n->data.sequence.items.start[i];
        } else {
            st = pinn_error_set(d->err, PINN_ERR_INVALID, "--set %s: '%.40s' is not inside a mapping or a list", ss, tok);
            break;
        }
        if (!next) {
            int root = yaml_document_get_root_node(&vd) ? 1 : 0;
            int nv = root ? copy_node(d, &vd, 1, set) : 0;
            if (!nv) st = pinn_error_set(d->err, PINN_ERR_INVALID, "--set %s: empty value", ss);
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
    char pb[PINN_MSG_PATH_MAX + 1];
    const char *ps = pinn_msg_path(path, pb, sizeof pb);
    size_t len = 0;
    unsigned char *text = NULL;
    pinn_status st = slurp(path, ps, &text, &len, err);
    if (st) return st;
    st = load_text(&d->doc, text, len, ps, 0, err);
    free(text);
    if (st) return st;
    yaml_node_t *root = yaml_document_get_root_node(&d->doc);
    if (!root) {
        yaml_document_delete(&d->doc);
        return pinn_error_set(err, PINN_ERR_INVALID, "%s:1: the file is empty (expected a problem: domain, fields, equations, ...)", ps);
    }
    d->n_orig = (int)(d->doc.nodes.top - d->doc.nodes.start);
    for (int i = 0; i < n_set && !st; i++) st = apply_set(d, set[i]);
    if (!st) st = check_tree(d);
    if (st) ydoc_free(d);
    return st;
}

void ydoc_free(ydoc *d) {
    yaml_document_delete(&d->doc);
    free(d->set_of);
    d->set_of = NULL;
    d->set_cap = d->n_set_nodes = 0;
}

#endif
