/* files.h - internal file output: atomic writes (temporary file + fsync + rename), NumPy .npy
 * arrays, directories, and a tiny streaming JSON writer for summaries. */
#ifndef PINN_IO_FILES_H
#define PINN_IO_FILES_H

#include <stdio.h>

#include "pinnc/core.h"

/* An output file being written atomically: data goes to "<path>.tmp.<pid>" until commit. */
typedef struct pinn_afile {
    FILE *f;
    char path[1024], tmp[1040];
} pinn_afile;

/* Open the temporary file for path; PINN_ERR_IO names the path on failure. */
pinn_status pinn_afile_open(pinn_afile *a, const char *path, pinn_error *err);
/* Flush, fsync and rename over path; on any failure the temporary file is removed. */
pinn_status pinn_afile_commit(pinn_afile *a, pinn_error *err);
/* Abandon the write and remove the temporary file. */
void pinn_afile_abort(pinn_afile *a);

/* Write len bytes to path atomically. */
pinn_status pinn_file_write_atomic(const char *path, const void *data, size_t len, pinn_error *err);

/* Write a float64 C-order .npy array of the given shape (ndim <= 4) atomically. */
pinn_status pinn_npy_write(const char *path, int ndim, const size_t *shape, const double *data, pinn_error *err);
/* Read a float64 C-order .npy array: *data (malloc'ed, caller frees), shape and ndim. */
pinn_status pinn_npy_read(const char *path, int *ndim, size_t *shape, double **data, pinn_error *err);

/* Create directory path and its parents (like mkdir -p). */
pinn_status pinn_mkdir_p(const char *path, pinn_error *err);

/* Write the JSON string s (with quotes and escapes) to f. */
void pinn_json_string(FILE *f, const char *s);
/* Write a double as JSON (null for NaN/Inf, 17 significant digits). */
void pinn_json_number(FILE *f, double v);
/* Write prefix (", \"key\": " and the like) verbatim, then v as by pinn_json_number. */
void pinn_json_field(FILE *f, const char *prefix, double v);

/* Write a table (header of ncols names, then nrows rows of data[r*ncols + c] printed with 17
 * significant digits) to a temporary file in the directory of path, flush it to disk and rename
 * it over path, so readers never see a partial file.  PINN_ERR_IO names the file on failure
 * (the temporary file is removed); PINN_ERR_INVALID for NULL arguments or ncols = 0. */
pinn_status pinn_csv_write_atomic(const char *path, const char *const *names, size_t nrows,
                                  size_t ncols, const double *data, pinn_error *err);

#endif
