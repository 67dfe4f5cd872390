/*
 * store_absence.c - the queries behind deactivation by absence.  sync.c
 * decides whether to apply them (complete full run, under the threshold);
 * these only count and write.
 */
#include "store_absence.h"

#include <stdio.h>

#define ABSENT_ACTIVE "FROM users u JOIN sis_records r ON r.app_id = u.app_id AND " \
                      "r.sourced_id = u.sourced_id WHERE u.app_id = ?1 AND u.active = 1 AND " \
                      "r.present = 1 AND r.seen_run != ?2"

long long mh_store_active_users(mh_store *s, int64_t app_id)
{
    sqlite3_stmt *st;
    long long n = -1;
    if (sqlite3_prepare_v2(s->db, "SELECT count(*) FROM users WHERE app_id = ?1 AND active = 1",
                           -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_int64(st, 1, app_id);
        if (sqlite3_step(st) == SQLITE_ROW)
            n = sqlite3_column_int64(st, 0);
    }
    sqlite3_finalize(st);
    return n;
}

int mh_store_absence_measure(mh_store *s, int64_t app_id, int64_t run_id, uint64_t *absent,
                             char *empty_role, size_t cap)
{
    sqlite3_stmt *st;
    int rc;
    *absent = 0;
    empty_role[0] = '\0';
    if (sqlite3_prepare_v2(s->db, "SELECT u.role, count(*), (SELECT count(*) FROM users v WHERE "
                           "v.app_id = ?1 AND v.active = 1 AND v.role = u.role) " ABSENT_ACTIVE
                           " GROUP BY u.role", -1, &st, NULL) != SQLITE_OK)
        return -1;
    sqlite3_bind_int64(st, 1, app_id);
    sqlite3_bind_int64(st, 2, run_id);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        *absent += (uint64_t)sqlite3_column_int64(st, 1);
        if (sqlite3_column_int64(st, 1) == sqlite3_column_int64(st, 2) && empty_role[0] == '\0')
            snprintf(empty_role, cap, "%s", sqlite3_column_text(st, 0));
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : -1;
}

/* Runs one statement whose ?1 is the app and ?2 the run. */
static int run_update(mh_store *s, const char *sql, int64_t app_id, int64_t run_id)
{
    sqlite3_stmt *st;
    int rc;
    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
        return -1;
    sqlite3_bind_int64(st, 1, app_id);
    sqlite3_bind_int64(st, 2, run_id);
    rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : -1;
}

int mh_store_deactivate_absent(mh_store *s, int64_t app_id, int64_t run_id)
{
    /* hash=0 makes a returning user's row be rewritten (and counted as
     * reactivated) even when its data did not change. */
    if (run_update(s, "UPDATE users SET active = 0, hash = 0, updated_at = "
                      "strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE app_id = ?1 AND active = 1 AND "
                      "sourced_id IN (SELECT sourced_id FROM sis_records WHERE app_id = ?1 AND "
                      "present = 1 AND seen_run != ?2)", app_id, run_id) != 0)
        return -1;
    return run_update(s, "UPDATE sis_records SET present = 0 WHERE app_id = ?1 AND present = 1 "
                         "AND seen_run != ?2", app_id, run_id);
}

int mh_store_mark_stale_orgs(mh_store *s, int64_t app_id, int64_t run_id)
{
    return run_update(s, "UPDATE orgs SET stale = (seen_run != ?2) WHERE app_id = ?1", app_id,
                      run_id);
}
