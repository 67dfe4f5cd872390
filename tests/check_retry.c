/* check_retry.c - the one retry policy (plugin/retry.h), decision by
 * decision: what is retried, what a 429 costs, how Retry-After is read,
 * where the time budget and the attempt count end a request.  No clocks:
 * every "now" is given. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "../plugin/retry.h"
#include "testutil.h"

static cl_http_opts opts(void)
{
    cl_http_opts o;
    cl_http_opts_default(&o);
    o.max_attempts = 3;
    o.retry_budget_ms = 10000;
    o.base_delay_ms = 5;
    o.max_delay_ms = 40;
    return o;
}

/* One failed attempt at `now`, decided. */
static cl_retry_verdict fail_once(cl_retry *r, const cl_http_opts *o, cl_failure f, long asked,
                                  long long now)
{
    cl_retry_attempt(r, now);
    return cl_retry_next(r, o, f, asked, now);
}

START_TEST(only_transient_failures_are_worth_another_attempt)
{
    ck_assert_int_eq(cl_retry_classify(CURLE_OK, 429, 1), CL_FAIL_THROTTLED);
    ck_assert_int_eq(cl_retry_classify(CURLE_OK, 503, 1), CL_FAIL_ERROR);
    ck_assert_int_eq(cl_retry_classify(CURLE_OK, 500, 1), CL_FAIL_ERROR);
    ck_assert_int_eq(cl_retry_classify(CURLE_RECV_ERROR, 0, 1), CL_FAIL_ERROR);
    ck_assert_int_eq(cl_retry_classify(CURLE_OPERATION_TIMEDOUT, 200, 1), CL_FAIL_ERROR);
    ck_assert_int_eq(cl_retry_classify(CURLE_OPERATION_TIMEDOUT, 0, 0), CL_FAIL_SILENT);
    ck_assert_int_eq(cl_retry_classify(CURLE_OK, 401, 1), CL_FAIL_FINAL);
    ck_assert_int_eq(cl_retry_classify(CURLE_OK, 403, 1), CL_FAIL_FINAL);
    ck_assert_int_eq(cl_retry_classify(CURLE_OK, 404, 1), CL_FAIL_FINAL);
    ck_assert_int_eq(cl_retry_classify(CURLE_PEER_FAILED_VERIFICATION, 0, 0), CL_FAIL_FINAL);
    ck_assert_int_eq(cl_retry_classify(CURLE_ABORTED_BY_CALLBACK, 0, 0), CL_FAIL_FINAL);
}
END_TEST

START_TEST(a_429_storm_costs_no_attempt_and_ends_only_with_the_budget)
{
    cl_http_opts o = opts();
    cl_retry r;
    long long now = 0;
    int i;

    cl_retry_start(&r, now);
    /* Ten times max_attempts 429s, each asking for 100 ms: all ridden out. */
    for (i = 0; i < 30; i++) {
        ck_assert_int_eq(fail_once(&r, &o, CL_FAIL_THROTTLED, 100, now), CL_RETRY_AGAIN);
        ck_assert_int_eq(r.wait_ms, 100);
        now += r.wait_ms;
    }
    ck_assert_int_eq(r.errors, 0);
    ck_assert_int_eq(r.throttled, 30);
    /* Real errors still count: the third one ends the request. */
    ck_assert_int_eq(fail_once(&r, &o, CL_FAIL_ERROR, -1, now), CL_RETRY_AGAIN);
    ck_assert_int_eq(fail_once(&r, &o, CL_FAIL_ERROR, -1, now), CL_RETRY_AGAIN);
    ck_assert_int_eq(fail_once(&r, &o, CL_FAIL_ERROR, -1, now), CL_RETRY_ATTEMPTS);

    /* Without Retry-After, a storm is ridden out with backoff until the
     * waits add up to the budget, never past it. */
    cl_retry_start(&r, 0);
    for (i = 0; i < 100000 && fail_once(&r, &o, CL_FAIL_THROTTLED, -1, 0) == CL_RETRY_AGAIN; i++) {
        ck_assert_int_ge(r.wait_ms, 1);
        ck_assert_int_le(r.wait_ms, o.max_delay_ms);
    }
    ck_assert_int_eq(r.verdict, CL_RETRY_BUDGET);
    ck_assert_int_eq(r.waited_ms, o.retry_budget_ms);
    ck_assert_int_gt(r.throttled, o.max_attempts);
}
END_TEST

START_TEST(retry_after_is_read_as_seconds_or_an_http_date)
{
    time_t now = 1767225600;  /* Thu, 01 Jan 2026 00:00:00 GMT */
    ck_assert_int_eq(cl_retry_after_ms("7", now), 7000);
    ck_assert_int_eq(cl_retry_after_ms("0", now), 0);
    ck_assert_int_eq(cl_retry_after_ms("Thu, 01 Jan 2026 00:00:30 GMT", now), 30000);
    ck_assert_int_eq(cl_retry_after_ms("Wed, 31 Dec 2025 23:00:00 GMT", now), 0);  /* past */
    ck_assert_int_eq(cl_retry_after_ms("", now), -1);
    ck_assert_int_eq(cl_retry_after_ms(NULL, now), -1);
    ck_assert_int_eq(cl_retry_after_ms("-5", now), -1);
    ck_assert_int_eq(cl_retry_after_ms("soon", now), -1);
    /* Absurd values stay in range: a day at most. */
    ck_assert_int_eq(cl_retry_after_ms("99999999999", now), 86400L * 1000);
}
END_TEST

START_TEST(the_server_s_wait_is_honoured_and_never_shortened)
{
    cl_http_opts o = opts();
    cl_retry r;

    cl_retry_start(&r, 0);
    ck_assert_int_eq(fail_once(&r, &o, CL_FAIL_THROTTLED, 7000, 0), CL_RETRY_AGAIN);
    ck_assert_int_eq(r.wait_ms, 7000);
    ck_assert_int_eq(r.asked_ms, 7000);
    /* "Retry-After: 0" still waits base_delay_ms: no tight loop. */
    ck_assert_int_eq(fail_once(&r, &o, CL_FAIL_THROTTLED, 0, 7000), CL_RETRY_AGAIN);
    ck_assert_int_eq(r.wait_ms, o.base_delay_ms);
    /* A wait that does not fit in what is left of the budget ends the
     * request at once rather than retrying early into another 429. */
    ck_assert_int_eq(fail_once(&r, &o, CL_FAIL_THROTTLED, 5000, 7005), CL_RETRY_BUDGET);
    ck_assert_int_eq(r.wait_ms, 0);
    ck_assert_int_eq(r.asked_ms, 5000);
}
END_TEST

START_TEST(a_second_silence_ends_the_request)
{
    cl_http_opts o = opts();
    cl_retry r;

    o.max_attempts = 6;
    cl_retry_start(&r, 0);
    cl_retry_attempt(&r, 0);
    ck_assert_int_eq(cl_retry_next(&r, &o, CL_FAIL_SILENT, -1, 4000), CL_RETRY_AGAIN);
    cl_retry_attempt(&r, 4000 + r.wait_ms);
    ck_assert_int_eq(cl_retry_next(&r, &o, CL_FAIL_SILENT, -1, 8000 + r.wait_ms), CL_RETRY_SILENT);
    ck_assert_int_eq(r.attempts, 2);
    ck_assert_int_eq(r.silent_ms, 8000);
}
END_TEST

START_TEST(the_defaults_give_up_on_a_silent_server_within_a_minute)
{
    cl_http_opts o;
    cl_http_opts_default(&o);
    /* Two silent attempts of stall_timeout_s and one backoff between. */
    ck_assert_int_lt(2 * o.stall_timeout_s * 1000 + o.base_delay_ms, 60000);
    ck_assert_int_ge(o.stall_timeout_s, 10);  /* but a slow page still gets time */
}
END_TEST

START_TEST(final_failures_and_an_exhausted_budget_are_not_retried)
{
    cl_http_opts o = opts();
    cl_retry r;

    cl_retry_start(&r, 0);
    ck_assert_int_eq(fail_once(&r, &o, CL_FAIL_FINAL, -1, 0), CL_RETRY_FINAL);
    o.retry_budget_ms = 0;
    cl_retry_start(&r, 0);
    ck_assert_int_eq(fail_once(&r, &o, CL_FAIL_ERROR, -1, 0), CL_RETRY_BUDGET);
    cl_retry_start(&r, 0);
    ck_assert_int_eq(fail_once(&r, &o, CL_FAIL_THROTTLED, -1, 0), CL_RETRY_BUDGET);
}
END_TEST

Suite *suite_retry(void)
{
    Suite *s = suite_create("retry");
    TCase *tc = tcase_create("policy");
    tcase_add_test(tc, only_transient_failures_are_worth_another_attempt);
    tcase_add_test(tc, a_429_storm_costs_no_attempt_and_ends_only_with_the_budget);
    tcase_add_test(tc, retry_after_is_read_as_seconds_or_an_http_date);
    tcase_add_test(tc, the_server_s_wait_is_honoured_and_never_shortened);
    tcase_add_test(tc, a_second_silence_ends_the_request);
    tcase_add_test(tc, the_defaults_give_up_on_a_silent_server_within_a_minute);
    tcase_add_test(tc, final_failures_and_an_exhausted_budget_are_not_retried);
    suite_add_tcase(s, tc);
    return s;
}
