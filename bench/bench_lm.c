/* bench_lm.c - does a Levenberg-Marquardt phase pay on an MLP PINN?  From one Adam warm start it
 * compares, on CPU time: more Adam, L-BFGS (the trainer's phases), and Levenberg-Marquardt steps
 * on the full residual Jacobian (pinn_objective_linearize over every parameter; the normal
 * equations, or the dual system J J^T when there are fewer rows than parameters, damped by
 * lambda I and solved by Cholesky; a step is kept when the loss drops, lambda /= 3, else
 * lambda *= 4).  Prints one markdown row per method: CPU seconds after the warm start, loss,
 * relative L2 error.
 * usage: bench_lm PROBLEM.yaml ADAM_WARM LM_ITERS LBFGS_ITERS ADAM_MORE [key=value ...] */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pinnc.h"

static double cpu_s(void) { return (double)clock() / CLOCKS_PER_SEC; }

static pinn_trainer *make(const char *file, int n, const char **sets) {
    pinn_problem *p = malloc(sizeof *p);
    pinn_error err;
    pinn_trainer *t = NULL;
    if (pinn_problem_load(p, file, n, sets, &err) || pinn_trainer_init(&t, p, &err)) {
        fprintf(stderr, "%s\n", err.msg);
        t = NULL;
    }
    free(p);
    return t;
}

/* Weighted loss at params (full batch). */
static double loss_at(pinn_objective *o, const pinn_real *P) {
    double L[64];
    pinn_error err;
    if (pinn_objective_eval(o, P, 1, L, NULL, &err)) return INFINITY;
    const double *w = pinn_objective_weights(o);
    double s = 0;
    for (int k = 0; k < pinn_objective_nterms(o); k++) s += w[k] * L[k];
    return s;
}

/* Cholesky solve of the SPD n x n system A x = b in place (A overwritten); 0 on success. */
static int chol_solve(double *A, double *b, size_t n) {
    for (size_t j = 0; j < n; j++) {
        double d = A[j * n + j];
        for (size_t k = 0; k < j; k++) d -= A[j * n + k] * A[j * n + k];
        if (!(d > 0)) return -1;
        d = sqrt(d);
        A[j * n + j] = d;
        for (size_t i = j + 1; i < n; i++) {
            double s = A[i * n + j];
            for (size_t k = 0; k < j; k++) s -= A[i * n + k] * A[j * n + k];
            A[i * n + j] = s / d;
        }
    }
    for (size_t i = 0; i < n; i++) {
        double s = b[i];
        for (size_t k = 0; k < i; k++) s -= A[i * n + k] * b[k];
        b[i] = s / A[i * n + i];
    }
    for (size_t i = n; i-- > 0;) {
        double s = b[i];
        for (size_t k = i + 1; k < n; k++) s -= A[k * n + i] * b[k];
        b[i] = s / A[i * n + i];
    }
    return 0;
}

static void report(const char *name, pinn_trainer *t, double cpu, double loss) {
    double rel[PINN_MAX_FIELDS];
    pinn_error err;
    pinn_trainer_evaluate(t, rel, &err);
    printf("| %-28s | %8.2f | %.3e | %.3e |\n", name, cpu, loss, rel[0]);
    fflush(stdout);
}

int main(int argc, char **argv) {
    if (argc < 6) {
        fprintf(stderr, "usage: bench_lm PROBLEM.yaml ADAM_WARM LM_ITERS LBFGS_ITERS ADAM_MORE [key=value ...]\n");
        return 2;
    }
    const char *file = argv[1];
    long warm = atol(argv[2]), lm_iters = atol(argv[3]), lb = atol(argv[4]), more = atol(argv[5]);
    const char *sets[40];
    int ns = 0;
    char ph[3][256];
    for (int a = 6; a < argc && ns < 36; a++) sets[ns++] = argv[a];
    snprintf(ph[0], sizeof ph[0], "train.phases=[{kind: adam, epochs: %ld}]", warm);
    snprintf(ph[1], sizeof ph[1], "train.phases=[{kind: adam, epochs: %ld}, {kind: lbfgs, iterations: %ld}]", warm, lb);
    snprintf(ph[2], sizeof ph[2], "train.phases=[{kind: adam, epochs: %ld}, {kind: adam, epochs: %ld}]", warm, more);
    printf("| method | CPU s after warm start | loss | rel. L2 |\n|---|---|---|---|\n");
    pinn_error err;
    /* the warm start, then LM */
    sets[ns] = ph[0];
    pinn_trainer *t = make(file, ns + 1, sets);
    if (!t) return 1;
    double c0 = cpu_s();
    if (pinn_trainer_run(t, NULL, &err)) return fprintf(stderr, "%s\n", err.msg), 1;
    double c_warm = cpu_s() - c0;
    pinn_objective *o = pinn_trainer_objective(t);
    size_t np = pinn_objective_nparams(o), nr = pinn_objective_nrows(o), m = nr < np ? nr : np;
    pinn_real *P = malloc(sizeof(pinn_real) * np), *Pt = malloc(sizeof(pinn_real) * np);
    pinn_real *J = malloc(sizeof(pinn_real) * nr * np), *r = malloc(sizeof(pinn_real) * nr);
    double *A = malloc(sizeof(double) * m * m), *A0 = malloc(sizeof(double) * m * m), *b = malloc(sizeof(double) * m),
           *b0 = malloc(sizeof(double) * m), *d = malloc(sizeof(double) * np);
    if (!P || !Pt || !J || !r || !A || !A0 || !b || !b0 || !d) return fprintf(stderr, "out of memory (%zu x %zu)\n", nr, np), 1;
    memcpy(P, pinn_trainer_params(t), sizeof(pinn_real) * np);
    double f = loss_at(o, P);
    printf("| warm start: Adam %-10ld | %8.2f | %.3e | ", warm, c_warm, f);
    {
        double rel[PINN_MAX_FIELDS];
        pinn_trainer_evaluate(t, rel, &err);
        printf("%.3e | (%zu rows, %zu parameters)\n", rel[0], nr, np);
    }
    double mu = 1e-3, c1 = cpu_s();
    long kept = 0;
    for (long it = 0; it < lm_iters; it++) {
        if (pinn_objective_linearize(o, P, 0, np, J, r, &err)) return fprintf(stderr, "%s\n", err.msg), 1;
        /* normal matrix (m = np: J^T J, rhs -J^T r) or dual (m = nr: J J^T, rhs r) */
        double tr = 0;
        if (m == np) {
            for (size_t i = 0; i < np; i++) {
                for (size_t j = 0; j <= i; j++) {
                    double s = 0;
                    for (size_t k = 0; k < nr; k++) s += (double)J[k * np + i] * J[k * np + j];
                    A0[i * m + j] = A0[j * m + i] = s;
                }
                double s = 0;
                for (size_t k = 0; k < nr; k++) s -= (double)J[k * np + i] * r[k];
                b0[i] = s;
                tr += A0[i * m + i];
            }
        } else {
            for (size_t i = 0; i < nr; i++) {
                for (size_t j = 0; j <= i; j++) {
                    double s = 0;
                    for (size_t k = 0; k < np; k++) s += (double)J[i * np + k] * J[j * np + k];
                    A0[i * m + j] = A0[j * m + i] = s;
                }
                b0[i] = r[i];
                tr += A0[i * m + i];
            }
        }
        int ok = 0;
        for (int tries = 0; tries < 10 && !ok; tries++) {
            memcpy(A, A0, sizeof(double) * m * m);
            memcpy(b, b0, sizeof(double) * m);
            double lam = mu * tr / (double)m;
            for (size_t i = 0; i < m; i++) A[i * m + i] += lam;
            if (chol_solve(A, b, m)) {
                mu *= 4;
                continue;
            }
            if (m == np)
                for (size_t i = 0; i < np; i++) d[i] = b[i];
            else
                for (size_t i = 0; i < np; i++) {
                    double s = 0;
                    for (size_t k = 0; k < nr; k++) s -= (double)J[k * np + i] * b[k];
                    d[i] = s;
                }
            for (size_t i = 0; i < np; i++) Pt[i] = P[i] + (pinn_real)d[i];
            double ft = loss_at(o, Pt);
            if (ft < f) {
                f = ft, ok = 1, kept++;
                memcpy(P, Pt, sizeof(pinn_real) * np);
                mu = mu / 3 > 1e-12 ? mu / 3 : 1e-12;
            } else
                mu *= 4;
        }
        if (!ok) break;
    }
    loss_at(o, P); /* the trainer holds P */
    char name[64];
    snprintf(name, sizeof name, "+ LM %ld iterations (%ld kept)", lm_iters, kept);
    report(name, t, cpu_s() - c1, f);
    pinn_trainer_free(t);
    /* L-BFGS and more Adam from the same warm start (the run repeats it bit for bit) */
    for (int k = 1; k <= 2; k++) {
        sets[ns] = ph[k];
        t = make(file, ns + 1, sets);
        if (!t) return 1;
        c0 = cpu_s();
        if (pinn_trainer_run(t, NULL, &err)) return fprintf(stderr, "%s\n", err.msg), 1;
        double c = cpu_s() - c0 - c_warm;
        pinn_trainer_info v;
        pinn_trainer_get_info(t, &v);
        snprintf(name, sizeof name, k == 1 ? "+ L-BFGS %ld iterations" : "+ Adam %ld epochs", k == 1 ? lb : more);
        report(name, t, c, v.final_loss);
        pinn_trainer_free(t);
    }
    free(P), free(Pt), free(J), free(r), free(A), free(A0), free(b), free(b0), free(d);
    return 0;
}
