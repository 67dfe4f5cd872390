/*
 * console_sync.c - the Sync page: Sync now (automatic, full or delta; dry
 * run), the live progress of the run, what is held with a Confirm button,
 * and the run history.  A sync runs as `mock-host sync` in a child process
 * (console_jobs.c); its progress lines come back through a small JSON
 * endpoint the page's one script polls, and without the script the page
 * refreshes itself while the run goes on.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "console_html.h"
#include "console_server.h"
#include "store_runs.h"
#include "sync_hold.h"
#include "unmapped_report.h"

#define HISTORY_SHOWN 30

typedef struct run_copy {
    long long id;
    char mode[32], started[40], ended[40], outcome[32];
    double seconds;
    char *counts, *reason;
} run_copy;

typedef struct history {
    run_copy ring[HISTORY_SHOWN];
    size_t n;                 /* runs seen */
} history;

static int keep_run(void *vctx, const mh_run_view *run)
{
    history *h = vctx;
    run_copy *c = &h->ring[h->n % HISTORY_SHOWN];
    free(c->counts);
    free(c->reason);
    c->id = (long long)run->id;
    snprintf(c->mode, sizeof c->mode, "%s", run->mode);
    snprintf(c->started, sizeof c->started, "%s", run->started);
    snprintf(c->ended, sizeof c->ended, "%s", run->ended ? run->ended : "");
    snprintf(c->outcome, sizeof c->outcome, "%s", run->outcome);
    c->seconds = run->seconds;
    c->counts = strdup(run->counts ? run->counts : "");
    c->reason = strdup(run->reason ? run->reason : "");
    h->n++;
    return 0;
}

/* One number of a run's counts (a JSON object), 0 when absent. */
static long long count_of(json_object *counts, const char *k)
{
    json_object *v;
    return json_object_object_get_ex(counts, k, &v) ? json_object_get_int64(v) : 0;
}

/* A run's counts as words, e.g. "2000 fetched, 1990 unchanged, 10 deactivated"
 * (the fetched number always, the others when not zero), not as the stored
 * JSON: a raw object is unreadable and, one long line, pushed the Reason
 * column off the screen.  ITxM apps also get the unmapped totals. */
static void run_row(mh_str *o, const run_copy *c, int itxm)
{
    static const char *const keys[] = {"created", "updated", "unchanged", "deactivated",
                                       "reactivated", "held", "invalid", "retries"};
    static const char *const words[] = {"created", "updated", "unchanged", "deactivated",
                                        "reactivated", "held", "invalid skipped", "retries"};
    json_object *counts = json_tokener_parse(c->counts);
    size_t k;
    mh_html(o, "<tr><td>%lld</td><td>%s</td><td>%s</td><td>%.1f</td><td class=\"outcome\">%s</td>"
               "<td class=\"counts\">%lld fetched", c->id, c->mode, c->started, c->seconds,
            c->outcome, count_of(counts, "fetched"));
    for (k = 0; k < sizeof keys / sizeof keys[0]; k++)
        if (count_of(counts, keys[k]) != 0)
            mh_html(o, ", %lld %s", count_of(counts, keys[k]), words[k]);
    if (itxm) {
        mh_unmapped_totals t = mh_unmapped_totals_of(counts);
        if (t.role_users != 0)
            mh_html(o, ", %lld without a portal role", t.role_users);
        if (t.org_users != 0)
            mh_html(o, ", %lld memberships without a location", t.org_users);
    }
    mh_str_adds(o, "</td><td>");
    mh_html_sentence(o, c->reason, NULL);
    mh_str_adds(o, "</td></tr>");
    json_object_put(counts);
}

/* A progress line "progress: users 500 of 1000 (...)" as a percentage, or -1. */
static int percent_of(const char *line)
{
    char phase[64];
    unsigned long long done, total;
    if (sscanf(line, "progress: %63s %llu of %llu", phase, &done, &total) == 3 && total > 0)
        return (int)(done * 100 / total > 100 ? 100 : done * 100 / total);
    return -1;
}

/* A finished job's outcome in words: a browser user is told done, held
 * or failed, never a process's exit status. */
static const char *job_outcome(int exit_status)
{
    if (exit_status == 0)
        return "done";
    if (exit_status == MH_EXIT_HELD)
        return "completed, deactivations held";
    if (exit_status >= 128)
        return "stopped before it finished; nothing of it was applied";
    if (exit_status < 0)
        return "it could not be started; try again";
    return "failed";
}

/* 1 when the job did not start because another process (a worker, the
 * command line) holds the app's sync lock: `mock-host sync` then exits 1
 * with sync.c's sentence "a sync of APP is already running; wait for it
 * to finish" and has done nothing, which is no failed sync. */
static int job_not_started(const mh_job_view *job)
{
    return job->exit_status == 1 && job->output != NULL &&
           strstr(job->output, " is already running; wait for it to finish") != NULL &&
           strstr(job->output, "progress:") == NULL;
}

static void job_box(mh_request *r, mh_str *o, const char *app_enc)
{
    mh_job_view job;
    int pct;
    if (mh_job_get(r->app, &job) != 0)
        return;
    pct = percent_of(job.last_line);
    mh_html(o, "<fieldset><legend>%s</legend><div id=\"job\" data-running=\"%d\" "
               "data-status=\"/apps/%s/sync/status.json\">", job.what, job.running, app_enc);
    if (job.running) {
        mh_html(o, "<noscript><meta http-equiv=\"refresh\" content=\"2\"></noscript>"
                   "<p id=\"job-state\">Running&hellip;</p><progress id=\"job-bar\" max=\"100\"");
        if (pct >= 0)
            mh_html(o, " value=\"%d\"", pct);
        mh_html(o, "></progress><p id=\"job-line\" class=\"help\">%s</p>", job.last_line);
    } else if (job_not_started(&job)) {
        /* The command's own sentence would only repeat this one. */
        mh_html(o, "<p id=\"job-state\">Not started: a sync of %s is already running (a worker's "
                   "or one from the command line). Wait for it to finish; its run appears in the "
                   "history below.</p>", r->app);
    } else {
        mh_html(o, "<p id=\"job-state\">Finished: %s.</p>", job_outcome(job.exit_status));
        mh_str_adds(o, "<div class=\"output\" id=\"job-output\">");
        mh_html_output(o, job.output);
        mh_str_adds(o, "</div>");
    }
    mh_str_adds(o, "</div></fieldset>");
    free(job.output);
}

void mh_page_sync(mh_request *r, mh_response *res)
{
    sis_host_app happ;
    mh_str *o = &res->body, e = {0};
    mh_hold hold;
    history h;
    size_t i, shown;

    if (mh_console_app(r, res, &happ) != 0)
        return;
    mh_url_enc(&e, happ.app.name);
    mh_html_begin(o, "Sync", happ.app.name, happ.app.itxm);
    mh_html_flash(o, r->session, "");
    if (happ.app.connected_at[0] == '\0')
        mh_html(o, "<p class=\"error\">%s is not connected: connect it on its "
                   "<a href=\"/apps/%s/setup\">setup page</a> first.</p>", happ.app.name, e.data);
    mh_html(o, "<fieldset><legend>Sync now</legend><form method=\"post\" action=\"/apps/%s/sync\">",
            e.data);
    mh_html_csrf(o, r->session);
    mh_html(o, "<label><input type=\"radio\" name=\"mode\" value=\"auto\" checked> Automatic "
               "(delta when a recent full run exists)</label>"
               "<label><input type=\"radio\" name=\"mode\" value=\"full\" id=\"mode-full\"> Full</label>"
               "<label><input type=\"radio\" name=\"mode\" value=\"delta\" id=\"mode-delta\"> Delta</label>"
               "<label><input type=\"checkbox\" name=\"dry_run\" value=\"1\" id=\"dry-run\"> Dry run "
               "(show what would change, apply nothing)</label>"
               "<button class=\"primary\" type=\"submit\" id=\"sync-now\">Sync now</button></form>");
    mh_html_flash(o, r->session, "sync");
    mh_str_adds(o, "</fieldset>");
    job_box(r, o, e.data);

    if (mh_hold_get(happ.store, happ.app.id, &hold) == 1) {
        char text[512];
        mh_hold_describe(&hold, happ.app.name, text, sizeof text);
        mh_str_adds(o, "<fieldset id=\"hold\"><legend>Held deactivations</legend><p><span "
                       "class=\"state held\">held</span> ");
        mh_html_sentence(o, text, NULL);
        mh_html(o, "</p><p><a href=\"/users?app=%s&amp;status=held\" id=\"review-held\">Review "
                   "the users it would deactivate</a>. Confirm to run a full sync that applies "
                   "them.</p>", e.data);
        mh_html(o, "<form method=\"post\" action=\"/apps/%s/sync/confirm\">", e.data);
        mh_html_csrf(o, r->session);
        mh_html(o, "<button class=\"primary\" type=\"submit\" id=\"confirm\">Confirm "
                   "deactivations</button></form></fieldset>");
    }

    memset(&h, 0, sizeof h);
    mh_store_runs_each(happ.store, happ.app.id, keep_run, &h);
    mh_html(o, "<h2>Run history</h2>");
    if (h.n == 0)
        mh_html(o, "<p class=\"help\">No run yet.</p>");
    else
        mh_html(o, "<table id=\"runs\"><tr><th>Run</th><th>Mode</th><th>Started</th><th>Seconds</th>"
                   "<th>Outcome</th><th>Users</th><th>Reason</th></tr>");
    shown = h.n < HISTORY_SHOWN ? h.n : HISTORY_SHOWN;
    for (i = 0; i < shown; i++)   /* newest first */
        run_row(o, &h.ring[(h.n - 1 - i) % HISTORY_SHOWN], happ.app.itxm);
    if (h.n > 0)
        mh_str_adds(o, "</table>");
    for (i = 0; i < HISTORY_SHOWN; i++) {
        free(h.ring[i].counts);
        free(h.ring[i].reason);
    }
    mh_str_adds(o, "<script src=\"/static/progress.js\" defer></script>");
    mh_str_free(&e);
    mh_html_end(o);
}

static void start(mh_request *r, mh_response *res, const char *what, const char *const *args)
{
    mh_str e = {0};
    int rc = mh_job_start(r->con, r->app, what, args);
    if (rc == 1)
        mh_flash_set(r->session, 1, "sync", "A sync of this app is already running; wait for it "
                                            "to finish.");
    else if (rc != 0)
        mh_flash_set(r->session, 1, "sync", "The sync could not be started; try again.");
    mh_url_enc(&e, r->app);
    mh_redirect(res, "/apps/%s/sync", e.data);
    mh_str_free(&e);
}

void mh_action_sync(mh_request *r, mh_response *res)
{
    sis_host_app happ;
    const char *mode = mh_form_get(r, "mode"), *args[6];
    size_t n = 0;
    char what[64];
    if (mh_console_app(r, res, &happ) != 0)
        return;
    args[n++] = "sync";
    args[n++] = happ.app.name;
    if (mode != NULL && strcmp(mode, "full") == 0)
        args[n++] = "--full";
    else if (mode != NULL && strcmp(mode, "delta") == 0)
        args[n++] = "--delta";
    if (mh_form_get(r, "dry_run") != NULL)
        args[n++] = "--dry-run";
    args[n] = NULL;
    snprintf(what, sizeof what, "Sync (%s%s)",
             mode != NULL && strcmp(mode, "full") == 0 ? "full" :
             mode != NULL && strcmp(mode, "delta") == 0 ? "delta" : "automatic",
             mh_form_get(r, "dry_run") != NULL ? ", dry run" : "");
    start(r, res, what, args);
}

void mh_action_sync_confirm(mh_request *r, mh_response *res)
{
    const char *args[] = {"sync", r->app, "--full", "--confirm-deactivations", NULL};
    sis_host_app happ;
    if (mh_console_app(r, res, &happ) != 0)
        return;
    start(r, res, "Sync (full, deactivations confirmed)", args);
}

void mh_json_sync_status(mh_request *r, mh_response *res)
{
    mh_job_view job;
    char num[64];
    res->content_type = "application/json";
    if (mh_job_get(r->app, &job) != 0) {
        mh_str_adds(&res->body, "{\"running\":false,\"exit_status\":null}");
        return;
    }
    snprintf(num, sizeof num, "{\"running\":%s,\"exit_status\":%d,\"percent\":%d,\"what\":",
             job.running ? "true" : "false", job.exit_status, percent_of(job.last_line));
    mh_str_adds(&res->body, num);
    mh_str_json(&res->body, job.what);
    mh_str_adds(&res->body, ",\"last_line\":");
    mh_str_json(&res->body, job.last_line);
    mh_str_adds(&res->body, "}");
    free(job.output);
}
