/*
 * console_users.c - the Users page: filters by app, role and status, a
 * search by name, email or username, keyset paging (store_users_page.c:
 * fast on any page of a million users), each user's chosen fields as the
 * role's field mapping made them, and for ITxM accounts the portal role
 * and locations.  Filters are a plain GET form, so a page is a link.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "console_html.h"
#include "console_server.h"
#include "store_users_page.h"

#define PAGE_ROWS 50

typedef struct users_page {
    mh_str *o;
    int rows;
    int64_t first_app_id, last_app_id;
    char first_id[256], last_id[256];
    int more;
} users_page;

static void json_values(mh_str *o, const char *text, int with_keys)
{
    json_object *j = json_tokener_parse(text);
    int first = 1;
    if (j == NULL)
        return;
    if (json_object_is_type(j, json_type_object)) {
        json_object_object_foreach(j, key, val) {
            mh_html(o, "<div><span class=\"help\">%s:</span> %s</div>", key,
                    val ? json_object_get_string(val) : "");
        }
    } else if (json_object_is_type(j, json_type_array)) {
        size_t i;
        for (i = 0; i < json_object_array_length(j); i++) {
            mh_html(o, "%s%s", first ? "" : ", ",
                    json_object_get_string(json_object_array_get_idx(j, i)));
            first = 0;
        }
    }
    (void)with_keys;
    json_object_put(j);
}

static int user_row(void *vctx, const mh_user_view *u, int64_t app_id)
{
    users_page *pg = vctx;
    mh_str *o = pg->o;
    if (pg->rows == PAGE_ROWS) {
        pg->more = 1;
        return 1;
    }
    if (pg->rows++ == 0) {
        pg->first_app_id = app_id;
        snprintf(pg->first_id, sizeof pg->first_id, "%s", u->sourced_id);
    }
    pg->last_app_id = app_id;
    snprintf(pg->last_id, sizeof pg->last_id, "%s", u->sourced_id);
    mh_html(o, "<tr class=\"user\"><td>%s</td><td class=\"name\">%s %s</td><td>%s</td><td>%s</td>"
               "<td>%s</td><td>%s</td>", u->app, u->given_name, u->family_name, u->email,
            u->username, u->role, u->active ? "active" : "inactive");
    if (u->app_itxm) {
        size_t before;
        mh_html(o, "<td class=\"portal-role\">%s</td><td class=\"locations\">",
                u->portal_role ? u->portal_role : "(unmapped)");
        before = o->len;
        json_values(o, u->locations, 0);
        if (o->len == before)   /* as `mock-host users` says it */
            mh_str_adds(o, "(none)");
        mh_str_adds(o, "</td>");
    } else {
        mh_str_adds(o, "<td></td><td></td>");
    }
    mh_str_adds(o, "<td class=\"fields\">");
    json_values(o, u->fields, 1);
    mh_str_adds(o, "</td></tr>\n");
    return 0;
}

typedef struct options {
    mh_str *o;
    const char *selected;
} options;

static int app_option(void *vctx, const mh_app *a)
{
    options *op = vctx;
    mh_html(op->o, "<option value=\"%s\"%s>%s</option>", a->name,
            op->selected && strcmp(op->selected, a->name) == 0 ? " selected" : "", a->name);
    return 0;
}

static int role_option(void *vctx, const char *role, long long users)
{
    options *op = vctx;
    /* Every stored user of the role, whatever the status filter says. */
    mh_html(op->o, "<option value=\"%s\"%s>%s (%lld users, active and inactive)</option>", role,
            op->selected && strcmp(op->selected, role) == 0 ? " selected" : "", role, users);
    return 0;
}

static const char *nonempty(const char *s)
{
    return s != NULL && s[0] != '\0' ? s : NULL;
}

static void query_arg(mh_str *o, const char *key, const char *value)
{
    if (value == NULL)
        return;
    mh_str_adds(o, "&");
    mh_str_adds(o, key);
    mh_str_adds(o, "=");
    mh_url_enc(o, value);
}

/* A row's key in a paging link, "APPID:SOURCEDID": read into app and id
 * (of 256 bytes); 1 when v is one. */
static int read_key(const char *v, long long *app, char *id)
{
    return v != NULL && sscanf(v, "%lld:%255[^\n]", app, id) == 2;
}

/* A link to the page `arg` (after or before) the row (app_id, id): the
 * filters' link `base` and that key. */
static void paging_link(mh_str *o, const char *base, const char *arg, int64_t app_id,
                        const char *id, const char *html_id, const char *text)
{
    mh_str link = {0};
    char key[300];
    snprintf(key, sizeof key, "%lld:%s", (long long)app_id, id);
    mh_str_adds(&link, base);
    query_arg(&link, arg, key);
    mh_html(o, "<a href=\"%s\" id=\"%s\">%s</a> ", link.data, html_id, text);
    mh_str_free(&link);
}

void mh_page_users(mh_request *r, mh_response *res)
{
    mh_store *s = r->con->ctx->store;
    mh_str *o = &res->body, link = {0};
    mh_user_query q;
    users_page pg;
    options op;
    const char *status = nonempty(mh_query_get(r, "status"));
    const char *after = nonempty(mh_query_get(r, "after"));
    const char *before = nonempty(mh_query_get(r, "before"));
    char after_id[256] = "";
    long long after_app = -1;

    memset(&q, 0, sizeof q);
    q.app = nonempty(mh_query_get(r, "app"));
    q.role = nonempty(mh_query_get(r, "role"));
    q.search = nonempty(mh_query_get(r, "q"));
    /* "held": whom a held run would deactivate (still active until confirmed). */
    q.held = status != NULL && strcmp(status, "held") == 0;
    q.status = status == NULL || q.held ? -1 : strcmp(status, "active") == 0 ? 1
             : strcmp(status, "inactive") == 0 ? 0 : -2;
    q.limit = PAGE_ROWS + 1;   /* one more: is there a next page */
    if (read_key(after, &after_app, after_id)) {
        q.after_app_id = after_app;
        q.after_sourced_id = after_id;
    } else if (read_key(before, &after_app, after_id)) {
        /* The page before the one starting at `before`: the rows after the
         * key PAGE_ROWS rows further back, or the first page. */
        int64_t app_id = -1;
        q.after_app_id = after_app;
        q.after_sourced_id = after_id;
        if (mh_store_users_page_before(s, &q, PAGE_ROWS, &app_id, after_id, sizeof after_id) == 1)
            q.after_app_id = app_id;
        else
            q.after_sourced_id = NULL;
    }

    mh_html_begin(o, "Users", NULL, 0);
    if (q.status == -2) {
        /* An unknown status is said and ignored, not read as "inactive". */
        mh_html(o, "<p class=\"error\" id=\"bad-status\">There is no status \"%s\": a user is "
                   "active or inactive (or held: active, and a held run would deactivate "
                   "them). Showing every status.</p>", status);
        q.status = -1;
        status = NULL;
    }
    mh_html(o, "<form method=\"get\" action=\"/users\" id=\"filters\"><label>App <select name=\"app\">"
               "<option value=\"\">every app</option>");
    op.o = o;
    op.selected = q.app;
    mh_store_app_each(s, app_option, &op);
    mh_html(o, "</select></label><label>Role <select name=\"role\"><option value=\"\">every role"
               "</option>");
    op.selected = q.role;
    mh_store_user_roles_each(s, q.app, role_option, &op);
    mh_html(o, "</select></label><label>Status <select name=\"status\">"
               "<option value=\"\">every status</option>"
               "<option value=\"active\"%s>active</option>"
               "<option value=\"inactive\"%s>inactive</option>"
               "<option value=\"held\"%s>held: a held run would deactivate them</option>"
               "</select></label>"
               "<label>Search <input type=\"text\" name=\"q\" value=\"%s\" "
               "placeholder=\"name, email or username\"></label>"
               "<button type=\"submit\" id=\"filter\">Show</button></form>",
            q.status == 1 ? " selected" : "", q.status == 0 ? " selected" : "",
            q.held ? " selected" : "",
            q.search ? q.search : "");

    memset(&pg, 0, sizeof pg);
    pg.o = o;
    mh_html(o, "<table id=\"users\"><tr><th>App</th><th>Name</th><th>Email</th><th>Username</th>"
               "<th>Role</th><th>Status</th><th>Portal role</th><th>Locations</th>"
               "<th>Fields</th></tr>\n");
    if (mh_store_users_page(s, &q, user_row, &pg) != 0)
        mh_html(o, "</table><p class=\"error\">Cannot read the users from %s.</p>",
                r->con->ctx->db_path);
    else
        mh_str_adds(o, "</table>");
    /* With filters, the app may well be synced: "sync it" would mislead. */
    if (pg.rows == 0 && (q.app || q.role || q.search || status))
        mh_html(o, "<p id=\"no-users\">No users match these filters.</p>");
    else if (pg.rows == 0)
        mh_html(o, "<p id=\"no-users\">No users yet. Sync an app from its Sync page to import "
                   "them.</p>");
    mh_str_adds(&link, "/users?");
    query_arg(&link, "app", q.app);
    query_arg(&link, "role", q.role);
    query_arg(&link, "status", status);
    query_arg(&link, "q", q.search);
    mh_str_adds(o, "<p class=\"paging\">");
    if (q.after_sourced_id != NULL)
        mh_html(o, "<a href=\"%s\" id=\"first-page\">First page</a> ", link.data);
    if (q.after_sourced_id != NULL && pg.rows > 0)
        paging_link(o, link.data, "before", pg.first_app_id, pg.first_id, "previous-page",
                    "Previous page");
    if (pg.more)
        paging_link(o, link.data, "after", pg.last_app_id, pg.last_id, "next-page", "Next page");
    mh_str_adds(o, "</p>");
    mh_str_free(&link);
    mh_html_end(o);
}
