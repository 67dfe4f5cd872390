/*
 * store_users.c - the users table and the present SIS records, for the
 * writer that maps one into the other.  Rows are looked up and written with
 * statements prepared once per run (reused per user): a million
 * users is a million steps, not a million prepares.
 *
 * PostgreSQL: puts are gathered (one array literal per column) and applied
 * by one set-based upsert per batch, not a round trip each; a lookup of a
 * row still gathered applies the batch first, so it reads what SQLite would.
 */
#include "store_users.h"
#include "store_db.h"
#include "store_pgbatch.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Rows gathered before one set-based apply. */
#define PG_BATCH 1000
#define PG_COLS 13

/* DISTINCT ON keeps a user's last copy, as single upserts would. */
#define PG_PUT_SQL \
    "INSERT INTO users(app_id, sourced_id, role, active, given_name, family_name, email, " \
    "username, portal_role, locations, fields, flags, updated_at, hash) SELECT DISTINCT ON " \
    "(v.id) ?1, v.id, v.ro, v.ac, v.gn, v.fn, v.em, v.un, v.pr, v.lo, v.fi, v.fl, v.up, v.ha " \
    "FROM unnest(?2::text[], ?3::text[], ?4::bigint[], ?5::text[], ?6::text[], ?7::text[], " \
    "?8::text[], ?9::text[], ?10::text[], ?11::text[], ?12::text[], ?13::text[], ?14::bigint[]) " \
    "WITH ORDINALITY AS v(id, ro, ac, gn, fn, em, un, pr, lo, fi, fl, up, ha, ord) " \
    "ORDER BY v.id, v.ord DESC ON CONFLICT(app_id, sourced_id) DO UPDATE SET role=excluded.role, " \
    "active=excluded.active, given_name=excluded.given_name, " \
    "family_name=excluded.family_name, email=excluded.email, " \
    "username=excluded.username, portal_role=excluded.portal_role, " \
    "locations=excluded.locations, fields=excluded.fields, " \
    "flags=excluded.flags, updated_at=excluded.updated_at, hash=excluded.hash"

struct mh_user_rows {
    mh_store *s;
    int64_t app_id;
    mh_stmt *get, *put, *update;
    /* SQLite: the row the last get found (id and role), so that a put of
     * the same user with the same role can leave users_by_role alone. */
    int got;
    mh_str got_id, got_role;
    /* PostgreSQL, once asked to gather (mh_user_rows_gather): the gathered
     * rows, column by column, and their ids. */
    int pg;
    mh_stmt *bulk_put;
    mh_str cols[PG_COLS];
    size_t n_put;
    mh_pg_lookup pending;
};

int mh_user_rows_open(mh_user_rows **out, mh_store *s, int64_t app_id)
{
    mh_user_rows *r = calloc(1, sizeof *r);
    *out = NULL;
    if (r == NULL)
        return -1;
    r->s = s;
    r->app_id = app_id;
    if (mh_sql_prepare(s, "SELECT active, hash, role FROM users WHERE app_id = ?1 AND "
                           "sourced_id = ?2", &r->get) != 0 ||
        /* An upsert lists role in its SET, and SQLite then deletes and
         * reinserts the row's users_by_role entry even when the role is
         * the same: one more scattered page per changed user, read and
         * written twice (WAL, checkpoint).  A changed user whose role
         * stayed is updated without it (tests/bench/DELTA.md). */
        mh_sql_prepare(s, "UPDATE users SET active=?3, given_name=?4, family_name=?5, email=?6, "
                           "username=?7, portal_role=?8, locations=?9, fields=?10, flags=?11, "
                           "updated_at=?12, hash=?13 WHERE app_id=?1 AND sourced_id=?2",
                       &r->update) != 0 ||
        mh_sql_prepare(s, "INSERT INTO users(app_id, sourced_id, role, active, given_name, "
                           "family_name, email, username, portal_role, locations, fields, flags, "
                           "updated_at, hash) VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14) "
                           "ON CONFLICT(app_id, sourced_id) DO UPDATE SET role=excluded.role, "
                           "active=excluded.active, given_name=excluded.given_name, "
                           "family_name=excluded.family_name, email=excluded.email, "
                           "username=excluded.username, portal_role=excluded.portal_role, "
                           "locations=excluded.locations, fields=excluded.fields, "
                           "flags=excluded.flags, updated_at=excluded.updated_at, hash=excluded.hash", &r->put) != 0) {
        mh_user_rows_close(r);
        return -1;
    }
    if (mh_sql_is_pg(s) && mh_sql_prepare(s, PG_PUT_SQL, &r->bulk_put) != 0) {
        mh_user_rows_close(r);
        return -1;
    }
    *out = r;
    return 0;
}

void mh_user_rows_close(mh_user_rows *r)
{
    int i;
    if (r == NULL)
        return;
    mh_sql_finalize(r->get);
    mh_sql_finalize(r->put);
    mh_sql_finalize(r->update);
    mh_sql_finalize(r->bulk_put);
    mh_str_free(&r->got_id);
    mh_str_free(&r->got_role);
    for (i = 0; i < PG_COLS; i++)
        mh_str_free(&r->cols[i]);
    mh_pg_lookup_free(&r->pending);
    free(r);
}

void mh_user_rows_gather(mh_user_rows *r)
{
    r->pg = r->bulk_put != NULL;
}

/* Applies what is gathered, sent without waiting (mh_sql_send): the
 * server applies a batch while the writer maps the next.  0 or -1. */
static int pg_flush(mh_user_rows *r)
{
    int i;
    if (r->n_put == 0)
        return 0;
    mh_sql_bind_int64(r->bulk_put, 1, r->app_id);
    for (i = 0; i < PG_COLS; i++) {
        mh_pg_array_end(&r->cols[i]);
        mh_sql_bind_text(r->bulk_put, 2 + i, r->cols[i].data, (int)r->cols[i].len);
        mh_str_reset(&r->cols[i]);
    }
    r->n_put = 0;
    mh_pg_lookup_clear(&r->pending);
    return mh_sql_send(r->bulk_put);
}

int mh_user_rows_flush(mh_user_rows *r)
{
    if (r == NULL || !r->pg)
        return 0;
    return pg_flush(r) != 0 || mh_sql_wait(r->s) != 0 ? -1 : 0;
}

static void add_col(mh_user_rows *r, int col, const mh_str *v)
{
    mh_pg_array_add(&r->cols[col], v->data ? v->data : "", v->len);
}

static int pg_gather(mh_user_rows *r, const mh_user_row *row, const char *updated_at)
{
    char num[32];
    add_col(r, 0, &row->sourced_id);
    add_col(r, 1, &row->role);
    mh_pg_array_add(&r->cols[2], row->active ? "1" : "0", 1);
    add_col(r, 3, &row->given_name);
    add_col(r, 4, &row->family_name);
    add_col(r, 5, &row->email);
    add_col(r, 6, &row->username);
    if (row->has_portal_role)
        add_col(r, 7, &row->portal_role);
    else
        mh_pg_array_add(&r->cols[7], NULL, 0);
    add_col(r, 8, &row->locations);
    add_col(r, 9, &row->fields);
    add_col(r, 10, &row->flags);
    mh_pg_array_add(&r->cols[11], updated_at, strlen(updated_at));
    snprintf(num, sizeof num, "%lld", (long long)(int64_t)row->hash);
    mh_pg_array_add(&r->cols[12], num, strlen(num));
    if (mh_pg_lookup_put(&r->pending, row->sourced_id.data ? row->sourced_id.data : "", 1, 0,
                         0) != 0)
        return -1;
    return ++r->n_put >= PG_BATCH ? pg_flush(r) : 0;
}

/* The row's strings stay put until the statement is stepped and each step
 * binds every parameter again: SQLite reads them in place (store_sql.h). */
#define TEXT(st, i, str) mh_sql_bind_text_kept(st, i, (str)->data ? (str)->data : "", (int)(str)->len)

int mh_user_rows_get(mh_user_rows *r, const mh_str *sourced_id, int *active, uint64_t *hash)
{
    int rc;
    /* A row still gathered: the database must have it before it is read. */
    if (r->pg && mh_pg_lookup_find(&r->pending, sourced_id->data ? sourced_id->data : "") != NULL &&
        mh_user_rows_flush(r) != 0)
        return -1;
    mh_sql_bind_int64(r->get, 1, r->app_id);
    TEXT(r->get, 2, sourced_id);
    rc = mh_sql_step(r->get);
    r->got = 0;
    if (rc == MH_SQL_ROW) {
        const char *role = mh_sql_column_text(r->get, 2);
        *active = mh_sql_column_int(r->get, 0);
        *hash = (uint64_t)mh_sql_column_int64(r->get, 1);
        mh_str_reset(&r->got_id);
        mh_str_add(&r->got_id, sourced_id->data ? sourced_id->data : "", sourced_id->len);
        mh_str_reset(&r->got_role);
        mh_str_adds(&r->got_role, role != NULL ? role : "");
        r->got = 1;
    }
    mh_sql_reset(r->get);
    return rc == MH_SQL_ROW ? 1 : rc == MH_SQL_DONE ? 0 : -1;
}

static int same(const mh_str *a, const mh_str *b)
{
    return a->len == b->len && (a->len == 0 || memcmp(a->data, b->data, a->len) == 0);
}

/* The row the last get found is this one, with this role. */
static int role_kept(const mh_user_rows *r, const mh_user_row *row)
{
    return r->got && same(&r->got_id, &row->sourced_id) && same(&r->got_role, &row->role);
}

static int update_keeping_role(mh_user_rows *r, const mh_user_row *row, const char *updated_at)
{
    mh_stmt *st = r->update;
    int rc;
    mh_sql_bind_int64(st, 1, r->app_id);
    TEXT(st, 2, &row->sourced_id);
    mh_sql_bind_int64(st, 3, row->active);
    TEXT(st, 4, &row->given_name);
    TEXT(st, 5, &row->family_name);
    TEXT(st, 6, &row->email);
    TEXT(st, 7, &row->username);
    if (row->has_portal_role)
        TEXT(st, 8, &row->portal_role);
    else
        mh_sql_bind_null(st, 8);
    TEXT(st, 9, &row->locations);
    TEXT(st, 10, &row->fields);
    TEXT(st, 11, &row->flags);
    mh_sql_bind_text_kept(st, 12, updated_at, -1);
    mh_sql_bind_int64(st, 13, (int64_t)row->hash);
    rc = mh_sql_step(st);
    mh_sql_reset(st);
    return rc == MH_SQL_DONE && mh_sql_changes(r->s) == 1 ? 0 : -1;
}

int mh_user_rows_put(mh_user_rows *r, const mh_user_row *row, const char *updated_at)
{
    int rc;
    if (r->pg)
        return pg_gather(r, row, updated_at);
    if (role_kept(r, row)) {
        r->got = 0;
        return update_keeping_role(r, row, updated_at);
    }
    mh_sql_bind_int64(r->put, 1, r->app_id);
    TEXT(r->put, 2, &row->sourced_id);
    TEXT(r->put, 3, &row->role);
    mh_sql_bind_int64(r->put, 4, row->active);
    TEXT(r->put, 5, &row->given_name);
    TEXT(r->put, 6, &row->family_name);
    TEXT(r->put, 7, &row->email);
    TEXT(r->put, 8, &row->username);
    if (row->has_portal_role)
        TEXT(r->put, 9, &row->portal_role);
    else
        mh_sql_bind_null(r->put, 9);
    TEXT(r->put, 10, &row->locations);
    TEXT(r->put, 11, &row->fields);
    TEXT(r->put, 12, &row->flags);
    mh_sql_bind_text_kept(r->put, 13, updated_at, -1);
    mh_sql_bind_int64(r->put, 14, (int64_t)row->hash);
    rc = mh_sql_step(r->put);
    mh_sql_reset(r->put);
    return rc == MH_SQL_DONE ? 0 : -1;
}

static void tally_json(mh_store *s, const char *sql, int64_t app_id, mh_str *out)
{
    mh_stmt *st;
    char num[32];
    int first = 1;
    mh_str_add(out, "{", 1);
    if (mh_sql_prepare(s, sql, &st) == 0) {
        mh_sql_bind_int64(st, 1, app_id);
        while (mh_sql_step(st) == MH_SQL_ROW) {
            if (!first)
                mh_str_add(out, ",", 1);
            mh_str_json(out, mh_sql_column_text(st, 0));
            snprintf(num, sizeof num, ":%lld", (long long)mh_sql_column_int64(st, 1));
            mh_str_adds(out, num);
            first = 0;
        }
    }
    mh_sql_finalize(st);
    mh_str_add(out, "}", 1);
}

void mh_store_unmapped_json(mh_store *s, int64_t app_id, int itxm, mh_str *out)
{
    mh_str_adds(out, "\"unmapped_roles\":");
    if (itxm)
        tally_json(s, "SELECT role, count(*) FROM users WHERE app_id = ?1 AND active = 1 AND "
                      "portal_role IS NULL GROUP BY role ORDER BY role", app_id, out);
    else
        mh_str_adds(out, "{}");
    mh_str_adds(out, ",\"unmapped_orgs\":");
    if (itxm)
        tally_json(s, mh_sql_is_pg(s) ?
                   "SELECT j.value, count(*) FROM users u, jsonb_array_elements_text(CASE WHEN "
                   "u.flags LIKE '{%' THEN u.flags::jsonb -> 'unmappedOrgs' END) AS j(value) "
                   "WHERE u.app_id = ?1 AND u.active = 1 GROUP BY j.value ORDER BY j.value" :
                   "SELECT j.value, count(*) FROM users u, json_each(u.flags, '$.unmappedOrgs') j "
                   "WHERE u.app_id = ?1 AND u.active = 1 GROUP BY j.value ORDER BY j.value",
                   app_id, out);
    else
        mh_str_adds(out, "{}");
}

int mh_store_records_each(mh_store *s, int64_t app_id,
                          int (*fn)(void *ctx, const mh_stored_record *rec), void *ctx)
{
    mh_stmt *st;
    mh_stored_record rec;
    int rc, stop = 0;
    if (mh_sql_prepare(s, "SELECT sourced_id, status, enabled, modified, body FROM "
                           "sis_records WHERE app_id = ?1 AND present = 1", &st) != 0)
        return -1;
    mh_sql_stream(st);  /* every record of the district */
    mh_sql_bind_int64(st, 1, app_id);
    while ((rc = mh_sql_step(st)) == MH_SQL_ROW) {
        rec.sourced_id = mh_sql_column_text(st, 0);
        rec.status = mh_sql_column_int(st, 1);
        rec.enabled = mh_sql_column_int(st, 2);
        rec.modified = mh_sql_column_text(st, 3);
        rec.body = mh_sql_column_text(st, 4);
        if ((stop = fn(ctx, &rec)) != 0)
            break;
    }
    mh_sql_finalize(st);
    if (stop != 0)
        return stop;
    return rc == MH_SQL_DONE ? 0 : -1;
}

static const char *text_or(mh_stmt *st, int i, const char *none)
{
    const char *t = mh_sql_column_text(st, i);
    return t ? (const char *)t : none;
}

void mh_user_view_read(mh_stmt *st, mh_user_view *u)
{
    u->app = text_or(st, 0, "");
    u->sourced_id = text_or(st, 1, "");
    u->role = text_or(st, 2, "");
    u->active = mh_sql_column_int(st, 3);
    u->given_name = text_or(st, 4, "");
    u->family_name = text_or(st, 5, "");
    u->email = text_or(st, 6, "");
    u->username = text_or(st, 7, "");
    u->portal_role = text_or(st, 8, NULL);
    u->locations = text_or(st, 9, "[]");
    u->fields = text_or(st, 10, "{}");
    u->flags = text_or(st, 11, "");
    u->app_itxm = mh_sql_column_int(st, 12);
}

int mh_store_users_each(mh_store *s, const char *app, const char *role,
                        int (*fn)(void *ctx, const mh_user_view *u), void *ctx)
{
    mh_stmt *st;
    mh_user_view u;
    int rc;
    if (mh_sql_prepare(s, "SELECT " MH_USER_VIEW_COLUMNS " "
                           "FROM users u JOIN apps a ON a.id = u.app_id WHERE (CAST(?1 AS TEXT) IS NULL OR a.name = ?1) "
                           "AND (CAST(?2 AS TEXT) IS NULL OR u.role = ?2) ORDER BY a.name, u.sourced_id", &st) != 0)
        return -1;
    mh_sql_stream(st);  /* every user of the district */
    if (app != NULL)
        mh_sql_bind_text(st, 1, app, -1);
    if (role != NULL)
        mh_sql_bind_text(st, 2, role, -1);
    while ((rc = mh_sql_step(st)) == MH_SQL_ROW) {
        mh_user_view_read(st, &u);
        if (fn(ctx, &u) != 0)
            break;
    }
    mh_sql_finalize(st);
    return rc == MH_SQL_ROW || rc == MH_SQL_DONE ? 0 : -1;
}

int mh_store_user_roles_each(mh_store *s, const char *app,
                             int (*fn)(void *ctx, const char *role, long long users), void *ctx)
{
    mh_stmt *st;
    int rc;
    if (mh_sql_prepare(s, "SELECT u.role, count(*) FROM users u JOIN apps a ON a.id = "
                           "u.app_id WHERE (CAST(?1 AS TEXT) IS NULL OR a.name = ?1) GROUP BY u.role ORDER BY "
                           "u.role", &st) != 0)
        return -1;
    if (app != NULL)
        mh_sql_bind_text(st, 1, app, -1);
    while ((rc = mh_sql_step(st)) == MH_SQL_ROW)
        if (fn(ctx, text_or(st, 0, ""), mh_sql_column_int64(st, 1)) != 0)
            break;
    mh_sql_finalize(st);
    return rc == MH_SQL_ROW || rc == MH_SQL_DONE ? 0 : -1;
}
