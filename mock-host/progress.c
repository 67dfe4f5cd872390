#include "progress.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A default mutex holds no resources, so none is destroyed: a progress
 * object lives as long as its run and may be finished more than once. */
void mh_progress_init(mh_progress *p, FILE *out)
{
    const char *every = getenv("MOCK_HOST_PROGRESS_SECONDS");
    double e = every != NULL ? strtod(every, NULL) : 0;
    memset(p, 0, sizeof *p);
    pthread_mutex_init(&p->lock, NULL);
    p->out = out;
    p->tty = isatty(fileno(out));
    p->started = p->last_print = now_s();
    p->every = e >= 0.2 && e <= 3600 ? e : 5.0;
}

static void line_locked(mh_progress *p, double rate)
{
    fprintf(p->out, "progress: %s %llu", p->phase, (unsigned long long)p->done);
    if (p->total > 0)
        fprintf(p->out, " of %llu", (unsigned long long)p->total);
    if (rate > 0)
        fprintf(p->out, " (%.0f/s)", rate);
    fputc('\n', p->out);
    p->unsaid = 0;
}

/* The functions below whose names end in _locked run under p->lock. */
static void clear_locked(mh_progress *p)
{
    if (p->drawn) {
        fputs("\r\033[K", p->out);
        p->drawn = 0;
    }
}

/* Before the next phase: the count this phase reached, if not said yet. */
static void close_phase_locked(mh_progress *p)
{
    if (!p->tty && p->unsaid)
        line_locked(p, 0);
}

void mh_progress_print(mh_progress *p, const char *line)
{
    pthread_mutex_lock(&p->lock);
    clear_locked(p);
    fprintf(p->out, "%s\n", line);
    pthread_mutex_unlock(&p->lock);
}

static void draw_bar_locked(mh_progress *p, uint64_t done, uint64_t total, double rate)
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

static void update_locked(mh_progress *p, const char *phase, uint64_t done, uint64_t total)
{
    double t = now_s(), elapsed = t - p->started;
    double rate = elapsed > 0 ? (double)done / elapsed : 0;
    int new_phase = strcmp(phase, p->phase) != 0;

    if (new_phase) {
        close_phase_locked(p);
        clear_locked(p);
        snprintf(p->phase, sizeof p->phase, "%s", phase);
        p->started = t;
        rate = 0;
    }
    p->done = done;
    p->total = total;
    if (!new_phase && t - p->last_print < (p->tty ? 0.1 : p->every)) {
        p->unsaid = 1;
        return;
    }
    p->last_print = t;
    if (p->tty) {
        draw_bar_locked(p, done, total, rate);
        return;
    }
    line_locked(p, rate);
}

void mh_progress_update(mh_progress *p, const char *phase, uint64_t done, uint64_t total)
{
    pthread_mutex_lock(&p->lock);
    update_locked(p, phase, done, total);
    pthread_mutex_unlock(&p->lock);
}

void mh_progress_step(mh_progress *p, const char *what)
{
    pthread_mutex_lock(&p->lock);
    close_phase_locked(p);
    clear_locked(p);
    snprintf(p->phase, sizeof p->phase, "%s", what);
    p->started = p->last_print = now_s();
    if (p->tty) {
        fprintf(p->out, "\r\033[K%s", what);
        p->drawn = 1;
    } else {
        fprintf(p->out, "progress: %s\n", what);
    }
    fflush(p->out);
    pthread_mutex_unlock(&p->lock);
}

void mh_progress_finish(mh_progress *p)
{
    pthread_mutex_lock(&p->lock);
    close_phase_locked(p);
    clear_locked(p);
    pthread_mutex_unlock(&p->lock);
}
