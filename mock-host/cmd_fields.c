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
#include "mapping_config.h"
#include "store_mapping.h"
#include "store_schema.h"
#include "userpage.h"

static const char *const type_names[] = {"string", "number", "boolean", "date", "list", "object"};

typedef struct catalogue_ctx {
    mh_schema_writer *w;
    int failed;
} catalogue_ctx;

static int cat_role(void *vctx, const sis_schema_role *r)
{
    catalogue_ctx *c = vctx;
    if (!SIS_HAS_MEMBER(r, sis_schema_role, count))
        return SIS_ERR_ABI;
    c->failed |= mh_schema_writer_role(c->w, r->role,
                                       r->count == UINT64_MAX ? -1 : (long long)r->count) != 0;
    return c->failed ? SIS_ERR_SINK : SIS_OK;
}

static int cat_field(void *vctx, const sis_schema_field *f)
{
    catalogue_ctx *c = vctx;
    if (!SIS_HAS_MEMBER(f, sis_schema_field, sampled))
        return SIS_ERR_ABI;
    c->failed |= mh_schema_writer_field(c->w, f->role, f->path, f->label,
                                        (unsigned)f->type < 6 ? type_names[f->type] : "string",
                                        f->is_metadata, (long long)f->filled,
                                        (long long)f->sampled) != 0;
    return c->failed ? SIS_ERR_SINK : SIS_OK;
}

/* Asks the plugin for the catalogue and replaces the cached one. */
static int discover(mh_ctx *ctx, sis_host_app *happ)
{
    catalogue_ctx c = {NULL, 0};
    sis_schema_sink sink = {sizeof(sis_schema_sink), &c, cat_role, cat_field, NULL};
    sis_instance *inst = NULL;
    sis_error err = SIS_ERROR_LOCAL;
    char msg[512];
    int rc;

    if (mh_instance_create(&inst, happ, msg, sizeof msg) != 0)
        return mh_fail("%s", msg);
    if (mh_store_begin(ctx->store, msg, sizeof msg) != 0) {
        happ->plugin->connector->destroy(inst);
        return mh_fail("%s", msg);
    }
    if (mh_schema_writer_open(&c.w, ctx->store, happ->app.id) != 0) {
        mh_store_rollback(ctx->store);
        happ->plugin->connector->destroy(inst);
        return mh_fail("cannot store the field catalogue: %s", mh_store_error(ctx->store));
    }
    rc = happ->plugin->connector->discover_schema(inst, &sink, &err);
    mh_schema_writer_close(c.w);
    happ->plugin->connector->destroy(inst);
    if (rc != SIS_OK) {
        mh_store_rollback(ctx->store);
        return mh_fail("could not read the field catalogue of %s: %s", happ->app.name, err.message);
    }
    return mh_store_commit(ctx->store, msg, sizeof msg) == 0 ? 0 : mh_fail("%s", msg);
}

typedef struct catalogue_page {
    int json, first;
    char last_role[64];
} catalogue_page;

static int print_catalogue_row(void *vctx, const mh_schema_row *row)
{
    catalogue_page *p = vctx;
    double sampled = (double)row->sampled;
    double rate = sampled > 0 ? 100.0 * (double)row->filled / sampled : 0;
    if (p->json) {
        mh_str o = {0};
        char num[160];
        mh_str_adds(&o, p->first ? "\n  {\"role\":" : ",\n  {\"role\":");
        mh_str_json(&o, row->role);
        mh_str_adds(&o, ",\"path\":");
        mh_str_json(&o, row->path);
        mh_str_adds(&o, ",\"label\":");
        mh_str_json(&o, row->label);
        mh_str_adds(&o, ",\"type\":");
        mh_str_json(&o, row->type);
        snprintf(num, sizeof num, ",\"metadata\":%s,\"filled\":%lld,\"sampled\":%lld,"
                 "\"fillRate\":%.3f}", row->is_metadata ? "true" : "false", row->filled,
                 row->sampled, rate / 100.0);
        mh_str_adds(&o, num);
        fputs(o.data, stdout);
        mh_str_free(&o);
    } else {
        if (strcmp(p->last_role, row->role) != 0) {
            char count[32];
            if (row->role_count < 0)
                snprintf(count, sizeof count, "?");
            else
                snprintf(count, sizeof count, "%lld", row->role_count);
            printf("%s== %s (%s users; %lld sampled)\n", p->first ? "" : "\n", row->role, count,
                   row->sampled);
            printf("  %-36s %-8s %6s  %s\n", "FIELD", "TYPE", "FILLED", "");
            snprintf(p->last_role, sizeof p->last_role, "%s", row->role);
        }
        printf("  %-36s %-8s %5.1f%%  %s\n", row->path, row->type, rate,
               row->is_metadata ? "metadata" : "");
    }
    p->first = 0;
    return 0;
}

static void print_catalogue(mh_store *s, int64_t app_id, int json)
{
    catalogue_page p;
    memset(&p, 0, sizeof p);
    p.json = json;
    p.first = 1;
    if (json)
        printf("[");
    mh_store_schema_each(s, app_id, NULL, print_catalogue_row, &p);
    if (json)
        printf(p.first ? "]\n" : "\n]\n");
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

typedef struct closest {
    const char *path;
    char best[3][128];
    int best_d[3], found;
} closest;

static int consider_path(void *vctx, const mh_schema_row *row)
{
    closest *c = vctx;
    int d = mh_edit_distance(c->path, row->path), k;
    if (d == 0)
        c->found = 1;
    if (strstr(row->path, c->path) != NULL)
        d = d > 2 ? 2 : d;
    for (k = 0; k < 3; k++)
        if (d < c->best_d[k]) {
            memmove(&c->best_d[k + 1], &c->best_d[k], (size_t)(2 - k) * sizeof c->best_d[0]);
            memmove(c->best[k + 1], c->best[k], (size_t)(2 - k) * sizeof c->best[0]);
            c->best_d[k] = d;
            snprintf(c->best[k], sizeof c->best[k], "%s", row->path);
            break;
        }
    return 0;
}

/* 0 when `path` is in the catalogue of `role`; else prints the closest. */
static int check_field(mh_store *s, int64_t app_id, const char *role, const char *path)
{
    closest c;
    int k;
    memset(&c, 0, sizeof c);
    c.path = path;
    c.best_d[0] = c.best_d[1] = c.best_d[2] = MH_EDIT_FAR;
    mh_store_schema_each(s, app_id, role, consider_path, &c);
    if (c.found)
        return 0;
    fprintf(stderr, "mock-host: unknown field \"%s\" for role %s", path, role);
    if (c.best_d[0] <= 4) {
        fprintf(stderr, "; did you mean %s", c.best[0]);
        for (k = 1; k < 3 && c.best_d[k] <= 4; k++)
            fprintf(stderr, ", %s", c.best[k]);
        fprintf(stderr, "?");
    }
    fprintf(stderr, " (see 'mock-host schema APP')\n");
    return 1;
}

static int store_choice(mh_store *s, int64_t app_id, const char *role, const char *list)
{
    mh_str json = {0};
    char *copy = strdup(list), *tok, *save = NULL;
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
    if (rc == 0 && mh_store_field_choice_set(s, app_id, role, json.data) != 0)
        rc = mh_fail("cannot store the choice: %s", mh_store_error(s));
    mh_str_free(&json);
    return rc;
}

static int add_path(void *vctx, const char *path)
{
    mh_str *o = vctx;
    if (o->len > 0)
        mh_str_adds(o, ",");
    mh_str_adds(o, path);
    return 0;
}

typedef struct choice_page {
    const mh_mapping_cfg *cfg;
    sis_host_app *happ;
    sis_instance *inst;
    char last_role[64];
} choice_page;

/* "student        givenName,familyName,...", marked when the defaults. */
static void print_role(choice_page *p, const char *role)
{
    mh_str paths = {0};
    int is_default = 0;
    mh_str_adds(&paths, "");
    if (mh_mapping_role_fields(p->cfg, p->happ->plugin->connector, p->inst, role, add_path,
                               &paths, &is_default) == 0)
        printf("%-14s %s%s\n", role, paths.data,
               is_default ? "  (the defaults, until a choice is saved)" : "");
    mh_str_free(&paths);
}

static int print_catalogue_role(void *vctx, const mh_schema_row *row)
{
    choice_page *p = vctx;
    if (strcmp(p->last_role, row->role) != 0) {
        snprintf(p->last_role, sizeof p->last_role, "%s", row->role);
        print_role(p, row->role);
    }
    return 0;
}

/* Every role of the catalogue with the fields a sync shows for it (the
 * choice, or the plugin's defaults: mapping_config.c answers both, as for
 * the console's Field Mapping page); before the catalogue is read, the
 * roles with a choice. */
static void print_choice(mh_store *s, sis_host_app *happ)
{
    mh_mapping_cfg cfg;
    choice_page p;
    char msg[512];
    size_t i;
    int listed = 0;

    memset(&p, 0, sizeof p);
    mh_mapping_load(s, &happ->app, &cfg);
    p.cfg = &cfg;
    p.happ = happ;
    printf("Metadata fields: %s\n", cfg.m.show_metadata ? "shown" : "hidden (--metadata on to show)");
    if (cfg.m.n_role_fields == 0)
        printf("No role has a choice yet: every role shows its default fields.\n");
    if (mh_store_schema_has(s, happ->app.id) == 1 &&
        mh_instance_create(&p.inst, happ, msg, sizeof msg) == 0) {
        mh_store_schema_each(s, happ->app.id, NULL, print_catalogue_role, &p);
        listed = 1;
    }
    for (i = 0; i < cfg.m.n_role_fields; i++)   /* a choice for a role no longer listed too */
        if (!listed || mh_store_schema_role_known(s, happ->app.id, cfg.m.role_fields[i].role) != 1)
            print_role(&p, cfg.m.role_fields[i].role);
    if (!listed)
        printf("%s roles show their default fields; 'mock-host schema %s' reads the district's "
               "roles, then this command lists each one's fields.\n",
               cfg.m.n_role_fields > 0 ? "Other" : "All", happ->app.name);
    if (p.inst != NULL)
        happ->plugin->connector->destroy(p.inst);
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
    if (show != NULL && strspn(show, ", \t") == strlen(show))
        return mh_usage_error("fields", "--show needs at least one field, e.g. --show givenName,email");
    if (role != NULL && strspn(role, " \t") == strlen(role))
        return mh_usage_error("fields", "--role needs a role, e.g. --role student");
    if (mh_ctx_app(ctx, app, &happ) != 0)
        return 1;
    if (role != NULL) {
        if (mh_store_schema_has(ctx->store, happ.app.id) != 1 && discover(ctx, &happ) != 0)
            return 1;
        if (mh_store_schema_role_known(ctx->store, happ.app.id, role) != 1)
            return mh_fail("the district has no users with role \"%s\" (see 'mock-host schema %s')",
                           role, app);
        if (store_choice(ctx->store, happ.app.id, role, show) != 0)
            return 1;
        changed = 1;
    }
    if (metadata != NULL) {
        mh_store_state_set(ctx->store, happ.app.id, "show_metadata", metadata);
        changed = 1;
    }
    print_choice(ctx->store, &happ);
    return changed ? reapply(ctx, &happ) : 0;
}
