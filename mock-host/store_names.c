/*
 * store_names.c - the Customer Portal roles and locations an ITxM account
 * adds in the host, and what points at them.  A name is referred to from
 * two places: a mapping (role_map.portal_role, location_map.location) and
 * the users mapped through it (users.portal_role, users.locations, a JSON
 * array).  Removing a name in use is the caller's decision; these
 * functions only count and delete.
 */
#include "store_names.h"

#include <stdio.h>

static const char *const table[] = {"portal_roles", "locations"};

/* Counting statements per list: mappings, then users. */
static const char *const count_mappings[] = {
    "SELECT count(*) FROM role_map WHERE portal_role = ?1",
    "SELECT count(*) FROM location_map WHERE location = ?1"};
static const char *const count_users[] = {
    "SELECT count(*) FROM users WHERE portal_role = ?1",
    "SELECT count(*) FROM users u, json_each(u.locations) j WHERE j.value = ?1"};
static const char *const apps_using[] = {
    "SELECT app_id FROM role_map WHERE portal_role = ?1 UNION "
    "SELECT DISTINCT app_id FROM users WHERE portal_role = ?1",
    "SELECT app_id FROM location_map WHERE location = ?1 UNION "
    "SELECT DISTINCT u.app_id FROM users u, json_each(u.locations) j WHERE j.value = ?1"};
static const char *const unmap[] = {
    "DELETE FROM role_map WHERE portal_role = ?1",
    "DELETE FROM location_map WHERE location = ?1"};

/* Runs `sql` with ?1 = name; returns the sqlite3_step result. */
static int run_named(mh_store *s, const char *sql, const char *name, long long *first_col)
{
    sqlite3_stmt *st;
    int rc;
    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
        return SQLITE_ERROR;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW && first_col != NULL)
        *first_col = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return rc;
}

static int edit(mh_store *s, const char *fmt, mh_name_list list, const char *name)
{
    char sql[128];
    snprintf(sql, sizeof sql, fmt, table[list]);
    if (run_named(s, sql, name, NULL) != SQLITE_DONE)
        return -1;
    return sqlite3_changes(s->db) == 1 ? 0 : 1;
}

int mh_store_name_add(mh_store *s, mh_name_list list, const char *name)
{
    return edit(s, "INSERT OR IGNORE INTO %s(name) VALUES(?1)", list, name);
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
    return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

int mh_store_name_each(mh_store *s, mh_name_list list,
                       int (*fn)(void *ctx, const char *name), void *ctx)
{
    char sql[128];
    sqlite3_stmt *st;
    int n = 0, rc;
    snprintf(sql, sizeof sql, "SELECT name FROM %s ORDER BY name", table[list]);
    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
        return -1;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        n++;
        if (fn(ctx, (const char *)sqlite3_column_text(st, 0)) != 0)
            break;
    }
    sqlite3_finalize(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? n : -1;
}

int mh_store_name_usage(mh_store *s, mh_name_list list, const char *name, mh_name_usage *out)
{
    out->mappings = out->users = 0;
    if (run_named(s, count_mappings[list], name, &out->mappings) != SQLITE_ROW ||
        run_named(s, count_users[list], name, &out->users) != SQLITE_ROW)
        return -1;
    return 0;
}

int mh_store_name_apps(mh_store *s, mh_name_list list, const char *name, int64_t *ids, int cap)
{
    sqlite3_stmt *st;
    int n = 0, rc;
    if (sqlite3_prepare_v2(s->db, apps_using[list], -1, &st, NULL) != SQLITE_OK)
        return -1;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW && n < cap)
        ids[n++] = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? n : -1;
}

int mh_store_name_unmap(mh_store *s, mh_name_list list, const char *name)
{
    return run_named(s, unmap[list], name, NULL) == SQLITE_DONE ? 0 : -1;
}
