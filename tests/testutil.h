/* testutil.h - helpers shared by the Check suites. */
#ifndef TESTUTIL_H
#define TESTUTIL_H

#include <stddef.h>

#include <check.h>

/* Absolute paths from the Makefile's environment. */
const char *tu_build_dir(void);
const char *tu_src_dir(void);

/* A fresh temporary folder (removed by tu_rmtree). Caller frees. */
char *tu_mkdtemp(void);
void tu_rmtree(const char *dir);

/* Writes `text` to dir/name; returns the full path (caller frees). */
char *tu_write_file(const char *dir, const char *name, const char *text);

typedef struct tu_result {
    int status;      /* exit code, or 128+signal */
    char *out;       /* stdout, NUL-terminated; caller frees via tu_result_free */
    char *err;       /* stderr */
} tu_result;

/* Runs `sh -c cmd` with stdin from /dev/null, capturing both streams. */
tu_result tu_run(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void tu_result_free(tu_result *r);

/* The mock-host of this build, with env settings before it. */
#define TU_MOCK_HOST_FMT "%s/mock-host"

/* Suites. */
Suite *suite_headers(void);
Suite *suite_manifest(void);
Suite *suite_loader(void);
Suite *suite_cli(void);
Suite *suite_store(void);
Suite *suite_oauth1(void);
Suite *suite_parser(void);
Suite *suite_faults(void);
Suite *suite_sync(void);
Suite *suite_sync_pg(void);
Suite *suite_pg(void);
Suite *suite_connect(void);
Suite *suite_fields(void);
Suite *suite_itxm(void);
Suite *suite_login(void);
Suite *suite_tls(void);
Suite *suite_retry(void);
Suite *suite_throttle(void);
Suite *suite_contract(void);
Suite *suite_csv(void);
Suite *suite_console(void);
Suite *suite_kit(void);
Suite *suite_page_parser(void);

#endif
