/*
 * console_setup.c - an app's setup page: the interactive login button, the
 * manual credentials form and the settings form, all rendered from the
 * plugin's declarations (sis/plugin.h) like `connect APP --help` and
 * `config APP`.
 *
 * Connecting goes through the host core's one authenticate step
 * (connection.c): verified with a real request, nothing stored on failure.
 * The login is a real redirect: BEGIN hands back the sign-in URL with this
 * console's /callback/APP, at the address the browser used, as redirect
 * URI; the plugin keeps its state in the
 * app's "pending." config and checks it on COMPLETE, as for the command
 * line.  The callback may arrive without the session cookie (SameSite=
 * Strict after a cross-site redirect), so its outcome is kept per app and
 * shown once on the setup page.
 *
 * Secret fields are write-only: the form never carries a stored value
 * back, they are never put in a URL, and a refused form is filled again
 * with its non-secret values only.  Errors are the command line's
 * sentences, shown next to the field they concern.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <microhttpd.h>
#include "connection.h"
#include "console_access.h"
#include "console_html.h"
#include "console_server.h"
#include "decls.h"

#define MAX_NOTES 16
#define MAX_PARAMS 8

/* The outcome of the last sign-in per app, shown once on its setup page. */
static struct {
    char app[64];
    int error;
    char text[1024];
} notes[MAX_NOTES];

static void note_set(const char *app, int error, const char *text)
{
    size_t i, slot = 0;
    for (i = 0; i < MAX_NOTES; i++) {
        if (strcmp(notes[i].app, app) == 0 || notes[i].app[0] == '\0') {
            slot = i;
            break;
        }
    }
    snprintf(notes[slot].app, sizeof notes[slot].app, "%s", app);
    notes[slot].error = error;
    snprintf(notes[slot].text, sizeof notes[slot].text, "%s", text);
}

static void note_show(mh_str *o, const char *app)
{
    size_t i;
    for (i = 0; i < MAX_NOTES; i++) {
        if (notes[i].app[0] != '\0' && strcmp(notes[i].app, app) == 0) {
            mh_html(o, "<div class=\"%s\" id=\"login-outcome\">", notes[i].error ? "error" : "notice");
            mh_html_output(o, notes[i].text);
            mh_str_adds(o, "</div>");
            notes[i].app[0] = '\0';
        }
    }
}

/* "ClassLink Login" for "ClassLink SIS": the vendor's name without the
 * marketplace section it is listed under. */
static void login_label(const sis_plugin_header *h, char *buf, size_t cap)
{
    const char *section = mh_kind_section(h->kind);
    size_t n = strlen(h->name), s = strlen(section);
    if (n > s + 1 && h->name[n - s - 1] == ' ' && strcmp(h->name + n - s, section) == 0)
        n -= s + 1;
    snprintf(buf, cap, "%.*s Login", (int)n, h->name);
}

static void app_path(mh_str *o, const char *app, const char *rest)
{
    mh_str_adds(o, "/apps/");
    mh_url_enc(o, app);
    mh_str_adds(o, rest);
}

static void help_of(mh_str *o, const sis_decl *d, const sis_plugin_header *h)
{
    if (d->help == NULL)
        return;
    mh_str_adds(o, "<div class=\"help\">");
    mh_html_sentence(o, d->help, h);   /* "--auth bearer" as the form says it */
    mh_str_adds(o, "</div>");
}

static void credential_input(mh_request *r, mh_str *o, const sis_decl *d,
                             const sis_plugin_header *h)
{
    const char *kept = mh_flash_value(r->session, d->name);
    size_t i;
    mh_html(o, "<label for=\"cred-%s\">%s%s</label>", d->name, d->label, d->required ? " *" : "");
    if (d->type == SIS_VALUE_SECRET) {
        /* Write-only: the stored secret never comes back to the browser. */
        mh_html(o, "<input type=\"password\" id=\"cred-%s\" name=\"%s\" autocomplete=\"new-password\" "
                   "placeholder=\"write-only\">", d->name, d->name);
    } else if (d->type == SIS_VALUE_CHOICE) {
        const char *cur = kept != NULL ? kept : d->default_value;
        mh_html(o, "<select id=\"cred-%s\" name=\"%s\">", d->name, d->name);
        for (i = 0; i < d->n_choices; i++)
            mh_html(o, "<option value=\"%s\"%s>%s</option>", d->choices[i],
                    cur != NULL && strcmp(cur, d->choices[i]) == 0 ? " selected" : "", d->choices[i]);
        mh_str_adds(o, "</select>");
    } else if (d->type == SIS_VALUE_URL) {
        mh_html(o, "<input type=\"text\" id=\"cred-%s\" name=\"%s\" value=\"%s\" inputmode=\"url\">",
                d->name, d->name, kept ? kept : "");
    } else {
        mh_html(o, "<input type=\"text\" id=\"cred-%s\" name=\"%s\" value=\"%s\">", d->name,
                d->name, kept ? kept : "");
    }
    help_of(o, d, h);
    mh_html_flash(o, r->session, d->name);
}

static void setting_input(mh_request *r, mh_str *o, const sis_decl *d, int64_t app_id,
                          const char *prefix, const sis_plugin_header *h)
{
    char cur[512], allowed[256];
    const char *kept = mh_flash_value(r->session, d->name);
    int set = mh_store_config_get(r->con->ctx->store, app_id, d->name, cur, sizeof cur) == 0;
    mh_decl_allowed(d, allowed, sizeof allowed);
    mh_html(o, "<label for=\"set-%s\">%s <span class=\"help\">(%s%s%s)</span></label>", d->name,
            d->label, allowed, d->default_value ? "; default " : "",
            d->default_value ? d->default_value : "");
    mh_html(o, "<input type=\"text\" id=\"set-%s\" name=\"%s%s\" value=\"%s\" placeholder=\"%s\">",
            d->name, prefix, d->name, kept ? kept : set ? cur : "",
            d->default_value ? d->default_value : "");
    help_of(o, d, h);
    mh_html_flash(o, r->session, d->name);
}

/* `url` without what may carry a credential: the "user:password@" of its
 * authority, and its query and fragment (a pre-signed link's signature):
 * what a refused form may show again.  "http://a:b@host:1/x?sig=s" ->
 * "http://host:1/x".  The host cannot know which part a plugin reads as
 * a credential, so it keeps neither. */
static void url_without_credentials(mh_str *o, const char *url)
{
    const char *auth = strstr(url, "://"), *end, *at = NULL, *p;
    auth = auth != NULL ? auth + 3 : url;
    end = auth + strcspn(auth, "/?#");
    for (p = auth; p < end; p++)
        if (*p == '@')
            at = p;
    mh_str_add(o, url, (size_t)(auth - url));
    p = at != NULL ? at + 1 : auth;
    mh_str_add(o, p, strcspn(p, "?#"));
}

/* A non-secret credential value as a page may show it: a link (a declared
 * URL, or any value with "://") without what may carry a credential. */
static void value_shown(mh_str *o, const sis_decl *d, const char *v)
{
    if (d->type == SIS_VALUE_URL || strstr(v, "://") != NULL)
        url_without_credentials(o, v);
    else
        mh_str_adds(o, v);
}

/* What a connected app is connected to: the non-secret credential values
 * as the plugin stored them (under their declared names, as `config` reads
 * them), e.g. the Roster Server URL, client id and signing, or a CSV
 * export's location.  A secret is never read here. */
static void connected_to(mh_request *r, mh_str *o, const sis_host_app *happ)
{
    const sis_plugin_header *h = happ->plugin->header;
    char v[2048];
    size_t i;
    int rows = 0;
    for (i = 0; i < h->n_decls; i++) {
        const sis_decl *d = h->decls[i];
        if (d->scope != SIS_DECL_CREDENTIAL || d->type == SIS_VALUE_SECRET ||
            mh_store_config_get(r->con->ctx->store, happ->app.id, d->name, v, sizeof v) != 0 ||
            v[0] == '\0')
            continue;
        if (rows++ == 0)
            mh_str_adds(o, "<table id=\"connected-to\"><tr><th colspan=\"2\">Connected to</th></tr>");
        mh_html(o, "<tr><th>%s</th><td id=\"connected-%s\">", d->label, d->name);
        {
            mh_str shown = {0};
            value_shown(&shown, d, v);
            mh_html(o, "%s", shown.data ? shown.data : "");
            mh_str_free(&shown);
        }
        mh_str_adds(o, "</td></tr>");
    }
    if (rows > 0)
        mh_str_adds(o, "</table>\n");
}

void mh_page_setup(mh_request *r, mh_response *res)
{
    sis_host_app happ;
    const sis_plugin_header *h;
    mh_str *o = &res->body, path = {0};
    char label[128], var[160];
    size_t i;

    if (mh_console_app(r, res, &happ) != 0)
        return;
    h = happ.plugin->header;
    mh_html_begin(o, "App setup", happ.app.name, happ.app.itxm);
    note_show(o, happ.app.name);
    mh_html_flash(o, r->session, "");
    mh_html(o, "<p>%s %s &middot; %s account &middot; ", h->name, h->version,
            happ.app.itxm ? "ITxM" : "standard");
    if (happ.app.connected_at[0] != '\0') {
        mh_html(o, "<span class=\"state connected\" id=\"connection\">connected</span> since %s</p>",
                happ.app.connected_at);
        connected_to(r, o, &happ);
    } else
        mh_html(o, "<span class=\"state precreated\" id=\"connection\">not connected</span></p>");

    if (h->capabilities & SIS_CAP_AUTH_LOGIN) {
        login_label(h, label, sizeof label);
        app_path(&path, happ.app.name, "/login");
        mh_html(o, "<fieldset><legend>Sign in</legend><p>Sign in as the district's tenant "
                   "administrator; you come back here when it is done.</p>"
                   "<form method=\"post\" action=\"%s\">", path.data);
        mh_html_csrf(o, r->session);
        mh_html(o, "<button class=\"primary\" type=\"submit\" id=\"login\">%s</button></form>",
                label);
        mh_html_flash(o, r->session, "login");
        mh_str_adds(o, "</fieldset>");
    }
    if (h->capabilities & SIS_CAP_AUTH_MANUAL) {
        mh_str_reset(&path);
        app_path(&path, happ.app.name, "/connect");
        mh_html(o, "<fieldset><legend>Credentials</legend><p class=\"help\">Checked with a real "
                   "request before anything is saved. Secrets are write-only: type them again "
                   "to change them.</p><form method=\"post\" action=\"%s\" autocomplete=\"off\">",
                path.data);
        mh_html_csrf(o, r->session);
        for (i = 0; i < h->n_decls; i++)
            if (h->decls[i]->scope == SIS_DECL_CREDENTIAL)
                credential_input(r, o, h->decls[i], h);
        mh_html(o, "<br><button class=\"primary\" type=\"submit\" id=\"connect\">Connect</button>"
                   "</form>");
        mh_html_flash(o, r->session, "connect");
        mh_str_adds(o, "</fieldset>");
    }

    mh_str_reset(&path);
    app_path(&path, happ.app.name, "/settings");
    mh_html(o, "<fieldset><legend>Settings</legend><p class=\"help\">Empty: the default.</p>"
               "<form method=\"post\" action=\"%s\">", path.data);
    mh_html_csrf(o, r->session);
    for (i = 0; i < h->n_decls; i++)
        if (h->decls[i]->scope == SIS_DECL_SETTING)
            setting_input(r, o, h->decls[i], happ.app.id, "set.", h);
    for (i = 0; i < mh_n_host_decls; i++)
        setting_input(r, o, mh_host_decls[i], happ.app.id, "set.", h);
    mh_html(o, "<br><button type=\"submit\" id=\"save-settings\">Save settings</button></form>");
    mh_html_flash(o, r->session, "settings");
    mh_str_adds(o, "</fieldset>");

    mh_html(o, "<fieldset><legend>Host settings of %s</legend><p class=\"help\">The same for every "
               "district; the host's operator sets them in the environment.</p><table>"
               "<tr><th>Setting</th><th>Variable</th><th>Value</th></tr>", h->name);
    for (i = 0; i < h->n_decls; i++) {
        const sis_decl *d = h->decls[i];
        const char *v;
        if (d->scope != SIS_DECL_HOST_SETTING)
            continue;
        mh_host_setting_env(h->id, d->name, var, sizeof var);
        v = getenv(var);
        mh_html(o, "<tr><td>%s</td><td><code>%s</code></td><td>%s</td></tr>", d->label, var,
                v != NULL && v[0] != '\0' ? (d->type == SIS_VALUE_SECRET ? "set (secret)" : v)
                : d->default_value ? "default" : "not set");
    }
    mh_str_adds(o, "</table></fieldset>");

    if (happ.app.connected_at[0] != '\0') {
        mh_str_reset(&path);
        app_path(&path, happ.app.name, "/disconnect");
        mh_html(o, "<form method=\"post\" action=\"%s\">", path.data);
        mh_html_csrf(o, r->session);
        mh_html(o, "<button type=\"submit\" id=\"disconnect\">Disconnect</button> <span "
                   "class=\"help\">removes the stored credentials; users stay on the Users "
                   "page</span></form>");
    }
    mh_str_free(&path);
    mh_html_end(o);
}

static void to_setup(mh_response *res, const char *app)
{
    mh_str e = {0};
    mh_url_enc(&e, app);
    mh_redirect(res, "/apps/%s/setup", e.data);
    mh_str_free(&e);
}

/* Whether `hay` mentions `needle`, case-insensitively. */
static int mentions(const char *hay, const char *needle)
{
    size_t n = strlen(needle);
    for (; n > 0 && *hay != '\0'; hay++)
        if (strncasecmp(hay, needle, n) == 0)
            return 1;
    return 0;
}

/* Which field a failed connection concerns: the secret for rejected
 * credentials, else the one its sentence names, else the address for an
 * unreachable or wrong server; "connect" (the form) otherwise. */
static const char *field_of_failure(const sis_plugin_header *h, int code, const char *msg)
{
    const sis_decl *secret = NULL, *url = NULL;
    size_t i;
    for (i = 0; i < h->n_decls; i++) {
        const sis_decl *d = h->decls[i];
        if (d->scope != SIS_DECL_CREDENTIAL)
            continue;
        if (d->type == SIS_VALUE_SECRET && secret == NULL)
            secret = d;
        if (d->type == SIS_VALUE_URL && url == NULL)
            url = d;
    }
    /* Rejected credentials: the secret is what the admin retypes. */
    if (code == SIS_ERR_AUTH && secret != NULL)
        return secret->name;
    for (i = 0; i < h->n_decls; i++)
        if (h->decls[i]->scope == SIS_DECL_CREDENTIAL && mentions(msg, h->decls[i]->label))
            return h->decls[i]->name;
    if ((code == SIS_ERR_NETWORK || code == SIS_ERR_TLS || code == SIS_ERR_NOT_FOUND ||
         code == SIS_ERR_CONFIG) && url != NULL)
        return url->name;
    return "connect";
}

void mh_action_connect(mh_request *r, mh_response *res)
{
    sis_host_app happ;
    const sis_plugin_header *h;
    sis_kv params[MH_CONSOLE_MAX_FIELDS];
    sis_auth_request req = SIS_AUTH_REQUEST_INIT;
    sis_error err = SIS_ERROR_LOCAL;
    mh_auth_outcome out;
    char why[512], text[1600];
    size_t i, n = 0;
    int rc;

    if (mh_console_app(r, res, &happ) != 0)
        return;
    h = happ.plugin->header;
    to_setup(res, happ.app.name);
    for (i = 0; i < h->n_decls; i++) {
        const sis_decl *d = h->decls[i];
        const char *v = mh_form_get(r, d->name);
        if (d->scope != SIS_DECL_CREDENTIAL)
            continue;
        if (v != NULL && v[0] == '\0')
            v = NULL;
        /* The form's words: its labels, where the command line names its flags. */
        if (v == NULL && d->required) {
            snprintf(text, sizeof text, "%s needs the %s", happ.app.name, d->label);
            mh_flash_set(r->session, 1, d->name, text);
            goto keep;
        }
        if (v != NULL && d->type != SIS_VALUE_URL && d->type != SIS_VALUE_SECRET &&
            mh_decl_check(d, v, why, sizeof why) != 0) {
            snprintf(text, sizeof text, "%s: %s", d->label, why);
            mh_flash_set(r->session, 1, d->name, text);
            goto keep;
        }
        if (v != NULL && n < MH_CONSOLE_MAX_FIELDS)
            params[n++] = (sis_kv){d->name, v};
    }
    req.params = params;
    req.n_params = n;
    rc = mh_authenticate(r->con->ctx->store, &happ, &req, &out, &err);
    if (rc != SIS_OK) {
        const char *busy = mh_console_busy_sentence(r->con);
        if (busy != NULL)
            snprintf(text, sizeof text, "%s", busy);
        else
            snprintf(text, sizeof text, "could not connect %s: %s. Nothing was saved.",
                     happ.app.name, err.message);
        {
            mh_str words = {0};   /* "(--token-url)" as the form's label */
            mh_console_words(&words, text, h);
            mh_flash_set(r->session, 1, busy ? "connect" : field_of_failure(h, rc, err.message),
                         words.data);
            mh_str_free(&words);
        }
        goto keep;
    }
    n = (size_t)snprintf(text, sizeof text, "Connected %s%s%s.", happ.app.name,
                         out.tenant_name && out.tenant_name[0] ? " to " : "",
                         out.tenant_name ? out.tenant_name : "");
    if (out.source != NULL && n < sizeof text)
        n += (size_t)snprintf(text + n, sizeof text - n, "\nSource: %s", out.source);
    if (out.visible_users != UINT64_MAX && n < sizeof text)
        snprintf(text + n, sizeof text - n, "\nUsers the app can see: %llu",
                 (unsigned long long)out.visible_users);
    mh_auth_outcome_free(&out);
    mh_flash_set(r->session, 0, "", text);
    return;
keep:
    /* Fill the form again, secrets excepted, and an address without the
     * user name, password or query it may have been typed with. */
    for (i = 0; i < h->n_decls; i++) {
        const sis_decl *d = h->decls[i];
        const char *v = mh_form_get(r, d->name);
        if (d->scope != SIS_DECL_CREDENTIAL || d->type == SIS_VALUE_SECRET || v == NULL)
            continue;
        {
            mh_str shown = {0};
            value_shown(&shown, d, v);
            mh_flash_keep_value(r->session, d->name, shown.data ? shown.data : "");
            mh_str_free(&shown);
        }
    }
}

void mh_action_login(mh_request *r, mh_response *res)
{
    sis_host_app happ;
    sis_auth_request req = SIS_AUTH_REQUEST_INIT;
    sis_error err = SIS_ERROR_LOCAL;
    mh_auth_outcome out;
    mh_str redirect = {0};
    const char *host;
    char text[1400];
    int rc;

    if (mh_console_app(r, res, &happ) != 0)
        return;
    if (!(happ.plugin->header->capabilities & SIS_CAP_AUTH_LOGIN)) {
        snprintf(text, sizeof text, "%s does not offer an interactive login",
                 happ.plugin->header->name);
        mh_flash_set(r->session, 1, "login", text);
        to_setup(res, happ.app.name);
        return;
    }
    /* ClassLink sends the admin's browser back to the address that browser
     * used for this console: the Host header of this request, which
     * console_http.c accepted only as a name of this console (its listen
     * address, localhost on loopback, or under --listen 0.0.0.0 or :: the
     * address the connection reached).  base_url is the listen address,
     * and "http://0.0.0.0:8080" is no address a browser can open; a DNS
     * rebinding name never gets this far.  The callback then comes in under
     * the same Host, and the plugin checks its one-time state as before. */
    host = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "Host");
    if (host != NULL && host[0] != '\0') {
        mh_str_adds(&redirect, "http://");
        mh_str_adds(&redirect, host);
    } else {
        mh_str_adds(&redirect, r->con->base_url);  /* not reached: rule 1 needs a Host */
    }
    mh_str_adds(&redirect, "/callback/");
    mh_url_enc(&redirect, happ.app.name);
    req.step = SIS_AUTH_BEGIN;
    req.redirect_uri = redirect.data;
    rc = mh_authenticate(r->con->ctx->store, &happ, &req, &out, &err);
    mh_str_free(&redirect);
    if (rc == SIS_OK && out.url != NULL) {
        /* The one redirect that leaves this console: to the plugin's sign-in. */
        snprintf(res->location, sizeof res->location, "%s", out.url);
        res->status = 303;
        mh_auth_outcome_free(&out);
        return;
    }
    if (mh_console_busy_sentence(r->con) != NULL)
        snprintf(text, sizeof text, "%s", mh_console_busy_sentence(r->con));
    else if (rc == SIS_ERR_CONFIG)
        snprintf(text, sizeof text, "could not start the %s sign-in for %s: %s. The host "
                 "settings table below lists each one and the environment variable that sets it",
                 happ.plugin->header->name, happ.app.name, err.message);
    else
        snprintf(text, sizeof text, "could not start the %s sign-in for %s: %s",
                 happ.plugin->header->name, happ.app.name,
                 rc != SIS_OK ? err.message : "the plugin gave no sign-in address");
    mh_auth_outcome_free(&out);
    mh_flash_set(r->session, 1, "login", text);
    to_setup(res, happ.app.name);
}

typedef struct callback_params {
    sis_kv kv[MAX_PARAMS];
    size_t n;
} callback_params;

static enum MHD_Result keep_param(void *cls, enum MHD_ValueKind kind, const char *key,
                                  const char *value)
{
    callback_params *p = cls;
    (void)kind;
    if (p->n < MAX_PARAMS && (strcmp(key, "code") == 0 || strcmp(key, "state") == 0 ||
                              strcmp(key, "error") == 0))
        p->kv[p->n++] = (sis_kv){key, value ? value : ""};
    return MHD_YES;
}

/* 1 when r can be a login's redirect: for an installed app whose plugin has
 * an interactive login, with a state to check.  Nothing is written. */
static int is_login_redirect(mh_request *r)
{
    mh_response scratch;
    sis_host_app happ;
    int yes;
    memset(&scratch, 0, sizeof scratch);
    yes = mh_console_app(r, &scratch, &happ) == 0 &&
          (happ.plugin->header->capabilities & SIS_CAP_AUTH_LOGIN) != 0 &&
          MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, "state") != NULL;
    mh_str_free(&scratch.body);
    return yes;
}

void mh_page_callback(mh_request *r, mh_response *res)
{
    sis_host_app happ;
    sis_auth_request req = SIS_AUTH_REQUEST_INIT;
    sis_error err = SIS_ERROR_LOCAL;
    mh_auth_outcome out;
    callback_params p;
    char text[1400];
    int rc;

    /* A browser that has not given the access code gets here only as a
     * login's redirect (the gate in console_http.c lets it through, since
     * the redirect comes without the cookie).  Anything else is asked to
     * sign in, and no app's login state is touched. */
    if (r->con->access != NULL && !mh_session_signed_in(r->session) && !is_login_redirect(r)) {
        mh_page_sign_in(r, res);
        return;
    }
    if (mh_console_app(r, res, &happ) != 0)
        return;
    memset(&p, 0, sizeof p);
    MHD_get_connection_values(r->conn, MHD_GET_ARGUMENT_KIND, keep_param, &p);
    req.step = SIS_AUTH_COMPLETE;
    req.params = p.kv;
    req.n_params = p.n;
    rc = mh_authenticate(r->con->ctx->store, &happ, &req, &out, &err);
    if (rc != SIS_OK) {
        const char *busy = mh_console_busy_sentence(r->con);
        snprintf(text, sizeof text, "could not connect %s: %s. Nothing was saved.", happ.app.name,
                 busy != NULL ? busy : err.message);
        note_set(happ.app.name, 1, text);
    } else {
        size_t n = (size_t)snprintf(text, sizeof text, "Connected %s%s%s.", happ.app.name,
                                    out.tenant_name && out.tenant_name[0] ? " to " : "",
                                    out.tenant_name ? out.tenant_name : "");
        if (out.source != NULL && n < sizeof text)
            snprintf(text + n, sizeof text - n, "\nSource: %s", out.source);
        note_set(happ.app.name, 0, text);
        mh_auth_outcome_free(&out);
    }
    to_setup(res, happ.app.name);
}

void mh_action_settings(mh_request *r, mh_response *res)
{
    sis_host_app happ;
    const sis_plugin_header *h;
    const sis_decl *decls[128];
    const char *values[128];
    char key[96], cur[512], why[512], text[700];
    size_t i, n = 0;
    int changed = 0;
    mh_store *store = r->con->ctx->store;

    if (mh_console_app(r, res, &happ) != 0)
        return;
    h = happ.plugin->header;
    to_setup(res, happ.app.name);
    for (i = 0; i < h->n_decls && n < 128; i++)
        if (h->decls[i]->scope == SIS_DECL_SETTING)
            decls[n++] = h->decls[i];
    for (i = 0; i < mh_n_host_decls && n < 128; i++)
        decls[n++] = mh_host_decls[i];
    /* Check every value first: one invalid value stores nothing. */
    for (i = 0; i < n; i++) {
        const char *v;
        snprintf(key, sizeof key, "set.%s", decls[i]->name);
        v = mh_form_get(r, key);
        values[i] = v != NULL && v[0] != '\0' ? v : NULL;
        if (values[i] != NULL && mh_decl_check(decls[i], values[i], why, sizeof why) != 0) {
            size_t k;
            snprintf(text, sizeof text, "%s; nothing was changed", why);
            mh_flash_set(r->session, 1, decls[i]->name, text);
            for (k = 0; k < n; k++) {
                snprintf(key, sizeof key, "set.%s", decls[k]->name);
                mh_flash_keep_value(r->session, decls[k]->name, mh_form_get(r, key));
            }
            return;
        }
    }
    if (mh_store_begin(store, why, sizeof why) != 0) {
        const char *busy = mh_console_busy_sentence(r->con);
        mh_flash_set(r->session, 1, "settings", busy ? busy : why);
        return;
    }
    for (i = 0; i < n; i++) {
        int set = mh_store_config_get(store, happ.app.id, decls[i]->name, cur, sizeof cur) == 0;
        if ((values[i] == NULL && !set) || (values[i] != NULL && set && strcmp(cur, values[i]) == 0))
            continue;
        if (mh_store_config_set(store, happ.app.id, decls[i]->name, values[i]) != 0) {
            const char *busy = mh_console_busy_sentence(r->con);
            mh_store_rollback(store);
            snprintf(text, sizeof text, "cannot store the setting in %s", r->con->ctx->db_path);
            mh_flash_set(r->session, 1, "settings", busy ? busy : text);
            return;
        }
        changed++;
    }
    if (mh_store_commit(store, why, sizeof why) != 0) {
        const char *busy = mh_console_busy_sentence(r->con);
        mh_store_rollback(store);
        mh_flash_set(r->session, 1, "settings", busy ? busy : why);
        return;
    }
    snprintf(text, sizeof text, changed ? "Saved %d setting%s." : "No setting changed.", changed,
             changed == 1 ? "" : "s");
    mh_flash_set(r->session, 0, "settings", text);
}

void mh_action_disconnect(mh_request *r, mh_response *res)
{
    const char *args[] = {"disconnect", r->app, NULL};
    char *out = NULL;
    int rc = mh_console_run(r->con, args, NULL, &out);
    mh_flash_set(r->session, rc != 0, "", out);
    free(out);
    to_setup(res, r->app);
}
