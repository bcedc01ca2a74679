/* test_weighting.c - each weighting scheme's update against values computed by hand on a tiny
 * problem, bias correction against its formula, the update interval, and ReLoBRaLo. */
#include <string.h>

#include "check.h"
#include "pinnc.h"
#include "pinnc/weighting.h"

/* g_ref = (3, -4): max 4, mean|.| 3.5, s = sqrt(24.5), L1 7, L2 5, Linf 4.
 * g_1   = (1,  0): mean|.| 0.5, s = sqrt(0.5), L1 = L2 = Linf = 1. */
static const pinn_real gref[2] = {3, -4}, g1[2] = {1, 0};
static const pinn_real *grads[2] = {gref, g1};
static const double losses[2] = {1, 1};

static pinn_weighting make(pinn_weight_scheme s, double beta, int bias, double p) {
    pinn_weighting_cfg c;
    pinn_weighting_cfg_default(&c, 2);
    c.scheme = s, c.beta = beta, c.bias_correction = bias, c.p = p, c.every = 1;
    pinn_weighting w;
    pinn_error err;
    pinn_status st = pinn_weighting_init(&w, 2, NULL, &c, &err);
    CHECK(st == PINN_OK, "init: %s", err.msg);
    return w;
}

int main(void) {
    pinn_weighting w;
    /* DN, L2: hat = 5; lambda = 0.9 * 1 + 0.1 * 5 */
    w = make(PINN_WEIGHT_DN, 0.9, 0, 2);
    pinn_weighting_update(&w, 0, grads, 2, losses);
    CHECK_CLOSE(w.hat[1], 5.0, 1e-15, "DN L2 hat");
    CHECK_CLOSE(w.w[1], 1.4, 1e-15, "DN L2 weight");
    CHECK(w.w[0] == 1.0, "the reference keeps its weight: %g", w.w[0]);
    pinn_weighting_update(&w, 1, grads, 2, losses);
    CHECK_CLOSE(w.w[1], 0.9 * 1.4 + 0.5, 1e-15, "DN second update");
    /* DN L1 and Linf */
    w = make(PINN_WEIGHT_DN, 0.9, 0, 1);
    pinn_weighting_update(&w, 0, grads, 2, losses);
    CHECK_CLOSE(w.hat[1], 7.0, 1e-15, "DN L1 hat");
    w = make(PINN_WEIGHT_DN, 0.9, 0, INFINITY);
    pinn_weighting_update(&w, 0, grads, 2, losses);
    CHECK_CLOSE(w.hat[1], 4.0, 1e-15, "DN Linf hat");
    /* bias correction: lambda^(0) = 0, lambda~ = lambda / (1 - beta^n) */
    w = make(PINN_WEIGHT_DN, 0.9, 1, 2);
    CHECK(w.lambda[1] == 0.0, "bias-corrected lambda starts at 0");
    pinn_weighting_update(&w, 0, grads, 2, losses);
    CHECK_CLOSE(w.lambda[1], 0.5, 1e-15, "raw lambda after one update");
    CHECK_CLOSE(w.w[1], 0.5 / (1 - 0.9), 1e-14, "corrected weight after one update");
    pinn_weighting_update(&w, 1, grads, 2, losses);
    CHECK_CLOSE(w.w[1], (0.9 * 0.5 + 0.5) / (1 - 0.81), 1e-14, "corrected weight after two updates");
    CHECK_CLOSE(w.w[1], 5.0, 1e-13, "a constant hat is reproduced exactly");
    /* ID: sqrt(24.5) / sqrt(0.5) = 7 */
    w = make(PINN_WEIGHT_ID, 0.99, 0, 2);
    pinn_weighting_update(&w, 0, grads, 2, losses);
    CHECK_CLOSE(w.hat[1], 7.0, 1e-14, "ID hat");
    CHECK_CLOSE(w.w[1], 0.99 + 0.07, 1e-14, "ID weight");
    /* MA (eq. 15): max|g_ref| / (lambda^(n-1) mean|g_1|) = 4 / (1 * 0.5) = 8, then 8 / 1.7 */
    w = make(PINN_WEIGHT_MA, 0.9, 0, 2);
    pinn_weighting_update(&w, 0, grads, 2, losses);
    CHECK_CLOSE(w.hat[1], 8.0, 1e-15, "MA hat");
    CHECK_CLOSE(w.w[1], 1.7, 1e-15, "MA weight");
    pinn_weighting_update(&w, 1, grads, 2, losses);
    CHECK_CLOSE(w.hat[1], 8.0 / 1.7, 1e-14, "MA second hat divides by the previous weight");
    /* MA with mean/mean: 3.5 / 0.5 = 7 */
    w = make(PINN_WEIGHT_MA_MEAN, 0.9, 0, 2);
    pinn_weighting_update(&w, 0, grads, 2, losses);
    CHECK_CLOSE(w.hat[1], 7.0, 1e-15, "MA mean/mean hat");
    /* update interval: only at multiples of every */
    pinn_weighting_cfg c;
    pinn_weighting_cfg_default(&c, 2);
    c.scheme = PINN_WEIGHT_DN, c.beta = 0.9, c.every = 10;
    pinn_error err;
    pinn_weighting_init(&w, 2, NULL, &c, &err);
    CHECK(pinn_weighting_update(&w, 3, grads, 2, losses) == 0 && w.w[1] == 1.0, "updated off the interval");
    CHECK(pinn_weighting_update(&w, 20, grads, 2, losses) == 1 && w.w[1] != 1.0, "not updated on the interval");
    /* a term not marked weighted keeps its fixed weight */
    double fixed[2] = {1.0, 2.5};
    c.weighted[1] = 0;
    pinn_weighting_init(&w, 2, fixed, &c, &err);
    pinn_weighting_update(&w, 0, grads, 2, losses);
    CHECK(w.w[1] == 2.5, "fixed weight changed: %g", w.w[1]);
    /* ReLoBRaLo with rho = 1 (always look back), alpha = 0.5, T = 1: losses (1,1) then (2,1)
     * give balance 2 * softmax(2, 1) = (2e/(e+1), 2/(e+1)); weights 0.5 * 1 + 0.5 * balance */
    pinn_weighting_cfg_default(&c, 2);
    c.scheme = PINN_WEIGHT_RELOBRALO, c.rho = 1, c.alpha = 0.5, c.temperature = 1, c.every = 1;
    pinn_weighting_init(&w, 2, NULL, &c, &err);
    double l0[2] = {1, 1}, l1[2] = {2, 1};
    pinn_weighting_update(&w, 0, grads, 2, l0);
    pinn_weighting_update(&w, 1, grads, 2, l1);
    double E = exp(1.0);
    CHECK_CLOSE(w.w[0], 0.5 + 0.5 * 2 * E / (E + 1), 1e-14, "ReLoBRaLo weight 0");
    CHECK_CLOSE(w.w[1], 0.5 + 0.5 * 2 / (E + 1), 1e-14, "ReLoBRaLo weight 1");
    CHECK_CLOSE(w.w[0] + w.w[1], 2.0, 1e-14, "ReLoBRaLo weights sum to the number of terms");
    /* invalid settings */
    c.scheme = PINN_WEIGHT_DN, c.p = 3;
    CHECK(pinn_weighting_init(&w, 2, NULL, &c, &err) == PINN_ERR_INVALID, "p = 3 accepted");
    CHECK(pinn_weight_scheme_from_string("dn") == PINN_WEIGHT_DN && pinn_weight_scheme_from_string("x") == -1, "names");
    return CHECK_DONE();
}
