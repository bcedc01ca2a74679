/* shock.c - the shock metrics of a Buckley-Leverett run (docs/ideas.md), written into
 * summary.json by outputs.c: the shock position of the prediction against the Welge solution's on
 * every time slice of the evaluation grid where the exact shock is inside the domain, and the
 * root-mean-square error of the saturation (the measure Diab & Al Kobaisi report). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "io/files.h"
#include "run/shock.h"

typedef struct xs_pair {
    double x, s;
} xs_pair;

static int by_x(const void *a, const void *b) {
    double d = ((const xs_pair *)a)->x - ((const xs_pair *)b)->x;
    return d < 0 ? -1 : d > 0;
}

/* The shock of one slice: scanning from the largest x, the first crossing of the level `mid`,
 * linearly interpolated; the smallest x when the prediction never reaches it. */
static double shock_of(const xs_pair *q, int m, double mid) {
    for (int k = m - 1; k >= 0; k--)
        if (q[k].s >= mid) {
            if (k == m - 1) return q[k].x;
            double f = (q[k].s - mid) / (q[k].s - q[k + 1].s);
            return q[k].x + f * (q[k + 1].x - q[k].x);
        }
    return m ? q[0].x : NAN;
}

/* Fills *r from the evaluation grid of v (a t-x problem with the buckley_leverett reference);
 * r->ok = 0 when the run is not one, or has no slice with the shock inside. */
pinn_status pinn_run_shock(const pinn_trainer_info *v, pinn_run_shock_result *r, pinn_error *err) {
    const pinn_problem *p = v->problem;
    r->ok = 0;
    if (p->reference.kind != PINN_REFK_BUCKLEY_LEVERETT || !v->ref || v->d != 2 || p->domain.time < 0 || v->n_fields != 1) return PINN_OK;
    int it = p->domain.time, ix = 1 - it, nt = v->grid_dims[it];
    pinn_ref_bl o;
    pinn_ref_bl_wave w;
    pinn_ref_bl_default(&o);
    if (p->reference.mobility > 0) o.M = p->reference.mobility;
    pinn_status st = pinn_ref_bl_wave_solve(&o, &w, err);
    if (st || nt < 2) return st;
    double t0 = p->domain.lo[it], t1 = p->domain.hi[it], x0 = p->domain.lo[ix], x1 = p->domain.hi[ix];
    xs_pair *q = malloc(sizeof *q * (v->n_eval + 1));
    int *cnt = calloc((size_t)nt, sizeof *cnt);
    if (!q || !cnt) {
        free(q), free(cnt);
        return pinn_error_set(err, PINN_ERR_NOMEM, "shock metrics: out of memory");
    }
    double sq = 0, mid = 0.5 * (o.s_init + w.s_shock), sum = 0, best = INFINITY;
    size_t nin = 0;
    for (size_t k = 0; k < v->n_eval; k++)
        if (v->mask[k]) sq += ((double)v->pred[k] - v->ref[k]) * ((double)v->pred[k] - v->ref[k]), nin++;
    r->rmse = nin ? sqrt(sq / (double)nin) : NAN;
    r->slices = 0;
    for (int s = 1; s < nt; s++) {
        double ts = t0 + (t1 - t0) * s / (nt - 1), xe = x0 + w.shock_speed * (ts - t0);
        if (!(xe < x0 + 0.9 * (x1 - x0))) continue;
        int m = 0;
        for (size_t k = 0; k < v->n_eval; k++) {
            double tk = v->eval_x[k * 2 + (size_t)it];
            if (v->mask[k] && fabs(tk - ts) <= 1e-6 * (t1 - t0 + 1)) q[m].x = v->eval_x[k * 2 + (size_t)ix], q[m++].s = v->pred[k];
        }
        if (m < 2) continue;
        qsort(q, (size_t)m, sizeof *q, by_x);
        double xp = shock_of(q, m, mid);
        sum += fabs(xp - xe);
        r->slices++;
        double dm = fabs(ts - (t0 + 0.5 * (t1 - t0)));
        if (dm < best) best = dm, r->t_mid = ts, r->x_exact = xe, r->x_pred = xp;
    }
    free(q), free(cnt);
    if (!r->slices) return PINN_OK;
    r->mean_error = sum / r->slices;
    r->ok = 1;
    return PINN_OK;
}

/* ",\n  \"shock\": {...}" into summary.json when r->ok. */
void pinn_run_shock_json(FILE *f, const pinn_run_shock_result *r) {
    if (!r->ok) return;
    pinn_json_field(f, ",\n  \"shock\": {\"t\": ", r->t_mid);
    pinn_json_field(f, ", \"x_exact\": ", r->x_exact);
    pinn_json_field(f, ", \"x_pred\": ", r->x_pred);
    pinn_json_field(f, ", \"error\": ", fabs(r->x_pred - r->x_exact));
    pinn_json_field(f, ", \"mean_error\": ", r->mean_error);
    fprintf(f, ", \"slices\": %d", r->slices);
    pinn_json_field(f, ", \"rmse\": ", r->rmse);
    fprintf(f, "}");
}
