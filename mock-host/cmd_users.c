/* cmd_users.c - the Users page and the sync history. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "cli.h"
#include "jsonw.h"
#include "unmapped_report.h"

static const char *col(sqlite3_stmt *st, int i)
{
    const unsigned char *t = sqlite3_column_text(st, i);
    return t ? (const char *)t : "";
}

static void print_user_json(sqlite3_stmt *st, int first)
{
    mh_str o = {0};
    mh_str_adds(&o, first ? "[\n  {\"app\":" : ",\n  {\"app\":");
    mh_str_json(&o, col(st, 0));
    mh_str_adds(&o, ",\"sourcedId\":");
    mh_str_json(&o, col(st, 1));
    mh_str_adds(&o, ",\"role\":");
    mh_str_json(&o, col(st, 2));
    mh_str_adds(&o, sqlite3_column_int(st, 3) ? ",\"status\":\"active\"" : ",\"status\":\"inactive\"");
    mh_str_adds(&o, ",\"givenName\":");
    mh_str_json(&o, col(st, 4));
    mh_str_adds(&o, ",\"familyName\":");
    mh_str_json(&o, col(st, 5));
    mh_str_adds(&o, ",\"email\":");
    mh_str_json(&o, col(st, 6));
    mh_str_adds(&o, ",\"username\":");
    mh_str_json(&o, col(st, 7));
    mh_str_adds(&o, ",\"portalRole\":");
    if (sqlite3_column_type(st, 8) == SQLITE_NULL)
        mh_str_adds(&o, "null");
    else
        mh_str_json(&o, col(st, 8));
    mh_str_adds(&o, ",\"locations\":");
    mh_str_adds(&o, col(st, 9));
    mh_str_adds(&o, ",\"fields\":");
    mh_str_adds(&o, col(st, 10));
    mh_str_adds(&o, ",\"flags\":");
    mh_str_adds(&o, col(st, 11)[0] ? col(st, 11) : "{}");
    mh_str_adds(&o, "}");
    fputs(o.data, stdout);
    mh_str_free(&o);
}

/* "a=1; b=2" from the stored fields object, for the terminal. */
static void print_fields_plain(const char *json)
{
    json_object *o = json_tokener_parse(json);
    int first = 1;
    if (o == NULL || !json_object_is_type(o, json_type_object)) {
        json_object_put(o);
        return;
    }
    json_object_object_foreach(o, k, v) {
        printf("%s%s=%s", first ? "" : "; ", k, json_object_get_string(v));
        first = 0;
    }
    json_object_put(o);
}

/* Prints s left-aligned in `width` columns, counting characters, not the
 * bytes of their UTF-8 encoding. */
static void print_padded(const char *s, int width)
{
    int chars = 0;
    const char *p;
    for (p = s; *p; p++)
        chars += ((unsigned char)*p & 0xC0) != 0x80;
    fputs(s, stdout);
    for (; chars < width; chars++)
        fputc(' ', stdout);
}

static void print_header(int itxm)
{
    printf("%-10s %-14s %-13s %-8s %-28s ", "APP", "SOURCEDID", "ROLE", "STATUS", "NAME");
    if (itxm)
        printf("%-12s %-20s ", "PORTAL ROLE", "LOCATIONS");
    printf("FIELDS\n");
}

static void print_user_row(sqlite3_stmt *st, int itxm)
{
    char name[160];
    snprintf(name, sizeof name, "%s %s", col(st, 4), col(st, 5));
    printf("%-10s %-14s %-13s %-8s ", col(st, 0), col(st, 1), col(st, 2),
           sqlite3_column_int(st, 3) ? "active" : "inactive");
    print_padded(name, 28);
    fputc(' ', stdout);
    if (itxm && !sqlite3_column_int(st, 12)) {
        printf("%-12s %-20s ", "-", "-");  /* a standard account: no mapping applies */
    } else if (itxm) {
        const char *locs = col(st, 9);
        printf("%-12s ", sqlite3_column_type(st, 8) == SQLITE_NULL ? "(unmapped)" : col(st, 8));
        print_padded(strcmp(locs, "[]") == 0 ? "(none)" : locs, 20);
        fputc(' ', stdout);
    }
    print_fields_plain(col(st, 10));
    printf("\n");
}

/* The roles stored for `app` (NULL: every app), "student (250), teacher (40)",
 * into out; returns how many users there are in all. */
static long long roles_present(mh_store *s, const char *app, mh_str *out)
{
    sqlite3_stmt *st;
    long long total = 0;
    char num[32];
    if (sqlite3_prepare_v2(s->db, "SELECT u.role, count(*) FROM users u JOIN apps a ON a.id = "
                           "u.app_id WHERE (?1 IS NULL OR a.name = ?1) GROUP BY u.role ORDER BY "
                           "u.role", -1, &st, NULL) != SQLITE_OK)
        return 0;
    if (app != NULL)
        sqlite3_bind_text(st, 1, app, -1, SQLITE_STATIC);
    while (sqlite3_step(st) == SQLITE_ROW) {
        if (total > 0)
            mh_str_adds(out, ", ");
        mh_str_adds(out, col(st, 0));
        snprintf(num, sizeof num, " (%lld)", (long long)sqlite3_column_int64(st, 1));
        mh_str_adds(out, num);
        total += sqlite3_column_int64(st, 1);
    }
    sqlite3_finalize(st);
    return total;
}

/* The installed apps' names, "a, b", into out; returns how many. */
static int app_names(mh_store *s, mh_str *out)
{
    sqlite3_stmt *st;
    int n = 0;
    if (sqlite3_prepare_v2(s->db, "SELECT name FROM apps ORDER BY id", -1, &st, NULL) != SQLITE_OK)
        return 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        if (n++ > 0)
            mh_str_adds(out, ", ");
        mh_str_adds(out, col(st, 0));
    }
    sqlite3_finalize(st);
    return n;
}

static int any_itxm_app(void *vctx, const mh_app *a)
{
    *(int *)vctx |= a->itxm;
    return 0;
}

/* Whether any installed app is an ITxM account (the mapping columns show). */
static int any_itxm(mh_store *s)
{
    int itxm = 0;
    mh_store_app_each(s, any_itxm_app, &itxm);
    return itxm;
}

/* Nothing matched the filters: say why when users are stored (an unknown or
 * wrongly cased role), or that there are none yet.  Returns the exit code. */
static int explain_empty(mh_ctx *ctx, const char *app, const char *role, int json)
{
    mh_str roles = {0};
    long long total = roles_present(ctx->store, app, &roles);
    int rc = 0;
    if (total > 0 && role != NULL) {
        rc = mh_fail("no user%s%s has the role \"%s\" (roles are matched exactly, case "
                     "included); roles present: %s", app ? " of " : "", app ? app : "", role,
                     roles.data);
    } else if (json) {
        printf("[]\n");
    } else {
        printf("(no users yet: connect an app and run 'mock-host sync APP')\n");
    }
    mh_str_free(&roles);
    return rc;
}

int mh_cmd_users(mh_ctx *ctx, int argc, char **argv)
{
    const char *app = NULL, *role = NULL;
    int json = 0, i, rows = 0, itxm = 0;
    sqlite3_stmt *st;

    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--json") == 0)
            json = 1;
        else if (strcmp(argv[i], "--app") == 0 && i + 1 < argc)
            app = argv[++i];
        else if (strcmp(argv[i], "--role") == 0 && i + 1 < argc)
            role = argv[++i];
        else
            return mh_usage_error("users", "unexpected argument '%s'", argv[i]);
    }
    if (mh_ctx_store(ctx) != 0)
        return 1;
    if (app != NULL) {
        mh_app a;
        if (mh_store_app_find(ctx->store, app, &a) != 0) {
            mh_str names = {0};
            int n = app_names(ctx->store, &names);
            if (n > 0)
                mh_fail("no installed app \"%s\"; installed: %s", app, names.data);
            else
                mh_fail("no installed app \"%s\"; nothing is installed yet: mock-host install "
                        "PLUGIN", app);
            mh_str_free(&names);
            return 1;
        }
        itxm = a.itxm;
    } else {
        itxm = any_itxm(ctx->store);
    }
    if (sqlite3_prepare_v2(ctx->store->db,
                           "SELECT a.name, u.sourced_id, u.role, u.active, u.given_name, u.family_name, "
                           "u.email, u.username, u.portal_role, u.locations, u.fields, u.flags, a.itxm "
                           "FROM users u JOIN apps a ON a.id = u.app_id WHERE (?1 IS NULL OR a.name = ?1) "
                           "AND (?2 IS NULL OR u.role = ?2) ORDER BY a.name, u.sourced_id",
                           -1, &st, NULL) != SQLITE_OK)
        return mh_fail("cannot read the Users page: %s", sqlite3_errmsg(ctx->store->db));
    if (app != NULL)
        sqlite3_bind_text(st, 1, app, -1, SQLITE_STATIC);
    if (role != NULL)
        sqlite3_bind_text(st, 2, role, -1, SQLITE_STATIC);
    while (sqlite3_step(st) == SQLITE_ROW) {
        if (rows == 0 && !json)
            print_header(itxm);
        if (json)
            print_user_json(st, rows == 0);
        else
            print_user_row(st, itxm);
        rows++;
    }
    sqlite3_finalize(st);
    if (rows == 0)
        return explain_empty(ctx, app, role, json);
    if (json)
        printf("\n]\n");
    return 0;
}

static long long count_of(json_object *counts, const char *k)
{
    json_object *v;
    return json_object_object_get_ex(counts, k, &v) ? json_object_get_int64(v) : 0;
}

int mh_cmd_runs(mh_ctx *ctx, int argc, char **argv)
{
    sis_host_app happ;
    sqlite3_stmt *st;
    int json = 0, i, rows = 0;
    const char *app = NULL;

    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--json") == 0)
            json = 1;
        else if (argv[i][0] == '-' || app != NULL)
            return mh_usage_error("runs", "unexpected argument '%s'", argv[i]);
        else
            app = argv[i];
    }
    if (app == NULL)
        return mh_usage_error("runs", "name the app");
    if (mh_ctx_app(ctx, app, &happ) != 0)
        return 1;
    if (sqlite3_prepare_v2(ctx->store->db, "SELECT id, mode, started_at, coalesce(ended_at, ''), "
                           "outcome, counts, reason, (julianday(coalesce(ended_at, started_at)) - "
                           "julianday(started_at)) * 86400.0 FROM runs WHERE app_id = ?1 ORDER BY id",
                           -1, &st, NULL) != SQLITE_OK)
        return mh_fail("cannot read the run history");
    sqlite3_bind_int64(st, 1, happ.app.id);
    if (!json)
        printf("%-4s %-6s %-24s %8s %-12s %8s %8s %8s %9s %6s %6s %6s %7s %5s %5s%s\n", "RUN",
               "MODE", "STARTED", "SECONDS", "OUTCOME", "FETCHED", "CREATED", "UPDATED", "UNCHANGED",
               "DEACT", "REACT", "HELD", "INVALID", "REQS", "RETRY",
               happ.app.itxm ? " NOROLE NOLOC" : "");
    while (sqlite3_step(st) == SQLITE_ROW) {
        if (json) {
            mh_str o = {0};
            char head[128];
            snprintf(head, sizeof head, "%s\n  {\"id\":%lld,\"mode\":", rows ? "," : "[",
                     (long long)sqlite3_column_int64(st, 0));
            mh_str_adds(&o, head);
            mh_str_json(&o, col(st, 1));
            mh_str_adds(&o, ",\"started\":");
            mh_str_json(&o, col(st, 2));
            mh_str_adds(&o, ",\"ended\":");
            mh_str_json(&o, col(st, 3));
            snprintf(head, sizeof head, ",\"seconds\":%.3f,\"outcome\":", sqlite3_column_double(st, 7));
            mh_str_adds(&o, head);
            mh_str_json(&o, col(st, 4));
            mh_str_adds(&o, ",\"counts\":");
            mh_str_adds(&o, col(st, 5));
            mh_str_adds(&o, ",\"reason\":");
            mh_str_json(&o, col(st, 6));
            mh_str_adds(&o, "}");
            fputs(o.data, stdout);
            mh_str_free(&o);
        } else {
            json_object *c = json_tokener_parse(col(st, 5));
            printf("%-4lld %-6s %-24s %8.1f %-12s %8lld %8lld %8lld %9lld %6lld %6lld %6lld %7lld %5lld %5lld",
                   (long long)sqlite3_column_int64(st, 0), col(st, 1), col(st, 2),
                   sqlite3_column_double(st, 7), col(st, 4), count_of(c, "fetched"),
                   count_of(c, "created"), count_of(c, "updated"), count_of(c, "unchanged"),
                   count_of(c, "deactivated"), count_of(c, "reactivated"), count_of(c, "held"),
                   count_of(c, "invalid"), count_of(c, "requests"), count_of(c, "retries"));
            if (happ.app.itxm) {
                /* NOROLE: active users without a portal role; NOLOC: memberships
                 * of orgs without a location.  The detail lines name them. */
                mh_unmapped_totals t = mh_unmapped_totals_of(c);
                printf(" %6lld %5lld", t.role_users, t.org_users);
            }
            printf("\n");
            if (col(st, 6)[0] != '\0')
                printf("     reason: %s\n", col(st, 6));
            if (happ.app.itxm) {
                mh_str text = {0};
                if (mh_unmapped_describe(c, app, "     ", &text))
                    fputs(text.data, stdout);
                mh_str_free(&text);
            }
            json_object_put(c);
        }
        rows++;
    }
    sqlite3_finalize(st);
    if (json)
        printf(rows ? "\n]\n" : "[]\n");
    return 0;
}
