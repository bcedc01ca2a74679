/* checkpoint.c - checkpoint.bin: the trainer's state sections (pinn_trainer_state_write) stored in
 * the versioned container of io/ckpt.h (sizes checked, CRC-32, the problem's fingerprint), written
 * atomically with the previous good file kept as checkpoint.bin.prev.  Reading verifies the whole
 * file first and checks every size against the trainer before anything is changed. */
#include <stdlib.h>
#include <string.h>

#include "io/ckpt.h"
#include "run/run.h"

/* The sections of one write: copies of the trainer's arrays, alive until the file is written. */
typedef struct ck_out {
    pinn_ckpt_writer w;
    double *data[PINN_CKPT_MAX_SECTIONS];
} ck_out;

static pinn_status ck_put(void *ctx, const char *name, const double *data, size_t n, pinn_error *err) {
    ck_out *o = ctx;
    if (o->w.n >= PINN_CKPT_MAX_SECTIONS) return pinn_error_set(err, PINN_ERR_INVALID, "checkpoint: too many sections");
    double *copy = malloc(sizeof(double) * (n ? n : 1));
    if (!copy) return pinn_error_set(err, PINN_ERR_NOMEM, "checkpoint: out of memory");
    memcpy(copy, data, sizeof(double) * n);
    int k = o->w.n;
    pinn_status st = pinn_ckpt_add(&o->w, name, PINN_CKPT_F64, n, copy, err);
    if (st) free(copy);
    else o->data[k] = copy;
    return st;
}

/* The trainer's state as file `name` of dir (keep_prev: the previous good one as name.prev). */
static pinn_status write_state(pinn_trainer *t, const char *dir, const char *name, int keep_prev, pinn_error *err) {
    char path[PINN_RUN_PATH];
    pinn_status st = pinn_run_path(path, sizeof path, dir, name, err);
    if (st) return st;
    ck_out *o = calloc(1, sizeof *o);
    if (!o) return pinn_error_set(err, PINN_ERR_NOMEM, "checkpoint: out of memory");
    pinn_ckpt_writer_init(&o->w, pinn_trainer_fingerprint(t));
    pinn_state_io io = {o, ck_put, NULL};
    st = pinn_trainer_state_write(t, &io, err);
    if (!st) st = pinn_ckpt_write(&o->w, path, keep_prev, err);
    for (int k = 0; k < o->w.n; k++) free(o->data[k]);
    free(o);
    return st;
}

pinn_status pinn_run_checkpoint_write(pinn_trainer *t, const char *dir, pinn_error *err) {
    return write_state(t, dir, "checkpoint.bin", 1, err);
}

/* best.bin: the state with the best parameters in place of the current ones (keep the best);
 * nothing when the trainer holds none. */
pinn_status pinn_run_best_write(pinn_trainer *t, const char *dir, pinn_error *err) {
    if (!pinn_trainer_swap_best(t)) return PINN_OK;
    pinn_status st = write_state(t, dir, "best.bin", 0, err);
    pinn_trainer_swap_best(t);
    return st;
}

static pinn_status ck_get(void *ctx, const char *name, double *data, size_t cap, size_t *n, pinn_error *err) {
    return pinn_ckpt_get_var(ctx, name, PINN_CKPT_F64, cap, data, n, err);
}

pinn_status pinn_run_checkpoint_read(pinn_trainer *t, const char *path, int force, pinn_error *err) {
    pinn_ckpt *c = calloc(1, sizeof *c);
    if (!c) return pinn_error_set(err, PINN_ERR_NOMEM, "checkpoint: out of memory");
    pinn_status st = pinn_ckpt_open(c, path, pinn_trainer_fingerprint(t), force, err);
    if (!st) {
        pinn_state_io io = {c, NULL, ck_get};
        st = pinn_trainer_state_read(t, &io, err);
    }
    pinn_ckpt_close(c);
    free(c);
    return st;
}

pinn_status pinn_trainer_load_checkpoint(pinn_trainer *t, const char *path, pinn_error *err) {
    return pinn_run_checkpoint_read(t, path, 0, err);
}
