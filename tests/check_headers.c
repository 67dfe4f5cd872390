/* check_headers.c - the public headers stand alone, and the ABI layout only
 * changes on purpose (after GStreamer's ABI checks). */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sis/connector.h>
#include <sis/sso.h>

#include "testutil.h"

static const char *const headers[] = {"status.h", "records.h", "host.h", "plugin.h", "connector.h",
                                      "sso.h"};

START_TEST(header_compiles_alone)
{
    tu_result r = tu_run("printf '#include <sis/%s>\\nint main(void){return 0;}\\n' | "
                         "cc -std=c11 -pedantic -Wall -Wextra -Werror -I%s/host-api -x c "
                         "-fsyntax-only -", headers[_i], tu_src_dir());
    ck_assert_msg(r.status == 0, "sis/%s does not compile alone: %s", headers[_i], r.err);
    tu_result_free(&r);
}
END_TEST

START_TEST(headers_never_name_the_vendor)
{
    tu_result r = tu_run("grep -il classlink %s/host-api/sis/*.h %s/host-api/sis.pc.in",
                         tu_src_dir(), tu_src_dir());
    ck_assert_msg(r.status == 1, "host-api names a vendor: %s", r.out);
    tu_result_free(&r);
}
END_TEST

START_TEST(abi_layout_is_deliberate)
{
    /* Every plugin's table starts with the common header, which starts with
     * version and size, as every reader relies on. */
    ck_assert_uint_eq(offsetof(sis_plugin_header, abi_version), 0);
    ck_assert_uint_eq(offsetof(sis_plugin_header, struct_size), 4);
    ck_assert_uint_eq(offsetof(sis_connector, header), 0);
    ck_assert_uint_eq(offsetof(sis_sso_provider, header), 0);
    ck_assert_uint_eq(offsetof(sis_host, abi_version), 0);
    ck_assert_uint_eq(offsetof(sis_host, struct_size), 4);
    /* Every struct that crosses by pointer starts with struct_size. */
    ck_assert_uint_eq(offsetof(sis_record, struct_size), 0);
    ck_assert_uint_eq(offsetof(sis_org, struct_size), 0);
    ck_assert_uint_eq(offsetof(sis_schema_field, struct_size), 0);
    ck_assert_uint_eq(offsetof(sis_schema_role, struct_size), 0);
    ck_assert_uint_eq(offsetof(sis_host_user, struct_size), 0);
    ck_assert_uint_eq(offsetof(sis_mapping, struct_size), 0);
    ck_assert_uint_eq(offsetof(sis_sink, struct_size), 0);
    ck_assert_uint_eq(offsetof(sis_schema_sink, struct_size), 0);
    ck_assert_uint_eq(offsetof(sis_auth_request, struct_size), 0);
    ck_assert_uint_eq(offsetof(sis_auth_result, struct_size), 0);
    ck_assert_uint_eq(offsetof(sis_fetch_request, struct_size), 0);
    ck_assert_uint_eq(offsetof(sis_fetch_result, struct_size), 0);
    ck_assert_uint_eq(offsetof(sis_decl, struct_size), 0);
    ck_assert_uint_eq(offsetof(sis_error, struct_size), 0);
    ck_assert_uint_eq(offsetof(sis_sso_identity, struct_size), 0);
    /* ABI 2.1 on LP64: a change here is an ABI change; bump the minor
     * (append) or the major (anything else) and update these numbers.
     * Array elements (sis_field, sis_kv, sis_pair, sis_role_fields) are
     * frozen: their size is a stride. */
    ck_assert_uint_eq(sizeof(sis_plugin_header), 80);
    ck_assert_uint_eq(sizeof(sis_connector), 128);
    ck_assert_uint_eq(offsetof(sis_connector, create), 80);
    ck_assert_uint_eq(offsetof(sis_connector, apply_mappings), 120);
    ck_assert_uint_eq(sizeof(sis_sso_provider), 112);
    ck_assert_uint_eq(sizeof(sis_host), 72);
    ck_assert_uint_eq(offsetof(sis_host, is_cancelled), 64);
    ck_assert_uint_eq(sizeof(sis_record), 104);
    ck_assert_uint_eq(offsetof(sis_record, strings), 88);  /* 2.1 appended it to 2.0's 88 bytes */
    ck_assert_uint_eq(sizeof(sis_decl), 80);
    ck_assert_uint_eq(sizeof(sis_field), 32);
    ck_assert_uint_eq(sizeof(sis_kv), 16);
    ck_assert_uint_eq(sizeof(sis_pair), 16);
    ck_assert_uint_eq(sizeof(sis_role_fields), 24);
    ck_assert_uint_eq(sizeof(sis_error), 24);
    ck_assert_int_eq(SIS_ERR_TOO_SMALL, -22);
    ck_assert_int_eq(SIS_ERR_DATA, -23);
    ck_assert_uint_eq(SIS_ABI_MAJOR(SIS_ABI_VERSION), 2);
}
END_TEST

START_TEST(status_names_and_errors_work_from_the_headers_alone)
{
    sis_error err = SIS_ERROR_LOCAL;
    char small[8];
    sis_error tiny = SIS_ERROR_INIT(small, sizeof small);
    ck_assert_str_eq(sis_status_name(SIS_OK), "SIS_OK");
    ck_assert_str_eq(sis_status_name(SIS_ERR_AUTH), "SIS_ERR_AUTH");
    ck_assert_str_eq(sis_status_name(SIS_ERR_DATA), "SIS_ERR_DATA");
    ck_assert_str_eq(sis_status_name(-999), "SIS_ERR_UNKNOWN");
    ck_assert_str_eq(sis_status_name(7), "SIS_ERR_UNKNOWN");
    ck_assert_int_eq(sis_error_set(&err, SIS_ERR_AUTH, "wrong %s", "secret"), SIS_ERR_AUTH);
    ck_assert_int_eq(err.code, SIS_ERR_AUTH);
    ck_assert_str_eq(err.message, "wrong secret");
    /* A caller's small buffer truncates, never overflows. */
    sis_error_set(&tiny, SIS_ERR_AUTH, "a message longer than eight bytes");
    ck_assert_str_eq(small, "a messa");
    ck_assert_int_eq(sis_error_set(NULL, SIS_ERR_NOMEM, "x"), SIS_ERR_NOMEM);
}
END_TEST

static int keep(void *ctx, const char *v)
{
    snprintf(ctx, 64, "%s", v);
    return SIS_OK;
}

START_TEST(text_out_hands_any_length_back)
{
    char got[64] = "";
    sis_text_out t = {got, keep}, none = {NULL, NULL};
    ck_assert_int_eq(sis_text_set(&t, "https://example.test/"), SIS_OK);
    ck_assert_str_eq(got, "https://example.test/");
    ck_assert_int_eq(sis_text_set(&t, NULL), SIS_OK);
    ck_assert_str_eq(got, "");
    ck_assert_int_eq(sis_text_set(&none, "ignored"), SIS_OK);
}
END_TEST

START_TEST(install_gives_headers_and_pkg_config)
{
    char *dir = tu_mkdtemp();
    tu_result r = tu_run("make --no-print-directory -s -C %s install BUILD=%s DESTDIR=%s PREFIX=/opt/sis && "
                         "PKG_CONFIG_PATH=%s/opt/sis/lib/pkgconfig pkg-config --cflags sis-plugin-api",
                         tu_src_dir(), tu_build_dir(), dir, dir);
    ck_assert_msg(r.status == 0, "make install failed: %s", r.err);
    ck_assert_msg(strncmp(r.out, "-I/opt/sis/include", 18) == 0, "%s", r.out);
    tu_result_free(&r);
    r = tu_run("test -f %s/opt/sis/include/sis/connector.h && "
               "test -f %s/opt/sis/lib/sis-plugins/classlink.manifest", dir, dir);
    ck_assert_int_eq(r.status, 0);
    tu_result_free(&r);
    tu_rmtree(dir);
    free(dir);
}
END_TEST

Suite *suite_headers(void)
{
    Suite *s = suite_create("headers");
    TCase *tc = tcase_create("headers");
    tcase_set_timeout(tc, 60);
    tcase_add_loop_test(tc, header_compiles_alone, 0, (int)(sizeof headers / sizeof headers[0]));
    tcase_add_test(tc, headers_never_name_the_vendor);
    tcase_add_test(tc, abi_layout_is_deliberate);
    tcase_add_test(tc, status_names_and_errors_work_from_the_headers_alone);
    tcase_add_test(tc, text_out_hands_any_length_back);
    tcase_add_test(tc, install_gives_headers_and_pkg_config);
    suite_add_tcase(s, tc);
    return s;
}
