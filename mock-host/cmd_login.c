/*
 * cmd_login.c - ClassLink Login from the command line: a one-shot listener
 * on 127.0.0.1 receives the browser's redirect; the plugin does the rest.
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

#include "cli.h"

extern char **environ;

#define MAX_PARAMS 8

typedef struct redirect_box {
    int done;
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

static enum MHD_Result on_redirect(void *cls, struct MHD_Connection *c, const char *url,
                                   const char *method, const char *version, const char *upload,
                                   size_t *upload_size, void **con_cls)
{
    static const char page[] = "<html><body><h2>ClassLink sign-in received.</h2><p>You can close "
                               "this window and return to the terminal.</p></body></html>";
    redirect_box *b = cls;
    struct MHD_Response *r;
    enum MHD_Result ret;
    (void)version; (void)upload; (void)upload_size; (void)con_cls;
    if (strcmp(method, "GET") != 0 || strcmp(url, "/callback") != 0 || b->done)
        return MHD_NO;  /* anything else gets the connection closed */
    MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, keep_param, b);
    b->done = 1;
    r = MHD_create_response_from_buffer(sizeof page - 1, (void *)page, MHD_RESPMEM_PERSISTENT);
    MHD_add_response_header(r, "Content-Type", "text/html; charset=utf-8");
    ret = MHD_queue_response(c, 200, r);
    MHD_destroy_response(r);
    return ret;
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
    sis_auth_request req;
    sis_auth_result res;
    sis_error err = {0, ""};
    long timeout = getenv("MOCK_HOST_LOGIN_TIMEOUT") ? atol(getenv("MOCK_HOST_LOGIN_TIMEOUT")) : 300;
    time_t deadline;
    int rc;

    if (!happ->plugin->manifest->auth_login)
        return mh_fail("%s does not offer an interactive login", happ->plugin->manifest->name);
    memset(&box, 0, sizeof box);
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD, 0, NULL, NULL, on_redirect, &box,
                         MHD_OPTION_SOCK_ADDR, &sa, MHD_OPTION_END);
    if (d == NULL)
        return mh_fail("cannot listen on 127.0.0.1 for the sign-in redirect");
    info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    snprintf(redirect, sizeof redirect, "http://127.0.0.1:%u/callback", info ? info->port : 0);

    memset(&req, 0, sizeof req);
    req.struct_size = sizeof req;
    req.step = SIS_AUTH_BEGIN;
    req.redirect_uri = redirect;
    memset(&res, 0, sizeof res);
    res.struct_size = sizeof res;
    rc = mh_authenticate(ctx, happ, &req, &res, &err);
    if (rc != SIS_OK) {
        MHD_stop_daemon(d);
        return mh_fail("could not start ClassLink Login for %s: %s", happ->app.name, err.message);
    }
    printf("Sign in to ClassLink as the district's tenant administrator:\n%s\n", res.url);
    fflush(stdout);
    if (!no_browser)
        open_browser(res.url);
    fprintf(stderr, "Waiting for the sign-in (up to %ld seconds; Ctrl-C to stop)...\n", timeout);
    deadline = time(NULL) + timeout;
    while (!box.done && time(NULL) < deadline && !mh_cancel_requested)
        usleep(50000);
    MHD_stop_daemon(d);
    if (!box.done) {
        free_box(&box);
        return mh_fail("no sign-in arrived %s; nothing was saved. Run the command again",
                       mh_cancel_requested ? "(cancelled)" : "in time");
    }
    req.step = SIS_AUTH_COMPLETE;
    req.params = box.params;
    req.n_params = box.n;
    memset(&res, 0, sizeof res);
    res.struct_size = sizeof res;
    rc = mh_authenticate(ctx, happ, &req, &res, &err);
    free_box(&box);
    if (rc != SIS_OK)
        return mh_fail("could not connect %s: %s. Nothing was saved.", happ->app.name, err.message);
    mh_print_connected(happ, &res);
    return 0;
}
