/* check_manifest.c - every broken manifest is refused with its own reason. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../mock-host/manifest.h"
#include "testutil.h"

#define GOOD_HEAD "{\"id\":\"testsis\",\"kind\":\"sis\",\"version\":\"1.0.0\","
#define GOOD_TAIL "\"manifest_version\":2}"
#define GOOD_LIB "\"abi\":\"2.0\",\"library\":\"good.so\",\"entry\":\"sis_plugin_entry\","

static const struct { const char *name; const char *json; const char *expect; } broken[] = {
    {"not json", "{\"id\": \"x\",,}", "is not valid JSON"},
    {"trailing text", GOOD_HEAD GOOD_LIB GOOD_TAIL " extra", "unexpected text after the object"},
    {"array", "[1,2]", "top level must be a JSON object"},
    {"no id", "{\"kind\":\"sis\"}", "\"id\" is missing"},
    {"bad id", "{\"id\":\"a b\",\"kind\":\"sis\",\"version\":\"1\",\"abi\":\"2.0\","
     "\"library\":\"good.so\",\"entry\":\"e\"}", "\"id\" (a b) may hold only"},
    {"unknown kind", "{\"id\":\"x\",\"kind\":\"lms\",\"version\":\"1\",\"abi\":\"2.0\","
     "\"library\":\"good.so\",\"entry\":\"e\"}", "knows \"sis\" and \"sso\""},
    {"number version", "{\"id\":\"x\",\"kind\":\"sis\",\"version\":5}", "\"version\" must be a non-empty string"},
    {"bad abi", "{\"id\":\"x\",\"kind\":\"sis\",\"version\":\"1\",\"abi\":\"one\","
     "\"library\":\"good.so\",\"entry\":\"e\"}", "must look like \"2.0\""},
    {"newer abi", GOOD_HEAD "\"abi\":\"3.0\",\"library\":\"good.so\",\"entry\":\"sis_plugin_entry\","
     GOOD_TAIL, "built for SIS ABI 3.0, this host speaks 2.1"},
    {"absolute library", GOOD_HEAD "\"abi\":\"2.0\",\"library\":\"/usr/lib/x.so\",\"entry\":\"e\","
     GOOD_TAIL, "relative to the manifest's folder"},
    {"escaping library", GOOD_HEAD "\"abi\":\"2.0\",\"library\":\"sub/../../x.so\",\"entry\":\"e\","
     GOOD_TAIL, "escapes the manifest's folder"},
    {"missing library", GOOD_HEAD "\"abi\":\"2.0\",\"library\":\"nothere.so\",\"entry\":\"e\","
     GOOD_TAIL, "nothere.so does not exist"},
    {"library is a folder", GOOD_HEAD "\"abi\":\"2.0\",\"library\":\"sub\",\"entry\":\"e\","
     GOOD_TAIL, "is not a regular file"},
    {"entry not a symbol", GOOD_HEAD "\"abi\":\"2.0\",\"library\":\"good.so\",\"entry\":\"x();\","
     GOOD_TAIL, "is not a C symbol name"},
    /* Declarations live in the plugin: a manifest that repeats them is refused. */
    {"declarations in the manifest", GOOD_HEAD GOOD_LIB "\"manual_fields\":[{\"name\":\"token\"}]}",
     "unknown field \"manual_fields\""},
    {"capabilities in the manifest", GOOD_HEAD GOOD_LIB "\"capabilities\":[\"full\"]}",
     "unknown field \"capabilities\""},
};

static char *dir;

static void setup(void)
{
    char *lib, *sub;
    dir = tu_mkdtemp();
    ck_assert_int_ne(asprintf(&lib, "%s/test-plugins/good.so", tu_build_dir()), -1);
    ck_assert_int_ne(asprintf(&sub, "%s/good.so", dir), -1);
    ck_assert_int_eq(symlink(lib, sub), 0);
    free(sub);
    ck_assert_int_ne(asprintf(&sub, "%s/sub", dir), -1);
    ck_assert_int_eq(mkdir(sub, 0700), 0);
    free(sub);
    free(lib);
}

static void teardown(void)
{
    tu_rmtree(dir);
    free(dir);
}

START_TEST(broken_manifest_is_refused_with_reason)
{
    char err[1024] = "";
    char *path = tu_write_file(dir, "t.manifest", broken[_i].json);
    mh_manifest *m = NULL;
    ck_assert_int_eq(mh_manifest_load(&m, path, err, sizeof err), -1);
    ck_assert_ptr_null(m);
    ck_assert_msg(strstr(err, broken[_i].expect) != NULL, "%s: expected \"%s\" in \"%s\"",
                  broken[_i].name, broken[_i].expect, err);
    ck_assert_msg(strstr(err, path) != NULL, "%s: the message must name the file: %s",
                  broken[_i].name, err);
    free(path);
}
END_TEST

START_TEST(unreadable_and_huge_manifests)
{
    char err[1024], *path, *big;
    mh_manifest *m;
    ck_assert_int_eq(mh_manifest_load(&m, "/nonexistent/x.manifest", err, sizeof err), -1);
    ck_assert_ptr_nonnull(strstr(err, "cannot be read"));
    big = malloc(70000);
    memset(big, ' ', 69999);
    big[69999] = '\0';
    path = tu_write_file(dir, "big.manifest", big);
    ck_assert_int_eq(mh_manifest_load(&m, path, err, sizeof err), -1);
    ck_assert_ptr_nonnull(strstr(err, "larger than"));
    free(big);
    free(path);
}
END_TEST

START_TEST(good_manifest_is_read)
{
    char err[1024] = "";
    char *path = tu_write_file(dir, "t.manifest", GOOD_HEAD GOOD_LIB GOOD_TAIL);
    mh_manifest *m = NULL;
    ck_assert_msg(mh_manifest_load(&m, path, err, sizeof err) == 0, "%s", err);
    ck_assert_str_eq(m->id, "testsis");
    ck_assert_int_eq(m->kind, SIS_KIND_SIS);
    ck_assert_uint_eq(m->abi_major, 2);
    ck_assert_ptr_nonnull(strstr(m->library, "good.so"));
    mh_manifest_free(m);
    free(path);
}
END_TEST

START_TEST(shipped_manifest_is_valid)
{
    char err[1024] = "", *path;
    mh_manifest *m = NULL;
    tu_result r;
    ck_assert_int_ne(asprintf(&path, "%s/classlink.manifest", tu_build_dir()), -1);
    ck_assert_msg(mh_manifest_load(&m, path, err, sizeof err) == 0, "%s", err);
    ck_assert_str_eq(m->id, "classlink");
    /* One source of the version: the Makefile's, written into the manifest. */
    r = tu_run("make --no-print-directory -s -C %s print-version", tu_src_dir());
    ck_assert_int_eq(r.status, 0);
    r.out[strcspn(r.out, "\n")] = '\0';
    ck_assert_str_eq(m->version, r.out);
    tu_result_free(&r);
    mh_manifest_free(m);
    free(path);
}
END_TEST

Suite *suite_manifest(void)
{
    Suite *s = suite_create("manifest");
    TCase *tc = tcase_create("manifest");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_loop_test(tc, broken_manifest_is_refused_with_reason, 0,
                        (int)(sizeof broken / sizeof broken[0]));
    tcase_add_test(tc, unreadable_and_huge_manifests);
    tcase_add_test(tc, good_manifest_is_read);
    tcase_add_test(tc, shipped_manifest_is_valid);
    suite_add_tcase(s, tc);
    return s;
}
