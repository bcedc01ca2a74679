/* status.c - status names, error reports and the library version. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "pinnc/core.h"

static const char *const status_names[PINN_STATUS_COUNT] = {
    [PINN_OK] = "ok",
    [PINN_ERR_NOMEM] = "out of memory",
    [PINN_ERR_INVALID] = "invalid argument",
    [PINN_ERR_IO] = "input/output error",
    [PINN_ERR_PARSE] = "parse error",
    [PINN_ERR_NUMERIC] = "numerical failure",
    [PINN_ERR_UNSUPPORTED] = "unsupported",
    [PINN_ERR_INTERRUPTED] = "interrupted",
};

/* Returns a static name for s; "unknown status" for values out of range. */
const char *pinn_status_to_string(pinn_status s) {
    if ((int)s < 0 || s >= PINN_STATUS_COUNT) return "unknown status";
    return status_names[s];
}

/* Formats the message into err (truncating) and returns s so callers can `return pinn_error_set(..)`. */
pinn_status pinn_error_set(pinn_error *err, pinn_status s, const char *fmt, ...) {
    if (!err) return s;
    err->status = s;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
    return s;
}

void pinn_error_clear(pinn_error *err) {
    if (!err) return;
    err->status = PINN_OK;
    err->msg[0] = '\0';
}

const char *pinn_version(void) {
#ifdef PINN_VERSION
    return PINN_VERSION;
#else
    return "unknown";
#endif
}
