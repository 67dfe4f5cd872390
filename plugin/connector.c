/*
 * connector.c - the ClassLink SIS connector's entry point and vtable.
 *
 * This file is the only place that knows the shape of sis_connector; each
 * operation lives in a module of its own.
 */
#include <stdlib.h>
#include <string.h>

#include <sis/connector.h>

#include "cl_error.h"
#include "authn.h"
#include "fetch.h"
#include "instance.h"
#include "mapping.h"
#include "schema.h"

#define CL_PLUGIN_ID "classlink"
#define CL_PLUGIN_NAME "ClassLink SIS"
#ifndef CL_PLUGIN_VERSION
#define CL_PLUGIN_VERSION "0.1.0"
#endif

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

static const sis_connector cl_connector = {
    .abi_version = SIS_ABI_VERSION,
    .struct_size = sizeof(sis_connector),
    .id = CL_PLUGIN_ID,
    .name = CL_PLUGIN_NAME,
    .version = CL_PLUGIN_VERSION,
    .kind = SIS_KIND_SIS,
    .capabilities = SIS_CAP_AUTH_LOGIN | SIS_CAP_AUTH_MANUAL | SIS_CAP_SCHEMA |
                    SIS_CAP_FETCH_FULL | SIS_CAP_FETCH_DELTA | SIS_CAP_METADATA |
                    SIS_CAP_ORGS,
    .create = cl_create,
    .destroy = cl_destroy,
    .authenticate = cl_authenticate,
    .discover_schema = cl_discover_schema,
    .fetch_users = cl_fetch_users,
    .apply_mappings = cl_apply_mappings,
};

__attribute__((visibility("default")))
int classlink_sis_entry(uint32_t host_abi, const sis_host *host,
                        const sis_connector **out, sis_error *err);

int classlink_sis_entry(uint32_t host_abi, const sis_host *host,
                        const sis_connector **out, sis_error *err)
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
                       "the host's services table is missing or older than SIS ABI 1.0");
    *out = &cl_connector;
    return SIS_OK;
}
