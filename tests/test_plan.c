/* test_plan.c - derivative plans: downward closure, stream order, Faà di Bruno term counts and
 * coefficients against the known formulas, Leibniz binomials, activation derivative tables. */
#include <string.h>

#include "check.h"
#include "fdcheck.h"
#include "jet/plan.h"

int main(void) {
    pinn_error err;
    pinn_plan *p = NULL;
    /* Burgers: u_t, u_x, u_xx over (t, x) -> {0, t, x, xx} */
    int req[3][PINN_MAX_INPUTS] = {{1, 0}, {0, 1}, {0, 2}};
    CHECK_OK(pinn_plan_init(&p, 2, 3, &req[0][0], &err), err);
    CHECK(pinn_plan_size(p) == 4, "Burgers plan has %d streams", pinn_plan_size(p));
    CHECK(pinn_plan_order(p) == 2, "order %d", pinn_plan_order(p));
    int zero[PINN_MAX_INPUTS] = {0}, xx[PINN_MAX_INPUTS] = {0, 2}, tx[PINN_MAX_INPUTS] = {1, 1};
    CHECK(pinn_plan_index(p, zero) == 0, "value is stream 0");
    CHECK(pinn_plan_index(p, xx) == 3, "u_xx is stream %d", pinn_plan_index(p, xx));
    CHECK(pinn_plan_index(p, tx) == -1, "u_tx not requested but found");
    pinn_plan_free(p);

    /* closure of u_xxy (2,1) in (x,y): {00, 10, 01, 20, 11, 21} */
    int r2[1][PINN_MAX_INPUTS] = {{2, 1}};
    CHECK_OK(pinn_plan_init(&p, 2, 1, &r2[0][0], &err), err);
    CHECK(pinn_plan_size(p) == 6, "closure of (2,1) has %d streams", pinn_plan_size(p));
    /* d^3 f(h)/dx^2 dy: partitions of slots {x,x,y}: 5 partitions, merged into 4 terms */
    CHECK(pinn_plan_fdb_terms(p, pinn_plan_index(p, r2[0])) == 4, "fdb terms %d",
          pinn_plan_fdb_terms(p, pinn_plan_index(p, r2[0])));
    pinn_plan_free(p);

    /* one input, order 4: d^4 f(h) = f' h4 + f''(4 h1 h3 + 3 h2^2) + 6 f''' h1^2 h2 + f'''' h1^4 */
    int r4[1][PINN_MAX_INPUTS] = {{4}};
    CHECK_OK(pinn_plan_init(&p, 1, 1, &r4[0][0], &err), err);
    CHECK(pinn_plan_size(p) == 5, "order-4 closure in 1 input has %d streams", pinn_plan_size(p));
    int s4 = pinn_plan_index(p, r4[0]), coefsum = 0, nterms = pinn_plan_fdb_terms(p, s4);
    CHECK(nterms == 5, "d^4 has %d merged terms (integer partitions of 4 = 5)", nterms);
    for (int t = p->fdb_start[s4]; t < p->fdb_start[s4 + 1]; t++) {
        coefsum += p->fdb[t].coef;
        if (p->fdb[t].k == 2 && p->fdb[t].idx[0] == 2 && p->fdb[t].idx[1] == 2)
            CHECK(p->fdb[t].coef == 3, "coefficient of f'' h2^2 is %d", p->fdb[t].coef);
        if (p->fdb[t].k == 3) CHECK(p->fdb[t].coef == 6, "coefficient of f''' h1^2 h2 is %d", p->fdb[t].coef);
    }
    CHECK(coefsum == 15, "coefficients sum to Bell(4) = 15, got %d", coefsum);
    /* Leibniz: d^4(ab) has 5 terms with binomials 1 4 6 4 1 */
    int lsum = 0;
    for (int t = p->leib_start[s4]; t < p->leib_start[s4 + 1]; t++) lsum += p->leib[t].coef;
    CHECK(lsum == 16 && p->leib_start[s4 + 1] - p->leib_start[s4] == 5, "Leibniz sum %d", lsum);
    pinn_plan_free(p);

    /* four distinct inputs: d^4/dx dy dz dt has Bell(4) = 15 unmerged terms, all distinct */
    int r5[1][PINN_MAX_INPUTS] = {{1, 1, 1, 1}};
    CHECK_OK(pinn_plan_init(&p, 4, 1, &r5[0][0], &err), err);
    CHECK(pinn_plan_size(p) == 16, "closure of (1,1,1,1) has %d streams", pinn_plan_size(p));
    CHECK(pinn_plan_fdb_terms(p, 15) == 15, "mixed 4th derivative has %d terms", pinn_plan_fdb_terms(p, 15));
    pinn_plan_free(p);

    /* full order-6 plan in 4 inputs: C(10,4) = 210 streams, and order 7 is refused */
    pinn_plan *full = fd_full_plan(4, 6);
    CHECK(full && pinn_plan_size(full) == 210, "full order-6 plan in 4 inputs has %d streams",
          full ? pinn_plan_size(full) : -1);
    pinn_plan_free(full);
    int r7[1][PINN_MAX_INPUTS] = {{7}};
    CHECK(pinn_plan_init(&p, 1, 1, &r7[0][0], &err) == PINN_ERR_INVALID && strstr(err.msg, "order"),
          "order 7 accepted: %s", err.msg);
    CHECK(pinn_plan_init(&p, 5, 0, NULL, &err) == PINN_ERR_INVALID, "5 inputs accepted");

    /* activation derivatives against five-point differences of the previous derivative: step
     * 1e-3 in double, 2^-7 in float (x +- h, x +- 2h exact); tolerance 1e-6 relative in double,
     * 1e-4 in float, where rounding contributes ~1.5 eps / h = 2.3e-5 and the worst error seen
     * is 1e-5 (any wrong derivative formula is off by far more) */
    const double tol_fn = PINN_TEST_TOL(1e-6, 1e-4);
    for (int f = 0; f < PINN_FN_COUNT; f++) {
        double pexp = f == PINN_FN_RELUK ? 7 : 2.5;
        pinn_real x[3] = {0.7, 1.1, 1.6}, D[3 * 8], Dq[4][3 * 8], xs[3];
        const double h = PINN_TEST_TOL(1e-3, 0x1p-7), off[4] = {2, 1, -1, -2};
        pinn_fn_derivs((pinn_fn)f, pexp, x, 3, 7, D);
        for (int q = 0; q < 4; q++) {
            for (int i = 0; i < 3; i++) xs[i] = (pinn_real)(x[i] + off[q] * h);
            pinn_fn_derivs((pinn_fn)f, pexp, xs, 3, 7, Dq[q]);
        }
        for (int k = 1; k <= 7; k++)
            for (int i = 0; i < 3; i++) {
                int j = (k - 1) * 3 + i;
                double fd = (-(double)Dq[0][j] + 8.0 * Dq[1][j] - 8.0 * Dq[2][j] + Dq[3][j]) / (12 * h);
                CHECK(fabs(fd - D[k * 3 + i]) <= tol_fn * fmax(1, fabs(fd)), "%s derivative %d at %g: %g vs fd %g",
                      pinn_fn_to_string((pinn_fn)f), k, x[i], D[k * 3 + i], fd);
            }
        CHECK(pinn_fn_from_string(pinn_fn_to_string((pinn_fn)f)) == f, "name table round trip %d", f);
    }
    CHECK(pinn_fn_from_string("silu") == PINN_FN_SWISH && pinn_fn_from_string("nope") == -1, "aliases");
    return CHECK_DONE();
}
