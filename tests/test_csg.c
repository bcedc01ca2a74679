/* test_csg.c - constructive geometry: measures against closed forms (plate with a hole, union of
 * overlapping boxes, box cut by a half-space, a ball minus a cylinder), boundary points by measure
 * (the share of each piece against its length/area, shared faces not counted twice), points on
 * the boundary with unit outward normals, interior points inside, degenerate shapes refused, and
 * the finite-difference Poisson solver on a CSG shape against an exact harmonic solution. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "pinnc.h"

#define PI 3.14159265358979323846

static pinn_csg_node box2(double x0, double y0, double x1, double y1) {
    pinn_csg_node n;
    memset(&n, 0, sizeof n);
    n.kind = PINN_CSG_BOX;
    n.lo[0] = x0, n.lo[1] = y0, n.hi[0] = x1, n.hi[1] = y1;
    return n;
}
static pinn_csg_node ball(double cx, double cy, double cz, double r) {
    pinn_csg_node n;
    memset(&n, 0, sizeof n);
    n.kind = PINN_CSG_BALL;
    n.center[0] = cx, n.center[1] = cy, n.center[2] = cz, n.radius = r;
    return n;
}
static pinn_csg_node op(pinn_csg_kind k, int a, int b) {
    pinn_csg_node n;
    memset(&n, 0, sizeof n);
    n.kind = k, n.a = a, n.b = b;
    return n;
}

/* Draws n boundary points (Sobol, randomised); returns them with normals (caller frees). */
static pinn_real *boundary(const pinn_geom *g, size_t n, pinn_real **nrm) {
    int m = pinn_geom_sample_dim(g, PINN_REGION_BOUNDARY), d = pinn_geom_dim(g);
    pinn_sequence *s = NULL;
    pinn_sequence_opts o = {0};
    o.randomize = 1;
    pinn_error err;
    pinn_real *x = malloc(sizeof(pinn_real) * n * (size_t)d);
    *nrm = malloc(sizeof(pinn_real) * n * (size_t)d);
    size_t cnt = 0;
    CHECK_OK(pinn_sequence_init(&s, PINN_SAMPLER_SOBOL, m, 3, &o, &err), err);
    CHECK_OK(pinn_geom_sample_boundary(g, s, n, -1, NULL, NULL, x, *nrm, NULL, &cnt, &err), err);
    CHECK(cnt == n, "boundary: %zu of %zu points", cnt, n);
    pinn_sequence_free(s);
    return x;
}

/* Every point on the boundary (|sdist| tiny) with a unit normal. */
static void check_on_boundary(const pinn_geom *g, const pinn_real *x, const pinn_real *nr, size_t n, const char *what) {
    int d = pinn_geom_dim(g);
    size_t off = 0, badn = 0;
    for (size_t i = 0; i < n; i++) {
        double sd = fabs((double)pinn_geom_signed_distance(g, x + i * d)), l = 0;
        for (int k = 0; k < d; k++) l += (double)nr[i * d + k] * (double)nr[i * d + k];
        off += sd > PINN_TEST_TOL(1e-9, 1e-5);
        badn += fabs(sqrt(l) - 1) > PINN_TEST_TOL(1e-12, 1e-6);
    }
    CHECK(off == 0, "%s: %zu boundary points off the boundary", what, off);
    CHECK(badn == 0, "%s: %zu normals not of unit length", what, badn);
}

static void test_plate(void) {
    pinn_csg_node nd[3] = {box2(-1, -1, 1, 1), ball(0, 0, 0, 0.4), op(PINN_CSG_DIFFERENCE, 0, 1)};
    pinn_geom *g = NULL;
    pinn_error err;
    CHECK_OK(pinn_geom_init_csg(&g, 2, 3, nd, &err), err);
    if (!g) return;
    double area = 4 - PI * 0.16, perim = 8 + 2 * PI * 0.4;
    CHECK(fabs((double)pinn_geom_space_measure(g) - area) < 5e-3 * area, "plate area %g, exact %g", (double)pinn_geom_space_measure(g), area);
    CHECK(fabs((double)pinn_geom_boundary_measure(g) - perim) < 5e-3 * perim, "plate perimeter %g, exact %g",
          (double)pinn_geom_boundary_measure(g), perim);
    pinn_real inpt[2] = {0, 0}, out[2] = {0.9, 0.9}, far[2] = {1.5, 0};
    CHECK(!pinn_geom_contains(g, inpt, 0) && pinn_geom_contains(g, out, 0) && !pinn_geom_contains(g, far, 0), "plate: inside test");
    size_t n = 20000, hole = 0, badout = 0;
    pinn_real *nr, *x = boundary(g, n, &nr);
    check_on_boundary(g, x, nr, n, "plate");
    for (size_t i = 0; i < n; i++) {
        double px = (double)x[2 * i], py = (double)x[2 * i + 1], r = hypot(px, py);
        if (r < 0.5) {
            hole++;
            badout += (px * (double)nr[2 * i] + py * (double)nr[2 * i + 1]) / r > -0.999; /* points into the hole */
        } else {
            double ex = fabs(px) >= fabs(py) ? copysign(1, px) : 0, ey = ex == 0 ? copysign(1, py) : 0;
            badout += (double)nr[2 * i] * ex + (double)nr[2 * i + 1] * ey < 0.999;
        }
    }
    double share = (double)hole / (double)n, want = 2 * PI * 0.4 / perim;
    CHECK(fabs(share - want) < 0.01, "plate: share of points on the hole %.4f, by length %.4f", share, want);
    CHECK(badout == 0, "plate: %zu normals not pointing out of the plate", badout);
    free(x), free(nr);
    /* interior points: inside, none in the hole, uniform (share left of x = 0 is 1/2) */
    pinn_sequence *s = NULL;
    pinn_real *xi = malloc(sizeof(pinn_real) * 2 * 10000);
    size_t cnt = 0, outside = 0, left = 0;
    CHECK_OK(pinn_sequence_init(&s, PINN_SAMPLER_UNIFORM, 2, 5, NULL, &err), err);
    CHECK_OK(pinn_geom_sample_interior(g, s, 10000, NULL, NULL, xi, &cnt, &err), err);
    CHECK(cnt == 10000, "plate interior: %zu points", cnt);
    for (size_t i = 0; i < cnt; i++) {
        outside += !pinn_geom_contains(g, xi + 2 * i, 0);
        left += xi[2 * i] < 0;
    }
    CHECK(outside == 0, "plate interior: %zu points outside", outside);
    CHECK(fabs((double)left / (double)cnt - 0.5) < 0.02, "plate interior: share left %.3f", (double)left / (double)cnt);
    pinn_sequence_free(s);
    free(xi);
    /* with time: the shape crossed with [0, 1] */
    CHECK_OK(pinn_geom_set_time(g, 2, 0, 1, &err), err);
    CHECK(pinn_geom_dim(g) == 3 && fabs((double)pinn_geom_measure(g) - area) < 5e-3 * area, "plate x time");
    pinn_geom_free(g);
}

static void test_union_halfspace(void) {
    /* [0,1]^2 u [0.5,1.5]x[0,1] = [0,1.5]x[0,1]: perimeter 5, the faces y = 0 and y = 1 over
     * [0.5, 1] belong to both boxes and must be counted once */
    pinn_csg_node u[3] = {box2(0, 0, 1, 1), box2(0.5, 0, 1.5, 1), op(PINN_CSG_UNION, 0, 1)};
    pinn_geom *g = NULL;
    pinn_error err;
    CHECK_OK(pinn_geom_init_csg(&g, 2, 3, u, &err), err);
    if (!g) return;
    CHECK(fabs((double)pinn_geom_boundary_measure(g) - 5) < 0.02, "union perimeter %g", (double)pinn_geom_boundary_measure(g));
    CHECK(fabs((double)pinn_geom_space_measure(g) - 1.5) < 0.01, "union area %g", (double)pinn_geom_space_measure(g));
    size_t n = 20000, shared = 0;
    pinn_real *nr, *x = boundary(g, n, &nr);
    check_on_boundary(g, x, nr, n, "union");
    for (size_t i = 0; i < n; i++) shared += x[2 * i] > 0.5 && x[2 * i] < 1 && (x[2 * i + 1] == 0 || x[2 * i + 1] == 1);
    CHECK(fabs((double)shared / (double)n - 1.0 / 5) < 0.01, "union: share on the shared faces %.4f, by length 0.2", (double)shared / (double)n);
    free(x), free(nr);
    pinn_geom_free(g);
    /* [0,1]^2 cut by x + y <= 1: the triangle of area 1/2 and perimeter 2 + sqrt 2 */
    pinn_csg_node h[3] = {box2(0, 0, 1, 1), {0}, op(PINN_CSG_INTERSECTION, 0, 1)};
    h[1].kind = PINN_CSG_HALFSPACE, h[1].normal[0] = 1, h[1].normal[1] = 1, h[1].offset = 1;
    CHECK_OK(pinn_geom_init_csg(&g, 2, 3, h, &err), err);
    if (!g) return;
    double per = 2 + sqrt(2.0);
    CHECK(fabs((double)pinn_geom_space_measure(g) - 0.5) < 5e-3, "half-space cut area %g", (double)pinn_geom_space_measure(g));
    CHECK(fabs((double)pinn_geom_boundary_measure(g) - per) < 5e-3 * per, "half-space cut perimeter %g", (double)pinn_geom_boundary_measure(g));
    x = boundary(g, n, &nr);
    check_on_boundary(g, x, nr, n, "half-space cut");
    size_t diag = 0, badn = 0;
    for (size_t i = 0; i < n; i++)
        if (x[2 * i] > 1e-6 && x[2 * i + 1] > 1e-6) {
            diag++;
            badn += fabs((double)nr[2 * i] - sqrt(0.5)) > 1e-6 || fabs((double)nr[2 * i + 1] - sqrt(0.5)) > 1e-6;
        }
    CHECK(fabs((double)diag / (double)n - sqrt(2.0) / per) < 0.01, "half-space cut: share on the diagonal %.4f", (double)diag / (double)n);
    CHECK(badn == 0, "half-space cut: %zu diagonal normals not (1,1)/sqrt 2", badn);
    free(x), free(nr);
    pinn_geom_free(g);
}

static void test_ball_cylinder(void) {
    /* the unit ball minus a cylinder of radius 1/2 along z (a napkin ring of height
     * L = 2 sqrt(3/4)): volume pi L^3 / 6, sphere zone 2 pi L, inner wall pi L */
    pinn_csg_node nd[3] = {ball(0, 0, 0, 1), {0}, op(PINN_CSG_DIFFERENCE, 0, 1)};
    nd[1].kind = PINN_CSG_CYLINDER, nd[1].axis = 2, nd[1].radius = 0.5, nd[1].lo[0] = -2, nd[1].hi[0] = 2;
    pinn_geom *g = NULL;
    pinn_error err;
    CHECK_OK(pinn_geom_init_csg(&g, 3, 3, nd, &err), err);
    if (!g) return;
    double L = 2 * sqrt(0.75), vol = PI * L * L * L / 6, area = 3 * PI * L;
    CHECK(fabs((double)pinn_geom_space_measure(g) - vol) < 1e-2 * vol, "ring volume %g, exact %g", (double)pinn_geom_space_measure(g), vol);
    CHECK(fabs((double)pinn_geom_boundary_measure(g) - area) < 1e-2 * area, "ring area %g, exact %g", (double)pinn_geom_boundary_measure(g), area);
    size_t n = 20000, wall = 0, badn = 0;
    pinn_real *nr, *x = boundary(g, n, &nr);
    check_on_boundary(g, x, nr, n, "ring");
    for (size_t i = 0; i < n; i++) {
        const pinn_real *p = x + 3 * i, *q = nr + 3 * i;
        double rho = hypot((double)p[0], (double)p[1]);
        if (fabs(rho - 0.5) < 1e-6) { /* the inner wall: normal towards the axis */
            wall++;
            badn += ((double)p[0] * q[0] + (double)p[1] * q[1]) / rho > -0.999 || fabs((double)q[2]) > 1e-6;
        } else
            badn += (double)p[0] * q[0] + (double)p[1] * q[1] + (double)p[2] * q[2] < 0.999;
    }
    CHECK(fabs((double)wall / (double)n - 1.0 / 3) < 0.01, "ring: share on the inner wall %.4f, by area 1/3", (double)wall / (double)n);
    CHECK(badn == 0, "ring: %zu normals not pointing out", badn);
    free(x), free(nr);
    pinn_geom_free(g);
}

static void test_bad(void) {
    pinn_geom *g = NULL;
    pinn_error err;
    pinn_csg_node dis[3] = {box2(0, 0, 1, 1), box2(2, 0, 3, 1), op(PINN_CSG_INTERSECTION, 0, 1)};
    CHECK(pinn_geom_init_csg(&g, 2, 3, dis, &err) == PINN_ERR_INVALID && strstr(err.msg, "empty"), "disjoint intersection: %s", err.msg);
    pinn_csg_node self[3] = {box2(0, 0, 1, 1), box2(0, 0, 1, 1), op(PINN_CSG_DIFFERENCE, 0, 1)};
    CHECK(pinn_geom_init_csg(&g, 2, 3, self, &err) == PINN_ERR_INVALID && strstr(err.msg, "empty"), "box minus itself: %s", err.msg);
    pinn_csg_node touch[3] = {box2(0, 0, 1, 1), box2(1, 0, 2, 1), op(PINN_CSG_INTERSECTION, 0, 1)};
    CHECK(pinn_geom_init_csg(&g, 2, 3, touch, &err) == PINN_ERR_INVALID && strstr(err.msg, "empty"), "boxes touching along an edge: %s", err.msg);
    pinn_csg_node hs[1] = {{0}};
    hs[0].kind = PINN_CSG_HALFSPACE, hs[0].normal[0] = 1;
    CHECK(pinn_geom_init_csg(&g, 2, 1, hs, &err) == PINN_ERR_INVALID && strstr(err.msg, "unbounded"), "half-space alone: %s", err.msg);
    hs[0].normal[0] = 0;
    CHECK(pinn_geom_init_csg(&g, 2, 1, hs, &err) == PINN_ERR_INVALID && strstr(err.msg, "normal"), "zero normal: %s", err.msg);
    pinn_csg_node fwd[2] = {op(PINN_CSG_UNION, 0, 1), box2(0, 0, 1, 1)};
    CHECK(pinn_geom_init_csg(&g, 2, 2, fwd, &err) == PINN_ERR_INVALID && strstr(err.msg, "earlier"), "forward operand: %s", err.msg);
    pinn_csg_node cyl[1] = {{0}};
    cyl[0].kind = PINN_CSG_CYLINDER, cyl[0].radius = 1, cyl[0].hi[0] = 1;
    CHECK(pinn_geom_init_csg(&g, 2, 1, cyl, &err) == PINN_ERR_INVALID && strstr(err.msg, "3 spatial"), "2-D cylinder: %s", err.msg);
    pinn_csg_node b0[1] = {ball(0, 0, 0, 0)};
    CHECK(pinn_geom_init_csg(&g, 2, 1, b0, &err) == PINN_ERR_INVALID && strstr(err.msg, "radius"), "zero radius: %s", err.msg);
    CHECK(g == NULL, "no geometry on failure");
}

/* FD Poisson on the plate with a hole against the harmonic u = exp(x) sin(y) (f = 0, g = u). */
static pinn_real harm(double x, double y, void *ctx) {
    (void)ctx;
    return (pinn_real)(exp(x) * sin(y));
}
static double sd_of(double x, double y, void *vg) {
    pinn_real p[2] = {(pinn_real)x, (pinn_real)y};
    return (double)pinn_geom_signed_distance((const pinn_geom *)vg, p);
}
static void test_fd_csg(void) {
    pinn_csg_node nd[3] = {box2(-1, -1, 1, 1), ball(0, 0, 0, 0.4), op(PINN_CSG_DIFFERENCE, 0, 1)};
    pinn_geom *g = NULL;
    pinn_error err;
    CHECK_OK(pinn_geom_init_csg(&g, 2, 3, nd, &err), err);
    if (!g) return;
    double e[2];
    for (int r = 0; r < 2; r++) {
        pinn_ref_poisson_opts o;
        pinn_ref_poisson_opts_default(&o);
        o.h = r ? 0.025 : 0.05;
        o.g = harm;
        o.sdist = sd_of, o.sd_ctx = g;
        o.box[0] = -1, o.box[1] = 1, o.box[2] = -1, o.box[3] = 1;
        pinn_ref_poisson p;
        pinn_ref_poisson_init(&p);
        CHECK_OK(pinn_ref_poisson_solve(&o, &p, &err), err);
        e[r] = 0;
        size_t hole_nodes = 0;
        for (size_t j = 0; j < p.ny; j++)
            for (size_t i = 0; i < p.nx; i++) {
                double x = p.x0 + (double)i * p.h, y = p.y0 + (double)j * p.h;
                if (!p.inside[j * p.nx + i]) {
                    hole_nodes += hypot(x, y) < 0.39;
                    continue;
                }
                e[r] = fmax(e[r], fabs(p.u[j * p.nx + i] - exp(x) * sin(y)));
            }
        CHECK(hole_nodes > 0, "fd csg: no node in the hole is excluded");
        pinn_ref_poisson_free(&p);
    }
    printf("fd on the plate with a hole: max error %.3e (h = 0.05), %.3e (h = 0.025)\n", e[0], e[1]);
    CHECK(e[1] < PINN_TEST_TOL(2e-4, 2e-3), "fd csg: max error %.3e", e[1]);
    CHECK(PINN_TEST_FLOAT || e[1] < e[0] / 2.5, "fd csg: no second-order convergence (%.3e -> %.3e)", e[0], e[1]);
    pinn_geom_free(g);
}

int main(void) {
    test_plate();
    test_union_halfspace();
    test_ball_cylinder();
    test_bad();
    test_fd_csg();
    return CHECK_DONE();
}
