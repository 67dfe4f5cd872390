/*
 * client.h - the connector's one HTTP client.  Every request the plugin
 * sends goes through it: roster pages (the pager drives several at once
 * with curl multi, through cl_client_setup and cl_client_retry), single
 * GETs, OAuth 2.0 tokens and every ClassLink Login call (cl_client_request).
 *
 * It owns, for all of them:
 *  - the HTTP rules (http.h) and the one retry policy (retry.h);
 *  - authorisation, through an authoriser asked before every attempt, and
 *    asked once to refresh after a 401 when it can (OAuth 2.0 tokens);
 *  - cancellation: checked before every attempt, while a transfer runs and
 *    during every wait, so a cancel ends any request within a second;
 *  - the admin's view of a slow server: after NOTICE_FIRST_MS without an
 *    answer, an INFO line through the host's log says what is being waited
 *    for, and again every NOTICE_EVERY_MS; long retry waits are announced;
 *  - the counters a run reports (requests, retries, bytes on the wire).
 * A client is used from one thread at a time.
 */
#ifndef CL_CLIENT_H
#define CL_CLIENT_H

#include <stdint.h>

#include <curl/curl.h>
#include <sis/host.h>
#include <sis/status.h>

#include "buf.h"
#include "http.h"
#include "retry.h"

typedef struct cl_client cl_client;

/* Builds the request headers for one attempt (a signature carries a fresh
 * nonce each time).  Returns a list the caller frees with
 * curl_slist_free_all, or NULL with err filled. */
typedef struct curl_slist *(*cl_headers_fn)(void *ctx, cl_client *c, const char *method,
                                            const char *url, sis_error *err);

/* How a request is authorised.  ctx is borrowed for as long as the
 * authoriser is in use. */
typedef struct cl_authorizer {
    cl_headers_fn headers;
    /* After a 401: get fresh credentials (a new token) for one more try;
     * NULL when a 401 is final. */
    int (*refresh)(void *ctx, cl_client *c, sis_error *err);
    void *ctx;
} cl_authorizer;

/* An authoriser that sends the same header lines on every attempt (a
 * bearer token, Basic credentials, a content type), after "Accept:
 * application/json".  Lines borrowed; unused ones NULL. */
typedef struct cl_fixed_headers {
    const char *lines[3];
} cl_fixed_headers;

void cl_fixed_authorizer(cl_authorizer *out, const cl_fixed_headers *h);

struct cl_client {
    const cl_http_opts *opts;          /* borrowed */
    cl_authorizer auth;                /* the roster endpoint's (pager, cl_client_get) */
    int (*cancelled)(void *ctx);       /* NULL: never cancelled */
    void *cancel_ctx;
    void (*progress)(void *ctx, const char *phase, uint64_t done, uint64_t total);
    void *progress_ctx;
    /* Notices (INFO) and warnings (WARN) for the admin; NULL: silent.
     * Never given a secret or a record. */
    void (*log)(void *ctx, sis_log_level level, const char *msg);
    void *log_ctx;
    /* Counters, accumulated over every request. */
    uint64_t requests;
    uint64_t retries;
    uint64_t bytes;
    long long quiet_until_ms;          /* notices are at most one per NOTICE_GAP_MS */
};

/* One buffered request. */
typedef struct cl_request {
    const char *method;                /* "GET" or "POST" */
    const char *url;
    const char *body;                  /* POST body, or NULL */
    const char *what;                  /* the peer in messages: "the Roster Server" */
    const cl_authorizer *auth;         /* NULL: the client's own */
} cl_request;

/* Sends the request, retrying as retry.h says.  The body goes into *out
 * (capped by the buffer's max and opts->max_body); resp holds the last
 * answer's headers.  Returns SIS_OK for a 2xx, else a failure explained in
 * err (SIS_ERR_CANCELLED when the host asked to stop). */
int cl_client_request(cl_client *c, const cl_request *rq, cl_buf *out, cl_http_response *resp,
                      sis_error *err);

/* A GET of one JSON document, authorised by the client's own authoriser. */
int cl_client_get(cl_client *c, const char *url, const char *what, cl_buf *out,
                  cl_http_response *resp, sis_error *err);

/* 1 when the host asked to stop. */
int cl_client_cancelled(cl_client *c);

/* Waits ms, waking early to return 1 when cancelled. */
int cl_client_wait(cl_client *c, long ms);

/* ---- for callers that drive transfers themselves (the pager) ---------- */

/* What one request's transfers report to the client while they run.
 * Strings borrowed for the request's life. */
typedef struct cl_watch {
    cl_client *c;
    const char *what;
    const char *url;
    cl_http_response *resp;
    long long since_ms;                /* the request's first attempt */
    long long attempt_ms;              /* the current attempt (cl_client_setup) */
    int attempt;                       /* its number, from 1 */
    long long next_notice_ms;
} cl_watch;

void cl_watch_init(cl_watch *w, cl_client *c, const char *what, const char *url,
                   cl_http_response *resp, long long since_ms);

/* Applies the HTTP rules to an easy handle for one attempt and hooks the
 * watch in (cancellation aborts the transfer; silence of this attempt is
 * announced), the header
 * parser (into w->resp) and curl_msg
 * (CURL_ERROR_SIZE bytes).  The caller sets URL, body and write callback. */
void cl_client_setup(cl_client *c, CURL *e, cl_watch *w, char *curl_msg);

/* After a transfer ended: fills resp->status and resp->connected, and
 * counts the bytes that crossed the wire. */
void cl_client_attempt_done(cl_client *c, CURL *e, cl_http_response *resp);

/* After a failed attempt: asks the policy, counts a retry and announces a
 * long wait.  Returns 1 to try again after r->wait_ms. */
int cl_client_retry(cl_client *c, cl_retry *r, cl_failure f, const cl_http_response *resp,
                    const char *what);

/* Explains why a request ended without success, knowing its retry story:
 * silence, throttling past the budget, cancellation, or cl_http_explain. */
int cl_client_explain(sis_error *err, const char *what, const char *url, CURLcode cc,
                      const char *curl_msg, const cl_http_response *resp, const char *body,
                      const cl_retry *r);

#endif
