/* check_throttle.c - slow and busy servers, as the admin meets them through
 * mock-host: a server that never answers fails `connect` with the reason
 * and says what it waits for meanwhile; a 429 storm longer than
 * max_attempts is ridden out; Retry-After is honoured; Ctrl-C during a 429
 * wait ends the run at once, without claiming the server lied. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "mhtest.h"

static void setup(void)
{
    env_start("--users 300 --schools 4");
}

static void teardown(void)
{
    env_stop();
}

/* A listener that completes TCP handshakes (the kernel does, from the
 * backlog) and never reads or answers.  Returns the fd; *port set. */
static int silent_listener(int *port)
{
    struct sockaddr_in a;
    socklen_t len = sizeof a;
    int fd = socket(AF_INET, SOCK_STREAM, 0);

    ck_assert_int_ge(fd, 0);
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ck_assert_int_eq(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
    ck_assert_int_eq(listen(fd, 16), 0);
    ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&a, &len), 0);
    *port = ntohs(a.sin_port);
    return fd;
}

START_TEST(a_server_that_never_answers_fails_connect_with_the_reason)
{
    char host[64];
    int port, fd = silent_listener(&port);
    tu_result r;

    mh_ok("install classlink");
    /* A short stall keeps the test quick, yet longer than the 5 s of an
     * attempt's silence that "still waiting" announces; the defaults' bound
     * (2 x 25 s) is checked in the retry suite. */
    env_config("stall_timeout_s", "7");
    r = MH("connect classlink --server http://127.0.0.1:%d --client-id sim-client "
           "--client-secret-env SEC", port);
    snprintf(host, sizeof host, "127.0.0.1:%d", port);
    ck_assert_msg(r.status == 1, "exit %d: %s", r.status, r.err);
    /* While waiting: what is being waited for, through the host's log. */
    ck_assert_msg(strstr(r.err, "info: still waiting for the Roster Server to answer http://"),
                  "%s", r.err);
    ck_assert_msg(strstr(r.err, "/ims/oneroster/v1p1/users ("), "%s", r.err);
    /* The end: the server, what happened, what to check. */
    ck_assert_msg(strstr(r.err, "did not answer in time: it accepted the connection and then "
                         "sent nothing"), "%s", r.err);
    ck_assert_msg(strstr(r.err, host), "%s", r.err);
    ck_assert_msg(strstr(r.err, "Check that http://"), "%s", r.err);
    tu_result_free(&r);
    /* Nothing stored. */
    r = MH("apps");
    ck_assert_msg(strstr(r.out, "not connected") && strstr(r.out, "credentials: none"), "%s",
                  r.out);
    tu_result_free(&r);
    close(fd);
}
END_TEST

START_TEST(a_429_storm_longer_than_max_attempts_is_ridden_out)
{
    tu_result r;

    env_connect();
    env_config("max_attempts", "3");
    free(sim_get(&env.sim, "/_sim/fault?kind=429&path=/users&count=25"));
    r = MH("sync classlink --full");
    ck_assert_msg(r.status == 0, "%s%s", r.out, r.err);
    tu_result_free(&r);
    assert_last_outcome("complete");
    ck_assert_int_eq(last_run_count("fetched"), 300);
    ck_assert_int_eq(users_page().total, 300);
    /* Every 429 was answered by one retry, and counted. */
    ck_assert_int_eq(sim_stat(&env.sim, "faults_fired"), 25);
    ck_assert_int_eq(last_run_count("retries"), 25);
}
END_TEST

START_TEST(retry_after_is_honoured_and_said)
{
    tu_result r;

    env_connect();
    free(sim_get(&env.sim, "/_sim/fault?kind=429&path=/users&count=2&retry_after=1"));
    r = MH("sync classlink --full");
    ck_assert_msg(r.status == 0, "%s%s", r.out, r.err);
    ck_assert_msg(strstr(r.err, "info: the Roster Server is throttling requests (HTTP 429); "
                         "waiting 1 s as it asked (Retry-After)"), "%s", r.err);
    tu_result_free(&r);
    assert_last_outcome("complete");
    ck_assert_int_eq(last_run_count("retries"), 2);
}
END_TEST

/* "still waiting for ... (N s)" counts the silence of the attempt in
 * flight.  It counted from the request's first attempt, so the attempt
 * sent after a 6 s Retry-After wait was announced as "still waiting (6 s)"
 * the moment it started, and a few refused connections with their backoff
 * read as a long wait for an answer. */
START_TEST(an_attempt_after_a_retry_wait_is_not_announced_as_a_long_wait)
{
    tu_result r;

    env_connect();
    free(sim_get(&env.sim, "/_sim/fault?kind=429&path=/users&count=1&retry_after=6"));
    r = MH("sync classlink --full");
    ck_assert_msg(r.status == 0, "%s%s", r.out, r.err);
    ck_assert_msg(strstr(r.err, "info: the Roster Server is throttling requests (HTTP 429); "
                         "waiting 6 s as it asked (Retry-After)"), "%s", r.err);
    ck_assert_msg(strstr(r.err, "still waiting") == NULL, "%s", r.err);
    tu_result_free(&r);
    assert_last_outcome("complete");
    ck_assert_int_eq(last_run_count("retries"), 1);
}
END_TEST

START_TEST(ctrl_c_during_a_429_wait_stops_at_once_and_blames_no_one)
{
    tu_result r;
    char *before, *after;

    env_connect();
    mh_ok("sync classlink --full");
    free(sim_get(&env.sim, "/_sim/mutate?change=20"));
    before = users_json();
    /* The first users page arrives (so the total is known), then every
     * other page is throttled with a long Retry-After. */
    free(sim_get(&env.sim, "/_sim/fault?kind=429&path=/users&skip=1&count=-1&retry_after=50"));
    r = MH("sync classlink --full 2>%s/err.txt & pid=$!; cd %s; "
           "for i in $(seq 300); do grep -q 'waiting 50 s as it asked' err.txt && break; "
           "sleep 0.1; done; kill -INT $pid; wait $pid; echo status=$?; cat err.txt >&2",
           env.dir, env.dir);
    ck_assert_msg(strstr(r.err, "waiting 50 s as it asked"), "%s", r.err);
    ck_assert_msg(strstr(r.out, "status=1"), "%s%s", r.out, r.err);
    ck_assert_msg(strstr(r.err, "cancelled"), "%s", r.err);
    /* A cancelled read never claims the server sent too few records. */
    ck_assert_msg(strstr(r.err, "but sent") == NULL, "%s", r.err);
    ck_assert_msg(strstr(r.err, "promised") == NULL, "%s", r.err);
    tu_result_free(&r);
    assert_last_outcome("cancelled");
    after = users_json();
    ck_assert_str_eq(after, before);
    free(before);
    free(after);
}
END_TEST

Suite *suite_throttle(void)
{
    Suite *s = suite_create("throttle");
    TCase *tc = tcase_create("throttle");
    tcase_add_checked_fixture(tc, setup, teardown);
    /* A hang guard, far above what each case needs: a cancel that waited
     * out the 50 s Retry-After would run into it. */
    tcase_set_timeout(tc, 45);
    tcase_add_test(tc, a_server_that_never_answers_fails_connect_with_the_reason);
    tcase_add_test(tc, a_429_storm_longer_than_max_attempts_is_ridden_out);
    tcase_add_test(tc, retry_after_is_honoured_and_said);
    tcase_add_test(tc, an_attempt_after_a_retry_wait_is_not_announced_as_a_long_wait);
    tcase_add_test(tc, ctrl_c_during_a_429_wait_stops_at_once_and_blames_no_one);
    suite_add_tcase(s, tc);
    return s;
}
