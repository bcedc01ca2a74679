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
} ex_node;

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
};

/* expr_parse.c: text -> folded tree (root in e->root); errors into err with the column. */
pinn_status pinn_expr_parse(pinn_expr *e, const char *text, const pinn_expr_symbols *sym, pinn_expr_kind want,
                            pinn_error *err);

#endif
