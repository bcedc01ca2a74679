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
    /* constructive geometry (geom_csg.c) */
    int ncsg;
    pinn_csg_node *csg;            /* [ncsg] the nodes, normals of half-spaces made unit */
    double **cedge;                /* [ncsg] polygon leaves: cumulative edge lengths [nv+1] */
    double *ccand;                 /* [ncsg+1] cumulative candidate boundary measure by node */
    double cfill, cbfill;          /* kept fractions of interior and boundary candidates */
    double ceps;                   /* step of the boundary test */
};

/* CSG (geom_csg.c): map unit-cube u to an interior candidate s, or to a boundary candidate s
 * with outward normal nr and face id (face >= 0: only that node's part); return 1 when the
 * candidate lies in the region (0: rejected). */
int pinn_csg_map_interior(const pinn_geom *g, const double *u, double *s);
int pinn_csg_map_boundary(const pinn_geom *g, int face, const double *u, double *s, double *nr, int *fid);
/* The combined signed distance of the spatial point s; *node (may be NULL) receives the leaf
 * that gives it and *flip 1 when that leaf enters with a minus sign (a subtracted shape). */
double pinn_csg_sdist(const pinn_geom *g, const double *s, int *node, int *flip);
/* The outward unit normal at the boundary nearest s, and its face (node) id. */
void pinn_csg_normal(const pinn_geom *g, const double *s, double *nr, int *face);
/* Frees the CSG members. */
void pinn_csg_free(pinn_geom *g);

/* Index of the cell of a cumulative table cum[0..n] (cum[0] = 0, nondecreasing, cum[n] > 0)
 * containing w in [0, cum[n]); skips empty cells.  Also returns, via *frac, the position of w
 * within the cell as a fraction in [0,1). */
size_t pinn_geom_cumpick(const double *cum, size_t n, double w, double *frac);

#endif
