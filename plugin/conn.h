/* conn.h - one app's connection to its roster: settings read through the
 * host, credentials from its secret store, a client ready for requests. */
#ifndef CL_CONN_H
#define CL_CONN_H

#include <sis/connector.h>

#include "auth.h"
#include "client.h"
#include "http.h"

typedef struct cl_conn {
    char root[512];          /* OneRoster root, e.g. https://x/ims/oneroster/v1p1 */
    int version12;           /* 1 for OneRoster 1.2 shapes */
    cl_auth auth;
    cl_http_opts http;
    char ca_file[512];
    long page_size;
    int concurrency;
    long delta_overlap_s;
    size_t max_record_bytes;
    cl_client client;
    void *host_ctx[2];       /* host table and app, for the client's callbacks */
} cl_conn;

/* Reads the tuning settings (page size, timeouts...) from the app's config,
 * with defaults. */
void cl_conn_tuning(cl_conn *c, const sis_host *host, sis_host_app *app);

/* Loads the stored connection.  SIS_ERR_CONFIG when the app is not
 * connected, with what to do. */
int cl_conn_load(cl_conn *c, const sis_host *host, sis_host_app *app, sis_error *err);

/* Wires the client to the connection's credentials (call again after
 * they change) and to the host's cancellation, progress and log. */
void cl_conn_bind(cl_conn *c, const sis_host *host, sis_host_app *app);

/* Wipes and frees what the connection owns. */
void cl_conn_clear(cl_conn *c);

/* Normalises what an admin typed: a bare host gets the OneRoster 1.1 root;
 * a trailing slash goes.  Returns SIS_OK or SIS_ERR_CONFIG. */
int cl_conn_normalise_root(const char *input, char *out, size_t cap, sis_error *err);

/* Reads one config value; returns 1 when present. */
int cl_config(const sis_host *host, sis_host_app *app, const char *key, char *buf, size_t cap);

#endif
