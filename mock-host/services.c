/*
 * services.c - what the mock host offers plugins: logging to stderr,
 * configuration and encrypted secrets in its database, host-level settings
 * from the environment, progress and cancellation.
 */
#include "services.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decls.h"
#include "progress.h"

volatile sig_atomic_t mh_cancel_requested = 0;

static void host_log(sis_host_app *app, sis_log_level level, const char *msg)
{
    static const char *const names[] = {"error", "warning", "info", "debug"};
    char line[1200];
    if (level == SIS_LOG_DEBUG && getenv("MOCK_HOST_DEBUG") == NULL)
        return;
    if ((unsigned)level > SIS_LOG_DEBUG)
        level = SIS_LOG_DEBUG;
    snprintf(line, sizeof line, "%s: %s: %s", app != NULL ? app->app.name : "host", names[level], msg);
    if (app != NULL && app->progress != NULL)
        mh_progress_print(app->progress, line);  /* not into a bar another thread draws */
    else
        fprintf(stderr, "%s\n", line);
}

static int map_store_rc(int rc)
{
    return rc == 0 ? SIS_OK : rc == 1 ? SIS_ERR_NOT_FOUND : rc == -2 ? SIS_ERR_TOO_SMALL
                                                                      : SIS_ERR_GENERIC;
}

static int copy_out(const char *value, char *buf, size_t cap)
{
    size_t n = strlen(value);
    if (n + 1 > cap)
        return SIS_ERR_TOO_SMALL;
    memcpy(buf, value, n + 1);
    return SIS_OK;
}

/* The plugin's namespace: what the admin set (validated when it was set),
 * else the SETTING's declared default. */
static int host_config_get(sis_host_app *app, const char *key, char *buf, size_t cap)
{
    const sis_decl *d;
    int rc;
    mh_store_lock(app->store);  /* see mh_store_lock: the sync's writer may be storing */
    rc = mh_store_config_get(app->store, app->app.id, key, buf, cap);
    mh_store_unlock(app->store);
    if (rc != 1)
        return map_store_rc(rc);
    d = mh_decl_find(app->plugin->header, SIS_DECL_SETTING, key);
    if (d != NULL && d->default_value != NULL)
        return copy_out(d->default_value, buf, cap);
    return SIS_ERR_NOT_FOUND;
}

static int host_config_set(sis_host_app *app, const char *key, const char *value)
{
    const sis_decl *d = mh_decl_find(app->plugin->header, SIS_DECL_SETTING, key);
    char why[256];
    int rc;
    if (d != NULL && value != NULL && mh_decl_check(d, value, why, sizeof why) != 0)
        return SIS_ERR_CONFIG;
    mh_store_lock(app->store);
    rc = mh_store_config_set(app->store, app->app.id, key, value);
    mh_store_unlock(app->store);
    return map_store_rc(rc);
}

static int host_secret_get(sis_host_app *app, const char *key, char *buf, size_t cap)
{
    int rc;
    mh_store_lock(app->store);
    rc = mh_store_secret_get(app->store, app->app.id, key, buf, cap);
    mh_store_unlock(app->store);
    return map_store_rc(rc);
}

static int host_secret_set(sis_host_app *app, const char *key, const char *value)
{
    int rc;
    mh_store_lock(app->store);
    rc = mh_store_secret_set(app->store, app->app.id, key, value);
    mh_store_unlock(app->store);
    return map_store_rc(rc);
}

void mh_host_setting_env(const char *plugin_id, const char *name, char *buf, size_t cap)
{
    size_t i, n = 0;
    const char *parts[2] = {plugin_id, name};
    int k;
    for (k = 0; k < 2; k++) {
        if (k == 1 && n + 1 < cap)
            buf[n++] = '_';
        for (i = 0; parts[k][i] != '\0' && n + 1 < cap; i++) {
            char c = parts[k][i];
            buf[n++] = c == '-' ? '_' : (char)toupper((unsigned char)c);
        }
    }
    buf[n] = '\0';
}

/* Host-level settings: the environment variable PLUGINID_NAME wins, then
 * the host's stored setting (app 0), then the declared default. */
static int host_setting_get(sis_host_app *app, const char *key, char *buf, size_t cap)
{
    const sis_decl *d = mh_decl_find(app->plugin->header, SIS_DECL_HOST_SETTING, key);
    char var[160], stored_key[160];
    const char *env;
    int rc;

    if (d == NULL)
        return SIS_ERR_NOT_FOUND;
    mh_host_setting_env(app->plugin->header->id, key, var, sizeof var);
    env = getenv(var);
    if (env != NULL && env[0] != '\0')
        return copy_out(env, buf, cap);
    snprintf(stored_key, sizeof stored_key, "%s.%s", app->plugin->header->id, key);
    mh_store_lock(app->store);  /* see host_config_get */
    rc = d->type == SIS_VALUE_SECRET ? mh_store_secret_get(app->store, 0, stored_key, buf, cap)
                                     : mh_store_config_get(app->store, 0, stored_key, buf, cap);
    mh_store_unlock(app->store);
    if (rc != 1)
        return map_store_rc(rc);
    if (d->default_value != NULL)
        return copy_out(d->default_value, buf, cap);
    return SIS_ERR_NOT_FOUND;
}

static void host_progress(sis_host_app *app, const char *phase, uint64_t done, uint64_t total)
{
    if (app != NULL && app->progress != NULL)
        mh_progress_update(app->progress, phase, done, total);
}

static int host_is_cancelled(sis_host_app *app)
{
    (void)app;
    return mh_cancel_requested != 0;
}

static const sis_host the_host = {
    .abi_version = SIS_ABI_VERSION,
    .struct_size = sizeof(sis_host),
    .log = host_log,
    .config_get = host_config_get,
    .config_set = host_config_set,
    .secret_get = host_secret_get,
    .secret_set = host_secret_set,
    .setting_get = host_setting_get,
    .progress = host_progress,
    .is_cancelled = host_is_cancelled,
};

const sis_host *mh_services(void)
{
    return &the_host;
}

int mh_instance_create(sis_instance **out, sis_host_app *happ, char *errbuf, size_t cap)
{
    sis_error err = SIS_ERROR_LOCAL;
    int rc;
    if (happ->plugin->connector == NULL) {
        snprintf(errbuf, cap, "%s is an %s plugin, not an SIS: it has no roster to connect, sync "
                 "or map", happ->plugin->header->name, mh_kind_section(happ->plugin->header->kind));
        return -1;
    }
    rc = happ->plugin->connector->create(out, &the_host, happ, &err);
    if (rc != SIS_OK) {
        snprintf(errbuf, cap, "%s: %s", happ->app.name, err.message);
        return -1;
    }
    return 0;
}
