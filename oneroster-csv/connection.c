#include "connection.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "declarations.h"

/* Limits from the app's settings (declared defaults when unset); the CA
 * file from the operator's host setting, the same for every district. */
static void conn_limits(orc_conn *c, const sis_host *host, sis_host_app *app)
{
    c->opts.remote.max_bytes = (uint64_t)orc_setting_int(host, app, "max_download_mb") << 20;
    c->opts.zip.max_entry = (uint64_t)orc_setting_int(host, app, "max_entry_mb") << 20;
    c->opts.zip.max_ratio = (uint64_t)orc_setting_int(host, app, "max_ratio");
    if (host->setting_get(app, "ca_file", c->ca_file, sizeof c->ca_file) != SIS_OK)
        c->ca_file[0] = '\0';
    c->opts.remote.ca_file = c->ca_file;
}

static void conn_point(orc_conn *c)
{
    c->opts.location = c->location;
    c->opts.query = c->query;
    c->opts.remote.username = c->username;
    c->opts.remote.password = c->password;
    c->opts.remote.private_key_file = c->key_file;
    c->opts.remote.known_hosts = c->known_hosts;
}

void orc_conn_wipe(orc_conn *c)
{
    explicit_bzero(c->password, sizeof c->password);
    explicit_bzero(c->query, sizeof c->query);
}

static void get_or_empty(const sis_host *host, sis_host_app *app, const char *key, char *buf,
                         size_t cap, int secret)
{
    int rc = secret ? host->secret_get(app, key, buf, cap) : host->config_get(app, key, buf, cap);
    if (rc != SIS_OK)
        buf[0] = '\0';
}

static int copy_param(char *dst, size_t cap, const char *v, const char *what, sis_error *err)
{
    size_t len = strlen(v);
    if (len >= cap)
        return sis_error_set(err, SIS_ERR_CONFIG, "the %s is too long", what);
    memcpy(dst, v, len + 1);
    return SIS_OK;
}

/* Splits the URL `url` into c->location (up to its query or fragment) and
 * c->query (the query without '?' and without the fragment, which is never
 * sent to a server). */
static int split_url(orc_conn *c, const char *url, sis_error *err)
{
    size_t at = orc_url_query_at(url), qlen = 0;
    if (at >= sizeof c->location)
        return sis_error_set(err, SIS_ERR_CONFIG, "the source URL is too long");
    memcpy(c->location, url, at);
    c->location[at] = '\0';
    if (url[at] == '?')
        qlen = strcspn(url + at + 1, "#");
    if (qlen >= sizeof c->query)
        return sis_error_set(err, SIS_ERR_CONFIG, "the source URL's query is too long");
    memcpy(c->query, url + at + 1, qlen);
    c->query[qlen] = '\0';
    return SIS_OK;
}

/* A URL stored whole, query included (before the query was sealed): split
 * in memory, then stored the sealed way.  If that store fails the old form
 * stays and is read again next time: nothing is lost either way. */
static int load_old_url(orc_conn *c, const sis_host *host, sis_host_app *app, sis_error *err)
{
    char old[sizeof c->location];
    int rc;
    memcpy(old, c->location, sizeof old);
    rc = split_url(c, old, err);
    if (rc == SIS_OK &&
        host->secret_set(app, "source_query", c->query[0] ? c->query : NULL) == SIS_OK)
        host->config_set(app, "source", c->location);
    explicit_bzero(old, sizeof old);
    return rc;
}

int orc_conn_load(orc_conn *c, const sis_host *host, sis_host_app *app, sis_error *err)
{
    int rc;
    memset(c, 0, sizeof *c);
    if (host->config_get(app, "source", c->location, sizeof c->location) != SIS_OK)
        return sis_error_set(err, SIS_ERR_CONFIG, "this app is not connected: run connect with "
                             "--source");
    if (orc_is_url(c->location) && c->location[orc_url_query_at(c->location)] != '\0')
        rc = load_old_url(c, host, app, err);
    else
        rc = SIS_OK;
    if (rc != SIS_OK) {
        orc_conn_wipe(c);
        return rc;
    }
    if (c->query[0] == '\0')
        get_or_empty(host, app, "source_query", c->query, sizeof c->query, 1);
    get_or_empty(host, app, "username", c->username, sizeof c->username, 0);
    get_or_empty(host, app, "private_key_file", c->key_file, sizeof c->key_file, 0);
    get_or_empty(host, app, "known_hosts", c->known_hosts, sizeof c->known_hosts, 0);
    get_or_empty(host, app, "password", c->password, sizeof c->password, 1);
    conn_limits(c, host, app);
    conn_point(c);
    return SIS_OK;
}

static const char *param(const sis_kv *params, size_t n, const char *key)
{
    size_t i;
    for (i = 0; i < n; i++)
        if (params[i].key != NULL && strcmp(params[i].key, key) == 0)
            return params[i].value != NULL ? params[i].value : "";
    return "";
}

/* A local file named on the command line is stored as an absolute path, so
 * a later sync from another folder finds it. */
static int copy_path(char *dst, size_t cap, const char *v, const char *what, sis_error *err)
{
    char abs[PATH_MAX];
    if (v[0] == '\0') {
        dst[0] = '\0';
        return SIS_OK;
    }
    if (realpath(v, abs) == NULL)
        return sis_error_set(err, SIS_ERR_NOT_FOUND, "the %s %.300s does not exist", what, v);
    return copy_param(dst, cap, abs, what, err);
}

/* The declared secret source_query: a pre-signed URL's query given apart
 * from the URL (--source-query-env), so it stays off the command line. */
static int query_param(orc_conn *c, const char *q, sis_error *err)
{
    if (q[0] == '?')
        q++;
    if (q[0] == '\0')
        return SIS_OK;
    if (!orc_is_url(c->location) || strncasecmp(c->location, "sftp://", 7) == 0)
        return sis_error_set(err, SIS_ERR_CONFIG, "a pre-signed URL query belongs to an https:// "
                             "source; this source is not one");
    if (c->query[0] != '\0')
        return sis_error_set(err, SIS_ERR_CONFIG, "the source URL already has a query: give it "
                             "either in the URL or as the pre-signed URL query, not both");
    return copy_param(c->query, sizeof c->query, q, "pre-signed URL query", err);
}

int orc_conn_from_params(orc_conn *c, const sis_host *host, sis_host_app *app,
                         const sis_kv *params, size_t n_params, sis_error *err)
{
    const char *src = param(params, n_params, "source");
    int rc;

    memset(c, 0, sizeof *c);
    if (src[0] == '\0')
        return sis_error_set(err, SIS_ERR_CONFIG, "give --source: a OneRoster CSV zip, a folder "
                             "of CSV files, an https:// URL or an sftp:// URL");
    if (orc_is_url(src)) {
        /* The authority ends at the path, query or fragment: an '@' in a
         * pre-signed URL's query is not user info. */
        const char *hostpart = strstr(src, "://") + 3;
        size_t authority = strcspn(hostpart, "/?#");
        const char *at = memchr(hostpart, '@', authority);
        if (at != NULL && memchr(hostpart, ':', (size_t)(at - hostpart)) != NULL)
            return sis_error_set(err, SIS_ERR_CONFIG, "the source URL contains a password; give "
                                 "it with --password-env or --password-file instead (command "
                                 "lines show in ps)");
        rc = split_url(c, src, err);
    } else if (strstr(src, "://") != NULL) {
        /* ftp://, smb://...: not a path that is missing, a way this plugin
         * does not read.  Shown without its query, which may be a
         * credential as in any URL. */
        char *shown = orc_url_redacted(src);
        rc = sis_error_set(err, SIS_ERR_CONFIG, "the source %.300s is a URL this plugin cannot "
                           "read: give an https:// or sftp:// URL, or a OneRoster CSV zip or "
                           "folder on this machine", shown != NULL ? shown : "given");
        free(shown);
        return rc;
    } else {
        char abs[PATH_MAX];
        if (realpath(src, abs) == NULL)
            return sis_error_set(err, SIS_ERR_NOT_FOUND, "the source %.300s does not exist (give "
                                 "a OneRoster CSV zip or folder, or an https:// or sftp:// URL)",
                                 src);
        rc = copy_param(c->location, sizeof c->location, abs, "source path", err);
    }
    if (rc == SIS_OK)
        rc = query_param(c, param(params, n_params, "source_query"), err);
    if (rc == SIS_OK)
        rc = copy_param(c->username, sizeof c->username, param(params, n_params, "username"),
                        "username", err);
    if (rc == SIS_OK)
        rc = copy_param(c->password, sizeof c->password, param(params, n_params, "password"),
                        "password", err);
    if (rc == SIS_OK)
        rc = copy_path(c->key_file, sizeof c->key_file,
                       param(params, n_params, "private_key_file"), "private key file", err);
    if (rc == SIS_OK)
        rc = copy_path(c->known_hosts, sizeof c->known_hosts,
                       param(params, n_params, "known_hosts"), "known-hosts file", err);
    if (rc != SIS_OK)
        return rc;
    if (strncasecmp(c->location, "sftp://", 7) == 0 && c->password[0] == '\0' &&
        c->key_file[0] == '\0')
        return sis_error_set(err, SIS_ERR_CONFIG, "an sftp:// source needs a password "
                             "(--password-env or --password-file) or --private-key-file");
    conn_limits(c, host, app);
    conn_point(c);
    return SIS_OK;
}

int orc_conn_store(const orc_conn *c, const sis_host *host, sis_host_app *app, sis_error *err)
{
    if (host->config_set(app, "source", c->location) != SIS_OK ||
        host->config_set(app, "username", c->username[0] ? c->username : NULL) != SIS_OK ||
        host->config_set(app, "private_key_file", c->key_file[0] ? c->key_file : NULL) != SIS_OK ||
        host->config_set(app, "known_hosts", c->known_hosts[0] ? c->known_hosts : NULL) != SIS_OK ||
        host->secret_set(app, "password", c->password[0] ? c->password : NULL) != SIS_OK ||
        host->secret_set(app, "source_query", c->query[0] ? c->query : NULL) != SIS_OK)
        return sis_error_set(err, SIS_ERR_GENERIC, "the host could not store the connection "
                             "settings");
    return SIS_OK;
}
