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
#include "mapping.h"
#include "schema.h"

#define CL_PLUGIN_ID "classlink"
#define CL_PLUGIN_NAME "ClassLink SIS"
#ifndef CL_PLUGIN_VERSION
#error "CL_PLUGIN_VERSION comes from the Makefile's VERSION"
#endif

/* True when `p` is non-NULL and was built at least as large as this
 * plugin's view of `type` up to `last` (the last member it reads). */
#define FITS(p, type, last) ((p) != NULL && SIS_HAS_MEMBER(p, type, last))

static int too_small(sis_error *err, const char *what)
{
    return cl_fail(err, SIS_ERR_ABI, "the host passed a %s older than SIS ABI %d.%d; update the "
                   "host", what, SIS_ABI_VERSION_MAJOR, SIS_ABI_VERSION_MINOR);
}

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
    if (!FITS(req, sis_auth_request, n_params))
        return too_small(err, "sis_auth_request");
    if (!FITS(res, sis_auth_result, visible_users))
        return too_small(err, "sis_auth_result");
    return cl_authenticate(inst, req, res, err);
}

static int checked_discover(sis_instance *inst, const sis_schema_sink *sink, sis_error *err)
{
    if (!FITS(sink, sis_schema_sink, org))
        return too_small(err, "sis_schema_sink");
    return cl_discover_schema(inst, sink, err);
}

static int checked_fetch(sis_instance *inst, const sis_fetch_request *req, const sis_sink *sink,
                         sis_fetch_result *res, sis_error *err)
{
    if (!FITS(req, sis_fetch_request, n_paths))
        return too_small(err, "sis_fetch_request");
    if (!FITS(sink, sis_sink, invalid))
        return too_small(err, "sis_sink");
    if (!FITS(res, sis_fetch_result, bytes))
        return too_small(err, "sis_fetch_result");
    return cl_fetch_users(inst, req, sink, res, err);
}

static int checked_apply(sis_instance *inst, const sis_record *record, const sis_mapping *mapping,
                         sis_user_fn emit, void *ctx, sis_error *err)
{
    if (!FITS(record, sis_record, n_fields))
        return too_small(err, "sis_record");
    if (!FITS(mapping, sis_mapping, n_location_map))
        return too_small(err, "sis_mapping");
    return cl_apply_mappings(inst, record, mapping, emit, ctx, err);
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
    if (out == NULL)
        return cl_fail(err, SIS_ERR_INVALID_ARG, "the host passed no output pointer");
    *out = NULL;
    if (SIS_ABI_MAJOR(host_abi) != SIS_ABI_VERSION_MAJOR)
        return cl_fail(err, SIS_ERR_ABI,
                       "the ClassLink connector speaks SIS ABI %u.x but the host speaks %u.%u; "
                       "install the connector release built for this host",
                       (unsigned)SIS_ABI_VERSION_MAJOR, (unsigned)SIS_ABI_MAJOR(host_abi),
                       (unsigned)SIS_ABI_MINOR(host_abi));
    if (host == NULL || SIS_ABI_MAJOR(host->abi_version) != SIS_ABI_VERSION_MAJOR ||
        host->struct_size < offsetof(sis_host, is_cancelled) + sizeof(host->is_cancelled))
        return cl_fail(err, SIS_ERR_ABI,
                       "the host's services table is missing or older than SIS ABI %d.0",
                       SIS_ABI_VERSION_MAJOR);
    *out = &cl_connector.header;
    return SIS_OK;
}
