/*
 * store_mapping.c - the mapping tables (field_choice, role_map,
 * location_map) and the queries behind the two mapping pages.  Every
 * string handed to a callback is SQLite's, valid only for that call.
 */
#include "store_mapping.h"
#include "store_db.h"

#include <stdio.h>
#include <string.h>

static const char *text(mh_stmt *st, int i)
{
    const char *t = mh_sql_column_text(st, i);
    return t ? (const char *)t : "";
}

static int pairs_each(mh_store *s, const char *sql, int64_t app_id, mh_pair_fn fn, void *ctx)
{
    mh_stmt *st;
    int rc;
    if (mh_sql_prepare(s, sql, &st) != 0)
        return -1;
    mh_sql_bind_int64(st, 1, app_id);
    while ((rc = mh_sql_step(st)) == MH_SQL_ROW)
        if (fn(ctx, text(st, 0), text(st, 1)) != 0)
            break;
    mh_sql_finalize(st);
    return rc == MH_SQL_ROW || rc == MH_SQL_DONE ? 0 : -1;
}

int mh_store_field_choices_each(mh_store *s, int64_t app_id, mh_pair_fn fn, void *ctx)
{
    return pairs_each(s, "SELECT role, paths FROM field_choice WHERE app_id = ?1 ORDER BY role",
                      app_id, fn, ctx);
}

int mh_store_field_choice_set(mh_store *s, int64_t app_id, const char *role, const char *paths_json)
{
    return mh_sql_run_app_texts(s, "INSERT INTO field_choice VALUES(?1, ?2, ?3) ON CONFLICT("
                                   "app_id, role) DO UPDATE SET paths = excluded.paths",
                                app_id, role, paths_json);
}

int mh_store_role_map_each(mh_store *s, int64_t app_id, mh_pair_fn fn, void *ctx)
{
    return pairs_each(s, "SELECT sis_role, portal_role FROM role_map WHERE app_id = ?1", app_id,
                      fn, ctx);
}

int mh_store_role_map_set(mh_store *s, int64_t app_id, const char *sis_role, const char *portal_role)
{
    return mh_sql_run_app_texts(s, "INSERT INTO role_map VALUES(?1, ?2, ?3) ON CONFLICT(app_id, "
                                   "sis_role) DO UPDATE SET portal_role = excluded.portal_role",
                                app_id, sis_role, portal_role);
}

int mh_store_location_map_each(mh_store *s, int64_t app_id, mh_pair_fn fn, void *ctx)
{
    return pairs_each(s, "SELECT org_id, location FROM location_map WHERE app_id = ?1", app_id,
                      fn, ctx);
}

int mh_store_location_map_set(mh_store *s, int64_t app_id, const char *org_id, const char *location)
{
    return mh_sql_run_app_texts(s, "INSERT INTO location_map VALUES(?1, ?2, ?3) ON CONFLICT("
                                   "app_id, org_id) DO UPDATE SET location = excluded.location",
                                app_id, org_id, location);
}

int mh_store_sis_role_present(mh_store *s, int64_t app_id, const char *role)
{
    mh_stmt *st;
    int rc;
    if (mh_sql_prepare(s, "SELECT 1 FROM sis_records WHERE app_id = ?1 AND role = ?2 AND "
                           "present = 1 LIMIT 1", &st) != 0)
        return -1;
    mh_sql_bind_int64(st, 1, app_id);
    mh_sql_bind_text(st, 2, role, -1);
    rc = mh_sql_step(st);
    mh_sql_finalize(st);
    return rc == MH_SQL_ROW ? 1 : rc == MH_SQL_DONE ? 0 : -1;
}

int mh_store_org_resolve(mh_store *s, int64_t app_id, const char *given, char *out, size_t cap)
{
    mh_stmt *st;
    int n = 0, rc;
    if (mh_sql_prepare(s, "SELECT sourced_id FROM orgs WHERE app_id = ?1 AND "
                           "(sourced_id = ?2 OR identifier = ?2) ORDER BY sourced_id = ?2 DESC", &st) != 0)
        return -1;
    mh_sql_bind_int64(st, 1, app_id);
    mh_sql_bind_text(st, 2, given, -1);
    while ((rc = mh_sql_step(st)) == MH_SQL_ROW) {
        const char *sid = text(st, 0);
        if (n == 0)
            snprintf(out, cap, "%s", sid);
        n++;
        if (strcmp(sid, given) == 0)
            break;  /* a sourcedId wins over another org's identifier */
    }
    mh_sql_finalize(st);
    if (rc != MH_SQL_ROW && rc != MH_SQL_DONE)
        return -1;
    return n == 0 ? 1 : n == 1 || strcmp(out, given) == 0 ? 0 : 2;
}

int mh_store_role_rows_each(mh_store *s, int64_t app_id,
                            int (*fn)(void *ctx, const mh_role_row *row), void *ctx)
{
    mh_stmt *st;
    mh_role_row row;
    int rc;
    if (mh_sql_prepare(s, "SELECT r.role, count(*), m.portal_role FROM sis_records r "
                           "LEFT JOIN role_map m ON m.app_id = r.app_id AND m.sis_role = r.role "
                           "WHERE r.app_id = ?1 AND r.present = 1 GROUP BY r.role, m.portal_role ORDER BY r.role", &st) != 0)
        return -1;
    mh_sql_bind_int64(st, 1, app_id);
    while ((rc = mh_sql_step(st)) == MH_SQL_ROW) {
        row.role = text(st, 0);
        row.users = mh_sql_column_int64(st, 1);
        row.portal_role = mh_sql_column_is_null(st, 2) ? NULL : text(st, 2);
        if (fn(ctx, &row) != 0)
            break;
    }
    mh_sql_finalize(st);
    return rc == MH_SQL_ROW || rc == MH_SQL_DONE ? 0 : -1;
}

/* The org ids of a stored record r, as rows j(value). */
#define ORGS_OF_LITE "json_each(r.body, '$.orgs') j"
#define ORGS_OF_PG "jsonb_array_elements_text(r.body::jsonb -> 'orgs') AS j(value)"
#define ORG_ROWS_SQL(orgs_of) \
    "SELECT o.sourced_id, o.type, o.identifier, o.name, o.stale, m.location, " \
    "(SELECT count(*) FROM sis_records r, " orgs_of \
    " WHERE r.app_id = o.app_id AND r.present = 1 AND j.value = o.sourced_id) " \
    "FROM orgs o LEFT JOIN location_map m ON m.app_id = o.app_id AND " \
    "m.org_id = o.sourced_id WHERE o.app_id = ?1 ORDER BY o.type, o.name"

int mh_store_org_rows_each(mh_store *s, int64_t app_id,
                           int (*fn)(void *ctx, const mh_org_row *row), void *ctx)
{
    mh_stmt *st;
    mh_org_row row;
    int rc;
    if (mh_sql_prepare(s, mh_sql_is_pg(s) ? ORG_ROWS_SQL(ORGS_OF_PG) : ORG_ROWS_SQL(ORGS_OF_LITE), &st) != 0)
        return -1;
    mh_sql_bind_int64(st, 1, app_id);
    while ((rc = mh_sql_step(st)) == MH_SQL_ROW) {
        row.sourced_id = text(st, 0);
        row.type = text(st, 1);
        row.identifier = text(st, 2);
        row.name = text(st, 3);
        row.stale = mh_sql_column_int(st, 4);
        row.location = mh_sql_column_is_null(st, 5) ? NULL : text(st, 5);
        row.users = mh_sql_column_int64(st, 6);
        if (fn(ctx, &row) != 0)
            break;
    }
    mh_sql_finalize(st);
    return rc == MH_SQL_ROW || rc == MH_SQL_DONE ? 0 : -1;
}
