/* losses.c - the pointwise losses of the trainer's terms, as block callbacks for pinn_term:
 * compiled residual expressions (mean squared residual, exact reverse pass into the jet and the
 * PDE parameters), periodic pairs, and data misfits.  Each thread uses its own scratch. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "train/causal.h"
#include "train/trainer.h"

static int tid(void) {
#ifdef _OPENMP
    return omp_get_thread_num();
#else
    return 0;
#endif
}

/* Scratch layout per thread (n = block): leaves[nl][n], dleaves[nl][n], coords[d][n],
 * normals[d][n], r[n], gr[n]. */
pinn_status tr_term_scratch(tr_term *tm, int d, pinn_error *err) {
    tm->n_threads = tm->tr->n_threads;
    tm->scr = calloc((size_t)tm->n_threads, sizeof *tm->scr);
    if (!tm->scr) return pinn_error_set(err, PINN_ERR_NOMEM, "out of memory");
    size_t n = tm->block, nl = (size_t)tm->n_leaves;
    for (int i = 0; i < tm->n_threads; i++) {
        tm->scr[i].buf = malloc(sizeof(pinn_real) * n * (2 * nl + 2 * (size_t)d + 2 + 2 * PINN_MAX_FIELDS));
        if (tm->eq) tm->scr[i].expr = malloc(pinn_expr_scratch_size(tm->eq, n) + 1);
        if (!tm->scr[i].buf || (tm->eq && !tm->scr[i].expr)) return pinn_error_set(err, PINN_ERR_NOMEM, "out of memory");
    }
    return PINN_OK;
}

void tr_term_release(tr_term *tm) {
    if (tm->scr)
        for (int i = 0; i < tm->n_threads; i++) free(tm->scr[i].buf), free(tm->scr[i].expr);
    free(tm->scr);
    tm->scr = NULL;
}

/* Records a failure of this thread's part of a term: the first offending point (global index) and
 * the status (PINN_ERR_NUMERIC for a non-finite value). */
static void note_bad(tr_scratch *sc, pinn_status st, size_t point) {
    if (!sc->status || point < sc->bad) sc->bad = point, sc->bad_net = 0;
    if (!sc->status || st != PINN_ERR_NUMERIC) sc->status = st;
}

/* One pass of a compiled equation over a block: the residual r at each point, then the reverse
 * pass seeded with gr.  Loss mode (rows == NULL): gr = 2 r / n and the mean square is returned.
 * Row mode: gr = 1 and r is copied to rows (for the Jacobian rows of pinn_objective_linearize).
 * Adds d/d(jet) into gj and the PDE parameters' gradient into G + np_net. */
static double expr_pass(tr_term *tm, size_t first, int n, const pinn_real *x, const pinn_real *jet, pinn_real *gj,
                        const pinn_real *P, pinn_real *G, pinn_real *rows) {
    const pinn_trainer *t = tm->tr;
    tr_scratch *sc = &tm->scr[tid()];
    int d = t->d, nf = t->w_out, nl = tm->n_leaves; /* nf: the jet's width (fields, then auxiliary columns) */
    size_t nn = (size_t)n;
    pinn_real *leaves = sc->buf, *dleaves = leaves + (size_t)nl * nn, *coords = dleaves + (size_t)nl * nn,
              *normals = coords + (size_t)d * nn, *r = normals + (size_t)d * nn, *gr = r + nn;
    const pinn_real *lp[TR_MAX_LEAVES], *cp[PINN_MAX_INPUTS], *np_[PINN_MAX_INPUTS];
    pinn_real *dp[TR_MAX_LEAVES];
    for (int k = 0; k < nl; k++) {
        const pinn_real *s = jet + (size_t)tm->leaf_stream[k] * nn * nf;
        if (nf == 1) lp[k] = s;
        else {
            pinn_real *l = leaves + (size_t)k * nn;
            for (size_t p = 0; p < nn; p++) l[p] = s[p * nf + tm->leaf_field[k]];
            lp[k] = l;
        }
        dp[k] = dleaves + (size_t)k * nn;
        memset(dp[k], 0, sizeof(pinn_real) * nn);
    }
    for (int i = 0; i < d; i++) {
        pinn_real *c = coords + (size_t)i * nn;
        for (size_t p = 0; p < nn; p++) c[p] = x[p * d + i];
        cp[i] = c;
        if (tm->normals) {
            pinn_real *m = normals + (size_t)i * nn;
            for (size_t p = 0; p < nn; p++) m[p] = tm->normals[(first + p) * d + i];
            np_[i] = m;
        }
    }
    const pinn_real *pp = P + t->np_net;
    pinn_status st = pinn_expr_eval(tm->eq, nn, cp, lp, tm->normals ? np_ : NULL, pp, r, sc->expr);
    if (st) {
        note_bad(sc, st, first);
        return NAN;
    }
    if (tm->obs) /* an observation: the expression minus the observed values */
        for (size_t p = 0; p < nn; p++) r[p] -= tm->obs[first + p];
    double L = 0, inv = 1.0 / (double)tm->n;
    tr_causal *cz = tm->kind == TR_PDE ? t->causal : NULL;
    if (rows)
        for (size_t p = 0; p < nn; p++) rows[p] = r[p], gr[p] = 1;
    else if (tm->kind == TR_PDE && t->rar_score) { /* RAR scoring: squared residual per collocation point */
        size_t at = (size_t)(x - t->rar_base) / (size_t)d;
        for (size_t p = 0; p < nn; p++) {
            L += (double)r[p] * r[p] * inv;
            gr[p] = (pinn_real)(2.0 * r[p] * inv);
            t->rar_score[at + p] += (double)r[p] * r[p];
        }
    } else if (cz) { /* causal training: chunk weights of the last evaluation; chunk sums for the next */
        int M = cz->cfg.chunks;
        double *acc = cz->acc + (size_t)(tid() < cz->n_threads ? tid() : 0) * 2 * (size_t)M;
        for (size_t p = 0; p < nn; p++) {
            int c = tr_causal_chunk(cz, (double)x[p * d + cz->time]);
            double rr = (double)r[p] * r[p];
            acc[2 * c] += rr, acc[2 * c + 1] += 1;
            L += cz->w[c] * rr * inv;
            gr[p] = (pinn_real)(2.0 * cz->w[c] * r[p] * inv);
        }
    } else
        for (size_t p = 0; p < nn; p++) {
            L += (double)r[p] * r[p] * inv;
            gr[p] = (pinn_real)(2.0 * r[p] * inv);
        }
    if (!isfinite(L) || (rows && !isfinite(r[0])))
        for (size_t p = 0; p < nn; p++)
            if (!isfinite(r[p])) {
                int net_ok = 1; /* the network's jet at the point: finite, or the network overflowed */
                for (int k = 0; k < nl; k++) net_ok &= isfinite(lp[k][p]) != 0;
                note_bad(sc, PINN_ERR_NUMERIC, first + p);
                if (sc->bad == first + p) sc->bad_net = !net_ok;
                break;
            }
    st = pinn_expr_backward(tm->eq, nn, cp, lp, tm->normals ? np_ : NULL, pp, gr, dp, G + t->np_net, sc->expr);
    if (st) note_bad(sc, st, first);
    for (int k = 0; k < nl; k++) {
        pinn_real *g = gj + (size_t)tm->leaf_stream[k] * nn * nf;
        for (size_t p = 0; p < nn; p++) g[p * nf + tm->leaf_field[k]] += dp[k][p];
    }
    return L;
}

/* Mean squared residual of a compiled equation over the term's current points. */
double tr_expr_loss(void *ctx, size_t first, int n, const pinn_real *x, const pinn_plan *plan, const pinn_real *jet,
                    pinn_real *gj, const pinn_real *P, pinn_real *G) {
    (void)plan;
    return expr_pass(ctx, first, n, x, jet, gj, P, G, NULL);
}

/* Residual rows of a compiled equation (row mode of expr_pass). */
void tr_expr_rows(tr_term *tm, size_t first, int n, const pinn_real *x, const pinn_real *jet, pinn_real *gj,
                  const pinn_real *P, pinn_real *G, pinn_real *rows) {
    expr_pass(tm, first, n, x, jet, gj, P, G, rows);
}

/* An auxiliary model column (a regulariser): its mean value over the points; d/d(value) = 1/n. */
double tr_aux_loss(void *ctx, size_t first, int n, const pinn_real *x, const pinn_plan *plan, const pinn_real *jet,
                   pinn_real *gj, const pinn_real *P, pinn_real *G) {
    (void)x, (void)plan, (void)P, (void)G;
    tr_term *tm = ctx;
    int w = tm->tr->w_out, col = tm->aux_col;
    double L = 0, inv = 1.0 / (double)tm->n;
    for (int p = 0; p < n; p++) {
        L += (double)jet[(size_t)p * w + col] * inv;
        gj[(size_t)p * w + col] += (pinn_real)inv;
    }
    if (!isfinite(L))
        for (int p = 0; p < n; p++)
            if (!isfinite(jet[(size_t)p * w + col])) {
                note_bad(&tm->scr[tid()], PINN_ERR_NUMERIC, first + (size_t)p);
                break;
            }
    return L;
}

/* Periodic pairs: points 2k and 2k+1 of a block are partners; every compared stream of every
 * field must agree.  Loss: sum of squared differences / pairs. */
double tr_periodic_loss(void *ctx, size_t first, int n, const pinn_real *x, const pinn_plan *plan,
                        const pinn_real *jet, pinn_real *gj, const pinn_real *P, pinn_real *G) {
    (void)x, (void)plan, (void)P, (void)G;
    tr_term *tm = ctx;
    int nf = tm->tr->w_out, nfields = tm->tr->nf;
    size_t nn = (size_t)n, pairs = tm->n / 2;
    double L = 0;
    for (int k = 0; k < tm->n_per_streams; k++) {
        size_t off = (size_t)tm->per_streams[k] * nn * nf;
        for (size_t p = 0; p + 1 < nn; p += 2)
            for (int f = 0; f < nfields; f++) {
                double dlt = jet[off + p * nf + f] - jet[off + (p + 1) * nf + f];
                L += dlt * dlt / (double)pairs;
                double g = 2 * dlt / (double)pairs;
                gj[off + p * nf + f] += g;
                gj[off + (p + 1) * nf + f] -= g;
                if (!isfinite(dlt)) note_bad(&tm->scr[tid()], PINN_ERR_NUMERIC, first + p);
            }
    }
    return L;
}

/* Data misfit: mean over points of the squared difference for each field that has data. */
double tr_data_loss(void *ctx, size_t first, int n, const pinn_real *x, const pinn_plan *plan, const pinn_real *jet,
                    pinn_real *gj, const pinn_real *P, pinn_real *G) {
    (void)x, (void)plan, (void)P, (void)G;
    tr_term *tm = ctx;
    int nf = tm->tr->nf, w = tm->tr->w_out;
    double L = 0, inv = 1.0 / (double)tm->n;
    for (int p = 0; p < n; p++)
        for (int f = 0; f < nf; f++) {
            pinn_real y = tm->target[(first + (size_t)p) * nf + f];
            if (isnan(y)) continue;
            double dlt = jet[(size_t)p * w + f] - y;
            L += dlt * dlt * inv;
            gj[(size_t)p * w + f] += (pinn_real)(2 * dlt * inv);
            if (!isfinite(dlt)) note_bad(&tm->scr[tid()], PINN_ERR_NUMERIC, first + (size_t)p);
        }
    return L;
}
