/* graph.c - building jet graphs: parameter slices, nodes and their validation.
 * Builders return a node id, or -1 after recording the first error in the graph; so a model can be
 * assembled with plain calls and checked once with pinn_graph_status. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jet/graph.h"

static const char *const init_names[PINN_INIT_COUNT] = {
    [PINN_INIT_GLOROT_NORMAL] = "glorot_normal",
    [PINN_INIT_GLOROT_UNIFORM] = "glorot_uniform",
    [PINN_INIT_ZERO] = "zero",
    [PINN_INIT_CONST] = "const",
    [PINN_INIT_UNIFORM] = "uniform",
    [PINN_INIT_NORMAL] = "normal",
};

const char *pinn_init_to_string(pinn_init k) {
    if ((int)k < 0 || k >= PINN_INIT_COUNT) return "unknown";
    return init_names[k];
}

int pinn_init_from_string(const char *name) {
    for (int k = 0; k < PINN_INIT_COUNT; k++)
        if (strcmp(name, init_names[k]) == 0) return k;
    return -1;
}

/* Records the first builder error; returns -1 for the builder to pass on. */
static int fail(pinn_graph *g, const char *fmt, ...) {
    if (g->status == PINN_OK) {
        g->status = PINN_ERR_INVALID;
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(g->msg, sizeof g->msg, fmt, ap);
        va_end(ap);
    }
    return -1;
}

static int valid(const pinn_graph *g, int node) { return node >= 0 && node < g->n_nodes; }

/* Appends a node (copying *nd); grows the array; returns its id or -1. */
static int push(pinn_graph *g, const pinn_node *nd) {
    if (g->status != PINN_OK) return -1;
    if (g->n_nodes == g->cap_nodes) {
        int cap = g->cap_nodes ? 2 * g->cap_nodes : 32;
        pinn_node *nn = realloc(g->nodes, sizeof *nn * (size_t)cap);
        if (!nn) {
            g->status = PINN_ERR_NOMEM;
            snprintf(g->msg, sizeof g->msg, "graph: out of memory");
            return -1;
        }
        g->nodes = nn;
        g->cap_nodes = cap;
    }
    g->nodes[g->n_nodes] = *nd;
    return g->n_nodes++;
}

static pinn_node node_of(pinn_op op, int w, int a, int b) {
    pinn_node nd;
    memset(&nd, 0, sizeof nd);
    nd.op = op;
    nd.w = w;
    nd.a = a;
    nd.b = b;
    nd.pw = nd.pb = -1;
    nd.ca = 1.0;
    return nd;
}

pinn_status pinn_graph_init(pinn_graph **out, int n_inputs, pinn_error *err) {
    *out = NULL;
    if (n_inputs < 1 || n_inputs > PINN_MAX_INPUTS)
        return pinn_error_set(err, PINN_ERR_INVALID, "graph: %d inputs (expected 1..%d)", n_inputs,
                              PINN_MAX_INPUTS);
    pinn_graph *g = calloc(1, sizeof *g);
    if (!g) return pinn_error_set(err, PINN_ERR_NOMEM, "graph: out of memory");
    g->d = n_inputs;
    g->output = -1;
    pinn_node in = node_of(PINN_OP_INPUT, n_inputs, -1, -1);
    in.affine = 1;
    if (push(g, &in) < 0) {
        pinn_graph_free(g);
        return pinn_error_set(err, PINN_ERR_NOMEM, "graph: out of memory");
    }
    *out = g;
    return PINN_OK;
}

void pinn_graph_free(pinn_graph *g) {
    if (!g) return;
    for (int k = 0; k < g->n_subnets; k++) pinn_subnets_free(g->subnets[k]);
    free(g->subnets);
    free(g->ints);
    free(g->nodes);
    free(g->slices);
    free(g->consts);
    free(g->skip);
    free(g);
}

pinn_status pinn_graph_status(const pinn_graph *g, pinn_error *err) {
    if (g->status != PINN_OK) return pinn_error_set(err, g->status, "%s", g->msg);
    if (g->output < 0) return pinn_error_set(err, PINN_ERR_INVALID, "graph: no output node set");
    return PINN_OK;
}

int pinn_graph_param(pinn_graph *g, const char *name, int rows, int cols, pinn_init init, double value) {
    if (g->status != PINN_OK) return -1;
    if (rows < 1 || cols < 1) return fail(g, "graph: parameter '%s' has shape %dx%d", name, rows, cols);
    if ((int)init < 0 || init >= PINN_INIT_COUNT) return fail(g, "graph: bad init for '%s'", name);
    if (g->n_slices == g->cap_slices) {
        int cap = g->cap_slices ? 2 * g->cap_slices : 16;
        pinn_slice *ns = realloc(g->slices, sizeof *ns * (size_t)cap);
        if (!ns) return fail(g, "graph: out of memory");
        g->slices = ns;
        g->cap_slices = cap;
    }
    pinn_slice *s = &g->slices[g->n_slices];
    memset(s, 0, sizeof *s);
    snprintf(s->name, sizeof s->name, "%s", name);
    s->off = g->n_params;
    s->size = (size_t)rows * (size_t)cols;
    s->rows = rows;
    s->cols = cols;
    s->init = init;
    s->value = value;
    g->n_params += s->size;
    return g->n_slices++;
}

size_t pinn_graph_nparams(const pinn_graph *g) { return g->n_params; }
int pinn_graph_nslices(const pinn_graph *g) { return g->n_slices; }
int pinn_graph_nnodes(const pinn_graph *g) { return g->n_nodes; }
int pinn_graph_input(const pinn_graph *g) {
    (void)g;
    return 0;
}
int pinn_graph_width(const pinn_graph *g, int node) { return valid(g, node) ? g->nodes[node].w : -1; }
int pinn_graph_output(const pinn_graph *g) { return g->output; }

void pinn_graph_slice(const pinn_graph *g, int i, const char **name, size_t *offset, size_t *size) {
    if (name) *name = g->slices[i].name;
    if (offset) *offset = g->slices[i].off;
    if (size) *size = g->slices[i].size;
}

int pinn_graph_slice_is_weight(const pinn_graph *g, int i) {
    for (int k = 0; k < g->n_subnets; k++) { /* an instance's slice: as the template's */
        const pinn_subnets *sn = g->subnets[k];
        int ns = sn->net->n_slices;
        if (i >= sn->slice0 && i < sn->slice0 + sn->J * ns) return pinn_graph_slice_is_weight(sn->net, (i - sn->slice0) % ns);
    }
    for (int k = 0; k < g->n_nodes; k++)
        if (g->nodes[k].op == PINN_OP_AFFINE && g->nodes[k].pw == i) return 1;
    return 0;
}

/* Glorot scales use fan_in = cols, fan_out = rows (weights are stored out x in). */
void pinn_graph_init_params(const pinn_graph *g, pinn_real *params, pinn_rng *rng) {
    for (int i = 0; i < g->n_slices; i++) {
        const pinn_slice *s = &g->slices[i];
        pinn_real *p = params + s->off;
        double fan = (double)s->rows + (double)s->cols;
        for (size_t j = 0; j < s->size; j++) {
            switch (s->init) {
            case PINN_INIT_GLOROT_NORMAL: p[j] = (pinn_real)(sqrt(2.0 / fan) * pinn_rng_normal(rng)); break;
            case PINN_INIT_GLOROT_UNIFORM:
                p[j] = (pinn_real)(sqrt(6.0 / fan) * (2.0 * pinn_rng_uniform(rng) - 1.0));
                break;
            case PINN_INIT_ZERO: p[j] = 0; break;
            case PINN_INIT_UNIFORM: p[j] = (pinn_real)(s->value * (2.0 * pinn_rng_uniform(rng) - 1.0)); break;
            case PINN_INIT_NORMAL: p[j] = (pinn_real)(s->value * pinn_rng_normal(rng)); break;
            case PINN_INIT_CONST:
            case PINN_INIT_COUNT: p[j] = (pinn_real)s->value; break;
            }
        }
    }
}

/* A node depends on parameters if any input does; AFFINE always does. */
static int grad_of(const pinn_graph *g, int a, int b) {
    return (a >= 0 && g->nodes[a].needs_grad) || (b >= 0 && g->nodes[b].needs_grad);
}

int pinn_graph_affine(pinn_graph *g, int x, int W, int b) {
    if (g->status != PINN_OK) return -1;
    if (!valid(g, x)) return fail(g, "graph: affine: bad input node %d", x);
    if (W < 0 || W >= g->n_slices) return fail(g, "graph: affine: bad weight slice %d", W);
    const pinn_slice *ws = &g->slices[W];
    if (ws->cols != g->nodes[x].w)
        return fail(g, "graph: affine: weight '%s' is %dx%d but the input has width %d", ws->name, ws->rows,
                    ws->cols, g->nodes[x].w);
    if (b >= 0 && (b >= g->n_slices || g->slices[b].size != (size_t)ws->rows))
        return fail(g, "graph: affine: bias slice does not match %d outputs", ws->rows);
    pinn_node nd = node_of(PINN_OP_AFFINE, ws->rows, x, -1);
    nd.pw = W;
    nd.pb = b;
    nd.affine = g->nodes[x].affine;
    nd.needs_grad = 1;
    return push(g, &nd);
}

int pinn_graph_colaffine(pinn_graph *g, int x, const double *scale, const double *shift) {
    if (g->status != PINN_OK) return -1;
    if (!valid(g, x)) return fail(g, "graph: colaffine: bad input node %d", x);
    int w = g->nodes[x].w;
    if (g->n_consts + 2 * (size_t)w > g->cap_consts) {
        size_t cap = 2 * (g->cap_consts + 2 * (size_t)w);
        double *nc = realloc(g->consts, sizeof *nc * cap);
        if (!nc) return fail(g, "graph: out of memory");
        g->consts = nc;
        g->cap_consts = cap;
    }
    pinn_node nd = node_of(PINN_OP_COLAFFINE, w, x, -1);
    nd.cst = g->n_consts;
    for (int j = 0; j < w; j++) {
        g->consts[g->n_consts + (size_t)j] = scale[j];
        g->consts[g->n_consts + (size_t)(w + j)] = shift ? shift[j] : 0.0;
    }
    g->n_consts += 2 * (size_t)w;
    nd.affine = g->nodes[x].affine;
    nd.needs_grad = grad_of(g, x, -1);
    return push(g, &nd);
}

int pinn_graph_scale_shift(pinn_graph *g, int x, double c, double s) {
    if (g->status != PINN_OK) return -1;
    if (!valid(g, x)) return fail(g, "graph: scale_shift: bad input node %d", x);
    pinn_node nd = node_of(PINN_OP_SCALE_SHIFT, g->nodes[x].w, x, -1);
    nd.ca = c;
    nd.cb = s;
    nd.affine = g->nodes[x].affine;
    nd.needs_grad = grad_of(g, x, -1);
    return push(g, &nd);
}

int pinn_graph_unary(pinn_graph *g, pinn_fn f, double p, int x) {
    if (g->status != PINN_OK) return -1;
    if (!valid(g, x)) return fail(g, "graph: unary: bad input node %d", x);
    if ((int)f < 0 || f >= PINN_FN_COUNT) return fail(g, "graph: unary: unknown function %d", (int)f);
    if (f == PINN_FN_RELUK && (p < 1 || p != floor(p)))
        return fail(g, "graph: relu^k needs an integer k >= 1 (got %g)", p);
    pinn_node nd = node_of(PINN_OP_UNARY, g->nodes[x].w, x, -1);
    nd.fn = f;
    nd.p = p;
    nd.needs_grad = grad_of(g, x, -1);
    return push(g, &nd);
}

/* Width of a broadcasting binary op: equal widths, or either side of width 1. */
static int bin_width(pinn_graph *g, const char *what, int a, int b) {
    if (!valid(g, a) || !valid(g, b)) return fail(g, "graph: %s: bad input nodes %d, %d", what, a, b);
    int wa = g->nodes[a].w, wb = g->nodes[b].w;
    if (wa != wb && wa != 1 && wb != 1)
        return fail(g, "graph: %s: widths %d and %d do not broadcast", what, wa, wb);
    return wa > wb ? wa : wb;
}

int pinn_graph_add(pinn_graph *g, int a, int b, double ca, double cb) {
    if (g->status != PINN_OK) return -1;
    int w = bin_width(g, "add", a, b);
    if (w < 0) return -1;
    pinn_node nd = node_of(PINN_OP_ADD, w, a, b);
    nd.ca = ca;
    nd.cb = cb;
    nd.affine = g->nodes[a].affine && g->nodes[b].affine && g->nodes[a].w == g->nodes[b].w;
    nd.needs_grad = grad_of(g, a, b);
    return push(g, &nd);
}

int pinn_graph_mul(pinn_graph *g, int a, int b) {
    if (g->status != PINN_OK) return -1;
    int w = bin_width(g, "mul", a, b);
    if (w < 0) return -1;
    pinn_node nd = node_of(PINN_OP_MUL, w, a, b);
    nd.needs_grad = grad_of(g, a, b);
    return push(g, &nd);
}

int pinn_graph_div(pinn_graph *g, int a, int b) {
    int r = pinn_graph_unary(g, PINN_FN_RECIP, -1.0, b);
    return r < 0 ? -1 : pinn_graph_mul(g, a, r);
}

int pinn_graph_sum(pinn_graph *g, int x) {
    if (g->status != PINN_OK) return -1;
    if (!valid(g, x)) return fail(g, "graph: sum: bad input node %d", x);
    pinn_node nd = node_of(PINN_OP_SUM, 1, x, -1);
    nd.affine = g->nodes[x].affine;
    nd.needs_grad = grad_of(g, x, -1);
    return push(g, &nd);
}

/* softmax(x) = e / sum(e), e = exp(x - max_j x_j); the max shift leaves the function unchanged. */
int pinn_graph_softmax(pinn_graph *g, int x) {
    if (g->status != PINN_OK) return -1;
    if (!valid(g, x)) return fail(g, "graph: softmax: bad input node %d", x);
    pinn_node nd = node_of(PINN_OP_CENTER, g->nodes[x].w, x, -1);
    nd.needs_grad = grad_of(g, x, -1);
    int c = push(g, &nd);
    int e = pinn_graph_unary(g, PINN_FN_EXP, 0, c);
    int s = pinn_graph_sum(g, e);
    return pinn_graph_div(g, e, s);
}

int pinn_graph_slice_cols(pinn_graph *g, int x, int j0, int w) {
    if (g->status != PINN_OK) return -1;
    if (!valid(g, x)) return fail(g, "graph: slice: bad input node %d", x);
    if (j0 < 0 || w < 1 || j0 + w > g->nodes[x].w)
        return fail(g, "graph: slice [%d,%d) outside width %d", j0, j0 + w, g->nodes[x].w);
    pinn_node nd = node_of(PINN_OP_SLICE, w, x, -1);
    nd.j0 = j0;
    nd.affine = g->nodes[x].affine;
    nd.needs_grad = grad_of(g, x, -1);
    return push(g, &nd);
}

int pinn_graph_concat(pinn_graph *g, int a, int b) {
    if (g->status != PINN_OK) return -1;
    if (!valid(g, a) || !valid(g, b)) return fail(g, "graph: concat: bad input nodes %d, %d", a, b);
    pinn_node nd = node_of(PINN_OP_CONCAT, g->nodes[a].w + g->nodes[b].w, a, b);
    nd.affine = g->nodes[a].affine && g->nodes[b].affine;
    nd.needs_grad = grad_of(g, a, b);
    return push(g, &nd);
}

int pinn_graph_set_output(pinn_graph *g, int node) {
    if (g->status != PINN_OK) return -1;
    if (!valid(g, node)) return fail(g, "graph: output: bad node %d", node);
    g->output = node;
    return node;
}

/* For the builders in other files (subnets.c): append a node; record an error (returns -1). */
int pinn_graph_push_node(pinn_graph *g, const pinn_node *nd) { return push(g, nd); }
int pinn_graph_fail(pinn_graph *g, const char *msg) { return fail(g, "%s", msg); }

/* Marks nodes first..last skipped (skip != 0) or live again; a skipped node read by a live node
 * gets its value zeroed by the forward pass.  Returns 0, or -1 on a bad range or no memory. */
int pinn_graph_set_skip(pinn_graph *g, int first, int last, int skip) {
    if (first < 1 || last < first || last >= g->n_nodes) return -1;
    if (!g->skip && !(g->skip = calloc((size_t)g->n_nodes, 1))) return -1;
    for (int i = first; i <= last; i++) g->skip[i] = skip ? 1 : 0;
    for (int i = 1; i < g->n_nodes; i++) {
        const pinn_node *nd = &g->nodes[i];
        if (g->skip[i]) continue;
        if (nd->a > 0 && g->skip[nd->a]) g->skip[nd->a] = 2;
        if (nd->b > 0 && g->skip[nd->b]) g->skip[nd->b] = 2;
    }
    return 0;
}

int pinn_graph_skipped(const pinn_graph *g, int node) { return g->skip && valid(g, node) ? g->skip[node] != 0 : 0; }
