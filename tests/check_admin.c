/* check_admin.c - what a new district admin reads when a command meets a
 * mistake: the message, the exit status, and a Users page left as it was. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "mhtest.h"

Suite *suite_admin(void);

static void setup(void)
{
    env_start("--users 150 --schools 2");
    env_connect();
    mh_ok("sync classlink --full");
}

static void teardown(void)
{
    env_stop();
}

START_TEST(an_unknown_or_wrongly_cased_role_lists_the_roles_present)
{
    char *before = users_json(), *after;
    tu_result r = MH("users --role janitor");
    ck_assert_int_eq(r.status, 1);
    ck_assert_msg(strstr(r.err, "no user has the role \"janitor\"") &&
                  strstr(r.err, "roles present: ") && strstr(r.err, "student (") &&
                  strstr(r.err, "teacher ("), "%s", r.err);
    ck_assert_msg(strstr(r.err, "no users yet") == NULL && strstr(r.out, "no users yet") == NULL,
                  "%s", r.out);
    tu_result_free(&r);
    mh_fails(1, "no user of classlink has the role \"Teacher\"", "users --app classlink --role Teacher");
    mh_fails(1, "roles present: ", "users --role Teacher --json");
    r = MH("users --role teacher");
    ck_assert_int_eq(r.status, 0);
    ck_assert_ptr_nonnull(strstr(r.out, "teacher"));
    tu_result_free(&r);
    after = users_json();
    ck_assert_str_eq(after, before);
    free(before);
    free(after);
}
END_TEST

START_TEST(an_unknown_app_lists_the_installed_apps)
{
    mh_fails(1, "no installed app \"classlnk\"; installed: classlink", "users --app classlnk");
}
END_TEST

Suite *suite_admin(void)
{
    Suite *s = suite_create("admin");
    TCase *tc = tcase_create("admin");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, an_unknown_or_wrongly_cased_role_lists_the_roles_present);
    tcase_add_test(tc, an_unknown_app_lists_the_installed_apps);
    suite_add_tcase(s, tc);
    return s;
}
