/* run.c - reading a run directory back (run.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "io/files.h"
#include "report/run.h"

static int exists(const char *path) {
    struct stat sb;
    return stat(path, &sb) == 0;
}

void rp_history_free(rp_history *h) {
    for (size_t c = 0; c < h->ncols && h->names; c++) free(h->names[c]);
    free(h->names), free(h->data), free(h->phase);
    memset(h, 0, sizeof *h);
}

/* Split line (modified in place) at commas into at most max cells; returns the count. */
static size_t split(char *line, char **cells, size_t max) {
    size_t n = 0;
    char *p = line;
    for (;;) {
        char *e = strchr(p, ',');
        if (e) *e = '\0';
        if (n < max) cells[n] = p;
        n++;
        if (!e) break;
        p = e + 1;
    }
    return n;
}

static char *trim(char *s) {
    while (*s == ' ' || *s == '"') s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '"' || s[n - 1] == '\r' || s[n - 1] == '\n')) s[--n] = '\0';
    return s;
}

pinn_status rp_history_read(rp_history *h, const char *path, pinn_error *err) {
    memset(h, 0, sizeof *h);
    rp_buf b;
    rp_buf_init(&b);
    pinn_status st = rp_file_read(&b, path, err);
    if (st) {
        rp_buf_free(&b);
        return st;
    }
    size_t lines = 0;
    for (size_t i = 0; i < b.len; i++) lines += b.data[i] == '\n';
    char *save = NULL, *line = strtok_r(b.data, "\n", &save);
    while (line && (*trim(line) == '\0' || line[0] == '#')) line = strtok_r(NULL, "\n", &save);
    if (!line) {
        rp_buf_free(&b);
        return pinn_error_set(err, PINN_ERR_PARSE, "%s: empty", path);
    }
    size_t nc = 1;
    for (const char *q = line; *q; q++) nc += *q == ',';
    char **cells = malloc(sizeof(char *) * nc);
    h->names = calloc(nc, sizeof(char *));
    h->data = malloc(sizeof(double) * nc * (lines + 1));
    h->phase = malloc(sizeof(int) * (lines + 1));
    if (!cells || !h->names || !h->data || !h->phase) {
        st = pinn_error_set(err, PINN_ERR_NOMEM, "out of memory");
        goto done;
    }
    split(line, cells, nc);
    h->ncols = nc;
    long phase_col = -1;
    for (size_t c = 0; c < nc; c++) {
        h->names[c] = strdup(trim(cells[c]));
        if (!h->names[c]) {
            st = pinn_error_set(err, PINN_ERR_NOMEM, "out of memory");
            goto done;
        }
        if (!strcmp(h->names[c], "phase")) phase_col = (long)c;
    }
    while ((line = strtok_r(NULL, "\n", &save))) {
        if (*trim(line) == '\0' || line[0] == '#') continue;
        size_t m = split(line, cells, nc);
        double *row = h->data + h->nrows * nc;
        int ph = 2;
        for (size_t c = 0; c < nc; c++) {
            row[c] = NAN;
            if (c >= m) continue;
            char *s = trim(cells[c]), *end;
            double v = strtod(s, &end);
            if (end != s && *end == '\0') row[c] = v;
            if ((long)c == phase_col) ph = !strcmp(s, "adam") ? 0 : !strcmp(s, "lbfgs") ? 1 : 2;
        }
        h->phase[h->nrows++] = ph;
    }
done:
    free(cells);
    rp_buf_free(&b);
    if (st) rp_history_free(h);
    return st;
}

long rp_hist_col(const rp_history *h, const char *name) {
    for (size_t c = 0; c < h->ncols; c++)
        if (!strcmp(h->names[c], name)) return (long)c;
    return -1;
}

/* Load path as an array of n*nf values (after checking its size); *out stays NULL if missing. */
static pinn_status load_field(const char *dir, const char *name, size_t count, double **out, pinn_error *err) {
    char path[1100];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    *out = NULL;
    if (!exists(path)) return PINN_OK;
    int nd;
    size_t shape[4], c = 1;
    pinn_status st = pinn_npy_read(path, &nd, shape, out, err);
    if (st) return st;
    for (int i = 0; i < nd; i++) c *= shape[i];
    if (c != count) {
        free(*out);
        *out = NULL;
        return pinn_error_set(err, PINN_ERR_PARSE, "%s: %zu values, expected %zu (grid points x fields)", path, c, count);
    }
    return PINN_OK;
}

/* Names and counts from the problem when it loads; otherwise guessed from summary and grid. */
static void names_from_files(rp_run *r) {
    r->nf = 0;
    int rel = rp_json_get(&r->summary, 0, "rel_l2");
    if (rel >= 0)
        for (int c = r->summary.nodes[rel].first; c >= 0 && r->nf < PINN_MAX_FIELDS; c = r->summary.nodes[c].next)
            snprintf(r->field[r->nf++], PINN_NAME_MAX, "%s", r->summary.nodes[c].key);
    if (!r->nf) snprintf(r->field[r->nf++], PINN_NAME_MAX, "u");
    for (int i = 0; i < r->d; i++) snprintf(r->coord[i], PINN_NAME_MAX, "x%d", i + 1);
    r->time = -1;
}

pinn_status rp_run_load(rp_run *r, const char *dir, pinn_error *err) {
    memset(r, 0, sizeof *r);
    rp_buf_init(&r->config);
    r->time = -1;
    snprintf(r->dir, sizeof r->dir, "%s", dir);
    char path[1100];
    pinn_status st = PINN_OK;
    int found = 0;
    snprintf(path, sizeof path, "%s/summary.json", dir);
    if (exists(path)) {
        rp_buf b;
        rp_buf_init(&b);
        if (!(st = rp_file_read(&b, path, err))) st = rp_json_parse(&r->summary, b.data ? b.data : "", path, err);
        rp_buf_free(&b);
        if (st) goto fail;
        found = 1;
    }
    snprintf(path, sizeof path, "%s/history.csv", dir);
    if (exists(path)) {
        if ((st = rp_history_read(&r->hist, path, err))) goto fail;
        found = 1;
    }
    snprintf(path, sizeof path, "%s/config.yaml", dir);
    if (exists(path)) {
        if ((st = rp_file_read(&r->config, path, err))) goto fail;
        r->prob = malloc(sizeof *r->prob);
        pinn_error e;
        if (!r->prob) snprintf(r->prob_err, sizeof r->prob_err, "out of memory");
        else if (pinn_problem_load(r->prob, path, 0, NULL, &e) != PINN_OK) {
            snprintf(r->prob_err, sizeof r->prob_err, "%s", e.msg);
            free(r->prob);
            r->prob = NULL;
        }
    }
    snprintf(path, sizeof path, "%s/grid.npy", dir);
    if (exists(path)) {
        int nd;
        size_t shape[4];
        if ((st = pinn_npy_read(path, &nd, shape, &r->grid, err))) goto fail;
        if (nd != 2 || shape[1] < 1 || shape[1] > PINN_MAX_INPUTS) {
            st = pinn_error_set(err, PINN_ERR_PARSE, "%s: expected an n x d array of points", path);
            goto fail;
        }
        r->n = shape[0], r->d = (int)shape[1];
        found = 1;
    }
    if (!found) {
        st = pinn_error_set(err, PINN_ERR_IO, "%s: not a run directory (no summary.json, history.csv or grid.npy)", dir);
        goto fail;
    }
    if (r->prob) {
        if (!r->d) r->d = r->prob->domain.d;
        r->nf = r->prob->n_fields;
        r->time = r->prob->domain.time;
        for (int i = 0; i < r->prob->domain.d && i < PINN_MAX_INPUTS; i++) snprintf(r->coord[i], PINN_NAME_MAX, "%s", r->prob->domain.coord[i]);
        for (int f = 0; f < r->nf; f++) snprintf(r->field[f], PINN_NAME_MAX, "%s", r->prob->fields[f]);
        snprintf(r->title, sizeof r->title, "%s", r->prob->title);
        if (r->prob->domain.d != r->d) names_from_files(r);
    } else
        names_from_files(r);
    if (!r->title[0]) snprintf(r->title, sizeof r->title, "%s", rp_json_str(&r->summary, 0, "title"));
    if (r->grid) {
        size_t cnt = r->n * (size_t)r->nf;
        if ((st = load_field(dir, "solution.npy", cnt, &r->sol, err)) || (st = load_field(dir, "reference.npy", cnt, &r->ref, err)) ||
            (st = load_field(dir, "error.npy", cnt, &r->err, err)))
            goto fail;
        /* a tensor grid in C order: count distinct values of each coordinate by the strides */
        size_t stride = 1, strides[PINN_MAX_INPUTS];
        for (int i = r->d - 1; i >= 0; i--) {
            size_t k = 1;
            while (stride * k < r->n && r->grid[stride * k * (size_t)r->d + (size_t)i] != r->grid[(size_t)i]) k++;
            r->dims[i] = (int)k;
            strides[i] = stride;
            stride *= k;
        }
        r->regular = stride == r->n && r->n > 0;
        for (size_t k = 0; k < r->n && r->regular; k++) /* every point where the tensor structure puts it */
            for (int i = 0; i < r->d; i++) {
                size_t g = (k / strides[i]) % (size_t)r->dims[i];
                if (r->grid[k * (size_t)r->d + (size_t)i] != r->grid[g * strides[i] * (size_t)r->d + (size_t)i]) r->regular = 0;
            }
        for (int i = 0; i < r->d; i++) {
            r->lo[i] = INFINITY, r->hi[i] = -INFINITY;
            for (size_t k = 0; k < r->n; k++) {
                double v = r->grid[k * (size_t)r->d + (size_t)i];
                r->lo[i] = fmin(r->lo[i], v), r->hi[i] = fmax(r->hi[i], v);
            }
        }
    }
    return PINN_OK;
fail:
    rp_run_free(r);
    return st;
}

void rp_run_free(rp_run *r) {
    rp_buf_free(&r->config);
    rp_json_free(&r->summary);
    rp_history_free(&r->hist);
    free(r->prob), free(r->grid), free(r->sol), free(r->ref), free(r->err);
    memset(r, 0, sizeof *r);
}
