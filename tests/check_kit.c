/* check_kit.c - plugin-kit/sis_kit.c, the helpers both SIS plugins compile
 * in: the standard mapping (through each plugin's own vtable, so both are
 * shown to use it), size checks and declared integer settings. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sis_kit.h"
#include "sis_kit_url.h"
#include "testutil.h"

int classlink_sis_entry(uint32_t host_abi, const sis_host *host, const sis_plugin_header **out,
                        sis_error *err);
int oneroster_csv_entry(uint32_t host_abi, const sis_host *host, const sis_plugin_header **out,
                        sis_error *err);

#define N_ORGS 40     /* more than the kit keeps on its stack */
#define N_PATHS 45

/* What the host received, as text the assertions compare. */
typedef struct seen_user {
    char text[8192];
    int calls;
} seen_user;

static void add(seen_user *s, const char *fmt, const char *a)
{
    size_t len = strlen(s->text);
    snprintf(s->text + len, sizeof s->text - len, fmt, a);
}

static int keep_user(void *ctx, const sis_host_user *u)
{
    seen_user *s = ctx;
    size_t i;
    s->calls++;
    s->text[0] = '\0';
    add(s, "%s", u->sourced_id);
    add(s, " role=%s", u->role);
    add(s, " portal=%s", u->portal_role ? u->portal_role : "-");
    add(s, " name=%s", u->given_name);
    add(s, " %s", u->family_name);
    add(s, " active=%s", u->active ? "1" : "0");
    add(s, " unmapped_role=%s", u->role_unmapped ? "1" : "0");
    for (i = 0; i < u->n_locations; i++)
        add(s, " L:%s", u->locations[i]);
    for (i = 0; i < u->n_unmapped_org_ids; i++)
        add(s, " U:%s", u->unmapped_org_ids[i]);
    for (i = 0; i < u->n_fields; i++) {
        add(s, " F:%s", u->fields[i].path);
        add(s, "=%s", u->fields[i].value);
    }
    return SIS_OK;
}

static int refuse_user(void *ctx, const sis_host_user *u)
{
    (void)ctx;
    (void)u;
    return SIS_ERR_SINK;
}

/* Each plugin's own apply_mappings (both must be the kit's mapping). */
static const sis_connector *connector_of(int which)
{
    const sis_plugin_header *h = NULL;
    sis_error err = SIS_ERROR_LOCAL;
    sis_host host = {0};
    host.struct_size = sizeof host;
    host.abi_version = SIS_ABI_VERSION;
    ck_assert_int_eq(which == 0 ? classlink_sis_entry(SIS_ABI_VERSION, &host, &h, &err)
                                : oneroster_csv_entry(SIS_ABI_VERSION, &host, &h, &err),
                     SIS_OK);
    return (const sis_connector *)h;
}

START_TEST(standard_mapping_keeps_every_org_and_field_in_both_plugins)
{
    char org_names[N_ORGS][16], path_names[N_PATHS][16], expect[8192];
    const char *orgs[N_ORGS], *paths[N_PATHS];
    sis_field fields[N_PATHS + 1];
    sis_pair locs[N_ORGS / 2];
    const char *role = "teacher";
    sis_role_fields rf = {"teacher", paths, N_PATHS};
    sis_record r = SIS_RECORD_INIT;
    sis_mapping m = SIS_MAPPING_INIT;
    sis_pair portal = {"teacher", "Faculty"};
    seen_user seen = {"", 0};
    sis_error err = SIS_ERROR_LOCAL;
    const sis_connector *c = connector_of(_i);
    size_t i, len;

    for (i = 0; i < N_ORGS; i++) {
        snprintf(org_names[i], sizeof org_names[i], "org%02zu", i);
        orgs[i] = org_names[i];
    }
    /* Even orgs map, to three locations in turn: each location once. */
    for (i = 0; i < N_ORGS / 2; i++)
        locs[i] = (sis_pair){orgs[2 * i], i % 3 == 0 ? "North" : i % 3 == 1 ? "South" : "East"};
    for (i = 0; i < N_PATHS; i++) {
        snprintf(path_names[i], sizeof path_names[i], "metadata.k%02zu", i);
        paths[i] = path_names[i];
        fields[i] = (sis_field){paths[i], "v", NULL, 0};
    }
    fields[N_PATHS] = (sis_field){"givenName", "Ann", NULL, 0};
    r.sourced_id = "t1";
    r.role = role;
    r.roles = &role;
    r.n_roles = 1;
    r.enabled = 1;
    r.org_ids = orgs;
    r.n_org_ids = N_ORGS;
    r.fields = fields;
    r.n_fields = N_PATHS + 1;
    m.show_metadata = 1;
    m.role_fields = &rf;
    m.n_role_fields = 1;
    m.location_map = locs;
    m.n_location_map = N_ORGS / 2;
    m.role_map = &portal;
    m.n_role_map = 1;

    ck_assert_int_eq(c->apply_mappings(NULL, &r, &m, keep_user, &seen, &err), SIS_OK);
    ck_assert_int_eq(seen.calls, 1);
    snprintf(expect, sizeof expect, "t1 role=teacher portal=Faculty name=Ann  active=1 "
             "unmapped_role=0 L:North L:South L:East");
    for (i = 1; i < N_ORGS; i += 2) {
        len = strlen(expect);
        snprintf(expect + len, sizeof expect - len, " U:%s", orgs[i]);
    }
    for (i = 0; i < N_PATHS; i++) {
        len = strlen(expect);
        snprintf(expect + len, sizeof expect - len, " F:%s=v", paths[i]);
    }
    ck_assert_str_eq(seen.text, expect);

    /* Metadata off: none of the chosen metadata fields reach the host. */
    m.show_metadata = 0;
    ck_assert_int_eq(c->apply_mappings(NULL, &r, &m, keep_user, &seen, &err), SIS_OK);
    ck_assert_ptr_null(strstr(seen.text, "F:"));
}
END_TEST

START_TEST(defaults_apply_until_the_admin_chooses)
{
    const char *role = "student";
    sis_field f[] = {{"familyName", "Ng", NULL, 0}, {"grades", "09", NULL, 0}};
    sis_record r = SIS_RECORD_INIT;
    sis_mapping m = SIS_MAPPING_INIT;
    sis_pair other = {"teacher", "Faculty"};
    seen_user seen = {"", 0};
    sis_error err = SIS_ERROR_LOCAL;
    r.sourced_id = "s1";
    r.role = role;
    r.roles = &role;
    r.n_roles = 1;
    r.status = SIS_RECORD_TOBEDELETED;
    r.enabled = 1;
    r.fields = f;
    r.n_fields = 2;
    m.role_map = &other;   /* a role map without this role: the user is unmapped */
    m.n_role_map = 1;
    ck_assert_int_eq(sis_kit_apply_mappings(&r, &m, keep_user, &seen, &err), SIS_OK);
    ck_assert_str_eq(seen.text, "s1 role=student portal=- name= Ng active=0 unmapped_role=1 "
                     "F:givenName= F:familyName=Ng F:email= F:username= F:identifier= "
                     "F:grades=09");
    role = "teacher";
    r.role = role;
    ck_assert_int_eq(sis_kit_apply_mappings(&r, &m, keep_user, &seen, &err), SIS_OK);
    ck_assert_ptr_null(strstr(seen.text, "grades"));
    ck_assert_ptr_nonnull(strstr(seen.text, "portal=Faculty"));
}
END_TEST

START_TEST(a_refused_user_and_a_bad_record_say_so)
{
    const char *role = "staff";
    sis_record r = SIS_RECORD_INIT;
    sis_mapping m = SIS_MAPPING_INIT;
    sis_error err = SIS_ERROR_LOCAL;
    r.sourced_id = "x";
    r.role = role;
    ck_assert_int_eq(sis_kit_apply_mappings(&r, &m, refuse_user, NULL, &err), SIS_ERR_SINK);
    ck_assert_str_eq(err.message, "the host refused a mapped user");
    r.role = NULL;
    ck_assert_int_eq(sis_kit_apply_mappings(&r, &m, refuse_user, NULL, &err),
                     SIS_ERR_INVALID_ARG);
    ck_assert_ptr_nonnull(strstr(err.message, "a record with an id and a role"));
    r.role = role;
    r.struct_size = 8;   /* an older host's record: refused, never misread */
    ck_assert_int_eq(sis_kit_check_apply(&r, &m, &err), SIS_ERR_ABI);
    ck_assert_str_eq(err.message, "the host passed a sis_record older than SIS ABI 2.0; update "
                     "the host");
}
END_TEST

/* config_get for the settings test: one stored value per key. */
static const char *stored_limit;

static int fake_config_get(sis_host_app *app, const char *key, char *buf, size_t cap)
{
    (void)app;
    if (stored_limit == NULL || strcmp(key, "limit") != 0)
        return SIS_ERR_NOT_FOUND;
    snprintf(buf, cap, "%s", stored_limit);
    return SIS_OK;
}

START_TEST(integer_settings_stay_in_their_declared_range)
{
    static const sis_decl limit = {sizeof(sis_decl), SIS_DECL_SETTING, "limit", "Limit",
                                   SIS_VALUE_INTEGER, 0, "30", 1, 100, NULL, 0, "A limit."};
    static const sis_decl name = {sizeof(sis_decl), SIS_DECL_SETTING, "name", "Name",
                                  SIS_VALUE_TEXT, 0, "x", 0, 0, NULL, 0, "A name."};
    const sis_decl *const decls[] = {&name, &limit};
    sis_host host = {0};
    host.struct_size = sizeof host;
    host.config_get = fake_config_get;

    stored_limit = NULL;
    ck_assert_int_eq(sis_kit_setting_int(decls, 2, &host, NULL, "limit"), 30);
    stored_limit = "75";
    ck_assert_int_eq(sis_kit_setting_int(decls, 2, &host, NULL, "limit"), 75);
    stored_limit = "1000";   /* out of range: the default, whatever the host stored */
    ck_assert_int_eq(sis_kit_setting_int(decls, 2, &host, NULL, "limit"), 30);
    stored_limit = "7x";
    ck_assert_int_eq(sis_kit_setting_int(decls, 2, &host, NULL, "limit"), 30);
    ck_assert_int_eq(sis_kit_setting_int(decls, 2, &host, NULL, "name"), 0);
    ck_assert_int_eq(sis_kit_setting_int(decls, 2, &host, NULL, "undeclared"), 0);
}
END_TEST

/* Loopback means this machine by address, never a name that starts like one. */
START_TEST(loopback_is_an_address_of_this_machine_not_a_lookalike_name)
{
    static const char *const local[] = {"localhost", "LocalHost", "127.0.0.1", "127.255.0.9",
                                        "::1", "[::1]", "[0:0:0:0:0:0:0:1]"};
    static const char *const remote[] = {"127.example.org", "127.0.0.1.example.org",
                                         "localhost.example.org", "128.0.0.1", "[::2]",
                                         "[::ffff:8.8.8.8]", "example.org", "", "[]"};
    sis_error err = SIS_ERROR_LOCAL;
    size_t i;
    for (i = 0; i < sizeof local / sizeof local[0]; i++)
        ck_assert_msg(sis_kit_host_is_loopback(local[i]), "%s", local[i]);
    for (i = 0; i < sizeof remote / sizeof remote[0]; i++)
        ck_assert_msg(!sis_kit_host_is_loopback(remote[i]), "%s", remote[i]);

    ck_assert_int_eq(sis_kit_check_http_url("http://127.0.0.1:8080/ims", &err), SIS_OK);
    ck_assert_int_eq(sis_kit_check_http_url("http://[::1]:8080/", &err), SIS_OK);
    ck_assert_int_eq(sis_kit_check_http_url("https://district.example/ims", &err), SIS_OK);
    ck_assert_int_eq(sis_kit_check_http_url("http://127.0.0.1@example.org/", &err), SIS_ERR_CONFIG);
    ck_assert_ptr_nonnull(strstr(err.message, "refusing plain http to example.org"));
    /* libcurl's reading decides: these go to evil.org, not to this machine. */
    ck_assert_int_eq(sis_kit_check_http_url("http://127.0.0.1\\@evil.org/", &err), SIS_ERR_CONFIG);
    ck_assert_int_eq(sis_kit_check_http_url("http://127.0.0.1%2f@evil.org/", &err), SIS_ERR_CONFIG);
    ck_assert_ptr_nonnull(strstr(err.message, "refusing plain http to evil.org"));
    ck_assert_int_eq(sis_kit_check_http_url("http://u:secret@127.0.0.1/", &err), SIS_ERR_CONFIG);
    ck_assert_ptr_nonnull(strstr(err.message, "user name or password"));
    ck_assert_ptr_null(strstr(err.message, "secret"));
    ck_assert_int_eq(sis_kit_check_http_url("ftp://example.org/", &err), SIS_ERR_CONFIG);
    ck_assert_ptr_nonnull(strstr(err.message, "give an https:// URL"));
    ck_assert_int_eq(sis_kit_check_http_url("district.example/ims", &err), SIS_ERR_CONFIG);
}
END_TEST

Suite *suite_kit(void)
{
    Suite *s = suite_create("kit");
    TCase *tc = tcase_create("kit");
    tcase_add_loop_test(tc, standard_mapping_keeps_every_org_and_field_in_both_plugins, 0, 2);
    tcase_add_test(tc, defaults_apply_until_the_admin_chooses);
    tcase_add_test(tc, a_refused_user_and_a_bad_record_say_so);
    tcase_add_test(tc, integer_settings_stay_in_their_declared_range);
    tcase_add_test(tc, loopback_is_an_address_of_this_machine_not_a_lookalike_name);
    suite_add_tcase(s, tc);
    return s;
}
