/* trainer.h - internal layout of a trainer: the compiled problem (expressions, plans, terms and
 * point sets), the parameters with their optimizers, and the evaluation grid with its reference. */
#ifndef PINN_TRAIN_TRAINER_H
#define PINN_TRAIN_TRAINER_H

#include "pinnc.h"

#define TR_MAX_TERMS (PINN_MAX_EQUATIONS + PINN_MAX_CONDITIONS)
#define TR_MAX_LEAVES 64

typedef enum tr_kind { TR_PDE = 0, TR_COND, TR_PERIODIC, TR_DATA, TR_AUX } tr_kind;

/* Per-thread work space of a term's loss callback. */
typedef struct tr_scratch {
    void *expr;          /* expression scratch */
    pinn_real *buf;      /* leaves, leaf adjoints, coordinates, normals, residual, its adjoint */
    pinn_status status;  /* failure in this thread's blocks since the last reset (PINN_OK: none) */
    size_t bad;          /* then: the first offending point (index in the term's points) */
    int bad_net;         /* there, the network's own output was not finite (it overflowed) */
} tr_scratch;

typedef struct tr_term {
    char name[64];
    tr_kind kind;
    int line;
    pinn_expr *eq;                     /* residual (PDE, COND) */
    int n_leaves;
    int leaf_field[TR_MAX_LEAVES], leaf_stream[TR_MAX_LEAVES];
    int uses_normals;
    pinn_plan *plan;                   /* the derivatives this term needs */
    const pinn_plan *jplan;            /* the plan of the jets its callback sees (its own, or its group's) */
    int in_group;                      /* evaluated with the collocation group (tm->term is NULL) */
    pinn_term *term;
    pinn_tape *lin_tape;               /* two-point tape for pinn_objective_linearize, made on first use */
    pinn_pointset *ps;                 /* owned point set (conditions), NULL for PDE terms */
    size_t n_all;                      /* points in the set */
    size_t n;                          /* points of the current evaluation (batch) */
    pinn_real *x, *normals;            /* [n][d] evaluated now; normals may be NULL */
    pinn_real *target;                 /* DATA: [n_all][n_fields], NaN where a field has no data */
    int per_streams[64], n_per_streams; /* PERIODIC: streams compared across the pair */
    int aux_col;                       /* AUX: column of the model output */
    double weight;
    pinn_weight_ramp ramp;             /* weight schedule: weights[k] = (fixed or dynamic weight) * f(step) */
    pinn_real *obs;                    /* DATA with observe: [n_all] observed values of the expression */
    double loss;                       /* unweighted, last evaluation */
    pinn_real *grad;                   /* this term's gradient [np] */
    tr_scratch *scr;                   /* [n_threads] */
    int n_threads;
    size_t block;
    const struct pinn_trainer *tr;
} tr_term;

/* The terms on the collocation points (every equation of the PDE system, the model's auxiliary
 * terms): one forward pass per block over the union of their plans. */
typedef struct tr_group {
    int n;
    int member[TR_MAX_TERMS];
    pinn_plan *plan;
    pinn_term *term;
    pinn_real *tmp;      /* [n][np]: slice gradients of a full-batch evaluation with mini-batches */
    pinn_real *cgrad;    /* [np]: sum_k w_k grad_k from one backward (combined mode) */
    int combined_ok;     /* one weighted backward is exact: more than one member, no PDE parameters */
    int combined;        /* the last evaluation formed cgrad instead of the members' gradients */
} tr_group;

struct pinn_trainer {
    pinn_problem prob;
    int d, nf;
    pinn_geom *geom;
    const char *coord_names[PINN_MAX_INPUTS];
    int spatial[PINN_MAX_INPUTS];
    const char *field_names[PINN_MAX_FIELDS];
    const char *const_names[PINN_MAX_CONSTS];
    double const_values[PINN_MAX_CONSTS];
    const char *param_names[PINN_MAX_PARAMS];
    const char *def_names[PINN_MAX_DEFINES], *def_texts[PINN_MAX_DEFINES];
    pinn_expr_symbols sym;
    pinn_ctx *ctx;                     /* threads, GEMM choice, model kinds */
    int own_ctx;                       /* made by pinn_trainer_init (freed with the trainer) */
    int n_threads;
    pinn_model *model;
    int w_out;                         /* width of the graph output: fields, then auxiliary columns */
    pinn_graph *graph;
    size_t np_net, np;
    pinn_real *P, *G;
    unsigned char *trainable;          /* [np_net] from the model's param_mask, NULL: all trainable */
    struct tr_lin *lin;                /* least-squares phases: assembly work space and the last solve's diagnostics */
    int n_terms;
    tr_term terms[TR_MAX_TERMS];
    const char *term_names[TR_MAX_TERMS];
    double term_loss[TR_MAX_TERMS], weights[TR_MAX_TERMS];
    tr_group grp;
    /* collocation points, shared by the PDE terms */
    pinn_pointset *colloc;
    size_t *perm;
    pinn_real *batch_x;
    size_t batch;                      /* mini-batch size (0: full batch) */
    size_t batch_n;                    /* points of the current mini-batch (the last of a pass may be short) */
    /* the model's point order (order_points hook): scratch of n_order points */
    size_t *order, n_order;
    pinn_real *order_x;
    /* loss weighting */
    pinn_weighting wt;
    size_t *wsel;                      /* params: weights -- indices of the weight-matrix entries */
    size_t n_wsel;
    pinn_real *wsel_grad;              /* [n_terms][n_wsel] gathered gradients (allocated once) */
    double gnorm[TR_MAX_TERMS];        /* L2 norm of each term's gradient at the last evaluation */
    /* optimisation state: the phases (phase.h), the current one, steps of all phases so far */
    pinn_real *best_P, *best_prev;     /* keep the best (best.c): its parameters; those before the step */
    double best_loss, best_rel;
    long best_loss_step, best_rel_step;
    int best_have;
    double *rar_score;                 /* while RAR scores points: squared PDE residuals per point of rar_base */
    const pinn_real *rar_base;
    struct tr_causal *causal;          /* during an Adam step with causal training: its chunk weights */
    struct tr_phase *phases;
    int n_phases, phase;               /* phase == n_phases: done */
    pinn_cfg phases_cfg;               /* train.phases, or the list made from the train keys */
    long step, epoch, lbfgs_iter;      /* steps; Adam epochs and L-BFGS iterations among them */
    int lbfgs_stop;                    /* pinn_lbfgs_reason of the last L-BFGS phase (-1: none ran) */
    int perm_valid;                    /* the batch permutation is that of the current cycle */
    double final_loss;
    double wall_s;
    /* time spent in this process (not carried over by --resume): Adam steps (losses, gradients,
     * weighting update, optimizer step), of which the weighting update; L-BFGS; evaluation */
    double time_adam_s, time_weighting_s, time_lbfgs_s, time_eval_s;
    double time_adam_cpu_s; /* process CPU time of the Adam steps */
    long timed_epochs;
    double param_values[PINN_MAX_PARAMS];
    pinn_real param_init[PINN_MAX_PARAMS];
    /* evaluation */
    int grid_dims[PINN_MAX_INPUTS];
    size_t n_eval;
    pinn_real *eval_x;                 /* [n_eval][d] */
    unsigned char *mask;               /* [n_eval]: inside the domain */
    pinn_real *ref;                    /* [n_eval][nf] or NULL */
    int has_ref, ref_ready;            /* a reference exists; it has been computed into ref */
    pinn_real *pred;                   /* [n_eval][nf] */
    double rel[PINN_MAX_FIELDS];
    pinn_plan *value_plan;
    pinn_term *eval_term;
};

/* setup.c */
pinn_status tr_compile(const pinn_trainer *t, const char *text, int line, const char *what, pinn_expr_kind kind,
                       pinn_expr **out, pinn_error *err);
pinn_status tr_expr_points(const pinn_trainer *t, pinn_expr *e, size_t n, const pinn_real *x, pinn_real *out,
                           pinn_error *err);
pinn_status tr_cond_points(pinn_trainer *t, tr_term *tm, const pinn_condition *c, pinn_sampler smp, pinn_error *err);
pinn_status tr_take_points(tr_term *tm, int d, const pinn_real *x, const pinn_real *nrm, size_t n, pinn_error *err);
tr_term *tr_new_term(pinn_trainer *t, const char *name, tr_kind kind, int line, double weight);
pinn_status tr_make_geometry(pinn_trainer *t, pinn_error *err);
pinn_status tr_make_model(pinn_trainer *t, pinn_error *err);
pinn_status tr_leaves_plan(tr_term *tm, int d, pinn_error *err);
/* losses.c: block loss callbacks and scratch management */
double tr_expr_loss(void *ctx, size_t first, int n, const pinn_real *x, const pinn_plan *plan, const pinn_real *jet,
                    pinn_real *gj, const pinn_real *P, pinn_real *G);
double tr_periodic_loss(void *ctx, size_t first, int n, const pinn_real *x, const pinn_plan *plan,
                        const pinn_real *jet, pinn_real *gj, const pinn_real *P, pinn_real *G);
double tr_data_loss(void *ctx, size_t first, int n, const pinn_real *x, const pinn_plan *plan, const pinn_real *jet,
                    pinn_real *gj, const pinn_real *P, pinn_real *G);
double tr_aux_loss(void *ctx, size_t first, int n, const pinn_real *x, const pinn_plan *plan, const pinn_real *jet,
                   pinn_real *gj, const pinn_real *P, pinn_real *G);
void tr_expr_rows(tr_term *tm, size_t first, int n, const pinn_real *x, const pinn_real *jet, pinn_real *gj,
                  const pinn_real *P, pinn_real *G, pinn_real *rows);
pinn_status tr_term_scratch(tr_term *tm, int d, pinn_error *err);
void tr_term_release(tr_term *tm);
/* objective.c: evaluating the terms (grad: TR_LOSS only, TR_EACH per-term gradients, TR_SUM the
 * weighted sum only, which lets a group use one backward pass) and combining them */
enum { TR_LOSS = 0, TR_EACH = 1, TR_SUM = 2 };
pinn_status tr_group_setup(pinn_trainer *t, pinn_error *err);
void tr_group_free(pinn_trainer *t);
void tr_eval_each(pinn_trainer *t, int full, int grad);
double tr_combine(pinn_trainer *t, pinn_real *G);
/* tr_eval_each then tr_combine into G (G NULL: losses only), then tr_check; the weighted loss in *loss. */
pinn_status tr_eval_terms(pinn_trainer *t, int full, pinn_real *G, double *loss, pinn_error *err);
/* Failures recorded by the last evaluation (a term's expression failed, a non-finite value): the
 * term, its line and the first offending point. */
pinn_status tr_check(pinn_trainer *t, pinn_error *err);
pinn_status tr_weighting_setup(pinn_trainer *t, pinn_error *err);
/* trainer.c: points x[n][d] (and normals, when not NULL) in the model's preferred order (no-op for
 * kinds without an order_points hook); the collocation set after sampling or resampling */
pinn_status tr_order_points(pinn_trainer *t, size_t n, pinn_real *x, pinn_real *normals, pinn_error *err);
pinn_status tr_order_colloc(pinn_trainer *t, pinn_error *err);
/* driver.c: the model's after_step hook at the current step count */
pinn_status tr_model_after_step(pinn_trainer *t, pinn_error *err);
/* wsched.c: the terms' weights at the current step: the weighting's weights times each term's
 * schedule factor (a no-op when no term has a schedule) */
void tr_apply_schedules(pinn_trainer *t);
/* data.c: a data condition (CSV, .npy, .npz; field values or an observed expression) and its
 * anchors, the data points that join the collocation set */
pinn_status tr_data_term(pinn_trainer *t, tr_term *tm, const pinn_condition *c, pinn_error *err);
pinn_status tr_anchor_points(pinn_trainer *t, pinn_real **x, size_t *n, pinn_error *err);
/* driver.c */
pinn_status tr_phases_setup(pinn_trainer *t, pinn_error *err);
void tr_phases_free(pinn_trainer *t);
/* assemble.c: the least-squares work space of the lstsq and gauss_newton phases */
void tr_lin_free(pinn_trainer *t);
/* evaluate.c */
pinn_status tr_eval_setup(pinn_trainer *t, pinn_error *err);
pinn_status tr_reference(pinn_trainer *t, pinn_error *err);
void tr_eval_free(pinn_trainer *t);
/* best.c: keep the best (setup at a run's start; before and after each step; after an evaluation) */
pinn_status tr_best_setup(pinn_trainer *t, pinn_error *err);
void tr_best_before_step(pinn_trainer *t);
void tr_best_after_step(pinn_trainer *t, double loss, long step);
void tr_best_after_eval(pinn_trainer *t, long step);
void tr_best_free(pinn_trainer *t);
/* reference.c */
pinn_status tr_reference_compute(pinn_trainer *t, size_t n, const pinn_real *x, pinn_real *u, pinn_error *err);

#endif
