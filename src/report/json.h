/* json.h - a small JSON reader for the report layer (summary.json of a run directory): parses a
 * document into a flat array of nodes linked as trees; objects keep their key order. */
#ifndef PINN_REPORT_JSON_H
#define PINN_REPORT_JSON_H

#include <stddef.h>

#include "pinnc/core.h"

typedef enum rp_jtype { RP_JNULL = 0, RP_JBOOL, RP_JNUM, RP_JSTR, RP_JARR, RP_JOBJ } rp_jtype;

typedef struct rp_jnode {
    rp_jtype type;
    double num;        /* JNUM, JBOOL (0/1); NaN for null */
    char *str;         /* JSTR: the decoded string */
    char *key;         /* member of an object: its key */
    int first, next;   /* first child, next sibling (-1: none) */
} rp_jnode;

typedef struct rp_json {
    rp_jnode *nodes;   /* node 0 is the root */
    int n, cap;
} rp_json;

/* Parse text into j (zeroed or freed before); PINN_ERR_PARSE names `what` and the byte offset. */
pinn_status rp_json_parse(rp_json *j, const char *text, const char *what, pinn_error *err);
void rp_json_free(rp_json *j);
/* Child of object node obj with the key, or -1. */
int rp_json_get(const rp_json *j, int obj, const char *key);
/* Number at obj.key (NaN when missing or not a number; null reads as NaN). */
double rp_json_num(const rp_json *j, int obj, const char *key);
/* String at obj.key, or "" */
const char *rp_json_str(const rp_json *j, int obj, const char *key);

#endif
