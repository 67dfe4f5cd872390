/* check_store.c - migrations, and secrets that never sit in plaintext. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../mock-host/store.h"
#include "testutil.h"

static char *dir, *db;

static void setup(void)
{
    dir = tu_mkdtemp();
    ck_assert_int_ne(asprintf(&db, "%s/host.db", dir), -1);
}

static void teardown(void)
{
    tu_rmtree(dir);
    free(dir);
    free(db);
}

static mh_store *open_store(void)
{
    char err[1024];
    mh_store *s = NULL;
    ck_assert_msg(mh_store_open(&s, db, err, sizeof err) == 0, "%s", err);
    return s;
}

START_TEST(fresh_database_gets_every_migration)
{
    mh_store *s = open_store();
    sqlite3_stmt *st;
    ck_assert_int_eq(sqlite3_prepare_v2(s->db, "PRAGMA user_version", -1, &st, NULL), SQLITE_OK);
    ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
    ck_assert_int_eq(sqlite3_column_int(st, 0), mh_store_schema_version());
    sqlite3_finalize(st);
    mh_store_close(s);
    s = open_store(); /* reopening migrates nothing and fails nothing */
    mh_store_close(s);
}
END_TEST

START_TEST(newer_database_is_refused)
{
    mh_store *s = open_store();
    char err[1024] = "";
    ck_assert_int_eq(mh_store_exec(s, "PRAGMA user_version=999", NULL, 0), 0);
    mh_store_close(s);
    s = NULL;
    ck_assert_int_eq(mh_store_open(&s, db, err, sizeof err), -1);
    ck_assert_msg(strstr(err, "schema version 999, newer than this mock-host"), "%s", err);
}
END_TEST

START_TEST(secrets_are_encrypted_at_rest)
{
    const char *secret = "s3cr3t-Client-Secret-value-42";
    mh_store *s = open_store();
    mh_app app;
    char buf[128], *keyp;
    struct stat st;
    tu_result r;

    ck_assert_int_eq(mh_store_app_create(s, "classlink", "classlink", 0, &app), 0);
    ck_assert_int_eq(mh_store_secret_set(s, app.id, "client_secret", secret), 0);
    ck_assert_int_eq(mh_store_secret_get(s, app.id, "client_secret", buf, sizeof buf), 0);
    ck_assert_str_eq(buf, secret);
    ck_assert_int_eq(mh_store_secret_get(s, app.id, "client_secret", buf, 8), -2);
    ck_assert_int_eq(mh_store_secret_get(s, app.id, "other", buf, sizeof buf), 1);
    ck_assert_int_eq(mh_store_secret_count(s, app.id), 1);
    /* A ciphertext moved to another key does not decrypt (AAD binds it). */
    ck_assert_int_eq(mh_store_exec(s, "INSERT INTO secrets SELECT app_id, 'moved', sealed FROM "
                                      "secrets WHERE key='client_secret'", NULL, 0), 0);
    ck_assert_int_eq(mh_store_secret_get(s, app.id, "moved", buf, sizeof buf), -1);
    mh_store_close(s);

    r = tu_run("cat %s %s-wal 2>/dev/null | grep -c s3cr3t-Client", db, db);
    ck_assert_str_eq(r.out, "0\n");
    tu_result_free(&r);
    ck_assert_int_ne(asprintf(&keyp, "%s.key", db), -1);
    ck_assert_int_eq(stat(keyp, &st), 0);
    ck_assert_int_eq(st.st_mode & 0777, 0600);
    ck_assert_int_eq(st.st_size, 32);
    free(keyp);
}
END_TEST

START_TEST(readable_key_file_is_refused)
{
    mh_store *s = open_store();
    char err[1024] = "", *keyp;
    mh_store_close(s);
    ck_assert_int_ne(asprintf(&keyp, "%s.key", db), -1);
    ck_assert_int_eq(chmod(keyp, 0644), 0);
    ck_assert_int_eq(mh_store_open(&s, db, err, sizeof err), -1);
    ck_assert_msg(strstr(err, "readable by other users; run chmod 600"), "%s", err);
    free(keyp);
}
END_TEST

START_TEST(config_roundtrip_and_delete)
{
    mh_store *s = open_store();
    char buf[64];
    ck_assert_int_eq(mh_store_config_set(s, 7, "server", "https://x.example"), 0);
    ck_assert_int_eq(mh_store_config_get(s, 7, "server", buf, sizeof buf), 0);
    ck_assert_str_eq(buf, "https://x.example");
    ck_assert_int_eq(mh_store_config_get(s, 8, "server", buf, sizeof buf), 1);
    ck_assert_int_eq(mh_store_config_set(s, 7, "server", NULL), 0);
    ck_assert_int_eq(mh_store_config_get(s, 7, "server", buf, sizeof buf), 1);
    mh_store_close(s);
}
END_TEST

Suite *suite_store(void)
{
    Suite *s = suite_create("store");
    TCase *tc = tcase_create("store");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, fresh_database_gets_every_migration);
    tcase_add_test(tc, newer_database_is_refused);
    tcase_add_test(tc, secrets_are_encrypted_at_rest);
    tcase_add_test(tc, readable_key_file_is_refused);
    tcase_add_test(tc, config_roundtrip_and_delete);
    suite_add_tcase(s, tc);
    return s;
}
