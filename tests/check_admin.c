/* check_admin.c - what a new district admin reads when a command meets a
 * mistake: the message, the exit status, and a Users page left as it was. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json-c/json.h>
#include <sqlite3.h>

#include "mhtest.h"
#include "pgtest.h"

Suite *suite_admin(void);

static void setup(void)
{
    env_start("--users 150 --schools 2");
    env_connect();
    mh_ok("sync classlink --full");
}

static void teardown(void)
{
    env_stop();
}

START_TEST(an_unknown_or_wrongly_cased_role_lists_the_roles_present)
{
    char *before = users_json(), *after;
    tu_result r = MH("users --role janitor");
    ck_assert_int_eq(r.status, 1);
    ck_assert_msg(strstr(r.err, "no user has the role \"janitor\"") &&
                  strstr(r.err, "roles present: ") && strstr(r.err, "student (") &&
                  strstr(r.err, "teacher ("), "%s", r.err);
    ck_assert_msg(strstr(r.err, "no users yet") == NULL && strstr(r.out, "no users yet") == NULL,
                  "%s", r.out);
    tu_result_free(&r);
    mh_fails(1, "no user of classlink has the role \"Teacher\"", "users --app classlink --role Teacher");
    mh_fails(1, "did you mean --role teacher?", "users --role TEACHER");
    mh_fails(1, "Roles present: ", "users --role Teacher --json");
    r = MH("users --role teacher");
    ck_assert_int_eq(r.status, 0);
    ck_assert_ptr_nonnull(strstr(r.out, "teacher"));
    tu_result_free(&r);
    after = users_json();
    ck_assert_str_eq(after, before);
    free(before);
    free(after);
}
END_TEST

START_TEST(an_unknown_app_lists_the_installed_apps)
{
    mh_fails(1, "no installed app \"classlnk\"; installed: classlink", "users --app classlnk");
}
END_TEST

/* The size of a file in the test folder, -1 when absent. */
static long long file_size(const char *name)
{
    char path[4096];
    struct stat st;
    snprintf(path, sizeof path, "%s/%s", env.dir, name);
    return stat(path, &st) == 0 ? (long long)st.st_size : -1;
}

START_TEST(an_empty_or_damaged_database_is_refused_not_replaced)
{
    tu_result r;
    free(tu_write_file(env.dir, "empty.db", ""));
    free(tu_write_file(env.dir, "damaged.db", "this is not an SQLite file, it was overwritten\n"));
    r = MH("--db empty.db apps");
    ck_assert_int_eq(r.status, 1);
    ck_assert_msg(strstr(r.err, "database empty.db exists but is empty (0 bytes)") &&
                  strstr(r.err, "Restore it from a backup, or remove it"), "%s", r.err);
    tu_result_free(&r);
    ck_assert_int_eq(file_size("empty.db"), 0);      /* still empty: not turned into a new database */
    ck_assert_int_eq(file_size("empty.db.key"), -1);
    r = MH("--db damaged.db users");
    ck_assert_int_eq(r.status, 1);
    ck_assert_msg(strstr(r.err, "database damaged.db is damaged or is not a mock-host database"),
                  "%s", r.err);
    tu_result_free(&r);
    ck_assert_int_eq(file_size("damaged.db"), 47);
    /* Only a path that does not exist becomes a new database. */
    r = MH("--db brand-new.db apps");
    ck_assert_msg(r.status == 0, "%s", r.err);
    tu_result_free(&r);
    ck_assert_int_gt(file_size("brand-new.db"), 0);
    ck_assert_int_eq(users_page().total, 150);
}
END_TEST

/* A mistyped --db is said to be one, not a permission problem: the admin
 * who reads "permission denied" goes to fix permissions that are fine.  An
 * empty one (MOCK_HOST_DB=$UNSET) is refused: SQLite would have taken it
 * for a temporary database, reported the install done, and lost it. */
START_TEST(a_mistyped_db_location_says_what_is_wrong_and_stores_nothing)
{
    tu_result r = MH("--db '' install classlink --name lost");
    ck_assert_int_eq(r.status, 1);
    ck_assert_msg(strstr(r.err, "the database location is empty") &&
                  strstr(r.err, "give --db FILE, or unset MOCK_HOST_DB"), "%s", r.err);
    ck_assert_ptr_null(strstr(r.out, "Installed"));
    tu_result_free(&r);
    ck_assert_int_eq(file_size(".key"), -1);
    r = MH("--db no-such-folder/host.db install classlink");
    ck_assert_int_eq(r.status, 1);
    ck_assert_msg(strstr(r.err, "cannot create database no-such-folder/host.db: the folder "
                                "no-such-folder does not exist") &&
                  strstr(r.err, "Check the --db path") && !strstr(r.err, "permission denied"),
                  "%s", r.err);
    tu_result_free(&r);
    ck_assert_int_eq(file_size("no-such-folder"), -1);   /* nothing made on the way */
    r = MH("--db %s users", env.dir);
    ck_assert_int_eq(r.status, 1);
    ck_assert_msg(strstr(r.err, "is a folder, not a database file") &&
                  strstr(r.err, "/mock-host.db"), "%s", r.err);
    tu_result_free(&r);
    ck_assert_int_eq(users_page().total, 150);
}
END_TEST

/* A provisioning file the admin mistyped or mis-edited: the message says
 * which, and where, rather than pointing at the format; nothing installed. */
START_TEST(a_provisioning_file_missing_or_not_json_says_which_and_where)
{
    tu_result r;
    free(tu_write_file(env.dir, "cards.json", "{\"apps\": [\n  {\"plugin\" \"classlink\","
                                              " \"name\": \"lincoln\"}\n]}\n"));
    r = MH("provision card.json");
    ck_assert_int_eq(r.status, 1);
    ck_assert_msg(strstr(r.err, "cannot read the provisioning file card.json: No such file or "
                                "directory"), "%s", r.err);
    tu_result_free(&r);
    r = MH("provision cards.json");
    ck_assert_int_eq(r.status, 1);
    ck_assert_msg(strstr(r.err, "cards.json is not valid JSON: ") &&
                  strstr(r.err, " at line 2, column 13;"), "%s", r.err);
    tu_result_free(&r);
    r = MH("apps");
    ck_assert_ptr_null(strstr(r.out, "lincoln"));
    tu_result_free(&r);
}
END_TEST

/* A secret variable that is set but empty (SECRET=$MISSPELLED) is told
 * apart from one that is not set at all; neither connects or stores. */
START_TEST(an_empty_secret_variable_is_not_called_unset)
{
    tu_result r;
    mh_ok("install classlink --name other");
    r = mh_with_env("EMPTY_SECRET=", "connect other --server http://127.0.0.1:%d --client-id "
                    "sim-client --client-secret-env EMPTY_SECRET", env.sim.port);
    ck_assert_int_eq(r.status, 1);
    ck_assert_msg(strstr(r.err, "the environment variable EMPTY_SECRET is empty; it must hold "
                                "the secret itself") && !strstr(r.err, "is not set"), "%s", r.err);
    tu_result_free(&r);
    r = MH("connect other --server http://127.0.0.1:%d --client-id sim-client "
           "--client-secret-env UNSET_SECRET", env.sim.port);
    ck_assert_int_eq(r.status, 1);
    ck_assert_msg(strstr(r.err, "the environment variable UNSET_SECRET is not set"), "%s", r.err);
    tu_result_free(&r);
    r = MH("apps");
    ck_assert_msg(strstr(r.out, "other ") && strstr(r.out, "not connected"), "%s", r.out);
    tu_result_free(&r);
}
END_TEST

/* What `connect --help` says about a field is what connect does: the token
 * URL of OAuth 2.0 has no default (the help promised "the server's
 * /token", and connect then refused the admin who trusted it). */
START_TEST(the_token_url_help_says_it_is_required_as_connect_does)
{
    tu_result r = MH("connect classlink --help");
    const char *help = strstr(r.out, "--token-url URL");
    ck_assert_msg(help != NULL, "%s", r.out);
    ck_assert_msg(strstr(help, "With --auth oauth2, required") && !strstr(help, "default:"), "%s",
                  help);
    tu_result_free(&r);
    r = MH("connect classlink --server http://127.0.0.1:%d --client-id sim-client "
           "--client-secret-env SEC --auth oauth2", env.sim.port);
    ck_assert_int_eq(r.status, 1);
    ck_assert_msg(strstr(r.err, "OAuth 2.0 needs the token URL (--token-url)") &&
                  strstr(r.err, "Nothing was saved"), "%s", r.err);
    tu_result_free(&r);
}
END_TEST

/* While a district's first import holds the SQLite file to itself (a
 * rollback journal and an exclusive lock, store_fast.h; here another
 * connection does the same), a command says the database is busy and to
 * try again, not SQLite's "database is locked" or "damaged". */
START_TEST(a_database_held_by_a_first_import_is_called_busy)
{
    sqlite3 *other;
    tu_result r;
    if (env_is_pg())
        return;   /* PostgreSQL has no such import: its runs never hold readers off */
    ck_assert_int_eq(sqlite3_open(env.db, &other), SQLITE_OK);
    ck_assert_int_eq(sqlite3_exec(other, "PRAGMA journal_mode=DELETE; BEGIN EXCLUSIVE", NULL, NULL,
                                  NULL), SQLITE_OK);
    r = MH("portal-roles add Staff");
    ck_assert_int_eq(r.status, 1);
    ck_assert_msg(strstr(r.err, "host.db is busy: another mock-host is writing it") &&
                  strstr(r.err, "run this again when that finishes") &&
                  !strstr(r.err, "locked") && !strstr(r.err, "damaged"), "%s", r.err);
    tu_result_free(&r);
    sqlite3_exec(other, "ROLLBACK; PRAGMA journal_mode=WAL", NULL, NULL, NULL);
    sqlite3_close(other);
    mh_ok("portal-roles add Staff");
    ck_assert_int_eq(users_page().total, 150);
}
END_TEST

/* The key file that seals the stored credentials: beside an SQLite
 * database, or where MOCK_HOST_KEY_FILE says for PostgreSQL (mhtest.c). */
static const char *key_name(void)
{
    return env_is_pg() ? "host.key" : "host.db.key";
}

START_TEST(a_missing_key_is_refused_while_credentials_are_stored)
{
    char *before = users_json(), *after, missing[64];
    tu_result r = tu_run("mv %s/%s %s/saved.key", env.dir, key_name(), env.dir);
    ck_assert_int_eq(r.status, 0);
    tu_result_free(&r);
    snprintf(missing, sizeof missing, "%s is missing", key_name());
    r = MH("apps");
    ck_assert_int_eq(r.status, 1);
    ck_assert_msg(strstr(r.err, "key file ") && strstr(r.err, missing) &&
                  strstr(r.err, "Restore ") && strstr(r.err, "forget-credentials"), "%s", r.err);
    tu_result_free(&r);
    mh_fails(1, missing, "sync classlink");
    ck_assert_int_eq(file_size(key_name()), -1);  /* no new key was made behind the admin's back */
    /* Restored from the backup, everything works as before. */
    r = tu_run("cp -p %s/saved.key %s/%s", env.dir, env.dir, key_name());
    tu_result_free(&r);
    mh_ok("sync classlink");
    after = users_json();
    ck_assert_str_eq(after, before);
    free(after);
    /* Lost for good: forget the credentials, keep the rest. */
    r = tu_run("rm %s/%s", env.dir, key_name());
    tu_result_free(&r);
    r = MH("forget-credentials");
    ck_assert_msg(r.status == 0, "%s", r.err);
    ck_assert_msg(strstr(r.out, "Every app is now not connected"), "%s", r.out);
    tu_result_free(&r);
    r = MH("apps");
    ck_assert_msg(r.status == 0 && strstr(r.out, "not connected") && strstr(r.out, "credentials: none"),
                  "%s%s", r.out, r.err);
    tu_result_free(&r);
    after = users_json();
    ck_assert_str_eq(after, before);
    free(after);
    free(before);
    mh_fails(1, "not connected", "sync classlink");
}
END_TEST

/* SQLite: runs mock-host as a user who may not write the test folder:
 * "nobody" when the suite runs as root (root ignores permissions), else
 * ourselves. */
static tu_result as_reader(const char *args)
{
    return tu_run("cd %s && %s %s/mock-host --db %s/host.db %s", env.dir,
                  geteuid() == 0 ? "setpriv --reuid=65534 --regid=65534 --clear-groups" : "",
                  tu_build_dir(), env.dir, args);
}

/* PostgreSQL: the database refuses writes (as a standby server does). */
static tu_result pg_reader(const char *args)
{
    return MH("%s", args);
}

START_TEST(a_read_only_database_still_shows_apps_users_and_runs)
{
    static const char *const views[] = {"apps", "users --app classlink --role teacher", "runs classlink"};
    tu_result (*reader)(const char *) = env_is_pg() ? pg_reader : as_reader;
    /* What each backend says: why it is read-only, and why a change fails. */
    const char *note = env_is_pg() ? "is read-only (a standby server"
                                   : "read-only for this user (a permission problem)";
    const char *refusal = env_is_pg() ? "Point --db at the primary server" : "permission denied";
    char *before = users_json(), *after, sql[160];
    tu_result r;
    size_t i;
    if (env_is_pg()) {
        snprintf(sql, sizeof sql, "ALTER DATABASE %s SET default_transaction_read_only = on",
                 env.pg_dbname);
        r = mh_db_sql(sql);
    } else {
        ck_assert_int_eq(chmod(env.dir, 0555), 0);
        r = tu_run("chmod a+r %s/host.db", env.dir);
    }
    ck_assert_msg(r.status == 0, "%s", r.err);
    tu_result_free(&r);
    for (i = 0; i < sizeof views / sizeof views[0]; i++) {
        r = reader(views[i]);
        ck_assert_msg(r.status == 0, "%s: %s", views[i], r.err);
        ck_assert_msg(strstr(r.err, note), "%s", r.err);
        ck_assert_msg(strlen(r.out) > 100, "%s: %s", views[i], r.out);
        tu_result_free(&r);
    }
    r = reader("portal-roles add Staff");
    ck_assert_int_eq(r.status, 1);
    ck_assert_msg(strstr(r.err, refusal) && strstr(r.err, env_is_pg() ? "nothing was changed"
                                                                       : "can still be viewed"),
                  "%s", r.err);
    tu_result_free(&r);
    r = reader("sync classlink");
    ck_assert_int_eq(r.status, 1);
    ck_assert_msg(strstr(r.err, refusal), "%s", r.err);
    tu_result_free(&r);
    if (env_is_pg()) {
        snprintf(sql, sizeof sql, "ALTER DATABASE %s SET default_transaction_read_only = off",
                 env.pg_dbname);
        r = pgtest_psql("postgres", sql);  /* the test's own database now refuses it */
        ck_assert_msg(r.status == 0, "%s", r.err);
        tu_result_free(&r);
    } else {
        ck_assert_int_eq(chmod(env.dir, 0700), 0);
    }
    after = users_json();
    ck_assert_str_eq(after, before);
    free(after);
    free(before);
}
END_TEST

Suite *suite_admin(void)
{
    Suite *s = suite_create("admin");
    TCase *tc = tcase_create("admin");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, an_unknown_or_wrongly_cased_role_lists_the_roles_present);
    tcase_add_test(tc, an_unknown_app_lists_the_installed_apps);
    tcase_add_test(tc, an_empty_or_damaged_database_is_refused_not_replaced);
    tcase_add_test(tc, a_mistyped_db_location_says_what_is_wrong_and_stores_nothing);
    tcase_add_test(tc, a_provisioning_file_missing_or_not_json_says_which_and_where);
    tcase_add_test(tc, an_empty_secret_variable_is_not_called_unset);
    tcase_add_test(tc, the_token_url_help_says_it_is_required_as_connect_does);
    tcase_add_test(tc, a_database_held_by_a_first_import_is_called_busy);
    tcase_add_test(tc, a_missing_key_is_refused_while_credentials_are_stored);
    tcase_add_test(tc, a_read_only_database_still_shows_apps_users_and_runs);
    suite_add_tcase(s, tc);
    return s;
}
