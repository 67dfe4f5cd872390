/*
 * store_users_page.c - the Users page one screen at a time.  Keyset paging
 * on the users table's primary key (app_id, sourced_id): each page starts
 * after the last row of the one before, so no page reads the rows of the
 * pages before it (OFFSET would).  A role filter walks users_by_role, whose
 * entries end with the key, so its order is the same.  A search is a
 * substring match (LIKE, its wildcards escaped) that stops at the page's
 * last row.
 */
#include "store_users_page.h"
#include "store_db.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* "%q%" with q's % _ and \ escaped by \. */
static char *like_pattern(const char *q)
{
    size_t n = strlen(q), i, o = 0;
    char *p = malloc(2 * n + 3);
    if (p == NULL)
        return NULL;
    p[o++] = '%';
    for (i = 0; i < n; i++) {
        if (q[i] == '%' || q[i] == '_' || q[i] == '\\')
            p[o++] = '\\';
        p[o++] = q[i];
    }
    p[o++] = '%';
    p[o] = '\0';
    return p;
}

/* SQLite's LIKE ignores ASCII case; PostgreSQL's needs ILIKE for that.
 * ?5, ?6: the key the rows come after (a page) or before (the page before). */
#define FILTERS(like) \
    "FROM users u JOIN apps a ON a.id = u.app_id " \
    "WHERE (CAST(?1 AS TEXT) IS NULL OR a.name = ?1) AND (CAST(?2 AS TEXT) IS NULL OR u.role = ?2) " \
    "AND (?3 < 0 OR u.active = ?3) " \
    "AND (CAST(?4 AS TEXT) IS NULL OR u.given_name || ' ' || u.family_name " like " ?4 ESCAPE '\\' " \
    "     OR u.email " like " ?4 ESCAPE '\\' OR u.username " like " ?4 ESCAPE '\\') " \
    "AND " MH_USER_HELD_IF("?8") " "
#define PAGE_SQL(like) \
    "SELECT " MH_USER_VIEW_COLUMNS ", u.app_id " FILTERS(like) \
    "AND (u.app_id, u.sourced_id) > (?5, ?6) ORDER BY u.app_id, u.sourced_id LIMIT ?7"
#define BEFORE_SQL(like) \
    "SELECT u.app_id, u.sourced_id " FILTERS(like) \
    "AND (u.app_id, u.sourced_id) < (?5, ?6) ORDER BY u.app_id DESC, u.sourced_id DESC " \
    "LIMIT 1 OFFSET ?7"

/* Prepares sql (PAGE_SQL or BEFORE_SQL) with q's filters bound, and its
 * key and number; *pattern (the search's) is the caller's to free. */
static int prepare_filtered(mh_store *s, const char *sql, const mh_user_query *q, int64_t n,
                            mh_stmt **st, char **pattern)
{
    *pattern = NULL;
    if (mh_sql_prepare(s, sql, st) != 0)
        return -1;
    if (q->app != NULL)
        mh_sql_bind_text(*st, 1, q->app, -1);
    if (q->role != NULL)
        mh_sql_bind_text(*st, 2, q->role, -1);
    mh_sql_bind_int64(*st, 3, q->status);
    if (q->search != NULL && q->search[0] != '\0') {
        if ((*pattern = like_pattern(q->search)) == NULL) {
            mh_sql_finalize(*st);
            return -1;
        }
        mh_sql_bind_text(*st, 4, *pattern, -1);
    }
    /* No key: the first page starts before every key. */
    mh_sql_bind_int64(*st, 5, q->after_sourced_id != NULL ? q->after_app_id : -1);
    mh_sql_bind_text(*st, 6, q->after_sourced_id != NULL ? q->after_sourced_id : "", -1);
    mh_sql_bind_int64(*st, 7, n);
    mh_sql_bind_int64(*st, 8, q->held);
    return 0;
}

int mh_store_users_page_before(mh_store *s, const mh_user_query *q, int rows, int64_t *app_id,
                               char *id, size_t cap)
{
    mh_stmt *st;
    char *pattern;
    int rc, found = 0;
    if (prepare_filtered(s, mh_sql_is_pg(s) ? BEFORE_SQL("ILIKE") : BEFORE_SQL("LIKE"), q, rows,
                         &st, &pattern) != 0)
        return -1;
    if ((rc = mh_sql_step(st)) == MH_SQL_ROW) {
        *app_id = mh_sql_column_int64(st, 0);
        snprintf(id, cap, "%s", mh_sql_column_text(st, 1));
        found = 1;
    }
    mh_sql_finalize(st);
    free(pattern);
    return rc == MH_SQL_ROW || rc == MH_SQL_DONE ? found : -1;
}

int mh_store_users_page(mh_store *s, const mh_user_query *q,
                        int (*fn)(void *ctx, const mh_user_view *u, int64_t app_id), void *ctx)
{
    mh_stmt *st;
    mh_user_view u;
    char *pattern;
    int rc;

    if (prepare_filtered(s, mh_sql_is_pg(s) ? PAGE_SQL("ILIKE") : PAGE_SQL("LIKE"), q, q->limit,
                         &st, &pattern) != 0)
        return -1;
    while ((rc = mh_sql_step(st)) == MH_SQL_ROW) {
        mh_user_view_read(st, &u);
        if (fn(ctx, &u, mh_sql_column_int64(st, 13)) != 0)
            break;
    }
    mh_sql_finalize(st);
    free(pattern);
    return rc == MH_SQL_ROW || rc == MH_SQL_DONE ? 0 : -1;
}
