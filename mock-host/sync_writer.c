/*
 * sync_writer.c - see sync_writer.h.  Jobs live in a fixed ring; a slot's
 * buffers keep their capacity from job to job, so once warm a run
 * allocates nothing per record.
 */
#include "sync_writer.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonw.h"
#include "record_codec.h"

#define RING 256

enum job_kind { JOB_RECORD, JOB_ORG, JOB_INVALID };

typedef struct job {
    enum job_kind kind;
    mh_record_copy record;                /* JOB_RECORD */
    mh_str id, name, type, identifier, parent;  /* JOB_ORG; id also JOB_INVALID */
    int status;                           /* JOB_ORG */
} job;

struct mh_sync_writer {
    mh_store *s;
    const mh_app *app;
    int64_t run_id;
    const sis_connector *conn;
    sis_instance *inst;
    const sis_mapping *mapping;
    sis_sink sink;
    sqlite3_stmt *get_rec, *put_rec, *touch_rec, *put_org;
    mh_user_writer users;
    mh_sync_counts counts;
    /* writer side only */
    mh_str body;
    sis_error map_err;
    char map_msg[SIS_ERROR_MESSAGE_MAX];
    /* the ring */
    job ring[RING];
    uint64_t head, tail;          /* head: next to fill; tail: next to store */
    int closing;
    int failed;
    char why[256];
    pthread_mutex_t mu;
    pthread_cond_t not_empty, not_full;
    pthread_t thread;
    int started;
};

/* ---- the writer thread --------------------------------------------------- */

#define TEXT(st, i, str) sqlite3_bind_text(st, i, (str)->data ? (str)->data : "", (int)(str)->len, SQLITE_STATIC)

static int store_org(mh_sync_writer *w, const job *j)
{
    sqlite3_stmt *st = w->put_org;
    int rc;
    sqlite3_bind_int64(st, 1, w->app->id);
    TEXT(st, 2, &j->id);
    TEXT(st, 3, &j->name);
    TEXT(st, 4, &j->type);
    TEXT(st, 5, &j->identifier);
    TEXT(st, 6, &j->parent);
    sqlite3_bind_int(st, 7, j->status);
    sqlite3_bind_int64(st, 8, w->run_id);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    w->counts.orgs++;
    return rc == SQLITE_DONE ? 0 : -1;
}

static int touch(mh_sync_writer *w, const char *id)
{
    int rc;
    sqlite3_bind_int64(w->touch_rec, 1, w->run_id);
    sqlite3_bind_int64(w->touch_rec, 2, w->app->id);
    sqlite3_bind_text(w->touch_rec, 3, id, -1, SQLITE_STATIC);
    rc = sqlite3_step(w->touch_rec);
    sqlite3_reset(w->touch_rec);
    return rc == SQLITE_DONE ? 0 : -1;
}

static uint64_t record_hash(const sis_record *rec, const mh_str *body)
{
    uint64_t h = mh_hash64(body->data, body->len);
    h = h * 1099511628211ULL ^ mh_hash64(rec->modified, strlen(rec->modified));
    return h * 4 + (uint64_t)rec->status * 2 + (uint64_t)(rec->enabled != 0);
}

/* An unchanged record is only marked as seen; a new or changed one is
 * stored and mapped to its Users page row. */
static int store_record(mh_sync_writer *w, job *j)
{
    const sis_record *rec = mh_record_copy_view(&j->record);
    uint64_t hash;
    int found, same = 0, rc;

    mh_str_reset(&w->body);
    mh_record_encode(rec, &w->body);
    hash = record_hash(rec, &w->body);
    sqlite3_bind_int64(w->get_rec, 1, w->app->id);
    sqlite3_bind_text(w->get_rec, 2, rec->sourced_id, -1, SQLITE_STATIC);
    found = sqlite3_step(w->get_rec) == SQLITE_ROW;
    if (found)
        same = sqlite3_column_int64(w->get_rec, 0) == (sqlite3_int64)hash &&
               sqlite3_column_int(w->get_rec, 1) == 1;
    sqlite3_reset(w->get_rec);
    if (same) {
        w->counts.unchanged_records++;
        return touch(w, rec->sourced_id);
    }
    sqlite3_bind_int64(w->put_rec, 1, w->app->id);
    sqlite3_bind_text(w->put_rec, 2, rec->sourced_id, -1, SQLITE_STATIC);
    sqlite3_bind_int(w->put_rec, 3, rec->status);
    sqlite3_bind_int(w->put_rec, 4, rec->enabled != 0);
    sqlite3_bind_text(w->put_rec, 5, rec->modified, -1, SQLITE_STATIC);
    sqlite3_bind_text(w->put_rec, 6, rec->role, -1, SQLITE_STATIC);
    TEXT(w->put_rec, 7, &w->body);
    sqlite3_bind_int64(w->put_rec, 8, (sqlite3_int64)hash);
    sqlite3_bind_int64(w->put_rec, 9, w->run_id);
    rc = sqlite3_step(w->put_rec);
    sqlite3_reset(w->put_rec);
    if (rc != SQLITE_DONE)
        return -1;
    w->users.known_new = !found;  /* a new record has no Users page row either */
    /* apply_mappings is pure (connector.h), so this thread may call it. */
    if (w->conn->apply_mappings(w->inst, rec, w->mapping, mh_user_write, &w->users,
                                &w->map_err) != SIS_OK) {
        pthread_mutex_lock(&w->mu);
        if (!w->failed) {
            w->failed = 1;
            snprintf(w->why, sizeof w->why, "mapping %s failed: %s", rec->sourced_id,
                     w->map_err.message[0] ? w->map_err.message : sqlite3_errmsg(w->s->db));
        }
        pthread_mutex_unlock(&w->mu);
        return -1;
    }
    return 0;
}

static void *writer_main(void *arg)
{
    mh_sync_writer *w = arg;
    for (;;) {
        job *j;
        int rc, skip;
        pthread_mutex_lock(&w->mu);
        while (w->tail == w->head && !w->closing)
            pthread_cond_wait(&w->not_empty, &w->mu);
        if (w->tail == w->head) {
            pthread_mutex_unlock(&w->mu);
            return NULL;
        }
        j = &w->ring[w->tail % RING];
        skip = w->failed;  /* after a failure, drain without writing */
        pthread_mutex_unlock(&w->mu);
        rc = skip ? 0
             : j->kind == JOB_ORG    ? store_org(w, j)
             : j->kind == JOB_RECORD ? store_record(w, j)
                                     : touch(w, j->id.data);
        pthread_mutex_lock(&w->mu);
        if (rc != 0 && !w->failed) {
            w->failed = 1;
            snprintf(w->why, sizeof w->why, "database: %s", sqlite3_errmsg(w->s->db));
        }
        w->tail++;
        pthread_cond_signal(&w->not_full);
        pthread_mutex_unlock(&w->mu);
    }
}

/* ---- the producer side (the plugin's thread) ------------------------------- */

static job *reserve(mh_sync_writer *w)
{
    job *j = NULL;
    pthread_mutex_lock(&w->mu);
    while (w->head - w->tail == RING && !w->failed)
        pthread_cond_wait(&w->not_full, &w->mu);
    if (!w->failed)
        j = &w->ring[w->head % RING];
    pthread_mutex_unlock(&w->mu);
    return j;
}

static void publish(mh_sync_writer *w)
{
    pthread_mutex_lock(&w->mu);
    w->head++;
    pthread_cond_signal(&w->not_empty);
    pthread_mutex_unlock(&w->mu);
}

static void set(mh_str *dst, const char *src)
{
    mh_str_reset(dst);
    mh_str_adds(dst, src != NULL ? src : "");
}

static int on_org(void *ctx, const sis_org *o)
{
    mh_sync_writer *w = ctx;
    job *j;
    if (!SIS_HAS_MEMBER(o, sis_org, parent_id))
        return SIS_ERR_ABI;  /* built by an older plugin: never read past its end */
    j = reserve(w);
    if (j == NULL)
        return SIS_ERR_SINK;
    j->kind = JOB_ORG;
    set(&j->id, o->sourced_id);
    set(&j->name, o->name);
    set(&j->type, o->type);
    set(&j->identifier, o->identifier);
    set(&j->parent, o->parent_id);
    j->status = o->status;
    publish(w);
    return SIS_OK;
}

static void count_reason(mh_sync_counts *c, const char *reason)
{
    int i;
    for (i = 0; i < c->n_reasons && strcmp(c->reasons[i].reason, reason) != 0; i++)
        ;
    if (i == c->n_reasons && c->n_reasons < MH_MAX_REASONS)
        snprintf(c->reasons[c->n_reasons++].reason, sizeof c->reasons[0].reason, "%s", reason);
    if (i < c->n_reasons)
        c->reasons[i].n++;
}

static int on_invalid(void *ctx, const char *sourced_id, const char *reason)
{
    mh_sync_writer *w = ctx;
    job *j;
    w->counts.invalid++;
    count_reason(&w->counts, reason);
    if (sourced_id == NULL) {
        w->counts.invalid_unidentified++;
        return SIS_OK;
    }
    /* Still there, only unreadable: it must not count as absent. */
    if ((j = reserve(w)) == NULL)
        return SIS_ERR_SINK;
    j->kind = JOB_INVALID;
    set(&j->id, sourced_id);
    publish(w);
    return SIS_OK;
}

/* The plugin's thread only copies the record; encoding, mapping and
 * storing happen on the writer's thread. */
static int on_record(void *ctx, const sis_record *rec)
{
    mh_sync_writer *w = ctx;
    job *j;
    if (!SIS_HAS_MEMBER(rec, sis_record, n_fields))
        return SIS_ERR_ABI;
    j = reserve(w);
    if (j == NULL)
        return SIS_ERR_SINK;
    w->counts.fetched++;
    j->kind = JOB_RECORD;
    mh_record_copy_set(&j->record, rec);
    publish(w);
    return SIS_OK;
}

/* ---- lifecycle -------------------------------------------------------------- */

static int prepare(mh_sync_writer *w)
{
    sqlite3 *db = w->s->db;
    return sqlite3_prepare_v3(db, "SELECT hash, present FROM sis_records WHERE app_id=?1 AND "
                              "sourced_id=?2", -1, SQLITE_PREPARE_PERSISTENT, &w->get_rec, NULL) ||
           sqlite3_prepare_v3(db, "INSERT INTO sis_records(app_id, sourced_id, status, enabled, "
                              "modified, role, body, hash, seen_run, present) VALUES(?1,?2,?3,?4,?5,"
                              "?6,?7,?8,?9,1) ON CONFLICT(app_id, sourced_id) DO UPDATE SET "
                              "status=excluded.status, enabled=excluded.enabled, modified=excluded.modified, "
                              "role=excluded.role, body=excluded.body, hash=excluded.hash, "
                              "seen_run=excluded.seen_run, present=1", -1, SQLITE_PREPARE_PERSISTENT,
                              &w->put_rec, NULL) ||
           sqlite3_prepare_v3(db, "UPDATE sis_records SET seen_run=?1 WHERE app_id=?2 AND "
                              "sourced_id=?3", -1, SQLITE_PREPARE_PERSISTENT, &w->touch_rec, NULL) ||
           sqlite3_prepare_v3(db, "INSERT INTO orgs(app_id, sourced_id, name, type, identifier, "
                              "parent_id, status, stale, seen_run) VALUES(?1,?2,?3,?4,?5,?6,?7,0,?8) "
                              "ON CONFLICT(app_id, sourced_id) DO UPDATE SET name=excluded.name, "
                              "type=excluded.type, identifier=excluded.identifier, "
                              "parent_id=excluded.parent_id, status=excluded.status, stale=0, "
                              "seen_run=excluded.seen_run", -1, SQLITE_PREPARE_PERSISTENT,
                              &w->put_org, NULL) ||
           mh_user_writer_open(&w->users, w->s, w->app)
               ? -1 : 0;
}

int mh_sync_writer_start(mh_sync_writer **out, mh_store *s, const mh_app *app, int64_t run_id,
                         const sis_connector *conn, sis_instance *inst, const sis_mapping *mapping)
{
    mh_sync_writer *w = calloc(1, sizeof *w);
    *out = w;
    if (w == NULL)
        return -1;
    w->s = s;
    w->app = app;
    w->run_id = run_id;
    w->conn = conn;
    w->inst = inst;
    w->mapping = mapping;
    w->map_err = (sis_error)SIS_ERROR_INIT(w->map_msg, sizeof w->map_msg);
    w->sink = (sis_sink){sizeof(sis_sink), w, on_org, on_record, on_invalid};
    pthread_mutex_init(&w->mu, NULL);
    pthread_cond_init(&w->not_empty, NULL);
    pthread_cond_init(&w->not_full, NULL);
    if (prepare(w) != 0) {
        snprintf(w->why, sizeof w->why, "database: %s", sqlite3_errmsg(s->db));
        return -1;
    }
    if (pthread_create(&w->thread, NULL, writer_main, w) != 0)
        return -1;
    w->started = 1;
    return 0;
}

const sis_sink *mh_sync_writer_sink(mh_sync_writer *w)
{
    return &w->sink;
}

int mh_sync_writer_finish(mh_sync_writer *w, char *why, size_t cap)
{
    if (w->started) {
        pthread_mutex_lock(&w->mu);
        w->closing = 1;
        pthread_cond_signal(&w->not_empty);
        pthread_mutex_unlock(&w->mu);
        pthread_join(w->thread, NULL);
        w->started = 0;
    }
    w->counts.users = w->users.counts;
    if (w->failed || w->why[0] != '\0') {
        snprintf(why, cap, "%s", w->why);
        return -1;
    }
    return 0;
}

const mh_sync_counts *mh_sync_writer_counts(const mh_sync_writer *w)
{
    return &w->counts;
}

void mh_sync_writer_free(mh_sync_writer *w)
{
    size_t i;
    char why[8];
    if (w == NULL)
        return;
    mh_sync_writer_finish(w, why, sizeof why);
    sqlite3_finalize(w->get_rec);
    sqlite3_finalize(w->put_rec);
    sqlite3_finalize(w->touch_rec);
    sqlite3_finalize(w->put_org);
    mh_user_writer_close(&w->users);
    mh_str_free(&w->body);
    for (i = 0; i < RING; i++) {
        job *j = &w->ring[i];
        mh_record_copy_free(&j->record);
        mh_str_free(&j->id);
        mh_str_free(&j->name);
        mh_str_free(&j->type);
        mh_str_free(&j->identifier);
        mh_str_free(&j->parent);
    }
    pthread_mutex_destroy(&w->mu);
    pthread_cond_destroy(&w->not_empty);
    pthread_cond_destroy(&w->not_full);
    free(w);
}
