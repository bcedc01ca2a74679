/* plan.h - the internal layout of a derivative plan: multi-indices and the precomputed
 * Faà di Bruno (unary functions) and Leibniz (products) tables the jet kernels walk. */
#ifndef PINN_JET_PLAN_H
#define PINN_JET_PLAN_H

#include "pinnc/jet.h"

/* One merged Faà di Bruno term of stream s: coef * f^(k)(h_0) * prod_{b<k} h[idx[b]]. */
typedef struct pinn_fdb_term {
    int coef;
    int k;
    int idx[PINN_MAX_ORDER];
} pinn_fdb_term;

/* One Leibniz term of stream s: coef * a[ia] * b[ib]. */
typedef struct pinn_leib_term {
    int coef;
    int ia, ib;
} pinn_leib_term;

struct pinn_plan {
    int d;                              /* inputs */
    int S;                              /* streams */
    int order;                          /* max total order */
    int (*alpha)[PINN_MAX_INPUTS];      /* [S] multi-indices */
    int *ord;                           /* [S] total order of each stream */
    int first[PINN_MAX_INPUTS];         /* stream of e_i, or -1 */
    int *fdb_start;                     /* [S+1] into fdb */
    pinn_fdb_term *fdb;
    int *leib_start;                    /* [S+1] into leib */
    pinn_leib_term *leib;
};

#endif
