/* check_sync.c - what a district admin relies on: the Users page matches
 * the district after full and delta runs, deactivation is safe, runs are
 * atomic under kill -9, and memory does not grow with the district. */
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mhtest.h"
#include "pgtest.h"

static void setup(void)
{
    env_start("--users 300 --schools 4");
    env_connect();
}

static void teardown(void)
{
    env_stop();
}

static void sync_ok(const char *args)
{
    tu_result r = MH("sync classlink %s", args);
    ck_assert_msg(r.status == 0, "sync %s failed: %s%s", args, r.out, r.err);
    tu_result_free(&r);
}

/* The Users page agrees with the simulator's own truth. */
static void assert_matches_truth(void)
{
    page_counts c = users_page();
    long long active = sim_stat(&env.sim, "active"), ever = sim_stat(&env.sim, "ever");
    ck_assert_int_eq(c.total, ever);
    ck_assert_int_eq(c.active, active);
}

START_TEST(full_then_delta_matches_the_district)
{
    sync_ok("");  /* no watermark yet: a full run */
    assert_matches_truth();
    free(sim_get(&env.sim, "/_sim/mutate?change=7&add=4&tobedeleted=3&disable=2"));
    sync_ok("");  /* a delta now */
    ck_assert_int_eq(last_run_count("created"), 4);
    assert_matches_truth();
    free(sim_get(&env.sim, "/_sim/mutate?remove=6"));
    sync_ok("--delta");
    ck_assert_int_eq(last_run_count("deactivated"), 0);  /* deltas never deactivate by absence */
    sync_ok("--full");
    ck_assert_int_eq(last_run_count("deactivated"), 6);
    assert_matches_truth();
}
END_TEST

START_TEST(rerun_writes_nothing_and_dry_run_changes_nothing)
{
    char *before, *after;
    tu_result r;
    sync_ok("--full");
    sync_ok("--full");
    ck_assert_int_eq(last_run_count("created"), 0);
    ck_assert_int_eq(last_run_count("updated"), 0);
    ck_assert_int_eq(last_run_count("unchanged"), 300);
    free(sim_get(&env.sim, "/_sim/mutate?change=5&remove=3&add=2"));
    before = users_json();
    r = MH("sync classlink --full --dry-run");
    ck_assert_int_eq(r.status, 0);
    ck_assert_msg(strstr(r.out, "would be: 2 created, 5 updated") && strstr(r.out, "3 deactivated"),
                  "%s", r.out);
    tu_result_free(&r);
    after = users_json();
    ck_assert_str_eq(after, before);
    free(before);
    free(after);
    assert_last_outcome("dry-run");
}
END_TEST

static int occurrences(const char *text, const char *what)
{
    int n = 0;
    for (; (text = strstr(text, what)) != NULL; text++)
        n++;
    return n;
}

/* Before a confirmation, `users --held` lists the active users the held run
 * would deactivate, and the hold's sentence says how to see them; the
 * confirmation then deactivates exactly those, and nobody is held any more. */
static void held_list_is_whom_the_confirmation_deactivates(page_counts before, long long held)
{
    tu_result r = MH("users --app classlink --held --json");
    char *listed = r.out;
    ck_assert_msg(r.status == 0, "%s", r.err);
    ck_assert_int_eq(occurrences(listed, "\"sourcedId\""), held);
    ck_assert_int_eq(occurrences(listed, "\"status\":\"active\""), held);
    free(r.err);
    r = MH("apps");
    ck_assert_msg(strstr(r.out, "See who: mock-host users --app classlink --held"), "%s", r.out);
    tu_result_free(&r);
    sync_ok("--full --confirm-deactivations");
    assert_matches_truth();
    ck_assert_int_eq(users_page().total, 300);
    ck_assert_int_eq(users_page().active, before.active - held);
    /* Each listed user is now inactive. */
    r = MH("users --app classlink --json");
    {
        const char *p = listed;
        while ((p = strstr(p, "\"sourcedId\":")) != NULL) {
            char id[128], want[200];
            ck_assert_int_eq(sscanf(p, "\"sourcedId\":\"%127[^\"]\"", id), 1);
            const char *row, *status;
            snprintf(want, sizeof want, "\"sourcedId\":\"%s\",", id);
            row = strstr(r.out, want);
            ck_assert_msg(row != NULL, "%s not on the page", id);
            status = strstr(row, "\"status\":\"");
            ck_assert_msg(status != NULL && strncmp(status + 10, "inactive\"", 9) == 0,
                          "%s was held but is not inactive", id);
            p++;
        }
    }
    tu_result_free(&r);
    free(listed);
    r = MH("users --app classlink --held");
    ck_assert_msg(r.status == 0 && strstr(r.out, "(no deactivations are held for classlink)"),
                  "%s%s", r.out, r.err);
    tu_result_free(&r);
}

START_TEST(a_shrunken_roster_is_held_until_confirmed)
{
    tu_result r;
    char expect[128];
    page_counts before;
    long long held;
    sync_ok("--full");
    before = users_page();
    free(sim_get(&env.sim, "/_sim/mutate?remove=270"));
    r = MH("sync classlink --full");
    ck_assert_msg(r.status == 3, "a held run exits 3, got %d: %s", r.status, r.err);
    ck_assert_msg(strstr(r.out, "HELD: ") && strstr(r.out, "active users (90%) are missing") &&
                  strstr(r.out, "--confirm-deactivations"), "%s", r.out);
    tu_result_free(&r);
    assert_last_outcome("held");
    held = last_run_count("held");
    ck_assert_int_gt(held, 250);
    ck_assert_int_eq(users_page().active, before.active);
    /* Installed Apps shows the hold until it is dealt with. */
    snprintf(expect, sizeof expect, "deactivation of %lld users held since", last_run_count("held"));
    r = MH("apps");
    ck_assert_int_eq(r.status, 0);
    ck_assert_msg(strstr(r.out, "HELD: ") && strstr(r.out, expect) &&
                  strstr(r.out, "mock-host sync classlink --full --confirm-deactivations"), "%s", r.out);
    tu_result_free(&r);
    /* The automatic delta cannot see removed users: it says the hold is still there. */
    r = MH("sync classlink");
    ck_assert_msg(r.status == 3, "a delta with a hold pending exits 3, got %d: %s", r.status, r.err);
    ck_assert_msg(strstr(r.out, "Delta sync") && strstr(r.out, "STILL HELD from an earlier run: ") &&
                  strstr(r.out, expect), "%s", r.out);
    tu_result_free(&r);
    /* So does the cron form (on PostgreSQL it queues, and the worker's round says so). */
    if (pgtest_active()) {
        r = MH("sync --all");
        ck_assert_msg(r.status == 0 && strstr(r.out, "Queued 1 app for the workers"), "%s%s",
                      r.out, r.err);
        tu_result_free(&r);
        r = MH("worker --once");
        ck_assert_msg(r.status == 3 && strstr(r.out, "0 complete, 1 with deactivations held"),
                      "%d: %s%s", r.status, r.out, r.err);
    } else {
        r = MH("sync --all");
        ck_assert_int_eq(r.status, 3);
        ck_assert_msg(strstr(r.out, "Synced 1 app: 0 complete, 1 with deactivations held, 0 "
                                    "failed."), "%s", r.out);
    }
    tu_result_free(&r);
    ck_assert_int_eq(users_page().active, before.active);  /* nothing was lost meanwhile */
    held_list_is_whom_the_confirmation_deactivates(before, held);
    r = MH("apps");
    ck_assert_msg(strstr(r.out, "HELD") == NULL, "the hold is cleared once confirmed: %s", r.out);
    tu_result_free(&r);
    sync_ok("");  /* and a later run exits 0 again */
}
END_TEST

/* A confirmation covers the count the admin was shown: when more users
 * are missing by the time it runs, it holds again with the new count. */
START_TEST(a_confirmation_never_applies_more_than_was_held)
{
    tu_result r;
    page_counts before;
    long long held;
    char first[64], of_all[64];
    sync_ok("--full");
    before = users_page();
    snprintf(first, sizeof first, "HELD: 40 of %d active users", before.active);
    snprintf(of_all, sizeof of_all, " of %d active users", before.active);
    free(sim_get(&env.sim, "/_sim/mutate?remove=40"));
    r = MH("sync classlink --full");
    ck_assert_msg(r.status == 3 && strstr(r.out, first), "%d: %s", r.status, r.out);
    tu_result_free(&r);
    free(sim_get(&env.sim, "/_sim/mutate?remove=100"));
    r = MH("sync classlink --full --confirm-deactivations");
    ck_assert_msg(r.status == 3, "more missing than confirmed is held again, got %d: %s%s", r.status,
                  r.out, r.err);
    ck_assert_msg(strstr(r.out, "HELD: ") && strstr(r.out, of_all) &&
                  strstr(r.out, "the confirmation was for the 40 held by run") &&
                  strstr(r.out, "--confirm-deactivations"), "%s", r.out);
    tu_result_free(&r);
    ck_assert_int_eq(users_page().active, before.active);
    held = last_run_count("held");
    ck_assert_int_gt(held, 40);
    /* Confirming the count now shown applies it. */
    sync_ok("--full --confirm-deactivations");
    ck_assert_int_eq(users_page().active, before.active - held);
    assert_matches_truth();
}
END_TEST

/* sync --all (the cron form) names an installed app it skips because it
 * is not connected, instead of passing over it in silence. */
START_TEST(sync_all_names_an_app_it_cannot_sync)
{
    tu_result r;
    mh_ok("install oneroster-csv");
    r = MH("sync --all");
    ck_assert_msg(r.status == 0, "%s%s", r.out, r.err);
    ck_assert_msg(strstr(r.out, "oneroster-csv is not connected to a district; run 'mock-host "
                                "connect oneroster-csv'.") != NULL, "%s", r.out);
    ck_assert_msg(strstr(r.out, pgtest_active() ? "Queued 1 app" : "Synced 1 app: 1 complete"),
                  "%s", r.out);
    tu_result_free(&r);
}
END_TEST

START_TEST(the_end_of_a_run_shows_progress_on_the_progress_line)
{
    tu_result r = MH("sync classlink --full");
    const char *absent, *commit, *checkpoint;
    ck_assert_int_eq(r.status, 0);
    absent = strstr(r.err, "progress: checking for absent users…\n");
    commit = strstr(r.err, "progress: committing…\n");
    checkpoint = strstr(r.err, "progress: checkpointing…\n");
    ck_assert_msg(absent && commit && checkpoint && absent < commit && commit < checkpoint,
                  "%s", r.err);
    /* Lines come every few seconds when stderr is no terminal (a log, the
     * console): the users phase still ends on its whole count. */
    {
        const char *whole = strstr(r.err, "progress: users 300 of 300\n");
        ck_assert_msg(whole != NULL && whole < absent, "%s", r.err);
    }
    ck_assert_ptr_nonnull(strstr(r.out, "Full sync of classlink finished"));
    tu_result_free(&r);
    assert_matches_truth();
    /* A dry run commits nothing, so it shows no such step. */
    r = MH("sync classlink --full --dry-run");
    ck_assert_int_eq(r.status, 0);
    ck_assert_ptr_null(strstr(r.err, "committing"));
    tu_result_free(&r);
}
END_TEST

START_TEST(after_disconnect_and_reconnect_the_first_run_is_full)
{
    tu_result r;
    sync_ok("");
    sync_ok("");
    r = MH("runs classlink --json");
    ck_assert_ptr_nonnull(strstr(r.out, "\"mode\":\"delta\""));
    tu_result_free(&r);
    mh_ok("disconnect classlink");
    mh_ok("connect classlink --server http://127.0.0.1:%d --client-id sim-client "
          "--client-secret-env SEC", env.sim.port);
    r = MH("sync classlink");
    ck_assert_msg(r.status == 0 && strstr(r.out, "Full sync of classlink"), "%s%s", r.out, r.err);
    tu_result_free(&r);
    assert_matches_truth();
}
END_TEST

START_TEST(a_hold_is_cleared_by_a_later_full_run_that_needs_none)
{
    tu_result r;
    page_counts before;
    sync_ok("--full");
    before = users_page();
    free(sim_get(&env.sim, "/_sim/mutate?remove=200"));
    r = MH("sync classlink --full");
    ck_assert_int_eq(r.status, 3);
    tu_result_free(&r);
    /* A dry run shows the hold but applies nothing, so it exits 0. */
    r = MH("sync classlink --full --dry-run");
    ck_assert_int_eq(r.status, 0);
    ck_assert_ptr_nonnull(strstr(r.out, "HELD: "));
    tu_result_free(&r);
    free(sim_get(&env.sim, "/_sim/mutate?restore=200"));  /* the district fixed its export */
    sync_ok("--full");
    ck_assert_int_eq(last_run_count("deactivated"), 0);
    ck_assert_int_eq(users_page().active, before.active);
    r = MH("apps");
    ck_assert_msg(strstr(r.out, "HELD") == NULL, "%s", r.out);
    tu_result_free(&r);
}
END_TEST

START_TEST(a_returning_user_is_reactivated_not_duplicated)
{
    page_counts start, gone;
    sync_ok("--full");
    start = users_page();
    free(sim_get(&env.sim, "/_sim/mutate?remove=5"));
    sync_ok("--full");
    gone = users_page();
    assert_matches_truth();
    ck_assert_int_gt(gone.inactive, start.inactive);
    free(sim_get(&env.sim, "/_sim/mutate?restore=5"));
    sync_ok("--full");
    ck_assert_int_eq(last_run_count("reactivated"), start.active - gone.active);
    ck_assert_int_eq(last_run_count("created"), 0);
    ck_assert_int_eq(users_page().active, start.active);
    ck_assert_int_eq(users_page().total, 300);
}
END_TEST

START_TEST(invalid_records_are_skipped_and_counted)
{
    tu_result r;
    page_counts before;
    sync_ok("--full");
    before = users_page();
    free(sim_get(&env.sim, "/_sim/mutate?remove=2"));
    free(sim_get(&env.sim, "/_sim/fault?kind=badrecords&path=/users"));
    r = MH("sync classlink --full");
    ck_assert_int_eq(r.status, 0);
    ck_assert_ptr_nonnull(strstr(r.out, "3 invalid records skipped"));
    /* The summary does not call it complete, and says why once. */
    ck_assert_msg(strstr(r.out, "Full sync of classlink finished in") &&
                  !strstr(r.out, "complete snapshot") &&
                  strstr(r.out, "  Incomplete, so nobody was deactivated by absence: 2 of the 3 "
                                "invalid records could not be read well enough to know whose they "
                                "are\n"), "%s", r.out);
    tu_result_free(&r);
    ck_assert_int_eq(last_run_count("invalid"), 3);
    ck_assert_int_eq(last_run_count("fetched"), 295);
    assert_last_outcome("partial");  /* two could not be identified */
    ck_assert_int_eq(users_page().active, before.active);
    r = MH("runs classlink --json");
    ck_assert_ptr_nonnull(strstr(r.out, "\"record without a sourcedId\":1"));
    ck_assert_ptr_nonnull(strstr(r.out, "\"record with an unknown status\":1"));
    ck_assert_ptr_nonnull(strstr(r.out, "\"record is not valid JSON\":1"));
    tu_result_free(&r);
}
END_TEST

START_TEST(one_run_at_a_time_and_ctrl_c_cancels_cleanly)
{
    tu_result r;
    char *before, *after;
    sync_ok("--full");
    free(sim_get(&env.sim, "/_sim/mutate?change=20"));
    before = users_json();
    free(sim_get(&env.sim, "/_sim/fault?kind=slow&path=/users&arg=1500"));
    r = MH("sync classlink --full & pid=$!; sleep 0.4; SEC=x %s %s/mock-host "
           "sync classlink --full; echo second=$?; kill -INT $pid; wait $pid; echo first=$?",
           mh_db_env(), tu_build_dir());
    ck_assert_msg(strstr(r.err, "a sync of classlink is already running"), "%s", r.err);
    ck_assert_ptr_nonnull(strstr(r.out, "second=1"));
    ck_assert_ptr_nonnull(strstr(r.out, "first=1"));
    ck_assert_msg(strstr(r.err, "sync of classlink cancelled"), "%s", r.err);
    tu_result_free(&r);
    after = users_json();
    ck_assert_str_eq(after, before);
    assert_last_outcome("cancelled");
    /* It applied nothing, so it records no changes (only what it fetched). */
    ck_assert_int_eq(last_run_count("updated"), 0);
    ck_assert_int_eq(last_run_count("unchanged"), 0);
    ck_assert_int_eq(last_run_count("created"), 0);
    ck_assert_int_eq(last_run_count("applied"), 0);
    free(before);
    free(after);
}
END_TEST

START_TEST(a_full_disk_mid_run_changes_nothing)
{
    char *before, *after, pages[64];
    tu_result r;
    sync_ok("--full");
    before = users_json();
    free(sim_get(&env.sim, "/_sim/mutate?add=3000&change=200"));
    r = tu_run("cd %s && sqlite3 host.db 'PRAGMA page_count'", env.dir);
    snprintf(pages, sizeof pages, "MOCK_HOST_DB_MAX_PAGES=%d", atoi(r.out) + 20);
    tu_result_free(&r);
    r = mh_with_env(pages, "sync classlink --full");
    ck_assert_int_eq(r.status, 1);
    ck_assert_msg(strstr(r.err, "database or disk is full") && strstr(r.err, "The Users page is unchanged"),
                  "%s", r.err);
    tu_result_free(&r);
    after = users_json();
    ck_assert_str_eq(after, before);
    assert_last_outcome("failed");
    sync_ok("--full");  /* with room again, the next run completes */
    assert_matches_truth();
    free(before);
    free(after);
}
END_TEST

/* Peak RSS of one `mock-host sync` child, in KiB. */
static long sync_peak_kib(const char *sim_args, const char *page_size)
{
    struct rusage ru;
    pid_t pid;
    int st;
    char *cmd;

    env_start(sim_args);
    env_connect();
    env_config("page_size", page_size);
    ck_assert_int_ne(asprintf(&cmd, "cd %s && MOCK_HOST_DB=%s/host.db exec %s/mock-host sync "
                              "classlink --full >/dev/null 2>&1", env.dir, env.dir, tu_build_dir()), -1);
    pid = fork();
    if (pid == 0) {
        execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
        _exit(127);
    }
    ck_assert_int_eq(wait4(pid, &st, 0, &ru), pid);
    ck_assert_int_eq(WEXITSTATUS(st), 0);
    free(cmd);
    env_stop();
    return ru.ru_maxrss;
}

START_TEST(memory_does_not_grow_with_the_district)
{
    long small, big;
    if (getenv("TEST_SANITIZED") != NULL)
        return;  /* ASan's quarantine and shadow memory make RSS meaningless */
    small = sync_peak_kib("--users 5000", "1000");
    big = sync_peak_kib("--users 50000", "10000");
    /* Ten times the users and ten times the page: at most a few MB more
     * (SQLite's bounded page cache), never proportional. */
    ck_assert_msg(big < small + 8 * 1024, "peak RSS %ld KiB at 50,000 users vs %ld KiB at 5,000",
                  big, small);
}
END_TEST

START_TEST(kill_9_at_any_moment_leaves_a_consistent_page)
{
    int trial, trials = getenv("TEST_KILL_TRIALS") ? atoi(getenv("TEST_KILL_TRIALS")) : 3;
    /* PostgreSQL's variant: a smaller district, so a kill still lands
     * mid-run at its pace and the suite stays quick. */
    int district = pgtest_active() ? 10000 : 50000, window_ms = pgtest_active() ? 1500 : 900;
    tu_result r;
    srand((unsigned)getpid());
    free(sim_get(&env.sim, "/_sim/mutate?add=%d", district - 300));
    for (trial = 0; trial < trials; trial++) {
        int delay_ms = 50 + rand() % window_ms;
        page_counts before = users_page(), after;
        r = MH("sync classlink --full >/dev/null 2>&1 & pid=$!; sleep %d.%03d; kill -9 $pid; "
               "wait $pid; true",
               delay_ms / 1000, delay_ms % 1000);
        tu_result_free(&r);
        after = users_page();
        /* Either the run finished before the kill, or nothing of it shows. */
        ck_assert_msg(after.total == before.total || after.total == district,
                      "trial %d: %d users after a kill (before %d)", trial, after.total, before.total);
        if (!pgtest_active()) {
            r = tu_run("cd %s && sqlite3 host.db 'PRAGMA integrity_check'", env.dir);
            ck_assert_msg(r.status == 0 && strcmp(r.out, "ok\n") == 0, "integrity: %s%s", r.out,
                          r.err);
            tu_result_free(&r);
        }
        free(sim_get(&env.sim, "/_sim/mutate?change=50"));
    }
    sync_ok("--full");
    assert_matches_truth();
    r = MH("runs classlink");
    ck_assert_msg(strstr(r.out, "interrupted") || strstr(r.out, "complete"), "%s", r.out);
    /* A killed run never ended: its time is unknown, not 0.0 s. */
    ck_assert_msg(strstr(r.out, " 0.0 interrupted") == NULL, "%s", r.out);
    ck_assert_msg(!strstr(r.out, "interrupted") || strstr(r.out, "       - interrupted"), "%s",
                  r.out);
    tu_result_free(&r);
}
END_TEST

/* The database holds exactly n active users with a 300-byte sourcedId. */
static void assert_active_users_with_300_byte_ids(int n)
{
    tu_result r = mh_db_sql("SELECT count(*) FROM users WHERE length(sourced_id) = 300 AND "
                            "active = 1");
    char want[16];
    snprintf(want, sizeof want, "%d\n", n);
    ck_assert_str_eq(r.out, want);
    tu_result_free(&r);
}

/* A user whose sourcedId is 300 bytes long, and whose record a later full
 * run refuses (no role), keeps their row as it was: the refusal carries the
 * whole id, so the user counts as seen and is not deactivated by absence. */
START_TEST(a_refused_record_with_a_long_id_keeps_its_user)
{
    free(sim_get(&env.sim, "/_sim/mutate?longid=1"));
    sync_ok("--full");
    assert_matches_truth();
    assert_active_users_with_300_byte_ids(1);
    free(sim_get(&env.sim, "/_sim/mutate?norole=1"));
    sync_ok("--full");
    ck_assert_int_eq(last_run_count("invalid"), 1);
    ck_assert_int_eq(last_run_count("deactivated"), 0);
    assert_matches_truth();
    assert_active_users_with_300_byte_ids(1);
}
END_TEST

/* OneRoster sets no length limit on a sourcedId.  Neighbours whose 300-byte
 * ids share their first 293 bytes are sorted correctly by the server; a
 * full run must not call that "out of order": it is complete, and a user
 * who then disappears is deactivated by absence as with short ids. */
START_TEST(long_ids_that_share_a_long_prefix_still_make_a_complete_run)
{
    tu_result r;
    char *outcome;
    free(sim_get(&env.sim, "/_sim/mutate?longrun=4"));
    sync_ok("--full");
    outcome = last_run_outcome();
    r = MH("runs classlink");
    ck_assert_msg(strcmp(outcome, "complete") == 0, "outcome %s: %s", outcome, r.out);
    ck_assert_ptr_null(strstr(r.out, "out of sourcedId order"));
    tu_result_free(&r);
    free(outcome);
    assert_matches_truth();
    assert_active_users_with_300_byte_ids(4);
    free(sim_get(&env.sim, "/_sim/mutate?remove=3"));
    sync_ok("--full");
    ck_assert_int_eq(last_run_count("deactivated"), 3);
    assert_matches_truth();
}
END_TEST

/* Users the Users page's table holds, read by another process as the
 * console would (read-write, no waiting); -1 when the database is busy. */
static int users_seen_by_another_process(const char *path)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *q = NULL;
    int n = -1;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL) == SQLITE_OK &&
        sqlite3_prepare_v2(db, "SELECT count(*) FROM users", -1, &q, NULL) == SQLITE_OK &&
        sqlite3_step(q) == SQLITE_ROW)
        n = sqlite3_column_int(q, 0);
    sqlite3_finalize(q);
    sqlite3_close(db);
    return n;
}

/* While a first import runs, another process reading the database finds it
 * busy or sees it whole, never part of it, and the import ends complete and
 * intact: the run holds SQLite's locks from its first page to its COMMIT
 * (closing any descriptor of the file mid-run would drop them: store_db.h,
 * wb_fd). */
START_TEST(a_reader_during_a_first_import_sees_none_or_all_of_it)
{
    int district = 30000, partial = 0, reads = 0, st, n;
    char *path, *cmd;
    pid_t pid;
    tu_result r;
    free(sim_get(&env.sim, "/_sim/mutate?add=%d", district - 300));
    ck_assert_int_ne(asprintf(&path, "%s/host.db", env.dir), -1);
    ck_assert_int_ne(asprintf(&cmd, "cd %s && MOCK_HOST_DB=%s exec %s/mock-host sync classlink "
                              "--full >/dev/null 2>&1", env.dir, path, tu_build_dir()), -1);
    pid = fork();
    if (pid == 0) {
        execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
        _exit(127);
    }
    while (waitpid(pid, &st, WNOHANG) == 0) {
        if ((n = users_seen_by_another_process(path)) >= 0) {
            reads++;
            if (n != 0 && n != district)
                partial = n;
        }
        usleep(1000);
    }
    ck_assert_int_eq(WEXITSTATUS(st), 0);
    ck_assert_msg(partial == 0, "another process saw %d of %d users mid-import (%d reads)",
                  partial, district, reads);
    r = tu_run("cd %s && sqlite3 host.db 'PRAGMA integrity_check'", env.dir);
    ck_assert_msg(r.status == 0 && strcmp(r.out, "ok\n") == 0, "integrity: %s%s", r.out, r.err);
    tu_result_free(&r);
    assert_matches_truth();
    free(cmd);
    free(path);
}
END_TEST

Suite *suite_sync(void)
{
    Suite *s = suite_create("sync");
    TCase *tc = tcase_create("sync");
    TCase *mem = tcase_create("memory");
    TCase *kill = tcase_create("kill");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, full_then_delta_matches_the_district);
    tcase_add_test(tc, rerun_writes_nothing_and_dry_run_changes_nothing);
    tcase_add_test(tc, a_shrunken_roster_is_held_until_confirmed);
    tcase_add_test(tc, a_confirmation_never_applies_more_than_was_held);
    tcase_add_test(tc, sync_all_names_an_app_it_cannot_sync);
    tcase_add_test(tc, a_hold_is_cleared_by_a_later_full_run_that_needs_none);
    tcase_add_test(tc, the_end_of_a_run_shows_progress_on_the_progress_line);
    tcase_add_test(tc, after_disconnect_and_reconnect_the_first_run_is_full);
    tcase_add_test(tc, a_returning_user_is_reactivated_not_duplicated);
    tcase_add_test(tc, invalid_records_are_skipped_and_counted);
    tcase_add_test(tc, a_refused_record_with_a_long_id_keeps_its_user);
    tcase_add_test(tc, long_ids_that_share_a_long_prefix_still_make_a_complete_run);
    tcase_add_test(tc, one_run_at_a_time_and_ctrl_c_cancels_cleanly);
    tcase_add_test(tc, a_full_disk_mid_run_changes_nothing);
    tcase_set_timeout(mem, 300);
    tcase_add_test(mem, memory_does_not_grow_with_the_district);
    tcase_add_checked_fixture(kill, setup, teardown);
    tcase_set_timeout(kill, 600);
    tcase_add_test(kill, kill_9_at_any_moment_leaves_a_consistent_page);
    tcase_add_test(kill, a_reader_during_a_first_import_sees_none_or_all_of_it);
    suite_add_tcase(s, tc);
    suite_add_tcase(s, kill);
    suite_add_tcase(s, mem);
    return s;
}

/* The same runs on PostgreSQL (check_main starts the server): the core of
 * the suite; the full-disk and memory tests measure SQLite itself. */
Suite *suite_sync_pg(void)
{
    Suite *s = suite_create("sync_pg");
    TCase *tc = tcase_create("sync_pg");
    TCase *kill = tcase_create("kill_pg");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, full_then_delta_matches_the_district);
    tcase_add_test(tc, rerun_writes_nothing_and_dry_run_changes_nothing);
    tcase_add_test(tc, a_shrunken_roster_is_held_until_confirmed);
    tcase_add_test(tc, a_confirmation_never_applies_more_than_was_held);
    tcase_add_test(tc, sync_all_names_an_app_it_cannot_sync);
    tcase_add_test(tc, a_returning_user_is_reactivated_not_duplicated);
    tcase_add_test(tc, a_refused_record_with_a_long_id_keeps_its_user);
    tcase_add_test(tc, one_run_at_a_time_and_ctrl_c_cancels_cleanly);
    tcase_add_checked_fixture(kill, setup, teardown);
    tcase_set_timeout(kill, 600);
    tcase_add_test(kill, kill_9_at_any_moment_leaves_a_consistent_page);
    suite_add_tcase(s, tc);
    suite_add_tcase(s, kill);
    return s;
}
