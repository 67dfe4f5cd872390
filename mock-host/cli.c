/*
 * cli.c - what every command of mock-host shares: the way it reports a
 * failure (exit 1) or a usage mistake (exit 2), and the context it opens
 * on demand (the database, the plugin registry, one installed app).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

/* Set by main from its table of commands, so this file needs no table. */
static const char *(*usage_of)(const char *command);

int mh_fail(const char *fmt, ...)
{
    va_list ap;
    fputs("mock-host: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return 1;
}

void mh_cli_set_usage(const char *(*fn)(const char *command))
{
    usage_of = fn;
}

int mh_usage_error(const char *command, const char *fmt, ...)
{
    const char *usage = usage_of != NULL ? usage_of(command) : NULL;
    va_list ap;
    fprintf(stderr, "mock-host %s: ", command);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nusage: mock-host %s\n", usage != NULL ? usage : command);
    return 2;
}

int mh_ctx_store(mh_ctx *ctx)
{
    char err[1024];
    if (ctx->store != NULL)
        return 0;
    if (mh_store_open_ex(&ctx->store, ctx->db_path, ctx->store_flags, err, sizeof err) != 0) {
        mh_fail("%s", err);
        return -1;
    }
    if (mh_store_is_read_only(ctx->store) && mh_store_is_pg_location(ctx->db_path))
        fprintf(stderr, "mock-host: note: %s is read-only (a standby server, or "
                "default_transaction_read_only is on), so it is shown as stored; changing "
                "anything needs the primary server\n", ctx->db_path);
    else if (mh_store_is_read_only(ctx->store))
        fprintf(stderr, "mock-host: note: %s is read-only for this user (a permission problem), "
                "so it is shown as stored; changing anything needs write permission on it and "
                "its folder\n", ctx->db_path);
    return 0;
}

void mh_ctx_registry(mh_ctx *ctx)
{
    if (!ctx->registry_scanned) {
        mh_registry_scan(&ctx->registry, ctx->plugin_path, mh_services());
        ctx->registry_scanned = 1;
    }
}

int mh_ctx_app(mh_ctx *ctx, const char *name, sis_host_app *out)
{
    int rc;
    memset(out, 0, sizeof *out);
    if (mh_ctx_store(ctx) != 0)
        return 1;
    rc = mh_store_app_find(ctx->store, name, &out->app);
    if (rc == 1)
        return mh_fail("no installed app \"%s\"; see 'mock-host apps', or install it with "
                       "'mock-host install PLUGIN'", name);
    if (rc != 0)
        return mh_fail("cannot read app \"%s\" from %s", name, ctx->db_path);
    mh_ctx_registry(ctx);
    out->plugin = mh_registry_find(&ctx->registry, out->app.plugin);
    if (out->plugin == NULL)
        return mh_fail("the plugin \"%s\" of app \"%s\" is not available; run 'mock-host "
                       "marketplace' to see why", out->app.plugin, name);
    if (out->plugin->connector == NULL)
        return mh_fail("%s is an %s plugin, not an SIS: it has no district to connect, sync or "
                       "map; the commands for its kind are not in this host yet",
                       out->plugin->header->name, mh_kind_section(out->plugin->header->kind));
    out->store = ctx->store;
    return 0;
}

