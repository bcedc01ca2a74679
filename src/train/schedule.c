/* schedule.c - learning-rate schedules (constant, exponential decay, cosine annealing) with an
 * optional linear warmup, and their name table.  See docs/optimizers.md for the formulas. */
#include <ctype.h>
#include <math.h>
#include <string.h>

#include "pinnc/optim.h"

static const char *const schedule_names[PINN_SCHEDULE_COUNT] = {
    [PINN_SCHEDULE_CONSTANT] = "constant",
    [PINN_SCHEDULE_EXPONENTIAL] = "exponential",
    [PINN_SCHEDULE_COSINE] = "cosine",
    [PINN_SCHEDULE_INVERSE_TIME] = "inverse_time",
};

/* Returns the static name of k, "unknown" when out of range. */
const char *pinn_schedule_kind_to_string(pinn_schedule_kind k) {
    if ((int)k < 0 || k >= PINN_SCHEDULE_COUNT) return "unknown";
    return schedule_names[k];
}

/* ASCII case-insensitive equality. */
static int same_word(const char *a, const char *b) {
    for (; *a && *b; a++, b++)
        if (tolower((unsigned char)*a) != tolower((unsigned char)*b)) return 0;
    return *a == *b;
}

/* Looks the name up in the table (plus the short forms "exp" and "cos"). */
pinn_status pinn_schedule_kind_from_string(const char *name, pinn_schedule_kind *out, pinn_error *err) {
    if (!name || !out) return pinn_error_set(err, PINN_ERR_INVALID, "schedule name: NULL argument");
    for (int k = 0; k < PINN_SCHEDULE_COUNT; k++) {
        if (same_word(name, schedule_names[k])) {
            *out = (pinn_schedule_kind)k;
            return PINN_OK;
        }
    }
    if (same_word(name, "exp")) {
        *out = PINN_SCHEDULE_EXPONENTIAL;
        return PINN_OK;
    }
    if (same_word(name, "cos")) {
        *out = PINN_SCHEDULE_COSINE;
        return PINN_OK;
    }
    return pinn_error_set(err, PINN_ERR_PARSE,
                          "unknown learning-rate schedule '%s' (expected constant, exponential, cosine or inverse_time)",
                          name);
}

/* Constant schedule with the documented defaults for the fields other kinds use. */
void pinn_schedule_default(pinn_schedule *s, double lr0) {
    memset(s, 0, sizeof *s);
    s->kind = PINN_SCHEDULE_CONSTANT;
    s->lr0 = lr0;
    s->gamma = 0.9;
    s->decay_steps = 1000;
    s->staircase = 0;
    s->lr_min = 0.0;
    s->total_steps = 10000;
    s->warmup_steps = 0;
}

/* Range checks for the fields the chosen kind reads. */
pinn_status pinn_schedule_validate(const pinn_schedule *s, pinn_error *err) {
    if (!s) return pinn_error_set(err, PINN_ERR_INVALID, "schedule: NULL argument");
    if ((int)s->kind < 0 || s->kind >= PINN_SCHEDULE_COUNT)
        return pinn_error_set(err, PINN_ERR_INVALID, "schedule: unknown kind %d", (int)s->kind);
    if (!(s->lr0 > 0.0) || !isfinite(s->lr0))
        return pinn_error_set(err, PINN_ERR_INVALID, "schedule: lr0 must be a positive number, got %g", s->lr0);
    if (s->warmup_steps < 0)
        return pinn_error_set(err, PINN_ERR_INVALID, "schedule: warmup_steps must be >= 0, got %lld",
                              (long long)s->warmup_steps);
    if (s->kind == PINN_SCHEDULE_EXPONENTIAL) {
        if (!(s->gamma > 0.0 && s->gamma <= 1.0))
            return pinn_error_set(err, PINN_ERR_INVALID, "schedule: gamma must be in (0, 1], got %g", s->gamma);
        if (s->decay_steps <= 0)
            return pinn_error_set(err, PINN_ERR_INVALID, "schedule: decay_steps must be > 0, got %lld",
                                  (long long)s->decay_steps);
    } else if (s->kind == PINN_SCHEDULE_INVERSE_TIME) {
        if (!(s->gamma >= 0.0) || !isfinite(s->gamma))
            return pinn_error_set(err, PINN_ERR_INVALID, "schedule: gamma must be >= 0, got %g", s->gamma);
        if (s->decay_steps <= 0)
            return pinn_error_set(err, PINN_ERR_INVALID, "schedule: decay_steps must be > 0, got %lld",
                                  (long long)s->decay_steps);
    } else if (s->kind == PINN_SCHEDULE_COSINE) {
        if (!(s->lr_min >= 0.0 && s->lr_min <= s->lr0))
            return pinn_error_set(err, PINN_ERR_INVALID, "schedule: lr_min must be in [0, lr0], got %g",
                                  s->lr_min);
        if (s->total_steps <= 0)
            return pinn_error_set(err, PINN_ERR_INVALID, "schedule: total_steps must be > 0, got %lld",
                                  (long long)s->total_steps);
    }
    return PINN_OK;
}

/* Warmup first, then the decay shape on the post-warmup step count. */
double pinn_schedule_lr(const pinn_schedule *s, int64_t step) {
    if (step < 0) step = 0;
    if (s->warmup_steps > 0 && step < s->warmup_steps)
        return s->lr0 * (double)(step + 1) / (double)s->warmup_steps;
    int64_t k = step - s->warmup_steps;
    switch (s->kind) {
    case PINN_SCHEDULE_EXPONENTIAL: {
        double e = s->staircase ? (double)(k / s->decay_steps) : (double)k / (double)s->decay_steps;
        return s->lr0 * pow(s->gamma, e);
    }
    case PINN_SCHEDULE_COSINE: {
        if (k >= s->total_steps) return s->lr_min;
        const double pi = 3.14159265358979323846;
        double c = cos(pi * (double)k / (double)s->total_steps);
        return s->lr_min + 0.5 * (s->lr0 - s->lr_min) * (1.0 + c);
    }
    case PINN_SCHEDULE_INVERSE_TIME: {
        double e = s->staircase ? (double)(k / s->decay_steps) : (double)k / (double)s->decay_steps;
        return s->lr0 / (1.0 + s->gamma * e);
    }
    case PINN_SCHEDULE_CONSTANT:
    default:
        return s->lr0;
    }
}
