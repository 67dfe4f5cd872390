/* check_loader.c - the host loads good plugins side by side and refuses
 * incompatible ones, each with its own message. */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../mock-host/loader.h"
#include "../mock-host/services.h"
#include "testutil.h"

static char *dir;

/* A manifest for test plugin variant `so` in the temp folder. */
static void add_test_plugin(const char *file, const char *so, const char *id, const char *entry)
{
    char *lib, *link, *json;
    ck_assert_int_ne(asprintf(&lib, "%s/test-plugins/%s", tu_build_dir(), so), -1);
    ck_assert_int_ne(asprintf(&link, "%s/%s", dir, so), -1);
    if (access(link, F_OK) != 0)
        ck_assert_int_eq(symlink(lib, link), 0);
    ck_assert_int_ne(asprintf(&json, "{\"id\":\"%s\",\"kind\":\"%s\",\"version\":\"1.0.0\","
                              "\"abi\":\"2.0\",\"library\":\"%s\",\"entry\":\"%s\"}", id,
                              strcmp(so, "sso.so") == 0 ? "sso" : "sis", so, entry), -1);
    free(tu_write_file(dir, file, json));
    free(json);
    free(link);
    free(lib);
}

static void setup(void)
{
    dir = tu_mkdtemp();
}

static void teardown(void)
{
    tu_rmtree(dir);
    free(dir);
}

/* Loads the folder and returns the refusal that mentions `file`, or NULL. */
static const char *refusal_for(mh_registry *reg, const char *file)
{
    size_t i;
    for (i = 0; i < reg->n_refusals; i++)
        if (strstr(reg->refusals[i], file) != NULL)
            return reg->refusals[i];
    return NULL;
}

START_TEST(incompatible_plugins_are_refused_each_with_its_reason)
{
    mh_registry reg = {0};
    const char *r;

    add_test_plugin("a-good.manifest", "good.so", "testsis", "sis_plugin_entry");
    add_test_plugin("b-newer.manifest", "newer_abi.so", "newer", "sis_plugin_entry");
    add_test_plugin("c-null.manifest", "null_slot.so", "nullslot", "sis_plugin_entry");
    add_test_plugin("d-ident.manifest", "wrong_identity.so", "ident", "sis_plugin_entry");
    add_test_plugin("e-entry.manifest", "good.so", "badentry", "no_such_entry");
    add_test_plugin("f-dup.manifest", "good.so", "testsis", "sis_plugin_entry");
    add_test_plugin("g-decl.manifest", "bad_decl.so", "baddecl", "sis_plugin_entry");
    add_test_plugin("h-sso.manifest", "sso.so", "testsso", "sis_plugin_entry");
    mh_registry_scan(&reg, dir, mh_services());

    ck_assert_uint_eq(reg.n_plugins, 2);
    ck_assert_str_eq(reg.plugins[0].manifest->id, "testsis");
    ck_assert_ptr_nonnull(reg.plugins[0].connector);
    /* An SSO plugin loads as its own kind, with its own table. */
    ck_assert_str_eq(reg.plugins[1].manifest->id, "testsso");
    ck_assert_ptr_null(reg.plugins[1].connector);
    ck_assert_ptr_nonnull(reg.plugins[1].sso);
    ck_assert_uint_eq(reg.n_refusals, 6);
    r = refusal_for(&reg, "b-newer.manifest");
    ck_assert_msg(r && strstr(r, "built for SIS ABI 3.0 but this host speaks 2.1"), "%s", r);
    r = refusal_for(&reg, "g-decl.manifest");
    ck_assert_msg(r && strstr(r, "default of declaration \"roster_size\" is not valid"), "%s", r);

    r = refusal_for(&reg, "c-null.manifest");
    ck_assert_msg(r && strstr(r, "slot \"discover_schema\" is NULL"), "%s", r);
    r = refusal_for(&reg, "d-ident.manifest");
    ck_assert_msg(r && strstr(r, "says it is \"someone-else\"") && strstr(r, "do not belong together"),
                  "%s", r);
    r = refusal_for(&reg, "e-entry.manifest");
    ck_assert_msg(r && strstr(r, "exports no entry \"no_such_entry\""), "%s", r);
    r = refusal_for(&reg, "f-dup.manifest");
    ck_assert_msg(r && strstr(r, "already provides this id"), "%s", r);
    mh_registry_free(&reg);
}
END_TEST

static int count_record(void *ctx, const sis_record *rec)
{
    (void)rec;
    ++*(int *)ctx;
    return SIS_OK;
}

START_TEST(two_plugins_work_side_by_side)
{
    mh_registry reg = {0};
    char *search;
    const mh_plugin *cl, *tp;
    sis_host_app app_cl, app_tp;
    sis_instance *i_cl = NULL, *i_tp = NULL;
    sis_error err = SIS_ERROR_LOCAL;
    sis_fetch_request req = SIS_FETCH_REQUEST_INIT;
    sis_fetch_result res;
    int n = 0;
    sis_sink sink = {sizeof(sis_sink), &n, NULL, count_record, NULL};
    mh_store *store = NULL;
    char msg[512];

    add_test_plugin("testsis.manifest", "good.so", "testsis", "sis_plugin_entry");
    ck_assert_int_ne(asprintf(&search, "%s:%s/classlink.manifest", dir, tu_build_dir()), -1);
    mh_registry_scan(&reg, search, mh_services());
    ck_assert_msg(reg.n_refusals == 0, "%s", reg.n_refusals ? reg.refusals[0] : "");
    cl = mh_registry_find(&reg, "classlink");
    tp = mh_registry_find(&reg, "testsis");
    ck_assert_ptr_nonnull(cl);
    ck_assert_ptr_nonnull(tp);
    ck_assert_ptr_ne(cl->connector, tp->connector);

    memset(&app_cl, 0, sizeof app_cl);
    memset(&app_tp, 0, sizeof app_tp);
    free(search);
    ck_assert_int_ne(asprintf(&search, "%s/host.db", dir), -1);
    ck_assert_int_eq(mh_store_open(&store, search, msg, sizeof msg), 0);
    app_cl.plugin = cl;
    app_tp.plugin = tp;
    app_tp.store = store;
    ck_assert_int_eq(cl->connector->create(&i_cl, mh_services(), &app_cl, &err), SIS_OK);
    ck_assert_int_eq(tp->connector->create(&i_tp, mh_services(), &app_tp, &err), SIS_OK);
    memset(&res, 0, sizeof res);
    res.struct_size = sizeof res;
    /* Not connected: the test SIS says so through the host's secret store. */
    ck_assert_int_eq(tp->connector->fetch_users(i_tp, &req, &sink, &res, &err), SIS_ERR_CONFIG);
    ck_assert_int_eq(n, 0);
    cl->connector->destroy(i_cl);
    tp->connector->destroy(i_tp);
    mh_store_close(store);
    mh_registry_free(&reg);
    free(search);
}
END_TEST

START_TEST(classlink_entry_refuses_other_abi_major)
{
    char *lib;
    void *h;
    union { void *obj; sis_entry_fn fn; } entry;
    const sis_plugin_header *c = (const sis_plugin_header *)1;
    sis_error err = SIS_ERROR_LOCAL;

    ck_assert_int_ne(asprintf(&lib, "%s/classlink_sis.so", tu_build_dir()), -1);
    h = dlopen(lib, RTLD_NOW | RTLD_LOCAL);
    ck_assert_msg(h != NULL, "%s", dlerror());
    entry.obj = dlsym(h, "classlink_sis_entry");
    ck_assert_ptr_nonnull(entry.obj);
    ck_assert_int_eq(entry.fn(SIS_ABI_MAKE(3, 0), mh_services(), &c, &err), SIS_ERR_ABI);
    ck_assert_ptr_null(c);
    ck_assert_msg(strstr(err.message, "speaks SIS ABI 2.x but the host speaks 3.0"), "%s",
                  err.message);
    ck_assert_int_eq(entry.fn(SIS_ABI_VERSION, mh_services(), &c, &err), SIS_OK);
    ck_assert_str_eq(c->id, "classlink");
    ck_assert_int_eq(c->kind, SIS_KIND_SIS);
    ck_assert_uint_eq(c->struct_size, sizeof(sis_connector));
    free(lib);
}
END_TEST

START_TEST(plugins_export_exactly_one_symbol)
{
    tu_result r = tu_run("nm -D --defined-only %s/classlink_sis.so | awk '$2 ~ /^[TDBRVW]$/ {print $3}'",
                         tu_build_dir());
    ck_assert_int_eq(r.status, 0);
    ck_assert_str_eq(r.out, "classlink_sis_entry\n");
    tu_result_free(&r);
    r = tu_run("nm -D --defined-only %s/test-plugins/good.so | awk '$2 ~ /^[TDBRVW]$/ {print $3}'",
               tu_build_dir());
    ck_assert_str_eq(r.out, "sis_plugin_entry\n");
    tu_result_free(&r);
}
END_TEST

Suite *suite_loader(void)
{
    Suite *s = suite_create("loader");
    TCase *tc = tcase_create("loader");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, incompatible_plugins_are_refused_each_with_its_reason);
    tcase_add_test(tc, two_plugins_work_side_by_side);
    tcase_add_test(tc, classlink_entry_refuses_other_abi_major);
    tcase_add_test(tc, plugins_export_exactly_one_symbol);
    suite_add_tcase(s, tc);
    return s;
}
