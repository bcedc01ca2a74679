/* csv.h - internal reader for numeric CSV tables with one header row
 * (reference data, point files, histories).  Numbers are parsed with strtod in the "C" locale
 * the library assumes. */
#ifndef PINN_PROBLEM_CSV_H
#define PINN_PROBLEM_CSV_H

#include <stddef.h>

#include "pinnc/core.h"

/* A numeric table: ncols named columns, nrows rows, values row-major (data[r*ncols + c]). */
typedef struct pinn_csv_table {
    size_t nrows, ncols;
    char **names;  /* ncols NUL-terminated column names (surrounding spaces and quotes removed) */
    double *data;  /* nrows*ncols values */
} pinn_csv_table;

/* Zero t so that pinn_csv_free is safe on it. */
void pinn_csv_init(pinn_csv_table *t);
/* Release what t owns and zero it. */
void pinn_csv_free(pinn_csv_table *t);

/* Read a comma-separated file: the first non-blank line is the header, every later non-blank line
 * a row of exactly ncols numbers (blank lines and lines starting with '#' are skipped; CRLF is
 * accepted).  A table without data rows and a field that is NaN, infinite or hexadecimal are errors
 * too (a data term must not silently train on nothing or on NaN).  On success t (initialised or zeroed) owns the names and data.  Errors: PINN_ERR_IO
 * (cannot open/read, naming the file), PINN_ERR_PARSE with "path:line: ..." for an empty header,
 * a ragged row or a field that is not a number, PINN_ERR_NOMEM.  t is left empty on failure. */
pinn_status pinn_csv_read(const char *path, pinn_csv_table *t, pinn_error *err);

/* A data table from path by its extension: .npy (a 1-D or 2-D array whose columns are named by
 * the comma-separated list `columns`), .npz (one 1-D array per column, named by its entry), or
 * anything else as CSV (pinn_csv_read).  Errors name the file and what is wrong. (npy.c) */
pinn_status pinn_data_read(const char *path, const char *columns, pinn_csv_table *t, pinn_error *err);

/* Index of the column called name, or -1 if there is none. */
long pinn_csv_column(const pinn_csv_table *t, const char *name);



#endif
