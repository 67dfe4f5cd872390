/* store_db.h - what the storage modules (store*.c) share and nothing else
 * includes: the database handle behind the opaque mh_store, SQLite or
 * PostgreSQL, and the statement calls that work on either (store_sql.h). */
#ifndef MH_STORE_DB_H
#define MH_STORE_DB_H

#include <libpq-fe.h>
#include <pthread.h>
#include <sqlite3.h>

#include "secret_box.h"
#include "store.h"
#include "store_sql.h"

struct mh_store {
    sqlite3 *db;             /* SQLite backend, or NULL */
    PGconn *pg;              /* PostgreSQL backend, or NULL */
    char *path;              /* the location as shown: a path, or a connection string without password */
    mh_secret_box box;
    int read_only;           /* opened with MH_STORE_READ_ONLY_OK on a file we may not write */
    long long pg_changes;    /* rows the last PostgreSQL statement changed */
    int pg_sent;             /* a statement went out with mh_sql_send: its result unread */
    char pg_state[6];        /* SQLSTATE of the last PostgreSQL error */
    char pg_err[512];        /* its message, one line */
    char pg_cause[512];      /* the last error that was not "transaction aborted" */
    /* SQLite's sync lock already held by this process (the worker takes it
     * before the sync takes it again): a second flock on the same file
     * would refuse, so it nests instead, as PostgreSQL's advisory locks do. */
    int64_t lock_app;
    int lock_fd, lock_depth;
    /* SQLite: a descriptor of the database file for
     * mh_store_start_writeback, or -1.  Held open from mh_store_open until
     * after sqlite3_close: closing ANY descriptor of a file drops every
     * POSIX lock the process holds on it, SQLite's included. */
    int wb_fd;
    pthread_mutex_t use;     /* mh_store_lock */
};

/* The PostgreSQL backend's opening (store_pg.c): connects, refuses a
 * read-only server or a newer schema, migrates, opens the key file
 * key_path (MOCK_HOST_KEY_FILE, mh_store_key_path; NULL when unset).
 * 0 or -1 with errbuf. */
int mh_store_pg_open(mh_store *s, const char *conninfo, const char *key_path, int flags,
                     char *errbuf, size_t cap);
/* Runs SQL with no result rows on PostgreSQL (several statements allowed). */
int mh_store_pg_exec(mh_store *s, const char *sql, char *errbuf, size_t cap);
/* Keeps a failed PostgreSQL call's message and SQLSTATE (res may be NULL:
 * the connection's). */
void mh_store_pg_note_error(mh_store *s, const PGresult *res);
/* The key file is missing (store_guard.c, for both backends): refuse
 * while credentials sealed with it are stored, unless
 * MH_STORE_FORGET_LOST_KEY (then forget them).  0 or -1 with errbuf. */
int mh_store_check_lost_key(mh_store *s, const char *key_path, int flags, char *errbuf, size_t cap);

#endif
