/* store_absence.h - who a complete full run did not see: the users it may
 * deactivate by absence, and the orgs that went stale.  "Seen" means the
 * record's seen_run is this run (store_records.c). */
#ifndef MH_STORE_ABSENCE_H
#define MH_STORE_ABSENCE_H

#include <stddef.h>
#include <stdint.h>

#include "store.h"

/* Active users of the app; -1 on error. */
long long mh_store_active_users(mh_store *s, int64_t app_id);
/* Active users whose record run `run_id` did not see, into *absent; the
 * first role all of whose active users are absent into empty_role ("" when
 * none).  0 or -1. */
int mh_store_absence_measure(mh_store *s, int64_t app_id, int64_t run_id, uint64_t *absent,
                             char *empty_role, size_t cap);
/* Deactivates them and marks their records no longer present; 0 or -1. */
int mh_store_deactivate_absent(mh_store *s, int64_t app_id, int64_t run_id);
/* Keeps the list of the users mh_store_deactivate_absent would deactivate
 * for run `run_id` (replacing the app's earlier list), for the admin to
 * review a held run; _release forgets it.  0 or -1. */
int mh_store_absent_hold(mh_store *s, int64_t app_id, int64_t run_id);
int mh_store_absent_release(mh_store *s, int64_t app_id);
/* Flags the orgs the run did not see as stale (their mappings stay); 0 or -1. */
int mh_store_mark_stale_orgs(mh_store *s, int64_t app_id, int64_t run_id);

#endif
