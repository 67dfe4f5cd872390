/*
 * console_apps.c - the Integration Marketplace (plugins by section, from
 * their headers, each with an Install button) and Installed Apps (one card
 * per app with its state).  Installing runs `mock-host install`, so the
 * page says what the command says.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "console_html.h"
#include "console_server.h"
#include "store_runs.h"
#include "sync_hold.h"

static int installed(mh_ctx *ctx, const char *plugin)
{
    mh_app app;
    return mh_store_app_find(ctx->store, plugin, &app) == 0;
}

void mh_page_marketplace(mh_request *r, mh_response *res)
{
    static const sis_plugin_kind sections[] = {SIS_KIND_SIS, SIS_KIND_SSO};
    mh_ctx *ctx = r->con->ctx;
    mh_str *o = &res->body;
    size_t i, k;

    mh_html_begin(o, "Integration Marketplace", NULL, 0);
    mh_html_flash(o, r->session, "");
    for (i = 0; i < ctx->registry.n_refusals; i++)
        mh_html(o, "<p class=\"error\">Refused: %s</p>", ctx->registry.refusals[i]);
    if (ctx->registry.n_plugins == 0)
        mh_html(o, "<p>No plugins available. Build them with 'make' or set MOCK_HOST_PLUGINS.</p>");
    for (k = 0; k < sizeof sections / sizeof sections[0]; k++) {
        int any = 0;
        for (i = 0; i < ctx->registry.n_plugins; i++) {
            const sis_plugin_header *h = ctx->registry.plugins[i].header;
            uint32_t caps = h->capabilities;
            if (h->kind != sections[k])
                continue;
            if (!any)
                mh_html(o, "<section><h2>%s</h2><div class=\"cards\">", mh_kind_section(sections[k]));
            any = 1;
            mh_html(o, "<div class=\"card\" id=\"plugin-%s\"><h3>%s</h3><p class=\"help\">%s "
                       "%s</p><p>%s</p>", h->id, h->name, h->id, h->version,
                    h->description ? h->description : "");
            if (h->kind == SIS_KIND_SIS)
                mh_html(o, "<p class=\"help\">Sign-in: %s%s%s</p>",
                        caps & SIS_CAP_AUTH_LOGIN ? "interactive login" : "",
                        (caps & SIS_CAP_AUTH_LOGIN) && (caps & SIS_CAP_AUTH_MANUAL) ? ", " : "",
                        caps & SIS_CAP_AUTH_MANUAL ? "credentials" : "");
            if (installed(ctx, h->id)) {
                mh_str e = {0};
                mh_url_enc(&e, h->id);
                mh_html(o, "<p>Installed. <a href=\"/apps/%s/setup\">Open its setup</a></p>", e.data);
                mh_str_free(&e);
            } else {
                mh_html(o, "<form method=\"post\" action=\"/marketplace/install\">");
                mh_html_csrf(o, r->session);
                mh_html(o, "<input type=\"hidden\" name=\"plugin\" value=\"%s\">", h->id);
                if (h->kind == SIS_KIND_SIS)
                    mh_html(o, "<label class=\"help\"><input type=\"checkbox\" name=\"itxm\" "
                               "value=\"1\"> ITxM account (role and location mapping)</label>");
                mh_html(o, "<button class=\"primary\" type=\"submit\" name=\"install\" "
                           "value=\"%s\">Install</button></form>", h->id);
            }
            mh_str_adds(o, "</div>");
        }
        if (any)
            mh_str_adds(o, "</div></section>\n");
    }
    mh_html_end(o);
}

void mh_action_install(mh_request *r, mh_response *res)
{
    const char *plugin = mh_form_get(r, "plugin");
    const char *args[4] = {"install", plugin ? plugin : "", NULL, NULL};
    char *out = NULL;
    int rc;
    if (mh_form_get(r, "itxm") != NULL)
        args[2] = "--itxm";
    rc = mh_console_run(r->con, args, NULL, &out);
    mh_flash_set(r->session, rc != 0, "", out);
    free(out);
    if (rc == 0 && plugin != NULL) {
        mh_str e = {0};
        mh_url_enc(&e, plugin);
        mh_redirect(res, "/apps/%s/setup", e.data);
        mh_str_free(&e);
    } else {
        mh_redirect(res, "/marketplace");
    }
}

typedef struct last_run {
    int any;
    char mode[32], started[40], outcome[32], reason[512];
} last_run;

static int keep_last(void *vctx, const mh_run_view *run)
{
    last_run *l = vctx;
    l->any = 1;
    snprintf(l->mode, sizeof l->mode, "%s", run->mode);
    snprintf(l->started, sizeof l->started, "%s", run->started);
    snprintf(l->outcome, sizeof l->outcome, "%s", run->outcome);
    snprintf(l->reason, sizeof l->reason, "%s", run->reason ? run->reason : "");
    return 0;
}

typedef struct apps_page {
    mh_request *r;
    mh_str *o;
    int n;
} apps_page;

static int app_card(void *vctx, const mh_app *a)
{
    apps_page *pg = vctx;
    mh_ctx *ctx = pg->r->con->ctx;
    mh_str *o = pg->o, e = {0};
    const mh_plugin *p = mh_registry_find(&ctx->registry, a->plugin);
    char note[600];
    mh_hold hold;
    last_run last;
    int attention = a->connected_at[0] == '\0' &&
                    mh_store_config_get(ctx->store, a->id, "attention", note, sizeof note) == 0;

    pg->n++;
    mh_url_enc(&e, a->name);
    mh_html(o, "<div class=\"card app\" id=\"app-%s\"><h3>%s</h3><p class=\"help\">%s &middot; "
               "%s account</p>", a->name, a->name, p ? p->header->name : a->plugin,
            a->itxm ? "ITxM" : "standard");
    if (p == NULL)
        mh_html(o, "<p class=\"error\">The plugin \"%s\" is not available; see the "
                   "<a href=\"/marketplace\">Integration Marketplace</a>.</p>", a->plugin);
    if (a->connected_at[0] != '\0')
        mh_html(o, "<p><span class=\"state connected\">connected</span> since %s</p>",
                a->connected_at);
    else if (attention) {
        mh_str_adds(o, "<p><span class=\"state attention\">needs attention</span></p>"
                       "<p class=\"error\">");
        mh_html_sentence(o, note, p ? p->header : NULL);
        mh_str_adds(o, "</p>");
    }
    else
        mh_html(o, "<p><span class=\"state precreated\">pre-created</span> not connected yet</p>");
    if (mh_hold_get(ctx->store, a->id, &hold) == 1) {
        char text[512];
        mh_hold_describe(&hold, a->name, text, sizeof text);
        mh_str_adds(o, "<p><span class=\"state held\">held</span> ");
        mh_html_sentence(o, text, NULL);
        mh_html(o, " <a href=\"/apps/%s/sync\">Review and confirm</a></p>", e.data);
    }
    memset(&last, 0, sizeof last);
    mh_store_runs_each(ctx->store, a->id, keep_last, &last);
    if (last.any) {
        mh_html(o, "<p>Last run: %s %s, <strong class=\"outcome\">%s</strong>%s", last.mode,
                last.started, last.outcome, last.reason[0] ? ": " : "");
        mh_html_sentence(o, last.reason, NULL);
        mh_str_adds(o, "</p>");
    }
    else
        mh_html(o, "<p class=\"help\">No sync yet.</p>");
    if (p != NULL && p->connector != NULL) {
        mh_html(o, "<p><a href=\"/apps/%s/setup\">Setup</a> &middot; <a href=\"/apps/%s/fields\">"
                   "Field Mapping</a> &middot; <a href=\"/apps/%s/sync\">Sync</a> &middot; "
                   "<a href=\"/users?app=%s\">Users</a>", e.data, e.data, e.data, e.data);
        if (a->itxm)
            mh_html(o, " &middot; <a href=\"/apps/%s/roles\">Role Mapping</a> &middot; "
                       "<a href=\"/apps/%s/locations\">Location Mapping</a>", e.data, e.data);
        mh_str_adds(o, "</p>");
    }
    mh_str_adds(o, "</div>\n");
    mh_str_free(&e);
    return 0;
}

void mh_page_apps(mh_request *r, mh_response *res)
{
    apps_page pg = {r, &res->body, 0};
    mh_html_begin(&res->body, "Installed Apps", NULL, 0);
    mh_html_flash(&res->body, r->session, "");
    mh_str_adds(&res->body, "<div class=\"cards\">");
    if (mh_store_app_each(r->con->ctx->store, app_card, &pg) != 0)
        mh_html(&res->body, "<p class=\"error\">Cannot read the installed apps from %s.</p>",
                r->con->ctx->db_path);
    mh_str_adds(&res->body, "</div>");
    if (pg.n == 0)
        mh_html(&res->body, "<p>No app installed yet. Pick one in the "
                            "<a href=\"/marketplace\">Integration Marketplace</a>.</p>");
    mh_html_end(&res->body);
}
