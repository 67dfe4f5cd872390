/*
 * store_guard.c - what both backends check when a database opens: the
 * schema version this build migrates to, and a lost key file.  Apart from
 * store.c (SQLite) and store_pg.c (PostgreSQL) so that both call down to
 * it and neither calls the other back; it uses only the statement calls
 * of store_sql.h.
 */
#include "store.h"
#include "store_db.h"

#include <stdio.h>

int mh_store_schema_version(void)
{
    return MH_STORE_SCHEMA_VERSION;
}

/* The last failure's message, either backend. */
static const char *last_error(mh_store *s)
{
    return s->pg != NULL ? s->pg_err : sqlite3_errmsg(s->db);
}

/* Runs one statement that returns no rows; 0, or -1 with errbuf. */
static int run(mh_store *s, const char *sql, char *errbuf, size_t cap)
{
    mh_stmt *st;
    int rc = mh_sql_prepare(s, sql, &st) == 0 ? mh_sql_step(st) : MH_SQL_ERROR;
    if (rc != MH_SQL_DONE)
        snprintf(errbuf, cap, "database %s: %s", s->path, last_error(s));
    mh_sql_finalize(st);
    return rc == MH_SQL_DONE ? 0 : -1;
}

/* The key file is missing: refuse while credentials sealed with it are
 * stored, unless told to forget them. */
int mh_store_check_lost_key(mh_store *s, const char *key_path, int flags, char *errbuf, size_t cap)
{
    mh_stmt *st;
    long long sealed = -1;
    char ignored[8];
    if (mh_sql_prepare(s, "SELECT count(*) FROM secrets", &st) == 0 &&
        mh_sql_step(st) == MH_SQL_ROW)
        sealed = mh_sql_column_int64(st, 0);
    mh_sql_finalize(st);
    if (sealed <= 0)
        return 0;  /* nothing was sealed with the lost key: a new key is harmless */
    if (flags & MH_STORE_FORGET_LOST_KEY) {
        /* Both or neither: no app left connected without its secrets. */
        if (run(s, s->pg != NULL ? "BEGIN" : "BEGIN IMMEDIATE", errbuf, cap) != 0)
            return -1;
        if (run(s, "DELETE FROM secrets", errbuf, cap) != 0 ||
            run(s, "UPDATE apps SET connected_at = NULL", errbuf, cap) != 0 ||
            run(s, "COMMIT", errbuf, cap) != 0) {
            run(s, "ROLLBACK", ignored, sizeof ignored);
            return -1;
        }
        return 0;
    }
    return snprintf(errbuf, cap, "the key file %s is missing, but %s holds %lld stored "
                    "credentials that only that key can read. Restore %s from the backup made "
                    "with the database. If it is lost for good, run 'mock-host --db %s "
                    "forget-credentials' (apps, users and mappings stay; reconnect each app "
                    "afterwards)", key_path, s->path, sealed, key_path, s->path), -1;
}
