/*
 * sync_writer.h - the store side of a sync on a thread of its own.  The
 * plugin's thread parses each record and hands over a copy; this thread
 * encodes it, maps it (apply_mappings) and writes it to SQLite.  A bounded queue between them keeps memory flat whatever
 * the district's size.  All writes happen inside the caller's transaction.
 */
#ifndef MH_SYNC_WRITER_H
#define MH_SYNC_WRITER_H

#include <sis/connector.h>

#include "store.h"
#include "userpage.h"

#define MH_MAX_REASONS 32

typedef struct mh_reason_count {
    char reason[200];
    uint64_t n;
} mh_reason_count;

typedef struct mh_sync_counts {
    uint64_t fetched, orgs, invalid, invalid_unidentified, unchanged_records;
    mh_user_counts users;
    mh_reason_count reasons[MH_MAX_REASONS];
    int n_reasons;
} mh_sync_counts;

typedef struct mh_sync_writer mh_sync_writer;

/* Starts the writer for run `run_id`.  `conn`/`inst` map records with
 * `mapping`; all are borrowed until mh_sync_writer_free.  0 or -1. */
int mh_sync_writer_start(mh_sync_writer **out, mh_store *s, const mh_app *app, int64_t run_id,
                         const sis_connector *conn, sis_instance *inst, const sis_mapping *mapping);

/* The sink to hand to fetch_users (owned by the writer). */
const sis_sink *mh_sync_writer_sink(mh_sync_writer *w);

/* Waits until everything queued is stored and stops the thread.  Returns 0,
 * or -1 with the reason of the first failure in why. */
int mh_sync_writer_finish(mh_sync_writer *w, char *why, size_t cap);

const mh_sync_counts *mh_sync_writer_counts(const mh_sync_writer *w);

void mh_sync_writer_free(mh_sync_writer *w);

#endif
