/* mhtest.h - driving mock-host against the simulator, as an admin would. */
#ifndef MHTEST_H
#define MHTEST_H

#include "simctl.h"
#include "testutil.h"

typedef struct mh_env {
    char *dir;
    sim_proc sim;
    /* The database: dir/host.db, or in a PostgreSQL variant (pgtest.h) a
     * database of its own on the test server, dropped by env_stop. */
    char db[512];
    char pg_dbname[64];        /* "" with SQLite */
    char db_env[1200];         /* "MOCK_HOST_DB='...' MOCK_HOST_KEY_FILE=..." */
} mh_env;

extern mh_env env;

/* A temp folder and a simulator started with `sim_args`. */
void env_start(const char *sim_args);
/* The temp folder and the test's database only (env_start without the
 * simulator); env_stop ends both kinds. */
void env_start_db(void);
void env_stop(void);

/* 1 when this test runs on PostgreSQL (a suite's _pg variant). */
int env_is_pg(void);
/* Runs one SQL statement on the test's database (sqlite3 or psql): its rows
 * as "a|b\n" lines, status as tu_run's (caller frees). */
tu_result mh_db_sql(const char *sql);
/* How many times `text` appears in the stored database: the SQLite files
 * (with journal) or a dump of the PostgreSQL database. */
int mh_db_count(const char *text);

/* Runs mock-host in the temp folder on the test's database ($MH_WRAP, e.g.
 * valgrind, runs it when set). */
#define MH(fmt, ...) tu_run("cd %s && SEC=sim-secret %s $MH_WRAP %s/mock-host " fmt, \
                            env.dir, mh_db_env(), tu_build_dir(), ##__VA_ARGS__)

/* env.db_env, brought up to date: suites that make env.dir themselves
 * (without env_start) get dir/host.db. */
const char *mh_db_env(void);

/* As MH, with extra environment assignments ("A=1 B=2") before it. */
tu_result mh_with_env(const char *env_assignments, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Runs mock-host (as MH) and asserts it succeeds. */
void mh_ok(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Runs mock-host (as MH) and asserts exit `status` with `text` on stderr. */
void mh_fails(int status, const char *text, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* install + connect (OAuth1) + fast retry settings; asserts success. */
void env_connect(void);
/* Sets a per-app setting; asserts success. */
void env_config(const char *key, const char *value);

/* Counts from `users --json`: active and inactive users of the app. */
typedef struct page_counts {
    int active, inactive, total;
} page_counts;
page_counts users_page(void);
/* The whole Users page as JSON text (caller frees). */
char *users_json(void);
/* One number from the latest run's counts (`runs --json`). */
long long last_run_count(const char *key);
/* The latest run's outcome; caller frees. */
char *last_run_outcome(void);
/* Fails the test unless the last run's outcome is `expected`. */
void assert_last_outcome(const char *expected);

#endif
