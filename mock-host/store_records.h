/* store_records.h - the SIS records and orgs as a run stores them: which
 * run last saw each (seen_run), whether it is still present, and a hash of
 * the stored form so an unchanged record is only marked as seen. */
#ifndef MH_STORE_RECORDS_H
#define MH_STORE_RECORDS_H

#include <stdint.h>

#include "jsonw.h"
#include "store.h"

/* Statements of one run, prepared once (the caller holds the transaction;
 * one thread at a time).  Opaque; mh_record_rows_close frees it. */
typedef struct mh_record_rows mh_record_rows;

int mh_record_rows_open(mh_record_rows **out, mh_store *s, int64_t app_id, int64_t run_id);
void mh_record_rows_close(mh_record_rows *r);

/* 1 found (*hash, *present set), 0 none, -1 error. */
int mh_record_rows_get(mh_record_rows *r, const char *sourced_id, uint64_t *hash, int *present);
/* Inserts or replaces the record, seen by this run and present; 0 or -1.
 * On SQLite it may be gathered with the next ones (store_rowbatch.h): a get
 * or touch of it applies them first, and so does mh_record_rows_flush; any
 * other reader of sis_records in the run must call that first. */
int mh_record_rows_put(mh_record_rows *r, const char *sourced_id, int status, int enabled,
                       const char *modified, const char *role, const mh_str *body, uint64_t hash);
/* 1 when writes are gathered in batches (PostgreSQL): the caller then
 * prefetches each batch's records and flushes before commit. */
int mh_record_rows_batched(const mh_record_rows *r);
/* PostgreSQL: looks the batch's records up in one query, so that the gets
 * that follow need no round trip each.  ids borrowed for the call.  0 or -1.  A no-op on SQLite. */
int mh_record_rows_prefetch(mh_record_rows *r, const char *const *ids, size_t n);
/* Applies what is gathered: on PostgreSQL puts and touches, on SQLite the
 * last puts (a put's error may only show here).  Before the run's
 * transaction commits; 0 or -1. */
int mh_record_rows_flush(mh_record_rows *r);
/* Marks the record as seen by this run; 0 or -1. */
int mh_record_rows_touch(mh_record_rows *r, const char *sourced_id);
/* Inserts or replaces an org, seen by this run and not stale; 0 or -1. */
int mh_record_rows_put_org(mh_record_rows *r, const mh_str *sourced_id, const mh_str *name,
                           const mh_str *type, const mh_str *identifier, const mh_str *parent,
                           int status);

#endif
