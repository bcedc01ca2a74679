/* expr_internal.h - the expression tree and compiled program shared by the parser (expr_parse.c)
 * and the evaluator (expr_eval.c). */
#ifndef PINN_PROBLEM_EXPR_INTERNAL_H
#define PINN_PROBLEM_EXPR_INTERNAL_H

#include "pinnc/expr.h"
#include "pinnc/jet.h"

typedef enum ex_op {
    EX_CONST = 0, EX_COORD, EX_DERIV, EX_NORMAL, EX_PARAM, /* leaves */
    EX_NEG, EX_ADD, EX_SUB, EX_MUL, EX_DIV, EX_POW,
    EX_SIN, EX_COS, EX_TAN, EX_EXP, EX_LOG, EX_SQRT, EX_TANH, EX_SINH, EX_COSH, EX_ABS, EX_SIGN,
    EX_ATAN, EX_ASIN, EX_ACOS, EX_MIN, EX_MAX,
    EX_LT, EX_LE, EX_GT, EX_GE, EX_EQ, EX_NE, EX_AND, EX_OR, EX_NOT,
    EX_GRAD, /* grad(a): a vector placeholder, resolved by div() and dot() (never evaluated) */
    EX_OP_COUNT
} ex_op;

/* A tree node; nodes live in one array, children are indices (-1 none). */
typedef struct ex_node {
    ex_op op;
    int a, b;
    double value; /* CONST */
    int index;    /* COORD/NORMAL: coordinate; DERIV: leaf; PARAM: parameter */
    int active;   /* depends on a derivative leaf or a parameter (needs an adjoint) */
    int varying;  /* depends on a point */
    int depth;    /* 1 + the depth of the deeper child (bounded by PINN_EXPR_MAX_DEPTH) */
    int vec;      /* the subtree holds a grad() placeholder (a vector expression) */
    unsigned dep; /* bit c: the subtree varies along coordinate c (fields and normals: every bit) */
} ex_node;

/* The most nodes a tree may have after definitions are substituted and operators expanded. */
#define EX_MAX_NODES 200000

typedef struct ex_leaf {
    int field;
    int alpha[PINN_MAX_INPUTS];
} ex_leaf;

struct pinn_expr {
    pinn_expr_kind kind;
    double eq_tol;
    int n_nodes, root;
    ex_node *nodes;
    int n_leaves;
    ex_leaf leaves[64];
    int uses_normals, uses_coords;
    int n_coords, n_params;
    int defmemo[2][64];  /* while parsing: 1 + the node of definition k (per '=' reading), 0 unknown */
    int *dmemo, n_dmemo; /* while parsing: the derivative node of (node, coordinate), -1 unknown */
};

/* The parser's state (expr_parse.c); a definition is parsed by a child parser over the same tree,
 * whose parent chain is the chain of definitions being expanded (for cycle detection). */
typedef struct ex_parser {
    const char *s;
    size_t pos;
    const pinn_expr_symbols *sym;
    pinn_expr *e;
    int *cap;       /* capacity of e->nodes (shared with child parsers) */
    pinn_error *err;
    int failed;
    int eq_as_test; /* '=' inside comparisons is an equality test */
    int nest;       /* current recursion depth (see enter()) */
    const struct ex_parser *parent;
    int def;        /* the definition this parser reads (-1: the top-level text) */
} ex_parser;

/* expr_parse.c: a new node (children a, b; -1 none); -1 after a failure */
int ex_node_new(ex_parser *p, ex_op op, int a, int b, double v, int idx);
/* expr_parse.c: records the first error ("column C: msg"); returns -1 */
int ex_perr(ex_parser *p, size_t col, const char *fmt, const char *arg);
/* expr_parse.c: the leaf of field with multi-index alpha (deduplicated) */
int ex_leaf_of(ex_parser *p, int field, const int *alpha);

/* expr_diff.c: operators on expressions, by symbolic differentiation of the tree.  Each returns a
 * new node (sharing the unchanged subtrees of its argument) or -1 after ex_perr: the partial
 * derivative of node a along coordinate c (col: the column for messages); component i (a spatial
 * coordinate) of a vector expression (grad(f), sums and scalar multiples of grads); whether a
 * subtree holds a grad() placeholder. */
int ex_diff(ex_parser *p, int a, int c, size_t col);
int ex_component(ex_parser *p, int a, int c, size_t col);
int ex_is_vector(const pinn_expr *e, int a);

/* expr_parse.c: text -> folded tree (root in e->root); errors into err with the column. */
pinn_status pinn_expr_parse(pinn_expr *e, const char *text, const pinn_expr_symbols *sym, pinn_expr_kind want,
                            pinn_error *err);

#endif
