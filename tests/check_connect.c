/* check_connect.c - connecting with manual credentials: every failure says
 * why and stores nothing; OAuth 2.0 and bearer work; secrets stay secret. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mhtest.h"

static void setup(void)
{
    tu_result r;
    env_start("--users 120 --bearer proxy-token-123");
    r = MH("install classlink");
    ck_assert_int_eq(r.status, 0);
    tu_result_free(&r);
}

static void teardown(void)
{
    env_stop();
}

static void assert_not_connected(void)
{
    tu_result r = MH("apps");
    ck_assert_ptr_nonnull(strstr(r.out, "not connected"));
    ck_assert_ptr_nonnull(strstr(r.out, "credentials: none"));
    tu_result_free(&r);
}

START_TEST(good_credentials_connect_and_count_users)
{
    tu_result r = MH("connect classlink --server http://127.0.0.1:%d --client-id sim-client "
                     "--client-secret-env SEC", env.sim.port);
    ck_assert_msg(r.status == 0, "%s", r.err);
    ck_assert_ptr_nonnull(strstr(r.out, "/ims/oneroster/v1p1"));
    ck_assert_ptr_nonnull(strstr(r.out, "Users the app can see: 120"));
    tu_result_free(&r);
    r = MH("apps");
    ck_assert_ptr_nonnull(strstr(r.out, "credentials: ********"));
    tu_result_free(&r);
}
END_TEST

static const struct { const char *args; const char *text; } bad_connects[] = {
    {"--client-id sim-client --client-secret-env NOPE_UNSET", "environment variable NOPE_UNSET is not set"},
    {"--client-id wrong-id --client-secret-env SEC", "rejected the credentials (HTTP 401)"},
    {"--client-id sim-client --client-secret-file /nonexistent/secret", "cannot read the secret file"},
    {"--client-id sim-client --client-secret-env SEC --auth magic",
     "auth must be one of oauth1|oauth1-sha1|oauth2|bearer, not \"magic\""},
    {"--client-id sim-client --client-secret-env SEC --auth oauth2", "needs the token URL"},
};

START_TEST(bad_connect_says_why_and_saves_nothing)
{
    tu_result r = MH("connect classlink --server http://127.0.0.1:%d %s", env.sim.port,
                     bad_connects[_i].args);
    ck_assert_int_ne(r.status, 0);
    ck_assert_msg(strstr(r.err, bad_connects[_i].text), "expected \"%s\" in: %s",
                  bad_connects[_i].text, r.err);
    tu_result_free(&r);
    assert_not_connected();
}
END_TEST

/* A secret file whose secret is longer than the host keeps (4096 bytes)
 * is refused by name, not cut short and stored; one exactly that long,
 * followed by a newline, is read whole. */
START_TEST(a_secret_file_longer_than_the_limit_is_refused_not_cut)
{
    char *path, *longer, *exact;
    tu_result r;
    longer = malloc(4098);
    exact = malloc(4098);
    ck_assert_ptr_nonnull(longer);
    ck_assert_ptr_nonnull(exact);
    memcpy(longer, "sim-secret", 10);  /* the first 4096 bytes: not the secret either */
    memset(longer + 10, 'x', 4087);
    longer[4097] = '\0';
    path = tu_write_file(env.dir, "long-secret", longer);
    mh_fails(1, "long-secret is longer than 4095 bytes", "connect classlink --server "
             "http://127.0.0.1:%d --client-id sim-client --client-secret-file %s",
             env.sim.port, path);
    assert_not_connected();
    free(path);
    memset(exact, 'y', 4095);
    strcpy(exact + 4095, "\n");
    path = tu_write_file(env.dir, "exact-secret", exact);
    r = MH("connect classlink --server http://127.0.0.1:%d --client-id sim-client "
           "--client-secret-file %s", env.sim.port, path);
    ck_assert_msg(r.status != 0 && strstr(r.err, "rejected the credentials"), "%s", r.err);
    tu_result_free(&r);
    free(path);
    free(longer);
    free(exact);
}
END_TEST

START_TEST(wrong_path_unreachable_and_plain_http_are_refused)
{
    mh_fails(1, "(HTTP 404); check the server URL", "connect classlink --server "
             "http://127.0.0.1:%d/wrong/root --client-id sim-client --client-secret-env SEC",
             env.sim.port);
    mh_fails(1, "cannot connect to 127.0.0.1:1", "connect classlink --server http://127.0.0.1:1 "
             "--client-id a --client-secret-env SEC");
    env_config("max_attempts", "1");
    mh_fails(1, ") after 1 attempt; check the server URL", "connect classlink --server "
             "http://127.0.0.1:1 --client-id a --client-secret-env SEC");
    env_config("max_attempts", "6");
    mh_fails(1, "refusing plain http to district.example", "connect classlink --server "
             "http://district.example --client-id a --client-secret-env SEC");
    mh_fails(1, "refusing plain http to example.org", "connect classlink --server "
             "http://127.0.0.1@example.org --client-id a --client-secret-env SEC");
    mh_fails(1, "refusing plain http to 127.example.org", "connect classlink --server "
             "http://127.example.org --client-id a --client-secret-env SEC");
    mh_fails(2, "never accepted as command-line values", "connect classlink --server "
             "http://127.0.0.1:1 --client-id a --client-secret s3");
    assert_not_connected();
}
END_TEST

START_TEST(clock_skew_is_named)
{
    tu_result r;
    free(sim_get(&env.sim, "/_sim/reset?clock_offset=900"));
    r = MH("connect classlink --server http://127.0.0.1:%d --client-id sim-client "
           "--client-secret-env SEC", env.sim.port);
    ck_assert_int_eq(r.status, 1);
    ck_assert_msg(strstr(r.err, "clock differs from this machine's by 900 seconds"), "%s", r.err);
    ck_assert_ptr_nonnull(strstr(r.err, "NTP"));
    tu_result_free(&r);
    assert_not_connected();
}
END_TEST

START_TEST(reconnect_failure_keeps_the_old_connection)
{
    mh_ok("connect classlink --server http://127.0.0.1:%d --client-id sim-client "
          "--client-secret-env SEC", env.sim.port);
    mh_fails(1, "Nothing was saved", "connect classlink --server http://127.0.0.1:%d --client-id "
             "other --client-secret-env SEC", env.sim.port);
    mh_ok("sync classlink");  /* the old credentials still work */
    ck_assert_int_eq(users_page().total, 120);
}
END_TEST

START_TEST(oauth2_with_token_rotation)
{
    mh_ok("connect classlink --server http://127.0.0.1:%d --auth oauth2 --token-url "
          "http://127.0.0.1:%d/oauth2/token --client-id sim-client --client-secret-env SEC",
          env.sim.port, env.sim.port);
    env_config("page_size", "50");
    free(sim_get(&env.sim, "/_sim/fault?kind=rotate&path=/users&skip=1"));
    mh_ok("sync classlink");
    ck_assert_int_eq(users_page().total, 120);
    ck_assert_int_eq(sim_stat(&env.sim, "faults_fired"), 1);
}
END_TEST

START_TEST(proxy_bearer_token)
{
    tu_result r = mh_with_env("TOK=proxy-token-123", "connect classlink --server "
                              "http://127.0.0.1:%d --auth bearer --client-secret-env TOK",
                              env.sim.port);
    ck_assert_msg(r.status == 0, "%s", r.err);
    tu_result_free(&r);
    r = MH("sync classlink");
    ck_assert_msg(r.status == 0, "%s", r.err);
    tu_result_free(&r);
    ck_assert_int_eq(users_page().total, 120);
}
END_TEST

START_TEST(secrets_never_leak)
{
    /* Debug output on, and the sync given another value in SEC: the stored
     * secret must come from the database, sealed, and never be printed. */
    static const struct { const char *env; const char *args; } steps[] = {
        {"MOCK_HOST_DEBUG=1", "connect classlink --server http://127.0.0.1:%d --client-id "
                              "sim-client --client-secret-env SEC"},
        {"SEC=x MOCK_HOST_DEBUG=1", "sync classlink"},
        {"", "runs classlink --json"},
        {"", "apps"},
    };
    size_t i;
    for (i = 0; i < sizeof steps / sizeof steps[0]; i++) {
        tu_result r = mh_with_env(steps[i].env, steps[i].args, env.sim.port);
        ck_assert_msg(r.status == 0, "%s: %s", steps[i].args, r.err);
        ck_assert_ptr_null(strstr(r.out, "sim-secret"));
        ck_assert_ptr_null(strstr(r.err, "sim-secret"));
        tu_result_free(&r);
    }
    ck_assert_int_eq(mh_db_count("sim-secret"), 0);
}
END_TEST

START_TEST(no_secret_on_any_command_line)
{
    /* While a sync runs, its command line holds no secret. */
    tu_result r = MH("connect classlink --server http://127.0.0.1:%d --client-id sim-client "
                     "--client-secret-env SEC", env.sim.port);
    ck_assert_int_eq(r.status, 0);
    tu_result_free(&r);
    free(sim_get(&env.sim, "/_sim/fault?kind=slow&path=/users&arg=1000"));
    r = MH("sync classlink >/dev/null 2>&1 & pid=$!; sleep 0.4; tr '\\0' ' ' </proc/$pid/cmdline; "
           "echo; wait $pid");
    ck_assert_ptr_nonnull(strstr(r.out, "sync classlink"));
    ck_assert_ptr_null(strstr(r.out, "sim-secret"));
    tu_result_free(&r);
}
END_TEST

Suite *suite_connect(void)
{
    Suite *s = suite_create("connect");
    TCase *tc = tcase_create("connect");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, good_credentials_connect_and_count_users);
    tcase_add_loop_test(tc, bad_connect_says_why_and_saves_nothing, 0,
                        (int)(sizeof bad_connects / sizeof bad_connects[0]));
    tcase_add_test(tc, wrong_path_unreachable_and_plain_http_are_refused);
    tcase_add_test(tc, a_secret_file_longer_than_the_limit_is_refused_not_cut);
    tcase_add_test(tc, clock_skew_is_named);
    tcase_add_test(tc, reconnect_failure_keeps_the_old_connection);
    tcase_add_test(tc, oauth2_with_token_rotation);
    tcase_add_test(tc, proxy_bearer_token);
    tcase_add_test(tc, secrets_never_leak);
    tcase_add_test(tc, no_secret_on_any_command_line);
    suite_add_tcase(s, tc);
    return s;
}
