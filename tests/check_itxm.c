/* check_itxm.c - step 5 for ITxM accounts: role and location mapping. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "mhtest.h"

static void setup(void)
{
    tu_result r;
    env_start("--users 400 --schools 3");
    env_connect();
    r = MH("account classlink --itxm");
    ck_assert_int_eq(r.status, 0);
    tu_result_free(&r);
    r = MH("portal-roles add Student && SEC=x %s %s/mock-host portal-roles add Staff "
           "&& %s %s/mock-host locations add 'Lincoln Elementary' && "
           "%s %s/mock-host locations add 'Washington Middle'",
           mh_db_env(), tu_build_dir(), mh_db_env(), tu_build_dir(), mh_db_env(), tu_build_dir());
    ck_assert_msg(r.status == 0, "%s", r.err);
    tu_result_free(&r);
    r = MH("sync classlink --full");
    ck_assert_msg(r.status == 0, "%s", r.err);
    tu_result_free(&r);
}

static void teardown(void)
{
    env_stop();
}

/* portalRole and locations of one user, from the Users page. */
static void user_mapping(const char *id, char *role, size_t rcap, char *locs, size_t lcap)
{
    tu_result r = MH("users --app classlink --json");
    json_object *arr = json_tokener_parse(r.out), *pr, *lo;
    size_t i;
    role[0] = locs[0] = '\0';
    for (i = 0; i < json_object_array_length(arr); i++) {
        json_object *u = json_object_array_get_idx(arr, i), *sid;
        json_object_object_get_ex(u, "sourcedId", &sid);
        if (strcmp(json_object_get_string(sid), id) != 0)
            continue;
        json_object_object_get_ex(u, "portalRole", &pr);
        json_object_object_get_ex(u, "locations", &lo);
        snprintf(role, rcap, "%s", pr ? json_object_get_string(pr) : "null");
        snprintf(locs, lcap, "%s", json_object_to_json_string_ext(lo, JSON_C_TO_STRING_PLAIN));
    }
    json_object_put(arr);
    tu_result_free(&r);
}

START_TEST(roles_are_listed_suggested_mapped_and_remapped)
{
    tu_result r = MH("roles classlink");
    char role[64], locs[256];
    long long requests;
    ck_assert_int_eq(r.status, 0);
    ck_assert_msg(strstr(r.out, "student") && strstr(r.out, "(unmapped)"), "%s", r.out);
    ck_assert_msg(strstr(r.out, "Student"), "a suggestion for student: %s", r.out);
    tu_result_free(&r);
    requests = sim_stat(&env.sim, "roster_requests");
    r = MH("roles classlink --map student=Student --map teacher=Staff");
    ck_assert_msg(r.status == 0, "%s", r.err);
    tu_result_free(&r);
    user_mapping("u0000000", role, sizeof role, locs, sizeof locs);  /* a student */
    ck_assert_str_eq(role, "Student");
    user_mapping("u0000016", role, sizeof role, locs, sizeof locs);  /* a teacher */
    ck_assert_str_eq(role, "Staff");
    r = MH("roles classlink --map teacher=Student");
    tu_result_free(&r);
    user_mapping("u0000016", role, sizeof role, locs, sizeof locs);
    ck_assert_str_eq(role, "Student");
    ck_assert_int_eq(sim_stat(&env.sim, "roster_requests"), requests);
    mh_fails(1, "no Customer Portal role \"Janitor\"", "roles classlink --map teacher=Janitor");
    mh_fails(1, "no users with the SIS role \"wizard\"", "roles classlink --map wizard=Student");
}
END_TEST

START_TEST(locations_are_suggested_and_multi_school_users_get_two)
{
    tu_result r = MH("locations classlink");
    char role[64], locs[256];
    ck_assert_int_eq(r.status, 0);
    /* "Lincoln Elementary School" suggests the location "Lincoln Elementary". */
    ck_assert_msg(strstr(r.out, "Lincoln Elementary School") && strstr(r.out, "(unmapped)               Lincoln Elementary"),
                  "%s", r.out);
    ck_assert_ptr_nonnull(strstr(r.out, "Washington Middle School"));
    tu_result_free(&r);
    r = MH("locations classlink --map org-school-000='Lincoln Elementary' --map "
           "org-school-001='Washington Middle' --map org-school-002='Lincoln Elementary'");
    ck_assert_msg(r.status == 0, "%s", r.err);
    tu_result_free(&r);
    r = MH("users --app classlink --json");
    /* A teacher in two schools mapped to two locations has both. */
    ck_assert_msg(strstr(r.out, "\"locations\":[\"Lincoln Elementary\",\"Washington Middle\"]") ||
                  strstr(r.out, "\"locations\":[\"Washington Middle\",\"Lincoln Elementary\"]"), "no two-school user");
    tu_result_free(&r);
    user_mapping("u0000000", role, sizeof role, locs, sizeof locs);
    ck_assert_str_ne(locs, "[]");
    mh_fails(1, "no org with the sourcedId or identifier \"org-nowhere\"", "locations classlink --map org-nowhere='Lincoln Elementary'");
    mh_fails(1, "no location \"Atlantis\"", "locations classlink --map org-school-000=Atlantis");
}
END_TEST

START_TEST(unmapped_users_are_imported_flagged_and_counted)
{
    tu_result r = MH("roles classlink --map student=Student");
    tu_result_free(&r);
    r = MH("sync classlink --full");
    tu_result_free(&r);
    ck_assert_int_eq(users_page().total, 400);  /* unmapped users are still imported */
    r = MH("runs classlink --json");
    {
        json_object *runs = json_tokener_parse(r.out), *last, *counts, *roles, *orgs, *v;
        last = json_object_array_get_idx(runs, json_object_array_length(runs) - 1);
        json_object_object_get_ex(last, "counts", &counts);
        ck_assert(json_object_object_get_ex(counts, "unmapped_roles", &roles));
        ck_assert(json_object_object_get_ex(roles, "teacher", &v));
        ck_assert_int_gt(json_object_get_int(v), 10);
        ck_assert(!json_object_object_get_ex(roles, "student", &v));  /* students are mapped */
        ck_assert(json_object_object_get_ex(counts, "unmapped_orgs", &orgs));
        ck_assert(json_object_object_get_ex(orgs, "org-school-000", &v));
        json_object_put(runs);
    }
    tu_result_free(&r);
    r = MH("users --app classlink --role teacher --json");
    ck_assert_ptr_nonnull(strstr(r.out, "\"roleUnmapped\":true"));
    tu_result_free(&r);
}
END_TEST

START_TEST(a_vanished_org_keeps_its_mapping_flagged_stale)
{
    tu_result r = MH("locations classlink --map org-school-002='Lincoln Elementary'");
    tu_result_free(&r);
    free(sim_get(&env.sim, "/_sim/reset?schools=2"));
    r = MH("sync classlink --full --confirm-deactivations");
    ck_assert_int_eq(r.status, 0);
    tu_result_free(&r);
    r = MH("locations classlink");
    {
        const char *row = strstr(r.out, "org-school-002");
        ck_assert_ptr_nonnull(row);
        ck_assert_msg(strstr(row, "Lincoln Elementary") && strstr(row, "[stale: no longer in the SIS; "
                      "mapping kept]") && strchr(row, '\n') > strstr(row, "[stale"), "%s", r.out);
    }
    tu_result_free(&r);
}
END_TEST

START_TEST(standard_accounts_are_unaffected)
{
    tu_result r = MH("account classlink --standard");
    ck_assert_int_eq(r.status, 0);
    tu_result_free(&r);
    r = MH("roles classlink");
    ck_assert_int_eq(r.status, 0);
    ck_assert_ptr_nonnull(strstr(r.out, "applies only to ITxM accounts"));
    tu_result_free(&r);
    r = MH("locations classlink --map org-school-000='Lincoln Elementary'");
    ck_assert_int_eq(r.status, 1);
    ck_assert_msg(strstr(r.err, "applies only to ITxM accounts"), "on stderr: %s", r.err);
    ck_assert_str_eq(r.out, "");
    tu_result_free(&r);
    r = MH("users --app classlink --json");
    ck_assert_ptr_null(strstr(r.out, "\"portalRole\":\""));
    ck_assert_ptr_null(strstr(r.out, "roleUnmapped"));
    tu_result_free(&r);
}
END_TEST

START_TEST(a_name_in_use_is_removed_only_with_its_mappings)
{
    char *before, *after, role[64], locs[256];
    tu_result r;
    mh_ok("roles classlink --map student=Student --map teacher=Staff");
    mh_ok("locations classlink --map org-school-000='Lincoln Elementary'");
    before = users_json();
    r = MH("portal-roles remove Student");
    ck_assert_int_eq(r.status, 1);
    ck_assert_msg(strstr(r.err, "the portal role \"Student\" is in use by 1 mapping and ") &&
                  strstr(r.err, " users, so it was not removed") &&
                  strstr(r.err, "mock-host portal-roles remove \"Student\" --unmap"), "%s", r.err);
    tu_result_free(&r);
    r = MH("locations remove 'Lincoln Elementary'");
    ck_assert_int_eq(r.status, 1);
    ck_assert_msg(strstr(r.err, "the location \"Lincoln Elementary\" is in use by 1 mapping and "),
                  "%s", r.err);
    tu_result_free(&r);
    after = users_json();
    ck_assert_str_eq(after, before);  /* a refusal changes nothing */
    free(after);
    free(before);
    r = MH("portal-roles remove Student --unmap");
    ck_assert_msg(r.status == 0, "%s", r.err);
    ck_assert_msg(strstr(r.out, "Removed the portal role \"Student\" and its mappings"), "%s", r.out);
    tu_result_free(&r);
    mh_ok("locations remove 'Lincoln Elementary' --unmap");
    user_mapping("u0000000", role, sizeof role, locs, sizeof locs);  /* a student */
    ck_assert_str_eq(role, "null");
    ck_assert_str_eq(locs, "[]");
    user_mapping("u0000016", role, sizeof role, locs, sizeof locs);  /* a teacher keeps Staff */
    ck_assert_str_eq(role, "Staff");
    mh_ok("sync classlink --full");  /* and a full run brings no dangling name back */
    r = MH("users --app classlink --json");
    ck_assert_ptr_null(strstr(r.out, "\"Student\""));
    ck_assert_ptr_null(strstr(r.out, "Lincoln Elementary"));
    tu_result_free(&r);
    r = MH("roles classlink");
    ck_assert_msg(strstr(r.out, "student") && strstr(strstr(r.out, "student"), "(unmapped)"), "%s", r.out);
    tu_result_free(&r);
    mh_fails(1, "there is no portal role \"Student\"", "portal-roles remove Student");
    mh_fails(2, "needs a name that is not blank", "portal-roles add '  '");
    mh_fails(2, "needs a name that is not blank", "locations add ''");
}
END_TEST

START_TEST(unmapped_users_are_reported_after_sync_in_runs_and_on_the_users_page)
{
    tu_result r;
    mh_ok("roles classlink --map student=Student");
    mh_ok("locations classlink --map org-school-000='Lincoln Elementary'");
    r = MH("sync classlink --full");
    ck_assert_msg(r.status == 0, "%s", r.err);
    ck_assert_msg(strstr(r.out, "unmapped roles: ") && strstr(r.out, " have no portal role (") &&
                  strstr(r.out, "teacher ") && strstr(r.out, "mock-host roles classlink --map"),
                  "%s", r.out);
    ck_assert_msg(strstr(r.out, "unmapped orgs: ") && strstr(r.out, "org-school-001 ") &&
                  strstr(r.out, "mock-host locations classlink --map ORG=LOCATION"), "%s", r.out);
    ck_assert_msg(strstr(r.out, "student ") == NULL, "students are mapped: %s", r.out);
    tu_result_free(&r);
    r = MH("runs classlink");
    ck_assert_int_eq(r.status, 0);
    ck_assert_msg(strstr(r.out, "NOROLE NOLOC") && strstr(r.out, "     unmapped roles: "), "%s", r.out);
    tu_result_free(&r);
    r = MH("users --app classlink --role teacher");
    ck_assert_msg(strstr(r.out, "PORTAL ROLE") && strstr(r.out, "LOCATIONS") &&
                  strstr(r.out, "(unmapped)"), "%s", r.out);
    tu_result_free(&r);
    r = MH("users --role student");  /* every app: the columns show too */
    ck_assert_msg(strstr(r.out, "PORTAL ROLE") && strstr(r.out, "Student") &&
                  strstr(r.out, "Lincoln Elementary"), "%s", r.out);
    tu_result_free(&r);
}
END_TEST

START_TEST(map_mistakes_are_usage_errors_that_change_nothing)
{
    char *before = users_json(), *after;
    tu_result r = MH("roles classlink --map");
    ck_assert_int_eq(r.status, 2);
    ck_assert_msg(strstr(r.err, "--map needs a value, e.g. --map student=Student") &&
                  strstr(r.err, "got '--map'") == NULL, "%s", r.err);
    tu_result_free(&r);
    r = MH("roles classlink --map student=");
    ck_assert_int_eq(r.status, 2);
    ck_assert_msg(strstr(r.err, "--map 'student=' needs both sides") &&
                  strstr(r.err, "portal-roles add") == NULL, "%s", r.err);
    tu_result_free(&r);
    mh_fails(2, "needs both sides", "roles classlink --map '=Student'");
    mh_fails(2, "needs both sides", "locations classlink --map 'SCH001=  '");
    mh_fails(2, "unexpected argument 'student=Student'", "roles classlink student=Student");
    /* One bad pair stores none of the others. */
    mh_fails(1, "no Customer Portal role \"Janitor\"",
             "roles classlink --map student=Student --map teacher=Janitor");
    r = MH("roles classlink");
    {
        const char *line = strstr(r.out, "\nstudent ");
        ck_assert_msg(line && strstr(line, "(unmapped)") && strstr(line, "(unmapped)") < strchr(line + 1, '\n'),
                      "student was mapped after all: %s", r.out);
    }
    tu_result_free(&r);
    after = users_json();
    ck_assert_str_eq(after, before);
    free(after);
    free(before);
}
END_TEST

START_TEST(a_school_is_mapped_by_its_identifier_too)
{
    tu_result r = MH("locations classlink");
    const char *row = strstr(r.out, "org-school-000");
    char ident[32] = "";
    ck_assert_ptr_nonnull(row);
    ck_assert_int_eq(sscanf(row, "org-school-000 %*s %31s", ident), 1);
    tu_result_free(&r);
    r = MH("locations classlink --map %s='Lincoln Elementary'", ident);
    ck_assert_msg(r.status == 0, "%s: %s", ident, r.err);
    tu_result_free(&r);
    r = MH("users --app classlink --json");
    ck_assert_ptr_nonnull(strstr(r.out, "\"locations\":[\"Lincoln Elementary\"]"));
    tu_result_free(&r);
    r = MH("locations classlink");
    row = strstr(r.out, "org-school-000");
    ck_assert_msg(row && strstr(row, "Lincoln Elementary") < strchr(row, '\n'), "%s", r.out);
    tu_result_free(&r);
    mh_fails(1, "no org with the sourcedId or identifier \"SCH999\"",
             "locations classlink --map SCH999='Lincoln Elementary'");
}
END_TEST

Suite *suite_itxm(void)
{
    Suite *s = suite_create("itxm");
    TCase *tc = tcase_create("itxm");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, roles_are_listed_suggested_mapped_and_remapped);
    tcase_add_test(tc, locations_are_suggested_and_multi_school_users_get_two);
    tcase_add_test(tc, unmapped_users_are_imported_flagged_and_counted);
    tcase_add_test(tc, a_vanished_org_keeps_its_mapping_flagged_stale);
    tcase_add_test(tc, standard_accounts_are_unaffected);
    tcase_add_test(tc, a_name_in_use_is_removed_only_with_its_mappings);
    tcase_add_test(tc, map_mistakes_are_usage_errors_that_change_nothing);
    tcase_add_test(tc, a_school_is_mapped_by_its_identifier_too);
    tcase_add_test(tc, unmapped_users_are_reported_after_sync_in_runs_and_on_the_users_page);
    suite_add_tcase(s, tc);
    return s;
}
