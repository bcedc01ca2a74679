/* progress.c - the training progress display: one rewritten status line on a terminal
 * (epoch, loss, per-term losses and weights, rate, ETA), plain log lines otherwise. */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"

static void fmt_time(char *buf, size_t n, double s) {
    if (!isfinite(s) || s < 0) snprintf(buf, n, "--");
    else if (s < 60) snprintf(buf, n, "%.0fs", s);
    else if (s < 3600) snprintf(buf, n, "%dm%02ds", (int)(s / 60), (int)fmod(s, 60));
    else snprintf(buf, n, "%dh%02dm", (int)(s / 3600), (int)fmod(s / 60, 60));
}

void cli_progress(void *ctx, const pinn_progress *p) {
    cli_progress_state *st = ctx;
    if (st->quiet) return;
    char line[1024], eta[32], el[32];
    size_t o = 0;
    fmt_time(eta, sizeof eta, p->eta_s);
    fmt_time(el, sizeof el, p->wall_s);
    o += (size_t)snprintf(line + o, sizeof line - o, "%-5s %7ld/%-7ld loss %.3e", p->phase, p->epoch, p->total, p->loss);
    for (int i = 0; i < p->n_terms && o < sizeof line - 64; i++) {
        if (p->weights[i] != 1.0)
            o += (size_t)snprintf(line + o, sizeof line - o, " | %s %.2e (w %.3g)", p->term_names[i], p->term_loss[i],
                                  p->weights[i]);
        else
            o += (size_t)snprintf(line + o, sizeof line - o, " | %s %.2e", p->term_names[i], p->term_loss[i]);
    }
    for (int i = 0; i < p->n_params && o < sizeof line - 64; i++)
        o += (size_t)snprintf(line + o, sizeof line - o, " | %s=%.5g", p->param_names[i], p->param_values[i]);
    if (isfinite(p->rel_l2) && o < sizeof line - 64)
        o += (size_t)snprintf(line + o, sizeof line - o, " | rel_l2 %.2e", p->rel_l2);
    if (o < sizeof line - 64)
        snprintf(line + o, sizeof line - o, " | %.0f it/s | %s elapsed, ETA %s", p->rate, el, eta);
    if (st->tty) {
        fprintf(stderr, "\r\033[K%s", line);
        if (p->final) fputc('\n', stderr);
        fflush(stderr);
    } else {
        fprintf(stderr, "%s\n", line);
    }
}

void cli_progress_init(cli_progress_state *st, int quiet) {
    memset(st, 0, sizeof *st);
    st->quiet = quiet;
    st->tty = isatty(fileno(stderr));
}
