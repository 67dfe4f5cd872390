#include "url.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "cl_error.h"
#include "sis_kit_url.h"

char *cl_url_encode(const char *s)
{
    char *c = curl_easy_escape(NULL, s, (int)strlen(s));
    char *out;
    if (c == NULL)
        return NULL;
    out = strdup(c);   /* so callers free() it like every other string */
    curl_free(c);
    return out;
}

static int hexval(int c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

char *cl_url_decode(const char *s, size_t len, size_t *len_out)
{
    char *out = malloc(len + 1);
    size_t i, o = 0;
    if (out == NULL)
        return NULL;
    for (i = 0; i < len; i++) {
        if (s[i] == '%' && i + 2 < len && hexval((unsigned char)s[i + 1]) >= 0 &&
            hexval((unsigned char)s[i + 2]) >= 0) {
            out[o++] = (char)(hexval((unsigned char)s[i + 1]) * 16 + hexval((unsigned char)s[i + 2]));
            i += 2;
        } else {
            out[o++] = s[i] == '+' ? ' ' : s[i];
        }
    }
    out[o] = '\0';
    if (len_out != NULL)
        *len_out = o;
    return out;
}

int cl_url_parse(cl_url *u, const char *url, sis_error *err)
{
    const char *p, *host_end, *path_start;
    size_t n;

    memset(u, 0, sizeof *u);
    if (strncasecmp(url, "https://", 8) == 0) {
        strcpy(u->scheme, "https");
        p = url + 8;
    } else if (strncasecmp(url, "http://", 7) == 0) {
        strcpy(u->scheme, "http");
        p = url + 7;
    } else {
        return cl_fail(err, SIS_ERR_CONFIG, "the URL \"%.200s\" must start with https://", url);
    }
    path_start = p + strcspn(p, "/?#");
    if (*p == '[') {
        host_end = strchr(p, ']');
        if (host_end == NULL || host_end > path_start)
            return cl_fail(err, SIS_ERR_CONFIG, "the URL \"%.200s\" has a malformed host", url);
        n = (size_t)(host_end - p - 1);
        if (n >= sizeof u->host)
            return cl_fail(err, SIS_ERR_CONFIG, "the host of \"%.200s\" is too long", url);
        memcpy(u->host, p + 1, n);
        host_end++;
    } else {
        host_end = p + strcspn(p, ":/?#");
        n = (size_t)(host_end - p);
        if (n == 0 || n >= sizeof u->host)
            return cl_fail(err, SIS_ERR_CONFIG, "the URL \"%.200s\" has no usable host", url);
        memcpy(u->host, p, n);
    }
    u->host[n] = '\0';
    for (n = 0; u->host[n]; n++)
        u->host[n] = (char)tolower((unsigned char)u->host[n]);
    if (*host_end == ':') {
        char *end;
        long port = strtol(host_end + 1, &end, 10);
        if (end != path_start || port <= 0 || port > 65535)
            return cl_fail(err, SIS_ERR_CONFIG, "the URL \"%.200s\" has a bad port", url);
        u->port = (int)port;
    }
    n = strcspn(path_start, "?#");
    if (n >= sizeof u->path)
        return cl_fail(err, SIS_ERR_CONFIG, "the path of \"%.200s\" is too long", url);
    if (n == 0)
        strcpy(u->path, "/");
    else
        memcpy(u->path, path_start, n);
    if (path_start[n] == '?')
        u->query = path_start + n + 1;
    return SIS_OK;
}

int cl_url_check_transport(const char *url, sis_error *err)
{
    cl_url u;
    int rc = sis_kit_check_http_url(url, err);
    if (rc != SIS_OK)
        return rc;
    /* The plugin's own split must also accept it: it builds the requests. */
    return cl_url_parse(&u, url, err);
}

int cl_url_format(char *out, size_t cap, sis_error *err, const char *fmt, ...)
{
    va_list ap;
    int n;
    va_start(ap, fmt);
    n = vsnprintf(out, cap, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= cap) {
        out[0] = '\0';
        return cl_fail(err, SIS_ERR_CONFIG, "a URL built from the settings is longer than %zu "
                       "characters; check the server and host setting URLs", cap - 1);
    }
    return SIS_OK;
}
