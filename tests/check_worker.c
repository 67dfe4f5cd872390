/* check_worker.c - `mock-host worker` on PostgreSQL: twenty districts (one
 * plugin installed twenty times, all served by one simulator), two workers
 * started together, each district synced exactly once per round; kill -9
 * of a worker mid-sync loses nothing and another worker completes that
 * district.  check_main starts the server (pgtest.h). */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mhtest.h"
#include "pgtest.h"

#define DISTRICTS 20

static void setup(void)
{
    env_start("--users 30 --schools 2");
}

static void teardown(void)
{
    env_stop();
}

static char *psql_value(const char *sql)
{
    tu_result r = pgtest_psql(env.pg_dbname, sql);
    ck_assert_msg(r.status == 0, "psql: %s", r.err);
    free(r.err);
    return r.out;
}

static void psql_expect(const char *sql, const char *want)
{
    char *got = psql_value(sql);
    ck_assert_msg(strcmp(got, want) == 0, "%s: got %s, want %s", sql, got, want);
    free(got);
}

/* The Users page of every app, as JSON (caller frees). */
static char *whole_users_page(void)
{
    tu_result r = MH("users --json");
    ck_assert_msg(r.status == 0, "%s", r.err);
    free(r.err);
    return r.out;
}

/* d01..d20: the ClassLink plugin installed twenty times, each app connected
 * to the simulator (one district each, as far as the host can tell). */
static void install_districts(void)
{
    tu_result r = tu_run("cd %s && export SEC=sim-secret %s && for i in $(seq -w 1 %d); do "
                         "%s/mock-host install classlink --name d$i >/dev/null && "
                         "%s/mock-host connect d$i --server http://127.0.0.1:%d --client-id "
                         "sim-client --client-secret-env SEC >/dev/null || exit 1; done",
                         env.dir, mh_db_env(), DISTRICTS, tu_build_dir(), tu_build_dir(),
                         env.sim.port);
    ck_assert_msg(r.status == 0, "install/connect: %s", r.err);
    tu_result_free(&r);
}

/* Two workers started together, each one round; both must succeed. */
static void two_workers_one_round(void)
{
    tu_result r = tu_run("cd %s && export SEC=sim-secret %s && "
                         "%s/mock-host worker --once --concurrency 2 >w1.out 2>&1 & a=$!; "
                         "cd %s && export SEC=sim-secret %s && "
                         "%s/mock-host worker --once >w2.out 2>&1 & b=$!; "
                         "wait $a; echo a=$?; wait $b; echo b=$?; cat %s/w1.out %s/w2.out >&2",
                         env.dir, mh_db_env(), tu_build_dir(), env.dir, mh_db_env(),
                         tu_build_dir(), env.dir, env.dir);
    ck_assert_msg(strstr(r.out, "a=0") && strstr(r.out, "b=0"), "%s\n%s", r.out, r.err);
    tu_result_free(&r);
}

/* One more worker round syncs none of the 20 apps and records no run. */
static void a_worker_round_finds_nothing_due(void)
{
    tu_result r = MH("worker --once");
    ck_assert_msg(r.status == 0 && strstr(r.out, "0 complete") && strstr(r.out, "20 not due"),
                  "%s%s", r.out, r.err);
    tu_result_free(&r);
    psql_expect("SELECT count(*) FROM runs", "20\n");
}

/* Time passes: every run so far started long before sync_every (60 min). */
static void an_hour_later(void)
{
    free(psql_value("UPDATE runs SET started_at = '2000-01-01T00:00:00.000Z', "
                    "ended_at = CASE WHEN ended_at IS NULL THEN NULL ELSE "
                    "'2000-01-01T00:00:01.000Z' END"));
}

START_TEST(two_workers_sync_each_district_exactly_once_per_round)
{
    tu_result r;
    install_districts();
    two_workers_one_round();
    /* runs: one per app, every one complete. */
    psql_expect("SELECT count(*), count(DISTINCT app_id), sum((outcome = 'complete')::int) "
                "FROM runs", "20|20|20\n");
    psql_expect("SELECT count(DISTINCT app_id) FROM users", "20\n");
    /* Nothing is due right after a round. */
    a_worker_round_finds_nothing_due();
    /* A second round, an hour later: again exactly one run each. */
    an_hour_later();
    two_workers_one_round();
    psql_expect("SELECT count(*), min(n), max(n) FROM (SELECT app_id, count(*) AS n FROM runs "
                "WHERE outcome = 'complete' GROUP BY app_id) AS per_app", "20|2|2\n");
    psql_expect("SELECT count(*) FROM runs", "40\n");
    /* sync_every 0: that app is never synced automatically. */
    mh_ok("config d07 sync_every 0");
    an_hour_later();
    r = MH("worker --once");
    ck_assert_msg(r.status == 0 && strstr(r.out, "19 complete") && strstr(r.out, "1 not due"),
                  "%s%s", r.out, r.err);
    tu_result_free(&r);
    psql_expect("SELECT count(*) FROM runs r JOIN apps a ON a.id = r.app_id WHERE a.name = 'd07'",
                "2\n");
}
END_TEST

START_TEST(a_killed_worker_loses_nothing_and_another_completes_the_district)
{
    tu_result r;
    char *before, *after, *killed, *sql, *locks = NULL;
    int tries;
    install_districts();
    mh_ok("worker --once");
    free(sim_get(&env.sim, "/_sim/mutate?change=20"));
    before = whole_users_page();
    an_hour_later();
    /* The next request for users hangs, so the worker is mid-sync when killed:
     * its run is recorded as running, its transaction open. */
    free(sim_get(&env.sim, "/_sim/fault?kind=slow&path=/users&arg=8000"));
    r = tu_run("cd %s && export SEC=sim-secret %s; %s/mock-host worker --once >w.out 2>&1 & "
               "pid=$!; n=0; until [ \"$(psql -X -q -t -A -h \"$MH_TEST_PG_HOST\" -p "
               "\"$MH_TEST_PG_PORT\" -U mh -d %s -c \"SELECT count(*) FROM runs WHERE outcome "
               "= 'running'\")\" = 1 ] || [ $n -ge 600 ]; do sleep 0.05; n=$((n+1)); done; "
               "kill -9 $pid; wait $pid; echo status=$?; "
               "sed -n 's/^worker [0-9]*: syncing //p' w.out",
               env.dir, mh_db_env(), tu_build_dir(), env.pg_dbname);
    ck_assert_msg(strstr(r.out, "status=137"), "%.300s %.300s", r.out, r.err);
    killed = strchr(r.out, '\n') + 1;
    killed[strcspn(killed, "\n")] = '\0';
    ck_assert_msg(killed[0] == 'd', "which district: %s", r.out);
    /* Nothing of the killed run shows: the whole Users page is as before. */
    after = whole_users_page();
    ck_assert_msg(strcmp(after, before) == 0, "the Users page changed after the kill (%zu -> %zu "
                  "bytes)", strlen(before), strlen(after));
    free(after);
    /* The server dropped the killed worker's lock with its connection. */
    for (tries = 0; tries < 200; tries++) {
        free(locks);
        locks = psql_value("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'");
        if (strcmp(locks, "0\n") == 0)
            break;
        usleep(50000);
    }
    ck_assert_str_eq(locks, "0\n");
    free(locks);
    /* Another worker's round completes every district, the killed one too. */
    {
        tu_result w = MH("worker --once");
        ck_assert_msg(w.status == 0 && strstr(w.out, "20 complete"), "%s%s", w.out, w.err);
        tu_result_free(&w);
    }
    psql_expect("SELECT count(*), min(n), max(n) FROM (SELECT app_id, count(*) AS n FROM runs "
                "WHERE outcome = 'complete' GROUP BY app_id) AS per_app", "20|2|2\n");
    if (asprintf(&sql, "SELECT string_agg(r.outcome, ',' ORDER BY r.id) FROM runs r JOIN apps a "
                       "ON a.id = r.app_id WHERE a.name = '%s'", killed) < 0)
        ck_abort();
    psql_expect(sql, "complete,interrupted,complete\n");
    free(sql);
    after = whole_users_page();
    ck_assert_msg(strcmp(after, before) != 0, "the district's changes did not arrive");
    free(after);
    free(before);
    tu_result_free(&r);
}
END_TEST

/* `sync --all` on PostgreSQL queues for the workers instead of syncing
 * everything in its own process: nothing is synced by the command; the
 * next worker round syncs every queued app once, even one whose schedule
 * says never; the round after finds nothing queued. */
START_TEST(sync_all_queues_for_the_workers)
{
    tu_result r;
    install_districts();
    mh_ok("config d07 sync_every 0");
    r = MH("sync --all");
    ck_assert_msg(r.status == 0 && strstr(r.out, "Queued 20 apps for the workers") &&
                  strstr(r.out, "Queued: d07") && strstr(r.out, "mock-host worker --once"),
                  "%s%s", r.out, r.err);
    tu_result_free(&r);
    psql_expect("SELECT count(*) FROM runs", "0\n");
    psql_expect("SELECT count(*) FROM users", "0\n");
    mh_fails(2, "name the app", "sync --all --full");
    r = MH("worker --once");
    ck_assert_msg(r.status == 0 && strstr(r.out, "20 complete") && strstr(r.out, "syncing d07"),
                  "%s%s", r.out, r.err);
    tu_result_free(&r);
    psql_expect("SELECT count(*), min(n), max(n) FROM (SELECT app_id, count(*) AS n FROM runs "
                "WHERE outcome = 'complete' GROUP BY app_id) AS per_app", "20|1|1\n");
    psql_expect("SELECT count(*) FROM host_state WHERE key = 'sync_queued'", "0\n");
    /* Nothing queued any more, and nothing due by the schedule. */
    a_worker_round_finds_nothing_due();
}
END_TEST

/* The server drops the worker's connection (a restart, a failover): the
 * worker connects again and syncs what is queued next, rather than failing
 * every round until someone restarts it. */
START_TEST(a_worker_whose_connection_drops_connects_again)
{
    tu_result r = tu_run("cd %s && export SEC=sim-secret %s && %s/mock-host install classlink "
                         ">/dev/null && %s/mock-host connect classlink --server "
                         "http://127.0.0.1:%d --client-id sim-client --client-secret-env SEC "
                         ">/dev/null && %s/mock-host config classlink sync_every 0 >/dev/null",
                         env.dir, mh_db_env(), tu_build_dir(), tu_build_dir(), env.sim.port,
                         tu_build_dir());
    ck_assert_msg(r.status == 0, "%s", r.err);
    tu_result_free(&r);
    r = tu_run("cd %s && export %s; %s/mock-host worker --interval 1 >w.out 2>&1 & p=$!; echo $p >w.pid; i=0; "
               "while ! grep -q 'round done' w.out && [ $i -lt 200 ]; do sleep 0.1; "
               "i=$((i+1)); done; echo started", env.dir, mh_db_env(), tu_build_dir());
    ck_assert_msg(strstr(r.out, "started"), "%s", r.err);
    tu_result_free(&r);
    free(psql_value("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE "
                    "datname = current_database() AND pid <> pg_backend_pid()"));
    mh_ok("sync --all");
    r = tu_run("cd %s && export %s; i=0; while [ $i -lt 300 ]; do n=$(%s/mock-host runs "
               "classlink 2>/dev/null | grep -c complete); [ \"$n\" -ge 1 ] && break; sleep 0.1; "
               "i=$((i+1)); done; echo complete=$n; kill -TERM $(cat w.pid); sleep 0.5; cat w.out",
               env.dir, mh_db_env(), tu_build_dir());
    ck_assert_msg(strstr(r.out, "complete=1"), "%s", r.out);
    ck_assert_msg(strstr(r.out, "the connection to") && strstr(r.out, "was lost; connecting again"),
                  "%s", r.out);
    tu_result_free(&r);
}
END_TEST

/* ---- on SQLite (one machine): names, the schedule, SIGTERM ------------- */

static int count_runs(const char *app)
{
    tu_result r = MH("runs %s --json", app);
    const char *p = r.out;
    int n = 0;
    ck_assert_msg(r.status == 0, "%s", r.err);
    while ((p = strstr(p, "\"outcome\"")) != NULL) {
        n++;
        p++;
    }
    tu_result_free(&r);
    return n;
}

START_TEST(one_plugin_installed_twice_and_synced_by_a_worker)
{
    tu_result r;
    mh_ok("install classlink --name north");
    mh_ok("install classlink --name south");
    mh_fails(2, "'bad name' is not a usable app name", "install classlink --name 'bad name'");
    mh_fails(2, "--name needs one app name", "install classlink --name");
    r = MH("install classlink --name north");
    ck_assert_msg(r.status == 0 && strstr(r.out, "already exists"), "%s%s", r.out, r.err);
    tu_result_free(&r);
    r = MH("apps");
    ck_assert_msg(strstr(r.out, "north") && strstr(r.out, "south"), "%s", r.out);
    tu_result_free(&r);
    mh_ok("connect north --server http://127.0.0.1:%d --client-id sim-client "
          "--client-secret-env SEC", env.sim.port);
    mh_ok("connect south --server http://127.0.0.1:%d --client-id sim-client "
          "--client-secret-env SEC", env.sim.port);
    r = MH("worker --once");
    ck_assert_msg(r.status == 0 && strstr(r.out, "2 complete") && strstr(r.out, "syncing north") &&
                  strstr(r.out, "syncing south"), "%s%s", r.out, r.err);
    tu_result_free(&r);
    ck_assert_int_eq(count_runs("north"), 1);
    ck_assert_int_eq(count_runs("south"), 1);
    r = MH("worker --once --concurrency 2");
    ck_assert_msg(r.status == 0 && strstr(r.out, "0 complete") && !strstr(r.out, "syncing"),
                  "%s%s", r.out, r.err);
    tu_result_free(&r);
    ck_assert_int_eq(count_runs("north"), 1);
    mh_fails(2, "--concurrency takes a number from 1 to 64", "worker --concurrency 0");
}
END_TEST

START_TEST(sigterm_cancels_the_running_sync_cleanly)
{
    tu_result r;
    char *before, *after, *outcome;
    mh_ok("install classlink --name north");
    mh_ok("connect north --server http://127.0.0.1:%d --client-id sim-client "
          "--client-secret-env SEC", env.sim.port);
    mh_ok("worker --once");
    free(sim_get(&env.sim, "/_sim/mutate?change=20"));
    before = whole_users_page();
    r = tu_run("cd %s && sqlite3 host.db \"UPDATE runs SET started_at = "
               "'2000-01-01T00:00:00.000Z'\"", env.dir);
    ck_assert_msg(r.status == 0, "%s", r.err);
    tu_result_free(&r);
    free(sim_get(&env.sim, "/_sim/fault?kind=slow&path=/users&arg=3000"));
    r = tu_run("cd %s && export SEC=sim-secret %s; %s/mock-host worker --interval 3600 >w.out "
               "2>&1 & pid=$!; n=0; until grep -q syncing w.out || [ $n -ge 600 ]; do "
               "sleep 0.05; n=$((n+1)); done; sleep 0.5; kill -TERM $pid; wait $pid; "
               "echo status=$?; cat w.out", env.dir, mh_db_env(), tu_build_dir());
    ck_assert_msg(strstr(r.out, "status=0") && strstr(r.out, "sync of north cancelled") &&
                  strstr(r.out, "stopped."), "%.2000s", r.out);
    tu_result_free(&r);
    after = whole_users_page();
    ck_assert_msg(strcmp(after, before) == 0, "the Users page changed after SIGTERM");
    free(after);
    free(before);
    r = MH("runs north --json");
    outcome = strstr(r.out, "cancelled");
    ck_assert_msg(outcome != NULL, "%s", r.out);
    tu_result_free(&r);
}
END_TEST

/* How many times `needle` appears in `hay`. */
static int occurrences(const char *hay, const char *needle)
{
    int n = 0;
    for (hay = strstr(hay, needle); hay != NULL; hay = strstr(hay + 1, needle))
        n++;
    return n;
}

/* Workers started together on a database that does not exist yet, and
 * commands run side by side on another: every one starts, none is told
 * the database is empty or its key damaged. */
START_TEST(workers_and_commands_started_together_on_a_new_database_all_run)
{
    tu_result r;
    int trial;
    for (trial = 0; trial < 4; trial++) {
        r = tu_run("cd %s && %s/mock-host --db w%d.db worker --concurrency 4 --once 2>&1; "
                   "echo status=$?", env.dir, tu_build_dir(), trial);
        ck_assert_msg(strstr(r.out, "status=0") && occurrences(r.out, "round done") == 4, "%s",
                      r.out);
        tu_result_free(&r);
        r = tu_run("cd %s && pids=; for i in 1 2 3 4 5 6; do %s/mock-host --db a%d.db apps "
                   ">/dev/null 2>a$i.err & pids=\"$pids $!\"; done; fails=0; for p in $pids; do "
                   "wait $p || fails=$((fails+1)); done; echo fails=$fails; cat a?.err",
                   env.dir, tu_build_dir(), trial);
        ck_assert_msg(strstr(r.out, "fails=0\n") != NULL, "%s", r.out);
        tu_result_free(&r);
    }
}
END_TEST

/* SIGTERM that reaches the parent while it starts its processes, before it
 * waits for them, still stops them all: the worker ends (0, or 143 when
 * the signal came before mock-host set its handler) and leaves no process
 * behind.  The delays put the signal at different points of the start.
 * timeout --foreground passes the TERM to the parent alone, as meant here
 * (without it, timeout signals its whole process group, the children too). */
START_TEST(sigterm_while_the_worker_starts_its_processes_stops_them_all)
{
    static const char *const delays[] = {"0.01", "0.015", "0.02", "0.025", "0.03", "0.04"};
    tu_result r;
    size_t i;
    mh_ok("apps");  /* the database exists: the start is only the forks */
    for (i = 0; i < sizeof delays / sizeof delays[0]; i++) {
        r = tu_run("cd %s && export %s; setsid timeout --foreground -s KILL 20 %s/mock-host worker "
                   "--concurrency 32 --interval 3600 >/dev/null 2>&1 & p=$!; sleep %s; "
                   "kill -TERM $p; wait $p; echo status=$?; sleep 0.2; "
                   "if kill -0 -- -$p 2>/dev/null; then echo left-running; "
                   "kill -KILL -- -$p; fi", env.dir, mh_db_env(), tu_build_dir(), delays[i]);
        ck_assert_msg((strstr(r.out, "status=0\n") || strstr(r.out, "status=143\n")) &&
                      !strstr(r.out, "left-running"), "after %s s: %s", delays[i], r.out);
        tu_result_free(&r);
    }
}
END_TEST

/* kill -9 of a worker's parent (--concurrency 2): its processes stop too,
 * each saying so, instead of syncing on with nobody to stop them. */
START_TEST(the_processes_of_a_killed_worker_stop_with_it)
{
    tu_result r = tu_run(
        /* w.out exists before the first grep: the background job opens it later. */
        "cd %s && export %s; : >w.out; %s/mock-host worker --concurrency 2 --interval 3600 "
        ">>w.out 2>&1 & "
        "p=$!; i=0; while [ $(grep -c 'round done' w.out) -lt 2 ] && [ $i -lt 300 ]; do "
        "sleep 0.1; i=$((i+1)); done; kids=$(sed -n 's/^worker \\([0-9]*\\): round done.*/\\1/p' "
        "w.out); echo kids=$kids; kill -KILL $p; wait $p 2>/dev/null; i=0; "
        "while kill -0 $kids 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done; "
        "for k in $kids; do if kill -0 $k 2>/dev/null; then echo running=$k; kill -KILL $k; fi; "
        "done; tr '\\n' '|' <w.out", env.dir, mh_db_env(), tu_build_dir());
    const char *stopped = strstr(r.out, ": stopped.");   /* its output on one line: Check shows one */
    ck_assert_msg(strstr(r.out, "kids=") && !strstr(r.out, "kids=\n"), "%s", r.out);
    ck_assert_msg(strstr(r.out, "running=") == NULL, "%s", r.out);
    ck_assert_msg(stopped != NULL && strstr(stopped + 1, ": stopped.") != NULL, "%s", r.out);
    tu_result_free(&r);
}
END_TEST

Suite *suite_worker(void)
{
    Suite *s = suite_create("worker");
    TCase *tc = tcase_create("worker");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, one_plugin_installed_twice_and_synced_by_a_worker);
    tcase_add_test(tc, sigterm_cancels_the_running_sync_cleanly);
    tcase_add_test(tc, workers_and_commands_started_together_on_a_new_database_all_run);
    tcase_add_test(tc, sigterm_while_the_worker_starts_its_processes_stops_them_all);
    tcase_add_test(tc, the_processes_of_a_killed_worker_stop_with_it);
    suite_add_tcase(s, tc);
    return s;
}

Suite *suite_worker_pg(void)
{
    Suite *s = suite_create("worker_pg");
    TCase *tc = tcase_create("worker_pg");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, two_workers_sync_each_district_exactly_once_per_round);
    tcase_add_test(tc, a_killed_worker_loses_nothing_and_another_completes_the_district);
    tcase_add_test(tc, sync_all_queues_for_the_workers);
    tcase_add_test(tc, a_worker_whose_connection_drops_connects_again);
    suite_add_tcase(s, tc);
    return s;
}
