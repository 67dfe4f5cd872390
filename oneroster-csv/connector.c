/*
 * connector.c - the OneRoster CSV plugin's entry point, vtable and
 * instance: the only file that knows the host ABI (SIS ABI 1.0 today).
 *
 * Everything else (csv_reader, source, export, roster, schema) speaks the
 * plugin's own types; this file translates: host config and secrets into
 * source options, orc_user into sis_record, orc_code into sis_status.
 *
 * Stored per app: config "source" (an absolute path or a URL without
 * credentials), "username", "private_key_file", "known_hosts"; secret
 * "password" (the SFTP password or the private key's passphrase).
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sis/connector.h>

#include "csv_reader.h"
#include "export.h"
#include "schema.h"
#include "source.h"

#define ORC_PLUGIN_ID "oneroster-csv"
#define ORC_PLUGIN_NAME "OneRoster CSV"
#ifndef ORC_PLUGIN_VERSION
#define ORC_PLUGIN_VERSION "0.1.0"
#endif

#define SCHEMA_SAMPLE 10000u
#define MAX_MAPPED_FIELDS 64

struct sis_instance {
    const sis_host *host;   /* borrowed until destroy */
    sis_host_app *app;      /* borrowed until destroy */
};

/* The settings and credentials a source needs, with their storage. */
typedef struct source_conf {
    char location[2048], username[256], password[1024], key_file[1024], known_hosts[1024],
        ca_file[1024];
    orc_source_opts opts;
} source_conf;

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
    default: return SIS_ERR_PROTOCOL;   /* the export's content is at fault */
    }
}

static int fail(sis_error *err, int code, const char *msg)
{
    if (err != NULL) {
        err->code = code;
        snprintf(err->message, sizeof err->message, "%s", msg);
    }
    return code;
}

static int from_orc(sis_error *err, const orc_err *e)
{
    return fail(err, to_sis(e->code), e->msg);
}

static uint64_t setting_u64(sis_instance *inst, const char *key, uint64_t dflt)
{
    char buf[32];
    char *end;
    unsigned long long v;
    if (inst->host->setting_get(inst->app, key, buf, sizeof buf) != SIS_OK || buf[0] == '\0')
        return dflt;
    v = strtoull(buf, &end, 10);
    return *end == '\0' && v > 0 ? (uint64_t)v : dflt;
}

/* Limits and the CA file come from host settings (the manifest's
 * host_settings), the same for every district. */
static void conf_limits(sis_instance *inst, source_conf *c)
{
    c->opts.remote.max_bytes = setting_u64(inst, "max_download_mb", 2048) * 1024 * 1024;
    c->opts.zip.max_entry = setting_u64(inst, "max_entry_mb", 2048) * 1024 * 1024;
    c->opts.zip.max_ratio = setting_u64(inst, "max_ratio", 250);
    if (inst->host->setting_get(inst->app, "ca_file", c->ca_file, sizeof c->ca_file) != SIS_OK)
        c->ca_file[0] = '\0';
    c->opts.remote.ca_file = c->ca_file;
}

static void conf_point(source_conf *c)
{
    c->opts.location = c->location;
    c->opts.remote.username = c->username;
    c->opts.remote.password = c->password;
    c->opts.remote.private_key_file = c->key_file;
    c->opts.remote.known_hosts = c->known_hosts;
}

static void conf_wipe(source_conf *c)
{
    explicit_bzero(c->password, sizeof c->password);
}

/* The stored connection, for schema and sync. */
static int conf_load(sis_instance *inst, source_conf *c, sis_error *err)
{
    const sis_host *h = inst->host;
    memset(c, 0, sizeof *c);
    if (h->config_get(inst->app, "source", c->location, sizeof c->location) != SIS_OK)
        return fail(err, SIS_ERR_CONFIG, "this app is not connected: run connect with --source");
    if (h->config_get(inst->app, "username", c->username, sizeof c->username) != SIS_OK)
        c->username[0] = '\0';
    if (h->config_get(inst->app, "private_key_file", c->key_file, sizeof c->key_file) != SIS_OK)
        c->key_file[0] = '\0';
    if (h->config_get(inst->app, "known_hosts", c->known_hosts, sizeof c->known_hosts) != SIS_OK)
        c->known_hosts[0] = '\0';
    if (h->secret_get(inst->app, "password", c->password, sizeof c->password) != SIS_OK)
        c->password[0] = '\0';
    conf_limits(inst, c);
    conf_point(c);
    return SIS_OK;
}

static const char *param(const sis_auth_request *req, const char *key)
{
    size_t i;
    for (i = 0; i < req->n_params; i++)
        if (req->params[i].key != NULL && strcmp(req->params[i].key, key) == 0)
            return req->params[i].value != NULL ? req->params[i].value : "";
    return "";
}

static int copy_param(char *dst, size_t cap, const char *v, const char *what, sis_error *err)
{
    char msg[128];
    if (strlen(v) >= cap) {
        snprintf(msg, sizeof msg, "the %s is too long", what);
        return fail(err, SIS_ERR_CONFIG, msg);
    }
    memcpy(dst, v, strlen(v) + 1);
    return SIS_OK;
}

/* Checks what the admin typed, before any network or disk access. */
static int conf_from_params(sis_instance *inst, const sis_auth_request *req, source_conf *c,
                            sis_error *err)
{
    const char *src = param(req, "source");
    int url = orc_is_url(src);
    memset(c, 0, sizeof *c);
    if (src[0] == '\0')
        return fail(err, SIS_ERR_CONFIG, "give --source: a OneRoster CSV zip, a folder of CSV "
                    "files, an https:// URL or an sftp:// URL");
    if (url) {
        const char *hostpart = strstr(src, "://") + 3;
        const char *at = strchr(hostpart, '@'), *slash = strchr(hostpart, '/');
        if (at != NULL && (slash == NULL || at < slash) && memchr(hostpart, ':', (size_t)(at - hostpart)))
            return fail(err, SIS_ERR_CONFIG, "the source URL contains a password; give it with "
                        "--password-env or --password-file instead (command lines show in ps)");
        if (copy_param(c->location, sizeof c->location, src, "source URL", err) != SIS_OK)
            return err->code;
    } else if (realpath(src, c->location) == NULL) {
        char msg[2300];
        snprintf(msg, sizeof msg, "the source %s does not exist (give a OneRoster CSV zip or "
                 "folder, or an https:// or sftp:// URL)", src);
        return fail(err, SIS_ERR_NOT_FOUND, msg);
    }
    if (copy_param(c->username, sizeof c->username, param(req, "username"), "username", err) ||
        copy_param(c->password, sizeof c->password, param(req, "password"), "password", err) ||
        copy_param(c->key_file, sizeof c->key_file, param(req, "private_key_file"),
                   "private key file name", err) ||
        copy_param(c->known_hosts, sizeof c->known_hosts, param(req, "known_hosts"),
                   "known-hosts file name", err))
        return err->code;
    if (strncasecmp(c->location, "sftp://", 7) == 0 && c->password[0] == '\0' &&
        c->key_file[0] == '\0')
        return fail(err, SIS_ERR_CONFIG, "an sftp:// source needs a password (--password-env or "
                    "--password-file) or --private-key-file");
    conf_limits(inst, c);
    conf_point(c);
    return SIS_OK;
}

static int store(sis_instance *inst, const source_conf *c, sis_error *err)
{
    const sis_host *h = inst->host;
    if (h->config_set(inst->app, "source", c->location) != SIS_OK ||
        h->config_set(inst->app, "username", c->username[0] ? c->username : NULL) != SIS_OK ||
        h->config_set(inst->app, "private_key_file", c->key_file[0] ? c->key_file : NULL) != SIS_OK ||
        h->config_set(inst->app, "known_hosts", c->known_hosts[0] ? c->known_hosts : NULL) != SIS_OK ||
        h->secret_set(inst->app, "password", c->password[0] ? c->password : NULL) != SIS_OK)
        return fail(err, SIS_ERR_GENERIC, "the host could not store the connection settings");
    return SIS_OK;
}

static int orc_authenticate(sis_instance *inst, const sis_auth_request *req, sis_auth_result *res,
                            sis_error *err)
{
    source_conf c;
    orc_source *src = NULL;
    orc_manifest m;
    orc_err e = {0, ""};
    int rc;

    if (inst == NULL || req == NULL || res == NULL)
        return fail(err, SIS_ERR_INVALID_ARG, "authenticate: missing request or result");
    if (req->step != SIS_AUTH_MANUAL)
        return fail(err, SIS_ERR_NOT_SUPPORTED, "OneRoster CSV has no interactive login: give "
                    "--source and, for SFTP, its credentials");
    rc = conf_from_params(inst, req, &c, err);
    if (rc == SIS_OK) {
        rc = orc_source_open(&src, &c.opts, &e);
        if (rc == ORC_OK)
            rc = orc_export_verify(src, &m, &e);
        rc = rc == ORC_OK ? SIS_OK : from_orc(err, &e);
    }
    if (rc == SIS_OK)
        rc = store(inst, &c, err);
    if (rc == SIS_OK) {
        snprintf(res->tenant_name, sizeof res->tenant_name, "%s", m.system_name);
        snprintf(res->server, sizeof res->server, "%s (users: %s file)", orc_source_label(src),
                 orc_file_mode_name(m.users));
        res->visible_users = UINT64_MAX;
    }
    orc_source_close(src);
    conf_wipe(&c);
    return rc;
}

/* ---- discover_schema ------------------------------------------------ */

typedef struct schema_ctx {
    const sis_schema_sink *sink;
} schema_ctx;

static int schema_role(void *ctx, const char *role, uint64_t count)
{
    schema_ctx *s = ctx;
    sis_schema_role r = {role, count};
    return s->sink->role(s->sink->ctx, &r) == SIS_OK ? ORC_OK : ORC_ERR_SINK;
}

static int schema_field(void *ctx, const char *role, const char *path, const char *label,
                        orc_type type, int is_metadata, uint64_t filled, uint64_t sampled)
{
    static const sis_field_type types[] = {SIS_FIELD_STRING, SIS_FIELD_NUMBER, SIS_FIELD_BOOLEAN,
                                           SIS_FIELD_DATE, SIS_FIELD_LIST};
    schema_ctx *s = ctx;
    sis_schema_field f = {role, path, label, types[type], is_metadata, filled, sampled};
    return s->sink->field(s->sink->ctx, &f) == SIS_OK ? ORC_OK : ORC_ERR_SINK;
}

static void org_to_sis(const orc_org *o, sis_org *out)
{
    out->sourced_id = o->sourced_id;
    out->status = o->tobedeleted ? SIS_RECORD_TOBEDELETED : SIS_RECORD_ACTIVE;
    out->name = o->name;
    out->type = o->type;
    out->identifier = o->identifier;
    out->parent_id = o->parent_id;
}

static int schema_org(void *ctx, const orc_org *o)
{
    schema_ctx *s = ctx;
    sis_org org;
    org_to_sis(o, &org);
    return s->sink->org(s->sink->ctx, &org) == SIS_OK ? ORC_OK : ORC_ERR_SINK;
}

static int orc_discover_schema(sis_instance *inst, const sis_schema_sink *sink, sis_error *err)
{
    source_conf c;
    orc_source *src = NULL;
    orc_manifest m;
    orc_err e = {0, ""};
    schema_ctx ctx = {sink};
    orc_schema_cb cb = {&ctx, schema_role, schema_field, schema_org};
    int rc;

    if (inst == NULL || sink == NULL)
        return fail(err, SIS_ERR_INVALID_ARG, "discover_schema: missing sink");
    rc = conf_load(inst, &c, err);
    if (rc != SIS_OK)
        return rc;
    rc = orc_source_open(&src, &c.opts, &e);
    if (rc == ORC_OK)
        rc = orc_export_manifest(src, &m, &e);
    if (rc == ORC_OK)
        rc = orc_schema_discover(src, &m, setting_u64(inst, "schema_sample", SCHEMA_SAMPLE), &cb, &e);
    if (rc == ORC_ERR_SINK && e.msg[0] == '\0')
        orc_fail(&e, ORC_ERR_SINK, "the host refused the schema");
    orc_source_close(src);
    conf_wipe(&c);
    return rc == ORC_OK ? SIS_OK : from_orc(err, &e);
}

/* ---- fetch_users ---------------------------------------------------- */

typedef struct fetch_ctx {
    sis_instance *inst;
    const sis_sink *sink;
    sis_field *fields;        /* ORC_CSV_COLUMNS_MAX of them */
} fetch_ctx;

static int fetch_org(void *ctx, const orc_org *o, orc_err *err)
{
    fetch_ctx *f = ctx;
    sis_org org;
    org_to_sis(o, &org);
    if (f->sink->org(f->sink->ctx, &org) != SIS_OK)
        return orc_fail(err, ORC_ERR_SINK, "the host refused the org on orgs.csv line %lu", o->line);
    return ORC_OK;
}

static int fetch_user(void *ctx, const orc_user *u, orc_err *err)
{
    fetch_ctx *f = ctx;
    sis_record r;
    size_t i;
    for (i = 0; i < u->n_fields; i++) {
        f->fields[i].path = u->fields[i].path;
        f->fields[i].value = u->fields[i].value;
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
    if (f->sink->record(f->sink->ctx, &r) != SIS_OK)
        return orc_fail(err, ORC_ERR_SINK, "the host refused the user on users.csv line %lu",
                        u->line);
    return ORC_OK;
}

static int fetch_cancelled(void *ctx)
{
    fetch_ctx *f = ctx;
    return f->inst->host->is_cancelled(f->inst->app);
}

static void fetch_progress(void *ctx, const char *phase, uint64_t done)
{
    fetch_ctx *f = ctx;
    f->inst->host->progress(f->inst->app, phase, done, 0);
}

static int orc_fetch_users(sis_instance *inst, const sis_fetch_request *req, const sis_sink *sink,
                           sis_fetch_result *res, sis_error *err)
{
    source_conf c;
    orc_source *src = NULL;
    orc_err e = {0, ""};
    orc_stream_stats st;
    fetch_ctx ctx = {inst, sink, NULL};
    orc_stream_cb cb = {&ctx, fetch_org, fetch_user, fetch_cancelled, fetch_progress};
    int rc;

    if (inst == NULL || req == NULL || sink == NULL || res == NULL)
        return fail(err, SIS_ERR_INVALID_ARG, "fetch_users: missing request, sink or result");
    memset(&st, 0, sizeof st);
    res->complete = 0;
    res->watermark[0] = '\0';
    snprintf(res->incomplete_reason, sizeof res->incomplete_reason, "the export could not be read");
    rc = conf_load(inst, &c, err);
    if (rc != SIS_OK)
        return rc;
    ctx.fields = calloc(ORC_CSV_COLUMNS_MAX, sizeof *ctx.fields);
    if (ctx.fields == NULL)
        rc = orc_fail(&e, ORC_ERR_NOMEM, "out of memory");
    else
        rc = orc_source_open(&src, &c.opts, &e);
    conf_wipe(&c);
    if (rc == ORC_OK) {
        rc = orc_export_stream(src, &cb, &st, &e);
        res->requests = orc_source_downloaded(src) > 0;
        res->bytes = orc_source_downloaded(src) ? orc_source_downloaded(src) : st.bytes;
    }
    res->orgs = st.orgs;
    res->records = st.users;
    res->complete = rc == ORC_OK && st.complete;
    if (rc == ORC_OK && !st.complete)
        snprintf(res->incomplete_reason, sizeof res->incomplete_reason, "%s", st.incomplete_reason);
    else if (rc == ORC_OK)
        res->incomplete_reason[0] = '\0';
    else
        snprintf(res->incomplete_reason, sizeof res->incomplete_reason, "%s", e.msg);
    orc_source_close(src);
    free(ctx.fields);
    return rc == ORC_OK ? SIS_OK : from_orc(err, &e);
}

/* ---- apply_mappings (pure: reads only its arguments) --------------- */

static const char *const default_paths[] = {"givenName", "familyName", "email", "username",
                                            "identifier"};
static const char *const default_student_paths[] = {"givenName", "familyName", "email",
                                                    "username", "identifier", "grades"};

static const char *field_value(const sis_record *r, const char *path)
{
    size_t i;
    for (i = 0; i < r->n_fields; i++)
        if (strcmp(r->fields[i].path, path) == 0)
            return r->fields[i].value;
    return NULL;
}

static const char *lookup(const sis_pair *pairs, size_t n, const char *from)
{
    size_t i;
    for (i = 0; i < n; i++)
        if (strcmp(pairs[i].from, from) == 0)
            return pairs[i].to;
    return NULL;
}

static int orc_apply_mappings(sis_instance *inst, const sis_record *r, const sis_mapping *m,
                              sis_user_fn emit, void *ctx, sis_error *err)
{
    sis_field fields[MAX_MAPPED_FIELDS];
    const char *locations[ORC_MAX_ORGS], *unmapped[ORC_MAX_ORGS];
    const char *const *paths = default_paths;
    size_t n_paths = sizeof default_paths / sizeof default_paths[0];
    size_t i, j, n_fields = 0, n_loc = 0, n_unmapped = 0;
    sis_host_user u;
    const char *v;
    (void)inst;

    if (r == NULL || m == NULL || emit == NULL || r->sourced_id == NULL || r->role == NULL)
        return fail(err, SIS_ERR_INVALID_ARG, "apply_mappings needs a record with an id and a "
                    "role, a mapping and an emit callback");
    for (i = 0; i < m->n_role_fields; i++)
        if (strcmp(m->role_fields[i].role, r->role) == 0) {
            paths = m->role_fields[i].paths;
            n_paths = m->role_fields[i].n_paths;
            break;
        }
    if (i == m->n_role_fields && strcmp(r->role, "student") == 0) {
        paths = default_student_paths;
        n_paths = sizeof default_student_paths / sizeof default_student_paths[0];
    }
    for (i = 0; i < n_paths && n_fields < MAX_MAPPED_FIELDS; i++) {
        if (strncmp(paths[i], "metadata.", 9) == 0 && !m->show_metadata)
            continue;
        v = field_value(r, paths[i]);
        fields[n_fields].path = paths[i];
        fields[n_fields++].value = v != NULL ? v : "";
    }
    for (i = 0; i < r->n_org_ids && i < ORC_MAX_ORGS; i++) {
        v = lookup(m->location_map, m->n_location_map, r->org_ids[i]);
        if (v == NULL) {
            unmapped[n_unmapped++] = r->org_ids[i];
            continue;
        }
        for (j = 0; j < n_loc && strcmp(locations[j], v) != 0; j++)
            ;
        if (j == n_loc)
            locations[n_loc++] = v;
    }
    memset(&u, 0, sizeof u);
    u.sourced_id = r->sourced_id;
    u.role = r->role;
    u.active = r->status == SIS_RECORD_ACTIVE && r->enabled;
    u.given_name = (v = field_value(r, "givenName")) ? v : "";
    u.family_name = (v = field_value(r, "familyName")) ? v : "";
    u.email = (v = field_value(r, "email")) ? v : "";
    u.username = (v = field_value(r, "username")) ? v : "";
    u.portal_role = lookup(m->role_map, m->n_role_map, r->role);
    u.role_unmapped = m->n_role_map > 0 && u.portal_role == NULL;
    u.locations = locations;
    u.n_locations = n_loc;
    u.unmapped_org_ids = unmapped;
    u.n_unmapped_org_ids = n_unmapped;
    u.fields = fields;
    u.n_fields = n_fields;
    return emit(ctx, &u) == SIS_OK ? SIS_OK : fail(err, SIS_ERR_SINK, "the host refused a mapped user");
}

/* ---- instance, vtable, entry ---------------------------------------- */

static int orc_create(sis_instance **out, const sis_host *host, sis_host_app *app, sis_error *err)
{
    sis_instance *inst;
    if (out == NULL || host == NULL)
        return fail(err, SIS_ERR_INVALID_ARG, "create: the host passed no output or services table");
    inst = calloc(1, sizeof *inst);
    if (inst == NULL)
        return fail(err, SIS_ERR_NOMEM, "create: out of memory");
    inst->host = host;
    inst->app = app;
    *out = inst;
    return SIS_OK;
}

static void orc_destroy(sis_instance *inst)
{
    free(inst);
}

static const sis_connector orc_connector = {
    .abi_version = SIS_ABI_VERSION,
    .struct_size = sizeof(sis_connector),
    .id = ORC_PLUGIN_ID,
    .name = ORC_PLUGIN_NAME,
    .version = ORC_PLUGIN_VERSION,
    .kind = SIS_KIND_SIS,
    .capabilities = SIS_CAP_AUTH_MANUAL | SIS_CAP_SCHEMA | SIS_CAP_FETCH_FULL | SIS_CAP_METADATA |
                    SIS_CAP_ORGS,
    .create = orc_create,
    .destroy = orc_destroy,
    .authenticate = orc_authenticate,
    .discover_schema = orc_discover_schema,
    .fetch_users = orc_fetch_users,
    .apply_mappings = orc_apply_mappings,
};

__attribute__((visibility("default")))
int oneroster_csv_entry(uint32_t host_abi, const sis_host *host, const sis_connector **out,
                        sis_error *err);

int oneroster_csv_entry(uint32_t host_abi, const sis_host *host, const sis_connector **out,
                        sis_error *err)
{
    char msg[256];
    if (out == NULL)
        return fail(err, SIS_ERR_INVALID_ARG, "the host passed no output pointer");
    *out = NULL;
    if (SIS_ABI_MAJOR(host_abi) != SIS_ABI_VERSION_MAJOR) {
        snprintf(msg, sizeof msg, "the OneRoster CSV plugin speaks SIS ABI %u.x but the host "
                 "speaks %u.%u; install the plugin release built for this host",
                 (unsigned)SIS_ABI_VERSION_MAJOR, (unsigned)SIS_ABI_MAJOR(host_abi),
                 (unsigned)SIS_ABI_MINOR(host_abi));
        return fail(err, SIS_ERR_ABI, msg);
    }
    if (host == NULL || SIS_ABI_MAJOR(host->abi_version) != SIS_ABI_VERSION_MAJOR ||
        host->struct_size < offsetof(sis_host, is_cancelled) + sizeof(host->is_cancelled))
        return fail(err, SIS_ERR_ABI, "the host's services table is missing or older than SIS "
                    "ABI 1.0");
    *out = &orc_connector;
    return SIS_OK;
}
