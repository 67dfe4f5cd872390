/* progress.h - showing a long run's progress on stderr: a bar that redraws
 * in place on a terminal, a plain line every few seconds otherwise. */
#ifndef MH_PROGRESS_H
#define MH_PROGRESS_H

#include <stdint.h>
#include <stdio.h>

typedef struct mh_progress {
    FILE *out;
    int tty;
    int drawn;              /* a bar is on screen and must be cleared first */
    double started;         /* seconds, monotonic */
    double last_print;
    char phase[32];
} mh_progress;

void mh_progress_init(mh_progress *p, FILE *out);
void mh_progress_update(mh_progress *p, const char *phase, uint64_t done, uint64_t total);
/* A step without a count at the end of a run ("committing…"): replaces the
 * bar at once on a terminal, one line otherwise, so a long commit or
 * checkpoint never looks like a hang. */
void mh_progress_step(mh_progress *p, const char *what);
/* Removes a bar from the screen before other output. */
void mh_progress_clear(mh_progress *p);
void mh_progress_finish(mh_progress *p);

#endif
