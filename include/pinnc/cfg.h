/* pinnc/cfg.h - a configuration section as plain data: a small tree of scalars, lists and
 * mappings, each node remembering the line it came from.  The YAML loader fills one per
 * model section (src/io); a C user may build one with pinn_cfg_add.  Model kinds read their
 * settings through the typed accessors below, whose errors name file, line, key and the expected
 * form.  The tree is a fixed-size value (no pointers), so a pinn_problem holding it can be copied
 * with plain assignment.  Accessors that take a default store it in the tree when the key is
 * missing, so the tree afterwards holds the resolved section (written back by config.yaml). */
#ifndef PINNC_CFG_H
#define PINNC_CFG_H

#include <stdio.h>

#include "pinnc/core.h"

#ifdef __cplusplus
extern "C" {
#endif

#define PINN_CFG_MAX_NODES 384
#define PINN_CFG_TEXT 16384

typedef enum pinn_cfg_type { PINN_CFG_NONE = 0, PINN_CFG_SCALAR, PINN_CFG_SEQ, PINN_CFG_MAP, PINN_CFG_TYPE_COUNT } pinn_cfg_type;
const char *pinn_cfg_type_to_string(pinn_cfg_type t);

typedef struct pinn_cfg_node {
    int type;        /* pinn_cfg_type */
    int line;        /* line in the file (0: built in C or a default) */
    int key, text;   /* offsets into pool (-1: none): the key in a mapping, a scalar's text */
    int child, last; /* first and last child (-1: none) */
    int next;        /* next sibling (-1: none) */
} pinn_cfg_node;

typedef struct pinn_cfg {
    char file[512];   /* for messages */
    char prefix[32];  /* key path of node 0 for messages, e.g. "model" */
    int n_nodes;
    int used;         /* bytes of pool in use */
    pinn_cfg_node node[PINN_CFG_MAX_NODES];
    char pool[PINN_CFG_TEXT];
} pinn_cfg;

/* An empty tree: node 0, the root, is an empty mapping. */
void pinn_cfg_clear(pinn_cfg *c, const char *file, const char *prefix, int line);
/* Appends a child of parent (key: for a mapping parent, else NULL; text: for scalars).  Returns the
 * new node, or -1 when the tree is full or parent is not a list/mapping. */
int pinn_cfg_add(pinn_cfg *c, int parent, const char *key, pinn_cfg_type type, const char *text, int line);
/* Sets key of mapping node to a scalar (replacing any value); returns the node or -1. */
int pinn_cfg_set(pinn_cfg *c, int node, const char *key, const char *text);
/* Child of a mapping by key, or -1. */
int pinn_cfg_find(const pinn_cfg *c, int node, const char *key);
/* Number of children and the i-th child (-1 when out of range). */
int pinn_cfg_count(const pinn_cfg *c, int node);
int pinn_cfg_item(const pinn_cfg *c, int node, int i);
const char *pinn_cfg_key(const pinn_cfg *c, int node);    /* NULL when none */
const char *pinn_cfg_text(const pinn_cfg *c, int node);   /* NULL unless a scalar */
int pinn_cfg_type_of(const pinn_cfg *c, int node);
int pinn_cfg_line(const pinn_cfg *c, int node);
/* Copies the subtree at src_node of src as a new child of dst_parent (key: as given). */
int pinn_cfg_copy(pinn_cfg *dst, int dst_parent, const char *key, const pinn_cfg *src, int src_node);

/* Error "FILE:LINE: PREFIX.KEY: expected FORM" naming node (or its parent's line when -1). */
pinn_status pinn_cfg_expected(const pinn_cfg *c, int node, const char *key, const char *form, pinn_error *err);
/* Every key of mapping node must be one of allowed (NULL-terminated). */
pinn_status pinn_cfg_check_keys(const pinn_cfg *c, int node, const char *const *allowed, pinn_error *err);

/* Typed reads of key in mapping node.  With a default (has_default != 0) a missing key is stored
 * with that value; without, a missing key is an error. */
pinn_status pinn_cfg_int(pinn_cfg *c, int node, const char *key, long lo, long hi, int has_default, long def, long *out,
                         pinn_error *err);
pinn_status pinn_cfg_real(pinn_cfg *c, int node, const char *key, double lo, double hi, int has_default, double def,
                          double *out, pinn_error *err);
pinn_status pinn_cfg_bool(pinn_cfg *c, int node, const char *key, int has_default, int def, int *out, pinn_error *err);
/* A string scalar into out[size] (too long: an error, never cut). */
pinn_status pinn_cfg_str(pinn_cfg *c, int node, const char *key, const char *def, char *out, size_t size, pinn_error *err);
/* One of names[n]; the default is names[def] (def < 0: required). */
pinn_status pinn_cfg_choice(pinn_cfg *c, int node, const char *key, const char *const *names, int n, int def, int *out,
                            pinn_error *err);
/* A list of integers in [lo, hi] (at most max); def/n_def the default. */
pinn_status pinn_cfg_int_list(pinn_cfg *c, int node, const char *key, long lo, long hi, int max, const int *def, int n_def,
                              int *out, int *count, pinn_error *err);

/* Writes node's children as YAML (block style, indent spaces deep), every scalar double-quoted. */
void pinn_cfg_write_yaml(const pinn_cfg *c, int node, int indent, FILE *f);

#ifdef __cplusplus
}
#endif
#endif
