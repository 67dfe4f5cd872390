/*
 * cmd_login.c - an interactive login (ClassLink Login, for one) from the
 * command line: a one-shot listener on 127.0.0.1 receives the browser's
 * redirect; the plugin does the rest.  The browser's page waits for the
 * outcome, so it never says "connected" for a connection that then fails.
 * Only the redirect that carries the `state` of the sign-in URL ends the
 * wait: any other GET /callback (another local program, a web page that
 * found the port) gets 400 and changes nothing, so it can neither end the
 * wait nor spend the pending login.
 */
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>

#include "cli.h"
#include "connection.h"

extern char **environ;

#define MAX_PARAMS 8

typedef struct redirect_box {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int done;                 /* the redirect arrived (listener thread) */
    int answered;             /* the outcome is known (main thread) */
    int sent;                 /* the page went out (listener thread) */
    int ready;                /* the sign-in URL is out; `state` is its state */
    char state[512];          /* "" when the URL carries none: any redirect is taken */
    char outcome[768];        /* what the browser page says */
    sis_kv params[MAX_PARAMS];
    size_t n;
} redirect_box;

static enum MHD_Result keep_param(void *cls, enum MHD_ValueKind kind, const char *key,
                                  const char *value)
{
    redirect_box *b = cls;
    (void)kind;
    if (b->n < MAX_PARAMS && (strcmp(key, "code") == 0 || strcmp(key, "state") == 0 ||
                              strcmp(key, "error") == 0)) {
        b->params[b->n].key = strdup(key);
        b->params[b->n].value = strdup(value ? value : "");
        b->n++;
    }
    return MHD_YES;
}

/* The admin's and the district's words go into HTML: escape them. */
static void html_escape(char *out, size_t cap, const char *in)
{
    size_t n = 0;
    for (; *in != '\0' && n + 7 < cap; in++) {
        const char *e = *in == '<' ? "&lt;" : *in == '>' ? "&gt;" : *in == '&' ? "&amp;"
                      : *in == '"' ? "&quot;" : NULL;
        if (e != NULL) {
            memcpy(out + n, e, strlen(e));
            n += strlen(e);
        } else {
            out[n++] = *in;
        }
    }
    out[n] = '\0';
}

/* Whether the redirect carries the state of the sign-in URL. */
static int state_matches(const char *want, struct MHD_Connection *c)
{
    const char *got = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "state");
    return got != NULL && strcmp(got, want) == 0;
}

static enum MHD_Result refuse_stray(struct MHD_Connection *c)
{
    static const char page[] =
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>Sign-in</title></head><body>"
        "<h2>This is not the sign-in mock-host is waiting for.</h2><p>It was ignored. Finish "
        "the sign-in from the address the terminal printed.</p></body></html>";
    struct MHD_Response *r = MHD_create_response_from_buffer(sizeof page - 1, (void *)page,
                                                             MHD_RESPMEM_PERSISTENT);
    enum MHD_Result ret;
    if (r == NULL)
        return MHD_NO;
    MHD_add_response_header(r, "Content-Type", "text/html; charset=utf-8");
    MHD_add_response_header(r, "Content-Security-Policy", "default-src 'none'");
    ret = MHD_queue_response(c, 400, r);
    MHD_destroy_response(r);
    return ret;
}

/* The `state` query parameter of a sign-in URL, decoded as libmicrohttpd
 * decodes the redirect's (state_matches compares the two), into out (""
 * when the URL has none, or one longer than out holds). */
static void url_state(const char *url, char *out, size_t cap)
{
    const char *p = strchr(url, '?');
    size_t n;
    char *c;
    out[0] = '\0';
    for (; p != NULL; p = strchr(p + 1, '&'))
        if (strncmp(p + 1, "state=", 6) == 0)
            break;
    if (p == NULL || (n = strcspn(p + 7, "&#")) >= cap)
        return;
    memcpy(out, p + 7, n);
    out[n] = '\0';
    for (c = out; *c != '\0'; c++)
        if (*c == '+')
            *c = ' ';
    MHD_http_unescape(out);
}

static enum MHD_Result on_redirect(void *cls, struct MHD_Connection *c, const char *url,
                                   const char *method, const char *version, const char *upload,
                                   size_t *upload_size, void **con_cls)
{
    redirect_box *b = cls;
    struct MHD_Response *r;
    struct timespec until;
    enum MHD_Result ret;
    char escaped[2048], *page;
    int n;
    (void)version; (void)upload; (void)upload_size; (void)con_cls;
    pthread_mutex_lock(&b->mu);
    if (strcmp(method, "GET") != 0 || strcmp(url, "/callback") != 0 || b->done) {
        pthread_mutex_unlock(&b->mu);
        return MHD_NO;  /* anything else gets the connection closed */
    }
    if (!b->ready || (b->state[0] != '\0' && !state_matches(b->state, c))) {
        pthread_mutex_unlock(&b->mu);
        return refuse_stray(c);
    }
    MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, keep_param, b);
    b->done = 1;
    pthread_cond_broadcast(&b->cv);
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += 90;
    while (!b->answered && pthread_cond_timedwait(&b->cv, &b->mu, &until) == 0)
        ;
    html_escape(escaped, sizeof escaped, b->answered ? b->outcome
                : "Still connecting; see the terminal for the outcome.");
    pthread_mutex_unlock(&b->mu);
    n = asprintf(&page, "<!doctype html><html><head><meta charset=\"utf-8\"><title>Sign-in</title>"
                 "</head><body><h2>%s</h2><p>You can close this window and return to the "
                 "terminal.</p></body></html>", escaped);
    if (n < 0)
        return MHD_NO;
    r = MHD_create_response_from_buffer((size_t)n, page, MHD_RESPMEM_MUST_FREE);
    MHD_add_response_header(r, "Content-Type", "text/html; charset=utf-8");
    MHD_add_response_header(r, "Content-Security-Policy", "default-src 'none'");
    ret = MHD_queue_response(c, 200, r);
    MHD_destroy_response(r);
    return ret;
}

/* The page is on the wire: only now may the listener stop. */
static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    redirect_box *b = cls;
    (void)c; (void)con_cls; (void)toe;
    pthread_mutex_lock(&b->mu);
    if (b->answered)
        b->sent = 1;
    pthread_cond_broadcast(&b->cv);
    pthread_mutex_unlock(&b->mu);
}

/* Waits (a few seconds at most) until the browser has its page. */
static void wait_sent(redirect_box *b)
{
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += 5;
    pthread_mutex_lock(&b->mu);
    while (!b->sent && pthread_cond_timedwait(&b->cv, &b->mu, &until) == 0)
        ;
    pthread_mutex_unlock(&b->mu);
}

static void answer(redirect_box *b, const char *fmt, const char *a, const char *m)
{
    pthread_mutex_lock(&b->mu);
    snprintf(b->outcome, sizeof b->outcome, fmt, a, m);
    b->answered = 1;
    pthread_cond_broadcast(&b->cv);
    pthread_mutex_unlock(&b->mu);
}

static int arrived(redirect_box *b)
{
    int done;
    pthread_mutex_lock(&b->mu);
    done = b->done;
    pthread_mutex_unlock(&b->mu);
    return done;
}

/* Opens the URL in a browser when there is a terminal and an opener; the
 * URL is passed as an argument vector, never through a shell. */
static void open_browser(const char *url)
{
    char *argv[] = {"xdg-open", (char *)url, NULL};
    pid_t pid;
    if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO) || getenv("DISPLAY") == NULL)
        return;
    if (posix_spawnp(&pid, "xdg-open", NULL, NULL, argv, environ) == 0)
        waitpid(pid, NULL, WNOHANG);
}

static void free_box(redirect_box *b)
{
    size_t i;
    for (i = 0; i < b->n; i++) {
        free((char *)b->params[i].key);
        free((char *)b->params[i].value);
    }
}

int mh_connect_login(mh_ctx *ctx, sis_host_app *happ, int no_browser)
{
    redirect_box box;
    struct MHD_Daemon *d;
    struct sockaddr_in sa;
    const union MHD_DaemonInfo *info;
    char redirect[128];
    sis_auth_request req = SIS_AUTH_REQUEST_INIT;
    mh_auth_outcome out;
    sis_error err = SIS_ERROR_LOCAL;
    const char *name = happ->plugin->header->name;
    long timeout = getenv("MOCK_HOST_LOGIN_TIMEOUT") ? atol(getenv("MOCK_HOST_LOGIN_TIMEOUT")) : 300;
    time_t deadline;
    int rc;

    if (!(happ->plugin->header->capabilities & SIS_CAP_AUTH_LOGIN))
        return mh_fail("%s does not offer an interactive login", name);
    memset(&box, 0, sizeof box);
    pthread_mutex_init(&box.mu, NULL);
    pthread_cond_init(&box.cv, NULL);
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD, 0, NULL, NULL, on_redirect, &box,
                         MHD_OPTION_SOCK_ADDR, &sa, MHD_OPTION_NOTIFY_COMPLETED, on_completed,
                         &box, MHD_OPTION_END);
    if (d == NULL)
        return mh_fail("cannot listen on 127.0.0.1 for the sign-in redirect");
    info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    snprintf(redirect, sizeof redirect, "http://127.0.0.1:%u/callback", info ? info->port : 0);

    req.step = SIS_AUTH_BEGIN;
    req.redirect_uri = redirect;
    rc = mh_authenticate(ctx->store, happ, &req, &out, &err);
    if (rc != SIS_OK || out.url == NULL) {
        MHD_stop_daemon(d);
        if (rc == SIS_ERR_CONFIG)  /* a host setting is missing: say where they are set */
            return mh_fail("could not start the %s sign-in for %s: %s. 'mock-host config %s' lists "
                           "the host settings and the environment variable that sets each", name,
                           happ->app.name, err.message, happ->app.name);
        return mh_fail("could not start the %s sign-in for %s: %s", name, happ->app.name,
                       rc != SIS_OK ? err.message : "the plugin gave no sign-in address");
    }
    pthread_mutex_lock(&box.mu);
    url_state(out.url, box.state, sizeof box.state);
    box.ready = 1;
    pthread_mutex_unlock(&box.mu);
    printf("Sign in as the district's tenant administrator:\n%s\n", out.url);
    fflush(stdout);
    if (!no_browser)
        open_browser(out.url);
    mh_auth_outcome_free(&out);
    fprintf(stderr, "Waiting for the sign-in (up to %ld seconds; Ctrl-C to stop)...\n", timeout);
    deadline = time(NULL) + timeout;
    while (!arrived(&box) && time(NULL) < deadline && !mh_cancel_requested)
        usleep(50000);
    if (!arrived(&box)) {
        MHD_stop_daemon(d);
        free_box(&box);
        return mh_fail("no sign-in arrived %s; nothing was saved. Run the command again",
                       mh_cancel_requested ? "(cancelled)" : "in time");
    }
    req.step = SIS_AUTH_COMPLETE;
    req.params = box.params;
    req.n_params = box.n;
    rc = mh_authenticate(ctx->store, happ, &req, &out, &err);
    if (rc != SIS_OK)
        answer(&box, "Could not connect %s: %s. Nothing was saved.", happ->app.name, err.message);
    else
        answer(&box, "Connected %s%s.", happ->app.name, "");
    wait_sent(&box);
    MHD_stop_daemon(d);
    free_box(&box);
    if (rc != SIS_OK)
        return mh_fail("could not connect %s: %s. Nothing was saved.", happ->app.name, err.message);
    mh_print_connected(happ, &out);
    mh_auth_outcome_free(&out);
    return 0;
}
