/* test_config.c - problem files that must load: every example, with their values checked; --set
 * overrides (scalars, lists, list indices, new keys); the resolved file written by
 * pinn_problem_write loads back to the same problem. */
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "pinnc.h"

static char path[1024];
static const char *ex(const char *name) {
    const char *src = getenv("PINN_SOURCE");
    snprintf(path, sizeof path, "%s/examples/%s", src ? src : "..", name);
    return path;
}

/* The MLP settings of p's (resolved) model section. */
static pinn_mlp_spec mlp_of(const pinn_problem *p) {
    static pinn_cfg c; /* large: not on the stack */
    c = p->model.cfg;
    const char *coords[PINN_MAX_INPUTS] = {"a", "b", "c", "d"};
    pinn_model_info info = {p->domain.d, p->n_fields, p->domain.lo, p->domain.hi, coords, p->domain.time, 1};
    pinn_mlp_spec s;
    pinn_error err;
    memset(&s, 0, sizeof s);
    CHECK_OK(pinn_mlp_spec_configure(&s, &c, 0, &info, &err), err);
    return s;
}

/* Field-by-field comparison of what the resolved writer keeps. */
static void same(const pinn_problem *a, const pinn_problem *b, const char *what) {
    CHECK(a->domain.d == b->domain.d && a->domain.time == b->domain.time && a->domain.shape == b->domain.shape,
          "%s: domain differs", what);
    for (int i = 0; i < a->domain.d; i++)
        CHECK(!strcmp(a->domain.coord[i], b->domain.coord[i]) && a->domain.lo[i] == b->domain.lo[i] &&
                  a->domain.hi[i] == b->domain.hi[i],
              "%s: coordinate %d differs", what, i);
    CHECK(a->n_consts == b->n_consts && a->n_fields == b->n_fields && a->n_params == b->n_params &&
              a->n_equations == b->n_equations && a->n_conditions == b->n_conditions,
          "%s: counts differ", what);
    for (int i = 0; i < a->n_consts && i < b->n_consts; i++)
        CHECK(a->consts[i].value == b->consts[i].value, "%s: constant %s differs", what, a->consts[i].name);
    for (int i = 0; i < a->n_equations && i < b->n_equations; i++)
        CHECK(!strcmp(a->equations[i].expr, b->equations[i].expr), "%s: equation %d differs", what, i);
    for (int i = 0; i < a->n_conditions && i < b->n_conditions; i++) {
        const pinn_condition *x = &a->conditions[i], *y = &b->conditions[i];
        CHECK(x->kind == y->kind && !strcmp(x->on, y->on) && !strcmp(x->equation, y->equation) &&
                  x->points == y->points && x->weight == y->weight && x->coordinate == y->coordinate &&
                  x->derivatives == y->derivatives && !strcmp(x->file, y->file),
              "%s: condition %s differs", what, x->name);
    }
    pinn_mlp_spec ma = mlp_of(a), mb = mlp_of(b);
    CHECK(!strcmp(a->model.kind, b->model.kind) && ma.n_hidden == mb.n_hidden &&
              !memcmp(ma.hidden, mb.hidden, sizeof ma.hidden) && ma.act[0] == mb.act[0] && ma.act_p[0] == mb.act_p[0] &&
              ma.normalize == mb.normalize && ma.residual == mb.residual && ma.init == mb.init,
          "%s: model differs", what);
    const pinn_train_cfg *s = &a->train, *t = &b->train;
    CHECK(s->collocation == t->collocation && s->epochs == t->epochs && s->lr == t->lr && s->lbfgs_iters == t->lbfgs_iters &&
              s->batch == t->batch && s->seed == t->seed && !strcmp(s->sampler, t->sampler) && !strcmp(s->schedule, t->schedule),
          "%s: train differs", what);
    CHECK(a->reference.kind == b->reference.kind && !strcmp(a->reference.exact[0], b->reference.exact[0]) &&
              a->reference.diffusion == b->reference.diffusion && a->reference.h == b->reference.h,
          "%s: reference differs", what);
}

int main(void) {
    pinn_problem *p = malloc(sizeof *p), *q = malloc(sizeof *q);
    pinn_error err;
    const char *examples[] = {"burgers.yaml",    "poisson2d.yaml",       "allen_cahn.yaml", "allen_cahn_adam.yaml",
                              "lshape.yaml",     "oscillator.yaml",      "heat.yaml",       "burgers_inverse.yaml",
                              "burgers_lm.yaml"};
    char tmp[] = "/tmp/pinnc-config-XXXXXX";
    CHECK(mkdtemp(tmp) != NULL, "mkdtemp");
    for (size_t k = 0; k < sizeof examples / sizeof examples[0]; k++) {
        pinn_status st = pinn_problem_load(p, ex(examples[k]), 0, NULL, &err);
        CHECK(st == PINN_OK, "%s: %s", examples[k], err.msg);
        if (st) continue;
        char out[1100];
        snprintf(out, sizeof out, "%s/%s", tmp, examples[k]);
        CHECK_OK(pinn_problem_write(p, out, &err), err);
        st = pinn_problem_load(q, out, 0, NULL, &err);
        CHECK(st == PINN_OK, "reloading the resolved %s: %s", examples[k], err.msg);
        if (!st) same(p, q, examples[k]);
        remove(out);
    }
    /* Burgers values */
    CHECK_OK(pinn_problem_load(p, ex("burgers.yaml"), 0, NULL, &err), err);
    CHECK(p->domain.d == 2 && p->domain.time == 0 && !strcmp(p->domain.coord[1], "x"), "burgers domain");
    CHECK(p->n_consts == 1 && fabs(p->consts[0].value - 0.01 / 3.14159265358979323846) < 1e-17, "nu = %g",
          p->consts[0].value);
    pinn_mlp_spec ms = mlp_of(p);
    CHECK(ms.n_hidden == 8 && ms.hidden[7] == 20 && ms.act[0] == PINN_FN_TANH, "network");
    CHECK(p->conditions[0].points == 100 && p->conditions[1].points == 200 && p->train.collocation == 10000, "points");
    CHECK(p->reference.kind == PINN_REFK_BURGERS, "reference");
    /* overrides */
    const char *sets[] = {"train.epochs=123", "model.hidden=[7, 9]", "conditions.1.points=17", "train.lbfgs_memory=5",
                          "model.activation=relu^3", "title=changed"};
    CHECK_OK(pinn_problem_load(p, ex("burgers.yaml"), 6, sets, &err), err);
    ms = mlp_of(p);
    CHECK(p->train.epochs == 123 && ms.n_hidden == 2 && ms.hidden[1] == 9 && p->conditions[1].points == 17 &&
              p->train.lbfgs_memory == 5 && ms.act[0] == PINN_FN_RELUK && ms.act_p[0] == 3 &&
              !strcmp(p->title, "changed"),
          "overrides not applied");
    /* the L-shape, periodic, inverse and data forms */
    CHECK_OK(pinn_problem_load(p, ex("lshape.yaml"), 0, NULL, &err), err);
    CHECK(p->domain.shape == PINN_DOMAIN_LSHAPE && p->domain.n_vertices == 6 && p->domain.time == -1, "lshape");
    CHECK_OK(pinn_problem_load(p, ex("allen_cahn_dn.yaml"), 0, NULL, &err), err);
    CHECK(p->conditions[1].kind == PINN_COND_PERIODIC && p->conditions[1].coordinate == 1 && p->train.batch == 2048,
          "allen-cahn periodic");
    CHECK_OK(pinn_problem_load(p, ex("burgers_inverse.yaml"), 0, NULL, &err), err);
    CHECK(p->n_params == 1 && p->params[0].value == 0.05 && p->conditions[0].kind == PINN_COND_DATA &&
              p->conditions[0].file[0] == '/',
          "inverse problem");
    /* a problem built in C validates, and a bad one does not */
    pinn_problem_defaults(p);
    p->domain.d = 1;
    strcpy(p->domain.coord[0], "x");
    p->domain.lo[0] = 0, p->domain.hi[0] = 1;
    p->n_fields = 1;
    strcpy(p->fields[0], "u");
    p->n_equations = 1;
    strcpy(p->equations[0].expr, "u_xx = 1");
    CHECK_OK(pinn_problem_validate(p, &err), err);
    p->domain.hi[0] = -1;
    CHECK(pinn_problem_validate(p, &err) == PINN_ERR_INVALID && strstr(err.msg, "lo < hi"), "%s", err.msg);
    rmdir(tmp);
    free(p), free(q);
    return CHECK_DONE();
}
