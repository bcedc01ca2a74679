/* test_ranks.c - data parallelism without MPI: N threads play N ranks (pinn_ctx_set_ranks with an
 * all-gather over a shared buffer and a barrier), each training the same problem on its share of
 * the chunks; every rank must end with bitwise the parameters of a plain run, for N = 2 and 3 (an
 * uneven split).  The MPI command itself is tested by tests/mpi_ranks.sh where OpenMPI is found. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "pinnc.h"

enum { MAX_RANKS = 4, STAGE_BYTES = 16 << 20 };

static const char *problem_yaml =
    "domain: {t: [0, 1], x: [-1, 1]}\nconstants: {nu: 0.01/pi}\nfields: [u]\n"
    "equations: [{name: pde, equation: \"u_t + u*u_x - nu*u_xx = 0\"}]\n"
    "conditions:\n  - {name: ic, on: \"t = 0\", equation: \"u = -sin(pi*x)\", points: 150}\n"
    "  - {name: bc, on: \"x = -1 or x = 1\", equation: \"u = 0\", points: 100}\n"
    "model: {kind: mlp, hidden: [10, 10], activation: tanh}\n"
    "train: {collocation: 1100, epochs: 15, lr: 1.0e-3, lbfgs: 3, log_every: 100, eval_every: 0, checkpoint_every: 0}\n";

typedef struct world {
    int n;
    pthread_barrier_t bar;
    unsigned char *stage;
    int overflow;
} world;

typedef struct rank_job {
    world *w;
    int rank;
    const pinn_problem *p;
    pinn_real *out;
    size_t np;
} rank_job;

/* pinn_gather_fn between threads: each copies its elements into the stage, then all read all. */
static void gather(void *user, void *buf, size_t elem, const int *counts, const int *displs) {
    rank_job *j = user;
    world *w = j->w;
    size_t total = (size_t)(displs[w->n - 1] + counts[w->n - 1]) * elem;
    if (total > STAGE_BYTES) w->overflow = 1;
    else
        memcpy(w->stage + (size_t)displs[j->rank] * elem, (unsigned char *)buf + (size_t)displs[j->rank] * elem,
               (size_t)counts[j->rank] * elem);
    pthread_barrier_wait(&w->bar);
    if (total <= STAGE_BYTES) memcpy(buf, w->stage, total);
    pthread_barrier_wait(&w->bar);
}

/* Trains p as rank j->rank of j->w->n (n = 0: a plain context) into j->out. */
static void *run_rank(void *arg) {
    rank_job *j = arg;
    pinn_error err;
    pinn_ctx *c = NULL;
    pinn_trainer *t = NULL;
    if (pinn_ctx_init(&c, 1, &err) != PINN_OK) return NULL;
    if (j->w && pinn_ctx_set_ranks(c, j->rank, j->w->n, gather, j, &err) != PINN_OK) goto done;
    if (pinn_trainer_init_ctx(&t, c, j->p, &err) != PINN_OK || pinn_trainer_train(t, NULL, 0, NULL, NULL, &err) != PINN_OK)
        goto done;
    pinn_trainer_info info;
    pinn_trainer_get_info(t, &info);
    j->np = info.n_total_params;
    if ((j->out = malloc(sizeof(pinn_real) * j->np))) memcpy(j->out, pinn_trainer_params(t), sizeof(pinn_real) * j->np);
done:
    if (!j->out) fprintf(stderr, "rank %d: %s\n", j->rank, err.msg);
    pinn_trainer_free(t);
    pinn_ctx_free(c);
    return NULL;
}

int main(void) {
    char dir[] = "/tmp/pinnc_ranks_XXXXXX";
    CHECK(mkdtemp(dir) != NULL, "mkdtemp");
    char yaml[600];
    snprintf(yaml, sizeof yaml, "%s/p.yaml", dir);
    FILE *f = fopen(yaml, "w");
    fputs(problem_yaml, f);
    fclose(f);
    pinn_problem *p = malloc(sizeof *p);
    pinn_error err;
    CHECK_OK(pinn_problem_load(p, yaml, 0, NULL, &err), err);
    rank_job plain = {NULL, 0, p, NULL, 0};
    run_rank(&plain);
    CHECK(plain.out != NULL, "the plain run");
    pinn_ctx *c = NULL;
    CHECK_OK(pinn_ctx_init(&c, 1, &err), err);
    CHECK(pinn_ctx_set_ranks(c, 2, 2, gather, NULL, &err) == PINN_ERR_INVALID, "rank 2 of 2 refused");
    CHECK(pinn_ctx_set_ranks(c, 0, 2, NULL, NULL, &err) == PINN_ERR_INVALID, "no gather function refused");
    pinn_ctx_free(c);
    for (int n = 2; n <= 3; n++) {
        world w;
        memset(&w, 0, sizeof w);
        w.n = n, w.stage = malloc(STAGE_BYTES);
        pthread_barrier_init(&w.bar, NULL, (unsigned)n);
        rank_job jobs[MAX_RANKS];
        pthread_t th[MAX_RANKS];
        for (int r = 0; r < n; r++) {
            jobs[r] = (rank_job){&w, r, p, NULL, 0};
            pthread_create(&th[r], NULL, run_rank, &jobs[r]);
        }
        for (int r = 0; r < n; r++) pthread_join(th[r], NULL);
        CHECK(!w.overflow, "stage large enough");
        for (int r = 0; r < n; r++) {
            CHECK(jobs[r].out && plain.out && jobs[r].np == plain.np &&
                      !memcmp(jobs[r].out, plain.out, sizeof(pinn_real) * plain.np),
                  "rank %d of %d differs from the plain run", r, n);
            free(jobs[r].out);
        }
        pthread_barrier_destroy(&w.bar);
        free(w.stage);
    }
    free(plain.out);
    free(p);
    char cmd[700];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    CHECK(system(cmd) == 0, "cleanup");
    return CHECK_DONE();
}
