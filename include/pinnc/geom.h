/* pinnc/geom.h - space-time domains and the points a PINN trains on.
 *
 * Three layers, each usable on its own:
 *   1. pinn_geom: a spatial shape (interval, box, polygon, disk, or none) optionally crossed with a
 *      time interval, with geometric queries (contains, measures, signed distance, normals).
 *   2. pinn_sequence: a stream of points in the unit cube [0,1)^m drawn by one of the samplers
 *      (uniform random, Latin hypercube, Sobol, Halton, regular grid); it keeps its state, so the
 *      next draw continues the sequence.
 *   3. The region samplers map unit-cube points onto the interior, the spatial boundary (with
 *      outward normals and face ids), the initial slice or periodic face pairs of a geometry;
 *      pinn_pointset bundles a region, a sampler and the drawn points, and can be resampled and
 *      cut into shuffled mini-batches.
 *
 * Coordinates.  A geometry of D = (number of spatial axes) + (1 if it has time) coordinates stores
 * every point as D consecutive pinn_real in the order the caller chose: pinn_geom_set_time names
 * the index of the time coordinate, and the spatial axes fill the remaining indices in order.
 * E.g. Burgers on x in [-1,1], t in [0,1] with coordinates (t,x): an interval with time index 0.
 * Point arrays are row-major [n][D].  See docs/geometry.md for the formulas. */
#ifndef PINNC_GEOM_H
#define PINNC_GEOM_H

#include <stddef.h>
#include <stdint.h>

#include "pinnc/core.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ======================================================================================= */
/* Geometry                                                                                */
/* ======================================================================================= */

/* The spatial shape of a geometry. */
typedef enum pinn_shape {
    PINN_SHAPE_NONE = 0, /* no spatial axes: a pure time interval (ODE problems) */
    PINN_SHAPE_INTERVAL, /* [a,b] in 1-D */
    PINN_SHAPE_BOX,      /* axis-aligned box in 2-D or 3-D */
    PINN_SHAPE_POLYGON,  /* simple polygon in 2-D (either orientation) */
    PINN_SHAPE_DISK,     /* disk in 2-D */
    PINN_SHAPE_CSG,      /* constructive geometry in 2-D or 3-D (pinn_geom_init_csg) */
    PINN_SHAPE_COUNT
} pinn_shape;

/* The name of a shape ("none", "interval", "box", "polygon", "disk", "csg"); never NULL. */
const char *pinn_shape_to_string(pinn_shape s);

/* Most spatial axes a geometry may have, and most coordinates of a space-time point. */
#define PINN_GEOM_MAX_SPACE 3
#define PINN_GEOM_MAX_DIM 4

/* An opaque geometry handle. */
typedef struct pinn_geom pinn_geom;

/* Create the interval [a,b] (a < b, finite).  *out is owned by the caller (pinn_geom_free). */
pinn_status pinn_geom_init_interval(pinn_geom **out, pinn_real a, pinn_real b, pinn_error *err);

/* Create the axis-aligned box prod_k [lo[k], hi[k]] with dim = 1, 2 or 3 spatial axes
 * (dim = 1 gives an interval).  lo[k] < hi[k] for all k. */
pinn_status pinn_geom_init_box(pinn_geom **out, int dim, const pinn_real *lo, const pinn_real *hi,
                               pinn_error *err);

/* Create a simple polygon from nv vertices xy[2*i], xy[2*i+1] in either orientation (the closing
 * edge from the last vertex back to the first is implied; do not repeat the first vertex).
 * Validates: nv >= 3, finite coordinates, no zero-length edge, no two edges that cross or touch
 * (except neighbours at their shared vertex), neighbours that fold back on themselves, nonzero
 * area.  On failure returns PINN_ERR_INVALID with a message naming the offending edges; edge i
 * runs from vertex i to vertex (i+1) mod nv.  The polygon is triangulated by ear clipping. */
pinn_status pinn_geom_init_polygon(pinn_geom **out, size_t nv, const pinn_real *xy,
                                   pinn_error *err);

/* Create the L-shaped polygon [-1,1]^2 minus the open square (0,1) x (-1,0): vertices (-1,-1),
 * (0,-1), (0,0), (1,0), (1,1), (-1,1) (counter-clockwise, area 3, perimeter 8). */
pinn_status pinn_geom_init_lshape(pinn_geom **out, pinn_error *err);

/* Create the disk of centre (cx,cy) and radius r > 0. */
pinn_status pinn_geom_init_disk(pinn_geom **out, pinn_real cx, pinn_real cy, pinn_real r,
                                pinn_error *err);

/* Constructive geometry: a list of nodes, each a primitive or a set operation on two earlier
 * nodes; the last node is the shape.  Coordinates are the spatial axes in order (2 or 3). */
typedef enum pinn_csg_kind {
    PINN_CSG_BOX = 0,      /* lo[k] <= x_k <= hi[k] */
    PINN_CSG_BALL,         /* |x - center| <= radius: a disk in 2-D, a ball in 3-D */
    PINN_CSG_POLYGON,      /* 2-D: the simple polygon xy[0..nv-1] (either orientation) */
    PINN_CSG_HALFSPACE,    /* normal . x <= offset (unbounded: intersect it with a bounded shape) */
    PINN_CSG_CYLINDER,     /* 3-D: distance to the line through center along spatial axis `axis`
                              <= radius, and lo[0] <= x_axis <= hi[0] */
    PINN_CSG_UNION,        /* a or b */
    PINN_CSG_INTERSECTION, /* a and b */
    PINN_CSG_DIFFERENCE,   /* a and not b */
    PINN_CSG_KIND_COUNT
} pinn_csg_kind;

/* The name of a CSG node kind ("box", "ball", "polygon", "halfspace", "cylinder", "union",
 * "intersection", "difference"); never NULL. */
const char *pinn_csg_kind_to_string(pinn_csg_kind k);

#define PINN_CSG_MAX_NODES 16
#define PINN_CSG_MAX_VERTICES 32

/* One node of a CSG list (plain data; only the members of its kind are read). */
typedef struct pinn_csg_node {
    pinn_csg_kind kind;
    int a, b;                  /* operations: indices of the operands, both < this node's index */
    double lo[3], hi[3];       /* box; cylinder: lo[0], hi[0] bound it along its axis */
    double center[3], radius;  /* ball; cylinder (a point of its axis) */
    double normal[3], offset;  /* half-space (normal need not be unit) */
    int axis;                  /* cylinder: the spatial axis it runs along */
    int nv;                    /* polygon */
    double xy[PINN_CSG_MAX_VERTICES][2];
} pinn_csg_node;

/* Create the CSG shape of nodes[0..n-1] (the last node is the shape) in dim = 2 or 3 spatial
 * axes.  Inside: the set operations on the closed primitives.  The boundary is sampled exactly
 * by measure (each primitive's boundary by its own measure, a candidate kept when it lies on the
 * shape's boundary, tested by stepping 1e-7 of the shape's size along the primitive's normal on
 * either side; on surfaces shared by several primitives the first one owns the point), with the
 * outward normal of the shape.  Area/volume and boundary measure are estimated once by a fixed
 * quasi-random probe (Halton, 2^16 interior and 2^15 boundary candidates; relative error about
 * 1e-3).  Faces: face i is the part of the boundary on node i (0 for operations).  The signed
 * distance combines the primitives' exact distances by min/max (exact outside a union, a bound
 * elsewhere; zero exactly on the boundary).  Errors: bad operands, a primitive of the wrong
 * dimension, an unbounded shape, an empty shape, a shape whose boundary has zero measure. */
pinn_status pinn_geom_init_csg(pinn_geom **out, int dim, int n, const pinn_csg_node *nodes,
                               pinn_error *err);

/* Create a pure time domain [t0,t1] (no spatial axes; D = 1, time index 0). */
pinn_status pinn_geom_init_time(pinn_geom **out, pinn_real t0, pinn_real t1, pinn_error *err);

/* Cross a spatial geometry with the time interval [t0,t1] (t0 < t1): the domain becomes
 * [t0,t1] x Omega with D = space_dim + 1 coordinates, time at coordinate time_index
 * (0 <= time_index <= space_dim), the spatial axes at the other indices in order.  Calling it
 * again replaces the time axis.  Not allowed on a pure time domain. */
pinn_status pinn_geom_set_time(pinn_geom *g, int time_index, pinn_real t0, pinn_real t1,
                               pinn_error *err);

/* Release a geometry (NULL is a no-op). */
void pinn_geom_free(pinn_geom *g);

/* The spatial shape. */
pinn_shape pinn_geom_shape(const pinn_geom *g);
/* D: the number of coordinates of a point (spatial axes + time). */
int pinn_geom_dim(const pinn_geom *g);
/* The number of spatial axes (0..3). */
int pinn_geom_space_dim(const pinn_geom *g);
/* The coordinate index of time, or -1 when the geometry has no time axis. */
int pinn_geom_time_index(const pinn_geom *g);
/* The coordinate index of spatial axis k (0 <= k < space_dim), or -1 when out of range. */
int pinn_geom_space_index(const pinn_geom *g, int k);
/* The time interval: returns 1 and fills t0/t1 (either may be NULL) when there is a time axis,
 * else returns 0. */
int pinn_geom_time_range(const pinn_geom *g, pinn_real *t0, pinn_real *t1);

/* 1 when the D-coordinate point pt lies in the closed domain enlarged by tol >= 0 (spatially:
 * inside, or within distance tol of the boundary; in time: t0 - tol <= t <= t1 + tol), else 0. */
int pinn_geom_contains(const pinn_geom *g, const pinn_real *pt, pinn_real tol);

/* Lebesgue measure of the spatial domain: length, area or volume (1 for a pure time domain). */
pinn_real pinn_geom_space_measure(const pinn_geom *g);
/* Measure of the whole space-time domain: space measure times (t1 - t0) when timed. */
pinn_real pinn_geom_measure(const pinn_geom *g);
/* Measure of the spatial boundary: 2 (the end points, counted) for an interval, perimeter in
 * 2-D, surface area in 3-D, 0 for a pure time domain. */
pinn_real pinn_geom_boundary_measure(const pinn_geom *g);
/* Bounding box of the space-time domain in D coordinates (lo, hi each of length D). */
void pinn_geom_bbox(const pinn_geom *g, pinn_real *lo, pinn_real *hi);

/* Boundary faces.  Ids: interval 0 = {x=a}, 1 = {x=b}; box 2k = {x_k = lo_k}, 2k+1 =
 * {x_k = hi_k} (k = spatial axis); polygon: edge i from vertex i to vertex i+1 (caller's
 * order); disk: 0 = the circle; pure time domain: no faces. */
int pinn_geom_face_count(const pinn_geom *g);
/* Measure of face id (length/area; 1 for an interval end); 0 for an invalid id. */
pinn_real pinn_geom_face_measure(const pinn_geom *g, int face);

/* Signed distance from the spatial part of pt to the spatial boundary: negative inside,
 * positive outside, exact for every shape (time is ignored).  A pure time domain has no
 * spatial boundary: returns -INFINITY. */
pinn_real pinn_geom_signed_distance(const pinn_geom *g, const pinn_real *pt);
/* Unsigned distance to the spatial boundary, |signed distance| (+INFINITY for a pure time
 * domain).  Useful for hard boundary constraints u = d(x) N(x) + g(x). */
pinn_real pinn_geom_distance(const pinn_geom *g, const pinn_real *pt);

/* The outward unit normal of the spatial boundary at the boundary point nearest to pt: normal
 * (length D, zero in the time coordinate) and face (may be NULL) receive it.  On edges and
 * vertices shared by several faces the nearest face with the lowest id wins; at a disk's centre
 * the normal is +x.  PINN_ERR_INVALID for a pure time domain. */
pinn_status pinn_geom_normal(const pinn_geom *g, const pinn_real *pt, pinn_real *normal,
                             int *face, pinn_error *err);

/* Polygons only: the number of vertices (0 for other shapes), and vertex i as xy[2]
 * (caller's order). */
size_t pinn_geom_vertex_count(const pinn_geom *g);
pinn_status pinn_geom_vertex(const pinn_geom *g, size_t i, pinn_real *xy, pinn_error *err);

/* Polygons only: the number of triangles of the ear-clipping triangulation (0 for other
 * shapes), and triangle i's corners as xy[6] = (ax, ay, bx, by, cx, cy), counter-clockwise. */
size_t pinn_geom_triangle_count(const pinn_geom *g);
pinn_status pinn_geom_triangle(const pinn_geom *g, size_t i, pinn_real *xy, pinn_error *err);

/* ======================================================================================= */
/* Samplers: point sequences in the unit cube                                              */
/* ======================================================================================= */

/* How unit-cube points are drawn. */
typedef enum pinn_sampler {
    PINN_SAMPLER_UNIFORM = 0, /* independent uniform random points (pinn_rng) */
    PINN_SAMPLER_LHS,         /* Latin hypercube: each draw of n puts one point per 1/n stratum
                                 in every coordinate */
    PINN_SAMPLER_SOBOL,       /* Sobol' sequence, Joe-Kuo direction numbers, Gray-code order */
    PINN_SAMPLER_HALTON,      /* Halton sequence, bases 2, 3, 5, 7, ... */
    PINN_SAMPLER_GRID,        /* regular grid of cell centres, about n points in all */
    PINN_SAMPLER_COUNT
} pinn_sampler;

/* The name of a sampler ("uniform", "lhs", "sobol", "halton", "grid"); never NULL. */
const char *pinn_sampler_to_string(pinn_sampler s);
/* Parse a sampler name (case-insensitive; also accepts "random" and "latin"); PINN_ERR_INVALID
 * with the list of valid names otherwise. */
pinn_status pinn_sampler_from_string(const char *name, pinn_sampler *out, pinn_error *err);

/* Most coordinates of a unit-cube sequence (Sobol direction numbers are tabulated to here). */
#define PINN_SEQUENCE_MAX_DIM 21

/* Options of a sequence; zero-initialise for the defaults. */
typedef struct pinn_sequence_opts {
    /* Randomise the deterministic samplers with the seed: Sobol gets a random digital shift
     * (every coordinate XOR-ed with a fixed random 32-bit word), Halton a random Cranley-
     * Patterson rotation (x + shift mod 1), the grid a fresh random offset within its cell on
     * every draw.  Randomised Sobol/Halton start at sequence index 0, plain ones at index 1
     * (skipping the origin).  Uniform and LHS are random anyway and ignore this. */
    int randomize;
    /* Grid only: per-coordinate lengths (m entries > 0) that set the aspect of the grid, or
     * NULL for equal counts.  See pinn_sequence_grid_counts. */
    const pinn_real *extent;
    /* Grid only: per-coordinate fixed counts (m entries, 0 = free), or NULL. */
    const size_t *fixed;
} pinn_sequence_opts;

/* An opaque unit-cube point stream. */
typedef struct pinn_sequence pinn_sequence;

/* Create a stream of m-dimensional points (1 <= m <= PINN_SEQUENCE_MAX_DIM) of the given kind,
 * seeded with seed (the same seed reproduces the same points); opts may be NULL. */
pinn_status pinn_sequence_init(pinn_sequence **out, pinn_sampler kind, int m, uint64_t seed,
                               const pinn_sequence_opts *opts, pinn_error *err);
/* Release a sequence (NULL is a no-op). */
void pinn_sequence_free(pinn_sequence *s);
/* The sampler kind and the dimension m. */
pinn_sampler pinn_sequence_kind(const pinn_sequence *s);
int pinn_sequence_dim(const pinn_sequence *s);
/* How many points a draw of n produces: n, except for the grid (its actual point count). */
size_t pinn_sequence_count(const pinn_sequence *s, size_t n);
/* Draw the next points: writes pinn_sequence_count(s, n) rows of m values in [0,1) into out
 * ([rows][m], sized by the caller) and stores that count in *count (may be NULL).  Advances the
 * stream: uniform/LHS draw fresh random numbers, Sobol/Halton continue from the next index,
 * the grid repeats itself (randomised: with a fresh offset).  PINN_ERR_INVALID past 2^32-1 Sobol
 * points. */
pinn_status pinn_sequence_next(pinn_sequence *s, size_t n, pinn_real *out, size_t *count,
                               pinn_error *err);

/* Per-coordinate counts of a grid of about n points in m coordinates, written to counts[m];
 * returns their product.  Free coordinates get counts[k] = max(1, round(e_k * s)) with
 * s = (n' / prod e_j)^(1/m'), where n' = n / prod(fixed counts) and m' is the number of free
 * coordinates (e_k = extent[k], or 1 when extent is NULL): n_per_dim = round(n^(1/m)) when the
 * extents are equal. */
size_t pinn_sequence_grid_counts(int m, size_t n, const pinn_real *extent, const size_t *fixed,
                                 size_t *counts);

/* ======================================================================================= */
/* Sampling regions of a geometry                                                          */
/* ======================================================================================= */

/* Which part of a geometry points are drawn from. */
typedef enum pinn_region {
    PINN_REGION_INTERIOR = 0, /* Omega x [t0,t1] (or Omega) */
    PINN_REGION_BOUNDARY,     /* dOmega x [t0,t1], with outward normals and face ids */
    PINN_REGION_INITIAL,      /* {t = t0} x Omega */
    PINN_REGION_PERIODIC,     /* pairs on the faces x_k = lo_k and x_k = hi_k of a box */
    PINN_REGION_COUNT
} pinn_region;

/* The name of a region ("interior", "boundary", "initial", "periodic"); never NULL. */
const char *pinn_region_to_string(pinn_region r);

/* A point filter: return nonzero to keep the D-coordinate point pt. */
typedef int (*pinn_keep_fn)(const pinn_real *pt, void *ctx);

/* The dimension m a sequence must have to sample region r of g (always >= 1):
 *   interior  D;
 *   boundary  max(space_dim - 1, 1) + (1 if timed);
 *   initial   max(space_dim, 1);
 *   periodic  max(space_dim - 1 + (1 if timed), 1).
 * Returns 0 when the region does not exist for g (no boundary of a pure time domain, no
 * initial slice without time, no periodic pairs off a box/interval). */
int pinn_geom_sample_dim(const pinn_geom *g, pinn_region r);

/* The region samplers below take a sequence seq of dimension pinn_geom_sample_dim(g, region),
 * advance it, and write at most pinn_sequence_count(seq, n) rows of D coordinates into x
 * (sized by the caller), the number written into *count.
 *
 * Without a filter (keep == NULL) they write exactly pinn_sequence_count(seq, n) points.  With a
 * filter they map candidates in chunks and keep those with keep(pt, ctx) != 0 until n are
 * accepted (grid: the one grid is filtered, so fewer may come back).  Attempts are bounded
 * (max(10000, 100 n) candidates); when the filter accepts none of the first 10000 candidates, or
 * too few within the bound, they fail with PINN_ERR_INVALID, e.g. "selector matched 0 of 10000
 * boundary points". */

/* Uniform points of Omega x [t0,t1].  Intervals/boxes/time: scaled unit-cube points; disks: the
 * polar map r = R sqrt(u1), theta = 2 pi u2; polygons: the triangle is chosen by u1 with
 * probability area/total area, u1 is rescaled within the triangle's share to r, and the square-
 * root map A + sqrt(r) [(1 - u2)(B - A) + u2 (C - A)] places the point (exactly uniform). */
pinn_status pinn_geom_sample_interior(const pinn_geom *g, pinn_sequence *seq, size_t n,
                                      pinn_keep_fn keep, void *ctx, pinn_real *x, size_t *count,
                                      pinn_error *err);

/* Points of dOmega x [t0,t1] distributed proportionally to boundary measure (face area, edge
 * length, arc length; interval ends with probability 1/2 each), or only on face `face` when
 * face >= 0 (face = -1: the whole boundary).  normal (rows of D, may be NULL) receives the
 * outward unit normal (zero time component), face_id (may be NULL) the face of each point. */
pinn_status pinn_geom_sample_boundary(const pinn_geom *g, pinn_sequence *seq, size_t n, int face,
                                      pinn_keep_fn keep, void *ctx, pinn_real *x,
                                      pinn_real *normal, int *face_id, size_t *count,
                                      pinn_error *err);

/* Points of the initial slice {t = t0} x Omega (interior sampling of Omega with the time
 * coordinate set to t0; a pure time domain gives copies of t0). */
pinn_status pinn_geom_sample_initial(const pinn_geom *g, pinn_sequence *seq, size_t n,
                                     pinn_keep_fn keep, void *ctx, pinn_real *x, size_t *count,
                                     pinn_error *err);

/* Periodic pairs for the spatial coordinate with index axis (a coordinate index, not a spatial
 * axis number) of an interval or box geometry: xa receives points on the face x_axis = lo and xb
 * their partners on x_axis = hi with the same other coordinates (uniform over the face x time).
 * xa and xb are aligned rows of D.  The filter, if any, is applied to the xa points. */
pinn_status pinn_geom_sample_periodic(const pinn_geom *g, pinn_sequence *seq, size_t n, int axis,
                                      pinn_keep_fn keep, void *ctx, pinn_real *xa, pinn_real *xb,
                                      size_t *count, pinn_error *err);

/* ======================================================================================= */
/* Point sets: a region + a sampler + its points; resampling; mini-batches                 */
/* ======================================================================================= */

/* What a point set draws.  pinn_sample_spec_default gives interior/uniform/seed 0/face -1/
 * axis -1/no filter. */
typedef struct pinn_sample_spec {
    pinn_region region;
    pinn_sampler sampler;
    uint64_t seed;
    int randomize;     /* see pinn_sequence_opts.randomize */
    int face;          /* boundary: -1 = whole boundary, else one face id */
    int axis;          /* periodic: coordinate index of the periodic axis */
    pinn_keep_fn keep; /* optional filter (borrowed, with keep_ctx) */
    void *keep_ctx;
} pinn_sample_spec;

/* Fill *spec with the defaults above. */
void pinn_sample_spec_default(pinn_sample_spec *spec);

/* An opaque set of N points of dimension D, row-major [N][D], with optional normals [N][D] and
 * face ids [N] (boundary sets) or partner points [N][D] (periodic sets). */
typedef struct pinn_pointset pinn_pointset;

/* Draw n points of spec->region of g with spec->sampler into a new point set.  The set borrows
 * g (and the filter context), which must outlive it; it owns its sequence and buffers, sized
 * once here.  The grid gives its actual count (pinn_pointset_count), a filtered grid possibly
 * fewer.  Grids are shaped by the region's extents (box sides, time length, perimeter). */
pinn_status pinn_pointset_init(pinn_pointset **out, const pinn_geom *g,
                               const pinn_sample_spec *spec, size_t n, pinn_error *err);
/* A point set holding a copy of n given points x[n][dim] and optional normals (may be NULL);
 * for data points.  Resampling it is a no-op. */
pinn_status pinn_pointset_init_points(pinn_pointset **out, int dim, size_t n, const pinn_real *x,
                                      const pinn_real *normal, pinn_error *err);
/* Draw a new set of points in place with the same region and sampler, continuing the sampler's
 * stream (new random numbers, next Sobol/Halton indices).  No allocation. */
pinn_status pinn_pointset_resample(pinn_pointset *ps, pinn_error *err);
/* Adds n fixed points x[n][dim] (e.g. data points used as anchors) to a sampled interior set:
 * they follow the drawn points and are kept by every resampling.  Once per set, before use. */
pinn_status pinn_pointset_add_fixed(pinn_pointset *ps, size_t n, const pinn_real *x, pinn_error *err);
/* Release a point set (NULL is a no-op). */
void pinn_pointset_free(pinn_pointset *ps);

/* N, D and the arrays (owned by the set, valid until the next resample/free).  normals and
 * faces are NULL except for boundary sets (normals also for given points with normals);
 * partners is NULL except for periodic sets. */
size_t pinn_pointset_count(const pinn_pointset *ps);
int pinn_pointset_dim(const pinn_pointset *ps);
const pinn_real *pinn_pointset_points(const pinn_pointset *ps);
const pinn_real *pinn_pointset_normals(const pinn_pointset *ps);
const int *pinn_pointset_faces(const pinn_pointset *ps);
const pinn_real *pinn_pointset_partners(const pinn_pointset *ps);

/* Fill perm[0..N-1] with a random permutation of 0..N-1 for the given epoch: Fisher-Yates
 * driven by a pinn_rng seeded from (seed, epoch), so it depends only on those two numbers. */
void pinn_pointset_permutation(const pinn_pointset *ps, uint64_t seed, uint64_t epoch,
                               size_t *perm);
/* The number of mini-batches of size batch_size (> 0) covering N points: ceil(N/batch_size). */
size_t pinn_pointset_batch_count(const pinn_pointset *ps, size_t batch_size);
/* Gather mini-batch b (rows perm[b*batch_size ...], the last one possibly short) into the
 * caller's contiguous buffers x ([batch_size][D]) and, when non-NULL and the set has them,
 * normal and partner; returns the number of rows written (0 when b is past the end). */
size_t pinn_pointset_batch(const pinn_pointset *ps, const size_t *perm, size_t batch_size,
                           size_t b, pinn_real *x, pinn_real *normal, pinn_real *partner);

#ifdef __cplusplus
}
#endif
#endif
