/*
 * test_plugin.c - small plugins for the loader and contract tests, one
 * source built into several variants (-DVARIANT_good, _newer_abi,
 * _null_slot, _wrong_identity, _bad_decl, _sso).
 *
 * "good" is a complete second SIS plugin with declarations of its own (a
 * secret token, a region choice, a roster_size setting) and a tiny roster
 * whose size is that setting: the host runs it through the same commands
 * as ClassLink with no line written for it.  "sso" is an SSO provider, so
 * the marketplace has a second section.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sis/connector.h>
#include <sis/sso.h>

#define TP_VERSION "1.0.0"

static int fail(sis_error *err, int code, const char *msg)
{
    return sis_error_set(err, code, "%s", msg);
}

#ifdef VARIANT_sso

struct sis_sso_session {
    int unused;
};

static int sso_create(sis_sso_session **out, const sis_host *host, sis_host_app *app, sis_error *err)
{
    (void)host; (void)app;
    *out = calloc(1, sizeof **out);
    return *out ? SIS_OK : fail(err, SIS_ERR_NOMEM, "out of memory");
}

static void sso_destroy(sis_sso_session *s)
{
    free(s);
}

static int sso_url(sis_sso_session *s, const char *redirect_uri, const char *state,
                   sis_text_out *url, sis_error *err)
{
    (void)s; (void)redirect_uri; (void)state; (void)err;
    return sis_text_set(url, "https://sso.invalid/authorize");
}

static int sso_complete(sis_sso_session *s, const char *redirect_uri, const sis_kv *params,
                        size_t n, sis_sso_identity *who, sis_error *err)
{
    (void)s; (void)redirect_uri; (void)params; (void)n; (void)who;
    return fail(err, SIS_ERR_NOT_SUPPORTED, "the test SSO signs nobody in");
}

static const sis_sso_provider tp_sso = {
    .header = {
        .abi_version = SIS_ABI_VERSION,
        .struct_size = sizeof(sis_sso_provider),
        .kind = SIS_KIND_SSO,
        .id = "testsso",
        .name = "Test SSO",
        .version = TP_VERSION,
        .description = "A single sign-on provider for the marketplace tests.",
    },
    .create = sso_create,
    .destroy = sso_destroy,
    .sign_in_url = sso_url,
    .complete = sso_complete,
};

#define TP_TABLE (&tp_sso.header)

#else /* an SIS variant */

struct sis_instance {
    const sis_host *host;
    sis_host_app *app;
};

static const char *const regions[] = {"eu", "us"};
static const sis_decl d_token = {sizeof(sis_decl), SIS_DECL_CREDENTIAL, "token", "API token",
                                 SIS_VALUE_SECRET, 1, NULL, 0, 0, NULL, 0, "The district's token."};
static const sis_decl d_region = {sizeof(sis_decl), SIS_DECL_CREDENTIAL, "region", "Region",
                                  SIS_VALUE_CHOICE, 0, "eu", 0, 0, regions, 2, NULL};
static const sis_decl d_roster = {sizeof(sis_decl), SIS_DECL_SETTING, "roster_size",
                                  "Users in the roster", SIS_VALUE_INTEGER, 0,
#ifdef VARIANT_bad_decl
                                  "99",
#else
                                  "3",
#endif
                                  1, 50, NULL, 0, "How many users the test SIS has."};
static const sis_decl *const tp_decls[] = {&d_token, &d_region, &d_roster};

static int tp_create(sis_instance **out, const sis_host *host, sis_host_app *app, sis_error *err)
{
    sis_instance *inst = calloc(1, sizeof *inst);
    if (inst == NULL)
        return fail(err, SIS_ERR_NOMEM, "out of memory");
    inst->host = host;
    inst->app = app;
    *out = inst;
    return SIS_OK;
}

static void tp_destroy(sis_instance *inst)
{
    free(inst);
}

static const char *param(const sis_auth_request *req, const char *key)
{
    size_t i;
    for (i = 0; i < req->n_params; i++)
        if (strcmp(req->params[i].key, key) == 0)
            return req->params[i].value;
    return NULL;
}

static int tp_authenticate(sis_instance *inst, const sis_auth_request *req, sis_auth_result *res,
                           sis_error *err)
{
    const char *token = param(req, "token"), *region = param(req, "region");
    int rc;
    if (req->step != SIS_AUTH_MANUAL)
        return fail(err, SIS_ERR_NOT_SUPPORTED, "the test SIS offers manual credentials only");
    if (token == NULL || strcmp(token, "letmein") != 0)
        return fail(err, SIS_ERR_AUTH, "the test SIS rejected the token");
    sis_text_set(&res->tenant_name, "Test District");
    sis_text_set(&res->source, region != NULL ? region : "eu");
    res->visible_users = 3;
    rc = inst->host->secret_set(inst->app, "token", token);
    if (rc == SIS_OK)
        rc = inst->host->config_set(inst->app, "region", region != NULL ? region : "eu");
    return rc;
}

__attribute__((unused)) static int tp_discover(sis_instance *inst, const sis_schema_sink *sink,
                                               sis_error *err)
{
    sis_schema_role role = SIS_SCHEMA_ROLE_INIT;
    sis_schema_field f = SIS_SCHEMA_FIELD_INIT;
    (void)inst; (void)err;
    role.role = "student";
    role.count = 3;
    f.role = "student";
    f.path = "givenName";
    f.label = "First name";
    f.filled = f.sampled = 3;
    sink->role(sink->ctx, &role);
    return sink->field(sink->ctx, &f);
}

static const char *const names[] = {"Ada", "Grace", "Alan", "Edsger", "Barbara"};

static int tp_fetch(sis_instance *inst, const sis_fetch_request *req, const sis_sink *sink,
                    sis_fetch_result *res, sis_error *err)
{
    char buf[16], id[32], token[64];
    long i, n = 3;
    (void)req;
    if (inst->host->secret_get(inst->app, "token", token, sizeof token) != SIS_OK)
        return fail(err, SIS_ERR_CONFIG, "the test SIS is not connected");
    if (inst->host->config_get(inst->app, "roster_size", buf, sizeof buf) == SIS_OK)
        n = atol(buf);
    for (i = 0; i < n; i++) {
        const char *role = i % 3 == 2 ? "teacher" : "student";
        const char *roles[1] = {role};
        static const char *const grades[] = {"09", "10"};
        sis_field fields[2] = {{"givenName", names[i % 5], NULL, 0}, {"grades", "09, 10", grades, 2}};
        sis_record r = SIS_RECORD_INIT;
        snprintf(id, sizeof id, "t-%ld", i + 1);
        r.sourced_id = id;
        r.modified = "2026-01-01T00:00:00.000Z";
        r.role = role;
        r.roles = roles;
        r.n_roles = 1;
        r.fields = fields;
        r.n_fields = 2;
        if (sink->record(sink->ctx, &r) != SIS_OK)
            return fail(err, SIS_ERR_SINK, "the host refused a record");
        res->records++;
        /* The ABI lets a plugin read its config on the calling thread during
         * a fetch, while the host stores the records on another thread. */
        if (inst->host->config_get(inst->app, "roster_size", buf, sizeof buf) == SIS_ERR_GENERIC)
            return fail(err, SIS_ERR_GENERIC, "the host could not read the config mid-fetch");
    }
    res->complete = 1;
    return SIS_OK;
}

static int tp_apply(sis_instance *inst, const sis_record *rec, const sis_mapping *map,
                    sis_user_fn emit, void *ctx, sis_error *err)
{
    sis_host_user u = SIS_HOST_USER_INIT;
    (void)inst; (void)map; (void)err;
    u.sourced_id = rec->sourced_id;
    u.role = rec->role;
    u.active = rec->status == SIS_RECORD_ACTIVE && rec->enabled;
    u.given_name = rec->n_fields > 0 ? rec->fields[0].value : "";
    u.fields = rec->fields;
    u.n_fields = rec->n_fields;
    return emit(ctx, &u);
}

static const sis_connector tp_connector = {
    .header = {
#ifdef VARIANT_newer_abi
        .abi_version = SIS_ABI_MAKE(SIS_ABI_VERSION_MAJOR + 1, 0),
#else
        .abi_version = SIS_ABI_VERSION,
#endif
        .struct_size = sizeof(sis_connector),
        .kind = SIS_KIND_SIS,
        .capabilities = SIS_CAP_AUTH_MANUAL | SIS_CAP_FETCH_FULL | SIS_CAP_SCHEMA,
#if defined(VARIANT_wrong_identity)
        .id = "someone-else",
#elif defined(VARIANT_bad_decl)
        .id = "baddecl",
#else
        .id = "testsis",
#endif
        .name = "Test SIS",
        .version = TP_VERSION,
        .description = "A tiny SIS with declarations of its own, for the contract tests.",
        .decls = tp_decls,
        .n_decls = sizeof tp_decls / sizeof tp_decls[0],
    },
    .create = tp_create,
    .destroy = tp_destroy,
    .authenticate = tp_authenticate,
#ifndef VARIANT_null_slot
    .discover_schema = tp_discover,
#endif
    .fetch_users = tp_fetch,
    .apply_mappings = tp_apply,
};

#define TP_TABLE (&tp_connector.header)

#endif

__attribute__((visibility("default")))
int sis_plugin_entry(uint32_t host_abi, const sis_host *host, const sis_plugin_header **out,
                     sis_error *err);

int sis_plugin_entry(uint32_t host_abi, const sis_host *host, const sis_plugin_header **out,
                     sis_error *err)
{
    (void)host; (void)err; (void)host_abi;
    /* The variants deliberately skip their own ABI check, so that the host's
     * checks are what the tests exercise. */
    *out = TP_TABLE;
    return SIS_OK;
}
