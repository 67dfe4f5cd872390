/*
 * main.c - classlink-sim: plays ClassLink's Roster Server (and, later, the
 * parties of ClassLink Login) on loopback for tests, demos and benchmarks.
 *
 *   classlink-sim [--port N] [--users N] [--schools N] [--seed N]
 *                 [--client-id ID --client-secret S] [--bearer TOKEN]
 *                 [--page-max N] [--gzip] [--link] [--latency-ms N]
 *                 [--per-record-us N] [--bandwidth-kbit N] [--port-file F]
 *                 [--tls-dir DIR]   (HTTPS for "localhost", its CA written to DIR/ca.pem)
 *                 [--page-cache-mb N]  (memory for pages rendered once; 0: stream every page)
 *
 * Prints "listening on PORT" and serves until stdin closes or SIGTERM; a
 * line "mutate change=N&add=N&tobedeleted=N&disable=N&remove=N&restore=N"
 * on stdin changes the district (as GET /_sim/mutate does).
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "server.h"
#include "tls.h"

static volatile sig_atomic_t stop;

static void usage(FILE *out)
{
    fputs("usage: classlink-sim [OPTIONS]\n"
          "Plays ClassLink on loopback: LaunchPad and nodeapi (ClassLink Login), the OneRoster\n"
          "proxy and a Roster Server, over a deterministic district.  Prints 'listening on PORT'\n"
          "and serves until stdin closes or SIGTERM.\n\n"
          "District and server:\n"
          "  --port N              listen on N (default: any free port)\n"
          "  --port-file F         also write the port to F\n"
          "  --users N             users in the district (default 1000)\n"
          "  --schools N           schools (default 8)\n"
          "  --seed N              the district's random seed (default 42)\n"
          "  --page-max N          largest page the server sends (default 10000)\n"
          "  --gzip                gzip response bodies\n"
          "  --link                send Link: rel=next headers\n"
          "  --latency-ms N        delay per request\n"
          "  --per-record-us N     delay per record\n"
          "  --bandwidth-kbit N    throttle bodies\n"
          "  --tls-dir DIR         serve HTTPS for \"localhost\", its CA written to DIR/ca.pem\n"
          "  --no-stdin            do not read commands from stdin\n\n"
          "Roster Server credentials (manual connect):\n"
          "  --client-id ID        OAuth client id (default sim-client)\n"
          "  --client-secret S     OAuth secret (default sim-secret)\n"
          "  --bearer TOKEN        the OneRoster proxy's bearer token for the app\n\n"
          "ClassLink Login values (fixed; point mock-host at them in its environment):\n"
          "  CLASSLINK_CLIENT_ID=lp-client  CLASSLINK_CLIENT_SECRET=lp-secret\n"
          "  CLASSLINK_PARTNER_KEY=partner-key  CLASSLINK_ALLOWED_DOMAINS=127.0.0.1\n"
          "  CLASSLINK_LAUNCHPAD_URL, CLASSLINK_NODEAPI_URL, CLASSLINK_PROXY_URL=http://127.0.0.1:PORT\n"
          "  (start it with --bearer TOKEN so the proxy can hand the roster server its token)\n\n"
          "While running: GET /_sim/fault?kind=... injects faults, /_sim/mutate?change=N&add=N&\n"
          "tobedeleted=N&disable=N&remove=N&restore=N&longid=N&longrun=N&norole=N changes the district\n"
          "(longid: a 300-byte sourcedId; longrun: N neighbours get 300-byte sourcedIds that share\n"
          "their first 293 bytes; norole: a long-id user's record loses its role) (also as a line\n"
          "'mutate ...' on stdin), /_sim/reset sets the login user's role, consent and more,\n"
          "/_sim/stats reports counters.\n", out);
}

static void on_signal(int sig)
{
    (void)sig;
    stop = 1;
}

/* A line "mutate change=40&add=10" on stdin changes the district, as
 * GET /_sim/mutate?... does; end of input stops the simulator. */
static void stdin_command(sim_server *s, char *line)
{
    char *save = NULL, *tok;
    struct timespec ts;
    if (strncmp(line, "mutate ", 7) != 0)
        return;
    clock_gettime(CLOCK_REALTIME, &ts);
    pthread_mutex_lock(&s->mu);
    for (tok = strtok_r(line + 7, "&\n", &save); tok; tok = strtok_r(NULL, "&\n", &save)) {
        char *eq = strchr(tok, '=');
        if (eq == NULL)
            continue;
        *eq = '\0';
        sim_mutate(&s->d, tok, (uint32_t)strtoul(eq + 1, NULL, 10),
                   (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
    }
    pthread_mutex_unlock(&s->mu);
}

static void *watch_stdin(void *arg)
{
    char line[512];
    FILE *in = fdopen(0, "r");
    while (in != NULL && fgets(line, sizeof line, in) != NULL)
        stdin_command(arg, line);
    stop = 1;
    return NULL;
}

int main(int argc, char **argv)
{
    static sim_server s;
    unsigned long users = 1000, schools = 8, seed = 42, port = 0;
    const char *port_file = NULL, *tls_dir = NULL;
    char *cert = NULL, *key = NULL;
    unsigned short bound = 0;
    struct MHD_Daemon *d;
    pthread_t th;
    int i, watch = 1;

    memset(&s, 0, sizeof s);
    pthread_mutex_init(&s.mu, NULL);
    snprintf(s.client_id, sizeof s.client_id, "sim-client");
    snprintf(s.client_secret, sizeof s.client_secret, "sim-secret");
    snprintf(s.perm_rev, sizeof s.perm_rev, "rev-1");
    s.page_max = 10000;
    s.pages.budget = (size_t)1024 << 20;
    snprintf(s.lp_client_id, sizeof s.lp_client_id, "lp-client");
    snprintf(s.lp_client_secret, sizeof s.lp_client_secret, "lp-secret");
    snprintf(s.partner_key, sizeof s.partner_key, "partner-key");
    snprintf(s.login_role, sizeof s.login_role, "Tenant Administrator");
    s.app_installed = 1;
    s.server_creds = 1;
    for (i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
#define OPT(name) (strcmp(a, name) == 0 && v != NULL && ++i)
        if (OPT("--port")) port = strtoul(v, NULL, 10);
        else if (OPT("--users")) users = strtoul(v, NULL, 10);
        else if (OPT("--schools")) schools = strtoul(v, NULL, 10);
        else if (OPT("--seed")) seed = strtoul(v, NULL, 10);
        else if (OPT("--client-id")) snprintf(s.client_id, sizeof s.client_id, "%s", v);
        else if (OPT("--client-secret")) snprintf(s.client_secret, sizeof s.client_secret, "%s", v);
        else if (OPT("--bearer")) snprintf(s.bearer, sizeof s.bearer, "%s", v);
        else if (OPT("--page-max")) s.page_max = strtol(v, NULL, 10);
        else if (OPT("--latency-ms")) s.latency_ms = strtol(v, NULL, 10);
        else if (OPT("--per-record-us")) s.per_record_us = strtol(v, NULL, 10);
        else if (OPT("--bandwidth-kbit")) s.bandwidth_kbit = strtol(v, NULL, 10);
        else if (OPT("--port-file")) port_file = v;
        else if (OPT("--tls-dir")) tls_dir = v;
        else if (OPT("--page-cache-mb")) s.pages.budget = (size_t)strtoul(v, NULL, 10) << 20;
        else if (strcmp(a, "--gzip") == 0) s.gzip = 1;
        else if (strcmp(a, "--link") == 0) s.send_link = 1;
        else if (strcmp(a, "--no-stdin") == 0) watch = 0;
        else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage(stdout);
            return 0;
        } else {
            fprintf(stderr, "classlink-sim: unknown option %s (see classlink-sim --help)\n", a);
            return 2;
        }
#undef OPT
    }
    if (sim_district_init(&s.d, seed, (uint32_t)users, (uint32_t)schools) != 0) {
        fprintf(stderr, "classlink-sim: out of memory\n");
        return 1;
    }
    if (tls_dir != NULL && sim_tls_make(tls_dir, "localhost", &cert, &key) != 0) {
        fprintf(stderr, "classlink-sim: cannot make the test certificates in %s\n", tls_dir);
        return 1;
    }
    d = sim_server_start(&s, (unsigned short)port, &bound, cert, key);
    if (d == NULL) {
        fprintf(stderr, "classlink-sim: cannot listen on port %lu\n", port);
        return 1;
    }
    signal(SIGTERM, on_signal);
    signal(SIGINT, on_signal);
    signal(SIGPIPE, SIG_IGN);
    if (port_file != NULL) {
        FILE *f = fopen(port_file, "w");
        if (f != NULL) {
            fprintf(f, "%u\n", bound);
            fclose(f);
        }
    }
    printf("listening on %u\n", bound);
    fflush(stdout);
    if (watch)
        pthread_create(&th, NULL, watch_stdin, &s);
    while (!stop)
        usleep(50000);
    MHD_stop_daemon(d);
    sim_page_cache_free(&s.pages);
    sim_district_free(&s.d);
    free(cert);
    free(key);
    return 0;
}
