/* check_login.c - ClassLink Login end to end against the simulator, with
 * the test playing the admin's browser; and the pre-created card. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <curl/curl.h>

#include "mhtest.h"

static char login_env[1024];

static void setup(void)
{
    tu_result r;
    env_start("--users 150 --bearer app-bearer");
    snprintf(login_env, sizeof login_env,
             "CLASSLINK_CLIENT_ID=lp-client CLASSLINK_CLIENT_SECRET=lp-secret "
             "CLASSLINK_PARTNER_KEY=partner-key CLASSLINK_LAUNCHPAD_URL=http://127.0.0.1:%d "
             "CLASSLINK_NODEAPI_URL=http://127.0.0.1:%d CLASSLINK_PROXY_URL=http://127.0.0.1:%d "
             "CLASSLINK_ALLOWED_DOMAINS=127.0.0.1 MOCK_HOST_LOGIN_TIMEOUT=10",
             env.sim.port, env.sim.port, env.sim.port);
    r = MH("install classlink");
    ck_assert_int_eq(r.status, 0);
    tu_result_free(&r);
}

static void teardown(void)
{
    env_stop();
}

static size_t ignore(char *d, size_t s, size_t n, void *u)
{
    (void)d; (void)u;
    return s * n;
}

/* What the admin's browser showed after the redirect (the last login). */
static char browser_page[4096];

static size_t keep_page(char *d, size_t s, size_t n, void *u)
{
    size_t have = strlen(browser_page), room = sizeof browser_page - 1 - have;
    (void)u;
    memcpy(browser_page + have, d, s * n < room ? s * n : room);
    browser_page[have + (s * n < room ? s * n : room)] = '\0';
    return s * n;
}

static void land_on(const char *url)
{
    CURL *e = curl_easy_init();
    browser_page[0] = '\0';
    curl_easy_setopt(e, CURLOPT_URL, url);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, keep_page);
    curl_easy_perform(e);
    curl_easy_cleanup(e);
}

/* GET url without following; *location gets a redirect target (or NULL). */
static long get(const char *url, char **location)
{
    CURL *e = curl_easy_init();
    long status = 0;
    char *loc = NULL;
    curl_easy_setopt(e, CURLOPT_URL, url);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, ignore);
    curl_easy_perform(e);
    curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_getinfo(e, CURLINFO_REDIRECT_URL, &loc);
    if (location != NULL)
        *location = loc ? strdup(loc) : NULL;
    curl_easy_cleanup(e);
    return status;
}

typedef void (*tamper_fn)(char *callback_url);

/* Runs `connect --login`, plays the browser (optionally tampering with the
 * redirect), and returns mock-host's result. */
static tu_result login(tamper_fn tamper)
{
    char *out_path, *cmd, *line = NULL, *callback = NULL;
    pid_t pid;
    int st, tries;
    size_t cap = 0;
    FILE *f;
    tu_result r;

    ck_assert_int_ne(asprintf(&out_path, "%s/login.out", env.dir), -1);
    ck_assert_int_ne(asprintf(&cmd, "cd %s && %s %s exec %s/mock-host connect "
                              "classlink --login --no-browser >%s 2>%s.err", env.dir, login_env,
                              mh_db_env(), tu_build_dir(), out_path, out_path), -1);
    pid = fork();
    if (pid == 0) {
        execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
        _exit(127);
    }
    for (tries = 0; tries < 100 && callback == NULL; tries++) {
        usleep(50000);
        f = fopen(out_path, "r");
        while (f != NULL && getline(&line, &cap, f) > 0)
            if (strstr(line, "/oauth2/v2/auth?") != NULL) {
                line[strcspn(line, "\n")] = '\0';
                ck_assert_int_eq(get(line, &callback), 302);  /* LaunchPad sends us back */
                break;
            }
        if (f)
            fclose(f);
    }
    ck_assert_ptr_nonnull(callback);
    if (tamper != NULL)
        tamper(callback);
    land_on(callback);  /* the browser lands on the host's loopback listener */
    ck_assert_int_eq(waitpid(pid, &st, 0), pid);
    r = tu_run("cat %s; cat %s.err >&2", out_path, out_path);
    r.status = WEXITSTATUS(st);
    free(line);
    free(callback);
    free(cmd);
    free(out_path);
    return r;
}

static void assert_nothing_stored(void)
{
    tu_result r = MH("apps");
    ck_assert_ptr_nonnull(strstr(r.out, "not connected"));
    ck_assert_ptr_nonnull(strstr(r.out, "credentials: none"));
    tu_result_free(&r);
    /* and the login's state is spent: the same redirect cannot be replayed */
    r = mh_db_sql("SELECT count(*) FROM config WHERE key LIKE 'pending.%'");
    ck_assert_str_eq(r.out, "0\n");
    tu_result_free(&r);
}

START_TEST(tenant_admin_connects_the_district)
{
    tu_result r = login(NULL);
    ck_assert_msg(r.status == 0, "%s%s", r.out, r.err);
    ck_assert_ptr_nonnull(strstr(r.out, "Connected classlink to Springfield Unified School District"));
    ck_assert_msg(strstr(browser_page, "Connected classlink."), "%s", browser_page);
    ck_assert_ptr_nonnull(strstr(r.out, "Users the app can see: 150"));
    tu_result_free(&r);
    r = MH("sync classlink");
    ck_assert_int_eq(r.status, 0);
    tu_result_free(&r);
    ck_assert_int_eq(users_page().total, 150);
    ck_assert_int_eq(mh_db_count("lp-secret"), 0);
    ck_assert_int_eq(mh_db_count("partner-key"), 0);
    ck_assert_int_eq(mh_db_count("sim-secret"), 0);
}
END_TEST

/* ClassLink's tenant ids are short numbers today, but nothing promises it:
 * a longer one is matched whole against the proxy's list (never cut so that
 * it matches nothing, or another tenant), and one too long to keep is
 * refused with a sentence that says so. */
START_TEST(a_long_tenant_id_is_matched_whole_and_an_oversized_one_is_refused)
{
    char id[301];
    tu_result r;

    memset(id, '7', 300);
    id[300] = '\0';
    free(sim_get(&env.sim, "/_sim/reset?tenant_id=%s", id));
    r = login(NULL);
    ck_assert_int_eq(r.status, 1);
    ck_assert_msg(strstr(r.err, "tenant id of 300 characters"), "%s", r.err);
    ck_assert_ptr_nonnull(strstr(r.err, "Nothing was saved"));
    tu_result_free(&r);
    assert_nothing_stored();

    id[100] = '\0';
    free(sim_get(&env.sim, "/_sim/reset?tenant_id=%s", id));
    r = login(NULL);
    ck_assert_msg(r.status == 0, "%s%s", r.out, r.err);
    ck_assert_ptr_nonnull(strstr(r.out, "Connected classlink to Springfield Unified School District"));
    tu_result_free(&r);
}
END_TEST

static const struct { const char *sim; const char *text; } refusals[] = {
    {"login_role=Teacher", "only a ClassLink tenant administrator can connect a district; "
                           "Jordan Doe signed in as a Teacher"},
    {"login_role=Student", "signed in as a Student"},
    {"login_deny=1", "the ClassLink sign-in was declined"},
    {"app_installed=0", "has not added the app as a Roster Server application"},
    {"endpoint_url=https://roster.attacker.example", "not under ClassLink's domains"},
};

START_TEST(refusals_say_why_and_store_nothing)
{
    tu_result r;
    free(sim_get(&env.sim, "/_sim/reset?%s", refusals[_i].sim));
    r = login(NULL);
    ck_assert_int_eq(r.status, 1);
    ck_assert_msg(strstr(r.err, refusals[_i].text), "expected \"%s\" in %s", refusals[_i].text, r.err);
    ck_assert_ptr_nonnull(strstr(r.err, "Nothing was saved"));
    tu_result_free(&r);
    assert_nothing_stored();
}
END_TEST

/* Before the real redirect, other GETs of the loopback callback arrive
 * (another local program, a web page that found the port): one with a
 * wrong state, one with none, one with no query at all.  Each gets 400 and
 * a page saying it was ignored; the wait goes on. */
static void stray_callbacks_first(char *url)
{
    char *stray = strdup(url), *s = strstr(stray, "state="), *nostate, *bare;
    ck_assert_ptr_nonnull(s);
    s[6] = s[6] == 'a' ? 'b' : 'a';
    ck_assert_int_ne(asprintf(&nostate, "%.*s?code=stolen", (int)strcspn(url, "?"), url), -1);
    ck_assert_int_ne(asprintf(&bare, "%.*s", (int)strcspn(url, "?"), url), -1);
    ck_assert_int_eq(get(stray, NULL), 400);
    ck_assert_int_eq(get(nostate, NULL), 400);
    ck_assert_int_eq(get(bare, NULL), 400);
    land_on(stray);
    ck_assert_msg(strstr(browser_page, "not the sign-in mock-host is waiting for"), "%s",
                  browser_page);
    free(stray);
    free(nostate);
    free(bare);
}

static void spend_the_code(char *url)
{
    /* Someone else redeems the code first: it is single-use. */
    char *code = strstr(url, "code=") + 5, form[256], tok_url[128];
    CURL *e = curl_easy_init();
    snprintf(form, sizeof form, "client_id=lp-client&client_secret=lp-secret&code=%.*s",
             (int)strcspn(code, "&"), code);
    snprintf(tok_url, sizeof tok_url, "http://127.0.0.1:%d/oauth2/v2/token", env.sim.port);
    curl_easy_setopt(e, CURLOPT_URL, tok_url);
    curl_easy_setopt(e, CURLOPT_POSTFIELDS, form);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, ignore);
    curl_easy_perform(e);
    curl_easy_cleanup(e);
}

START_TEST(a_stray_callback_is_ignored_and_the_real_redirect_connects)
{
    tu_result r = login(stray_callbacks_first);
    ck_assert_msg(r.status == 0, "%s%s", r.out, r.err);
    ck_assert_ptr_nonnull(strstr(r.out, "Connected classlink to Springfield Unified School District"));
    ck_assert_msg(strstr(browser_page, "Connected classlink."), "%s", browser_page);
    tu_result_free(&r);
}
END_TEST

START_TEST(a_spent_code_is_refused)
{
    tu_result r = login(spend_the_code);
    ck_assert_int_eq(r.status, 1);
    ck_assert_msg(strstr(r.err, "refused the sign-in code"), "%s", r.err);
    tu_result_free(&r);
    /* The browser is told the truth, not "received" for a failed connection. */
    ck_assert_msg(strstr(browser_page, "Could not connect classlink") &&
                  strstr(browser_page, "refused the sign-in code") &&
                  !strstr(browser_page, "Connected"), "%s", browser_page);
    assert_nothing_stored();
}
END_TEST

START_TEST(a_district_without_direct_credentials_connects_through_the_proxy)
{
    tu_result r;
    free(sim_get(&env.sim, "/_sim/reset?server_creds=0"));
    r = login(NULL);
    ck_assert_msg(r.status == 0, "%s", r.err);
    ck_assert_ptr_nonnull(strstr(r.out, "/MoYPlyQWmG0%3D/ims/oneroster/v1p1"));
    tu_result_free(&r);
    r = MH("sync classlink");
    ck_assert_int_eq(r.status, 0);
    tu_result_free(&r);
    ck_assert_int_eq(users_page().total, 150);
}
END_TEST

START_TEST(the_pre_created_card_syncs_with_no_setup)
{
    char *file, json[512];
    tu_result r;
    snprintf(json, sizeof json, "{\"apps\":[{\"plugin\":\"classlink\",\"name\":\"district-sis\","
             "\"credentials\":{\"server\":\"http://127.0.0.1:%d/ims/oneroster/v1p1\",\"auth\":\"oauth1\","
             "\"client_id\":\"sim-client\"},\"secrets_env\":{\"client_secret\":\"LEGACY\"}}]}",
             env.sim.port);
    file = tu_write_file(env.dir, "existing.json", json);
    /* The secret is read from LEGACY once, by provision; sync and apps
     * run without it. */
    r = mh_with_env("LEGACY=sim-secret", "provision %s", file);
    ck_assert_msg(r.status == 0, "%s", r.err);
    ck_assert_ptr_nonnull(strstr(r.out, "district-sis: installed and connected"));
    ck_assert_ptr_null(strstr(r.out, "sim-secret"));
    tu_result_free(&r);
    r = MH("sync district-sis");
    ck_assert_msg(r.status == 0, "%s", r.err);
    ck_assert_ptr_nonnull(strstr(r.out, "fetched 150 users"));
    tu_result_free(&r);
    r = MH("apps");
    ck_assert_msg(r.status == 0, "%s", r.err);
    ck_assert_ptr_null(strstr(r.out, "sim-secret"));
    tu_result_free(&r);
    r = MH("provision %s", file);
    ck_assert_ptr_nonnull(strstr(r.out, "already installed and connected; left as it is"));
    tu_result_free(&r);
    free(file);
}
END_TEST

/* A pre-created card is verified like connect: a wrong secret leaves a card
 * that needs attention, never one called connected; a bare server URL is
 * read as connect reads it; unknown keys are refused before anything is
 * stored. */
START_TEST(pre_created_cards_are_verified_like_connect)
{
    char *file, json[768];
    tu_result r;
    snprintf(json, sizeof json, "{\"apps\":[{\"plugin\":\"classlink\",\"name\":\"typo\","
             "\"credentials\":{\"server\":\"http://127.0.0.1:%d\"},\"client_secret_env\":\"X\"}]}",
             env.sim.port);
    file = tu_write_file(env.dir, "typo.json", json);
    r = MH("provision %s", file);
    ck_assert_int_eq(r.status, 1);
    ck_assert_msg(strstr(r.err, "unknown key \"client_secret_env\""), "%s", r.err);
    tu_result_free(&r);
    r = MH("apps");
    ck_assert_ptr_null(strstr(r.out, "typo"));  /* nothing of the file was stored */
    tu_result_free(&r);
    free(file);

    snprintf(json, sizeof json, "{\"apps\":[{\"plugin\":\"classlink\",\"name\":\"wrong-secret\","
             "\"credentials\":{\"server\":\"http://127.0.0.1:%d\",\"client_id\":\"sim-client\"},"
             "\"secrets_env\":{\"client_secret\":\"WRONG\"}},"
             "{\"plugin\":\"classlink\",\"name\":\"bare-url\",\"credentials\":{\"server\":"
             "\"http://127.0.0.1:%d\",\"client_id\":\"sim-client\"},\"secrets_env\":"
             "{\"client_secret\":\"SEC\"}}]}", env.sim.port, env.sim.port);
    file = tu_write_file(env.dir, "cards.json", json);
    r = mh_with_env("WRONG=not-the-secret", "provision %s", file);
    ck_assert_int_eq(r.status, 1);
    ck_assert_msg(strstr(r.err, "wrong-secret: installed, but its credentials did not work") &&
                  strstr(r.err, "HTTP 401"), "%s", r.err);
    ck_assert_msg(strstr(r.out, "bare-url: installed and connected"), "%s", r.out);
    tu_result_free(&r);
    r = MH("apps");
    ck_assert_msg(strstr(r.out, "needs attention: ") != NULL, "%s", r.out);
    ck_assert_ptr_nonnull(strstr(r.out, "HTTP 401"));
    tu_result_free(&r);
    mh_fails(1, "not connected", "sync wrong-secret");
    mh_ok("sync bare-url");
    free(file);
}
END_TEST

static const struct { const char *fault; int ok; const char *text; } login_faults[] = {
    {"kind=503&path=/oauth2/v2/token&count=1", 1, NULL},
    {"kind=429&path=/applications&count=2&retry_after=0", 1, NULL},
    {"kind=502&path=/v2/my/info&count=1", 1, NULL},
    {"kind=500&path=/v2/my/info&count=-1", 0, "ClassLink (nodeapi) failed with HTTP 500"},
    {"kind=html&path=/applications&count=-1", 0, "not a JSON object"},
};

START_TEST(login_recovers_from_transient_faults_and_fails_clearly)
{
    tu_result r;
    free(sim_get(&env.sim, "/_sim/fault?%s", login_faults[_i].fault));
    env_config("retry_base_ms", "5");
    r = login(NULL);
    if (login_faults[_i].ok) {
        ck_assert_msg(r.status == 0, "%s: %s", login_faults[_i].fault, r.err);
    } else {
        ck_assert_int_eq(r.status, 1);
        ck_assert_msg(strstr(r.err, login_faults[_i].text), "expected \"%s\" in %s",
                      login_faults[_i].text, r.err);
        assert_nothing_stored();
    }
    tu_result_free(&r);
}
END_TEST

Suite *suite_login(void)
{
    Suite *s = suite_create("login");
    TCase *tc = tcase_create("login");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, tenant_admin_connects_the_district);
    tcase_add_test(tc, a_long_tenant_id_is_matched_whole_and_an_oversized_one_is_refused);
    tcase_add_loop_test(tc, refusals_say_why_and_store_nothing, 0,
                        (int)(sizeof refusals / sizeof refusals[0]));
    tcase_add_test(tc, a_stray_callback_is_ignored_and_the_real_redirect_connects);
    tcase_add_test(tc, a_spent_code_is_refused);
    tcase_add_test(tc, a_district_without_direct_credentials_connects_through_the_proxy);
    tcase_add_test(tc, the_pre_created_card_syncs_with_no_setup);
    tcase_add_test(tc, pre_created_cards_are_verified_like_connect);
    tcase_add_loop_test(tc, login_recovers_from_transient_faults_and_fails_clearly, 0,
                        (int)(sizeof login_faults / sizeof login_faults[0]));
    suite_add_tcase(s, tc);
    return s;
}
