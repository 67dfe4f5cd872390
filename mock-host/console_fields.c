/*
 * console_fields.c - the Field Mapping page: the metadata toggle and, per
 * role, a checklist of the district's fields (the catalogue discover_schema
 * found: type and fill rate).  The boxes ticked are the fields a sync shows
 * for the role: the saved choice, or before one the plugin's defaults, said
 * to be so (mapping_config.c answers both, for `mock-host fields APP` too).
 * Changes run `mock-host fields`, which checks the choice against the
 * catalogue and applies it to stored users at once, without a request to
 * the SIS; the page shows what the command says.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "console_html.h"
#include "console_server.h"
#include "mapping_config.h"
#include "store_schema.h"

typedef struct fields_page {
    mh_request *r;
    mh_str *o;
    const char *app;
    char role[64];             /* the role whose checklist is open */
    mh_mapping_cfg cfg;        /* the saved choices */
    const sis_connector *conn;
    sis_instance *inst;        /* owned; NULL when the plugin made none */
    json_object *shown;        /* owned: what a sync shows for `role` */
    int shown_default;         /* 1 when that is the plugin's defaults */
    mh_str action;
} fields_page;

static int keep_path(void *vctx, const char *path)
{
    json_object_array_add(vctx, json_object_new_string(path));
    return 0;
}

/* What a sync shows for `role`, as `mock-host fields APP` says it: the
 * saved choice or the plugin's defaults (mapping_config.c). */
static void load_shown(fields_page *pg, const char *role)
{
    json_object_put(pg->shown);
    pg->shown = json_object_new_array();
    pg->shown_default = 0;
    if (pg->inst == NULL || mh_mapping_role_fields(&pg->cfg, pg->conn, pg->inst, role, keep_path,
                                                   pg->shown, &pg->shown_default) != 0) {
        json_object_put(pg->shown);
        pg->shown = NULL;
    }
}

/* 1 when a sync shows `path` for the open role. */
static int chosen(const fields_page *pg, const char *path)
{
    size_t k;
    if (pg->shown == NULL)
        return 0;
    for (k = 0; k < json_object_array_length(pg->shown); k++)
        if (strcmp(json_object_get_string(json_object_array_get_idx(pg->shown, k)), path) == 0)
            return 1;
    return 0;
}

/* " No choice saved yet: ... (givenName, familyName, ...), ticked below ..." */
static void say_defaults(fields_page *pg)
{
    size_t k;
    mh_str_adds(pg->o, " No choice saved yet: a sync shows the default fields (");
    for (k = 0; k < json_object_array_length(pg->shown); k++)
        mh_html(pg->o, "%s%s", k > 0 ? ", " : "",
                json_object_get_string(json_object_array_get_idx(pg->shown, k)));
    mh_str_adds(pg->o, "), ticked below; they stay the defaults until you save a choice.");
}

static void close_role(fields_page *pg)
{
    char field[96];
    if (pg->role[0] == '\0')
        return;
    mh_html(pg->o, "</table><button class=\"primary\" type=\"submit\" id=\"save-%s\">Save fields "
                   "for %s</button></form>", pg->role, pg->role);
    snprintf(field, sizeof field, "role.%s", pg->role);
    mh_html_flash(pg->o, pg->r->session, field);
    mh_str_adds(pg->o, "</fieldset>\n");
    pg->role[0] = '\0';
}

static int schema_row(void *vctx, const mh_schema_row *row)
{
    fields_page *pg = vctx;
    mh_str *o = pg->o;
    int c;
    if (strcmp(pg->role, row->role) != 0) {
        close_role(pg);
        snprintf(pg->role, sizeof pg->role, "%s", row->role);
        mh_html(o, "<fieldset id=\"role-%s\"><legend>%s</legend>", row->role, row->role);
        if (row->role_count >= 0)
            mh_html(o, "<p class=\"help\">%lld users.", row->role_count);
        else
            mh_str_adds(o, "<p class=\"help\">");
        load_shown(pg, row->role);
        if (pg->shown != NULL && pg->shown_default)
            say_defaults(pg);
        mh_html(o, "</p><form method=\"post\" action=\"%s\">", pg->action.data);
        mh_html_csrf(o, pg->r->session);
        mh_html(o, "<input type=\"hidden\" name=\"role\" value=\"%s\"><table><tr><th>Show</th>"
                   "<th>Field</th><th>Path</th><th>Type</th><th>Filled</th></tr>", row->role);
    }
    c = chosen(pg, row->path);
    mh_html(o, "<tr><td><input type=\"checkbox\" name=\"show\" value=\"%s\" id=\"f-%s-%s\"%s></td>"
               "<td><label for=\"f-%s-%s\">%s</label>", row->path, row->role, row->path,
            c == 1 ? " checked" : "", row->role, row->path, row->label);
    if (row->is_metadata)   /* markup: in the format, never a %s argument (escaped) */
        mh_str_adds(o, " <span class=\"help\">metadata</span>");
    mh_html(o, "</td><td><code>%s</code></td><td>%s</td>", row->path, row->type);
    if (row->sampled > 0)
        mh_html(o, "<td>%.0f%%</td></tr>", 100.0 * (double)row->filled / (double)row->sampled);
    else
        mh_str_adds(o, "<td>-</td></tr>");
    return 0;
}

void mh_page_fields(mh_request *r, mh_response *res)
{
    sis_host_app happ;
    fields_page pg;
    mh_str *o = &res->body, path = {0};
    char buf[16];
    int has, metadata;

    if (mh_console_app(r, res, &happ) != 0)
        return;
    memset(&pg, 0, sizeof pg);
    pg.r = r;
    pg.o = o;
    pg.app = happ.app.name;
    mh_html_begin(o, "Field Mapping", happ.app.name, happ.app.itxm);
    mh_html_flash(o, r->session, "");
    metadata = mh_store_state_get(happ.store, happ.app.id, "show_metadata", buf, sizeof buf) == 0 &&
               strcmp(buf, "on") == 0;
    mh_str_adds(&path, "/apps/");
    mh_url_enc(&path, happ.app.name);
    mh_html(o, "<fieldset><legend>Metadata fields</legend><form method=\"post\" "
               "action=\"%s/fields/metadata\">", path.data);
    mh_html_csrf(o, r->session);
    mh_html(o, "<p>Metadata fields (the district's own keys) are <strong id=\"metadata-state\">"
               "%s</strong> on the Users page.</p><button type=\"submit\" name=\"metadata\" "
               "value=\"%s\" id=\"metadata-toggle\">%s</button></form>",
            metadata ? "shown" : "hidden", metadata ? "off" : "on",
            metadata ? "Hide metadata fields" : "Show metadata fields");
    mh_html_flash(o, r->session, "metadata");
    mh_str_adds(o, "</fieldset>");

    has = mh_store_schema_has(happ.store, happ.app.id);
    mh_html(o, "<form method=\"post\" action=\"%s/fields/discover\">", path.data);
    mh_html_csrf(o, r->session);
    mh_html(o, "<p>%s <button type=\"submit\" id=\"discover\">%s</button></p></form>",
            has == 1 ? "The field catalogue as last read from the district." :
            "The district's fields are not read yet.",
            has == 1 ? "Read it again" : "Read the district's fields");
    mh_html_flash(o, r->session, "discover");
    if (has == 1) {
        char msg[512];
        mh_mapping_load(happ.store, &happ.app, &pg.cfg);
        pg.conn = happ.plugin->connector;
        if (mh_instance_create(&pg.inst, &happ, msg, sizeof msg) != 0)
            pg.inst = NULL;  /* no boxes ticked rather than a guess */
        mh_str_add(&pg.action, path.data, path.len);
        mh_str_adds(&pg.action, "/fields/role");
        mh_store_schema_each(happ.store, happ.app.id, NULL, schema_row, &pg);
        close_role(&pg);
        if (pg.inst != NULL)
            pg.conn->destroy(pg.inst);
        json_object_put(pg.shown);
        mh_mapping_free(&pg.cfg);
    }
    mh_str_free(&pg.action);
    mh_str_free(&path);
    mh_html_end(o);
}

static void to_fields(mh_response *res, const char *app)
{
    mh_str e = {0};
    mh_url_enc(&e, app);
    mh_redirect(res, "/apps/%s/fields", e.data);
    mh_str_free(&e);
}

void mh_action_fields_discover(mh_request *r, mh_response *res)
{
    const char *args[] = {"schema", r->app, NULL};
    char *out = NULL;
    int rc = mh_console_run(r->con, args, NULL, &out);
    /* On success the command prints the catalogue, which the page shows. */
    mh_flash_set(r->session, rc != 0, "discover",
                 rc == 0 ? "Read the district's field catalogue." : out);
    free(out);
    to_fields(res, r->app);
}

void mh_action_fields_metadata(mh_request *r, mh_response *res)
{
    const char *v = mh_form_get(r, "metadata");
    const char *args[] = {"fields", r->app, "--metadata", v ? v : "", NULL};
    char *out = NULL;
    int rc = mh_console_run(r->con, args, NULL, &out);
    mh_flash_set(r->session, rc != 0, "metadata", out);
    free(out);
    to_fields(res, r->app);
}

void mh_action_fields_role(mh_request *r, mh_response *res)
{
    const char *role = mh_form_get(r, "role");
    mh_str show = {0};
    char field[96], *out = NULL;
    size_t i;
    int rc;
    mh_str_adds(&show, "");
    for (i = 0; i < r->n_form; i++) {
        if (strcmp(r->form[i].key, "show") != 0)
            continue;
        if (show.len > 0)
            mh_str_adds(&show, ",");
        mh_str_adds(&show, r->form[i].value);
    }
    {
        const char *args[] = {"fields", r->app, "--role", role ? role : "", "--show", show.data, NULL};
        rc = mh_console_run(r->con, args, NULL, &out);
    }
    snprintf(field, sizeof field, "role.%s", role ? role : "");
    mh_flash_set(r->session, rc != 0, field, out);
    free(out);
    mh_str_free(&show);
    to_fields(res, r->app);
}
