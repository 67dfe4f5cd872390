/*
 * store_users.c - the users table and the present SIS records, for the
 * writer that maps one into the other.  Rows are looked up and written with
 * statements prepared once per run (reused per user): a million
 * users is a million steps, not a million prepares.
 *
 * PostgreSQL: puts are gathered as COPY rows and applied per batch (one
 * COPY, and an upsert unless every row is new), not a round trip each; a
 * lookup of a row still gathered applies the batch first, so it reads what
 * SQLite would.
 */
#include "store_users.h"
#include "store_db.h"
#include "id_bloom.h"
#include "store_pgbatch.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Rows gathered before one set-based apply. */
#define PG_BATCH 1000
/* While the server still stores the previous batch, gathering goes on (so
 * the writer does not wait on a server that stalls, say on a WAL fsync)
 * up to this many rows. */
#define PG_BATCH_MAX (4 * PG_BATCH)

/* A batch goes by COPY.  When every user in it is new to a first import
 * (the bloom filter below), straight into users; otherwise into a staging
 * table of the run's transaction (dropped at its end), then into users by
 * one upsert.  A batch never holds two rows of one user (a repeat applies
 * the batch first), so no DISTINCT ON is needed. */
#define PG_COLS "app_id, sourced_id, role, active, given_name, family_name, email, " \
    "username, portal_role, locations, fields, flags, updated_at, hash"
#define PG_STAGE_SQL \
    "CREATE TEMP TABLE IF NOT EXISTS mh_stage_users(LIKE users INCLUDING DEFAULTS) ON COMMIT DROP; " \
    "TRUNCATE mh_stage_users"
#define PG_COPY_NEW_SQL "COPY users(" PG_COLS ") FROM STDIN"
#define PG_COPY_STAGE_SQL "COPY mh_stage_users(" PG_COLS ") FROM STDIN"
#define PG_APPLY_SQL \
    "INSERT INTO users(" PG_COLS ") SELECT " PG_COLS " FROM mh_stage_users " \
    "ON CONFLICT(app_id, sourced_id) DO UPDATE SET role=excluded.role, " \
    "active=excluded.active, given_name=excluded.given_name, " \
    "family_name=excluded.family_name, email=excluded.email, " \
    "username=excluded.username, portal_role=excluded.portal_role, " \
    "locations=excluded.locations, fields=excluded.fields, " \
    "flags=excluded.flags, updated_at=excluded.updated_at, hash=excluded.hash; " \
    "TRUNCATE mh_stage_users"

struct mh_user_rows {
    mh_store *s;
    int64_t app_id;
    mh_stmt *get, *put, *update;
    /* SQLite: the row the last get found (id and role), so that a put of
     * the same user with the same role can leave users_by_role alone. */
    int got;
    mh_str got_id, got_role;
    /* PostgreSQL, once asked to gather (mh_user_rows_gather): the gathered
     * rows (COPY text) and their ids. */
    int is_pg, pg, staged;
    mh_str rows;
    char prefix[32];        /* each row's first field: the app */
    size_t n_put;
    int batch_updates;      /* the batch holds a user the database may have */
    unsigned char *bloom;   /* the app had no users when gathering began: the ids put since */
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
    r->is_pg = mh_sql_is_pg(s);
    *out = r;
    return 0;
}

void mh_user_rows_close(mh_user_rows *r)
{
    if (r == NULL)
        return;
    mh_sql_finalize(r->get);
    mh_sql_finalize(r->put);
    mh_sql_finalize(r->update);
    mh_str_free(&r->got_id);
    mh_str_free(&r->got_role);
    mh_str_free(&r->rows);
    free(r->bloom);
    mh_pg_lookup_free(&r->pending);
    free(r);
}

void mh_user_rows_gather(mh_user_rows *r)
{
    mh_stmt *st;
    r->pg = r->is_pg;
    if (!r->pg)
        return;
    snprintf(r->prefix, sizeof r->prefix, "%lld\t", (long long)r->app_id);
    /* A first import: users it has not put are certainly not there.  When
     * this cannot be read, every batch simply takes the upsert. */
    if (mh_sql_prepare(r->s, "SELECT EXISTS(SELECT 1 FROM users WHERE app_id=?1)", &st) == 0) {
        mh_sql_bind_int64(st, 1, r->app_id);
        if (mh_sql_step(st) == MH_SQL_ROW && mh_sql_column_int(st, 0) == 0)
            r->bloom = mh_id_bloom_new();
    }
    mh_sql_finalize(st);
}

/* Applies what is gathered, without waiting for the server (a failure
 * shows at the next statement): the server stores a batch while the writer
 * maps the next.  0 or -1. */
static int pg_flush(mh_user_rows *r)
{
    static const mh_pg_put_sql sql = {PG_COPY_NEW_SQL, PG_COPY_STAGE_SQL, PG_APPLY_SQL};
    int staged = r->batch_updates;
    if (r->n_put == 0)
        return 0;
    /* Made at the first batch that needs it, inside the run's transaction,
     * which it lives as long as. */
    if (staged && !r->staged &&
        (mh_sql_send_text(r->s, PG_STAGE_SQL) != 0 || mh_sql_wait(r->s) != 0))
        return -1;
    r->staged |= staged;
    r->n_put = 0;
    r->batch_updates = 0;
    mh_pg_lookup_clear(&r->pending);
    return mh_pg_put_rows(r->s, &sql, &r->rows, staged);
}

int mh_user_rows_flush(mh_user_rows *r)
{
    if (r == NULL || !r->pg)
        return 0;
    return pg_flush(r) != 0 || mh_sql_wait(r->s) != 0 ? -1 : 0;
}

static void add_col(mh_user_rows *r, const mh_str *v)
{
    mh_pg_copy_field(&r->rows, v->data ? v->data : "", v->len, 0);
}

static int pg_gather(mh_user_rows *r, const mh_user_row *row, const char *updated_at)
{
    const char *id = row->sourced_id.data ? row->sourced_id.data : "";
    char num[32];
    /* A second row of this user in the batch: the first goes in before it. */
    if (mh_pg_lookup_find(&r->pending, id) != NULL && pg_flush(r) != 0)
        return -1;
    if (r->bloom == NULL || mh_id_bloom_maybe(r->bloom, id))
        r->batch_updates = 1;
    if (r->bloom != NULL)
        mh_id_bloom_add(r->bloom, id);
    mh_str_adds(&r->rows, r->prefix);
    mh_pg_copy_field(&r->rows, id, row->sourced_id.len, 1);
    add_col(r, &row->role);
    mh_pg_copy_field(&r->rows, row->active ? "1" : "0", 1, 0);
    add_col(r, &row->given_name);
    add_col(r, &row->family_name);
    add_col(r, &row->email);
    add_col(r, &row->username);
    if (row->has_portal_role)
        add_col(r, &row->portal_role);
    else
        mh_pg_copy_field(&r->rows, NULL, 0, 0);
    add_col(r, &row->locations);
    add_col(r, &row->fields);
    add_col(r, &row->flags);
    mh_pg_copy_field(&r->rows, updated_at, strlen(updated_at), 0);
    snprintf(num, sizeof num, "%lld", (long long)(int64_t)row->hash);
    mh_pg_copy_field(&r->rows, num, strlen(num), 0);
    mh_pg_copy_row_end(&r->rows);
    if (mh_pg_lookup_put(&r->pending, id, 1, 0, 0) != 0)
        return -1;
    return ++r->n_put >= PG_BATCH && (r->n_put >= PG_BATCH_MAX || !mh_sql_busy(r->s))
               ? pg_flush(r) : 0;
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

/* Active users' org memberships that no location covers, by org: known
 * (the district's roster has the org, so Location Mapping lists it) or not
 * (a user names an org the SIS never sent, which no mapping can cover). */
#define ORG_TALLY_PG(known) \
    "SELECT j.value, count(*) FROM users u, jsonb_array_elements_text(CASE WHEN " \
    "u.flags LIKE '{%' THEN u.flags::jsonb -> 'unmappedOrgs' END) AS j(value) " \
    "WHERE u.app_id = ?1 AND u.active = 1 AND " known " EXISTS (SELECT 1 FROM orgs o WHERE " \
    "o.app_id = u.app_id AND o.sourced_id = j.value) GROUP BY j.value ORDER BY j.value"
#define ORG_TALLY_LITE(known) \
    "SELECT j.value, count(*) FROM users u, json_each(u.flags, '$.unmappedOrgs') j " \
    "WHERE u.app_id = ?1 AND u.active = 1 AND " known " EXISTS (SELECT 1 FROM orgs o WHERE " \
    "o.app_id = u.app_id AND o.sourced_id = j.value) GROUP BY j.value ORDER BY j.value"

void mh_store_unmapped_json(mh_store *s, int64_t app_id, int itxm, mh_str *out)
{
    int pg = mh_sql_is_pg(s);
    if (!itxm) {
        mh_str_adds(out, "\"unmapped_roles\":{},\"unmapped_orgs\":{},\"unknown_orgs\":{}");
        return;
    }
    mh_str_adds(out, "\"unmapped_roles\":");
    tally_json(s, "SELECT role, count(*) FROM users WHERE app_id = ?1 AND active = 1 AND "
                  "portal_role IS NULL GROUP BY role ORDER BY role", app_id, out);
    mh_str_adds(out, ",\"unmapped_orgs\":");
    tally_json(s, pg ? ORG_TALLY_PG("") : ORG_TALLY_LITE(""), app_id, out);
    mh_str_adds(out, ",\"unknown_orgs\":");
    tally_json(s, pg ? ORG_TALLY_PG("NOT") : ORG_TALLY_LITE("NOT"), app_id, out);
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

int mh_store_users_each(mh_store *s, const char *app, const char *role, int held_only,
                        int (*fn)(void *ctx, const mh_user_view *u), void *ctx)
{
    mh_stmt *st;
    mh_user_view u;
    int rc;
    if (mh_sql_prepare(s, "SELECT " MH_USER_VIEW_COLUMNS " "
                           "FROM users u JOIN apps a ON a.id = u.app_id WHERE (CAST(?1 AS TEXT) IS NULL OR a.name = ?1) "
                           "AND (CAST(?2 AS TEXT) IS NULL OR u.role = ?2) AND " MH_USER_HELD_IF("?3")
                           " ORDER BY a.name, u.sourced_id", &st) != 0)
        return -1;
    mh_sql_stream(st);  /* every user of the district */
    if (app != NULL)
        mh_sql_bind_text(st, 1, app, -1);
    if (role != NULL)
        mh_sql_bind_text(st, 2, role, -1);
    mh_sql_bind_int64(st, 3, held_only);
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
