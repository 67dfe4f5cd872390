/* check_contract.c - the contract carries any vendor: a second SIS plugin
 * with declarations of its own is installed, connected, configured and
 * synced through the same commands as ClassLink, with no host code written
 * for it; an SSO plugin is listed in its own section and refused by SIS
 * commands; declared settings refuse bad values and store nothing. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "testutil.h"

static char *dir;

static void add_manifest(const char *so, const char *id, const char *kind)
{
    char *lib, *link, *json, *name;
    ck_assert_int_ne(asprintf(&lib, "%s/test-plugins/%s", tu_build_dir(), so), -1);
    ck_assert_int_ne(asprintf(&link, "%s/plugins/%s", dir, so), -1);
    ck_assert_int_eq(symlink(lib, link), 0);
    ck_assert_int_ne(asprintf(&json, "{\"id\":\"%s\",\"kind\":\"%s\",\"version\":\"1.0.0\","
                              "\"abi\":\"2.0\",\"library\":\"%s\",\"entry\":\"sis_plugin_entry\"}",
                              id, kind, so), -1);
    ck_assert_int_ne(asprintf(&name, "plugins/%s.manifest", id), -1);
    free(tu_write_file(dir, name, json));
    free(name);
    free(json);
    free(link);
    free(lib);
}

static void setup(void)
{
    char *plugins;
    dir = tu_mkdtemp();
    ck_assert_int_ne(asprintf(&plugins, "%s/plugins", dir), -1);
    ck_assert_int_eq(mkdir(plugins, 0700), 0);
    free(plugins);
    add_manifest("good.so", "testsis", "sis");
    add_manifest("sso.so", "testsso", "sso");
}

static void teardown(void)
{
    tu_rmtree(dir);
    free(dir);
}

#define HOST(fmt, ...)                                                                            \
    tu_run("cd %s && unset CLASSLINK_CLIENT_ID; TOK=letmein BAD=nope MOCK_HOST_DB=%s/host.db "                              \
           "MOCK_HOST_PLUGINS=%s/plugins:%s/classlink.manifest %s/mock-host " fmt, dir, dir, dir,  \
           tu_build_dir(), tu_build_dir(), ##__VA_ARGS__)

static void expect(int status, const char *out, const char *err, tu_result r)
{
    ck_assert_msg(r.status == status, "exit %d, expected %d: %s%s", r.status, status, r.out, r.err);
    if (out != NULL)
        ck_assert_msg(strstr(r.out, out) != NULL, "expected \"%s\" on stdout: %s", out, r.out);
    if (err != NULL)
        ck_assert_msg(strstr(r.err, err) != NULL, "expected \"%s\" on stderr: %s", err, r.err);
    tu_result_free(&r);
}

START_TEST(marketplace_lists_plugins_by_section)
{
    tu_result r = HOST("marketplace");
    char *sis, *sso;
    ck_assert_int_eq(r.status, 0);
    sis = strstr(r.out, "SIS\n");
    sso = strstr(r.out, "SSO\n");
    ck_assert_msg(sis != NULL && sso != NULL && sis < sso, "%s", r.out);
    ck_assert_ptr_nonnull(strstr(sis, "classlink"));
    ck_assert_msg(strstr(sis, "testsis") != NULL && strstr(sis, "testsis") < sso, "%s", r.out);
    ck_assert_ptr_nonnull(strstr(sso, "testsso"));
    ck_assert_ptr_nonnull(strstr(sso, "A single sign-on provider"));
    tu_result_free(&r);
}
END_TEST

START_TEST(a_second_sis_connects_configures_and_syncs_through_the_same_commands)
{
    expect(0, "Next: mock-host connect testsis --token-env VAR", NULL, HOST("install testsis"));
    /* connect's flags and help come from the plugin's declarations. */
    expect(0, "--region eu|us", NULL, HOST("connect testsis --help"));
    expect(0, "--token-env VAR | --token-file FILE", NULL, HOST("connect testsis --help"));
    expect(2, NULL, "never accepted as command-line values", HOST("connect testsis --token letmein"));
    expect(2, NULL, "unknown option '--server'", HOST("connect testsis --server https://x"));
    expect(2, NULL, "has no interactive login", HOST("connect testsis --login"));
    expect(2, NULL, "region must be one of eu|us, not \"asia\"",
           HOST("connect testsis --token-env TOK --region asia"));
    expect(1, NULL, "rejected the token", HOST("connect testsis --token-env BAD"));
    expect(0, "not connected", NULL, HOST("apps"));
    expect(0, "Connected testsis to Test District", NULL,
           HOST("connect testsis --token-env TOK --region us"));
    /* Settings: validated against the declaration, defaults marked. */
    expect(0, "roster_size", NULL, HOST("config testsis"));
    expect(0, "3 (default)", NULL, HOST("config testsis roster_size"));
    expect(2, NULL, "roster_size must be a whole number from 1 to 50, not \"99\"",
           HOST("config testsis roster_size 99"));
    expect(2, NULL, "roster_size must be a whole number from 1 to 50, not \"abc\"",
           HOST("config testsis roster_size abc"));
    expect(2, NULL, "has no setting \"page_size\"", HOST("config testsis page_size 10"));
    expect(0, "3 (default)", NULL, HOST("config testsis roster_size"));  /* nothing stored */
    expect(0, NULL, NULL, HOST("config testsis roster_size 5"));
    expect(0, "fetched 5 users", NULL, HOST("sync testsis"));
    expect(0, "\"sourcedId\":\"t-5\"", NULL, HOST("users --app testsis --json"));
    /* The host's own settings apply to every SIS, validated the same way. */
    expect(2, NULL, "deactivation_threshold_pct must be a whole number from 0 to 100",
           HOST("config testsis deactivation_threshold_pct 150"));
    expect(0, NULL, NULL, HOST("config testsis deactivation_threshold_pct 20"));
    /* disconnect forgets the plugin's namespace wholesale, not the host's. */
    expect(0, "Disconnected testsis", NULL, HOST("disconnect testsis"));
    expect(0, "3 (default)", NULL, HOST("config testsis roster_size"));  /* forgotten */
    expect(0, "20\n", NULL, HOST("config testsis deactivation_threshold_pct"));  /* kept */
}
END_TEST

/* The column after APP starts at the same place on the header and on
 * every row, whatever the length of the apps' names. */
static void assert_columns_line_up(const char *out)
{
    const char *line = out, *col = strstr(out, "SOURCEDID");
    size_t at;
    int rows = 0;
    ck_assert_msg(col != NULL, "%s", out);
    at = (size_t)(col - out);
    while ((line = strchr(line, '\n')) != NULL && *++line != '\0') {
        ck_assert_msg(strlen(line) > at && line[at - 1] == ' ' && line[at] == 't',
                      "a row's SOURCEDID does not start under the header:\n%s", out);
        rows++;
    }
    ck_assert_int_gt(rows, 0);
}

START_TEST(the_users_page_fits_long_app_names)
{
    tu_result r;
    expect(0, NULL, NULL, HOST("install testsis --name north-district-roster"));
    expect(0, NULL, NULL, HOST("connect north-district-roster --token-env TOK --region us"));
    expect(0, "fetched 3 users", NULL, HOST("sync north-district-roster"));
    r = HOST("users");
    ck_assert_int_eq(r.status, 0);
    assert_columns_line_up(r.out);
    tu_result_free(&r);
    r = HOST("users --app north-district-roster");
    ck_assert_int_eq(r.status, 0);
    assert_columns_line_up(r.out);
    tu_result_free(&r);
}
END_TEST

START_TEST(an_sso_plugin_is_refused_by_sis_commands)
{
    expect(0, "Installed Test SSO", NULL, HOST("install testsso"));
    expect(1, NULL, "Test SSO is an SSO plugin, not an SIS", HOST("connect testsso --token-env TOK"));
    expect(1, NULL, "Test SSO is an SSO plugin, not an SIS", HOST("sync testsso"));
    expect(0, "testsso", NULL, HOST("apps"));
}
END_TEST

START_TEST(classlink_settings_refuse_bad_values_with_the_range)
{
    expect(0, NULL, NULL, HOST("install classlink"));
    expect(2, NULL, "page_size must be a whole number from 1 to 10000, not \"abc\"",
           HOST("config classlink page_size abc"));
    expect(2, NULL, "page_size must be a whole number from 1 to 10000, not \"-5\"",
           HOST("config classlink page_size -5"));
    expect(2, NULL, "fetch_projection must be on or off", HOST("config classlink fetch_projection yes"));
    expect(0, NULL, NULL, HOST("config classlink page_size 500"));
    expect(0, "page_size                    500", NULL, HOST("config classlink"));
    expect(0, "concurrency                  4", NULL, HOST("config classlink"));
    /* A URL that does not fit is refused, never silently cut. */
    {
        char longpath[700];
        memset(longpath, 'a', sizeof longpath - 1);
        longpath[sizeof longpath - 1] = '\0';
        expect(1, NULL, "longer than", HOST("connect classlink --server http://127.0.0.1:1/%s "
                                            "--client-id a --client-secret-env TOK", longpath));
    }
    /* Host settings of the plugin: one name, and the variable that sets it. */
    expect(0, "client_id                    CLASSLINK_CLIENT_ID", NULL, HOST("config classlink"));
    /* The login error names the same setting and where it is set. */
    {
        tu_result r = HOST("connect classlink --login --no-browser");
        ck_assert_int_eq(r.status, 1);
        ck_assert_msg(strstr(r.err, "host setting \"client_id\"") &&
                      strstr(r.err, "'mock-host config classlink' lists the host settings"),
                      "%s", r.err);
        tu_result_free(&r);
    }
}
END_TEST

Suite *suite_contract(void)
{
    Suite *s = suite_create("contract");
    TCase *tc = tcase_create("contract");
    tcase_set_timeout(tc, 60);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, marketplace_lists_plugins_by_section);
    tcase_add_test(tc, a_second_sis_connects_configures_and_syncs_through_the_same_commands);
    tcase_add_test(tc, an_sso_plugin_is_refused_by_sis_commands);
    tcase_add_test(tc, the_users_page_fits_long_app_names);
    tcase_add_test(tc, classlink_settings_refuse_bad_values_with_the_range);
    suite_add_tcase(s, tc);
    return s;
}
