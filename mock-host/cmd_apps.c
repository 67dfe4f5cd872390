/* cmd_apps.c - the Integration Marketplace and the Installed Apps page. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "host_settings.h"
#include "sync_hold.h"

static void print_plugin(const mh_plugin *p)
{
    const sis_plugin_header *h = p->header;
    uint32_t caps = h->capabilities;
    if (h->kind == SIS_KIND_SIS)
        printf("  %-16s %-24s %-9s %s%s%s\n", h->id, h->name, h->version,
               caps & SIS_CAP_AUTH_LOGIN ? "login" : "",
               (caps & SIS_CAP_AUTH_LOGIN) && (caps & SIS_CAP_AUTH_MANUAL) ? ", " : "",
               caps & SIS_CAP_AUTH_MANUAL ? "manual" : "");
    else
        printf("  %-16s %-24s %-9s\n", h->id, h->name, h->version);
    if (h->description != NULL)
        printf("    %s\n", h->description);
}

/* The product's Integration Marketplace: one section per kind. */
int mh_cmd_marketplace(mh_ctx *ctx, int argc, char **argv)
{
    static const sis_plugin_kind sections[] = {SIS_KIND_SIS, SIS_KIND_SSO};
    size_t i, k;
    (void)argv;
    if (argc > 1)
        return mh_usage_error("marketplace", "takes no arguments");
    mh_ctx_registry(ctx);
    for (i = 0; i < ctx->registry.n_refusals; i++)
        fprintf(stderr, "mock-host: refused %s\n", ctx->registry.refusals[i]);
    if (ctx->registry.n_plugins == 0) {
        printf("No plugins available. Build them with 'make' or set MOCK_HOST_PLUGINS.\n");
        return 0;
    }
    for (k = 0; k < sizeof sections / sizeof sections[0]; k++) {
        int any = 0;
        for (i = 0; i < ctx->registry.n_plugins; i++) {
            const mh_plugin *p = &ctx->registry.plugins[i];
            if (p->header->kind != sections[k])
                continue;
            if (!any)
                printf("%s\n  %-16s %-24s %-9s %s\n", mh_kind_section(sections[k]), "PLUGIN", "NAME",
                       "VERSION", sections[k] == SIS_KIND_SIS ? "SIGN-IN" : "");
            any = 1;
            print_plugin(p);
        }
    }
    return 0;
}

static int print_app(void *vctx, const mh_app *a)
{
    mh_ctx *ctx = vctx;
    const mh_plugin *p = mh_registry_find(&ctx->registry, a->plugin);
    int secrets = mh_store_secret_count(ctx->store, a->id);
    char status[96], note[600];
    mh_hold hold;

    if (a->connected_at[0] != '\0')
        snprintf(status, sizeof status, "connected %s", a->connected_at);
    else
        snprintf(status, sizeof status, "not connected");
    printf("%-16s %-24s %-8s %-40s %s\n", a->name, p ? p->header->name : a->plugin,
           a->itxm ? "ITxM" : "standard", status,
           secrets > 0 ? "credentials: ********" : "credentials: none");
    if (p == NULL)
        printf("  warning: the plugin \"%s\" is not available; run 'mock-host marketplace'\n",
               a->plugin);
    if (a->connected_at[0] == '\0' &&
        mh_app_attention_get(ctx->store, a->id, note, sizeof note) == 0)
        printf("  needs attention: %s\n", note);
    if (mh_hold_get(ctx->store, a->id, &hold) == 1) {
        char text[512];
        mh_hold_describe(&hold, a->name, text, sizeof text);
        printf("  HELD: %s\n", text);
    }
    return 0;
}

int mh_cmd_apps(mh_ctx *ctx, int argc, char **argv)
{
    (void)argv;
    if (argc > 1)
        return mh_usage_error("apps", "takes no arguments");
    if (mh_ctx_store(ctx) != 0)
        return 1;
    mh_ctx_registry(ctx);
    printf("%-16s %-24s %-8s %-40s %s\n", "APP", "PLUGIN", "ACCOUNT", "STATUS", "SECRETS");
    if (mh_store_app_each(ctx->store, print_app, ctx) != 0)
        return mh_fail("cannot read the installed apps from %s", ctx->db_path);
    return 0;
}

/* An app name is typed in commands and shown in URLs: letters, digits, '-',
 * '_' and '.', starting with a letter or digit, at most 63 characters. */
static int valid_app_name(const char *name)
{
    size_t i, n = strlen(name);
    if (n == 0 || n >= sizeof ((mh_app *)0)->name || !isalnum((unsigned char)name[0]))
        return 0;
    for (i = 0; i < n; i++)
        if (!isalnum((unsigned char)name[i]) && strchr("-_.", name[i]) == NULL)
            return 0;
    return 1;
}

int mh_cmd_install(mh_ctx *ctx, int argc, char **argv)
{
    const char *plugin = NULL, *name = NULL;
    int itxm = 0, i, rc;
    const mh_plugin *p;
    mh_app app;

    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--itxm") == 0)
            itxm = 1;
        else if (strcmp(argv[i], "--name") == 0 && i + 1 < argc && name == NULL)
            name = argv[++i];
        else if (strcmp(argv[i], "--name") == 0)
            return mh_usage_error("install", "--name needs one app name");
        else if (argv[i][0] == '-' || plugin != NULL)
            return mh_usage_error("install", "unexpected argument '%s'", argv[i]);
        else
            plugin = argv[i];
    }
    if (plugin == NULL)
        return mh_usage_error("install", "name the plugin to install");
    if (name == NULL)
        name = plugin;  /* the first card of a plugin is named after it */
    else if (!valid_app_name(name))
        return mh_usage_error("install", "'%s' is not a usable app name: use letters, digits, "
                              "'-', '_' and '.', starting with a letter or digit (at most 63)",
                              name);
    mh_ctx_registry(ctx);
    p = mh_registry_find(&ctx->registry, plugin);
    if (p == NULL)
        return mh_fail("no plugin \"%s\" in the marketplace; run 'mock-host marketplace' to see "
                       "what is available", plugin);
    if (mh_ctx_store(ctx) != 0)
        return 1;
    rc = mh_store_app_create(ctx->store, name, plugin, itxm, &app);
    if (rc < 0)
        return mh_fail("cannot install %s: the database %s refused the change", plugin, ctx->db_path);
    if (rc == 1 && strcmp(app.plugin, plugin) != 0)
        return mh_fail("an app named \"%s\" already exists (plugin %s); choose another name with "
                       "--name", app.name, app.plugin);
    if (rc == 1) {
        printf("The %s card already exists (installed %s); nothing changed.\n", app.name,
               app.created_at);
        return 0;
    }
    printf("Installed %s (%s) as app \"%s\"%s.\n", p->header->name, p->header->version,
           app.name, itxm ? " for an ITxM account" : "");
    if (p->header->kind == SIS_KIND_SIS)
        mh_print_connect_next(p->header, app.name);
    if (itxm)
        printf("Then, after the first sync, map roles and locations: mock-host portal-roles add "
               "NAME, mock-host roles %s, mock-host locations add NAME, mock-host locations %s\n",
               app.name, app.name);
    return 0;
}

int mh_cmd_forget_credentials(mh_ctx *ctx, int argc, char **argv)
{
    char key_path[4200];
    int pg = mh_store_is_pg_location(ctx->db_path);
    (void)argv;
    if (argc > 1)
        return mh_usage_error("forget-credentials", "takes no arguments");
    /* Without MOCK_HOST_KEY_FILE on PostgreSQL, opening the store says so. */
    if (mh_store_key_path(ctx->db_path, key_path, sizeof key_path) != 0)
        return mh_ctx_store(ctx) != 0 ? 1 : 0;
    if (access(key_path, F_OK) == 0) {
        printf("The key file %s is there, so the stored credentials can be read; nothing was "
               "forgotten.\n", key_path);
        return 0;
    }
    if (!pg && access(ctx->db_path, F_OK) != 0)
        return mh_fail("there is no database %s", ctx->db_path);
    ctx->store_flags |= MH_STORE_FORGET_LOST_KEY;
    if (mh_ctx_store(ctx) != 0)
        return 1;
    printf("Forgot the credentials sealed with the lost key and made a new key %s. Every app is "
           "now not connected; reconnect each with 'mock-host connect APP' (see 'mock-host "
           "apps').\n", key_path);
    return 0;
}
