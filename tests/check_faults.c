/*
 * check_faults.c - every simulator fault against a full sync: the expected
 * outcome (recovered, or a clear failure), and the invariant that nothing on
 * the Users page is lost or wrongly deactivated.
 *
 * Each case starts from a synced 300-user district from which 10 users were
 * then removed: a sync that recovers deactivates exactly those 10; a sync
 * that fails or reads an inconsistent snapshot deactivates nobody.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mhtest.h"

typedef struct fault_case {
    const char *name;
    const char *fault;       /* query string for /_sim/fault */
    const char *config;      /* "key=value ..." applied before the sync, or NULL */
    const char *outcome;     /* complete, partial or failed */
    const char *text;        /* expected in the sync's output, or NULL */
} fault_case;

static const fault_case cases[] = {
    {"429 with Retry-After", "kind=429&path=/users&count=2&retry_after=1", NULL, "complete", NULL},
    {"429 without Retry-After", "kind=429&path=/users&count=3", NULL, "complete", NULL},
    {"503 twice", "kind=503&path=/users&count=2", NULL, "complete", NULL},
    {"502 on orgs", "kind=502&path=/orgs&count=1", NULL, "complete", NULL},
    {"reset mid-body", "kind=reset&path=/users&skip=1&arg=6000", NULL, "complete", NULL},
    {"truncated JSON", "kind=truncate&path=/users&arg=3000", NULL, "complete", NULL},
    {"slow once", "kind=slow&path=/users&arg=2500", "request_timeout_ms=700", "complete", NULL},
    {"HTML 200 once", "kind=html&path=/users", NULL, "complete", NULL},
    {"500 forever", "kind=500&path=/users&count=-1", NULL, "failed", "failed with HTTP 500 through 6 attempts"},
    {"429 forever", "kind=429&path=/users&count=-1&retry_after=0", "retry_budget_ms=1500", "failed",
     "kept throttling requests (HTTP 429)"},
    {"slow forever", "kind=slow&path=/users&count=-1&arg=2500",
     "request_timeout_ms=600 max_attempts=2", "failed", "did not answer in time"},
    {"HTML 200 forever", "kind=html&path=/users&count=-1", "max_attempts=2", "failed", "HTML page instead of JSON"},
    {"empty 200 forever", "kind=empty&path=/users&count=-1", "max_attempts=2", "failed", "empty answer"},
    {"total too high", "kind=lie_total&path=/users&count=-1&arg=50", NULL, "partial", "promised 340 records"},
    {"total too low", "kind=lie_total&path=/users&count=-1&arg=-50", NULL, "partial", "said 240 records but sent 290"},
    {"huge total", "kind=lie_total&path=/users&count=-1&arg=1000000000000", NULL, "partial", "promised"},
    {"negative total", "kind=lie_total&path=/users&count=-1&arg=-10000", NULL, "partial", "invalid X-Total-Count"},
    {"duplicates across pages", "kind=dup&path=/users&skip=1&arg=5", NULL, "partial", "appeared on two pages"},
    {"revision change", "kind=rev&path=/users&skip=1", NULL, "partial", "revision changed"},
    {"401", "kind=401&path=/users&count=-1", NULL, "failed", "rejected the credentials (HTTP 401)"},
    {"a 10 MB name", "kind=bigname&path=/users", NULL, "partial", "could not be read well enough"},
    /* The same faults while the orgs are read, the phase before users. */
    {"orgs: 429 with Retry-After", "kind=429&path=/orgs&count=2&retry_after=0", NULL, "complete", NULL},
    {"orgs: 503 twice", "kind=503&path=/orgs&count=2", NULL, "complete", NULL},
    {"orgs: reset mid-body", "kind=reset&path=/orgs&arg=300", NULL, "complete", NULL},
    {"orgs: truncated JSON", "kind=truncate&path=/orgs&arg=300", NULL, "complete", NULL},
    {"orgs: HTML 200 once", "kind=html&path=/orgs", NULL, "complete", NULL},
    {"orgs: 500 forever", "kind=500&path=/orgs&count=-1", NULL, "failed", "failed with HTTP 500"},
    {"orgs: empty 200 forever", "kind=empty&path=/orgs&count=-1", "max_attempts=2", "failed", "empty answer"},
    {"orgs: total too high", "kind=lie_total&path=/orgs&count=-1&arg=50", NULL, "partial", "orgs: the server promised"},
    {"orgs: 403", "kind=403&path=/orgs&count=-1", NULL, "failed", "the \"Full\" permission"},
    {"a record that never ends", "kind=endless&path=/users&count=-1",
     "request_timeout_ms=1500 max_attempts=2", "failed", "did not answer in time"},
    {"403", "kind=403&path=/users&count=-1", NULL, "failed", "the \"Full\" permission"},
};

static void setup(void)
{
    tu_result r;
    env_start("--users 300 --schools 4");
    env_connect();
    r = MH("sync classlink --full");
    ck_assert_msg(r.status == 0, "%s", r.err);
    tu_result_free(&r);
    free(sim_get(&env.sim, "/_sim/mutate?remove=10"));
}

static void teardown(void)
{
    env_stop();
}

static void apply_config(const char *config)
{
    char *copy, *tok, *save = NULL;
    if (config == NULL)
        return;
    copy = strdup(config);
    for (tok = strtok_r(copy, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
        char *eq = strchr(tok, '=');
        *eq = '\0';
        env_config(tok, eq + 1);
    }
    free(copy);
}

START_TEST(fault_has_its_outcome_and_loses_nothing)
{
    const fault_case *c = &cases[_i];
    page_counts before = users_page(), after;
    char *page_before = users_json(), *page_after, *outcome;
    tu_result r;

    ck_assert_int_eq(before.active, 300 - before.inactive);
    apply_config(c->config);
    free(sim_get(&env.sim, "/_sim/fault?%s", c->fault));
    r = MH("sync classlink --full");
    outcome = last_run_outcome();
    ck_assert_msg(strcmp(outcome, c->outcome) == 0, "%s: outcome %s, expected %s\n%s%s", c->name,
                  outcome, c->outcome, r.out, r.err);
    ck_assert_int_eq(r.status, strcmp(c->outcome, "failed") == 0 ? 1 : 0);
    if (c->text != NULL)
        ck_assert_msg(strstr(r.out, c->text) || strstr(r.err, c->text), "%s: \"%s\" not in:\n%s%s",
                      c->name, c->text, r.out, r.err);
    after = users_page();
    ck_assert_int_eq(after.total, before.total);  /* never a duplicate, never a loss */
    if (strcmp(c->outcome, "complete") == 0) {
        ck_assert_int_eq(after.active, before.active - 10);
        ck_assert_int_eq(last_run_count("fetched"), 290);
    } else {
        ck_assert_int_eq(after.active, before.active);  /* nobody deactivated */
    }
    if (strcmp(c->outcome, "failed") == 0) {
        page_after = users_json();
        ck_assert_str_eq(page_after, page_before);  /* the Users page as it was */
        ck_assert_msg(strstr(r.err, "The Users page is unchanged"), "%s", r.err);
        free(page_after);
    }
    free(outcome);
    free(page_before);
    tu_result_free(&r);
}
END_TEST

/* An incomplete delta applies what it read but keeps the watermark, so
 * the next delta reads the same changes again: the watermark is the newest
 * change seen, and a change on a page that was skipped could be older. */
START_TEST(an_incomplete_delta_keeps_the_watermark)
{
    tu_result r;
    char *outcome;
    env_config("delta_overlap_s", "0");  /* no overlap window to hide the watermark's move */
    free(sim_get(&env.sim, "/_sim/mutate?change=5"));
    free(sim_get(&env.sim, "/_sim/fault?kind=lie_total&path=/users&arg=50"));
    r = MH("sync classlink --delta");
    ck_assert_msg(r.status == 0, "%s%s", r.out, r.err);
    ck_assert_msg(strstr(r.out, "Incomplete, so the next delta reads again from where this one "
                               "began: users: "), "%s", r.out);
    tu_result_free(&r);
    outcome = last_run_outcome();
    ck_assert_str_eq(outcome, "partial");
    free(outcome);
    ck_assert_int_eq(last_run_count("fetched"), 5);
    r = MH("sync classlink --delta");
    ck_assert_msg(r.status == 0, "%s%s", r.out, r.err);
    tu_result_free(&r);
    outcome = last_run_outcome();
    ck_assert_str_eq(outcome, "complete");
    free(outcome);
    ck_assert_int_eq(last_run_count("fetched"), 5);  /* read again, not skipped */
    r = MH("sync classlink --delta");
    tu_result_free(&r);
    ck_assert_int_eq(last_run_count("fetched"), 0);  /* a complete delta moves it on */
}
END_TEST

Suite *suite_faults(void)
{
    Suite *s = suite_create("faults");
    TCase *tc = tcase_create("faults");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_loop_test(tc, fault_has_its_outcome_and_loses_nothing, 0,
                        (int)(sizeof cases / sizeof cases[0]));
    tcase_add_test(tc, an_incomplete_delta_keeps_the_watermark);
    suite_add_tcase(s, tc);
    return s;
}
