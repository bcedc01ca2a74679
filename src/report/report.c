/* report.c - report.html of a run directory and its figures, from the run's files (pinnc/report.h). */
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "io/files.h"
#include "pinnc/report.h"
#include "report/figures.h"

size_t pinn_problem_struct_size(void) { return sizeof(pinn_problem); }
int pinn_real_size(void) { return (int)sizeof(pinn_real); }

static void json_list(rp_buf *b, int n, const char *names, size_t stride) {
    rp_buf_puts(b, "[");
    for (int i = 0; i < n; i++) {
        rp_buf_puts(b, i ? ", \"" : "\"");
        rp_buf_puts(b, names + (size_t)i * stride); /* names are identifiers: nothing to escape */
        rp_buf_puts(b, "\"");
    }
    rp_buf_puts(b, "]");
}

size_t pinn_problem_describe(const void *pv, char *buf, size_t n) {
    const pinn_problem *p = pv;
    rp_buf b;
    rp_buf_init(&b);
    rp_buf_puts(&b, "{\"title\": \"");
    for (const char *c = p->title; *c; c++) {
        if (*c == '"' || *c == '\\') rp_buf_put(&b, "\\", 1);
        if ((unsigned char)*c >= 0x20) rp_buf_put(&b, c, 1);
    }
    rp_buf_puts(&b, "\", \"coords\": ");
    json_list(&b, p->domain.d, p->domain.coord[0], PINN_NAME_MAX);
    rp_buf_printf(&b, ", \"time\": %d, \"fields\": ", p->domain.time);
    json_list(&b, p->n_fields, p->fields[0], PINN_NAME_MAX);
    rp_buf_puts(&b, ", \"params\": ");
    json_list(&b, p->n_params, p->params[0].name, sizeof p->params[0]);
    rp_buf_puts(&b, "}");
    size_t len = b.oom ? 0 : b.len;
    if (buf && n) snprintf(buf, n, "%s", b.data && !b.oom ? b.data : "");
    rp_buf_free(&b);
    return len;
}

/* "%.*g" of v, or an en dash for NaN/missing. */
static const char *num(char *buf, size_t n, double v, int digits) {
    if (!isfinite(v)) snprintf(buf, n, "\xe2\x80\x93");
    else snprintf(buf, n, "%.*g", digits, v);
    return buf;
}

static void row(rp_buf *h, const char *key, const char *val) {
    rp_buf_puts(h, "<tr><th>");
    rp_buf_xml(h, key);
    rp_buf_puts(h, "</th><td>");
    rp_buf_xml(h, val);
    rp_buf_puts(h, "</td></tr>\n");
}

/* A configuration node on one line: a scalar's text, [a, b, ...], {k: v, ...}. */
static void cfg_flat(const pinn_cfg *c, int node, char *b, size_t size) {
    size_t o = 0;
    b[0] = '\0';
    int type = pinn_cfg_type_of(c, node);
    if (type == PINN_CFG_SCALAR) {
        snprintf(b, size, "%s", pinn_cfg_text(c, node));
        return;
    }
    o += (size_t)snprintf(b + o, size - o, type == PINN_CFG_SEQ ? "[" : "{");
    for (int i = 0; i < pinn_cfg_count(c, node) && o < size; i++) {
        int it = pinn_cfg_item(c, node, i);
        char sub[256];
        cfg_flat(c, it, sub, sizeof sub);
        if (type == PINN_CFG_MAP) o += (size_t)snprintf(b + o, size - o, "%s%s: %s", i ? ", " : "", pinn_cfg_key(c, it), sub);
        else o += (size_t)snprintf(b + o, size - o, "%s%s", i ? ", " : "", sub);
    }
    if (o < size) snprintf(b + o, size - o, type == PINN_CFG_SEQ ? "]" : "}");
}

static void row_num(rp_buf *h, const char *key, double v, int digits, const char *unit) {
    char b[64], t[96];
    num(b, sizeof b, v, digits);
    snprintf(t, sizeof t, "%s%s", b, isfinite(v) ? unit : "");
    row(h, key, t);
}

static const char *const css =
    "body{font-family:'DejaVu Sans',Arial,sans-serif;margin:0 auto;max-width:1180px;padding:1em 1.5em;color:#222}"
    "h1{font-size:1.6em;margin-bottom:.2em}h2{border-bottom:1px solid #ccc;padding-bottom:.15em;margin-top:1.6em}"
    "table{border-collapse:collapse;margin:.5em 0}th,td{border:1px solid #ddd;padding:.25em .6em;text-align:left;vertical-align:top}"
    "th{background:#f4f4f4;font-weight:600}td.n{text-align:right;font-variant-numeric:tabular-nums}"
    "code,pre{font-family:'DejaVu Sans Mono',monospace;font-size:.92em}pre{background:#f7f7f7;border:1px solid #ddd;padding:.7em;overflow:auto;max-height:32em}"
    ".figs{display:flex;flex-wrap:wrap;gap:1em}figure{margin:0;border:1px solid #e2e2e2;padding:.4em;background:#fff;"
    "flex:0 1 auto;max-width:calc(50% - 1.4em);box-sizing:border-box}"
    "figcaption{font-size:.85em;color:#555;max-width:640px}img{display:block;max-width:100%;height:auto}"
    ".meta{color:#666}.cols{display:flex;flex-wrap:wrap;gap:2em}\n";

/* A self-check the browser test reads back (tests/report_browser.py): after loading, the body
 * carries the number of images, of images decoded, and of errors seen. */
static const char *const self_check =
    "(function(){var n=0;window.addEventListener('error',function(){n++;},true);"
    "window.addEventListener('load',function(){var im=document.images,ok=0;"
    "for(var i=0;i<im.length;i++)if(im[i].complete&&im[i].naturalWidth>0)ok++;var b=document.body;"
    "b.setAttribute('data-images',im.length);b.setAttribute('data-images-loaded',ok);b.setAttribute('data-errors',n);});})();";

/* The problem section: domain, fields, equations, conditions, model, training, reference. */
static void problem_section(rp_buf *h, const rp_run *r) {
    const pinn_problem *p = r->prob;
    rp_buf_puts(h, "<h2 id=\"problem\">Problem</h2>\n");
    if (!p) {
        rp_buf_puts(h, "<p>config.yaml could not be loaded as a problem: ");
        rp_buf_xml(h, r->prob_err[0] ? r->prob_err : "missing");
        rp_buf_puts(h, "</p>\n");
        return;
    }
    char b[1200], t[64], u[64];
    rp_buf_puts(h, "<div class=\"cols\"><div><h3>Equations</h3><table>\n");
    for (int e = 0; e < p->n_equations; e++) {
        rp_buf_puts(h, "<tr><td><code>");
        rp_buf_xml(h, p->equations[e].expr);
        rp_buf_puts(h, "</code></td></tr>\n");
    }
    rp_buf_puts(h, "</table>\n<h3>Domain</h3><table>\n");
    for (int i = 0; i < p->domain.d; i++) {
        snprintf(b, sizeof b, "[%s, %s]%s", num(t, sizeof t, p->domain.lo[i], 6), num(u, sizeof u, p->domain.hi[i], 6),
                 i == p->domain.time ? "  (time)" : "");
        row(h, p->domain.coord[i], b);
    }
    row(h, "shape", pinn_domain_shape_to_string(p->domain.shape));
    size_t off = 0;
    b[0] = '\0';
    for (int f = 0; f < p->n_fields; f++) off += (size_t)snprintf(b + off, sizeof b - off, "%s%s", f ? ", " : "", p->fields[f]);
    row(h, "fields", b);
    for (int c = 0; c < p->n_consts; c++) {
        snprintf(b, sizeof b, "%s = %s", p->consts[c].expr, num(t, sizeof t, p->consts[c].value, 8));
        row(h, p->consts[c].name, b);
    }
    for (int c = 0; c < p->n_params; c++) {
        snprintf(b, sizeof b, "unknown, initial %s", num(t, sizeof t, p->params[c].value, 6));
        row(h, p->params[c].name, b);
    }
    rp_buf_puts(h, "</table></div>\n<div><h3>Conditions</h3><table>\n<tr><th>name</th><th>kind</th><th>on</th><th>equation / data</th><th>points</th><th>weight</th></tr>\n");
    for (int c = 0; c < p->n_conditions; c++) {
        const pinn_condition *q = &p->conditions[c];
        rp_buf_puts(h, "<tr><td>");
        rp_buf_xml(h, q->name);
        rp_buf_puts(h, "</td><td>");
        rp_buf_xml(h, pinn_cond_kind_to_string(q->kind));
        rp_buf_puts(h, "</td><td><code>");
        if (q->kind == PINN_COND_PERIODIC) rp_buf_xml(h, p->domain.coord[q->coordinate]);
        else rp_buf_xml(h, q->on);
        rp_buf_puts(h, "</code></td><td><code>");
        rp_buf_xml(h, q->kind == PINN_COND_DATA ? q->file : q->equation);
        rp_buf_printf(h, "</code></td><td class=\"n\">%d</td><td class=\"n\">%s</td></tr>\n", q->points, num(t, sizeof t, q->weight, 4));
    }
    rp_buf_puts(h, "</table>\n<h3>Model and training</h3><table>\n");
    /* the model section as the kind resolved it: one row per key */
    row(h, "model", p->model.kind);
    for (int i = 0; i < pinn_cfg_count(&p->model.cfg, 0); i++) {
        int node = pinn_cfg_item(&p->model.cfg, 0, i);
        cfg_flat(&p->model.cfg, node, b, sizeof b);
        char key[64];
        snprintf(key, sizeof key, "model.%s", pinn_cfg_key(&p->model.cfg, node));
        row(h, key, b);
    }
    if (p->train.has_phases) {
        int l = pinn_cfg_find(&p->train.phases, 0, "phases");
        for (int i = 0; i < pinn_cfg_count(&p->train.phases, l); i++) {
            char key[32];
            snprintf(key, sizeof key, "phase %d", i + 1);
            cfg_flat(&p->train.phases, pinn_cfg_item(&p->train.phases, l, i), b, sizeof b);
            row(h, key, b);
        }
    }
    snprintf(b, sizeof b, "%d epochs, lr %s (%s)", p->train.epochs, num(t, sizeof t, p->train.lr, 4), p->train.schedule);
    row(h, "Adam", b);
    snprintf(b, sizeof b, "%d iterations (memory %d)", p->train.lbfgs_iters, p->train.lbfgs_memory);
    row(h, "L-BFGS", b);
    snprintf(b, sizeof b, "%d points, %s%s", p->train.collocation, p->train.sampler, p->train.batch ? ", mini-batches" : "");
    row(h, "collocation", b);
    snprintf(b, sizeof b, "%s%s", p->train.weighting.scheme, strcmp(p->train.weighting.scheme, "fixed") ? "" : " weights");
    row(h, "weighting", b);
    snprintf(b, sizeof b, "%lu", p->train.seed);
    row(h, "seed", b);
    row(h, "reference", pinn_ref_kind_to_string(p->reference.kind));
    rp_buf_puts(h, "</table></div></div>\n");
}

/* Results and timing from summary.json. */
static void results_section(rp_buf *h, const rp_run *r) {
    const rp_json *j = &r->summary;
    if (!j->n) return;
    char t[64];
    rp_buf_puts(h, "<h2 id=\"results\">Results</h2>\n<div class=\"cols\"><div><table>\n");
    int rel = rp_json_get(j, 0, "rel_l2");
    if (rel >= 0)
        for (int c = j->nodes[rel].first; c >= 0; c = j->nodes[c].next) {
            char key[96];
            snprintf(key, sizeof key, "relative L2 error of %s", j->nodes[c].key);
            row(h, key, num(t, sizeof t, j->nodes[c].num, 3));
        }
    row_num(h, "final loss", rp_json_num(j, 0, "final_loss"), 4, "");
    int tl = rp_json_get(j, 0, "term_loss");
    if (tl >= 0)
        for (int c = j->nodes[tl].first; c >= 0; c = j->nodes[c].next) {
            char key[96];
            snprintf(key, sizeof key, "loss of %s", j->nodes[c].key);
            row(h, key, num(t, sizeof t, j->nodes[c].num, 3));
        }
    int pp = rp_json_get(j, 0, "parameters");
    if (pp >= 0)
        for (int c = j->nodes[pp].first; c >= 0; c = j->nodes[c].next) {
            char key[96];
            snprintf(key, sizeof key, "identified %s", j->nodes[c].key);
            row(h, key, num(t, sizeof t, j->nodes[c].num, 6));
        }
    row_num(h, "Adam epochs", rp_json_num(j, 0, "epochs"), 10, "");
    char lb[128];
    snprintf(lb, sizeof lb, "%s%s%s", num(t, sizeof t, rp_json_num(j, 0, "lbfgs_iterations"), 10),
             rp_json_str(j, 0, "lbfgs_stop")[0] ? ", stopped: " : "", rp_json_str(j, 0, "lbfgs_stop"));
    row(h, "L-BFGS iterations", lb);
    row_num(h, "trainable parameters", rp_json_num(j, 0, "params"), 10, "");
    row_num(h, "collocation points", rp_json_num(j, 0, "collocation"), 10, "");
    int ir = rp_json_get(j, 0, "importance_ranking"); /* a mixture of experts: experts by mean gate weight */
    if (ir >= 0) {
        int k = 1;
        for (int c = j->nodes[ir].first; c >= 0; c = j->nodes[c].next, k++) {
            char key[96];
            snprintf(key, sizeof key, "expert %d by importance: %.60s", k, rp_json_str(j, c, "expert"));
            row(h, key, num(t, sizeof t, rp_json_num(j, c, "importance"), 3));
        }
    }
    rp_buf_puts(h, "</table></div>\n<div><table>\n");
    int tm = rp_json_get(j, 0, "timing");
    row_num(h, "wall time", rp_json_num(j, 0, "wall_s"), 4, " s");
    row_num(h, "threads", rp_json_num(j, 0, "threads"), 4, "");
    row_num(h, "Adam", rp_json_num(j, tm, "adam_s"), 4, " s");
    row_num(h, "time per Adam epoch", rp_json_num(j, tm, "adam_ms_per_epoch"), 4, " ms");
    row_num(h, "share of loss weighting", 100 * rp_json_num(j, tm, "weighting_fraction"), 3, " %");
    row_num(h, "matrix products per epoch", rp_json_num(j, tm, "gemm_gflop_per_epoch"), 4, " GFLOP");
    row_num(h, "matrix-product rate", rp_json_num(j, tm, "gemm_gflops"), 4, " GFLOP/s");
    row_num(h, "L-BFGS", rp_json_num(j, tm, "lbfgs_s"), 4, " s");
    row_num(h, "evaluation", rp_json_num(j, tm, "evaluate_s"), 4, " s");
    rp_buf_puts(h, "</table></div></div>\n");
}

/* Embed one figure as an <img> with an SVG data: URI. */
static void figure_html(rp_buf *h, const rp_fig *g, const rp_buf *svg) {
    double w, hh;
    plot_figure_size(&g->fig, &w, &hh);
    rp_buf_printf(h, "<figure id=\"fig-%s\"><img width=\"%.0f\" height=\"%.0f\" alt=\"", g->name, w, hh);
    rp_buf_xml(h, g->fig.title);
    rp_buf_puts(h, "\" src=\"data:image/svg+xml;base64,");
    rp_buf_base64(h, svg->data, svg->len);
    rp_buf_puts(h, "\"><figcaption>");
    rp_buf_xml(h, g->caption);
    rp_buf_printf(h, " <a href=\"figures/%s.svg\">SVG</a></figcaption></figure>\n", g->name);
}

/* Files of the run directory with sizes, and any report-*.html fragments included verbatim. */
static void files_section(rp_buf *h, const char *dir, int fragments) {
    DIR *d = opendir(dir);
    if (!d) return;
    char names[256][256];
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) && n < 256)
        if (e->d_name[0] != '.' && !strstr(e->d_name, ".tmp.")) snprintf(names[n++], 256, "%s", e->d_name);
    closedir(d);
    for (int i = 1; i < n; i++) /* sorted, for a stable page */
        for (int k = i; k > 0 && strcmp(names[k - 1], names[k]) > 0; k--) {
            char tmp[256];
            memcpy(tmp, names[k], 256), memcpy(names[k], names[k - 1], 256), memcpy(names[k - 1], tmp, 256);
        }
    if (fragments) {
        for (int i = 0; i < n; i++) {
            size_t l = strlen(names[i]);
            if (strncmp(names[i], "report-", 7) || l < 5 || strcmp(names[i] + l - 5, ".html")) continue;
            char path[1400];
            snprintf(path, sizeof path, "%.900s/%.255s", dir, names[i]);
            rp_buf_puts(h, "<section>\n");
            if (rp_file_read(h, path, NULL) != PINN_OK) rp_buf_puts(h, "<p>(unreadable fragment)</p>");
            rp_buf_puts(h, "\n</section>\n");
        }
        return;
    }
    rp_buf_puts(h, "<h2 id=\"files\">Files</h2>\n<table>\n");
    for (int i = 0; i < n; i++) {
        char path[1400];
        snprintf(path, sizeof path, "%.900s/%.255s", dir, names[i]);
        struct stat sb;
        if (stat(path, &sb) != 0) continue;
        rp_buf_puts(h, "<tr><td><a href=\"");
        rp_buf_xml(h, names[i]);
        rp_buf_puts(h, "\">");
        rp_buf_xml(h, names[i]);
        if (S_ISDIR(sb.st_mode)) rp_buf_puts(h, "/</a></td><td class=\"n\">directory</td></tr>\n");
        else rp_buf_printf(h, "</a></td><td class=\"n\">%.1f kB</td></tr>\n", (double)sb.st_size / 1024.0);
    }
    rp_buf_puts(h, "</table>\n");
}

/* Write fig as figures/<name>.svg (kept in svg) and, with cairo, .png (and the alias picture). */
static pinn_status write_figure(const char *dir, const rp_fig *g, rp_buf *svg, pinn_error *err) {
    char path[1400];
    pinn_status st = plot_svg(&g->fig, svg, err);
    if (st) return st;
    snprintf(path, sizeof path, "%s/figures/%s.svg", dir, g->name);
    if ((st = pinn_file_write_atomic(path, svg->data, svg->len, err))) return st;
    rp_buf png;
    rp_buf_init(&png);
    pinn_error e;
    st = plot_cairo_png(&g->fig, 2.0, &png, &e);
    if (st == PINN_OK) {
        snprintf(path, sizeof path, "%s/figures/%s.png", dir, g->name);
        st = pinn_file_write_atomic(path, png.data, png.len, err);
        if (!st && g->alias[0]) {
            snprintf(path, sizeof path, "%s/%s", dir, g->alias);
            st = pinn_file_write_atomic(path, png.data, png.len, err);
        }
    } else if (st == PINN_ERR_UNSUPPORTED)
        st = PINN_OK;
    else
        pinn_error_set(err, st, "%s", e.msg);
    rp_buf_free(&png);
    return st;
}

pinn_status pinn_report_write(const char *run_dir, pinn_error *err) {
    rp_run r;
    pinn_status st = rp_run_load(&r, run_dir, err);
    if (st) return st;
    rp_figset fs;
    if ((st = rp_figures_build(&r, &fs, err))) {
        rp_run_free(&r);
        return st;
    }
    char path[1400];
    snprintf(path, sizeof path, "%s/figures", run_dir);
    rp_buf h;
    rp_buf_init(&h);
    if ((st = pinn_mkdir_p(path, err))) goto done;
    const char *title = r.title[0] ? r.title : "pinnc run";
    rp_buf_puts(&h, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>");
    rp_buf_xml(&h, title);
    rp_buf_printf(&h, " \xe2\x80\x94 pinnc report</title>\n<style>%s</style>\n<script>%s</script></head>\n<body>\n<h1>", css,
                  self_check);
    rp_buf_xml(&h, title);
    rp_buf_puts(&h, "</h1>\n<p class=\"meta\">run directory <code>");
    rp_buf_xml(&h, run_dir);
    rp_buf_puts(&h, "</code> \xc2\xb7 problem file <code>");
    rp_buf_xml(&h, rp_json_str(&r.summary, 0, "problem"));
    rp_buf_puts(&h, "</code> \xc2\xb7 pinnc ");
    rp_buf_xml(&h, rp_json_str(&r.summary, 0, "version")[0] ? rp_json_str(&r.summary, 0, "version") : pinn_version());
    rp_buf_puts(&h, "</p>\n<p><a href=\"#results\">results</a> \xc2\xb7 <a href=\"#problem\">problem</a> \xc2\xb7 "
                    "<a href=\"#training\">training</a> \xc2\xb7 <a href=\"#fields\">fields</a> \xc2\xb7 "
                    "<a href=\"#config\">config.yaml</a> \xc2\xb7 <a href=\"#files\">files</a></p>\n");
    if (!r.summary.n) rp_buf_puts(&h, "<p><strong>No summary.json: the run has not finished.</strong></p>\n");
    results_section(&h, &r);
    problem_section(&h, &r);
    static const char *const group_title[4] = {"Training", "Fields", "Slices", "Latent maps"};
    static const char *const group_id[4] = {"training", "fields", "slices", "latent"};
    for (int grp = 0; grp < 4; grp++) {
        int any = 0;
        for (int i = 0; i < fs.n; i++) {
            if (fs.f[i]->group != grp) continue;
            if (!any) rp_buf_printf(&h, "<h2 id=\"%s\">%s</h2>\n<div class=\"figs\">\n", group_id[grp], group_title[grp]);
            any = 1;
            rp_buf svg;
            rp_buf_init(&svg);
            st = write_figure(run_dir, fs.f[i], &svg, err);
            if (!st) figure_html(&h, fs.f[i], &svg);
            rp_buf_free(&svg);
            if (st) goto done;
        }
        if (any) rp_buf_puts(&h, "</div>\n");
        else if (grp == 1) rp_buf_puts(&h, "<h2 id=\"fields\">Fields</h2>\n<p>No field pictures for this evaluation grid.</p>\n");
    }
    files_section(&h, run_dir, 1);
    rp_buf_puts(&h, "<h2 id=\"config\">The problem as resolved (config.yaml)</h2>\n<pre>");
    rp_buf_xml(&h, r.config.data ? r.config.data : "(missing)");
    rp_buf_puts(&h, "</pre>\n");
    files_section(&h, run_dir, 0);
    rp_buf_puts(&h, "</body></html>\n");
    if (h.oom) {
        st = pinn_error_set(err, PINN_ERR_NOMEM, "out of memory");
        goto done;
    }
    snprintf(path, sizeof path, "%s/report.html", run_dir);
    st = pinn_file_write_atomic(path, h.data, h.len, err);
done:
    rp_buf_free(&h);
    rp_figures_free(&fs);
    rp_run_free(&r);
    return st;
}
