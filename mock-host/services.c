/*
 * services.c - what the mock host offers plugins: logging to stderr,
 * configuration and encrypted secrets in its database, host-level settings
 * from the environment, progress and cancellation.
 */
#include "services.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "progress.h"

volatile sig_atomic_t mh_cancel_requested = 0;

static void host_log(sis_host_app *app, sis_log_level level, const char *msg)
{
    static const char *const names[] = {"error", "warning", "info", "debug"};
    if (level == SIS_LOG_DEBUG && getenv("MOCK_HOST_DEBUG") == NULL)
        return;
    if ((unsigned)level > SIS_LOG_DEBUG)
        level = SIS_LOG_DEBUG;
    if (app != NULL && app->progress != NULL)
        mh_progress_clear(app->progress);
    fprintf(stderr, "%s: %s: %s\n", app != NULL ? app->app.name : "host", names[level], msg);
}

static int map_store_rc(int rc)
{
    return rc == 0 ? SIS_OK : rc == 1 ? SIS_ERR_NOT_FOUND : rc == -2 ? SIS_ERR_TOO_SMALL
                                                                      : SIS_ERR_GENERIC;
}

static int host_config_get(sis_host_app *app, const char *key, char *buf, size_t cap)
{
    return map_store_rc(mh_store_config_get(app->store, app->app.id, key, buf, cap));
}

static int host_config_set(sis_host_app *app, const char *key, const char *value)
{
    return map_store_rc(mh_store_config_set(app->store, app->app.id, key, value));
}

static int host_secret_get(sis_host_app *app, const char *key, char *buf, size_t cap)
{
    return map_store_rc(mh_store_secret_get(app->store, app->app.id, key, buf, cap));
}

static int host_secret_set(sis_host_app *app, const char *key, const char *value)
{
    return map_store_rc(mh_store_secret_set(app->store, app->app.id, key, value));
}

static int copy_out(const char *value, char *buf, size_t cap)
{
    size_t n = strlen(value);
    if (n + 1 > cap)
        return SIS_ERR_TOO_SMALL;
    memcpy(buf, value, n + 1);
    return SIS_OK;
}

/* Host-level settings: the environment variable the manifest names wins,
 * then the host's stored setting (app 0), then the manifest's default. */
static int host_setting_get(sis_host_app *app, const char *key, char *buf, size_t cap)
{
    const mh_field *f = mh_manifest_setting(app->plugin->manifest, key);
    const char *env;
    char stored_key[160];
    int rc;

    if (f == NULL)
        return SIS_ERR_NOT_FOUND;
    env = f->env != NULL ? getenv(f->env) : NULL;
    if (env != NULL && env[0] != '\0')
        return copy_out(env, buf, cap);
    snprintf(stored_key, sizeof stored_key, "%s.%s", app->plugin->manifest->id, key);
    rc = f->secret ? mh_store_secret_get(app->store, 0, stored_key, buf, cap)
                   : mh_store_config_get(app->store, 0, stored_key, buf, cap);
    if (rc != 1)
        return map_store_rc(rc);
    if (f->default_value != NULL)
        return copy_out(f->default_value, buf, cap);
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
    sis_error err = {0, ""};
    int rc = happ->plugin->connector->create(out, &the_host, happ, &err);
    if (rc != SIS_OK) {
        snprintf(errbuf, cap, "%s: %s", happ->app.name, err.message);
        return -1;
    }
    return 0;
}
