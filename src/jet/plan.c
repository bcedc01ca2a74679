/* plan.c - derivative plans: the downward closure of requested multi-indices, and the tables of
 * Faà di Bruno set-partition terms and Leibniz binomial terms, built once per plan.
 *
 * For a stream alpha of total order k, write alpha as a list of k "slots", each naming one input
 * (alpha = (1,2) -> slots t,x,x).  Then for z = f(h)
 *     d^alpha z = sum over set partitions P of the slots of  f^(|P|)(h) * prod_{B in P} d^{alpha_B} h
 * where alpha_B counts the inputs of the slots in block B.  Partitions giving the same multiset of
 * block multi-indices are merged into one term with an integer coefficient. */
#include <stdlib.h>
#include <string.h>

#include "jet/plan.h"

static int alpha_cmp(const int *a, const int *b, int d) {
    int oa = 0, ob = 0;
    for (int i = 0; i < d; i++) oa += a[i], ob += b[i];
    if (oa != ob) return oa - ob;
    for (int i = 0; i < d; i++)
        if (a[i] != b[i]) return b[i] - a[i];
    return 0;
}

int pinn_plan_index(const pinn_plan *p, const int *alpha) {
    for (int i = p->d; i < PINN_MAX_INPUTS; i++)
        if (alpha[i]) return -1;
    for (int s = 0; s < p->S; s++)
        if (memcmp(p->alpha[s], alpha, sizeof p->alpha[s]) == 0) return s;
    return -1;
}

int pinn_plan_size(const pinn_plan *p) { return p->S; }
int pinn_plan_inputs(const pinn_plan *p) { return p->d; }
int pinn_plan_order(const pinn_plan *p) { return p->order; }
const int *pinn_plan_alpha(const pinn_plan *p, int s) { return p->alpha[s]; }
int pinn_plan_fdb_terms(const pinn_plan *p, int s) { return p->fdb_start[s + 1] - p->fdb_start[s]; }

void pinn_plan_free(pinn_plan *p) {
    if (!p) return;
    free(p->alpha);
    free(p->ord);
    free(p->fdb_start);
    free(p->fdb);
    free(p->leib_start);
    free(p->leib);
    free(p);
}

/* Enumerates every multi-index <= some requested one into list (deduplicated); returns count. */
static int closure(int d, int n_req, const int *req, int (*list)[PINN_MAX_INPUTS], int cap) {
    int n = 0;
    int zero[PINN_MAX_INPUTS] = {0};
    memcpy(list[n++], zero, sizeof zero);
    for (int r = 0; r < n_req; r++) {
        const int *top = req + (size_t)r * PINN_MAX_INPUTS;
        int cur[PINN_MAX_INPUTS] = {0};
        for (;;) {
            int found = 0;
            for (int j = 0; j < n && !found; j++) found = memcmp(list[j], cur, sizeof cur) == 0;
            if (!found && n < cap) memcpy(list[n++], cur, sizeof cur);
            int i = 0; /* odometer increment within the box cur <= top */
            while (i < d && cur[i] == top[i]) cur[i++] = 0;
            if (i == d) break;
            cur[i]++;
        }
    }
    return n;
}

/* Adds the term (k, sorted idx) to stream s's list, merging equal ones. */
static void fdb_add(pinn_fdb_term *terms, int *count, int k, int *idx) {
    for (int a = 1; a < k; a++) /* insertion sort of block stream indices */
        for (int b = a; b > 0 && idx[b - 1] > idx[b]; b--) {
            int t = idx[b];
            idx[b] = idx[b - 1];
            idx[b - 1] = t;
        }
    for (int j = 0; j < *count; j++)
        if (terms[j].k == k && memcmp(terms[j].idx, idx, sizeof(int) * (size_t)k) == 0) {
            terms[j].coef++;
            return;
        }
    pinn_fdb_term *t = &terms[(*count)++];
    memset(t, 0, sizeof *t);
    t->coef = 1;
    t->k = k;
    memcpy(t->idx, idx, sizeof(int) * (size_t)k);
}

/* Walks all set partitions of the k slots (restricted growth strings) and records their terms. */
static int fdb_stream(const pinn_plan *p, int s, pinn_fdb_term *out) {
    int slots[PINN_MAX_ORDER], k = 0, count = 0;
    for (int i = 0; i < p->d; i++)
        for (int m = 0; m < p->alpha[s][i]; m++) slots[k++] = i;
    int rgs[PINN_MAX_ORDER] = {0}, mx[PINN_MAX_ORDER] = {0};
    for (;;) {
        int nb = 0;
        for (int i = 0; i < k; i++) nb = rgs[i] + 1 > nb ? rgs[i] + 1 : nb;
        int blk[PINN_MAX_ORDER][PINN_MAX_INPUTS];
        memset(blk, 0, sizeof blk);
        for (int i = 0; i < k; i++) blk[rgs[i]][slots[i]]++;
        int idx[PINN_MAX_ORDER];
        for (int b = 0; b < nb; b++) idx[b] = pinn_plan_index(p, blk[b]);
        fdb_add(out, &count, nb, idx);
        /* next restricted growth string: rgs[0] = 0, rgs[i] <= 1 + max(rgs[0..i-1]) */
        int i = k - 1;
        while (i > 0 && rgs[i] == mx[i] + 1) i--;
        if (i <= 0) break;
        rgs[i]++;
        for (int j = i + 1; j < k; j++) {
            rgs[j] = 0;
            mx[j] = mx[j - 1] > rgs[j - 1] ? mx[j - 1] : rgs[j - 1];
        }
    }
    return count;
}

static int binom(int n, int k) {
    int r = 1;
    for (int i = 1; i <= k; i++) r = r * (n - k + i) / i;
    return r;
}

/* Builds the plan: closure, sorting, then the two term tables sized exactly before filling. */
pinn_status pinn_plan_init(pinn_plan **out, int d, int n_req, const int *req, pinn_error *err) {
    *out = NULL;
    if (d < 1 || d > PINN_MAX_INPUTS)
        return pinn_error_set(err, PINN_ERR_INVALID, "plan: %d inputs (expected 1..%d)", d, PINN_MAX_INPUTS);
    for (int r = 0; r < n_req; r++) {
        int o = 0;
        for (int i = 0; i < PINN_MAX_INPUTS; i++) {
            int a = req[(size_t)r * PINN_MAX_INPUTS + i];
            if (a < 0 || (i >= d && a != 0))
                return pinn_error_set(err, PINN_ERR_INVALID, "plan: bad multi-index in request %d", r);
            o += a;
        }
        if (o > PINN_MAX_ORDER)
            return pinn_error_set(err, PINN_ERR_INVALID, "plan: derivative order %d exceeds the maximum %d",
                                  o, PINN_MAX_ORDER);
    }
    enum { CAP = 512 }; /* > number of multi-indices with d <= 4, order <= 6 (210) */
    int(*list)[PINN_MAX_INPUTS] = malloc(sizeof(*list) * CAP);
    pinn_plan *p = calloc(1, sizeof *p);
    if (!list || !p) goto nomem;
    int S = closure(d, n_req, req, list, CAP);
    /* sort streams: by order, then lexicographic with higher powers of earlier inputs first */
    for (int a = 1; a < S; a++)
        for (int b = a; b > 0 && alpha_cmp(list[b - 1], list[b], d) > 0; b--) {
            int t[PINN_MAX_INPUTS];
            memcpy(t, list[b], sizeof t);
            memcpy(list[b], list[b - 1], sizeof t);
            memcpy(list[b - 1], t, sizeof t);
        }
    p->d = d;
    p->S = S;
    p->alpha = malloc(sizeof(*p->alpha) * (size_t)S);
    p->ord = malloc(sizeof(int) * (size_t)S);
    p->fdb_start = malloc(sizeof(int) * (size_t)(S + 1));
    p->leib_start = malloc(sizeof(int) * (size_t)(S + 1));
    if (!p->alpha || !p->ord || !p->fdb_start || !p->leib_start) goto nomem;
    memcpy(p->alpha, list, sizeof(*p->alpha) * (size_t)S);
    for (int s = 0; s < S; s++) {
        p->ord[s] = 0;
        for (int i = 0; i < d; i++) p->ord[s] += p->alpha[s][i];
        if (p->ord[s] > p->order) p->order = p->ord[s];
    }
    for (int i = 0; i < PINN_MAX_INPUTS; i++) {
        int e[PINN_MAX_INPUTS] = {0};
        e[i] = 1;
        p->first[i] = i < d ? pinn_plan_index(p, e) : -1;
    }
    /* Faà di Bruno: count with a scratch buffer (Bell(6) = 203 partitions at most per stream) */
    pinn_fdb_term scratch[256];
    int total = 0;
    p->fdb_start[0] = 0;
    for (int s = 0; s < S; s++) {
        total += s == 0 ? 0 : fdb_stream(p, s, scratch);
        p->fdb_start[s + 1] = total;
    }
    p->fdb = malloc(sizeof(pinn_fdb_term) * (size_t)(total > 0 ? total : 1));
    if (!p->fdb) goto nomem;
    for (int s = 1; s < S; s++) fdb_stream(p, s, p->fdb + p->fdb_start[s]);
    /* Leibniz: d^a (fg) = sum_{b <= a} C(a,b) d^b f d^{a-b} g; all b <= a are in a closed plan */
    int nl = 0;
    for (int pass = 0; pass < 2; pass++) {
        nl = 0;
        for (int s = 0; s < S; s++) {
            p->leib_start[s] = nl;
            for (int b = 0; b < S; b++) {
                int c = 1, rest[PINN_MAX_INPUTS] = {0}, ok = 1;
                for (int i = 0; i < d && ok; i++) {
                    if (p->alpha[b][i] > p->alpha[s][i]) ok = 0;
                    else {
                        rest[i] = p->alpha[s][i] - p->alpha[b][i];
                        c *= binom(p->alpha[s][i], p->alpha[b][i]);
                    }
                }
                if (!ok) continue;
                if (pass == 1) {
                    p->leib[nl].coef = c;
                    p->leib[nl].ia = b;
                    p->leib[nl].ib = pinn_plan_index(p, rest);
                }
                nl++;
            }
        }
        p->leib_start[S] = nl;
        if (pass == 0) {
            p->leib = malloc(sizeof(pinn_leib_term) * (size_t)nl);
            if (!p->leib) goto nomem;
        }
    }
    free(list);
    *out = p;
    return PINN_OK;
nomem:
    free(list);
    pinn_plan_free(p);
    return pinn_error_set(err, PINN_ERR_NOMEM, "plan: out of memory");
}
