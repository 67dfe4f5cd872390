/*
 * connector.c - the OneRoster CSV plugin's entry point, vtable and the glue
 * of each operation: the only file that knows the shape of sis_connector.
 *
 * Everything else speaks the plugin's own types (csv_reader, source,
 * export, roster, schema) or one ABI concern each (declarations,
 * connection, mapping); this file translates orc_user into sis_record and
 * orc_code into sis_status.  It is also where every struct the host hands
 * in is checked for size (sis/plugin.h: whoever receives a struct checks
 * struct_size), so the modules behind it can trust them.
 */
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <sis/connector.h>

#include "connection.h"
#include "csv_reader.h"
#include "declarations.h"
#include "export.h"
#include "schema.h"
#include "sis_kit.h"
#include "source.h"

#define ORC_PLUGIN_ID "oneroster-csv"
#define ORC_PLUGIN_NAME "OneRoster CSV"
#ifndef ORC_PLUGIN_VERSION
#error "ORC_PLUGIN_VERSION comes from the Makefile's VERSION"
#endif

struct sis_instance {
    const sis_host *host;   /* borrowed until destroy */
    sis_host_app *app;      /* borrowed until destroy */
};

static int to_sis(int code)
{
    switch (code) {
    case ORC_OK: return SIS_OK;
    case ORC_ERR_NOMEM: return SIS_ERR_NOMEM;
    case ORC_ERR_CONFIG: return SIS_ERR_CONFIG;
    case ORC_ERR_NOT_FOUND: return SIS_ERR_NOT_FOUND;
    case ORC_ERR_NETWORK: return SIS_ERR_NETWORK;
    case ORC_ERR_TLS: return SIS_ERR_TLS;
    case ORC_ERR_HOSTKEY: return SIS_ERR_TLS;
    case ORC_ERR_AUTH: return SIS_ERR_AUTH;
    case ORC_ERR_CANCELLED: return SIS_ERR_CANCELLED;
    case ORC_ERR_SINK: return SIS_ERR_SINK;
    case ORC_ERR_IO: return SIS_ERR_GENERIC;
    default: return SIS_ERR_DATA;   /* the export's content is at fault: file and line */
    }
}

static int from_orc(sis_error *err, const orc_err *e)
{
    return sis_error_set(err, to_sis(e->code), "%s", e->msg);
}

/* ---- bad rows ------------------------------------------------------- */

/* Each bad row (the rule is in roster.h) is logged as a warning naming its
 * file and line, so that one run shows the admin every row to fix: the
 * host's own summary only counts them.  Past BAD_ROWS_LOGGED a run logs
 * one line with how many more there were, so an export where every row has
 * the same fault does not flood the log. */
#define BAD_ROWS_LOGGED 100u

typedef struct bad_rows {
    sis_instance *inst;
    const sis_sink *sink;     /* NULL at connect: rows are checked, not sent */
    uint64_t logged, unlogged;
    char first[ORC_MSG_MAX];  /* the first bad users.csv row's reason, for connect */
} bad_rows;

static void log_bad_row(bad_rows *b, const char *reason)
{
    char line[ORC_MSG_MAX + 64];
    if (b->logged >= BAD_ROWS_LOGGED) {
        b->unlogged++;
        return;
    }
    b->logged++;
    snprintf(line, sizeof line, "%s; %s", reason,
             b->sink != NULL ? "the row is skipped" : "each sync will skip this row");
    b->inst->host->log(b->inst->app, SIS_LOG_WARN, line);
}

static void log_unlogged(const bad_rows *b)
{
    char line[200];
    if (b->unlogged == 0)
        return;
    snprintf(line, sizeof line, "%llu more bad row%s, not listed: the first %u are logged above",
             (unsigned long long)b->unlogged, b->unlogged == 1 ? "" : "s", BAD_ROWS_LOGGED);
    b->inst->host->log(b->inst->app, SIS_LOG_WARN, line);
}

/* A bad users.csv row goes to the sink's invalid path, with its sourcedId
 * (NULL when unreadable: the host then deactivates nobody by absence); a
 * bad orgs.csv row is only logged, since export.c stops the sync after
 * orgs.csv (export.h). */
static int on_bad_row(void *ctx, const char *file, const char *sourced_id, const char *reason,
                      orc_err *err)
{
    bad_rows *b = ctx;
    log_bad_row(b, reason);
    if (b->first[0] == '\0' && strcmp(file, "users.csv") == 0)
        snprintf(b->first, sizeof b->first, "%s", reason);
    if (b->sink == NULL || b->sink->invalid == NULL || strcmp(file, "users.csv") != 0)
        return ORC_OK;
    if (b->sink->invalid(b->sink->ctx, sourced_id, reason) != SIS_OK)
        return orc_fail(err, ORC_ERR_SINK, "the host refused the report of a bad row (%.200s)",
                        reason);
    return ORC_OK;
}

/* ---- authenticate ---------------------------------------------------- */

/* connect reads every row, as a sync would, so that "Connected" means the
 * export can be synced: a fault of a whole file (a duplicate sourcedId, a
 * bad org row...) refuses the connection, and bad user rows are listed
 * and counted but do not (each sync skips them).  Rows are streamed and
 * nothing is kept, so memory stays flat; the time is one read of the
 * export, which a remote source has downloaded already. */
static int check_org(void *ctx, const orc_org *o, orc_err *err)
{
    (void)ctx, (void)o, (void)err;
    return ORC_OK;
}

static int check_user(void *ctx, const orc_user *u, orc_err *err)
{
    (void)ctx, (void)u, (void)err;
    return ORC_OK;
}

/* ctx: a bad_rows, or a fetch_ctx, which starts with one. */
static int rows_cancelled(void *ctx)
{
    bad_rows *b = ctx;
    return b->inst->host->is_cancelled(b->inst->app);
}

/* `first` (of size ORC_MSG_MAX) gets the first bad user row's reason. */
static int check_rows(sis_instance *inst, orc_source *src, orc_stream_stats *st, char *first,
                      orc_err *e)
{
    bad_rows b = {inst, NULL, 0, 0, ""};
    orc_stream_cb cb = {&b, check_org, check_user, rows_cancelled, NULL, on_bad_row};
    int rc = orc_export_stream(src, &cb, st, e);
    log_unlogged(&b);
    snprintf(first, ORC_MSG_MAX, "%s", b.first);
    if (rc == ORC_ERR_CANCELLED)
        orc_fail(e, rc, "connect was cancelled while it read the export's rows");
    return rc;
}


static int orc_authenticate(sis_instance *inst, const sis_auth_request *req, sis_auth_result *res,
                            sis_error *err)
{
    orc_conn c;
    orc_source *src = NULL;
    orc_manifest m;
    orc_stream_stats st;
    orc_err e = {0, ""};
    char where[4600], first[ORC_MSG_MAX];
    int rc;

    if ((rc = sis_kit_check_auth(req, res, err)) != SIS_OK)
        return rc;
    if (req->step != SIS_AUTH_MANUAL)
        return sis_error_set(err, SIS_ERR_NOT_SUPPORTED, "OneRoster CSV has no interactive login: "
                             "give --source and, for SFTP, its credentials");
    rc = orc_conn_from_params(&c, inst->host, inst->app, req->params, req->n_params, err);
    if (rc == SIS_OK) {
        rc = orc_source_open(&src, &c.opts, &e);
        if (rc == ORC_OK)
            rc = orc_export_manifest(src, &m, &e);
        if (rc == ORC_OK)
            rc = check_rows(inst, src, &st, first, &e);
        rc = rc == ORC_OK ? SIS_OK : from_orc(err, &e);
    }
    /* Stored only once the export is verified. */
    if (rc == SIS_OK)
        rc = orc_conn_store(&c, inst->host, inst->app, err);
    if (rc == SIS_OK) {
        int n = snprintf(where, sizeof where, "%s (users: %s file); every row checked: ",
                         orc_source_label(src), orc_file_mode_name(m.users));
        if (st.bad_users == 0)
            snprintf(where + n, sizeof where - (size_t)n, "no bad rows");
        else
            snprintf(where + n, sizeof where - (size_t)n, "%llu bad row%s, each logged with "
                     "its line, that each sync skips until the export is fixed (the first: %s)",
                     (unsigned long long)st.bad_users, st.bad_users == 1 ? "" : "s", first);
        res->visible_users = st.users;
        rc = sis_text_set(&res->tenant_name, m.system_name);
        if (rc == SIS_OK)
            rc = sis_text_set(&res->source, where);
        if (rc != SIS_OK)
            rc = sis_error_set(err, rc, "the host could not keep the connection's description");
    }
    orc_source_close(src);
    orc_conn_wipe(&c);
    return rc;
}

/* ---- discover_schema ------------------------------------------------ */

/* A sink callback left NULL means the host does not want that kind of line
 * (mock-host's schema sink takes no orgs); it is skipped, not called. */

typedef struct schema_ctx {
    const sis_schema_sink *sink;
} schema_ctx;

static int schema_role(void *ctx, const char *role, uint64_t count)
{
    schema_ctx *s = ctx;
    sis_schema_role r = SIS_SCHEMA_ROLE_INIT;
    if (s->sink->role == NULL)
        return ORC_OK;
    r.role = role;
    r.count = count;
    return s->sink->role(s->sink->ctx, &r) == SIS_OK ? ORC_OK : ORC_ERR_SINK;
}

static int schema_field(void *ctx, const char *role, const char *path, const char *label,
                        orc_type type, int is_metadata, uint64_t filled, uint64_t sampled)
{
    static const sis_field_type types[] = {SIS_FIELD_STRING, SIS_FIELD_NUMBER, SIS_FIELD_BOOLEAN,
                                           SIS_FIELD_DATE, SIS_FIELD_LIST};
    schema_ctx *s = ctx;
    sis_schema_field f = SIS_SCHEMA_FIELD_INIT;
    if (s->sink->field == NULL)
        return ORC_OK;
    f.role = role;
    f.path = path;
    f.label = label;
    f.type = types[type];
    f.is_metadata = is_metadata;
    f.filled = filled;
    f.sampled = sampled;
    return s->sink->field(s->sink->ctx, &f) == SIS_OK ? ORC_OK : ORC_ERR_SINK;
}

static sis_org org_to_sis(const orc_org *o)
{
    sis_org out = SIS_ORG_INIT;
    out.sourced_id = o->sourced_id;
    out.status = o->tobedeleted ? SIS_RECORD_TOBEDELETED : SIS_RECORD_ACTIVE;
    out.name = o->name;
    out.type = o->type;
    out.identifier = o->identifier;
    out.parent_id = o->parent_id;
    return out;
}

static int schema_org(void *ctx, const orc_org *o)
{
    schema_ctx *s = ctx;
    sis_org org = org_to_sis(o);
    return s->sink->org == NULL || s->sink->org(s->sink->ctx, &org) == SIS_OK ? ORC_OK
                                                                              : ORC_ERR_SINK;
}

static int orc_discover_schema(sis_instance *inst, const sis_schema_sink *sink, sis_error *err)
{
    orc_conn c;
    orc_source *src = NULL;
    orc_manifest m;
    orc_err e = {0, ""};
    schema_ctx ctx = {sink};
    orc_schema_cb cb = {&ctx, schema_role, schema_field, schema_org};
    uint64_t sample;
    int rc;

    if ((rc = sis_kit_check_schema_sink(sink, err)) != SIS_OK)
        return rc;
    rc = orc_conn_load(&c, inst->host, inst->app, err);
    if (rc != SIS_OK)
        return rc;
    sample = (uint64_t)orc_setting_int(inst->host, inst->app, "schema_sample");
    rc = orc_source_open(&src, &c.opts, &e);
    orc_conn_wipe(&c);
    if (rc == ORC_OK)
        rc = orc_export_manifest(src, &m, &e);
    if (rc == ORC_OK)
        rc = orc_schema_discover(src, &m, sample, &cb, &e);
    if (rc == ORC_ERR_SINK && e.msg[0] == '\0')
        orc_fail(&e, ORC_ERR_SINK, "the host refused the schema");
    orc_source_close(src);
    return rc == ORC_OK ? SIS_OK : from_orc(err, &e);
}

/* ---- fetch_users ---------------------------------------------------- */

typedef struct fetch_ctx {
    bad_rows bad;             /* first: on_bad_row and rows_cancelled take a fetch_ctx as a
                               * bad_rows; its inst and sink are the fetch's */
    sis_field *fields;        /* ORC_CSV_COLUMNS_MAX of them */
} fetch_ctx;

static int fetch_org(void *ctx, const orc_org *o, orc_err *err)
{
    fetch_ctx *f = ctx;
    sis_org org = org_to_sis(o);
    if (f->bad.sink->org != NULL && f->bad.sink->org(f->bad.sink->ctx, &org) != SIS_OK)
        return orc_fail(err, ORC_ERR_SINK, "the host refused the org on orgs.csv line %lu", o->line);
    return ORC_OK;
}

static int fetch_user(void *ctx, const orc_user *u, orc_err *err)
{
    fetch_ctx *f = ctx;
    sis_record r = SIS_RECORD_INIT;
    size_t i;
    for (i = 0; i < u->n_fields; i++) {
        f->fields[i].path = u->fields[i].path;
        f->fields[i].value = u->fields[i].value;
        f->fields[i].items = u->fields[i].items;
        f->fields[i].n_items = u->fields[i].n_items;
    }
    r.sourced_id = u->sourced_id;
    r.status = u->tobedeleted ? SIS_RECORD_TOBEDELETED : SIS_RECORD_ACTIVE;
    r.enabled = u->enabled;
    r.modified = u->modified;
    r.role = u->role;
    r.roles = &u->role;
    r.n_roles = 1;
    r.org_ids = u->org_ids;
    r.n_org_ids = u->n_org_ids;
    r.fields = f->fields;
    r.n_fields = u->n_fields;
    if (f->bad.sink->record(f->bad.sink->ctx, &r) != SIS_OK)
        return orc_fail(err, ORC_ERR_SINK, "the host refused the user on users.csv line %lu",
                        u->line);
    return ORC_OK;
}

static void fetch_progress(void *ctx, const char *phase, uint64_t done)
{
    fetch_ctx *f = ctx;
    f->bad.inst->host->progress(f->bad.inst->app, phase, done, 0);
}

static int orc_fetch_users(sis_instance *inst, const sis_fetch_request *req, const sis_sink *sink,
                           sis_fetch_result *res, sis_error *err)
{
    orc_conn c;
    orc_source *src = NULL;
    orc_err e = {0, ""};
    orc_stream_stats st;
    fetch_ctx ctx = {{inst, sink, 0, 0, ""}, NULL};
    orc_stream_cb cb = {&ctx, fetch_org, fetch_user, rows_cancelled, fetch_progress, on_bad_row};
    int rc;

    if ((rc = sis_kit_check_fetch(req, sink, res, err)) != SIS_OK)
        return rc;
    /* A delta request (never asked: no SIS_CAP_FETCH_DELTA) reads the export
     * as it is; the manifest, not the request, says bulk or delta. */
    memset(&st, 0, sizeof st);
    res->complete = 0;
    rc = orc_conn_load(&c, inst->host, inst->app, err);
    if (rc != SIS_OK) {
        sis_text_set(&res->incomplete_reason, err->message);
        return rc;
    }
    ctx.fields = calloc(ORC_CSV_COLUMNS_MAX, sizeof *ctx.fields);
    if (ctx.fields == NULL)
        rc = orc_fail(&e, ORC_ERR_NOMEM, "out of memory");
    else
        rc = orc_source_open(&src, &c.opts, &e);
    orc_conn_wipe(&c);
    if (rc == ORC_OK) {
        rc = orc_export_stream(src, &cb, &st, &e);
        res->requests = orc_source_downloaded(src) > 0;
        res->bytes = orc_source_downloaded(src) ? orc_source_downloaded(src) : st.bytes;
    }
    log_unlogged(&ctx.bad);
    res->orgs = st.orgs;
    res->records = st.users;
    res->invalid = st.bad_users;
    res->complete = rc == ORC_OK && st.complete;
    /* The host learns of bad rows through sink->invalid and keeps their
     * users; a host that takes no such reports would count them absent. */
    if (res->complete && st.bad_users > 0 && sink->invalid == NULL) {
        res->complete = 0;
        snprintf(st.incomplete_reason, sizeof st.incomplete_reason, "users.csv has %llu bad "
                 "row%s, so users it lists may be missing", (unsigned long long)st.bad_users,
                 st.bad_users == 1 ? "" : "s");
    }
    if (rc != ORC_OK)
        sis_text_set(&res->incomplete_reason, e.msg);
    else if (!res->complete)
        sis_text_set(&res->incomplete_reason, st.incomplete_reason);
    orc_source_close(src);
    free(ctx.fields);
    return rc == ORC_OK ? SIS_OK : from_orc(err, &e);
}

/* ---- apply_mappings, instance, vtable, entry ------------------------ */

static int orc_apply(sis_instance *inst, const sis_record *record, const sis_mapping *mapping,
                     sis_user_fn emit, void *ctx, sis_error *err)
{
    int rc = sis_kit_check_apply(record, mapping, err);
    (void)inst;   /* the standard mapping is pure: the host may call it from any thread */
    return rc != SIS_OK ? rc : sis_kit_apply_mappings(record, mapping, emit, ctx, err);
}

static int orc_create(sis_instance **out, const sis_host *host, sis_host_app *app, sis_error *err)
{
    sis_instance *inst;
    if (out == NULL || host == NULL)
        return sis_error_set(err, SIS_ERR_INVALID_ARG, "create: the host passed no output or "
                             "services table");
    inst = calloc(1, sizeof *inst);
    if (inst == NULL)
        return sis_error_set(err, SIS_ERR_NOMEM, "create: out of memory");
    inst->host = host;
    inst->app = app;
    *out = inst;
    return SIS_OK;
}

static void orc_destroy(sis_instance *inst)
{
    free(inst);   /* holds no secret: passwords live only during a call */
}

/* libcurl's global state belongs to whoever outlives the module: the host
 * calls these once per process (sis/plugin.h). */
static int orc_init(const sis_host *host, sis_error *err)
{
    (void)host;
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
        return sis_error_set(err, SIS_ERR_GENERIC, "libcurl could not initialise (TLS library)");
    return SIS_OK;
}

static void orc_shutdown(void)
{
    curl_global_cleanup();
}

static const sis_connector orc_connector = {
    .header = {
        .abi_version = SIS_ABI_VERSION,
        .struct_size = sizeof(sis_connector),
        .kind = SIS_KIND_SIS,
        .capabilities = SIS_CAP_AUTH_MANUAL | SIS_CAP_SCHEMA | SIS_CAP_FETCH_FULL |
                        SIS_CAP_METADATA | SIS_CAP_ORGS,
        .id = ORC_PLUGIN_ID,
        .name = ORC_PLUGIN_NAME,
        .version = ORC_PLUGIN_VERSION,
        .description = "Imports students, teachers and staff from a OneRoster 1.1 CSV export: a "
                       "zip, a folder, an https:// URL or an sftp:// URL.",
        .decls = orc_decls,
        .n_decls = ORC_N_DECLS,
        .init = orc_init,
        .shutdown = orc_shutdown,
    },
    .create = orc_create,
    .destroy = orc_destroy,
    .authenticate = orc_authenticate,
    .discover_schema = orc_discover_schema,
    .fetch_users = orc_fetch_users,
    .apply_mappings = orc_apply,
};

__attribute__((visibility("default")))
int oneroster_csv_entry(uint32_t host_abi, const sis_host *host, const sis_plugin_header **out,
                        sis_error *err);

int oneroster_csv_entry(uint32_t host_abi, const sis_host *host, const sis_plugin_header **out,
                        sis_error *err)
{
    int rc;
    if (out == NULL)
        return sis_error_set(err, SIS_ERR_INVALID_ARG, "the host passed no output pointer");
    *out = NULL;
    rc = sis_kit_entry_check(host_abi, host, "the OneRoster CSV plugin", err);
    if (rc != SIS_OK)
        return rc;
    *out = &orc_connector.header;
    return SIS_OK;
}
