/* yamldoc.h - internal helpers over a libyaml document: typed access to nodes with error
 * messages that name the file, the line and the expected form, and `--set` overrides applied to the
 * document tree before it is converted. */
#ifndef PINN_IO_YAMLDOC_H
#define PINN_IO_YAMLDOC_H

#ifdef PINN_HAVE_YAML
#include <yaml.h>

#include "pinnc/core.h"

/* Limits on a document (the file and each --set value), checked on the parser's events before
 * the document is composed, so hostile input fails fast: nesting depth, nodes after expanding
 * every alias (an "alias bomb" is refused, not expanded), and text length. */
#define YDOC_MAX_DEPTH 64
#define YDOC_MAX_NODES 100000
#define YDOC_MAX_BYTES (4L << 20)

typedef struct ydoc {
    yaml_document_t doc;
    const char *file;
    int n_orig;           /* nodes 1..n_orig come from the file; later ones from --set values */
    const char **set_of;  /* for --set nodes: the override text, by node index - n_orig - 1 */
    int n_set_nodes, set_cap;
    pinn_error *err;
} ydoc;

/* Where a node came from, for messages: "file:LINE" or "--set a.b=c" (a long path or override
 * is shortened from the front so the reason after it survives). */
void ydoc_where(const ydoc *d, yaml_node_t *n, char *buf, size_t size);
/* Sets the error "WHERE: key: expected FORM, got 'VALUE'" and returns PINN_ERR_INVALID. */
pinn_status ydoc_expected(const ydoc *d, yaml_node_t *n, const char *key, const char *form);
pinn_status ydoc_fail(const ydoc *d, yaml_node_t *n, pinn_status st, const char *key, const char *msg);
int ydoc_line(const ydoc *d, yaml_node_t *n);

yaml_node_t *ydoc_node(ydoc *d, int index);
/* Scalar text of n, or NULL when n is not a scalar. */
const char *ydoc_scalar(yaml_node_t *n);
pinn_status ydoc_int(const ydoc *d, yaml_node_t *n, const char *key, long lo, long hi, long *out);
pinn_status ydoc_real(const ydoc *d, yaml_node_t *n, const char *key, double *out);
pinn_status ydoc_bool(const ydoc *d, yaml_node_t *n, const char *key, int *out);
pinn_status ydoc_str(const ydoc *d, yaml_node_t *n, const char *key, char *out, size_t size);
/* A scalar or a number written as text, kept as text (expressions). */
pinn_status ydoc_expr(const ydoc *d, yaml_node_t *n, const char *key, char *out, size_t size);

/* Checks that every key of mapping n is in allowed (NULL-terminated); unknown keys are errors that
 * suggest the closest allowed key. */
pinn_status ydoc_check_keys(const ydoc *d, yaml_node_t *n, const char *section, const char *const *allowed);

/* Loads path; applies overrides "a.b.c=value" (value parsed as YAML). */
pinn_status ydoc_load(ydoc *d, const char *path, int n_set, const char *const *set, pinn_error *err);
void ydoc_free(ydoc *d);

#endif
#endif
