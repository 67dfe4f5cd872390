/* sync_state.h - where an app's sync stands, in the host's own state
 * namespace: the delta watermark the last run proved it has read, and when
 * the last complete full run ended. */
#ifndef MH_SYNC_STATE_H
#define MH_SYNC_STATE_H

#include <stddef.h>
#include <stdint.h>

#include "store.h"

/* 0 found (copied, NUL-terminated), 1 none yet, -2 buf too small, -1 error. */
int mh_sync_watermark_get(mh_store *s, int64_t app_id, char *buf, size_t cap);
int mh_sync_watermark_set(mh_store *s, int64_t app_id, const char *watermark);
/* Seconds since the epoch of the last complete full run, 0 when none. */
long long mh_sync_last_full_get(mh_store *s, int64_t app_id);
int mh_sync_last_full_set(mh_store *s, int64_t app_id, long long when_s);
/* Forgets both, so the next run is a full one (e.g. after disconnect,
 * when the next connection may be another district).  0 or -1. */
int mh_sync_forget_position(mh_store *s, int64_t app_id);

#endif
