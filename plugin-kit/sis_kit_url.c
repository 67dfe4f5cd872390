/* sis_kit_url.c - see sis_kit_url.h. */
#include "sis_kit_url.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

int sis_kit_host_is_loopback(const char *host)
{
    struct in_addr a4;
    struct in6_addr a6;
    char bare[INET6_ADDRSTRLEN + 1];
    size_t n = strlen(host);

    if (strcasecmp(host, "localhost") == 0)
        return 1;
    if (inet_pton(AF_INET, host, &a4) == 1)
        return (ntohl(a4.s_addr) >> 24) == 127;
    if (n >= 2 && host[0] == '[' && host[n - 1] == ']') {
        host++;
        n -= 2;
    }
    if (n >= sizeof bare)
        return 0;
    memcpy(bare, host, n);
    bare[n] = '\0';
    return inet_pton(AF_INET6, bare, &a6) == 1 && IN6_IS_ADDR_LOOPBACK(&a6);
}

/* 1 when libcurl found `part` in the URL (an empty user counts: "@" alone
 * still means the URL was written with user info). */
static int has_part(CURLU *u, CURLUPart part)
{
    char *v = NULL;
    CURLUcode rc = curl_url_get(u, part, &v, 0);
    curl_free(v);
    return rc == CURLUE_OK;
}

int sis_kit_check_http_url(const char *url, sis_error *err)
{
    CURLU *u = curl_url();
    char *scheme = NULL, *host = NULL;
    int rc = SIS_OK;

    if (u == NULL)
        return sis_error_set(err, SIS_ERR_NOMEM, "out of memory");
    if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK) {
        rc = sis_error_set(err, SIS_ERR_CONFIG, "the URL is not a valid absolute URL with a "
                           "host; give it as https://host/path");
    } else if (strcmp(scheme, "http") != 0 && strcmp(scheme, "https") != 0) {
        rc = sis_error_set(err, SIS_ERR_CONFIG, "the URL to %.200s uses %.20s://; give an "
                           "https:// URL", host, scheme);
    } else if (strcmp(scheme, "http") == 0 && !sis_kit_host_is_loopback(host)) {
        rc = sis_error_set(err, SIS_ERR_CONFIG, "refusing plain http to %.200s: roster data and "
                           "credentials must not travel unencrypted; use an https:// URL, or, "
                           "for a test server on this machine, a loopback address (127.0.0.1, "
                           "[::1] or localhost)", host);
    } else if (has_part(u, CURLUPART_USER) || has_part(u, CURLUPART_PASSWORD)) {
        rc = sis_error_set(err, SIS_ERR_CONFIG, "the URL to %.200s contains a user name or "
                           "password (the part before '@'); remove it and give the credentials "
                           "in the connection's own fields, since URLs are shown and logged",
                           host);
    }
    curl_free(scheme);
    curl_free(host);
    curl_url_cleanup(u);
    return rc;
}
