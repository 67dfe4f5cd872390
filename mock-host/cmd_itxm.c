/*
 * cmd_itxm.c - step 5, ITxM accounts only: the host's Customer Portal roles
 * and locations, and the mapping of SIS roles and orgs onto them.  Every
 * mapping change is applied to the stored users at once, without a request
 * to the SIS.  An org that vanished from the SIS keeps its mapping, flagged.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "mapping_suggest.h"
#include "store_mapping.h"
#include "store_names.h"
#include "userpage.h"

/* ---- the host's own lists ----------------------------------------------- */

static const char *const list_what[] = {"portal role", "location"};
static const char *const list_cmd[] = {"portal-roles", "locations"};

static int blank(const char *name)
{
    for (; *name; name++)
        if (!isspace((unsigned char)*name))
            return 0;
    return 1;
}

static int print_name(void *ctx, const char *name)
{
    (void)ctx;
    printf("%s\n", name);
    return 0;
}

typedef struct app_by_id {
    int64_t id;
    mh_app app;
    int found;
} app_by_id;

static int match_id(void *vctx, const mh_app *a)
{
    app_by_id *f = vctx;
    if (a->id != f->id)
        return 0;
    f->app = *a;
    f->found = 1;
    return 1;
}

/* Removes `name` and every mapping to it, then re-maps the users of each
 * app concerned, all in one transaction: no user or mapping is left naming
 * something that no longer exists. */
static int remove_and_unmap(mh_ctx *ctx, mh_name_list list, const char *name)
{
    int64_t ids[256];
    int n, i, rc = 0;
    char msg[512];
    mh_user_counts total = {0, 0, 0, 0, 0};

    if (mh_store_begin(ctx->store, msg, sizeof msg) != 0)
        return mh_fail("%s", msg);
    n = mh_store_name_apps(ctx->store, list, name, ids, 256);
    if (n < 0 || mh_store_name_unmap(ctx->store, list, name) != 0 ||
        mh_store_name_remove(ctx->store, list, name) < 0) {
        mh_store_rollback(ctx->store);
        return mh_fail("cannot remove the %s \"%s\": %s", list_what[list], name,
                       mh_store_error(ctx->store));
    }
    for (i = 0; i < n && rc == 0; i++) {
        app_by_id f;
        sis_host_app happ;
        sis_instance *inst = NULL;
        mh_user_counts c;
        memset(&f, 0, sizeof f);
        f.id = ids[i];
        mh_store_app_each(ctx->store, match_id, &f);
        if (!f.found)
            continue;
        rc = mh_ctx_app(ctx, f.app.name, &happ);
        if (rc == 0 && mh_instance_create(&inst, &happ, msg, sizeof msg) != 0)
            rc = mh_fail("%s", msg);
        if (rc == 0) {
            rc = mh_reapply_mappings_in(ctx->store, &happ.app, happ.plugin->connector, inst, &c);
            happ.plugin->connector->destroy(inst);
            total.updated += c.updated;
        }
    }
    if (rc != 0 || mh_store_commit(ctx->store, msg, sizeof msg) != 0) {
        mh_store_rollback(ctx->store);
        return mh_fail("the %s \"%s\" was not removed: its users could not be re-mapped; "
                       "nothing changed", list_what[list], name);
    }
    printf("Removed the %s \"%s\" and its mappings; %llu users re-mapped without it (no "
           "request to the SIS).\n", list_what[list], name, (unsigned long long)total.updated);
    return 0;
}

static int edit_list(mh_ctx *ctx, mh_name_list list, int argc, char **argv)
{
    const char *what = list_what[list], *cmd = list_cmd[list], *name = NULL;
    int add, unmap = 0, i, rc;
    mh_name_usage use;

    if (argc == 1) {
        if (mh_ctx_store(ctx) != 0)
            return 1;
        rc = mh_store_name_each(ctx->store, list, print_name, NULL);
        if (rc < 0)
            return mh_fail("cannot read the %ss from %s", what, ctx->db_path);
        if (rc == 0)
            printf("(none yet: mock-host %s add NAME)\n", cmd);
        return 0;
    }
    add = strcmp(argv[1], "add") == 0;
    if (!add && strcmp(argv[1], "remove") != 0)
        return mh_usage_error(cmd, "unexpected argument '%s'", argv[1]);
    for (i = 2; i < argc; i++) {
        if (!add && strcmp(argv[i], "--unmap") == 0)
            unmap = 1;
        else if ((argv[i][0] == '-' && argv[i][1] != '\0') || name != NULL)
            return mh_usage_error(cmd, "unexpected argument '%s'", argv[i]);
        else
            name = argv[i];
    }
    if (name == NULL || blank(name))
        return mh_usage_error(cmd, "a %s needs a name that is not blank", what);
    if (mh_ctx_store(ctx) != 0)
        return 1;
    if (add) {
        rc = mh_store_name_add(ctx->store, list, name);
        if (rc < 0)
            return mh_fail("cannot add the %s \"%s\": %s", what, name, mh_store_error(ctx->store));
        printf(rc == 1 ? "The %s \"%s\" exists already.\n" : "Added the %s \"%s\".\n", what, name);
        return 0;
    }
    rc = mh_store_name_exists(ctx->store, list, name);
    if (rc == 0)
        return mh_fail("there is no %s \"%s\"; see 'mock-host %s'", what, name, cmd);
    if (rc < 0 || mh_store_name_usage(ctx->store, list, name, &use) != 0)
        return mh_fail("cannot read the %ss from %s", what, ctx->db_path);
    if (unmap)
        return remove_and_unmap(ctx, list, name);
    if (use.mappings > 0 || use.users > 0)
        return mh_fail("the %s \"%s\" is in use by %lld mapping%s and %lld user%s, so it was not "
                       "removed. Map them to another %s first, or remove it and unmap them with: "
                       "mock-host %s remove \"%s\" --unmap", what, name, use.mappings,
                       use.mappings == 1 ? "" : "s", use.users, use.users == 1 ? "" : "s", what,
                       cmd, name);
    if (mh_store_name_remove(ctx->store, list, name) < 0)
        return mh_fail("cannot remove the %s \"%s\": %s", what, name, mh_store_error(ctx->store));
    printf("Removed the %s \"%s\".\n", what, name);
    return 0;
}

int mh_cmd_portal_roles(mh_ctx *ctx, int argc, char **argv)
{
    return edit_list(ctx, MH_PORTAL_ROLES, argc, argv);
}

/* ---- mapping pages --------------------------------------------------------- */

/* 0 for an ITxM account.  Otherwise says why mapping does not apply: as
 * information when only viewing (returns 1), as an error on stderr when a
 * change was asked for (returns -1). */
static int need_itxm(const sis_host_app *happ, const char *page, int changing)
{
    static const char fmt[] = "%s mapping applies only to ITxM accounts; %s is a standard "
                              "account, so its users are imported without it. (Switch with: "
                              "mock-host account %s --itxm)";
    if (happ->app.itxm)
        return 0;
    if (changing) {
        mh_fail(fmt, page, happ->app.name, happ->app.name);
        return -1;
    }
    printf(fmt, page, happ->app.name, happ->app.name);
    printf("\n");
    return 1;
}

static int apply_now(mh_ctx *ctx, sis_host_app *happ)
{
    sis_instance *inst = NULL;
    mh_user_counts c;
    char msg[512];
    int rc;
    if (mh_instance_create(&inst, happ, msg, sizeof msg) != 0)
        return mh_fail("%s", msg);
    rc = mh_reapply_mappings(ctx->store, &happ->app, happ->plugin->connector, inst, &c);
    happ->plugin->connector->destroy(inst);
    if (rc != 0)
        return 1;
    printf("Applied to the Users page: %llu users updated (no request to the SIS).\n",
           (unsigned long long)c.updated);
    return 0;
}

/* Collects the --map FROM=TO pairs; returns how many, or -1 after a usage
 * message.  `example` shows the form ("student=Student"). */
static int parse_maps(int argc, char **argv, const char *cmd, const char *example,
                      char **pairs, int cap)
{
    int i, n = 0;
    for (i = 2; i < argc; i++) {
        const char *v, *eq;
        if (strcmp(argv[i], "--map") != 0) {
            mh_usage_error(cmd, "unexpected argument '%s'; mappings are given as --map %s", argv[i],
                           example);
            return -1;
        }
        if (i + 1 >= argc) {
            mh_usage_error(cmd, "--map needs a value, e.g. --map %s", example);
            return -1;
        }
        v = argv[++i];
        eq = strchr(v, '=');
        if (eq == NULL || eq == v || blank(eq + 1)) {
            mh_usage_error(cmd, "--map '%s' needs both sides, as in --map %s", v, example);
            return -1;
        }
        if (n >= cap) {
            mh_usage_error(cmd, "at most %d mappings at once", cap);
            return -1;
        }
        pairs[n++] = argv[i];
    }
    return n;
}

typedef struct page_ctx {
    mh_store *s;
} page_ctx;

static int print_role_row(void *vctx, const mh_role_row *row)
{
    page_ctx *p = vctx;
    char sugg[128] = "";
    if (row->portal_role == NULL)
        mh_suggest_portal_role(p->s, row->role, sugg, sizeof sugg);
    printf("%-24s %8lld  %-20s %s\n", row->role, row->users,
           row->portal_role ? row->portal_role : "(unmapped)", sugg);
    return 0;
}

int mh_cmd_roles(mh_ctx *ctx, int argc, char **argv)
{
    sis_host_app happ;
    char *pairs[64];
    page_ctx page;
    int n, i;

    if (argc < 2 || argv[1][0] == '-')
        return mh_usage_error("roles", "name the app");
    if ((n = parse_maps(argc, argv, "roles", "student=Student", pairs, 64)) < 0)
        return 2;
    if (mh_ctx_app(ctx, argv[1], &happ) != 0)
        return 1;
    if ((i = need_itxm(&happ, "Role", n > 0)) != 0)
        return i < 0 ? 1 : 0;
    /* Every pair is checked before any is stored: a mistake changes nothing. */
    for (i = 0; i < n; i++) {
        char *eq = strchr(pairs[i], '=');
        *eq = '\0';
        if (mh_store_sis_role_present(ctx->store, happ.app.id, pairs[i]) != 1)
            return mh_fail("the district has no users with the SIS role \"%s\"; run 'mock-host "
                           "roles %s' to see the roles present", pairs[i], argv[1]);
        if (mh_store_name_exists(ctx->store, MH_PORTAL_ROLES, eq + 1) != 1)
            return mh_fail("there is no Customer Portal role \"%s\"; add it with 'mock-host "
                           "portal-roles add \"%s\"'", eq + 1, eq + 1);
    }
    for (i = 0; i < n; i++)
        if (mh_store_role_map_set(ctx->store, happ.app.id, pairs[i], pairs[i] + strlen(pairs[i]) + 1) != 0)
            return mh_fail("cannot store the role mapping: %s", mh_store_error(ctx->store));
    printf("%-24s %8s  %-20s %s\n", "SIS ROLE", "USERS", "PORTAL ROLE", "SUGGESTED");
    page.s = ctx->store;
    if (mh_store_role_rows_each(ctx->store, happ.app.id, print_role_row, &page) != 0)
        return mh_fail("cannot read the roles of %s: %s", argv[1], mh_store_error(ctx->store));
    return n > 0 ? apply_now(ctx, &happ) : 0;
}

static int print_org_row(void *vctx, const mh_org_row *row)
{
    page_ctx *p = vctx;
    char sugg[256] = "";
    if (row->location == NULL)
        mh_suggest_location(p->s, row->name, row->identifier, sugg, sizeof sugg);
    printf("%-18s %-9s %-8s %-36s %6lld  %-24s %s%s\n", row->sourced_id, row->type,
           row->identifier, row->name, row->users, row->location ? row->location : "(unmapped)",
           sugg, row->stale ? "  [stale: no longer in the SIS; mapping kept]" : "");
    return 0;
}

static int locations_page(mh_ctx *ctx, sis_host_app *happ, int argc, char **argv)
{
    static char org_ids[256][256];
    char *pairs[256];
    page_ctx page;
    int n, i;

    if ((n = parse_maps(argc, argv, "locations", "SCH001=\"Lincoln Elementary\"", pairs, 256)) < 0)
        return 2;
    if ((i = need_itxm(happ, "Location", n > 0)) != 0)
        return i < 0 ? 1 : 0;
    /* Every pair is checked before any is stored: a mistake changes nothing. */
    for (i = 0; i < n; i++) {
        char *eq = strchr(pairs[i], '=');
        int found;
        *eq = '\0';
        found = mh_store_org_resolve(ctx->store, happ->app.id, pairs[i], org_ids[i], sizeof org_ids[i]);
        if (found == 1)
            return mh_fail("the district has no org with the sourcedId or identifier \"%s\"; run "
                           "'mock-host locations %s' to see its orgs", pairs[i], argv[1]);
        if (found == 2)
            return mh_fail("the identifier \"%s\" names several orgs; map each by its sourcedId "
                           "(see 'mock-host locations %s')", pairs[i], argv[1]);
        if (found < 0)
            return mh_fail("cannot read the orgs of %s: %s", argv[1], mh_store_error(ctx->store));
        if (mh_store_name_exists(ctx->store, MH_LOCATIONS, eq + 1) != 1)
            return mh_fail("there is no location \"%s\"; add it with 'mock-host locations add "
                           "\"%s\"'", eq + 1, eq + 1);
    }
    for (i = 0; i < n; i++)
        if (mh_store_location_map_set(ctx->store, happ->app.id, org_ids[i],
                                      pairs[i] + strlen(pairs[i]) + 1) != 0)
            return mh_fail("cannot store the location mapping: %s", mh_store_error(ctx->store));
    printf("%-18s %-9s %-8s %-36s %6s  %-24s %s\n", "ORG", "TYPE", "ID", "NAME", "USERS", "LOCATION",
           "SUGGESTED");
    page.s = ctx->store;
    if (mh_store_org_rows_each(ctx->store, happ->app.id, print_org_row, &page) != 0)
        return mh_fail("cannot read the orgs of %s: %s", argv[1], mh_store_error(ctx->store));
    return n > 0 ? apply_now(ctx, happ) : 0;
}

int mh_cmd_locations(mh_ctx *ctx, int argc, char **argv)
{
    sis_host_app happ;
    if (argc == 1 || strcmp(argv[1], "add") == 0 || strcmp(argv[1], "remove") == 0)
        return edit_list(ctx, MH_LOCATIONS, argc, argv);
    if (mh_ctx_app(ctx, argv[1], &happ) != 0)
        return 1;
    return locations_page(ctx, &happ, argc, argv);
}

int mh_cmd_account(mh_ctx *ctx, int argc, char **argv)
{
    sis_host_app happ;
    int itxm;
    if (argc != 3 || (strcmp(argv[2], "--itxm") != 0 && strcmp(argv[2], "--standard") != 0))
        return mh_usage_error("account", "name the app and --itxm or --standard");
    if (mh_ctx_app(ctx, argv[1], &happ) != 0)
        return 1;
    itxm = strcmp(argv[2], "--itxm") == 0;
    if (mh_store_app_set_itxm(ctx->store, happ.app.id, itxm) != 0)
        return mh_fail("cannot change the account of %s: %s", argv[1], mh_store_error(ctx->store));
    happ.app.itxm = itxm;
    printf("%s is now %s account.\n", argv[1], itxm ? "an ITxM" : "a standard");
    return apply_now(ctx, &happ);
}
