/* check_pg.c - what an admin meets pointing mock-host at PostgreSQL: the
 * connection string's forms, its password never shown, secrets sealed, and
 * each bad database refused with a sentence and nothing half-written.
 * check_main starts the server (pgtest.h); each test has a database. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../mock-host/store.h"
#include "mhtest.h"
#include "pgtest.h"

static void setup(void)
{
    env_start("--users 40 --schools 2");
}

static void teardown(void)
{
    env_stop();
}

/* mock-host with MOCK_HOST_DB set to `db` (quoted) and the test's key file. */
static tu_result mh_db(const char *db, const char *args)
{
    return tu_run("cd %s && SEC=sim-secret MOCK_HOST_DB='%s' MOCK_HOST_KEY_FILE=%s/host.key "
                  "%s/mock-host %s", env.dir, db, env.dir, tu_build_dir(), args);
}

static char *psql_value(const char *sql)
{
    tu_result r = pgtest_psql(env.pg_dbname, sql);
    ck_assert_msg(r.status == 0, "psql: %s", r.err);
    free(r.err);
    return r.out;
}

START_TEST(connect_sync_and_users_on_postgresql)
{
    tu_result r;
    char *sealed;
    page_counts c;
    env_connect();
    mh_ok("sync classlink --full");
    c = users_page();
    ck_assert_int_eq(c.total, sim_stat(&env.sim, "ever"));
    ck_assert_int_eq(c.active, sim_stat(&env.sim, "active"));
    /* The client secret is stored sealed: not in any row as text. */
    sealed = psql_value("SELECT count(*) FROM secrets WHERE position('sim-secret' in "
                        "encode(sealed, 'escape')) > 0");
    ck_assert_str_eq(sealed, "0\n");
    free(sealed);
    sealed = psql_value("SELECT count(*) FROM secrets");
    ck_assert_int_gt(atoi(sealed), 0);
    free(sealed);
    /* Another process with the same key file reads it back: a delta run. */
    r = MH("sync classlink --delta");
    ck_assert_msg(r.status == 0, "%s", r.err);
    tu_result_free(&r);
}
END_TEST

START_TEST(the_password_of_a_url_never_shows)
{
    char url[512];
    tu_result r;
    snprintf(url, sizeof url, "postgresql://mh:%s@127.0.0.1:%s/%s", PGTEST_PASSWORD,
             getenv("MH_TEST_PG_PORT"), env.pg_dbname);
    r = mh_db(url, "install classlink && ps -eo args | grep -c '" PGTEST_PASSWORD "' ; true");
    ck_assert_msg(r.status == 0, "%s", r.err);
    tu_result_free(&r);
    /* A failing command prints the location: without the password. */
    r = tu_run("cd %s && MOCK_HOST_KEY_FILE=%s/host.key %s/mock-host --db '%s' connect nosuchapp",
               env.dir, env.dir, tu_build_dir(), url);
    ck_assert_int_ne(r.status, 0);
    ck_assert_msg(strstr(r.out, PGTEST_PASSWORD) == NULL && strstr(r.err, PGTEST_PASSWORD) == NULL,
                  "password shown: %s%s", r.out, r.err);
    tu_result_free(&r);
    r = mh_db(url, "apps");
    ck_assert_msg(r.status == 0 && strstr(r.out, "classlink"), "%s%s", r.out, r.err);
    ck_assert_ptr_null(strstr(r.out, PGTEST_PASSWORD));
    tu_result_free(&r);
}
END_TEST

START_TEST(a_wrong_password_is_refused_without_echoing_it)
{
    char url[512];
    tu_result r;
    snprintf(url, sizeof url, "postgres://mh:Wrong-Guess-42@127.0.0.1:%s/%s",
             getenv("MH_TEST_PG_PORT"), env.pg_dbname);
    r = mh_db(url, "apps");
    ck_assert_int_ne(r.status, 0);
    ck_assert_msg(strstr(r.err, "cannot connect to PostgreSQL database") &&
                  strstr(r.err, "password authentication failed"), "%s", r.err);
    ck_assert_msg(strstr(r.err, "Wrong-Guess-42") == NULL, "password echoed: %s", r.err);
    tu_result_free(&r);
}
END_TEST

START_TEST(an_unreachable_server_is_a_clear_error)
{
    tu_result r = mh_db("host=127.0.0.1 port=1 user=mh dbname=none connect_timeout=3", "apps");
    ck_assert_int_ne(r.status, 0);
    ck_assert_msg(strstr(r.err, "cannot connect to PostgreSQL database host=127.0.0.1 port=1") &&
                  strstr(r.err, "Check that the server runs"), "%s", r.err);
    tu_result_free(&r);
}
END_TEST

START_TEST(no_key_file_setting_is_refused)
{
    tu_result r = tu_run("cd %s && MOCK_HOST_DB='%s' %s/mock-host apps", env.dir, env.db,
                         tu_build_dir());
    char *tables;
    ck_assert_int_ne(r.status, 0);
    ck_assert_msg(strstr(r.err, "set MOCK_HOST_KEY_FILE"), "%s", r.err);
    tu_result_free(&r);
    tables = psql_value("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'");
    ck_assert_str_eq(tables, "0\n");
    free(tables);
}
END_TEST

START_TEST(a_newer_schema_is_refused)
{
    tu_result r;
    char *v, want[96];
    mh_ok("apps");
    v = psql_value("SELECT max(version) FROM schema_version");
    ck_assert_int_eq(atoi(v), MH_STORE_SCHEMA_VERSION);
    free(v);
    free(psql_value("UPDATE schema_version SET version = 99"));
    r = MH("install classlink");
    ck_assert_int_ne(r.status, 0);
    snprintf(want, sizeof want, "has schema version 99, newer than this mock-host (%d)",
             MH_STORE_SCHEMA_VERSION);
    ck_assert_msg(strstr(r.err, want), "%s", r.err);
    tu_result_free(&r);
    v = psql_value("SELECT count(*) FROM apps");
    ck_assert_str_eq(v, "0\n");
    free(v);
}
END_TEST

START_TEST(a_read_only_server_is_refused_and_nothing_is_written)
{
    char sql[160];
    tu_result r;
    char *tables;
    snprintf(sql, sizeof sql, "ALTER DATABASE %s SET default_transaction_read_only = on",
             env.pg_dbname);
    free(psql_value(sql));
    r = MH("install classlink");
    ck_assert_int_ne(r.status, 0);
    ck_assert_msg(strstr(r.err, "is read-only") && strstr(r.err, "nothing was changed"), "%s", r.err);
    tu_result_free(&r);
    tables = psql_value("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'");
    ck_assert_str_eq(tables, "0\n");
    free(tables);
}
END_TEST

/* The key is MOCK_HOST_KEY_FILE on PostgreSQL (no folder beside the
 * database): lost, every command refuses while sealed credentials remain;
 * forget-credentials forgets them (apps become not connected, users stay),
 * makes a new key, and the app can be connected and synced again. */
START_TEST(forget_credentials_uses_the_key_file_setting)
{
    tu_result r;
    char *v, *users;
    env_connect();
    mh_ok("sync classlink --full");
    users = psql_value("SELECT count(*) FROM users");
    r = MH("forget-credentials");
    ck_assert_msg(r.status == 0 && strstr(r.out, "host.key is there") &&
                  strstr(r.out, "nothing was forgotten"), "%s%s", r.out, r.err);
    tu_result_free(&r);
    r = tu_run("rm %s/host.key", env.dir);
    tu_result_free(&r);
    r = MH("apps");
    ck_assert_int_ne(r.status, 0);
    ck_assert_msg(strstr(r.err, "host.key is missing") && strstr(r.err, "forget-credentials"),
                  "%s", r.err);
    tu_result_free(&r);
    v = psql_value("SELECT count(*) > 0 FROM secrets");
    ck_assert_str_eq(v, "t\n");
    free(v);
    r = MH("forget-credentials");
    ck_assert_msg(r.status == 0 && strstr(r.out, "Forgot the credentials") &&
                  strstr(r.out, "host.key"), "%s%s", r.out, r.err);
    tu_result_free(&r);
    v = psql_value("SELECT (SELECT count(*) FROM secrets) || '|' || (SELECT count(*) FROM apps "
                   "WHERE connected_at IS NULL)");
    ck_assert_str_eq(v, "0|1\n");
    free(v);
    v = psql_value("SELECT count(*) FROM users");
    ck_assert_str_eq(v, users);
    free(v);
    free(users);
    r = tu_run("test -s %s/host.key", env.dir);
    ck_assert_msg(r.status == 0, "no new key file");
    tu_result_free(&r);
    mh_ok("connect classlink --server http://127.0.0.1:%d --client-id sim-client "
          "--client-secret-env SEC", env.sim.port);
    mh_ok("sync classlink --delta");
}
END_TEST

/* The server refuses the rows of a run (here a constraint added for the
 * test; in life a full disk, a lost connection, a bad byte): the run fails
 * with the server's own reason, and the Users page is what it was. */
START_TEST(a_refused_batch_fails_the_run_with_the_servers_reason)
{
    const char *print = "SELECT md5(string_agg(sourced_id || role || given_name || "
                        "active::text || fields, ',' ORDER BY sourced_id)) FROM users";
    char *before, *after;
    tu_result r;
    env_connect();
    mh_ok("sync classlink --full");
    before = psql_value(print);
    free(psql_value("ALTER TABLE sis_records ADD CONSTRAINT mh_test_refuses_rows "
                    "CHECK (false) NOT VALID"));
    free(sim_get(&env.sim, "/_sim/mutate?change=5&add=3"));
    r = MH("sync classlink --full");
    ck_assert_int_eq(r.status, 1);
    ck_assert_msg(strstr(r.err, "mh_test_refuses_rows") != NULL, "%s%s", r.out, r.err);
    tu_result_free(&r);
    after = psql_value(print);
    ck_assert_str_eq(after, before);
    assert_last_outcome("failed");
    free(after);
    free(before);
}
END_TEST

/* In a transaction where a statement failed, PostgreSQL answers every
 * later statement "current transaction is aborted"; the store reports the
 * first cause instead, the one an admin can act on (another thread's call
 * may have collected it: see mh_store_lock). */
START_TEST(a_failed_transaction_reports_its_first_cause)
{
    mh_store *s;
    char err[512], key[1100];
    snprintf(key, sizeof key, "%s/host.key", env.dir);
    setenv("MOCK_HOST_KEY_FILE", key, 1);
    ck_assert_msg(mh_store_open(&s, env.db, err, sizeof err) == 0, "%s", err);
    ck_assert_int_eq(mh_store_begin(s, err, sizeof err), 0);
    ck_assert_int_ne(mh_store_exec(s, "SELECT 1/0", err, sizeof err), 0);
    ck_assert_int_ne(mh_store_exec(s, "SELECT 1", err, sizeof err), 0);
    ck_assert_msg(strstr(mh_store_error(s), "division by zero") != NULL, "%s", mh_store_error(s));
    mh_store_rollback(s);
    mh_store_close(s);
}
END_TEST

Suite *suite_pg(void)
{
    Suite *s = suite_create("pg");
    TCase *tc = tcase_create("pg");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, connect_sync_and_users_on_postgresql);
    tcase_add_test(tc, the_password_of_a_url_never_shows);
    tcase_add_test(tc, a_wrong_password_is_refused_without_echoing_it);
    tcase_add_test(tc, an_unreachable_server_is_a_clear_error);
    tcase_add_test(tc, no_key_file_setting_is_refused);
    tcase_add_test(tc, a_newer_schema_is_refused);
    tcase_add_test(tc, a_read_only_server_is_refused_and_nothing_is_written);
    tcase_add_test(tc, forget_credentials_uses_the_key_file_setting);
    tcase_add_test(tc, a_refused_batch_fails_the_run_with_the_servers_reason);
    tcase_add_test(tc, a_failed_transaction_reports_its_first_cause);
    suite_add_tcase(s, tc);
    return s;
}
