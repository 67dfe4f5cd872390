/*
 * store_absence.c - the queries behind deactivation by absence.  sync.c
 * decides whether to apply them (complete full run, under the threshold);
 * these only count and write.
 */
#include "store_absence.h"
#include "store_db.h"
#include "store_sql.h"

#include <stdio.h>
#include <string.h>

/* Not seen by run ?2: not put by it (seen_run) and, on SQLite, not marked
 * as seen in the run's temporary table either (store_records.c,
 * seen_table; PostgreSQL marks seen_run instead). */
#define NOT_SEEN_PG "r.present = 1 AND r.seen_run != ?2"
#define NOT_SEEN_SQLITE NOT_SEEN_PG " AND r.rowid NOT IN (SELECT rid FROM temp.mh_seen)"
#define ABSENT_ACTIVE(not_seen) "FROM users u JOIN sis_records r ON r.app_id = u.app_id AND " \
                      "r.sourced_id = u.sourced_id WHERE u.app_id = ?1 AND u.active = 1 AND " not_seen

long long mh_store_active_users(mh_store *s, int64_t app_id)
{
    mh_stmt *st;
    long long n = -1;
    if (mh_sql_prepare(s, "SELECT count(*) FROM users WHERE app_id = ?1 AND active = 1", &st) == 0) {
        mh_sql_bind_int64(st, 1, app_id);
        if (mh_sql_step(st) == MH_SQL_ROW)
            n = mh_sql_column_int64(st, 0);
    }
    mh_sql_finalize(st);
    return n;
}

int mh_store_absence_measure(mh_store *s, int64_t app_id, int64_t run_id, uint64_t *absent,
                             char *empty_role, size_t cap)
{
    mh_stmt *st;
    int rc;
    *absent = 0;
    empty_role[0] = '\0';
#define MEASURE(not_seen) "SELECT u.role, count(*), (SELECT count(*) FROM users v WHERE " \
                          "v.app_id = ?1 AND v.active = 1 AND v.role = u.role) " \
                          ABSENT_ACTIVE(not_seen) " GROUP BY u.role"
    if (mh_sql_prepare(s, mh_sql_is_pg(s) ? MEASURE(NOT_SEEN_PG) : MEASURE(NOT_SEEN_SQLITE),
                       &st) != 0)
        return -1;
    mh_sql_bind_int64(st, 1, app_id);
    mh_sql_bind_int64(st, 2, run_id);
    while ((rc = mh_sql_step(st)) == MH_SQL_ROW) {
        *absent += (uint64_t)mh_sql_column_int64(st, 1);
        if (mh_sql_column_int64(st, 1) == mh_sql_column_int64(st, 2) && empty_role[0] == '\0')
            snprintf(empty_role, cap, "%s", mh_sql_column_text(st, 0));
    }
    mh_sql_finalize(st);
    return rc == MH_SQL_DONE ? 0 : -1;
}

/* Runs one statement whose ?1 is the app, ?2 the run and ?3 (when used) now. */
static int run_update(mh_store *s, const char *sql, int64_t app_id, int64_t run_id)
{
    mh_stmt *st;
    char now[32];
    int rc;
    mh_now_iso(now, sizeof now);
    if (mh_sql_prepare(s, sql, &st) != 0)
        return -1;
    mh_sql_bind_int64(st, 1, app_id);
    mh_sql_bind_int64(st, 2, run_id);
    if (strstr(sql, "?3") != NULL)
        mh_sql_bind_text(st, 3, now, -1);
    rc = mh_sql_step(st);
    mh_sql_finalize(st);
    return rc == MH_SQL_DONE ? 0 : -1;
}

int mh_store_deactivate_absent(mh_store *s, int64_t app_id, int64_t run_id)
{
    /* hash=0 makes a returning user's row be rewritten (and counted as
     * reactivated) even when its data did not change. */
#define DEACTIVATE(not_seen) "UPDATE users SET active = 0, hash = 0, updated_at = ?3 " \
                             "WHERE app_id = ?1 AND active = 1 AND sourced_id IN (SELECT " \
                             "r.sourced_id FROM sis_records r WHERE r.app_id = ?1 AND " not_seen ")"
#define GONE(not_seen) "UPDATE sis_records AS r SET present = 0 WHERE r.app_id = ?1 AND " not_seen
    int pg = mh_sql_is_pg(s);
    if (run_update(s, pg ? DEACTIVATE(NOT_SEEN_PG) : DEACTIVATE(NOT_SEEN_SQLITE), app_id,
                   run_id) != 0)
        return -1;
    return run_update(s, pg ? GONE(NOT_SEEN_PG) : GONE(NOT_SEEN_SQLITE), app_id, run_id);
}

int mh_store_absent_hold(mh_store *s, int64_t app_id, int64_t run_id)
{
#define HOLD(not_seen) "INSERT INTO held_absent(app_id, sourced_id) SELECT u.app_id, " \
                       "u.sourced_id " ABSENT_ACTIVE(not_seen)
    if (mh_store_absent_release(s, app_id) != 0)
        return -1;
    return run_update(s, mh_sql_is_pg(s) ? HOLD(NOT_SEEN_PG) : HOLD(NOT_SEEN_SQLITE), app_id,
                      run_id);
}

int mh_store_absent_release(mh_store *s, int64_t app_id)
{
    return mh_sql_run_app_texts(s, "DELETE FROM held_absent WHERE app_id = ?1", app_id, NULL, NULL);
}

int mh_store_mark_stale_orgs(mh_store *s, int64_t app_id, int64_t run_id)
{
    return run_update(s, "UPDATE orgs SET stale = CASE WHEN seen_run != ?2 THEN 1 ELSE 0 END "
                         "WHERE app_id = ?1", app_id,
                      run_id);
}
