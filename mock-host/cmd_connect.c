/*
 * cmd_connect.c - `connect` and `disconnect`: the command line the host
 * renders from the plugin's declared credential fields.
 *
 * Each CREDENTIAL declaration NAME becomes `--NAME VALUE` ('_' as '-');
 * a SECRET one becomes `--NAME-env VAR`, `--NAME-file FILE` or a no-echo
 * prompt, and is refused as a command-line value (it would show in ps).
 * `--login` exists only for plugins with interactive login.  The host
 * checks values against their declarations, the plugin verifies the whole
 * with a real request (connection.c), and nothing is stored on failure.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "cli.h"
#include "connection.h"
#include "decls.h"
#include "secret_input.h"
#include "sync_state.h"


typedef struct given {
    const sis_decl *decl;
    const char *value;        /* borrowed from argv, or points into secret */
    const char *env, *file;   /* SECRET: where to read it */
    char secret[MH_SECRET_MAX];
} given;

typedef struct connect_args {
    const char *app;
    int login, no_browser;
    given g[MH_MAX_CREDENTIALS];
    size_t n;
} connect_args;

static const sis_plugin_header *plugin_of(mh_ctx *ctx, const char *app)
{
    sis_host_app happ;
    if (mh_ctx_app(ctx, app, &happ) != 0)
        return NULL;
    return happ.plugin->header;
}

/* Matches `arg` against the credential flags; *suffix says which form. */
static given *match_flag(connect_args *a, const char *arg, const char **suffix)
{
    char flag[96];
    size_t i, n;
    for (i = 0; i < a->n; i++) {
        mh_decl_flag(a->g[i].decl, flag, sizeof flag);
        n = strlen(flag);
        if (strncmp(arg, flag, n) != 0)
            continue;
        if (arg[n] == '\0' || strcmp(arg + n, "-env") == 0 || strcmp(arg + n, "-file") == 0) {
            *suffix = arg + n;
            return &a->g[i];
        }
    }
    return NULL;
}

static int parse_flag(connect_args *a, int argc, char **argv, int *i)
{
    const char *arg = argv[*i], *v = *i + 1 < argc ? argv[*i + 1] : NULL, *suffix = "";
    char flag[96];
    given *g = match_flag(a, arg, &suffix);

    if (g == NULL)
        return mh_usage_error("connect", "unknown option '%s' for %s; run 'mock-host connect %s "
                              "--help' for its fields", arg, a->app, a->app);
    mh_decl_flag(g->decl, flag, sizeof flag);
    if (g->decl->type == SIS_VALUE_SECRET && suffix[0] == '\0')
        return mh_usage_error("connect", "secrets are never accepted as command-line values (they "
                              "would show in ps); use %s-env VAR or %s-file FILE", flag, flag);
    if (g->decl->type != SIS_VALUE_SECRET && suffix[0] != '\0')
        return mh_usage_error("connect", "unknown option '%s'; %s takes its value directly", arg, flag);
    if (v == NULL)
        return mh_usage_error("connect", "%s needs a value", arg);
    if (strcmp(suffix, "-env") == 0)
        g->env = v;
    else if (strcmp(suffix, "-file") == 0)
        g->file = v;
    else
        g->value = v;
    (*i)++;
    return 0;
}

static int parse_connect(mh_ctx *ctx, int argc, char **argv, connect_args *a)
{
    const sis_plugin_header *h;
    size_t k;
    int i, rc;

    memset(a, 0, sizeof *a);
    if (argc < 2 || argv[1][0] == '-')
        return mh_usage_error("connect", "name the app to connect");
    a->app = argv[1];
    h = plugin_of(ctx, a->app);
    if (h == NULL)
        return 1;
    for (k = 0; k < h->n_decls && a->n < MH_MAX_CREDENTIALS; k++)
        if (h->decls[k]->scope == SIS_DECL_CREDENTIAL)
            a->g[a->n++].decl = h->decls[k];
    for (i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--login") == 0 && (h->capabilities & SIS_CAP_AUTH_LOGIN))
            a->login = 1;
        else if (strcmp(argv[i], "--no-browser") == 0 && (h->capabilities & SIS_CAP_AUTH_LOGIN))
            a->no_browser = 1;
        else if (strcmp(argv[i], "--login") == 0)
            return mh_usage_error("connect", "%s has no interactive login; give its credentials "
                                  "(mock-host connect %s --help)", h->name, a->app);
        else if (argv[i][0] != '-')
            return mh_usage_error("connect", "unexpected argument '%s'", argv[i]);
        else if ((rc = parse_flag(a, argc, argv, &i)) != 0)
            return rc;
    }
    if (!a->login && !(h->capabilities & SIS_CAP_AUTH_MANUAL))
        return mh_usage_error("connect", "%s connects only with --login", h->name);
    return 0;
}

/* Reads secrets, checks values and required fields: 0, 1 (failed) or 2
 * (usage). */
static int complete_values(connect_args *a)
{
    char flag[96], why[512], hint[256];
    size_t i;
    for (i = 0; i < a->n; i++) {
        given *g = &a->g[i];
        mh_decl_flag(g->decl, flag, sizeof flag);
        if (g->decl->type == SIS_VALUE_SECRET) {
            int rc = 0;
            snprintf(hint, sizeof hint, "use %s-env VAR or %s-file FILE", flag, flag);
            if (g->env != NULL)
                rc = mh_secret_from_env(g->env, g->secret, sizeof g->secret);
            else if (g->file != NULL)
                rc = mh_secret_from_file(g->file, g->secret, sizeof g->secret);
            else if (g->decl->required)
                rc = mh_secret_prompt(g->decl->label, hint, g->secret, sizeof g->secret);
            else
                continue;
            if (rc != 0)
                return rc;
            g->value = g->secret;
            continue;
        }
        if (g->value == NULL && g->decl->required)
            return mh_usage_error("connect", "%s needs %s (%s); run 'mock-host connect %s --help'",
                                  a->app, flag, g->decl->label, a->app);
        /* URLs are the plugin's to judge: it knows which hosts and paths
         * its protocol allows, and says so in its own words. */
        if (g->value != NULL && g->decl->type != SIS_VALUE_URL &&
            mh_decl_check(g->decl, g->value, why, sizeof why) != 0)
            return mh_usage_error("connect", "%s: %s", flag, why);
    }
    return 0;
}

static void wipe(connect_args *a)
{
    size_t i;
    for (i = 0; i < a->n; i++)
        OPENSSL_cleanse(a->g[i].secret, sizeof a->g[i].secret);
}

int mh_cmd_connect(mh_ctx *ctx, int argc, char **argv)
{
    connect_args a;
    sis_host_app happ;
    sis_kv params[MH_MAX_CREDENTIALS];
    sis_auth_request req = SIS_AUTH_REQUEST_INIT;
    mh_auth_outcome out;
    sis_error err = SIS_ERROR_LOCAL;
    size_t i, n = 0;
    int rc = parse_connect(ctx, argc, argv, &a);

    if (rc != 0)
        return rc;
    if (mh_ctx_app(ctx, a.app, &happ) != 0)
        return 1;
    if (a.login)
        return mh_connect_login(ctx, &happ, a.no_browser);
    rc = complete_values(&a);
    for (i = 0; rc == 0 && i < a.n; i++)
        if (a.g[i].value != NULL)
            params[n++] = (sis_kv){a.g[i].decl->name, a.g[i].value};
    if (rc == 0) {
        req.params = params;
        req.n_params = n;
        rc = mh_authenticate(ctx->store, &happ, &req, &out, &err);
        if (rc != SIS_OK)
            rc = mh_fail("could not connect %s: %s. Nothing was saved.", a.app, err.message);
        else
            mh_print_connected(&happ, &out);
        mh_auth_outcome_free(&out);
    }
    wipe(&a);
    return rc;
}

void mh_print_connect_next(const sis_plugin_header *h, const char *app)
{
    char flag[96];
    size_t i;
    printf("Next: ");
    if (h->capabilities & SIS_CAP_AUTH_LOGIN)
        printf("mock-host connect %s --login%s", app,
               (h->capabilities & SIS_CAP_AUTH_MANUAL) ? ", or " : "");
    if (h->capabilities & SIS_CAP_AUTH_MANUAL) {
        printf("mock-host connect %s", app);
        for (i = 0; i < h->n_decls; i++) {
            const sis_decl *d = h->decls[i];
            if (d->scope != SIS_DECL_CREDENTIAL || !d->required)
                continue;
            mh_decl_flag(d, flag, sizeof flag);
            if (d->type == SIS_VALUE_SECRET)
                printf(" %s-env VAR", flag);
            else
                printf(" %s %s", flag, d->type == SIS_VALUE_URL ? "URL" : "VALUE");
        }
        printf(" (all fields: mock-host connect %s --help)", app);
    }
    printf("\n");
}

/* `connect APP --help`: the fields this app's plugin declares. */
int mh_help_connect(mh_ctx *ctx, int argc, char **argv)
{
    const sis_plugin_header *h;
    char flag[96], allowed[256];
    size_t i;

    if (argc < 2 || argv[1][0] == '-')
        return 1;  /* no app named: the generic help */
    if ((h = plugin_of(ctx, argv[1])) == NULL)
        return 0;
    printf("usage: mock-host connect %s%s%s\n\n", argv[1],
           (h->capabilities & SIS_CAP_AUTH_LOGIN) ? " --login [--no-browser]" : "",
           (h->capabilities & SIS_CAP_AUTH_LOGIN) && (h->capabilities & SIS_CAP_AUTH_MANUAL)
               ? " | OPTIONS" : " OPTIONS");
    if (h->capabilities & SIS_CAP_AUTH_LOGIN)
        printf("  --login        sign in interactively in a browser (%s)\n", h->name);
    if (h->capabilities & SIS_CAP_AUTH_MANUAL) {
        printf("Credentials (checked with a real request before anything is saved):\n");
        for (i = 0; i < h->n_decls; i++) {
            const sis_decl *d = h->decls[i];
            if (d->scope != SIS_DECL_CREDENTIAL)
                continue;
            mh_decl_flag(d, flag, sizeof flag);
            mh_decl_allowed(d, allowed, sizeof allowed);
            if (d->type == SIS_VALUE_SECRET)
                printf("  %s-env VAR | %s-file FILE%s\n", flag, flag,
                       d->required ? "  (required; asked without echo when absent)" : "");
            else
                printf("  %s %s%s%s%s\n", flag, allowed, d->required ? "  (required)" : "",
                       d->default_value ? "  default: " : "", d->default_value ? d->default_value : "");
            printf("      %s%s%s\n", d->label, d->help ? ": " : "", d->help ? d->help : "");
        }
    }
    return 0;
}

int mh_cmd_disconnect(mh_ctx *ctx, int argc, char **argv)
{
    sis_host_app happ;
    char msg[512];
    if (argc != 2)
        return mh_usage_error("disconnect", "name the app to disconnect");
    if (mh_ctx_app(ctx, argv[1], &happ) != 0)
        return 1;
    if (mh_store_begin(ctx->store, msg, sizeof msg) != 0)
        return mh_fail("%s", msg);
    /* The plugin's namespace goes wholesale: the host holds no list of a
     * plugin's keys. */
    if (mh_store_config_forget_all(ctx->store, happ.app.id) != 0 ||
        mh_store_secret_forget_all(ctx->store, happ.app.id) != 0 ||
        mh_sync_forget_position(ctx->store, happ.app.id) != 0 ||  /* next run: full */
        mh_store_app_set_connected(ctx->store, happ.app.id, 0) != 0 ||
        mh_store_commit(ctx->store, msg, sizeof msg) != 0) {
        mh_store_rollback(ctx->store);
        return mh_fail("cannot disconnect %s: the database refused the change", argv[1]);
    }
    printf("Disconnected %s: its credentials are removed; its users stay on the Users page.\n",
           argv[1]);
    return 0;
}
