/* store_runs.h - the sync history: one row per run, its outcome, counts
 * (a JSON object) and the reason when it failed or was held. */
#ifndef MH_STORE_RUNS_H
#define MH_STORE_RUNS_H

#include <stdint.h>

#include "store.h"

/* Marks runs of the app left "running" by a killed process as interrupted
 * (the caller holds the app's sync lock, so they are dead), then records a
 * new run.  Returns its id, or -1. */
int64_t mh_store_run_start(mh_store *s, int64_t app_id, const char *mode);
/* Records how the run ended; 0 or -1. */
int mh_store_run_end(mh_store *s, int64_t run_id, const char *outcome, const char *counts_json,
                     const char *reason);

/* 1 when the app has a run that ended (any outcome but a dry run) and
 * started at or after `since` (ISO 8601 UTC, as mh_now_iso writes); 0 when
 * none, -1 on error.  A run a killed process left "running" never ended, so
 * it does not count: the worker's schedule retries that app. */
int mh_store_run_finished_since(mh_store *s, int64_t app_id, const char *since);

/* One run as shown; strings borrowed for the call. */
typedef struct mh_run_view {
    int64_t id;
    const char *mode, *started, *ended;   /* ended is "" while running */
    double seconds;
    const char *outcome, *counts, *reason;
} mh_run_view;
/* The app's runs, oldest first; stops at a non-zero return; 0 or -1. */
int mh_store_runs_each(mh_store *s, int64_t app_id,
                       int (*fn)(void *ctx, const mh_run_view *run), void *ctx);

#endif
