/*
 * console_itxm.c - Role Mapping and Location Mapping (ITxM accounts): the
 * SIS roles and orgs present with their user counts, their mapping and a
 * suggestion (mapping_suggest.c, as on the command line), how many users
 * are unmapped, and the host's Customer Portal roles and locations with
 * add and remove.  Every change runs the command that makes it (`roles`,
 * `locations`, `portal-roles`), which checks both sides and re-maps the
 * stored users at once; the page shows its sentences.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "console_html.h"
#include "console_server.h"
#include "mapping_suggest.h"
#include "store_mapping.h"
#include "store_names.h"

typedef struct names {
    char **v;
    size_t n;
} names;

static int keep_name(void *vctx, const char *name)
{
    names *ns = vctx;
    char **grown = realloc(ns->v, (ns->n + 1) * sizeof *grown);
    if (grown == NULL)
        return 1;
    ns->v = grown;
    ns->v[ns->n++] = strdup(name);
    return 0;
}

static void names_free(names *ns)
{
    size_t i;
    for (i = 0; i < ns->n; i++)
        free(ns->v[i]);
    free(ns->v);
}

typedef struct map_page {
    mh_request *r;
    mh_str *o;
    const char *action;        /* the form's path */
    names list;
    long long unmapped_users;
    int unmapped_rows;
} map_page;

static void select_of(map_page *pg, const char *current, const char *suggested)
{
    const char *pick = current != NULL ? current : suggested;
    size_t i;
    mh_html(pg->o, "<select name=\"to\"><option value=\"\">(choose)</option>");
    for (i = 0; i < pg->list.n; i++)
        mh_html(pg->o, "<option value=\"%s\"%s>%s</option>", pg->list.v[i],
                pick != NULL && strcmp(pick, pg->list.v[i]) == 0 ? " selected" : "", pg->list.v[i]);
    mh_str_adds(pg->o, "</select>");
}

static void row_form(map_page *pg, const char *from, const char *current, const char *suggested,
                     const char *field_prefix)
{
    char field[320];
    mh_html(pg->o, "<td><form method=\"post\" action=\"%s\" class=\"inline\">", pg->action);
    mh_html_csrf(pg->o, pg->r->session);
    mh_html(pg->o, "<input type=\"hidden\" name=\"from\" value=\"%s\">", from);
    select_of(pg, current, suggested);
    mh_html(pg->o, " <button type=\"submit\" id=\"map-%s\">Map</button></form>", from);
    snprintf(field, sizeof field, "%s.%s", field_prefix, from);
    mh_html_flash(pg->o, pg->r->session, field);
    mh_str_adds(pg->o, "</td>");
}

static int role_row(void *vctx, const mh_role_row *row)
{
    map_page *pg = vctx;
    char sugg[128] = "";
    if (row->portal_role == NULL) {
        mh_suggest_portal_role(pg->r->con->ctx->store, row->role, sugg, sizeof sugg);
        pg->unmapped_users += row->users;
        pg->unmapped_rows++;
    }
    mh_html(pg->o, "<tr id=\"sisrole-%s\"><td>%s</td><td>%lld</td><td class=\"mapped\">%s</td>"
                   "<td class=\"help\">%s</td>", row->role, row->role, row->users,
            row->portal_role ? row->portal_role : "(unmapped)", sugg);
    row_form(pg, row->role, row->portal_role, sugg[0] ? sugg : NULL, "role");
    mh_str_adds(pg->o, "</tr>\n");
    return 0;
}

static int org_row(void *vctx, const mh_org_row *row)
{
    map_page *pg = vctx;
    char sugg[256] = "";
    if (row->location == NULL) {
        mh_suggest_location(pg->r->con->ctx->store, row->name, row->identifier, sugg, sizeof sugg);
        pg->unmapped_users += row->users;
        pg->unmapped_rows++;
    }
    mh_html(pg->o, "<tr id=\"org-%s\"><td><code>%s</code></td><td>%s</td><td>%s</td><td>%s",
            row->sourced_id, row->sourced_id, row->type, row->identifier, row->name);
    if (row->stale)   /* markup: never a %s argument, which is escaped */
        mh_str_adds(pg->o, " <span class=\"help\">(no longer in the SIS; mapping kept)</span>");
    mh_html(pg->o, "</td><td>%lld</td><td class=\"mapped\">%s</td><td class=\"help\">%s</td>",
            row->users, row->location ? row->location : "(unmapped)", sugg);
    row_form(pg, row->sourced_id, row->location, sugg[0] ? sugg : NULL, "org");
    mh_str_adds(pg->o, "</tr>\n");
    return 0;
}

/* The host's list with add and remove, below a mapping table. */
static void list_editor(map_page *pg, const char *list, const char *title, const char *what)
{
    size_t i;
    char field[64];
    mh_html(pg->o, "<fieldset id=\"list-%s\"><legend>%s</legend><ul>", list, title);
    for (i = 0; i < pg->list.n; i++) {
        mh_html(pg->o, "<li>%s <form method=\"post\" action=\"/names\" class=\"inline\">",
                pg->list.v[i]);
        mh_html_csrf(pg->o, pg->r->session);
        mh_html(pg->o, "<input type=\"hidden\" name=\"list\" value=\"%s\"><input type=\"hidden\" "
                       "name=\"op\" value=\"remove\"><input type=\"hidden\" name=\"name\" value=\"%s\">"
                       "<input type=\"hidden\" name=\"app\" value=\"%s\"><button type=\"submit\">"
                       "Remove</button></form></li>", list, pg->list.v[i], pg->r->app);
    }
    if (pg->list.n == 0)
        mh_html(pg->o, "<li class=\"help\">None yet.</li>");
    mh_html(pg->o, "</ul><form method=\"post\" action=\"/names\">");
    mh_html_csrf(pg->o, pg->r->session);
    mh_html(pg->o, "<input type=\"hidden\" name=\"list\" value=\"%s\"><input type=\"hidden\" "
                   "name=\"op\" value=\"add\"><input type=\"hidden\" name=\"app\" value=\"%s\">"
                   "<input type=\"text\" name=\"name\" id=\"add-%s\" placeholder=\"new %s\"> "
                   "<button type=\"submit\" id=\"add-%s-button\">Add</button></form>", list,
            pg->r->app, list, what, list);
    snprintf(field, sizeof field, "names.%s", list);
    mh_html_flash(pg->o, pg->r->session, field);
    mh_str_adds(pg->o, "</fieldset>");
}

/* The command line's sentence when the app is not an ITxM account. */
static int not_itxm(mh_str *o, const sis_host_app *happ, const char *page)
{
    if (happ->app.itxm)
        return 0;
    mh_html(o, "<p class=\"notice\">%s mapping applies only to ITxM accounts; %s is a standard "
               "account, so its users are imported without it. (Switch with: mock-host account "
               "%s --itxm)</p>", page, happ->app.name, happ->app.name);
    mh_html_end(o);
    return 1;
}

static int role_rows(map_page *pg, mh_store *st, int64_t app_id)
{
    return mh_store_role_rows_each(st, app_id, role_row, pg);
}

static int org_rows(map_page *pg, mh_store *st, int64_t app_id)
{
    return mh_store_org_rows_each(st, app_id, org_row, pg);
}

static void roles_unmapped(mh_str *o, const map_page *pg)
{
    /* The roster's users, active or not: a sync's summary counts active
     * users only, so the page says which count it gives. */
    mh_html(o, "<p id=\"unmapped\" class=\"error\">Unmapped: %lld users of the district's roster "
               "(active and inactive) in %d SIS role%s have no portal role.</p>",
            pg->unmapped_users, pg->unmapped_rows, pg->unmapped_rows == 1 ? "" : "s");
}

static void orgs_unmapped(mh_str *o, const map_page *pg)
{
    mh_html(o, "<p id=\"unmapped\" class=\"error\">Unmapped: %d org%s without a location "
               "(%lld user memberships of the district's roster, active and inactive).</p>",
            pg->unmapped_rows,
            pg->unmapped_rows == 1 ? "" : "s", pg->unmapped_users);
}

/* What differs between Role Mapping and Location Mapping; the page around
 * it is one (map_page_show). */
typedef struct map_kind {
    const char *title;           /* the page's title */
    const char *word;            /* "Role": "Role mapping applies only to ITxM accounts" */
    const char *path;            /* the form's path under /apps/NAME */
    mh_name_list names;          /* the host's list the rows map to */
    const char *rows_what;       /* "roles": "cannot read the roles of APP" */
    int (*rows)(map_page *pg, mh_store *st, int64_t app_id);
    void (*unmapped)(mh_str *o, const map_page *pg);
    const char *all_mapped;      /* the sentence when nothing is unmapped */
    const char *table_head;      /* markup (a literal): the table's start and header row */
    const char *empty;           /* the sentence when there are no rows yet */
    const char *list, *list_title, *list_what;   /* the list editor's */
} map_kind;

static const map_kind role_mapping = {
    "Role Mapping", "Role", "/roles", MH_PORTAL_ROLES, "roles", role_rows, roles_unmapped,
    "Every SIS role present is mapped.",
    "<table id=\"roles\"><tr><th>SIS role</th><th>Users (active and inactive)</th><th>Portal role</th>"
    "<th>Suggested</th><th>Map to</th></tr>",
    "No users yet: sync the app first.", "portal-roles", "Customer Portal roles", "portal role",
};

static const map_kind location_mapping = {
    "Location Mapping", "Location", "/locations", MH_LOCATIONS, "orgs", org_rows, orgs_unmapped,
    "Every org present is mapped.",
    "<table id=\"orgs\"><tr><th>sourcedId</th><th>Type</th><th>Identifier</th>"
    "<th>Name</th><th>Users (active and inactive)</th><th>Location</th><th>Suggested</th><th>Map to</th></tr>",
    "No orgs yet: sync the app first.", "locations", "Locations", "location",
};

/* The mapping table with its unmapped count above it, then the host's
 * list with add and remove. */
static void map_page_show(mh_request *r, mh_response *res, const map_kind *k)
{
    sis_host_app happ;
    map_page pg;
    mh_str action = {0}, table = {0}, *o = &res->body;

    if (mh_console_app(r, res, &happ) != 0)
        return;
    mh_html_begin(o, k->title, happ.app.name, happ.app.itxm);
    mh_html_flash(o, r->session, "");
    if (not_itxm(o, &happ, k->word))
        return;
    memset(&pg, 0, sizeof pg);
    pg.r = r;
    mh_str_adds(&action, "/apps/");
    mh_url_enc(&action, happ.app.name);
    mh_str_adds(&action, k->path);
    pg.action = action.data;
    mh_store_name_each(happ.store, k->names, keep_name, &pg.list);
    pg.o = &table;   /* rows first: the unmapped count goes above them */
    if (k->rows(&pg, happ.store, happ.app.id) != 0)
        mh_html(o, "<p class=\"error\">cannot read the %s of %s: %s</p>", k->rows_what,
                happ.app.name, mh_store_error(happ.store));
    pg.o = o;
    /* Before the first sync there is nothing to map: "every role is
     * mapped" above "no users yet" contradicted itself. */
    if (table.data == NULL) {
        mh_html(o, "<p class=\"help\" id=\"no-rows\">%s</p>", k->empty);
    } else {
        if (pg.unmapped_rows > 0)
            k->unmapped(o, &pg);
        else
            mh_html(o, "<p id=\"unmapped\" class=\"notice\">%s</p>", k->all_mapped);
        mh_str_adds(o, k->table_head);
        mh_str_adds(o, table.data);
        mh_str_adds(o, "</table>");
    }
    list_editor(&pg, k->list, k->list_title, k->list_what);
    names_free(&pg.list);
    mh_str_free(&table);
    mh_str_free(&action);
    mh_html_end(o);
}

void mh_page_roles(mh_request *r, mh_response *res)
{
    map_page_show(r, res, &role_mapping);
}

void mh_page_locations(mh_request *r, mh_response *res)
{
    map_page_show(r, res, &location_mapping);
}

/* Runs `CMD APP --map FROM=TO` and shows its sentences next to the row. */
static void map_action(mh_request *r, mh_response *res, const char *cmd, const char *prefix,
                       const char *page)
{
    const char *from = mh_form_get(r, "from"), *to = mh_form_get(r, "to");
    mh_str pair = {0}, e = {0};
    char field[320], *out = NULL;
    int rc;
    mh_str_adds(&pair, from ? from : "");
    mh_str_adds(&pair, "=");
    mh_str_adds(&pair, to ? to : "");
    {
        const char *args[] = {cmd, r->app, "--map", pair.data, NULL};
        rc = mh_console_run(r->con, args, NULL, &out);
    }
    snprintf(field, sizeof field, "%s.%s", prefix, from ? from : "");
    {
        /* Done: the outcome sentence only.  The command also prints its
         * whole mapping table for a terminal, which the page already is. */
        const char *applied = rc == 0 ? strstr(out, "Applied to the Users page:") : NULL;
        mh_flash_set(r->session, rc != 0, field, applied != NULL ? applied : out);
    }
    free(out);
    mh_str_free(&pair);
    mh_url_enc(&e, r->app);
    mh_redirect(res, "/apps/%s/%s", e.data, page);
    mh_str_free(&e);
}

void mh_action_roles(mh_request *r, mh_response *res)
{
    map_action(r, res, "roles", "role", "roles");
}

void mh_action_locations(mh_request *r, mh_response *res)
{
    map_action(r, res, "locations", "org", "locations");
}

void mh_action_names(mh_request *r, mh_response *res)
{
    const char *list = mh_form_get(r, "list"), *op = mh_form_get(r, "op");
    const char *name = mh_form_get(r, "name"), *app = mh_form_get(r, "app");
    const char *cmd = NULL, *page = NULL;
    char field[64], *out = NULL;
    mh_str e = {0};
    int rc;

    if (list != NULL && strcmp(list, "portal-roles") == 0)
        cmd = "portal-roles", page = "roles";
    else if (list != NULL && strcmp(list, "locations") == 0)
        cmd = "locations", page = "locations";
    if (cmd == NULL || op == NULL || (strcmp(op, "add") != 0 && strcmp(op, "remove") != 0)) {
        res->status = 400;
        mh_html_begin(&res->body, "Not understood", NULL, 0);
        mh_html(&res->body, "<p>This form is not one of the console's.</p>");
        mh_html_end(&res->body);
        return;
    }
    {
        const char *args[] = {cmd, op, name ? name : "", NULL};
        rc = mh_console_run(r->con, args, NULL, &out);
    }
    snprintf(field, sizeof field, "names.%s", list);
    mh_flash_set(r->session, rc != 0, field, out);
    free(out);
    if (app != NULL && app[0] != '\0') {
        mh_url_enc(&e, app);
        mh_redirect(res, "/apps/%s/%s", e.data, page);   /* a path of ours: no open redirect */
        mh_str_free(&e);
    } else {
        mh_redirect(res, "/apps");
    }
}
