/* store.h - the host's SQLite database: schema migrations, installed apps,
 * per-app configuration and encrypted secrets. */
#ifndef MH_STORE_H
#define MH_STORE_H

#include <stddef.h>
#include <stdint.h>

/* Opaque: only the storage modules (store*.c, through store_db.h) see
 * the database handle, so a second backend can follow behind the same
 * functions. */
typedef struct mh_store mh_store;

/* 1 when the database was opened read-only (a file this user may not
 * write): views work, changes are refused. */
int mh_store_is_read_only(const mh_store *s);
/* 1 when a PostgreSQL connection dropped (a server restart, a failover, an
 * idle timeout): nothing more can be done on it; close the store and open
 * it again.  0 on SQLite. */
int mh_store_connection_lost(const mh_store *s);

/* How long a write waits for another process's transaction before it
 * gives up (the console: a short wait, then "try again"). */
void mh_store_set_busy_wait(mh_store *s, int ms);
/* 1 when the last failed call failed because another process was writing. */
int mh_store_last_was_busy(const mh_store *s);

typedef struct mh_app {
    int64_t id;
    char name[64];
    char plugin[64];
    int itxm;
    char created_at[32];
    char connected_at[32];   /* "" when not connected */
} mh_app;

/* Where the database is: a file path (SQLite), or PostgreSQL as
 * "postgresql://USER@HOST:PORT/DB", "postgres://..." or libpq's key=value
 * form ("host=/run/postgresql dbname=mh").  1 for PostgreSQL. */
int mh_store_is_pg_location(const char *loc);
/* The location as it may be shown (messages, logs, a child's command
 * line): without a password.  Caller frees; NULL when out of memory. */
char *mh_store_location_redacted(const char *loc);
/* As _redacted, and a password found in it goes to PGPASSWORD, where libpq
 * (and the processes this one starts) read it.  *out belongs to the
 * caller.  0, or -1 with a sentence in err (a location libpq cannot read,
 * an '@' of a password not written as %40). */
int mh_store_location_prepare(const char *loc, char **out, char *err, size_t cap);
/* The key file that seals the credentials stored at `loc`: beside an
 * SQLite file ("FILE.key"); with PostgreSQL, which has no folder of its
 * own, the file MOCK_HOST_KEY_FILE names.  0, or -1 when PostgreSQL and
 * MOCK_HOST_KEY_FILE is unset or empty (opening the store says what to
 * do) or the path does not fit in cap. */
int mh_store_key_path(const char *loc, char *out, size_t cap);

/* Opens (creating when absent) the database at `path` and its key file
 * `path`.key, and brings the schema to the newest version.  *out belongs to
 * the caller: mh_store_close.  Returns 0, or -1 with errbuf.
 *
 * Refused, with what to do in errbuf: an existing file that is empty,
 * damaged or not a mock-host database (only a path that does not exist
 * becomes a new database); a missing key file while credentials are stored
 * (they could never be read again); a file or folder this user may not
 * write (unless MH_STORE_READ_ONLY_OK). */
int mh_store_open(mh_store **out, const char *path, char *errbuf, size_t cap);

/* Flags of mh_store_open_ex. */
enum {
    /* A database this user may not write opens read-only (s->read_only,
     * no key, no migration) instead of being refused: for views. */
    MH_STORE_READ_ONLY_OK = 1,
    /* A missing key file: forget the credentials it sealed (apps become
     * not connected) and make a new key, instead of refusing. */
    MH_STORE_FORGET_LOST_KEY = 2
};
int mh_store_open_ex(mh_store **out, const char *path, int flags, char *errbuf, size_t cap);
void mh_store_close(mh_store *s);

/* A store is used by one thread at a time, except during a sync: its
 * writer thread stores records while the plugin, on the thread that called
 * fetch_users, may read or write its config and secrets (the plugin ABI
 * allows it, host.h).  Both hold this lock around what they do, so that
 * neither runs into the other's statements on the one connection (a
 * PostgreSQL connection takes one statement at a time).  Not recursive. */
void mh_store_lock(mh_store *s);
void mh_store_unlock(mh_store *s);

/* The schema version this build migrates to (store_guard.c): SQLite's
 * migrations are steps 1..it; PostgreSQL starts at it directly. */
#define MH_STORE_SCHEMA_VERSION 8
int mh_store_schema_version(void);

/* Returns 0 when created, 1 when an app of that name exists (nothing
 * changed), -1 on error. */
int mh_store_app_create(mh_store *s, const char *name, const char *plugin, int itxm, mh_app *out);
/* Returns 0 when found, 1 when absent, -1 on error. */
int mh_store_app_find(mh_store *s, const char *name, mh_app *out);
/* Calls fn for each app in creation order; stops when fn returns non-zero. */
int mh_store_app_each(mh_store *s, int (*fn)(void *ctx, const mh_app *app), void *ctx);
int mh_store_app_set_connected(mh_store *s, int64_t app_id, int connected);
/* Switches the account kind (ITxM or standard); 0 or -1. */
int mh_store_app_set_itxm(mh_store *s, int64_t app_id, int itxm);

/* Config and secrets: 0 found (copied into buf, NUL-terminated), 1 absent,
 * -2 buf too small, -1 error.  A NULL value deletes. */
int mh_store_config_get(mh_store *s, int64_t app_id, const char *key, char *buf, size_t cap);
int mh_store_config_set(mh_store *s, int64_t app_id, const char *key, const char *value);
int mh_store_secret_get(mh_store *s, int64_t app_id, const char *key, char *buf, size_t cap);
int mh_store_secret_set(mh_store *s, int64_t app_id, const char *key, const char *value);
/* Counts the secrets an app has stored (for masking on the Apps page). */
int mh_store_secret_count(mh_store *s, int64_t app_id);
/* Forget the plugin's whole namespace of an app (disconnect): every config
 * key, every secret; the host's own state (mh_store_state_*) stays.  0 or -1. */
int mh_store_config_forget_all(mh_store *s, int64_t app_id);
int mh_store_secret_forget_all(mh_store *s, int64_t app_id);
/* Forget the config keys that start with `prefix` (a login's "pending."
 * state).  0 or -1. */
int mh_store_config_forget_prefix(mh_store *s, int64_t app_id, const char *prefix);

/* The host's own per-app state (watermarks, holds, mapping switches): a
 * namespace apart from the plugin's config, which the plugin owns and
 * `disconnect` may wipe.  Same return codes as config; set replaces. */
int mh_store_state_get(mh_store *s, int64_t app_id, const char *key, char *buf, size_t cap);
int mh_store_state_set(mh_store *s, int64_t app_id, const char *key, const char *value);
int mh_store_state_delete(mh_store *s, int64_t app_id, const char *key);
/* Deletes the key only while its value is still `value`, in one statement
 * (another process may replace it at any moment).  0 or -1. */
int mh_store_state_delete_if(mh_store *s, int64_t app_id, const char *key, const char *value);

/* One sync of an app at a time, across processes and machines: a lock
 * file beside an SQLite database, an advisory lock on PostgreSQL (dropped
 * by the server when the process dies).  Returns a token for _unlock (>= 0),
 * -1 when another process holds it, -2 when it cannot be taken. */
int mh_store_sync_lock(mh_store *s, int64_t app_id);
void mh_store_sync_unlock(mh_store *s, int64_t app_id, int token);

/* The database's last error, for a message (borrowed until the next call). */
const char *mh_store_error(mh_store *s);

/* One write transaction (BEGIN IMMEDIATE: other writers wait for it);
 * 0 or -1 with errbuf (which may be NULL). */
int mh_store_begin(mh_store *s, char *errbuf, size_t cap);
int mh_store_commit(mh_store *s, char *errbuf, size_t cap);
void mh_store_rollback(mh_store *s);

/* Copies the write-ahead log into the database now (a long step after a
 * large commit, which callers show), and turns the automatic checkpoint
 * after commits off or back on. */
void mh_store_checkpoint(mh_store *s);
void mh_store_autocheckpoint(mh_store *s, int on);

/* Runs SQL with no result rows; returns 0 or -1 (message in errbuf). */
int mh_store_exec(mh_store *s, const char *sql, char *errbuf, size_t cap);

/* Now, as ISO 8601 UTC with milliseconds. */
void mh_now_iso(char *buf, size_t cap);

#endif
