/*
 * store.c - the database of the mock host.  Migrations are append-only SQL
 * steps keyed by PRAGMA user_version, applied in one transaction each.
 */
#include "store.h"
#include "store_db.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>


static const char *const migrations[] = {
    /* 1: the foundation */
    "CREATE TABLE apps("
    "  id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, plugin TEXT NOT NULL,"
    "  itxm INTEGER NOT NULL DEFAULT 0, created_at TEXT NOT NULL, connected_at TEXT);"
    "CREATE TABLE config(app_id INTEGER NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL,"
    "  PRIMARY KEY(app_id, key)) WITHOUT ROWID;"
    "CREATE TABLE secrets(app_id INTEGER NOT NULL, key TEXT NOT NULL, sealed BLOB NOT NULL,"
    "  PRIMARY KEY(app_id, key)) WITHOUT ROWID;"
    "CREATE TABLE orgs(app_id INTEGER NOT NULL, sourced_id TEXT NOT NULL, name TEXT NOT NULL,"
    "  type TEXT NOT NULL, identifier TEXT NOT NULL, parent_id TEXT NOT NULL,"
    "  status INTEGER NOT NULL, stale INTEGER NOT NULL DEFAULT 0,"
    "  PRIMARY KEY(app_id, sourced_id)) WITHOUT ROWID;"
    "CREATE TABLE sis_records(app_id INTEGER NOT NULL, sourced_id TEXT NOT NULL,"
    "  status INTEGER NOT NULL, enabled INTEGER NOT NULL, modified TEXT NOT NULL,"
    "  role TEXT NOT NULL, body TEXT NOT NULL, hash INTEGER NOT NULL,"
    "  PRIMARY KEY(app_id, sourced_id)) WITHOUT ROWID;"
    "CREATE TABLE users(app_id INTEGER NOT NULL, sourced_id TEXT NOT NULL, role TEXT NOT NULL,"
    "  active INTEGER NOT NULL, given_name TEXT NOT NULL, family_name TEXT NOT NULL,"
    "  email TEXT NOT NULL, username TEXT NOT NULL, portal_role TEXT, locations TEXT NOT NULL,"
    "  fields TEXT NOT NULL, flags TEXT NOT NULL DEFAULT '', updated_at TEXT NOT NULL,"
    "  PRIMARY KEY(app_id, sourced_id)) WITHOUT ROWID;"
    "CREATE TABLE portal_roles(name TEXT PRIMARY KEY);"
    "CREATE TABLE locations(name TEXT PRIMARY KEY);"
    "CREATE TABLE role_map(app_id INTEGER NOT NULL, sis_role TEXT NOT NULL,"
    "  portal_role TEXT NOT NULL, PRIMARY KEY(app_id, sis_role)) WITHOUT ROWID;"
    "CREATE TABLE location_map(app_id INTEGER NOT NULL, org_id TEXT NOT NULL,"
    "  location TEXT NOT NULL, PRIMARY KEY(app_id, org_id)) WITHOUT ROWID;"
    "CREATE TABLE field_choice(app_id INTEGER NOT NULL, role TEXT NOT NULL, paths TEXT NOT NULL,"
    "  PRIMARY KEY(app_id, role)) WITHOUT ROWID;"
    "CREATE TABLE runs(id INTEGER PRIMARY KEY, app_id INTEGER NOT NULL, mode TEXT NOT NULL,"
    "  started_at TEXT NOT NULL, ended_at TEXT, outcome TEXT NOT NULL, counts TEXT NOT NULL,"
    "  reason TEXT NOT NULL DEFAULT '');",
    /* 2: sync bookkeeping: which run last saw a record or org, row hashes */
    "ALTER TABLE sis_records ADD COLUMN seen_run INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE sis_records ADD COLUMN present INTEGER NOT NULL DEFAULT 1;"
    "ALTER TABLE orgs ADD COLUMN seen_run INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE users ADD COLUMN hash INTEGER NOT NULL DEFAULT 0;"
    "CREATE INDEX users_by_role ON users(app_id, role);"
    "CREATE INDEX runs_by_app ON runs(app_id, id);",
    /* 3: the field catalogue last discovered, per role */
    "CREATE TABLE schema_roles(app_id INTEGER NOT NULL, role TEXT NOT NULL, count INTEGER,"
    "  PRIMARY KEY(app_id, role)) WITHOUT ROWID;"
    "CREATE TABLE schema_fields(app_id INTEGER NOT NULL, role TEXT NOT NULL, path TEXT NOT NULL,"
    "  label TEXT NOT NULL, type TEXT NOT NULL, is_metadata INTEGER NOT NULL,"
    "  filled INTEGER NOT NULL, sampled INTEGER NOT NULL,"
    "  PRIMARY KEY(app_id, role, path)) WITHOUT ROWID;",
    /* 4: records and users are large rows, which SQLite stores better in rowid
     * tables with a unique index than in WITHOUT ROWID tables (measured by
     * make bench). */
    "CREATE TABLE sis_records_v4(app_id INTEGER NOT NULL, sourced_id TEXT NOT NULL,"
    "  status INTEGER NOT NULL, enabled INTEGER NOT NULL, modified TEXT NOT NULL,"
    "  role TEXT NOT NULL, body TEXT NOT NULL, hash INTEGER NOT NULL,"
    "  seen_run INTEGER NOT NULL DEFAULT 0, present INTEGER NOT NULL DEFAULT 1,"
    "  UNIQUE(app_id, sourced_id));"
    "INSERT INTO sis_records_v4 SELECT app_id, sourced_id, status, enabled, modified, role, body,"
    "  hash, seen_run, present FROM sis_records;"
    "DROP TABLE sis_records;"
    "ALTER TABLE sis_records_v4 RENAME TO sis_records;"
    "CREATE TABLE users_v4(app_id INTEGER NOT NULL, sourced_id TEXT NOT NULL, role TEXT NOT NULL,"
    "  active INTEGER NOT NULL, given_name TEXT NOT NULL, family_name TEXT NOT NULL,"
    "  email TEXT NOT NULL, username TEXT NOT NULL, portal_role TEXT, locations TEXT NOT NULL,"
    "  fields TEXT NOT NULL, flags TEXT NOT NULL DEFAULT '', updated_at TEXT NOT NULL,"
    "  hash INTEGER NOT NULL DEFAULT 0, UNIQUE(app_id, sourced_id));"
    "INSERT INTO users_v4 SELECT app_id, sourced_id, role, active, given_name, family_name, email,"
    "  username, portal_role, locations, fields, flags, updated_at, hash FROM users;"
    "DROP TABLE users;"
    "ALTER TABLE users_v4 RENAME TO users;"
    "CREATE INDEX users_by_role ON users(app_id, role);",
    /* 5: the host's own per-app state (watermarks, holds), apart from the
     * plugin's config namespace */
    "CREATE TABLE host_state(app_id INTEGER NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL,"
    "  PRIMARY KEY(app_id, key)) WITHOUT ROWID;",
    /* 6: what the host wrote into the plugin's config namespace moves to its
     * own, so the plugin's can be wiped wholesale on disconnect */
    "INSERT OR REPLACE INTO host_state SELECT app_id, key, value FROM config WHERE key IN"
    "  ('watermark', 'last_full_complete_s', 'show_metadata');"
    "DELETE FROM config WHERE key IN ('watermark', 'last_full_complete_s', 'show_metadata');",
    /* 7: the host's own settings and notes too (decls.c mh_host_decls) */
    "INSERT OR REPLACE INTO host_state SELECT app_id, key, value FROM config WHERE key IN"
    "  ('deactivation_threshold_pct', 'full_every_days', 'fetch_projection', 'attention');"
    "DELETE FROM config WHERE key IN"
    "  ('deactivation_threshold_pct', 'full_every_days', 'fetch_projection', 'attention');",
    /* 8: who a held run would deactivate, for the admin to review */
    "CREATE TABLE held_absent(app_id INTEGER NOT NULL, sourced_id TEXT NOT NULL,"
    "  PRIMARY KEY(app_id, sourced_id)) WITHOUT ROWID;",
};

/* A new step here raises MH_STORE_SCHEMA_VERSION (store.h) with it. */
_Static_assert(sizeof migrations / sizeof migrations[0] == MH_STORE_SCHEMA_VERSION,
               "MH_STORE_SCHEMA_VERSION is the number of migrations");

void mh_now_iso(char *buf, size_t cap)
{
    struct timeval tv;
    struct tm tm;
    gettimeofday(&tv, NULL);
    gmtime_r(&tv.tv_sec, &tm);
    snprintf(buf, cap, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
             tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (int)(tv.tv_usec / 1000));
}

int mh_store_exec(mh_store *s, const char *sql, char *errbuf, size_t cap)
{
    char *msg = NULL;
    if (s->pg != NULL)
        return mh_store_pg_exec(s, sql, errbuf, cap);
    if (sqlite3_exec(s->db, sql, NULL, NULL, &msg) != 0) {
        if (errbuf != NULL)
            snprintf(errbuf, cap, "database %s: %s", s->path, msg ? msg : "error");
        sqlite3_free(msg);
        return -1;
    }
    return 0;
}

const char *mh_store_error(mh_store *s)
{
    return s->pg != NULL ? s->pg_err : sqlite3_errmsg(s->db);
}

int mh_store_is_read_only(const mh_store *s)
{
    return s->read_only;
}

int mh_store_connection_lost(const mh_store *s)
{
    return s->pg != NULL && PQstatus(s->pg) == CONNECTION_BAD;
}

void mh_store_set_busy_wait(mh_store *s, int ms)
{
    char sql[64];
    if (s->pg != NULL) {
        /* A row lock held by another session: wait this long, then 55P03. */
        snprintf(sql, sizeof sql, "SET lock_timeout = %d", ms);
        mh_store_pg_exec(s, sql, NULL, 0);
        return;
    }
    sqlite3_busy_timeout(s->db, ms);
}

int mh_store_last_was_busy(const mh_store *s)
{
    if (s->pg != NULL)
        return strcmp(s->pg_state, "55P03") == 0;  /* lock_not_available */
    return (sqlite3_extended_errcode(s->db) & 0xff) == SQLITE_BUSY;
}

int mh_store_begin(mh_store *s, char *errbuf, size_t cap)
{
    return mh_store_exec(s, s->pg != NULL ? "BEGIN" : "BEGIN IMMEDIATE", errbuf, cap);
}

int mh_store_commit(mh_store *s, char *errbuf, size_t cap)
{
    return mh_store_exec(s, "COMMIT", errbuf, cap);
}

void mh_store_rollback(mh_store *s)
{
    mh_store_exec(s, "ROLLBACK", NULL, 0);
}

void mh_store_checkpoint(mh_store *s)
{
    /* PASSIVE: never waits for a reader; what it leaves, a later
     * checkpoint finishes.  PostgreSQL checkpoints on its own. */
    if (s->pg == NULL)
        mh_store_exec(s, "PRAGMA wal_checkpoint(PASSIVE)", NULL, 0);
}

void mh_store_autocheckpoint(mh_store *s, int on)
{
    if (s->pg == NULL)
        mh_store_exec(s, on ? "PRAGMA wal_autocheckpoint=1000" : "PRAGMA wal_autocheckpoint=0", NULL, 0);
}

static int user_version(mh_store *s)
{
    mh_stmt *st;
    int v = -1;
    if (mh_sql_prepare(s, "PRAGMA user_version", &st) == 0 &&
        mh_sql_step(st) == MH_SQL_ROW)
        v = mh_sql_column_int(st, 0);
    mh_sql_finalize(st);
    return v;
}

/* Each step in its own write transaction.  The version is read again once
 * the transaction holds the write lock: another process that opened the
 * same database a moment earlier may have applied the step while this one
 * waited for the lock, and a step run twice fails ("table ... already
 * exists"). */
static int migrate(mh_store *s, char *errbuf, size_t cap)
{
    int want = mh_store_schema_version(), v;
    char sql[64];

    for (;;) {
        v = user_version(s);
        if (v < 0)
            return snprintf(errbuf, cap, "database %s cannot be read: %s", s->path,
                            sqlite3_errmsg(s->db)), -1;
        if (v > want)
            return snprintf(errbuf, cap, "database %s has schema version %d, newer than this "
                            "mock-host (%d); use the newer mock-host or another --db", s->path, v,
                            want), -1;
        if (v == want)
            return 0;
        if (mh_store_exec(s, "BEGIN IMMEDIATE", errbuf, cap) != 0)
            return -1;
        v = user_version(s);  /* under the write lock: what is applied now stays applied */
        if (v < 0 || v >= want) {
            mh_store_exec(s, "ROLLBACK", NULL, 0);
            continue;  /* settled above: done, newer, or unreadable */
        }
        snprintf(sql, sizeof sql, "PRAGMA user_version=%d; COMMIT;", v + 1);
        if (mh_store_exec(s, migrations[v], errbuf, cap) != 0 ||
            mh_store_exec(s, sql, errbuf, cap) != 0) {
            mh_store_exec(s, "ROLLBACK", NULL, 0);
            return -1;
        }
    }
}

/* MOCK_HOST_DB_MAX_PAGES caps the database's size, the way a full disk
 * would (tests use it to fail a sync half way). */
static int limit_growth(mh_store *s, char *errbuf, size_t cap)
{
    const char *pages = getenv("MOCK_HOST_DB_MAX_PAGES");
    char sql[64];
    if (pages == NULL || pages[0] == '\0')
        return 0;
    snprintf(sql, sizeof sql, "PRAGMA max_page_count=%ld", atol(pages));
    return mh_store_exec(s, sql, errbuf, cap);
}

/* "file:" URI of path for a read-only open; '%', '?' and '#' escaped. */
static void ro_uri(char *uri, size_t cap, const char *path, const char *params)
{
    size_t o = 0;
    o += (size_t)snprintf(uri, cap, "file:");
    for (; *path && o + 4 < cap; path++) {
        if (*path == '%' || *path == '?' || *path == '#')
            o += (size_t)snprintf(uri + o, cap - o, "%%%02X", (unsigned char)*path);
        else
            uri[o++] = *path;
    }
    uri[o] = '\0';
    snprintf(uri + o, cap - o, "?%s", params);
}

/* The folder that holds `path` (and its WAL and key file). */
static void folder_of(const char *path, char *dir, size_t cap)
{
    char *slash;
    snprintf(dir, cap, "%s", path);
    slash = strrchr(dir, '/');
    if (slash == NULL)
        snprintf(dir, cap, ".");
    else if (slash == dir)
        dir[1] = '\0';
    else
        *slash = '\0';
}

/* Whether this user may write the database (and its folder, for the WAL
 * and the key file). */
static int may_write(const char *path, int is_new)
{
    char dir[4096];
    folder_of(path, dir, sizeof dir);
    if (access(dir, W_OK) != 0)
        return 0;
    return is_new || access(path, W_OK) == 0;
}

/* A path that cannot become a database for another reason than
 * permissions, said as such: a mistyped --db is not a permission problem.
 * 0 when there is nothing to say. */
static int unusable_path(const char *path, int stat_errno, const struct stat *st, char *errbuf,
                         size_t cap)
{
    char dir[4096];
    struct stat dst;
    if (stat_errno == 0 && S_ISDIR(st->st_mode))
        return snprintf(errbuf, cap, "%s is a folder, not a database file; give --db (or "
                        "MOCK_HOST_DB) a file path such as %s/mock-host.db", path, path), -1;
    folder_of(path, dir, sizeof dir);
    if (stat_errno == ENOENT && stat(dir, &dst) != 0 && errno == ENOENT)
        return snprintf(errbuf, cap, "cannot create database %s: the folder %s does not exist. "
                        "Check the --db path (or MOCK_HOST_DB), or create the folder first",
                        path, dir), -1;
    if (stat_errno == ENOTDIR)
        return snprintf(errbuf, cap, "cannot create database %s: a part of that path is a file, "
                        "not a folder. Check the --db path (or MOCK_HOST_DB)", path), -1;
    return 0;
}

/* One number from a query, or -1 when it fails (the SQLite code in *code). */
static long long scalar(mh_store *s, const char *sql, int *code)
{
    sqlite3_stmt *st;
    long long v = -1;
    *code = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL);
    if (*code == SQLITE_OK) {
        *code = sqlite3_step(st);
        if (*code == SQLITE_ROW)
            v = sqlite3_column_int64(st, 0);
    }
    sqlite3_finalize(st);
    return v;
}

/* An existing file must be a mock-host database SQLite can read. */
static int check_existing(mh_store *s, char *errbuf, size_t cap)
{
    int code;
    long long tables = scalar(s, "SELECT count(*) FROM sqlite_master", &code);
    if (tables < 0)
        return snprintf(errbuf, cap, "database %s is damaged or is not a mock-host database (%s). "
                        "Restore it from a backup, or move it aside to start a new one",
                        s->path, sqlite3_errstr(code)), -1;
    if (tables > 0 && scalar(s, "PRAGMA user_version", &code) == 0)
        return snprintf(errbuf, cap, "%s is an SQLite database of another program, not a "
                        "mock-host database; use another --db", s->path), -1;
    return 0;
}

static int open_read_only(mh_store *s, char *errbuf, size_t cap)
{
    char uri[8300];
    int want = mh_store_schema_version(), have;
    /* mode=ro needs the WAL's -shm beside the file, which a folder we may
     * not write cannot get; immutable=1 then reads the file as it is. */
    ro_uri(uri, sizeof uri, s->path, "mode=ro");
    if (sqlite3_open_v2(uri, &s->db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, NULL) != 0 ||
        user_version(s) < 0) {
        sqlite3_close(s->db);
        ro_uri(uri, sizeof uri, s->path, "immutable=1");
        if (sqlite3_open_v2(uri, &s->db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, NULL) != 0)
            return snprintf(errbuf, cap, "cannot read database %s: %s", s->path,
                            sqlite3_errmsg(s->db)), -1;
    }
    s->read_only = 1;
    if (check_existing(s, errbuf, cap) != 0)
        return -1;
    have = user_version(s);
    if (have != want)
        return snprintf(errbuf, cap, "database %s has schema version %d and this mock-host needs %d; "
                        "it cannot be upgraded while it is read-only for this user", s->path,
                        have, want), -1;
    return 0;
}

/* The settings every connection gets, then the migrations.  4 KiB pages
 * (new databases only): a delta dirties ~3 scattered pages per changed
 * user, each written to the WAL and again by the checkpoint, so smaller
 * pages halve those bytes; 1M, 1% changed: 1.29 s -> 1.13 s (medians of 5)
 * with the same full-run CPU (tests/bench/FINDINGS.md). */
static int prepare(mh_store *s, char *errbuf, size_t cap)
{
    return mh_store_exec(s, "PRAGMA page_size=4096; PRAGMA journal_mode=WAL; "
                            "PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; "
                            /* temporary tables (a run's seen ids, store_records.c) in a
                             * file, paged like the database: memory stays flat */
                            "PRAGMA temp_store=FILE;", errbuf, cap) != 0 ||
           migrate(s, errbuf, cap) != 0 ? -1 : 0;
}

static void remove_with_journal(const char *path)
{
    char side[4300];
    unlink(path);
    if (snprintf(side, sizeof side, "%s-wal", path) < (int)sizeof side)
        unlink(side);
    if (snprintf(side, sizeof side, "%s-shm", path) < (int)sizeof side)
        unlink(side);
}

/* An unopened store for mh_store_close to free: no connection, no
 * descriptor, its lock ready.  NULL when out of memory. */
static mh_store *store_new(void)
{
    mh_store *s = calloc(1, sizeof *s);
    if (s == NULL)
        return NULL;
    s->wb_fd = -1;
    pthread_mutex_init(&s->use, NULL);
    return s;
}

/* link() cannot publish here: a file system without hard links, or a
 * dangling symbolic link at the path (link() will not follow it; SQLite
 * creates the file it points to). */
static int cannot_publish(const char *path, int err)
{
    struct stat st;
    if (err == EPERM || err == ENOTSUP || err == EOPNOTSUPP)
        return 1;
    return err == EEXIST && lstat(path, &st) == 0 && S_ISLNK(st.st_mode) &&
           stat(path, &st) != 0 && errno == ENOENT;
}

/* A new database is made whole (schema and key) under a temporary name in
 * its folder and only then published with link(), which never replaces a
 * file: another process opening the same path at the same moment sees
 * either no file or a finished database with its key, never a file still
 * being written.  When another process published first (EEXIST), its
 * database is the one; ours is removed.  0; 1 when the database must be
 * created in place instead (cannot_publish: SQLite's own creation, which
 * only loses that guarantee); or -1 with errbuf. */
static int create_database(const char *path, const char *key_path, char *errbuf, size_t cap)
{
    char tmp[4200];
    unsigned char rnd[8];
    mh_store *t = store_new();
    int fd = -1, rc = -1;

    if (t == NULL)
        return snprintf(errbuf, cap, "out of memory"), -1;
    t->path = strdup(path);  /* messages name the database, not the temporary */
    /* Mode 0644 less the umask, as SQLite creates a database (mkstemp would
     * make it 0600, and the umask cannot be read without changing it). */
    if (RAND_bytes(rnd, sizeof rnd) != 1 ||
        snprintf(tmp, sizeof tmp, "%s.new-%02x%02x%02x%02x%02x%02x%02x%02x", path, rnd[0], rnd[1],
                 rnd[2], rnd[3], rnd[4], rnd[5], rnd[6], rnd[7]) >= (int)sizeof tmp)
        errno = ENAMETOOLONG;
    else
        fd = open(tmp, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (t->path == NULL || fd < 0) {
        snprintf(errbuf, cap, "cannot create database %s: %s", path,
                 t->path == NULL ? "out of memory" : strerror(errno));
        mh_store_close(t);
        return -1;
    }
    close(fd);  /* before SQLite opens it: closing a descriptor drops its locks */
    if (sqlite3_open_v2(tmp, &t->db, SQLITE_OPEN_READWRITE, NULL) != 0)
        snprintf(errbuf, cap, "cannot create database %s: %s", path, sqlite3_errmsg(t->db));
    else if (prepare(t, errbuf, cap) == 0 &&
             mh_secret_box_open(&t->box, key_path, errbuf, cap) == 0)
        rc = 0;
    /* The last connection: its WAL goes into the file, or nothing is published. */
    if (t->db != NULL && sqlite3_close(t->db) != SQLITE_OK && rc == 0) {
        snprintf(errbuf, cap, "cannot create database %s: it could not be closed cleanly", path);
        rc = -1;
    }
    t->db = NULL;
    mh_store_close(t);
    if (rc == 0 && link(tmp, path) != 0) {
        int err = errno;
        if (cannot_publish(path, err))
            rc = 1;
        else if (err != EEXIST) {
            snprintf(errbuf, cap, "cannot create database %s: %s", path, strerror(err));
            rc = -1;
        }
    }
    remove_with_journal(tmp);
    return rc;
}

/* SQLite itself creates a database file empty and writes its first page
 * later; a file this young and still empty may be another program's
 * database being created, so it gets a few seconds to grow.  An older
 * empty file is not a database at all (an interrupted copy?). */
#define YOUNG_EMPTY_S 3

static void wait_while_young_and_empty(const char *path, struct stat *st)
{
    while (S_ISREG(st->st_mode) && st->st_size == 0 &&
           time(NULL) - st->st_mtime < YOUNG_EMPTY_S) {
        usleep(100000);
        if (stat(path, st) != 0)
            return;
    }
}

int mh_store_open(mh_store **out, const char *path, char *errbuf, size_t cap)
{
    return mh_store_open_ex(out, path, 0, errbuf, cap);
}

int mh_store_key_path(const char *loc, char *out, size_t cap)
{
    const char *env = getenv("MOCK_HOST_KEY_FILE");
    int n;
    if (mh_store_is_pg_location(loc)) {
        if (env == NULL || env[0] == '\0')
            return -1;
        n = snprintf(out, cap, "%s", env);
    } else {
        n = snprintf(out, cap, "%s.key", loc);
    }
    return n < 0 || (size_t)n >= cap ? -1 : 0;
}

int mh_store_open_ex(mh_store **out, const char *path, int flags, char *errbuf, size_t cap)
{
    mh_store *s = store_new();
    char key_path[4096];
    struct stat st;
    int is_new, key_missing, stat_errno, created;

    *out = NULL;
    if (s == NULL)
        return snprintf(errbuf, cap, "out of memory"), -1;
    if (mh_store_is_pg_location(path)) {
        s->path = mh_store_location_redacted(path);
        if (s->path == NULL ||
            mh_store_pg_open(s, path,
                             mh_store_key_path(path, key_path, sizeof key_path) == 0 ? key_path
                                                                                   : NULL,
                             flags, errbuf, cap) != 0) {
            mh_store_close(s);
            return -1;
        }
        *out = s;
        return 0;
    }
    /* SQLite takes "" for a private temporary database: every change would
     * be reported done and then lost, the key written to ./.key.  An empty
     * location is a mistake, e.g. MOCK_HOST_DB=$UNSET_VARIABLE. */
    if (path[0] == '\0') {
        snprintf(errbuf, cap, "the database location is empty (MOCK_HOST_DB or --db is \"\"); "
                 "give --db FILE, or unset MOCK_HOST_DB to use ./mock-host.db");
        mh_store_close(s);
        return -1;
    }
    s->path = strdup(path);
    if (mh_store_key_path(path, key_path, sizeof key_path) != 0) {
        snprintf(errbuf, cap, "the database path %s is too long", path);
        mh_store_close(s);
        return -1;
    }
    memset(&st, 0, sizeof st);  /* a stat that fails leaves no type */
    stat_errno = stat(path, &st) != 0 ? errno : 0;
    is_new = stat_errno == ENOENT;
    if (!is_new)
        wait_while_young_and_empty(path, &st);
    if (!is_new && S_ISREG(st.st_mode) && st.st_size == 0) {
        snprintf(errbuf, cap, "database %s exists but is empty (0 bytes), so it is not a mock-host "
                 "database (an interrupted copy?). Restore it from a backup, or remove it to "
                 "start a new one", path);
        mh_store_close(s);
        return -1;
    }
    if (unusable_path(path, stat_errno, &st, errbuf, cap) != 0) {
        mh_store_close(s);
        return -1;
    }
    if (!may_write(path, is_new)) {
        if ((flags & MH_STORE_READ_ONLY_OK) && !is_new && open_read_only(s, errbuf, cap) == 0) {
            *out = s;
            return 0;
        }
        if (is_new)
            snprintf(errbuf, cap, "cannot create database %s: permission denied (this user may "
                     "not write its folder, which will also hold its key and journal). Fix the "
                     "permissions, or give --db a path in a folder this user may write", path);
        else if (!(flags & MH_STORE_READ_ONLY_OK))
            snprintf(errbuf, cap, "cannot write database %s: permission denied (this user may not "
                     "write the file or its folder, which also holds its key and journal). Fix "
                     "the permissions, or use --db with a writable copy; apps, users and runs "
                     "can still be viewed", path);
        mh_store_close(s);
        return -1;
    }
    created = is_new ? create_database(path, key_path, errbuf, cap) : 0;
    if (created < 0) {
        mh_store_close(s);
        return -1;
    }
    /* From here on the database exists, made by this process or another
     * (or, created == 1, SQLite makes it now). */
    key_missing = access(key_path, F_OK) != 0 && errno == ENOENT;
    if (sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE | (created == 1 ? SQLITE_OPEN_CREATE : 0),
                        NULL) != 0) {
        snprintf(errbuf, cap, "cannot open database %s: %s", path, sqlite3_errmsg(s->db));
        mh_store_close(s);
        return -1;
    }
    sqlite3_busy_timeout(s->db, 10000);
    s->wb_fd = open(path, O_RDONLY | O_CLOEXEC);  /* see wb_fd in store_db.h; -1 is fine */
    if (check_existing(s, errbuf, cap) != 0 || prepare(s, errbuf, cap) != 0 ||
        limit_growth(s, errbuf, cap) != 0 ||
        (key_missing && mh_store_check_lost_key(s, key_path, flags, errbuf, cap) != 0) ||
        mh_secret_box_open(&s->box, key_path, errbuf, cap) != 0) {
        /* A district's first import keeps the file to itself until it
         * commits (store_fast.h): SQLite's "database is locked", or a
         * "damaged" verdict on a read it refused, would mislead. */
        if (mh_store_last_was_busy(s))
            snprintf(errbuf, cap, "database %s is busy: another mock-host is writing it (a "
                     "district's first sync keeps it to itself until it commits). Nothing was "
                     "changed; run this again when that finishes", path);
        mh_store_close(s);
        return -1;
    }
    *out = s;
    return 0;
}

void mh_store_close(mh_store *s)
{
    if (s == NULL)
        return;
    if (s->db != NULL)
        sqlite3_close(s->db);
    if (s->wb_fd >= 0)
        close(s->wb_fd);  /* only now: SQLite's locks are gone with the connection */
    if (s->pg != NULL)
        PQfinish(s->pg);
    mh_secret_box_close(&s->box);
    pthread_mutex_destroy(&s->use);
    free(s->path);
    free(s);
}

void mh_store_lock(mh_store *s)
{
    pthread_mutex_lock(&s->use);
}

void mh_store_unlock(mh_store *s)
{
    pthread_mutex_unlock(&s->use);
}

static void copy_col(char *dst, size_t cap, mh_stmt *st, int col)
{
    const char *t = mh_sql_column_text(st, col);
    snprintf(dst, cap, "%s", t ? (const char *)t : "");
}

static void read_app(mh_stmt *st, mh_app *a)
{
    a->id = mh_sql_column_int64(st, 0);
    copy_col(a->name, sizeof a->name, st, 1);
    copy_col(a->plugin, sizeof a->plugin, st, 2);
    a->itxm = mh_sql_column_int(st, 3);
    copy_col(a->created_at, sizeof a->created_at, st, 4);
    copy_col(a->connected_at, sizeof a->connected_at, st, 5);
}

#define APP_COLUMNS "id, name, plugin, itxm, created_at, connected_at"

int mh_store_app_find(mh_store *s, const char *name, mh_app *out)
{
    mh_stmt *st;
    int rc;
    if (mh_sql_prepare(s, "SELECT " APP_COLUMNS " FROM apps WHERE name = ?1", &st) != 0)
        return -1;
    mh_sql_bind_text(st, 1, name, -1);
    rc = mh_sql_step(st);
    if (rc == MH_SQL_ROW)
        read_app(st, out);
    mh_sql_finalize(st);
    return rc == MH_SQL_ROW ? 0 : rc == MH_SQL_DONE ? 1 : -1;
}

int mh_store_app_create(mh_store *s, const char *name, const char *plugin, int itxm, mh_app *out)
{
    mh_stmt *st;
    char now[32];
    int rc;

    mh_now_iso(now, sizeof now);
    if (mh_sql_prepare(s, "INSERT INTO apps(name, plugin, itxm, created_at) "
                           "VALUES(?1, ?2, ?3, ?4) ON CONFLICT(name) DO NOTHING", &st) != 0)
        return -1;
    mh_sql_bind_text(st, 1, name, -1);
    mh_sql_bind_text(st, 2, plugin, -1);
    mh_sql_bind_int64(st, 3, itxm);
    mh_sql_bind_text(st, 4, now, -1);
    rc = mh_sql_step(st);
    mh_sql_finalize(st);
    if (rc != MH_SQL_DONE)
        return -1;
    rc = mh_sql_changes(s) == 1 ? 0 : 1;
    return mh_store_app_find(s, name, out) == 0 ? rc : -1;
}

int mh_store_app_each(mh_store *s, int (*fn)(void *ctx, const mh_app *app), void *ctx)
{
    mh_stmt *st;
    mh_app a;
    int rc;
    if (mh_sql_prepare(s, "SELECT " APP_COLUMNS " FROM apps ORDER BY id", &st) != 0)
        return -1;
    while ((rc = mh_sql_step(st)) == MH_SQL_ROW) {
        read_app(st, &a);
        if (fn(ctx, &a) != 0)
            break;
    }
    mh_sql_finalize(st);
    return rc == MH_SQL_ROW || rc == MH_SQL_DONE ? 0 : -1;
}

int mh_store_app_set_itxm(mh_store *s, int64_t app_id, int itxm)
{
    mh_stmt *st;
    int rc;
    if (mh_sql_prepare(s, "UPDATE apps SET itxm = ?2 WHERE id = ?1", &st) != 0)
        return -1;
    mh_sql_bind_int64(st, 1, app_id);
    mh_sql_bind_int64(st, 2, itxm != 0);
    rc = mh_sql_step(st);
    mh_sql_finalize(st);
    return rc == MH_SQL_DONE ? 0 : -1;
}

int mh_store_app_set_connected(mh_store *s, int64_t app_id, int connected)
{
    mh_stmt *st;
    char now[32];
    int rc;
    mh_now_iso(now, sizeof now);
    if (mh_sql_prepare(s, "UPDATE apps SET connected_at = ?2 WHERE id = ?1", &st) != 0)
        return -1;
    mh_sql_bind_int64(st, 1, app_id);
    if (connected)
        mh_sql_bind_text(st, 2, now, -1);
    rc = mh_sql_step(st);
    mh_sql_finalize(st);
    return rc == MH_SQL_DONE ? 0 : -1;
}

/* Shared by config and secrets: one (app_id, key) -> value table each. */
static int kv_get_blob(mh_store *s, const char *sql, int64_t app_id, const char *key,
                       void **out, size_t *len, int is_blob)
{
    mh_stmt *st;
    int rc;
    if (mh_sql_prepare(s, sql, &st) != 0)
        return -1;
    mh_sql_bind_int64(st, 1, app_id);
    mh_sql_bind_text(st, 2, key, -1);
    rc = mh_sql_step(st);
    if (rc == MH_SQL_ROW) {
        const void *blob;
        if (is_blob) {
            blob = mh_sql_column_blob(st, 0, len);
        } else {
            blob = mh_sql_column_text(st, 0);
            *len = blob != NULL ? strlen(blob) : 0;
        }
        *out = malloc(*len + 1);
        if (*out != NULL) {
            if (*len > 0)
                memcpy(*out, blob, *len);
            ((char *)*out)[*len] = '\0';
        }
    }
    mh_sql_finalize(st);
    if (rc == MH_SQL_ROW)
        return *out != NULL ? 0 : -1;
    return rc == MH_SQL_DONE ? 1 : -1;
}

static int kv_set(mh_store *s, const char *table, int64_t app_id, const char *key,
                  const void *value, size_t len, int is_blob)
{
    char sql[200];
    mh_stmt *st;
    int rc;
    if (value == NULL)
        snprintf(sql, sizeof sql, "DELETE FROM %s WHERE app_id = ?1 AND key = ?2", table);
    else
        snprintf(sql, sizeof sql, "INSERT INTO %s VALUES(?1, ?2, ?3) ON CONFLICT(app_id, key) "
                 "DO UPDATE SET %s = excluded.%s", table, is_blob ? "sealed" : "value",
                 is_blob ? "sealed" : "value");
    if (mh_sql_prepare(s, sql, &st) != 0)
        return -1;
    mh_sql_bind_int64(st, 1, app_id);
    mh_sql_bind_text(st, 2, key, -1);
    if (value != NULL && is_blob)
        mh_sql_bind_blob(st, 3, value, len);
    else if (value != NULL)
        mh_sql_bind_text(st, 3, value, (int)len);
    rc = mh_sql_step(st);
    mh_sql_finalize(st);
    return rc == MH_SQL_DONE ? 0 : -1;
}

/* A text value of config or host_state, copied into buf: 0, 1 absent,
 * -2 buf too small, -1 error. */
static int kv_get_text(mh_store *s, const char *sql, int64_t app_id, const char *key, char *buf,
                       size_t cap)
{
    void *v = NULL;
    size_t len = 0;
    int rc = kv_get_blob(s, sql, app_id, key, &v, &len, 0);
    if (rc == 0) {
        if (len + 1 > cap)
            rc = -2;
        else
            memcpy(buf, v, len + 1);
    }
    free(v);
    return rc;
}

int mh_store_config_get(mh_store *s, int64_t app_id, const char *key, char *buf, size_t cap)
{
    return kv_get_text(s, "SELECT value FROM config WHERE app_id = ?1 AND key = ?2", app_id, key,
                       buf, cap);
}

int mh_store_config_set(mh_store *s, int64_t app_id, const char *key, const char *value)
{
    return kv_set(s, "config", app_id, key, value, value ? strlen(value) : 0, 0);
}

/* Deletes every row of the app in `table` (config or secrets). */
static int kv_forget_all(mh_store *s, const char *table, int64_t app_id)
{
    char sql[96];
    mh_stmt *st;
    int rc;
    snprintf(sql, sizeof sql, "DELETE FROM %s WHERE app_id = ?1", table);
    if (mh_sql_prepare(s, sql, &st) != 0)
        return -1;
    mh_sql_bind_int64(st, 1, app_id);
    rc = mh_sql_step(st);
    mh_sql_finalize(st);
    return rc == MH_SQL_DONE ? 0 : -1;
}

int mh_store_config_forget_all(mh_store *s, int64_t app_id)
{
    return kv_forget_all(s, "config", app_id);
}

int mh_store_secret_forget_all(mh_store *s, int64_t app_id)
{
    return kv_forget_all(s, "secrets", app_id);
}

int mh_store_config_forget_prefix(mh_store *s, int64_t app_id, const char *prefix)
{
    mh_stmt *st;
    int rc;
    if (mh_sql_prepare(s, "DELETE FROM config WHERE app_id = ?1 AND "
                           "substr(key, 1, length(CAST(?2 AS TEXT))) = ?2", &st) != 0)
        return -1;
    mh_sql_bind_int64(st, 1, app_id);
    mh_sql_bind_text(st, 2, prefix, -1);
    rc = mh_sql_step(st);
    mh_sql_finalize(st);
    return rc == MH_SQL_DONE ? 0 : -1;
}

int mh_store_state_get(mh_store *s, int64_t app_id, const char *key, char *buf, size_t cap)
{
    return kv_get_text(s, "SELECT value FROM host_state WHERE app_id = ?1 AND key = ?2", app_id,
                       key, buf, cap);
}

int mh_store_state_set(mh_store *s, int64_t app_id, const char *key, const char *value)
{
    return kv_set(s, "host_state", app_id, key, value, value ? strlen(value) : 0, 0);
}

int mh_store_state_delete(mh_store *s, int64_t app_id, const char *key)
{
    return kv_set(s, "host_state", app_id, key, NULL, 0, 0);
}

int mh_store_state_delete_if(mh_store *s, int64_t app_id, const char *key, const char *value)
{
    return mh_sql_run_app_texts(s, "DELETE FROM host_state WHERE app_id = ?1 AND key = ?2 AND "
                                   "value = ?3", app_id, key, value);
}

static void secret_aad(char *aad, size_t cap, int64_t app_id, const char *key)
{
    snprintf(aad, cap, "mock-host secret v1 app=%lld key=%s", (long long)app_id, key);
}

int mh_store_secret_get(mh_store *s, int64_t app_id, const char *key, char *buf, size_t cap)
{
    void *sealed = NULL;
    size_t len = 0;
    char aad[256];
    int rc;
    if (s->read_only)
        return -1;  /* no key is read in a read-only view */
    rc = kv_get_blob(s, "SELECT sealed FROM secrets WHERE app_id = ?1 AND key = ?2", app_id,
                         key, &sealed, &len, 1);
    if (rc == 0) {
        secret_aad(aad, sizeof aad, app_id, key);
        rc = mh_secret_open(&s->box, aad, sealed, len, buf, cap);
        rc = rc >= 0 ? 0 : rc;
    }
    free(sealed);
    return rc;
}

int mh_store_secret_set(mh_store *s, int64_t app_id, const char *key, const char *value)
{
    unsigned char *sealed = NULL;
    size_t len = 0;
    char aad[256];
    int rc;
    if (s->read_only)
        return -1;
    if (value == NULL)
        return kv_set(s, "secrets", app_id, key, NULL, 0, 1);
    secret_aad(aad, sizeof aad, app_id, key);
    if (mh_secret_seal(&s->box, aad, value, strlen(value), &sealed, &len) != 0)
        return -1;
    rc = kv_set(s, "secrets", app_id, key, sealed, len, 1);
    free(sealed);
    return rc;
}

int mh_store_secret_count(mh_store *s, int64_t app_id)
{
    mh_stmt *st;
    int n = -1;
    if (mh_sql_prepare(s, "SELECT count(*) FROM secrets WHERE app_id = ?1", &st) == 0) {
        mh_sql_bind_int64(st, 1, app_id);
        if (mh_sql_step(st) == MH_SQL_ROW)
            n = mh_sql_column_int(st, 0);
    }
    mh_sql_finalize(st);
    return n;
}
