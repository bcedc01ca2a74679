/* expr_diff.c - operators on expressions: the partial derivative of an expression tree along a
 * coordinate by symbolic differentiation (product, quotient and chain rules), and the components
 * of vector expressions built from grad().  A derivative of a field leaf is the leaf with the
 * raised multi-index, so the derivative plan of the result is derived from its leaves as for any
 * expression; (q*u_x)_x becomes q_x*u_x + q*u_xx.  New nodes share the unchanged subtrees of the
 * argument (the tree becomes a DAG whose children still precede their parents). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "problem/expr_internal.h"

#define NODE(i) (p->e->nodes[(i)])

static int K(ex_parser *p, double v) { return ex_node_new(p, EX_CONST, -1, -1, v, 0); }
static int is_k(const ex_parser *p, int i, double v) { return i >= 0 && NODE(i).op == EX_CONST && NODE(i).value == v; }

/* a + b, a - b, a * b, a / b, -a and f(a) with the trivial cases (0, 1) simplified away. */
static int add(ex_parser *p, int a, int b) {
    if (a < 0 || b < 0) return -1;
    if (is_k(p, a, 0)) return b;
    if (is_k(p, b, 0)) return a;
    return ex_node_new(p, EX_ADD, a, b, 0, 0);
}
static int neg(ex_parser *p, int a) {
    if (a < 0) return -1;
    return is_k(p, a, 0) ? a : ex_node_new(p, EX_NEG, a, -1, 0, 0);
}
static int sub(ex_parser *p, int a, int b) {
    if (a < 0 || b < 0) return -1;
    if (is_k(p, b, 0)) return a;
    if (is_k(p, a, 0)) return neg(p, b);
    return ex_node_new(p, EX_SUB, a, b, 0, 0);
}
static int mul(ex_parser *p, int a, int b) {
    if (a < 0 || b < 0) return -1;
    if (is_k(p, a, 0) || is_k(p, b, 0)) return K(p, 0);
    if (is_k(p, a, 1)) return b;
    if (is_k(p, b, 1)) return a;
    return ex_node_new(p, EX_MUL, a, b, 0, 0);
}
static int dv(ex_parser *p, int a, int b) {
    if (a < 0 || b < 0) return -1;
    if (is_k(p, a, 0)) return a;
    if (is_k(p, b, 1)) return a;
    return ex_node_new(p, EX_DIV, a, b, 0, 0);
}
static int fn(ex_parser *p, ex_op op, int a) { return a < 0 ? -1 : ex_node_new(p, op, a, -1, 0, 0); }

/* Whether subtree a varies along coordinate c (fields and normals vary along every coordinate). */
static int depends(const pinn_expr *e, int a, int c) { return (e->nodes[a].dep >> c) & 1u; }

int ex_is_vector(const pinn_expr *e, int a) { return a >= 0 && e->nodes[a].vec; }

static const char *op_word(ex_op op) {
    switch (op) {
    case EX_ABS: return "abs()";
    case EX_SIGN: return "sign()";
    case EX_MIN: return "min()";
    case EX_MAX: return "max()";
    default: return "a comparison or logical operator";
    }
}

static int diff_raw(ex_parser *p, int a, int c, size_t col);

/* The memo slot of (a, c), grown to cover every node so far; NULL when out of memory. */
static int *memo(ex_parser *p, int a, int c) {
    pinn_expr *e = p->e;
    if (a >= e->n_dmemo) {
        int n = e->n_nodes > 2 * e->n_dmemo ? e->n_nodes + 64 : 2 * e->n_dmemo + 64;
        int *m = realloc(e->dmemo, sizeof(int) * (size_t)n * PINN_MAX_INPUTS);
        if (!m) return NULL;
        for (size_t i = (size_t)e->n_dmemo * PINN_MAX_INPUTS; i < (size_t)n * PINN_MAX_INPUTS; i++) m[i] = -1;
        e->dmemo = m, e->n_dmemo = n;
    }
    return &e->dmemo[(size_t)a * PINN_MAX_INPUTS + (size_t)c];
}

/* d(a)/d(coordinate c), each (node, coordinate) differentiated once: a shared subtree's
 * derivative is shared too, so the result grows linearly with the tree, not exponentially. */
int ex_diff(ex_parser *p, int a, int c, size_t col) {
    if (p->failed || a < 0) return -1;
    int *m = memo(p, a, c);
    if (m && *m >= 0) return *m;
    int r = diff_raw(p, a, c, col);
    if (r >= 0 && (m = memo(p, a, c))) *m = r;
    return r;
}

static int diff_raw(ex_parser *p, int a, int c, size_t col) {
    const ex_node n = NODE(a); /* a copy: creating nodes may move the array */
    if (n.op == EX_GRAD) return ex_perr(p, col, "%s", "grad() gives a vector: differentiate it inside div(...) or dot(..., ...)");
    if (!depends(p->e, a, c)) return K(p, 0);
    int A = n.a, B = n.b;
    switch (n.op) {
    case EX_COORD: return K(p, 1);
    case EX_DERIV: {
        ex_leaf l = p->e->leaves[n.index];
        int order = 0;
        l.alpha[c]++;
        for (int i = 0; i < PINN_MAX_INPUTS; i++) order += l.alpha[i];
        if (order > PINN_MAX_ORDER) return ex_perr(p, col, "%s", "derivative order above 6");
        return ex_leaf_of(p, l.field, l.alpha);
    }
    case EX_NORMAL:
        return ex_perr(p, col, "%s",
                       "the outward normal (u_n) is known on the boundary only: it cannot be differentiated "
                       "(write the normal derivative after the operator, e.g. (q*u)_n)");
    case EX_NEG: return neg(p, ex_diff(p, A, c, col));
    case EX_ADD: return add(p, ex_diff(p, A, c, col), ex_diff(p, B, c, col));
    case EX_SUB: return sub(p, ex_diff(p, A, c, col), ex_diff(p, B, c, col));
    case EX_MUL: { /* a' b + a b' */
        int da = ex_diff(p, A, c, col), db = ex_diff(p, B, c, col);
        return add(p, mul(p, da, B), mul(p, A, db));
    }
    case EX_DIV: { /* a'/b - a b'/b^2 */
        int da = ex_diff(p, A, c, col), db = ex_diff(p, B, c, col);
        if (is_k(p, db, 0)) return dv(p, da, B);
        return sub(p, dv(p, da, B), dv(p, mul(p, A, db), mul(p, B, B)));
    }
    case EX_POW: {
        int da = ex_diff(p, A, c, col);
        if (!depends(p->e, B, c)) { /* b a^(b-1) a' */
            if (NODE(B).op == EX_CONST) {
                double bv = NODE(B).value;
                int pw = bv == 2 ? A : ex_node_new(p, EX_POW, A, K(p, bv - 1), 0, 0);
                return mul(p, mul(p, K(p, bv), pw), da);
            }
            return mul(p, mul(p, B, ex_node_new(p, EX_POW, A, sub(p, B, K(p, 1)), 0, 0)), da);
        }
        int db = ex_diff(p, B, c, col); /* a^b (b' log a + b a'/a) */
        return mul(p, a, add(p, mul(p, db, fn(p, EX_LOG, A)), dv(p, mul(p, B, da), A)));
    }
    default: break;
    }
    int da = ex_diff(p, A, c, col);
    switch (n.op) {
    case EX_SIN: return mul(p, fn(p, EX_COS, A), da);
    case EX_COS: return neg(p, mul(p, fn(p, EX_SIN, A), da));
    case EX_TAN: return mul(p, add(p, K(p, 1), mul(p, a, a)), da);
    case EX_EXP: return mul(p, a, da);
    case EX_LOG: return dv(p, da, A);
    case EX_SQRT: return dv(p, da, mul(p, K(p, 2), a));
    case EX_TANH: return mul(p, sub(p, K(p, 1), mul(p, a, a)), da);
    case EX_SINH: return mul(p, fn(p, EX_COSH, A), da);
    case EX_COSH: return mul(p, fn(p, EX_SINH, A), da);
    case EX_ATAN: return dv(p, da, add(p, K(p, 1), mul(p, A, A)));
    case EX_ASIN: return dv(p, da, fn(p, EX_SQRT, sub(p, K(p, 1), mul(p, A, A))));
    case EX_ACOS: return neg(p, dv(p, da, fn(p, EX_SQRT, sub(p, K(p, 1), mul(p, A, A)))));
    default: {
        char m[200];
        snprintf(m, sizeof m,
                 "%s is not differentiable: d(), a subscript on an expression, lap(), div() and dot() need a "
                 "smooth argument",
                 op_word(n.op));
        return ex_perr(p, col, "%s", m);
    }
    }
}

int ex_component(ex_parser *p, int a, int c, size_t col) {
    if (p->failed || a < 0) return -1;
    if (!ex_is_vector(p->e, a)) return ex_perr(p, col, "%s", "expected a vector here (grad(f), or sums and scalar multiples of grads)");
    const ex_node n = NODE(a);
    int va = ex_is_vector(p->e, n.a), vb = n.b >= 0 && ex_is_vector(p->e, n.b);
    switch (n.op) {
    case EX_GRAD: return ex_diff(p, n.a, c, col);
    case EX_NEG: return neg(p, ex_component(p, n.a, c, col));
    case EX_ADD:
    case EX_SUB:
        if (!va || !vb) return ex_perr(p, col, "%s", "a vector (grad) and a scalar cannot be added");
        return n.op == EX_ADD ? add(p, ex_component(p, n.a, c, col), ex_component(p, n.b, c, col))
                              : sub(p, ex_component(p, n.a, c, col), ex_component(p, n.b, c, col));
    case EX_MUL:
        if (va && vb) return ex_perr(p, col, "%s", "the product of two vectors: use dot(a, b)");
        return va ? mul(p, ex_component(p, n.a, c, col), n.b) : mul(p, n.a, ex_component(p, n.b, c, col));
    case EX_DIV:
        if (vb) return ex_perr(p, col, "%s", "division by a vector");
        return dv(p, ex_component(p, n.a, c, col), n.b);
    default:
        return ex_perr(p, col, "%s", "grad() gives a vector: only +, -, scalar * and / , div() and dot() take vectors");
    }
}
