/* check_headers.c - the public headers stand alone, and the ABI layout only
 * changes on purpose (after GStreamer's ABI checks). */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sis/connector.h>

#include "testutil.h"

static const char *const headers[] = {"status.h", "records.h", "host.h", "connector.h"};

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
    /* Both tables start with version and size, as every reader relies on. */
    ck_assert_uint_eq(offsetof(sis_connector, abi_version), 0);
    ck_assert_uint_eq(offsetof(sis_connector, struct_size), 4);
    ck_assert_uint_eq(offsetof(sis_host, abi_version), 0);
    ck_assert_uint_eq(offsetof(sis_host, struct_size), 4);
    /* ABI 1.0 on LP64: a change here is an ABI change; bump the minor
     * (append) or the major (anything else) and update these numbers. */
    ck_assert_uint_eq(sizeof(sis_connector), 88);
    ck_assert_uint_eq(offsetof(sis_connector, create), 40);
    ck_assert_uint_eq(offsetof(sis_connector, apply_mappings), 80);
    ck_assert_uint_eq(sizeof(sis_host), 72);
    ck_assert_uint_eq(offsetof(sis_host, is_cancelled), 64);
    ck_assert_uint_eq(sizeof(sis_record), 80);
    ck_assert_uint_eq(sizeof(sis_error), 516);
    ck_assert_int_eq(SIS_ERR_TOO_SMALL, -22);
    ck_assert_uint_eq(SIS_ABI_MAJOR(SIS_ABI_VERSION), 1);
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
    tcase_add_test(tc, install_gives_headers_and_pkg_config);
    suite_add_tcase(s, tc);
    return s;
}
