/*
 * store_pg.c - the PostgreSQL backend's own steps: recognising a connection
 * string, keeping its password out of sight, connecting, refusing what
 * cannot be used (a read-only server, a newer schema, no key file),
 * migrations, and the per-app sync lock as an advisory lock.  Everything
 * else runs the same SQL as SQLite through store_sql.c.
 */
#include "store.h"
#include "store_db.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

/* Advisory lock keys: high 32 bits name the purpose, low bits the app. */
#define LOCK_MIGRATE 0x6d680001LL
#define LOCK_SYNC    0x6d680002LL

/* PostgreSQL's schema steps.  A new database starts at the current
 * version directly (SQLite's steps 1-7 are its history, not PostgreSQL's);
 * a later step is appended to both lists with the same number. */
static const struct { int version; const char *sql; } pg_migrations[] = {
    {7,
     "CREATE TABLE apps(id BIGSERIAL PRIMARY KEY, name TEXT NOT NULL UNIQUE, plugin TEXT NOT NULL,"
     "  itxm BIGINT NOT NULL DEFAULT 0, created_at TEXT NOT NULL, connected_at TEXT);"
     "CREATE TABLE config(app_id BIGINT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL,"
     "  PRIMARY KEY(app_id, key));"
     "CREATE TABLE secrets(app_id BIGINT NOT NULL, key TEXT NOT NULL, sealed BYTEA NOT NULL,"
     "  PRIMARY KEY(app_id, key));"
     "CREATE TABLE host_state(app_id BIGINT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL,"
     "  PRIMARY KEY(app_id, key));"
     "CREATE TABLE orgs(app_id BIGINT NOT NULL, sourced_id TEXT NOT NULL, name TEXT NOT NULL,"
     "  type TEXT NOT NULL, identifier TEXT NOT NULL, parent_id TEXT NOT NULL,"
     "  status BIGINT NOT NULL, stale BIGINT NOT NULL DEFAULT 0, seen_run BIGINT NOT NULL DEFAULT 0,"
     "  PRIMARY KEY(app_id, sourced_id));"
     "CREATE TABLE sis_records(app_id BIGINT NOT NULL, sourced_id TEXT NOT NULL,"
     "  status BIGINT NOT NULL, enabled BIGINT NOT NULL, modified TEXT NOT NULL,"
     "  role TEXT NOT NULL, body TEXT NOT NULL, hash BIGINT NOT NULL,"
     "  seen_run BIGINT NOT NULL DEFAULT 0, present BIGINT NOT NULL DEFAULT 1,"
     "  PRIMARY KEY(app_id, sourced_id));"
     "CREATE TABLE users(app_id BIGINT NOT NULL, sourced_id TEXT NOT NULL, role TEXT NOT NULL,"
     "  active BIGINT NOT NULL, given_name TEXT NOT NULL, family_name TEXT NOT NULL,"
     "  email TEXT NOT NULL, username TEXT NOT NULL, portal_role TEXT, locations TEXT NOT NULL,"
     "  fields TEXT NOT NULL, flags TEXT NOT NULL DEFAULT '', updated_at TEXT NOT NULL,"
     "  hash BIGINT NOT NULL DEFAULT 0, PRIMARY KEY(app_id, sourced_id));"
     "CREATE INDEX users_by_role ON users(app_id, role);"
     "CREATE TABLE portal_roles(name TEXT PRIMARY KEY);"
     "CREATE TABLE locations(name TEXT PRIMARY KEY);"
     "CREATE TABLE role_map(app_id BIGINT NOT NULL, sis_role TEXT NOT NULL,"
     "  portal_role TEXT NOT NULL, PRIMARY KEY(app_id, sis_role));"
     "CREATE TABLE location_map(app_id BIGINT NOT NULL, org_id TEXT NOT NULL,"
     "  location TEXT NOT NULL, PRIMARY KEY(app_id, org_id));"
     "CREATE TABLE field_choice(app_id BIGINT NOT NULL, role TEXT NOT NULL, paths TEXT NOT NULL,"
     "  PRIMARY KEY(app_id, role));"
     "CREATE TABLE runs(id BIGSERIAL PRIMARY KEY, app_id BIGINT NOT NULL, mode TEXT NOT NULL,"
     "  started_at TEXT NOT NULL, ended_at TEXT, outcome TEXT NOT NULL, counts TEXT NOT NULL,"
     "  reason TEXT NOT NULL DEFAULT '');"
     "CREATE INDEX runs_by_app ON runs(app_id, id);"
     "CREATE TABLE schema_roles(app_id BIGINT NOT NULL, role TEXT NOT NULL, count BIGINT,"
     "  PRIMARY KEY(app_id, role));"
     "CREATE TABLE schema_fields(app_id BIGINT NOT NULL, role TEXT NOT NULL, path TEXT NOT NULL,"
     "  label TEXT NOT NULL, type TEXT NOT NULL, is_metadata BIGINT NOT NULL,"
     "  filled BIGINT NOT NULL, sampled BIGINT NOT NULL, PRIMARY KEY(app_id, role, path));"},
    {8,
     "CREATE TABLE held_absent(app_id BIGINT NOT NULL, sourced_id TEXT NOT NULL,"
     "  PRIMARY KEY(app_id, sourced_id));"},
};

int mh_store_is_pg_location(const char *loc)
{
    size_t n = 0;
    if (strncmp(loc, "postgresql://", 13) == 0 || strncmp(loc, "postgres://", 11) == 0)
        return 1;
    /* libpq's key=value form: "host=/run/postgresql dbname=mh" */
    while (loc[n] == ' ')
        n++;
    if (!islower((unsigned char)loc[n]))
        return 0;
    while (islower((unsigned char)loc[n]) || loc[n] == '_')
        n++;
    while (loc[n] == ' ')
        n++;
    return loc[n] == '=';
}

/* A value as libpq's key=value form reads it: bare when plain, else in
 * quotes with a backslash before each quote and backslash. */
static int plain_value(const char *v)
{
    if (*v == '\0')
        return 0;
    for (; *v; v++)
        if (!isalnum((unsigned char)*v) && strchr("-_./:,", *v) == NULL)
            return 0;
    return 1;
}

/* The options libpq read, written back in the key=value form without the
 * password, which goes to *password.  NULL when out of memory. */
static char *without_password(PQconninfoOption *opts, char **password)
{
    PQconninfoOption *o;
    size_t cap = 1, n = 0;
    const char *v;
    char *out;
    for (o = opts; o->keyword != NULL; o++)
        if (o->val != NULL)
            cap += strlen(o->keyword) + 2 * strlen(o->val) + 4;
    if ((out = malloc(cap)) == NULL)
        return NULL;
    for (o = opts; o->keyword != NULL; o++) {
        if (o->val == NULL)
            continue;
        if (strcmp(o->keyword, "password") == 0) {
            free(*password);
            *password = strdup(o->val);
            explicit_bzero(o->val, strlen(o->val));
            continue;
        }
        n += (size_t)sprintf(out + n, "%s%s=", n > 0 ? " " : "", o->keyword);
        if (plain_value(o->val)) {
            n += (size_t)sprintf(out + n, "%s", o->val);
            continue;
        }
        out[n++] = '\'';
        for (v = o->val; *v; v++) {
            if (*v == '\'' || *v == '\\')
                out[n++] = '\\';
            out[n++] = *v;
        }
        out[n++] = '\'';
    }
    out[n] = '\0';
    return out;
}

/* libpq ends a URI's user info at its first '@': the rest of a password
 * with an '@' not written as %40 would be read as the host, and shown in
 * every message that names the database. */
static int uri_has_two_ats(const char *loc)
{
    const char *auth, *at;
    size_t n;
    if (strncmp(loc, "postgresql://", 13) != 0 && strncmp(loc, "postgres://", 11) != 0)
        return 0;
    auth = strstr(loc, "://") + 3;
    n = strcspn(auth, "/?");
    at = memchr(auth, '@', n);
    return at != NULL && memchr(at + 1, '@', n - (size_t)(at + 1 - auth)) != NULL;
}

/* The location without its password: read by libpq's own parser (either
 * form, its quoting and %XX decoding), written back without it; as given
 * when it has none.  The password (or NULL) into *password; both belong
 * to the caller.  NULL with a sentence in err when it cannot be read. */
static char *strip_password(const char *loc, char **password, char *err, size_t cap)
{
    PQconninfoOption *opts, *o;
    char *why = NULL, *out = NULL;
    int has = 0;
    *password = NULL;
    if (uri_has_two_ats(loc))
        return snprintf(err, cap, "the PostgreSQL location has two '@' before its host; write "
                        "an '@' in the user name or password as %%40"), NULL;
    opts = PQconninfoParse(loc, &why);
    if (opts == NULL) {
        size_t n = why != NULL ? strcspn(why, "\n") : 0;
        snprintf(err, cap, "libpq cannot read the PostgreSQL location: %.*s", (int)n,
                 why != NULL ? why : "out of memory");
        PQfreemem(why);
        return NULL;
    }
    for (o = opts; o->keyword != NULL; o++)
        has |= o->val != NULL && strcmp(o->keyword, "password") == 0;
    out = has ? without_password(opts, password) : strdup(loc);
    PQconninfoFree(opts);
    if (out == NULL || (has && *password == NULL)) {
        free(out);
        free(*password);
        *password = NULL;
        return snprintf(err, cap, "out of memory"), NULL;
    }
    return out;
}

char *mh_store_location_redacted(const char *loc)
{
    char *password = NULL, *out, err[256];
    if (!mh_store_is_pg_location(loc))
        return strdup(loc);
    out = strip_password(loc, &password, err, sizeof err);
    if (password != NULL) {
        explicit_bzero(password, strlen(password));
        free(password);
    }
    /* Shown in messages: never the unreadable text, which may hold one. */
    return out != NULL ? out : strdup("(a PostgreSQL location libpq cannot read)");
}

int mh_store_location_prepare(const char *loc, char **out, char *err, size_t cap)
{
    char *password = NULL;
    if (!mh_store_is_pg_location(loc)) {
        *out = strdup(loc);
        return *out != NULL ? 0 : (snprintf(err, cap, "out of memory"), -1);
    }
    *out = strip_password(loc, &password, err, cap);
    if (password != NULL) {
        /* libpq reads it from there; children (the console's jobs) inherit
         * it without it ever being on a command line. */
        setenv("PGPASSWORD", password, 1);
        explicit_bzero(password, strlen(password));
        free(password);
    }
    return *out != NULL ? 0 : -1;
}

/* libpq prints notices ("relation exists, skipping") on stderr unless told. */
static void quiet(void *arg, const char *message)
{
    (void)arg;
    (void)message;
}

int mh_store_pg_exec(mh_store *s, const char *sql, char *errbuf, size_t cap)
{
    /* A statement sent without waiting that failed fails this one too, yet
     * this one still runs: a ROLLBACK must, and a COMMIT after the failure
     * only rolls back. */
    int sent_failed = mh_sql_wait(s) != 0;
    PGresult *res = PQexec(s->pg, sql);
    ExecStatusType st = PQresultStatus(res);
    if (sent_failed || (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)) {
        if (!sent_failed)
            mh_store_pg_note_error(s, res);
        PQclear(res);
        if (errbuf != NULL)
            snprintf(errbuf, cap, "database %s: %s", s->path, s->pg_err);
        return -1;
    }
    /* PostgreSQL answers COMMIT in a failed transaction with success and
     * the tag ROLLBACK: nothing was stored, so the caller must not say so. */
    if (strncmp(sql, "COMMIT", 6) == 0 && strcmp(PQcmdStatus(res), "ROLLBACK") == 0) {
        PQclear(res);
        snprintf(s->pg_err, sizeof s->pg_err, "the transaction was rolled back by an earlier "
                 "error; nothing of it was stored");
        if (errbuf != NULL)
            snprintf(errbuf, cap, "database %s: %s", s->path, s->pg_err);
        return -1;
    }
    PQclear(res);
    return 0;
}

/* One value of a one-row query as a number; -1 when it fails. */
static long long pg_scalar(mh_store *s, const char *sql)
{
    mh_stmt *st;
    long long v = -1;
    if (mh_sql_prepare(s, sql, &st) == 0 && mh_sql_step(st) == MH_SQL_ROW)
        v = mh_sql_column_int64(st, 0);
    mh_sql_finalize(st);
    return v;
}

static int pg_version(mh_store *s)
{
    return (int)pg_scalar(s, "SELECT coalesce(max(version), 0) FROM schema_version");
}

static int pg_migrate(mh_store *s, char *errbuf, size_t cap)
{
    int want = mh_store_schema_version(), have;
    size_t i;
    char sql[96];

    /* One migrating process at a time (two workers starting together). */
    snprintf(sql, sizeof sql, "BEGIN; SELECT pg_advisory_xact_lock(%lld)", LOCK_MIGRATE);
    if (mh_store_pg_exec(s, sql, errbuf, cap) != 0 ||
        mh_store_pg_exec(s, "CREATE TABLE IF NOT EXISTS schema_version(version INTEGER NOT NULL)",
                         errbuf, cap) != 0)
        goto fail;
    have = pg_version(s);
    if (have < 0) {
        snprintf(errbuf, cap, "database %s cannot be read: %s", s->path, s->pg_err);
        goto fail;
    }
    if (have > want) {
        snprintf(errbuf, cap, "database %s has schema version %d, newer than this mock-host (%d); "
                 "use the newer mock-host or another --db", s->path, have, want);
        goto fail;
    }
    for (i = 0; i < sizeof pg_migrations / sizeof pg_migrations[0]; i++) {
        if (pg_migrations[i].version <= have)
            continue;
        if (mh_store_pg_exec(s, pg_migrations[i].sql, errbuf, cap) != 0) {
            snprintf(errbuf, cap, "cannot set up database %s (schema version %d): %s. Use an "
                     "empty database for mock-host", s->path, pg_migrations[i].version, s->pg_err);
            goto fail;
        }
    }
    snprintf(sql, sizeof sql, "DELETE FROM schema_version; INSERT INTO schema_version VALUES(%d)",
             want);
    if (have < want && mh_store_pg_exec(s, sql, errbuf, cap) != 0)
        goto fail;
    return mh_store_pg_exec(s, "COMMIT", errbuf, cap);
fail:
    mh_store_pg_exec(s, "ROLLBACK", NULL, 0);
    return -1;
}

/* libpq's message, its lines joined, without a trailing newline. */
static void one_line(char *dst, size_t cap, const char *msg)
{
    size_t o = 0;
    for (; *msg && o + 1 < cap; msg++)
        dst[o++] = *msg == '\n' ? ' ' : *msg;
    while (o > 0 && dst[o - 1] == ' ')
        o--;
    dst[o] = '\0';
}

int mh_store_pg_open(mh_store *s, const char *conninfo, const char *key, int flags,
                     char *errbuf, size_t cap)
{
    char *clean, msg[400];
    int key_missing, have;

    if (key == NULL)
        return snprintf(errbuf, cap, "database %s is PostgreSQL, which has no folder to keep the "
                        "key that seals stored credentials: set MOCK_HOST_KEY_FILE to the key "
                        "file's path (made when it does not exist yet; back it up with the "
                        "database, and give every mock-host using this database the same file)",
                        s->path), -1;
    /* A password in the string goes to PGPASSWORD, never into a message. */
    if (mh_store_location_prepare(conninfo, &clean, errbuf, cap) != 0)
        return -1;
    s->pg = PQconnectdb(clean);
    free(clean);
    if (s->pg == NULL || PQstatus(s->pg) != CONNECTION_OK) {
        one_line(msg, sizeof msg, s->pg ? PQerrorMessage(s->pg) : "out of memory");
        return snprintf(errbuf, cap, "cannot connect to PostgreSQL database %s: %s. Check that "
                        "the server runs and the connection string (host, port, user, dbname); "
                        "give a password in PGPASSWORD or a ~/.pgpass file", s->path, msg), -1;
    }
    PQsetNoticeProcessor(s->pg, quiet, NULL);
    if (mh_store_pg_exec(s, "SET client_min_messages = warning; SET lock_timeout = '10s'",
                         errbuf, cap) != 0)
        return -1;
    if (pg_scalar(s, "SELECT CASE WHEN current_setting('transaction_read_only') = 'on' OR "
                     "pg_is_in_recovery() THEN 1 ELSE 0 END") != 0) {
        have = pg_scalar(s, "SELECT coalesce(max(version), 0) FROM schema_version");
        if ((flags & MH_STORE_READ_ONLY_OK) && have == mh_store_schema_version()) {
            s->read_only = 1;
            return 0;
        }
        return snprintf(errbuf, cap, "database %s is read-only (a standby server, or "
                        "default_transaction_read_only is on), so nothing can be written and "
                        "nothing was changed. Point --db at the primary server", s->path), -1;
    }
    if (pg_migrate(s, errbuf, cap) != 0)
        return -1;
    key_missing = access(key, F_OK) != 0 && errno == ENOENT;
    if (key_missing && mh_store_check_lost_key(s, key, flags, errbuf, cap) != 0)
        return -1;
    return mh_secret_box_open(&s->box, key, errbuf, cap);
}

int mh_store_sync_lock(mh_store *s, int64_t app_id)
{
    char path[4200];
    int fd;
    if (s->pg != NULL) {
        /* A session lock: the server drops it when this process's
         * connection ends, however it ends. */
        mh_stmt *st;
        int got = -2;
        if (mh_sql_prepare(s, "SELECT pg_try_advisory_lock(?1)", &st) == 0) {
            mh_sql_bind_int64(st, 1, (LOCK_SYNC << 32) | (app_id & 0xffffffffLL));
            if (mh_sql_step(st) == MH_SQL_ROW)
                got = mh_sql_column_int(st, 0) ? 0 : -1;
        }
        mh_sql_finalize(st);
        return got;
    }
    if (s->lock_depth > 0 && s->lock_app == app_id) {
        s->lock_depth++;  /* nested: see lock_app in store_db.h */
        return s->lock_fd;
    }
    snprintf(path, sizeof path, "%s.sync-%lld.lock", s->path, (long long)app_id);
    fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0)
        return -2;
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        close(fd);
        return -1;
    }
    if (s->lock_depth == 0) {
        s->lock_app = app_id;
        s->lock_fd = fd;
        s->lock_depth = 1;
    }
    return fd;  /* held until the process exits or closes it */
}

void mh_store_sync_unlock(mh_store *s, int64_t app_id, int token)
{
    if (s->pg != NULL) {
        mh_stmt *st;
        if (mh_sql_prepare(s, "SELECT pg_advisory_unlock(?1)", &st) == 0) {
            mh_sql_bind_int64(st, 1, (LOCK_SYNC << 32) | (app_id & 0xffffffffLL));
            mh_sql_step(st);
        }
        mh_sql_finalize(st);
        return;
    }
    if (s->lock_depth > 0 && s->lock_app == app_id && token == s->lock_fd) {
        if (--s->lock_depth > 0)
            return;  /* an outer holder still has it */
    }
    if (token >= 0)
        close(token);
}
