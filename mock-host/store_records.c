/*
 * store_records.c - sis_records and orgs during a run.  Four statements,
 * prepared once per run (SQLITE_PREPARE_PERSISTENT) and stepped per record
 * on the sync writer's thread.
 */
#include "store_records.h"

#include <stdlib.h>

struct mh_record_rows {
    int64_t app_id, run_id;
    sqlite3_stmt *get, *put, *touch, *put_org;
};

#define TEXT(st, i, str) sqlite3_bind_text(st, i, (str)->data ? (str)->data : "", (int)(str)->len, SQLITE_STATIC)

int mh_record_rows_open(mh_record_rows **out, mh_store *s, int64_t app_id, int64_t run_id)
{
    mh_record_rows *r = calloc(1, sizeof *r);
    sqlite3 *db = s->db;
    *out = NULL;
    if (r == NULL)
        return -1;
    r->app_id = app_id;
    r->run_id = run_id;
    if (sqlite3_prepare_v3(db, "SELECT hash, present FROM sis_records WHERE app_id=?1 AND "
                           "sourced_id=?2", -1, SQLITE_PREPARE_PERSISTENT, &r->get, NULL) ||
        sqlite3_prepare_v3(db, "INSERT INTO sis_records(app_id, sourced_id, status, enabled, "
                           "modified, role, body, hash, seen_run, present) VALUES(?1,?2,?3,?4,?5,"
                           "?6,?7,?8,?9,1) ON CONFLICT(app_id, sourced_id) DO UPDATE SET "
                           "status=excluded.status, enabled=excluded.enabled, modified=excluded.modified, "
                           "role=excluded.role, body=excluded.body, hash=excluded.hash, "
                           "seen_run=excluded.seen_run, present=1", -1, SQLITE_PREPARE_PERSISTENT,
                           &r->put, NULL) ||
        sqlite3_prepare_v3(db, "UPDATE sis_records SET seen_run=?1 WHERE app_id=?2 AND "
                           "sourced_id=?3", -1, SQLITE_PREPARE_PERSISTENT, &r->touch, NULL) ||
        sqlite3_prepare_v3(db, "INSERT INTO orgs(app_id, sourced_id, name, type, identifier, "
                           "parent_id, status, stale, seen_run) VALUES(?1,?2,?3,?4,?5,?6,?7,0,?8) "
                           "ON CONFLICT(app_id, sourced_id) DO UPDATE SET name=excluded.name, "
                           "type=excluded.type, identifier=excluded.identifier, "
                           "parent_id=excluded.parent_id, status=excluded.status, stale=0, "
                           "seen_run=excluded.seen_run", -1, SQLITE_PREPARE_PERSISTENT,
                           &r->put_org, NULL)) {
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
    sqlite3_finalize(r->get);
    sqlite3_finalize(r->put);
    sqlite3_finalize(r->touch);
    sqlite3_finalize(r->put_org);
    free(r);
}

int mh_record_rows_get(mh_record_rows *r, const char *sourced_id, uint64_t *hash, int *present)
{
    int rc;
    sqlite3_bind_int64(r->get, 1, r->app_id);
    sqlite3_bind_text(r->get, 2, sourced_id, -1, SQLITE_STATIC);
    rc = sqlite3_step(r->get);
    if (rc == SQLITE_ROW) {
        *hash = (uint64_t)sqlite3_column_int64(r->get, 0);
        *present = sqlite3_column_int(r->get, 1);
    }
    sqlite3_reset(r->get);
    return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

int mh_record_rows_put(mh_record_rows *r, const char *sourced_id, int status, int enabled,
                       const char *modified, const char *role, const mh_str *body, uint64_t hash)
{
    int rc;
    sqlite3_bind_int64(r->put, 1, r->app_id);
    sqlite3_bind_text(r->put, 2, sourced_id, -1, SQLITE_STATIC);
    sqlite3_bind_int(r->put, 3, status);
    sqlite3_bind_int(r->put, 4, enabled != 0);
    sqlite3_bind_text(r->put, 5, modified, -1, SQLITE_STATIC);
    sqlite3_bind_text(r->put, 6, role, -1, SQLITE_STATIC);
    TEXT(r->put, 7, body);
    sqlite3_bind_int64(r->put, 8, (sqlite3_int64)hash);
    sqlite3_bind_int64(r->put, 9, r->run_id);
    rc = sqlite3_step(r->put);
    sqlite3_reset(r->put);
    return rc == SQLITE_DONE ? 0 : -1;
}

int mh_record_rows_touch(mh_record_rows *r, const char *sourced_id)
{
    int rc;
    sqlite3_bind_int64(r->touch, 1, r->run_id);
    sqlite3_bind_int64(r->touch, 2, r->app_id);
    sqlite3_bind_text(r->touch, 3, sourced_id, -1, SQLITE_STATIC);
    rc = sqlite3_step(r->touch);
    sqlite3_reset(r->touch);
    return rc == SQLITE_DONE ? 0 : -1;
}

int mh_record_rows_put_org(mh_record_rows *r, const mh_str *sourced_id, const mh_str *name,
                           const mh_str *type, const mh_str *identifier, const mh_str *parent,
                           int status)
{
    sqlite3_stmt *st = r->put_org;
    int rc;
    sqlite3_bind_int64(st, 1, r->app_id);
    TEXT(st, 2, sourced_id);
    TEXT(st, 3, name);
    TEXT(st, 4, type);
    TEXT(st, 5, identifier);
    TEXT(st, 6, parent);
    sqlite3_bind_int(st, 7, status);
    sqlite3_bind_int64(st, 8, r->run_id);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : -1;
}
