/* pinnc/weighting.h - dynamic loss balancing: the weights lambda_j of a loss sum_j lambda_j L_j
 * updated from per-term gradient statistics (MA-, ID-, DN-PINN, with exponential decay, update
 * interval and bias correction) or from the losses alone (ReLoBRaLo).  Each term's gradient is
 * already computed separately by the trainer, so an update costs a few passes over vectors. */
#ifndef PINNC_WEIGHTING_H
#define PINNC_WEIGHTING_H

#include <math.h>

#include "pinnc/core.h"

#ifdef __cplusplus
extern "C" {
#endif

#define PINN_WEIGHT_MAX_TERMS 32

typedef enum pinn_weight_scheme {
    PINN_WEIGHT_FIXED = 0,  /* the terms' fixed weights */
    PINN_WEIGHT_MA,         /* max|g_ref| / (lambda_j^(n-1) mean|g_j|)   (DN-PINN paper eq. 15) */
    PINN_WEIGHT_MA_MEAN,    /* mean|g_ref| / mean|g_j|                   (a variant some codes use) */
    PINN_WEIGHT_ID,         /* s[g_ref] / s[g_j], sample standard deviations (inverse Dirichlet) */
    PINN_WEIGHT_DN,         /* ||g_ref||_p / ||g_j||_p, p = 1, 2 or infinity (DN-PINN) */
    PINN_WEIGHT_RELOBRALO,  /* relative loss balancing with random lookback (losses only) */
    PINN_WEIGHT_SCHEME_COUNT
} pinn_weight_scheme;
const char *pinn_weight_scheme_to_string(pinn_weight_scheme s);
int pinn_weight_scheme_from_string(const char *name); /* -1 if unknown */

typedef struct pinn_weighting_cfg {
    pinn_weight_scheme scheme;
    double beta;          /* exponential decay of lambda (gradient schemes); default 0.99 */
    int every;            /* update interval tau in epochs; default 10 */
    int bias_correction;  /* lambda^(0) = 0 and lambda~ = lambda / (1 - beta^n), n = updates so far */
    double p;             /* DN norm: 1, 2 or INFINITY; default 2 */
    double init;          /* lambda^(0) without bias correction; default 1 */
    int reference;        /* index of the reference term (its weight stays fixed) */
    unsigned char weighted[PINN_WEIGHT_MAX_TERMS]; /* terms whose weights are dynamic */
    double temperature;   /* ReLoBRaLo: softmax temperature T; default 0.1 */
    double alpha;         /* ReLoBRaLo: history weight; default 0.999 */
    double rho;           /* ReLoBRaLo: expected value of the lookback Bernoulli; default 0.999 */
    uint64_t seed;        /* ReLoBRaLo lookback draws */
} pinn_weighting_cfg;

/* Defaults above; every term but term 0 weighted, term 0 the reference. */
void pinn_weighting_cfg_default(pinn_weighting_cfg *c, int n_terms);

typedef struct pinn_weighting {
    pinn_weighting_cfg cfg;
    int n;                              /* terms */
    double fixed[PINN_WEIGHT_MAX_TERMS]; /* the terms' own weights (used by unweighted terms) */
    double lambda[PINN_WEIGHT_MAX_TERMS]; /* running (decayed) lambda */
    double w[PINN_WEIGHT_MAX_TERMS];    /* weights to apply now */
    double stat[PINN_WEIGHT_MAX_TERMS]; /* the statistic of each term's gradient at the last update */
    double hat[PINN_WEIGHT_MAX_TERMS];  /* lambda-hat of the last update */
    double loss0[PINN_WEIGHT_MAX_TERMS], loss_prev[PINN_WEIGHT_MAX_TERMS]; /* ReLoBRaLo */
    long updates;                       /* updates made (the n of bias correction) */
    pinn_rng rng;
} pinn_weighting;

pinn_status pinn_weighting_init(pinn_weighting *w, int n_terms, const double *fixed, const pinn_weighting_cfg *cfg,
                                pinn_error *err);

/* Called once per epoch before the weighted sum: at epochs that are multiples of cfg.every,
 * updates w->w from the per-term gradients grads[j] (length np) and losses.  Returns 1 when the
 * weights changed. */
int pinn_weighting_update(pinn_weighting *w, long epoch, const pinn_real *const *grads, size_t np, const double *losses);

/* The statistic a gradient scheme uses for one vector (max, mean|.|, std, L^p norm). */
double pinn_weighting_stat(pinn_weight_scheme s, double p, int as_reference, const pinn_real *g, size_t np);

#ifdef __cplusplus
}
#endif
#endif
