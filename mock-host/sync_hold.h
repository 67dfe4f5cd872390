/* sync_hold.h - a full run's deactivations held for the admin's
 * confirmation: recorded when a run is held, shown on Installed Apps and by
 * every later sync until a confirmed or an unheld complete full run clears
 * it.  Kept in the host's own state namespace of the app. */
#ifndef MH_SYNC_HOLD_H
#define MH_SYNC_HOLD_H

#include <stdint.h>

#include "store.h"

/* The exit status of a sync that completed while deactivations are held
 * (this run's, or an earlier run's still waiting for confirmation). */
#define MH_EXIT_HELD 3

typedef struct mh_hold {
    int64_t run_id;          /* the run that was held */
    uint64_t users;          /* how many active users it would deactivate */
    char since[32];          /* when (ISO 8601 UTC) */
} mh_hold;

/* 1 and *out filled when a hold is pending, 0 when none, -1 on error. */
int mh_hold_get(mh_store *s, int64_t app_id, mh_hold *out);
/* Records (replacing any earlier) the hold of `run_id`; 0 or -1.  Call
 * inside the run's transaction so a rolled-back run leaves no hold. */
int mh_hold_set(mh_store *s, int64_t app_id, int64_t run_id, uint64_t users);
/* Forgets the hold; 0 or -1. */
int mh_hold_clear(mh_store *s, int64_t app_id);

/* What the admin can do about a hold: "See who: mock-host users --app APP
 * --held. If this is expected, run: mock-host sync APP --full
 * --confirm-deactivations" into buf (the console says it in its own words,
 * console_html.c). */
void mh_hold_next_steps(const char *app_name, char *buf, size_t cap);
/* "deactivation of 270 users held since ... (run 4); nobody was
 * deactivated." and the next steps, into buf. */
void mh_hold_describe(const mh_hold *h, const char *app_name, char *buf, size_t cap);

#endif
