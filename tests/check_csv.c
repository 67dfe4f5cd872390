/*
 * check_csv.c - the OneRoster CSV plugin through its vtable: a test host
 * (config, secrets and settings in memory), a sink that keeps what it is
 * sent, and exports written at test time as folders, zips, an https server
 * (libmicrohttpd with a throwaway CA) and a real OpenSSH sshd on loopback.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <microhttpd.h>
#include <zip.h>

#include <sis/connector.h>

#include "../oneroster-csv/idset.h"
#include "check_csv_fixtures.h"
#include "sim/tls.h"
#include "testutil.h"

int oneroster_csv_entry(uint32_t host_abi, const sis_host *host, const sis_plugin_header **out,
                        sis_error *err);

/* ---- the test host --------------------------------------------------- */

#define KV_MAX 32
typedef struct kv_store {
    char key[KV_MAX][64];
    char *val[KV_MAX];
} kv_store;

static kv_store config, secrets, settings;

static void kv_clear(kv_store *s)
{
    int i;
    for (i = 0; i < KV_MAX; i++) {
        free(s->val[i]);
        s->val[i] = NULL;
        s->key[i][0] = '\0';
    }
}

static int kv_get(kv_store *s, const char *key, char *buf, size_t cap)
{
    int i;
    for (i = 0; i < KV_MAX; i++)
        if (s->val[i] != NULL && strcmp(s->key[i], key) == 0) {
            if (strlen(s->val[i]) + 1 > cap)
                return SIS_ERR_TOO_SMALL;
            strcpy(buf, s->val[i]);
            return SIS_OK;
        }
    return SIS_ERR_NOT_FOUND;
}

static int kv_set(kv_store *s, const char *key, const char *value)
{
    int i, free_slot = -1;
    for (i = 0; i < KV_MAX; i++) {
        if (s->val[i] != NULL && strcmp(s->key[i], key) == 0) {
            free(s->val[i]);
            s->val[i] = value ? strdup(value) : NULL;
            return SIS_OK;
        }
        if (s->val[i] == NULL && free_slot < 0)
            free_slot = i;
    }
    if (value == NULL)
        return SIS_OK;
    snprintf(s->key[free_slot], sizeof s->key[free_slot], "%s", key);
    s->val[free_slot] = strdup(value);
    return SIS_OK;
}

static char logged[65536];

static void h_log(sis_host_app *a, sis_log_level l, const char *m)
{
    (void)a;
    (void)l;
    strncat(logged, m, sizeof logged - strlen(logged) - 1);
}
static int h_cget(sis_host_app *a, const char *k, char *b, size_t c) { (void)a; return kv_get(&config, k, b, c); }
static int h_cset(sis_host_app *a, const char *k, const char *v) { (void)a; return kv_set(&config, k, v); }
static int h_sget(sis_host_app *a, const char *k, char *b, size_t c) { (void)a; return kv_get(&secrets, k, b, c); }
static int h_sset(sis_host_app *a, const char *k, const char *v) { (void)a; return kv_set(&secrets, k, v); }
static int h_setting(sis_host_app *a, const char *k, char *b, size_t c) { (void)a; return kv_get(&settings, k, b, c); }
static void h_progress(sis_host_app *a, const char *p, uint64_t d, uint64_t t) { (void)a; (void)p; (void)d; (void)t; }
static int h_cancelled(sis_host_app *a) { (void)a; return 0; }

static const sis_host host = {SIS_ABI_VERSION, sizeof(sis_host), h_log, h_cget, h_cset, h_sget,
                              h_sset, h_setting, h_progress, h_cancelled};

/* What a host keeps from a sis_text_out: a copy of the last value. */
typedef struct text_kept {
    char value[1024];
} text_kept;

static int keep_text(void *ctx, const char *value)
{
    text_kept *t = ctx;
    snprintf(t->value, sizeof t->value, "%s", value);
    return SIS_OK;
}

static const sis_connector *conn;
static sis_instance *inst;
static char *dir;

static void setup(void)
{
    sis_error err = SIS_ERROR_LOCAL;
    const sis_plugin_header *h = NULL;
    kv_clear(&config);
    kv_clear(&secrets);
    kv_clear(&settings);
    logged[0] = '\0';
    ck_assert_int_eq(oneroster_csv_entry(SIS_ABI_VERSION, &host, &h, &err), SIS_OK);
    ck_assert_int_eq(h->kind, SIS_KIND_SIS);
    ck_assert_uint_eq(h->struct_size, sizeof(sis_connector));
    conn = (const sis_connector *)h;
    ck_assert_int_eq(conn->create(&inst, &host, NULL, &err), SIS_OK);
    dir = tu_mkdtemp();
}

static void teardown(void)
{
    conn->destroy(inst);
    tu_rmtree(dir);
    free(dir);
}

/* ---- the sink: keeps a copy of every record -------------------------- */

#define REC_MAX 64
typedef struct kept {
    char id[64], role[32], modified[40];
    int status, enabled;
    char orgs[256];
    char fields[2048];      /* path=value\n ... ; a list: path=value [item|item|]\n */
} kept;

static kept recs[REC_MAX];
static size_t n_recs, n_orgs;
static char org_ids[1024];

static int s_org(void *ctx, const sis_org *o)
{
    (void)ctx;
    n_orgs++;
    strncat(org_ids, o->sourced_id, sizeof org_ids - strlen(org_ids) - 2);
    strcat(org_ids, " ");
    return SIS_OK;
}

static int s_record(void *ctx, const sis_record *r)
{
    kept *k;
    size_t i;
    (void)ctx;
    if (n_recs >= REC_MAX) {
        n_recs++;
        return SIS_OK;
    }
    k = &recs[n_recs++];
    memset(k, 0, sizeof *k);
    snprintf(k->id, sizeof k->id, "%s", r->sourced_id);
    snprintf(k->role, sizeof k->role, "%s", r->role);
    snprintf(k->modified, sizeof k->modified, "%s", r->modified);
    k->status = r->status;
    k->enabled = r->enabled;
    for (i = 0; i < r->n_org_ids; i++) {
        strncat(k->orgs, r->org_ids[i], sizeof k->orgs - strlen(k->orgs) - 2);
        strcat(k->orgs, "|");
    }
    ck_assert_uint_eq(r->struct_size, sizeof(sis_record));
    for (i = 0; i < r->n_fields; i++) {
        size_t len = strlen(k->fields), j;
        snprintf(k->fields + len, sizeof k->fields - len, "%s=%s", r->fields[i].path,
                 r->fields[i].value);
        if (r->fields[i].n_items > 0) {
            strncat(k->fields, " [", sizeof k->fields - strlen(k->fields) - 1);
            for (j = 0; j < r->fields[i].n_items; j++) {
                strncat(k->fields, r->fields[i].items[j], sizeof k->fields - strlen(k->fields) - 1);
                strncat(k->fields, "|", sizeof k->fields - strlen(k->fields) - 1);
            }
            strncat(k->fields, "]", sizeof k->fields - strlen(k->fields) - 1);
        }
        strncat(k->fields, "\n", sizeof k->fields - strlen(k->fields) - 1);
    }
    return SIS_OK;
}

/* What sink->invalid was told: "id|reason\n" per report ("|reason" when
 * the record had no id). */
static char invalids[8192];
static size_t n_invalid;

static int s_invalid(void *ctx, const char *id, const char *reason)
{
    (void)ctx;
    n_invalid++;
    snprintf(invalids + strlen(invalids), sizeof invalids - strlen(invalids), "%s|%s\n",
             id ? id : "", reason);
    return SIS_OK;
}

static const sis_sink sink = {sizeof(sis_sink), NULL, s_org, s_record, s_invalid};

static const kept *rec(const char *id)
{
    size_t i;
    for (i = 0; i < n_recs && i < REC_MAX; i++)
        if (strcmp(recs[i].id, id) == 0)
            return &recs[i];
    return NULL;
}

/* ---- fixtures -------------------------------------------------------- */

static text_kept tenant, source_text, incomplete;
static uint64_t visible_users;   /* what the last connect reported */

static int connect_to(const char *source, const char *password, const char *key,
                      const char *known_hosts, sis_error *err)
{
    sis_kv params[5] = {{"source", source}, {"username", known_hosts ? "root" : ""},
                        {"password", password ? password : ""},
                        {"private_key_file", key ? key : ""},
                        {"known_hosts", known_hosts ? known_hosts : ""}};
    sis_auth_request req = SIS_AUTH_REQUEST_INIT;
    sis_auth_result res;
    int rc;
    req.params = params;
    req.n_params = 5;
    memset(&res, 0, sizeof res);
    res.struct_size = sizeof res;
    res.tenant_name = (sis_text_out){&tenant, keep_text};
    res.source = (sis_text_out){&source_text, keep_text};
    tenant.value[0] = source_text.value[0] = '\0';
    rc = conn->authenticate(inst, &req, &res, err);
    visible_users = res.visible_users;
    return rc;
}

static int sync_now(sis_fetch_result *res, sis_error *err)
{
    sis_fetch_request req = SIS_FETCH_REQUEST_INIT;
    n_recs = n_orgs = n_invalid = 0;
    org_ids[0] = invalids[0] = '\0';
    incomplete.value[0] = '\0';
    memset(res, 0, sizeof *res);
    res->struct_size = sizeof *res;
    res->incomplete_reason = (sis_text_out){&incomplete, keep_text};
    return conn->fetch_users(inst, &req, &sink, res, err);
}

static int has_field(const kept *k, const char *pair)
{
    char want[512];
    snprintf(want, sizeof want, "%s\n", pair);
    return strstr(k->fields, want) != NULL;
}

/* ---- a folder, a zip -------------------------------------------------- */

START_TEST(folder_export_streams_orgs_then_users_and_never_the_password)
{
    sis_error err = SIS_ERROR_LOCAL;
    sis_fetch_result res;
    char stored[256];
    const kept *k;
    size_t i;

    csvfx_write_export(dir, MANIFEST_BULK, ORGS, USERS);
    ck_assert_int_eq(connect_to(dir, NULL, NULL, NULL, &err), SIS_OK);
    ck_assert_int_eq(h_cget(NULL, "source", stored, sizeof stored), SIS_OK);
    ck_assert_str_eq(stored, dir);
    ck_assert_str_eq(tenant.value, "Test District");
    ck_assert_ptr_nonnull(strstr(source_text.value, "users: bulk file"));
    ck_assert_int_eq(sync_now(&res, &err), SIS_OK);
    ck_assert_int_eq(res.complete, 1);
    ck_assert_uint_eq(res.orgs, 3);
    ck_assert_uint_eq(res.records, 3);
    ck_assert_str_eq(org_ids, "d1 s1 s2 ");
    k = rec("u1");
    ck_assert_ptr_nonnull(k);
    ck_assert_str_eq(k->role, "student");
    ck_assert_str_eq(k->orgs, "s1|s2|");
    ck_assert(has_field(k, "familyName=O\"Neil, Jr"));
    ck_assert(has_field(k, "grades=09, 10 [09|10|]"));
    ck_assert(has_field(k, "userIds={SIS:1} [{SIS:1}|]"));
    ck_assert(has_field(k, "metadata.cohort=2027"));
    ck_assert(has_field(k, "metadata.lunch_id=5001"));
    k = rec("u2");
    ck_assert_int_eq(k->enabled, 0);
    ck_assert(has_field(k, "familyName=Two\r\nLines"));
    k = rec("u3");
    ck_assert_str_eq(k->role, "student");
    ck_assert_str_eq(k->modified, "2024-05-01T10:00:00Z");
    for (i = 0; i < n_recs; i++) {
        ck_assert_ptr_null(strstr(recs[i].fields, "password"));
        ck_assert_ptr_null(strstr(recs[i].fields, "pw-secret"));
    }
    ck_assert_ptr_null(strstr(logged, "pw-secret"));
}
END_TEST

START_TEST(bom_crlf_and_quoted_newlines_are_read_as_rfc_4180_says)
{
    sis_error err = SIS_ERROR_LOCAL;
    sis_fetch_result res;
    csvfx_write_export(dir, "propertyName,value\nfile.users,bulk\nfile.orgs,absent\n", NULL,
                 "\xef\xbb\xbf" "sourcedId,enabledUser,orgSourcedIds,role,username,givenName,familyName\n"
                 "a1,TRUE,s1,teacher,\"x,y\",\"say \"\"hi\"\"\",\"l1\nl2\"\n\n"
                 "a2,true,s1,aide,  spaced  ,G,F");
    ck_assert_int_eq(connect_to(dir, NULL, NULL, NULL, &err), SIS_OK);
    ck_assert_int_eq(sync_now(&res, &err), SIS_OK);
    ck_assert_uint_eq(res.records, 2);
    ck_assert_uint_eq(res.orgs, 0);
    ck_assert(has_field(rec("a1"), "username=x,y"));
    ck_assert(has_field(rec("a1"), "givenName=say \"hi\""));
    ck_assert(has_field(rec("a1"), "familyName=l1\nl2"));
    ck_assert(has_field(rec("a2"), "username=  spaced  "));
}
END_TEST

START_TEST(zip_export_reads_like_a_folder_also_inside_one_folder)
{
    sis_error err = SIS_ERROR_LOCAL;
    sis_fetch_result res;
    const char *files[] = {"manifest.csv", MANIFEST_BULK, "orgs.csv", ORGS, "users.csv", USERS, NULL};
    char *zip = csvfx_write_zip(dir, "export.zip", "", files), *nested = csvfx_write_zip(dir, "nested.zip", "oneroster/", files);
    ck_assert_int_eq(connect_to(zip, NULL, NULL, NULL, &err), SIS_OK);
    ck_assert_int_eq(sync_now(&res, &err), SIS_OK);
    ck_assert_uint_eq(res.records, 3);
    ck_assert_int_eq(res.complete, 1);
    ck_assert_int_eq(connect_to(nested, NULL, NULL, NULL, &err), SIS_OK);
    ck_assert_int_eq(sync_now(&res, &err), SIS_OK);
    ck_assert_uint_eq(res.records, 3);
    free(zip);
    free(nested);
}
END_TEST

START_TEST(delta_file_is_never_complete_and_its_tobedeleted_rows_deactivate)
{
    sis_error err = SIS_ERROR_LOCAL;
    sis_fetch_result res;
    csvfx_write_export(dir, "propertyName,value\nfile.users,delta\nfile.orgs,absent\n", NULL,
                 USERS_HEADER
                 "u1,active,2024-05-01,true,s1,student,a,,A,B,,,,,,,,,,\n"
                 "u9,tobedeleted,2024-05-02,true,s1,student,z,,Z,Y,,,,,,,,,,\n");
    ck_assert_int_eq(connect_to(dir, NULL, NULL, NULL, &err), SIS_OK);
    ck_assert_int_eq(sync_now(&res, &err), SIS_OK);
    ck_assert_int_eq(res.complete, 0);
    ck_assert_ptr_nonnull(strstr(incomplete.value, "delta"));
    ck_assert_int_eq(rec("u1")->status, SIS_RECORD_ACTIVE);
    ck_assert_int_eq(rec("u9")->status, SIS_RECORD_TOBEDELETED);
}
END_TEST

/* ---- bad input: a clear error naming file and line, nothing stored ---- */

static void expect_connect_error(const char *source, int code, const char *needle)
{
    sis_error err = SIS_ERROR_LOCAL;
    char stored[64];
    ck_assert_int_eq(connect_to(source, NULL, NULL, NULL, &err), code);
    ck_assert_msg(strstr(err.message, needle) != NULL, "'%s' not in: %s", needle, err.message);
    ck_assert_int_eq(h_cget(NULL, "source", stored, sizeof stored), SIS_ERR_NOT_FOUND);
}

/* Connects to a good export, then replaces users.csv with `users` and
 * expects the sync to fail with `needle` in the message. */
static void expect_sync_error(const char *users, const char *manifest, const char *needle)
{
    sis_error err = SIS_ERROR_LOCAL;
    sis_fetch_result res;
    csvfx_write_export(dir, MANIFEST_BULK, ORGS, USERS);
    ck_assert_int_eq(connect_to(dir, NULL, NULL, NULL, &err), SIS_OK);
    csvfx_write_export(dir, manifest, NULL, users);
    ck_assert_int_ne(sync_now(&res, &err), SIS_OK);
    ck_assert_msg(strstr(err.message, needle) != NULL, "'%s' not in: %s", needle, err.message);
    ck_assert_int_eq(res.complete, 0);
}

START_TEST(no_users_file_is_refused_at_connect)
{
    csvfx_write_export(dir, MANIFEST_BULK, ORGS, NULL);
    expect_connect_error(dir, SIS_ERR_DATA, "has no users.csv");
}
END_TEST

START_TEST(no_manifest_is_refused_at_connect)
{
    csvfx_write_export(dir, NULL, ORGS, USERS);
    expect_connect_error(dir, SIS_ERR_DATA, "has no manifest.csv");
}
END_TEST

START_TEST(missing_required_column_is_refused_at_connect)
{
    csvfx_write_export(dir, MANIFEST_BULK, ORGS, "sourcedId,enabledUser,orgSourcedIds,role,username,"
                 "givenName\r\nu1,true,s1,student,a,A\r\n");
    expect_connect_error(dir, SIS_ERR_DATA, "users.csv line 1: the required column familyName is missing");
}
END_TEST

START_TEST(duplicate_sourced_ids_name_the_line)
{
    expect_sync_error(USERS_HEADER "u1,,,true,s1,student,a,,A,B,,,,,,,,,,\r\n"
                      "u2,,,true,s1,student,b,,A,B,,,,,,,,,,\r\n"
                      "u1,,,true,s1,student,c,,A,B,,,,,,,,,,\r\n",
                      NULL, "users.csv lines 2 and 4: the sourcedId u1 appears twice");
}
END_TEST

/* Past one chunk of ids the check spills sorted runs to a temporary file
 * and merges them at the end: a duplicate far apart is still found, with
 * both lines. */
START_TEST(duplicate_sourced_ids_far_apart_are_found_across_spilled_runs)
{
    unsigned n = 2 * ORC_IDSET_CHUNK_IDS + 1000, i;
    size_t cap = (size_t)n * 48 + 512, len;
    char *users = malloc(cap);
    len = (size_t)snprintf(users, cap, "%s", USERS_HEADER);
    for (i = 1; i <= n; i++)
        len += (size_t)snprintf(users + len, cap - len, "x%u,,,true,s1,student,a,,A,B,,,,,,,,,,\r\n",
                                i == n - 5 ? 7u : i);
    expect_sync_error(users, NULL, "users.csv lines 8 and 132068: the sourcedId x7 appears twice");
    ck_assert_uint_eq(n_recs, n);   /* all streamed, then refused as a whole */
    free(users);
}
END_TEST

/* More runs than ORC_IDSET_MAX_RUNS: they are compacted into one on the way. */
START_TEST(id_check_compacts_runs_and_still_finds_duplicates)
{
    orc_idset *s;
    orc_err e = {0, ""};
    char id[32];
    unsigned long i, n = (ORC_IDSET_MAX_RUNS + 2ul) * ORC_IDSET_CHUNK_IDS;
    ck_assert_int_eq(orc_idset_new(&s, "users.csv", &e), ORC_OK);
    for (i = 0; i < n; i++) {
        snprintf(id, sizeof id, "id-%lu", i);
        ck_assert_int_eq(orc_idset_add(s, id, i + 2, &e), ORC_OK);
    }
    ck_assert_int_eq(orc_idset_finish(s, &e), ORC_OK);
    orc_idset_free(s);

    ck_assert_int_eq(orc_idset_new(&s, "users.csv", &e), ORC_OK);
    for (i = 0; i < n; i++) {
        snprintf(id, sizeof id, "id-%lu", i == n - 1 ? 3ul : i);
        ck_assert_int_eq(orc_idset_add(s, id, i + 2, &e), ORC_OK);
    }
    ck_assert_int_eq(orc_idset_finish(s, &e), ORC_ERR_DATA);
    ck_assert_msg(strstr(e.msg, "users.csv lines 5 and ") && strstr(e.msg, "the sourcedId id-3 "
                  "appears twice"), "%s", e.msg);
    orc_idset_free(s);
}
END_TEST

START_TEST(invalid_utf8_names_the_line)
{
    expect_sync_error(USERS_HEADER "u1,,,true,s1,student,a,,A,B,,,,,,,,,,\r\n"
                      "u2,,,true,s1,student,b,,\xc3\x28,B,,,,,,,,,,\r\n",
                      NULL, "users.csv line 3: column 9 is not valid UTF-8");
}
END_TEST

/* ---- bad rows: each reported with file and line, the rest goes on ----- */

/* The rule (roster.h): a row with a readable sourcedId but a bad value goes
 * to sink->invalid with its id, a row without a readable id without one;
 * both are logged; every good row still streams, and a bulk file is still
 * complete (the host, told of the unnamed rows, makes the run partial). */
START_TEST(every_bad_row_is_reported_with_file_and_line_and_the_good_rows_stream)
{
    static const struct { const char *id, *reason; } want[] = USERS_BAD_ROWS_REPORTS;
    sis_error err = SIS_ERROR_LOCAL;
    sis_fetch_result res;
    char line[512];
    size_t i;

    csvfx_write_export(dir, MANIFEST_BULK, ORGS, USERS_BAD_ROWS);
    ck_assert_int_eq(connect_to(dir, NULL, NULL, NULL, &err), SIS_OK);
    logged[0] = '\0';
    ck_assert_int_eq(sync_now(&res, &err), SIS_OK);
    ck_assert_int_eq(res.complete, 1);
    ck_assert_uint_eq(res.records, 3);
    ck_assert_uint_eq(n_recs, 3);
    ck_assert_ptr_nonnull(rec("g1"));
    ck_assert_ptr_nonnull(rec("g2"));
    ck_assert_str_eq(rec("g3")->role, "aide");
    ck_assert_uint_eq(res.invalid, USERS_BAD_ROWS_N);
    ck_assert_uint_eq(n_invalid, USERS_BAD_ROWS_N);
    for (i = 0; i < USERS_BAD_ROWS_N; i++) {
        snprintf(line, sizeof line, "%s|%s", want[i].id, want[i].reason);
        ck_assert_msg(strstr(invalids, line) != NULL, "'%s' not in:\n%s", line, invalids);
        ck_assert_msg(strstr(logged, want[i].reason) != NULL, "'%s' not logged:\n%s",
                      want[i].reason, logged);
    }
    /* In file order, one report per row, and no row's values in them. */
    ck_assert_ptr_eq(strstr(invalids, "b1|"), invalids);
    ck_assert_ptr_null(strstr(invalids, "Bad"));
    ck_assert_ptr_null(strstr(invalids, "g1"));
}
END_TEST

/* connect reads every row as a sync would: bad rows are counted, named in
 * the log, and do not refuse an export a sync can use. */
START_TEST(connect_checks_every_row_and_counts_the_bad_ones)
{
    sis_error err = SIS_ERROR_LOCAL;
    csvfx_write_export(dir, MANIFEST_BULK, ORGS, USERS_BAD_ROWS);
    ck_assert_int_eq(connect_to(dir, NULL, NULL, NULL, &err), SIS_OK);
    ck_assert_msg(strstr(source_text.value, "(users: bulk file); every row checked: 8 bad rows, "
                         "each logged with its line, that each sync skips until the export is "
                         "fixed (the first: users.csv line 3: unknown role 'wizard'"),
                  "%s", source_text.value);
    ck_assert_uint_eq(visible_users, 3);
    ck_assert_msg(strstr(logged, "users.csv line 3: unknown role 'wizard'") &&
                  strstr(logged, "users.csv line 11: 21 columns"), "%s", logged);

    csvfx_write_export(dir, MANIFEST_BULK, ORGS, USERS);
    ck_assert_int_eq(connect_to(dir, NULL, NULL, NULL, &err), SIS_OK);
    ck_assert_msg(strstr(source_text.value, "every row checked: no bad rows"), "%s",
                  source_text.value);
    ck_assert_uint_eq(visible_users, 3);
}
END_TEST

/* A sourcedId used twice makes the file untrustworthy: refused as a whole,
 * at connect as at sync, even among bad rows. */
START_TEST(a_duplicate_sourced_id_among_bad_rows_still_fails_the_whole_file)
{
    kv_clear(&config);
    csvfx_write_export(dir, MANIFEST_BULK, ORGS, USERS_BAD_ROWS
                       "g2,,,true,s1,student,g2b,,Gee,Again,,,,,,,,,,\r\n");
    expect_connect_error(dir, SIS_ERR_DATA, "users.csv lines 7 and 13: the sourcedId g2 appears "
                         "twice");
    expect_sync_error(USERS_BAD_ROWS "g2,,,true,s1,student,g2b,,Gee,Again,,,,,,,,,,\r\n", NULL,
                      "users.csv lines 7 and 13: the sourcedId g2 appears twice");
}
END_TEST

/* A bad org row: every one is named, then the sync stops before any user
 * (orgs are what users belong to). */
START_TEST(bad_org_rows_are_all_named_and_stop_the_sync_before_any_user)
{
    sis_error err = SIS_ERROR_LOCAL;
    sis_fetch_result res;
    csvfx_write_export(dir, MANIFEST_BULK, ORGS, USERS);
    ck_assert_int_eq(connect_to(dir, NULL, NULL, NULL, &err), SIS_OK);
    csvfx_write_export(dir, NULL, "sourcedId,status,dateLastModified,name,type\r\n"
                       "d1,,,Test District,district\r\ns1,,,North,campus\r\n"
                       "s2,,,,school\r\n", NULL);
    logged[0] = '\0';
    ck_assert_int_eq(sync_now(&res, &err), SIS_ERR_DATA);
    ck_assert_msg(strstr(err.message, "orgs.csv line 3: unknown org type 'campus'") &&
                  strstr(err.message, "and more bad rows in orgs.csv") &&
                  strstr(err.message, "before anything is applied"), "%s", err.message);
    ck_assert_msg(strstr(logged, "orgs.csv line 3: unknown org type 'campus'") &&
                  strstr(logged, "orgs.csv line 4: name is empty"), "%s", logged);
    ck_assert_uint_eq(n_recs, 0);
    ck_assert_uint_eq(n_invalid, 0);   /* an org id is not a user's */
    ck_assert_int_eq(res.complete, 0);
}
END_TEST

/* A host whose sink takes no invalid reports would count the skipped users
 * as absent: the fetch is then not complete. */
START_TEST(without_an_invalid_callback_bad_rows_make_the_fetch_incomplete)
{
    sis_error err = SIS_ERROR_LOCAL;
    sis_fetch_request req = SIS_FETCH_REQUEST_INIT;
    sis_sink plain = {sizeof(sis_sink), NULL, s_org, s_record, NULL};
    sis_fetch_result res;
    csvfx_write_export(dir, MANIFEST_BULK, ORGS, USERS_BAD_ROWS);
    ck_assert_int_eq(connect_to(dir, NULL, NULL, NULL, &err), SIS_OK);
    n_recs = 0;
    incomplete.value[0] = '\0';
    memset(&res, 0, sizeof res);
    res.struct_size = sizeof res;
    res.incomplete_reason = (sis_text_out){&incomplete, keep_text};
    ck_assert_int_eq(conn->fetch_users(inst, &req, &plain, &res, &err), SIS_OK);
    ck_assert_uint_eq(n_recs, 3);
    ck_assert_int_eq(res.complete, 0);
    ck_assert_str_eq(incomplete.value, "users.csv has 8 bad rows, so users it lists may be missing");
}
END_TEST

/* Past 100 bad rows the log says how many more, in one line. */
START_TEST(the_log_lists_the_first_hundred_bad_rows_then_counts_the_rest)
{
    sis_error err = SIS_ERROR_LOCAL;
    sis_fetch_result res;
    size_t cap = 160 * 64 + 512, len;
    char *users = malloc(cap), *p;
    int i, lines = 0;
    len = (size_t)snprintf(users, cap, "%s", USERS_HEADER);
    for (i = 1; i <= 150; i++)
        len += (size_t)snprintf(users + len, cap - len, "x%d,,,true,s1,janitor,a,,A,B,,,,,,,,,,\r\n",
                                i);
    csvfx_write_export(dir, MANIFEST_BULK, ORGS, USERS);
    ck_assert_int_eq(connect_to(dir, NULL, NULL, NULL, &err), SIS_OK);
    csvfx_write_export(dir, NULL, NULL, users);
    logged[0] = '\0';
    ck_assert_int_eq(sync_now(&res, &err), SIS_OK);
    ck_assert_uint_eq(res.invalid, 150);
    ck_assert_uint_eq(n_invalid, 150);
    for (p = logged; (p = strstr(p, "unknown role 'janitor'")) != NULL; p++)
        lines++;
    ck_assert_int_eq(lines, 100);
    ck_assert_ptr_nonnull(strstr(logged, "users.csv line 101: unknown role"));
    ck_assert_ptr_null(strstr(logged, "users.csv line 102: "));
    ck_assert_ptr_nonnull(strstr(logged, "50 more bad rows, not listed: the first 100 are logged "
                                         "above"));
    free(users);
}
END_TEST

START_TEST(unterminated_quote_names_the_line)
{
    expect_sync_error(USERS_HEADER "u1,,,true,s1,student,a,,\"A,B,,,,,,,,,,\r\nu2,,,\r\n", NULL,
                      "users.csv line 2: malformed quoting");
}
END_TEST

START_TEST(manifest_with_an_unknown_mode_names_the_line)
{
    expect_sync_error(USERS, "propertyName,value\r\nfile.orgs,bulk\r\nfile.users,sometimes\r\n",
                      "manifest.csv line 3: file.users must be bulk, delta or absent");
}
END_TEST

/* ---- hostile and broken zips ------------------------------------------ */

START_TEST(truncated_zip_is_refused)
{
    const char *files[] = {"manifest.csv", MANIFEST_BULK, "orgs.csv", ORGS, "users.csv", USERS, NULL};
    char *zip = csvfx_write_zip(dir, "export.zip", "", files);
    struct stat st;
    ck_assert_int_eq(stat(zip, &st), 0);
    ck_assert_int_eq(truncate(zip, st.st_size / 2), 0);
    expect_connect_error(zip, SIS_ERR_DATA, "is not a readable zip archive");
    free(zip);
}
END_TEST

START_TEST(corrupt_zip_data_is_refused)
{
    const char *files[] = {"manifest.csv", MANIFEST_BULK, "orgs.csv", ORGS, "users.csv", USERS, NULL};
    char *zip = csvfx_write_zip(dir, "export.zip", "", files), *data;
    FILE *f = fopen(zip, "r+b");
    long i;
    size_t n;
    sis_error err = SIS_ERROR_LOCAL;
    sis_fetch_result res;
    data = calloc(1, 65536);
    n = fread(data, 1, 65536, f);
    /* Flip bytes inside users.csv's compressed data (after its local header). */
    for (i = 0; i + 9 < (long)n; i++)
        if (memcmp(data + i, "users.csv", 9) == 0)
            break;
    ck_assert_int_lt(i + 40, (long)n);
    fseek(f, i + 12, SEEK_SET);
    fwrite("\xde\xad\xbe\xef\xde\xad\xbe\xef", 1, 8, f);
    fclose(f);
    free(data);
    csvfx_write_export(dir, MANIFEST_BULK, ORGS, USERS);
    ck_assert_int_eq(connect_to(dir, NULL, NULL, NULL, &err), SIS_OK);
    h_cset(NULL, "source", zip);
    ck_assert_int_ne(sync_now(&res, &err), SIS_OK);
    ck_assert_msg(strstr(err.message, "users.csv") != NULL, "%s", err.message);
    ck_assert_int_eq(res.complete, 0);
    free(zip);
}
END_TEST

START_TEST(zip_bomb_is_refused_by_the_ratio_limit)
{
    char *zeros = calloc(1, 20u * 1024 * 1024), *zip;
    const char *files[] = {"manifest.csv", MANIFEST_BULK, "users.csv", zeros, NULL};
    memset(zeros, 'a', 20u * 1024 * 1024 - 1);
    zip = csvfx_write_zip(dir, "bomb.zip", "", files);
    expect_connect_error(zip, SIS_ERR_DATA, "ratio limit");
    free(zeros);
    free(zip);
}
END_TEST

START_TEST(zip_entry_over_the_size_limit_is_refused)
{
    const char *files[] = {"manifest.csv", MANIFEST_BULK, "users.csv", USERS, NULL};
    char *zip = csvfx_write_zip(dir, "export.zip", "", files);
    kv_set(&config, "max_entry_mb", "1");
    kv_set(&config, "max_ratio", "100000");
    free(zip);
    {
        char *big = malloc(3u * 1024 * 1024), *z2;
        const char *f2[] = {"manifest.csv", MANIFEST_BULK, "users.csv", big, NULL};
        memset(big, 'b', 3u * 1024 * 1024 - 1);
        big[3u * 1024 * 1024 - 1] = '\0';
        z2 = csvfx_write_zip(dir, "big.zip", "", f2);
        expect_connect_error(z2, SIS_ERR_DATA, "larger than the entry size limit");
        free(big);
        free(z2);
    }
}
END_TEST

START_TEST(zip_entry_names_with_dotdot_or_absolute_paths_are_refused)
{
    const char *dotdot[] = {"manifest.csv", MANIFEST_BULK, "../users.csv", USERS, NULL};
    const char *absolute[] = {"manifest.csv", MANIFEST_BULK, "/etc/users.csv", USERS, NULL};
    char *z1 = csvfx_write_zip(dir, "dotdot.zip", "", dotdot), *z2 = csvfx_write_zip(dir, "abs.zip", "", absolute);
    expect_connect_error(z1, SIS_ERR_DATA, "refused the entry '../users.csv'");
    expect_connect_error(z2, SIS_ERR_DATA, "refused the entry '/etc/users.csv'");
    free(z1);
    free(z2);
}
END_TEST

/* ---- schema and mapping ------------------------------------------------ */

typedef struct schema_seen {
    char roles[256];
    char fields[4096];
    int orgs;
} schema_seen;

static int sc_role(void *ctx, const sis_schema_role *r)
{
    schema_seen *s = ctx;
    size_t len = strlen(s->roles);
    snprintf(s->roles + len, sizeof s->roles - len, "%s:%llu ", r->role, (unsigned long long)r->count);
    return SIS_OK;
}

static int sc_field(void *ctx, const sis_schema_field *f)
{
    schema_seen *s = ctx;
    size_t len = strlen(s->fields);
    snprintf(s->fields + len, sizeof s->fields - len, "%s/%s/%d/%d/%llu/%llu\n", f->role, f->path,
             (int)f->type, f->is_metadata, (unsigned long long)f->filled,
             (unsigned long long)f->sampled);
    return SIS_OK;
}

static int sc_org(void *ctx, const sis_org *o)
{
    schema_seen *s = ctx;
    (void)o;
    s->orgs++;
    return SIS_OK;
}

START_TEST(schema_lists_roles_metadata_types_fill_rates_and_orgs)
{
    sis_error err = SIS_ERROR_LOCAL;
    schema_seen seen;
    sis_schema_sink ss = {sizeof(sis_schema_sink), &seen, sc_role, sc_field, sc_org};
    memset(&seen, 0, sizeof seen);
    csvfx_write_export(dir, MANIFEST_BULK, ORGS, USERS);
    ck_assert_int_eq(connect_to(dir, NULL, NULL, NULL, &err), SIS_OK);
    ck_assert_int_eq(conn->discover_schema(inst, &ss, &err), SIS_OK);
    ck_assert_str_eq(seen.roles, "student:2 teacher:1 ");
    ck_assert_int_eq(seen.orgs, 3);
    /* metadata.cohort: a number, filled for both students, empty for the teacher */
    ck_assert_ptr_nonnull(strstr(seen.fields, "student/metadata.cohort/1/1/2/2\n"));
    ck_assert_ptr_nonnull(strstr(seen.fields, "teacher/metadata.cohort/0/1/0/1\n"));
    ck_assert_ptr_nonnull(strstr(seen.fields, "student/grades/4/0/2/2\n"));
    ck_assert_ptr_nonnull(strstr(seen.fields, "student/givenName/0/0/2/2\n"));
    ck_assert_ptr_null(strstr(seen.fields, "password"));
}
END_TEST

static char mapped[1024];

static int on_user(void *ctx, const sis_host_user *u)
{
    size_t i, len;
    (void)ctx;
    ck_assert_uint_eq(u->struct_size, sizeof(sis_host_user));
    snprintf(mapped, sizeof mapped, "%s %s %s active=%d loc=%zu unmapped=%s:", u->sourced_id,
             u->given_name, u->email, u->active, u->n_locations,
             u->n_unmapped_org_ids ? u->unmapped_org_ids[0] : "");
    for (i = 0; i < u->n_fields; i++) {
        len = strlen(mapped);
        snprintf(mapped + len, sizeof mapped - len, " %s=%s", u->fields[i].path, u->fields[i].value);
        if (u->fields[i].n_items > 0) {
            len = strlen(mapped);
            snprintf(mapped + len, sizeof mapped - len, "[%zu]", u->fields[i].n_items);
        }
    }
    return SIS_OK;
}

START_TEST(mapping_shows_the_chosen_fields_and_hides_metadata_when_off)
{
    const char *grades[] = {"09", "10"};
    sis_field f[] = {{"givenName", "Ann", NULL, 0}, {"email", "a@x.org", NULL, 0},
                     {"metadata.cohort", "2027", NULL, 0}, {"grades", "09, 10", grades, 2}};
    const char *org[] = {"s1", "s2"};
    const char *role = "student";
    const char *paths[] = {"givenName", "metadata.cohort", "grades"};
    sis_role_fields rf = {"student", paths, 3};
    sis_pair loc = {"s2", "South"};
    sis_record r = SIS_RECORD_INIT;
    sis_mapping m = SIS_MAPPING_INIT;
    r.sourced_id = "u1";
    r.role = "student";
    r.roles = &role;
    r.n_roles = 1;
    r.org_ids = org;
    r.n_org_ids = 2;
    r.fields = f;
    r.n_fields = 4;
    m.show_metadata = 1;
    m.role_fields = &rf;
    m.n_role_fields = 1;
    m.location_map = &loc;
    m.n_location_map = 1;
    sis_error err = SIS_ERROR_LOCAL;
    ck_assert_int_eq(conn->apply_mappings(inst, &r, &m, on_user, NULL, &err), SIS_OK);
    ck_assert_str_eq(mapped, "u1 Ann a@x.org active=1 loc=1 unmapped=s1: givenName=Ann "
                     "metadata.cohort=2027 grades=09, 10[2]");
    m.show_metadata = 0;
    ck_assert_int_eq(conn->apply_mappings(inst, &r, &m, on_user, NULL, &err), SIS_OK);
    ck_assert_str_eq(mapped, "u1 Ann a@x.org active=1 loc=1 unmapped=s1: givenName=Ann "
                     "grades=09, 10[2]");
    /* A record from an older sender (smaller struct) is refused, not misread. */
    r.struct_size = 8;
    ck_assert_int_eq(conn->apply_mappings(inst, &r, &m, on_user, NULL, &err), SIS_ERR_ABI);
    ck_assert_ptr_nonnull(strstr(err.message, "sis_record"));
}
END_TEST

START_TEST(entry_refuses_another_abi_major)
{
    const sis_plugin_header *c = NULL;
    sis_error err = SIS_ERROR_LOCAL;
    ck_assert_int_eq(oneroster_csv_entry(SIS_ABI_MAKE(9, 0), &host, &c, &err), SIS_ERR_ABI);
    ck_assert_ptr_null(c);
    ck_assert_ptr_nonnull(strstr(err.message, "SIS ABI 2.x"));
}
END_TEST

/* ---- https: a local TLS server with a throwaway CA -------------------- */

static char *served_zip;
static size_t served_len;
/* When set, serve() looks among this process's open files for an unlinked
 * download file in this folder (the plugin runs in the test's process, and
 * its temporary file is open while the body is being sent). */
static const char *watched_tmpdir;
static int saw_download_in_tmpdir;

static void look_for_download_file(void)
{
    char link[64], target[4096], want[4096];
    int fd;
    snprintf(want, sizeof want, "%s/oneroster-download-", watched_tmpdir);
    for (fd = 0; fd < 1024; fd++) {
        ssize_t n;
        snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
        n = readlink(link, target, sizeof target - 1);
        if (n <= 0)
            continue;
        target[n] = '\0';
        if (strncmp(target, want, strlen(want)) == 0 && strstr(target, "(deleted)") != NULL)
            saw_download_in_tmpdir = 1;
    }
}

static enum MHD_Result serve(void *cls, struct MHD_Connection *c, const char *url,
                             const char *method, const char *version, const char *upload,
                             size_t *upload_len, void **state)
{
    struct MHD_Response *r;
    enum MHD_Result rc;
    int found = strcmp(url, "/export.zip") == 0;
    (void)cls; (void)method; (void)version; (void)upload; (void)upload_len; (void)state;
    if (watched_tmpdir != NULL)
        look_for_download_file();
    r = found ? MHD_create_response_from_buffer(served_len, served_zip, MHD_RESPMEM_PERSISTENT)
              : MHD_create_response_from_buffer(9, "not found", MHD_RESPMEM_PERSISTENT);
    rc = MHD_queue_response(c, found ? 200 : 404, r);
    MHD_destroy_response(r);
    return rc;
}

static char *slurp_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf;
    long n;
    ck_assert_ptr_nonnull(f);
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    rewind(f);
    buf = malloc((size_t)n + 1);
    ck_assert_int_eq(fread(buf, 1, (size_t)n, f), n);
    fclose(f);
    *len = (size_t)n;
    return buf;
}

START_TEST(https_url_downloads_the_zip_with_verified_tls)
{
    const char *files[] = {"manifest.csv", MANIFEST_BULK, "orgs.csv", ORGS, "users.csv", USERS, NULL};
    char *zip = csvfx_write_zip(dir, "export.zip", "", files), *cert = NULL, *key = NULL, url[256], ca[1024];
    struct MHD_Daemon *d;
    sis_error err = SIS_ERROR_LOCAL;
    sis_fetch_result res;
    unsigned port;

    served_zip = slurp_file(zip, &served_len);
    ck_assert_int_eq(sim_tls_make(dir, "localhost", &cert, &key), 0);
    d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_TLS, 0, NULL, NULL, serve, NULL,
                         MHD_OPTION_HTTPS_MEM_KEY, key, MHD_OPTION_HTTPS_MEM_CERT, cert,
                         MHD_OPTION_END);
    ck_assert_ptr_nonnull(d);
    port = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT)->port;

    /* Without the CA the certificate cannot be verified: refused. */
    snprintf(url, sizeof url, "https://localhost:%u/export.zip", port);
    ck_assert_int_eq(connect_to(url, NULL, NULL, NULL, &err), SIS_ERR_TLS);
    ck_assert_msg(strstr(err.message, "could not be verified") != NULL, "%s", err.message);

    snprintf(ca, sizeof ca, "%s/ca.pem", dir);
    kv_set(&settings, "ca_file", ca);
    ck_assert_int_eq(connect_to(url, NULL, NULL, NULL, &err), SIS_OK);
    ck_assert_int_eq(sync_now(&res, &err), SIS_OK);
    ck_assert_uint_eq(res.records, 3);
    ck_assert_uint_eq(res.bytes, served_len);

    snprintf(url, sizeof url, "https://localhost:%u/missing.zip", port);
    ck_assert_int_eq(connect_to(url, NULL, NULL, NULL, &err), SIS_ERR_NOT_FOUND);

    kv_set(&config, "max_download_mb", "1");
    free(served_zip);
    served_len = 2u * 1024 * 1024;
    served_zip = calloc(1, served_len);
    snprintf(url, sizeof url, "https://localhost:%u/export.zip", port);
    ck_assert_int_eq(connect_to(url, NULL, NULL, NULL, &err), SIS_ERR_DATA);
    ck_assert_msg(strstr(err.message, "download limit") != NULL, "%s", err.message);

    MHD_stop_daemon(d);
    free(served_zip);
    free(cert);
    free(key);
    free(zip);
}
END_TEST

/* ---- plain http: only to this machine ---------------------------------- */

/* Plain http carries the roster (and any credentials) unencrypted, so it is
 * for a test server on this machine only.  The host is the one libcurl
 * would connect to: "127.0.0.1@" is user info, "127.example.org" and
 * "localhost.example.org" are names on the internet; none is loopback. */
START_TEST(plain_http_goes_only_to_this_machine_and_urls_carry_no_user_info)
{
    const char *files[] = {"manifest.csv", MANIFEST_BULK, "orgs.csv", ORGS, "users.csv", USERS, NULL};
    static const char *const refused_http[] = {
        "http://127.0.0.1@example.org/x.zip", "http://localhost@example.org/x.zip",
        "http://127.example.org/x.zip", "http://localhost.example.org/x.zip"};
    char *zip = csvfx_write_zip(dir, "export.zip", "", files), url[256];
    struct MHD_Daemon *d;
    sis_error err = SIS_ERROR_LOCAL;
    sis_fetch_result res;
    size_t i;

    for (i = 0; i < sizeof refused_http / sizeof refused_http[0]; i++) {
        ck_assert_int_eq(connect_to(refused_http[i], NULL, NULL, NULL, &err), SIS_ERR_CONFIG);
        ck_assert_msg(strstr(err.message, "use an https:// URL") != NULL, "%s: %s",
                      refused_http[i], err.message);
    }
    ck_assert_int_eq(connect_to("https://someone@example.org/x.zip", NULL, NULL, NULL, &err),
                     SIS_ERR_CONFIG);
    ck_assert_msg(strstr(err.message, "user name") != NULL, "%s", err.message);
    ck_assert_ptr_null(strstr(err.message, "someone"));

    /* A test server on 127.0.0.1 over plain http still serves the zip. */
    served_zip = slurp_file(zip, &served_len);
    d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD, 0, NULL, NULL, serve, NULL, MHD_OPTION_END);
    ck_assert_ptr_nonnull(d);
    snprintf(url, sizeof url, "http://127.0.0.1:%u/export.zip",
             MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT)->port);
    ck_assert_int_eq(connect_to(url, NULL, NULL, NULL, &err), SIS_OK);
    ck_assert_int_eq(sync_now(&res, &err), SIS_OK);
    ck_assert_uint_eq(res.records, 3);
    MHD_stop_daemon(d);
    free(served_zip);
    free(zip);
}
END_TEST

/* ---- pre-signed URLs: the query is a credential ------------------------- */

#define AKIA "AKIAEXAMPLE"
#define SIG "deadbeefsecret"

/* 1 when some value of `s` contains `text`. */
static int kv_holds(const kv_store *s, const char *text)
{
    int i;
    for (i = 0; i < KV_MAX; i++)
        if (s->val[i] != NULL && strstr(s->val[i], text) != NULL)
            return 1;
    return 0;
}

static void assert_no_signature(const char *text, const char *shown_url)
{
    ck_assert_msg(strstr(text, shown_url) != NULL, "no %s in: %s", shown_url, text);
    ck_assert_msg(strstr(text, SIG) == NULL && strstr(text, AKIA) == NULL &&
                  strstr(text, "wrongsig") == NULL, "the query shows: %s", text);
}

/* An S3 or Azure pre-signed URL carries a bearer credential in its query:
 * it is sealed through the host's secrets, shown nowhere (messages, the
 * app's Source, config, the log) and joined back only to download. */
START_TEST(a_presigned_url_query_is_sealed_never_shown_and_rejoined_to_download)
{
    const char *files[] = {"manifest.csv", MANIFEST_BULK, "orgs.csv", ORGS, "users.csv", USERS, NULL};
    char *zip = csvfx_write_zip(dir, "export.zip", "", files), url[512], base[256], shown[300],
         stored[512];
    sis_error err = SIS_ERROR_LOCAL;
    sis_fetch_result res;
    csvfx_signed srv;

    csvfx_signed_start(&srv, zip, AKIA, SIG);
    snprintf(base, sizeof base, "http://127.0.0.1:%u/export.zip", srv.port);
    snprintf(shown, sizeof shown, "%s?\u2026", base);
    snprintf(url, sizeof url, "%s?X-Amz-Credential=" AKIA "&X-Amz-Signature=" SIG "#part", base);
    ck_assert_msg(connect_to(url, NULL, NULL, NULL, &err) == SIS_OK, "%s", err.message);
    assert_no_signature(source_text.value, shown);
    ck_assert_int_eq(h_cget(NULL, "source", stored, sizeof stored), SIS_OK);
    ck_assert_str_eq(stored, base);
    ck_assert_int_eq(kv_holds(&config, SIG) || kv_holds(&config, AKIA), 0);
    ck_assert_int_eq(kv_holds(&secrets, "X-Amz-Signature=" SIG), 1);
    ck_assert_msg(sync_now(&res, &err) == SIS_OK, "%s", err.message);
    ck_assert_uint_eq(res.records, 3);

    /* Refused: the message names the file, never the signature; the stored
     * connection stays. */
    snprintf(url, sizeof url, "%s?X-Amz-Credential=" AKIA "&X-Amz-Signature=wrongsig", base);
    ck_assert_int_eq(connect_to(url, NULL, NULL, NULL, &err), SIS_ERR_AUTH);
    assert_no_signature(err.message, shown);
    ck_assert_int_eq(kv_holds(&secrets, "X-Amz-Signature=" SIG), 1);
    /* A failure inside libcurl (its own error text follows the file). */
    ck_assert_int_eq(connect_to("https://127.0.0.1:1/export.zip?X-Amz-Credential=" AKIA
                                "&X-Amz-Signature=" SIG, NULL, NULL, NULL, &err), SIS_ERR_NETWORK);
    assert_no_signature(err.message, "https://127.0.0.1:1/export.zip?\u2026");

    /* A connection stored before the query was sealed (the whole URL in
     * config) still syncs, and is then stored the sealed way. */
    kv_set(&secrets, "source_query", NULL);
    snprintf(url, sizeof url, "%s?X-Amz-Credential=" AKIA "&X-Amz-Signature=" SIG, base);
    kv_set(&config, "source", url);
    ck_assert_msg(sync_now(&res, &err) == SIS_OK, "%s", err.message);
    ck_assert_uint_eq(res.records, 3);
    ck_assert_int_eq(h_cget(NULL, "source", stored, sizeof stored), SIS_OK);
    ck_assert_str_eq(stored, base);
    ck_assert_int_eq(kv_holds(&secrets, "X-Amz-Signature=" SIG), 1);
    ck_assert_msg(sync_now(&res, &err) == SIS_OK, "%s", err.message);
    /* ... and an old one that fails says so without the signature. */
    snprintf(url, sizeof url, "%s?X-Amz-Credential=" AKIA "&X-Amz-Signature=wrongsig", base);
    kv_set(&secrets, "source_query", NULL);
    kv_set(&config, "source", url);
    ck_assert_int_eq(sync_now(&res, &err), SIS_ERR_AUTH);
    assert_no_signature(err.message, shown);
    assert_no_signature(incomplete.value, shown);
    ck_assert_msg(strstr(logged, SIG) == NULL && strstr(logged, "wrongsig") == NULL, "%s", logged);

    csvfx_signed_stop(&srv);
    free(zip);
}
END_TEST

/* ---- temporary files: where TMPDIR says ---------------------------------- */

/* A download can be max_download_mb large: it must go where the operator
 * points TMPDIR (a bigger disk), as the sourcedId check's runs do, never
 * silently to /tmp; a folder that cannot take it is named. */
START_TEST(downloads_go_to_the_tmpdir_folder_and_an_unusable_one_is_named)
{
    const char *files[] = {"manifest.csv", MANIFEST_BULK, "orgs.csv", ORGS, "users.csv", USERS, NULL};
    char *zip = csvfx_write_zip(dir, "export.zip", "", files), url[256], tmp[1024], missing[1024];
    struct MHD_Daemon *d;
    sis_error err = SIS_ERROR_LOCAL;
    sis_fetch_result res;
    struct dirent *e;
    DIR *dd;

    served_zip = slurp_file(zip, &served_len);
    d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD, 0, NULL, NULL, serve, NULL, MHD_OPTION_END);
    ck_assert_ptr_nonnull(d);
    snprintf(url, sizeof url, "http://127.0.0.1:%u/export.zip",
             MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT)->port);

    snprintf(missing, sizeof missing, "%s/no-such-tmp", dir);
    ck_assert_int_eq(setenv("TMPDIR", missing, 1), 0);
    ck_assert_int_eq(connect_to(url, NULL, NULL, NULL, &err), SIS_ERR_GENERIC);
    ck_assert_msg(strstr(err.message, missing) != NULL &&
                  strstr(err.message, "temporary file") != NULL, "%s", err.message);

    snprintf(tmp, sizeof tmp, "%s/tmp", dir);
    ck_assert_int_eq(mkdir(tmp, 0700), 0);
    ck_assert_int_eq(setenv("TMPDIR", tmp, 1), 0);
    watched_tmpdir = tmp;
    ck_assert_msg(connect_to(url, NULL, NULL, NULL, &err) == SIS_OK, "%s", err.message);
    ck_assert_int_eq(saw_download_in_tmpdir, 1);
    saw_download_in_tmpdir = 0;
    ck_assert_int_eq(sync_now(&res, &err), SIS_OK);
    ck_assert_uint_eq(res.records, 3);
    ck_assert_int_eq(saw_download_in_tmpdir, 1);
    /* Unlinked at once: nothing is left in the folder. */
    dd = opendir(tmp);
    ck_assert_ptr_nonnull(dd);
    while ((e = readdir(dd)) != NULL)
        ck_assert_msg(e->d_name[0] == '.', "left behind: %s", e->d_name);
    closedir(dd);

    watched_tmpdir = NULL;
    unsetenv("TMPDIR");
    MHD_stop_daemon(d);
    free(served_zip);
    free(zip);
}
END_TEST

/* ---- sftp: a real OpenSSH server on loopback --------------------------- */

START_TEST(sftp_with_a_key_reads_a_zip_and_a_folder_and_refuses_bad_host_keys_and_passwords)
{
    const char *files[] = {"manifest.csv", MANIFEST_BULK, "orgs.csv", ORGS, "users.csv", USERS, NULL};
    char *zip = csvfx_write_zip(dir, "export.zip", "", files), url[1024], key[1024], kh[1024], path[1024];
    sis_error err = SIS_ERROR_LOCAL;
    sis_fetch_result res;
    char stored[64];
    csvfx_sshd sshd;

    mkdir((snprintf(path, sizeof path, "%s/folder", dir), path), 0700);
    csvfx_write_export(path, MANIFEST_BULK, ORGS, USERS);
    csvfx_sshd_start(&sshd, dir);
    snprintf(key, sizeof key, "%s/user_key", dir);
    snprintf(kh, sizeof kh, "%s/known_hosts", dir);

    snprintf(url, sizeof url, "sftp://127.0.0.1:%u%s", sshd.port, zip);
    ck_assert_msg(connect_to(url, NULL, key, kh, &err) == SIS_OK, "%s", err.message);
    ck_assert_int_eq(sync_now(&res, &err), SIS_OK);
    ck_assert_uint_eq(res.records, 3);
    ck_assert_int_eq(res.complete, 1);

    snprintf(url, sizeof url, "sftp://127.0.0.1:%u%s/folder/", sshd.port, dir);
    ck_assert_msg(connect_to(url, NULL, key, kh, &err) == SIS_OK, "%s", err.message);
    ck_assert_int_eq(sync_now(&res, &err), SIS_OK);
    ck_assert_uint_eq(res.records, 3);
    ck_assert_uint_eq(res.orgs, 3);

    /* Nothing below may replace the stored connection. */
    kv_clear(&config);
    snprintf(url, sizeof url, "sftp://127.0.0.1:%u%s", sshd.port, zip);
    ck_assert_int_eq(connect_to(url, "not-the-password", NULL, kh, &err), SIS_ERR_AUTH);
    ck_assert_msg(strstr(err.message, "refused the password for user root") != NULL, "%s", err.message);
    ck_assert_ptr_null(strstr(err.message, "not-the-password"));

    snprintf(kh, sizeof kh, "%s/changed_known_hosts", dir);
    ck_assert_int_eq(connect_to(url, NULL, key, kh, &err), SIS_ERR_TLS);
    ck_assert_msg(strstr(err.message, "host key has CHANGED") != NULL, "%s", err.message);

    snprintf(kh, sizeof kh, "%s/empty_known_hosts", dir);
    ck_assert_int_eq(connect_to(url, NULL, key, kh, &err), SIS_ERR_TLS);
    ck_assert_msg(strstr(err.message, "not in the known-hosts file") != NULL, "%s", err.message);
    ck_assert_int_eq(h_cget(NULL, "source", stored, sizeof stored), SIS_ERR_NOT_FOUND);

    csvfx_sshd_stop(&sshd);
    free(zip);
}
END_TEST

Suite *suite_csv(void)
{
    Suite *s = suite_create("csv");
    TCase *tc = tcase_create("csv");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, folder_export_streams_orgs_then_users_and_never_the_password);
    tcase_add_test(tc, bom_crlf_and_quoted_newlines_are_read_as_rfc_4180_says);
    tcase_add_test(tc, zip_export_reads_like_a_folder_also_inside_one_folder);
    tcase_add_test(tc, delta_file_is_never_complete_and_its_tobedeleted_rows_deactivate);
    tcase_add_test(tc, no_users_file_is_refused_at_connect);
    tcase_add_test(tc, no_manifest_is_refused_at_connect);
    tcase_add_test(tc, missing_required_column_is_refused_at_connect);
    tcase_add_test(tc, duplicate_sourced_ids_name_the_line);
    tcase_add_test(tc, duplicate_sourced_ids_far_apart_are_found_across_spilled_runs);
    tcase_add_test(tc, id_check_compacts_runs_and_still_finds_duplicates);
    tcase_add_test(tc, invalid_utf8_names_the_line);
    tcase_add_test(tc, every_bad_row_is_reported_with_file_and_line_and_the_good_rows_stream);
    tcase_add_test(tc, connect_checks_every_row_and_counts_the_bad_ones);
    tcase_add_test(tc, a_duplicate_sourced_id_among_bad_rows_still_fails_the_whole_file);
    tcase_add_test(tc, bad_org_rows_are_all_named_and_stop_the_sync_before_any_user);
    tcase_add_test(tc, without_an_invalid_callback_bad_rows_make_the_fetch_incomplete);
    tcase_add_test(tc, the_log_lists_the_first_hundred_bad_rows_then_counts_the_rest);
    tcase_add_test(tc, unterminated_quote_names_the_line);
    tcase_add_test(tc, manifest_with_an_unknown_mode_names_the_line);
    tcase_add_test(tc, truncated_zip_is_refused);
    tcase_add_test(tc, corrupt_zip_data_is_refused);
    tcase_add_test(tc, zip_bomb_is_refused_by_the_ratio_limit);
    tcase_add_test(tc, zip_entry_over_the_size_limit_is_refused);
    tcase_add_test(tc, zip_entry_names_with_dotdot_or_absolute_paths_are_refused);
    tcase_add_test(tc, schema_lists_roles_metadata_types_fill_rates_and_orgs);
    tcase_add_test(tc, mapping_shows_the_chosen_fields_and_hides_metadata_when_off);
    tcase_add_test(tc, entry_refuses_another_abi_major);
    tcase_add_test(tc, https_url_downloads_the_zip_with_verified_tls);
    tcase_add_test(tc, plain_http_goes_only_to_this_machine_and_urls_carry_no_user_info);
    tcase_add_test(tc, a_presigned_url_query_is_sealed_never_shown_and_rejoined_to_download);
    tcase_add_test(tc, downloads_go_to_the_tmpdir_folder_and_an_unusable_one_is_named);
    tcase_add_test(tc, sftp_with_a_key_reads_a_zip_and_a_folder_and_refuses_bad_host_keys_and_passwords);
    suite_add_tcase(s, tc);
    suite_add_tcase(s, csv_host_tcase());
    return s;
}
