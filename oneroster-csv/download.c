#include "download.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "sis_kit_url.h"
#include "tempfile.h"

struct orc_remote {
    CURL *curl;
    char *username, *password, *private_key_file, *known_hosts, *ca_file;
    uint64_t max_bytes;
    char hostkey_problem[256];   /* set by the key callback when it refuses */
};

typedef struct sink {
    FILE *dest;
    uint64_t n, max;
    int too_large, write_failed, write_errno;
} sink;

int orc_is_url(const char *url)
{
    return strncasecmp(url, "https://", 8) == 0 || strncasecmp(url, "sftp://", 7) == 0 ||
           strncasecmp(url, "http://", 7) == 0;
}

size_t orc_url_query_at(const char *url)
{
    const char *scheme = strstr(url, "://");
    if (scheme == NULL)
        return strlen(url);
    scheme += 3;
    return (size_t)(scheme - url) + strcspn(scheme, "?#");
}

char *orc_url_redacted(const char *url)
{
    const char *scheme = strstr(url, "://"), *at, *host_end;
    size_t end = orc_url_query_at(url), n = 0;
    char *out = malloc(end + sizeof "?\u2026");
    if (out == NULL)
        return NULL;
    if (scheme != NULL) {
        scheme += 3;
        host_end = scheme + strcspn(scheme, "/?#");
        at = memchr(scheme, '@', (size_t)(host_end - scheme));
        n = (size_t)(scheme - url);
        memcpy(out, url, n);
        if (at != NULL)
            scheme = at + 1;
        memcpy(out + n, scheme, (size_t)(url + end - scheme));
        n += (size_t)(url + end - scheme);
    } else {
        memcpy(out, url, end);
        n = end;
    }
    /* The query's words are not shown, only that there was one. */
    strcpy(out + n, url[end] == '?' ? "?\u2026" : "");
    return out;
}

/* Replaces every copy of `secret` (len bytes) in `msg` by "…": libcurl's
 * error text may quote the URL it was given.  The mark is never longer than
 * what it replaces, so `msg` does not grow. */
static void scrub(char *msg, const char *secret, size_t len)
{
    static const char mark[] = "\u2026";   /* "…" in UTF-8 */
    char *hit;
    if (len < sizeof mark)
        return;
    while ((hit = memmem(msg, strlen(msg), secret, len)) != NULL) {
        memmove(hit + sizeof mark - 1, hit + len, strlen(hit + len) + 1);
        memcpy(hit, mark, sizeof mark - 1);
    }
}

static int temp_write_failed(orc_err *err, const char *shown, int errnum)
{
    return orc_fail(err, ORC_ERR_IO, "%s: the temporary copy in %s could not be written (%s); "
                    "check free space there (TMPDIR chooses the folder)", shown, orc_temp_dir(),
                    strerror(errnum));
}

static size_t on_body(char *data, size_t size, size_t nmemb, void *ctx)
{
    sink *s = ctx;
    size_t n = size * nmemb;
    if (s->n + n > s->max) {
        s->too_large = 1;
        return 0;
    }
    if (fwrite(data, 1, n, s->dest) != n) {
        s->write_failed = 1;
        s->write_errno = errno;
        return 0;
    }
    s->n += n;
    return n;
}

/* Accepts the server's key only when the known-hosts file has exactly it. */
static int on_host_key(CURL *easy, const struct curl_khkey *known, const struct curl_khkey *found,
                       enum curl_khmatch match, void *ctx)
{
    orc_remote *r = ctx;
    (void)easy;
    (void)known;
    (void)found;
    if (match == CURLKHMATCH_OK)
        return CURLKHSTAT_FINE;
    snprintf(r->hostkey_problem, sizeof r->hostkey_problem, "%s",
             match == CURLKHMATCH_MISMATCH
                 ? "the SFTP server's host key has CHANGED since it was recorded in the "
                   "known-hosts file: this may be an attack; if the server was really "
                   "re-keyed, replace its line after checking the new fingerprint"
                 : "the SFTP server's host key is not in the known-hosts file; add it (ssh-keyscan) "
                   "after checking its fingerprint with the server's administrator");
    return CURLKHSTAT_REJECT;
}

static char *dup_or_null(const char *s)
{
    return s != NULL && s[0] != '\0' ? strdup(s) : NULL;
}

int orc_remote_open(orc_remote **out, const orc_remote_opts *o, orc_err *err)
{
    orc_remote *r = calloc(1, sizeof *r);
    if (r == NULL)
        return orc_fail(err, ORC_ERR_NOMEM, "out of memory");
    r->curl = curl_easy_init();
    r->username = dup_or_null(o->username);
    r->password = dup_or_null(o->password);
    r->private_key_file = dup_or_null(o->private_key_file);
    r->ca_file = dup_or_null(o->ca_file);
    if (o->known_hosts != NULL && o->known_hosts[0] != '\0') {
        r->known_hosts = strdup(o->known_hosts);
    } else {
        const char *home = getenv("HOME");
        size_t n = (home ? strlen(home) : 0) + 32;
        r->known_hosts = malloc(n);
        if (r->known_hosts != NULL)
            snprintf(r->known_hosts, n, "%s/.ssh/known_hosts", home ? home : "");
    }
    r->max_bytes = o->max_bytes;
    if (r->curl == NULL || r->known_hosts == NULL) {
        orc_remote_close(r);
        return orc_fail(err, ORC_ERR_NOMEM, "out of memory");
    }
    *out = r;
    return ORC_OK;
}

int orc_remote_get(orc_remote *r, const char *url, FILE *dest, uint64_t *bytes, orc_err *err)
{
    CURL *e = r->curl;
    sink s = {dest, 0, r->max_bytes, 0, 0, 0};
    char curl_msg[CURL_ERROR_SIZE] = "";
    char *shown = orc_url_redacted(url);
    int sftp = strncasecmp(url, "sftp://", 7) == 0;
    long status = 0;
    CURLcode cc;
    int rc = ORC_OK;

    if (shown == NULL)
        return orc_fail(err, ORC_ERR_NOMEM, "out of memory");
    if (!sftp) {
        /* The kit's one rule for http(s): libcurl's own parse, no user
         * info, plain http only to a loopback host. */
        sis_error why = SIS_ERROR_LOCAL;
        rc = sis_kit_check_http_url(url, &why);
        if (rc != SIS_OK) {
            rc = orc_fail(err, rc == SIS_ERR_NOMEM ? ORC_ERR_NOMEM : ORC_ERR_CONFIG, "%s",
                          why.message);
            free(shown);
            return rc;
        }
    }
    r->hostkey_problem[0] = '\0';
    curl_easy_reset(e);
    curl_easy_setopt(e, CURLOPT_URL, url);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, sftp ? "sftp" : "http,https");
    curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, curl_msg);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, &s);
    curl_easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)r->max_bytes);
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT, 30L);
    curl_easy_setopt(e, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(e, CURLOPT_LOW_SPEED_TIME, 60L);
    if (sftp) {
        curl_easy_setopt(e, CURLOPT_SSH_KNOWNHOSTS, r->known_hosts);
        curl_easy_setopt(e, CURLOPT_SSH_KEYFUNCTION, on_host_key);
        curl_easy_setopt(e, CURLOPT_SSH_KEYDATA, r);
        if (r->username != NULL)
            curl_easy_setopt(e, CURLOPT_USERNAME, r->username);
        if (r->private_key_file != NULL) {
            curl_easy_setopt(e, CURLOPT_SSH_AUTH_TYPES, (long)CURLSSH_AUTH_PUBLICKEY);
            curl_easy_setopt(e, CURLOPT_SSH_PRIVATE_KEYFILE, r->private_key_file);
            if (r->password != NULL)
                curl_easy_setopt(e, CURLOPT_KEYPASSWD, r->password);
        } else {
            curl_easy_setopt(e, CURLOPT_SSH_AUTH_TYPES,
                             (long)(CURLSSH_AUTH_PASSWORD | CURLSSH_AUTH_KEYBOARD));
            if (r->password != NULL)
                curl_easy_setopt(e, CURLOPT_PASSWORD, r->password);
        }
    } else {
        curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 1L);
        curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 2L);
        if (r->ca_file != NULL)
            curl_easy_setopt(e, CURLOPT_CAINFO, r->ca_file);
        curl_easy_setopt(e, CURLOPT_USERAGENT, "oneroster-csv-plugin");
    }
    cc = curl_easy_perform(e);
    curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
    if (url[orc_url_query_at(url)] == '?') {
        const char *query = url + orc_url_query_at(url) + 1;
        scrub(curl_msg, query, strcspn(query, "#"));
    }
    /* The password stays out of the handle between requests. */
    curl_easy_setopt(e, CURLOPT_PASSWORD, NULL);
    curl_easy_setopt(e, CURLOPT_KEYPASSWD, NULL);
    *bytes += s.n;
    if (s.too_large || cc == CURLE_FILESIZE_EXCEEDED)
        rc = orc_fail(err, ORC_ERR_TOO_LARGE, "%s is larger than the download limit of %llu "
                      "bytes", shown, (unsigned long long)r->max_bytes);
    else if (s.write_failed)
        rc = temp_write_failed(err, shown, s.write_errno);
    else if (r->hostkey_problem[0] != '\0')
        rc = orc_fail(err, ORC_ERR_HOSTKEY, "%s: %s (known-hosts file: %s)", shown,
                      r->hostkey_problem, r->known_hosts);
    else if (cc == CURLE_LOGIN_DENIED)
        rc = orc_fail(err, ORC_ERR_AUTH, "%s: the SFTP server refused the %s for user %s; check "
                      "the credentials", shown, r->private_key_file ? "private key" : "password",
                      r->username ? r->username : "(from the URL)");
    else if (cc == CURLE_REMOTE_FILE_NOT_FOUND || (!sftp && cc == CURLE_OK && status == 404))
        rc = orc_fail(err, ORC_ERR_NOT_FOUND, "%s does not exist on the server", shown);
    else if (cc == CURLE_PEER_FAILED_VERIFICATION || cc == CURLE_SSL_CACERT_BADFILE ||
             cc == CURLE_SSL_CONNECT_ERROR)
        rc = orc_fail(err, sftp ? ORC_ERR_HOSTKEY : ORC_ERR_TLS, "%s: the server's identity could "
                      "not be verified (%s)", shown, curl_msg[0] ? curl_msg : curl_easy_strerror(cc));
    else if (cc == CURLE_REMOTE_ACCESS_DENIED)
        rc = orc_fail(err, ORC_ERR_AUTH, "%s: the server denied access to the file", shown);
    else if (cc != CURLE_OK)
        rc = orc_fail(err, ORC_ERR_NETWORK, "%s could not be downloaded: %s", shown,
                      curl_msg[0] ? curl_msg : curl_easy_strerror(cc));
    else if (!sftp && status != 200)
        rc = orc_fail(err, status == 401 || status == 403 ? ORC_ERR_AUTH : ORC_ERR_NETWORK,
                      "%s: the server answered HTTP %ld", shown, status);
    else if (fflush(dest) != 0)
        rc = temp_write_failed(err, shown, errno);
    free(shown);
    return rc;
}

static void wipe_free(char *s)
{
    if (s != NULL) {
        explicit_bzero(s, strlen(s));
        free(s);
    }
}

void orc_remote_close(orc_remote *r)
{
    if (r == NULL)
        return;
    if (r->curl != NULL)
        curl_easy_cleanup(r->curl);
    free(r->username);
    wipe_free(r->password);
    free(r->private_key_file);
    free(r->known_hosts);
    free(r->ca_file);
    free(r);
}
