/*
 * sync_state.c - the two facts that decide a sync's mode: the watermark a
 * delta starts from and when the last complete full run ended.  The host
 * writes them (never the plugin), so they live in the host's namespace.
 */
#include "sync_state.h"

#include <stdio.h>
#include <stdlib.h>

#define KEY_WATERMARK "watermark"
#define KEY_LAST_FULL "last_full_complete_s"

int mh_sync_watermark_get(mh_store *s, int64_t app_id, char *buf, size_t cap)
{
    return mh_store_state_get(s, app_id, KEY_WATERMARK, buf, cap);
}

int mh_sync_watermark_set(mh_store *s, int64_t app_id, const char *watermark)
{
    return mh_store_state_set(s, app_id, KEY_WATERMARK, watermark);
}

long long mh_sync_last_full_get(mh_store *s, int64_t app_id)
{
    char buf[32];
    return mh_store_state_get(s, app_id, KEY_LAST_FULL, buf, sizeof buf) == 0 ? atoll(buf) : 0;
}

int mh_sync_last_full_set(mh_store *s, int64_t app_id, long long when_s)
{
    char buf[32];
    snprintf(buf, sizeof buf, "%lld", when_s);
    return mh_store_state_set(s, app_id, KEY_LAST_FULL, buf);
}

int mh_sync_forget_position(mh_store *s, int64_t app_id)
{
    if (mh_store_state_delete(s, app_id, KEY_WATERMARK) != 0 ||
        mh_store_state_delete(s, app_id, KEY_LAST_FULL) != 0)
        return -1;
    return 0;
}
