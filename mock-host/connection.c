/*
 * connection.c - one authenticate step, applied atomically.
 *
 * The plugin verifies credentials with a real request and stores them
 * through the host's config and secret services; the host wraps the step
 * in one transaction so that a failure stores nothing and a reconnect
 * replaces the old credentials at once.  A login's "pending." state is
 * single-use (host.h): spent after every COMPLETE, even a failed one.
 */
#include "connection.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host_settings.h"
#include "text_out.h"

void mh_auth_outcome_free(mh_auth_outcome *o)
{
    free(o->url);
    free(o->tenant_name);
    free(o->source);
    memset(o, 0, sizeof *o);
}

static int fail_with(sis_error *err, const char *msg)
{
    snprintf(err->message, err->message_cap, "%s", msg);
    return err->code = SIS_ERR_GENERIC;
}

int mh_authenticate(mh_store *store, sis_host_app *happ, const sis_auth_request *req,
                    mh_auth_outcome *out, sis_error *err)
{
    const sis_connector *c = happ->plugin->connector;
    sis_auth_result res;
    sis_instance *inst = NULL;
    char msg[1024];
    int rc;

    memset(out, 0, sizeof *out);
    memset(&res, 0, sizeof res);
    res.struct_size = sizeof res;
    res.url = mh_text_out(&out->url);
    res.tenant_name = mh_text_out(&out->tenant_name);
    res.source = mh_text_out(&out->source);
    res.visible_users = UINT64_MAX;
    if (mh_instance_create(&inst, happ, msg, sizeof msg) != 0)
        return fail_with(err, msg);
    if (mh_store_begin(store, msg, sizeof msg) != 0) {
        c->destroy(inst);
        return fail_with(err, msg);
    }
    rc = c->authenticate(inst, req, &res, err);
    if (rc == SIS_OK && req->step != SIS_AUTH_BEGIN &&
        (mh_store_app_set_connected(store, happ->app.id, 1) != 0 ||
         mh_app_attention_set(store, happ->app.id, NULL) != 0))
        rc = fail_with(err, "the database refused to record the connection");
    if (rc == SIS_OK && mh_store_commit(store, msg, sizeof msg) != 0)
        rc = fail_with(err, msg);
    if (rc != SIS_OK)
        mh_store_rollback(store);
    if (req->step == SIS_AUTH_COMPLETE)
        mh_store_config_forget_prefix(store, happ->app.id, "pending.");
    c->destroy(inst);
    out->visible_users = res.visible_users;
    if (rc != SIS_OK)
        mh_auth_outcome_free(out);
    return rc;
}

void mh_print_connected(const sis_host_app *happ, const mh_auth_outcome *o)
{
    printf("Connected %s", happ->app.name);
    if (o->tenant_name != NULL && o->tenant_name[0] != '\0')
        printf(" to %s", o->tenant_name);
    printf(".\n");
    if (o->source != NULL)
        printf("  Source: %s\n", o->source);
    if (o->visible_users != UINT64_MAX)
        printf("  Users the app can see: %llu\n", (unsigned long long)o->visible_users);
    printf("Next: mock-host fields %s (choose what to show), then mock-host sync %s\n",
           happ->app.name, happ->app.name);
    if (happ->app.itxm)
        printf("ITxM: map roles and locations with mock-host roles %s and mock-host locations %s\n",
               happ->app.name, happ->app.name);
}
