/* config_lang.h - loading the problem-language keys of a problem file (config_lang.c): named
 * expressions (define:), weight schedules, and the extra keys of equations and data conditions. */
#ifndef PINN_IO_CONFIG_LANG_H
#define PINN_IO_CONFIG_LANG_H

#ifdef PINN_HAVE_YAML
#include "io/yamldoc.h"
#include "pinnc.h"

/* The define: section, a mapping of names to expressions (kept as text). */
pinn_status pinn_config_load_defines(ydoc *d, yaml_node_t *n, pinn_problem *p);
/* A weight_schedule: mapping {kind: linear|step|exp, from, to, start, end} into *r. */
pinn_status pinn_config_load_ramp(ydoc *d, yaml_node_t *n, const char *key, pinn_weight_ramp *r);
/* A key of a data condition handled here (observe, column, columns, anchor, weight_schedule);
 * returns 1 with *st set when k was one of them, 0 otherwise. */
int pinn_config_data_key(ydoc *d, const char *k, yaml_node_t *v, pinn_condition *c, pinn_status *st);
/* Compiles every definition by name (so that a cycle is reported from its first member) with all
 * symbols; errors carry file, line and the definition. */
pinn_status pinn_config_check_defines(const pinn_problem *p, const pinn_expr_symbols *sym, pinn_error *err);
/* A constant expression (numbers and the problem's constants) at node v into *out (config_load.c);
 * a parse error or a non-finite value fails with the node's line. */
pinn_status pinn_config_scalar(ydoc *d, yaml_node_t *v, const char *key, const pinn_problem *p, double *out);
#endif

/* The definitions of p as the symbol arrays of pinn_expr_symbols (names[k], texts[k]). */
void pinn_config_def_symbols(const pinn_problem *p, const char **names, const char **texts);

#endif
