/* progress.h - showing a long run's progress on stderr: a bar that redraws
 * in place on a terminal, a plain line every few seconds otherwise (every
 * MOCK_HOST_PROGRESS_SECONDS, default 5; the console asks for 1), and the
 * phase's last count before the next phase, so a log ends on the whole.  Every
 * function may be called from any thread (the plugin ABI lets a plugin log
 * and report progress from its own threads while the host reports steps). */
#ifndef MH_PROGRESS_H
#define MH_PROGRESS_H

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>

typedef struct mh_progress {
    pthread_mutex_t lock;   /* over the fields below and the output */
    FILE *out;
    int tty;
    int drawn;              /* a bar is on screen and must be cleared first */
    double started;         /* seconds, monotonic */
    double last_print;
    double every;           /* seconds between lines when not a terminal */
    uint64_t done, total;   /* the phase's latest count */
    int unsaid;             /* ... not printed yet (not a terminal) */
    char phase[32];
} mh_progress;

void mh_progress_init(mh_progress *p, FILE *out);
void mh_progress_update(mh_progress *p, const char *phase, uint64_t done, uint64_t total);
/* A step without a count at the end of a run ("committing…"): replaces the
 * bar at once on a terminal, one line otherwise, so a long commit or
 * checkpoint never looks like a hang. */
void mh_progress_step(mh_progress *p, const char *what);
/* Writes one line (a log line: "line" and a newline) so that it never runs
 * into the bar: the bar is cleared first and redrawn by the next update. */
void mh_progress_print(mh_progress *p, const char *line);
void mh_progress_finish(mh_progress *p);

#endif
