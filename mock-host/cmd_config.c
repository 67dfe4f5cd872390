/*
 * cmd_config.c - `config APP [SETTING [VALUE | --unset]]`: the app's
 * settings as the plugin declares them, plus the host's own per-app
 * settings, each validated against its declaration before it is stored.
 * Listing also shows the plugin's host settings (the same for every
 * district) and the environment variable that sets each.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "decls.h"
#include "host_settings.h"

static const sis_decl *find_setting(const sis_plugin_header *h, const char *name)
{
    const sis_decl *d = mh_decl_find(h, SIS_DECL_SETTING, name);
    return d != NULL ? d : mh_host_decl_find(name);
}

/* The admin's value: the host's own settings live in host state, the
 * plugin's in its namespace.  0 when set. */
static int stored(mh_ctx *ctx, const sis_host_app *happ, const sis_decl *d, char *buf, size_t cap)
{
    if (mh_host_decl_find(d->name) == d)
        return mh_store_state_get(ctx->store, happ->app.id, d->name, buf, cap);
    return mh_store_config_get(ctx->store, happ->app.id, d->name, buf, cap);
}

static void show_one(mh_ctx *ctx, const sis_host_app *happ, const sis_decl *d)
{
    char buf[512], allowed[256];
    mh_decl_allowed(d, allowed, sizeof allowed);
    if (stored(ctx, happ, d, buf, sizeof buf) == 0)
        printf("  %-28s %-12s (%s; default %s)\n", d->name, buf, allowed,
               d->default_value ? d->default_value : "none");
    else
        printf("  %-28s %-12s (%s) default\n", d->name, d->default_value ? d->default_value : "-",
               allowed);
}

static void show_host_settings(const sis_host_app *happ)
{
    const sis_plugin_header *h = happ->plugin->header;
    char var[160];
    size_t i;
    int any = 0;
    for (i = 0; i < h->n_decls; i++) {
        const sis_decl *d = h->decls[i];
        const char *v;
        if (d->scope != SIS_DECL_HOST_SETTING)
            continue;
        if (!any)
            printf("Host settings of %s (the same for every district; the host's operator sets "
                   "them in the environment):\n", h->name);
        any = 1;
        mh_host_setting_env(h->id, d->name, var, sizeof var);
        v = getenv(var);
        printf("  %-28s %-32s %s\n", d->name, var,
               v != NULL && v[0] != '\0' ? (d->type == SIS_VALUE_SECRET ? "set (secret)" : v)
               : d->default_value ? "default" : "not set");
    }
}

static int list(mh_ctx *ctx, const sis_host_app *happ)
{
    const sis_plugin_header *h = happ->plugin->header;
    size_t i;
    printf("Settings of %s (%s):\n", happ->app.name, h->name);
    for (i = 0; i < h->n_decls; i++)
        if (h->decls[i]->scope == SIS_DECL_SETTING)
            show_one(ctx, happ, h->decls[i]);
    for (i = 0; i < mh_n_host_decls; i++)
        show_one(ctx, happ, mh_host_decls[i]);
    show_host_settings(happ);
    return 0;
}

int mh_cmd_config(mh_ctx *ctx, int argc, char **argv)
{
    sis_host_app happ;
    const sis_decl *d;
    const char *value;
    char buf[512], why[512];

    if (argc < 2 || argc > 4)
        return mh_usage_error("config", "name the app, and optionally a setting and its value");
    if (mh_ctx_app(ctx, argv[1], &happ) != 0)
        return 1;
    if (argc == 2)
        return list(ctx, &happ);
    d = find_setting(happ.plugin->header, argv[2]);
    if (d == NULL)
        return mh_usage_error("config", "%s has no setting \"%s\"; run 'mock-host config %s' for "
                              "the list", argv[1], argv[2], argv[1]);
    if (argc == 3) {
        if (stored(ctx, &happ, d, buf, sizeof buf) == 0)
            printf("%s\n", buf);
        else
            printf("%s (default)\n", d->default_value ? d->default_value : "");
        return 0;
    }
    if (strcmp(argv[3], "--unset") != 0 && mh_decl_check(d, argv[3], why, sizeof why) != 0)
        return mh_usage_error("config", "%s; nothing was changed", why);
    value = strcmp(argv[3], "--unset") == 0 ? NULL : argv[3];
    if ((mh_host_decl_find(d->name) == d ? mh_host_setting_set(ctx->store, happ.app.id, d->name, value)
                                         : mh_store_config_set(ctx->store, happ.app.id, d->name, value)) != 0)
        return mh_fail("cannot store the setting in %s", ctx->db_path);
    return 0;
}
