/* problem_lang.c - the problem-language parts of a problem that are plain data: weight schedules
 * (their names and factors) and the checks of named expressions, equation weights and schedules
 * that pinn_problem_validate runs. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "pinnc.h"

static const char *const ramp_names[PINN_RAMP_COUNT] = {"none", "linear", "step", "exp"};

const char *pinn_ramp_kind_to_string(pinn_ramp_kind k) {
    return (int)k >= 0 && k < PINN_RAMP_COUNT ? ramp_names[k] : "unknown";
}

/* The factor of schedule r at `step`: from before start, to after end, interpolated between. */
double pinn_weight_ramp_factor(const pinn_weight_ramp *r, long step) {
    if (!r || r->kind == PINN_RAMP_NONE) return 1;
    if (step < r->start) return r->from;
    if (r->kind == PINN_RAMP_STEP || step >= r->end) return r->to;
    double s = (double)(step - r->start) / (double)(r->end - r->start);
    if (r->kind == PINN_RAMP_EXP) return r->from * pow(r->to / r->from, s);
    return r->from + (r->to - r->from) * s;
}

/* A schedule's numbers: finite, >= 0 (exp: > 0), start <= end (linear, exp: start < end). */
static int ramp_ok(const pinn_weight_ramp *r) {
    if (r->kind == PINN_RAMP_NONE) return 1;
    if ((int)r->kind < 0 || r->kind >= PINN_RAMP_COUNT) return 0;
    if (!(r->from >= 0 && r->to >= 0 && isfinite(r->from) && isfinite(r->to)) || r->start < 0) return 0;
    if (r->kind == PINN_RAMP_EXP && !(r->from > 0 && r->to > 0)) return 0;
    return r->kind == PINN_RAMP_STEP ? 1 : r->start < r->end;
}

/* Whether name reads as a field derivative (u_x, u_xt, u_n): a definition may not shadow one. */
static int is_deriv_name(const pinn_problem *p, const char *name) {
    const char *us = strchr(name, '_');
    if (!us || !us[1]) return 0;
    int field = 0;
    for (int f = 0; f < p->n_fields; f++)
        if (strlen(p->fields[f]) == (size_t)(us - name) && !strncmp(p->fields[f], name, (size_t)(us - name))) field = 1;
    if (!field) return 0;
    if (!strcmp(us + 1, "n")) return 1;
    for (const char *c = us + 1; *c; c++) {
        int ok = 0;
        for (int i = 0; i < p->domain.d; i++) ok |= p->domain.coord[i][0] == *c && !p->domain.coord[i][1];
        if (!ok) return 0;
    }
    return 1;
}

pinn_status pinn_problem_validate_lang(const pinn_problem *p, const char *f, pinn_error *err) {
    static const char *const reserved[] = {"sin",  "cos",  "tan", "exp",  "log",  "ln",   "sqrt", "tanh", "sinh", "cosh",
                                           "abs",  "sign", "atan", "asin", "acos", "min",  "max",  "lap",  "d",    "div",
                                           "grad", "dot",  "pi",   "e",    "and",  "or",   "not",  NULL};
    if (p->n_defines < 0 || p->n_defines > PINN_MAX_DEFINES)
        return pinn_error_set(err, PINN_ERR_INVALID, "%s:1: define: at most %d definitions", f, PINN_MAX_DEFINES);
    for (int k = 0; k < p->n_defines; k++) {
        const pinn_named_expr *q = &p->defines[k];
        const char *n = q->name, *clash = NULL;
        int ok = (n[0] >= 'a' && n[0] <= 'z') || (n[0] >= 'A' && n[0] <= 'Z');
        for (const char *c = n; *c; c++)
            ok &= (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') || *c == '_';
        if (!ok)
            return pinn_error_set(err, PINN_ERR_INVALID, "%s:%d: define: '%s' is not a name (letters, digits and '_')", f,
                                  q->line, n);
        for (int i = 0; reserved[i]; i++)
            if (!strcmp(n, reserved[i])) clash = "a function or a built-in name";
        for (int i = 0; i < p->domain.d; i++)
            if (!strcmp(n, p->domain.coord[i])) clash = "a coordinate";
        for (int i = 0; i < p->n_fields; i++)
            if (!strcmp(n, p->fields[i])) clash = "a field";
        for (int i = 0; i < p->n_consts; i++)
            if (!strcmp(n, p->consts[i].name)) clash = "a constant";
        for (int i = 0; i < p->n_params; i++)
            if (!strcmp(n, p->params[i].name)) clash = "a parameter";
        for (int j = 0; j < k; j++)
            if (!strcmp(n, p->defines[j].name)) clash = "another definition";
        if (!clash && is_deriv_name(p, n)) clash = "a field derivative";
        if (clash)
            return pinn_error_set(err, PINN_ERR_INVALID, "%s:%d: define.%s: the name is already %s (pick another)", f,
                                  q->line, n, clash);
    }
    for (int q = 0; q < p->n_equations; q++) {
        if (!(p->eq_weight[q] >= 0) || !isfinite(p->eq_weight[q]))
            return pinn_error_set(err, PINN_ERR_INVALID, "%s:%d: equation %d: weight: expected a number >= 0", f,
                                  p->equations[q].line, q + 1);
        if (!ramp_ok(&p->eq_ramp[q]))
            return pinn_error_set(err, PINN_ERR_INVALID,
                                  "%s:%d: equation %d: weight_schedule: expected from, to >= 0 (> 0 for exp) and "
                                  "0 <= start < end",
                                  f, p->equations[q].line, q + 1);
    }
    for (int c = 0; c < p->n_conditions; c++) {
        const pinn_condition *cd = &p->conditions[c];
        if (!ramp_ok(&cd->ramp))
            return pinn_error_set(err, PINN_ERR_INVALID,
                                  "%s:%d: condition '%s': weight_schedule: expected from, to >= 0 (> 0 for exp) and "
                                  "0 <= start < end",
                                  f, cd->line, cd->name);
        if (cd->kind != PINN_COND_DATA && (cd->observe[0] || cd->anchor || cd->columns[0]))
            return pinn_error_set(err, PINN_ERR_INVALID, "%s:%d: condition '%s': observe, columns and anchor go with 'data'",
                                  f, cd->line, cd->name);
    }
    return PINN_OK;
}
