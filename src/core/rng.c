/* rng.c - xoshiro256** generator seeded through splitmix64, uniform/normal/integer deviates.
 * Everything random in pinnc (initialisation, sampling, ReLoBRaLo lookback) draws from a
 * pinn_rng owned by the caller, so one seed reproduces a run bit for bit. */
#include <math.h>

#include "pinnc/core.h"

static uint64_t splitmix64(uint64_t *x) {
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

void pinn_rng_seed(pinn_rng *r, uint64_t seed) {
    uint64_t x = seed;
    for (int i = 0; i < 4; i++) r->s[i] = splitmix64(&x);
    r->has_spare = 0;
    r->spare = 0.0;
}

static inline uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

uint64_t pinn_rng_next(pinn_rng *r) {
    uint64_t *s = r->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

double pinn_rng_uniform(pinn_rng *r) { return (double)(pinn_rng_next(r) >> 11) * 0x1.0p-53; }

double pinn_rng_normal(pinn_rng *r) {
    if (r->has_spare) {
        r->has_spare = 0;
        return r->spare;
    }
    double u, v, q;
    do {
        u = 2.0 * pinn_rng_uniform(r) - 1.0;
        v = 2.0 * pinn_rng_uniform(r) - 1.0;
        q = u * u + v * v;
    } while (q >= 1.0 || q == 0.0);
    double f = sqrt(-2.0 * log(q) / q);
    r->spare = v * f;
    r->has_spare = 1;
    return u * f;
}

/* Lemire-style rejection: uniform in [0, n). */
uint64_t pinn_rng_below(pinn_rng *r, uint64_t n) {
    uint64_t lim = -n % n; /* 2^64 mod n */
    for (;;) {
        uint64_t x = pinn_rng_next(r);
        if (x >= lim) return x % n;
    }
}
