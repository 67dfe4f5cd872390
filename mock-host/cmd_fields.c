/*
 * cmd_fields.c - step 3 of the setup flow: the field catalogue per role
 * (discovered from the district's data) and the admin's choice of fields per
 * role and of metadata on or off.  A choice is checked against the catalogue
 * and re-applied to the stored records at once, without asking ClassLink.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "cli.h"
#include "jsonw.h"
#include "userpage.h"

static const char *const type_names[] = {"string", "number", "boolean", "date", "list", "object"};

typedef struct catalogue_ctx {
    mh_store *s;
    int64_t app_id;
    sqlite3_stmt *role, *field;
    int failed;
} catalogue_ctx;

static int cat_role(void *vctx, const sis_schema_role *r)
{
    catalogue_ctx *c = vctx;
    if (!SIS_HAS_MEMBER(r, sis_schema_role, count))
        return SIS_ERR_ABI;
    sqlite3_bind_int64(c->role, 1, c->app_id);
    sqlite3_bind_text(c->role, 2, r->role, -1, SQLITE_STATIC);
    if (r->count == UINT64_MAX)
        sqlite3_bind_null(c->role, 3);
    else
        sqlite3_bind_int64(c->role, 3, (sqlite3_int64)r->count);
    c->failed |= sqlite3_step(c->role) != SQLITE_DONE;
    sqlite3_reset(c->role);
    return c->failed ? SIS_ERR_SINK : SIS_OK;
}

static int cat_field(void *vctx, const sis_schema_field *f)
{
    catalogue_ctx *c = vctx;
    sqlite3_stmt *st = c->field;
    if (!SIS_HAS_MEMBER(f, sis_schema_field, sampled))
        return SIS_ERR_ABI;
    sqlite3_bind_int64(st, 1, c->app_id);
    sqlite3_bind_text(st, 2, f->role, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, f->path, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, f->label, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, (unsigned)f->type < 6 ? type_names[f->type] : "string", -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 6, f->is_metadata);
    sqlite3_bind_int64(st, 7, (sqlite3_int64)f->filled);
    sqlite3_bind_int64(st, 8, (sqlite3_int64)f->sampled);
    c->failed |= sqlite3_step(st) != SQLITE_DONE;
    sqlite3_reset(st);
    return c->failed ? SIS_ERR_SINK : SIS_OK;
}

/* Asks the plugin for the catalogue and replaces the cached one. */
static int discover(mh_ctx *ctx, sis_host_app *happ)
{
    catalogue_ctx c = {ctx->store, happ->app.id, NULL, NULL, 0};
    sis_schema_sink sink = {sizeof(sis_schema_sink), &c, cat_role, cat_field, NULL};
    sis_instance *inst = NULL;
    sis_error err = SIS_ERROR_LOCAL;
    char msg[512];
    int rc;

    if (mh_instance_create(&inst, happ, msg, sizeof msg) != 0)
        return mh_fail("%s", msg);
    if (mh_store_exec(ctx->store, "BEGIN IMMEDIATE", msg, sizeof msg) != 0) {
        happ->plugin->connector->destroy(inst);
        return mh_fail("%s", msg);
    }
    sqlite3_prepare_v2(ctx->store->db, "INSERT INTO schema_roles VALUES(?1,?2,?3)", -1, &c.role, NULL);
    sqlite3_prepare_v2(ctx->store->db, "INSERT INTO schema_fields VALUES(?1,?2,?3,?4,?5,?6,?7,?8)",
                       -1, &c.field, NULL);
    {
        char del[160];
        snprintf(del, sizeof del, "DELETE FROM schema_roles WHERE app_id=%lld; DELETE FROM "
                 "schema_fields WHERE app_id=%lld;", (long long)happ->app.id, (long long)happ->app.id);
        mh_store_exec(ctx->store, del, NULL, 0);
    }
    rc = happ->plugin->connector->discover_schema(inst, &sink, &err);
    sqlite3_finalize(c.role);
    sqlite3_finalize(c.field);
    happ->plugin->connector->destroy(inst);
    if (rc != SIS_OK) {
        mh_store_exec(ctx->store, "ROLLBACK", NULL, 0);
        return mh_fail("could not read the field catalogue of %s: %s", happ->app.name, err.message);
    }
    return mh_store_exec(ctx->store, "COMMIT", msg, sizeof msg) == 0 ? 0 : mh_fail("%s", msg);
}

static int has_catalogue(mh_store *s, int64_t app_id)
{
    sqlite3_stmt *st;
    int n = 0;
    if (sqlite3_prepare_v2(s->db, "SELECT count(*) FROM schema_fields WHERE app_id=?1", -1, &st,
                           NULL) == SQLITE_OK) {
        sqlite3_bind_int64(st, 1, app_id);
        if (sqlite3_step(st) == SQLITE_ROW)
            n = sqlite3_column_int(st, 0);
    }
    sqlite3_finalize(st);
    return n > 0;
}

static void print_catalogue(mh_store *s, int64_t app_id, int json)
{
    sqlite3_stmt *st;
    char last_role[64] = "";
    int first = 1;
    sqlite3_prepare_v2(s->db, "SELECT f.role, r.count, f.path, f.label, f.type, f.is_metadata, "
                       "f.filled, f.sampled FROM schema_fields f JOIN schema_roles r ON "
                       "r.app_id = f.app_id AND r.role = f.role WHERE f.app_id = ?1 ORDER BY "
                       "f.role, f.is_metadata, f.path", -1, &st, NULL);
    sqlite3_bind_int64(st, 1, app_id);
    if (json)
        printf("[");
    while (sqlite3_step(st) == SQLITE_ROW) {
        const char *role = (const char *)sqlite3_column_text(st, 0);
        double sampled = (double)sqlite3_column_int64(st, 7);
        double rate = sampled > 0 ? 100.0 * (double)sqlite3_column_int64(st, 6) / sampled : 0;
        if (json) {
            mh_str o = {0};
            char num[160];
            mh_str_adds(&o, first ? "\n  {\"role\":" : ",\n  {\"role\":");
            mh_str_json(&o, role);
            mh_str_adds(&o, ",\"path\":");
            mh_str_json(&o, (const char *)sqlite3_column_text(st, 2));
            mh_str_adds(&o, ",\"label\":");
            mh_str_json(&o, (const char *)sqlite3_column_text(st, 3));
            mh_str_adds(&o, ",\"type\":");
            mh_str_json(&o, (const char *)sqlite3_column_text(st, 4));
            snprintf(num, sizeof num, ",\"metadata\":%s,\"filled\":%lld,\"sampled\":%lld,"
                     "\"fillRate\":%.3f}", sqlite3_column_int(st, 5) ? "true" : "false",
                     (long long)sqlite3_column_int64(st, 6), (long long)sqlite3_column_int64(st, 7),
                     rate / 100.0);
            mh_str_adds(&o, num);
            fputs(o.data, stdout);
            mh_str_free(&o);
        } else {
            if (strcmp(last_role, role) != 0) {
                printf("%s== %s (%s users; %lld sampled)\n", first ? "" : "\n", role,
                       sqlite3_column_type(st, 1) == SQLITE_NULL ? "?" : (const char *)sqlite3_column_text(st, 1),
                       (long long)sqlite3_column_int64(st, 7));
                printf("  %-36s %-8s %6s  %s\n", "FIELD", "TYPE", "FILLED", "");
                snprintf(last_role, sizeof last_role, "%s", role);
            }
            printf("  %-36s %-8s %5.1f%%  %s\n", sqlite3_column_text(st, 2), sqlite3_column_text(st, 4),
                   rate, sqlite3_column_int(st, 5) ? "metadata" : "");
        }
        first = 0;
    }
    sqlite3_finalize(st);
    if (json)
        printf(first ? "]\n" : "\n]\n");
}

int mh_cmd_schema(mh_ctx *ctx, int argc, char **argv)
{
    sis_host_app happ;
    const char *app = NULL;
    int json = 0, i;
    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--json") == 0)
            json = 1;
        else if (argv[i][0] == '-' || app != NULL)
            return mh_usage_error("schema", "unexpected argument '%s'", argv[i]);
        else
            app = argv[i];
    }
    if (app == NULL)
        return mh_usage_error("schema", "name the app");
    if (mh_ctx_app(ctx, app, &happ) != 0 || discover(ctx, &happ) != 0)
        return 1;
    print_catalogue(ctx->store, happ.app.id, json);
    return 0;
}

/* ---- fields ------------------------------------------------------------- */

static int edit_distance(const char *a, const char *b)
{
    int la = (int)strlen(a), lb = (int)strlen(b), i, j, prev, cur, tmp;
    int row[128];
    if (la > 120 || lb > 120)
        return 99;
    for (j = 0; j <= lb; j++)
        row[j] = j;
    for (i = 1; i <= la; i++) {
        prev = row[0];
        row[0] = i;
        for (j = 1; j <= lb; j++) {
            cur = row[j];
            tmp = prev + (a[i - 1] != b[j - 1]);
            if (row[j] + 1 < tmp) tmp = row[j] + 1;
            if (row[j - 1] + 1 < tmp) tmp = row[j - 1] + 1;
            row[j] = tmp;
            prev = cur;
        }
    }
    return row[lb];
}

/* 0 when `path` is in the catalogue of `role`; else prints the closest. */
static int check_field(mh_store *s, int64_t app_id, const char *role, const char *path)
{
    sqlite3_stmt *st;
    char best[3][128] = {"", "", ""};
    int best_d[3] = {99, 99, 99}, found = 0, k;
    sqlite3_prepare_v2(s->db, "SELECT path FROM schema_fields WHERE app_id=?1 AND role=?2", -1, &st, NULL);
    sqlite3_bind_int64(st, 1, app_id);
    sqlite3_bind_text(st, 2, role, -1, SQLITE_STATIC);
    while (sqlite3_step(st) == SQLITE_ROW) {
        const char *p = (const char *)sqlite3_column_text(st, 0);
        int d = edit_distance(path, p);
        if (d == 0)
            found = 1;
        if (strstr(p, path) != NULL)
            d = d > 2 ? 2 : d;
        for (k = 0; k < 3; k++)
            if (d < best_d[k]) {
                memmove(&best_d[k + 1], &best_d[k], (size_t)(2 - k) * sizeof best_d[0]);
                memmove(best[k + 1], best[k], (size_t)(2 - k) * sizeof best[0]);
                best_d[k] = d;
                snprintf(best[k], sizeof best[k], "%s", p);
                break;
            }
    }
    sqlite3_finalize(st);
    if (found)
        return 0;
    fprintf(stderr, "mock-host: unknown field \"%s\" for role %s", path, role);
    if (best_d[0] <= 4) {
        fprintf(stderr, "; did you mean %s", best[0]);
        for (k = 1; k < 3 && best_d[k] <= 4; k++)
            fprintf(stderr, ", %s", best[k]);
        fprintf(stderr, "?");
    }
    fprintf(stderr, " (see 'mock-host schema APP')\n");
    return 1;
}

static int role_known(mh_store *s, int64_t app_id, const char *role)
{
    sqlite3_stmt *st;
    int found;
    sqlite3_prepare_v2(s->db, "SELECT 1 FROM schema_roles WHERE app_id=?1 AND role=?2", -1, &st, NULL);
    sqlite3_bind_int64(st, 1, app_id);
    sqlite3_bind_text(st, 2, role, -1, SQLITE_STATIC);
    found = sqlite3_step(st) == SQLITE_ROW;
    sqlite3_finalize(st);
    return found;
}

static int store_choice(mh_store *s, int64_t app_id, const char *role, const char *list)
{
    mh_str json = {0};
    char *copy = strdup(list), *tok, *save = NULL;
    sqlite3_stmt *st;
    int first = 1, rc = 0;
    mh_str_add(&json, "[", 1);
    for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        while (*tok == ' ')
            tok++;
        if (*tok == '\0')
            continue;
        if (check_field(s, app_id, role, tok) != 0)
            rc = 1;
        if (!first)
            mh_str_add(&json, ",", 1);
        mh_str_json(&json, tok);
        first = 0;
    }
    mh_str_add(&json, "]", 1);
    free(copy);
    if (first)
        rc = mh_fail("--show needs at least one field");
    if (rc == 0) {
        sqlite3_prepare_v2(s->db, "INSERT OR REPLACE INTO field_choice VALUES(?1,?2,?3)", -1, &st, NULL);
        sqlite3_bind_int64(st, 1, app_id);
        sqlite3_bind_text(st, 2, role, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, json.data, -1, SQLITE_STATIC);
        rc = sqlite3_step(st) == SQLITE_DONE ? 0 : mh_fail("cannot store the choice");
        sqlite3_finalize(st);
    }
    mh_str_free(&json);
    return rc;
}

static void print_choice(mh_store *s, const mh_app *app)
{
    mh_mapping_cfg cfg;
    size_t i, k;
    mh_mapping_load(s, app, &cfg);
    printf("Metadata fields: %s\n", cfg.m.show_metadata ? "shown" : "hidden (--metadata on to show)");
    if (cfg.m.n_role_fields == 0)
        printf("No role has a choice yet: every role shows the defaults (names, email, username, "
               "identifier; grades for students).\n");
    for (i = 0; i < cfg.m.n_role_fields; i++) {
        printf("%-14s ", cfg.m.role_fields[i].role);
        for (k = 0; k < cfg.m.role_fields[i].n_paths; k++)
            printf("%s%s", k ? "," : "", cfg.m.role_fields[i].paths[k]);
        printf("\n");
    }
    if (cfg.m.n_role_fields > 0)
        printf("Other roles show the defaults.\n");
    mh_mapping_free(&cfg);
}

static int reapply(mh_ctx *ctx, sis_host_app *happ)
{
    sis_instance *inst = NULL;
    mh_user_counts counts;
    char msg[512];
    if (mh_instance_create(&inst, happ, msg, sizeof msg) != 0)
        return mh_fail("%s", msg);
    if (mh_reapply_mappings(ctx->store, &happ->app, happ->plugin->connector, inst, &counts) != 0) {
        happ->plugin->connector->destroy(inst);
        return 1;
    }
    happ->plugin->connector->destroy(inst);
    printf("Applied to the Users page: %llu users updated, %llu unchanged (no request to the SIS).\n",
           (unsigned long long)counts.updated, (unsigned long long)counts.unchanged);
    return 0;
}

int mh_cmd_fields(mh_ctx *ctx, int argc, char **argv)
{
    sis_host_app happ;
    const char *app = NULL, *metadata = NULL, *role = NULL, *show = NULL;
    int i, changed = 0;

    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--metadata") == 0 && i + 1 < argc)
            metadata = argv[++i];
        else if (strcmp(argv[i], "--role") == 0 && i + 1 < argc)
            role = argv[++i];
        else if (strcmp(argv[i], "--show") == 0 && i + 1 < argc)
            show = argv[++i];
        else if (argv[i][0] == '-' || app != NULL)
            return mh_usage_error("fields", "unexpected argument '%s'", argv[i]);
        else
            app = argv[i];
    }
    if (app == NULL)
        return mh_usage_error("fields", "name the app");
    if ((role == NULL) != (show == NULL))
        return mh_usage_error("fields", "--role and --show go together");
    if (metadata != NULL && strcmp(metadata, "on") != 0 && strcmp(metadata, "off") != 0)
        return mh_usage_error("fields", "--metadata takes on or off");
    if (mh_ctx_app(ctx, app, &happ) != 0)
        return 1;
    if (role != NULL) {
        if (!has_catalogue(ctx->store, happ.app.id) && discover(ctx, &happ) != 0)
            return 1;
        if (!role_known(ctx->store, happ.app.id, role))
            return mh_fail("the district has no users with role \"%s\" (see 'mock-host schema %s')",
                           role, app);
        if (store_choice(ctx->store, happ.app.id, role, show) != 0)
            return 1;
        changed = 1;
    }
    if (metadata != NULL) {
        mh_store_config_set(ctx->store, happ.app.id, "show_metadata", metadata);
        changed = 1;
    }
    print_choice(ctx->store, &happ.app);
    return changed ? reapply(ctx, &happ) : 0;
}
