/* subnets_tape.c - the passes of a point-subset op over one block of n points.
 *
 * Forward: locate the instances covering each point (inactive ones left out; with drop_partial,
 * a point that any inactive instance covers is left out altogether), group the
 * (point, instance) pairs by instance in order of first appearance, and per group: gather the input
 * jet rows and normalise them, (x - c_j) / r_j (linear, so every stream is scaled by 1/r_j and the
 * value also shifted), run the template on a nested tape with instance j's parameters, compute the
 * window jet w_j, and scatter-add the Leibniz product w_j * NN_j into the output jet:
 *     z_alpha[p] += sum_{beta <= alpha} C(alpha, beta) w_beta[p] v_{alpha-beta}[p].
 * Backward (exact reverse): per active group, gather the output adjoint rows, v_bar_{alpha-beta} +=
 * C w_beta z_bar_alpha, and back-propagate the nested tape into instance j's parameter slice.  The
 * input carries no parameters (checked at build), so it receives no adjoint; fixed instances are
 * skipped.  The nested tapes are views over one arena sized for the worst block (nmax points x
 * max_cover instances), laid out group after group: nothing is allocated during a pass.
 * Lockstep (the default; PINN_SUBNETS_BATCH=0, read when the tape is set up, runs group by group
 * instead): the nested tapes of all groups run node by node together (pinn_tapes_forward_jet,
 * pinn_tapes_backward), so each dense layer of the template is one batched product over all the
 * block's subdomains; every group's arithmetic is unchanged. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "jet/graph.h"

struct pinn_subnets_tape {
    const pinn_subnets *sn;
    const pinn_plan *plan;
    int nmax, pmax, gmax, ngroups;
    size_t ppr;            /* nested tape reals per point */
    pinn_real *arena;      /* [pmax * ppr] nested tapes, group after group */
    pinn_tape **views;     /* [gmax] */
    int *slot;             /* [J] group of instance j in this block, -1 otherwise */
    int *inst;             /* [max_cover] locator output */
    int *pinst, *ppt;      /* [pmax] the block's pairs, in point order */
    int *ginst, *gstart, *gcount, *gcur; /* [gmax] groups */
    unsigned char *gfixed; /* [gmax] the instance was fixed in this forward pass */
    int *gp;               /* [pmax] points of the pairs, grouped */
    int *cover;            /* [nmax] instances (not inactive) per point */
    pinn_real *om;         /* [pmax * S] window jets, group g at gstart[g] * S, [S][m] */
    pinn_real *D, *f, *tmp; /* window scratch: [(K+1) nmax], [S nmax], [S nmax] */
    pinn_real *xg;          /* [S nmax dx] gathered input jet for callback windows */
    int batch;              /* lockstep passes (PINN_SUBNETS_BATCH, default on) */
    pinn_tape **bt;         /* [gmax] the tapes of one lockstep pass */
    const pinn_real **bp;   /* [gmax] their parameters */
    pinn_real **bg;         /* [gmax] their gradients */
    pinn_tapes_ws ws;       /* the batched products' pointer arrays */
    size_t bytes;
};

void pinn_subnets_tape_free(pinn_subnets_tape *st) {
    if (!st) return;
    if (st->views)
        for (int g = 0; g < st->gmax; g++) pinn_tape_free(st->views[g]);
    free(st->views);
    free(st->arena);
    free(st->slot);
    free(st->inst);
    free(st->pinst);
    free(st->ppt);
    free(st->ginst);
    free(st->gstart);
    free(st->gcount);
    free(st->gcur);
    free(st->gfixed);
    free(st->gp);
    free(st->cover);
    free(st->om);
    free(st->D);
    free(st->f);
    free(st->tmp);
    free(st->xg);
    free(st->bt);
    free(st->bp);
    free(st->bg);
    pinn_tapes_ws_free(&st->ws);
    free(st);
}

/* Whether sub-network tapes run in lockstep: PINN_SUBNETS_BATCH unset or not "0". */
static int batch_default(void) {
    const char *e = getenv("PINN_SUBNETS_BATCH");
    return !(e && e[0] == '0');
}

void pinn_subnets_tape_set_batch(pinn_subnets_tape *st, int on) { st->batch = on != 0; }

size_t pinn_subnets_tape_bytes(const pinn_subnets_tape *st) { return st->bytes; }

void pinn_subnets_tape_set_gemm(pinn_subnets_tape *st, int kind) {
    for (int g = 0; g < st->gmax; g++) pinn_tape_set_gemm(st->views[g], kind);
}

/* Sizes everything for blocks of at most nmax points. */
pinn_status pinn_subnets_tape_init(pinn_subnets_tape **out, const pinn_subnets *sn, const pinn_plan *plan, int nmax,
                                   pinn_error *err) {
    *out = NULL;
    pinn_subnets_tape *st = calloc(1, sizeof *st);
    if (!st) return pinn_error_set(err, PINN_ERR_NOMEM, "subnets: out of memory");
    size_t S = (size_t)plan->S, pmax = (size_t)nmax * (size_t)sn->max_cover;
    if (pmax > (size_t)1 << 30) {
        free(st);
        return pinn_error_set(err, PINN_ERR_INVALID, "subnets: %d points x %d instances per block is too many", nmax,
                              sn->max_cover);
    }
    st->sn = sn;
    st->plan = plan;
    st->nmax = nmax;
    st->pmax = (int)pmax;
    st->gmax = sn->J < st->pmax ? sn->J : st->pmax;
    st->ppr = pinn_tape_reals_per_point(sn->net, plan);
    size_t G = (size_t)st->gmax, nm = (size_t)nmax;
    st->arena = malloc(sizeof(pinn_real) * (pmax * st->ppr + 1));
    st->views = calloc(G, sizeof *st->views);
    st->slot = malloc(sizeof(int) * (size_t)sn->J);
    st->inst = malloc(sizeof(int) * (size_t)sn->max_cover);
    st->pinst = malloc(sizeof(int) * pmax);
    st->ppt = malloc(sizeof(int) * pmax);
    st->ginst = malloc(sizeof(int) * G);
    st->gstart = malloc(sizeof(int) * G);
    st->gcount = malloc(sizeof(int) * G);
    st->gcur = malloc(sizeof(int) * G);
    st->gfixed = malloc(G);
    st->gp = malloc(sizeof(int) * pmax);
    st->cover = malloc(sizeof(int) * nm);
    st->om = malloc(sizeof(pinn_real) * pmax * S);
    st->D = malloc(sizeof(pinn_real) * (size_t)(plan->order + 1) * nm);
    st->f = malloc(sizeof(pinn_real) * S * nm);
    st->tmp = malloc(sizeof(pinn_real) * S * nm);
    st->xg = malloc(sizeof(pinn_real) * S * nm * (size_t)sn->dx);
    st->batch = batch_default();
    st->bt = malloc(sizeof *st->bt * G);
    st->bp = malloc(sizeof *st->bp * G);
    st->bg = malloc(sizeof *st->bg * G);
    if (!st->bt || !st->bp || !st->bg || pinn_tapes_ws_init(&st->ws, st->gmax, err) != PINN_OK) {
        pinn_subnets_tape_free(st);
        return pinn_error_set(err, PINN_ERR_NOMEM, "subnets: out of memory");
    }
    if (!st->arena || !st->views || !st->slot || !st->inst || !st->pinst || !st->ppt || !st->ginst || !st->gstart ||
        !st->gcount || !st->gcur || !st->gfixed || !st->gp || !st->cover || !st->om || !st->D || !st->f || !st->tmp ||
        !st->xg) {
        pinn_subnets_tape_free(st);
        return pinn_error_set(err, PINN_ERR_NOMEM, "subnets: out of memory (%zu pairs per block)", pmax);
    }
    for (int j = 0; j < sn->J; j++) st->slot[j] = -1;
    st->bytes = sizeof(pinn_real) * (pmax * st->ppr + pmax * S + (size_t)(plan->order + 1) * nm + 2 * S * nm +
                                     S * nm * (size_t)sn->dx) +
                sizeof(int) * ((size_t)sn->J + 3 * pmax + 4 * G + nm + (size_t)sn->max_cover) + G +
                3 * sizeof(void *) * G + pinn_tapes_ws_bytes(&st->ws);
    for (int g = 0; g < st->gmax; g++) {
        pinn_status s = pinn_tape_init_view(&st->views[g], sn->net, plan, err);
        if (s != PINN_OK) {
            pinn_subnets_tape_free(st);
            return s;
        }
        st->bytes += pinn_tape_bytes(st->views[g]);
    }
    *out = st;
    return PINN_OK;
}

/* ------------------------------------------------------------------ windows */

/* d^k/dtheta^k cos(theta) from (cos, sin). */
static inline double cos_deriv(double c, double s, int k) {
    switch (k & 3) {
    case 0: return c;
    case 1: return -s;
    case 2: return -c;
    default: return s;
    }
}

/* Coefficients of the polynomials P_k with d^k s / dz^k = P_k(s) for the logistic s(z), k <= K:
 * P_0 = s, P_{k+1} = P_k'(s) (s - s^2); poly[k][i] is the coefficient of s^i (degree k + 1). */
static void sigmoid_polys(int K, double poly[PINN_MAX_ORDER + 1][PINN_MAX_ORDER + 2]) {
    memset(poly, 0, sizeof(double) * (PINN_MAX_ORDER + 1) * (PINN_MAX_ORDER + 2));
    poly[0][1] = 1;
    for (int k = 0; k < K; k++)
        for (int i = 1; i <= k + 1; i++) { /* i c s^(i-1) (s - s^2) = i c s^i - i c s^(i+1) */
            poly[k + 1][i] += i * poly[k][i];
            poly[k + 1][i + 1] -= i * poly[k][i];
        }
}

static double poly_at(const double *c, int deg, double s) {
    double v = 0;
    for (int i = deg; i >= 0; i--) v = v * s + c[i];
    return v;
}

/* The window jet om[S][m] of instance j at the group's points pts (x: the op input jet [S][n][dx]). */
static void window_jet(pinn_subnets_tape *st, int j, int m, const int *pts, int n, const pinn_real *x,
                       pinn_real *om) {
    const pinn_subnets *sn = st->sn;
    const pinn_plan *pl = st->plan;
    int S = pl->S, K = pl->order, dx = sn->dx;
    size_t ms = (size_t)m;
    if (sn->window == PINN_WINDOW_ONE) {
        for (size_t q = 0; q < ms; q++) om[q] = 1;
        memset(om + ms, 0, sizeof(pinn_real) * ms * (size_t)(S - 1));
        return;
    }
    if (sn->window == PINN_WINDOW_CALLBACK) {
        for (int s = 0; s < S; s++)
            for (int q = 0; q < m; q++)
                memcpy(st->xg + ((size_t)s * ms + q) * dx, x + ((size_t)s * n + pts[q]) * dx, sizeof(pinn_real) * dx);
        sn->window_fn(sn->window_ctx, j, pl, m, dx, st->xg, om);
        return;
    }
    /* cosine bump phi(u) = ((1 + cos pi u) / 2)^2 = 3/8 + cos(pi u) / 2 + cos(2 pi u) / 8, u = (x - c) / r,
     * so d^k phi / dx^k = (pi / r)^k cos^(k)(pi u) / 2 + (2 pi / r)^k cos^(k)(2 pi u) / 8 */
    const double pi = 3.14159265358979323846;
    double poly[PINN_MAX_ORDER + 1][PINN_MAX_ORDER + 2], binom[PINN_MAX_ORDER + 1][PINN_MAX_ORDER + 1];
    int sig = sn->window == PINN_WINDOW_SIGMOID;
    if (sig) {
        sigmoid_polys(K, poly);
        for (int k = 0; k <= K; k++)
            for (int i = 0; i <= k; i++) binom[k][i] = i == 0 || i == k ? 1 : binom[k - 1][i - 1] + binom[k - 1][i];
    }
    for (int d = 0; d < dx; d++) {
        double c = sn->centre[(size_t)j * dx + d], ir = 1.0 / sn->radius[(size_t)j * dx + d];
        pinn_real *D = st->D, *f = d == 0 ? om : st->f;
        for (int q = 0; sig && q < m; q++) {
            /* phi(u) = s(k (u + 1/2)) s(k (1/2 - u)): Leibniz over the two factors, the chain rule
             * through u = (x - c) / r */
            double u = (x[(size_t)pts[q] * dx + d] - c) * ir, kk = sn->steep;
            double s1 = 1 / (1 + exp(-kk * (u + 0.5))), s2 = 1 / (1 + exp(-kk * (0.5 - u)));
            double g[PINN_MAX_ORDER + 1], h[PINN_MAX_ORDER + 1], a = 1;
            for (int k = 0; k <= K; k++, a *= kk) {
                g[k] = a * poly_at(poly[k], k + 1, s1);
                h[k] = (k & 1 ? -a : a) * poly_at(poly[k], k + 1, s2);
            }
            double scale = 1;
            for (int k = 0; k <= K; k++, scale *= ir) {
                double v = 0;
                for (int i = 0; i <= k; i++) v += binom[k][i] * g[i] * h[k - i];
                D[(size_t)k * ms + q] = (pinn_real)(scale * v);
            }
        }
        for (int q = 0; !sig && q < m; q++) {
            double th = pi * (x[(size_t)pts[q] * dx + d] - c) * ir, c1 = cos(th), s1 = sin(th);
            double c2 = c1 * c1 - s1 * s1, s2 = 2 * s1 * c1, a1 = 1, a2 = 1;
            D[q] = (pinn_real)(0.375 + 0.5 * c1 + 0.125 * c2);
            for (int k = 1; k <= K; k++) {
                a1 *= pi * ir, a2 *= 2 * pi * ir;
                D[(size_t)k * ms + q] = (pinn_real)(0.5 * a1 * cos_deriv(c1, s1, k) + 0.125 * a2 * cos_deriv(c2, s2, k));
            }
        }
        /* Faa di Bruno for phi(x_d): the input is affine, so only the all-singletons term survives,
         * phi^(|alpha|) prod_slots d x_d / d x_slot, and its order-1 rows are the same at every point */
        memcpy(f, D, sizeof(pinn_real) * ms);
        for (int s = 1; s < S; s++) {
            pinn_real *F = f + (size_t)s * ms;
            memset(F, 0, sizeof(pinn_real) * ms);
            for (int t = pl->fdb_start[s]; t < pl->fdb_start[s + 1]; t++) {
                const pinn_fdb_term *ft = &pl->fdb[t];
                if (ft->k < pl->ord[s]) continue;
                const pinn_real *Dk = D + (size_t)ft->k * ms;
                pinn_real prod = (pinn_real)ft->coef;
                for (int b = 0; b < ft->k; b++) prod *= x[((size_t)ft->idx[b] * n + pts[0]) * dx + d];
                for (int q = 0; q < m; q++) F[q] += prod * Dk[q];
            }
        }
        if (d == 0) continue;
        /* om = om * phi_d (Leibniz) */
        memset(st->tmp, 0, sizeof(pinn_real) * ms * (size_t)S);
        for (int s = 0; s < S; s++)
            for (int t = pl->leib_start[s]; t < pl->leib_start[s + 1]; t++) {
                const pinn_leib_term *lt = &pl->leib[t];
                const pinn_real *A = om + (size_t)lt->ia * ms, *B = f + (size_t)lt->ib * ms;
                pinn_real cf = (pinn_real)lt->coef, *T = st->tmp + (size_t)s * ms;
                for (int q = 0; q < m; q++) T[q] += cf * A[q] * B[q];
            }
        memcpy(om, st->tmp, sizeof(pinn_real) * ms * (size_t)S);
    }
}

/* ------------------------------------------------------------------ the passes */

/* The block's pairs grouped by instance (st->ngroups, ginst, gstart, gcount, gp, cover). */
static void group_pairs(pinn_subnets_tape *st, int n, const pinn_real *x) {
    const pinn_subnets *sn = st->sn;
    int np = 0, ng = 0, dx = sn->dx;
    for (int p = 0; p < n; p++) {
        int c = pinn_subnets_locate(sn, x + (size_t)p * dx, st->inst, sn->max_cover), cov = 0;
        if (c > sn->max_cover) c = sn->max_cover; /* rounding at a support's edge, where w ~ 0 */
        int partial = 0;
        for (int e = 0; sn->drop_partial && e < c; e++) partial |= sn->state[st->inst[e]] == PINN_SUBNET_INACTIVE;
        if (partial) c = 0; /* left out: as an uncovered point */
        for (int e = 0; e < c; e++) {
            int j = st->inst[e];
            if (sn->state[j] == PINN_SUBNET_INACTIVE) continue;
            st->pinst[np] = j;
            st->ppt[np++] = p;
            cov++;
            if (st->slot[j] < 0) {
                st->slot[j] = ng;
                st->ginst[ng] = j;
                st->gcount[ng++] = 0;
            }
            st->gcount[st->slot[j]]++;
        }
        st->cover[p] = cov;
    }
    for (int g = 0, s = 0; g < ng; s += st->gcount[g], g++) {
        st->gstart[g] = s;
        st->gcur[g] = 0;
        st->gfixed[g] = sn->state[st->ginst[g]] == PINN_SUBNET_FIXED;
    }
    for (int e = 0; e < np; e++) {
        int g = st->slot[st->pinst[e]];
        st->gp[st->gstart[g] + st->gcur[g]++] = st->ppt[e];
    }
    for (int g = 0; g < ng; g++) st->slot[st->ginst[g]] = -1;
    st->ngroups = ng;
}

/* Group g's window jet and its product with the group's network output, scattered into z (with
 * unity also the sum of the windows). */
static void output_add(pinn_subnets_tape *st, const pinn_pass *ps, int g, const pinn_real *x, pinn_real *z) {
    const pinn_subnets *sn = st->sn;
    const pinn_plan *pl = st->plan;
    int n = ps->n, S = ps->S, w = sn->w, wn = sn->w_net;
    int j = st->ginst[g], m = st->gcount[g];
    const int *pts = st->gp + st->gstart[g];
    size_t ms = (size_t)m;
    const pinn_tape *v = st->views[g];
    pinn_real *om = st->om + (size_t)st->gstart[g] * S;
    window_jet(st, j, m, pts, n, x, om);
    /* z += w * v (Leibniz), scattered to the group's points; with unity also sum w */
    const pinn_real *out = pinn_tape_output(v);
    for (int s = 0; s < S; s++) {
        pinn_real *Z = z + (size_t)s * n * w;
        for (int t = pl->leib_start[s]; t < pl->leib_start[s + 1]; t++) {
            const pinn_leib_term *lt = &pl->leib[t];
            const pinn_real *W = om + (size_t)lt->ia * ms, *V = out + (size_t)lt->ib * ms * wn;
            pinn_real cf = (pinn_real)lt->coef;
            for (int q = 0; q < m; q++) {
                pinn_real cw = cf * W[q], *row = Z + (size_t)pts[q] * w;
                const pinn_real *vr = V + (size_t)q * wn;
                for (int c = 0; c < wn; c++) row[c] += cw * vr[c];
            }
        }
        if (sn->unity)
            for (int q = 0; q < m; q++) Z[(size_t)pts[q] * w + wn] += om[(size_t)s * ms + q];
    }
}

void pinn_subnets_forward(pinn_subnets_tape *st, const pinn_pass *ps, const pinn_real *P, const pinn_real *x,
                          pinn_real *z) {
    const pinn_subnets *sn = st->sn;
    int n = ps->n, S = ps->S, w = sn->w, wn = sn->w_net, dx = sn->dx;
    memset(z, 0, sizeof(pinn_real) * (size_t)S * n * w);
    group_pairs(st, n, x);
    for (int g = 0; g < st->ngroups; g++) {
        int j = st->ginst[g], m = st->gcount[g];
        const int *pts = st->gp + st->gstart[g];
        size_t ms = (size_t)m;
        pinn_tape *v = st->views[g];
        const pinn_real *Pj = P + sn->p_off + (size_t)j * sn->np_sub;
        pinn_tape_bind(v, st->arena + (size_t)st->gstart[g] * st->ppr, m);
        pinn_tape_set_general(v, ps->general);
        /* the normalised input jet */
        pinn_real *xin = pinn_tape_input_jet(v);
        const pinn_real *nc = sn->nc + (size_t)j * dx, *nir = sn->nir + (size_t)j * dx;
        for (int s = 0; s < S; s++)
            for (int q = 0; q < m; q++) {
                const pinn_real *src = x + ((size_t)s * n + pts[q]) * dx;
                pinn_real *dst = xin + ((size_t)s * ms + q) * dx;
                if (s == 0)
                    for (int i = 0; i < dx; i++) dst[i] = (src[i] - nc[i]) * nir[i];
                else
                    for (int i = 0; i < dx; i++) dst[i] = src[i] * nir[i];
            }
        if (!st->batch) {
            pinn_tape_forward_jet(v, Pj);
            output_add(st, ps, g, x, z);
        }
        st->bt[g] = v;
        st->bp[g] = Pj;
    }
    if (st->batch) {
        pinn_tapes_forward_jet(st->bt, st->ngroups, st->bp, &st->ws);
        for (int g = 0; g < st->ngroups; g++) output_add(st, ps, g, x, z);
    }
    if (sn->unity) /* uncovered points: sum w reads 1, so the normalised output is 0 */
        for (int p = 0; p < n; p++)
            if (!st->cover[p]) z[(size_t)p * w + wn] = 1;
}

void pinn_subnets_backward(pinn_subnets_tape *st, const pinn_pass *ps, const pinn_real *P, pinn_real *G,
                           const pinn_real *gz) {
    const pinn_subnets *sn = st->sn;
    const pinn_plan *pl = st->plan;
    int n = ps->n, S = ps->S, w = sn->w, wn = sn->w_net, nb = 0;
    for (int g = 0; g < st->ngroups; g++) {
        if (st->gfixed[g]) continue;
        int j = st->ginst[g], m = st->gcount[g];
        const int *pts = st->gp + st->gstart[g];
        size_t ms = (size_t)m;
        pinn_tape *v = st->views[g];
        pinn_tape_zero_grad(v);
        pinn_real *gv = pinn_tape_output_grad(v);
        const pinn_real *om = st->om + (size_t)st->gstart[g] * S;
        for (int s = 0; s < S; s++) {
            const pinn_real *GZ = gz + (size_t)s * n * w;
            for (int t = pl->leib_start[s]; t < pl->leib_start[s + 1]; t++) {
                const pinn_leib_term *lt = &pl->leib[t];
                const pinn_real *W = om + (size_t)lt->ia * ms;
                pinn_real cf = (pinn_real)lt->coef, *GV = gv + (size_t)lt->ib * ms * wn;
                for (int q = 0; q < m; q++) {
                    pinn_real cw = cf * W[q], *dst = GV + (size_t)q * wn;
                    const pinn_real *src = GZ + (size_t)pts[q] * w;
                    for (int c = 0; c < wn; c++) dst[c] += cw * src[c];
                }
            }
        }
        size_t off = sn->p_off + (size_t)j * sn->np_sub;
        if (!st->batch) {
            pinn_tape_backward(v, P + off, G + off);
            continue;
        }
        st->bt[nb] = v;
        st->bp[nb] = P + off;
        st->bg[nb++] = G + off;
    }
    if (st->batch) pinn_tapes_backward(st->bt, nb, st->bp, st->bg, &st->ws);
}
