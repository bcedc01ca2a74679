/* csv_write.c - numeric CSV tables written atomically (pinnc eval output). */
#include <stdio.h>

#include "io/files.h"

pinn_status pinn_csv_write_atomic(const char *path, const char *const *names, size_t nrows,
                                  size_t ncols, const double *data, pinn_error *err) {
    if (!path || !names || ncols == 0 || (nrows && !data))
        return pinn_error_set(err, PINN_ERR_INVALID, "csv: NULL argument or no columns");
    pinn_afile a;
    pinn_status st = pinn_afile_open(&a, path, err);
    if (st != PINN_OK) return st;
    for (size_t c = 0; c < ncols; c++) fprintf(a.f, "%s%s", c ? "," : "", names[c] ? names[c] : "");
    fputc('\n', a.f);
    for (size_t r = 0; r < nrows; r++) {
        for (size_t c = 0; c < ncols; c++) fprintf(a.f, "%s%.17g", c ? "," : "", data[r * ncols + c]);
        fputc('\n', a.f);
    }
    return pinn_afile_commit(&a, err); /* checks the stream's error state, fsyncs and renames */
}
