/* pinnc/subnets.h - point-subset evaluation (finite-basis PINNs): one jet-graph op that runs J
 * instances of one small sub-network, each only on the points of a block that its support covers,
 * and scatter-adds w_j(x) * NN_j((x - c_j) / h_j) into its output jet, forward and exact reverse.
 * The cost is O(points x overlap), not O(points x J).  See docs/engine.md, "Point subsets". */
#ifndef PINNC_SUBNETS_H
#define PINNC_SUBNETS_H

#include "pinnc/jet.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The window (weight) w_j(x) of an instance; its jets are exact to every order of the plan. */
typedef enum pinn_window {
    PINN_WINDOW_COSINE = 0, /* prod_d ((1 + cos(pi u_d)) / 2)^2, u_d = (x_d - c_d) / r_d, on the support
                               |u_d| < 1, zero outside (C^3: cos^4 of pi u / 2) */
    PINN_WINDOW_ONE,        /* 1 on the support (an indicator; for tests and hard partitions) */
    PINN_WINDOW_CALLBACK,   /* computed by spec.window_fn */
    PINN_WINDOW_SIGMOID,    /* prod_d s(k (u_d + 1/2)) s(k (1/2 - u_d)), s the logistic sigmoid, k =
                               spec.window_steep, on the support |u_d| < 1 (smooth inside; cut there,
                               where it is s(-k/2) ~ 4.5e-5 at the default k = 20) */
    PINN_WINDOW_COUNT
} pinn_window;
const char *pinn_window_to_string(pinn_window w);
int pinn_window_from_string(const char *name); /* -1 if unknown */

/* Per-instance state, read by every forward pass (change it between passes). */
typedef enum pinn_subnet_state {
    PINN_SUBNET_ACTIVE = 0, /* evaluated and trained */
    PINN_SUBNET_FIXED,      /* evaluated, no gradient (its parameter slice is left untouched) */
    PINN_SUBNET_INACTIVE,   /* not evaluated: costs nothing, contributes nothing (nor to sum w); with
                               spec.drop_partial the points it covers are left out as well */
    PINN_SUBNET_STATE_COUNT
} pinn_subnet_state;
const char *pinn_subnet_state_to_string(pinn_subnet_state s);

/* A window given by the caller: the jet w[S][m] of instance j's window at m points, from the op's
 * input jet at those points, xjet[S][m][dx] (stream-major, as every jet).  Must be exact. */
typedef void (*pinn_window_fn)(void *ctx, int j, const pinn_plan *plan, int m, int dx, const pinn_real *xjet,
                               pinn_real *w);

/* How to build the op.  Fill with pinn_subnets_spec_grid or pinn_subnets_spec_boxes, then adjust. */
typedef struct pinn_subnets_spec {
    pinn_graph *net;    /* the template: n_inputs = width of the op's input, its output set.  The outer
                           graph takes it over (frees it), also when the builder fails. */
    const char *prefix; /* parameter slices are "<prefix><j>.<template slice name>"; default "sub" */
    int dx;             /* width of the op's input */
    /* decomposition, either a rectangular grid ... */
    int grid[PINN_MAX_INPUTS];            /* instances per input (0: boxes below); instance index
                                             j = sum_d k_d * prod_{d' > d} grid[d'] (last input fastest) */
    double c0[PINN_MAX_INPUTS];           /* centre of k_d = 0 */
    double dc[PINN_MAX_INPUTS];           /* spacing of the centres */
    double radius[PINN_MAX_INPUTS];       /* support half-width (overlap = 2 radius / dc) */
    /* ... or J explicit boxes (support and window): centre c_j, half-width r_j, J x dx each (copied) */
    int n_boxes;
    const double *box_centre, *box_radius;
    /* normalisation the sub-network sees, (x - norm_centre_j) / norm_radius_j: J x dx each (copied);
     * NULL: the support box (the sub-network's inputs then lie in [-1, 1]) */
    const double *norm_centre, *norm_radius;
    pinn_window window;
    pinn_window_fn window_fn; /* PINN_WINDOW_CALLBACK */
    void *window_ctx;
    double window_steep; /* PINN_WINDOW_SIGMOID: the steepness k (0: 20) */
    int unity; /* partition of unity: the result is sum_j w_j NN_j / sum_j w_j (over the instances not
                  inactive; a point no such instance covers gives 0) */
    int drop_partial; /* a point that an inactive instance covers is left out altogether (gives 0 with
                         zero derivatives, as an uncovered point, and costs nothing), instead of being
                         evaluated by the instances that are not inactive: with time scheduling, the
                         points at the front then never see a partial sum over their subdomains */
} pinn_subnets_spec;

/* A grid of grid[d] instances per input with centres spread evenly over [lo[d], hi[d]] (the ends
 * included; one instance: the middle) and supports of `overlap` times the spacing (overlap > 1: every
 * point of [lo, hi] lies strictly inside at least one support; 2: interior points are in 2 per input).
 * Cosine windows, supports as normalisation, no partition of unity. */
void pinn_subnets_spec_grid(pinn_subnets_spec *spec, pinn_graph *net, int dx, const int *grid, const double *lo,
                            const double *hi, double overlap);
/* J boxes (centre, half-width: J x dx arrays, borrowed until the builder call). */
void pinn_subnets_spec_boxes(pinn_subnets_spec *spec, pinn_graph *net, int dx, int J, const double *centre,
                             const double *radius);

/* Append the op on node x to g.  x must be affine in the coordinates and free of parameters (the
 * input node, or colaffine / scale_shift / slice / concat of it): windows and supports are functions
 * of the coordinates.  Declares J x (template parameters) entries as per-instance slices named as
 * above, instance j's parameters contiguous (the template's layout) at pinn_graph_subnets_params.
 * Returns the output node (width = template output width) or -1 with the error in the graph. */
int pinn_graph_subnets(pinn_graph *g, int x, const pinn_subnets_spec *spec);

/* The point-subset ops of a graph, k = 0 .. count-1 in build order (e.g. the levels of a multilevel
 * FBPINN). */
int pinn_graph_subnets_count(const pinn_graph *g);
int pinn_graph_subnets_instances(const pinn_graph *g, int k); /* J */
/* The template graph of op k (owned by g). */
const pinn_graph *pinn_graph_subnets_net(const pinn_graph *g, int k);
/* Offset of instance 0's parameters in the flat vector; *per (if non-NULL) = parameters per instance
 * (instance j starts at offset + j * per). */
size_t pinn_graph_subnets_params(const pinn_graph *g, int k, size_t *per);
/* The J instance states (pinn_subnet_state values, all ACTIVE at build), writable between passes. */
unsigned char *pinn_graph_subnets_state(pinn_graph *g, int k);
/* Support box of instance j: centre and half-width, dx entries each. */
void pinn_graph_subnets_box(const pinn_graph *g, int k, int j, double *centre, double *radius);
/* Most instances one point can lie in (sizes the per-block buffers). */
int pinn_graph_subnets_max_cover(const pinn_graph *g, int k);
/* The instances whose support strictly contains the point xp (dx values of the op's input), in
 * increasing order, whatever their state; writes at most cap of them and returns how many there are. */
int pinn_graph_subnets_locate(const pinn_graph *g, int k, const pinn_real *xp, int *inst, int cap);

/* A permutation of n points x (n x dx, the op's input coordinates) that makes blocks spatially
 * coherent: points ordered by the grid cell of their nearest centre (grid) or by bucket (boxes), so a
 * block of consecutive points touches few instances.  order[i] = index of the i-th point; stable. */
pinn_status pinn_subnets_sort_points(const pinn_graph *g, int k, size_t n, const pinn_real *x, size_t *order,
                                     pinn_error *err);

#ifdef __cplusplus
}
#endif
#endif
