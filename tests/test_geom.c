/* test_geom.c - geometry construction and queries: intervals, boxes, disks, polygons (the
 * L-shape, clockwise input, a concave comb), polygon validation errors, the time axis layout,
 * contains / measures / signed distance / outward normals / triangulation. */
#include <string.h>

#include "check.h"
#include "pinnc/geom.h"

static double tri_area(const pinn_real *t) {
    return 0.5 * ((t[2] - t[0]) * (t[5] - t[1]) - (t[3] - t[1]) * (t[4] - t[0]));
}

static void test_interval_time(void) {
    pinn_error err = {0};
    pinn_geom *g = NULL;
    CHECK_OK(pinn_geom_init_interval(&g, -1, 1, &err), err);
    CHECK(pinn_geom_shape(g) == PINN_SHAPE_INTERVAL, "shape");
    CHECK(pinn_geom_dim(g) == 1 && pinn_geom_time_index(g) == -1, "no time yet");
    CHECK_OK(pinn_geom_set_time(g, 0, 0, 2, &err), err); /* coordinates (t, x) */
    CHECK(pinn_geom_dim(g) == 2 && pinn_geom_time_index(g) == 0, "dim with time");
    CHECK(pinn_geom_space_index(g, 0) == 1 && pinn_geom_space_index(g, 1) == -1, "x index");
    pinn_real t0, t1;
    CHECK(pinn_geom_time_range(g, &t0, &t1) == 1 && t0 == 0 && t1 == 2, "time range");
    CHECK_CLOSE(pinn_geom_space_measure(g), 2.0, PINN_TEST_ROUNDING(1e-15), "length");
    CHECK_CLOSE(pinn_geom_measure(g), 4.0, PINN_TEST_ROUNDING(1e-15), "space-time area");
    CHECK_CLOSE(pinn_geom_boundary_measure(g), 2.0, PINN_TEST_ROUNDING(1e-15), "two end points");
    CHECK(pinn_geom_face_count(g) == 2, "faces");
    pinn_real lo[2], hi[2];
    pinn_geom_bbox(g, lo, hi);
    CHECK(lo[0] == 0 && hi[0] == 2 && lo[1] == -1 && hi[1] == 1, "bbox (t,x)");
    pinn_real in[2] = {1.0, 0.25}, late[2] = {2.5, 0.0}, out[2] = {1.0, 1.5}, edge[2] = {0, 1};
    CHECK(pinn_geom_contains(g, in, 0), "inside");
    CHECK(!pinn_geom_contains(g, late, 0), "after t1");
    CHECK(pinn_geom_contains(g, late, 0.6), "after t1 within tol");
    CHECK(!pinn_geom_contains(g, out, 0) && pinn_geom_contains(g, out, 0.5), "outside x / tol");
    CHECK(pinn_geom_contains(g, edge, 0), "closed");
    CHECK_CLOSE(pinn_geom_signed_distance(g, in), -0.75, PINN_TEST_ROUNDING(1e-15), "sd inside");
    CHECK_CLOSE(pinn_geom_signed_distance(g, out), 0.5, PINN_TEST_ROUNDING(1e-15), "sd outside");
    CHECK_CLOSE(pinn_geom_distance(g, in), 0.75, PINN_TEST_ROUNDING(1e-15), "distance");
    pinn_real n[2];
    int f = -1;
    CHECK_OK(pinn_geom_normal(g, in, n, &f, &err), err);
    CHECK(f == 1 && n[0] == 0 && n[1] == 1, "normal right: face %d (%g,%g)", f, n[0], n[1]);
    pinn_real left[2] = {0.5, -0.9};
    CHECK_OK(pinn_geom_normal(g, left, n, &f, &err), err);
    CHECK(f == 0 && n[1] == -1, "normal left");
    /* bad time axis */
    CHECK(pinn_geom_set_time(g, 2, 0, 1, &err) == PINN_ERR_INVALID, "time index out of range");
    CHECK(pinn_geom_set_time(g, 1, 1, 1, &err) == PINN_ERR_INVALID, "empty time interval");
    CHECK_OK(pinn_geom_set_time(g, 1, 0, 1, &err), err); /* now (x, t) */
    CHECK(pinn_geom_space_index(g, 0) == 0 && pinn_geom_time_index(g) == 1, "(x,t) layout");
    pinn_geom_free(g);
    CHECK(pinn_geom_init_interval(&g, 1, 1, &err) == PINN_ERR_INVALID && g == NULL, "a == b");
}

static void test_box(void) {
    pinn_error err = {0};
    pinn_geom *g = NULL;
    pinn_real lo[3] = {0, 0, 0}, hi[3] = {1, 2, 3};
    CHECK_OK(pinn_geom_init_box(&g, 3, lo, hi, &err), err);
    CHECK(pinn_geom_shape(g) == PINN_SHAPE_BOX && pinn_geom_face_count(g) == 6, "3-D box");
    CHECK_CLOSE(pinn_geom_space_measure(g), 6.0, PINN_TEST_ROUNDING(1e-15), "volume");
    CHECK_CLOSE(pinn_geom_boundary_measure(g), 22.0, PINN_TEST_ROUNDING(1e-15), "surface");
    CHECK_CLOSE(pinn_geom_face_measure(g, 0), 6.0, PINN_TEST_ROUNDING(1e-15), "face x=0");
    CHECK_CLOSE(pinn_geom_face_measure(g, 3), 3.0, PINN_TEST_ROUNDING(1e-15), "face y=2");
    CHECK_CLOSE(pinn_geom_face_measure(g, 5), 2.0, PINN_TEST_ROUNDING(1e-15), "face z=3");
    CHECK(pinn_geom_face_measure(g, 6) == 0, "bad face");
    pinn_real c[3] = {0.5, 1.0, 1.5}, corner[3] = {2, 3, 3}, near[3] = {0.5, 1.0, 2.9};
    CHECK_CLOSE(pinn_geom_signed_distance(g, c), -0.5, PINN_TEST_ROUNDING(1e-15), "sd centre");
    CHECK_CLOSE(pinn_geom_signed_distance(g, corner), sqrt(2.0), PINN_TEST_ROUNDING(1e-15), "sd corner");
    pinn_real n[3];
    int f;
    CHECK_OK(pinn_geom_normal(g, near, n, &f, &err), err);
    CHECK(f == 5 && n[0] == 0 && n[1] == 0 && n[2] == 1, "normal +z");
    CHECK(pinn_geom_contains(g, c, 0) && !pinn_geom_contains(g, corner, 0), "contains");
    CHECK(pinn_geom_contains(g, corner, 1.5) && !pinn_geom_contains(g, corner, 1.4),
          "contains with tol uses Euclidean distance");
    pinn_geom_free(g);
    pinn_real blo[2] = {0, 1}, bhi[2] = {1, 1};
    CHECK(pinn_geom_init_box(&g, 2, blo, bhi, &err) == PINN_ERR_INVALID, "flat box rejected: %s",
          err.msg);
    CHECK(pinn_geom_init_box(&g, 4, lo, hi, &err) == PINN_ERR_INVALID, "4-D box rejected");
}

static void test_disk(void) {
    pinn_error err = {0};
    pinn_geom *g = NULL;
    CHECK_OK(pinn_geom_init_disk(&g, 1, -1, 2, &err), err);
    CHECK_CLOSE(pinn_geom_space_measure(g), 4 * acos(-1.0), PINN_TEST_ROUNDING(1e-14), "disk area");
    CHECK_CLOSE(pinn_geom_boundary_measure(g), 4 * acos(-1.0), PINN_TEST_ROUNDING(1e-14), "circumference");
    pinn_real p[2] = {1, 0}, q[2] = {4, -1}, n[2];
    CHECK_CLOSE(pinn_geom_signed_distance(g, p), -1.0, PINN_TEST_ROUNDING(1e-15), "sd inside");
    CHECK_CLOSE(pinn_geom_signed_distance(g, q), 1.0, PINN_TEST_ROUNDING(1e-15), "sd outside");
    int f = -1;
    CHECK_OK(pinn_geom_normal(g, p, n, &f, &err), err);
    CHECK(f == 0 && fabs(n[0]) < 1e-15 && fabs(n[1] - 1) < 1e-15, "radial normal");
    pinn_real lo[2], hi[2];
    pinn_geom_bbox(g, lo, hi);
    CHECK(lo[0] == -1 && hi[0] == 3 && lo[1] == -3 && hi[1] == 1, "disk bbox");
    pinn_geom_free(g);
    CHECK(pinn_geom_init_disk(&g, 0, 0, 0, &err) == PINN_ERR_INVALID, "zero radius");
}

/* Checks the triangulation of g: n-2 triangles (fewer with straight-angle vertices),
 * counter-clockwise, areas summing to the area, centroids inside. */
static void check_triangulation(const pinn_geom *g, size_t nv, int straight, const char *what) {
    pinn_error err = {0};
    size_t nt = pinn_geom_triangle_count(g);
    int count_ok = straight ? (nt >= 1 && nt <= nv - 2) : (nt == nv - 2);
    CHECK(count_ok, "%s: %zu triangles for %zu vertices", what, nt, nv);
    double sum = 0;
    for (size_t i = 0; i < nt; i++) {
        pinn_real t[6];
        CHECK_OK(pinn_geom_triangle(g, i, t, &err), err);
        double a = tri_area(t);
        CHECK(a > 0, "%s: triangle %zu counter-clockwise (area %g)", what, i, a);
        sum += a;
        pinn_real cen[2] = {(t[0] + t[2] + t[4]) / 3, (t[1] + t[3] + t[5]) / 3};
        CHECK(pinn_geom_signed_distance(g, cen) < 0, "%s: centroid %zu inside", what, i);
    }
    CHECK_CLOSE(sum, pinn_geom_space_measure(g), PINN_TEST_ROUNDING(1e-14), what);
    pinn_real t[6];
    CHECK(pinn_geom_triangle(g, nt, t, &err) == PINN_ERR_INVALID, "triangle out of range");
}

static void test_lshape(void) {
    pinn_error err = {0};
    pinn_geom *g = NULL;
    CHECK_OK(pinn_geom_init_lshape(&g, &err), err);
    CHECK(pinn_geom_shape(g) == PINN_SHAPE_POLYGON && pinn_geom_face_count(g) == 6, "L faces");
    CHECK_CLOSE(pinn_geom_space_measure(g), 3.0, PINN_TEST_ROUNDING(1e-15), "L area");
    CHECK_CLOSE(pinn_geom_boundary_measure(g), 8.0, PINN_TEST_ROUNDING(1e-15), "L perimeter");
    CHECK_CLOSE(pinn_geom_face_measure(g, 4), 2.0, PINN_TEST_ROUNDING(1e-15), "top edge");
    pinn_real hole[2] = {0.5, -0.5}, a[2] = {-0.5, 0.5}, b[2] = {0.5, 0.5}, c[2] = {-0.5, -0.5};
    CHECK(!pinn_geom_contains(g, hole, 0), "removed square");
    CHECK(!pinn_geom_contains(g, hole, 0.49) && pinn_geom_contains(g, hole, 0.5), "hole tol");
    CHECK(pinn_geom_contains(g, a, 0) && pinn_geom_contains(g, b, 0) &&
              pinn_geom_contains(g, c, 0), "three quadrants");
    CHECK_CLOSE(pinn_geom_signed_distance(g, hole), 0.5, PINN_TEST_ROUNDING(1e-15), "sd in hole");
    CHECK_CLOSE(pinn_geom_signed_distance(g, c), -0.5, PINN_TEST_ROUNDING(1e-15), "sd inside");
    pinn_real far[2] = {2, -1};
    CHECK_CLOSE(pinn_geom_signed_distance(g, far), sqrt(2.0), PINN_TEST_ROUNDING(1e-15), "sd to vertex (1,0)");
    pinn_real n[2];
    int f;
    pinn_real p1[2] = {0.5, -0.01}; /* just below the edge (0,0)-(1,0): outward normal (0,-1) */
    CHECK_OK(pinn_geom_normal(g, p1, n, &f, &err), err);
    CHECK(f == 2 && fabs(n[0]) < 1e-15 && fabs(n[1] + 1) < 1e-15, "reentrant edge normal");
    pinn_real p2[2] = {-0.999, 0.2};
    CHECK_OK(pinn_geom_normal(g, p2, n, &f, &err), err);
    CHECK(f == 5 && fabs(n[0] + 1) < 1e-15 && fabs(n[1]) < 1e-15, "left edge normal");
    check_triangulation(g, 6, 0, "L-shape");
    pinn_real vx[2];
    CHECK(pinn_geom_vertex_count(g) == 6, "L vertex count");
    CHECK_OK(pinn_geom_vertex(g, 2, vx, &err), err);
    CHECK(vx[0] == 0 && vx[1] == 0, "vertex 2 is the reentrant corner");
    CHECK(pinn_geom_vertex(g, 6, vx, &err) == PINN_ERR_INVALID, "vertex out of range");
    pinn_geom_free(g);

    /* the same L clockwise: edge ids follow the caller's order, normals stay outward */
    pinn_real cw[12] = {-1, 1, 1, 1, 1, 0, 0, 0, 0, -1, -1, -1};
    CHECK_OK(pinn_geom_init_polygon(&g, 6, cw, &err), err);
    CHECK_CLOSE(pinn_geom_space_measure(g), 3.0, PINN_TEST_ROUNDING(1e-15), "clockwise area");
    CHECK_OK(pinn_geom_normal(g, p1, n, &f, &err), err);
    CHECK(f == 2 && fabs(n[1] + 1) < 1e-15, "clockwise normal outward (edge %d, %g %g)", f, n[0],
          n[1]);
    CHECK(!pinn_geom_contains(g, hole, 0), "clockwise hole");
    check_triangulation(g, 6, 0, "clockwise L");
    pinn_geom_free(g);

    /* a concave comb with collinear vertices */
    pinn_real comb[] = {0, 0, 1, 0, 2, 0, 3, 0, 3, 2, 2.5, 2, 2.5, 0.5, 2, 0.5, 2, 2,
                        1.5, 2, 1.5, 0.5, 1, 0.5, 1, 2, 0, 2};
    size_t nc = sizeof comb / sizeof comb[0] / 2;
    CHECK_OK(pinn_geom_init_polygon(&g, nc, comb, &err), err);
    CHECK_CLOSE(pinn_geom_space_measure(g), 6.0 - 2 * 0.5 * 1.5, PINN_TEST_ROUNDING(1e-14), "comb area");
    check_triangulation(g, nc, 1, "comb");
    pinn_real tooth[2] = {1.75, 1.0}, gap[2] = {1.25, 1.0};
    CHECK(pinn_geom_contains(g, tooth, 0) && !pinn_geom_contains(g, gap, 0), "comb contains");
    pinn_geom_free(g);
}

/* star-shaped polygons with random radii are simple: ear clipping must always succeed */
static void test_random_stars(void) {
    pinn_error err = {0};
    pinn_rng r;
    pinn_rng_seed(&r, 2024);
    for (int rep = 0; rep < 20; rep++) {
        enum { NV = 40 };
        pinn_real xy[2 * NV];
        double area2 = 0;
        for (int i = 0; i < NV; i++) {
            double th = 2 * acos(-1.0) * i / NV, rad = 0.2 + pinn_rng_uniform(&r);
            xy[2 * i] = (pinn_real)(rad * cos(th));
            xy[2 * i + 1] = (pinn_real)(rad * sin(th));
        }
        for (int i = 0; i < NV; i++) {
            const pinn_real *a = xy + 2 * i, *b = xy + 2 * ((i + 1) % NV);
            area2 += a[0] * b[1] - a[1] * b[0];
        }
        pinn_geom *g = NULL;
        CHECK_OK(pinn_geom_init_polygon(&g, NV, xy, &err), err);
        if (!g) continue;
        CHECK_CLOSE(pinn_geom_space_measure(g), 0.5 * area2, PINN_TEST_ROUNDING(1e-13), "star area");
        check_triangulation(g, NV, 0, "random star");
        pinn_geom_free(g);
    }
}

static void test_polygon_errors(void) {
    pinn_error err = {0};
    pinn_geom *g = NULL;
    pinn_real bowtie[8] = {0, 0, 1, 1, 1, 0, 0, 1};
    CHECK(pinn_geom_init_polygon(&g, 4, bowtie, &err) == PINN_ERR_INVALID && !g, "bow-tie");
    CHECK(strstr(err.msg, "self-intersecting") && strstr(err.msg, "edge 0") &&
              strstr(err.msg, "edge 2"),
          "bow-tie message names edges 0 and 2: %s", err.msg);
    pinn_real dup[8] = {0, 0, 1, 0, 1, 0, 1, 1};
    CHECK(pinn_geom_init_polygon(&g, 4, dup, &err) == PINN_ERR_INVALID, "duplicate vertex");
    CHECK(strstr(err.msg, "edge 1") && strstr(err.msg, "duplicate vertex (1, 0)"),
          "duplicate message: %s", err.msg);
    pinn_real closed[8] = {0, 0, 1, 0, 1, 1, 0, 0}; /* first vertex repeated */
    CHECK(pinn_geom_init_polygon(&g, 4, closed, &err) == PINN_ERR_INVALID &&
              strstr(err.msg, "edge 3"),
          "repeated first vertex: %s", err.msg);
    pinn_real two[4] = {0, 0, 1, 1};
    CHECK(pinn_geom_init_polygon(&g, 2, two, &err) == PINN_ERR_INVALID &&
              strstr(err.msg, "at least 3 vertices"),
          "too few vertices: %s", err.msg);
    pinn_real line[6] = {0, 0, 1, 0, 2, 0};
    CHECK(pinn_geom_init_polygon(&g, 3, line, &err) == PINN_ERR_INVALID, "collinear: %s",
          err.msg);
    /* vertex 4 touches edge 0 in its interior */
    pinn_real touch[10] = {0, 0, 2, 0, 2, 2, 1, 2, 1, 0};
    CHECK(pinn_geom_init_polygon(&g, 5, touch, &err) == PINN_ERR_INVALID &&
              strstr(err.msg, "intersect"),
          "touching: %s", err.msg);
    pinn_real nan_v[6] = {0, 0, 1, 0, NAN, 1};
    CHECK(pinn_geom_init_polygon(&g, 3, nan_v, &err) == PINN_ERR_INVALID, "NaN vertex");
    CHECK(g == NULL, "no handle on failure");
}

static void test_time_only_and_names(void) {
    pinn_error err = {0};
    pinn_geom *g = NULL;
    CHECK_OK(pinn_geom_init_time(&g, 0, 5, &err), err);
    CHECK(pinn_geom_dim(g) == 1 && pinn_geom_space_dim(g) == 0 && pinn_geom_time_index(g) == 0,
          "time-only layout");
    CHECK_CLOSE(pinn_geom_measure(g), 5.0, PINN_TEST_ROUNDING(1e-15), "time length");
    CHECK(pinn_geom_face_count(g) == 0 && pinn_geom_boundary_measure(g) == 0, "no boundary");
    pinn_real t[1] = {2}, n[1];
    CHECK(pinn_geom_contains(g, t, 0), "t inside");
    CHECK(pinn_geom_normal(g, t, n, NULL, &err) == PINN_ERR_INVALID, "no normal");
    CHECK(pinn_geom_set_time(g, 0, 0, 1, &err) == PINN_ERR_INVALID, "cannot re-time");
    pinn_geom_free(g);
    CHECK(!strcmp(pinn_shape_to_string(PINN_SHAPE_POLYGON), "polygon"), "shape name");
    CHECK(!strcmp(pinn_shape_to_string(PINN_SHAPE_COUNT), "unknown"), "bad shape name");
    CHECK(!strcmp(pinn_region_to_string(PINN_REGION_BOUNDARY), "boundary"), "region name");
}

int main(void) {
    test_interval_time();
    test_box();
    test_disk();
    test_lshape();
    test_random_stars();
    test_polygon_errors();
    test_time_only_and_names();
    return CHECK_DONE();
}
