/* assemble.c - sparse least-squares systems for models linear in some coefficients (ELM,
 * ELM-FBPINN): the rows of every residual (equations, conditions, data, periodic pairs) with
 * respect to those coefficients, straight into a CSR matrix holding only the columns that touch
 * each row's points (pinn_objective_linearize_csr, pinnc/objective.h).  The residual's derivative
 * with respect to the output jet comes from the expression's reverse pass, the jets of each
 * coefficient's basis function from one forward pass per wide group of the model's cover (its
 * basis graph with an identity output layer) or, without one or under an output transform, one
 * forward pass per colour. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "train/lin.h"

pinn_status tr_lin_get(pinn_trainer *t, tr_lin **out, pinn_error *err) {
    if (!t->lin) {
        t->lin = calloc(1, sizeof *t->lin);
        if (!t->lin) return pinn_error_set(err, PINN_ERR_NOMEM, "out of memory");
        const pinn_model_ops *ops = pinn_model_kind(t->model);
        if (ops->linear_cover) {
            pinn_status st = ops->linear_cover(pinn_model_state(t->model), t->graph, &t->lin->cover, err);
            if (st) return st;
            t->lin->has_cover = 1;
        }
    }
    *out = t->lin;
    return PINN_OK;
}

void tr_lin_free(pinn_trainer *t) {
    free(t->lin);
    t->lin = NULL;
}

const pinn_lsq_summary *pinn_trainer_lsq_summary(const pinn_trainer *t) {
    static const pinn_lsq_summary none;
    return t->lin ? &t->lin->sum : &none;
}

pinn_status pinn_objective_cover(pinn_objective *o, const pinn_lin_cover **cover, pinn_error *err) {
    pinn_trainer *t = (pinn_trainer *)o;
    tr_lin *l;
    pinn_status st = tr_lin_get(t, &l, err);
    if (st) return st;
    if (!l->has_cover)
        return pinn_error_set(err, PINN_ERR_UNSUPPORTED, "model kind '%s' is not linear in its coefficients (use elm or elm_fbpinn)",
                              pinn_model_kind(t->model)->kind);
    *cover = &l->cover;
    return PINN_OK;
}

/* One term's part of the assembly. */
typedef struct lin_term {
    const tr_term *tm;
    const pinn_real *x;
    size_t n;             /* points (this part's) */
    size_t first;         /* index of the first of them among the term's points */
    const pinn_real *x_all, *target; /* all the term's points; DATA: this part's targets */
    size_t n_all;
    pinn_term *ev;        /* evaluator (the group's for equations) */
    int S;
    size_t rows, row0;
    double scale;
    unsigned fields;      /* bit f: the residual reads field f */
} lin_term;

static int col_acts_on(const pinn_lin_cover *cv, int c, int f) { return cv->field[c] < 0 || cv->field[c] == f; }

/* Columns of a row: the touching columns of its points (one, or a periodic pair) that act on the
 * fields in mask, sorted, without duplicates; returns how many (written to out when non-NULL). */
static int row_cols(const pinn_lin_cover *cv, const int *a, int na, const int *b, int nb, unsigned mask, int *out) {
    int i = 0, j = 0, n = 0;
    while (i < na || j < nb) {
        int c = j >= nb || (i < na && a[i] <= b[j]) ? a[i] : b[j];
        if (i < na && a[i] == c) i++;
        if (j < nb && b[j] == c) j++;
        int keep = cv->field[c] < 0 ? 1 : (int)((mask >> cv->field[c]) & 1u);
        if (keep) {
            if (out) out[n] = c;
            n++;
        }
    }
    return n;
}

/* Position of column c in row i of M, or -1. */
static int64_t find_col(const pinn_csr *M, int i, int c) {
    int64_t lo = M->row_ptr[i], hi = M->row_ptr[i + 1] - 1;
    while (lo <= hi) {
        int64_t mid = (lo + hi) / 2;
        if (M->col_idx[mid] < c) lo = mid + 1;
        else if (M->col_idx[mid] > c) hi = mid - 1;
        else return mid;
    }
    return -1;
}

/* Rows of term k and where its points and evaluator are: part `part` of `nparts` contiguous
 * shares of the term's points (periodic terms: of its pairs), all of them with one part. */
static void term_setup(pinn_trainer *t, int k, int part, int nparts, lin_term *lt) {
    tr_term *tm = &t->terms[k];
    memset(lt, 0, sizeof *lt);
    lt->tm = tm;
    int pde = tm->kind == TR_PDE;
    lt->x_all = pde ? pinn_pointset_points(t->colloc) : tm->x;
    lt->n_all = pde ? pinn_pointset_count(t->colloc) : tm->n_all;
    size_t unit = tm->kind == TR_PERIODIC ? 2 : 1, units = lt->n_all / unit;
    size_t a = units * (size_t)part / (size_t)nparts * unit, b = units * (size_t)(part + 1) / (size_t)nparts * unit;
    if (part == nparts - 1) b = lt->n_all;
    lt->first = a;
    lt->x = lt->x_all + a * (size_t)t->d;
    lt->n = b - a;
    lt->target = tm->kind == TR_DATA ? tm->target + a * (size_t)t->nf : NULL;
    lt->ev = tm->in_group ? t->grp.term : tm->term;
    const pinn_plan *pl = tm->jplan ? tm->jplan : tm->plan;
    lt->S = pinn_plan_size(pl);
    double denom = tm->kind == TR_PERIODIC ? (double)(lt->n_all / 2) : (double)lt->n_all;
    lt->scale = sqrt(t->weights[k] / (denom > 0 ? denom : 1));
    if (tm->kind == TR_PDE || tm->kind == TR_COND) {
        for (int q = 0; q < tm->n_leaves; q++) lt->fields |= 1u << tm->leaf_field[q];
        lt->rows = lt->n;
    } else {
        lt->fields = (1u << t->nf) - 1;
        if (tm->kind == TR_PERIODIC) lt->rows = lt->n / 2 * (size_t)tm->n_per_streams * (size_t)t->nf;
        else
            for (size_t i = 0; i < lt->n * (size_t)t->nf; i++) lt->rows += !isnan(lt->target[i]);
    }
}

/* Work space of one term: per point its touching columns, sorted (pt) and in colour order (ord). */
typedef struct lin_work {
    int64_t *pt_ptr;      /* n + 1 */
    int *pt_col, *ord;    /* touching entries */
    size_t *cur;          /* per point: next entry of ord */
    size_t *drow;         /* DATA: first row of each point */
    pinn_real *jet, *jet0, *seed; /* [S][n][w], [S][n][w], PDE/COND: [n][S][nf] */
    pinn_real *blk, *gblk;        /* one block's jet and adjoint, [S][block][w] */
} lin_work;

static void work_free(lin_work *w) {
    free(w->pt_ptr), free(w->pt_col), free(w->ord), free(w->cur), free(w->drow);
    free(w->jet), free(w->jet0), free(w->seed), free(w->blk), free(w->gblk);
    memset(w, 0, sizeof *w);
}

/* The pass that computes column c's basis jets: its wide pass (key == wide_pass) or its colour. */
static int pass_of(const int *key, int c) { return key[c]; }

/* The touching columns of every point of the term, and their order by pass (key: the colours, or
 * the wide passes). */
static pinn_status touch_points(pinn_trainer *t, const pinn_lin_cover *cv, const int *key, const lin_term *lt, lin_work *w,
                                pinn_error *err) {
    size_t n = lt->n, tot = 0;
    int *buf = malloc(sizeof(int) * (size_t)(cv->max_touch + 1));
    w->pt_ptr = malloc(sizeof(int64_t) * (n + 1));
    w->cur = malloc(sizeof(size_t) * (n + 1));
    if (!buf || !w->pt_ptr || !w->cur) {
        free(buf);
        return pinn_error_set(err, PINN_ERR_NOMEM, "assembly: out of memory");
    }
    for (size_t p = 0; p < n; p++) w->pt_ptr[p] = (int64_t)tot, tot += (size_t)cv->touching(cv->ctx, lt->x + p * (size_t)t->d, buf);
    w->pt_ptr[n] = (int64_t)tot;
    w->pt_col = malloc(sizeof(int) * (tot + 1));
    w->ord = malloc(sizeof(int) * (tot + 1));
    if (!w->pt_col || !w->ord) {
        free(buf);
        return pinn_error_set(err, PINN_ERR_NOMEM, "assembly: out of memory for %zu entries", tot);
    }
    for (size_t p = 0; p < n; p++) {
        int m = cv->touching(cv->ctx, lt->x + p * (size_t)t->d, w->pt_col + w->pt_ptr[p]);
        int *o = w->ord + w->pt_ptr[p];
        const int *c = w->pt_col + w->pt_ptr[p];
        for (int i = 0; i < m; i++) { /* insertion sort by pass, stable */
            int j = i;
            while (j > 0 && pass_of(key, c[o[j - 1]]) > pass_of(key, c[i])) o[j] = o[j - 1], j--;
            o[j] = i;
        }
        for (int i = 0; i < m; i++) o[i] = c[o[i]]; /* store the column itself */
        w->cur[p] = (size_t)w->pt_ptr[p];
    }
    free(buf);
    return PINN_OK;
}

/* Count (M == NULL) or write the pattern of the term's rows into M from row lt->row0. */
static int64_t term_pattern(const pinn_trainer *t, const pinn_lin_cover *cv, const lin_term *lt, const lin_work *w,
                            pinn_csr *M) {
    const tr_term *tm = lt->tm;
    int64_t nnz = M ? M->row_ptr[lt->row0] : 0;
    size_t row = lt->row0;
    for (size_t p = 0; p < lt->n; p++) {
        const int *a = w->pt_col + w->pt_ptr[p];
        int na = (int)(w->pt_ptr[p + 1] - w->pt_ptr[p]);
        if (tm->kind == TR_PDE || tm->kind == TR_COND) {
            nnz += row_cols(cv, a, na, NULL, 0, lt->fields, M ? M->col_idx + nnz : NULL);
            if (M) M->row_ptr[++row] = nnz;
        } else if (tm->kind == TR_DATA) {
            for (int f = 0; f < t->nf; f++) {
                if (isnan(lt->target[p * (size_t)t->nf + (size_t)f])) continue;
                nnz += row_cols(cv, a, na, NULL, 0, 1u << f, M ? M->col_idx + nnz : NULL);
                if (M) M->row_ptr[++row] = nnz;
            }
        } else if (p % 2 == 0 && p + 1 < lt->n) {
            const int *b = w->pt_col + w->pt_ptr[p + 1];
            int nb = (int)(w->pt_ptr[p + 2] - w->pt_ptr[p + 1]);
            for (int q = 0; q < tm->n_per_streams; q++)
                for (int f = 0; f < t->nf; f++) {
                    nnz += row_cols(cv, a, na, b, nb, 1u << f, M ? M->col_idx + nnz : NULL);
                    if (M) M->row_ptr[++row] = nnz;
                }
        }
    }
    return nnz;
}

/* Residuals and, for equations and conditions, their derivatives with respect to the output jet
 * at every point (seed[p][s][f]), from the jets at the current parameters. */
static void term_residuals(pinn_trainer *t, const lin_term *lt, lin_work *w, pinn_real *gbuf, double *r) {
    tr_term *tm = (tr_term *)lt->tm;
    int S = lt->S, W = t->w_out, nf = t->nf, d = t->d;
    size_t n = lt->n, row = lt->row0;
    const pinn_real *jet = w->jet;
    if (tm->kind == TR_PDE || tm->kind == TR_COND) {
        size_t B = tm->block ? tm->block : 64;
        pinn_real rows[1024];
        if (B > 1024) B = 1024;
        if (tm->kind == TR_PDE) tm->x = (pinn_real *)lt->x_all, tm->n = lt->n_all;
        for (size_t p0 = 0; p0 < n; p0 += B) {
            int nb = (int)(n - p0 < B ? n - p0 : B);
            for (int s = 0; s < S; s++)
                memcpy(w->blk + (size_t)s * nb * W, jet + ((size_t)s * n + p0) * W, sizeof(pinn_real) * (size_t)nb * W);
            memset(w->gblk, 0, sizeof(pinn_real) * (size_t)S * nb * W);
            tr_expr_rows(tm, lt->first + p0, nb, lt->x + p0 * (size_t)d, w->blk, w->gblk, t->P, gbuf, rows);
            for (int p = 0; p < nb; p++) {
                r[row++] = lt->scale * rows[p];
                pinn_real *sd = w->seed + (p0 + (size_t)p) * (size_t)S * nf;
                for (int s = 0; s < S; s++)
                    for (int f = 0; f < nf; f++) sd[s * nf + f] = w->gblk[((size_t)s * nb + p) * W + f];
            }
        }
    } else if (tm->kind == TR_DATA) {
        for (size_t p = 0; p < n; p++) {
            w->drow[p] = row;
            for (int f = 0; f < nf; f++) {
                pinn_real y = lt->target[p * (size_t)nf + (size_t)f];
                if (!isnan(y)) r[row++] = lt->scale * ((double)jet[p * W + f] - y);
            }
        }
    } else
        for (size_t p = 0; p + 1 < n; p += 2)
            for (int q = 0; q < tm->n_per_streams; q++) {
                size_t so = (size_t)tm->per_streams[q] * n * W;
                for (int f = 0; f < nf; f++)
                    r[row++] = lt->scale * ((double)jet[so + p * W + f] - jet[so + (p + 1) * W + f]);
            }
}

/* Where a pass's basis jets are: jet - jet0 in the field's channel (colour passes), or channel
 * chan[c] of the wide graph's jet wj, bw wide. */
typedef struct basis_src {
    const pinn_real *wj;
    int bw;
    const int *chan;
} basis_src;

/* Column c's basis jet for field f at stream-point index sp = s * n + p. */
static double basis_at(const lin_work *w, const basis_src *bs, int W, size_t sp, int f, int c) {
    if (bs->chan) return (double)bs->wj[sp * (size_t)bs->bw + (size_t)bs->chan[c]];
    size_t e = sp * (size_t)W + (size_t)f;
    return (double)w->jet[e] - (double)w->jet0[e];
}

/* Adds pass `pass`'s entries: for every point, its columns of that pass (key), whose basis jets
 * bs gives there. */
static void term_values(const pinn_trainer *t, const pinn_lin_cover *cv, const int *key, const basis_src *bs,
                        const lin_term *lt, lin_work *w, int pass, pinn_csr *M) {
    const tr_term *tm = lt->tm;
    int S = lt->S, W = t->w_out, nf = t->nf;
    size_t n = lt->n;
    for (size_t p = 0; p < n; p++) {
        size_t end = (size_t)w->pt_ptr[p + 1];
        while (w->cur[p] < end && key[w->ord[w->cur[p]]] == pass) {
            int c = w->ord[w->cur[p]++];
            for (int f = 0; f < nf; f++) {
                if (!col_acts_on(cv, c, f)) continue;
                if (tm->kind == TR_PDE || tm->kind == TR_COND) {
                    if (!((lt->fields >> f) & 1u)) continue;
                    int64_t at = find_col(M, (int)(lt->row0 + p), c);
                    const pinn_real *sd = w->seed + p * (size_t)S * nf;
                    double v = 0;
                    for (int s = 0; s < S; s++) v += (double)sd[s * nf + f] * basis_at(w, bs, W, (size_t)s * n + p, f, c);
                    if (at >= 0) M->values[at] += lt->scale * v;
                } else if (tm->kind == TR_DATA) {
                    if (isnan(lt->target[p * (size_t)nf + (size_t)f])) continue;
                    size_t row = w->drow[p];
                    for (int g = 0; g < f; g++) row += !isnan(lt->target[p * (size_t)nf + (size_t)g]);
                    int64_t at = find_col(M, (int)row, c);
                    if (at >= 0) M->values[at] += lt->scale * basis_at(w, bs, W, p, f, c);
                } else {
                    if (p - p % 2 + 1 >= n) continue;
                    double sign = p % 2 ? -1.0 : 1.0;
                    for (int q = 0; q < tm->n_per_streams; q++) {
                        size_t row = lt->row0 + ((p / 2) * (size_t)tm->n_per_streams + (size_t)q) * (size_t)nf + (size_t)f;
                        int64_t at = find_col(M, (int)row, c);
                        if (at >= 0) M->values[at] += sign * lt->scale * basis_at(w, bs, W, (size_t)tm->per_streams[q] * n + p, f, c);
                    }
                }
            }
        }
    }
}

pinn_status pinn_objective_linearize_csr(pinn_objective *o, const pinn_real *params, const pinn_lin_cover *cv,
                                         pinn_csr *M, double *r, pinn_error *err) {
    return tr_linearize_csr_part(o, params, cv, 0, 1, M, r, err);
}

/* The rows of part `part` of `nparts` (each term's points split into contiguous shares); one
 * part: the whole system. */
pinn_status tr_linearize_csr_part(pinn_objective *o, const pinn_real *params, const pinn_lin_cover *cv, int part,
                                  int nparts, pinn_csr *M, double *r, pinn_error *err) {
    pinn_trainer *t = (pinn_trainer *)o;
    if (nparts < 1 || part < 0 || part >= nparts)
        return pinn_error_set(err, PINN_ERR_INVALID, "assembly: part %d of %d", part, nparts);
    memset(M, 0, sizeof *M);
    if (params && params != t->P) memcpy(t->P, params, sizeof(pinn_real) * t->np);
    for (size_t c = 0; c < cv->n_cols; c++)
        if (cv->param[c] >= t->np_net || cv->field[c] >= t->nf || cv->color[c] < 0 || cv->color[c] >= cv->n_colors)
            return pinn_error_set(err, PINN_ERR_INVALID, "assembly: column %zu of the model's cover is out of range", c);
    if (t->nf > 30) return pinn_error_set(err, PINN_ERR_UNSUPPORTED, "assembly: more than 30 fields");
    lin_term lt[TR_MAX_TERMS];
    size_t rows = 0, maxS_n = 1, maxblk = 1;
    for (int k = 0; k < t->n_terms; k++) {
        if (t->terms[k].kind == TR_AUX) {
            lt[k].rows = 0;
            continue;
        }
        term_setup(t, k, part, nparts, &lt[k]);
        lt[k].row0 = rows;
        rows += lt[k].rows;
        if ((size_t)lt[k].S * lt[k].n > maxS_n) maxS_n = (size_t)lt[k].S * lt[k].n;
        if ((size_t)lt[k].S * 1024 > maxblk) maxblk = (size_t)lt[k].S * 1024;
    }
    if (rows > 0x7fffffff || cv->n_cols > 0x7fffffff)
        return pinn_error_set(err, PINN_ERR_UNSUPPORTED, "assembly: %zu rows x %zu columns (at most 2^31 each)", rows, cv->n_cols);
    /* the wide basis (one pass per wide group instead of per colour) when the model has one, its
     * layout is in range and no output transform sits between it and the fields */
    int wide = cv->wide && cv->wide_params && cv->wide_pass && cv->wide_chan && cv->wide_w > 0 &&
               !pinn_model_transformed(t->model);
    for (size_t c = 0; wide && c < cv->n_cols; c++)
        if (cv->field[c] < 0 || cv->wide_pass[c] < 0 || cv->wide_pass[c] >= cv->n_wide_passes || cv->wide_chan[c] < 0 ||
            cv->wide_chan[c] >= cv->wide_w)
            wide = 0;
    const int *key = wide ? cv->wide_pass : cv->color;
    int n_pass = wide ? cv->n_wide_passes : cv->n_colors;
    /* the pattern: count, allocate once, fill */
    lin_work w;
    memset(&w, 0, sizeof w);
    int64_t nnz = 0;
    pinn_status st = PINN_OK;
    for (int k = 0; k < t->n_terms && !st; k++) {
        if (!lt[k].rows) continue;
        if (!(st = touch_points(t, cv, key, &lt[k], &w, err))) nnz += term_pattern(t, cv, &lt[k], &w, NULL);
        work_free(&w);
    }
    if (!st) st = pinn_csr_init(M, (int)rows, (int)cv->n_cols, nnz, err);
    if (st) return st;
    memset(M->values, 0, sizeof(double) * (size_t)(nnz > 0 ? nnz : 1));
    size_t W = (size_t)t->w_out, nf = (size_t)t->nf;
    pinn_real *P0 = malloc(sizeof(pinn_real) * t->np), *Pc = malloc(sizeof(pinn_real) * t->np),
              *gbuf = calloc(t->np, sizeof(pinn_real));
    pinn_real *P2 = wide ? malloc(sizeof(pinn_real) * (cv->wide_np + 1)) : NULL,
              *wj = wide ? malloc(sizeof(pinn_real) * maxS_n * (size_t)cv->wide_w) : NULL;
    pinn_term *ev2 = NULL;
    int64_t *cptr = calloc((size_t)cv->n_colors + 1, sizeof(int64_t));
    size_t *ccol = malloc(sizeof(size_t) * (cv->n_cols + 1));
    w.jet = malloc(sizeof(pinn_real) * maxS_n * W);
    w.jet0 = malloc(sizeof(pinn_real) * maxS_n * W);
    w.seed = malloc(sizeof(pinn_real) * maxS_n * nf);
    w.blk = malloc(sizeof(pinn_real) * maxblk * W);
    w.gblk = malloc(sizeof(pinn_real) * maxblk * W);
    if (!P0 || !Pc || !gbuf || !cptr || !ccol || !w.jet || !w.jet0 || !w.seed || !w.blk || !w.gblk ||
        (wide && (!P2 || !wj))) {
        st = pinn_error_set(err, PINN_ERR_NOMEM, "assembly: out of memory");
        goto done;
    }
    /* columns by colour */
    for (size_t c = 0; c < cv->n_cols; c++) cptr[cv->color[c] + 1]++;
    for (int c = 0; c < cv->n_colors; c++) cptr[c + 1] += cptr[c];
    for (size_t c = 0; c < cv->n_cols; c++) ccol[cptr[cv->color[c]]++] = c;
    for (int c = cv->n_colors; c > 0; c--) cptr[c] = cptr[c - 1];
    cptr[0] = 0;
    memcpy(P0, t->P, sizeof(pinn_real) * t->np);
    memcpy(Pc, t->P, sizeof(pinn_real) * t->np);
    for (size_t c = 0; c < cv->n_cols; c++) Pc[cv->param[c]] = 0;
    M->row_ptr[0] = 0;
    basis_src colour_src = {NULL, 0, NULL}, wide_src = {wj, cv->wide_w, cv->wide_chan};
    for (int k = 0; k < t->n_terms && !st; k++) {
        if (!lt[k].rows) continue;
        lin_term *L = &lt[k];
        pinn_real *keep_jet = w.jet, *keep_jet0 = w.jet0, *keep_seed = w.seed, *keep_blk = w.blk, *keep_gblk = w.gblk;
        w.jet = w.jet0 = w.seed = w.blk = w.gblk = NULL;
        st = touch_points(t, cv, key, L, &w, err);
        w.jet = keep_jet, w.jet0 = keep_jet0, w.seed = keep_seed, w.blk = keep_blk, w.gblk = keep_gblk;
        if (st) break;
        if (L->tm->kind == TR_DATA && !(w.drow = malloc(sizeof(size_t) * (L->n + 1)))) {
            st = pinn_error_set(err, PINN_ERR_NOMEM, "assembly: out of memory");
            break;
        }
        term_pattern(t, cv, L, &w, M);
        pinn_term_predict(L->ev, L->n, L->x, P0, w.jet);      /* current parameters: residuals, seeds */
        term_residuals(t, L, &w, gbuf, r);
        if (wide) { /* one pass per wide group: the basis jets directly */
            const pinn_plan *pl = pinn_term_plan(L->ev);
            if (pinn_plan_size(pl) != L->S) {
                st = pinn_error_set(err, PINN_ERR_INVALID, "assembly: the term's plan has %d streams, expected %d",
                                    pinn_plan_size(pl), L->S);
                break;
            }
            if ((st = pinn_term_init_ctx(&ev2, t->ctx, cv->wide, pl, L->n, 0, cv->wide_np, err))) break;
            for (int g = 0; g < n_pass; g++) {
                cv->wide_params(cv->ctx, P0, g, P2);
                pinn_term_predict(ev2, L->n, L->x, P2, wj);
                term_values(t, cv, key, &wide_src, L, &w, g, M);
            }
            pinn_term_free(ev2);
            ev2 = NULL;
        } else {
            pinn_term_predict(L->ev, L->n, L->x, Pc, w.jet0); /* coefficients at zero */
            for (int c = 0; c < cv->n_colors; c++) {
                for (int64_t q = cptr[c]; q < cptr[c + 1]; q++) Pc[cv->param[ccol[q]]] = 1;
                pinn_term_predict(L->ev, L->n, L->x, Pc, w.jet);
                for (int64_t q = cptr[c]; q < cptr[c + 1]; q++) Pc[cv->param[ccol[q]]] = 0;
                term_values(t, cv, key, &colour_src, L, &w, c, M);
            }
        }
        pinn_real *a = w.jet, *b = w.jet0, *s = w.seed, *bl = w.blk, *gb = w.gblk;
        w.jet = w.jet0 = w.seed = w.blk = w.gblk = NULL;
        work_free(&w);
        w.jet = a, w.jet0 = b, w.seed = s, w.blk = bl, w.gblk = gb;
    }
    if (t->lin) t->lin->passes = n_pass + (wide ? 1 : 2);
    if (!st) {
        M->nnz = nnz;
        M->next_row = (int)rows;
        st = pinn_csr_finish(M, err);
    }
    if (!st) st = tr_check(t, err);
done:
    pinn_term_free(ev2);
    work_free(&w);
    free(P0), free(Pc), free(gbuf), free(cptr), free(ccol), free(P2), free(wj);
    if (st) pinn_csr_free(M);
    return st;
}
