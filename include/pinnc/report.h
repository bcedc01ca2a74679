/* pinnc/report.h - results people can look at: report.html, labelled figures (SVG always, PNG
 * through cairo when built with it), VTK ImageData files for ParaView, and the comparison of
 * several runs.  Everything here works from the FILES of a run directory (config.yaml,
 * summary.json, history.csv, grid.npy, solution/reference/error.npy), so it can be rerun on
 * any finished or interrupted run (`pinnc report RUN`). */
#ifndef PINNC_REPORT_H
#define PINNC_REPORT_H

#include <stddef.h>

#include "pinnc/core.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Write run_dir/report.html (one self-contained file: figures embedded as data: URIs) and the
 * figures as run_dir/figures/<name>.svg (and .png with cairo; with cairo the run's heatmap
 * pictures solution.png, reference.png, error.png are replaced by labelled ones).  Any file
 * run_dir/report-*.html is included as an extra section (model-specific diagnostics). */
pinn_status pinn_report_write(const char *run_dir, pinn_error *err);

/* Write the solution, reference and error on the evaluation grid as VTK XML ImageData for
 * ParaView: without a time coordinate one run_dir/fields.vti; with time one .vti per time
 * value of the grid under run_dir/vtk/ and the collection run_dir/fields.pvd (time as a series).
 * Arrays are Float64, base64-encoded inline; "inside" (UInt8) marks points in the domain.
 * PINN_ERR_UNSUPPORTED when the grid is not a tensor grid (e.g. a CSV reference's points). */
pinn_status pinn_report_vtk(const char *run_dir, pinn_error *err);

/* Compare runs: returns in *table (malloc'ed, caller frees) a plain-text table of errors,
 * times and parameter counts, and writes out_dir/compare.html with the table and overlaid loss
 * and error curves (out_dir/compare_loss.svg, compare_error.svg; .png with cairo). */
pinn_status pinn_report_compare(int n_runs, const char *const *run_dirs, const char *out_dir, char **table,
                                pinn_error *err);

/* For language bindings: sizeof(pinn_problem) and sizeof(pinn_real) of this build, and a JSON
 * description of a loaded problem ({"title", "coords", "time", "fields", "params"}) written into
 * buf (n bytes, NUL-terminated); returns the length it needs (like snprintf).  p is a
 * (const pinn_problem *), declared void so that this header needs no other. */
size_t pinn_problem_struct_size(void);
int pinn_real_size(void);
size_t pinn_problem_describe(const void *p, char *buf, size_t n);

#ifdef __cplusplus
}
#endif
#endif
