#include "mhtest.h"
#include "pgtest.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

mh_env env;

void env_start(const char *sim_args)
{
    env_start_db();
    sim_start(&env.sim, sim_args);
}

int env_is_pg(void)
{
    return env.pg_dbname[0] != '\0';
}

void env_start_db(void)
{
    static int n;
    env.dir = tu_mkdtemp();
    env.pg_dbname[0] = '\0';
    snprintf(env.db, sizeof env.db, "%s/host.db", env.dir);
    if (pgtest_active()) {
        char sql[128];
        tu_result r;
        snprintf(env.pg_dbname, sizeof env.pg_dbname, "t_%d_%d", (int)getpid(), ++n);
        snprintf(sql, sizeof sql, "CREATE DATABASE %s", env.pg_dbname);
        r = pgtest_psql("postgres", sql);
        ck_assert_msg(r.status == 0, "create database: %s", r.err);
        tu_result_free(&r);
        snprintf(env.db, sizeof env.db, "host=%s port=%s user=mh dbname=%s",
                 getenv("MH_TEST_PG_HOST"), getenv("MH_TEST_PG_PORT"), env.pg_dbname);
    }
    snprintf(env.db_env, sizeof env.db_env, "MOCK_HOST_DB='%s' MOCK_HOST_KEY_FILE=%s/host.key",
             env.db, env.dir);
}

const char *mh_db_env(void)
{
    if (env.pg_dbname[0] == '\0' && env.dir != NULL) {
        snprintf(env.db, sizeof env.db, "%s/host.db", env.dir);
        snprintf(env.db_env, sizeof env.db_env, "MOCK_HOST_DB='%s' MOCK_HOST_KEY_FILE=%s/host.key",
                 env.db, env.dir);
    }
    return env.db_env;
}

void env_stop(void)
{
    if (env.pg_dbname[0] != '\0') {
        char sql[128];
        tu_result r;
        snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS %s WITH (FORCE)", env.pg_dbname);
        r = pgtest_psql("postgres", sql);
        tu_result_free(&r);
        env.pg_dbname[0] = '\0';
    }
    sim_stop(&env.sim);
    tu_rmtree(env.dir);
    free(env.dir);
    env.dir = NULL;
}

tu_result mh_db_sql(const char *sql)
{
    if (env_is_pg())
        return pgtest_psql(env.pg_dbname, sql);
    return tu_run("sqlite3 '%s' \"%s\"", env.db, sql);
}

int mh_db_count(const char *text)
{
    tu_result r;
    int n = -1;
    if (env_is_pg())
        r = tu_run("pg_dump -h '%s' -p %s -U mh '%s' | grep -c -e '%s'", getenv("MH_TEST_PG_HOST"),
                   getenv("MH_TEST_PG_PORT"), env.pg_dbname, text);
    else
        r = tu_run("cat '%s'* | grep -a -c -e '%s'", env.db, text);
    sscanf(r.out, "%d", &n);
    tu_result_free(&r);
    return n;
}

tu_result mh_with_env(const char *env_assignments, const char *fmt, ...)
{
    char *args;
    va_list ap;
    tu_result r;
    va_start(ap, fmt);
    ck_assert_int_ne(vasprintf(&args, fmt, ap), -1);
    va_end(ap);
    r = tu_run("cd %s && SEC=sim-secret %s %s $MH_WRAP %s/mock-host %s", env.dir,
               mh_db_env(), env_assignments, tu_build_dir(), args);
    free(args);
    return r;
}

static tu_result run_v(const char *fmt, va_list ap)
{
    char *args;
    tu_result r;
    ck_assert_int_ne(vasprintf(&args, fmt, ap), -1);
    r = MH("%s", args);
    free(args);
    return r;
}

void mh_ok(const char *fmt, ...)
{
    va_list ap;
    tu_result r;
    va_start(ap, fmt);
    r = run_v(fmt, ap);
    va_end(ap);
    ck_assert_msg(r.status == 0, "mock-host failed (%d): %s", r.status, r.err);
    tu_result_free(&r);
}

void mh_fails(int status, const char *text, const char *fmt, ...)
{
    va_list ap;
    tu_result r;
    va_start(ap, fmt);
    r = run_v(fmt, ap);
    va_end(ap);
    ck_assert_msg(r.status == status, "exit %d, expected %d: %s", r.status, status, r.err);
    ck_assert_msg(strstr(r.err, text) != NULL, "expected \"%s\" in: %s", text, r.err);
    tu_result_free(&r);
}

void env_config(const char *key, const char *value)
{
    tu_result r = MH("config classlink %s %s", key, value);
    ck_assert_msg(r.status == 0, "config %s: %s", key, r.err);
    tu_result_free(&r);
}

void env_connect(void)
{
    tu_result r = MH("install classlink");
    ck_assert_msg(r.status == 0, "%s", r.err);
    tu_result_free(&r);
    env_config("retry_base_ms", "5");
    env_config("retry_max_ms", "40");
    env_config("page_size", "100");
    env_config("concurrency", "3");
    r = MH("connect classlink --server http://127.0.0.1:%d --client-id sim-client "
           "--client-secret-env SEC", env.sim.port);
    ck_assert_msg(r.status == 0, "connect failed: %s", r.err);
    tu_result_free(&r);
}

char *users_json(void)
{
    tu_result r = MH("users --app classlink --json");
    ck_assert_int_eq(r.status, 0);
    free(r.err);
    return r.out;
}

page_counts users_page(void)
{
    page_counts c = {0, 0, 0};
    char *text = users_json();
    json_object *arr = json_tokener_parse(text), *st;
    size_t i;
    ck_assert_ptr_nonnull(arr);
    for (i = 0; i < json_object_array_length(arr); i++) {
        json_object_object_get_ex(json_object_array_get_idx(arr, i), "status", &st);
        if (strcmp(json_object_get_string(st), "active") == 0)
            c.active++;
        else
            c.inactive++;
        c.total++;
    }
    json_object_put(arr);
    free(text);
    return c;
}

static json_object *last_run(tu_result *r)
{
    json_object *arr;
    *r = MH("runs classlink --json");
    ck_assert_int_eq(r->status, 0);
    arr = json_tokener_parse(r->out);
    ck_assert_ptr_nonnull(arr);
    ck_assert_int_gt(json_object_array_length(arr), 0);
    return arr;
}

long long last_run_count(const char *key)
{
    tu_result r;
    json_object *arr = last_run(&r), *run, *counts, *v;
    long long n = -1;
    run = json_object_array_get_idx(arr, json_object_array_length(arr) - 1);
    if (json_object_object_get_ex(run, "counts", &counts) &&
        json_object_object_get_ex(counts, key, &v))
        n = json_object_get_int64(v);
    json_object_put(arr);
    tu_result_free(&r);
    return n;
}

char *last_run_outcome(void)
{
    tu_result r;
    json_object *arr = last_run(&r), *run, *v;
    char *s;
    run = json_object_array_get_idx(arr, json_object_array_length(arr) - 1);
    json_object_object_get_ex(run, "outcome", &v);
    s = strdup(json_object_get_string(v));
    json_object_put(arr);
    tu_result_free(&r);
    return s;
}

void assert_last_outcome(const char *expected)
{
    char *outcome = last_run_outcome();
    ck_assert_msg(strcmp(outcome, expected) == 0, "the last run's outcome is %s, not %s", outcome,
                  expected);
    free(outcome);
}
