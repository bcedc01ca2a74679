/* pinnc/expr.h - the expression language of problem files: equations ("u_t + u*u_x - nu*u_xx = 0"),
 * boundary predicates ("x = -1 or x = 1"), constants ("0.01/pi") and exact solutions.
 *
 * Text is parsed once into a tree, constant subtrees are folded, and the result is compiled to a
 * flat program whose instructions each process a whole batch of n points.  The program has an exact
 * reverse pass: given the adjoint of the output it accumulates the adjoints of the field-derivative
 * leaves (arrays) and of the trainable parameters (scalars).  A compiled expression is read-only
 * during evaluation; all mutable state lives in caller-provided scratch, so threads can share it.
 * The grammar and semantics are documented in docs/expressions.md. */
#ifndef PINNC_EXPR_H
#define PINNC_EXPR_H

#include "pinnc/core.h"

#ifdef __cplusplus
extern "C" {
#endif

/* What names mean.  Every array is borrowed for the duration of pinn_expr_compile only. */
typedef struct pinn_expr_symbols {
    int n_coords;
    const char *const *coords;       /* coordinate names; index = coordinate id */
    const int *spatial;              /* n_coords flags: 1 if spatial (lap, u_n); NULL = all spatial */
    int n_fields;
    const char *const *fields;       /* field names, e.g. {"u", "v"} */
    int n_consts;
    const char *const *const_names;  /* user constants and their values */
    const double *const_values;
    int n_params;
    const char *const *param_names;  /* trainable scalars (inverse problems), read at evaluation */
    double eq_tol;                   /* predicates: a = b means |a - b| <= eq_tol (0: the default) */
    int n_defs;                      /* named expressions ("define:"): a name stands for its text, */
    const char *const *def_names;    /* parsed in place (it may use coordinates, constants, fields, */
    const char *const *def_texts;    /* parameters and other definitions; a cycle is an error) */
} pinn_expr_symbols;

/* The default predicate tolerance: 1e-9, or 1e-5 when pinn_real is float (PINN_FLOAT32), where a
 * coordinate such as x = 0.1 is itself only within 6e-8 relative of the decimal constant. */
#ifdef PINN_REAL_FLOAT
#define PINN_EXPR_EQ_TOL 1e-5
#else
#define PINN_EXPR_EQ_TOL 1e-9
#endif

/* The deepest expression tree accepted (nesting of parentheses, calls, unary signs, and the length
 * of chains such as a+b+c+...).  Deeper input is refused with "expression nested deeper than ...",
 * which bounds the recursion of the parser, the folder and the evaluators. */
#define PINN_EXPR_MAX_DEPTH 200

typedef enum pinn_expr_kind {
    PINN_EXPR_VALUE = 0, /* a plain expression */
    PINN_EXPR_EQUATION,  /* "lhs = rhs": evaluates to the residual lhs - rhs */
    PINN_EXPR_PREDICATE, /* comparisons joined by and/or/not: evaluates to 1 or 0 */
    PINN_EXPR_KIND_COUNT
} pinn_expr_kind;
const char *pinn_expr_kind_to_string(pinn_expr_kind k);

typedef struct pinn_expr pinn_expr;

/* Compile text.  A single top-level '=' makes an equation, comparisons or and/or/not a predicate,
 * anything else a value.  Errors (PINN_ERR_PARSE) read "column C: what (near 'token')". */
pinn_status pinn_expr_compile(pinn_expr **out, const char *text, const pinn_expr_symbols *sym, pinn_error *err);
/* Compile text as the given kind: PREDICATE reads a top-level '=' as an equality test,
 * EQUATION requires one top-level '=' (or none: "expr" means "expr = 0"), VALUE forbids '='. */
pinn_status pinn_expr_compile_as(pinn_expr **out, const char *text, const pinn_expr_symbols *sym, pinn_expr_kind kind,
                                 pinn_error *err);
void pinn_expr_free(pinn_expr *e);
pinn_expr_kind pinn_expr_kind_of(const pinn_expr *e);

/* The field-derivative leaves the expression reads, each a field and a multi-index (4 ints). */
int pinn_expr_n_derivs(const pinn_expr *e);
void pinn_expr_deriv(const pinn_expr *e, int k, int *field, int *alpha);
int pinn_expr_max_order(const pinn_expr *e);
int pinn_expr_uses_normals(const pinn_expr *e);
int pinn_expr_uses_coords(const pinn_expr *e);
/* 1 when the value does not depend on any point (then pinn_expr_eval fills out with one value). */
int pinn_expr_is_constant(const pinn_expr *e);

/* Bytes of scratch an evaluation of n points needs. */
size_t pinn_expr_scratch_size(const pinn_expr *e, size_t n);
/* Evaluate at n points.  coords[c], derivs[k] (in pinn_expr_deriv order) and normals[c] are arrays
 * of n values (normals may be NULL when unused); params holds the trainable scalars. */
pinn_status pinn_expr_eval(const pinn_expr *e, size_t n, const pinn_real *const *coords,
                           const pinn_real *const *derivs, const pinn_real *const *normals, const pinn_real *params,
                           pinn_real *out, void *scratch);
/* Reverse pass after pinn_expr_eval with the same arguments and scratch: given gout (n values),
 * ACCUMULATES d/d(derivs[k][i]) into dderivs[k][i] (NULL entries or a NULL array skip) and
 * d/d(params[j]) into dparams[j] (may be NULL). */
pinn_status pinn_expr_backward(const pinn_expr *e, size_t n, const pinn_real *const *coords,
                               const pinn_real *const *derivs, const pinn_real *const *normals,
                               const pinn_real *params, const pinn_real *gout, pinn_real *const *dderivs,
                               pinn_real *dparams, void *scratch);

/* Evaluate a constant expression (symbols may name constants; no coordinates, fields, parameters). */
pinn_status pinn_expr_eval_scalar(const char *text, const pinn_expr_symbols *sym, double *value, pinn_error *err);

/* Output transforms: append to graph g the jet ops computing the expression, where coordinate c
 * is the width-1 node coord_nodes[c] and field 0 (with no subscript) is the node net_node; writes
 * the result node to *out.  Supported: + - * / ^ (constant exponent), sin cos exp log tanh sinh
 * cosh sqrt, constants; not derivatives, parameters, normals or comparisons. */
struct pinn_graph;
pinn_status pinn_expr_to_graph(const pinn_expr *e, struct pinn_graph *g, const int *coord_nodes, int net_node, int *out,
                               pinn_error *err);

/* The folded expression as text (fully parenthesised), into buf; returns buf. */
char *pinn_expr_to_string(const pinn_expr *e, char *buf, size_t size);

#ifdef __cplusplus
}
#endif
#endif
