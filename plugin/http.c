/*
 * http.c - the connector's HTTP rules on libcurl.  Redirects are never
 * followed (a roster endpoint that redirects elsewhere is a configuration
 * error, and following could leak credentials to another host).
 */
#include "http.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <json-c/json.h>

#include "cl_error.h"
#include "url.h"


void cl_http_opts_default(cl_http_opts *o)
{
    memset(o, 0, sizeof *o);
    o->connect_timeout_ms = 10000;
    o->request_timeout_ms = 300000;
    o->stall_timeout_s = 25;
    o->max_body = 8 * 1024 * 1024;
    o->max_attempts = 6;
    o->retry_budget_ms = 120000;
    o->base_delay_ms = 500;
    o->max_delay_ms = 30000;
}

void cl_http_response_reset(cl_http_response *r)
{
    memset(r, 0, sizeof *r);
    r->total_count = -1;
    r->page_count = -1;
}

static void copy_value(char *dst, size_t cap, const char *v, size_t len)
{
    while (len > 0 && (v[len - 1] == '\r' || v[len - 1] == '\n' || v[len - 1] == ' '))
        len--;
    if (len >= cap)
        len = cap - 1;
    memcpy(dst, v, len);
    dst[len] = '\0';
}

static long long parse_count(const char *v, size_t len)
{
    char tmp[32], *end;
    long long n;
    copy_value(tmp, sizeof tmp, v, len);
    n = strtoll(tmp, &end, 10);
    return (end == tmp || *end != '\0' || n < 0) ? -2 : n;  /* -2: present but bad */
}

/* Link: <url>; rel="next", <url>; rel="last" */
static void parse_link(cl_http_response *r, const char *v, size_t len)
{
    const char *end = v + len, *p = v;
    while (p < end) {
        const char *lt = memchr(p, '<', (size_t)(end - p)), *gt, *next;
        if (lt == NULL)
            return;
        gt = memchr(lt, '>', (size_t)(end - lt));
        if (gt == NULL)
            return;
        next = memchr(gt, ',', (size_t)(end - gt));
        if (next == NULL)
            next = end;
        {
            char params[256];
            copy_value(params, sizeof params, gt + 1, (size_t)(next - gt - 1));
            if (strstr(params, "rel=\"next\"") != NULL || strstr(params, "rel=next") != NULL) {
                copy_value(r->link_next, sizeof r->link_next, lt + 1, (size_t)(gt - lt - 1));
                return;
            }
        }
        p = next + 1;
    }
}

size_t cl_http_header_cb(char *buf, size_t size, size_t n, void *userdata)
{
    cl_http_response *r = userdata;
    size_t len = size * n, nlen;
    const char *colon = memchr(buf, ':', len), *v;

    if (len > 5 && strncmp(buf, "HTTP/", 5) == 0) {
        /* A new response (e.g. after 100 Continue): forget earlier headers. */
        cl_http_response_reset(r);
        r->answered = 1;
        return len;
    }
    if (colon == NULL)
        return len;
    nlen = (size_t)(colon - buf);
    v = colon + 1;
    while (v < buf + len && *v == ' ')
        v++;
#define IS(name) (nlen == sizeof(name) - 1 && strncasecmp(buf, name, nlen) == 0)
    if (IS("content-type"))
        copy_value(r->content_type, sizeof r->content_type, v, (size_t)(buf + len - v));
    else if (IS("date"))
        copy_value(r->date, sizeof r->date, v, (size_t)(buf + len - v));
    else if (IS("retry-after"))
        copy_value(r->retry_after, sizeof r->retry_after, v, (size_t)(buf + len - v));
    else if (IS("x-total-count"))
        r->total_count = parse_count(v, (size_t)(buf + len - v));
    else if (IS("x-count") || IS("x-returned-count"))
        r->page_count = parse_count(v, (size_t)(buf + len - v));
    else if (IS("x-perm-rev"))
        copy_value(r->perm_rev, sizeof r->perm_rev, v, (size_t)(buf + len - v));
    else if (IS("link"))
        parse_link(r, v, (size_t)(buf + len - v));
#undef IS
    return len;
}

void cl_http_setup(CURL *e, const cl_http_opts *o)
{
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 2L);
    if (o->ca_file != NULL && o->ca_file[0] != '\0')
        curl_easy_setopt(e, CURLOPT_CAINFO, o->ca_file);
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, o->connect_timeout_ms);
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, o->request_timeout_ms);
    curl_easy_setopt(e, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(e, CURLOPT_LOW_SPEED_TIME, o->stall_timeout_s);
    curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "gzip");
    curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(e, CURLOPT_BUFFERSIZE, 256L * 1024);  /* fewer reads and callbacks per page */
    curl_easy_setopt(e, CURLOPT_USERAGENT, "classlink-sis-connector/" CL_PLUGIN_VERSION);
}

/* imsx description and code minor from an error body, when present. */
static void imsx_details(const char *body, char *desc, size_t dcap, char *minor, size_t mcap)
{
    json_object *root, *set, *first = NULL, *v, *cm, *fields, *f0;
    desc[0] = minor[0] = '\0';
    if (body == NULL || body[0] == '\0')
        return;
    root = json_tokener_parse(body);
    if (root == NULL)
        return;
    /* Every level is checked for its type: error bodies are whatever a
     * failing server (or proxy) felt like sending. */
    if (json_object_object_get_ex(root, "statusInfoSet", &set) ||
        json_object_object_get_ex(root, "imsx_statusInfo", &set))
        first = json_object_is_type(set, json_type_array) ? json_object_array_get_idx(set, 0) : set;
    else
        first = root;
    if (first != NULL && !json_object_is_type(first, json_type_object))
        first = NULL;
    if (first != NULL && json_object_object_get_ex(first, "imsx_description", &v))
        snprintf(desc, dcap, "%s", json_object_get_string(v));
    if (first != NULL && json_object_object_get_ex(first, "imsx_CodeMinor", &cm) &&
        json_object_is_type(cm, json_type_object) &&
        json_object_object_get_ex(cm, "imsx_codeMinorField", &fields) &&
        json_object_is_type(fields, json_type_array) &&
        (f0 = json_object_array_get_idx(fields, 0)) != NULL &&
        json_object_is_type(f0, json_type_object) &&
        json_object_object_get_ex(f0, "imsx_codeMinorFieldValue", &v))
        snprintf(minor, mcap, "%s", json_object_get_string(v));
    json_object_put(root);
}

static void host_of(const char *url, char *host, size_t cap)
{
    cl_url u;
    sis_error e = SIS_ERROR_LOCAL;
    if (cl_url_parse(&u, url, &e) == SIS_OK) {
        if (u.port)
            snprintf(host, cap, "%s:%d", u.host, u.port);
        else
            snprintf(host, cap, "%s", u.host);
    } else {
        snprintf(host, cap, "the server");
    }
}

static int explain_status(sis_error *err, const char *what, const char *url,
                          const cl_http_response *r, const char *detail, int attempts)
{
    long s = r->status;
    if (s == 401) {
        time_t server = r->date[0] ? curl_getdate(r->date, NULL) : -1;
        long skew = server > 0 ? (long)(server - time(NULL)) : 0;
        if (skew > 60 || skew < -60)
            return cl_fail(err, SIS_ERR_CLOCK_SKEW,
                           "%s rejected the request (HTTP 401) and its clock differs from this "
                           "machine's by %ld seconds; signed requests expire, so fix this "
                           "machine's clock (enable NTP) and try again%s", what, skew < 0 ? -skew : skew,
                           detail);
        return cl_fail(err, SIS_ERR_AUTH,
                       "%s rejected the credentials (HTTP 401); check the client id and secret "
                       "(ClassLink: Roster Server console, the app's OneRoster credentials)%s",
                       what, detail);
    }
    if (s == 403)
        return cl_fail(err, SIS_ERR_PERMISSION,
                       "%s refused access (HTTP 403); in ClassLink's Roster Server console give "
                       "the app the \"Full\" permission set%s", what, detail);
    if (s == 404)
        return cl_fail(err, SIS_ERR_NOT_FOUND,
                       "%s has nothing at %s (HTTP 404); check the server URL (a OneRoster root "
                       "ends in /ims/oneroster/v1p1)%s", what, url, detail);
    if (s == 429)
        return cl_fail(err, SIS_ERR_RATE_LIMITED,
                       "%s kept throttling requests (HTTP 429) through %d attempt%s; it is busy "
                       "(start of term is the worst time), try again later%s", what, attempts,
                       CL_S(attempts), detail);
    if (s >= 500)
        return cl_fail(err, SIS_ERR_SERVER,
                       "%s failed with HTTP %ld through %d attempt%s; the service may be down, "
                       "try again later%s", what, s, attempts, CL_S(attempts), detail);
    return cl_fail(err, SIS_ERR_PROTOCOL, "%s answered HTTP %ld to %s%s", what, s, url, detail);
}

int cl_http_explain(sis_error *err, const char *what, const char *url, CURLcode cc,
                    const char *curl_msg, const cl_http_response *r, const char *body,
                    int attempts)
{
    char host[300], desc[256], minor[96], detail[400] = "";

    host_of(url, host, sizeof host);
    if (cc == CURLE_OK) {
        imsx_details(body, desc, sizeof desc, minor, sizeof minor);
        if (desc[0] || minor[0])
            snprintf(detail, sizeof detail, ". The server said: %s%s%s%s", desc,
                     minor[0] ? " (" : "", minor, minor[0] ? ")" : "");
        return explain_status(err, what, url, r, detail, attempts);
    }
    switch (cc) {
    case CURLE_COULDNT_RESOLVE_HOST:
        return cl_fail(err, SIS_ERR_NETWORK, "cannot resolve the host %s; check the server URL "
                       "and this machine's DNS", host);
    case CURLE_COULDNT_CONNECT:
        return cl_fail(err, SIS_ERR_NETWORK, "cannot connect to %s (%s) after %d attempt%s; check "
                       "the server URL and that this machine may reach it", host, curl_msg, attempts,
                       CL_S(attempts));
    case CURLE_OPERATION_TIMEDOUT:
        return cl_fail(err, SIS_ERR_TIMEOUT, "%s at %s did not answer in time (%s) after %d "
                       "attempt%s; try again later", what, host, curl_msg, attempts, CL_S(attempts));
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_SSL_CERTPROBLEM:
        return cl_fail(err, SIS_ERR_TLS, "the TLS certificate of %s could not be verified (%s); "
                       "the connection was refused to protect the data. If the district uses its "
                       "own CA, configure its bundle (CLASSLINK_CA_FILE)", host, curl_msg);
    default:
        return cl_fail(err, SIS_ERR_NETWORK, "the connection to %s failed (%s) after %d attempt%s",
                       host, curl_msg, attempts, CL_S(attempts));
    }
}
