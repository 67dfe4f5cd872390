/*
 * console_http.c - the console's HTTP server and its security rules.
 *
 * Every request passes, in order:
 *   1. the Host header must name the address and port we listen on (on
 *      0.0.0.0 or ::, the address the connection reached); a DNS
 *      rebinding page on another name is refused with 421;
 *   2. a session cookie (random, HttpOnly, SameSite=Strict) is found or
 *      made (console_session.c); it carries the CSRF token and the
 *      one-shot flash message;
 *   3. a POST must be application/x-www-form-urlencoded, at most 64 KiB,
 *      carry the session's CSRF token and, when the browser sends Origin,
 *      come from this console's origin; otherwise 403 and nothing runs;
 *   4. the router picks the page; every response carries a CSP that allows
 *      only this server's own files (no inline script), no framing, no
 *      referrer, no caching.
 * Only the method and path of a request are ever logged: never a query
 * (a login's code) or a form (credentials).  Form values are wiped when
 * the request ends.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <microhttpd.h>
#include <openssl/crypto.h>

#include "console.h"
#include "console_html.h"
#include "console_server.h"
#include "console_session.h"
#include "loopback.h"

#define COOKIE_NAME "mh_console"

struct mh_console_server {
    struct MHD_Daemon *daemon;
    mh_console con;
    char hosts[3][160];          /* Host header values accepted */
    unsigned port;
    int any_address;             /* --listen 0.0.0.0 or :: (see host_allowed) */
    mh_session_table *sessions;  /* owned */
};

typedef struct conn_state {
    mh_request req;
    struct MHD_PostProcessor *pp;
    size_t body_bytes;
    int refused;                 /* 413, 415, or 500 (out of memory reading the form) */
} conn_state;

/* ---- request helpers ---------------------------------------------------- */

const char *mh_form_get(const mh_request *r, const char *key)
{
    size_t i;
    for (i = 0; i < r->n_form; i++)
        if (strcmp(r->form[i].key, key) == 0)
            return r->form[i].value;
    return NULL;
}

const char *mh_query_get(const mh_request *r, const char *key)
{
    return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, key);
}

void mh_redirect(mh_response *res, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(res->location, sizeof res->location, fmt, ap);
    va_end(ap);
    res->status = 303;
}

const char *mh_console_busy_sentence(mh_console *con)
{
    if (con->ctx->store != NULL && mh_store_last_was_busy(con->ctx->store))
        return "The database is busy: another mock-host (a sync or a command) is writing to it. "
               "Wait until it finishes and try again; nothing was changed.";
    return NULL;
}

/* ---- the server --------------------------------------------------------- */

static enum MHD_Result on_field(void *cls, enum MHD_ValueKind kind, const char *key,
                                const char *filename, const char *content_type,
                                const char *transfer_encoding, const char *data, uint64_t off,
                                size_t size)
{
    conn_state *st = cls;
    mh_request *r = &st->req;
    mh_form_field *f;
    (void)kind; (void)filename; (void)content_type; (void)transfer_encoding;
    if (off == 0) {
        if (r->n_form >= MH_CONSOLE_MAX_FIELDS)
            return MHD_YES;  /* more fields than any form has: ignored */
        f = &r->form[r->n_form];
        f->key = strdup(key);
        f->value = calloc(1, 1);
        if (f->key == NULL || f->value == NULL) {
            free(f->key);
            free(f->value);
            st->refused = 500;  /* the request fails whole: no half-read form runs */
            return MHD_NO;
        }
        r->n_form++;
    } else if (r->n_form > 0 && strcmp(r->form[r->n_form - 1].key, key) == 0) {
        f = &r->form[r->n_form - 1];
    } else {
        return MHD_YES;
    }
    if (size > 0) {
        size_t old = strlen(f->value);
        char *grown = malloc(old + size + 1);
        if (grown == NULL) {
            st->refused = 500;
            return MHD_NO;
        }
        memcpy(grown, f->value, old);
        memcpy(grown + old, data, size);
        grown[old + size] = '\0';
        OPENSSL_cleanse(f->value, old);  /* a secret may arrive in pieces */
        free(f->value);
        f->value = grown;
    }
    return MHD_YES;
}

static void free_state(conn_state *st)
{
    size_t i;
    if (st->pp != NULL)
        MHD_destroy_post_processor(st->pp);
    for (i = 0; i < st->req.n_form; i++) {
        OPENSSL_cleanse(st->req.form[i].value, strlen(st->req.form[i].value));
        free(st->req.form[i].key);
        free(st->req.form[i].value);
    }
    free(st);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)cls; (void)c; (void)toe;
    if (*con_cls != NULL)
        free_state(*con_cls);
    *con_cls = NULL;
}

/* The address this connection reached us on, as a Host header names it
 * ("192.0.2.2:8080", "[2001:db8::1]:8080"); "" when unknown. */
static void local_hostport(struct MHD_Connection *c, unsigned port, char *out, size_t cap)
{
    const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c,
                                                                 MHD_CONNECTION_INFO_CONNECTION_FD);
    struct sockaddr_storage ss;
    socklen_t len = sizeof ss;
    char ip[INET6_ADDRSTRLEN];
    out[0] = '\0';
    if (ci == NULL || getsockname(ci->connect_fd, (struct sockaddr *)&ss, &len) != 0)
        return;
    if (ss.ss_family == AF_INET &&
        inet_ntop(AF_INET, &((struct sockaddr_in *)&ss)->sin_addr, ip, sizeof ip) != NULL) {
        snprintf(out, cap, "%s:%u", ip, port);
    } else if (ss.ss_family == AF_INET6) {
        const struct in6_addr *a = &((struct sockaddr_in6 *)&ss)->sin6_addr;
        if (IN6_IS_ADDR_V4MAPPED(a) && inet_ntop(AF_INET, &a->s6_addr[12], ip, sizeof ip) != NULL)
            snprintf(out, cap, "%s:%u", ip, port);
        else if (inet_ntop(AF_INET6, a, ip, sizeof ip) != NULL)
            snprintf(out, cap, "[%s]:%u", ip, port);
    }
}

/* "localhost:PORT", in any case. */
static int is_localhost_port(const char *host, unsigned port)
{
    char want[32];
    snprintf(want, sizeof want, "localhost:%u", port);
    return strcasecmp(host, want) == 0;
}

/* The Host header must name this console.  Listening on one address, that
 * is the address (and localhost for loopback).  Listening on every address
 * (0.0.0.0, ::), no browser ever names "0.0.0.0": the address the
 * connection actually reached is accepted as well.  Either way a DNS
 * rebinding page, whose requests carry the attacker's host name, is not. */
static int host_allowed(struct mh_console_server *srv, struct MHD_Connection *c, const char *host)
{
    char here[INET6_ADDRSTRLEN + 16];
    size_t i;
    if (host == NULL)
        return 0;
    for (i = 0; i < 3; i++)
        if (srv->hosts[i][0] != '\0' && strcasecmp(srv->hosts[i], host) == 0)
            return 1;
    if (!srv->any_address)
        return 0;
    local_hostport(c, srv->port, here, sizeof here);
    if (here[0] != '\0' && strcasecmp(here, host) == 0)
        return 1;
    /* reached over loopback: "localhost:PORT" names it too */
    return here[0] != '\0' && strncmp(here, "127.", 4) == 0 && is_localhost_port(host, srv->port);
}

static void add_security_headers(struct MHD_Response *r)
{
    MHD_add_response_header(r, "Content-Security-Policy",
                            "default-src 'self'; script-src 'self'; style-src 'self'; "
                            "img-src 'self'; connect-src 'self'; object-src 'none'; "
                            "base-uri 'none'; frame-ancestors 'none'");
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(r, "X-Frame-Options", "DENY");
    MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
    MHD_add_response_header(r, "Cache-Control", "no-store");
}

static enum MHD_Result send_text(struct MHD_Connection *c, unsigned status, const char *text)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(strlen(text), (void *)text,
                                                              MHD_RESPMEM_MUST_COPY);
    enum MHD_Result ret;
    MHD_add_response_header(r, "Content-Type", "text/plain; charset=utf-8");
    add_security_headers(r);
    ret = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    return ret;
}

/* The app named by /apps/NAME/... or /callback/NAME: letters, digits and
 * "._-" only, so a name is never markup or a path of its own. */
static void app_of_path(const char *path, char *out, size_t cap)
{
    const char *p = NULL, *end;
    size_t n;
    out[0] = '\0';
    if (strncmp(path, "/apps/", 6) == 0)
        p = path + 6;
    else if (strncmp(path, "/callback/", 10) == 0)
        p = path + 10;
    if (p == NULL)
        return;
    end = strchr(p, '/');
    n = end != NULL ? (size_t)(end - p) : strlen(p);
    if (n == 0 || n >= cap || strspn(p, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                        "0123456789._-") < n)
        return;
    memcpy(out, p, n);
    out[n] = '\0';
}

static enum MHD_Result respond(conn_state *st, int new_session, mh_page_fn page)
{
    mh_request *r = &st->req;
    mh_response res;
    struct MHD_Response *mr;
    enum MHD_Result ret;
    char cookie[160];
    const char *asset_body, *asset_type;
    size_t asset_len;

    memset(&res, 0, sizeof res);
    res.status = 200;
    res.content_type = "text/html; charset=utf-8";
    if (strcmp(r->method, "GET") == 0 &&
        mh_asset_find(r->path, &asset_body, &asset_len, &asset_type) == 0) {
        mr = MHD_create_response_from_buffer(asset_len, (void *)asset_body, MHD_RESPMEM_PERSISTENT);
        MHD_add_response_header(mr, "Content-Type", asset_type);
        add_security_headers(mr);
        ret = MHD_queue_response(r->conn, 200, mr);
        MHD_destroy_response(mr);
        return ret;
    }
    mh_session_request_begin(r->session);
    page(r, &res);
    if (strcmp(r->method, "POST") == 0)
        fprintf(stderr, "console: POST %s -> %d\n", r->path, res.status);
    mh_session_request_end(r->session);
    if (res.body.data == NULL)
        mh_str_adds(&res.body, "");
    mr = MHD_create_response_from_buffer(res.body.len, res.body.data, MHD_RESPMEM_MUST_FREE);
    res.body.data = NULL;  /* MHD frees it */
    MHD_add_response_header(mr, "Content-Type", res.content_type);
    if (res.status == 303)
        MHD_add_response_header(mr, "Location", res.location);
    if (new_session || res.renewed_session) {
        snprintf(cookie, sizeof cookie, COOKIE_NAME "=%s; Path=/; HttpOnly; SameSite=Strict",
                 mh_session_id(r->session));
        MHD_add_response_header(mr, "Set-Cookie", cookie);
    }
    add_security_headers(mr);
    ret = MHD_queue_response(r->conn, (unsigned)res.status, mr);
    MHD_destroy_response(mr);
    return ret;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload,
                                  size_t *upload_size, void **con_cls)
{
    struct mh_console_server *srv = cls;
    conn_state *st = *con_cls;
    mh_session *s;
    const char *origin, *token, *host;
    int is_post = strcmp(method, "POST") == 0, new_session = 0;
    (void)version;

    if (st == NULL) {
        const char *type = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Type");
        if (!is_post && strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
            return send_text(c, 405, "Only GET and POST are served here.\n");
        st = calloc(1, sizeof *st);
        if (st == NULL)
            return MHD_NO;
        *con_cls = st;
        st->req.conn = c;
        st->req.method = is_post ? "POST" : "GET";
        st->req.path = url;
        st->req.con = &srv->con;
        if (is_post) {
            if (type == NULL || strncasecmp(type, MHD_HTTP_POST_ENCODING_FORM_URLENCODED,
                                            strlen(MHD_HTTP_POST_ENCODING_FORM_URLENCODED)) != 0)
                st->refused = 415;
            else
                st->pp = MHD_create_post_processor(c, 4096, on_field, st);
            if (st->pp == NULL && st->refused == 0)
                st->refused = 415;
        }
        return MHD_YES;
    }
    if (*upload_size > 0) {
        st->body_bytes += *upload_size;
        if (st->body_bytes > MH_CONSOLE_MAX_BODY)
            st->refused = 413;
        if (st->refused == 0 && st->pp != NULL)
            MHD_post_process(st->pp, upload, *upload_size);
        *upload_size = 0;
        return MHD_YES;
    }

    /* 1. DNS rebinding: only our own name for ourselves. */
    host = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Host");
    if (!host_allowed(srv, c, host))
        return send_text(c, 421, "This console answers only to the address it listens on; "
                                 "open it with the URL mock-host serve printed.\n");
    if (st->refused == 413)
        return send_text(c, 413, "The form is larger than any form of this console.\n");
    if (st->refused == 415)
        return send_text(c, 415, "Forms are sent as application/x-www-form-urlencoded.\n");
    if (st->refused == 500) {
        fprintf(stderr, "console: POST %s -> 500: out of memory reading the form\n", url);
        return send_text(c, 500, "The console ran out of memory reading this form; nothing was "
                                 "changed. Try again.\n");
    }

    /* 2. The session. */
    s = mh_session_find(srv->sessions, MHD_lookup_connection_value(c, MHD_COOKIE_KIND, COOKIE_NAME));
    if (s == NULL) {
        s = mh_session_new(srv->sessions);
        if (s == NULL)
            return send_text(c, 500, "No random bytes for a session; try again.\n");
        new_session = 1;
    }
    st->req.session = s;

    /* 3. Cross-site requests change nothing. */
    if (is_post) {
        origin = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Origin");
        token = mh_form_get(&st->req, "csrf");
        if (new_session || !mh_session_csrf_matches(s, token))
            return send_text(c, 403, "This form has expired or did not come from this console "
                                     "(its CSRF token does not match); reload the page and try "
                                     "again.\n");
        /* The page's origin is the name the browser used, already checked
         * as Host: http://localhost:8080 is as good as http://127.0.0.1:8080. */
        if (origin != NULL && strcmp(origin, "null") != 0 &&
            (strncasecmp(origin, "http://", 7) != 0 || strcasecmp(origin + 7, host) != 0))
            return send_text(c, 403, "A form from another site was refused.\n");
    }
    app_of_path(url, st->req.app, sizeof st->req.app);
    /* 4. Beyond this machine, a session gives the access code first.  The
     * ClassLink Login redirect comes back without the cookie (SameSite=
     * Strict after a cross-site redirect); it passes, because it completes
     * only a login a signed-in session began: the plugin checks its state
     * (console_setup.c). */
    if (srv->con.access != NULL && !mh_session_signed_in(s) &&
        !(!is_post && strncmp(url, "/callback/", 10) == 0))
        return respond(st, new_session, is_post && strcmp(url, "/signin") == 0
                                            ? mh_action_sign_in : mh_page_sign_in);
    return respond(st, new_session, mh_console_route);
}

int mh_console_start(mh_console_server **out, mh_ctx *ctx, const char *listen_addr,
                     unsigned port, const mh_access *access, char *errbuf, size_t cap)
{
    struct mh_console_server *srv;
    struct sockaddr_storage ss;
    struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
    struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
    const union MHD_DaemonInfo *info;
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG;
    int v6 = 0;
    char hostport[100];
    ssize_t n;

    *out = NULL;
    memset(&ss, 0, sizeof ss);
    if (inet_pton(AF_INET, listen_addr, &s4->sin_addr) == 1) {
        s4->sin_family = AF_INET;
        s4->sin_port = htons((uint16_t)port);
    } else if (inet_pton(AF_INET6, listen_addr, &s6->sin6_addr) == 1) {
        s6->sin6_family = AF_INET6;
        s6->sin6_port = htons((uint16_t)port);
        flags |= MHD_USE_IPv6;
        v6 = 1;
    } else {
        snprintf(errbuf, cap, "--listen takes an IP address such as 127.0.0.1 or ::1, not \"%s\"",
                 listen_addr);
        return -1;
    }
    if (access == NULL && !mh_host_is_loopback(listen_addr, strlen(listen_addr))) {
        snprintf(errbuf, cap, "a console on %s, beyond this machine, needs an access code",
                 listen_addr);
        return -1;
    }
    srv = calloc(1, sizeof *srv);
    if (srv == NULL)
        return -1;
    srv->con.ctx = ctx;
    srv->con.access = access;
    srv->sessions = mh_sessions_new();
    if (srv->sessions == NULL) {
        free(srv);
        return -1;
    }
    n = readlink("/proc/self/exe", srv->con.self_exe, sizeof srv->con.self_exe - 1);
    if (n <= 0) {
        mh_sessions_free(srv->sessions);
        free(srv);
        snprintf(errbuf, cap, "cannot find this program's own file to run commands");
        return -1;
    }
    srv->con.self_exe[n] = '\0';
    srv->daemon = MHD_start_daemon(flags, (uint16_t)port, NULL, NULL, on_request, srv,
                                   MHD_OPTION_SOCK_ADDR, &ss,
                                   MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL,
                                   MHD_OPTION_CONNECTION_LIMIT, (unsigned)64,
                                   MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)30,
                                   MHD_OPTION_END);
    if (srv->daemon == NULL) {
        snprintf(errbuf, cap, "cannot listen on %s port %u: %s (is another console or program "
                 "using it? choose another with --port N)", listen_addr, port,
                 errno ? strerror(errno) : "refused");
        mh_sessions_free(srv->sessions);
        free(srv);
        return -1;
    }
    info = MHD_get_daemon_info(srv->daemon, MHD_DAEMON_INFO_BIND_PORT);
    port = info != NULL ? info->port : port;
    snprintf(hostport, sizeof hostport, v6 ? "[%s]:%u" : "%s:%u", listen_addr, port);
    snprintf(srv->hosts[0], sizeof srv->hosts[0], "%s", hostport);
    if (mh_host_is_loopback(listen_addr, strlen(listen_addr)))
        snprintf(srv->hosts[1], sizeof srv->hosts[1], "localhost:%u", port);
    snprintf(srv->con.base_url, sizeof srv->con.base_url, "http://%s", hostport);
    srv->port = port;
    srv->any_address = v6 ? IN6_IS_ADDR_UNSPECIFIED(&s6->sin6_addr)
                          : s4->sin_addr.s_addr == htonl(INADDR_ANY);
    *out = srv;
    return 0;
}

const char *mh_console_url(const mh_console_server *srv)
{
    return srv->con.base_url;
}

unsigned mh_console_port(const mh_console_server *srv)
{
    return srv->port;
}

mh_console *mh_console_of(mh_console_server *srv)
{
    return &srv->con;
}

void mh_console_stop(mh_console_server *srv)
{
    if (srv == NULL)
        return;
    MHD_stop_daemon(srv->daemon);
    mh_sessions_free(srv->sessions);
    free(srv);
}

int mh_console_listen_is_loopback(const char *addr)
{
    return mh_host_is_loopback(addr, strlen(addr));
}
