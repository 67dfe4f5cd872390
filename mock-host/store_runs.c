/*
 * store_runs.c - the runs table.  A run's row is written when it starts
 * (outside its transaction, so even a crash leaves a trace) and again when
 * it ends; a run found "running" by the next one was killed.
 */
#include "store_runs.h"

static const char *text(sqlite3_stmt *st, int i)
{
    const unsigned char *t = sqlite3_column_text(st, i);
    return t ? (const char *)t : "";
}

int64_t mh_store_run_start(mh_store *s, int64_t app_id, const char *mode)
{
    sqlite3_stmt *st;
    char now[32];
    int64_t id = -1;
    mh_now_iso(now, sizeof now);
    if (sqlite3_prepare_v2(s->db, "UPDATE runs SET outcome = 'interrupted', reason = 'the process "
                           "stopped before the run finished; nothing of it was applied' WHERE "
                           "app_id = ?1 AND outcome = 'running'", -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_int64(st, 1, app_id);
        sqlite3_step(st);
    }
    sqlite3_finalize(st);
    if (sqlite3_prepare_v2(s->db, "INSERT INTO runs(app_id, mode, started_at, outcome, counts) "
                           "VALUES(?1, ?2, ?3, 'running', '{}')", -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_int64(st, 1, app_id);
        sqlite3_bind_text(st, 2, mode, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, now, -1, SQLITE_STATIC);
        if (sqlite3_step(st) == SQLITE_DONE)
            id = sqlite3_last_insert_rowid(s->db);
    }
    sqlite3_finalize(st);
    return id;
}

int mh_store_run_end(mh_store *s, int64_t run_id, const char *outcome, const char *counts_json,
                     const char *reason)
{
    sqlite3_stmt *st;
    char now[32];
    int rc;
    mh_now_iso(now, sizeof now);
    if (sqlite3_prepare_v2(s->db, "UPDATE runs SET ended_at = ?2, outcome = ?3, counts = ?4, "
                           "reason = ?5 WHERE id = ?1", -1, &st, NULL) != SQLITE_OK)
        return -1;
    sqlite3_bind_int64(st, 1, run_id);
    sqlite3_bind_text(st, 2, now, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, outcome, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, counts_json, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, reason, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : -1;
}

int mh_store_runs_each(mh_store *s, int64_t app_id,
                       int (*fn)(void *ctx, const mh_run_view *run), void *ctx)
{
    sqlite3_stmt *st;
    mh_run_view v;
    int rc;
    if (sqlite3_prepare_v2(s->db, "SELECT id, mode, started_at, coalesce(ended_at, ''), "
                           "outcome, counts, reason, (julianday(coalesce(ended_at, started_at)) - "
                           "julianday(started_at)) * 86400.0 FROM runs WHERE app_id = ?1 ORDER BY id",
                           -1, &st, NULL) != SQLITE_OK)
        return -1;
    sqlite3_bind_int64(st, 1, app_id);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        v.id = sqlite3_column_int64(st, 0);
        v.mode = text(st, 1);
        v.started = text(st, 2);
        v.ended = text(st, 3);
        v.outcome = text(st, 4);
        v.counts = text(st, 5);
        v.reason = text(st, 6);
        v.seconds = sqlite3_column_double(st, 7);
        if (fn(ctx, &v) != 0)
            break;
    }
    sqlite3_finalize(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1;
}
