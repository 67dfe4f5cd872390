/*
 * store_records.c - sis_records and orgs during a run, on the sync
 * writer's thread, with statements prepared once per run.  Lookups, touches
 * and orgs are one step each; puts are gathered and applied 16 at a time by
 * one multi-row upsert (store_rowbatch.h), or sooner when a lookup or touch
 * asks for a record still gathered, and at the run's end.
 *
 * PostgreSQL: a round trip per statement would cost more than the work, so
 * there the records of a batch are looked up in one query
 * (mh_record_rows_prefetch), puts are gathered as COPY rows and touches
 * into an array, each applied per PG_BATCH rows by one COPY or set-based
 * statement (mh_record_rows_flush) that the writer does not wait for.  A
 * first import needs no lookups at all for ids its bloom filter has never
 * seen.  The run's transaction is the same, so a killed run still leaves
 * nothing.  Counts stay exact: the lookups hold what the database has plus
 * what is gathered, so a record that comes twice is compared with its
 * first copy, as on SQLite.
 */
#include "store_records.h"
#include "store_db.h"
#include "id_bloom.h"
#include "store_pgbatch.h"
#include "store_rowbatch.h"
#include "row_hash.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Rows gathered before one set-based apply. */
#define PG_BATCH 1000
/* While the server still stores the previous batch, gathering goes on (so
 * the writer does not wait on a server that stalls, say on a WAL fsync)
 * up to this many rows. */
#define PG_BATCH_MAX (4 * PG_BATCH)
/* A put: its columns, and what it changes in a record already there.  The
 * same on both backends: SQLite applies puts by one multi-row statement,
 * PostgreSQL by COPY and, below, one upsert per batch. */
#define PUT_COLS "app_id, sourced_id, status, enabled, modified, role, body, hash, seen_run, present"
#define PUT_ON_CONFLICT \
    "ON CONFLICT(app_id, sourced_id) DO UPDATE SET " \
    "status=excluded.status, enabled=excluded.enabled, modified=excluded.modified, " \
    "role=excluded.role, body=excluded.body, hash=excluded.hash, seen_run=excluded.seen_run, " \
    "present=1"
/* A batch's puts go by COPY.  When every record in it is new to a first
 * import (the bloom filter below), straight into sis_records; otherwise
 * into a staging table of the run's transaction (dropped at its end), then
 * into sis_records by one upsert.  A batch never holds two copies of one
 * record (a repeat applies the batch first), so no DISTINCT ON is needed. */
#define PG_STAGE_SQL \
    "CREATE TEMP TABLE IF NOT EXISTS mh_stage_records(LIKE sis_records INCLUDING DEFAULTS) ON COMMIT DROP; " \
    "TRUNCATE mh_stage_records"
#define PG_COPY_NEW_SQL "COPY sis_records(" PUT_COLS ") FROM STDIN"
#define PG_COPY_STAGE_SQL "COPY mh_stage_records(" PUT_COLS ") FROM STDIN"
#define PG_APPLY_SQL \
    "INSERT INTO sis_records(" PUT_COLS ") SELECT " PUT_COLS " FROM mh_stage_records " \
    PUT_ON_CONFLICT "; TRUNCATE mh_stage_records"

struct mh_record_rows {
    mh_store *s;
    int64_t app_id, run_id;
    mh_stmt *get, *touch, *put_org;
    /* SQLite: the row the last get found, so that touching that same
     * record (an unchanged one, the common case of a full run) marks its
     * row id without looking the id up a second time. */
    mh_stmt *touch_rid;
    mh_str got_id;
    int64_t got_rid;
    /* PostgreSQL only: the gathered puts (COPY rows), the gathered
     * touches, and the current batch's lookups. */
    int pg;
    mh_stmt *bulk_touch, *bulk_get;
    mh_str p_rows;
    char p_prefix[48];  /* each row's first field: the app */
    char p_suffix[48];  /* and last two: the run, present */
    size_t n_put;
    unsigned batch;     /* number of the batch being gathered, from 1 */
    int batch_updates;  /* it holds a record the database may have */
    mh_str t_id;
    size_t n_touch;
    mh_pg_lookup seen;
    /* The app had no records when the run began (a first import): a record
     * is then in the database only if this run put it, and an id the
     * filter has never seen needs no lookup. */
    unsigned char *bloom;
    /* SQLite: puts gathered for one multi-row statement (store_rowbatch.h);
     * applied when full, before a lookup or touch of one of them, and by
     * mh_record_rows_flush at the run's end. */
    mh_row_batch puts;
};

#define TEXT(st, i, str) mh_sql_bind_text(st, i, (str)->data ? (str)->data : "", (int)(str)->len)

/* SQLite: an unchanged record is marked as seen in a temporary table of
 * row ids, not by rewriting its row (seen_run): a full run of a district
 * that did not change then writes none of its ~1 KB rows (each would be
 * written to the WAL and again by the checkpoint), only ~10 bytes per
 * record into the connection's temporary database, a file (temp_store,
 * store.c) that SQLite pages like any other, so memory stays flat.  Seen
 * by this run = seen_run is this run (put) or the row id is in mh_seen
 * (touch); store_absence.c asks exactly that.  The table is emptied at
 * the start of each run; it goes with the connection, and a killed run
 * loses it with everything else the transaction did. */
static int seen_table(mh_store *s)
{
    return mh_store_exec(s, "CREATE TEMP TABLE IF NOT EXISTS mh_seen(rid INTEGER PRIMARY KEY);"
                            "DELETE FROM temp.mh_seen;", NULL, 0);
}

int mh_record_rows_open(mh_record_rows **out, mh_store *s, int64_t app_id, int64_t run_id)
{
    mh_record_rows *r = calloc(1, sizeof *r);
    *out = NULL;
    if (r == NULL)
        return -1;
    r->s = s;
    r->app_id = app_id;
    r->run_id = run_id;
    if ((!mh_sql_is_pg(s) && seen_table(s) != 0) ||
        mh_sql_prepare(s, mh_sql_is_pg(s)
                           ? "SELECT hash, present FROM sis_records WHERE app_id=?1 AND "
                             "sourced_id=?2"
                           : "SELECT hash, present, rowid FROM sis_records WHERE app_id=?1 AND "
                             "sourced_id=?2", &r->get) ||
        mh_sql_prepare(s, mh_sql_is_pg(s)
                           ? "UPDATE sis_records SET seen_run=?1 WHERE app_id=?2 AND "
                             "sourced_id=?3"
                           /* SQLite: the row stays as it is (see seen_table) */
                           : "INSERT OR IGNORE INTO temp.mh_seen(rid) SELECT rowid FROM "
                             "sis_records WHERE app_id=?2 AND sourced_id=?3",
                       &r->touch) ||
        mh_sql_prepare(s, "INSERT INTO orgs(app_id, sourced_id, name, type, identifier, "
                           "parent_id, status, stale, seen_run) VALUES(?1,?2,?3,?4,?5,?6,?7,0,?8) "
                           "ON CONFLICT(app_id, sourced_id) DO UPDATE SET name=excluded.name, "
                           "type=excluded.type, identifier=excluded.identifier, "
                           "parent_id=excluded.parent_id, status=excluded.status, stale=0, "
                           "seen_run=excluded.seen_run", &r->put_org)) {
        mh_record_rows_close(r);
        return -1;
    }
    r->pg = mh_sql_is_pg(s);
    if (!r->pg &&
        (mh_sql_prepare(s, "INSERT OR IGNORE INTO temp.mh_seen(rid) VALUES(?1)", &r->touch_rid) ||
         /* the nine values of a put, then present = 1 */
         mh_row_batch_open(&r->puts, s, "INSERT INTO sis_records(" PUT_COLS ")", 9, ",1",
                           PUT_ON_CONFLICT) != 0)) {
        mh_record_rows_close(r);
        return -1;
    }
    if (r->pg &&
        (mh_sql_send_text(s, PG_STAGE_SQL) || mh_sql_wait(s) ||
         mh_sql_prepare(s, "UPDATE sis_records SET seen_run=?1 WHERE app_id=?2 AND "
                           "sourced_id = ANY(?3::text[])", &r->bulk_touch) ||
         /* A join from the ids, not "= ANY": while the run fills a table
          * the planner has no statistics for, that one may become a
          * sequential scan per batch. */
         mh_sql_prepare(s, "SELECT r.sourced_id, r.hash, r.present FROM unnest(?2::text[]) "
                           "AS v(id) JOIN sis_records r ON r.app_id=?1 AND r.sourced_id=v.id",
                        &r->bulk_get))) {
        mh_record_rows_close(r);
        return -1;
    }
    /* Both backends: on SQLite the filter spares a first import a b-tree
     * search per record (get below). */
    {
        mh_stmt *st;
        int any = -1;
        if (mh_sql_prepare(s, "SELECT EXISTS(SELECT 1 FROM sis_records WHERE app_id=?1)", &st) == 0) {
            mh_sql_bind_int64(st, 1, app_id);
            if (mh_sql_step(st) == MH_SQL_ROW)
                any = mh_sql_column_int(st, 0);
        }
        mh_sql_finalize(st);
        if (any < 0) {
            mh_record_rows_close(r);
            return -1;
        }
        /* Without the filter (no memory) every id is simply looked up. */
        if (any == 0)
            r->bloom = mh_id_bloom_new();
        r->batch = 1;
        snprintf(r->p_prefix, sizeof r->p_prefix, "%lld\t", (long long)app_id);
        snprintf(r->p_suffix, sizeof r->p_suffix, "\t%lld\t1\n", (long long)run_id);
    }
    *out = r;
    return 0;
}

void mh_record_rows_close(mh_record_rows *r)
{
    if (r == NULL)
        return;
    mh_sql_finalize(r->get);
    mh_sql_finalize(r->touch);
    mh_sql_finalize(r->put_org);
    mh_sql_finalize(r->touch_rid);
    mh_sql_finalize(r->bulk_touch);
    mh_sql_finalize(r->bulk_get);
    mh_row_batch_close(&r->puts);
    {
        mh_str *all[] = {&r->p_rows, &r->t_id, &r->got_id};
        size_t i;
        for (i = 0; i < sizeof all / sizeof all[0]; i++)
            mh_str_free(all[i]);
    }
    mh_pg_lookup_free(&r->seen);
    free(r->bloom);
    free(r);
}

int mh_record_rows_batched(const mh_record_rows *r)
{
    return r->pg;
}

/* Applies what is gathered.  Nothing waits for the server (mh_sql_send,
 * mh_sql_copy_in): it stores a batch while the writer maps the next; a
 * failure shows at the next statement.  0 or -1. */
static int pg_flush(mh_record_rows *r)
{
    if (r->n_put > 0) {
        static const mh_pg_put_sql sql = {PG_COPY_NEW_SQL, PG_COPY_STAGE_SQL, PG_APPLY_SQL};
        int staged = r->batch_updates;
        r->n_put = 0;
        r->batch++;
        r->batch_updates = 0;
        if (mh_pg_put_rows(r->s, &sql, &r->p_rows, staged) != 0)
            return -1;
    }
    if (r->n_touch > 0) {
        mh_pg_array_end(&r->t_id);
        mh_sql_bind_int64(r->bulk_touch, 1, r->run_id);
        mh_sql_bind_int64(r->bulk_touch, 2, r->app_id);
        mh_sql_bind_text(r->bulk_touch, 3, r->t_id.data, (int)r->t_id.len);
        mh_str_reset(&r->t_id);
        r->n_touch = 0;
        if (mh_sql_send(r->bulk_touch) != 0)
            return -1;
    }
    return 0;
}

int mh_record_rows_flush(mh_record_rows *r)
{
    if (!r->pg)
        return mh_row_batch_flush(&r->puts);
    return pg_flush(r) != 0 || mh_sql_wait(r->s) != 0 ? -1 : 0;
}

int mh_record_rows_prefetch(mh_record_rows *r, const char *const *ids, size_t n)
{
    mh_str list = {0};
    size_t i, asked = 0;
    int rc;
    if (!r->pg)
        return 0;
    /* r->seen holds what the database has plus what is gathered, so it
     * stays right all run; it is emptied (after applying what is gathered)
     * only to bound memory. */
    if (r->seen.used > 2 * PG_BATCH_MAX) {
        if (mh_record_rows_flush(r) != 0)
            return -1;
        mh_pg_lookup_clear(&r->seen);
    }
    for (i = 0; i < n; i++) {
        if (mh_pg_lookup_find(&r->seen, ids[i]) != NULL)
            continue;  /* known, or twice in this batch */
        if (r->bloom != NULL && !mh_id_bloom_maybe(r->bloom, ids[i])) {
            if (mh_pg_lookup_put(&r->seen, ids[i], 0, 0, 0) != 0)
                return mh_str_free(&list), -1;
            continue;  /* never put by this run: not in the database */
        }
        mh_pg_array_add(&list, ids[i], strlen(ids[i]));
        if (mh_pg_lookup_put(&r->seen, ids[i], 0, 0, 0) != 0) {
            mh_str_free(&list);
            return -1;
        }
        asked++;
    }
    if (asked == 0) {
        mh_str_free(&list);
        return 0;
    }
    mh_pg_array_end(&list);
    mh_sql_bind_int64(r->bulk_get, 1, r->app_id);
    mh_sql_bind_text(r->bulk_get, 2, list.data, (int)list.len);
    mh_str_free(&list);
    while ((rc = mh_sql_step(r->bulk_get)) == MH_SQL_ROW)
        if (mh_pg_lookup_put(&r->seen, mh_sql_column_text(r->bulk_get, 0), 1,
                             (uint64_t)mh_sql_column_int64(r->bulk_get, 1),
                             mh_sql_column_int(r->bulk_get, 2)) != 0) {
            rc = MH_SQL_ERROR;
            break;
        }
    mh_sql_reset(r->bulk_get);
    if (rc != MH_SQL_DONE) {
        mh_pg_lookup_clear(&r->seen);
        return -1;
    }
    return 0;
}

/* SQLite: the record is among the puts not yet applied, so reading its
 * row must apply them first (the sourced_id is the batch's column 1). */
static int gathered(const mh_record_rows *r, const char *sourced_id)
{
    return mh_row_batch_has_text(&r->puts, 1, sourced_id, strlen(sourced_id));
}

int mh_record_rows_get(mh_record_rows *r, const char *sourced_id, uint64_t *hash, int *present)
{
    int rc;
    if (r->pg) {
        const mh_pg_seen *e = mh_pg_lookup_find(&r->seen, sourced_id);
        if (e != NULL) {
            *hash = e->hash;
            *present = e->present;
            return e->found;
        }
        /* Not prefetched: the database must first have what is gathered. */
        if (mh_record_rows_flush(r) != 0)
            return -1;
        mh_pg_lookup_clear(&r->seen);
    }
    if (!r->pg && r->bloom != NULL && !mh_id_bloom_maybe(r->bloom, sourced_id))
        return 0;  /* a first import, and this run never put it: not in the table */
    if (!r->pg && gathered(r, sourced_id) && mh_row_batch_flush(&r->puts) != 0)
        return -1;
    mh_sql_bind_int64(r->get, 1, r->app_id);
    mh_sql_bind_text_kept(r->get, 2, sourced_id, -1);
    rc = mh_sql_step(r->get);
    mh_str_reset(&r->got_id);
    if (rc == MH_SQL_ROW) {
        *hash = (uint64_t)mh_sql_column_int64(r->get, 0);
        *present = mh_sql_column_int(r->get, 1);
        if (!r->pg) {
            mh_str_adds(&r->got_id, sourced_id);
            r->got_rid = mh_sql_column_int64(r->get, 2);
        }
    }
    mh_sql_reset(r->get);
    return rc == MH_SQL_ROW ? 1 : rc == MH_SQL_DONE ? 0 : -1;
}

int mh_record_rows_put(mh_record_rows *r, const char *sourced_id, int status, int enabled,
                       const char *modified, const char *role, const mh_str *body, uint64_t hash)
{
    if (r->pg) {
        const mh_pg_seen *e = mh_pg_lookup_find(&r->seen, sourced_id);
        char num[32];
        /* A second copy in the batch: the first goes in before it. */
        if (e != NULL && e->batch == r->batch && pg_flush(r) != 0)
            return -1;
        /* Not known to be absent (the writer looks each record up before
         * its put): the database may have it. */
        if (r->bloom == NULL || e == NULL || e->found)
            r->batch_updates = 1;
        mh_str_adds(&r->p_rows, r->p_prefix);
        mh_pg_copy_field(&r->p_rows, sourced_id, strlen(sourced_id), 1);
        snprintf(num, sizeof num, "%d", status);
        mh_pg_copy_field(&r->p_rows, num, strlen(num), 0);
        mh_pg_copy_field(&r->p_rows, enabled != 0 ? "1" : "0", 1, 0);
        mh_pg_copy_field(&r->p_rows, modified, strlen(modified), 0);
        mh_pg_copy_field(&r->p_rows, role, strlen(role), 0);
        mh_pg_copy_field(&r->p_rows, body->data ? body->data : "", body->len, 0);
        snprintf(num, sizeof num, "%lld", (long long)(int64_t)hash);
        mh_pg_copy_field(&r->p_rows, num, strlen(num), 0);
        mh_str_adds(&r->p_rows, r->p_suffix);
        /* A later copy of this record compares with this one, and a
         * lookup never asks the database for a record still gathered. */
        if (mh_pg_lookup_put_batch(&r->seen, sourced_id, 1, hash, 1, r->batch) != 0)
            return -1;
        if (r->bloom != NULL)
            mh_id_bloom_add(r->bloom, sourced_id);
        return ++r->n_put >= PG_BATCH && (r->n_put >= PG_BATCH_MAX || !mh_sql_busy(r->s))
               ? pg_flush(r) : 0;
    }
    if (r->bloom != NULL)
        mh_id_bloom_add(r->bloom, sourced_id);
    mh_row_batch_int(&r->puts, r->app_id);
    mh_row_batch_text(&r->puts, sourced_id, strlen(sourced_id));
    mh_row_batch_int(&r->puts, status);
    mh_row_batch_int(&r->puts, enabled != 0);
    mh_row_batch_text(&r->puts, modified, strlen(modified));
    mh_row_batch_text(&r->puts, role, strlen(role));
    mh_row_batch_text(&r->puts, body->data, body->len);
    mh_row_batch_int(&r->puts, (int64_t)hash);
    mh_row_batch_int(&r->puts, r->run_id);
    return mh_row_batch_row_end(&r->puts);
}

int mh_record_rows_touch(mh_record_rows *r, const char *sourced_id)
{
    int rc;
    if (r->pg) {
        mh_pg_array_add(&r->t_id, sourced_id, strlen(sourced_id));
        return ++r->n_touch >= PG_BATCH ? pg_flush(r) : 0;
    }
    if (r->got_id.len > 0 && strcmp(r->got_id.data, sourced_id) == 0) {
        mh_str_reset(&r->got_id);
        mh_sql_bind_int64(r->touch_rid, 1, r->got_rid);
        rc = mh_sql_step(r->touch_rid);
        mh_sql_reset(r->touch_rid);
        return rc == MH_SQL_DONE ? 0 : -1;
    }
    if (gathered(r, sourced_id) && mh_row_batch_flush(&r->puts) != 0)
        return -1;
    mh_sql_bind_int64(r->touch, 1, r->run_id);
    mh_sql_bind_int64(r->touch, 2, r->app_id);
    mh_sql_bind_text_kept(r->touch, 3, sourced_id, -1);
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
