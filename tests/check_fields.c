/* check_fields.c - step 3: the catalogue finds every metadata key the
 * district has, and the Users page shows exactly the chosen fields. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "mhtest.h"

static void setup(void)
{
    tu_result r;
    env_start("--users 3000 --schools 6");
    env_connect();
    env_config("page_size", "1000");
    r = MH("sync classlink --full");
    ck_assert_int_eq(r.status, 0);
    tu_result_free(&r);
}

static void teardown(void)
{
    env_stop();
}

/* The catalogue line of (role, path), or NULL. */
static json_object *find_field(json_object *cat, const char *role, const char *path)
{
    size_t i;
    for (i = 0; i < json_object_array_length(cat); i++) {
        json_object *f = json_object_array_get_idx(cat, i), *r, *p;
        json_object_object_get_ex(f, "role", &r);
        json_object_object_get_ex(f, "path", &p);
        if (strcmp(json_object_get_string(r), role) == 0 && strcmp(json_object_get_string(p), path) == 0)
            return f;
    }
    return NULL;
}

static double rate_of(json_object *f)
{
    json_object *v;
    json_object_object_get_ex(f, "fillRate", &v);
    return json_object_get_double(v);
}

START_TEST(discovery_finds_every_metadata_key_per_role)
{
    /* What the simulator's district defines, role by role (rare ones too). */
    static const char *const expected[][2] = {
        {"student", "metadata.student_cohort"}, {"student", "metadata.lunch_status"},
        {"student", "metadata.iep"}, {"student", "metadata.ell_level"},
        {"student", "metadata.transport_route"}, {"teacher", "metadata.department"},
        {"teacher", "metadata.hire_year"}, {"teacher", "metadata.certification_expiry"},
        {"aide", "metadata.department"}, {"administrator", "metadata.office"},
        {"guardian", "metadata.contact_priority"}, {"guardian", "metadata.preferred_language"},
        {"student", "givenName"}, {"student", "grades"}};
    tu_result r = MH("schema classlink --json");
    json_object *cat, *f, *t;
    size_t i;

    ck_assert_msg(r.status == 0, "%s", r.err);
    cat = json_tokener_parse(r.out);
    ck_assert_ptr_nonnull(cat);
    for (i = 0; i < sizeof expected / sizeof expected[0]; i++)
        ck_assert_msg(find_field(cat, expected[i][0], expected[i][1]) != NULL, "%s has no %s",
                      expected[i][0], expected[i][1]);
    /* Role-specific: a student has no department, a guardian no cohort. */
    ck_assert_ptr_null(find_field(cat, "student", "metadata.department"));
    ck_assert_ptr_null(find_field(cat, "guardian", "metadata.student_cohort"));
    /* Rare keys are found with their real (small) fill rate; types are read. */
    f = find_field(cat, "student", "metadata.transport_route");
    ck_assert(rate_of(f) > 0.005 && rate_of(f) < 0.08);
    ck_assert(rate_of(find_field(cat, "student", "metadata.student_cohort")) > 0.99);
    json_object_object_get_ex(find_field(cat, "student", "metadata.iep"), "type", &t);
    ck_assert_str_eq(json_object_get_string(t), "boolean");   /* "true"/"false" strings */
    json_object_object_get_ex(find_field(cat, "teacher", "metadata.hire_year"), "type", &t);
    ck_assert_str_eq(json_object_get_string(t), "number");
    json_object_object_get_ex(find_field(cat, "teacher", "metadata.certification_expiry"), "type", &t);
    ck_assert_str_eq(json_object_get_string(t), "date");
    json_object_put(cat);
    tu_result_free(&r);
    r = MH("schema classlink");
    ck_assert_ptr_nonnull(strstr(r.out, "== student ("));
    ck_assert_ptr_nonnull(strstr(r.out, "metadata.transport_route"));
    tu_result_free(&r);
}
END_TEST

/* The set of field names each user of `role` shows, as "a,b,c" (sorted as
 * chosen); asserts every user of the role shows the same set. */
static char *fields_of_role(const char *role)
{
    tu_result r = MH("users --app classlink --role %s --json", role);
    json_object *arr = json_tokener_parse(r.out), *fields;
    char *first = NULL;
    size_t i;
    ck_assert_ptr_nonnull(arr);
    ck_assert_int_gt(json_object_array_length(arr), 0);
    for (i = 0; i < json_object_array_length(arr); i++) {
        char keys[512] = "";
        json_object_object_get_ex(json_object_array_get_idx(arr, i), "fields", &fields);
        json_object_object_foreach(fields, k, v) {
            (void)v;
            strcat(keys, keys[0] ? "," : "");
            strcat(keys, k);
        }
        if (first == NULL)
            first = strdup(keys);
        else
            ck_assert_str_eq(keys, first);
    }
    json_object_put(arr);
    tu_result_free(&r);
    return first;
}

START_TEST(users_page_shows_exactly_the_chosen_fields_without_a_request)
{
    tu_result r;
    char *f;
    long long before;

    f = fields_of_role("student");  /* defaults before any choice */
    ck_assert_str_eq(f, "givenName,familyName,email,username,identifier,grades");
    free(f);
    r = MH("schema classlink");
    tu_result_free(&r);
    before = sim_stat(&env.sim, "roster_requests");
    r = MH("fields classlink --role student --show givenName,metadata.student_cohort,metadata.transport_route");
    ck_assert_msg(r.status == 0, "%s", r.err);
    tu_result_free(&r);
    f = fields_of_role("student");
    ck_assert_str_eq(f, "givenName");  /* metadata is off until switched on */
    free(f);
    r = MH("fields classlink --metadata on");
    ck_assert_int_eq(r.status, 0);
    ck_assert_ptr_nonnull(strstr(r.out, "no request to the SIS"));
    tu_result_free(&r);
    f = fields_of_role("student");
    ck_assert_str_eq(f, "givenName,metadata.student_cohort,metadata.transport_route");
    free(f);
    f = fields_of_role("teacher");  /* other roles keep the defaults */
    ck_assert_str_eq(f, "givenName,familyName,email,username,identifier");
    free(f);
    r = MH("fields classlink --metadata off");
    tu_result_free(&r);
    f = fields_of_role("student");
    ck_assert_str_eq(f, "givenName");
    free(f);
    ck_assert_int_eq(sim_stat(&env.sim, "roster_requests"), before);  /* mapping asked nothing */
    r = MH("users --app classlink --role student --json");
    ck_assert_ptr_null(strstr(r.out, "\"metadata.transport_route\""));  /* hidden again */
    tu_result_free(&r);
    r = MH("fields classlink");
    ck_assert_ptr_nonnull(strstr(r.out, "student        givenName,metadata.student_cohort"));
    ck_assert_ptr_nonnull(strstr(r.out, "hidden"));
    tu_result_free(&r);
}
END_TEST

START_TEST(unknown_fields_and_roles_are_refused_with_suggestions)
{
    tu_result r = MH("fields classlink --role student --show givenNam,metadata.transport_rout");
    ck_assert_int_eq(r.status, 1);
    ck_assert_msg(strstr(r.err, "unknown field \"givenNam\" for role student; did you mean givenName"),
                  "%s", r.err);
    ck_assert_ptr_nonnull(strstr(r.err, "did you mean metadata.transport_route"));
    tu_result_free(&r);
    r = MH("fields classlink --role wizard --show givenName");
    ck_assert_int_eq(r.status, 1);
    ck_assert_ptr_nonnull(strstr(r.err, "no users with role \"wizard\""));
    tu_result_free(&r);
    r = MH("fields classlink");
    ck_assert_ptr_nonnull(strstr(r.out, "No role has a choice yet"));  /* nothing stored */
    tu_result_free(&r);
}
END_TEST

START_TEST(oneroster_12_maps_through_the_primary_role)
{
    tu_result r;
    char *f;
    free(sim_get(&env.sim, "/_sim/reset?oneroster12=1"));
    r = MH("sync classlink --full");
    ck_assert_msg(r.status == 0, "%s", r.err);
    ck_assert_ptr_nonnull(strstr(r.out, "0 created"));  /* same users, same identities */
    tu_result_free(&r);
    f = fields_of_role("teacher");  /* the role comes from roles[] (primary) */
    ck_assert_str_eq(f, "givenName,familyName,email,username,identifier");
    free(f);
    ck_assert_int_eq(users_page().total, 3000);
    ck_assert_int_eq(users_page().active, sim_stat(&env.sim, "active"));
}
END_TEST

START_TEST(discovery_recovers_from_throttling_and_fails_clearly)
{
    tu_result r;
    free(sim_get(&env.sim, "/_sim/fault?kind=429&path=/users&count=3&retry_after=0"));
    r = MH("schema classlink");
    ck_assert_msg(r.status == 0, "%s", r.err);
    tu_result_free(&r);
    free(sim_get(&env.sim, "/_sim/fault?kind=500&path=/users&count=-1"));
    env_config("max_attempts", "2");
    r = MH("schema classlink");
    ck_assert_int_eq(r.status, 1);
    ck_assert_msg(strstr(r.err, "could not read the field catalogue") && strstr(r.err, "HTTP 500"),
                  "%s", r.err);
    tu_result_free(&r);
}
END_TEST

Suite *suite_fields(void)
{
    Suite *s = suite_create("fields");
    TCase *tc = tcase_create("fields");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, discovery_finds_every_metadata_key_per_role);
    tcase_add_test(tc, users_page_shows_exactly_the_chosen_fields_without_a_request);
    tcase_add_test(tc, unknown_fields_and_roles_are_refused_with_suggestions);
    tcase_add_test(tc, oneroster_12_maps_through_the_primary_role);
    tcase_add_test(tc, discovery_recovers_from_throttling_and_fails_clearly);
    suite_add_tcase(s, tc);
    return s;
}
