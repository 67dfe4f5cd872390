/* check_main.c - one runner for every suite.  `check_all SUITE...` runs
 * only the named suites. */
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

typedef Suite *(*suite_fn)(void);

Suite *suite_admin(void);  /* check_admin.c */

static const struct { const char *name; suite_fn fn; } suites[] = {
    {"headers", suite_headers}, {"manifest", suite_manifest}, {"loader", suite_loader},
    {"store", suite_store},     {"cli", suite_cli},
    {"oauth1", suite_oauth1},   {"parser", suite_parser},
    {"connect", suite_connect}, {"sync", suite_sync},
    {"faults", suite_faults},   {"fields", suite_fields},
    {"itxm", suite_itxm},       {"login", suite_login},
    {"tls", suite_tls},         {"contract", suite_contract},
    {"retry", suite_retry},
    {"throttle", suite_throttle},
    {"admin", suite_admin},
    {"csv", suite_csv},
    {"admin", suite_admin},
    {"console", suite_console},
};

int main(int argc, char **argv)
{
    SRunner *sr = NULL;
    size_t i;
    int j, failed;

    for (i = 0; i < sizeof suites / sizeof suites[0]; i++) {
        int wanted = argc < 2;
        for (j = 1; j < argc; j++)
            wanted |= strcmp(argv[j], suites[i].name) == 0;
        if (!wanted)
            continue;
        if (sr == NULL)
            sr = srunner_create(suites[i].fn());
        else
            srunner_add_suite(sr, suites[i].fn());
    }
    if (sr == NULL)
        return 2;
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
