/*
 * console_router.c - which page answers which method and path.  An app's
 * pages live under /apps/NAME/ (NAME checked by console_http.c); the
 * sign-in redirect comes back to /callback/NAME.
 */
#include <string.h>

#include "console_access.h"
#include "console_html.h"
#include "console_server.h"

typedef struct route {
    const char *method;
    const char *prefix;     /* the path up to the app name, or the whole path */
    const char *suffix;     /* after /apps/NAME, or NULL for a path without an app */
    mh_page_fn fn;
} route;

static const route routes[] = {
    {"GET", "/marketplace", NULL, mh_page_marketplace},
    {"POST", "/marketplace/install", NULL, mh_action_install},
    {"GET", "/apps", NULL, mh_page_apps},
    {"GET", "/", NULL, mh_page_apps},
    {"GET", "/users", NULL, mh_page_users},
    {"POST", "/names", NULL, mh_action_names},
    {"POST", "/signin", NULL, mh_action_sign_in},
    {"GET", "/callback/", "", mh_page_callback},
    {"GET", "/apps/", "/setup", mh_page_setup},
    {"POST", "/apps/", "/connect", mh_action_connect},
    {"POST", "/apps/", "/login", mh_action_login},
    {"POST", "/apps/", "/settings", mh_action_settings},
    {"POST", "/apps/", "/disconnect", mh_action_disconnect},
    {"GET", "/apps/", "/fields", mh_page_fields},
    {"POST", "/apps/", "/fields/discover", mh_action_fields_discover},
    {"POST", "/apps/", "/fields/metadata", mh_action_fields_metadata},
    {"POST", "/apps/", "/fields/role", mh_action_fields_role},
    {"GET", "/apps/", "/sync", mh_page_sync},
    {"POST", "/apps/", "/sync", mh_action_sync},
    {"POST", "/apps/", "/sync/confirm", mh_action_sync_confirm},
    {"GET", "/apps/", "/sync/status.json", mh_json_sync_status},
    {"GET", "/apps/", "/roles", mh_page_roles},
    {"POST", "/apps/", "/roles", mh_action_roles},
    {"GET", "/apps/", "/locations", mh_page_locations},
    {"POST", "/apps/", "/locations", mh_action_locations},
};

static int matches(const route *rt, const mh_request *r)
{
    size_t np = strlen(rt->prefix);
    if (strcmp(rt->method, r->method) != 0)
        return 0;
    if (rt->suffix == NULL)
        return strcmp(r->path, rt->prefix) == 0;
    if (r->app[0] == '\0' || strncmp(r->path, rt->prefix, np) != 0)
        return 0;
    return strcmp(r->path + np + strlen(r->app), rt->suffix) == 0;
}

void mh_console_route(mh_request *r, mh_response *res)
{
    size_t i;
    for (i = 0; i < sizeof routes / sizeof routes[0]; i++) {
        if (matches(&routes[i], r)) {
            routes[i].fn(r, res);
            return;
        }
    }
    res->status = 404;
    mh_html_begin(&res->body, "Not found", NULL, 0);
    mh_html(&res->body, "<p>There is no page %s here. Start from the "
                        "<a href=\"/apps\">Installed Apps</a>.</p>", r->path);
    mh_html_end(&res->body);
}

int mh_console_app(mh_request *r, mh_response *res, sis_host_app *happ)
{
    mh_ctx *ctx = r->con->ctx;
    int rc;
    memset(happ, 0, sizeof *happ);
    rc = mh_store_app_find(ctx->store, r->app, &happ->app);
    if (rc == 0) {
        happ->plugin = mh_registry_find(&ctx->registry, happ->app.plugin);
        happ->store = ctx->store;
        if (happ->plugin != NULL && happ->plugin->connector != NULL)
            return 0;
    }
    res->status = 404;
    mh_html_begin(&res->body, "App not found", NULL, 0);
    if (rc == 0)
        mh_html(&res->body, "<p class=\"error\">The plugin \"%s\" of app \"%s\" is not available "
                            "as an SIS; see the <a href=\"/marketplace\">Integration "
                            "Marketplace</a>.</p>", happ->app.plugin, r->app);
    else
        mh_html(&res->body, "<p class=\"error\">There is no installed app \"%s\"; install it from "
                            "the <a href=\"/marketplace\">Integration Marketplace</a>.</p>", r->app);
    mh_html_end(&res->body);
    return -1;
}
