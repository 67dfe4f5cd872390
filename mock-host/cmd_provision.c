/*
 * cmd_provision.c - districts that already use the SIS find their card
 * installed and connected: the host imports its existing integrations from a
 * provisioning file (as a product migration would), and they sync with no
 * setup step.  Secret values are never in the file: it names environment
 * variables that hold them.
 *
 *   {"apps":[{"plugin":"classlink","name":"classlink","itxm":false,
 *             "config":{"server":"https://...","auth":"oauth1","client_id":"..."},
 *             "secrets_env":{"client_secret":"LEGACY_CLASSLINK_SECRET"}}]}
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>
#include <openssl/crypto.h>

#include "cli.h"

static int provision_one(mh_ctx *ctx, json_object *a, const char *file)
{
    json_object *v, *config = NULL, *secrets = NULL;
    const char *plugin, *name;
    int itxm = 0, rc;
    mh_app app;
    char msg[512];

    plugin = json_object_object_get_ex(a, "plugin", &v) ? json_object_get_string(v) : NULL;
    name = json_object_object_get_ex(a, "name", &v) ? json_object_get_string(v) : plugin;
    if (plugin == NULL || name == NULL)
        return mh_fail("%s: every app needs \"plugin\"", file);
    if (json_object_object_get_ex(a, "itxm", &v))
        itxm = json_object_get_boolean(v);
    if (mh_registry_find(&ctx->registry, plugin) == NULL)
        return mh_fail("%s: no plugin \"%s\" in the marketplace", file, plugin);
    if (mh_store_exec(ctx->store, "BEGIN IMMEDIATE", msg, sizeof msg) != 0)
        return mh_fail("%s", msg);
    rc = mh_store_app_create(ctx->store, name, plugin, itxm, &app);
    if (rc == 1) {
        mh_store_exec(ctx->store, "ROLLBACK", NULL, 0);
        printf("%s: already installed; left as it is.\n", name);
        return 0;
    }
    if (json_object_object_get_ex(a, "config", &config) && !json_object_is_type(config, json_type_object))
        config = NULL;
    if (json_object_object_get_ex(a, "secrets_env", &secrets) &&
        !json_object_is_type(secrets, json_type_object))
        secrets = NULL;
    if (rc == 0 && config != NULL) {
        json_object_object_foreach(config, k, val) {
            if (mh_store_config_set(ctx->store, app.id, k, json_object_get_string(val)) != 0)
                rc = -1;
        }
    }
    if (rc == 0 && secrets != NULL) {
        json_object_object_foreach(secrets, k, var) {
            const char *value = getenv(json_object_get_string(var));
            if (value == NULL || value[0] == '\0') {
                mh_fail("%s: the environment variable %s (secret \"%s\" of %s) is not set", file,
                        json_object_get_string(var), k, name);
                rc = -1;
                break;
            }
            if (mh_store_secret_set(ctx->store, app.id, k, value) != 0)
                rc = -1;
        }
    }
    if (rc == 0 && config != NULL)
        rc = mh_store_app_set_connected(ctx->store, app.id, 1);
    if (rc != 0 || mh_store_exec(ctx->store, "COMMIT", msg, sizeof msg) != 0) {
        mh_store_exec(ctx->store, "ROLLBACK", NULL, 0);
        return mh_fail("%s: could not provision %s; nothing of it was saved", file, name);
    }
    printf("%s: installed%s from the account's existing integrations.\n", name,
           config != NULL ? " and connected" : "");
    return 0;
}

int mh_cmd_provision(mh_ctx *ctx, int argc, char **argv)
{
    json_object *root, *apps;
    size_t i;
    int failures = 0;

    if (argc != 2)
        return mh_usage_error("provision", "name the provisioning file");
    root = json_object_from_file(argv[1]);
    if (root == NULL || !json_object_object_get_ex(root, "apps", &apps) ||
        !json_object_is_type(apps, json_type_array)) {
        json_object_put(root);
        return mh_fail("%s is not a provisioning file (JSON with an \"apps\" list)", argv[1]);
    }
    if (mh_ctx_store(ctx) != 0) {
        json_object_put(root);
        return 1;
    }
    mh_ctx_registry(ctx);
    for (i = 0; i < json_object_array_length(apps); i++)
        failures += provision_one(ctx, json_object_array_get_idx(apps, i), argv[1]) != 0;
    json_object_put(root);
    return failures ? 1 : 0;
}
