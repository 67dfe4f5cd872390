/*
 * retry.c - see retry.h for the policy.
 */
#include "retry.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/rand.h>

/* A second attempt that hears nothing at all ends the request. */
#define SILENT_ATTEMPTS 2

long long cl_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void cl_retry_start(cl_retry *r, long long now_ms)
{
    memset(r, 0, sizeof *r);
    r->started_ms = now_ms;
    r->attempt_started_ms = now_ms;
    r->asked_ms = -1;
}

void cl_retry_attempt(cl_retry *r, long long now_ms)
{
    r->attempts++;
    r->attempt_started_ms = now_ms;
}

cl_failure cl_retry_classify(CURLcode cc, long status, int answered)
{
    switch (cc) {
    case CURLE_OK:
        if (status == 429)
            return CL_FAIL_THROTTLED;
        return status == 500 || status == 502 || status == 503 || status == 504 ? CL_FAIL_ERROR
                                                                                 : CL_FAIL_FINAL;
    case CURLE_OPERATION_TIMEDOUT:
        return answered ? CL_FAIL_ERROR : CL_FAIL_SILENT;
    case CURLE_COULDNT_CONNECT:
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
    case CURLE_BAD_CONTENT_ENCODING:
        return CL_FAIL_ERROR;
    default:
        return CL_FAIL_FINAL;
    }
}

long cl_retry_after_ms(const char *value, time_t now)
{
    char *end;
    long secs;
    time_t when;

    if (value == NULL || value[0] == '\0')
        return -1;
    secs = strtol(value, &end, 10);
    if (end != value && *end == '\0') {
        if (secs < 0)
            return -1;
        /* Beyond a day it cannot fit any budget; keep the product in range. */
        return secs > 86400 ? 86400L * 1000 : secs * 1000;
    }
    when = curl_getdate(value, NULL);
    if (when <= 0)
        return -1;
    if (when <= now)
        return 0;
    return when - now > 86400 ? 86400L * 1000 : (long)(when - now) * 1000;
}

/* Full jitter over base * 2^(n-1), capped at max_delay_ms. */
static long backoff(const cl_http_opts *o, int n)
{
    unsigned int rnd = 0;
    long cap = o->base_delay_ms;

    while (n-- > 1 && cap < o->max_delay_ms)
        cap *= 2;
    if (cap > o->max_delay_ms)
        cap = o->max_delay_ms;
    if (cap <= 0)
        return 0;
    RAND_bytes((unsigned char *)&rnd, sizeof rnd);
    return (long)(rnd % (unsigned long)(cap + 1));
}

static cl_retry_verdict verdict(cl_retry *r, cl_retry_verdict v)
{
    r->verdict = v;
    return v;
}

cl_retry_verdict cl_retry_next(cl_retry *r, const cl_http_opts *o, cl_failure f, long asked_ms,
                               long long now_ms)
{
    long wait, left;

    r->wait_ms = 0;
    r->asked_ms = -1;
    switch (f) {
    case CL_FAIL_THROTTLED:
        r->throttled++;
        if (asked_ms >= 0) {
            r->asked_ms = asked_ms;
            wait = asked_ms > o->base_delay_ms ? asked_ms : o->base_delay_ms;
        } else {
            wait = backoff(o, r->throttled);
        }
        if (wait < 1)
            wait = 1;  /* a 429 storm is never answered in a tight loop */
        break;
    case CL_FAIL_SILENT:
        r->silent++;
        r->silent_ms += now_ms - r->attempt_started_ms;
        r->errors++;
        if (r->silent >= SILENT_ATTEMPTS)
            return verdict(r, CL_RETRY_SILENT);
        if (r->errors >= o->max_attempts)
            return verdict(r, CL_RETRY_ATTEMPTS);
        wait = backoff(o, r->errors);
        break;
    case CL_FAIL_ERROR:
        r->errors++;
        if (r->errors >= o->max_attempts)
            return verdict(r, CL_RETRY_ATTEMPTS);
        wait = backoff(o, r->errors);
        break;
    case CL_FAIL_FINAL:
    default:
        return verdict(r, CL_RETRY_FINAL);
    }
    left = o->retry_budget_ms - (long)r->waited_ms;
    if (left <= 0 || (wait > left && r->asked_ms >= 0))
        return verdict(r, CL_RETRY_BUDGET);
    if (wait > left)
        wait = left;  /* backoff is a guess: the budget's end is as good a time */
    r->wait_ms = wait;
    r->waited_ms += wait;
    return verdict(r, CL_RETRY_AGAIN);
}
