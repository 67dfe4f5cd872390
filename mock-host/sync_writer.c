/*
 * sync_writer.c - see sync_writer.h.  Jobs live in a fixed ring; a slot's
 * buffers keep their capacity from job to job, so once warm a run
 * allocates nothing per record.
 */
#include "sync_writer.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "jsonw.h"
#include "row_hash.h"
#include "record_codec.h"
#include "store_fast.h"
#include "store_records.h"

#define RING 1024
/* The ring is single-producer single-consumer: head and tail are atomics,
 * so handing over a record takes no lock; the mutex only guards sleeping.
 * Waking a sleeping thread from another costs a futex call, and the woken
 * thread tends to land on the waker's core and preempt it, the other core
 * idling (tests/bench/FINDINGS.md, section 2; one wake-up per batch of 64
 * still did it in half the 1M runs).  So the plugin's thread never wakes
 * the writer while records flow: the writer looks at the ring on a timer
 * (1 ms, backing off to 32 ms while nothing comes), and is woken only when
 * the ring is full or the run ends.  The producer is woken once the ring is
 * half empty. */
#define POLL_MIN_MS 1
#define POLL_MAX_MS 32

/* Records stored between two mh_store_start_writeback calls: ~8 MB of
 * database at a full record's size, so the disk keeps up with the run and
 * COMMIT finds little left to write. */
#define WRITEBACK_EVERY 8192

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
    mh_record_rows *records;      /* the run's statements (store_records.c) */
    mh_user_writer users;
    mh_sync_counts counts;
    /* writer side only */
    mh_str body;
    unsigned stored_since_writeback;
    sis_error map_err;
    char map_msg[SIS_ERROR_MESSAGE_MAX];
    /* the ring */
    job ring[RING];
    _Atomic uint64_t head;        /* next to fill; written by the producer only */
    _Atomic uint64_t tail;        /* next to store; written by the writer only */
    _Atomic int closing;
    _Atomic int writer_asleep;    /* waiting for work: wake it when the ring is full */
    _Atomic int producer_asleep;  /* waiting for room: wake it when the ring is half empty */
    _Atomic int failed;
    char why[256];                /* under mu */
    pthread_mutex_t mu;
    pthread_cond_t not_empty, not_full;
    pthread_t thread;
    int started;
    const char *ids[RING];        /* writer side: a batch's record ids, for prefetch */
};

/* ---- the writer thread --------------------------------------------------- */

static int store_org(mh_sync_writer *w, const job *j)
{
    w->counts.orgs++;
    return mh_record_rows_put_org(w->records, &j->id, &j->name, &j->type, &j->identifier,
                                  &j->parent, j->status);
}

static int touch(mh_sync_writer *w, const char *id)
{
    return mh_record_rows_touch(w->records, id);
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
    uint64_t hash, old_hash = 0;
    int found, present = 0;

    mh_str_reset(&w->body);
    mh_record_encode(rec, &w->body);
    hash = record_hash(rec, &w->body);
    found = mh_record_rows_get(w->records, rec->sourced_id, &old_hash, &present);
    if (found < 0)
        return -1;
    if (found && old_hash == hash && present == 1) {
        w->counts.unchanged_records++;
        return touch(w, rec->sourced_id);
    }
    if (mh_record_rows_put(w->records, rec->sourced_id, rec->status, rec->enabled, rec->modified,
                           rec->role, &w->body, hash) != 0)
        return -1;
    if (++w->stored_since_writeback == WRITEBACK_EVERY) {
        mh_store_start_writeback(w->s);
        w->stored_since_writeback = 0;
    }
    w->users.known_new = !found;  /* a new record has no Users page row either */
    /* apply_mappings is pure (connector.h), so this thread may call it. */
    if (w->conn->apply_mappings(w->inst, rec, w->mapping, mh_user_write, &w->users,
                                &w->map_err) != SIS_OK) {
        pthread_mutex_lock(&w->mu);
        if (!w->failed) {
            w->failed = 1;
            snprintf(w->why, sizeof w->why, "mapping %s failed: %s", rec->sourced_id,
                     /* SIS_ERR_SINK: our own user write failed; say why. */
                     w->map_err.code != SIS_ERR_SINK && w->map_err.message[0]
                         ? w->map_err.message : mh_store_error(w->s));
        }
        pthread_mutex_unlock(&w->mu);
        return -1;
    }
    return 0;
}

/* An absolute CLOCK_MONOTONIC time ms from now, for the timed wait. */
static const struct timespec *deadline(int ms)
{
    static _Thread_local struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    ts.tv_nsec += (long)ms * 1000000L;
    ts.tv_sec += ts.tv_nsec / 1000000000L;
    ts.tv_nsec %= 1000000000L;
    return &ts;
}

/* Wakes the producer if it waits for room and there is enough now (or the
 * run failed: it must stop waiting).  Under mu, so that a producer between
 * "asleep" and its wait cannot miss it. */
static void wake_producer(mh_sync_writer *w)
{
    if (atomic_load(&w->producer_asleep) &&
        (atomic_load(&w->head) - atomic_load(&w->tail) <= RING / 2 || atomic_load(&w->failed))) {
        pthread_mutex_lock(&w->mu);
        pthread_cond_signal(&w->not_full);
        pthread_mutex_unlock(&w->mu);
    }
}

/* Records the first failure, from either thread. */
static void fail_database(mh_sync_writer *w)
{
    pthread_mutex_lock(&w->mu);
    if (!atomic_load(&w->failed)) {
        snprintf(w->why, sizeof w->why, "database: %s", mh_store_error(w->s));
        atomic_store(&w->failed, 1);
    }
    pthread_mutex_unlock(&w->mu);
}

/* PostgreSQL looks the batch's records up in one query rather than one
 * round trip each (store_records.c). */
static int prefetch(mh_sync_writer *w, uint64_t tail, uint64_t head)
{
    size_t n = 0;
    if (!mh_record_rows_batched(w->records) || atomic_load(&w->failed))
        return 0;
    for (; tail != head; tail++) {
        job *j = &w->ring[tail % RING];
        if (j->kind == JOB_RECORD)
            w->ids[n++] = mh_record_copy_view(&j->record)->sourced_id;
    }
    return mh_record_rows_prefetch(w->records, w->ids, n);
}

static void *writer_main(void *arg)
{
    mh_sync_writer *w = arg;
    int poll_ms = POLL_MIN_MS;
    for (;;) {
        uint64_t tail = atomic_load(&w->tail), head = atomic_load(&w->head);
        if (tail == head) {
            if (atomic_load(&w->closing) && atomic_load(&w->head) == tail)
                return NULL;
            pthread_mutex_lock(&w->mu);
            atomic_store(&w->writer_asleep, 1);
            if (atomic_load(&w->head) == tail && !atomic_load(&w->closing))
                pthread_cond_timedwait(&w->not_empty, &w->mu, deadline(poll_ms));
            atomic_store(&w->writer_asleep, 0);
            pthread_mutex_unlock(&w->mu);
            if (poll_ms < POLL_MAX_MS)
                poll_ms *= 2;
            continue;
        }
        poll_ms = POLL_MIN_MS;
        mh_store_lock(w->s);  /* the plugin's thread may read its config meanwhile */
        if (prefetch(w, tail, head) != 0)
            fail_database(w);
        for (; tail != head; tail++) {
            job *j = &w->ring[tail % RING];
            int rc = atomic_load(&w->failed) ? 0  /* after a failure, drain without writing */
                     : j->kind == JOB_ORG    ? store_org(w, j)
                     : j->kind == JOB_RECORD ? store_record(w, j)
                                             : touch(w, j->id.data);
            if (rc != 0 && !atomic_load(&w->failed)) {
                pthread_mutex_lock(&w->mu);
                snprintf(w->why, sizeof w->why, "database: %s", mh_store_error(w->s));
                atomic_store(&w->failed, 1);
                pthread_mutex_unlock(&w->mu);
            }
            atomic_store(&w->tail, tail + 1);  /* the slot may be refilled from now on */
            wake_producer(w);
        }
        mh_store_unlock(w->s);
    }
}

/* ---- the producer side (the plugin's thread) ------------------------------- */

static job *reserve(mh_sync_writer *w)
{
    uint64_t head = atomic_load(&w->head);
    if (head - atomic_load(&w->tail) == RING && !atomic_load(&w->failed)) {
        pthread_mutex_lock(&w->mu);
        atomic_store(&w->producer_asleep, 1);
        while (head - atomic_load(&w->tail) == RING && !atomic_load(&w->failed)) {
            if (atomic_load(&w->writer_asleep))
                pthread_cond_signal(&w->not_empty);
            pthread_cond_wait(&w->not_full, &w->mu);
        }
        atomic_store(&w->producer_asleep, 0);
        pthread_mutex_unlock(&w->mu);
    }
    return atomic_load(&w->failed) ? NULL : &w->ring[head % RING];
}

static void publish(mh_sync_writer *w)
{
    /* The writer finds it on its next look (see POLL_MIN_MS). */
    atomic_fetch_add(&w->head, 1);
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

/* The plugin's words, kept as valid UTF-8: they go into the run's counts,
 * which a UTF8 PostgreSQL database would refuse whole otherwise. */
static void count_reason(mh_sync_counts *c, const char *reason)
{
    char clean[sizeof c->reasons[0].reason];
    int i;
    mh_utf8_clip(clean, sizeof clean, reason != NULL ? reason : "");
    for (i = 0; i < c->n_reasons && strcmp(c->reasons[i].reason, clean) != 0; i++)
        ;
    if (i == c->n_reasons && c->n_reasons < MH_MAX_REASONS)
        memcpy(c->reasons[c->n_reasons++].reason, clean, sizeof clean);
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
    if (mh_record_rows_open(&w->records, w->s, w->app->id, w->run_id) != 0 ||
        mh_user_writer_open(&w->users, w->s, w->app) != 0)
        return -1;
    mh_user_rows_gather(w->users.rows);  /* flushed in mh_sync_writer_finish */
    return 0;
}

int mh_sync_writer_start(mh_sync_writer **out, mh_store *s, const mh_app *app, int64_t run_id,
                         const sis_connector *conn, sis_instance *inst, const sis_mapping *mapping)
{
    mh_sync_writer *w = calloc(1, sizeof *w);
    pthread_condattr_t attr;
    int rc;
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
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);  /* timed waits immune to clock changes */
    pthread_cond_init(&w->not_empty, &attr);
    pthread_condattr_destroy(&attr);
    pthread_cond_init(&w->not_full, NULL);
    if (prepare(w) != 0) {
        snprintf(w->why, sizeof w->why, "database: %s", mh_store_error(s));
        return -1;
    }
    rc = pthread_create(&w->thread, NULL, writer_main, w);
    if (rc != 0) {
        snprintf(w->why, sizeof w->why, "cannot start the thread that stores the records (%s): "
                 "the machine is short of memory or threads; try again when it is less busy",
                 strerror(rc));
        return -1;
    }
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
        /* What is still gathered (PostgreSQL's batches, SQLite's last
         * records) is applied before the run commits. */
        if (!atomic_load(&w->failed) && (mh_record_rows_flush(w->records) != 0 ||
                                         mh_user_rows_flush(w->users.rows) != 0))
            fail_database(w);
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
    mh_record_rows_close(w->records);
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
