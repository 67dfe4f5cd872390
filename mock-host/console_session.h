/* console_session.h - the console's sessions: a cookie's id, its CSRF
 * token and the one-shot flash message shown on the next page.
 *
 * The pages use the flash and the token (declared in console.h); the
 * HTTP server (console_http.c) keeps the table, finds or makes a request's
 * session, and brackets each request with begin/end.  One thread uses the
 * table at a time (see console.h). */
#ifndef MH_CONSOLE_SESSION_H
#define MH_CONSOLE_SESSION_H

typedef struct mh_session mh_session;
typedef struct mh_session_table mh_session_table;

/* A table of a fixed number of sessions (memory does not grow with use;
 * when full, the least recently used session makes room).  The caller
 * owns it: mh_sessions_free.  NULL when out of memory. */
mh_session_table *mh_sessions_new(void);
void mh_sessions_free(mh_session_table *t);

/* The session whose id (64 hex digits, from the cookie) is `id`; NULL when
 * none.  Borrowed from the table. */
mh_session *mh_session_find(mh_session_table *t, const char *id);
/* `bytes` (at most 32) random bytes as 2*bytes hex digits and a NUL into
 * out: ids, tokens, the console's access code.  0, or -1 when no random
 * bytes. */
int mh_session_random_hex(char *out, size_t bytes);
/* A new session with a random id and token; NULL when no random bytes. */
mh_session *mh_session_new(mh_session_table *t);
/* A new id and CSRF token for the same session (at sign-in, so that an id
 * someone else knew before it signed in is worth nothing after).  0, or -1
 * when no random bytes (the session is unchanged). */
int mh_session_renew(mh_session *s);
/* Its id, for the cookie (borrowed). */
const char *mh_session_id(const mh_session *s);
/* 1 when `token` is the session's CSRF token (compared in constant time). */
int mh_session_csrf_matches(const mh_session *s, const char *token);
/* A console that asks for an access code (console_access.h) serves its
 * pages only to a session that gave it. */
void mh_session_sign_in(mh_session *s);
int mh_session_signed_in(const mh_session *s);

/* Around the page of one request: a flash lives until a page has shown it,
 * and the session counts as used. */
void mh_session_request_begin(mh_session *s);
void mh_session_request_end(mh_session *s);

/* A message to show once on the next page: the outcome of a POST, or the
 * sentence of an error next to the field it concerns (field "" = the top
 * of the page).  values: the non-secret fields of a refused form, to fill
 * it again. */
void mh_flash_set(mh_session *s, int error, const char *field, const char *message);
void mh_flash_keep_value(mh_session *s, const char *key, const char *value);
/* The flash, if it is for `field`; the caller shows it.  NULL when none. */
const char *mh_flash_for(mh_session *s, const char *field, int *error);
const char *mh_flash_value(mh_session *s, const char *key);
/* The CSRF token of the session, for forms. */
const char *mh_session_csrf(mh_session *s);

#endif
