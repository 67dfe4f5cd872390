/* http.h - libcurl with the connector's rules: TLS verification always on,
 * timeouts and a low-speed limit, gzip, no redirects; the response headers
 * the connector reads; and failures explained in words an admin can act on.
 * Requests themselves, with retries, are the client's (client.h). */
#ifndef CL_HTTP_H
#define CL_HTTP_H

#include <stddef.h>
#include <stdint.h>

#include <curl/curl.h>
#include <sis/status.h>


typedef struct cl_http_opts {
    long connect_timeout_ms;   /* per connection attempt */
    long request_timeout_ms;   /* per request, whole body included */
    long stall_timeout_s;      /* abort when under 1 byte/s arrives for this long */
    size_t max_body;           /* cap for buffered bodies and one record */
    const char *ca_file;       /* extra CA bundle, or NULL; borrowed */
    int max_attempts;          /* failed attempts per request (429s not counted) */
    long retry_budget_ms;      /* total waiting between one request's attempts */
    long base_delay_ms;        /* first backoff cap; the least wait after a 429 */
    long max_delay_ms;         /* backoff cap */
} cl_http_opts;

void cl_http_opts_default(cl_http_opts *o);

typedef struct cl_http_response {
    long status;
    int answered;              /* a status line arrived */
    int connected;             /* the connection was made (set after the transfer) */
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

/* Fills err with what went wrong and what to do; returns the status code.
 * `what` names the peer ("the Roster Server"); `body` is an error body
 * excerpt (imsx status objects are read from it) or NULL. */
int cl_http_explain(sis_error *err, const char *what, const char *url, CURLcode cc,
                    const char *curl_msg, const cl_http_response *r, const char *body,
                    int attempts);

/* "" for one, "s" otherwise: "after 1 attempt", "after 3 attempts". */
#define CL_S(n) ((n) == 1 ? "" : "s")

#endif
