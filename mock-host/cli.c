/*
 * cli.c - what every command of mock-host shares: the way it reports a
 * failure (exit 1) or a usage mistake (exit 2), with a "did you mean" for a
 * mistyped name, and the context it opens on demand (the database, the
 * plugin registry, one installed app).
 */
#include <ctype.h>
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

int mh_edit_distance(const char *a, const char *b)
{
    int la = (int)strlen(a), lb = (int)strlen(b), i, j, best;
    int d[3][MH_EDIT_MAX + 2];   /* rows i-2, i-1 and i of the table, by i % 3 */
    if (la > MH_EDIT_MAX || lb > MH_EDIT_MAX)
        return MH_EDIT_FAR;
    for (j = 0; j <= lb; j++)
        d[0][j] = j;
    for (i = 1; i <= la; i++) {
        int *row = d[i % 3], *up = d[(i - 1) % 3], *up2 = d[(i + 1) % 3];
        row[0] = i;
        for (j = 1; j <= lb; j++) {
            best = up[j - 1] + (a[i - 1] != b[j - 1]);
            if (up[j] + 1 < best)
                best = up[j] + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
                up2[j - 2] + 1 < best)
                best = up2[j - 2] + 1;   /* two neighbours swapped: "snyc" */
            row[j] = best;
        }
    }
    return d[la % 3][lb];
}

const char *mh_did_you_mean(const char *word, const char *const *names, size_t n)
{
    /* One slip in a short word, two in a longer one: "usr" is users, but
     * "frobnicate" is nothing. */
    int limit = strlen(word) <= 3 ? 1 : 2, best = limit + 1, d;
    const char *found = NULL;
    size_t i;
    for (i = 0; i < n; i++) {
        d = mh_edit_distance(word, names[i]);
        if (d == 0)
            return NULL;
        if (d < best) {
            best = d;
            found = names[i];
        }
    }
    return found;
}

/* The option a usage reason quotes ("unexpected argument '--rolee'",
 * "unknown option '--rolee' ..."), without any "=value"; 0 when the
 * reason names no option.  Every command reports a stray argument in one
 * of these two sentences, so this one place serves them all. */
static int quoted_option(const char *reason, char *out, size_t cap)
{
    static const char *const openers[] = {"unexpected argument '", "unknown option '"};
    size_t i, n;
    for (i = 0; i < 2; i++) {
        size_t len = strlen(openers[i]);
        if (strncmp(reason, openers[i], len) != 0 || strncmp(reason + len, "--", 2) != 0)
            continue;
        n = strcspn(reason + len, "'=");
        if (n == 0 || n >= cap || reason[len + n] == '\0')
            return 0;
        memcpy(out, reason + len, n);
        out[n] = '\0';
        return 1;
    }
    return 0;
}

/* The options a usage line names ("--role", "--no-browser"); placeholders
 * in capitals ("--FIELD") are not options.  Returns how many, at most max. */
static size_t options_of(const char *usage, char (*opt)[40], size_t max)
{
    const char *p = usage;
    size_t n = 0, len;
    while (n < max && (p = strstr(p, "--")) != NULL) {
        len = 2;
        while (islower((unsigned char)p[len]) || isdigit((unsigned char)p[len]) || p[len] == '-')
            len++;
        if (len > 2 && len < sizeof opt[0] && (p == usage || isspace((unsigned char)p[-1]) ||
                                               p[-1] == '[' || p[-1] == '(')) {
            memcpy(opt[n], p, len);
            opt[n][len] = '\0';
            n++;
        }
        p += len;
    }
    return n;
}

int mh_usage_error(const char *command, const char *fmt, ...)
{
    const char *usage = usage_of != NULL ? usage_of(command) : NULL, *near = NULL;
    const char *names[16];
    char reason[1024], typed[40], opts[16][40];
    size_t i, n;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(reason, sizeof reason, fmt, ap);
    va_end(ap);
    fprintf(stderr, "mock-host %s: %s\n", command, reason);
    if (usage != NULL && quoted_option(reason, typed, sizeof typed)) {
        n = options_of(usage, opts, 16);
        for (i = 0; i < n; i++)
            names[i] = opts[i];
        near = mh_did_you_mean(typed, names, n);
    }
    if (near != NULL)
        fprintf(stderr, "mock-host %s: did you mean '%s'?\n", command, near);
    fprintf(stderr, "usage: mock-host %s\n", usage != NULL ? usage : command);
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

