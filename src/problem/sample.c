/* sample.c - unit-cube point sequences: uniform random, Latin hypercube, Sobol' (Joe-Kuo
 * direction numbers, optional random digital shift), Halton (optional Cranley-Patterson
 * rotation) and regular grids, behind one stateful pinn_sequence handle. */
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "pinnc/geom.h"

static const char *const sampler_names[PINN_SAMPLER_COUNT] = {
    [PINN_SAMPLER_UNIFORM] = "uniform", [PINN_SAMPLER_LHS] = "lhs",
    [PINN_SAMPLER_SOBOL] = "sobol",     [PINN_SAMPLER_HALTON] = "halton",
    [PINN_SAMPLER_GRID] = "grid",
};

/* Returns the static name of s, "unknown" when out of range. */
const char *pinn_sampler_to_string(pinn_sampler s) {
    if ((int)s < 0 || s >= PINN_SAMPLER_COUNT) return "unknown";
    return sampler_names[s];
}

/* ASCII case-insensitive string equality. */
static int name_eq(const char *a, const char *b) {
    for (; *a && *b; a++, b++)
        if (tolower((unsigned char)*a) != tolower((unsigned char)*b)) return 0;
    return *a == *b;
}

/* Parses a sampler name; accepts the table names plus "random" and "latin". */
pinn_status pinn_sampler_from_string(const char *name, pinn_sampler *out, pinn_error *err) {
    if (name) {
        for (int i = 0; i < PINN_SAMPLER_COUNT; i++)
            if (name_eq(name, sampler_names[i])) {
                *out = (pinn_sampler)i;
                return PINN_OK;
            }
        if (name_eq(name, "random")) {
            *out = PINN_SAMPLER_UNIFORM;
            return PINN_OK;
        }
        if (name_eq(name, "latin") || name_eq(name, "latin_hypercube")) {
            *out = PINN_SAMPLER_LHS;
            return PINN_OK;
        }
    }
    return pinn_error_set(err, PINN_ERR_INVALID,
                          "unknown sampler '%s' (expected uniform, lhs, sobol, halton or grid)",
                          name ? name : "(null)");
}

/* Joe & Kuo (2008) direction numbers, file new-joe-kuo-6.21201, dimensions 2..21: the degree s
 * of the primitive polynomial, its inner coefficients a (bit s-2 = coefficient of x^(s-1), ...)
 * and the initial odd m_1..m_s.  Dimension 1 is the van der Corput sequence (all m_k = 1).
 * S. Joe and F. Y. Kuo, Constructing Sobol sequences with better two-dimensional projections,
 * SIAM J. Sci. Comput. 30 (2008) 2635-2654; https://web.maths.unsw.edu.au/~fkuo/sobol/ */
static const struct {
    int s, a;
    unsigned m[7];
} joe_kuo[PINN_SEQUENCE_MAX_DIM - 1] = {
    {1, 0, {1}},
    {2, 1, {1, 3}},
    {3, 1, {1, 3, 1}},
    {3, 2, {1, 1, 1}},
    {4, 1, {1, 1, 3, 3}},
    {4, 4, {1, 3, 5, 13}},
    {5, 2, {1, 1, 5, 5, 17}},
    {5, 4, {1, 1, 5, 5, 5}},
    {5, 7, {1, 1, 7, 11, 19}},
    {5, 11, {1, 1, 5, 1, 1}},
    {5, 13, {1, 1, 1, 3, 11}},
    {5, 14, {1, 3, 5, 5, 31}},
    {6, 1, {1, 3, 3, 9, 7, 49}},
    {6, 13, {1, 1, 1, 15, 21, 21}},
    {6, 16, {1, 3, 1, 13, 27, 49}},
    {6, 19, {1, 1, 1, 15, 7, 5}},
    {6, 22, {1, 3, 1, 15, 13, 25}},
    {6, 25, {1, 1, 5, 5, 19, 61}},
    {7, 1, {1, 3, 7, 11, 23, 15, 103}},
    {7, 4, {1, 3, 7, 13, 13, 15, 69}},
};

/* The first primes: Halton bases. */
static const unsigned primes[PINN_SEQUENCE_MAX_DIM] = {2,  3,  5,  7,  11, 13, 17, 19, 23, 29, 31,
                                                       37, 41, 43, 47, 53, 59, 61, 67, 71, 73};

#define SOBOL_BITS 32

struct pinn_sequence {
    pinn_sampler kind;
    int m;
    int randomize;
    pinn_rng rng;
    uint64_t index;                                      /* Sobol/Halton: next point index */
    uint32_t cur[PINN_SEQUENCE_MAX_DIM];                 /* Sobol: point `index`, unshifted */
    uint32_t shift[PINN_SEQUENCE_MAX_DIM];               /* Sobol digital shift */
    uint32_t dir[PINN_SEQUENCE_MAX_DIM][SOBOL_BITS];     /* Sobol direction numbers v_k */
    double rot[PINN_SEQUENCE_MAX_DIM];                   /* Halton rotation */
    pinn_real extent[PINN_SEQUENCE_MAX_DIM];             /* grid aspect */
    size_t fixed[PINN_SEQUENCE_MAX_DIM];                 /* grid fixed counts (0 = free) */
};

/* Converts x in [0,1] to a pinn_real strictly below 1 (guards rounding, e.g. to float). */
static pinn_real unit_real(double x) {
    pinn_real r = (pinn_real)x;
    if (r >= (pinn_real)1) /* the largest pinn_real below 1 */
        r = (pinn_real)1 - (pinn_real)(sizeof(pinn_real) < sizeof(double) ? 0x1.0p-24 : 0x1.0p-53);
    if (!(r >= 0)) r = 0;
    return r;
}

/* Fills the direction numbers dir[j][k] = m_{k+1} 2^(32-k-1) by the Joe-Kuo recurrence
 * m_k = 2 a_1 m_{k-1} xor 4 a_2 m_{k-2} xor ... xor 2^s m_{k-s} xor m_{k-s}. */
static void sobol_directions(pinn_sequence *q) {
    for (int j = 0; j < q->m; j++) {
        uint32_t *v = q->dir[j];
        if (j == 0) {
            for (int k = 0; k < SOBOL_BITS; k++) v[k] = (uint32_t)1 << (SOBOL_BITS - 1 - k);
            continue;
        }
        int s = joe_kuo[j - 1].s, a = joe_kuo[j - 1].a;
        for (int k = 0; k < s && k < SOBOL_BITS; k++)
            v[k] = (uint32_t)joe_kuo[j - 1].m[k] << (SOBOL_BITS - 1 - k);
        for (int k = s; k < SOBOL_BITS; k++) {
            uint32_t x = v[k - s] ^ (v[k - s] >> s);
            for (int i = 1; i < s; i++)
                if ((a >> (s - 1 - i)) & 1) x ^= v[k - i];
            v[k] = x;
        }
    }
}

/* Creates a sequence; draws the random shifts from the seeded generator. */
pinn_status pinn_sequence_init(pinn_sequence **out, pinn_sampler kind, int m, uint64_t seed,
                               const pinn_sequence_opts *opts, pinn_error *err) {
    if (!out) return pinn_error_set(err, PINN_ERR_INVALID, "sequence: NULL output handle");
    *out = NULL;
    if ((int)kind < 0 || kind >= PINN_SAMPLER_COUNT)
        return pinn_error_set(err, PINN_ERR_INVALID, "sequence: unknown sampler %d", (int)kind);
    if (m < 1 || m > PINN_SEQUENCE_MAX_DIM)
        return pinn_error_set(err, PINN_ERR_INVALID,
                              "sequence: dimension %d out of range 1..%d", m,
                              PINN_SEQUENCE_MAX_DIM);
    if (opts && opts->extent)
        for (int k = 0; k < m; k++)
            if (!(opts->extent[k] > 0) || !isfinite((double)opts->extent[k]))
                return pinn_error_set(err, PINN_ERR_INVALID,
                                      "sequence: grid extent %d must be finite and > 0, got %g", k,
                                      (double)opts->extent[k]);
    pinn_sequence *q = calloc(1, sizeof *q);
    if (!q) return pinn_error_set(err, PINN_ERR_NOMEM, "sequence: out of memory");
    q->kind = kind;
    q->m = m;
    q->randomize = opts ? opts->randomize != 0 : 0;
    pinn_rng_seed(&q->rng, seed);
    for (int k = 0; k < m; k++) {
        q->extent[k] = (opts && opts->extent) ? opts->extent[k] : (pinn_real)1;
        q->fixed[k] = (opts && opts->fixed) ? opts->fixed[k] : 0;
    }
    if (kind == PINN_SAMPLER_SOBOL) {
        sobol_directions(q);
        if (q->randomize)
            for (int k = 0; k < m; k++) q->shift[k] = (uint32_t)(pinn_rng_next(&q->rng) >> 32);
        else { /* skip the origin: start at index 1 */
            q->index = 1;
            for (int k = 0; k < m; k++) q->cur[k] = q->dir[k][0];
        }
    } else if (kind == PINN_SAMPLER_HALTON) {
        if (q->randomize)
            for (int k = 0; k < m; k++) q->rot[k] = pinn_rng_uniform(&q->rng);
        else
            q->index = 1;
    }
    *out = q;
    return PINN_OK;
}

void pinn_sequence_free(pinn_sequence *s) { free(s); }
pinn_sampler pinn_sequence_kind(const pinn_sequence *s) { return s->kind; }
int pinn_sequence_dim(const pinn_sequence *s) { return s->m; }

/* Per-coordinate grid counts; see the header for the formula. */
size_t pinn_sequence_grid_counts(int m, size_t n, const pinn_real *extent, const size_t *fixed,
                                 size_t *counts) {
    if (n == 0) {
        for (int k = 0; k < m; k++) counts[k] = 0;
        return 0;
    }
    double nfree = (double)n, eprod = 1.0;
    int mfree = 0;
    for (int k = 0; k < m; k++) {
        if (fixed && fixed[k] > 0) nfree /= (double)fixed[k];
        else {
            mfree++;
            eprod *= extent ? (double)extent[k] : 1.0;
        }
    }
    double s = mfree > 0 ? pow(nfree / eprod, 1.0 / mfree) : 0.0;
    size_t total = 1;
    for (int k = 0; k < m; k++) {
        if (fixed && fixed[k] > 0) counts[k] = fixed[k];
        else {
            double c = nearbyint((extent ? (double)extent[k] : 1.0) * s);
            if (!(c >= 1)) c = 1;
            if (c > (double)n) c = (double)n;
            counts[k] = (size_t)c;
        }
        total *= counts[k];
    }
    return total;
}

/* The grid counts of this sequence for a request of n. */
static size_t seq_grid(const pinn_sequence *s, size_t n, size_t *counts) {
    return pinn_sequence_grid_counts(s->m, n, s->extent, s->fixed, counts);
}

size_t pinn_sequence_count(const pinn_sequence *s, size_t n) {
    if (s->kind != PINN_SAMPLER_GRID) return n;
    size_t counts[PINN_SEQUENCE_MAX_DIM];
    return seq_grid(s, n, counts);
}

/* Radical inverse of i in base b: the digits of i mirrored about the radix point. */
static double radical_inverse(uint64_t i, unsigned b) {
    double r = 0.0, f = 1.0 / b, inv = f;
    while (i > 0) {
        r += (double)(i % b) * f;
        i /= b;
        f *= inv;
    }
    return r;
}

/* Latin hypercube in place: each column is a random permutation of the strata 0..n-1, jittered
 * uniformly inside its stratum. */
static void draw_lhs(pinn_sequence *s, size_t n, pinn_real *out) {
    int m = s->m;
    for (int k = 0; k < m; k++) {
        for (size_t i = 0; i < n; i++) out[i * m + k] = (pinn_real)i;
        for (size_t i = n; i > 1; i--) {
            size_t j = (size_t)pinn_rng_below(&s->rng, i);
            pinn_real t = out[(i - 1) * m + k];
            out[(i - 1) * m + k] = out[j * m + k];
            out[j * m + k] = t;
        }
        for (size_t i = 0; i < n; i++)
            out[i * m + k] =
                unit_real(((double)out[i * m + k] + pinn_rng_uniform(&s->rng)) / (double)n);
    }
}

/* The regular grid of cell centres (or randomly offset cells), last coordinate fastest. */
static void draw_grid(pinn_sequence *s, const size_t *counts, size_t total, pinn_real *out) {
    int m = s->m;
    double off[PINN_SEQUENCE_MAX_DIM];
    for (int k = 0; k < m; k++) off[k] = s->randomize ? pinn_rng_uniform(&s->rng) : 0.5;
    for (size_t i = 0; i < total; i++) {
        size_t rest = i;
        for (int k = m - 1; k >= 0; k--) {
            size_t ik = rest % counts[k];
            rest /= counts[k];
            out[i * m + k] = unit_real(((double)ik + off[k]) / (double)counts[k]);
        }
    }
}

/* Draws the next points of the sequence into out. */
pinn_status pinn_sequence_next(pinn_sequence *s, size_t n, pinn_real *out, size_t *count,
                               pinn_error *err) {
    int m = s->m;
    size_t rows = n;
    if (count) *count = 0;
    if (n > 0 && !out) return pinn_error_set(err, PINN_ERR_INVALID, "sequence: NULL output");
    switch (s->kind) {
    case PINN_SAMPLER_UNIFORM:
        for (size_t i = 0; i < n * (size_t)m; i++) out[i] = unit_real(pinn_rng_uniform(&s->rng));
        break;
    case PINN_SAMPLER_LHS: draw_lhs(s, n, out); break;
    case PINN_SAMPLER_SOBOL: {
        const uint64_t limit = (uint64_t)1 << SOBOL_BITS;
        if (n > limit || s->index > limit - n)
            return pinn_error_set(err, PINN_ERR_INVALID,
                                  "sobol: the sequence is exhausted after 2^%d - 1 points",
                                  SOBOL_BITS);
        for (size_t i = 0; i < n; i++) {
            for (int k = 0; k < m; k++)
                out[i * m + k] = unit_real((double)(s->cur[k] ^ s->shift[k]) * 0x1.0p-32);
            s->index++;
            if (s->index < limit) { /* Gray code: flip the direction of the lowest set bit */
                int c = 0;
                while (!((s->index >> c) & 1)) c++;
                for (int k = 0; k < m; k++) s->cur[k] ^= s->dir[k][c];
            }
        }
        break;
    }
    case PINN_SAMPLER_HALTON:
        for (size_t i = 0; i < n; i++, s->index++)
            for (int k = 0; k < m; k++) {
                double x = radical_inverse(s->index, primes[k]) + s->rot[k];
                if (x >= 1.0) x -= 1.0;
                out[i * m + k] = unit_real(x);
            }
        break;
    case PINN_SAMPLER_GRID: {
        size_t counts[PINN_SEQUENCE_MAX_DIM];
        rows = seq_grid(s, n, counts);
        draw_grid(s, counts, rows, out);
        break;
    }
    default: return pinn_error_set(err, PINN_ERR_INVALID, "sequence: unknown sampler");
    }
    if (count) *count = rows;
    return PINN_OK;
}
