/*
 * store_records.c - sis_records and orgs during a run.  Four statements,
 * prepared once per run (reused per record) and stepped per record
 * on the sync writer's thread.
 */
#include "store_records.h"
#include "store_db.h"

#include <stdlib.h>

struct mh_record_rows {
    int64_t app_id, run_id;
    mh_stmt *get, *put, *touch, *put_org;
};

#define TEXT(st, i, str) mh_sql_bind_text(st, i, (str)->data ? (str)->data : "", (int)(str)->len)

int mh_record_rows_open(mh_record_rows **out, mh_store *s, int64_t app_id, int64_t run_id)
{
    mh_record_rows *r = calloc(1, sizeof *r);
    *out = NULL;
    if (r == NULL)
        return -1;
    r->app_id = app_id;
    r->run_id = run_id;
    if (mh_sql_prepare(s, "SELECT hash, present FROM sis_records WHERE app_id=?1 AND "
                           "sourced_id=?2", &r->get) ||
        mh_sql_prepare(s, "INSERT INTO sis_records(app_id, sourced_id, status, enabled, "
                           "modified, role, body, hash, seen_run, present) VALUES(?1,?2,?3,?4,?5,"
                           "?6,?7,?8,?9,1) ON CONFLICT(app_id, sourced_id) DO UPDATE SET "
                           "status=excluded.status, enabled=excluded.enabled, modified=excluded.modified, "
                           "role=excluded.role, body=excluded.body, hash=excluded.hash, "
                           "seen_run=excluded.seen_run, present=1", &r->put) ||
        mh_sql_prepare(s, "UPDATE sis_records SET seen_run=?1 WHERE app_id=?2 AND "
                           "sourced_id=?3", &r->touch) ||
        mh_sql_prepare(s, "INSERT INTO orgs(app_id, sourced_id, name, type, identifier, "
                           "parent_id, status, stale, seen_run) VALUES(?1,?2,?3,?4,?5,?6,?7,0,?8) "
                           "ON CONFLICT(app_id, sourced_id) DO UPDATE SET name=excluded.name, "
                           "type=excluded.type, identifier=excluded.identifier, "
                           "parent_id=excluded.parent_id, status=excluded.status, stale=0, "
                           "seen_run=excluded.seen_run", &r->put_org)) {
        mh_record_rows_close(r);
        return -1;
    }
    *out = r;
    return 0;
}

void mh_record_rows_close(mh_record_rows *r)
{
    if (r == NULL)
        return;
    mh_sql_finalize(r->get);
    mh_sql_finalize(r->put);
    mh_sql_finalize(r->touch);
    mh_sql_finalize(r->put_org);
    free(r);
}

int mh_record_rows_get(mh_record_rows *r, const char *sourced_id, uint64_t *hash, int *present)
{
    int rc;
    mh_sql_bind_int64(r->get, 1, r->app_id);
    mh_sql_bind_text(r->get, 2, sourced_id, -1);
    rc = mh_sql_step(r->get);
    if (rc == MH_SQL_ROW) {
        *hash = (uint64_t)mh_sql_column_int64(r->get, 0);
        *present = mh_sql_column_int(r->get, 1);
    }
    mh_sql_reset(r->get);
    return rc == MH_SQL_ROW ? 1 : rc == MH_SQL_DONE ? 0 : -1;
}

int mh_record_rows_put(mh_record_rows *r, const char *sourced_id, int status, int enabled,
                       const char *modified, const char *role, const mh_str *body, uint64_t hash)
{
    int rc;
    mh_sql_bind_int64(r->put, 1, r->app_id);
    mh_sql_bind_text(r->put, 2, sourced_id, -1);
    mh_sql_bind_int64(r->put, 3, status);
    mh_sql_bind_int64(r->put, 4, enabled != 0);
    mh_sql_bind_text(r->put, 5, modified, -1);
    mh_sql_bind_text(r->put, 6, role, -1);
    TEXT(r->put, 7, body);
    mh_sql_bind_int64(r->put, 8, (int64_t)hash);
    mh_sql_bind_int64(r->put, 9, r->run_id);
    rc = mh_sql_step(r->put);
    mh_sql_reset(r->put);
    return rc == MH_SQL_DONE ? 0 : -1;
}

int mh_record_rows_touch(mh_record_rows *r, const char *sourced_id)
{
    int rc;
    mh_sql_bind_int64(r->touch, 1, r->run_id);
    mh_sql_bind_int64(r->touch, 2, r->app_id);
    mh_sql_bind_text(r->touch, 3, sourced_id, -1);
    rc = mh_sql_step(r->touch);
    mh_sql_reset(r->touch);
    return rc == MH_SQL_DONE ? 0 : -1;
}

int mh_record_rows_put_org(mh_record_rows *r, const mh_str *sourced_id, const mh_str *name,
                           const mh_str *type, const mh_str *identifier, const mh_str *parent,
                           int status)
{
    mh_stmt *st = r->put_org;
    int rc;
    mh_sql_bind_int64(st, 1, r->app_id);
    TEXT(st, 2, sourced_id);
    TEXT(st, 3, name);
    TEXT(st, 4, type);
    TEXT(st, 5, identifier);
    TEXT(st, 6, parent);
    mh_sql_bind_int64(st, 7, status);
    mh_sql_bind_int64(st, 8, r->run_id);
    rc = mh_sql_step(st);
    mh_sql_reset(st);
    return rc == MH_SQL_DONE ? 0 : -1;
}
