/* vti.c - VTK XML ImageData output of a run's fields for ParaView (pinn_report_vtk): the spatial
 * coordinates become the image axes x, y, z in their order in the problem; a time coordinate
 * becomes a series (one .vti per time value, listed with its time in fields.pvd). */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/files.h"
#include "pinnc/report.h"
#include "report/run.h"

/* One Float64 (or UInt8 when bytes) array, base64 of a UInt64 byte count followed by the data. */
static void data_array(rp_buf *b, const char *name, const double *v, const unsigned char *bytes, size_t n) {
    rp_buf_printf(b, "        <DataArray type=\"%s\" Name=\"", bytes ? "UInt8" : "Float64");
    rp_buf_xml(b, name);
    rp_buf_puts(b, "\" format=\"binary\">\n          ");
    size_t nb = n * (bytes ? 1 : sizeof(double));
    unsigned char *raw = malloc(8 + nb);
    if (!raw) {
        b->oom = 1;
        return;
    }
    uint64_t len = nb;
    memcpy(raw, &len, 8); /* little-endian machines only, declared in the header */
    if (bytes) memcpy(raw + 8, bytes, nb);
    else memcpy(raw + 8, v, nb);
    rp_buf_base64(b, raw, 8 + nb);
    free(raw);
    rp_buf_puts(b, "\n        </DataArray>\n");
}

/* Write one .vti of the spatial grid at time index it (it < 0: no time coordinate). */
static pinn_status write_vti(const rp_run *r, const char *path, int it, double *buf, unsigned char *inside, pinn_error *err) {
    int sp[3], ns = 0; /* spatial coordinates in order */
    for (int i = 0; i < r->d && ns < 3; i++)
        if (i != r->time) sp[ns++] = i;
    int ext[3] = {1, 1, 1};
    double org[3] = {0, 0, 0}, spc[3] = {1, 1, 1};
    for (int a = 0; a < ns; a++) {
        ext[a] = r->dims[sp[a]];
        org[a] = r->lo[sp[a]];
        spc[a] = ext[a] > 1 ? (r->hi[sp[a]] - r->lo[sp[a]]) / (ext[a] - 1) : 1;
    }
    size_t np = (size_t)ext[0] * (size_t)ext[1] * (size_t)ext[2];
    /* VTK order: x fastest; grid order: C order over the problem's coordinates */
    size_t stride[PINN_MAX_INPUTS], s = 1;
    for (int i = r->d - 1; i >= 0; i--) stride[i] = s, s *= (size_t)r->dims[i];
    size_t *map = malloc(sizeof(size_t) * np);
    if (!map) return pinn_error_set(err, PINN_ERR_NOMEM, "out of memory");
    for (size_t q = 0; q < np; q++) {
        size_t k = it >= 0 ? (size_t)it * stride[r->time] : 0, rem = q;
        for (int a = 0; a < ns; a++) {
            k += (rem % (size_t)ext[a]) * stride[sp[a]];
            rem /= (size_t)ext[a];
        }
        map[q] = k;
    }
    rp_buf b;
    rp_buf_init(&b);
    rp_buf_printf(&b, "<?xml version=\"1.0\"?>\n<VTKFile type=\"ImageData\" version=\"1.0\" byte_order=\"LittleEndian\" header_type=\"UInt64\">\n"
                      "  <ImageData WholeExtent=\"0 %d 0 %d 0 %d\" Origin=\"%.17g %.17g %.17g\" Spacing=\"%.17g %.17g %.17g\">\n"
                      "    <Piece Extent=\"0 %d 0 %d 0 %d\">\n      <PointData>\n",
                  ext[0] - 1, ext[1] - 1, ext[2] - 1, org[0], org[1], org[2], spc[0], spc[1], spc[2], ext[0] - 1, ext[1] - 1,
                  ext[2] - 1);
    const double *srcs[3] = {r->sol, r->ref, r->err};
    static const char *const suffix[3] = {"", "_reference", "_error"};
    for (int kind = 0; kind < 3; kind++)
        for (int f = 0; f < r->nf && srcs[kind]; f++) {
            for (size_t q = 0; q < np; q++) buf[q] = srcs[kind][map[q] * (size_t)r->nf + (size_t)f];
            char name[96];
            snprintf(name, sizeof name, "%s%s", r->field[f], suffix[kind]);
            data_array(&b, name, buf, NULL, np);
        }
    const double *any = r->sol ? r->sol : r->ref;
    for (size_t q = 0; q < np; q++) inside[q] = any ? (unsigned char)isfinite(any[map[q] * (size_t)r->nf]) : 1;
    data_array(&b, "inside", NULL, inside, np);
    rp_buf_puts(&b, "      </PointData>\n    </Piece>\n  </ImageData>\n</VTKFile>\n");
    free(map);
    pinn_status st = b.oom ? pinn_error_set(err, PINN_ERR_NOMEM, "out of memory") : pinn_file_write_atomic(path, b.data, b.len, err);
    rp_buf_free(&b);
    return st;
}

pinn_status pinn_report_vtk(const char *run_dir, pinn_error *err) {
    rp_run r;
    pinn_status st = rp_run_load(&r, run_dir, err);
    if (st) return st;
    if (!r.grid || !r.regular || (!r.sol && !r.ref)) {
        rp_run_free(&r);
        return pinn_error_set(err, PINN_ERR_UNSUPPORTED, "%s: no fields on a tensor grid to write as VTK", run_dir);
    }
    int ns = r.d - (r.time >= 0);
    if (ns < 1 || ns > 3) {
        rp_run_free(&r);
        return pinn_error_set(err, PINN_ERR_UNSUPPORTED, "%s: VTK output needs 1 to 3 spatial coordinates", run_dir);
    }
    size_t np = 1;
    for (int i = 0; i < r.d; i++)
        if (i != r.time) np *= (size_t)r.dims[i];
    double *buf = malloc(sizeof(double) * np);
    unsigned char *inside = malloc(np);
    char path[1400];
    if (!buf || !inside) st = pinn_error_set(err, PINN_ERR_NOMEM, "out of memory");
    else if (r.time < 0) {
        snprintf(path, sizeof path, "%s/fields.vti", run_dir);
        st = write_vti(&r, path, -1, buf, inside, err);
    } else {
        snprintf(path, sizeof path, "%s/vtk", run_dir);
        st = pinn_mkdir_p(path, err);
        rp_buf pvd;
        rp_buf_init(&pvd);
        rp_buf_puts(&pvd, "<?xml version=\"1.0\"?>\n<VTKFile type=\"Collection\" version=\"1.0\" byte_order=\"LittleEndian\">\n  <Collection>\n");
        size_t tstride = 1;
        for (int i = r.d - 1; i > r.time; i--) tstride *= (size_t)r.dims[i];
        for (int it = 0; it < r.dims[r.time] && !st; it++) {
            snprintf(path, sizeof path, "%s/vtk/fields_%04d.vti", run_dir, it);
            st = write_vti(&r, path, it, buf, inside, err);
            double tv = r.grid[(size_t)it * tstride * (size_t)r.d + (size_t)r.time];
            rp_buf_printf(&pvd, "    <DataSet timestep=\"%.17g\" part=\"0\" file=\"vtk/fields_%04d.vti\"/>\n", tv, it);
        }
        rp_buf_puts(&pvd, "  </Collection>\n</VTKFile>\n");
        snprintf(path, sizeof path, "%s/fields.pvd", run_dir);
        if (!st) st = pvd.oom ? pinn_error_set(err, PINN_ERR_NOMEM, "out of memory") : pinn_file_write_atomic(path, pvd.data, pvd.len, err);
        rp_buf_free(&pvd);
    }
    free(buf), free(inside);
    rp_run_free(&r);
    return st;
}
