#include "progress.h"

#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void mh_progress_init(mh_progress *p, FILE *out)
{
    memset(p, 0, sizeof *p);
    p->out = out;
    p->tty = isatty(fileno(out));
    p->started = p->last_print = now_s();
}

void mh_progress_clear(mh_progress *p)
{
    if (p->drawn) {
        fputs("\r\033[K", p->out);
        p->drawn = 0;
    }
}

static void draw_bar(mh_progress *p, uint64_t done, uint64_t total, double rate)
{
    char bar[31];
    int fill = total > 0 ? (int)(30.0 * (double)(done > total ? total : done) / (double)total) : 0;
    memset(bar, '#', (size_t)fill);
    memset(bar + fill, '.', (size_t)(30 - fill));
    bar[30] = '\0';
    fprintf(p->out, "\r\033[K%-6s [%s] %llu", p->phase, bar, (unsigned long long)done);
    if (total > 0)
        fprintf(p->out, "/%llu", (unsigned long long)total);
    fprintf(p->out, "  %.0f/s", rate);
    if (total > done && rate > 0)
        fprintf(p->out, "  ~%.0fs left", (double)(total - done) / rate);
    fflush(p->out);
    p->drawn = 1;
}

void mh_progress_update(mh_progress *p, const char *phase, uint64_t done, uint64_t total)
{
    double t = now_s(), elapsed = t - p->started;
    double rate = elapsed > 0 ? (double)done / elapsed : 0;

    if (strcmp(phase, p->phase) != 0) {
        mh_progress_clear(p);
        snprintf(p->phase, sizeof p->phase, "%s", phase);
        p->started = t;
        rate = 0;
    } else if (t - p->last_print < (p->tty ? 0.1 : 5.0)) {
        return;
    }
    p->last_print = t;
    if (p->tty) {
        draw_bar(p, done, total, rate);
        return;
    }
    fprintf(p->out, "progress: %s %llu", phase, (unsigned long long)done);
    if (total > 0)
        fprintf(p->out, " of %llu", (unsigned long long)total);
    if (rate > 0)
        fprintf(p->out, " (%.0f/s)", rate);
    fputc('\n', p->out);
}

void mh_progress_step(mh_progress *p, const char *what)
{
    mh_progress_clear(p);
    snprintf(p->phase, sizeof p->phase, "%s", what);
    p->started = p->last_print = now_s();
    if (p->tty) {
        fprintf(p->out, "\r\033[K%s", what);
        fflush(p->out);
        p->drawn = 1;
        return;
    }
    fprintf(p->out, "progress: %s\n", what);
    fflush(p->out);
}

void mh_progress_finish(mh_progress *p)
{
    mh_progress_clear(p);
}
