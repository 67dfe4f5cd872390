/*
 * store_sql.c - statements on either backend.  On SQLite a thin pass-through;
 * on PostgreSQL each execution is one PQexecParams with text results, whose
 * rows step() then walks.
 */
#include "store_sql.h"
#include "store_db.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PG_BYTEA_OID 17
#define PG_INT8_OID 20
/* Rows a streaming statement holds at a time. */
#define STREAM_BATCH 1000

struct mh_stmt {
    mh_store *s;
    sqlite3_stmt *lite;
    /* PostgreSQL: the SQL with $N, its parameters (owned copies), the
     * result of the current execution and the row step() is on. */
    char *sql;
    int nparams;
    char **vals;
    int *lens, *fmts;
    Oid *types;
    PGresult *res;
    int row;
    char cursor[32];         /* streaming (mh_sql_stream): its cursor's name while open */
    int stream;
    unsigned char *blob;     /* the last column_blob, unescaped */
};

int mh_sql_is_pg(const mh_store *s)
{
    return s->pg != NULL;
}

/* ?N -> $N outside quoted text; the highest N into *n. */
static char *to_pg(const char *sql, int *n)
{
    char *out = strdup(sql), *p;
    char quote = 0;
    *n = 0;
    if (out == NULL)
        return NULL;
    for (p = out; *p; p++) {
        if (quote) {
            if (*p == quote)
                quote = 0;
        } else if (*p == '\'' || *p == '"') {
            quote = *p;
        } else if (*p == '?') {
            int v = atoi(p + 1);
            *p = '$';
            if (v > *n)
                *n = v;
        }
    }
    return out;
}

void mh_store_pg_note_error(mh_store *s, const PGresult *res)
{
    const char *msg = res ? PQresultErrorMessage(res) : PQerrorMessage(s->pg);
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    size_t n;
    snprintf(s->pg_err, sizeof s->pg_err, "%s", msg && *msg ? msg : "PostgreSQL error");
    n = strcspn(s->pg_err, "\n");
    s->pg_err[n] = '\0';
    snprintf(s->pg_state, sizeof s->pg_state, "%s", state ? state : "");
    /* After a statement fails in a transaction, PostgreSQL answers every
     * later one with "current transaction is aborted" (25P02).  The cause
     * is the error before, and it is what an admin can act on; another
     * thread's call may have been the one to collect it (mh_store_lock). */
    if (strcmp(s->pg_state, "25P02") == 0 && s->pg_cause[0] != '\0')
        snprintf(s->pg_err, sizeof s->pg_err, "%s", s->pg_cause);
    else
        snprintf(s->pg_cause, sizeof s->pg_cause, "%s", s->pg_err);
}

int mh_sql_prepare(mh_store *s, const char *sql, mh_stmt **out)
{
    mh_stmt *st = calloc(1, sizeof *st);
    *out = NULL;
    if (st == NULL)
        return -1;
    st->s = s;
    if (s->pg == NULL) {
        if (sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st->lite, NULL) !=
            SQLITE_OK) {
            sqlite3_finalize(st->lite);
            free(st);
            return -1;
        }
        *out = st;
        return 0;
    }
    st->sql = to_pg(sql, &st->nparams);
    if (st->nparams > 0) {
        st->vals = calloc((size_t)st->nparams, sizeof *st->vals);
        st->lens = calloc((size_t)st->nparams, sizeof *st->lens);
        st->fmts = calloc((size_t)st->nparams, sizeof *st->fmts);
        st->types = calloc((size_t)st->nparams, sizeof *st->types);
    }
    if (st->sql == NULL || (st->nparams > 0 && (st->vals == NULL || st->lens == NULL ||
                                                st->fmts == NULL || st->types == NULL))) {
        mh_sql_finalize(st);
        return -1;
    }
    st->row = -1;
    *out = st;
    return 0;
}

int mh_sql_wait(mh_store *s)
{
    PGresult *res;
    int rc = 0;
    if (s->pg == NULL || !s->pg_sent)
        return 0;
    s->pg_sent = 0;
    while ((res = PQgetResult(s->pg)) != NULL) {
        ExecStatusType status = PQresultStatus(res);
        if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK && rc == 0) {
            mh_store_pg_note_error(s, res);
            rc = -1;
        }
        PQclear(res);
    }
    return rc;
}

int mh_sql_send(mh_stmt *st)
{
    if (st->lite != NULL) {
        int rc = mh_sql_step(st);
        mh_sql_reset(st);
        return rc == MH_SQL_DONE ? 0 : -1;
    }
    if (mh_sql_wait(st->s) != 0)
        return -1;
    /* libpq copies the parameters into its buffer: they may change now. */
    if (!PQsendQueryParams(st->s->pg, st->sql, st->nparams, st->types,
                           (const char *const *)st->vals, st->lens, st->fmts, 0)) {
        mh_store_pg_note_error(st->s, NULL);
        return -1;
    }
    st->s->pg_sent = 1;
    return 0;
}

int mh_sql_busy(mh_store *s)
{
    if (s->pg == NULL || !s->pg_sent)
        return 0;
    /* A broken connection is "not busy": the next statement then reports it. */
    return PQconsumeInput(s->pg) && PQisBusy(s->pg);
}

int mh_sql_send_text(mh_store *s, const char *sql)
{
    if (mh_sql_wait(s) != 0)
        return -1;
    if (!PQsendQuery(s->pg, sql)) {
        mh_store_pg_note_error(s, NULL);
        return -1;
    }
    s->pg_sent = 1;
    return 0;
}

int mh_sql_copy_in(mh_store *s, const char *copy_sql, const char *data, size_t len)
{
    /* In pieces: PQputCopyData takes an int, and the server reads as it
     * comes. */
    const size_t piece = (size_t)1 << 20;
    PGresult *res;
    size_t off;
    int rc = 0;
    if (mh_sql_wait(s) != 0)
        return -1;
    res = PQexec(s->pg, copy_sql);
    if (PQresultStatus(res) != PGRES_COPY_IN) {
        mh_store_pg_note_error(s, res);
        PQclear(res);
        return -1;
    }
    PQclear(res);
    for (off = 0; off < len && rc == 0; off += piece)
        if (PQputCopyData(s->pg, data + off, (int)(len - off < piece ? len - off : piece)) != 1) {
            mh_store_pg_note_error(s, NULL);
            rc = -1;
        }
    /* Ended either way (an error message aborts the COPY), so that the
     * connection takes statements again. */
    if (PQputCopyEnd(s->pg, rc == 0 ? NULL : "mock-host stopped sending") != 1 && rc == 0) {
        mh_store_pg_note_error(s, NULL);
        rc = -1;
    }
    /* PQexec above waited for the COPY to start; the rows' outcome is
     * read as mh_sql_send's is, by the next statement: the server stores
     * them while the caller goes on. */
    s->pg_sent = 1;
    if (rc != 0) {
        /* The server's answer to the abort ("mock-host stopped sending")
         * must not hide why sending stopped. */
        char state[sizeof s->pg_state], why[sizeof s->pg_err];
        memcpy(state, s->pg_state, sizeof state);
        memcpy(why, s->pg_err, sizeof why);
        mh_sql_wait(s);
        memcpy(s->pg_state, state, sizeof state);
        memcpy(s->pg_err, why, sizeof why);
    }
    return rc;
}

static void pg_clear(mh_stmt *st)
{
    if (st->cursor[0] != '\0') {
        mh_sql_wait(st->s);
        char sql[64];
        snprintf(sql, sizeof sql, "CLOSE %s", st->cursor);
        PQclear(PQexec(st->s->pg, sql));
        st->cursor[0] = '\0';
    }
    PQclear(st->res);
    st->res = NULL;
    st->row = -1;
    PQfreemem(st->blob);
    st->blob = NULL;
}

void mh_sql_finalize(mh_stmt *st)
{
    int i;
    if (st == NULL)
        return;
    if (st->lite != NULL)
        sqlite3_finalize(st->lite);
    pg_clear(st);
    for (i = 0; st->vals != NULL && i < st->nparams; i++)
        free(st->vals[i]);
    free(st->vals);
    free(st->lens);
    free(st->fmts);
    free(st->types);
    free(st->sql);
    free(st);
}

void mh_sql_reset(mh_stmt *st)
{
    if (st->lite != NULL)
        sqlite3_reset(st->lite);
    else
        pg_clear(st);
}

/* Stores a PostgreSQL parameter (a copy, NUL-terminated). */
static void pg_bind(mh_stmt *st, int i, const void *v, size_t len, int binary, Oid type)
{
    char *copy = NULL;
    if (i < 1 || i > st->nparams)
        return;
    if (v != NULL) {
        copy = malloc(len + 1);
        if (copy == NULL)
            return;  /* stays NULL: the statement fails on its constraint */
        memcpy(copy, v, len);
        copy[len] = '\0';
    }
    free(st->vals[i - 1]);
    st->vals[i - 1] = copy;
    st->lens[i - 1] = (int)len;
    st->fmts[i - 1] = binary;
    st->types[i - 1] = type;
}

void mh_sql_bind_int64(mh_stmt *st, int i, int64_t v)
{
    char buf[32];
    if (st->lite != NULL) {
        sqlite3_bind_int64(st->lite, i, v);
        return;
    }
    snprintf(buf, sizeof buf, "%lld", (long long)v);
    pg_bind(st, i, buf, strlen(buf), 0, PG_INT8_OID);
}

void mh_sql_bind_text(mh_stmt *st, int i, const char *v, int len)
{
    size_t n = v == NULL ? 0 : len < 0 ? strlen(v) : (size_t)len;
    if (v == NULL)
        v = "";
    if (st->lite != NULL) {
        sqlite3_bind_text(st->lite, i, v, (int)n, SQLITE_TRANSIENT);
        return;
    }
    pg_bind(st, i, v, n, 0, 0);  /* type 0: PostgreSQL infers it from the use */
}

void mh_sql_bind_text_kept(mh_stmt *st, int i, const char *v, int len)
{
    if (st->lite != NULL) {
        size_t n = v == NULL ? 0 : len < 0 ? strlen(v) : (size_t)len;
        sqlite3_bind_text(st->lite, i, v != NULL ? v : "", (int)n, SQLITE_STATIC);
        return;
    }
    mh_sql_bind_text(st, i, v, len);
}

void mh_sql_bind_blob(mh_stmt *st, int i, const void *v, size_t len)
{
    if (st->lite != NULL) {
        sqlite3_bind_blob(st->lite, i, v, (int)len, SQLITE_TRANSIENT);
        return;
    }
    pg_bind(st, i, v != NULL ? v : "", len, 1, PG_BYTEA_OID);
}

void mh_sql_bind_null(mh_stmt *st, int i)
{
    if (st->lite != NULL) {
        sqlite3_bind_null(st->lite, i);
        return;
    }
    pg_bind(st, i, NULL, 0, 0, 0);
}

void mh_sql_stream(mh_stmt *st)
{
    st->stream = 1;
}

/* The next batch of a streaming statement's cursor into st->res. */
static int pg_fetch(mh_stmt *st)
{
    char sql[64];
    PQclear(st->res);
    st->res = NULL;
    if (mh_sql_wait(st->s) != 0)
        return -1;
    snprintf(sql, sizeof sql, "FETCH %d FROM %s", STREAM_BATCH, st->cursor);
    st->res = PQexec(st->s->pg, sql);
    st->row = -1;
    if (PQresultStatus(st->res) != PGRES_TUPLES_OK) {
        mh_store_pg_note_error(st->s, st->res);
        return -1;
    }
    return 0;
}

/* Opens the cursor: WITH HOLD, so it outlives a transaction the caller
 * commits meanwhile; the server keeps the rows, this process a batch. */
static int pg_declare(mh_stmt *st)
{
    static unsigned long seq;
    char *sql;
    PGresult *res;
    if (mh_sql_wait(st->s) != 0)
        return -1;
    snprintf(st->cursor, sizeof st->cursor, "mh_cur_%lu", ++seq);
    if (asprintf(&sql, "DECLARE %s NO SCROLL CURSOR WITH HOLD FOR %s", st->cursor, st->sql) < 0) {
        st->cursor[0] = '\0';
        return -1;
    }
    res = PQexecParams(st->s->pg, sql, st->nparams, st->types, (const char *const *)st->vals,
                       st->lens, st->fmts, 0);
    free(sql);
    if (PQresultStatus(res) != PGRES_COMMAND_OK) {
        mh_store_pg_note_error(st->s, res);
        PQclear(res);
        st->cursor[0] = '\0';
        return -1;
    }
    PQclear(res);
    return pg_fetch(st);
}

int mh_sql_run_app_texts(mh_store *s, const char *sql, int64_t app_id, const char *a,
                         const char *b)
{
    mh_stmt *st;
    int rc;
    if (mh_sql_prepare(s, sql, &st) != 0)
        return -1;
    mh_sql_bind_int64(st, 1, app_id);
    if (a != NULL)
        mh_sql_bind_text(st, 2, a, -1);
    if (b != NULL)
        mh_sql_bind_text(st, 3, b, -1);
    rc = mh_sql_step(st);
    mh_sql_finalize(st);
    return rc == MH_SQL_DONE ? 0 : -1;
}

int mh_sql_step(mh_stmt *st)
{
    ExecStatusType status;
    if (st->lite != NULL) {
        int rc = sqlite3_step(st->lite);
        return rc == SQLITE_ROW ? MH_SQL_ROW : rc == SQLITE_DONE ? MH_SQL_DONE : MH_SQL_ERROR;
    }
    if (st->stream) {
        PQfreemem(st->blob);
        st->blob = NULL;
        if (st->res == NULL && pg_declare(st) != 0)
            return MH_SQL_ERROR;
        st->row++;
        if (st->row >= PQntuples(st->res) && PQntuples(st->res) == STREAM_BATCH &&
            pg_fetch(st) != 0)
            return MH_SQL_ERROR;
        if (st->row < 0)
            st->row = 0;
        return st->row < PQntuples(st->res) ? MH_SQL_ROW : MH_SQL_DONE;
    }
    if (st->res == NULL) {
        if (mh_sql_wait(st->s) != 0)
            return MH_SQL_ERROR;
        st->res = PQexecParams(st->s->pg, st->sql, st->nparams, st->types,
                               (const char *const *)st->vals, st->lens, st->fmts, 0);
        status = PQresultStatus(st->res);
        if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) {
            mh_store_pg_note_error(st->s, st->res);
            PQclear(st->res);
            st->res = NULL;
            return MH_SQL_ERROR;
        }
        st->s->pg_changes = atoll(PQcmdTuples(st->res));
    }
    PQfreemem(st->blob);
    st->blob = NULL;
    st->row++;
    return st->row < PQntuples(st->res) ? MH_SQL_ROW : MH_SQL_DONE;
}

int mh_sql_column_is_null(mh_stmt *st, int i)
{
    if (st->lite != NULL)
        return sqlite3_column_type(st->lite, i) == SQLITE_NULL;
    return PQgetisnull(st->res, st->row, i);
}

const char *mh_sql_column_text(mh_stmt *st, int i)
{
    if (st->lite != NULL)
        return (const char *)sqlite3_column_text(st->lite, i);
    return PQgetisnull(st->res, st->row, i) ? NULL : PQgetvalue(st->res, st->row, i);
}

int64_t mh_sql_column_int64(mh_stmt *st, int i)
{
    const char *t;
    if (st->lite != NULL)
        return sqlite3_column_int64(st->lite, i);
    t = mh_sql_column_text(st, i);
    if (t != NULL && (t[0] == 't' || t[0] == 'f') && t[1] == '\0')
        return t[0] == 't';  /* a boolean expression */
    return t != NULL ? strtoll(t, NULL, 10) : 0;
}

int mh_sql_column_int(mh_stmt *st, int i)
{
    return (int)mh_sql_column_int64(st, i);
}

double mh_sql_column_double(mh_stmt *st, int i)
{
    const char *t;
    if (st->lite != NULL)
        return sqlite3_column_double(st->lite, i);
    t = mh_sql_column_text(st, i);
    return t != NULL ? strtod(t, NULL) : 0.0;
}

const void *mh_sql_column_blob(mh_stmt *st, int i, size_t *len)
{
    if (st->lite != NULL) {
        const void *b = sqlite3_column_blob(st->lite, i);  /* before _bytes, as SQLite asks */
        *len = (size_t)sqlite3_column_bytes(st->lite, i);
        return b != NULL ? b : (sqlite3_column_type(st->lite, i) == SQLITE_NULL ? NULL : "");
    }
    *len = 0;
    if (PQgetisnull(st->res, st->row, i))
        return NULL;
    PQfreemem(st->blob);
    st->blob = PQunescapeBytea((const unsigned char *)PQgetvalue(st->res, st->row, i), len);
    return st->blob;
}

long long mh_sql_changes(mh_store *s)
{
    return s->pg != NULL ? s->pg_changes : sqlite3_changes(s->db);
}
