/* http.h - libcurl with the connector's rules: TLS verification always on,
 * timeouts, gzip, no redirects, capped bodies, retries with backoff and full
 * jitter, and failures explained in words an admin can act on. */
#ifndef CL_HTTP_H
#define CL_HTTP_H

#include <stddef.h>
#include <stdint.h>

#include <curl/curl.h>
#include <sis/status.h>

#include "buf.h"

typedef struct cl_http_opts {
    long connect_timeout_ms;   /* per connection attempt */
    long request_timeout_ms;   /* per request, whole body included */
    long stall_timeout_s;      /* abort when nothing arrives for this long */
    size_t max_body;           /* cap for buffered bodies and one record */
    const char *ca_file;       /* extra CA bundle, or NULL; borrowed */
    int max_attempts;          /* attempts per request, first included */
    long retry_budget_ms;      /* total waiting between retries */
    long base_delay_ms;
    long max_delay_ms;
} cl_http_opts;

void cl_http_opts_default(cl_http_opts *o);

typedef struct cl_http_response {
    long status;
    char content_type[128];
    char date[64];
    char retry_after[64];
    long long total_count;     /* X-Total-Count, -1 when absent */
    long long page_count;      /* x-count / x-returned-count, -1 when absent */
    char perm_rev[128];        /* x-perm-rev, "" when absent */
    char link_next[2048];      /* Link rel="next", "" when absent */
    uint64_t bytes;            /* body bytes received */
} cl_http_response;

void cl_http_response_reset(cl_http_response *r);

/* CURLOPT_HEADERFUNCTION for a cl_http_response (userdata). */
size_t cl_http_header_cb(char *buf, size_t size, size_t n, void *userdata);

/* Applies the connector's rules to an easy handle. */
void cl_http_setup(CURL *e, const cl_http_opts *o);

/* 1 when the failure is worth another attempt (429, 5xx, dropped or slow
 * connections, a body cut short). */
int cl_http_is_retryable(CURLcode cc, long status);

/* Milliseconds to wait before attempt `attempt` (1 = first retry): the
 * server's Retry-After when given (seconds or HTTP date), else full jitter
 * over an exponential backoff. */
long cl_http_retry_delay_ms(const cl_http_opts *o, int attempt, const char *retry_after);

/* Fills err with what went wrong and what to do; returns the status code.
 * `what` names the peer ("the Roster Server"); `body` is an error body
 * excerpt (imsx status objects are read from it) or NULL. */
int cl_http_explain(sis_error *err, const char *what, const char *url, CURLcode cc,
                    const char *curl_msg, const cl_http_response *r, const char *body,
                    int attempts);

/* Builds the request headers for one attempt (signatures carry a fresh
 * nonce each time).  Returns a list the request frees, or NULL with err. */
typedef struct curl_slist *(*cl_headers_fn)(void *ctx, const char *method, const char *url,
                                            sis_error *err);

/* One buffered request with retries (tokens, LaunchPad, single objects).
 * The body goes into *out (capped by max_body).  `attempts`, when not
 * NULL, receives how many requests were sent. */
int cl_http_request(const cl_http_opts *o, const char *method, const char *url,
                    cl_headers_fn headers, void *headers_ctx, const char *body,
                    const char *what, cl_buf *out, cl_http_response *resp, int *attempts,
                    sis_error *err);

/* Sleeps ms, waking early when cancelled() says so; returns 1 if cancelled. */
int cl_sleep_ms(long ms, int (*cancelled)(void *), void *ctx);

#endif
