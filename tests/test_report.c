/* test_report.c - the results layer on run directories written by hand: plot ticks and labels,
 * the JSON reader, SVG figures with axes, report.html, and the VTK files parsed back (ImageData
 * header, base64 arrays, point order, the time series collection) against the .npy values. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "io/files.h"
#include "pinnc.h"
#include "report/json.h"
#include "report/plot.h"
#include "report/rbuf.h"

static char *slurp(const char *path) {
    rp_buf b;
    rp_buf_init(&b);
    if (rp_file_read(&b, path, NULL) != PINN_OK) {
        rp_buf_free(&b);
        return NULL;
    }
    return b.data;
}

static int b64val(char c) {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    return c == '+' ? 62 : c == '/' ? 63 : -1;
}

/* Decode the base64 DataArray called name of a .vti (UInt64 byte count, then data); returns the
 * malloc'ed payload and its size in *n, NULL if absent. */
static unsigned char *vti_array(const char *xml, const char *name, size_t *n) {
    char key[128];
    snprintf(key, sizeof key, "Name=\"%s\" format=\"binary\">", name);
    const char *p = strstr(xml, key);
    if (!p) return NULL;
    p += strlen(key);
    size_t cap = strlen(p), m = 0;
    unsigned char *raw = malloc(cap);
    unsigned v = 0;
    int bits = 0;
    for (; *p && *p != '<'; p++) {
        int d = b64val(*p);
        if (d < 0) continue;
        v = v << 6 | (unsigned)d, bits += 6;
        if (bits >= 8) raw[m++] = (unsigned char)(v >> (bits - 8)), bits -= 8;
    }
    uint64_t len = 0;
    if (m >= 8) memcpy(&len, raw, 8);
    if (m < 8 || len != m - 8) {
        free(raw);
        return NULL;
    }
    memmove(raw, raw + 8, m - 8);
    *n = m - 8;
    return raw;
}

static double u_of(const double *x) { return x[0] + 10 * x[1] + (x[2] == x[2] ? 100 * x[2] : 0); }

/* A run directory with a d-coordinate tensor grid dims[], u = u_of(point), a reference 1/2 off. */
static void write_run(const char *dir, int d, const int *dims, const char *config) {
    pinn_error err;
    pinn_mkdir_p(dir, &err);
    size_t n = 1;
    for (int i = 0; i < d; i++) n *= (size_t)dims[i];
    double *g = malloc(sizeof(double) * n * (size_t)d), *u = malloc(sizeof(double) * n), *r = malloc(sizeof(double) * n),
           *e = malloc(sizeof(double) * n);
    for (size_t k = 0; k < n; k++) {
        size_t rem = k;
        double x[3] = {0, 0, 0};
        for (int i = d - 1; i >= 0; i--) {
            x[i] = i + 0.25 * (double)(rem % (size_t)dims[i]);
            rem /= (size_t)dims[i];
        }
        for (int i = 0; i < d; i++) g[k * (size_t)d + (size_t)i] = x[i];
        u[k] = u_of(x), r[k] = u[k] + 0.5, e[k] = -0.5;
    }
    u[1] = r[1] = e[1] = NAN; /* a point outside the domain */
    size_t gs[2] = {n, (size_t)d}, fs[3];
    for (int i = 0; i < d; i++) fs[i] = (size_t)dims[i];
    char p[1200];
    snprintf(p, sizeof p, "%s/grid.npy", dir);
    CHECK_OK(pinn_npy_write(p, 2, gs, g, &err), err);
    snprintf(p, sizeof p, "%s/solution.npy", dir);
    CHECK_OK(pinn_npy_write(p, d, fs, u, &err), err);
    snprintf(p, sizeof p, "%s/reference.npy", dir);
    CHECK_OK(pinn_npy_write(p, d, fs, r, &err), err);
    snprintf(p, sizeof p, "%s/error.npy", dir);
    CHECK_OK(pinn_npy_write(p, d, fs, e, &err), err);
    snprintf(p, sizeof p, "%s/config.yaml", dir);
    CHECK_OK(pinn_file_write_atomic(p, config, strlen(config), &err), err);
    const char *summary = "{\"title\": \"hand-made\", \"rel_l2\": {\"u\": 0.5}, \"timing\": {\"adam_ms_per_epoch\": 1.5}, \"epochs\": 3}\n";
    snprintf(p, sizeof p, "%s/summary.json", dir);
    CHECK_OK(pinn_file_write_atomic(p, summary, strlen(summary), &err), err);
    const char *hist = "epoch,phase,wall_s,loss,loss_pde,loss_ends,w_pde,w_ends,rel_l2_u\n1,adam,0.1,1,0.5,0.5,1,1,\n"
                       "2,adam,0.2,0.1,0.05,0.05,1,2,0.3\n3,lbfgs,0.3,0.01,0.005,0.005,1,3,0.2\n";
    snprintf(p, sizeof p, "%s/history.csv", dir);
    CHECK_OK(pinn_file_write_atomic(p, hist, strlen(hist), &err), err);
    free(g), free(u), free(r), free(e);
}

/* Parse a .vti back and compare every array with the values the run was written with. */
static void check_vti(const char *path, int ns, const int *ext, const double *org, int it_value_idx, double t) {
    char *xml = slurp(path);
    CHECK(xml != NULL, "%s readable", path);
    if (!xml) return;
    int e[6];
    double o[3], s[3];
    const char *w = strstr(xml, "WholeExtent=");
    CHECK(w && sscanf(w, "WholeExtent=\"%d %d %d %d %d %d\" Origin=\"%lf %lf %lf\" Spacing=\"%lf %lf %lf\"", &e[0], &e[1],
                      &e[2], &e[3], &e[4], &e[5], &o[0], &o[1], &o[2], &s[0], &s[1], &s[2]) == 12,
          "%s: ImageData header", path);
    for (int a = 0; a < 3; a++) {
        CHECK(e[2 * a] == 0 && e[2 * a + 1] == (a < ns ? ext[a] - 1 : 0), "extent axis %d", a);
        if (a < ns) {
            CHECK_CLOSE(o[a], org[a], 1e-15, "origin");
            CHECK_CLOSE(s[a], 0.25, 1e-15, "spacing");
        }
    }
    size_t np = 1, nb[4] = {0};
    for (int a = 0; a < ns; a++) np *= (size_t)ext[a];
    double *u = (double *)vti_array(xml, "u", &nb[0]), *r = (double *)vti_array(xml, "u_reference", &nb[1]),
           *er = (double *)vti_array(xml, "u_error", &nb[2]);
    unsigned char *in = vti_array(xml, "inside", &nb[3]);
    CHECK(u && r && er && in && nb[0] == 8 * np && nb[1] == 8 * np && nb[2] == 8 * np && nb[3] == np, "%s: arrays", path);
    int bad = 0, nan_seen = 0;
    for (size_t q = 0; u && r && er && in && q < np; q++) {
        double x[3] = {0, 0, 0};
        size_t rem = q;
        for (int a = 0; a < ns; a++) { /* VTK: x fastest */
            x[a + (it_value_idx >= 0)] = org[a] + 0.25 * (double)(rem % (size_t)ext[a]);
            rem /= (size_t)ext[a];
        }
        if (it_value_idx >= 0) x[0] = t;
        if (isnan(u[q])) {
            nan_seen++;
            bad += in[q] != 0 || !isnan(r[q]);
            continue;
        }
        bad += u[q] != u_of(x) || r[q] != u_of(x) + 0.5 || er[q] != -0.5 || in[q] != 1;
    }
    CHECK(bad == 0, "%s: %d values differ from the grid's", path, bad);
    CHECK(nan_seen <= 1, "%s: at most the one outside point", path);
    free(u), free(r), free(er), free(in), free(xml);
}

int main(void) {
    /* ticks and labels */
    double t[32];
    int n = plot_ticks(0, 1, 0, 5, t, 32);
    CHECK(n == 6 && t[0] == 0 && fabs(t[5] - 1) < 1e-12, "linear ticks 0..1 by 0.2 (%d)", n);
    n = plot_ticks(1e-6, 1, 1, 7, t, 32);
    CHECK(n == 7 && fabs(t[0] - 1e-6) < 1e-18 && t[6] == 1, "log ticks one per decade (%d)", n);
    n = plot_ticks(1e-3, 9e-3, 1, 5, t, 32);
    CHECK(n == 3 && fabs(t[1] - 2e-3) < 1e-15 && fabs(t[2] - 5e-3) < 1e-15, "1-2-5 ticks inside a decade (%d)", n);
    char lab[32];
    plot_tick_label(1e-5, 0, 1, lab, sizeof lab);
    CHECK(!strcmp(lab, "1e-5"), "log label %s", lab);
    plot_tick_label(-0.5, 0.25, 0, lab, sizeof lab);
    CHECK(!strcmp(lab, "-0.50"), "linear label %s", lab);
    plot_tick_label(1.2, 0.2, 0, lab, sizeof lab);
    CHECK(!strcmp(lab, "1.2"), "linear label %s", lab);
    /* JSON */
    rp_json j;
    pinn_error err;
    CHECK_OK(rp_json_parse(&j, "{\"a\": [1, 2, {\"b\": \"x\\\"y\"}], \"n\": null, \"v\": -2.5e-3, \"t\": true}", "json", &err), err);
    CHECK(rp_json_num(&j, 0, "v") == -2.5e-3 && isnan(rp_json_num(&j, 0, "n")) && rp_json_num(&j, 0, "t") == 1, "json numbers");
    int a = rp_json_get(&j, 0, "a");
    CHECK(a >= 0 && j.nodes[a].type == RP_JARR, "json array");
    rp_json_free(&j);
    CHECK(rp_json_parse(&j, "{\"a\": [1, 2}", "bad.json", &err) == PINN_ERR_PARSE && strstr(err.msg, "bad.json"), "json error names the file");

    char dir[] = "/tmp/pinnc-report-XXXXXX", run[1100], p[1300];
    CHECK(mkdtemp(dir) != NULL, "mkdtemp");
    /* 3-D space: one fields.vti; x fastest in VTK, C order (z fastest) in the grid */
    int dims3[3] = {3, 4, 5};
    snprintf(run, sizeof run, "%s/space3", dir);
    write_run(run, 3, dims3,
              "title: \"3-D\"\ndomain: {x: [0, 0.5], y: [1, 1.75], z: [2, 3]}\nfields: [u]\nequations: [\"lap(u) = 0\"]\n"
              "conditions:\n  - {name: b, on: boundary, equation: \"u = 0\", points: 10}\n");
    CHECK_OK(pinn_report_vtk(run, &err), err);
    double org3[3] = {0, 1, 2};
    snprintf(p, sizeof p, "%s/fields.vti", run);
    check_vti(p, 3, dims3, org3, -1, 0);
    /* time x space: a .pvd collection of one .vti per time */
    int dims2[2] = {5, 4};
    snprintf(run, sizeof run, "%s/heat", dir);
    write_run(run, 2, dims2,
              "title: \"time\"\ndomain: {t: [0, 1], x: [1, 1.75]}\nfields: [u]\nequations: [\"u_t = u_xx\"]\n"
              "conditions:\n  - {name: i, on: \"t = 0\", equation: \"u = 0\", points: 10}\n");
    /* an FBPINN's decomposition (two boxes of one level, then one of a second) and sweep schedule */
    double boxes[3][6] = {{0, 0, 0.25, 1.2, 0.3, 0.4}, {0, 0, 0.75, 1.5, 0.3, 0.4}, {1, 0, 0.5, 1.4, 0.6, 0.5}};
    double sched[2][2] = {{0, 2}, {1, 0}};
    size_t bsh[2] = {3, 6}, ssh[2] = {2, 2};
    snprintf(p, sizeof p, "%s/fbpinn_boxes.npy", run);
    CHECK_OK(pinn_npy_write(p, 2, bsh, &boxes[0][0], &err), err);
    snprintf(p, sizeof p, "%s/fbpinn_schedule.npy", run);
    CHECK_OK(pinn_npy_write(p, 2, ssh, &sched[0][0], &err), err);
#ifdef PINN_HAVE_YAML
    CHECK_OK(pinn_report_vtk(run, &err), err);
    snprintf(p, sizeof p, "%s/fields.pvd", run);
    char *pvd = slurp(p);
    CHECK(pvd && strstr(pvd, "timestep=\"0.25\" part=\"0\" file=\"vtk/fields_0001.vti\"") && !strstr(pvd, "fields_0005"),
          "pvd lists 5 times");
    free(pvd);
    double org1[1] = {1};
    int ext1[1] = {4};
    for (int it = 0; it < 5; it++) {
        snprintf(p, sizeof p, "%s/vtk/fields_%04d.vti", run, it);
        check_vti(p, 1, ext1, org1, 0, 0.25 * it);
    }
    /* the report: figures with axes, embedded in the page */
    CHECK_OK(pinn_report_write(run, &err), err);
    snprintf(p, sizeof p, "%s/report.html", run);
    char *html = slurp(p);
    CHECK(html && strstr(html, "<img") && strstr(html, "data:image/svg+xml;base64,") && strstr(html, "u_t = u_xx"), "report.html");
    free(html);
    static const char *const figs[] = {"loss", "weights", "error_history", "solution", "reference", "error", "slices"};
    for (int k = 0; k < 7; k++) {
        snprintf(p, sizeof p, "%s/figures/%s.svg", run, figs[k]);
        char *svg = slurp(p);
        CHECK(svg && strstr(svg, "<svg") && strstr(svg, "</svg>"), "%s.svg written", figs[k]);
        if (svg && k >= 3 && k <= 5) CHECK(strstr(svg, ">t</text>") && strstr(svg, ">x</text>"), "%s: axes t and x", figs[k]);
        if (svg && k < 3) CHECK(strstr(svg, ">epoch</text>") != NULL, "%s: axis epoch", figs[k]);
        free(svg);
    }
    snprintf(p, sizeof p, "%s/figures/decomposition.svg", run);
    char *dsvg = slurp(p);
    CHECK(dsvg && strstr(dsvg, "3 subdomains, 2 levels") && strstr(dsvg, "level 0 (2)") && strstr(dsvg, "level 1 (1)"),
          "decomposition.svg: the boxes per level");
    free(dsvg);
    snprintf(p, sizeof p, "%s/figures/schedule.svg", run);
    char *ssvg = slurp(p);
    CHECK(ssvg && strstr(ssvg, "2 stages") && strstr(ssvg, ">stage</text>"), "schedule.svg: the active set per stage");
    free(ssvg);
#endif
    /* not a run directory */
    CHECK(pinn_report_write(dir, &err) != PINN_OK && strstr(err.msg, "not a run directory"), "empty directory refused");
    return CHECK_DONE();
}
