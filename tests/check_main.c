/* check_main.c - one runner for every suite.  `check_all SUITE...` runs
 * only the named suites.  The PostgreSQL variants (names ending in _pg, and
 * "pg") run after the others, against one server started for them all. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pgtest.h"
#include "testutil.h"

typedef Suite *(*suite_fn)(void);

Suite *suite_admin(void);  /* check_admin.c */
Suite *suite_csv_host(void);   /* check_csv_host.c */
Suite *suite_worker(void);     /* check_worker.c */
Suite *suite_worker_pg(void);  /* check_worker.c */

/* pg: 1 for a PostgreSQL variant.  plain: 1 when the suite is left out of
 * the sanitized run (TEST_SANITIZED) unless named, to keep `make check`
 * within its time: a long PostgreSQL variant whose SQLite twin, and whose
 * storage code through the other _pg suites, the sanitizers already see. */
static const struct { const char *name; suite_fn fn; int pg, plain; } suites[] = {
    {"headers", suite_headers, 0, 0},   {"manifest", suite_manifest, 0, 0},
    {"loader", suite_loader, 0, 0},     {"store", suite_store, 0, 0},
    {"cli", suite_cli, 0, 0},           {"oauth1", suite_oauth1, 0, 0},
    {"parser", suite_parser, 0, 0},     {"page_parser", suite_page_parser, 0, 0},
    {"connect", suite_connect, 0, 0},
    {"sync", suite_sync, 0, 0},         {"faults", suite_faults, 0, 0},
    {"fields", suite_fields, 0, 0},     {"itxm", suite_itxm, 0, 0},
    {"login", suite_login, 0, 0},       {"tls", suite_tls, 0, 0},
    {"contract", suite_contract, 0, 0},
    {"retry", suite_retry, 0, 0},
    {"throttle", suite_throttle, 0, 0},
    {"admin", suite_admin, 0, 0},
    {"csv", suite_csv, 0, 0},
    {"kit", suite_kit, 0, 0},
    {"console", suite_console, 0, 0},
    {"worker", suite_worker, 0, 0},
    /* The same suites on PostgreSQL: mhtest.c points each test at a
     * database of its own on the test server. */
    {"pg", suite_pg, 1, 0},
    {"sync_pg", suite_sync_pg, 1, 0},
    {"fields_pg", suite_fields, 1, 0},
    {"itxm_pg", suite_itxm, 1, 0},
    {"worker_pg", suite_worker_pg, 1, 0},
    {"connect_pg", suite_connect, 1, 0},
    {"admin_pg", suite_admin, 1, 0},
    {"login_pg", suite_login, 1, 1},
    {"console_pg", suite_console, 1, 1},
    {"csv_host_pg", suite_csv_host, 1, 1},
};

/* Runs the wanted suites of one kind; adds to *passed and *failed. */
static void run_kind(int argc, char **argv, int pg, int *passed, int *failed)
{
    SRunner *sr = NULL;
    size_t i;
    int j, n, f;

    for (i = 0; i < sizeof suites / sizeof suites[0]; i++) {
        int wanted = argc < 2 && !(suites[i].plain && getenv("TEST_SANITIZED") != NULL);
        for (j = 1; j < argc; j++)
            wanted |= strcmp(argv[j], suites[i].name) == 0;
        if (!wanted || suites[i].pg != pg)
            continue;
        if (sr == NULL)
            sr = srunner_create(suites[i].fn());
        else
            srunner_add_suite(sr, suites[i].fn());
    }
    if (sr == NULL)
        return;
    if (pg && pgtest_start() != 0) {
        fprintf(stderr, "check: cannot start the test PostgreSQL server, so its suites fail\n");
        (*failed)++;
        srunner_free(sr);
        pgtest_stop();
        return;
    }
    srunner_run_all(sr, CK_NORMAL);
    n = srunner_ntests_run(sr);
    f = srunner_ntests_failed(sr);
    *passed += n - f;
    *failed += f;
    srunner_free(sr);
    if (pg)
        pgtest_stop();
}

int main(int argc, char **argv)
{
    int passed = 0, failed = 0;
    run_kind(argc, argv, 0, &passed, &failed);
    run_kind(argc, argv, 1, &passed, &failed);
    if (passed + failed == 0)
        return 2;
    printf("check: %d passed, %d failed\n", passed, failed);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
