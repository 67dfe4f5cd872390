/*
 * connector.c - the ClassLink SIS connector's entry point and vtable.
 *
 * This file is the only place that knows the shape of sis_connector; each
 * operation lives in a module of its own.  It is also where every struct
 * the host hands in is checked for size (sis/plugin.h: whoever receives a
 * struct checks struct_size), so the modules behind it can trust them.
 */
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <sis/connector.h>

#include "authn.h"
#include "cl_error.h"
#include "declarations.h"
#include "fetch.h"
#include "instance.h"
#include "schema.h"
#include "sis_kit.h"

#define CL_PLUGIN_ID "classlink"
#define CL_PLUGIN_NAME "ClassLink SIS"
#ifndef CL_PLUGIN_VERSION
#error "CL_PLUGIN_VERSION comes from the Makefile's VERSION"
#endif

static int cl_init(const sis_host *host, sis_error *err)
{
    (void)host;
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
        return cl_fail(err, SIS_ERR_GENERIC, "libcurl could not initialise (TLS library)");
    return SIS_OK;
}

static void cl_shutdown(void)
{
    curl_global_cleanup();
}

static int cl_create(sis_instance **out, const sis_host *host, sis_host_app *app,
                     sis_error *err)
{
    sis_instance *inst;

    if (out == NULL || host == NULL)
        return cl_fail(err, SIS_ERR_INVALID_ARG, "create: the host passed no output or services table");
    inst = calloc(1, sizeof *inst);
    if (inst == NULL)
        return cl_fail(err, SIS_ERR_NOMEM, "create: out of memory");
    inst->host = host;
    inst->app = app;
    *out = inst;
    return SIS_OK;
}

static void cl_destroy(sis_instance *inst)
{
    free(inst);
}

static int checked_authenticate(sis_instance *inst, const sis_auth_request *req,
                                sis_auth_result *res, sis_error *err)
{
    int rc = sis_kit_check_auth(req, res, err);
    return rc != SIS_OK ? rc : cl_authenticate(inst, req, res, err);
}

static int checked_discover(sis_instance *inst, const sis_schema_sink *sink, sis_error *err)
{
    int rc = sis_kit_check_schema_sink(sink, err);
    return rc != SIS_OK ? rc : cl_discover_schema(inst, sink, err);
}

static int checked_fetch(sis_instance *inst, const sis_fetch_request *req, const sis_sink *sink,
                         sis_fetch_result *res, sis_error *err)
{
    int rc = sis_kit_check_fetch(req, sink, res, err);
    return rc != SIS_OK ? rc : cl_fetch_users(inst, req, sink, res, err);
}

static int checked_apply(sis_instance *inst, const sis_record *record, const sis_mapping *mapping,
                         sis_user_fn emit, void *ctx, sis_error *err)
{
    int rc = sis_kit_check_apply(record, mapping, err);
    (void)inst;   /* the standard mapping is pure: the host may call it from any thread */
    return rc != SIS_OK ? rc : sis_kit_apply_mappings(record, mapping, emit, ctx, err);
}

static const sis_connector cl_connector = {
    .header = {
        .abi_version = SIS_ABI_VERSION,
        .struct_size = sizeof(sis_connector),
        .kind = SIS_KIND_SIS,
        .capabilities = SIS_CAP_AUTH_LOGIN | SIS_CAP_AUTH_MANUAL | SIS_CAP_SCHEMA |
                        SIS_CAP_FETCH_FULL | SIS_CAP_FETCH_DELTA | SIS_CAP_METADATA |
                        SIS_CAP_ORGS,
        .id = CL_PLUGIN_ID,
        .name = CL_PLUGIN_NAME,
        .version = CL_PLUGIN_VERSION,
        .description = "Imports students, teachers and staff from a district's ClassLink Roster "
                       "Server (OneRoster 1.1/1.2).",
        .decls = cl_decls,
        .n_decls = CL_N_DECLS,
        .init = cl_init,
        .shutdown = cl_shutdown,
    },
    .create = cl_create,
    .destroy = cl_destroy,
    .authenticate = checked_authenticate,
    .discover_schema = checked_discover,
    .fetch_users = checked_fetch,
    .apply_mappings = checked_apply,
};

__attribute__((visibility("default")))
int classlink_sis_entry(uint32_t host_abi, const sis_host *host,
                        const sis_plugin_header **out, sis_error *err);

int classlink_sis_entry(uint32_t host_abi, const sis_host *host,
                        const sis_plugin_header **out, sis_error *err)
{
    int rc;
    if (out == NULL)
        return cl_fail(err, SIS_ERR_INVALID_ARG, "the host passed no output pointer");
    *out = NULL;
    rc = sis_kit_entry_check(host_abi, host, "the ClassLink connector", err);
    if (rc != SIS_OK)
        return rc;
    *out = &cl_connector.header;
    return SIS_OK;
}
