/*
 * retry.h - the connector's one retry policy.  Every request follows it:
 * the pager's pages, verification GETs, OAuth 2.0 tokens, ClassLink Login.
 *
 * After a failed attempt, cl_retry_next says whether to try again and how
 * long to wait first:
 *  - Only transient failures are retried: 429, 500/502/503/504, refused or
 *    dropped connections, timeouts, bodies cut short or unreadable.  Any
 *    other answer (401, 403, 404, a TLS failure) is final at once.
 *  - Every request has a time budget, retry_budget_ms: the total of its
 *    waits between attempts.  No wait runs past it.
 *  - A 429 is flow control, not failure: it costs no attempt.  The wait is
 *    the server's Retry-After (seconds or an HTTP date), never shorter than
 *    base_delay_ms; without one, exponential backoff with full jitter.  A
 *    storm is ridden out for as long as the budget lasts; a Retry-After that
 *    does not fit in what is left of the budget ends the request at once
 *    (waiting less than asked would only earn another 429).
 *  - Real errors (5xx, resets, timeouts, broken bodies) count: after
 *    max_attempts of them the request fails.  Their wait is backoff
 *    (base_delay_ms doubling up to max_delay_ms) with full jitter.
 *  - Silence: an attempt that timed out before the server sent a single
 *    byte gets one more chance; a second silence ends the request.  A server
 *    that accepts connections and never answers therefore fails after
 *    2 x stall_timeout_s plus one backoff: under a minute by default.
 * The waiting itself, with cancellation and notices, is the client's job
 * (client.h); this module only decides, so it can be tested alone.
 */
#ifndef CL_RETRY_H
#define CL_RETRY_H

#include <time.h>

#include <curl/curl.h>

#include "http.h"

/* How one failed attempt ended, as the policy sees it. */
typedef enum cl_failure {
    CL_FAIL_FINAL = 0,      /* not worth another attempt */
    CL_FAIL_THROTTLED,      /* HTTP 429 */
    CL_FAIL_ERROR,          /* transient: 5xx, reset, cut or broken body, late timeout */
    CL_FAIL_SILENT          /* timed out before the server sent anything */
} cl_failure;

typedef enum cl_retry_verdict {
    CL_RETRY_AGAIN = 0,     /* wait r->wait_ms, then try again */
    CL_RETRY_FINAL,         /* the failure is not transient */
    CL_RETRY_ATTEMPTS,      /* max_attempts errors */
    CL_RETRY_BUDGET,        /* the next wait would run past the time budget */
    CL_RETRY_SILENT         /* the server stayed silent twice */
} cl_retry_verdict;

/* The retry state of one request.  Plain data; no cleanup. */
typedef struct cl_retry {
    long long started_ms;          /* monotonic time of the first attempt */
    long long attempt_started_ms;  /* of the current attempt */
    int attempts;                  /* attempts sent */
    int errors;                    /* failed attempts that count against max_attempts */
    int throttled;                 /* 429 answers */
    int silent;                    /* attempts that timed out unanswered */
    long long silent_ms;           /* time spent in those */
    long long waited_ms;           /* total of the waits decided so far */
    long wait_ms;                  /* the wait decided by the last cl_retry_next */
    long asked_ms;                 /* the last Retry-After in ms, -1 when none */
    cl_retry_verdict verdict;      /* of the last cl_retry_next */
} cl_retry;

/* Monotonic milliseconds. */
long long cl_now_ms(void);

void cl_retry_start(cl_retry *r, long long now_ms);

/* Records that an attempt is being sent. */
void cl_retry_attempt(cl_retry *r, long long now_ms);

/* Classifies how an attempt ended: `answered` is 1 when any byte of a
 * response (a status line) arrived. */
cl_failure cl_retry_classify(CURLcode cc, long status, int answered);

/* A Retry-After header value (delay-seconds or an HTTP date, compared with
 * `now`) in ms; -1 when absent or unreadable. */
long cl_retry_after_ms(const char *value, time_t now);

/* Decides after a failed attempt (see the top of this file).  `asked_ms`
 * is cl_retry_after_ms of the answer, or -1.  Sets r->verdict, r->wait_ms
 * and r->asked_ms, and returns the verdict. */
cl_retry_verdict cl_retry_next(cl_retry *r, const cl_http_opts *o, cl_failure f, long asked_ms,
                               long long now_ms);

#endif
