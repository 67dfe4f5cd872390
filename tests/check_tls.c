/* check_tls.c - TLS verification is always on: an untrusted certificate and
 * a wrong host name are refused with a clear message; the district's own CA
 * can be configured. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mhtest.h"

static char *tls_dir;

static void setup(void)
{
    char args[600];
    tu_result r;
    tls_dir = tu_mkdtemp();
    snprintf(args, sizeof args, "--users 80 --tls-dir %s", tls_dir);
    env_start(args);
    r = MH("install classlink");
    tu_result_free(&r);
}

static void teardown(void)
{
    env_stop();
    tu_rmtree(tls_dir);
    free(tls_dir);
}

static tu_result connect_to(const char *host, int with_ca)
{
    char ca[700] = "";
    if (with_ca)
        snprintf(ca, sizeof ca, "CLASSLINK_CA_FILE=%s/ca.pem", tls_dir);
    return mh_with_env(ca, "connect classlink --server https://%s:%d --client-id sim-client "
                           "--client-secret-env SEC", host, env.sim.port);
}

START_TEST(untrusted_certificate_is_refused)
{
    tu_result r = connect_to("localhost", 0);
    ck_assert_int_eq(r.status, 1);
    ck_assert_msg(strstr(r.err, "TLS certificate of localhost") && strstr(r.err, "could not be verified"),
                  "%s", r.err);
    ck_assert_ptr_nonnull(strstr(r.err, "CLASSLINK_CA_FILE"));
    tu_result_free(&r);
}
END_TEST

START_TEST(wrong_host_name_is_refused_even_with_the_ca)
{
    tu_result r = connect_to("127.0.0.1", 1);
    ck_assert_int_eq(r.status, 1);
    ck_assert_msg(strstr(r.err, "TLS certificate of 127.0.0.1"), "%s", r.err);
    tu_result_free(&r);
}
END_TEST

START_TEST(the_configured_ca_is_trusted)
{
    tu_result r = connect_to("localhost", 1);
    ck_assert_msg(r.status == 0, "%s", r.err);
    tu_result_free(&r);
    {
        char ca[700];
        snprintf(ca, sizeof ca, "CLASSLINK_CA_FILE=%s/ca.pem", tls_dir);
        r = mh_with_env(ca, "sync classlink");
    }
    ck_assert_msg(r.status == 0, "%s", r.err);
    tu_result_free(&r);
    ck_assert_int_eq(users_page().total, 80);
}
END_TEST

Suite *suite_tls(void)
{
    Suite *s = suite_create("tls");
    TCase *tc = tcase_create("tls");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, untrusted_certificate_is_refused);
    tcase_add_test(tc, wrong_host_name_is_refused_even_with_the_ca);
    tcase_add_test(tc, the_configured_ca_is_trusted);
    suite_add_tcase(s, tc);
    return s;
}
