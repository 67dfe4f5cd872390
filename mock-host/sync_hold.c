/*
 * sync_hold.c - the pending hold of an app's deactivations.  Three keys of
 * the host's state namespace: which run was held, how many users it would
 * deactivate, since when; and whom (store_absence.h, for the admin to
 * review).  Written in the run's transaction, so a crash leaves either the
 * whole hold or none.
 */
#include "sync_hold.h"
#include "store_absence.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KEY_RUN "hold.run"
#define KEY_USERS "hold.users"
#define KEY_SINCE "hold.since"

int mh_hold_get(mh_store *s, int64_t app_id, mh_hold *out)
{
    char buf[32];
    int rc = mh_store_state_get(s, app_id, KEY_RUN, buf, sizeof buf);
    memset(out, 0, sizeof *out);
    if (rc == 1)
        return 0;
    if (rc != 0)
        return -1;
    out->run_id = atoll(buf);
    if (mh_store_state_get(s, app_id, KEY_USERS, buf, sizeof buf) == 0)
        out->users = strtoull(buf, NULL, 10);
    if (mh_store_state_get(s, app_id, KEY_SINCE, out->since, sizeof out->since) != 0)
        out->since[0] = '\0';
    return 1;
}

int mh_hold_set(mh_store *s, int64_t app_id, int64_t run_id, uint64_t users)
{
    char run[32], n[32], now[32];
    snprintf(run, sizeof run, "%lld", (long long)run_id);
    snprintf(n, sizeof n, "%llu", (unsigned long long)users);
    mh_now_iso(now, sizeof now);
    if (mh_store_state_set(s, app_id, KEY_RUN, run) != 0 ||
        mh_store_state_set(s, app_id, KEY_USERS, n) != 0 ||
        mh_store_state_set(s, app_id, KEY_SINCE, now) != 0)
        return -1;
    return 0;
}

int mh_hold_clear(mh_store *s, int64_t app_id)
{
    if (mh_store_state_delete(s, app_id, KEY_RUN) != 0 ||
        mh_store_state_delete(s, app_id, KEY_USERS) != 0 ||
        mh_store_state_delete(s, app_id, KEY_SINCE) != 0 ||
        mh_store_absent_release(s, app_id) != 0)
        return -1;
    return 0;
}

void mh_hold_next_steps(const char *app_name, char *buf, size_t cap)
{
    snprintf(buf, cap, "See who: mock-host users --app %s --held. If this is expected, run: "
             "mock-host sync %s --full --confirm-deactivations", app_name, app_name);
}

void mh_hold_describe(const mh_hold *h, const char *app_name, char *buf, size_t cap)
{
    char next[320];
    mh_hold_next_steps(app_name, next, sizeof next);
    snprintf(buf, cap, "deactivation of %llu users held since %s (run %lld); nobody was "
             "deactivated. %s", (unsigned long long)h->users,
             h->since[0] ? h->since : "an earlier run", (long long)h->run_id, next);
}
