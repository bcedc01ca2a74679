/* test_sample.c - unit-cube samplers (published Sobol/Halton values, Sobol net property, LHS
 * strata, grid counts, seeding, integration error against random) and region sampling of
 * geometries (uniformity, containment, boundary points/normals, face proportions, filters,
 * initial slices, periodic pairs, point sets, resampling and mini-batches). */
#include <string.h>

#include "check.h"
#include "pinnc/geom.h"

#define SQ(x) ((x) * (x))

/* ---------------- unit-cube sequences ---------------- */

static pinn_sequence *seq_new(pinn_sampler k, int m, uint64_t seed, int randomize) {
    pinn_sequence *s = NULL;
    pinn_error err = {0};
    pinn_sequence_opts o = {randomize, NULL, NULL};
    CHECK_OK(pinn_sequence_init(&s, k, m, seed, &o, &err), err);
    return s;
}

static void test_names(void) {
    pinn_error err = {0};
    for (int i = 0; i < PINN_SAMPLER_COUNT; i++) {
        pinn_sampler s = PINN_SAMPLER_COUNT;
        CHECK_OK(pinn_sampler_from_string(pinn_sampler_to_string((pinn_sampler)i), &s, &err), err);
        CHECK(s == (pinn_sampler)i, "round trip %d", i);
    }
    pinn_sampler s;
    CHECK_OK(pinn_sampler_from_string("SOBOL", &s, &err), err);
    CHECK(s == PINN_SAMPLER_SOBOL, "case-insensitive");
    CHECK_OK(pinn_sampler_from_string("random", &s, &err), err);
    CHECK(s == PINN_SAMPLER_UNIFORM, "alias random");
    CHECK(pinn_sampler_from_string("quasi", &s, &err) == PINN_ERR_INVALID &&
              strstr(err.msg, "quasi") && strstr(err.msg, "halton"),
          "bad name message: %s", err.msg);
    CHECK(!strcmp(pinn_sampler_to_string(PINN_SAMPLER_LHS), "lhs"), "lhs name");
}

static void test_sobol(void) {
    pinn_error err = {0};
    /* Joe-Kuo Sobol points 1..8 (the origin, point 0, is skipped), dimensions 1..4 */
    static const double ref[8][4] = {
        {0.5, 0.5, 0.5, 0.5},         {0.75, 0.25, 0.25, 0.25},
        {0.25, 0.75, 0.75, 0.75},     {0.375, 0.375, 0.625, 0.875},
        {0.875, 0.875, 0.125, 0.375}, {0.625, 0.125, 0.875, 0.625},
        {0.125, 0.625, 0.375, 0.125}, {0.1875, 0.3125, 0.9375, 0.4375},
    };
    pinn_sequence *s = seq_new(PINN_SAMPLER_SOBOL, 4, 0, 0);
    pinn_real x[8 * 4];
    size_t cnt = 0;
    CHECK_OK(pinn_sequence_next(s, 5, x, &cnt, &err), err);
    CHECK(cnt == 5, "count");
    CHECK_OK(pinn_sequence_next(s, 3, x + 20, NULL, &err), err); /* the stream continues */
    int ok = 1;
    for (int i = 0; i < 8; i++)
        for (int k = 0; k < 4; k++) ok &= x[i * 4 + k] == ref[i][k];
    CHECK(ok, "published Sobol values (first row %g %g %g %g)", x[0], x[1], x[2], x[3]);
    pinn_sequence_free(s);

    /* randomised (digital shift), from index 0: the first 2^10 points of every one of the 21
     * coordinates fill each interval [j/1024, (j+1)/1024) exactly once, and coordinates 1-2
     * form a (0,10,2)-net: every dyadic box of area 2^-10 holds one point */
    enum { N = 1024, M = PINN_SEQUENCE_MAX_DIM };
    static pinn_real y[N * M];
    static int cell[N];
    s = seq_new(PINN_SAMPLER_SOBOL, M, 99, 1);
    CHECK_OK(pinn_sequence_next(s, N, y, NULL, &err), err);
    int bad = 0;
    for (int k = 0; k < M; k++) {
        memset(cell, 0, sizeof cell);
        for (int i = 0; i < N; i++) cell[(int)(y[i * M + k] * N)]++;
        for (int j = 0; j < N; j++) bad += cell[j] != 1;
    }
    CHECK(bad == 0, "1-D stratification of 1024 Sobol points: %d bad cells", bad);
    bad = 0;
    for (int a = 0; a <= 10; a++) {
        memset(cell, 0, sizeof cell);
        for (int i = 0; i < N; i++) {
            int ia = (int)(y[i * M] * (1 << a)), ib = (int)(y[i * M + 1] * (1 << (10 - a)));
            cell[(ia << (10 - a)) + ib]++;
        }
        for (int j = 0; j < N; j++) bad += cell[j] != 1;
    }
    CHECK(bad == 0, "(0,10,2)-net in coordinates 1-2: %d bad boxes", bad);
    pinn_sequence_free(s);
    CHECK(pinn_sequence_init(&s, PINN_SAMPLER_SOBOL, M + 1, 0, NULL, &err) == PINN_ERR_INVALID,
          "too many dimensions");
}

static void test_halton(void) {
    pinn_error err = {0};
    static const double b2[8] = {0.5, 0.25, 0.75, 0.125, 0.625, 0.375, 0.875, 0.0625};
    static const double b3[8] = {1. / 3, 2. / 3, 1. / 9, 4. / 9, 7. / 9, 2. / 9, 5. / 9, 8. / 9};
    pinn_sequence *s = seq_new(PINN_SAMPLER_HALTON, 2, 0, 0);
    pinn_real x[16];
    CHECK_OK(pinn_sequence_next(s, 8, x, NULL, &err), err);
    for (int i = 0; i < 8; i++) {
        CHECK_CLOSE(x[2 * i], b2[i], PINN_TEST_ROUNDING(1e-15), "Halton base 2");
        CHECK_CLOSE(x[2 * i + 1], b3[i], PINN_TEST_ROUNDING(1e-15), "Halton base 3");
    }
    pinn_sequence_free(s);
    /* randomised: a rotation of the index-0.. sequence mod 1, so differences are preserved */
    s = seq_new(PINN_SAMPLER_HALTON, 2, 5, 1);
    CHECK_OK(pinn_sequence_next(s, 3, x, NULL, &err), err);
    double d = fmod(x[2] - x[0] + 1.0, 1.0);
    CHECK_CLOSE(d, 0.5, PINN_TEST_TOL(1e-12, 2 * PINN_TEST_EPS), "rotated base-2 step"); /* two roundings */
    d = fmod(x[5] - x[1] + 1.0, 1.0);
    CHECK_CLOSE(d, 2.0 / 3, PINN_TEST_TOL(1e-12, 2 * PINN_TEST_EPS), "rotated base-3 step");
    pinn_sequence_free(s);
}

static void test_lhs(void) {
    pinn_error err = {0};
    enum { N = 50, M = 3 };
    pinn_sequence *s = seq_new(PINN_SAMPLER_LHS, M, 3, 0);
    pinn_real x[N * M];
    for (int rep = 0; rep < 2; rep++) { /* every draw is a Latin hypercube */
        CHECK_OK(pinn_sequence_next(s, N, x, NULL, &err), err);
        for (int k = 0; k < M; k++) {
            int seen[N] = {0}, bad = 0;
            for (int i = 0; i < N; i++) {
                int j = (int)(x[i * M + k] * N);
                if (j < 0 || j >= N || seen[j]++) bad++;
            }
            CHECK(bad == 0, "LHS draw %d coordinate %d: %d strata hit twice", rep, k, bad);
        }
    }
    pinn_sequence_free(s);
}

static void test_grid(void) {
    pinn_error err = {0};
    size_t c[3];
    CHECK(pinn_sequence_grid_counts(2, 100, NULL, NULL, c) == 100 && c[0] == 10, "10 x 10");
    CHECK(pinn_sequence_grid_counts(2, 50, NULL, NULL, c) == 49 && c[1] == 7, "round(sqrt 50)");
    CHECK(pinn_sequence_grid_counts(3, 1000, NULL, NULL, c) == 1000, "10^3");
    CHECK(pinn_sequence_grid_counts(3, 30, NULL, NULL, c) == 27, "round(30^(1/3)) = 3");
    pinn_real ext[2] = {2, 1};
    CHECK(pinn_sequence_grid_counts(2, 200, ext, NULL, c) == 200 && c[0] == 20 && c[1] == 10,
          "extents 2:1 -> 20 x 10, got %zu x %zu", c[0], c[1]);
    size_t fixed[2] = {2, 0};
    CHECK(pinn_sequence_grid_counts(2, 100, NULL, fixed, c) == 100 && c[0] == 2 && c[1] == 50,
          "fixed count");
    CHECK(pinn_sequence_grid_counts(2, 0, NULL, NULL, c) == 0, "empty grid");
    pinn_sequence_opts o = {0, ext, NULL};
    pinn_sequence *s = NULL;
    CHECK_OK(pinn_sequence_init(&s, PINN_SAMPLER_GRID, 2, 0, &o, &err), err);
    CHECK(pinn_sequence_count(s, 150) == 153, "150 -> 17 x 9 = %zu", pinn_sequence_count(s, 150));
    pinn_real x[153 * 2];
    size_t cnt = 0;
    CHECK_OK(pinn_sequence_next(s, 150, x, &cnt, &err), err);
    CHECK(cnt == 153, "actual count reported");
    CHECK_CLOSE(x[0], 0.5 / 17, PINN_TEST_ROUNDING(1e-15), "cell centre x");
    CHECK_CLOSE(x[1], 0.5 / 9, PINN_TEST_ROUNDING(1e-15), "cell centre y");
    CHECK_CLOSE(x[2 * 152], 16.5 / 17, PINN_TEST_ROUNDING(1e-15), "last cell x");
    pinn_sequence_free(s);
    pinn_real bad[2] = {1, 0};
    o.extent = bad;
    CHECK(pinn_sequence_init(&s, PINN_SAMPLER_GRID, 2, 0, &o, &err) == PINN_ERR_INVALID,
          "zero extent rejected");
}

/* same seed -> same points; different seed -> different points, for the random samplers */
static void test_seeding(void) {
    pinn_error err = {0};
    pinn_sampler kinds[5] = {PINN_SAMPLER_UNIFORM, PINN_SAMPLER_LHS, PINN_SAMPLER_SOBOL,
                             PINN_SAMPLER_HALTON, PINN_SAMPLER_GRID};
    for (int i = 0; i < 5; i++) {
        pinn_real a[64 * 3], b[64 * 3], c[64 * 3];
        pinn_sequence *sa = seq_new(kinds[i], 3, 11, 1), *sb = seq_new(kinds[i], 3, 11, 1),
                      *sc = seq_new(kinds[i], 3, 12, 1);
        CHECK_OK(pinn_sequence_next(sa, 64, a, NULL, &err), err);
        CHECK_OK(pinn_sequence_next(sb, 64, b, NULL, &err), err);
        CHECK_OK(pinn_sequence_next(sc, 64, c, NULL, &err), err);
        const char *name = pinn_sampler_to_string(kinds[i]);
        CHECK(!memcmp(a, b, sizeof a), "%s: same seed, same points", name);
        CHECK(memcmp(a, c, sizeof a), "%s: other seed, other points", name);
        int in = 1;
        for (int j = 0; j < 64 * 3; j++) in &= a[j] >= 0 && a[j] < 1;
        CHECK(in, "%s: points in [0,1)", name);
        pinn_sequence_free(sa);
        pinn_sequence_free(sb);
        pinn_sequence_free(sc);
    }
}

/* Integration error of f(x) = prod_k exp(x_k) over [0,1]^4 (exact (e-1)^4): Sobol and Halton
 * beat the RMS error of uniform random points by a wide margin. */
static double integ_error(pinn_sequence *s, size_t n, pinn_real *buf) {
    pinn_error err = {0};
    CHECK_OK(pinn_sequence_next(s, n, buf, NULL, &err), err);
    double sum = 0;
    for (size_t i = 0; i < n; i++)
        sum += exp(buf[4 * i] + buf[4 * i + 1] + buf[4 * i + 2] + buf[4 * i + 3]);
    return fabs(sum / n - pow(exp(1.0) - 1, 4));
}

static void test_discrepancy(void) {
    enum { N = 4096 };
    static pinn_real buf[N * 4];
    double rms = 0;
    for (int seed = 0; seed < 8; seed++) {
        pinn_sequence *s = seq_new(PINN_SAMPLER_UNIFORM, 4, (uint64_t)seed, 0);
        rms += SQ(integ_error(s, N, buf)) / 8;
        pinn_sequence_free(s);
    }
    rms = sqrt(rms);
    pinn_sequence *s = seq_new(PINN_SAMPLER_SOBOL, 4, 0, 1);
    double es = integ_error(s, N, buf);
    pinn_sequence_free(s);
    s = seq_new(PINN_SAMPLER_HALTON, 4, 0, 0);
    double eh = integ_error(s, N, buf);
    pinn_sequence_free(s);
    s = seq_new(PINN_SAMPLER_HALTON, 4, 0, 1);
    double ehr = integ_error(s, N, buf);
    pinn_sequence_free(s);
    s = seq_new(PINN_SAMPLER_LHS, 4, 0, 0);
    double el = integ_error(s, N, buf);
    pinn_sequence_free(s);
    printf("integration error, n=%d: uniform rms %.3e, sobol %.3e, halton %.3e (rotated %.3e), "
           "lhs %.3e\n", N, rms, es, eh, ehr, el);
    CHECK(es < rms / 10, "Sobol error %g vs random %g", es, rms);
    CHECK(eh < rms / 3, "Halton error %g vs random %g", eh, rms);
    CHECK(ehr < rms / 10, "rotated Halton error %g vs random %g", ehr, rms);
    CHECK(el < rms, "LHS error %g vs random %g", el, rms);
}

/* ---------------- region sampling ---------------- */

static int in_triangle(const pinn_real *t, const pinn_real *p) {
    double d1 = (t[2] - t[0]) * (p[1] - t[1]) - (t[3] - t[1]) * (p[0] - t[0]);
    double d2 = (t[4] - t[2]) * (p[1] - t[3]) - (t[5] - t[3]) * (p[0] - t[2]);
    double d3 = (t[0] - t[4]) * (p[1] - t[5]) - (t[1] - t[5]) * (p[0] - t[4]);
    return d1 >= 0 && d2 >= 0 && d3 >= 0;
}

static void test_box_interior_uniform(void) {
    pinn_error err = {0};
    pinn_geom *g = NULL;
    pinn_real lo[2] = {0, -1}, hi[2] = {2, 3};
    CHECK_OK(pinn_geom_init_box(&g, 2, lo, hi, &err), err);
    CHECK_OK(pinn_geom_set_time(g, 2, 0, 1, &err), err); /* (x, y, t) */
    enum { N = 20000 };
    static pinn_real x[N * 3];
    pinn_sequence *s = seq_new(PINN_SAMPLER_UNIFORM, pinn_geom_sample_dim(g, PINN_REGION_INTERIOR),
                               42, 0);
    size_t cnt = 0;
    CHECK_OK(pinn_geom_sample_interior(g, s, N, NULL, NULL, x, &cnt, &err), err);
    CHECK(cnt == N, "count");
    double len[3] = {2, 4, 1}, mid[3] = {1, 1, 0.5};
    for (int k = 0; k < 3; k++) {
        double m = 0, v = 0;
        for (int i = 0; i < N; i++) m += x[3 * i + k] / N;
        for (int i = 0; i < N; i++) v += SQ(x[3 * i + k] - m) / (N - 1);
        double var = SQ(len[k]) / 12, se_m = sqrt(var / N);
        double se_v = SQ(len[k]) * sqrt((1.0 / 80 - 1.0 / 144) / N);
        CHECK(fabs(m - mid[k]) < 5 * se_m, "coordinate %d mean %g vs %g", k, m, mid[k]);
        CHECK(fabs(v - var) < 5 * se_v, "coordinate %d variance %g vs %g", k, v, var);
    }
    int in = 1;
    for (int i = 0; i < N; i++) in &= pinn_geom_contains(g, x + 3 * i, 0);
    CHECK(in, "all inside");
    pinn_sequence_free(s);
    pinn_geom_free(g);
}

/* L-shape interior: containment, nothing in the removed square, triangle fractions ~ areas */
static void test_lshape_interior(pinn_sampler kind) {
    pinn_error err = {0};
    pinn_geom *g = NULL;
    CHECK_OK(pinn_geom_init_lshape(&g, &err), err);
    enum { N = 12000 };
    static pinn_real x[N * 2];
    pinn_sequence *s = seq_new(kind, 2, 7, 0);
    CHECK_OK(pinn_geom_sample_interior(g, s, N, NULL, NULL, x, NULL, &err), err);
    int in = 1, hole = 0;
    for (int i = 0; i < N; i++) {
        in &= pinn_geom_contains(g, x + 2 * i, 1e-15);
        hole += x[2 * i] > 0 && x[2 * i + 1] < 0;
    }
    const char *name = pinn_sampler_to_string(kind);
    CHECK(in, "%s: all points in the L", name);
    CHECK(hole == 0, "%s: %d points in the removed square", name, hole);
    size_t nt = pinn_geom_triangle_count(g);
    for (size_t t = 0; t < nt; t++) {
        pinn_real tri[6];
        CHECK_OK(pinn_geom_triangle(g, t, tri, &err), err);
        double area = 0.5 * ((tri[2] - tri[0]) * (tri[5] - tri[1]) -
                             (tri[3] - tri[1]) * (tri[4] - tri[0]));
        double p = area / 3.0;
        int c = 0;
        for (int i = 0; i < N; i++) c += in_triangle(tri, x + 2 * i);
        double tol = kind == PINN_SAMPLER_UNIFORM ? 4 * sqrt(p * (1 - p) / N) : 0.003;
        CHECK(fabs((double)c / N - p) < tol, "%s: triangle %zu holds %g, area fraction %g", name,
              t, (double)c / N, p);
    }
    /* each of the three unit quadrants gets a third */
    int q[3] = {0, 0, 0};
    for (int i = 0; i < N; i++) {
        int right = x[2 * i] > 0, up = x[2 * i + 1] > 0;
        q[right ? 2 : (up ? 1 : 0)]++; /* (-,-), (-,+), (+,+) */
    }
    for (int k = 0; k < 3; k++)
        CHECK(fabs(q[k] / (double)N - 1.0 / 3) < 0.02, "%s: quadrant share %g", name,
              q[k] / (double)N);
    pinn_sequence_free(s);
    pinn_geom_free(g);
}

static void test_disk_interior(void) {
    pinn_error err = {0};
    pinn_geom *g = NULL;
    CHECK_OK(pinn_geom_init_disk(&g, 1, 2, 0.5, &err), err);
    enum { N = 8192 };
    static pinn_real x[N * 2];
    pinn_sequence *s = seq_new(PINN_SAMPLER_SOBOL, 2, 1, 1);
    CHECK_OK(pinn_geom_sample_interior(g, s, N, NULL, NULL, x, NULL, &err), err);
    int in = 1, inner = 0, right = 0;
    for (int i = 0; i < N; i++) {
        in &= pinn_geom_contains(g, x + 2 * i, 1e-15);
        inner += hypot(x[2 * i] - 1, x[2 * i + 1] - 2) < 0.25;
        right += x[2 * i] > 1;
    }
    CHECK(in, "disk points inside");
    CHECK(fabs(inner / (double)N - 0.25) < 0.005, "inner half radius holds a quarter: %g",
          inner / (double)N);
    CHECK(fabs(right / (double)N - 0.5) < 0.005, "right half: %g", right / (double)N);
    pinn_sequence_free(s);
    pinn_geom_free(g);
}

/* Boundary points of a timed geometry: on the boundary, unit outward normals, time in range;
 * returns per-face counts in cnt_face (nf entries). */
static void check_boundary(const pinn_geom *g, pinn_sampler kind, size_t n, int *cnt_face,
                           const char *what) {
    pinn_error err = {0};
    int d = pinn_geom_dim(g), nf = pinn_geom_face_count(g), ti = pinn_geom_time_index(g);
    pinn_real *x = malloc(n * d * sizeof *x), *nr = malloc(n * d * sizeof *nr);
    int *f = malloc(n * sizeof *f);
    pinn_sequence *s = seq_new(kind, pinn_geom_sample_dim(g, PINN_REGION_BOUNDARY), 5, 0);
    size_t cnt = 0;
    CHECK_OK(pinn_geom_sample_boundary(g, s, n, -1, NULL, NULL, x, nr, f, &cnt, &err), err);
    CHECK(cnt == n, "%s: count", what);
    int on = 1, unit = 1, orient = 1, face_ok = 1, time_ok = 1, match = 1;
    for (int k = 0; k < nf; k++) cnt_face[k] = 0;
    const double eps = 1e-6;
    /* in float a boundary point and its normal are the exact ones rounded to 24 bits: with
     * coordinates below 4, within a few 1e-7 */
    const double tol = PINN_TEST_TOL(1e-12, 8 * PINN_TEST_EPS);
    for (size_t i = 0; i < n; i++) {
        pinn_real *p = x + i * d, *q = nr + i * d, a[PINN_GEOM_MAX_DIM], b[PINN_GEOM_MAX_DIM];
        on &= fabs(pinn_geom_signed_distance(g, p)) <= tol;
        double l2 = 0;
        for (int k = 0; k < d; k++) l2 += SQ(q[k]);
        unit &= fabs(l2 - 1) < tol;
        if (ti >= 0) time_ok &= q[ti] == 0 && pinn_geom_contains(g, p, (pinn_real)PINN_TEST_TOL(0, tol));
        for (int k = 0; k < d; k++) a[k] = p[k] + eps * q[k], b[k] = p[k] - eps * q[k];
        /* at a polygon vertex (low-discrepancy samplers hit them exactly) p -/+ eps n may
         * leave/enter the domain by geometry: check away from vertices */
        double vd = INFINITY;
        for (size_t v = 0; v < pinn_geom_vertex_count(g); v++) {
            pinn_real xy[2];
            pinn_geom_vertex(g, v, xy, &err);
            int sx = pinn_geom_space_index(g, 0), sy = pinn_geom_space_index(g, 1);
            vd = fmin(vd, hypot(p[sx] - xy[0], p[sy] - xy[1]));
        }
        if (vd > 1e-4) orient &= !pinn_geom_contains(g, a, 0) && pinn_geom_contains(g, b, 0);
        face_ok &= f[i] >= 0 && f[i] < nf;
        if (face_ok) cnt_face[f[i]]++;
        /* away from corners, the normal query agrees with the sampled normal and face */
        pinn_real qn[PINN_GEOM_MAX_DIM];
        int qf = -1;
        pinn_geom_normal(g, p, qn, &qf, &err);
        if (qf != f[i]) continue; /* a corner tie */
        for (int k = 0; k < d; k++) match &= fabs(qn[k] - q[k]) < tol;
    }
    CHECK(on, "%s: points on the boundary", what);
    CHECK(unit, "%s: unit normals", what);
    CHECK(orient, "%s: outward normals (p + eps n outside, p - eps n inside)", what);
    CHECK(face_ok && time_ok, "%s: face ids / time range", what);
    CHECK(match, "%s: sampled normals agree with pinn_geom_normal", what);
    pinn_sequence_free(s);
    free(x);
    free(nr);
    free(f);
}

static void test_boundary(void) {
    pinn_error err = {0};
    pinn_geom *g = NULL;
    int cnt[8];
    enum { N = 16000 };
    /* L-shape x [0,1], coordinates (t, x, y): edge lengths 1,1,1,1,2,2 of 8 */
    CHECK_OK(pinn_geom_init_lshape(&g, &err), err);
    CHECK_OK(pinn_geom_set_time(g, 0, 0, 1, &err), err);
    static const double share[6] = {0.125, 0.125, 0.125, 0.125, 0.25, 0.25};
    check_boundary(g, PINN_SAMPLER_UNIFORM, N, cnt, "L uniform");
    for (int k = 0; k < 6; k++)
        CHECK(fabs(cnt[k] / (double)N - share[k]) < 4 * sqrt(share[k] * (1 - share[k]) / N),
              "L edge %d share %g vs %g", k, cnt[k] / (double)N, share[k]);
    check_boundary(g, PINN_SAMPLER_SOBOL, 4096, cnt, "L sobol");
    for (int k = 0; k < 6; k++)
        CHECK(fabs(cnt[k] / 4096.0 - share[k]) < 1e-3, "L sobol edge %d share %g", k,
              cnt[k] / 4096.0);
    pinn_geom_free(g);

    /* 3-D box faces by area: 6,6,3,3,2,2 of 22 */
    pinn_real lo[3] = {0, 0, 0}, hi[3] = {1, 2, 3};
    CHECK_OK(pinn_geom_init_box(&g, 3, lo, hi, &err), err);
    check_boundary(g, PINN_SAMPLER_HALTON, N, cnt, "3-D box");
    static const double fa[6] = {6, 6, 3, 3, 2, 2};
    for (int k = 0; k < 6; k++)
        CHECK(fabs(cnt[k] / (double)N - fa[k] / 22) < 2e-3, "box face %d share %g vs %g", k,
              cnt[k] / (double)N, fa[k] / 22);
    pinn_geom_free(g);

    /* disk, clockwise polygon */
    CHECK_OK(pinn_geom_init_disk(&g, 0, 0, 1, &err), err);
    CHECK_OK(pinn_geom_set_time(g, 1, 0, 2, &err), err);
    check_boundary(g, PINN_SAMPLER_LHS, 2000, cnt, "disk");
    pinn_geom_free(g);
    pinn_real tri[6] = {0, 0, 0, 3, 4, 0}; /* clockwise 3-4-5 triangle */
    CHECK_OK(pinn_geom_init_polygon(&g, 3, tri, &err), err);
    check_boundary(g, PINN_SAMPLER_SOBOL, 4096, cnt, "clockwise triangle");
    CHECK(fabs(cnt[0] / 4096.0 - 0.25) < 1e-3 && fabs(cnt[1] / 4096.0 - 5.0 / 12) < 1e-3,
          "triangle edge shares %g %g", cnt[0] / 4096.0, cnt[1] / 4096.0);
    pinn_geom_free(g);

    /* interval x time (t, x): the two end points, normals -1 / +1, time spread over [0,1] */
    CHECK_OK(pinn_geom_init_interval(&g, -1, 1, &err), err);
    CHECK_OK(pinn_geom_set_time(g, 0, 0, 1, &err), err);
    check_boundary(g, PINN_SAMPLER_SOBOL, 1024, cnt, "interval");
    CHECK(cnt[0] == 512 && cnt[1] == 512, "interval ends %d %d", cnt[0], cnt[1]);
    pinn_geom_free(g);
}

/* single-face sampling and the keep filter */
static int keep_left(const pinn_real *p, void *ctx) {
    (void)ctx;
    return p[0] < -0.5;
}
static int keep_none(const pinn_real *p, void *ctx) {
    (void)p;
    (void)ctx;
    return 0;
}
static int keep_tiny(const pinn_real *p, void *ctx) {
    (void)ctx;
    return p[0] < -0.998 && p[1] > 0.998;
}

static void test_faces_and_filters(void) {
    pinn_error err = {0};
    pinn_geom *g = NULL;
    CHECK_OK(pinn_geom_init_lshape(&g, &err), err);
    enum { N = 500 };
    pinn_real x[N * 2], nr[N * 2];
    int f[N];
    size_t cnt;
    pinn_sequence *s = seq_new(PINN_SAMPLER_UNIFORM, 1, 9, 0);
    CHECK_OK(pinn_geom_sample_boundary(g, s, N, 4, NULL, NULL, x, nr, f, &cnt, &err), err);
    int ok = 1;
    for (int i = 0; i < N; i++) ok &= f[i] == 4 && x[2 * i + 1] == 1 && nr[2 * i + 1] == 1;
    CHECK(ok && cnt == N, "face 4 only: the top edge y = 1 with normal +y");
    CHECK(pinn_geom_sample_boundary(g, s, N, 6, NULL, NULL, x, nr, f, &cnt, &err) ==
              PINN_ERR_INVALID,
          "face out of range: %s", err.msg);
    /* filter the whole boundary to x < -0.5: edges 0 (half), 4 (quarter), 5 (all) */
    CHECK_OK(pinn_geom_sample_boundary(g, s, N, -1, keep_left, NULL, x, nr, f, &cnt, &err), err);
    ok = cnt == N;
    int c5 = 0;
    for (int i = 0; i < N; i++) ok &= x[2 * i] < -0.5, c5 += f[i] == 5;
    CHECK(ok, "filtered boundary points all satisfy the selector");
    CHECK(fabs(c5 / (double)N - 2.0 / 3.5) < 0.08, "edge 5 share among selected: %g",
          c5 / (double)N);
    CHECK(pinn_geom_sample_boundary(g, s, N, -1, keep_none, NULL, x, nr, f, &cnt, &err) ==
              PINN_ERR_INVALID,
          "empty selector fails");
    CHECK(strstr(err.msg, "selector matched 0 of 10000 boundary points") != NULL, "message: %s",
          err.msg);
    CHECK(pinn_geom_sample_boundary(g, s, N, -1, keep_tiny, NULL, x, nr, f, &cnt, &err) ==
              PINN_ERR_INVALID && strstr(err.msg, "matched only"),
          "too small selector: %s", err.msg);
    pinn_sequence_free(s);
    /* interior filter (a data region) */
    s = seq_new(PINN_SAMPLER_SOBOL, 2, 0, 0);
    CHECK_OK(pinn_geom_sample_interior(g, s, N, keep_left, NULL, x, &cnt, &err), err);
    ok = cnt == N;
    for (int i = 0; i < N; i++) ok &= x[2 * i] < -0.5 && pinn_geom_contains(g, x + 2 * i, 1e-15);
    CHECK(ok, "filtered interior");
    CHECK(pinn_geom_sample_interior(g, s, N, keep_none, NULL, x, &cnt, &err) == PINN_ERR_INVALID &&
              strstr(err.msg, "selector matched 0 of 10000 interior points"),
          "interior selector message: %s", err.msg);
    pinn_sequence_free(s);
    /* wrong sequence dimension */
    s = seq_new(PINN_SAMPLER_UNIFORM, 3, 0, 0);
    CHECK(pinn_geom_sample_interior(g, s, N, NULL, NULL, x, &cnt, &err) == PINN_ERR_INVALID &&
              strstr(err.msg, "needs a 2-dimensional sequence"),
          "dimension mismatch: %s", err.msg);
    pinn_sequence_free(s);
    pinn_geom_free(g);
}

static void test_initial_periodic(void) {
    pinn_error err = {0};
    pinn_geom *g = NULL;
    pinn_real lo[2] = {-1, 0}, hi[2] = {1, 2};
    CHECK_OK(pinn_geom_init_box(&g, 2, lo, hi, &err), err);
    CHECK(pinn_geom_sample_dim(g, PINN_REGION_INITIAL) == 0, "no initial slice without time");
    CHECK_OK(pinn_geom_set_time(g, 0, 0.5, 1.5, &err), err); /* (t, x, y) */
    enum { N = 256 };
    pinn_real x[N * 3], xb[N * 3];
    size_t cnt;
    pinn_sequence *s = seq_new(PINN_SAMPLER_SOBOL, 2, 0, 0);
    CHECK_OK(pinn_geom_sample_initial(g, s, N, NULL, NULL, x, &cnt, &err), err);
    int ok = cnt == N;
    for (int i = 0; i < N; i++) ok &= x[3 * i] == 0.5 && pinn_geom_contains(g, x + 3 * i, 0);
    CHECK(ok, "initial slice at t0 inside");
    pinn_sequence_free(s);
    CHECK(pinn_geom_sample_dim(g, PINN_REGION_PERIODIC) == 2, "periodic dim (y, t)");
    s = seq_new(PINN_SAMPLER_UNIFORM, 2, 0, 0);
    CHECK_OK(pinn_geom_sample_periodic(g, s, N, 1, NULL, NULL, x, xb, &cnt, &err), err);
    ok = cnt == N;
    double ymean = 0;
    for (int i = 0; i < N; i++) {
        ok &= x[3 * i + 1] == -1 && xb[3 * i + 1] == 1;
        ok &= x[3 * i] == xb[3 * i] && x[3 * i + 2] == xb[3 * i + 2];
        ok &= pinn_geom_contains(g, x + 3 * i, 0) && pinn_geom_contains(g, xb + 3 * i, 0);
        ymean += x[3 * i + 2] / N;
    }
    CHECK(ok, "periodic pairs on x = -1 and x = 1 with equal (t, y)");
    CHECK(fabs(ymean - 1) < 0.15, "periodic y spread over [0,2]: mean %g", ymean);
    CHECK(pinn_geom_sample_periodic(g, s, N, 0, NULL, NULL, x, xb, &cnt, &err) ==
              PINN_ERR_INVALID,
          "time is not periodic: %s", err.msg);
    pinn_sequence_free(s);
    pinn_geom_free(g);
    CHECK_OK(pinn_geom_init_lshape(&g, &err), err);
    CHECK(pinn_geom_sample_dim(g, PINN_REGION_PERIODIC) == 0, "no periodic L-shape");
    s = seq_new(PINN_SAMPLER_UNIFORM, 1, 0, 0);
    CHECK(pinn_geom_sample_periodic(g, s, N, 0, NULL, NULL, x, xb, &cnt, &err) ==
              PINN_ERR_INVALID && strstr(err.msg, "polygon"),
          "periodic polygon: %s", err.msg);
    pinn_sequence_free(s);
    pinn_geom_free(g);
    /* pure time domain: interior in [t0,t1], initial = t0, no boundary */
    CHECK_OK(pinn_geom_init_time(&g, 1, 3, &err), err);
    s = seq_new(PINN_SAMPLER_HALTON, 1, 0, 0);
    CHECK_OK(pinn_geom_sample_interior(g, s, N, NULL, NULL, x, &cnt, &err), err);
    ok = 1;
    for (int i = 0; i < N; i++) ok &= x[i] >= 1 && x[i] <= 3;
    CHECK(ok, "time samples in range");
    CHECK_OK(pinn_geom_sample_initial(g, s, 4, NULL, NULL, x, &cnt, &err), err);
    CHECK(cnt == 4 && x[0] == 1 && x[3] == 1, "initial of a time domain");
    CHECK(pinn_geom_sample_boundary(g, s, 4, -1, NULL, NULL, x, NULL, NULL, &cnt, &err) ==
              PINN_ERR_INVALID,
          "no boundary of a time domain");
    pinn_sequence_free(s);
    pinn_geom_free(g);
}

/* ---------------- point sets ---------------- */

static void test_pointsets(void) {
    pinn_error err = {0};
    pinn_geom *g = NULL;
    pinn_real lo[2] = {0, 0}, hi[2] = {2, 1};
    CHECK_OK(pinn_geom_init_box(&g, 2, lo, hi, &err), err);
    pinn_sample_spec sp;
    pinn_sample_spec_default(&sp);
    sp.sampler = PINN_SAMPLER_SOBOL;
    sp.randomize = 1;
    sp.seed = 17;
    pinn_pointset *a = NULL, *b = NULL, *c = NULL;
    CHECK_OK(pinn_pointset_init(&a, g, &sp, 100, &err), err);
    CHECK_OK(pinn_pointset_init(&b, g, &sp, 100, &err), err);
    sp.seed = 18;
    CHECK_OK(pinn_pointset_init(&c, g, &sp, 100, &err), err);
    size_t bytes = 100 * 2 * sizeof(pinn_real);
    CHECK(pinn_pointset_count(a) == 100 && pinn_pointset_dim(a) == 2, "count/dim");
    CHECK(!memcmp(pinn_pointset_points(a), pinn_pointset_points(b), bytes), "same seed");
    CHECK(memcmp(pinn_pointset_points(a), pinn_pointset_points(c), bytes), "other seed");
    static pinn_real first[200];
    memcpy(first, pinn_pointset_points(a), bytes);
    const pinn_real *pa = pinn_pointset_points(a);
    CHECK_OK(pinn_pointset_resample(a, &err), err);
    CHECK_OK(pinn_pointset_resample(b, &err), err);
    CHECK(pinn_pointset_points(a) == pa, "resample reuses the buffer");
    CHECK(memcmp(first, pinn_pointset_points(a), bytes), "resample draws new points");
    CHECK(!memcmp(pinn_pointset_points(a), pinn_pointset_points(b), bytes), "resample is seeded");
    CHECK(pinn_pointset_normals(a) == NULL && pinn_pointset_partners(a) == NULL, "interior");
    /* permutations and mini-batches */
    size_t p1[100], p2[100], p3[100];
    pinn_pointset_permutation(a, 5, 0, p1);
    pinn_pointset_permutation(a, 5, 0, p2);
    pinn_pointset_permutation(a, 5, 1, p3);
    int seen[100] = {0}, perm_ok = 1;
    for (int i = 0; i < 100; i++) perm_ok &= p1[i] < 100 && !seen[p1[i]]++;
    CHECK(perm_ok, "a permutation");
    CHECK(!memcmp(p1, p2, sizeof p1) && memcmp(p1, p3, sizeof p1), "seeded per epoch");
    CHECK(pinn_pointset_batch_count(a, 32) == 4, "4 batches of 32 for 100");
    pinn_real bx[32 * 2];
    size_t len = pinn_pointset_batch(a, p1, 32, 3, bx, NULL, NULL);
    CHECK(len == 4, "last batch short: %zu", len);
    const pinn_real *xa = pinn_pointset_points(a);
    CHECK(bx[0] == xa[2 * p1[96]] && bx[7] == xa[2 * p1[99] + 1], "batch gathers rows");
    CHECK(pinn_pointset_batch(a, p1, 32, 4, bx, NULL, NULL) == 0, "past the end");
    pinn_pointset_free(a);
    pinn_pointset_free(b);
    pinn_pointset_free(c);

    /* grid set: actual count, shaped by the box extents 2 x 1 */
    pinn_sample_spec_default(&sp);
    sp.sampler = PINN_SAMPLER_GRID;
    CHECK_OK(pinn_pointset_init(&a, g, &sp, 150, &err), err);
    CHECK(pinn_pointset_count(a) == 153, "grid set count %zu", pinn_pointset_count(a));
    pinn_pointset_free(a);

    /* boundary set with normals and faces; resample keeps them aligned */
    sp.region = PINN_REGION_BOUNDARY;
    sp.sampler = PINN_SAMPLER_UNIFORM;
    CHECK_OK(pinn_pointset_init(&a, g, &sp, 64, &err), err);
    CHECK_OK(pinn_pointset_resample(a, &err), err);
    const pinn_real *x = pinn_pointset_points(a), *nr = pinn_pointset_normals(a);
    const int *f = pinn_pointset_faces(a);
    int ok = nr && f;
    for (size_t i = 0; ok && i < 64; i++) {
        pinn_real qn[2];
        int qf;
        pinn_geom_normal(g, x + 2 * i, qn, &qf, &err);
        ok &= fabs(pinn_geom_signed_distance(g, x + 2 * i)) < 1e-12;
        ok &= qf != f[i] || (qn[0] == nr[2 * i] && qn[1] == nr[2 * i + 1]);
    }
    CHECK(ok, "boundary set consistent after resampling");
    pinn_real bn[32 * 2];
    pinn_pointset_permutation(a, 1, 2, p1);
    pinn_pointset_batch(a, p1, 32, 1, bx, bn, NULL);
    CHECK(bn[0] == nr[2 * p1[32]] && bx[1] == x[2 * p1[32] + 1], "batch gathers normals");
    pinn_pointset_free(a);

    /* periodic set on x, and errors */
    sp.region = PINN_REGION_PERIODIC;
    sp.axis = 0;
    CHECK_OK(pinn_pointset_init(&a, g, &sp, 10, &err), err);
    CHECK(pinn_pointset_partners(a) && pinn_pointset_partners(a)[0] == 2 &&
              pinn_pointset_points(a)[0] == 0,
          "periodic partners");
    pinn_pointset_free(a);
    sp.region = PINN_REGION_INITIAL;
    CHECK(pinn_pointset_init(&a, g, &sp, 10, &err) == PINN_ERR_INVALID && a == NULL &&
              strstr(err.msg, "no time axis"),
          "initial without time: %s", err.msg);
    sp.region = PINN_REGION_BOUNDARY;
    sp.face = 7;
    CHECK(pinn_pointset_init(&a, g, &sp, 10, &err) == PINN_ERR_INVALID, "bad face: %s", err.msg);
    sp.face = -1;
    sp.keep = keep_none;
    CHECK(pinn_pointset_init(&a, g, &sp, 10, &err) == PINN_ERR_INVALID &&
              strstr(err.msg, "selector matched 0"),
          "selector in a point set: %s", err.msg);
    pinn_geom_free(g);

    /* given points */
    pinn_real data[6] = {1, 2, 3, 4, 5, 6};
    CHECK_OK(pinn_pointset_init_points(&a, 3, 2, data, NULL, &err), err);
    CHECK_OK(pinn_pointset_resample(a, &err), err);
    CHECK(pinn_pointset_count(a) == 2 && pinn_pointset_points(a)[5] == 6, "given points kept");
    pinn_pointset_free(a);
}

int main(void) {
    test_names();
    test_sobol();
    test_halton();
    test_lhs();
    test_grid();
    test_seeding();
    test_discrepancy();
    test_box_interior_uniform();
    test_lshape_interior(PINN_SAMPLER_UNIFORM);
    test_lshape_interior(PINN_SAMPLER_SOBOL);
    test_lshape_interior(PINN_SAMPLER_HALTON);
    test_disk_interior();
    test_boundary();
    test_faces_and_filters();
    test_initial_periodic();
    test_pointsets();
    return CHECK_DONE();
}
