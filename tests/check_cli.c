/* check_cli.c - mock-host as an admin uses it: marketplace, install, apps,
 * help, and the plain errors of commands not built yet. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "../mock-host/loopback.h"

static char *dir;

static void setup(void)
{
    dir = tu_mkdtemp();
}

static void teardown(void)
{
    tu_rmtree(dir);
    free(dir);
}

/* Runs mock-host with a database in the temp folder. */
#define MH(args, ...) tu_run("MOCK_HOST_DB=%s/host.db %s/mock-host " args, dir, tu_build_dir(), ##__VA_ARGS__)

START_TEST(marketplace_lists_classlink_from_its_manifest)
{
    tu_result r = MH("marketplace");
    ck_assert_msg(r.status == 0, "%s", r.err);
    ck_assert_ptr_nonnull(strstr(r.out, "classlink"));
    ck_assert_ptr_nonnull(strstr(r.out, "ClassLink SIS"));
    ck_assert_ptr_nonnull(strstr(r.out, "login, manual"));
    ck_assert_str_eq(r.err, "");
    tu_result_free(&r);
}
END_TEST

START_TEST(install_creates_card_once)
{
    tu_result r = MH("install classlink");
    ck_assert_msg(r.status == 0, "%s", r.err);
    ck_assert_ptr_nonnull(strstr(r.out, "Installed ClassLink SIS"));
    tu_result_free(&r);
    r = MH("apps");
    ck_assert_int_eq(r.status, 0);
    ck_assert_ptr_nonnull(strstr(r.out, "classlink"));
    ck_assert_ptr_nonnull(strstr(r.out, "not connected"));
    ck_assert_ptr_nonnull(strstr(r.out, "standard"));
    tu_result_free(&r);
    r = MH("install classlink --itxm");
    ck_assert_int_eq(r.status, 0);
    ck_assert_ptr_nonnull(strstr(r.out, "already exists"));
    ck_assert_ptr_nonnull(strstr(r.out, "nothing changed"));
    tu_result_free(&r);
    r = MH("apps | grep -c classlink");
    ck_assert_str_eq(r.out, "1\n");
    tu_result_free(&r);
    r = MH("apps | grep -c ITxM");
    ck_assert_str_eq(r.out, "0\n");
    tu_result_free(&r);
}
END_TEST

START_TEST(install_unknown_plugin_fails_with_reason)
{
    tu_result r = MH("install powerschool");
    ck_assert_int_eq(r.status, 1);
    ck_assert_str_eq(r.err, "mock-host: no plugin \"powerschool\" in the marketplace; run "
                            "'mock-host marketplace' to see what is available\n");
    tu_result_free(&r);
}
END_TEST

START_TEST(db_option_and_env_choose_the_database)
{
    tu_result r = tu_run("cd %s && %s/mock-host --db other.db install classlink --itxm && "
                         "MOCK_HOST_DB=other.db %s/mock-host apps && test ! -e mock-host.db",
                         dir, tu_build_dir(), tu_build_dir());
    ck_assert_msg(r.status == 0, "%s", r.err);
    ck_assert_ptr_nonnull(strstr(r.out, "ITxM"));
    tu_result_free(&r);
}
END_TEST

static const char *const all_commands[] = {
    "marketplace", "apps", "install", "connect", "disconnect", "schema", "fields",
    "sync", "users", "runs", "portal-roles", "roles", "locations", "account", "config", "provision",
    "forget-credentials"};

START_TEST(every_command_has_help)
{
    tu_result r = MH("%s --help", all_commands[_i]);
    ck_assert_int_eq(r.status, 0);
    ck_assert_msg(strncmp(r.out, "usage: mock-host ", 17) == 0, "%s", r.out);
    ck_assert_ptr_nonnull(strstr(r.out, all_commands[_i]));
    tu_result_free(&r);
}
END_TEST

START_TEST(unknown_command_and_bad_usage)
{
    tu_result r = MH("frobnicate");
    ck_assert_int_eq(r.status, 2);
    ck_assert_ptr_nonnull(strstr(r.err, "unknown command 'frobnicate'"));
    tu_result_free(&r);
    r = MH("install");
    ck_assert_int_eq(r.status, 2);
    ck_assert_ptr_nonnull(strstr(r.err, "name the plugin to install"));
    ck_assert_ptr_nonnull(strstr(r.err, "usage: mock-host install PLUGIN"));
    tu_result_free(&r);
    r = tu_run("%s/mock-host --db", tu_build_dir());
    ck_assert_int_eq(r.status, 2);
    ck_assert_ptr_nonnull(strstr(r.err, "--db needs a file name"));
    tu_result_free(&r);
    r = MH("portal-roles add");
    ck_assert_int_eq(r.status, 2);
    ck_assert_ptr_nonnull(strstr(r.err, "needs a name that is not blank"));
    tu_result_free(&r);
    r = MH("users --role");
    ck_assert_int_eq(r.status, 2);
    tu_result_free(&r);
    r = MH("roles");
    ck_assert_int_eq(r.status, 2);
    tu_result_free(&r);
}
END_TEST

/* A slip of the keyboard is answered with the name meant, next to the
 * message and exit status a script already relies on; a word that is no
 * slip of anything gets no guess. */
START_TEST(a_mistyped_command_or_option_is_answered_with_did_you_mean)
{
    tu_result r = MH("snyc classlink");
    ck_assert_int_eq(r.status, 2);
    ck_assert_msg(strstr(r.err, "mock-host: unknown command 'snyc'; run 'mock-host --help'\n"
                            "mock-host: did you mean 'sync'?\n"), "%s", r.err);
    tu_result_free(&r);
    r = MH("Users");
    ck_assert_int_eq(r.status, 2);
    ck_assert_msg(strstr(r.err, "did you mean 'users'?"), "%s", r.err);
    tu_result_free(&r);
    r = MH("frobnicate");
    ck_assert_int_eq(r.status, 2);
    ck_assert_ptr_null(strstr(r.err, "did you mean"));
    tu_result_free(&r);
    r = MH("users --rolee student");
    ck_assert_int_eq(r.status, 2);
    ck_assert_msg(strstr(r.err, "mock-host users: unexpected argument '--rolee'\n"
                            "mock-host users: did you mean '--role'?\n"
                            "usage: mock-host users [--app APP]"), "%s", r.err);
    tu_result_free(&r);
    r = MH("serve --lisen 0.0.0.0");
    ck_assert_int_eq(r.status, 2);
    ck_assert_msg(strstr(r.err, "did you mean '--listen'?"), "%s", r.err);
    tu_result_free(&r);
    /* A known option used wrongly is not "meant" as another one. */
    r = MH("users --role");
    ck_assert_int_eq(r.status, 2);
    ck_assert_ptr_null(strstr(r.err, "did you mean"));
    tu_result_free(&r);
}
END_TEST

START_TEST(the_simulator_documents_its_options_and_login_values)
{
    tu_result r = tu_run("%s/classlink-sim --help", tu_build_dir());
    ck_assert_int_eq(r.status, 0);
    ck_assert_msg(strncmp(r.out, "usage: classlink-sim", 20) == 0 && strstr(r.out, "--users N") &&
                  strstr(r.out, "--client-id ID") && strstr(r.out, "CLASSLINK_CLIENT_ID=lp-client") &&
                  strstr(r.out, "CLASSLINK_CLIENT_SECRET=lp-secret") &&
                  strstr(r.out, "CLASSLINK_PARTNER_KEY=partner-key") &&
                  strstr(r.out, "CLASSLINK_ALLOWED_DOMAINS=127.0.0.1"), "%s", r.out);
    tu_result_free(&r);
    r = tu_run("%s/classlink-sim --frobnicate", tu_build_dir());
    ck_assert_int_eq(r.status, 2);
    ck_assert_ptr_nonnull(strstr(r.err, "see classlink-sim --help"));
    tu_result_free(&r);
}
END_TEST

START_TEST(version_is_the_build_version)
{
    tu_result r = MH("--version");
    char want[64];
    ck_assert_int_eq(r.status, 0);
    snprintf(want, sizeof want, "mock-host %s\n", CL_PLUGIN_VERSION);
    ck_assert_str_eq(r.out, want);
    tu_result_free(&r);
    r = MH("marketplace");  /* the plugin's manifest carries the same version */
    ck_assert_msg(strstr(r.out, " " CL_PLUGIN_VERSION " "), "%s", r.out);
    tu_result_free(&r);
}
END_TEST

START_TEST(broken_manifest_does_not_stop_the_host)
{
    tu_result r;
    free(tu_write_file(dir, "broken.manifest", "{ not json"));
    r = tu_run("MOCK_HOST_DB=%s/host.db MOCK_HOST_PLUGINS=%s:%s/classlink.manifest "
               "%s/mock-host marketplace", dir, dir, tu_build_dir(), tu_build_dir());
    ck_assert_int_eq(r.status, 0);
    ck_assert_ptr_nonnull(strstr(r.out, "ClassLink SIS"));
    ck_assert_ptr_nonnull(strstr(r.err, "refused plugin manifest"));
    ck_assert_ptr_nonnull(strstr(r.err, "broken.manifest: is not valid JSON"));
    tu_result_free(&r);
}
END_TEST

/* The host's "this machine only" rule (URL settings and forms, the
 * console's listen address) goes by address, not by how a name begins,
 * and no URL carries a user name or password. */
START_TEST(plain_http_and_an_open_console_are_for_this_machine_only)
{
    static const char *const allowed[] = {"https://district.example/ims", "http://127.0.0.1:8080/x",
        "http://127.1.2.3", "http://localhost:9/a?b#c", "http://[::1]:8443/", "HTTP://LOCALHOST/"};
    static const char *const refused[] = {"http://127.0.0.1@example.org", "http://127.example.org/",
        "http://127.0.0.1.example.org", "http://localhost.example.org", "http://example.org",
        "https://user:pw@district.example/", "https://@district.example", "http://[::1", "ftp://127.0.0.1",
        "http://127.0.0.1\\@example.org/", "http://", "https://"};
    size_t i;
    for (i = 0; i < sizeof allowed / sizeof allowed[0]; i++)
        ck_assert_msg(mh_url_is_allowed(allowed[i]), "%s", allowed[i]);
    for (i = 0; i < sizeof refused / sizeof refused[0]; i++)
        ck_assert_msg(!mh_url_is_allowed(refused[i]), "%s", refused[i]);
    ck_assert(mh_host_is_loopback("127.0.0.1", 9) && mh_host_is_loopback("::1", 3) &&
              mh_host_is_loopback("[::1]", 5) && mh_host_is_loopback("localhost", 9));
    ck_assert(!mh_host_is_loopback("0.0.0.0", 7) && !mh_host_is_loopback("127.evil", 8) &&
              !mh_host_is_loopback("::", 2) && !mh_host_is_loopback("", 0));
}
END_TEST

Suite *suite_cli(void)
{
    Suite *s = suite_create("cli");
    TCase *tc = tcase_create("cli");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, marketplace_lists_classlink_from_its_manifest);
    tcase_add_test(tc, plain_http_and_an_open_console_are_for_this_machine_only);
    tcase_add_test(tc, install_creates_card_once);
    tcase_add_test(tc, install_unknown_plugin_fails_with_reason);
    tcase_add_test(tc, db_option_and_env_choose_the_database);
    tcase_add_loop_test(tc, every_command_has_help, 0,
                        (int)(sizeof all_commands / sizeof all_commands[0]));
    tcase_add_test(tc, unknown_command_and_bad_usage);
    tcase_add_test(tc, a_mistyped_command_or_option_is_answered_with_did_you_mean);
    tcase_add_test(tc, version_is_the_build_version);
    tcase_add_test(tc, the_simulator_documents_its_options_and_login_values);
    tcase_add_test(tc, broken_manifest_does_not_stop_the_host);
    suite_add_tcase(s, tc);
    return s;
}
