/* cmd_users.c - the Users page and the sync history. */
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <json-c/json.h>

#include "cli.h"
#include "jsonw.h"
#include "store_runs.h"
#include "store_users.h"
#include "unmapped_report.h"

static void print_user_json(const mh_user_view *u, int first)
{
    mh_str o = {0};
    mh_str_adds(&o, first ? "[\n  {\"app\":" : ",\n  {\"app\":");
    mh_str_json(&o, u->app);
    mh_str_adds(&o, ",\"sourcedId\":");
    mh_str_json(&o, u->sourced_id);
    mh_str_adds(&o, ",\"role\":");
    mh_str_json(&o, u->role);
    mh_str_adds(&o, u->active ? ",\"status\":\"active\"" : ",\"status\":\"inactive\"");
    mh_str_adds(&o, ",\"givenName\":");
    mh_str_json(&o, u->given_name);
    mh_str_adds(&o, ",\"familyName\":");
    mh_str_json(&o, u->family_name);
    mh_str_adds(&o, ",\"email\":");
    mh_str_json(&o, u->email);
    mh_str_adds(&o, ",\"username\":");
    mh_str_json(&o, u->username);
    mh_str_adds(&o, ",\"portalRole\":");
    if (u->portal_role == NULL)
        mh_str_adds(&o, "null");
    else
        mh_str_json(&o, u->portal_role);
    mh_str_adds(&o, ",\"locations\":");
    mh_str_adds(&o, u->locations);
    mh_str_adds(&o, ",\"fields\":");
    mh_str_adds(&o, u->fields);
    mh_str_adds(&o, ",\"flags\":");
    mh_str_adds(&o, u->flags[0] ? u->flags : "{}");
    mh_str_adds(&o, "}");
    fputs(o.data, stdout);
    mh_str_free(&o);
}

/* "a=1; b=2" from the stored fields object, for the terminal. */
static void print_fields_plain(const char *json)
{
    json_object *o = json_tokener_parse(json);
    int first = 1;
    if (o == NULL || !json_object_is_type(o, json_type_object)) {
        json_object_put(o);
        return;
    }
    json_object_object_foreach(o, k, v) {
        printf("%s%s=%s", first ? "" : "; ", k, json_object_get_string(v));
        first = 0;
    }
    json_object_put(o);
}

/* Prints s left-aligned in `width` columns, counting characters, not the
 * bytes of their UTF-8 encoding. */
static void print_padded(const char *s, int width)
{
    int chars = 0;
    const char *p;
    for (p = s; *p; p++)
        chars += ((unsigned char)*p & 0xC0) != 0x80;
    fputs(s, stdout);
    for (; chars < width; chars++)
        fputc(' ', stdout);
}

/* The APP column fits the longest name of the apps listed (app names are
 * known before the rows stream; the other columns' widths are not). */
#define APP_WIDTH_MIN 10

static void print_header(int itxm, int app_width)
{
    printf("%-*s %-14s %-13s %-8s %-28s ", app_width, "APP", "SOURCEDID", "ROLE", "STATUS", "NAME");
    if (itxm)
        printf("%-12s %-20s ", "PORTAL ROLE", "LOCATIONS");
    printf("FIELDS\n");
}

static void print_user_row(const mh_user_view *u, int itxm, int app_width)
{
    char name[160];
    snprintf(name, sizeof name, "%s %s", u->given_name, u->family_name);
    printf("%-*s %-14s %-13s %-8s ", app_width, u->app, u->sourced_id, u->role,
           u->active ? "active" : "inactive");
    print_padded(name, 28);
    fputc(' ', stdout);
    if (itxm && !u->app_itxm) {
        printf("%-12s %-20s ", "-", "-");  /* a standard account: no mapping applies */
    } else if (itxm) {
        printf("%-12s ", u->portal_role == NULL ? "(unmapped)" : u->portal_role);
        print_padded(strcmp(u->locations, "[]") == 0 ? "(none)" : u->locations, 20);
        fputc(' ', stdout);
    }
    print_fields_plain(u->fields);
    printf("\n");
}

typedef struct roles_text {
    mh_str text;
    long long total;
    const char *asked;       /* the role asked for */
    char same_but_case[64];  /* a stored role equal to it but for case */
} roles_text;

static int add_role(void *vctx, const char *role, long long users)
{
    roles_text *r = vctx;
    char num[32];
    if (r->asked != NULL && strcasecmp(r->asked, role) == 0)
        snprintf(r->same_but_case, sizeof r->same_but_case, "%s", role);
    if (r->total > 0)
        mh_str_adds(&r->text, ", ");
    mh_str_adds(&r->text, role);
    snprintf(num, sizeof num, " (%lld)", users);
    mh_str_adds(&r->text, num);
    r->total += users;
    return 0;
}

typedef struct names_text {
    mh_str text;
    int n, itxm, longest;
} names_text;

static int add_app(void *vctx, const mh_app *a)
{
    names_text *t = vctx;
    int len = (int)strlen(a->name);
    if (t->n++ > 0)
        mh_str_adds(&t->text, ", ");
    mh_str_adds(&t->text, a->name);
    t->itxm |= a->itxm;
    if (len > t->longest)
        t->longest = len;
    return 0;
}

/* Nothing matched the filters: say why when users are stored (an unknown or
 * wrongly cased role), or that there are none yet.  Returns the exit code. */
static int explain_empty(mh_ctx *ctx, const char *app, const char *role, int json)
{
    roles_text roles;
    int rc = 0;
    memset(&roles, 0, sizeof roles);
    roles.asked = role;
    mh_store_user_roles_each(ctx->store, app, add_role, &roles);
    if (roles.total > 0 && role != NULL && roles.same_but_case[0] != '\0') {
        rc = mh_fail("no user%s%s has the role \"%s\"; roles are matched exactly, case included: "
                     "did you mean --role %s? Roles present: %s", app ? " of " : "", app ? app : "",
                     role, roles.same_but_case, roles.text.data);
    } else if (roles.total > 0 && role != NULL) {
        rc = mh_fail("no user%s%s has the role \"%s\"; roles present: %s", app ? " of " : "",
                     app ? app : "", role, roles.text.data);
    } else if (json) {
        printf("[]\n");
    } else {
        printf("(no users yet: connect an app and run 'mock-host sync APP')\n");
    }
    mh_str_free(&roles.text);
    return rc;
}

typedef struct page {
    int json, itxm, rows, app_width;
} page;

static int print_user(void *vctx, const mh_user_view *u)
{
    page *p = vctx;
    if (p->rows == 0 && !p->json)
        print_header(p->itxm, p->app_width);
    if (p->json)
        print_user_json(u, p->rows == 0);
    else
        print_user_row(u, p->itxm, p->app_width);
    p->rows++;
    return 0;
}

int mh_cmd_users(mh_ctx *ctx, int argc, char **argv)
{
    const char *app = NULL, *role = NULL;
    page p = {0, 0, 0, APP_WIDTH_MIN};
    int i, held = 0;

    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--json") == 0)
            p.json = 1;
        else if (strcmp(argv[i], "--app") == 0 && i + 1 < argc)
            app = argv[++i];
        else if (strcmp(argv[i], "--role") == 0 && i + 1 < argc)
            role = argv[++i];
        else if (strcmp(argv[i], "--held") == 0)
            held = 1;
        else
            return mh_usage_error("users", "unexpected argument '%s'", argv[i]);
    }
    if (mh_ctx_store(ctx) != 0)
        return 1;
    if (app != NULL) {
        mh_app a;
        if (mh_store_app_find(ctx->store, app, &a) != 0) {
            names_text names = {{0}, 0, 0, 0};
            mh_store_app_each(ctx->store, add_app, &names);
            if (names.n > 0)
                mh_fail("no installed app \"%s\"; installed: %s", app, names.text.data);
            else
                mh_fail("no installed app \"%s\"; nothing is installed yet: mock-host install "
                        "PLUGIN", app);
            mh_str_free(&names.text);
            return 1;
        }
        p.itxm = a.itxm;
        if ((int)strlen(a.name) > p.app_width)
            p.app_width = (int)strlen(a.name);
    } else {
        names_text names = {{0}, 0, 0, 0};  /* the mapping columns show when any app is ITxM */
        mh_store_app_each(ctx->store, add_app, &names);
        p.itxm = names.itxm;
        if (names.longest > p.app_width)
            p.app_width = names.longest;
        mh_str_free(&names.text);
    }
    if (mh_store_users_each(ctx->store, app, role, held, print_user, &p) != 0)
        return mh_fail("cannot read the Users page: %s", mh_store_error(ctx->store));
    if (p.rows == 0 && held) {
        /* Not an error: nothing is waiting for a confirmation. */
        printf(p.json ? "[]\n" : "(no deactivations are held%s%s)\n", app ? " for " : "",
               app ? app : "");
        return 0;
    }
    if (p.rows == 0)
        return explain_empty(ctx, app, role, p.json);
    if (p.json)
        printf("\n]\n");
    return 0;
}

static long long count_of(json_object *counts, const char *k)
{
    json_object *v;
    return json_object_object_get_ex(counts, k, &v) ? json_object_get_int64(v) : 0;
}

typedef struct runs_page {
    const char *app;
    int json, itxm, rows;
} runs_page;

static void print_run_json(const mh_run_view *v, int first)
{
    mh_str o = {0};
    char head[128];
    snprintf(head, sizeof head, "%s\n  {\"id\":%lld,\"mode\":", first ? "[" : ",", (long long)v->id);
    mh_str_adds(&o, head);
    mh_str_json(&o, v->mode);
    mh_str_adds(&o, ",\"started\":");
    mh_str_json(&o, v->started);
    mh_str_adds(&o, ",\"ended\":");
    mh_str_json(&o, v->ended);
    snprintf(head, sizeof head, ",\"seconds\":%.3f,\"outcome\":", v->seconds);
    mh_str_adds(&o, head);
    mh_str_json(&o, v->outcome);
    mh_str_adds(&o, ",\"counts\":");
    mh_str_adds(&o, v->counts);
    mh_str_adds(&o, ",\"reason\":");
    mh_str_json(&o, v->reason);
    mh_str_adds(&o, "}");
    fputs(o.data, stdout);
    mh_str_free(&o);
}

static void print_run_row(const runs_page *p, const mh_run_view *v)
{
    json_object *c = json_tokener_parse(v->counts);
    char seconds[32] = "       -";  /* still running, or its process died: no end */
    if (v->ended[0] != '\0')
        snprintf(seconds, sizeof seconds, "%8.1f", v->seconds);
    printf("%-4lld %-6s %-24s %s %-12s %8lld %8lld %8lld %9lld %6lld %6lld %6lld %7lld %5lld %5lld",
           (long long)v->id, v->mode, v->started, seconds, v->outcome, count_of(c, "fetched"),
           count_of(c, "created"), count_of(c, "updated"), count_of(c, "unchanged"),
           count_of(c, "deactivated"), count_of(c, "reactivated"), count_of(c, "held"),
           count_of(c, "invalid"), count_of(c, "requests"), count_of(c, "retries"));
    if (p->itxm) {
        /* NOROLE: active users without a portal role; NOLOC: memberships of
         * orgs without a location.  The detail lines name them. */
        mh_unmapped_totals t = mh_unmapped_totals_of(c);
        printf(" %6lld %5lld", t.role_users, t.org_users);
    }
    printf("\n");
    if (v->reason[0] != '\0')
        printf("     reason: %s\n", v->reason);
    if (p->itxm) {
        mh_str text = {0};
        if (mh_unmapped_describe(c, p->app, "     ", &text))
            fputs(text.data, stdout);
        mh_str_free(&text);
    }
    json_object_put(c);
}

static int print_run(void *vctx, const mh_run_view *v)
{
    runs_page *p = vctx;
    if (p->json)
        print_run_json(v, p->rows == 0);
    else
        print_run_row(p, v);
    p->rows++;
    return 0;
}

int mh_cmd_runs(mh_ctx *ctx, int argc, char **argv)
{
    sis_host_app happ;
    runs_page p = {NULL, 0, 0, 0};
    int i;

    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--json") == 0)
            p.json = 1;
        else if (argv[i][0] == '-' || p.app != NULL)
            return mh_usage_error("runs", "unexpected argument '%s'", argv[i]);
        else
            p.app = argv[i];
    }
    if (p.app == NULL)
        return mh_usage_error("runs", "name the app");
    if (mh_ctx_app(ctx, p.app, &happ) != 0)
        return 1;
    p.itxm = happ.app.itxm;
    if (!p.json)
        printf("%-4s %-6s %-24s %8s %-12s %8s %8s %8s %9s %6s %6s %6s %7s %5s %5s%s\n", "RUN",
               "MODE", "STARTED", "SECONDS", "OUTCOME", "FETCHED", "CREATED", "UPDATED", "UNCHANGED",
               "DEACT", "REACT", "HELD", "INVALID", "REQS", "RETRY", p.itxm ? " NOROLE NOLOC" : "");
    if (mh_store_runs_each(ctx->store, happ.app.id, print_run, &p) != 0)
        return mh_fail("cannot read the run history: %s", mh_store_error(ctx->store));
    if (p.json)
        printf(p.rows ? "\n]\n" : "[]\n");
    return 0;
}
