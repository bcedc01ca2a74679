/* geom_internal.h - the layout of pinn_geom, shared by geom.c (construction and queries) and
 * geom_sample.c (mapping unit-cube points onto regions).  Not part of the public API. */
#ifndef PINN_PROBLEM_GEOM_INTERNAL_H
#define PINN_PROBLEM_GEOM_INTERNAL_H

#include "pinnc/geom.h"

struct pinn_geom {
    pinn_shape shape;
    int ds;                        /* spatial axes, 0..3 */
    int dim;                       /* coordinates: ds + (tindex >= 0) */
    int tindex;                    /* coordinate index of time, -1 when none */
    int sidx[PINN_GEOM_MAX_SPACE]; /* coordinate index of spatial axis k */
    double t0, t1;                 /* time interval when tindex >= 0 */
    double lo[PINN_GEOM_MAX_SPACE], hi[PINN_GEOM_MAX_SPACE]; /* box/interval; bbox otherwise */
    double cx, cy, r;              /* disk */
    size_t nv;                     /* polygon vertices */
    double *v;                     /* [nv][2] in the caller's order */
    int orient;                    /* +1 counter-clockwise, -1 clockwise */
    size_t ntri;                   /* triangles of the ear clipping */
    size_t *tri;                   /* [ntri][3] vertex indices, counter-clockwise */
    double *tri_cum;               /* [ntri+1] cumulative triangle areas, tri_cum[0] = 0 */
    double *face_cum;              /* [nfaces+1] cumulative face measures */
    int nfaces;
    double measure;                /* spatial measure */
    double bmeasure;               /* boundary measure */
};

/* Index of the cell of a cumulative table cum[0..n] (cum[0] = 0, nondecreasing, cum[n] > 0)
 * containing w in [0, cum[n]); skips empty cells.  Also returns, via *frac, the position of w
 * within the cell as a fraction in [0,1). */
size_t pinn_geom_cumpick(const double *cum, size_t n, double w, double *frac);

#endif
