/* expr_parse.c - lexer and recursive-descent parser of the expression language, with symbol
 * resolution (coordinates, fields with derivative subscripts, lap(), u_n, constants, parameters),
 * expansion of lap and u_n into sums of leaves, and constant folding.
 *
 * Operators on expressions (d(), subscripts on parentheses and definitions, lap/div/dot of
 * expressions) are expanded by symbolic differentiation in expr_diff.c.
 *
 * Grammar (lowest precedence first):
 *   top   := or ['=' or]               (the '=' of an equation, when one is wanted)
 *   or    := and {'or' and}
 *   and   := not {'and' not}
 *   not   := 'not' not | cmp
 *   cmp   := sum [('<'|'<='|'>'|'>='|'=='|'!='|'=') sum]
 *   sum   := prod {('+'|'-') prod}
 *   prod  := unary {('*'|'/') unary}
 *   unary := ('-'|'+') unary | power
 *   power := atom ['^' unary]          (right-associative; -x^2 = -(x^2))
 *   atom  := number | name | name '(' args ')' | '(' or ')' */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "problem/expr_internal.h"

typedef ex_parser parser;

int ex_perr(parser *p, size_t col, const char *fmt, const char *arg) {
    if (p->failed) return -1;
    p->failed = 1;
    char msg[300];
    snprintf(msg, sizeof msg, fmt, arg);
    pinn_error_set(p->err, PINN_ERR_PARSE, "column %zu: %s", col + 1, msg);
    return -1;
}
#define perr ex_perr

static void skip_ws(parser *p) {
    while (p->s[p->pos] && isspace((unsigned char)p->s[p->pos])) p->pos++;
}

/* The current token as text for messages. */
static const char *near(parser *p, char *buf, size_t n) {
    skip_ws(p);
    if (!p->s[p->pos]) return "end of input";
    size_t k = 0;
    const char *c = p->s + p->pos;
    if (isalnum((unsigned char)*c) || *c == '_' || *c == '.')
        while (k + 1 < n && (isalnum((unsigned char)c[k]) || c[k] == '_' || c[k] == '.')) buf[k] = c[k], k++;
    else buf[k++] = *c;
    buf[k] = '\0';
    return buf;
}

int ex_node_new(parser *p, ex_op op, int a, int b, double v, int idx) {
    if (p->failed) return -1;
    if (p->e->n_nodes == *p->cap) {
        int cap = *p->cap ? 2 * *p->cap : 64;
        ex_node *nn = realloc(p->e->nodes, sizeof *nn * (size_t)cap);
        if (!nn) {
            p->failed = 1;
            pinn_error_set(p->err, PINN_ERR_NOMEM, "expression: out of memory");
            return -1;
        }
        p->e->nodes = nn;
        *p->cap = cap;
    }
    if (p->e->n_nodes >= EX_MAX_NODES) {
        char lim[16];
        snprintf(lim, sizeof lim, "%d", EX_MAX_NODES);
        return perr(p, p->pos, "expression too large (more than %s nodes after substituting definitions and expanding operators)", lim);
    }
    int da = a >= 0 ? p->e->nodes[a].depth : 0, db = b >= 0 ? p->e->nodes[b].depth : 0;
    int depth = 1 + (da > db ? da : db);
    if (depth > PINN_EXPR_MAX_DEPTH) {
        char lim[16];
        snprintf(lim, sizeof lim, "%d", PINN_EXPR_MAX_DEPTH);
        return perr(p, p->pos, "expression nested deeper than %s levels (split it with constants or simplify it)", lim);
    }
    ex_node *n = &p->e->nodes[p->e->n_nodes];
    memset(n, 0, sizeof *n);
    n->depth = depth;
    n->op = op;
    n->a = a;
    n->b = b;
    n->value = v;
    n->index = idx;
    n->dep = (a >= 0 ? p->e->nodes[a].dep : 0) | (b >= 0 ? p->e->nodes[b].dep : 0);
    if (op == EX_COORD) n->dep = 1u << idx;
    if (op == EX_DERIV || op == EX_NORMAL) n->dep = ~0u;
    n->vec = op == EX_GRAD || (a >= 0 && p->e->nodes[a].vec) || (b >= 0 && p->e->nodes[b].vec);
    return p->e->n_nodes++;
}
#define node ex_node_new

static int accept(parser *p, const char *tok) {
    skip_ws(p);
    size_t l = strlen(tok);
    if (strncmp(p->s + p->pos, tok, l) != 0) return 0;
    if (isalpha((unsigned char)tok[0]) && (isalnum((unsigned char)p->s[p->pos + l]) || p->s[p->pos + l] == '_')) return 0;
    p->pos += l;
    return 1;
}

int ex_leaf_of(parser *p, int field, const int *alpha) {
    pinn_expr *e = p->e;
    for (int k = 0; k < e->n_leaves; k++)
        if (e->leaves[k].field == field && !memcmp(e->leaves[k].alpha, alpha, sizeof(int) * PINN_MAX_INPUTS))
            return node(p, EX_DERIV, -1, -1, 0, k);
    if (e->n_leaves == 64) return perr(p, p->pos, "%s", "more than 64 distinct derivatives");
    e->leaves[e->n_leaves].field = field;
    memcpy(e->leaves[e->n_leaves].alpha, alpha, sizeof(int) * PINN_MAX_INPUTS);
    return node(p, EX_DERIV, -1, -1, 0, e->n_leaves++);
}
#define leaf_of ex_leaf_of

static int spatial(const parser *p, int c) { return p->sym->spatial ? p->sym->spatial[c] : 1; }

static int find(const char *const *names, int n, const char *s, size_t len) {
    for (int i = 0; i < n; i++)
        if (strlen(names[i]) == len && strncmp(names[i], s, len) == 0) return i;
    return -1;
}

/* Field reference with optional subscript: fills field and alpha; returns 0 if name is not one,
 * 1 on success, -1 on error.  "n" in a subscript means the normal derivative (*normal = 1). */
static int field_ref(parser *p, const char *name, size_t len, size_t col, int *field, int *alpha, int *normal) {
    memset(alpha, 0, sizeof(int) * PINN_MAX_INPUTS);
    *normal = 0;
    const char *us = memchr(name, '_', len);
    size_t blen = us ? (size_t)(us - name) : len;
    *field = find(p->sym->fields, p->sym->n_fields, name, blen);
    if (*field < 0) return 0;
    if (!us) return 1;
    int order = 0;
    for (const char *c = us + 1; c < name + len; c++) {
        int ci = find(p->sym->coords, p->sym->n_coords, c, 1);
        if (ci < 0 && *c == 'n' && !*normal && c + 1 == name + len && c == us + 1) {
            *normal = 1;
            continue;
        }
        if (ci < 0) {
            char bad[2] = {*c, 0};
            return perr(p, col + (size_t)(c - name), "unknown coordinate '%s' in a derivative subscript", bad);
        }
        alpha[ci]++;
        if (++order > PINN_MAX_ORDER) return perr(p, col, "%s", "derivative order above 6");
    }
    return 1;
}

static int parse_or(parser *p);

/* u_n = sum over spatial coordinates of n_i * u_{x_i} */
static int normal_deriv(parser *p, int field, const int *alpha) {
    int acc = -1;
    p->e->uses_normals = 1;
    for (int c = 0; c < p->sym->n_coords; c++) {
        if (!spatial(p, c)) continue;
        int a2[PINN_MAX_INPUTS];
        memcpy(a2, alpha, sizeof a2);
        a2[c]++;
        int term = node(p, EX_MUL, node(p, EX_NORMAL, -1, -1, 0, c), leaf_of(p, field, a2), 0, 0);
        acc = acc < 0 ? term : node(p, EX_ADD, acc, term, 0, 0);
    }
    return acc;
}

/* Applies derivative subscript letters sub[0..len) (coordinate names, or a single 'n' for the
 * outward normal derivative) to the expression node a. */
static int apply_subscript(parser *p, int a, const char *sub, size_t len, size_t col) {
    if (len == 1 && *sub == 'n' && find(p->sym->coords, p->sym->n_coords, sub, 1) < 0) {
        int acc = -1;
        p->e->uses_normals = 1;
        for (int c = 0; c < p->sym->n_coords; c++) {
            if (!spatial(p, c)) continue;
            int term = node(p, EX_MUL, node(p, EX_NORMAL, -1, -1, 0, c), ex_diff(p, a, c, col), 0, 0);
            acc = acc < 0 ? term : node(p, EX_ADD, acc, term, 0, 0);
        }
        return acc;
    }
    for (size_t k = 0; k < len && a >= 0; k++) {
        int ci = find(p->sym->coords, p->sym->n_coords, sub + k, 1);
        if (ci < 0) {
            char bad[2] = {sub[k], 0};
            return perr(p, col + k, "unknown coordinate '%s' in a derivative subscript", bad);
        }
        a = ex_diff(p, a, ci, col);
    }
    return a;
}

/* The text of a named expression, parsed in place by a child parser; a definition met again in
 * its own chain is a cycle, reported with the chain ("a -> b -> a"). */
static int expand_def(parser *p, int k, size_t col) {
    const char *const *nm = p->sym->def_names;
    for (const parser *q = p; q; q = q->parent)
        if (q->def == k) {
            char chain[400] = "";
            const parser *st[64];
            int n = 0;
            for (const parser *r = p; r && r->def >= 0 && n < 64; r = r->parent) {
                st[n++] = r;
                if (r == q) break;
            }
            for (int i = n - 1; i >= 0; i--) {
                strncat(chain, nm[st[i]->def], sizeof chain - strlen(chain) - 1);
                strncat(chain, " -> ", sizeof chain - strlen(chain) - 1);
            }
            strncat(chain, nm[k], sizeof chain - strlen(chain) - 1);
            perr(p, col, "the definitions form a cycle: %s", chain);
            p->failed = 2; /* not wrapped again by the enclosing definitions */
            return -1;
        }
    int *memo = k < 64 ? &p->e->defmemo[p->eq_as_test != 0][k] : NULL; /* parsed once, then shared */
    if (memo && *memo) return *memo - 1;
    parser child = {p->sym->def_texts[k], 0, p->sym, p->e, p->cap, p->err, 0, p->eq_as_test, p->nest, p, k};
    skip_ws(&child);
    int r = child.s[child.pos] ? parse_or(&child) : perr(&child, 0, "%s", "empty definition");
    skip_ws(&child);
    char b[32];
    if (!child.failed && child.s[child.pos]) perr(&child, child.pos, "unexpected '%s'", near(&child, b, sizeof b));
    if (!child.failed) {
        if (memo) *memo = r + 1;
        return r;
    }
    p->failed = child.failed;
    if (child.failed == 1 && p->err) {
        char inner[sizeof p->err->msg];
        snprintf(inner, sizeof inner, "%s", p->err->msg);
        pinn_error_set(p->err, p->err->status, "column %zu: in the definition of '%s': %s", col + 1, nm[k], inner);
    }
    return -1;
}

static int find_def(const parser *p, const char *c, size_t len) {
    return p->sym->n_defs > 0 ? find(p->sym->def_names, p->sym->n_defs, c, len) : -1;
}

static int parse_unary(parser *p);

static const struct {
    const char *name;
    ex_op op;
    int nargs;
} funcs[] = {{"sin", EX_SIN, 1},   {"cos", EX_COS, 1},   {"tan", EX_TAN, 1},   {"exp", EX_EXP, 1},
             {"log", EX_LOG, 1},   {"ln", EX_LOG, 1},    {"sqrt", EX_SQRT, 1}, {"tanh", EX_TANH, 1},
             {"sinh", EX_SINH, 1}, {"cosh", EX_COSH, 1}, {"abs", EX_ABS, 1},   {"sign", EX_SIGN, 1},
             {"atan", EX_ATAN, 1}, {"asin", EX_ASIN, 1}, {"acos", EX_ACOS, 1}, {"min", EX_MIN, 2},
             {"max", EX_MAX, 2},   {"grad", EX_GRAD, 1}};

static int expect_close(parser *p, const char *what) {
    char b[32];
    if (accept(p, ")")) return 0;
    char m[96];
    snprintf(m, sizeof m, "expected ')' after the arguments of %s() (got '%%s')", what);
    return perr(p, p->pos, m, near(p, b, sizeof b));
}

/* lap(field[_sub]) reads the leaves directly; lap(expr) differentiates twice per space coordinate. */
static int parse_lap(parser *p, size_t col) {
    skip_ws(p);
    size_t c0 = p->pos, l = 0;
    while (isalnum((unsigned char)p->s[p->pos + l]) || p->s[p->pos + l] == '_') l++;
    size_t after = c0 + l;
    while (isspace((unsigned char)p->s[after])) after++;
    int field = -1, alpha[PINN_MAX_INPUTS], normal = 0, acc = -1;
    if (l && p->s[after] == ')' && find_def(p, p->s + c0, l) < 0 && find(p->sym->coords, p->sym->n_coords, p->s + c0, l) < 0) {
        int ok = field_ref(p, p->s + c0, l, c0, &field, alpha, &normal);
        if (ok < 0) return -1;
        if (ok && !normal) {
            p->pos = after + 1;
            for (int c = 0; c < p->sym->n_coords; c++) {
                if (!spatial(p, c)) continue;
                int a2[PINN_MAX_INPUTS];
                memcpy(a2, alpha, sizeof a2);
                a2[c] += 2;
                int lf = leaf_of(p, field, a2);
                acc = acc < 0 ? lf : node(p, EX_ADD, acc, lf, 0, 0);
            }
            return acc < 0 ? perr(p, col, "%s", "lap() needs a spatial coordinate") : acc;
        }
    }
    int a = parse_or(p);
    if (expect_close(p, "lap")) return -1;
    for (int c = 0; c < p->sym->n_coords && !p->failed; c++) {
        if (!spatial(p, c)) continue;
        int t = ex_diff(p, ex_diff(p, a, c, col), c, col);
        acc = acc < 0 ? t : node(p, EX_ADD, acc, t, 0, 0);
    }
    return acc < 0 ? perr(p, col, "%s", "lap() needs a spatial coordinate") : acc;
}

/* d(expr, x[, y ...]): partial derivatives along the named coordinates (any name length). */
static int parse_d(parser *p, size_t col) {
    int a = parse_or(p);
    if (!accept(p, ",")) return perr(p, p->pos, "%s", "d() takes an expression and coordinates, e.g. d(q*u_x, x)");
    do {
        skip_ws(p);
        size_t c0 = p->pos, l = 0;
        while (isalnum((unsigned char)p->s[c0 + l]) || p->s[c0 + l] == '_') l++;
        int ci = l ? find(p->sym->coords, p->sym->n_coords, p->s + c0, l) : -1;
        if (ci < 0) {
            char b[32];
            return perr(p, c0, "d(): expected a coordinate name (got '%s')", near(p, b, sizeof b));
        }
        p->pos += l;
        a = ex_diff(p, a, ci, col);
    } while (accept(p, ","));
    return expect_close(p, "d") ? -1 : a;
}

/* div(F) of a vector expression F (grad(f), q*grad(f), sums), or div(F1, ..., Fn) with one
 * component per space coordinate; dot(A, B) of two vector expressions. */
static int parse_div_dot(parser *p, int is_dot, size_t col) {
    int args[PINN_MAX_INPUTS + 1], n = 0, ns = 0;
    do {
        if (n == PINN_MAX_INPUTS + 1) return perr(p, p->pos, "too many arguments to %s()", is_dot ? "dot" : "div");
        args[n++] = parse_or(p);
    } while (!p->failed && accept(p, ","));
    if (p->failed || expect_close(p, is_dot ? "dot" : "div")) return -1;
    for (int c = 0; c < p->sym->n_coords; c++) ns += spatial(p, c);
    int acc = -1, k = 0;
    if (is_dot && n != 2) return perr(p, col, "%s", "dot() takes two vectors, e.g. dot(grad(u), grad(v))");
    if (!is_dot && n == 1 && !ex_is_vector(p->e, args[0]))
        return perr(p, col, "%s", "div() takes a vector such as grad(u) or k*grad(u), or one component per space coordinate");
    if (!is_dot && n > 1 && n != ns) {
        char m[16];
        snprintf(m, sizeof m, "%d", ns);
        return perr(p, col, "div() takes one component per space coordinate (%s here)", m);
    }
    for (int c = 0; c < p->sym->n_coords && !p->failed; c++) {
        if (!spatial(p, c)) continue;
        int t;
        if (is_dot) t = node(p, EX_MUL, ex_component(p, args[0], c, col), ex_component(p, args[1], c, col), 0, 0);
        else t = ex_diff(p, n == 1 ? ex_component(p, args[0], c, col) : args[k], c, col);
        k++;
        acc = acc < 0 ? t : node(p, EX_ADD, acc, t, 0, 0);
    }
    return acc < 0 ? perr(p, col, "%s() needs a spatial coordinate", is_dot ? "dot" : "div") : acc;
}

static int parse_call(parser *p, const char *name, size_t len, size_t col) {
    char nm[64];
    snprintf(nm, sizeof nm, "%.*s", (int)(len < 63 ? len : 63), name);
    if (!strcmp(nm, "lap")) return parse_lap(p, col);
    if (!strcmp(nm, "d")) return parse_d(p, col);
    if (!strcmp(nm, "div") || !strcmp(nm, "dot")) return parse_div_dot(p, nm[1] == 'o', col);
    for (size_t f = 0; f < sizeof funcs / sizeof funcs[0]; f++) {
        if (strcmp(nm, funcs[f].name)) continue;
        int a = parse_or(p), b = -1;
        if (funcs[f].nargs == 2) {
            if (!accept(p, ",")) return perr(p, p->pos, "%s() takes two arguments", funcs[f].name);
            b = parse_or(p);
        }
        if (accept(p, ",")) return perr(p, p->pos, "too many arguments to %s()", funcs[f].name);
        if (!accept(p, ")")) {
            char bb[32];
            return perr(p, p->pos, "expected ')' (got '%s')", near(p, bb, sizeof bb));
        }
        return node(p, funcs[f].op, a, b, 0, 0);
    }
    return perr(p, col, "unknown function '%s'", nm);
}

/* A subscript glued to what precedes it ("(q*u_x)_x", "q_x" of a definition q): its letters. */
static size_t subscript_len(const parser *p) {
    if (p->s[p->pos] != '_') return 0;
    size_t l = 0;
    while (isalnum((unsigned char)p->s[p->pos + 1 + l])) l++;
    return l;
}

static int parse_atom(parser *p) {
    skip_ws(p);
    size_t col = p->pos;
    const char *c = p->s + p->pos;
    char b[32];
    if (isdigit((unsigned char)*c) || (*c == '.' && isdigit((unsigned char)c[1]))) {
        if (c[0] == '0' && (c[1] == 'x' || c[1] == 'X'))
            return perr(p, col, "%s", "hexadecimal numbers are not supported (write decimal numbers)");
        char *end;
        double v = strtod(c, &end);
        p->pos += (size_t)(end - c);
        if (isalpha((unsigned char)p->s[p->pos]) || p->s[p->pos] == '_')
            return perr(p, p->pos, "unexpected '%s' after a number (write 2*x)", near(p, b, sizeof b));
        return node(p, EX_CONST, -1, -1, v, 0);
    }
    if (accept(p, "(")) {
        int r = parse_or(p);
        if (!accept(p, ")")) return perr(p, p->pos, "expected ')' (got '%s')", near(p, b, sizeof b));
        size_t sl = subscript_len(p);
        if (!sl) return r;
        p->pos += 1 + sl;
        return apply_subscript(p, r, p->s + p->pos - sl, sl, p->pos - sl);
    }
    if (!isalpha((unsigned char)*c) && *c != '_') {
        if (!*c) return perr(p, col, "%s", "expected a number, a name or '(' (got end of input)");
        return perr(p, col, "expected a number, a name or '(' (got '%s')", near(p, b, sizeof b));
    }
    size_t len = 0;
    while (isalnum((unsigned char)c[len]) || c[len] == '_') len++;
    p->pos += len;
    if (accept(p, "(")) return parse_call(p, c, len, col);
    const pinn_expr_symbols *s = p->sym;
    int i;
    if ((i = find(s->coords, s->n_coords, c, len)) >= 0) {
        p->e->uses_coords = 1;
        return node(p, EX_COORD, -1, -1, 0, i);
    }
    if ((i = find(s->param_names, s->n_params, c, len)) >= 0) return node(p, EX_PARAM, -1, -1, 0, i);
    if ((i = find(s->const_names, s->n_consts, c, len)) >= 0) return node(p, EX_CONST, -1, -1, s->const_values[i], 0);
    if ((i = find_def(p, c, len)) >= 0) return expand_def(p, i, col);
    const char *us0 = memchr(c, '_', len);
    if (us0 && (i = find_def(p, c, (size_t)(us0 - c))) >= 0 && find(s->fields, s->n_fields, c, (size_t)(us0 - c)) < 0) {
        int r = expand_def(p, i, col);
        return r < 0 ? -1 : apply_subscript(p, r, us0 + 1, (size_t)(c + len - us0 - 1), col + (size_t)(us0 - c) + 1);
    }
    int field, alpha[PINN_MAX_INPUTS], normal;
    int ok = field_ref(p, c, len, col, &field, alpha, &normal);
    if (ok < 0) return -1;
    if (ok) return normal ? normal_deriv(p, field, alpha) : leaf_of(p, field, alpha);
    if (len == 2 && !strncmp(c, "pi", 2)) return node(p, EX_CONST, -1, -1, 3.14159265358979323846, 0);
    if (len == 1 && *c == 'e') return node(p, EX_CONST, -1, -1, 2.71828182845904523536, 0);
    const char *us = memchr(c, '_', len);
    if (us && find(s->fields, s->n_fields, c, (size_t)(us - c)) < 0 && s->n_fields > 0) {
        snprintf(b, sizeof b, "%.*s", (int)((size_t)(us - c) < 31 ? (size_t)(us - c) : 31), c);
        return perr(p, col, "unknown field '%s' in a derivative", b);
    }
    snprintf(b, sizeof b, "%.*s", (int)(len < 31 ? len : 31), c);
    return perr(p, col, "unknown name '%s'", b);
}

/* Every recursive path of the grammar passes through parse_or, a sign, a 'not' or a '^'; each of
 * those counts one level so that hostile nesting fails with a message instead of exhausting the
 * stack (the tree depth of long chains such as a+b+c+... is checked in node()). */
static int enter(parser *p) {
    if (p->failed) return 0;
    if (++p->nest <= PINN_EXPR_MAX_DEPTH) return 1;
    char lim[16];
    snprintf(lim, sizeof lim, "%d", PINN_EXPR_MAX_DEPTH);
    perr(p, p->pos, "expression nested deeper than %s levels (split it with constants or simplify it)", lim);
    return 0;
}

static int parse_power(parser *p) {
    int a = parse_atom(p);
    if (accept(p, "^") || accept(p, "**")) {
        int r = enter(p) ? node(p, EX_POW, a, parse_unary(p), 0, 0) : -1;
        p->nest--;
        return r;
    }
    return a;
}

static int parse_unary(parser *p) {
    int neg = accept(p, "-");
    if (!neg && !accept(p, "+")) return parse_power(p);
    int r = -1;
    if (enter(p)) r = neg ? node(p, EX_NEG, parse_unary(p), -1, 0, 0) : parse_unary(p);
    p->nest--;
    return r;
}

static int parse_prod(parser *p) {
    int a = parse_unary(p);
    for (;;) {
        skip_ws(p);
        if (p->s[p->pos] == '*' && p->s[p->pos + 1] != '*') p->pos++, a = node(p, EX_MUL, a, parse_unary(p), 0, 0);
        else if (accept(p, "/")) a = node(p, EX_DIV, a, parse_unary(p), 0, 0);
        else return a;
    }
}

static int parse_sum(parser *p) {
    int a = parse_prod(p);
    for (;;) {
        if (accept(p, "+")) a = node(p, EX_ADD, a, parse_prod(p), 0, 0);
        else if (accept(p, "-")) a = node(p, EX_SUB, a, parse_prod(p), 0, 0);
        else return a;
    }
}

static int parse_cmp(parser *p) {
    int a = parse_sum(p);
    static const struct {
        const char *t;
        ex_op op;
    } ops[] = {{"<=", EX_LE}, {">=", EX_GE}, {"==", EX_EQ}, {"!=", EX_NE}, {"<", EX_LT}, {">", EX_GT}};
    for (size_t k = 0; k < sizeof ops / sizeof ops[0]; k++)
        if (accept(p, ops[k].t)) return node(p, ops[k].op, a, parse_sum(p), 0, 0);
    skip_ws(p);
    if (p->eq_as_test && p->s[p->pos] == '=') {
        p->pos++;
        return node(p, EX_EQ, a, parse_sum(p), 0, 0);
    }
    return a;
}

static int parse_not(parser *p) {
    if (!accept(p, "not")) return parse_cmp(p);
    int r = enter(p) ? node(p, EX_NOT, parse_not(p), -1, 0, 0) : -1;
    p->nest--;
    return r;
}

static int parse_and(parser *p) {
    int a = parse_not(p);
    while (accept(p, "and")) a = node(p, EX_AND, a, parse_not(p), 0, 0);
    return a;
}

static int parse_or_(parser *p) {
    int a = parse_and(p);
    while (accept(p, "or")) a = node(p, EX_OR, a, parse_and(p), 0, 0);
    return a;
}

static int parse_or(parser *p) {
    int r = enter(p) ? parse_or_(p) : -1;
    p->nest--;
    return r;
}

static int is_logical(ex_op op) { return op >= EX_LT && op <= EX_NOT; }

/* Folds constant subtrees bottom-up and marks active/varying nodes.  Children precede parents in
 * the node array except where folding rewrote them, so a recursive walk is used. */
static void fold(pinn_expr *e, int i, double (*apply)(ex_op, double, double), unsigned char *done) {
    ex_node *n = &e->nodes[i];
    if (done) {
        if (done[i]) return; /* shared subtree (operators on expressions), already folded */
        done[i] = 1;
    }
    if (n->a >= 0) fold(e, n->a, apply, done);
    if (n->b >= 0) fold(e, n->b, apply, done);
    n = &e->nodes[i];
    const ex_node *A = n->a >= 0 ? &e->nodes[n->a] : NULL, *B = n->b >= 0 ? &e->nodes[n->b] : NULL;
    switch (n->op) {
    case EX_CONST: n->varying = n->active = 0; return;
    case EX_COORD: case EX_NORMAL: n->varying = 1, n->active = 0; return;
    case EX_DERIV: n->varying = 1, n->active = 1; return;
    case EX_PARAM: n->varying = 0, n->active = 1; return;
    default: break;
    }
    n->varying = (A && A->varying) || (B && B->varying);
    n->active = ((A && A->active) || (B && B->active)) && !is_logical(n->op) && n->op != EX_SIGN;
    if ((A && A->op != EX_CONST) || (B && B->op != EX_CONST)) return;
    n->value = apply(n->op, A ? A->value : 0, B ? B->value : 0);
    n->op = EX_CONST;
    n->a = n->b = -1;
}

/* Operators on expressions differentiate subtrees whose own leaves (u for d(u*v, x)) may end up
 * unused; only the leaves reachable from the root stay, renumbered in order of first use, and
 * the normal and coordinate flags are recomputed from the reachable nodes. */
static void keep_reachable_leaves(pinn_expr *e) {
    unsigned char small[512], *seen = e->n_nodes <= 512 ? small : calloc((size_t)e->n_nodes, 1);
    if (!seen) return; /* keep every leaf: correct, only slower */
    memset(seen, 0, e->n_nodes <= 512 ? sizeof small : 0);
    seen[e->root] = 1;
    int remap[64], n = 0;
    for (int k = 0; k < 64; k++) remap[k] = -1;
    e->uses_normals = e->uses_coords = 0;
    for (int i = e->root; i >= 0; i--) { /* children precede parents */
        if (!seen[i]) continue;
        ex_node *nd = &e->nodes[i];
        if (nd->a >= 0) seen[nd->a] = 1;
        if (nd->b >= 0) seen[nd->b] = 1;
        if (nd->op == EX_NORMAL) e->uses_normals = 1;
        if (nd->op == EX_COORD) e->uses_coords = 1;
    }
    int used[64] = {0};
    for (int i = 0; i <= e->root; i++)
        if (seen[i] && e->nodes[i].op == EX_DERIV) used[e->nodes[i].index] = 1;
    for (int k = 0; k < e->n_leaves; k++)
        if (used[k]) remap[k] = n++;
    ex_leaf old[64];
    memcpy(old, e->leaves, sizeof(ex_leaf) * (size_t)e->n_leaves);
    for (int k = 0; k < e->n_leaves; k++)
        if (remap[k] >= 0) e->leaves[remap[k]] = old[k];
    for (int i = 0; i < e->n_nodes; i++)
        if (e->nodes[i].op == EX_DERIV) e->nodes[i].index = remap[e->nodes[i].index] >= 0 ? remap[e->nodes[i].index] : 0;
    e->n_leaves = n;
    if (seen != small) free(seen);
}

double pinn_expr_apply(ex_op op, double a, double b, double tol);
static double apply_default(ex_op op, double a, double b) { return pinn_expr_apply(op, a, b, 1e-9); }

pinn_status pinn_expr_parse(pinn_expr *e, const char *text, const pinn_expr_symbols *sym, pinn_expr_kind want,
                            pinn_error *err) {
    int cap = 0;
    parser p = {text, 0, sym, e, &cap, err, 0, want == PINN_EXPR_PREDICATE, 0, NULL, -1};
    char b[32];
    skip_ws(&p);
    if (!text[p.pos]) {
        perr(&p, p.pos, "%s", "empty expression");
        return PINN_ERR_PARSE;
    }
    int root = parse_or(&p);
    skip_ws(&p);
    int eq = 0;
    if (!p.failed && want != PINN_EXPR_PREDICATE && text[p.pos] == '=' && text[p.pos + 1] != '=') {
        if (want == PINN_EXPR_VALUE) perr(&p, p.pos, "%s", "unexpected '=' (an expression is expected here)");
        p.pos++;
        size_t c2 = p.pos;
        int rhs = parse_or(&p);
        skip_ws(&p);
        if (!p.failed && text[p.pos] == '=' && text[p.pos + 1] != '=')
            perr(&p, p.pos, "%s", "a second '=' (an equation has one)");
        (void)c2;
        root = node(&p, EX_SUB, root, rhs, 0, 0);
        eq = 1;
    }
    if (!p.failed && text[p.pos]) perr(&p, p.pos, "unexpected '%s'", near(&p, b, sizeof b));
    if (!p.failed && ex_is_vector(e, root))
        perr(&p, 0, "%s", "grad() gives a vector: use it inside div(...) or dot(..., ...)");
    if (p.failed) {
        free(e->dmemo);
        e->dmemo = NULL, e->n_dmemo = 0;
        return err && err->status != PINN_OK ? err->status : PINN_ERR_PARSE;
    }
    e->root = root;
    const ex_node *r = &e->nodes[root];
    int logical = is_logical(r->op);
    if (want == PINN_EXPR_PREDICATE && !logical) {
        pinn_error_set(err, PINN_ERR_PARSE, "column 1: expected a condition such as 'x = 0' or 'x < 1 and y > 0'");
        return PINN_ERR_PARSE;
    }
    if (want == PINN_EXPR_EQUATION && logical) {
        pinn_error_set(err, PINN_ERR_PARSE, "column 1: expected an equation 'lhs = rhs', got a condition");
        return PINN_ERR_PARSE;
    }
    e->kind = want == PINN_EXPR_PREDICATE ? PINN_EXPR_PREDICATE
              : (eq || want == PINN_EXPR_EQUATION) ? PINN_EXPR_EQUATION
              : logical ? PINN_EXPR_PREDICATE
                        : PINN_EXPR_VALUE;
    free(e->dmemo);
    e->dmemo = NULL, e->n_dmemo = 0;
    unsigned char *done = calloc((size_t)e->n_nodes, 1); /* NULL: fold without memo, correct but slower */
    fold(e, root, apply_default, done);
    free(done);
    keep_reachable_leaves(e);
    return PINN_OK;
}
