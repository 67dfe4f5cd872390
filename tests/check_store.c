/* check_store.c - migrations, and secrets that never sit in plaintext. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../mock-host/jsonw.h"
#include "../mock-host/record_codec.h"
#include "../mock-host/store_records.h"
#include "../mock-host/store_db.h"
#include "../mock-host/sync_queue.h"
#include "../mock-host/userpage.h"
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

/* How many users the Users page lists under a role, and the last one's name. */
typedef struct seen_user {
    int n;
    char given[64];
} seen_user;

static int listed(void *ctx, const mh_user_view *u)
{
    seen_user *seen = ctx;
    seen->n++;
    snprintf(seen->given, sizeof seen->given, "%s", u->given_name);
    return 0;
}

static seen_user users_with_role(mh_store *s, const char *role)
{
    seen_user seen = {0, ""};
    ck_assert_int_eq(mh_store_users_each(s, "app", role, 0, listed, &seen), 0);
    return seen;
}

/* The same answer through the role index itself, and the index whole. */
static int indexed_with_role(mh_store *s, const char *role)
{
    sqlite3_stmt *st;
    int n;
    ck_assert_int_eq(sqlite3_prepare_v2(s->db, "SELECT count(*) FROM users INDEXED BY users_by_role "
                                               "WHERE app_id = 1 AND role = ?1", -1, &st, NULL),
                     SQLITE_OK);
    sqlite3_bind_text(st, 1, role, -1, SQLITE_STATIC);
    ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
    n = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    ck_assert_int_eq(sqlite3_prepare_v2(s->db, "PRAGMA integrity_check", -1, &st, NULL), SQLITE_OK);
    ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
    ck_assert_str_eq((const char *)sqlite3_column_text(st, 0), "ok");
    sqlite3_finalize(st);
    return n;
}

static void write_user(mh_store *s, const mh_app *app, const char *role, const char *given)
{
    mh_user_writer w;
    sis_host_user u = SIS_HOST_USER_INIT;
    u.sourced_id = "u1";
    u.role = role;
    u.active = 1;
    u.given_name = given;
    ck_assert_int_eq(mh_user_writer_open(&w, s, app), 0);
    ck_assert_int_eq(mh_user_write(&w, &u), SIS_OK);
    mh_user_writer_close(&w);
}

/* A changed user whose role stayed is updated without touching the role
 * index (store_users.c); the Users page must still list it under its role,
 * and a user whose role did change only under the new one. */
START_TEST(a_changed_user_is_listed_under_its_current_role)
{
    mh_store *s = open_store();
    mh_app app;
    seen_user seen;
    ck_assert_int_eq(mh_store_app_create(s, "app", "classlink", 0, &app), 0);
    write_user(s, &app, "student", "Ann");
    write_user(s, &app, "student", "Anna");  /* same role, other name */
    seen = users_with_role(s, "student");
    ck_assert_int_eq(seen.n, 1);
    ck_assert_str_eq(seen.given, "Anna");
    ck_assert_int_eq(indexed_with_role(s, "student"), 1);
    write_user(s, &app, "teacher", "Anna");  /* the role changes */
    ck_assert_int_eq(users_with_role(s, "student").n, 0);
    seen = users_with_role(s, "teacher");
    ck_assert_int_eq(seen.n, 1);
    ck_assert_str_eq(seen.given, "Anna");
    ck_assert_int_eq(indexed_with_role(s, "student"), 0);
    ck_assert_int_eq(indexed_with_role(s, "teacher"), 1);
    mh_store_close(s);
}
END_TEST

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

/* Processes opening one new database at the same moment (workers started
 * together, commands run side by side), played by threads, each with its
 * own connection, released together. */
#define OPENERS 6

typedef struct opener {
    pthread_barrier_t *go;
    const char *path;
    mh_store *store;
    char err[1024];
} opener;

static void *open_together(void *arg)
{
    opener *o = arg;
    if (o->go != NULL)
        pthread_barrier_wait(o->go);
    if (mh_store_open(&o->store, o->path, o->err, sizeof o->err) != 0)
        o->store = NULL;
    return NULL;
}

/* Starts OPENERS threads on `path` (released together when `go`), joins
 * them, and asserts that every open succeeded and that all of them hold
 * the one key the key file keeps: a secret sealed by one opens in each. */
static void all_open_with_one_key(const char *path, pthread_barrier_t *go, int hold_ms,
                                  sqlite3 *holder)
{
    pthread_t t[OPENERS];
    opener o[OPENERS];
    unsigned char *sealed;
    size_t sealed_len;
    char plain[64];
    int i;
    for (i = 0; i < OPENERS; i++) {
        memset(&o[i], 0, sizeof o[i]);
        o[i].go = go;
        o[i].path = path;
        ck_assert_int_eq(pthread_create(&t[i], NULL, open_together, &o[i]), 0);
    }
    if (holder != NULL) {
        usleep((useconds_t)hold_ms * 1000);  /* the openers wait for the write lock */
        ck_assert_int_eq(sqlite3_exec(holder, "ROLLBACK", NULL, NULL, NULL), SQLITE_OK);
    }
    for (i = 0; i < OPENERS; i++)
        ck_assert_int_eq(pthread_join(t[i], NULL), 0);
    for (i = 0; i < OPENERS; i++)
        ck_assert_msg(o[i].store != NULL, "opener %d: %s", i, o[i].err);
    ck_assert_int_eq(mh_secret_seal(&o[0].store->box, "aad", "s3cret", 6, &sealed, &sealed_len), 0);
    for (i = 0; i < OPENERS; i++) {
        ck_assert_int_eq(mh_secret_open(&o[i].store->box, "aad", sealed, sealed_len, plain,
                                        sizeof plain), 6);
        ck_assert_str_eq(plain, "s3cret");
        mh_store_close(o[i].store);
    }
    free(sealed);
}

START_TEST(processes_creating_one_new_database_together_all_open_it)
{
    pthread_barrier_t go;
    char *path, *key;
    struct stat st;
    tu_result r;
    int trial;
    ck_assert_int_eq(pthread_barrier_init(&go, NULL, OPENERS), 0);
    for (trial = 0; trial < 10; trial++) {
        ck_assert_int_ne(asprintf(&path, "%s/new%d.db", dir, trial), -1);
        ck_assert_int_ne(asprintf(&key, "%s.key", path), -1);
        all_open_with_one_key(path, &go, 0, NULL);
        ck_assert_int_eq(stat(key, &st), 0);
        ck_assert_int_eq((int)st.st_size, MH_SECRET_KEY_LEN);
        ck_assert_int_eq((int)(st.st_mode & 0777), 0600);
        free(path);
        free(key);
    }
    pthread_barrier_destroy(&go);
    /* Nothing but the database, its key and journal is left in the folder. */
    r = tu_run("ls %s | grep new- || true", dir);
    ck_assert_msg(r.out[0] == '\0', "temporary files left: %s", r.out);
    tu_result_free(&r);
}
END_TEST

/* A new database gets the mode SQLite would give it (0644 less the
 * umask), not a group-writable one; and a --db that is a symbolic link to
 * a file not made yet creates that file, as SQLite does. */
START_TEST(a_new_database_has_sqlites_mode_and_follows_a_symlink)
{
    mh_store *s;
    char err[512], *path, *target, *link_path;
    struct stat st;
    umask(002);
    ck_assert_int_ne(asprintf(&path, "%s/moded.db", dir), -1);
    ck_assert_msg(mh_store_open(&s, path, err, sizeof err) == 0, "%s", err);
    mh_store_close(s);
    ck_assert_int_eq(stat(path, &st), 0);
    ck_assert_int_eq((int)(st.st_mode & 0777), 0644);
    ck_assert_int_ne(asprintf(&target, "%s/real.db", dir), -1);
    ck_assert_int_ne(asprintf(&link_path, "%s/link.db", dir), -1);
    ck_assert_int_eq(symlink(target, link_path), 0);
    ck_assert_msg(mh_store_open(&s, link_path, err, sizeof err) == 0, "%s", err);
    mh_store_close(s);
    ck_assert_int_eq(lstat(link_path, &st), 0);
    ck_assert(S_ISLNK(st.st_mode));
    ck_assert_int_eq(stat(target, &st), 0);
    ck_assert_int_gt((int)st.st_size, 0);
    free(path);
    free(target);
    free(link_path);
}
END_TEST

/* Openers that all read the schema version, then wait for the write lock
 * another process holds: when they get it, one applies the migration and
 * the others must see that it is applied, not run it again. */
START_TEST(a_migration_applied_while_waiting_for_the_lock_is_not_run_again)
{
    sqlite3 *holder;
    /* A valid SQLite database with no tables and schema version 0: what a
     * new database is before its first migration. */
    ck_assert_int_eq(sqlite3_open(db, &holder), SQLITE_OK);
    ck_assert_int_eq(sqlite3_exec(holder, "PRAGMA journal_mode=WAL; CREATE TABLE t(x); "
                                          "DROP TABLE t;", NULL, NULL, NULL), SQLITE_OK);
    ck_assert_int_eq(sqlite3_exec(holder, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
    all_open_with_one_key(db, NULL, 1000, holder);
    sqlite3_close(holder);
    mh_store_close(open_store());
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

/* A PostgreSQL location's password is read as libpq reads it (quotes and
 * backslashes in the key=value form, %XX in a URI), moved to PGPASSWORD
 * and out of the location that messages show; a URI whose password has an
 * '@' not written as %40 is refused rather than half shown as the host. */
START_TEST(a_postgresql_password_is_read_as_libpq_reads_it_and_never_shown)
{
    char *out = NULL, err[256] = "", *shown;
    unsetenv("PGPASSWORD");
    ck_assert_int_eq(mh_store_location_prepare("host=/run/postgresql dbname=mh", &out, err,
                                               sizeof err), 0);
    ck_assert_str_eq(out, "host=/run/postgresql dbname=mh");   /* no password: as given */
    ck_assert_ptr_null(getenv("PGPASSWORD"));
    free(out);

    ck_assert_int_eq(mh_store_location_prepare("host=db1 password='a\\'b\\\\c' dbname=mh",
                                               &out, err, sizeof err), 0);
    ck_assert_str_eq(getenv("PGPASSWORD"), "a'b\\c");
    ck_assert_ptr_nonnull(strstr(out, "host=db1"));
    ck_assert_ptr_nonnull(strstr(out, "dbname=mh"));
    ck_assert_ptr_null(strstr(out, "password"));
    free(out);

    ck_assert_int_eq(mh_store_location_prepare("postgresql://mh:p%40ss@db1:5433/sis?sslmode=require",
                                               &out, err, sizeof err), 0);
    ck_assert_str_eq(getenv("PGPASSWORD"), "p@ss");
    ck_assert_ptr_null(strstr(out, "p@ss"));
    ck_assert_ptr_null(strstr(out, "p%40ss"));
    ck_assert_ptr_nonnull(strstr(out, "host=db1"));
    ck_assert_ptr_nonnull(strstr(out, "port=5433"));
    ck_assert_ptr_nonnull(strstr(out, "dbname=sis"));
    ck_assert_ptr_nonnull(strstr(out, "sslmode=require"));
    free(out);

    ck_assert_int_eq(mh_store_location_prepare("postgres://mh:p@ss@db1/sis", &out, err,
                                               sizeof err), -1);
    ck_assert_msg(strstr(err, "%40") != NULL, "%s", err);
    shown = mh_store_location_redacted("postgres://mh:p@ss@db1/sis");
    ck_assert_ptr_null(strstr(shown, "ss@"));
    free(shown);
}
END_TEST

/* A plugin's text kept by the host is valid UTF-8: a stray byte becomes
 * '?', and a character that does not fit is left out whole. */
START_TEST(a_plugins_text_is_kept_as_valid_utf8)
{
    char out[8];
    ck_assert_uint_eq(mh_utf8_clip(out, sizeof out, "ab\xe2\x82\xac\xe2\x82\xac"), 5);
    ck_assert_str_eq(out, "ab\xe2\x82\xac");
    ck_assert_uint_eq(mh_utf8_clip(out, sizeof out, "a\xff b\xe2\x82"), 6);
    ck_assert_str_eq(out, "a? b??");   /* a character cut short: each byte */
    ck_assert_uint_eq(mh_utf8_clip(out, sizeof out, "\xed\xa0\x80z"), 4);  /* a surrogate */
    ck_assert_str_eq(out, "???z");
}
END_TEST

/* A worker unqueues the request it ran, never a newer one that `sync --all`
 * wrote meanwhile (it takes no lock): the comparison is part of the delete. */
START_TEST(a_worker_unqueues_only_the_request_it_ran)
{
    mh_store *s = open_store();
    char buf[64];
    ck_assert_int_eq(mh_store_state_set(s, 7, "sync_queued", "10:00 pid 1"), 0);
    ck_assert_int_eq(mh_store_state_set(s, 7, "sync_queued", "10:05 pid 2"), 0);  /* newer */
    ck_assert_int_eq(mh_sync_queue_done(s, 7, "10:00 pid 1"), 0);
    ck_assert_int_eq(mh_sync_queued(s, 7, buf, sizeof buf), 1);
    ck_assert_str_eq(buf, "10:05 pid 2");
    ck_assert_int_eq(mh_sync_queue_done(s, 7, "10:05 pid 2"), 0);
    ck_assert_int_eq(mh_sync_queued(s, 7, buf, sizeof buf), 0);
    mh_store_close(s);
}
END_TEST

START_TEST(host_state_moves_out_of_the_plugins_config_namespace)
{
    mh_store *s = open_store();
    char buf[64];
    /* A database as version 5 left it: the host's keys among the plugin's. */
    ck_assert_int_eq(mh_store_exec(s, "DELETE FROM host_state; DROP TABLE held_absent; "
                                        "PRAGMA user_version=5;", NULL, 0), 0);
    ck_assert_int_eq(mh_store_config_set(s, 1, "watermark", "2026-01-02T03:04:05.000Z"), 0);
    ck_assert_int_eq(mh_store_config_set(s, 1, "last_full_complete_s", "1700000000"), 0);
    ck_assert_int_eq(mh_store_config_set(s, 1, "show_metadata", "on"), 0);
    ck_assert_int_eq(mh_store_config_set(s, 1, "server", "https://sis.example/ims/oneroster"), 0);
    mh_store_close(s);
    s = open_store();  /* migrates 5 -> now */
    ck_assert_int_eq(mh_store_state_get(s, 1, "watermark", buf, sizeof buf), 0);
    ck_assert_str_eq(buf, "2026-01-02T03:04:05.000Z");
    ck_assert_int_eq(mh_store_state_get(s, 1, "show_metadata", buf, sizeof buf), 0);
    ck_assert_str_eq(buf, "on");
    ck_assert_int_eq(mh_store_config_get(s, 1, "watermark", buf, sizeof buf), 1);
    ck_assert_int_eq(mh_store_config_get(s, 1, "last_full_complete_s", buf, sizeof buf), 1);
    ck_assert_int_eq(mh_store_config_get(s, 1, "server", buf, sizeof buf), 0);  /* the plugin's stays */
    mh_store_close(s);
}
END_TEST

START_TEST(forget_all_wipes_one_apps_plugin_namespace_only)
{
    mh_store *s = open_store();
    mh_app a, b;
    char buf[64];
    ck_assert_int_eq(mh_store_app_create(s, "one", "classlink", 0, &a), 0);
    ck_assert_int_eq(mh_store_app_create(s, "two", "classlink", 0, &b), 0);
    ck_assert_int_eq(mh_store_config_set(s, a.id, "server", "x"), 0);
    ck_assert_int_eq(mh_store_config_set(s, a.id, "any_key_a_plugin_chose", "y"), 0);
    ck_assert_int_eq(mh_store_secret_set(s, a.id, "client_secret", "z"), 0);
    ck_assert_int_eq(mh_store_config_set(s, b.id, "server", "kept"), 0);
    ck_assert_int_eq(mh_store_secret_set(s, b.id, "client_secret", "kept"), 0);
    ck_assert_int_eq(mh_store_state_set(s, a.id, "watermark", "w"), 0);
    ck_assert_int_eq(mh_store_config_forget_all(s, a.id), 0);
    ck_assert_int_eq(mh_store_secret_forget_all(s, a.id), 0);
    ck_assert_int_eq(mh_store_config_get(s, a.id, "server", buf, sizeof buf), 1);
    ck_assert_int_eq(mh_store_config_get(s, a.id, "any_key_a_plugin_chose", buf, sizeof buf), 1);
    ck_assert_int_eq(mh_store_secret_count(s, a.id), 0);
    ck_assert_int_eq(mh_store_config_get(s, b.id, "server", buf, sizeof buf), 0);
    ck_assert_int_eq(mh_store_secret_count(s, b.id), 1);
    ck_assert_int_eq(mh_store_state_get(s, a.id, "watermark", buf, sizeof buf), 0);  /* host's own */
    ck_assert_int_eq(mh_store_state_delete(s, a.id, "watermark"), 0);
    ck_assert_int_eq(mh_store_state_get(s, a.id, "watermark", buf, sizeof buf), 1);
    mh_store_close(s);
}
END_TEST


/* The record a plugin hands over: its strings in one block (ABI 2.1) unless
 * outside_id, whose id then lives outside the block. */
typedef struct block_record {
    char block[256];
    char outside_id[16];
    const char *roles[1], *orgs[2], *items[2];
    sis_field fields[2];
    sis_record rec;
} block_record;

static const char *put(char *block, size_t *at, const char *s)
{
    char *p = block + *at;
    memcpy(p, s, strlen(s) + 1);
    *at += strlen(s) + 1;
    return p;
}

static void block_record_build(block_record *b, int id_outside, uint32_t struct_size)
{
    size_t at = 0;
    sis_record init = SIS_RECORD_INIT;
    memset(b, 0, sizeof *b);
    b->rec = init;
    b->rec.struct_size = struct_size;
    snprintf(b->outside_id, sizeof b->outside_id, "%s", "u-outside");
    b->rec.sourced_id = id_outside ? b->outside_id : put(b->block, &at, "u-1");
    b->rec.modified = put(b->block, &at, "2026-01-02T03:04:05.678Z");
    b->roles[0] = b->rec.role = put(b->block, &at, "student");
    b->orgs[0] = put(b->block, &at, "org-a");
    b->orgs[1] = put(b->block, &at, "org-b");
    b->fields[0].path = put(b->block, &at, "givenName");
    b->fields[0].value = put(b->block, &at, "Ana");
    b->fields[1].path = put(b->block, &at, "grades");
    b->fields[1].value = put(b->block, &at, "09, 10");
    b->items[0] = put(b->block, &at, "09");
    b->items[1] = put(b->block, &at, "10");
    b->fields[1].items = b->items;
    b->fields[1].n_items = 2;
    b->rec.roles = b->roles;
    b->rec.n_roles = 1;
    b->rec.org_ids = b->orgs;
    b->rec.n_org_ids = 2;
    b->rec.fields = b->fields;
    b->rec.n_fields = 2;
    b->rec.strings = b->block;
    b->rec.strings_len = at;
}

/* The copy must hold every string after the plugin's memory is gone. */
static void assert_copy_survives(block_record *b, const char *id)
{
    mh_record_copy c;
    const sis_record *v;
    memset(&c, 0, sizeof c);
    mh_record_copy_set(&c, &b->rec);
    memset(b, 0x55, sizeof *b);  /* the plugin reuses its buffers */
    v = mh_record_copy_view(&c);
    ck_assert_str_eq(v->sourced_id, id);
    ck_assert_str_eq(v->modified, "2026-01-02T03:04:05.678Z");
    ck_assert_str_eq(v->role, "student");
    ck_assert_uint_eq(v->n_org_ids, 2);
    ck_assert_str_eq(v->org_ids[1], "org-b");
    ck_assert_uint_eq(v->n_fields, 2);
    ck_assert_str_eq(v->fields[0].path, "givenName");
    ck_assert_str_eq(v->fields[0].value, "Ana");
    ck_assert_str_eq(v->fields[1].value, "09, 10");
    ck_assert_uint_eq(v->fields[1].n_items, 2);
    ck_assert_str_eq(v->fields[1].items[1], "10");
    mh_record_copy_free(&c);
}

START_TEST(a_record_is_kept_whole_however_its_strings_are_laid_out)
{
    block_record b;
    /* ABI 2.1, every string in the block: copied as one piece. */
    block_record_build(&b, 0, sizeof b.rec);
    assert_copy_survives(&b, "u-1");
    /* A block that does not hold the id: copied string by string. */
    block_record_build(&b, 1, sizeof b.rec);
    assert_copy_survives(&b, "u-outside");
    /* A block whose last string runs past its end ("10" cut to "1"): not
     * used, so nothing is cut short. */
    block_record_build(&b, 0, sizeof b.rec);
    b.rec.strings_len -= 2;
    assert_copy_survives(&b, "u-1");
    /* A plugin built for ABI 2.0: the block members are not read. */
    block_record_build(&b, 1, (uint32_t)offsetof(sis_record, strings));
    b.rec.strings = "not a block";
    assert_copy_survives(&b, "u-outside");
}
END_TEST

/* Every string of every stored record goes through mh_str_json: wherever a
 * quote, a backslash or a control byte falls, the text must be valid JSON and
 * read back (json-c) as exactly the string. */
START_TEST(stored_text_reads_back_exactly_wherever_the_escapes_fall)
{
    static const char specials[] = {'"', '\\', '\n', '\t', 0x01, 0x1f, ' ', 'a'};
    char in[48];
    size_t len, at, k;
    for (len = 0; len < 40; len++)
        for (at = 0; at < (len ? len : 1); at++)
            for (k = 0; k < sizeof specials; k++) {
                mh_str out = {0};
                json_object *back;
                size_t i;
                for (i = 0; i < len; i++)
                    in[i] = (char)("Zo\xc3\xab-09.x"[i % 10]);  /* UTF-8 stays as it is */
                if (len > 0)
                    in[at] = specials[k];
                in[len] = '\0';
                mh_str_json(&out, in);
                for (i = 0; i < out.len; i++)  /* JSON allows no raw control byte (json-c would) */
                    ck_assert_msg((unsigned char)out.data[i] >= 0x20, "len %zu at %zu: raw byte %d",
                                  len, at, out.data[i]);
                back = json_tokener_parse(out.data);
                ck_assert_msg(back != NULL && json_object_is_type(back, json_type_string),
                              "len %zu at %zu: %s", len, at, out.data);
                ck_assert_str_eq(json_object_get_string(back), in);
                json_object_put(back);
                mh_str_free(&out);
            }
}
END_TEST

/* The body sis_records holds for id, or "" when there is no such row. */
static char *stored_body(mh_store *s, const char *id)
{
    sqlite3_stmt *st;
    char *body;
    ck_assert_int_eq(sqlite3_prepare_v2(s->db, "SELECT body FROM sis_records WHERE sourced_id = ?1",
                                        -1, &st, NULL), SQLITE_OK);
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    body = strdup(sqlite3_step(st) == SQLITE_ROW ? (const char *)sqlite3_column_text(st, 0) : "");
    sqlite3_finalize(st);
    return body;
}

static void put_record(mh_record_rows *r, const char *id, const char *text)
{
    mh_str body = {0};
    mh_str_adds(&body, text);
    ck_assert_int_eq(mh_record_rows_put(r, id, 0, 1, "2026-01-01T00:00:00Z", "student", &body, 7), 0);
    mh_str_free(&body);
}

/* Puts are gathered 16 at a time (store_rowbatch.h): a lookup between them
 * sees every record put before it, a record put twice ends as its second
 * copy, and the last partial batch is in the table after the flush. */
START_TEST(gathered_records_are_read_and_kept_as_if_stored_one_by_one)
{
    mh_store *s = open_store();
    mh_record_rows *r;
    mh_app app;
    char msg[256], id[16], *body;
    uint64_t hash = 0;
    int present = 0, i;
    ck_assert_int_eq(mh_store_app_create(s, "app", "classlink", 0, &app), 0);
    ck_assert_int_eq(mh_store_begin(s, msg, sizeof msg), 0);
    ck_assert_int_eq(mh_record_rows_open(&r, s, app.id, 1), 0);
    for (i = 0; i < 37; i++) {
        snprintf(id, sizeof id, "r%02d", i);
        put_record(r, id, i == 20 ? "{\"first\":1}" : "{}");
        if (i == 22)  /* r20 is gathered, not stored yet, when this asks */
            ck_assert_int_eq(mh_record_rows_get(r, "r20", &hash, &present), 1);
    }
    ck_assert_uint_eq(hash, 7);
    put_record(r, "r20", "{\"second\":1}");  /* in the same batch as r23...r36 */
    /* Twice inside one full 16-row statement: it ends as the second. */
    ck_assert_int_eq(mh_record_rows_flush(r), 0);
    put_record(r, "d", "{\"first\":1}");
    for (i = 0; i < 14; i++) {
        snprintf(id, sizeof id, "e%02d", i);
        put_record(r, id, "{}");
    }
    put_record(r, "d", "{\"second\":1}");
    ck_assert_int_eq(mh_record_rows_flush(r), 0);
    mh_record_rows_close(r);
    ck_assert_int_eq(mh_store_commit(s, msg, sizeof msg), 0);
    for (i = 0; i < 37; i++) {
        snprintf(id, sizeof id, "r%02d", i);
        body = stored_body(s, id);
        ck_assert_str_eq(body, i == 20 ? "{\"second\":1}" : "{}");
        free(body);
    }
    body = stored_body(s, "d");
    ck_assert_str_eq(body, "{\"second\":1}");
    free(body);
    body = stored_body(s, "e13");
    ck_assert_str_eq(body, "{}");
    free(body);
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
    tcase_add_test(tc, processes_creating_one_new_database_together_all_open_it);
    tcase_add_test(tc, a_migration_applied_while_waiting_for_the_lock_is_not_run_again);
    tcase_add_test(tc, a_new_database_has_sqlites_mode_and_follows_a_symlink);
    tcase_add_test(tc, secrets_are_encrypted_at_rest);
    tcase_add_test(tc, readable_key_file_is_refused);
    tcase_add_test(tc, config_roundtrip_and_delete);
    tcase_add_test(tc, a_worker_unqueues_only_the_request_it_ran);
    tcase_add_test(tc, a_plugins_text_is_kept_as_valid_utf8);
    tcase_add_test(tc, a_postgresql_password_is_read_as_libpq_reads_it_and_never_shown);
    tcase_add_test(tc, host_state_moves_out_of_the_plugins_config_namespace);
    tcase_add_test(tc, forget_all_wipes_one_apps_plugin_namespace_only);
    tcase_add_test(tc, a_changed_user_is_listed_under_its_current_role);
    tcase_add_test(tc, a_record_is_kept_whole_however_its_strings_are_laid_out);
    tcase_add_test(tc, stored_text_reads_back_exactly_wherever_the_escapes_fall);
    tcase_add_test(tc, gathered_records_are_read_and_kept_as_if_stored_one_by_one);
    suite_add_tcase(s, tc);
    return s;
}
