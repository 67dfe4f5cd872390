/*
 * store_schema.c - the cached field catalogue (schema_roles,
 * schema_fields).  `schema` replaces it from the plugin's discover_schema;
 * `fields` checks an admin's choice against it without a request.
 */
#include "store_schema.h"
#include "store_db.h"

#include <stdlib.h>

struct mh_schema_writer {
    int64_t app_id;
    mh_stmt *role, *field;
};

static int run_app(mh_store *s, const char *sql, int64_t app_id)
{
    mh_stmt *st;
    int rc;
    if (mh_sql_prepare(s, sql, &st) != 0)
        return -1;
    mh_sql_bind_int64(st, 1, app_id);
    rc = mh_sql_step(st);
    mh_sql_finalize(st);
    return rc == MH_SQL_DONE ? 0 : -1;
}

int mh_schema_writer_open(mh_schema_writer **out, mh_store *s, int64_t app_id)
{
    mh_schema_writer *w = calloc(1, sizeof *w);
    *out = NULL;
    if (w == NULL)
        return -1;
    w->app_id = app_id;
    if (run_app(s, "DELETE FROM schema_roles WHERE app_id = ?1", app_id) != 0 ||
        run_app(s, "DELETE FROM schema_fields WHERE app_id = ?1", app_id) != 0 ||
        mh_sql_prepare(s, "INSERT INTO schema_roles VALUES(?1,?2,?3)", &w->role) != 0 ||
        mh_sql_prepare(s, "INSERT INTO schema_fields VALUES(?1,?2,?3,?4,?5,?6,?7,?8)", &w->field) != 0) {
        mh_schema_writer_close(w);
        return -1;
    }
    *out = w;
    return 0;
}

int mh_schema_writer_role(mh_schema_writer *w, const char *role, long long count)
{
    int rc;
    mh_sql_bind_int64(w->role, 1, w->app_id);
    mh_sql_bind_text(w->role, 2, role, -1);
    if (count < 0)
        mh_sql_bind_null(w->role, 3);
    else
        mh_sql_bind_int64(w->role, 3, count);
    rc = mh_sql_step(w->role);
    mh_sql_reset(w->role);
    return rc == MH_SQL_DONE ? 0 : -1;
}

int mh_schema_writer_field(mh_schema_writer *w, const char *role, const char *path,
                           const char *label, const char *type, int is_metadata,
                           long long filled, long long sampled)
{
    mh_stmt *st = w->field;
    int rc;
    mh_sql_bind_int64(st, 1, w->app_id);
    mh_sql_bind_text(st, 2, role, -1);
    mh_sql_bind_text(st, 3, path, -1);
    mh_sql_bind_text(st, 4, label, -1);
    mh_sql_bind_text(st, 5, type, -1);
    mh_sql_bind_int64(st, 6, is_metadata);
    mh_sql_bind_int64(st, 7, filled);
    mh_sql_bind_int64(st, 8, sampled);
    rc = mh_sql_step(st);
    mh_sql_reset(st);
    return rc == MH_SQL_DONE ? 0 : -1;
}

void mh_schema_writer_close(mh_schema_writer *w)
{
    if (w == NULL)
        return;
    mh_sql_finalize(w->role);
    mh_sql_finalize(w->field);
    free(w);
}

static int exists(mh_store *s, const char *sql, int64_t app_id, const char *role)
{
    mh_stmt *st;
    int rc;
    if (mh_sql_prepare(s, sql, &st) != 0)
        return -1;
    mh_sql_bind_int64(st, 1, app_id);
    if (role != NULL)
        mh_sql_bind_text(st, 2, role, -1);
    rc = mh_sql_step(st);
    mh_sql_finalize(st);
    return rc == MH_SQL_ROW ? 1 : rc == MH_SQL_DONE ? 0 : -1;
}

int mh_store_schema_has(mh_store *s, int64_t app_id)
{
    return exists(s, "SELECT 1 FROM schema_fields WHERE app_id = ?1 LIMIT 1", app_id, NULL);
}

int mh_store_schema_role_known(mh_store *s, int64_t app_id, const char *role)
{
    return exists(s, "SELECT 1 FROM schema_roles WHERE app_id = ?1 AND role = ?2", app_id, role);
}

static const char *text(mh_stmt *st, int i)
{
    const char *t = mh_sql_column_text(st, i);
    return t ? (const char *)t : "";
}

int mh_store_schema_each(mh_store *s, int64_t app_id, const char *role,
                         int (*fn)(void *ctx, const mh_schema_row *row), void *ctx)
{
    mh_stmt *st;
    mh_schema_row row;
    int rc;
    if (mh_sql_prepare(s, "SELECT f.role, r.count, f.path, f.label, f.type, f.is_metadata, "
                           "f.filled, f.sampled FROM schema_fields f JOIN schema_roles r ON "
                           "r.app_id = f.app_id AND r.role = f.role WHERE f.app_id = ?1 AND "
                           "(CAST(?2 AS TEXT) IS NULL OR f.role = ?2) ORDER BY f.role, f.is_metadata, f.path", &st) != 0)
        return -1;
    mh_sql_bind_int64(st, 1, app_id);
    if (role != NULL)
        mh_sql_bind_text(st, 2, role, -1);
    while ((rc = mh_sql_step(st)) == MH_SQL_ROW) {
        row.role = text(st, 0);
        row.role_count = mh_sql_column_is_null(st, 1) ? -1 : mh_sql_column_int64(st, 1);
        row.path = text(st, 2);
        row.label = text(st, 3);
        row.type = text(st, 4);
        row.is_metadata = mh_sql_column_int(st, 5);
        row.filled = mh_sql_column_int64(st, 6);
        row.sampled = mh_sql_column_int64(st, 7);
        if (fn(ctx, &row) != 0)
            break;
    }
    mh_sql_finalize(st);
    return rc == MH_SQL_ROW || rc == MH_SQL_DONE ? 0 : -1;
}
