#include "conn.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "authorizer.h"
#include "cl_error.h"
#include "declarations.h"
#include "url.h"

#define ONEROSTER_11_ROOT "/ims/oneroster/v1p1"

int cl_config(const sis_host *host, sis_host_app *app, const char *key, char *buf, size_t cap)
{
    return host->config_get(app, key, buf, cap) == SIS_OK;
}

void cl_conn_tuning(cl_conn *c, const sis_host *host, sis_host_app *app)
{
#define SETTING(name) cl_setting_int(host, app, name)
    cl_http_opts_default(&c->http);
    c->page_size = SETTING("page_size");
    c->concurrency = (int)SETTING("concurrency");
    c->delta_overlap_s = SETTING("delta_overlap_s");
    c->max_record_bytes = (size_t)SETTING("max_record_bytes");
    c->http.request_timeout_ms = SETTING("request_timeout_ms");
    c->http.connect_timeout_ms = SETTING("connect_timeout_ms");
    c->http.stall_timeout_s = SETTING("stall_timeout_s");
    c->http.max_attempts = (int)SETTING("max_attempts");
    c->http.retry_budget_ms = SETTING("retry_budget_ms");
    c->http.base_delay_ms = SETTING("retry_base_ms");
    c->http.max_delay_ms = SETTING("retry_max_ms");
#undef SETTING
    c->http.max_body = c->max_record_bytes > 8u << 20 ? c->max_record_bytes : 8u << 20;
    if (SIS_HOST_HAS(host, setting_get) &&
        host->setting_get(app, "ca_file", c->ca_file, sizeof c->ca_file) == SIS_OK)
        c->http.ca_file = c->ca_file;
}

int cl_conn_normalise_root(const char *input, char *out, size_t cap, sis_error *err)
{
    cl_url u;
    size_t n;
    int rc = cl_url_check_transport(input, err);
    if (rc != SIS_OK)
        return rc;
    cl_url_parse(&u, input, err);
    if (u.query != NULL)
        return cl_fail(err, SIS_ERR_CONFIG, "the server URL must not contain a query (?...)");
    if ((rc = cl_url_format(out, cap, err, "%s", input)) != SIS_OK)
        return rc;
    n = strlen(out);
    while (n > 0 && out[n - 1] == '/')
        out[--n] = '\0';
    if (strcmp(u.path, "/") == 0) {
        if (n + strlen(ONEROSTER_11_ROOT) >= cap)
            return cl_fail(err, SIS_ERR_CONFIG, "the server URL is longer than %zu characters",
                           cap - 1 - strlen(ONEROSTER_11_ROOT));
        strcat(out, ONEROSTER_11_ROOT);
    }
    return SIS_OK;
}

static char *secret_dup(const sis_host *host, sis_host_app *app, const char *key)
{
    char buf[4096];
    char *s = NULL;
    if (host->secret_get(app, key, buf, sizeof buf) == SIS_OK)
        s = strdup(buf);
    OPENSSL_cleanse(buf, sizeof buf);
    return s;
}

int cl_conn_load(cl_conn *c, const sis_host *host, sis_host_app *app, sis_error *err)
{
    char mode[32] = "oauth1", buf[512];
    int m;

    memset(c, 0, sizeof *c);
    cl_conn_tuning(c, host, app);
    if (!cl_config(host, app, "server", c->root, sizeof c->root))
        return cl_fail(err, SIS_ERR_CONFIG, "this app is not connected to a district yet; run "
                       "'connect' (ClassLink Login or manual credentials) first");
    cl_config(host, app, "auth", mode, sizeof mode);
    m = cl_auth_mode_parse(mode);
    if (m < 0)
        return cl_fail(err, SIS_ERR_CONFIG, "the stored signing mode \"%s\" is unknown; connect "
                       "the app again", mode);
    c->auth.mode = (cl_auth_mode)m;
    if (cl_config(host, app, "client_id", buf, sizeof buf))
        c->auth.client_id = strdup(buf);
    if (cl_config(host, app, "token_url", buf, sizeof buf))
        c->auth.token_url = strdup(buf);
    if (cl_config(host, app, "oneroster_version", buf, sizeof buf))
        c->version12 = strcmp(buf, "1.2") == 0;
    c->auth.client_secret = secret_dup(host, app, "client_secret");
    if (c->auth.client_secret == NULL || (c->auth.mode != CL_AUTH_BEARER && c->auth.client_id == NULL))
        return cl_fail(err, SIS_ERR_CONFIG, "the stored credentials of this app are incomplete; "
                       "connect it again");
    cl_conn_bind(c, host, app);
    return SIS_OK;
}

static int conn_cancelled(void *ctx)
{
    sis_host_app *app = ((void **)ctx)[1];
    const sis_host *host = ((void **)ctx)[0];
    return host->is_cancelled(app);
}

static void conn_progress(void *ctx, const char *phase, uint64_t done, uint64_t total)
{
    sis_host_app *app = ((void **)ctx)[1];
    const sis_host *host = ((void **)ctx)[0];
    host->progress(app, phase, done, total);
}

static void conn_log(void *ctx, sis_log_level level, const char *msg)
{
    sis_host_app *app = ((void **)ctx)[1];
    const sis_host *host = ((void **)ctx)[0];
    host->log(app, level, msg);
}

void cl_conn_bind(cl_conn *c, const sis_host *host, sis_host_app *app)
{
    c->client.opts = &c->http;
    cl_auth_authorizer(&c->auth, &c->client.auth);
    c->host_ctx[0] = (void *)host;
    c->host_ctx[1] = app;
    c->client.cancelled = conn_cancelled;
    c->client.cancel_ctx = c->host_ctx;
    c->client.progress = conn_progress;
    c->client.progress_ctx = c->host_ctx;
    c->client.log = conn_log;
    c->client.log_ctx = c->host_ctx;
}

void cl_conn_clear(cl_conn *c)
{
    cl_auth_clear(&c->auth);
}
