/*
 * cmd_provision.c - districts that already use an SIS find their card
 * pre-created on Installed Apps: the host imports an account's existing
 * integrations from a provisioning file, as a product migration would.
 *
 *   {"apps": [{"plugin": "classlink", "name": "classlink", "itxm": false,
 *              "credentials": {"server": "https://...", "client_id": "..."},
 *              "secrets_env": {"client_secret": "LEGACY_CLASSLINK_SECRET"},
 *              "settings": {"page_size": "5000"}}]}
 *
 * The keys of "credentials" and "secrets_env" are the plugin's declared
 * credential fields (the same names as `connect APP --help`, with '_');
 * secret values are never in the file, only the environment variable that
 * holds them.  The whole file is checked before anything is stored.  Each
 * card is then verified with a real request, exactly as `connect` does: a
 * card that fails is installed but "needs attention" with the reason, and
 * is never called connected.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>
#include <openssl/crypto.h>

#include "cli.h"
#include "connection.h"
#include "decls.h"
#include "host_settings.h"


static const char *const app_keys[] = {"plugin", "name", "itxm", "credentials", "secrets_env",
                                       "settings"};

static int known_key(const char *k)
{
    size_t i;
    for (i = 0; i < sizeof app_keys / sizeof app_keys[0]; i++)
        if (strcmp(app_keys[i], k) == 0)
            return 1;
    return 0;
}

static json_object *member(json_object *o, const char *key)
{
    json_object *v = NULL;
    return json_object_object_get_ex(o, key, &v) ? v : NULL;
}

static const char *card_name(json_object *a)
{
    const char *name = json_object_get_string(member(a, "name"));
    return name != NULL && name[0] != '\0' ? name : json_object_get_string(member(a, "plugin"));
}

/* A card that exists and is connected is left as it is: its secrets need
 * not be in the environment any more. */
static int already_connected(mh_ctx *ctx, json_object *a)
{
    mh_app app;
    return mh_store_app_find(ctx->store, card_name(a), &app) == 0 && app.connected_at[0] != '\0';
}

/* Checks one entry against its plugin's declarations; 0, or 1 with the
 * reason printed (naming the file, the entry and the key). */
static int check_entry(mh_ctx *ctx, json_object *a, size_t idx, const char *file)
{
    const char *plugin;
    const mh_plugin *p;
    json_object *creds, *secrets, *settings;
    char why[512];

    if (!json_object_is_type(a, json_type_object))
        return mh_fail("%s: apps[%zu] must be an object", file, idx);
    {
        json_object_object_foreach(a, key, val) {
            (void)val;
            if (!known_key(key))
                return mh_fail("%s: apps[%zu] has the unknown key \"%s\"; allowed: plugin, name, "
                               "itxm, credentials, secrets_env, settings (see mock-host provision "
                               "--help)", file, idx, key);
        }
    }
    plugin = json_object_get_string(member(a, "plugin"));
    if (plugin == NULL || plugin[0] == '\0')
        return mh_fail("%s: apps[%zu] needs \"plugin\"", file, idx);
    if ((p = mh_registry_find(&ctx->registry, plugin)) == NULL)
        return mh_fail("%s: apps[%zu]: no plugin \"%s\" in the marketplace", file, idx, plugin);
    creds = member(a, "credentials");
    secrets = member(a, "secrets_env");
    settings = member(a, "settings");
    if ((creds && !json_object_is_type(creds, json_type_object)) ||
        (secrets && !json_object_is_type(secrets, json_type_object)) ||
        (settings && !json_object_is_type(settings, json_type_object)))
        return mh_fail("%s: apps[%zu]: credentials, secrets_env and settings must be objects",
                       file, idx);
    if (creds != NULL) {
        json_object_object_foreach(creds, k, v) {
            const sis_decl *d = mh_decl_find(p->header, SIS_DECL_CREDENTIAL, k);
            if (d == NULL)
                return mh_fail("%s: apps[%zu]: %s has no credential field \"%s\" (mock-host connect "
                               "%s --help lists them)", file, idx, p->header->name, k, plugin);
            if (d->type == SIS_VALUE_SECRET)
                return mh_fail("%s: apps[%zu]: \"%s\" is a secret: name the environment variable "
                               "that holds it under \"secrets_env\", never the value", file, idx, k);
            if (d->type != SIS_VALUE_URL &&
                mh_decl_check(d, json_object_get_string(v), why, sizeof why) != 0)
                return mh_fail("%s: apps[%zu]: %s", file, idx, why);
        }
    }
    if (secrets != NULL && !already_connected(ctx, a)) {
        json_object_object_foreach(secrets, k, v) {
            const sis_decl *d = mh_decl_find(p->header, SIS_DECL_CREDENTIAL, k);
            const char *var = json_object_get_string(v);
            if (d == NULL || d->type != SIS_VALUE_SECRET)
                return mh_fail("%s: apps[%zu]: %s has no secret field \"%s\"", file, idx,
                               p->header->name, k);
            if (var == NULL || getenv(var) == NULL || getenv(var)[0] == '\0')
                return mh_fail("%s: apps[%zu]: the environment variable %s (secret \"%s\") is not "
                               "set", file, idx, var ? var : "(none)", k);
        }
    }
    if (settings != NULL) {
        json_object_object_foreach(settings, k, v) {
            const sis_decl *d = mh_decl_find(p->header, SIS_DECL_SETTING, k);
            if (d == NULL)
                d = mh_host_decl_find(k);
            if (d == NULL)
                return mh_fail("%s: apps[%zu]: no setting \"%s\" (mock-host config APP lists "
                               "them)", file, idx, k);
            if (mh_decl_check(d, json_object_get_string(v), why, sizeof why) != 0)
                return mh_fail("%s: apps[%zu]: %s", file, idx, why);
        }
    }
    return 0;
}

static int store_card(mh_ctx *ctx, json_object *a, const char *name, mh_app *app, int *existed)
{
    json_object *settings = member(a, "settings"), *v;
    const char *plugin = json_object_get_string(member(a, "plugin"));
    int itxm = (v = member(a, "itxm")) != NULL && json_object_get_boolean(v);
    char msg[512];
    int rc;

    if (mh_store_begin(ctx->store, msg, sizeof msg) != 0)
        return mh_fail("%s", msg);
    rc = mh_store_app_create(ctx->store, name, plugin, itxm, app);
    *existed = rc == 1;
    if (rc == 0 && settings != NULL) {
        json_object_object_foreach(settings, k, val) {
            const char *value = json_object_get_string(val);
            if ((mh_host_decl_find(k) != NULL ? mh_host_setting_set(ctx->store, app->id, k, value)
                                              : mh_store_config_set(ctx->store, app->id, k, value)) != 0)
                rc = -1;
        }
    }
    if (rc < 0 || mh_store_commit(ctx->store, msg, sizeof msg) != 0) {
        mh_store_rollback(ctx->store);
        return mh_fail("could not provision %s; nothing of it was saved", name);
    }
    return 0;
}

/* Verifies the card's credentials as `connect` would. */
static int verify_card(mh_ctx *ctx, json_object *a, const char *name)
{
    json_object *creds = member(a, "credentials"), *secrets = member(a, "secrets_env");
    sis_kv params[MH_MAX_CREDENTIALS];
    sis_auth_request req = SIS_AUTH_REQUEST_INIT;
    sis_host_app happ;
    mh_auth_outcome out;
    sis_error err = SIS_ERROR_LOCAL;
    size_t n = 0;
    int rc;

    if (mh_ctx_app(ctx, name, &happ) != 0)
        return 1;
    if (creds != NULL) {
        json_object_object_foreach(creds, k, v) {
            if (n < MH_MAX_CREDENTIALS)
                params[n++] = (sis_kv){k, json_object_get_string(v)};
        }
    }
    if (secrets != NULL && !already_connected(ctx, a)) {
        json_object_object_foreach(secrets, k, v) {
            if (n < MH_MAX_CREDENTIALS)
                params[n++] = (sis_kv){k, getenv(json_object_get_string(v))};
        }
    }
    req.params = params;
    req.n_params = n;
    rc = mh_authenticate(ctx->store, &happ, &req, &out, &err);
    if (rc != SIS_OK) {
        mh_app_attention_set(ctx->store, happ.app.id, err.message);
        return mh_fail("%s: installed, but its credentials did not work: %s. It needs attention: "
                       "fix the file and run provision again, or run 'mock-host connect %s'",
                       name, err.message, name);
    }
    printf("%s: installed and connected from the account's existing integrations", name);
    if (out.tenant_name != NULL && out.tenant_name[0] != '\0')
        printf(" (%s)", out.tenant_name);
    printf(".\n");
    mh_auth_outcome_free(&out);
    return 0;
}

static int provision_one(mh_ctx *ctx, json_object *a)
{
    const char *name = card_name(a);
    mh_app app;
    int existed = 0;

    if (store_card(ctx, a, name, &app, &existed) != 0)
        return 1;
    if (existed && app.connected_at[0] != '\0') {
        printf("%s: already installed and connected; left as it is.\n", name);
        return 0;
    }
    if (member(a, "credentials") == NULL && member(a, "secrets_env") == NULL) {
        printf("%s: installed; connect it with mock-host connect %s.\n", name, name);
        return 0;
    }
    return verify_card(ctx, a, name);
}

/* The provisioning file parsed, or NULL with why: a file that cannot be
 * read, or JSON with a syntax error (where), is said as such; "not a
 * provisioning file" would send the admin to the format for a typo. */
static json_object *read_file(const char *path, char *why, size_t cap)
{
    FILE *f = fopen(path, "r");
    json_tokener *tok;
    json_object *o = NULL;
    enum json_tokener_error e = json_tokener_continue;
    char buf[4096];
    size_t n = 0, i, line = 1, column = 1;

    if (f == NULL)
        return snprintf(why, cap, "cannot read the provisioning file %s: %s", path,
                        strerror(errno)), NULL;
    tok = json_tokener_new();
    while (tok != NULL && e == json_tokener_continue && (n = fread(buf, 1, sizeof buf, f)) > 0) {
        o = json_tokener_parse_ex(tok, buf, (int)n);
        e = json_tokener_get_error(tok);
        /* Where the parser stopped, as an editor shows it. */
        for (i = 0; i < (e == json_tokener_continue ? n : json_tokener_get_parse_end(tok)); i++) {
            column = buf[i] == '\n' ? 1 : column + 1;
            line += buf[i] == '\n';
        }
    }
    if (ferror(f))
        snprintf(why, cap, "cannot read the provisioning file %s: %s", path, strerror(errno));
    else if (o == NULL && e == json_tokener_continue)
        snprintf(why, cap, "%s ends before its JSON is complete (a missing ] or }?); see "
                 "mock-host provision --help", path);
    else if (o == NULL)
        snprintf(why, cap, "%s is not valid JSON: %s at line %zu, column %zu; see mock-host "
                 "provision --help", path, json_tokener_error_desc(e), line, column);
    if (ferror(f)) {
        json_object_put(o);
        o = NULL;
    }
    json_tokener_free(tok);
    fclose(f);
    return o;
}

int mh_cmd_provision(mh_ctx *ctx, int argc, char **argv)
{
    json_object *root, *apps;
    size_t i, n;
    int failures = 0;
    char why[1200];

    if (argc != 2)
        return mh_usage_error("provision", "name the provisioning file");
    root = read_file(argv[1], why, sizeof why);
    if (root == NULL)
        return mh_fail("%s", why);
    if (!json_object_object_get_ex(root, "apps", &apps) ||
        !json_object_is_type(apps, json_type_array)) {
        json_object_put(root);
        return mh_fail("%s is not a provisioning file (JSON with an \"apps\" list; see mock-host "
                       "provision --help)", argv[1]);
    }
    if (mh_ctx_store(ctx) != 0) {
        json_object_put(root);
        return 1;
    }
    mh_ctx_registry(ctx);
    n = json_object_array_length(apps);
    for (i = 0; i < n; i++)
        if (check_entry(ctx, json_object_array_get_idx(apps, i), i, argv[1]) != 0) {
            json_object_put(root);
            return 1;  /* nothing stored: the file is wrong */
        }
    for (i = 0; i < n; i++)
        failures += provision_one(ctx, json_object_array_get_idx(apps, i)) != 0;
    json_object_put(root);
    return failures ? 1 : 0;
}
