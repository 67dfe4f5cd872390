/*
 * check_console.c - the web console (`mock-host serve`) over plain HTTP:
 * its security rules (Host header, CSRF token, CSP, escaping), errors as the
 * command line's sentences next to their field, the clear message when the
 * database is held by another mock-host, a clean stop on SIGTERM; and the
 * browser suite (tests/browser/console_flow.py, real Chromium) as one test.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <libpq-fe.h>
#include <sqlite3.h>

#include "../mock-host/store.h"
#include "check_csv_fixtures.h"
#include "mhtest.h"

/* The test's folder and database are mhtest.c's env: dir/host.db, or in
 * the console_pg variant a PostgreSQL database of its own. */
static pid_t console_pid;
static int console_port;
static FILE *console_out;

static tu_result mh(const char *args)
{
    return tu_run("cd %s && %s MOCK_HOST_PLUGINS=%s " TU_MOCK_HOST_FMT " %s", env.dir, mh_db_env(),
                  tu_build_dir(), tu_build_dir(), args);
}

static void start_console(void)
{
    int p[2];
    char line[512], exe[1024], key[1100];
    ck_assert_int_eq(pipe(p), 0);
    snprintf(exe, sizeof exe, TU_MOCK_HOST_FMT, tu_build_dir());
    snprintf(key, sizeof key, "%s/host.key", env.dir);
    console_pid = fork();
    ck_assert_int_ge(console_pid, 0);
    if (console_pid == 0) {
        dup2(p[1], 1);
        close(p[0]);
        setenv("MOCK_HOST_PLUGINS", tu_build_dir(), 1);
        setenv("MOCK_HOST_DB", env.db, 1);
        setenv("MOCK_HOST_KEY_FILE", key, 1);
        execl(exe, exe, "serve", "--port", "0", (char *)NULL);
        _exit(127);
    }
    close(p[1]);
    console_out = fdopen(p[0], "r");
    ck_assert_ptr_nonnull(fgets(line, sizeof line, console_out));
    ck_assert_int_eq(sscanf(line, "Console: http://127.0.0.1:%d/", &console_port), 1);
}

static void setup(void)
{
    tu_result r;
    env_start_db();
    r = mh("install classlink --itxm");
    ck_assert_msg(r.status == 0, "%s", r.err);
    tu_result_free(&r);
    start_console();
}

static void teardown(void)
{
    int status = 0;
    char rest[4096];
    size_t n;
    kill(console_pid, SIGTERM);
    waitpid(console_pid, &status, 0);
    n = fread(rest, 1, sizeof rest - 1, console_out);
    rest[n] = '\0';
    fclose(console_out);
    /* SIGTERM stops it cleanly: exit 0 and its last word. */
    ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "serve ended with %d", status);
    ck_assert_ptr_nonnull(strstr(rest, "Console stopped."));
    env_stop();
}

typedef struct http_reply {
    int status;
    char *text;      /* headers and body; freed by the caller */
    char *body;      /* into text */
} http_reply;

/* One request over a fresh connection; `host` NULL: the console's own. */
static http_reply http(const char *method, const char *path, const char *host, const char *cookie,
                       const char *form)
{
    struct sockaddr_in sa;
    http_reply r = {0, NULL, NULL};
    char *req = NULL, buf[8192], hostline[200], length[128] = "";
    size_t len = 0, cap = 0;
    ssize_t n;
    int fd = socket(AF_INET, SOCK_STREAM, 0), reqlen;

    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)console_port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ck_assert_int_eq(connect(fd, (struct sockaddr *)&sa, sizeof sa), 0);
    snprintf(hostline, sizeof hostline, "%s", host ? host : "");
    if (host == NULL)
        snprintf(hostline, sizeof hostline, "127.0.0.1:%d", console_port);
    if (form != NULL)
        snprintf(length, sizeof length, "Content-Type: application/x-www-form-urlencoded\r\n"
                 "Content-Length: %zu\r\n", strlen(form));
    reqlen = asprintf(&req, "%s %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n%s%s%s%s\r\n%s",
                      method, path, hostline, cookie ? "Cookie: " : "", cookie ? cookie : "",
                      cookie ? "\r\n" : "", length, form ? form : "");
    ck_assert_int_gt(reqlen, 0);
    ck_assert_int_eq(write(fd, req, (size_t)reqlen), reqlen);
    free(req);
    while ((n = read(fd, buf, sizeof buf)) > 0) {
        if (len + (size_t)n + 1 > cap) {
            cap = (len + (size_t)n + 1) * 2;
            r.text = realloc(r.text, cap);
        }
        memcpy(r.text + len, buf, (size_t)n);
        len += (size_t)n;
    }
    close(fd);
    ck_assert_ptr_nonnull(r.text);
    r.text[len] = '\0';
    sscanf(r.text, "HTTP/1.1 %d", &r.status);
    r.body = strstr(r.text, "\r\n\r\n");
    r.body = r.body ? r.body + 4 : r.text + len;
    return r;
}

/* The cookie a reply sets ("mh_console=..."), into cookie; 0 when none. */
static int reply_cookie(const http_reply *r, char *cookie, size_t cap)
{
    const char *c = strstr(r->text, "Set-Cookie: ");
    if (c == NULL)
        return 0;
    snprintf(cookie, cap, "%.*s", (int)strcspn(c + 12, ";\r"), c + 12);
    return 1;
}

/* A session: its cookie ("mh_console=...") and CSRF token from a page. */
static void session(const char *page, char *cookie, size_t ccap, char *csrf, size_t tcap)
{
    http_reply r = http("GET", page, NULL, NULL, NULL);
    const char *t = strstr(r.body, "name=\"csrf\" value=\"");
    ck_assert(reply_cookie(&r, cookie, ccap));
    ck_assert_ptr_nonnull(t);
    snprintf(csrf, tcap, "%.64s", t + 19);
    free(r.text);
}

START_TEST(a_page_asked_for_under_another_host_name_is_refused)
{
    http_reply ok = http("GET", "/apps", NULL, NULL, NULL);
    http_reply evil = http("GET", "/apps", "rebound.example.com", NULL, NULL);
    char other_port[64];
    http_reply port;
    snprintf(other_port, sizeof other_port, "127.0.0.1:%d", console_port + 1);
    port = http("GET", "/apps", other_port, NULL, NULL);
    ck_assert_int_eq(ok.status, 200);
    ck_assert_int_eq(evil.status, 421);
    ck_assert_int_eq(port.status, 421);
    ck_assert_ptr_null(strstr(evil.body, "classlink"));
    free(ok.text);
    free(evil.text);
    free(port.text);
}
END_TEST

START_TEST(a_form_without_the_session_token_changes_nothing)
{
    char cookie[128], csrf[80];
    http_reply none, wrong, good;
    tu_result r;
    session("/apps/classlink/locations", cookie, sizeof cookie, csrf, sizeof csrf);
    none = http("POST", "/names", NULL, cookie, "list=locations&op=add&name=Forged&app=classlink");
    wrong = http("POST", "/names", NULL, NULL, "list=locations&op=add&name=Forged&app=classlink&"
                 "csrf=0000000000000000000000000000000000000000000000000000000000000000");
    ck_assert_int_eq(none.status, 403);
    ck_assert_int_eq(wrong.status, 403);
    r = mh("locations");
    ck_assert_ptr_null(strstr(r.out, "Forged"));
    tu_result_free(&r);
    /* The same form with the session's token is accepted. */
    {
        char form[256];
        snprintf(form, sizeof form, "list=locations&op=add&name=Lincoln&app=classlink&csrf=%s", csrf);
        good = http("POST", "/names", NULL, cookie, form);
    }
    ck_assert_int_eq(good.status, 303);
    ck_assert_ptr_nonnull(strstr(good.text, "Location: /apps/classlink/locations"));
    r = mh("locations");
    ck_assert_ptr_nonnull(strstr(r.out, "Lincoln"));
    tu_result_free(&r);
    free(none.text);
    free(wrong.text);
    free(good.text);
}
END_TEST

START_TEST(every_page_carries_a_policy_that_allows_only_the_consoles_own_files)
{
    static const char *const pages[] = {"/marketplace", "/apps", "/users", "/apps/classlink/setup",
                                        "/apps/classlink/sync", "/static/progress.js", "/nowhere"};
    size_t i;
    for (i = 0; i < sizeof pages / sizeof pages[0]; i++) {
        http_reply r = http("GET", pages[i], NULL, NULL, NULL);
        ck_assert_msg(strstr(r.text, "Content-Security-Policy: default-src 'self'; script-src 'self'")
                      != NULL, "%s has no CSP", pages[i]);
        ck_assert_ptr_nonnull(strstr(r.text, "X-Frame-Options: DENY"));
        /* No inline script: the only script tag loads a served file. */
        ck_assert_ptr_null(strstr(r.body, "<script>"));
        if (strcmp(pages[i], "/apps/classlink/sync") == 0)
            ck_assert_ptr_nonnull(strstr(r.body, "<script src=\"/static/progress.js\""));
        free(r.text);
    }
}
END_TEST

START_TEST(the_admins_words_are_shown_as_text)
{
    tu_result r = mh("locations add '<script>alert(1)</script>'");
    http_reply page;
    ck_assert_int_eq(r.status, 0);
    tu_result_free(&r);
    page = http("GET", "/apps/classlink/locations", NULL, NULL, NULL);
    ck_assert_int_eq(page.status, 200);
    ck_assert_ptr_nonnull(strstr(page.body, "&lt;script&gt;alert(1)&lt;/script&gt;"));
    ck_assert_ptr_null(strstr(page.body, "<script>alert(1)"));
    free(page.text);
}
END_TEST

START_TEST(an_invalid_setting_shows_the_command_lines_sentence_next_to_its_field)
{
    char cookie[128], csrf[80], form[256], sentence[700];
    tu_result cli = mh("config classlink page_size abc");
    http_reply post, page;
    char *nl;
    ck_assert_int_eq(cli.status, 2);
    /* "mock-host config: page_size must be ...; nothing was changed" */
    ck_assert_ptr_nonnull(strstr(cli.err, ": "));
    snprintf(sentence, sizeof sentence, "%s", strstr(cli.err, ": ") + 2);
    nl = strchr(sentence, '\n');
    if (nl)
        *nl = '\0';
    /* As HTML shows it: the value given is quoted, and quotes are escaped. */
    {
        char escaped[600], *q;
        size_t o = 0;
        for (q = sentence; *q != '\0' && o + 7 < sizeof escaped; q++) {
            if (*q == '"') {
                memcpy(escaped + o, "&quot;", 6);
                o += 6;
            } else {
                escaped[o++] = *q;
            }
        }
        escaped[o] = '\0';
        snprintf(sentence, sizeof sentence, "%s", escaped);
    }
    session("/apps/classlink/setup", cookie, sizeof cookie, csrf, sizeof csrf);
    snprintf(form, sizeof form, "set.page_size=abc&set.concurrency=2&csrf=%s", csrf);
    post = http("POST", "/apps/classlink/settings", NULL, cookie, form);
    ck_assert_int_eq(post.status, 303);
    page = http("GET", "/apps/classlink/setup", NULL, cookie, NULL);
    {
        const char *at = strstr(page.body, "data-field=\"page_size\"");
        ck_assert_ptr_nonnull(at);
        ck_assert_ptr_nonnull(strstr(at, sentence));
    }
    tu_result_free(&cli);
    /* Nothing was stored, not even the valid value beside it. */
    cli = mh("config classlink concurrency");
    ck_assert_ptr_nonnull(strstr(cli.out, "(default)"));
    tu_result_free(&cli);
    free(post.text);
    free(page.text);
}
END_TEST

/* Another mock-host in the middle of writing: SQLite's one writer holds the
 * whole file; on PostgreSQL a transaction holds the settings table. */
typedef struct other_writer {
    sqlite3 *lite;
    PGconn *pg;
} other_writer;

static other_writer other_writer_begin(void)
{
    other_writer w = {NULL, NULL};
    if (env_is_pg()) {
        PGresult *res;
        w.pg = PQconnectdb(env.db);
        ck_assert_int_eq(PQstatus(w.pg), CONNECTION_OK);
        res = PQexec(w.pg, "BEGIN; LOCK TABLE config IN EXCLUSIVE MODE");
        ck_assert_msg(PQresultStatus(res) == PGRES_COMMAND_OK, "%s", PQerrorMessage(w.pg));
        PQclear(res);
    } else {
        ck_assert_int_eq(sqlite3_open(env.db, &w.lite), SQLITE_OK);
        ck_assert_int_eq(sqlite3_exec(w.lite, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
    }
    return w;
}

static void other_writer_end(other_writer *w)
{
    if (w->pg != NULL) {
        PQclear(PQexec(w->pg, "ROLLBACK"));
        PQfinish(w->pg);
    } else {
        sqlite3_exec(w->lite, "ROLLBACK", NULL, NULL, NULL);
        sqlite3_close(w->lite);
    }
}

START_TEST(a_change_while_another_mock_host_writes_says_to_wait)
{
    char cookie[128], csrf[80], form[256];
    other_writer other;
    http_reply post, page;
    tu_result r;
    session("/apps/classlink/setup", cookie, sizeof cookie, csrf, sizeof csrf);
    other = other_writer_begin();
    snprintf(form, sizeof form, "set.concurrency=2&csrf=%s", csrf);
    post = http("POST", "/apps/classlink/settings", NULL, cookie, form);
    ck_assert_int_eq(post.status, 303);
    page = http("GET", "/apps/classlink/setup", NULL, cookie, NULL);
    ck_assert_msg(strstr(page.body, "The database is busy: another mock-host"), "%s", page.body);
    other_writer_end(&other);
    free(post.text);
    free(page.text);
    r = mh("config classlink concurrency");
    ck_assert_ptr_nonnull(strstr(r.out, "(default)"));
    tu_result_free(&r);
    /* Once the other writer is done, the same form saves. */
    post = http("POST", "/apps/classlink/settings", NULL, cookie, form);
    free(post.text);
    r = mh("config classlink concurrency");
    ck_assert_str_eq(r.out, "2\n");
    tu_result_free(&r);
}
END_TEST

/* The console as http://localhost:PORT (a name it answers to): its forms
 * come with Origin http://localhost:PORT and must be accepted (they were
 * all refused as "from another site"); another site's form still is not. */
START_TEST(a_form_from_the_console_opened_as_localhost_is_accepted)
{
    char cookie[128], csrf[80], form[256], host[64], origin[256];
    http_reply page, post;
    tu_result r;
    snprintf(host, sizeof host, "localhost:%d", console_port);
    page = http("GET", "/apps/classlink/setup", host, NULL, NULL);
    ck_assert_int_eq(page.status, 200);
    free(page.text);
    session("/apps/classlink/setup", cookie, sizeof cookie, csrf, sizeof csrf);
    snprintf(form, sizeof form, "set.concurrency=2&csrf=%s", csrf);
    /* http() sends "Cookie: " and this text: the cookie, then an Origin. */
    snprintf(origin, sizeof origin, "%s\r\nOrigin: http://evil.example", cookie);
    post = http("POST", "/apps/classlink/settings", host, origin, form);
    ck_assert_int_eq(post.status, 403);
    free(post.text);
    snprintf(origin, sizeof origin, "%s\r\nOrigin: http://localhost:%d", cookie, console_port);
    post = http("POST", "/apps/classlink/settings", host, origin, form);
    ck_assert_msg(post.status == 303, "%s", post.text);
    free(post.text);
    r = mh("config classlink concurrency");
    ck_assert_str_eq(r.out, "2\n");
    tu_result_free(&r);
}
END_TEST

/* `serve --listen 0.0.0.0` in a child whose stderr goes to dir/serve.err;
 * console_port becomes its port (the caller restores it). */
static pid_t start_console_on_every_address(FILE **out)
{
    int p[2], port = 0;
    char line[512], exe[1024], key[1100], err[1100];
    pid_t pid;
    ck_assert_int_eq(pipe(p), 0);
    snprintf(exe, sizeof exe, TU_MOCK_HOST_FMT, tu_build_dir());
    snprintf(key, sizeof key, "%s/host.key", env.dir);
    snprintf(err, sizeof err, "%s/serve.err", env.dir);
    pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        dup2(p[1], 1);
        close(p[0]);
        if (freopen(err, "w", stderr) == NULL)
            _exit(126);
        setenv("MOCK_HOST_PLUGINS", tu_build_dir(), 1);
        setenv("MOCK_HOST_DB", env.db, 1);
        setenv("MOCK_HOST_KEY_FILE", key, 1);
        setenv("CLASSLINK_CLIENT_ID", "lp-client", 1);
        setenv("CLASSLINK_LAUNCHPAD_URL", "http://127.0.0.1:9", 1);
        execl(exe, exe, "serve", "--listen", "0.0.0.0", "--port", "0", (char *)NULL);
        _exit(127);
    }
    close(p[1]);
    *out = fdopen(p[0], "r");
    ck_assert_ptr_nonnull(fgets(line, sizeof line, *out));
    ck_assert_int_eq(sscanf(line, "Console: http://0.0.0.0:%d/", &port), 1);
    console_port = port;   /* http() connects to 127.0.0.1 and names it */
    return pid;
}

static void stop_console_on_every_address(pid_t pid, FILE *out)
{
    int status;
    kill(pid, SIGTERM);
    waitpid(pid, &status, 0);
    fclose(out);
    ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "serve ended with %d", status);
}

/* `serve --listen 0.0.0.0`: a browser names the address it reached, never
 * 0.0.0.0, and is served (every page was refused with 421); a DNS
 * rebinding name still is not. */
START_TEST(a_console_on_every_address_answers_to_the_address_reached)
{
    int saved = console_port;
    char localhost[32];
    http_reply ok, evil, named;
    FILE *out;
    pid_t pid = start_console_on_every_address(&out);
    ok = http("GET", "/apps", NULL, NULL, NULL);
    evil = http("GET", "/apps", "rebound.example.com", NULL, NULL);
    snprintf(localhost, sizeof localhost, "localhost:%d", console_port);
    named = http("GET", "/apps", localhost, NULL, NULL);  /* reached over loopback */
    console_port = saved;
    stop_console_on_every_address(pid, out);
    ck_assert_msg(ok.status == 200, "%s", ok.text);
    ck_assert_msg(named.status == 200, "%s", named.text);
    ck_assert_int_eq(evil.status, 421);
    free(ok.text);
    free(evil.text);
    free(named.text);
}
END_TEST

static void csv_app_synced(char *export_dir, size_t cap);

/* The access code's file of the console on console_port: beside the key
 * (SQLite: the database's), named by the port. */
static void access_code_file(char *path, size_t cap)
{
    if (env_is_pg())
        snprintf(path, cap, "%s/host.key.console-code-%d", env.dir, console_port);
    else
        snprintf(path, cap, "%s.key.console-code-%d", env.db, console_port);
}

/* A console other machines can reach shows no page, no student, until a
 * browser session gives the access code that only the account running it
 * can read; a wrong code is refused with a sentence; the code is never
 * printed; it goes with the console. */
START_TEST(a_console_beyond_this_machine_shows_nothing_before_its_access_code)
{
    int saved = console_port, i;
    char export_dir[1024], code_path[1200], code[80] = "", cookie[128], csrf[80], form[256];
    char old_cookie[128];
    tu_result said;
    http_reply users, wrong, right, after, other, callback, setup, no_login, no_state, csv_setup;
    http_reply before_id;
    struct stat st;
    FILE *out, *f;
    pid_t pid;

    csv_app_synced(export_dir, sizeof export_dir);   /* three users, one of them Ann O'Neil */
    pid = start_console_on_every_address(&out);
    access_code_file(code_path, sizeof code_path);
    ck_assert_int_eq(stat(code_path, &st), 0);
    ck_assert_int_eq(st.st_mode & 0777, 0600);
    f = fopen(code_path, "r");
    ck_assert_ptr_nonnull(f);
    ck_assert_ptr_nonnull(fgets(code, sizeof code, f));
    fclose(f);
    code[strcspn(code, "\n")] = '\0';
    ck_assert_uint_eq(strlen(code), 32);

    users = http("GET", "/users", NULL, NULL, NULL);
    session("/users", cookie, sizeof cookie, csrf, sizeof csrf);
    snprintf(form, sizeof form, "csrf=%s&code=%s", csrf, "0123456789abcdef0123456789abcdef");
    wrong = http("POST", "/signin", NULL, cookie, form);
    snprintf(form, sizeof form, "csrf=%s&code=%%20%s%%0A", csrf, code);  /* as pasted */
    right = http("POST", "/signin", NULL, cookie, form);
    /* Signing in gives the session a new id: the one it had before (which
     * someone else may have known) is worth nothing now. */
    snprintf(old_cookie, sizeof old_cookie, "%s", cookie);
    ck_assert_msg(reply_cookie(&right, cookie, sizeof cookie), "%s", right.text);
    ck_assert_str_ne(cookie, old_cookie);
    before_id = http("GET", "/users", NULL, old_cookie, NULL);
    /* Anyone's requests without a cookie (each makes a session) do not push
     * the signed-in session out of the console's table. */
    sleep(1);   /* the signed-in session is now the least recently used */
    for (i = 0; i < 140; i++)
        free(http("GET", "/apps", NULL, NULL, NULL).text);
    after = http("GET", "/users", NULL, cookie, NULL);
    other = http("GET", "/users", NULL, NULL, NULL);   /* another browser */
    /* ClassLink's redirect comes back without the cookie: it reaches the
     * plugin, whose state check refuses a login nobody began. */
    callback = http("GET", "/callback/classlink?code=c&state=forged", NULL, NULL, NULL);
    /* Anything else under /callback/ is asked to sign in and touches nothing:
     * a plugin without a login, a request without a state. */
    no_login = http("GET", "/callback/oneroster-csv?code=c&state=s", NULL, NULL, NULL);
    no_state = http("GET", "/callback/classlink?code=c", NULL, NULL, NULL);
    setup = http("GET", "/apps/classlink/setup", NULL, cookie, NULL);
    csv_setup = http("GET", "/apps/oneroster-csv/setup", NULL, cookie, NULL);
    console_port = saved;
    stop_console_on_every_address(pid, out);

    ck_assert_int_eq(users.status, 200);
    ck_assert_msg(strstr(users.body, "Sign in to this console") != NULL, "%s", users.body);
    ck_assert_ptr_nonnull(strstr(users.body, code_path));
    ck_assert_ptr_null(strstr(users.body, "Neil"));
    ck_assert_int_eq(wrong.status, 403);
    ck_assert_ptr_nonnull(strstr(wrong.body, "That is not this console&#39;s access code"));
    ck_assert_msg(right.status == 303, "%s", right.text);
    ck_assert_ptr_nonnull(strstr(before_id.body, "Sign in to this console"));
    ck_assert_ptr_null(strstr(before_id.body, "Neil"));
    ck_assert_int_eq(after.status, 200);
    ck_assert_msg(strstr(after.body, "Neil") != NULL, "%s", after.body);
    ck_assert_ptr_null(strstr(other.body, "Neil"));
    ck_assert_ptr_nonnull(strstr(other.body, "Sign in to this console"));
    ck_assert_msg(callback.status == 303, "%s", callback.text);
    ck_assert_msg(strstr(setup.body, "could not connect classlink") != NULL, "%s", setup.body);
    ck_assert_ptr_nonnull(strstr(setup.body, "not connected"));
    ck_assert_int_eq(no_login.status, 200);
    ck_assert_ptr_nonnull(strstr(no_login.body, "Sign in to this console"));
    ck_assert_ptr_nonnull(strstr(no_state.body, "Sign in to this console"));
    ck_assert_msg(strstr(csv_setup.body, "could not connect") == NULL, "%.400s",
                  strstr(csv_setup.body, "could not connect"));
    /* The terminal names the file, never the code; the file goes at stop. */
    said = tu_run("cat %s/serve.err", env.dir);
    ck_assert_msg(strstr(said.out, code_path) != NULL, "%s", said.out);
    ck_assert_ptr_null(strstr(said.out, code));
    ck_assert_int_ne(access(code_path, F_OK), 0);
    tu_result_free(&said);
    free(users.text);
    free(wrong.text);
    free(right.text);
    free(after.text);
    free(other.text);
    free(callback.text);
    free(setup.text);
    free(no_login.text);
    free(no_state.text);
    free(csv_setup.text);
    free(before_id.text);
}
END_TEST

/* Two consoles on one database each keep their own code file, and stopping
 * one leaves the other's (they used to share one file name). */
START_TEST(two_consoles_on_one_database_keep_their_own_codes)
{
    int saved = console_port, first_port;
    char first[1200], second[1200];
    FILE *out1, *out2;
    pid_t one = start_console_on_every_address(&out1), two;
    first_port = console_port;
    access_code_file(first, sizeof first);
    two = start_console_on_every_address(&out2);
    access_code_file(second, sizeof second);
    ck_assert_int_ne(first_port, console_port);
    ck_assert_str_ne(first, second);
    ck_assert_int_eq(access(first, F_OK), 0);
    ck_assert_int_eq(access(second, F_OK), 0);
    stop_console_on_every_address(two, out2);
    ck_assert_int_eq(access(first, F_OK), 0);
    ck_assert_int_ne(access(second, F_OK), 0);
    stop_console_on_every_address(one, out1);
    ck_assert_int_ne(access(first, F_OK), 0);
    console_port = saved;
}
END_TEST

/* A session of the console on every address that gave the access code:
 * its cookie and CSRF token. */
static void signed_in_session(char *cookie, size_t ccap, char *csrf, size_t tcap)
{
    char code_path[1200], code[80] = "", form[256];
    http_reply r;
    FILE *f;
    access_code_file(code_path, sizeof code_path);
    f = fopen(code_path, "r");
    ck_assert_ptr_nonnull(f);
    ck_assert_ptr_nonnull(fgets(code, sizeof code, f));
    fclose(f);
    code[strcspn(code, "\n")] = '\0';
    session("/apps", cookie, ccap, csrf, tcap);
    snprintf(form, sizeof form, "csrf=%s&code=%s", csrf, code);
    r = http("POST", "/signin", NULL, cookie, form);
    ck_assert_msg(r.status == 303 && reply_cookie(&r, cookie, ccap), "%s", r.text);
    free(r.text);
    /* The renewed session's token, from a page with a form. */
    r = http("GET", "/marketplace", NULL, cookie, NULL);
    {
        const char *t = strstr(r.body, "name=\"csrf\" value=\"");
        ck_assert_msg(t != NULL, "%.300s", r.body);
        snprintf(csrf, tcap, "%.64s", t + 19);
    }
    free(r.text);
}

/* ClassLink Login from a console on 0.0.0.0 sends the browser back to the
 * address it used for the console (it sent it to http://0.0.0.0:PORT,
 * which no browser can open): 127.0.0.1:PORT, or localhost:PORT when the
 * page was opened under that name.  The callback still needs the login's
 * own state. */
START_TEST(classlink_login_on_every_address_returns_to_the_address_the_browser_used)
{
    int saved = console_port, port;
    char cookie[128], csrf[80], form[128], host[32], want[128];
    http_reply by_ip, by_name, callback;
    const char *loc;
    tu_result r;
    FILE *out;
    pid_t pid = start_console_on_every_address(&out);
    port = console_port;
    signed_in_session(cookie, sizeof cookie, csrf, sizeof csrf);
    snprintf(form, sizeof form, "csrf=%s", csrf);
    by_ip = http("POST", "/apps/classlink/login", NULL, cookie, form);
    snprintf(host, sizeof host, "localhost:%d", port);
    by_name = http("POST", "/apps/classlink/login", host, cookie, form);
    callback = http("GET", "/callback/classlink?code=c&state=not-the-state", NULL, NULL, NULL);
    console_port = saved;
    stop_console_on_every_address(pid, out);

    ck_assert_msg(by_ip.status == 303, "%s", by_ip.text);
    loc = strstr(by_ip.text, "Location: http://127.0.0.1:9/oauth2/v2/auth?");
    ck_assert_msg(loc != NULL, "%s", by_ip.text);
    snprintf(want, sizeof want, "redirect_uri=http%%3A%%2F%%2F127.0.0.1%%3A%d%%2Fcallback%%2F"
             "classlink&", port);
    ck_assert_msg(strstr(loc, want) != NULL, "%s", by_ip.text);
    ck_assert_ptr_null(strstr(by_ip.text, "0.0.0.0"));
    ck_assert_msg(by_name.status == 303, "%s", by_name.text);
    snprintf(want, sizeof want, "redirect_uri=http%%3A%%2F%%2Flocalhost%%3A%d%%2Fcallback%%2F"
             "classlink&", port);
    ck_assert_msg(strstr(by_name.text, want) != NULL, "%s", by_name.text);
    /* A callback with another state connects nothing. */
    ck_assert_int_eq(callback.status, 303);
    r = mh("apps");
    ck_assert_msg(strstr(r.out, "not connected"), "%s", r.out);
    tu_result_free(&r);
    free(by_ip.text);
    free(by_name.text);
    free(callback.text);
}
END_TEST

/* A OneRoster CSV app (no simulator needed), installed for an ITxM account
 * or not, and synced once from a folder of three users; its path in
 * export_dir. */
static void csv_app_installed_and_synced(int itxm, char *export_dir, size_t cap)
{
    tu_result r;
    snprintf(export_dir, cap, "%s/export", env.dir);
    ck_assert_int_eq(mkdir(export_dir, 0700), 0);
    csvfx_write_export(export_dir, MANIFEST_BULK, ORGS, USERS);
    r = mh(itxm ? "install oneroster-csv --itxm" : "install oneroster-csv");
    ck_assert_msg(r.status == 0, "%s", r.err);
    tu_result_free(&r);
    r = tu_run("cd %s && %s MOCK_HOST_PLUGINS=%s " TU_MOCK_HOST_FMT " connect oneroster-csv "
               "--source %s && %s MOCK_HOST_PLUGINS=%s " TU_MOCK_HOST_FMT " sync oneroster-csv",
               env.dir, mh_db_env(), tu_build_dir(), tu_build_dir(), export_dir, mh_db_env(),
               tu_build_dir(), tu_build_dir());
    ck_assert_msg(r.status == 0, "%s", r.err);
    tu_result_free(&r);
}

static void csv_app_synced(char *export_dir, size_t cap)
{
    csv_app_installed_and_synced(0, export_dir, cap);
}

/* The Sync page's history says what each run did in words an admin reads,
 * like `mock-host runs`, and the reason of a failed run sits beside it; the
 * stored counts object is never shown as it is (it used to be, one long
 * line of JSON that pushed the Reason column off the screen). */
START_TEST(the_run_history_shows_counts_in_words_and_the_reason_of_a_failure)
{
    char export_dir[1024];
    tu_result r;
    http_reply page;
    const char *row;
    csv_app_synced(export_dir, sizeof export_dir);
    /* The export loses its users.csv: the next run fails, nothing applied. */
    csvfx_write_export(export_dir, NULL, NULL, "");
    r = mh("sync oneroster-csv");
    ck_assert_int_eq(r.status, 1);
    tu_result_free(&r);

    page = http("GET", "/apps/oneroster-csv/sync", NULL, NULL, NULL);
    ck_assert_int_eq(page.status, 200);
    ck_assert_ptr_null(strstr(page.body, "&quot;fetched&quot;"));
    ck_assert_ptr_null(strstr(page.body, "\"fetched\""));
    /* Newest first: the failure with its reason, then the first import. */
    row = strstr(page.body, "<td class=\"outcome\">failed</td>");
    ck_assert_msg(row != NULL, "%s", page.body);
    ck_assert_ptr_nonnull(strstr(row, "0 fetched</td><td>users.csv is empty: it needs a header "
                                      "row</td>"));
    row = strstr(row, "<td class=\"outcome\">complete</td>");
    ck_assert_ptr_nonnull(row);
    ck_assert_ptr_nonnull(strstr(row, "3 fetched, 3 created</td>"));
    free(page.text);
}
END_TEST

/* Filters that match nobody say so; "sync an app to import them" is only
 * for a Users page with nobody on it yet (it sent an admin whose app was
 * synced, and whose search simply matched no one, to sync again). */
/* The href of the link with id `id` on a page (entities decoded), into out. */
static int page_link(const char *body, const char *id, char *out, size_t cap)
{
    char want[64];
    const char *a, *href, *end;
    size_t o = 0;
    snprintf(want, sizeof want, "id=\"%s\"", id);
    if ((a = strstr(body, want)) == NULL)
        return 0;
    for (href = a; href > body && strncmp(href, "<a href=\"", 9) != 0; href--)
        ;
    href += 9;
    end = strchr(href, '"');
    while (href < end && o + 1 < cap) {
        if (strncmp(href, "&amp;", 5) == 0) {
            out[o++] = '&';
            href += 5;
        } else {
            out[o++] = *href++;
        }
    }
    out[o] = '\0';
    return 1;
}

/* The names on a Users page, in order ("|"-separated), into out. */
static void page_names(const char *body, char *out, size_t cap)
{
    const char *p = body;
    size_t o = 0;
    out[0] = '\0';
    while ((p = strstr(p, "<td class=\"name\">")) != NULL && o + 64 < cap) {
        p += 17;
        o += (size_t)snprintf(out + o, cap - o, "%.*s|", (int)strcspn(p, "<"), p);
    }
}

/* GETs path: its names (page_names) into names (8192 bytes); the href of
 * the link `follow` (when not NULL) into link (1024 bytes), which the page
 * must have; the link `absent` (when not NULL) it must not have. */
static void visit(const char *path, char *names, const char *follow, char *link,
                  const char *absent)
{
    char want[64];
    http_reply page = http("GET", path, NULL, NULL, NULL);
    page_names(page.body, names, 8192);
    if (absent != NULL) {
        snprintf(want, sizeof want, "id=\"%s\"", absent);
        ck_assert_msg(strstr(page.body, want) == NULL, "%s on %s", absent, path);
    }
    if (follow != NULL)
        ck_assert_msg(page_link(page.body, follow, link, 1024), "no %s on %s", follow, path);
    free(page.text);
}

/* Paging through a district goes back as well as forward: Previous page
 * from page 3 shows page 2, and from page 2 the first page. */
START_TEST(the_users_page_pages_back_as_well_as_forward)
{
    char link[1024], first[8192], second[8192], third[8192], back2[8192], back1[8192];
    tu_result r;
    sim_start(&env.sim, "--users 120");
    r = MH("connect classlink --server http://127.0.0.1:%d --client-id sim-client "
           "--client-secret-env SEC", env.sim.port);
    ck_assert_msg(r.status == 0, "%s", r.err);
    tu_result_free(&r);
    r = MH("sync classlink");
    ck_assert_msg(r.status == 0, "%s", r.err);
    tu_result_free(&r);

    visit("/users?app=classlink", first, "next-page", link, "previous-page");
    visit(link, second, "next-page", link, NULL);
    visit(link, third, "previous-page", link, "next-page");   /* 120 = 50 + 50 + 20 */
    visit(link, back2, "previous-page", link, NULL);
    visit(link, back1, NULL, NULL, NULL);

    ck_assert_str_ne(first, second);
    ck_assert_str_ne(second, third);
    ck_assert_str_eq(back2, second);
    ck_assert_str_eq(back1, first);
}
END_TEST

START_TEST(users_page_filters_that_match_nobody_do_not_ask_for_a_sync)
{
    char export_dir[1024];
    http_reply page = http("GET", "/users", NULL, NULL, NULL);
    ck_assert_ptr_nonnull(strstr(page.body, "No users yet. Sync an app from its Sync page"));
    free(page.text);
    csv_app_synced(export_dir, sizeof export_dir);
    page = http("GET", "/users?app=oneroster-csv&q=nobody-by-this-name", NULL, NULL, NULL);
    ck_assert_int_eq(page.status, 200);
    ck_assert_msg(strstr(page.body, "<p id=\"no-users\">No users match these filters.</p>"), "%s",
                  page.body);
    ck_assert_ptr_null(strstr(page.body, "Sync an app"));
    free(page.text);
    page = http("GET", "/users?app=oneroster-csv", NULL, NULL, NULL);
    ck_assert_ptr_null(strstr(page.body, "no-users"));
    ck_assert_ptr_nonnull(strstr(page.body, "ann@x.org"));
    free(page.text);
}
END_TEST

/* The checkbox of `path` in a role's fieldset: 1 ticked, 0 not. */
static int ticked(const char *fieldset, const char *role, const char *path)
{
    char id[160], *box, *end;
    snprintf(id, sizeof id, "id=\"f-%s-%s\"", role, path);
    box = strstr(fieldset, id);
    ck_assert_msg(box != NULL, "no box %s in %s", id, fieldset);
    end = strchr(box, '>');
    return strstr(box, " checked") != NULL && strstr(box, " checked") < end;
}

/* Field Mapping ticks what a sync shows: before any choice, the plugin's
 * default fields, said to be the defaults (it ticked nothing, as if a sync
 * would show no field), exactly as `mock-host fields APP` lists them and
 * the Users page shows them; after a choice, the choice. */
START_TEST(field_mapping_ticks_the_fields_a_sync_shows_defaults_included)
{
    char export_dir[1024];
    http_reply page;
    const char *student, *teacher, *note;
    tu_result r;
    csv_app_synced(export_dir, sizeof export_dir);
    r = mh("schema oneroster-csv");   /* the catalogue the page lists */
    ck_assert_msg(r.status == 0, "%s", r.err);
    tu_result_free(&r);
    page = http("GET", "/apps/oneroster-csv/fields", NULL, NULL, NULL);
    ck_assert_int_eq(page.status, 200);
    student = strstr(page.body, "<fieldset id=\"role-student\">");
    teacher = strstr(page.body, "<fieldset id=\"role-teacher\">");
    ck_assert_msg(student != NULL && teacher != NULL, "%s", page.body);
    ck_assert(ticked(student, "student", "givenName"));
    ck_assert(ticked(student, "student", "identifier"));
    ck_assert(ticked(student, "student", "grades"));
    ck_assert(!ticked(student, "student", "middleName"));
    ck_assert(!ticked(student, "student", "metadata.cohort"));
    /* A metadata field is marked so, as markup (it showed the tag as text). */
    ck_assert_ptr_null(strstr(page.body, "&lt;span"));
    ck_assert_msg(strstr(student, "<label for=\"f-student-metadata.cohort\">cohort</label> "
                                  "<span class=\"help\">metadata</span></td>") != NULL, "%.300s",
                  strstr(student, "<label for=\"f-student-metadata.cohort\">"));
    ck_assert(ticked(teacher, "teacher", "email"));
    ck_assert_ptr_nonnull(strstr(student, "No choice saved yet: a sync shows the default fields "
                                          "(givenName, familyName, email, username, identifier, "
                                          "grades), ticked below; they stay the defaults until "
                                          "you save a choice."));
    ck_assert_ptr_nonnull(strstr(teacher, "the default fields (givenName, familyName, email, "
                                          "username, identifier), ticked below"));
    free(page.text);
    /* The command line says the same, from the same answer. */
    r = mh("fields oneroster-csv");
    ck_assert_msg(strstr(r.out, "student        givenName,familyName,email,username,identifier,"
                                "grades  (the defaults, until a choice is saved)\n"), "%s", r.out);
    ck_assert_msg(strstr(r.out, "teacher        givenName,familyName,email,username,identifier  "
                                "(the defaults"), "%s", r.out);
    tu_result_free(&r);
    /* A saved choice replaces the defaults of its role only. */
    r = mh("fields oneroster-csv --role student --show givenName,metadata.cohort");
    ck_assert_msg(r.status == 0, "%s", r.err);
    tu_result_free(&r);
    page = http("GET", "/apps/oneroster-csv/fields", NULL, NULL, NULL);
    student = strstr(page.body, "<fieldset id=\"role-student\">");
    teacher = strstr(page.body, "<fieldset id=\"role-teacher\">");
    ck_assert_msg(student != NULL && teacher != NULL, "%s", page.body);
    note = strstr(student, "No choice saved");   /* not in the student's fieldset */
    ck_assert(note == NULL || note > teacher);
    ck_assert(ticked(student, "student", "givenName"));
    ck_assert(ticked(student, "student", "metadata.cohort"));
    ck_assert(!ticked(student, "student", "familyName"));
    ck_assert_ptr_nonnull(strstr(teacher, "No choice saved yet"));
    free(page.text);
    r = mh("fields oneroster-csv");
    ck_assert_msg(strstr(r.out, "student        givenName,metadata.cohort\n"), "%s", r.out);
    tu_result_free(&r);
}
END_TEST

/* A refused Roster Server URL with a user name and password in it: the
 * form comes back with the address only; the password is nowhere on the
 * page (it was put back into the field's value). */
START_TEST(a_refused_url_with_a_password_comes_back_without_it)
{
    char cookie[128], csrf[80], form[512];
    http_reply post, page;
    const char *field;
    session("/apps/classlink/setup", cookie, sizeof cookie, csrf, sizeof csrf);
    snprintf(form, sizeof form, "server=http%%3A%%2F%%2Fadmin%%3Ahunter2pw%%40127.0.0.1%%3A9&"
             "client_id=sim-client&client_secret=s3cret&csrf=%s", csrf);
    post = http("POST", "/apps/classlink/connect", NULL, cookie, form);
    ck_assert_int_eq(post.status, 303);
    page = http("GET", "/apps/classlink/setup", NULL, cookie, NULL);
    ck_assert_int_eq(page.status, 200);
    ck_assert_ptr_nonnull(strstr(page.body, "class=\"error\""));
    ck_assert_msg(strstr(page.body, "hunter2pw") == NULL, "%.300s",
                  strstr(page.body, "hunter2pw") - 150);
    ck_assert_ptr_null(strstr(page.body, "s3cret"));
    field = strstr(page.body, "id=\"cred-server\"");
    ck_assert_ptr_nonnull(field);
    ck_assert_msg(strncmp(field, "id=\"cred-server\" name=\"server\" value=\"http://127.0.0.1:9\" "
                         "inputmode=\"url\">", 74) == 0, "%.200s", field);
    ck_assert_ptr_nonnull(strstr(page.body, "value=\"sim-client\""));
    ck_assert_ptr_nonnull(strstr(page.body, "not connected"));
    free(post.text);
    free(page.text);
}
END_TEST

/* Nor does a pre-signed link's query (a signature) in a field that is not
 * declared secret (the OneRoster CSV source). */
START_TEST(a_refused_source_link_comes_back_without_its_query)
{
    char cookie[128], csrf[80], form[512];
    http_reply post, page;
    tu_result r = mh("install oneroster-csv");
    tu_result_free(&r);
    session("/apps/oneroster-csv/setup", cookie, sizeof cookie, csrf, sizeof csrf);
    snprintf(form, sizeof form, "source=https%%3A%%2F%%2F127.0.0.1%%3A1%%2Fexport.zip%%3F"
             "X-Amz-Signature%%3Ddeadbeefsecret&csrf=%s", csrf);
    post = http("POST", "/apps/oneroster-csv/connect", NULL, cookie, form);
    ck_assert_int_eq(post.status, 303);
    page = http("GET", "/apps/oneroster-csv/setup", NULL, cookie, NULL);
    ck_assert_ptr_nonnull(strstr(page.body, "class=\"error\""));
    ck_assert_msg(strstr(page.body, "deadbeefsecret") == NULL, "%.300s",
                  strstr(page.body, "deadbeefsecret") - 200);
    ck_assert_msg(strstr(page.body, "value=\"https://127.0.0.1:1/export.zip\"") != NULL, "%.300s",
                  strstr(page.body, "id=\"cred-source\""));
    free(post.text);
    free(page.text);
}
END_TEST

/* The latest job of `app` on its Sync page, once it has finished (the
 * status endpoint polled, a bounded number of times). */
static http_reply finished_sync_page(const char *app)
{
    char path[256];
    int i;
    snprintf(path, sizeof path, "/apps/%s/sync/status.json", app);
    for (i = 0; i < 600; i++) {
        http_reply st = http("GET", path, NULL, NULL, NULL);
        int done = strstr(st.body, "\"running\":false") != NULL;
        free(st.text);
        if (done)
            break;
        usleep(100 * 1000);
    }
    ck_assert_int_lt(i, 600);
    snprintf(path, sizeof path, "/apps/%s/sync", app);
    return http("GET", path, NULL, NULL, NULL);
}

/* "Sync now" while another process (a worker, the command line) syncs the
 * app: the page says the sync was not started because one is running, not
 * that it failed, and never an exit status; a sync that runs says "done". */
START_TEST(sync_now_while_another_sync_runs_says_it_was_not_started)
{
    char export_dir[1024], cookie[128], csrf[80], form[256], err[512], key[1100];
    mh_store *store;
    mh_app app;
    http_reply post, page;
    int lock;
    csv_app_synced(export_dir, sizeof export_dir);
    snprintf(key, sizeof key, "%s/host.key", env.dir);
    setenv("MOCK_HOST_KEY_FILE", key, 1);
    ck_assert_msg(mh_store_open(&store, env.db, err, sizeof err) == 0, "%s", err);
    ck_assert_int_eq(mh_store_app_find(store, "oneroster-csv", &app), 0);
    lock = mh_store_sync_lock(store, app.id);   /* as another process's sync holds it */
    ck_assert_int_ge(lock, 0);
    session("/apps/oneroster-csv/sync", cookie, sizeof cookie, csrf, sizeof csrf);
    snprintf(form, sizeof form, "mode=auto&csrf=%s", csrf);
    post = http("POST", "/apps/oneroster-csv/sync", NULL, cookie, form);
    ck_assert_int_eq(post.status, 303);
    free(post.text);
    page = finished_sync_page("oneroster-csv");
    ck_assert_msg(strstr(page.body, "<p id=\"job-state\">Not started: a sync of oneroster-csv is "
                                    "already running (a worker's or one from the command "
                                    "line).") != NULL, "%.400s", strstr(page.body, "id=\"job\""));
    ck_assert_ptr_null(strstr(page.body, "exit status"));
    ck_assert_ptr_null(strstr(page.body, "failed"));
    free(page.text);
    mh_store_sync_unlock(store, app.id, lock);
    mh_store_close(store);
    /* Once the other sync is over, Sync now runs and says it is done. */
    post = http("POST", "/apps/oneroster-csv/sync", NULL, cookie, form);
    free(post.text);
    page = finished_sync_page("oneroster-csv");
    ck_assert_msg(strstr(page.body, "<p id=\"job-state\">Finished: done.</p>") != NULL, "%.400s",
                  strstr(page.body, "id=\"job\""));
    ck_assert_ptr_null(strstr(page.body, "exit status"));
    free(page.text);
}
END_TEST

/* Role Mapping and Location Mapping before the first sync say only that
 * there is nothing yet (they also said every role or org was mapped). */
START_TEST(mapping_pages_before_the_first_sync_say_only_that_there_is_nothing_yet)
{
    http_reply roles = http("GET", "/apps/classlink/roles", NULL, NULL, NULL);
    http_reply orgs = http("GET", "/apps/classlink/locations", NULL, NULL, NULL);
    ck_assert_int_eq(roles.status, 200);
    ck_assert_int_eq(orgs.status, 200);
    ck_assert_ptr_nonnull(strstr(roles.body, "No users yet: sync the app first."));
    ck_assert_ptr_null(strstr(roles.body, "is mapped"));
    ck_assert_ptr_null(strstr(roles.body, "Unmapped"));
    ck_assert_ptr_nonnull(strstr(orgs.body, "No orgs yet: sync the app first."));
    ck_assert_ptr_null(strstr(orgs.body, "is mapped"));
    ck_assert_ptr_null(strstr(orgs.body, "Unmapped"));
    free(roles.text);
    free(orgs.text);
}
END_TEST

/* A connected app's setup page says what it is connected to: the
 * non-secret values as stored (it showed only "connected since ..."); no
 * secret. */
/* Runs sql on the test's database, either backend (as another program would). */
static void db_exec(const char *sql)
{
    if (env_is_pg()) {
        PGconn *c = PQconnectdb(env.db);
        PGresult *res = PQexec(c, sql);
        ck_assert_msg(PQresultStatus(res) == PGRES_COMMAND_OK, "%s", PQerrorMessage(c));
        PQclear(res);
        PQfinish(c);
    } else {
        sqlite3 *db;
        ck_assert_int_eq(sqlite3_open(env.db, &db), SQLITE_OK);
        ck_assert_msg(sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK, "%s", sqlite3_errmsg(db));
        sqlite3_close(db);
    }
}

START_TEST(the_setup_page_of_a_connected_app_shows_what_it_is_connected_to)
{
    char export_dir[1024], want[1200];
    http_reply page;
    tu_result r;
    const char *box;
    /* ClassLink, connected from the command line to a simulator. */
    sim_start(&env.sim, "--users 20");
    r = MH("connect classlink --server http://127.0.0.1:%d --client-id sim-client "
           "--client-secret-env SEC", env.sim.port);
    ck_assert_msg(r.status == 0, "%s", r.err);
    tu_result_free(&r);
    page = http("GET", "/apps/classlink/setup", NULL, NULL, NULL);
    box = strstr(page.body, "<table id=\"connected-to\">");
    ck_assert_msg(box != NULL, "%.300s", strstr(page.body, "id=\"connection\""));
    snprintf(want, sizeof want, "<th>Roster Server URL</th><td id=\"connected-server\">"
             "http://127.0.0.1:%d", env.sim.port);
    ck_assert_msg(strstr(box, want) != NULL, "%.600s", box);
    ck_assert_ptr_nonnull(strstr(box, "<th>Client ID</th><td id=\"connected-client_id\">sim-client"
                                      "</td>"));
    ck_assert_ptr_nonnull(strstr(box, "<th>Signing</th><td id=\"connected-auth\">oauth1</td>"));
    ck_assert_ptr_null(strstr(page.body, "sim-secret"));
    free(page.text);
    /* A CSV export: its location. */
    csv_app_synced(export_dir, sizeof export_dir);
    page = http("GET", "/apps/oneroster-csv/setup", NULL, NULL, NULL);
    snprintf(want, sizeof want, "<th>OneRoster CSV export</th><td id=\"connected-source\">%s</td>",
             export_dir);
    ck_assert_msg(strstr(page.body, want) != NULL, "%.600s",
                  strstr(page.body, "id=\"connection\""));
    free(page.text);
    /* A pre-signed link stored whole, as an older plugin version did: shown
     * without its query, which is the link's credential. */
    db_exec("UPDATE config SET value = 'https://bucket.example/export.zip?X-Amz-Signature="
            "SECRETSIG' WHERE key = 'source'");
    page = http("GET", "/apps/oneroster-csv/setup", NULL, NULL, NULL);
    ck_assert_ptr_nonnull(strstr(page.body, "<td id=\"connected-source\">https://bucket.example/"
                                            "export.zip</td>"));
    ck_assert_ptr_null(strstr(page.body, "SECRETSIG"));
    free(page.text);
}
END_TEST

/* The console points a browser user at its own pages and buttons where the
 * command line tells its user to run a command: the install notice, the
 * form's help, a sync's unmapped note, the held deactivations (the Confirm
 * button, not `sync --confirm-deactivations`); the command line keeps its
 * own sentences. */
START_TEST(the_console_points_at_its_own_pages_not_at_terminal_commands)
{
    char cookie[128], csrf[80], form[256], export_dir[1024];
    http_reply post, page;
    const char *hold;
    tu_result r;
    session("/marketplace", cookie, sizeof cookie, csrf, sizeof csrf);
    snprintf(form, sizeof form, "plugin=oneroster-csv&itxm=1&csrf=%s", csrf);
    post = http("POST", "/marketplace/install", NULL, cookie, form);
    ck_assert_msg(post.status == 303, "%s", post.text);
    free(post.text);
    page = http("GET", "/apps/oneroster-csv/setup", NULL, cookie, NULL);
    ck_assert_msg(strstr(page.body, "<p>Next: connect it below.</p>") != NULL, "%.600s",
                  strstr(page.body, "Installed"));
    ck_assert_ptr_nonnull(strstr(page.body, "<p>Then, after the first sync, map roles and "
                                            "locations on Role Mapping and Location Mapping.</p>"));
    ck_assert_ptr_null(strstr(page.body, "mock-host connect"));
    ck_assert_ptr_null(strstr(page.body, "mock-host portal-roles"));
    free(page.text);
    /* The credentials' help in the form's words. */
    page = http("GET", "/apps/classlink/setup", NULL, NULL, NULL);
    ck_assert_ptr_nonnull(strstr(page.body, "client id (not needed with bearer signing)."));
    ck_assert_ptr_nonnull(strstr(page.body, "With oauth2 signing, required: the provider"));
    ck_assert_ptr_null(strstr(page.body, "--auth"));
    ck_assert_ptr_null(strstr(page.body, "--token-url"));
    free(page.text);

    /* Synced: its roles are unmapped, then two of three users vanish. */
    snprintf(export_dir, sizeof export_dir, "%s/export", env.dir);
    ck_assert_int_eq(mkdir(export_dir, 0700), 0);
    csvfx_write_export(export_dir, MANIFEST_BULK, ORGS, USERS);
    r = tu_run("cd %s && %s MOCK_HOST_PLUGINS=%s " TU_MOCK_HOST_FMT " connect oneroster-csv "
               "--source %s && %s MOCK_HOST_PLUGINS=%s " TU_MOCK_HOST_FMT " sync oneroster-csv",
               env.dir, mh_db_env(), tu_build_dir(), tu_build_dir(), export_dir, mh_db_env(),
               tu_build_dir(), tu_build_dir());
    ck_assert_msg(r.status == 0, "%s", r.err);
    /* The command line says it its own way. */
    ck_assert_msg(strstr(r.out, "map them with: mock-host roles oneroster-csv --map") != NULL,
                  "%s", r.out);
    tu_result_free(&r);
    csvfx_write_export(export_dir, NULL, NULL, USERS_HEADER
                       "u1,,,true,s1,student,ann,,Ann,Neil,,ID1,ann@x.org,,,,09,,2027,5001\r\n");
    snprintf(form, sizeof form, "mode=full&csrf=%s", csrf);
    post = http("POST", "/apps/oneroster-csv/sync", NULL, cookie, form);
    free(post.text);
    page = finished_sync_page("oneroster-csv");
    ck_assert_msg(strstr(page.body, "Finished: completed, deactivations held.") != NULL, "%.900s",
                  strstr(page.body, "id=\"job\""));
    ck_assert_msg(strstr(page.body, "; map them on Role Mapping") != NULL, "%.900s",
                  strstr(page.body, "id=\"job\""));
    hold = strstr(page.body, "<fieldset id=\"hold\">");
    ck_assert_ptr_nonnull(hold);
    ck_assert_msg(strstr(hold, "If this is expected, confirm them with Confirm deactivations on "
                               "the Sync page") != NULL, "%.600s", hold);
    ck_assert_ptr_nonnull(strstr(hold, "id=\"confirm\""));
    ck_assert_ptr_null(strstr(page.body, "mock-host sync"));
    ck_assert_ptr_null(strstr(page.body, "mock-host roles"));
    ck_assert_ptr_null(strstr(page.body, "mock-host users"));
    ck_assert_ptr_null(strstr(page.body, "--confirm-deactivations"));
    /* Whom it would deactivate is one link away, before the Confirm button. */
    ck_assert_msg(strstr(hold, "See who on the Users page, with the status filter") != NULL,
                  "%.600s", hold);
    ck_assert_ptr_nonnull(strstr(hold, "<a href=\"/users?app=oneroster-csv&amp;status=held\" "
                                       "id=\"review-held\">"));
    free(page.text);
    page = http("GET", "/users?app=oneroster-csv&status=held", NULL, NULL, NULL);
    ck_assert_msg(strstr(page.body, "Dee") != NULL, "%s", page.body);   /* u3, gone from the export */
    ck_assert_ptr_null(strstr(page.body, "Neil"));                      /* u1, still in it */
    ck_assert_ptr_nonnull(strstr(page.body, "<option value=\"held\" selected>"));
    free(page.text);
    page = http("GET", "/apps", NULL, NULL, NULL);
    ck_assert_ptr_nonnull(strstr(page.body, "confirm them with Confirm deactivations"));
    ck_assert_ptr_null(strstr(page.body, "mock-host sync"));
    free(page.text);
}
END_TEST

/* As csv_app_synced, for an ITxM account: roles and orgs unmapped. */
static void csv_itxm_app_synced(char *export_dir, size_t cap)
{
    csv_app_installed_and_synced(1, export_dir, cap);
}

/* "Map" on Role Mapping and Location Mapping says what it did, next to the
 * row, without the command line's text table (it was shown in the row). */
START_TEST(map_on_the_mapping_pages_shows_only_its_outcome)
{
    char export_dir[1024], cookie[128], csrf[80], form[256];
    http_reply post, page;
    const char *row;
    tu_result r;
    csv_itxm_app_synced(export_dir, sizeof export_dir);
    r = mh("portal-roles add Learner");
    ck_assert_msg(r.status == 0, "%s", r.err);
    tu_result_free(&r);
    r = mh("locations add North");
    ck_assert_msg(r.status == 0, "%s", r.err);
    tu_result_free(&r);
    session("/apps/oneroster-csv/roles", cookie, sizeof cookie, csrf, sizeof csrf);
    snprintf(form, sizeof form, "from=student&to=Learner&csrf=%s", csrf);
    post = http("POST", "/apps/oneroster-csv/roles", NULL, cookie, form);
    ck_assert_int_eq(post.status, 303);
    free(post.text);
    page = http("GET", "/apps/oneroster-csv/roles", NULL, cookie, NULL);
    row = strstr(page.body, "<tr id=\"sisrole-student\">");
    ck_assert_ptr_nonnull(row);
    ck_assert_msg(strstr(row, "<div class=\"notice\" role=\"status\" data-field=\"role.student\">"
                              "<p>Applied to the Users page: ") != NULL, "%.900s", row);
    ck_assert_ptr_null(strstr(page.body, "SUGGESTED"));
    ck_assert_ptr_null(strstr(page.body, "SIS ROLE "));
    free(page.text);
    snprintf(form, sizeof form, "from=s1&to=North&csrf=%s", csrf);
    post = http("POST", "/apps/oneroster-csv/locations", NULL, cookie, form);
    free(post.text);
    page = http("GET", "/apps/oneroster-csv/locations", NULL, cookie, NULL);
    row = strstr(page.body, "<tr id=\"org-s1\">");
    ck_assert_ptr_nonnull(row);
    ck_assert_msg(strstr(row, "data-field=\"org.s1\"><p>Applied to the Users page: ") != NULL,
                  "%.900s", row);
    ck_assert_ptr_null(strstr(page.body, "LOCATION "));
    free(page.text);
}
END_TEST

/* A long word in an error note (a 300-character URL) wraps inside the note
 * instead of widening the page: the stylesheet says so for every note. */
START_TEST(a_long_word_in_a_note_wraps)
{
    http_reply css = http("GET", "/static/console.css", NULL, NULL, NULL);
    ck_assert_int_eq(css.status, 200);
    ck_assert_msg(strstr(css.body, ".error,.notice,.output{overflow-wrap:anywhere}") != NULL, "%s",
                  css.body);
    free(css.text);
}
END_TEST

/* The Users page says what it shows: an unknown status is refused visibly
 * (it was read as "inactive"), a user without a location says "(none)" as
 * `mock-host users` does, and counts say they include inactive users, as
 * Role Mapping's do (a sync's summary counts active users). */
START_TEST(the_users_and_mapping_pages_say_what_they_count)
{
    char export_dir[1024];
    http_reply page;
    tu_result r;
    csv_itxm_app_synced(export_dir, sizeof export_dir);
    page = http("GET", "/users?app=oneroster-csv&status=weird", NULL, NULL, NULL);
    ck_assert_int_eq(page.status, 200);
    ck_assert_msg(strstr(page.body, "<p class=\"error\" id=\"bad-status\">There is no status "
                                    "\"weird\": a user is active or inactive (or held: "
                                    "active, and a held run would deactivate them). Showing "
                                    "every status.</p>") != NULL, "%.400s", page.body);
    ck_assert_ptr_nonnull(strstr(page.body, "ann@x.org"));
    ck_assert_ptr_nonnull(strstr(page.body, "<td class=\"locations\">(none)</td>"));
    ck_assert_ptr_nonnull(strstr(page.body, ">student (2 users, active and inactive)</option>"));
    free(page.text);
    r = mh("users --app oneroster-csv");
    ck_assert_msg(strstr(r.out, "(none)") != NULL, "%s", r.out);
    tu_result_free(&r);
    page = http("GET", "/apps/oneroster-csv/roles", NULL, NULL, NULL);
    ck_assert_msg(strstr(page.body, "users of the district's roster (active and inactive) in ")
                  != NULL, "%.400s", strstr(page.body, "id=\"unmapped\""));
    free(page.text);
}
END_TEST

START_TEST(the_whole_setup_flow_in_chromium)
{
    /* The flow's own database: a file in its temp folder, or on PostgreSQL
     * the test's database (given as MOCK_HOST_DB, with its key file). */
    tu_result r;
    env_start_db();
    r = tu_run("%s /usr/bin/python3 %s/tests/browser/console_flow.py %s",
               env_is_pg() ? mh_db_env() : "", tu_src_dir(), tu_build_dir());
    env_stop();
    ck_assert_msg(r.status == 0, "browser suite failed:\n%s\n%s", r.out, r.err);
    ck_assert_ptr_nonnull(strstr(r.out, "12 steps passed"));
    tu_result_free(&r);
}
END_TEST

Suite *suite_console(void)
{
    Suite *s = suite_create("console");
    TCase *tc = tcase_create("http");
    TCase *br = tcase_create("browser");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, a_page_asked_for_under_another_host_name_is_refused);
    tcase_add_test(tc, a_form_without_the_session_token_changes_nothing);
    tcase_add_test(tc, every_page_carries_a_policy_that_allows_only_the_consoles_own_files);
    tcase_add_test(tc, the_admins_words_are_shown_as_text);
    tcase_add_test(tc, an_invalid_setting_shows_the_command_lines_sentence_next_to_its_field);
    tcase_add_test(tc, a_change_while_another_mock_host_writes_says_to_wait);
    tcase_add_test(tc, the_run_history_shows_counts_in_words_and_the_reason_of_a_failure);
    tcase_add_test(tc, users_page_filters_that_match_nobody_do_not_ask_for_a_sync);
    tcase_add_test(tc, the_users_page_pages_back_as_well_as_forward);
    tcase_add_test(tc, a_form_from_the_console_opened_as_localhost_is_accepted);
    tcase_add_test(tc, a_console_on_every_address_answers_to_the_address_reached);
    tcase_add_test(tc, a_console_beyond_this_machine_shows_nothing_before_its_access_code);
    tcase_add_test(tc, two_consoles_on_one_database_keep_their_own_codes);
    tcase_add_test(tc, classlink_login_on_every_address_returns_to_the_address_the_browser_used);
    tcase_add_test(tc, field_mapping_ticks_the_fields_a_sync_shows_defaults_included);
    tcase_add_test(tc, a_refused_url_with_a_password_comes_back_without_it);
    tcase_add_test(tc, a_refused_source_link_comes_back_without_its_query);
    tcase_add_test(tc, sync_now_while_another_sync_runs_says_it_was_not_started);
    tcase_add_test(tc, mapping_pages_before_the_first_sync_say_only_that_there_is_nothing_yet);
    tcase_add_test(tc, the_setup_page_of_a_connected_app_shows_what_it_is_connected_to);
    tcase_add_test(tc, the_console_points_at_its_own_pages_not_at_terminal_commands);
    tcase_add_test(tc, map_on_the_mapping_pages_shows_only_its_outcome);
    tcase_add_test(tc, a_long_word_in_a_note_wraps);
    tcase_add_test(tc, the_users_and_mapping_pages_say_what_they_count);
    suite_add_tcase(s, tc);
    tcase_set_timeout(br, 240);
    tcase_add_test(br, the_whole_setup_flow_in_chromium);
    suite_add_tcase(s, br);
    return s;
}
