/* store_users.h - the users table (the Users page as stored) and the
 * stored SIS records it is mapped from. */
#ifndef MH_STORE_USERS_H
#define MH_STORE_USERS_H

#include <stdint.h>

#include "jsonw.h"
#include "store.h"

/* A mapped user, encoded for its row.  Owns its buffers; reused. */
typedef struct mh_user_row {
    mh_str sourced_id, role, given_name, family_name, email, username, portal_role;
    int has_portal_role;
    int active;
    mh_str fields, locations, flags;   /* JSON texts */
    uint64_t hash;                     /* of everything above: "did this row change" */
} mh_user_row;

/* Prepared statements for the rows of one app, reused for every user of a
 * run (the caller holds the transaction).  Opaque; belongs to the caller:
 * mh_user_rows_close. */
typedef struct mh_user_rows mh_user_rows;

int mh_user_rows_open(mh_user_rows **out, mh_store *s, int64_t app_id);
void mh_user_rows_close(mh_user_rows *r);
/* 1 found (*active and *hash set), 0 no such row, -1 error. */
int mh_user_rows_get(mh_user_rows *r, const mh_str *sourced_id, int *active, uint64_t *hash);
/* Inserts or replaces the row, stamped `updated_at`; 0 or -1. */
int mh_user_rows_put(mh_user_rows *r, const mh_user_row *row, const char *updated_at);
/* From now on, on PostgreSQL, puts are gathered and applied in batches
 * (one set-based upsert each, not a round trip per row); the caller must
 * then call mh_user_rows_flush before its transaction commits.  A no-op
 * on SQLite.  Callers that never ask keep one statement per put. */
void mh_user_rows_gather(mh_user_rows *r);
/* Applies what is gathered (a put's error may only show here); 0 or -1.
 * A no-op when nothing is gathered, on SQLite and for NULL. */
int mh_user_rows_flush(mh_user_rows *r);

/* Appends "unmapped_roles":{role:n},"unmapped_orgs":{org:n} (orgs the roster
 * has, with no location),"unknown_orgs":{org:n} (orgs it does not have) for the app's
 * active users (itxm; empty objects otherwise). */
void mh_store_unmapped_json(mh_store *s, int64_t app_id, int itxm, mh_str *out);

/* A stored SIS record still present in the district; strings borrowed for
 * the call. */
typedef struct mh_stored_record {
    const char *sourced_id;
    int status, enabled;
    const char *modified, *body;
} mh_stored_record;
/* Calls fn for each present record of the app; stops at a non-zero return
 * and returns it, or 0, or -1 on a database error. */
int mh_store_records_each(mh_store *s, int64_t app_id,
                          int (*fn)(void *ctx, const mh_stored_record *rec), void *ctx);

/* A row of the Users page as shown; strings borrowed for the call. */
typedef struct mh_user_view {
    const char *app, *sourced_id, *role;
    int active;
    const char *given_name, *family_name, *email, *username;
    const char *portal_role;              /* NULL when none */
    const char *locations, *fields, *flags;   /* JSON texts */
    int app_itxm;                         /* the user's app is an ITxM account */
} mh_user_view;

/* The columns of a user view, in the order mh_user_view_read takes them
 * (u: users, a: apps); a query may add its own after them. */
#define MH_USER_VIEW_COLUMNS \
    "a.name, u.sourced_id, u.role, u.active, u.given_name, u.family_name, u.email, " \
    "u.username, u.portal_role, u.locations, u.fields, u.flags, a.itxm"
/* The view of the current row of a query that selects MH_USER_VIEW_COLUMNS
 * first; its strings are borrowed from the row (valid until the next step). */
struct mh_stmt;
void mh_user_view_read(struct mh_stmt *st, mh_user_view *u);

/* SQL true for a user u a held run would deactivate (store_absence.h), or
 * for every user when the parameter `flag` is 0. */
#define MH_USER_HELD_IF(flag) \
    "(" flag " = 0 OR EXISTS (SELECT 1 FROM held_absent h WHERE h.app_id = u.app_id AND " \
    "h.sourced_id = u.sourced_id))"

/* The Users page, by app then sourcedId; app and role filter when not NULL,
 * held_only keeps the users a held run would deactivate.  Stops at a
 * non-zero return of fn.  Returns 0 or -1. */
int mh_store_users_each(mh_store *s, const char *app, const char *role, int held_only,
                        int (*fn)(void *ctx, const mh_user_view *u), void *ctx);
/* Each role stored (of `app`, or of every app when NULL) with its user
 * count, by role.  Returns 0 or -1. */
int mh_store_user_roles_each(mh_store *s, const char *app,
                             int (*fn)(void *ctx, const char *role, long long users), void *ctx);

#endif
