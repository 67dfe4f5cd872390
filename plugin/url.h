/* url.h - RFC 3986 encoding, URL parts, and the loopback rule for http. */
#ifndef CL_URL_H
#define CL_URL_H

#include <stddef.h>

#include <sis/status.h>

/* Percent-encodes everything but A-Z a-z 0-9 - . _ ~ (curl_easy_escape).
 * Returns a malloc'd string the caller frees, or NULL when out of memory. */
char *cl_url_encode(const char *s);
/* Decodes %XX (and '+' as a space, as form encoding does).  Caller frees.
 * *len_out receives the decoded length (it may contain NUL bytes). */
char *cl_url_decode(const char *s, size_t len, size_t *len_out);

typedef struct cl_url {
    char scheme[8];          /* "http" or "https", lower case */
    char host[256];          /* lower case, without brackets */
    int port;                /* explicit port, or 0 */
    char path[1024];         /* "/ims/oneroster/v1p1/users", at least "/" */
    const char *query;       /* points into the parsed string after '?', or NULL */
} cl_url;

/* Splits an absolute http(s) URL.  Returns SIS_OK or SIS_ERR_CONFIG with a
 * message naming the URL. */
int cl_url_parse(cl_url *u, const char *url, sis_error *err);

/* The kit's rule (sis_kit_check_http_url: libcurl's parse, no user info,
 * plain http only to loopback), then cl_url_parse.  SIS_OK or
 * SIS_ERR_CONFIG (SIS_ERR_NOMEM) with a message for the admin. */
int cl_url_check_transport(const char *url, sis_error *err);

/* Formats a URL into out[cap]; a URL that does not fit is an error
 * (SIS_ERR_CONFIG naming the limit), never silently cut. */
int cl_url_format(char *out, size_t cap, sis_error *err, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#endif
