/* pinnc/problem.h - a PDE problem as plain data: domain, constants, fields, unknown parameters,
 * equations, conditions, model, training, reference and output settings.
 *
 * The YAML loader (pinn_problem_load) fills this struct; a C user may fill it by hand instead
 * (pinn_problem_defaults first).  Expressions stay text here and are compiled by the trainer.
 * Every item remembers the line it came from so that later errors can name file and line. */
#ifndef PINNC_PROBLEM_H
#define PINNC_PROBLEM_H

#include <stdio.h>

#include "pinnc/cfg.h"
#include "pinnc/core.h"
#include "pinnc/geom.h"
#include "pinnc/jet.h"

#ifdef __cplusplus
extern "C" {
#endif

#define PINN_NAME_MAX 32
#define PINN_EXPR_MAX 512
#define PINN_PATH_MAX 512
#define PINN_MAX_FIELDS 8
#define PINN_MAX_CONSTS 32
#define PINN_MAX_DEFINES 32
#define PINN_MAX_PARAMS 8
#define PINN_MAX_EQUATIONS 8
#define PINN_MAX_CONDITIONS 16
#define PINN_MAX_VERTICES 64
#define PINN_MAX_HIDDEN 32
/* Resource limits checked by pinn_problem_validate (docs/reliability.md). */
#define PINN_MAX_COND_POINTS 1000000L   /* points of one condition */
#define PINN_MAX_COLLOCATION 10000000L  /* train.collocation */
#define PINN_MAX_TOTAL_POINTS 10000000L /* collocation + every condition's points */
#define PINN_MAX_GRID_POINTS 10000000L  /* product of output.grid */
#define PINN_MAX_MODEL_PARAMS 100000000L /* trainable parameters of the network (checked by the model layer) */
#define PINN_MIN_RANGE 1e-12            /* a coordinate range hi - lo lies in [1e-12, 1e12] */
#define PINN_MAX_RANGE 1e12

typedef struct pinn_named_expr {
    char name[PINN_NAME_MAX];
    char expr[PINN_EXPR_MAX];
    double value; /* constants: the evaluated value; parameters: the initial value */
    int line;
} pinn_named_expr;

/* A weight schedule (docs/problem-file.md, "Weights"): a factor f(step) multiplying a term's weight
 * (its fixed weight, or the dynamic weight a weighting scheme gives it).  linear: from -> to over
 * steps [start, end]; step: from before `start`, to from `start` on; exp: geometric from -> to
 * over [start, end].  Before start the factor is `from`, after end `to`.  NONE: f = 1. */
typedef enum pinn_ramp_kind { PINN_RAMP_NONE = 0, PINN_RAMP_LINEAR, PINN_RAMP_STEP, PINN_RAMP_EXP, PINN_RAMP_COUNT } pinn_ramp_kind;
const char *pinn_ramp_kind_to_string(pinn_ramp_kind k);

typedef struct pinn_weight_ramp {
    pinn_ramp_kind kind;
    double from, to;
    long start, end;
} pinn_weight_ramp;

/* The factor of a schedule at step `step` (1 for PINN_RAMP_NONE). */
double pinn_weight_ramp_factor(const pinn_weight_ramp *r, long step);

/* Spatial shape of the domain; the box is made from the coordinate ranges. */
typedef enum pinn_domain_shape {
    PINN_DOMAIN_BOX = 0, /* the product of the coordinate ranges */
    PINN_DOMAIN_POLYGON, /* polygon in the two spatial coordinates (time range from its coordinate) */
    PINN_DOMAIN_LSHAPE,  /* [-1,1]^2 minus (0,1)x(-1,0), a polygon shortcut */
    PINN_DOMAIN_DISK,
    PINN_DOMAIN_CSG,     /* constructive geometry of the spatial coordinates (domain.csg) */
    PINN_DOMAIN_SHAPE_COUNT
} pinn_domain_shape;
const char *pinn_domain_shape_to_string(pinn_domain_shape s);

typedef struct pinn_domain {
    int d;                                  /* number of coordinates (1..4) */
    char coord[PINN_MAX_INPUTS][PINN_NAME_MAX];
    double lo[PINN_MAX_INPUTS], hi[PINN_MAX_INPUTS];
    int time;                               /* index of the time coordinate, -1 if none ("t" by default) */
    int periodic[PINN_MAX_INPUTS];          /* informational: coordinates with periodic conditions */
    pinn_domain_shape shape;
    int n_vertices;                         /* polygon */
    double vertex[PINN_MAX_VERTICES][2];
    double center[2], radius;               /* disk */
    int n_csg;                              /* csg: nodes, the last one the shape (pinnc/geom.h) */
    pinn_csg_node csg[PINN_CSG_MAX_NODES];
    int line;
    int coord_line[PINN_MAX_INPUTS];        /* line of each coordinate's range (0: unknown, use line) */
} pinn_domain;

typedef enum pinn_cond_kind {
    PINN_COND_EQUATION = 0, /* an equation on points selected by a predicate (Dirichlet, Neumann, Robin, initial) */
    PINN_COND_PERIODIC,     /* u(a) = u(b) (and derivatives) along one coordinate */
    PINN_COND_DATA,         /* field values at points read from a CSV file */
    PINN_COND_KIND_COUNT
} pinn_cond_kind;
const char *pinn_cond_kind_to_string(pinn_cond_kind k);

typedef struct pinn_condition {
    char name[PINN_NAME_MAX];
    pinn_cond_kind kind;
    char on[PINN_EXPR_MAX];       /* EQUATION: where: "boundary", a predicate ("x = -1 or x = 1", "x = 0.5", "t = 1"),
                                     "interior and <predicate>", or points "at (x, y) (x, y) ..." */
    char equation[PINN_EXPR_MAX]; /* EQUATION: e.g. "u = 0", "u_n = 0", "u_t = 0" */
    int points;                   /* points to sample (EQUATION, PERIODIC) */
    double weight;                /* fixed loss weight (default 1) */
    int coordinate;               /* PERIODIC: the periodic coordinate */
    int derivatives;              /* PERIODIC: also match derivatives up to this order (default 1) */
    char file[PINN_PATH_MAX];     /* DATA: CSV, .npy or .npz with coordinate columns and field columns */
    double noise;                 /* DATA: std of Gaussian noise added to the targets (default 0) */
    char observe[PINN_EXPR_MAX];  /* DATA: an expression of the fields observed ("" = the field columns) */
    char column[PINN_NAME_MAX];   /* DATA with observe: the column of observed values (default "value") */
    char columns[PINN_EXPR_MAX];  /* DATA from a 2-D .npy: comma-separated names of its columns */
    int anchor;                   /* DATA: the data points join the collocation set of the equations */
    pinn_weight_ramp ramp;        /* weight schedule (kind NONE: a constant weight) */
    int line;
} pinn_condition;

/* The model section: its kind (a name in the model registry, pinnc/model.h) and the section's
 * keys as a configuration tree that the kind reads (and resolves, filling in defaults) when a
 * trainer is built.  Output transforms are the tree's `transform` key. */
typedef struct pinn_model_cfg {
    char kind[PINN_NAME_MAX];
    pinn_cfg cfg;   /* every key of the section except `kind` */
    int line;
} pinn_model_cfg;

typedef enum pinn_opt_kind { PINN_OPT_ADAM = 0, PINN_OPT_LBFGS, PINN_OPT_KIND_COUNT } pinn_opt_kind;

/* train.weighting: dynamic loss balancing (see pinnc/weighting.h and docs/methods.md). */
typedef struct pinn_weighting_file {
    char scheme[PINN_NAME_MAX];   /* fixed | ma | ma_mean | id | dn | relobralo */
    double beta;                  /* exponential decay (default 0.99) */
    int every;                    /* update interval tau (default 10) */
    int bias_correction;
    double p;                     /* dn norm: 1, 2 or inf (default 2) */
    char reference[PINN_NAME_MAX]; /* reference term ("" = the PDE term of highest order) */
    int n_terms;                  /* terms with dynamic weights (0 = all but the reference) */
    char terms[PINN_MAX_EQUATIONS + PINN_MAX_CONDITIONS][PINN_NAME_MAX];
    double temperature, alpha, rho; /* relobralo (defaults 0.1, 0.999, 0.999) */
    int weights_only;             /* params: weights -- statistics over the weight matrices only */
    int n_hist;                   /* epochs at which gradient histograms are written */
    int hist_epochs[16];
    int line;
} pinn_weighting_file;

typedef struct pinn_train_cfg {
    int collocation;      /* interior points */
    int epochs;           /* Adam epochs (a pass over all collocation points) */
    double lr;            /* Adam learning rate */
    char schedule[PINN_NAME_MAX]; /* constant | exponential | cosine */
    double decay_rate;    /* exponential: gamma per decay_steps */
    int decay_steps;
    double lr_min;        /* cosine floor */
    int lbfgs_iters;      /* L-BFGS iterations after Adam (0: none) */
    int lbfgs_memory;
    double lbfgs_gtol, lbfgs_ftol;
    char sampler[PINN_NAME_MAX];  /* uniform | lhs | sobol | halton | grid */
    int resample_every;   /* 0: fixed points */
    int batch;            /* mini-batch of collocation points per step (0: full batch) */
    int block;            /* points per block inside a term (0: default) */
    unsigned long seed;
    int threads;          /* 0: all cores */
    char gemm[PINN_NAME_MAX]; /* matrix-product kernel: auto | library | small | plan ("": the context's) */
    int log_every, eval_every, checkpoint_every;
    pinn_weighting_file weighting;
    /* train.phases: a list of {kind: adam|lbfgs, ...settings} under the key "phases" of this tree
     * (has_phases 0: Adam for `epochs`, then L-BFGS for `lbfgs` iterations) */
    int has_phases;
    pinn_cfg phases;
    int line;
} pinn_train_cfg;

typedef enum pinn_ref_kind {
    PINN_REFK_NONE = 0,
    PINN_REFK_EXACT,       /* exact solution expressions per field */
    PINN_REFK_BURGERS,     /* Cole-Hopf */
    PINN_REFK_ALLEN_CAHN,  /* Fourier pseudo-spectral + ETDRK4 */
    PINN_REFK_POISSON_FD,  /* finite differences on the polygon/box */
    PINN_REFK_BUCKLEY_LEVERETT,
    PINN_REFK_CSV,         /* a CSV file of coordinates and field values */
    PINN_REFK_COUNT
} pinn_ref_kind;
const char *pinn_ref_kind_to_string(pinn_ref_kind k);

typedef struct pinn_reference_cfg {
    pinn_ref_kind kind;
    char exact[PINN_MAX_FIELDS][PINN_EXPR_MAX]; /* EXACT: one expression per field */
    char file[PINN_PATH_MAX];                    /* CSV */
    char nu[PINN_EXPR_MAX];                      /* BURGERS: viscosity expression (default the constant nu) */
    char source[PINN_EXPR_MAX];                  /* POISSON_FD: f in -lap(u) = f */
    char boundary[PINN_EXPR_MAX];                /* POISSON_FD: g on the boundary */
    char initial[PINN_EXPR_MAX];                 /* BURGERS/ALLEN_CAHN: u(0,x) */
    double diffusion, c1, c3;                    /* ALLEN_CAHN: u_t = d u_xx + c1 u + c3 u^3 */
    double mobility;                             /* BUCKLEY_LEVERETT: M */
    double h;                                    /* POISSON_FD grid spacing; ALLEN_CAHN time step */
    int line;
} pinn_reference_cfg;

typedef struct pinn_output_cfg {
    int grid[PINN_MAX_INPUTS]; /* evaluation grid points per coordinate (0: a default) */
    int npy, png;
    int line;
} pinn_output_cfg;

typedef struct pinn_problem {
    char file[PINN_PATH_MAX];  /* where it was read from ("" when built in C) */
    char title[128];
    pinn_domain domain;
    int n_consts;
    pinn_named_expr consts[PINN_MAX_CONSTS];
    int n_fields;
    char fields[PINN_MAX_FIELDS][PINN_NAME_MAX];
    int n_params;
    pinn_named_expr params[PINN_MAX_PARAMS]; /* trainable PDE parameters (inverse problems) */
    int n_defines;
    pinn_named_expr defines[PINN_MAX_DEFINES]; /* named expressions (define:), substituted where used */
    int n_equations;
    pinn_named_expr equations[PINN_MAX_EQUATIONS]; /* name optional, expr the equation */
    double eq_weight[PINN_MAX_EQUATIONS];          /* loss weight of each equation (default 1) */
    pinn_weight_ramp eq_ramp[PINN_MAX_EQUATIONS];  /* and its schedule */
    int n_conditions;
    pinn_condition conditions[PINN_MAX_CONDITIONS];
    pinn_model_cfg model;
    pinn_train_cfg train;
    pinn_reference_cfg reference;
    pinn_output_cfg output;
} pinn_problem;

/* The predicate part of a condition's `on:` text: NULL for "boundary", "interior" and point lists
 * "at (...)", the text after "and" for "interior and <predicate>", else on itself (leading
 * blanks skipped). */
const char *pinn_cond_on_predicate(const char *on);

/* Fill p with the documented defaults (see docs/problem-file.md); no domain, fields or equations. */
void pinn_problem_defaults(pinn_problem *p);

/* Read a YAML problem file into p (defaults first), apply n_set overrides "key.path=value" (value
 * parsed as YAML), evaluate constants, and validate.  Errors name file, line and the expected form:
 * "burgers.yaml:7: train.epochs: expected a positive integer, got 'many'". */
pinn_status pinn_problem_load(pinn_problem *p, const char *path, int n_set, const char *const *set, pinn_error *err);

/* Check a problem built in C (or loaded): names unique, ranges valid, counts positive, ... */
pinn_status pinn_problem_validate(const pinn_problem *p, pinn_error *err);

/* Print p as a resolved YAML document to the stream f (for `pinnc check`). */
void pinn_problem_print(const pinn_problem *p, FILE *f);

/* Write p as a resolved YAML document (every key, defaults filled in) to path, atomically. */
pinn_status pinn_problem_write(const pinn_problem *p, const char *path, pinn_error *err);

#ifdef __cplusplus
}
#endif
#endif
