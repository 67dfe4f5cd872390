/*
 * store_runs.c - the runs table.  A run's row is written when it starts
 * (outside its transaction, so even a crash leaves a trace) and again when
 * it ends; a run found "running" by the next one was killed.
 */
#include "store_runs.h"
#include "jsonw.h"
#include "store_db.h"

static const char *text(mh_stmt *st, int i)
{
    const char *t = mh_sql_column_text(st, i);
    return t ? (const char *)t : "";
}

int64_t mh_store_run_start(mh_store *s, int64_t app_id, const char *mode)
{
    mh_stmt *st;
    char now[32];
    int64_t id = -1;
    mh_now_iso(now, sizeof now);
    if (mh_sql_prepare(s, "UPDATE runs SET outcome = 'interrupted', reason = 'the process "
                           "stopped before the run finished; nothing of it was applied' WHERE "
                           "app_id = ?1 AND outcome = 'running'", &st) == 0) {
        mh_sql_bind_int64(st, 1, app_id);
        mh_sql_step(st);
    }
    mh_sql_finalize(st);
    if (mh_sql_prepare(s, "INSERT INTO runs(app_id, mode, started_at, outcome, counts) "
                           "VALUES(?1, ?2, ?3, 'running', '{}') RETURNING id", &st) == 0) {
        mh_sql_bind_int64(st, 1, app_id);
        mh_sql_bind_text(st, 2, mode, -1);
        mh_sql_bind_text(st, 3, now, -1);
        if (mh_sql_step(st) == MH_SQL_ROW)
            id = mh_sql_column_int64(st, 0);
    }
    mh_sql_finalize(st);
    return id;
}

int mh_store_run_end(mh_store *s, int64_t run_id, const char *outcome, const char *counts_json,
                     const char *reason)
{
    mh_stmt *st;
    char now[32], clean[1024];
    int rc;
    mh_now_iso(now, sizeof now);
    /* The reason may be a plugin's words: stored as valid UTF-8 (jsonw.h). */
    mh_utf8_clip(clean, sizeof clean, reason != NULL ? reason : "");
    if (mh_sql_prepare(s, "UPDATE runs SET ended_at = ?2, outcome = ?3, counts = ?4, "
                           "reason = ?5 WHERE id = ?1", &st) != 0)
        return -1;
    mh_sql_bind_int64(st, 1, run_id);
    mh_sql_bind_text(st, 2, now, -1);
    mh_sql_bind_text(st, 3, outcome, -1);
    mh_sql_bind_text(st, 4, counts_json, -1);
    mh_sql_bind_text(st, 5, clean, -1);
    rc = mh_sql_step(st);
    mh_sql_finalize(st);
    return rc == MH_SQL_DONE ? 0 : -1;
}

int mh_store_run_finished_since(mh_store *s, int64_t app_id, const char *since)
{
    mh_stmt *st;
    int rc;
    if (mh_sql_prepare(s, "SELECT 1 FROM runs WHERE app_id = ?1 AND started_at >= ?2 AND "
                           "ended_at IS NOT NULL AND outcome <> 'dry-run' LIMIT 1", &st) != 0)
        return -1;
    mh_sql_bind_int64(st, 1, app_id);
    mh_sql_bind_text(st, 2, since, -1);
    rc = mh_sql_step(st);
    mh_sql_finalize(st);
    return rc == MH_SQL_ROW ? 1 : rc == MH_SQL_DONE ? 0 : -1;
}

/* The run's duration in seconds, from its ISO 8601 UTC times. */
#define RUN_SECONDS_LITE "(julianday(coalesce(ended_at, started_at)) - julianday(started_at)) * 86400.0"
#define RUN_SECONDS_PG "extract(epoch from (coalesce(ended_at, started_at)::timestamptz - " \
                       "started_at::timestamptz))"
#define RUNS_SQL(seconds) "SELECT id, mode, started_at, coalesce(ended_at, ''), outcome, counts, " \
                          "reason, " seconds " FROM runs WHERE app_id = ?1 ORDER BY id"

int mh_store_runs_each(mh_store *s, int64_t app_id,
                       int (*fn)(void *ctx, const mh_run_view *run), void *ctx)
{
    mh_stmt *st;
    mh_run_view v;
    int rc;
    if (mh_sql_prepare(s, mh_sql_is_pg(s) ? RUNS_SQL(RUN_SECONDS_PG) : RUNS_SQL(RUN_SECONDS_LITE),
                       &st) != 0)
        return -1;
    mh_sql_bind_int64(st, 1, app_id);
    while ((rc = mh_sql_step(st)) == MH_SQL_ROW) {
        v.id = mh_sql_column_int64(st, 0);
        v.mode = text(st, 1);
        v.started = text(st, 2);
        v.ended = text(st, 3);
        v.outcome = text(st, 4);
        v.counts = text(st, 5);
        v.reason = text(st, 6);
        v.seconds = mh_sql_column_double(st, 7);
        if (fn(ctx, &v) != 0)
            break;
    }
    mh_sql_finalize(st);
    return rc == MH_SQL_ROW || rc == MH_SQL_DONE ? 0 : -1;
}
