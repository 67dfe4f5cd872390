/*
 * cmd_connect.c - connecting an installed app to its district with manual
 * credentials, disconnecting it, and its per-app settings.
 *
 * The secret never travels on the command line: it comes from an
 * environment variable named on it, a file, or a no-echo prompt.  The whole
 * change is one database transaction, so a failed verification stores
 * nothing and a reconnect replaces the old credentials atomically.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "cli.h"
#include "sync_state.h"

#define SECRET_MAX 4096

static int read_secret_file(const char *path, char *buf, size_t cap)
{
    FILE *f = fopen(path, "r");
    size_t n;
    if (f == NULL)
        return mh_fail("cannot read the secret file %s: %s", path, strerror(errno));
    n = fread(buf, 1, cap - 1, f);
    fclose(f);
    buf[n] = '\0';
    buf[strcspn(buf, "\r\n")] = '\0';
    return buf[0] == '\0' ? mh_fail("the secret file %s is empty", path) : 0;
}

static int prompt_secret(const char *label, char *buf, size_t cap)
{
    struct termios old, quiet;
    FILE *tty = fopen("/dev/tty", "r+");
    if (tty == NULL || !isatty(fileno(tty))) {
        if (tty)
            fclose(tty);
        return mh_fail("no secret given: use --client-secret-env VAR or --client-secret-file FILE "
                       "(secrets are never accepted as command-line values)");
    }
    fprintf(tty, "%s: ", label);
    fflush(tty);
    tcgetattr(fileno(tty), &old);
    quiet = old;
    quiet.c_lflag &= (tcflag_t)~ECHO;
    tcsetattr(fileno(tty), TCSAFLUSH, &quiet);
    if (fgets(buf, (int)cap, tty) == NULL)
        buf[0] = '\0';
    tcsetattr(fileno(tty), TCSAFLUSH, &old);
    fputc('\n', tty);
    fclose(tty);
    buf[strcspn(buf, "\r\n")] = '\0';
    return buf[0] == '\0' ? mh_fail("no secret entered") : 0;
}

typedef struct connect_opts {
    const char *app, *server, *client_id, *secret_env, *secret_file, *auth, *token_url;
    int login, no_browser;
} connect_opts;

static int parse_connect(int argc, char **argv, connect_opts *o)
{
    int i;
    memset(o, 0, sizeof *o);
    for (i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
#define VAL(name, field)                                                           \
    if (strcmp(a, name) == 0) {                                                    \
        if (v == NULL)                                                             \
            return mh_usage_error("connect", "%s needs a value", name);            \
        o->field = v;                                                              \
        i++;                                                                       \
        continue;                                                                  \
    }
        VAL("--server", server);
        VAL("--client-id", client_id);
        VAL("--client-secret-env", secret_env);
        VAL("--client-secret-file", secret_file);
        VAL("--auth", auth);
        VAL("--token-url", token_url);
#undef VAL
        if (strcmp(a, "--client-secret") == 0)
            return mh_usage_error("connect", "secrets are never accepted as command-line values "
                                  "(they would show in ps); use --client-secret-env VAR or "
                                  "--client-secret-file FILE");
        if (strcmp(a, "--login") == 0)
            o->login = 1;
        else if (strcmp(a, "--no-browser") == 0)
            o->no_browser = 1;
        else if (a[0] == '-' || o->app != NULL)
            return mh_usage_error("connect", "unexpected argument '%s'", a);
        else
            o->app = a;
    }
    if (o->app == NULL)
        return mh_usage_error("connect", "name the app to connect");
    if (!o->login && o->server == NULL)
        return mh_usage_error("connect", "give --login, or --server URL with credentials");
    return 0;
}

static int get_secret(const connect_opts *o, char *buf, size_t cap)
{
    if (o->secret_env != NULL) {
        const char *v = getenv(o->secret_env);
        if (v == NULL || v[0] == '\0')
            return mh_fail("the environment variable %s is not set", o->secret_env);
        snprintf(buf, cap, "%s", v);
        return 0;
    }
    if (o->secret_file != NULL)
        return read_secret_file(o->secret_file, buf, cap);
    return prompt_secret(o->auth && strcmp(o->auth, "bearer") == 0 ? "Bearer token" : "Client secret",
                         buf, cap);
}

/* After a COMPLETE, a login's "pending." state is spent even when the step
 * failed and its transaction was rolled back (host.h). */
static void forget_pending(mh_store *s, int64_t app_id)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s->db, "DELETE FROM config WHERE app_id = ?1 AND key LIKE 'pending.%'",
                           -1, &st, NULL) != SQLITE_OK)
        return;
    sqlite3_bind_int64(st, 1, app_id);
    sqlite3_step(st);
    sqlite3_finalize(st);
}

/* Runs the plugin's authenticate inside one transaction. */
int mh_authenticate(mh_ctx *ctx, sis_host_app *happ, const sis_auth_request *req,
                    sis_auth_result *res, sis_error *err)
{
    sis_instance *inst = NULL;
    char msg[1024];
    int rc;

    if (mh_instance_create(&inst, happ, msg, sizeof msg) != 0) {
        snprintf(err->message, sizeof err->message, "%s", msg);
        return SIS_ERR_GENERIC;
    }
    if (mh_store_exec(ctx->store, "BEGIN IMMEDIATE", msg, sizeof msg) != 0) {
        happ->plugin->connector->destroy(inst);
        snprintf(err->message, sizeof err->message, "%s", msg);
        return SIS_ERR_GENERIC;
    }
    rc = happ->plugin->connector->authenticate(inst, req, res, err);
    if (rc == SIS_OK && req->step != SIS_AUTH_BEGIN)
        rc = mh_store_app_set_connected(ctx->store, happ->app.id, 1) == 0 ? SIS_OK : SIS_ERR_GENERIC;
    if (rc == SIS_OK && mh_store_exec(ctx->store, "COMMIT", msg, sizeof msg) != 0)
        rc = SIS_ERR_GENERIC;
    if (rc != SIS_OK)
        mh_store_exec(ctx->store, "ROLLBACK", NULL, 0);
    if (req->step == SIS_AUTH_COMPLETE)
        forget_pending(ctx->store, happ->app.id);
    happ->plugin->connector->destroy(inst);
    return rc;
}

void mh_print_connected(const sis_host_app *happ, const sis_auth_result *res)
{
    printf("Connected %s", happ->app.name);
    if (res->tenant_name[0] != '\0')
        printf(" to %s", res->tenant_name);
    printf(".\n  Roster Server: %s\n", res->server);
    if (res->visible_users != UINT64_MAX)
        printf("  Users the app can see: %llu\n", (unsigned long long)res->visible_users);
    printf("Next: mock-host fields %s (choose what to show), then mock-host sync %s\n",
           happ->app.name, happ->app.name);
}

int mh_cmd_connect(mh_ctx *ctx, int argc, char **argv)
{
    connect_opts o;
    sis_host_app happ;
    char secret[SECRET_MAX];
    sis_kv params[5];
    sis_auth_request req;
    sis_auth_result res;
    sis_error err = {0, ""};
    int rc = parse_connect(argc, argv, &o);

    if (rc != 0)
        return rc;
    if (mh_ctx_app(ctx, o.app, &happ) != 0)
        return 1;
    if (o.login)
        return mh_connect_login(ctx, &happ, o.no_browser);
    if (get_secret(&o, secret, sizeof secret) != 0)
        return 1;
    params[0] = (sis_kv){"server", o.server};
    params[1] = (sis_kv){"client_id", o.client_id ? o.client_id : ""};
    params[2] = (sis_kv){"client_secret", secret};
    params[3] = (sis_kv){"auth", o.auth ? o.auth : "oauth1"};
    params[4] = (sis_kv){"token_url", o.token_url ? o.token_url : ""};
    memset(&req, 0, sizeof req);
    req.struct_size = sizeof req;
    req.step = SIS_AUTH_MANUAL;
    req.params = params;
    req.n_params = 5;
    memset(&res, 0, sizeof res);
    res.struct_size = sizeof res;
    rc = mh_authenticate(ctx, &happ, &req, &res, &err);
    OPENSSL_cleanse(secret, sizeof secret);
    if (rc != SIS_OK)
        return mh_fail("could not connect %s: %s. Nothing was saved.", o.app, err.message);
    mh_print_connected(&happ, &res);
    return 0;
}

static const char *const connection_keys[] = {"server", "auth", "client_id", "token_url",
                                              "oneroster_version", "watermark"};

int mh_cmd_disconnect(mh_ctx *ctx, int argc, char **argv)
{
    sis_host_app happ;
    size_t i;
    char msg[512];
    if (argc != 2)
        return mh_usage_error("disconnect", "name the app to disconnect");
    if (mh_ctx_app(ctx, argv[1], &happ) != 0)
        return 1;
    if (mh_store_exec(ctx->store, "BEGIN IMMEDIATE", msg, sizeof msg) != 0)
        return mh_fail("%s", msg);
    for (i = 0; i < sizeof connection_keys / sizeof connection_keys[0]; i++)
        mh_store_config_set(ctx->store, happ.app.id, connection_keys[i], NULL);
    mh_store_secret_set(ctx->store, happ.app.id, "client_secret", NULL);
    mh_sync_forget_position(ctx->store, happ.app.id);  /* the next connection's first run is full */
    mh_store_app_set_connected(ctx->store, happ.app.id, 0);
    if (mh_store_exec(ctx->store, "COMMIT", msg, sizeof msg) != 0)
        return mh_fail("%s", msg);
    printf("Disconnected %s: its credentials are removed; its users stay on the Users page.\n",
           argv[1]);
    return 0;
}

/* Settings an admin may tune per app (the plugin reads them). */
static const char *const tunables[] = {
    "page_size", "concurrency", "delta_overlap_s", "max_record_bytes", "request_timeout_ms",
    "connect_timeout_ms", "stall_timeout_s", "max_attempts", "retry_budget_ms", "retry_base_ms",
    "retry_max_ms", "deactivation_threshold_pct", "full_every_days", "fetch_projection"};

int mh_cmd_config(mh_ctx *ctx, int argc, char **argv)
{
    sis_host_app happ;
    char buf[512];
    size_t i;
    int known = 0;

    if (argc < 2 || argc > 4)
        return mh_usage_error("config", "name the app, and optionally a setting and its value");
    if (mh_ctx_app(ctx, argv[1], &happ) != 0)
        return 1;
    if (argc == 2) {
        for (i = 0; i < sizeof tunables / sizeof tunables[0]; i++)
            if (mh_store_config_get(ctx->store, happ.app.id, tunables[i], buf, sizeof buf) == 0)
                printf("%s = %s\n", tunables[i], buf);
            else
                printf("%s = (default)\n", tunables[i]);
        return 0;
    }
    for (i = 0; i < sizeof tunables / sizeof tunables[0]; i++)
        known |= strcmp(tunables[i], argv[2]) == 0;
    if (!known)
        return mh_fail("unknown setting \"%s\"; run 'mock-host config %s' for the list", argv[2],
                       argv[1]);
    if (argc == 3) {
        if (mh_store_config_get(ctx->store, happ.app.id, argv[2], buf, sizeof buf) == 0)
            printf("%s\n", buf);
        else
            printf("(default)\n");
        return 0;
    }
    if (mh_store_config_set(ctx->store, happ.app.id, argv[2],
                            strcmp(argv[3], "--unset") == 0 ? NULL : argv[3]) != 0)
        return mh_fail("cannot store the setting in %s", ctx->db_path);
    return 0;
}
