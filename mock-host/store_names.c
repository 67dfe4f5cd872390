/*
 * store_names.c - the Customer Portal roles and locations an ITxM account
 * adds in the host, and what points at them.  A name is referred to from
 * two places: a mapping (role_map.portal_role, location_map.location) and
 * the users mapped through it (users.portal_role, users.locations, a JSON
 * array).  Removing a name in use is the caller's decision; these
 * functions only count and delete.
 */
#include "store_names.h"
#include "store_db.h"

#include <stdio.h>

static const char *const table[] = {"portal_roles", "locations"};

/* Counting statements per list: mappings, then users. */
static const char *const count_mappings[] = {
    "SELECT count(*) FROM role_map WHERE portal_role = ?1",
    "SELECT count(*) FROM location_map WHERE location = ?1"};
/* A user's locations (a JSON array of names) as rows j(value), per backend. */
#define LOCATIONS_LITE "json_each(u.locations) j"
#define LOCATIONS_PG "jsonb_array_elements_text(u.locations::jsonb) AS j(value)"
#define COUNT_LOCATION_USERS(locs) "SELECT count(*) FROM users u, " locs " WHERE j.value = ?1"
#define APPS_USING_LOCATION(locs) "SELECT app_id FROM location_map WHERE location = ?1 UNION " \
    "SELECT DISTINCT u.app_id FROM users u, " locs " WHERE j.value = ?1"
/* [backend][list]: 0 SQLite, 1 PostgreSQL */
static const char *const count_users[2][2] = {
    {"SELECT count(*) FROM users WHERE portal_role = ?1", COUNT_LOCATION_USERS(LOCATIONS_LITE)},
    {"SELECT count(*) FROM users WHERE portal_role = ?1", COUNT_LOCATION_USERS(LOCATIONS_PG)}};
#define APPS_USING_ROLE "SELECT app_id FROM role_map WHERE portal_role = ?1 UNION " \
    "SELECT DISTINCT app_id FROM users WHERE portal_role = ?1"
static const char *const apps_using[2][2] = {
    {APPS_USING_ROLE, APPS_USING_LOCATION(LOCATIONS_LITE)},
    {APPS_USING_ROLE, APPS_USING_LOCATION(LOCATIONS_PG)}};
static const char *const unmap[] = {
    "DELETE FROM role_map WHERE portal_role = ?1",
    "DELETE FROM location_map WHERE location = ?1"};

/* Runs `sql` with ?1 = name; returns the mh_sql_step result. */
static int run_named(mh_store *s, const char *sql, const char *name, long long *first_col)
{
    mh_stmt *st;
    int rc;
    if (mh_sql_prepare(s, sql, &st) != 0)
        return MH_SQL_ERROR;
    mh_sql_bind_text(st, 1, name, -1);
    rc = mh_sql_step(st);
    if (rc == MH_SQL_ROW && first_col != NULL)
        *first_col = mh_sql_column_int64(st, 0);
    mh_sql_finalize(st);
    return rc;
}

static int edit(mh_store *s, const char *fmt, mh_name_list list, const char *name)
{
    char sql[128];
    snprintf(sql, sizeof sql, fmt, table[list]);
    if (run_named(s, sql, name, NULL) != MH_SQL_DONE)
        return -1;
    return mh_sql_changes(s) == 1 ? 0 : 1;
}

int mh_store_name_add(mh_store *s, mh_name_list list, const char *name)
{
    return edit(s, "INSERT INTO %s(name) VALUES(?1) ON CONFLICT DO NOTHING", list, name);
}

int mh_store_name_remove(mh_store *s, mh_name_list list, const char *name)
{
    return edit(s, "DELETE FROM %s WHERE name = ?1", list, name);
}

int mh_store_name_exists(mh_store *s, mh_name_list list, const char *name)
{
    char sql[128];
    int rc;
    snprintf(sql, sizeof sql, "SELECT 1 FROM %s WHERE name = ?1", table[list]);
    rc = run_named(s, sql, name, NULL);
    return rc == MH_SQL_ROW ? 1 : rc == MH_SQL_DONE ? 0 : -1;
}

int mh_store_name_each(mh_store *s, mh_name_list list,
                       int (*fn)(void *ctx, const char *name), void *ctx)
{
    char sql[128];
    mh_stmt *st;
    int n = 0, rc;
    snprintf(sql, sizeof sql, "SELECT name FROM %s ORDER BY name", table[list]);
    if (mh_sql_prepare(s, sql, &st) != 0)
        return -1;
    while ((rc = mh_sql_step(st)) == MH_SQL_ROW) {
        n++;
        if (fn(ctx, mh_sql_column_text(st, 0)) != 0)
            break;
    }
    mh_sql_finalize(st);
    return rc == MH_SQL_ROW || rc == MH_SQL_DONE ? n : -1;
}

int mh_store_name_usage(mh_store *s, mh_name_list list, const char *name, mh_name_usage *out)
{
    out->mappings = out->users = 0;
    if (run_named(s, count_mappings[list], name, &out->mappings) != MH_SQL_ROW ||
        run_named(s, count_users[mh_sql_is_pg(s)][list], name, &out->users) != MH_SQL_ROW)
        return -1;
    return 0;
}

int mh_store_name_apps(mh_store *s, mh_name_list list, const char *name, int64_t *ids, int cap)
{
    mh_stmt *st;
    int n = 0, rc;
    if (mh_sql_prepare(s, apps_using[mh_sql_is_pg(s)][list], &st) != 0)
        return -1;
    mh_sql_bind_text(st, 1, name, -1);
    while ((rc = mh_sql_step(st)) == MH_SQL_ROW && n < cap)
        ids[n++] = mh_sql_column_int64(st, 0);
    mh_sql_finalize(st);
    return rc == MH_SQL_ROW || rc == MH_SQL_DONE ? n : -1;
}

int mh_store_name_unmap(mh_store *s, mh_name_list list, const char *name)
{
    return run_named(s, unmap[list], name, NULL) == MH_SQL_DONE ? 0 : -1;
}
