/* expr_eval.c - compiled expressions: the program (post-order list of the tree's non-constant
 * nodes), batch evaluation over n points, the exact reverse pass, and the small public helpers.
 * Scratch layout: [value pointer per node][values n per node][adjoints n per node]. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "problem/expr_internal.h"

static const char *const kind_names[PINN_EXPR_KIND_COUNT] = {"value", "equation", "predicate"};

const char *pinn_expr_kind_to_string(pinn_expr_kind k) {
    return (int)k >= 0 && k < PINN_EXPR_KIND_COUNT ? kind_names[k] : "unknown";
}

/* The value of op on scalars (tol: the equality tolerance of predicates). */
double pinn_expr_apply(ex_op op, double a, double b, double tol) {
    switch (op) {
    case EX_NEG: return -a;
    case EX_ADD: return a + b;
    case EX_SUB: return a - b;
    case EX_MUL: return a * b;
    case EX_DIV: return a / b;
    case EX_POW: return pow(a, b);
    case EX_SIN: return sin(a);
    case EX_COS: return cos(a);
    case EX_TAN: return tan(a);
    case EX_EXP: return exp(a);
    case EX_LOG: return log(a);
    case EX_SQRT: return sqrt(a);
    case EX_TANH: return tanh(a);
    case EX_SINH: return sinh(a);
    case EX_COSH: return cosh(a);
    case EX_ABS: return fabs(a);
    case EX_SIGN: return (a > 0) - (a < 0);
    case EX_ATAN: return atan(a);
    case EX_ASIN: return asin(a);
    case EX_ACOS: return acos(a);
    case EX_MIN: return a < b ? a : b;
    case EX_MAX: return a > b ? a : b;
    case EX_LT: return a < b - tol;
    case EX_LE: return a <= b + tol;
    case EX_GT: return a > b + tol;
    case EX_GE: return a >= b - tol;
    case EX_EQ: return fabs(a - b) <= tol;
    case EX_NE: return fabs(a - b) > tol;
    case EX_AND: return a != 0 && b != 0;
    case EX_OR: return a != 0 || b != 0;
    case EX_NOT: return a == 0;
    default: return NAN;
    }
}

/* Auto mode: a predicate when the text has logical words or comparison operators. */
static pinn_expr_kind guess_kind(const char *t) {
    for (const char *c = t; *c; c++) {
        if (*c == '<' || *c == '>' || (*c == '=' && c[1] == '=') || (*c == '!' && c[1] == '=')) return PINN_EXPR_PREDICATE;
        int start = c == t || !(c[-1] == '_' || (c[-1] >= 'a' && c[-1] <= 'z') || (c[-1] >= 'A' && c[-1] <= 'Z') ||
                                 (c[-1] >= '0' && c[-1] <= '9'));
        if (!start) continue;
        const char *w[] = {"and", "or", "not"};
        for (int k = 0; k < 3; k++) {
            size_t l = strlen(w[k]);
            if (!strncmp(c, w[k], l) && !(c[l] == '_' || (c[l] >= 'a' && c[l] <= 'z') || (c[l] >= '0' && c[l] <= '9')))
                return PINN_EXPR_PREDICATE;
        }
    }
    return PINN_EXPR_KIND_COUNT; /* equation or value: decided by '=' */
}

pinn_status pinn_expr_compile_as(pinn_expr **out, const char *text, const pinn_expr_symbols *sym, pinn_expr_kind kind,
                                 pinn_error *err) {
    *out = NULL;
    pinn_expr *e = calloc(1, sizeof *e);
    if (!e) return pinn_error_set(err, PINN_ERR_NOMEM, "expression: out of memory");
    e->eq_tol = sym->eq_tol > 0 ? sym->eq_tol : PINN_EXPR_EQ_TOL;
    e->n_coords = sym->n_coords;
    e->n_params = sym->n_params;
    pinn_status st = pinn_expr_parse(e, text ? text : "", sym, kind, err);
    if (st != PINN_OK) {
        pinn_expr_free(e);
        return st;
    }
    *out = e;
    return PINN_OK;
}

pinn_status pinn_expr_compile(pinn_expr **out, const char *text, const pinn_expr_symbols *sym, pinn_error *err) {
    pinn_expr_kind k = guess_kind(text ? text : "");
    if (k == PINN_EXPR_KIND_COUNT) {
        /* '=' present (not part of '==', '<=', ...): an equation, else a value */
        k = PINN_EXPR_VALUE;
        for (const char *c = text ? text : ""; *c; c++)
            if (*c == '=') k = PINN_EXPR_EQUATION;
        if (k == PINN_EXPR_VALUE) {
            pinn_status st = pinn_expr_compile_as(out, text, sym, PINN_EXPR_VALUE, err);
            return st;
        }
    }
    pinn_status st = pinn_expr_compile_as(out, text, sym, k, err);
    if (st == PINN_ERR_PARSE && k == PINN_EXPR_PREDICATE && err && strstr(err->msg, "expected a condition"))
        st = pinn_expr_compile_as(out, text, sym, PINN_EXPR_VALUE, err); /* e.g. (u > 0)*u: a value */
    return st;
}

void pinn_expr_free(pinn_expr *e) {
    if (!e) return;
    free(e->nodes);
    free(e->dmemo);
    free(e);
}

pinn_expr_kind pinn_expr_kind_of(const pinn_expr *e) { return e->kind; }
int pinn_expr_n_derivs(const pinn_expr *e) { return e->n_leaves; }
void pinn_expr_deriv(const pinn_expr *e, int k, int *field, int *alpha) {
    *field = e->leaves[k].field;
    memcpy(alpha, e->leaves[k].alpha, sizeof(int) * PINN_MAX_INPUTS);
}
int pinn_expr_max_order(const pinn_expr *e) {
    int m = 0;
    for (int k = 0; k < e->n_leaves; k++) {
        int o = 0;
        for (int i = 0; i < PINN_MAX_INPUTS; i++) o += e->leaves[k].alpha[i];
        m = o > m ? o : m;
    }
    return m;
}
int pinn_expr_uses_normals(const pinn_expr *e) { return e->uses_normals; }
int pinn_expr_uses_coords(const pinn_expr *e) { return e->uses_coords; }
int pinn_expr_is_constant(const pinn_expr *e) { return !e->nodes[e->root].varying; }

size_t pinn_expr_scratch_size(const pinn_expr *e, size_t n) {
    return sizeof(pinn_real *) * (size_t)e->n_nodes + 2 * sizeof(pinn_real) * (size_t)e->n_nodes * n;
}

/* Evaluates node i (children first) into its slot; leaves alias the inputs. */
static void eval_node(const pinn_expr *e, int i, size_t n, const pinn_real *const *coords,
                      const pinn_real *const *derivs, const pinn_real *const *normals, const pinn_real *params,
                      const pinn_real **val, pinn_real *store) {
    const ex_node *nd = &e->nodes[i];
    if (val[i]) return; /* a subtree shared by several parents (operators on expressions) */
    if (nd->a >= 0 && e->nodes[nd->a].op != EX_CONST) eval_node(e, nd->a, n, coords, derivs, normals, params, val, store);
    if (nd->b >= 0 && e->nodes[nd->b].op != EX_CONST) eval_node(e, nd->b, n, coords, derivs, normals, params, val, store);
    pinn_real *z = store + (size_t)i * n;
    switch (nd->op) {
    case EX_CONST:
        for (size_t k = 0; k < n; k++) z[k] = (pinn_real)nd->value;
        val[i] = z;
        return;
    case EX_COORD: val[i] = coords[nd->index]; return;
    case EX_NORMAL: val[i] = normals[nd->index]; return;
    case EX_DERIV: val[i] = derivs[nd->index]; return;
    case EX_PARAM:
        for (size_t k = 0; k < n; k++) z[k] = params[nd->index];
        val[i] = z;
        return;
    default: break;
    }
    const pinn_real *A = nd->a >= 0 && e->nodes[nd->a].op != EX_CONST ? val[nd->a] : NULL;
    const pinn_real *B = nd->b >= 0 && e->nodes[nd->b].op != EX_CONST ? val[nd->b] : NULL;
    double ac = nd->a >= 0 ? e->nodes[nd->a].value : 0, bc = nd->b >= 0 ? e->nodes[nd->b].value : 0;
    val[i] = z;
    if (A && B) {
        switch (nd->op) {
        case EX_ADD: for (size_t k = 0; k < n; k++) z[k] = A[k] + B[k]; return;
        case EX_SUB: for (size_t k = 0; k < n; k++) z[k] = A[k] - B[k]; return;
        case EX_MUL: for (size_t k = 0; k < n; k++) z[k] = A[k] * B[k]; return;
        case EX_DIV: for (size_t k = 0; k < n; k++) z[k] = A[k] / B[k]; return;
        default: for (size_t k = 0; k < n; k++) z[k] = (pinn_real)pinn_expr_apply(nd->op, A[k], B[k], e->eq_tol); return;
        }
    }
    if (A) {
        switch (nd->op) {
        case EX_ADD: for (size_t k = 0; k < n; k++) z[k] = A[k] + (pinn_real)bc; return;
        case EX_SUB: for (size_t k = 0; k < n; k++) z[k] = A[k] - (pinn_real)bc; return;
        case EX_MUL: for (size_t k = 0; k < n; k++) z[k] = A[k] * (pinn_real)bc; return;
        case EX_NEG: for (size_t k = 0; k < n; k++) z[k] = -A[k]; return;
        case EX_POW:
            if (bc == 2) {
                for (size_t k = 0; k < n; k++) z[k] = A[k] * A[k];
                return;
            }
            if (bc == 3) {
                for (size_t k = 0; k < n; k++) z[k] = A[k] * A[k] * A[k];
                return;
            }
            break;
        default: break;
        }
        for (size_t k = 0; k < n; k++) z[k] = (pinn_real)pinn_expr_apply(nd->op, A[k], bc, e->eq_tol);
        return;
    }
    switch (nd->op) {
    case EX_MUL: for (size_t k = 0; k < n; k++) z[k] = (pinn_real)ac * B[k]; return;
    default: for (size_t k = 0; k < n; k++) z[k] = (pinn_real)pinn_expr_apply(nd->op, ac, B[k], e->eq_tol); return;
    }
}

pinn_status pinn_expr_eval(const pinn_expr *e, size_t n, const pinn_real *const *coords,
                           const pinn_real *const *derivs, const pinn_real *const *normals, const pinn_real *params,
                           pinn_real *out, void *scratch) {
    const ex_node *r = &e->nodes[e->root];
    if (r->op == EX_CONST) {
        for (size_t k = 0; k < n; k++) out[k] = (pinn_real)r->value;
        return PINN_OK;
    }
    if (e->uses_normals && !normals) return PINN_ERR_INVALID;
    const pinn_real **val = scratch;
    pinn_real *store = (pinn_real *)(val + e->n_nodes);
    memset(val, 0, sizeof *val * (size_t)e->n_nodes);
    eval_node(e, e->root, n, coords, derivs, normals, params, val, store);
    memcpy(out, val[e->root], sizeof(pinn_real) * n);
    return PINN_OK;
}

/* Propagates the adjoint G of node i to its children (adjoint slots zeroed on first touch). */
static void back_node(const pinn_expr *e, int i, size_t n, const pinn_real **val, pinn_real *adj, unsigned char *touched,
                      const pinn_real *G, pinn_real *const *dderivs, pinn_real *dparams) {
    const ex_node *nd = &e->nodes[i];
    if (!nd->active) return;
    if (nd->op == EX_DERIV) {
        pinn_real *d = dderivs ? dderivs[nd->index] : NULL;
        if (d)
            for (size_t k = 0; k < n; k++) d[k] += G[k];
        return;
    }
    if (nd->op == EX_PARAM) {
        if (dparams) {
            double s = 0;
            for (size_t k = 0; k < n; k++) s += G[k];
            dparams[nd->index] += (pinn_real)s;
        }
        return;
    }
    int ca[2] = {nd->a, nd->b};
    for (int c = 0; c < 2; c++) {
        int ch = ca[c];
        if (ch < 0 || !e->nodes[ch].active) continue;
        pinn_real *gc = adj + (size_t)ch * n;
        if (!touched[ch]) memset(gc, 0, sizeof(pinn_real) * n), touched[ch] = 1;
        const pinn_real *A = nd->a >= 0 && e->nodes[nd->a].op != EX_CONST ? val[nd->a] : NULL;
        const pinn_real *B = nd->b >= 0 && e->nodes[nd->b].op != EX_CONST ? val[nd->b] : NULL;
        double ac = nd->a >= 0 ? e->nodes[nd->a].value : 0, bc = nd->b >= 0 ? e->nodes[nd->b].value : 0;
        const pinn_real *Z = val[i];
        for (size_t k = 0; k < n; k++) {
            double x = A ? A[k] : ac, y = B ? B[k] : bc, z = Z[k], g = G[k], d = 0;
            switch (nd->op) {
            case EX_NEG: d = -g; break;
            case EX_ADD: d = g; break;
            case EX_SUB: d = c == 0 ? g : -g; break;
            case EX_MUL: d = c == 0 ? g * y : g * x; break;
            case EX_DIV: d = c == 0 ? g / y : -g * x / (y * y); break;
            case EX_POW: d = c == 0 ? (y == 0 ? 0 : g * y * pow(x, y - 1)) : g * z * log(x); break;
            case EX_SIN: d = g * cos(x); break;
            case EX_COS: d = -g * sin(x); break;
            case EX_TAN: d = g * (1 + z * z); break;
            case EX_EXP: d = g * z; break;
            case EX_LOG: d = g / x; break;
            case EX_SQRT: d = g * 0.5 / z; break;
            case EX_TANH: d = g * (1 - z * z); break;
            case EX_SINH: d = g * cosh(x); break;
            case EX_COSH: d = g * sinh(x); break;
            case EX_ABS: d = g * ((x > 0) - (x < 0)); break;
            case EX_ATAN: d = g / (1 + x * x); break;
            case EX_ASIN: d = g / sqrt(1 - x * x); break;
            case EX_ACOS: d = -g / sqrt(1 - x * x); break;
            case EX_MIN: d = (c == 0) == (x <= y) ? g : 0; break;
            case EX_MAX: d = (c == 0) == (x >= y) ? g : 0; break;
            default: d = 0; break;
            }
            gc[k] += (pinn_real)d;
        }
    }
}

pinn_status pinn_expr_backward(const pinn_expr *e, size_t n, const pinn_real *const *coords,
                               const pinn_real *const *derivs, const pinn_real *const *normals,
                               const pinn_real *params, const pinn_real *gout, pinn_real *const *dderivs,
                               pinn_real *dparams, void *scratch) {
    (void)coords, (void)derivs, (void)normals, (void)params;
    if (!e->nodes[e->root].active) return PINN_OK;
    const pinn_real **val = scratch;
    pinn_real *store = (pinn_real *)(val + e->n_nodes), *adj = store + (size_t)e->n_nodes * n;
    unsigned char touched_small[256], *touched = e->n_nodes <= 256 ? touched_small : calloc((size_t)e->n_nodes, 1);
    if (!touched) return PINN_ERR_NOMEM;
    memset(touched, 0, (size_t)(e->n_nodes <= 256 ? 256 : 0));
    /* nodes in decreasing index order: parents before children */
    for (int i = e->root; i >= 0; i--) {
        const pinn_real *G = i == e->root ? gout : (touched[i] ? adj + (size_t)i * n : NULL);
        if (!G) continue;
        back_node(e, i, n, val, adj, touched, G, dderivs, dparams);
    }
    if (touched != touched_small) free(touched);
    return PINN_OK;
}

pinn_status pinn_expr_eval_scalar(const char *text, const pinn_expr_symbols *sym, double *value, pinn_error *err) {
    pinn_expr *e;
    pinn_status st = pinn_expr_compile_as(&e, text, sym, PINN_EXPR_VALUE, err);
    if (st != PINN_OK) return st;
    if (e->nodes[e->root].op != EX_CONST) {
        pinn_expr_free(e);
        return pinn_error_set(err, PINN_ERR_INVALID, "'%s' is not a constant (it depends on coordinates, fields or parameters)",
                              text);
    }
    *value = e->nodes[e->root].value;
    pinn_expr_free(e);
    return PINN_OK;
}

static const char *const op_names[EX_OP_COUNT] = {
    "", "x", "d", "n", "p", "-", "+", "-", "*", "/", "^", "sin", "cos", "tan", "exp", "log", "sqrt", "tanh", "sinh",
    "cosh", "abs", "sign", "atan", "asin", "acos", "min", "max", "<", "<=", ">", ">=", "=", "!=", "and", "or", "not", "grad"};

static size_t print_node(const pinn_expr *e, int i, char *buf, size_t size, size_t o) {
    const ex_node *nd = &e->nodes[i];
#define PUT(...) (o += (size_t)snprintf(buf + (o < size ? o : size), o < size ? size - o : 0, __VA_ARGS__))
    switch (nd->op) {
    case EX_CONST: PUT("%.17g", nd->value); break;
    case EX_COORD: PUT("x%d", nd->index); break;
    case EX_NORMAL: PUT("n%d", nd->index); break;
    case EX_PARAM: PUT("p%d", nd->index); break;
    case EX_DERIV: {
        const ex_leaf *l = &e->leaves[nd->index];
        PUT("D[f%d;%d,%d,%d,%d]", l->field, l->alpha[0], l->alpha[1], l->alpha[2], l->alpha[3]);
        break;
    }
    default:
        if (nd->op >= EX_SIN && nd->op <= EX_MAX) {
            PUT("%s(", op_names[nd->op]);
            o = print_node(e, nd->a, buf, size, o);
            if (nd->b >= 0) PUT(", "), o = print_node(e, nd->b, buf, size, o);
            PUT(")");
        } else if (nd->b < 0) {
            PUT("(%s ", op_names[nd->op]);
            o = print_node(e, nd->a, buf, size, o);
            PUT(")");
        } else {
            PUT("(");
            o = print_node(e, nd->a, buf, size, o);
            PUT(" %s ", op_names[nd->op]);
            o = print_node(e, nd->b, buf, size, o);
            PUT(")");
        }
    }
#undef PUT
    return o;
}

char *pinn_expr_to_string(const pinn_expr *e, char *buf, size_t size) {
    if (size) buf[0] = '\0';
    print_node(e, e->root, buf, size, 0);
    return buf;
}

/* Builds the jet-graph nodes of node i; constants become scale_shift(x, 0, c) of a coordinate. */
static int graph_node(const pinn_expr *e, int i, pinn_graph *g, const int *coord, int net, pinn_error *err, int *bad) {
    const ex_node *nd = &e->nodes[i];
    if (*bad) return -1;
    const ex_node *A = nd->a >= 0 ? &e->nodes[nd->a] : NULL, *B = nd->b >= 0 ? &e->nodes[nd->b] : NULL;
    switch (nd->op) {
    case EX_CONST: return pinn_graph_scale_shift(g, coord[0], 0.0, nd->value);
    case EX_COORD: return coord[nd->index];
    case EX_DERIV: {
        const ex_leaf *l = &e->leaves[nd->index];
        for (int k = 0; k < PINN_MAX_INPUTS; k++)
            if (l->alpha[k]) {
                *bad = 1;
                pinn_error_set(err, PINN_ERR_INVALID, "derivatives of the network are not allowed in a transform");
                return -1;
            }
        return net;
    }
    default: break;
    }
    /* one constant operand: scale and shift */
    if (A && B && (A->op == EX_CONST || B->op == EX_CONST) && (nd->op == EX_ADD || nd->op == EX_SUB || nd->op == EX_MUL ||
                                                              (nd->op == EX_DIV && B->op == EX_CONST))) {
        int other = graph_node(e, A->op == EX_CONST ? nd->b : nd->a, g, coord, net, err, bad);
        double c = A->op == EX_CONST ? A->value : B->value;
        switch (nd->op) {
        case EX_ADD: return pinn_graph_scale_shift(g, other, 1.0, c);
        case EX_SUB: return A->op == EX_CONST ? pinn_graph_scale_shift(g, other, -1.0, c) : pinn_graph_scale_shift(g, other, 1.0, -c);
        case EX_MUL: return pinn_graph_scale_shift(g, other, c, 0.0);
        default: return pinn_graph_scale_shift(g, other, 1.0 / c, 0.0);
        }
    }
    if (nd->op == EX_POW && B && B->op == EX_CONST)
        return pinn_graph_unary(g, PINN_FN_POW, B->value, graph_node(e, nd->a, g, coord, net, err, bad));
    int a = A ? graph_node(e, nd->a, g, coord, net, err, bad) : -1;
    int b = B ? graph_node(e, nd->b, g, coord, net, err, bad) : -1;
    switch (nd->op) {
    case EX_NEG: return pinn_graph_scale_shift(g, a, -1.0, 0.0);
    case EX_ADD: return pinn_graph_add(g, a, b, 1.0, 1.0);
    case EX_SUB: return pinn_graph_add(g, a, b, 1.0, -1.0);
    case EX_MUL: return pinn_graph_mul(g, a, b);
    case EX_DIV: return pinn_graph_div(g, a, b);
    case EX_SIN: return pinn_graph_unary(g, PINN_FN_SIN, 0, a);
    case EX_COS: return pinn_graph_unary(g, PINN_FN_COS, 0, a);
    case EX_EXP: return pinn_graph_unary(g, PINN_FN_EXP, 0, a);
    case EX_LOG: return pinn_graph_unary(g, PINN_FN_LOG, 0, a);
    case EX_TANH: return pinn_graph_unary(g, PINN_FN_TANH, 0, a);
    case EX_SINH: return pinn_graph_unary(g, PINN_FN_SINH, 0, a);
    case EX_COSH: return pinn_graph_unary(g, PINN_FN_COSH, 0, a);
    case EX_SQRT: return pinn_graph_unary(g, PINN_FN_POW, 0.5, a);
    default:
        *bad = 1;
        pinn_error_set(err, PINN_ERR_UNSUPPORTED,
                       "'%s' is not supported in a transform (use + - * / ^ sin cos exp log tanh sinh cosh sqrt)",
                       nd->op < EX_OP_COUNT ? op_names[nd->op] : "?");
        return -1;
    }
}

pinn_status pinn_expr_to_graph(const pinn_expr *e, pinn_graph *g, const int *coord_nodes, int net_node, int *out,
                               pinn_error *err) {
    int bad = 0;
    if (e->uses_normals || e->n_params) {
        for (int i = 0; i < e->n_nodes; i++)
            if (e->nodes[i].op == EX_PARAM || e->nodes[i].op == EX_NORMAL)
                return pinn_error_set(err, PINN_ERR_INVALID, "a transform may use coordinates, constants and N only");
    }
    int r = graph_node(e, e->root, g, coord_nodes, net_node, err, &bad);
    if (bad) return err ? err->status : PINN_ERR_INVALID;
    if (r < 0) {
        pinn_error ge;
        pinn_graph_status(g, &ge);
        return pinn_error_set(err, PINN_ERR_INVALID, "transform: %s", ge.msg);
    }
    *out = r;
    return PINN_OK;
}
