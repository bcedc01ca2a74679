/* json.c - recursive-descent JSON parser into a node array (see json.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "report/json.h"

typedef struct parser {
    const char *s, *p, *what;
    rp_json *j;
    pinn_error *err;
    int depth;
} parser;

static void ws(parser *q) {
    while (*q->p == ' ' || *q->p == '\n' || *q->p == '\r' || *q->p == '\t') q->p++;
}

static pinn_status fail(parser *q, const char *msg) {
    return pinn_error_set(q->err, PINN_ERR_PARSE, "%s: JSON at byte %ld: %s", q->what, (long)(q->p - q->s), msg);
}

/* A new node (index in *out); the array may move, so callers re-read pointers after this. */
static pinn_status add(parser *q, rp_jtype t, int *out) {
    rp_json *j = q->j;
    if (j->n == j->cap) {
        int cap = j->cap ? 2 * j->cap : 64;
        rp_jnode *nn = realloc(j->nodes, sizeof *nn * (size_t)cap);
        if (!nn) return pinn_error_set(q->err, PINN_ERR_NOMEM, "out of memory");
        j->nodes = nn, j->cap = cap;
    }
    rp_jnode *n = &j->nodes[j->n];
    memset(n, 0, sizeof *n);
    n->type = t, n->first = n->next = -1, n->num = NAN;
    *out = j->n++;
    return PINN_OK;
}

/* Decode a string literal at q->p (on the opening quote) into a malloc'ed string. */
static pinn_status string(parser *q, char **out) {
    q->p++;
    size_t cap = 16, n = 0;
    char *s = malloc(cap);
    if (!s) return pinn_error_set(q->err, PINN_ERR_NOMEM, "out of memory");
    while (*q->p && *q->p != '"') {
        char c = *q->p++;
        if (c == '\\') {
            char e = *q->p++;
            switch (e) {
            case 'n': c = '\n'; break;
            case 't': c = '\t'; break;
            case 'r': c = '\r'; break;
            case 'b': c = '\b'; break;
            case 'f': c = '\f'; break;
            case 'u': {
                unsigned v = 0;
                for (int k = 0; k < 4; k++) {
                    char h = *q->p++;
                    v = v * 16 + (unsigned)(h >= '0' && h <= '9' ? h - '0' : h >= 'a' && h <= 'f' ? h - 'a' + 10 : h >= 'A' && h <= 'F' ? h - 'A' + 10 : 0);
                }
                c = v < 128 ? (char)v : '?';
                break;
            }
            case '\0': free(s); return fail(q, "unterminated string");
            default: c = e;
            }
        }
        if (n + 2 > cap) {
            char *t = realloc(s, cap *= 2);
            if (!t) {
                free(s);
                return pinn_error_set(q->err, PINN_ERR_NOMEM, "out of memory");
            }
            s = t;
        }
        s[n++] = c;
    }
    if (*q->p != '"') {
        free(s);
        return fail(q, "unterminated string");
    }
    q->p++;
    s[n] = '\0';
    *out = s;
    return PINN_OK;
}

static pinn_status value(parser *q, int *out);

/* Parse the members (object) or elements (array) of container c. */
static pinn_status members(parser *q, int c, int obj) {
    char close = obj ? '}' : ']';
    q->p++;
    ws(q);
    int last = -1;
    if (*q->p == close) {
        q->p++;
        return PINN_OK;
    }
    for (;;) {
        char *key = NULL;
        pinn_status st;
        ws(q);
        if (obj) {
            if (*q->p != '"') return fail(q, "expected a key");
            if ((st = string(q, &key))) return st;
            ws(q);
            if (*q->p != ':') {
                free(key);
                return fail(q, "expected ':'");
            }
            q->p++;
        }
        int v;
        if ((st = value(q, &v))) {
            free(key);
            return st;
        }
        q->j->nodes[v].key = key;
        if (last < 0) q->j->nodes[c].first = v;
        else q->j->nodes[last].next = v;
        last = v;
        ws(q);
        if (*q->p == ',') {
            q->p++;
            continue;
        }
        if (*q->p == close) {
            q->p++;
            return PINN_OK;
        }
        return fail(q, obj ? "expected ',' or '}'" : "expected ',' or ']'");
    }
}

static pinn_status value(parser *q, int *out) {
    ws(q);
    pinn_status st;
    char c = *q->p;
    if (++q->depth > 64) return fail(q, "nested too deeply");
    if (c == '{' || c == '[') {
        if ((st = add(q, c == '{' ? RP_JOBJ : RP_JARR, out))) return st;
        st = members(q, *out, c == '{');
    } else if (c == '"') {
        char *s;
        if ((st = string(q, &s))) return st;
        if ((st = add(q, RP_JSTR, out))) {
            free(s);
            return st;
        }
        q->j->nodes[*out].str = s;
    } else if (!strncmp(q->p, "null", 4) || !strncmp(q->p, "true", 4) || !strncmp(q->p, "false", 5)) {
        if ((st = add(q, c == 'n' ? RP_JNULL : RP_JBOOL, out))) return st;
        if (c != 'n') q->j->nodes[*out].num = c == 't';
        q->p += c == 'f' ? 5 : 4;
    } else {
        char *end;
        double v = strtod(q->p, &end);
        if (end == q->p) return fail(q, "expected a value");
        q->p = end;
        if ((st = add(q, RP_JNUM, out))) return st;
        q->j->nodes[*out].num = v;
    }
    q->depth--;
    return st;
}

pinn_status rp_json_parse(rp_json *j, const char *text, const char *what, pinn_error *err) {
    memset(j, 0, sizeof *j);
    parser q = {text, text, what, j, err, 0};
    int root;
    pinn_status st = value(&q, &root);
    if (!st) {
        ws(&q);
        if (*q.p) st = fail(&q, "trailing text");
    }
    if (st) rp_json_free(j);
    return st;
}

void rp_json_free(rp_json *j) {
    for (int i = 0; i < j->n; i++) free(j->nodes[i].str), free(j->nodes[i].key);
    free(j->nodes);
    memset(j, 0, sizeof *j);
}

int rp_json_get(const rp_json *j, int obj, const char *key) {
    if (obj < 0 || obj >= j->n || j->nodes[obj].type != RP_JOBJ) return -1;
    for (int c = j->nodes[obj].first; c >= 0; c = j->nodes[c].next)
        if (j->nodes[c].key && !strcmp(j->nodes[c].key, key)) return c;
    return -1;
}

double rp_json_num(const rp_json *j, int obj, const char *key) {
    int c = rp_json_get(j, obj, key);
    return c >= 0 && (j->nodes[c].type == RP_JNUM || j->nodes[c].type == RP_JBOOL) ? j->nodes[c].num : NAN;
}

const char *rp_json_str(const rp_json *j, int obj, const char *key) {
    int c = rp_json_get(j, obj, key);
    return c >= 0 && j->nodes[c].type == RP_JSTR ? j->nodes[c].str : "";
}
