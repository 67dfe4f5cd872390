/* console_server.h - starting and stopping the console (console_http.c),
 * the router (console_router.c) and the background jobs (console_jobs.c). */
#ifndef MH_CONSOLE_SERVER_H
#define MH_CONSOLE_SERVER_H

#include <stddef.h>

#include "console.h"
#include "console_access.h"

typedef struct mh_console_server mh_console_server;

/* Listens on listen_addr:port (port 0: any free port) with the store and
 * plugins of ctx (borrowed; opened by the caller).  access: the code every
 * browser session gives first (borrowed, outlives the server); required
 * unless listen_addr is loopback, NULL there.  *out belongs to the
 * caller: mh_console_stop.  0, or -1 with a sentence in errbuf. */
int mh_console_start(mh_console_server **out, mh_ctx *ctx, const char *listen_addr,
                     unsigned port, const mh_access *access, char *errbuf, size_t cap);
/* "http://127.0.0.1:8080" (borrowed). */
const char *mh_console_url(const mh_console_server *srv);
/* The port it listens on (the one chosen when started with port 0). */
unsigned mh_console_port(const mh_console_server *srv);
mh_console *mh_console_of(mh_console_server *srv);
/* Stops answering (waits for the request in progress), then frees. */
void mh_console_stop(mh_console_server *srv);
int mh_console_listen_is_loopback(const char *addr);

/* Calls the page of r->method and r->path into res; a 404 page when none. */
void mh_console_route(mh_request *r, mh_response *res);

/* ---- background jobs: mock-host commands run as child processes -------- */

/* Runs `mock-host --db DB ARGS...` (args NULL-terminated) and waits; its
 * stdout and stderr, in order, into *output (the caller frees it).  Extra
 * environment "NAME=VALUE" entries (for a secret given as --FIELD-env
 * NAME) go to the child only.  Returns the exit status, or -1 when it
 * could not run (a sentence in *output). */
int mh_console_run(mh_console *con, const char *const *args, const char *const *extra_env,
                   char **output);

/* A sync (or its confirmation) of one app in the background: one at a
 * time per app.  0 started, 1 one is already running, -1 failed. */
int mh_job_start(mh_console *con, const char *app, const char *what, const char *const *args);
/* What the app's latest job is doing.  Strings copied into the caller's
 * buffers.  0 when there is one, 1 when none since the console started. */
typedef struct mh_job_view {
    int running;
    int exit_status;          /* when not running */
    char what[64];            /* "Sync (full)" */
    char last_line[512];      /* the latest progress line */
    char *output;             /* whole output so far; the caller frees it */
} mh_job_view;
int mh_job_get(const char *app, mh_job_view *out);
/* Asks every running job to stop (SIGTERM: the sync rolls back) and waits. */
void mh_jobs_stop_all(void);

#endif
