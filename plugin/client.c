/*
 * client.c - see client.h.  Redirects are never followed (http.c): a roster
 * endpoint that redirects elsewhere is a configuration error, and following
 * could carry credentials to another host.
 */
#include "client.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cl_error.h"
#include "url.h"

#define NOTICE_FIRST_MS 5000    /* an attempt's silence before its first "still waiting" */
#define NOTICE_EVERY_MS 10000   /* and between the next ones, per attempt */
#define NOTICE_GAP_MS 5000      /* at most one notice this often, per client */
#define WAIT_NOTICE_MS 1000     /* retry waits at least this long are announced */

int cl_client_cancelled(cl_client *c)
{
    return c->cancelled != NULL && c->cancelled(c->cancel_ctx);
}

int cl_client_wait(cl_client *c, long ms)
{
    while (ms > 0) {
        long step = ms > 100 ? 100 : ms;
        struct timespec ts = {step / 1000, (step % 1000) * 1000000L};
        if (cl_client_cancelled(c))
            return 1;
        nanosleep(&ts, NULL);
        ms -= step;
    }
    return cl_client_cancelled(c);
}

/* Logs a notice unless one went out less than NOTICE_GAP_MS ago (several
 * pages waiting on one server say the same thing). */
static void notice(cl_client *c, long long now, const char *msg)
{
    if (c->log == NULL || now < c->quiet_until_ms)
        return;
    c->quiet_until_ms = now + NOTICE_GAP_MS;
    c->log(c->log_ctx, SIS_LOG_INFO, msg);
}

/* The URL without its query, for messages: shorter, and nothing a caller
 * put in a query string reaches a log. */
static void url_for_message(const char *url, char *out, size_t cap)
{
    size_t n = strcspn(url, "?#");
    snprintf(out, cap, "%.*s", (int)(n < cap ? n : cap - 1), url);
}

void cl_watch_init(cl_watch *w, cl_client *c, const char *what, const char *url,
                   cl_http_response *resp, long long since_ms)
{
    w->c = c;
    w->what = what;
    w->url = url;
    w->resp = resp;
    w->since_ms = since_ms;
    w->attempt_ms = since_ms;
    w->attempt = 0;
    w->next_notice_ms = since_ms + NOTICE_FIRST_MS;
}

/* CURLOPT_XFERINFOFUNCTION: called at least once a second while a
 * transfer runs. */
static int watch_progress(void *clientp, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
                          curl_off_t ulnow)
{
    cl_watch *w = clientp;
    long long now;
    (void)dltotal; (void)dlnow; (void)ultotal; (void)ulnow;

    if (cl_client_cancelled(w->c))
        return 1;  /* aborts the transfer: CURLE_ABORTED_BY_CALLBACK */
    if (w->resp->answered)
        return 0;
    now = cl_now_ms();
    if (now >= w->next_notice_ms) {
        char url[512], msg[700];
        url_for_message(w->url, url, sizeof url);
        /* The seconds are this attempt's silence: what the server is doing
         * now.  Counted from the first attempt, a few refused connections
         * and their backoff read as "still waiting (40 s)" while each
         * attempt failed at once; the retries have notices of their own
         * (cl_client_retry), so a later attempt only says its number and
         * how long the request has taken in all. */
        if (w->attempt <= 1)
            snprintf(msg, sizeof msg, "still waiting for %s to answer %s (%lld s)", w->what, url,
                     (now - w->attempt_ms) / 1000);
        else
            snprintf(msg, sizeof msg, "still waiting for %s to answer %s (%lld s into attempt "
                     "%d; %lld s since the first)", w->what, url, (now - w->attempt_ms) / 1000,
                     w->attempt, (now - w->since_ms) / 1000);
        w->next_notice_ms = now + NOTICE_EVERY_MS;
        notice(w->c, now, msg);
    }
    return 0;
}

void cl_client_setup(cl_client *c, CURL *e, cl_watch *w, char *curl_msg)
{
    /* Every attempt (cl_client_request and the pager) starts here. */
    w->attempt++;
    w->attempt_ms = cl_now_ms();
    w->next_notice_ms = w->attempt_ms + NOTICE_FIRST_MS;
    cl_http_setup(e, c->opts);
    curl_easy_setopt(e, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(e, CURLOPT_XFERINFOFUNCTION, watch_progress);
    curl_easy_setopt(e, CURLOPT_XFERINFODATA, w);
    curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, cl_http_header_cb);
    curl_easy_setopt(e, CURLOPT_HEADERDATA, w->resp);
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, curl_msg);
    curl_msg[0] = '\0';
}

void cl_client_attempt_done(cl_client *c, CURL *e, cl_http_response *resp)
{
    curl_off_t wire = 0, connect_us = 0;
    curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &resp->status);
    curl_easy_getinfo(e, CURLINFO_SIZE_DOWNLOAD_T, &wire);  /* compressed, as sent */
    curl_easy_getinfo(e, CURLINFO_CONNECT_TIME_T, &connect_us);
    resp->connected = connect_us > 0 || resp->answered;
    c->bytes += (uint64_t)wire;
}

int cl_client_retry(cl_client *c, cl_retry *r, cl_failure f, const cl_http_response *resp,
                    const char *what)
{
    long long now = cl_now_ms();
    char msg[400];

    if (cl_retry_next(r, c->opts, f, cl_retry_after_ms(resp->retry_after, time(NULL)), now) !=
        CL_RETRY_AGAIN)
        return 0;
    c->retries++;
    if (r->wait_ms >= WAIT_NOTICE_MS) {
        if (f == CL_FAIL_THROTTLED && r->asked_ms >= 0)
            snprintf(msg, sizeof msg, "%s is throttling requests (HTTP 429); waiting %ld s as it "
                     "asked (Retry-After)", what, (r->wait_ms + 999) / 1000);
        else if (f == CL_FAIL_THROTTLED)
            snprintf(msg, sizeof msg, "%s is throttling requests (HTTP 429); waiting %ld s before "
                     "trying again", what, (r->wait_ms + 999) / 1000);
        else
            snprintf(msg, sizeof msg, "%s did not answer properly (attempt %d of %d); trying "
                     "again in %ld s", what, r->errors, c->opts->max_attempts,
                     (r->wait_ms + 999) / 1000);
        notice(c, now, msg);
    }
    return 1;
}

static void host_of(const char *url, char *host, size_t cap)
{
    cl_url u;
    sis_error e = SIS_ERROR_LOCAL;
    if (cl_url_parse(&u, url, &e) != SIS_OK)
        snprintf(host, cap, "the server");
    else if (u.port)
        snprintf(host, cap, "%s:%d", u.host, u.port);
    else
        snprintf(host, cap, "%s", u.host);
}

int cl_client_explain(sis_error *err, const char *what, const char *url, CURLcode cc,
                      const char *curl_msg, const cl_http_response *resp, const char *body,
                      const cl_retry *r)
{
    char host[300], where[512];

    host_of(url, host, sizeof host);
    url_for_message(url, where, sizeof where);
    if (cc == CURLE_ABORTED_BY_CALLBACK)
        return cl_fail(err, SIS_ERR_CANCELLED, "cancelled while waiting for %s", what);
    if (r->verdict == CL_RETRY_SILENT && resp->connected)
        return cl_fail(err, SIS_ERR_TIMEOUT,
                       "%s at %s did not answer in time: it accepted the connection and then sent "
                       "nothing for %lld s over %d attempts. Check that %s is the district's "
                       "OneRoster service (not a proxy or firewall that holds connections open) "
                       "and that the service is up, then try again",
                       what, host, r->silent_ms / 1000, r->attempts, where);
    if (r->verdict == CL_RETRY_SILENT)
        return cl_fail(err, SIS_ERR_TIMEOUT,
                       "could not reach %s at %s: connecting did not finish in %lld s over %d "
                       "attempt%s. Check the server URL and that this machine may reach %s (a "
                       "firewall that drops connections looks like this)",
                       what, host, r->silent_ms / 1000, r->attempts, CL_S(r->attempts), host);
    if (cc == CURLE_OK && resp->status == 429 && r->verdict == CL_RETRY_BUDGET) {
        if (r->asked_ms >= 0)
            return cl_fail(err, SIS_ERR_RATE_LIMITED,
                           "%s kept throttling requests (HTTP 429) and asked to wait %ld s more, "
                           "longer than is left of the retry budget (%lld s already waited over "
                           "%d attempt%s; retry_budget_ms sets it); it is busy (start of term is "
                           "the worst time), try again later", what, (r->asked_ms + 999) / 1000,
                           r->waited_ms / 1000, r->attempts, CL_S(r->attempts));
        return cl_fail(err, SIS_ERR_RATE_LIMITED,
                       "%s kept throttling requests (HTTP 429) for the whole retry budget (%lld s "
                       "of waiting over %d attempt%s); it is busy (start of term is the worst "
                       "time), try again later", what, r->waited_ms / 1000, r->attempts,
                       CL_S(r->attempts));
    }
    return cl_http_explain(err, what, url, cc, curl_msg, resp, body, r->attempts);
}

static struct curl_slist *fixed_headers(void *ctx, cl_client *c, const char *method,
                                        const char *url, sis_error *err)
{
    const cl_fixed_headers *f = ctx;
    struct curl_slist *h = curl_slist_append(NULL, "Accept: application/json");
    size_t i;
    (void)c; (void)method; (void)url;
    for (i = 0; h != NULL && i < sizeof f->lines / sizeof f->lines[0]; i++)
        if (f->lines[i] != NULL) {
            struct curl_slist *more = curl_slist_append(h, f->lines[i]);
            if (more == NULL) {
                curl_slist_free_all(h);
                h = NULL;
            } else {
                h = more;
            }
        }
    if (h == NULL)
        cl_fail(err, SIS_ERR_NOMEM, "out of memory");
    return h;
}

void cl_fixed_authorizer(cl_authorizer *out, const cl_fixed_headers *h)
{
    out->headers = fixed_headers;
    out->refresh = NULL;
    out->ctx = (void *)h;
}

/* ---- buffered requests ---------------------------------------------------- */

typedef struct capped_sink {
    cl_buf *buf;
    size_t max;
    int overflow;
} capped_sink;

static size_t write_capped(char *data, size_t size, size_t n, void *userdata)
{
    capped_sink *s = userdata;
    if (s->buf->len + size * n > s->max || cl_buf_add(s->buf, data, size * n) != 0) {
        s->overflow = 1;
        return 0;
    }
    return size * n;
}

int cl_client_request(cl_client *c, const cl_request *rq, cl_buf *out, cl_http_response *resp,
                      sis_error *err)
{
    const cl_authorizer *auth = rq->auth != NULL ? rq->auth : &c->auth;
    struct curl_slist *headers = NULL;
    char curl_msg[CURL_ERROR_SIZE] = "";
    CURLcode cc;
    cl_retry r;
    cl_watch w;
    CURL *e;
    int rc, refreshed = 0;

    rc = cl_url_check_transport(rq->url, err);
    if (rc != SIS_OK)
        return rc;
    e = curl_easy_init();
    if (e == NULL)
        return cl_fail(err, SIS_ERR_NOMEM, "cannot create an HTTP handle");
    cl_retry_start(&r, cl_now_ms());
    cl_watch_init(&w, c, rq->what, rq->url, resp, r.started_ms);
    for (;;) {
        capped_sink sink = {out, c->opts->max_body, 0};
        if (cl_client_cancelled(c)) {
            rc = cl_fail(err, SIS_ERR_CANCELLED, "cancelled while waiting for %s", rq->what);
            break;
        }
        curl_slist_free_all(headers);
        headers = auth->headers(auth->ctx, c, rq->method, rq->url, err);
        if (headers == NULL) {
            rc = err->code;
            break;
        }
        cl_buf_reset(out);
        cl_http_response_reset(resp);
        curl_easy_reset(e);
        cl_client_setup(c, e, &w, curl_msg);
        curl_easy_setopt(e, CURLOPT_URL, rq->url);
        curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, rq->method);
        curl_easy_setopt(e, CURLOPT_HTTPHEADER, headers);
        curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, write_capped);
        curl_easy_setopt(e, CURLOPT_WRITEDATA, &sink);
        if (rq->body != NULL)
            curl_easy_setopt(e, CURLOPT_POSTFIELDS, rq->body);
        cl_retry_attempt(&r, cl_now_ms());
        c->requests++;
        cc = curl_easy_perform(e);
        cl_client_attempt_done(c, e, resp);
        resp->bytes = out->len;
        if (sink.overflow) {
            rc = cl_fail(err, SIS_ERR_PROTOCOL, "%s sent more than %zu bytes for %s; refusing "
                         "to read further", rq->what, c->opts->max_body, rq->url);
            break;
        }
        if (cc == CURLE_OK && resp->status >= 200 && resp->status < 300) {
            rc = SIS_OK;
            break;
        }
        if (cc == CURLE_OK && resp->status == 401 && auth->refresh != NULL && !refreshed) {
            /* Token rotated or revoked: one fresh token, then once more. */
            refreshed = 1;
            rc = auth->refresh(auth->ctx, c, err);
            if (rc != SIS_OK)
                break;
            continue;
        }
        if (cl_client_retry(c, &r, cl_retry_classify(cc, resp->status, resp->answered), resp,
                            rq->what)) {
            if (cl_client_wait(c, r.wait_ms)) {
                rc = cl_fail(err, SIS_ERR_CANCELLED, "cancelled while waiting for %s", rq->what);
                break;
            }
            continue;
        }
        rc = cl_client_explain(err, rq->what, rq->url, cc, curl_msg, resp, out->data, &r);
        break;
    }
    curl_easy_cleanup(e);
    curl_slist_free_all(headers);
    return rc;
}

int cl_client_get(cl_client *c, const char *url, const char *what, cl_buf *out,
                  cl_http_response *resp, sis_error *err)
{
    cl_request rq = {"GET", url, NULL, what, NULL};
    return cl_client_request(c, &rq, out, resp, err);
}
