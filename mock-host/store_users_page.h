/* store_users_page.h - one page of the Users page for the console: filters
 * (app, role, status, a search of name, email and username) and keyset
 * paging, so page 20,000 of a million users costs what page 1 costs. */
#ifndef MH_STORE_USERS_PAGE_H
#define MH_STORE_USERS_PAGE_H

#include <stdint.h>

#include "store.h"
#include "store_users.h"

typedef struct mh_user_query {
    const char *app;              /* app name, NULL: every app */
    const char *role;             /* NULL: every role */
    int status;                   /* -1 every user, 1 active, 0 inactive */
    const char *search;           /* NULL or "": none; a case-insensitive substring */
    int held;                     /* 1: only the users a held run would deactivate */
    int64_t after_app_id;         /* keyset: the last row of the previous page */
    const char *after_sourced_id; /* NULL: from the first row */
    int limit;                    /* rows at most */
} mh_user_query;

/* Calls fn for each row of the page, by app then sourcedId; the view's
 * strings are borrowed for the call, app_id is the row's key for the next
 * page.  Stops at a non-zero return.  Returns 0 or -1. */
int mh_store_users_page(mh_store *s, const mh_user_query *q,
                        int (*fn)(void *ctx, const mh_user_view *u, int64_t app_id), void *ctx);
/* The page before the one that starts at q's key (after_app_id,
 * after_sourced_id: its first row), with q's filters: 1 and the key that
 * page comes after, `rows` rows back, into *app_id and id; 0 when that
 * page is the first one; -1 on error. */
int mh_store_users_page_before(mh_store *s, const mh_user_query *q, int rows, int64_t *app_id,
                               char *id, size_t cap);

#endif
