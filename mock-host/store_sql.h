/* store_sql.h - one statement interface over both backends, for the storage
 * modules only (store*.c).  Shaped like SQLite's: prepare, bind by position
 * (?1, ?2... in the SQL; on PostgreSQL they become $1, $2...), step through
 * the rows, reset to run again with new bindings, finalize.
 *
 * SQL passed here must mean the same on both: upserts as INSERT ... ON
 * CONFLICT, no SQLite-only functions; where the backends differ, the caller
 * picks the text with mh_sql_is_pg. */
#ifndef MH_STORE_SQL_H
#define MH_STORE_SQL_H

#include <stddef.h>
#include <stdint.h>

#include "store.h"

typedef struct mh_stmt mh_stmt;

enum { MH_SQL_ERROR = -1, MH_SQL_DONE = 0, MH_SQL_ROW = 1 };

/* 1 when the store is PostgreSQL. */
int mh_sql_is_pg(const mh_store *s);

/* *out belongs to the caller: mh_sql_finalize (which takes NULL).  0 or -1
 * (the reason in mh_store_error). */
int mh_sql_prepare(mh_store *s, const char *sql, mh_stmt **out);
void mh_sql_finalize(mh_stmt *st);
/* Ready to step again; the bindings stay. */
void mh_sql_reset(mh_stmt *st);

/* Runs one statement without result rows whose ?1 is app_id and ?2, ?3
 * the texts a and b (NULL: SQL NULL).  0 or -1. */
int mh_sql_run_app_texts(mh_store *s, const char *sql, int64_t app_id, const char *a,
                         const char *b);

/* Bindings are copied (the caller's buffers may go after the call).  len -1:
 * up to the NUL.  A position never bound is NULL. */
void mh_sql_bind_int64(mh_stmt *st, int i, int64_t v);
void mh_sql_bind_text(mh_stmt *st, int i, const char *v, int len);
/* As mh_sql_bind_text, but SQLite reads v in place instead of copying it:
 * v must stay unchanged until the statement has been stepped, and every
 * parameter bound this way must be bound again before the next step.  For
 * the run's per-record statements (a copy and a free per column per record
 * otherwise).  PostgreSQL copies as usual. */
void mh_sql_bind_text_kept(mh_stmt *st, int i, const char *v, int len);
void mh_sql_bind_blob(mh_stmt *st, int i, const void *v, size_t len);
void mh_sql_bind_null(mh_stmt *st, int i);

/* Rows of this SELECT come in batches (a cursor on PostgreSQL), so
 * memory does not grow with the result: for walks over every record or
 * user.  Before the first step.  SQLite always steps row by row. */
void mh_sql_stream(mh_stmt *st);

/* Runs a statement that returns no rows without waiting for the server
 * (PostgreSQL; on SQLite it simply runs): the server works while this
 * process goes on.  Its outcome is read by mh_sql_wait, which every later
 * statement on the store does first; a failure is then that statement's.
 * One thread uses a store at a time, as always.  0 or -1. */
int mh_sql_send(mh_stmt *st);
/* Reads the outcome of what mh_sql_send sent; 0 (also when nothing was
 * sent) or -1, the reason in mh_store_error. */
int mh_sql_wait(mh_store *s);

/* 1 when a statement sent without waiting (mh_sql_send, mh_sql_send_text,
 * mh_sql_copy_in) is still running on the server, so that the next one
 * would wait for it; 0 otherwise (and always on SQLite).  Never blocks. */
int mh_sql_busy(mh_store *s);
/* PostgreSQL only: sends SQL without parameters (several statements
 * allowed) without waiting, as mh_sql_send; the outcome is read by
 * mh_sql_wait.  Only fixed text and numbers the caller formatted: never
 * a value that came from outside.  0 or -1. */
int mh_sql_send_text(mh_store *s, const char *sql);
/* PostgreSQL only: runs copy_sql (COPY ... FROM STDIN) with data[0..len),
 * rows in COPY's text format (store_pgbatch.h builds them), as its whole
 * input.  Like mh_sql_send it does not wait for the server to store the
 * rows: a failure shows at mh_sql_wait or the next statement.  0 or -1,
 * the reason in mh_store_error. */
int mh_sql_copy_in(mh_store *s, const char *copy_sql, const char *data, size_t len);

/* MH_SQL_ROW, MH_SQL_DONE or MH_SQL_ERROR. */
int mh_sql_step(mh_stmt *st);

/* Columns of the current row; text and blob are borrowed until the next
 * step, reset or finalize.  Text is NULL for SQL NULL. */
int mh_sql_column_is_null(mh_stmt *st, int i);
int64_t mh_sql_column_int64(mh_stmt *st, int i);
int mh_sql_column_int(mh_stmt *st, int i);
double mh_sql_column_double(mh_stmt *st, int i);
const char *mh_sql_column_text(mh_stmt *st, int i);
/* The blob (bytes into *len); NULL for SQL NULL. */
const void *mh_sql_column_blob(mh_stmt *st, int i, size_t *len);

/* Rows changed by the store's last INSERT, UPDATE or DELETE. */
long long mh_sql_changes(mh_store *s);

#endif
