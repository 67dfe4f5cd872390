/*
 * test_plugin.c - small SIS plugins for the loader tests, one source built
 * into several variants (-DVARIANT_good, _newer_abi, _null_slot,
 * _wrong_identity).  "good" is a complete second SIS plugin with a tiny
 * fixed roster, so the host can run two plugins side by side.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sis/connector.h>

struct sis_instance {
    const sis_host *host;
    sis_host_app *app;
};

static int fail(sis_error *err, int code, const char *msg)
{
    if (err != NULL) {
        err->code = code;
        snprintf(err->message, sizeof err->message, "%s", msg);
    }
    return code;
}

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

static int tp_authenticate(sis_instance *inst, const sis_auth_request *req, sis_auth_result *res,
                           sis_error *err)
{
    size_t i;
    if (req->step != SIS_AUTH_MANUAL)
        return fail(err, SIS_ERR_NOT_SUPPORTED, "the test SIS offers manual credentials only");
    for (i = 0; i < req->n_params; i++)
        if (strcmp(req->params[i].key, "token") == 0 && strcmp(req->params[i].value, "letmein") == 0) {
            snprintf(res->tenant_name, sizeof res->tenant_name, "Test District");
            snprintf(res->server, sizeof res->server, "memory:");
            res->visible_users = 3;
            return inst->host->secret_set(inst->app, "token", req->params[i].value);
        }
    return fail(err, SIS_ERR_AUTH, "the test SIS rejected the token");
}

__attribute__((unused)) static int tp_discover(sis_instance *inst, const sis_schema_sink *sink, sis_error *err)
{
    sis_schema_role role = {"student", 3};
    sis_schema_field f = {"student", "givenName", "First name", SIS_FIELD_STRING, 0, 3, 3};
    (void)inst; (void)err;
    sink->role(sink->ctx, &role);
    return sink->field(sink->ctx, &f);
}

static const char *const roster[][3] = {
    {"t-1", "Ada", "student"}, {"t-2", "Grace", "student"}, {"t-3", "Alan", "teacher"}};

static int tp_fetch(sis_instance *inst, const sis_fetch_request *req, const sis_sink *sink,
                    sis_fetch_result *res, sis_error *err)
{
    size_t i;
    (void)inst; (void)req;
    for (i = 0; i < 3; i++) {
        const char *roles[1] = {roster[i][2]};
        sis_field field = {"givenName", roster[i][1]};
        sis_record r = {roster[i][0], SIS_RECORD_ACTIVE, 1, "2026-01-01T00:00:00.000Z",
                        roster[i][2], roles, 1, NULL, 0, &field, 1};
        if (sink->record(sink->ctx, &r) != SIS_OK)
            return fail(err, SIS_ERR_SINK, "the host refused a record");
        res->records++;
    }
    res->complete = 1;
    return SIS_OK;
}

static int tp_apply(sis_instance *inst, const sis_record *rec, const sis_mapping *map,
                    sis_user_fn emit, void *ctx, sis_error *err)
{
    sis_host_user u;
    (void)inst; (void)map; (void)err;
    memset(&u, 0, sizeof u);
    u.sourced_id = rec->sourced_id;
    u.role = rec->role;
    u.active = rec->status == SIS_RECORD_ACTIVE && rec->enabled;
    u.given_name = rec->n_fields > 0 ? rec->fields[0].value : "";
    u.family_name = u.email = u.username = "";
    return emit(ctx, &u);
}

static sis_connector tp_connector = {
#ifdef VARIANT_newer_abi
    .abi_version = SIS_ABI_MAKE(SIS_ABI_VERSION_MAJOR + 1, 0),
#else
    .abi_version = SIS_ABI_VERSION,
#endif
    .struct_size = sizeof(sis_connector),
#ifdef VARIANT_wrong_identity
    .id = "someone-else",
#else
    .id = "testsis",
#endif
    .name = "Test SIS",
    .version = "1.0.0",
    .kind = SIS_KIND_SIS,
    .capabilities = SIS_CAP_AUTH_MANUAL | SIS_CAP_FETCH_FULL,
    .create = tp_create,
    .destroy = tp_destroy,
    .authenticate = tp_authenticate,
#ifndef VARIANT_null_slot
    .discover_schema = tp_discover,
#endif
    .fetch_users = tp_fetch,
    .apply_mappings = tp_apply,
};

__attribute__((visibility("default")))
int sis_plugin_entry(uint32_t host_abi, const sis_host *host, const sis_connector **out,
                     sis_error *err);

int sis_plugin_entry(uint32_t host_abi, const sis_host *host, const sis_connector **out,
                     sis_error *err)
{
    (void)host; (void)err; (void)host_abi;
    /* The variants deliberately skip their own ABI check, so that the host's
     * checks are what the tests exercise. */
    *out = &tp_connector;
    return SIS_OK;
}
