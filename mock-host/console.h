/* console.h - what the web console's files share: the server's state, one
 * request as a page handler sees it, and the response it fills.
 *
 * Threading: libmicrohttpd runs every request on its one internal polling
 * thread, so page handlers, the store connection and the sessions are used
 * by one thread at a time.  Only the background jobs (console_jobs.c) have
 * a thread of their own, and they keep their state behind their own lock. */
#ifndef MH_CONSOLE_H
#define MH_CONSOLE_H

#include <stddef.h>

#include "cli.h"
#include "console_session.h"
#include "jsonw.h"

#define MH_CONSOLE_MAX_FIELDS 64     /* form fields per POST */
#define MH_CONSOLE_MAX_BODY (64 * 1024)

typedef struct mh_console mh_console;

/* One POSTed field; both strings owned by the request (secrets are wiped
 * when it ends). */
typedef struct mh_form_field {
    char *key;
    char *value;
} mh_form_field;

typedef struct mh_request {
    mh_console *con;
    struct MHD_Connection *conn;
    const char *method;               /* "GET" or "POST" */
    const char *path;
    char app[64];                     /* the app named in the path, "" when none */
    mh_session *session;              /* never NULL */
    mh_form_field form[MH_CONSOLE_MAX_FIELDS];
    size_t n_form;
} mh_request;

typedef struct mh_response {
    int status;                       /* 200, 303, 404 ... */
    const char *content_type;         /* static */
    mh_str body;                      /* owned */
    char location[2048];              /* for 303 */
    int renewed_session;              /* the session has a new id: send its cookie */
} mh_response;

/* The server, for the page files: the command line's context (store
 * opened, plugins scanned), where it listens, and its own program. */
struct mh_console {
    mh_ctx *ctx;
    char base_url[200];               /* "http://127.0.0.1:8080" */
    char self_exe[4096];              /* this binary, to run commands as children */
    /* The access code asked for, or NULL on loopback (console_access.h);
     * borrowed from the caller of mh_console_start. */
    const struct mh_access *access;
};

/* Sessions and their flash messages: console_session.h. */

/* ---- request helpers (console_http.c) ----------------------------------- */

/* The first value of form field `key`, or NULL. */
const char *mh_form_get(const mh_request *r, const char *key);
/* The query argument `key`, or NULL. */
const char *mh_query_get(const mh_request *r, const char *key);
/* A 303 to `location` (a path of this console). */
void mh_redirect(mh_response *res, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* "The database is busy ..." when the last failure of the store was a
 * lock held by another mock-host, else NULL. */
const char *mh_console_busy_sentence(mh_console *con);

/* ---- pages (one file per group) ----------------------------------------- */

typedef void (*mh_page_fn)(mh_request *r, mh_response *res);

void mh_page_marketplace(mh_request *r, mh_response *res);
void mh_action_install(mh_request *r, mh_response *res);
void mh_page_apps(mh_request *r, mh_response *res);

void mh_page_setup(mh_request *r, mh_response *res);
void mh_action_connect(mh_request *r, mh_response *res);
void mh_action_login(mh_request *r, mh_response *res);
void mh_page_callback(mh_request *r, mh_response *res);
void mh_action_settings(mh_request *r, mh_response *res);
void mh_action_disconnect(mh_request *r, mh_response *res);

void mh_page_fields(mh_request *r, mh_response *res);
void mh_action_fields_discover(mh_request *r, mh_response *res);
void mh_action_fields_metadata(mh_request *r, mh_response *res);
void mh_action_fields_role(mh_request *r, mh_response *res);

void mh_page_sync(mh_request *r, mh_response *res);
void mh_action_sync(mh_request *r, mh_response *res);
void mh_action_sync_confirm(mh_request *r, mh_response *res);
void mh_json_sync_status(mh_request *r, mh_response *res);

void mh_page_users(mh_request *r, mh_response *res);

void mh_page_roles(mh_request *r, mh_response *res);
void mh_action_roles(mh_request *r, mh_response *res);
void mh_page_locations(mh_request *r, mh_response *res);
void mh_action_locations(mh_request *r, mh_response *res);
void mh_action_names(mh_request *r, mh_response *res);

/* Static assets (console_assets.c): 0 and the asset, or -1 when none. */
int mh_asset_find(const char *path, const char **body, size_t *len, const char **type);

/* Finds the app of the request for a page: 0, or -1 after filling a 404
 * page that says so. */
int mh_console_app(mh_request *r, mh_response *res, sis_host_app *happ);

#endif
