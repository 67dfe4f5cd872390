/*
 * sync.c - importing users: one run per app at a time (an flock the kernel
 * drops when a process dies), every change of a run in one transaction (a
 * kill at any moment leaves the previous Users page), deactivation by
 * absence only after a complete full run and under a safety threshold.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "host_settings.h"
#include "progress.h"
#include "record_codec.h"
#include "store_absence.h"
#include "store_fast.h"
#include "store_runs.h"
#include "sync_hold.h"
#include "sync_queue.h"
#include "sync_state.h"
#include "sync_writer.h"
#include "text_out.h"
#include "unmapped_report.h"
#include "userpage.h"

typedef struct run_ctx {
    mh_store *s;
    const mh_app *app;
    int64_t run_id;
    const sis_connector *conn;
    sis_instance *inst;
    mh_mapping_cfg cfg;
    mh_sync_writer *writer;      /* stores what the plugin fetches, on its own thread */
    const mh_sync_counts *counts;
} run_ctx;

typedef struct sync_opts {
    const char *app;
    int all, full, delta, dry_run, confirm;
} sync_opts;

/* ---- deactivation by absence -------------------------------------------- */

typedef struct absence {
    uint64_t active_before;
    uint64_t absent;
    char empty_role[64];     /* a role every active member of which is absent */
} absence;

/* 0, or -1 when the database cannot say who is absent (then the run must
 * not count as a checked, complete full run). */
static int measure_absence(mh_store *s, int64_t app_id, int64_t run_id, absence *a)
{
    a->absent = 0;
    a->empty_role[0] = '\0';
    if (a->active_before == 0)
        return 0;  /* nobody to deactivate: skip the scan (a first sync) */
    return mh_store_absence_measure(s, app_id, run_id, &a->absent, a->empty_role,
                                    sizeof a->empty_role) != 0 ? -1 : 0;
}

/* ---- run bookkeeping --------------------------------------------------- */

/* Delta when a watermark exists and the last complete full run is recent. */
static int choose_delta(mh_store *s, int64_t app_id)
{
    char wm[64];
    long days = mh_host_setting_long(s, app_id, "full_every_days");
    long long last_s = mh_sync_last_full_get(s, app_id);
    if (mh_sync_watermark_get(s, app_id, wm, sizeof wm) != 0 || last_s == 0)
        return 0;
    return (long long)time(NULL) - last_s < (long long)days * 86400;
}

/* A failed or cancelled run applied nothing: it records what it fetched and
 * what it cost, and zero for every change to the Users page. */
static void counts_json(const run_ctx *r, const sis_fetch_result *res, uint64_t deactivated_absent,
                        uint64_t held, int applied, mh_str *out)
{
    static const mh_sync_counts none;
    const mh_sync_counts *c = r->counts, *changes = applied ? r->counts : &none;
    char buf[768];
    int i;
    snprintf(buf, sizeof buf,
             "{\"fetched\":%llu,\"orgs\":%llu,\"created\":%llu,\"updated\":%llu,\"unchanged\":%llu,"
             "\"deactivated\":%llu,\"reactivated\":%llu,\"held\":%llu,\"invalid\":%llu,"
             "\"requests\":%llu,\"retries\":%llu,\"bytes\":%llu,\"invalid_reasons\":{",
             (unsigned long long)c->fetched, (unsigned long long)c->orgs,
             (unsigned long long)changes->users.created, (unsigned long long)changes->users.updated,
             (unsigned long long)(changes->users.unchanged + changes->unchanged_records),
             (unsigned long long)(changes->users.deactivated + (applied ? deactivated_absent : 0)),
             (unsigned long long)changes->users.reactivated, (unsigned long long)(applied ? held : 0),
             (unsigned long long)c->invalid, (unsigned long long)res->requests,
             (unsigned long long)res->retries, (unsigned long long)res->bytes);
    mh_str_adds(out, buf);
    for (i = 0; i < c->n_reasons; i++) {
        if (i)
            mh_str_add(out, ",", 1);
        mh_str_json(out, c->reasons[i].reason);
        snprintf(buf, sizeof buf, ":%llu", (unsigned long long)c->reasons[i].n);
        mh_str_adds(out, buf);
    }
    mh_str_adds(out, "},");
    if (applied)
        mh_unmapped_json(r->s, r->app, out);
    else
        mh_str_adds(out, "\"unmapped_roles\":{},\"unmapped_orgs\":{},\"unknown_orgs\":{}");
    mh_str_adds(out, ",\"applied\":");
    mh_str_adds(out, applied ? "true}" : "false}");
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Reasons for skipped records a summary lists before "and N more". */
#define INVALID_SHOWN 10

/* What was wrong with the skipped records, in the plugin's words (e.g. "users.csv
 * line 4: unknown role 'wizard'"), so that one run tells the admin what to fix; the
 * run's history keeps every distinct reason (runs APP --json, invalid_reasons). */
static void print_invalid_reasons(const mh_sync_counts *c)
{
    int i, shown = c->n_reasons < INVALID_SHOWN ? c->n_reasons : INVALID_SHOWN;
    for (i = 0; i < shown; i++) {
        if (c->reasons[i].n > 1)
            printf("  invalid: %s (%llu records)\n", c->reasons[i].reason,
                   (unsigned long long)c->reasons[i].n);
        else
            printf("  invalid: %s\n", c->reasons[i].reason);
    }
    if (c->n_reasons > shown)
        printf("  invalid: and %d more reason%s (the plugin's log names each record)\n",
               c->n_reasons - shown, c->n_reasons - shown == 1 ? "" : "s");
}

/* complete: the run read the whole district (its outcome is not partial). */
static void print_summary(const sis_host_app *h, const char *mode, const run_ctx *r,
                          const sis_fetch_result *res, uint64_t deact, double secs, int dry,
                          int complete)
{
    const mh_sync_counts *c = r->counts;
    printf("%s%s sync of %s finished in %.1fs%s\n", dry ? "Dry run: " : "", mode, h->app.name,
           secs, complete ? " (complete snapshot)." : ".");
    printf("  %s: %llu created, %llu updated, %llu unchanged, %llu deactivated, %llu reactivated\n",
           dry ? "would be" : "users", (unsigned long long)c->users.created,
           (unsigned long long)c->users.updated,
           (unsigned long long)(c->users.unchanged + c->unchanged_records),
           (unsigned long long)(c->users.deactivated + deact),
           (unsigned long long)c->users.reactivated);
    printf("  fetched %llu users and %llu orgs; %llu invalid record%s skipped; %llu requests, "
           "%llu retries, %.1f MB\n", (unsigned long long)c->fetched, (unsigned long long)c->orgs,
           (unsigned long long)c->invalid, c->invalid == 1 ? "" : "s", (unsigned long long)res->requests,
           (unsigned long long)res->retries, (double)res->bytes / 1e6);
    print_invalid_reasons(c);
}

/* ITxM: who the role and location mappings do not cover yet. */
static void print_unmapped(const char *app, const char *counts)
{
    json_object *c = json_tokener_parse(counts);
    mh_str text = {0};
    if (mh_unmapped_describe(c, app, "  ", &text))
        fputs(text.data, stdout);
    else
        printf("  mapping: every active user has a portal role, and every org a location\n");
    mh_str_free(&text);
    json_object_put(c);
}

/* ---- one run --------------------------------------------------------------- */

typedef struct run_outcome {
    const char *outcome;     /* complete, partial, held, failed, cancelled, dry-run */
    char reason[1024];
    uint64_t deactivated_absent, held;
} run_outcome;

/* After a successful fetch: deactivations, stale orgs, watermark. */
/* The strings a fetch hands back (sis_text_out), owned here. */
typedef struct fetch_texts {
    char *watermark;
    char *incomplete;
} fetch_texts;

/* Whether --confirm-deactivations covers this run's absent users.  With a
 * hold pending, the admin confirmed the count it showed: a run that finds
 * more users absent than that is held again with its own count, so that a
 * confirmation never applies more than the admin was shown (the district
 * may have shrunk further, or the console's Confirm may follow a newer
 * hold).  Without a hold, the flag is the admin's explicit override. */
static int confirmation_covers(const run_ctx *r, const sync_opts *o, uint64_t absent,
                               char *why, size_t cap)
{
    mh_hold h;
    int rc;
    why[0] = '\0';
    if (!o->confirm)
        return 0;
    rc = mh_hold_get(r->s, r->app->id, &h);
    if (rc == 0 || (rc == 1 && absent <= h.users))
        return 1;
    if (rc == 1)
        snprintf(why, cap, "; the confirmation was for the %llu held by run %lld, and more are "
                 "missing now", (unsigned long long)h.users, (long long)h.run_id);
    else
        snprintf(why, cap, "; the held count could not be read to check the confirmation");
    return 0;
}

/* Why a full run with records nobody can be named by is partial (the
 * summary line before it says that nobody was deactivated). */
static void describe_unidentified(const mh_sync_counts *c, char *buf, size_t cap)
{
    unsigned long long n = c->invalid_unidentified, all = c->invalid;
    if (n == all)
        snprintf(buf, cap, "%llu invalid record%s could not be read well enough to know whose %s",
                 n, n == 1 ? "" : "s", n == 1 ? "it is" : "they are");
    else
        snprintf(buf, cap, "%llu of the %llu invalid records could not be read well enough to "
                 "know whose they are", n, all);
}

static int finish_fetch(run_ctx *r, const sis_fetch_result *res, const fetch_texts *texts,
                        int full, const sync_opts *o, uint64_t active_before, run_outcome *out)
{
    absence a;
    long pct = mh_host_setting_long(r->s, r->app->id, "deactivation_threshold_pct");
    char why[160], next[320];

    out->outcome = "complete";
    if (!res->complete) {
        out->outcome = "partial";
        snprintf(out->reason, sizeof out->reason, "%s",
                 texts->incomplete ? texts->incomplete : "the plugin gave no reason");
    }
    if (full && res->complete && r->counts->invalid_unidentified > 0) {
        out->outcome = "partial";
        describe_unidentified(r->counts, out->reason, sizeof out->reason);
    } else if (full && res->complete) {
        memset(&a, 0, sizeof a);
        a.active_before = active_before;
        if (measure_absence(r->s, r->app->id, r->run_id, &a) != 0)
            return -1;
        if (a.absent > 0 &&
            (a.absent * 100 > (uint64_t)pct * a.active_before || a.empty_role[0] != '\0') &&
            !confirmation_covers(r, o, a.absent, why, sizeof why)) {
            out->outcome = "held";
            out->held = a.absent;
            mh_hold_next_steps(r->app->name, next, sizeof next);
            snprintf(out->reason, sizeof out->reason,
                     "%llu of %llu active users (%.0f%%) are missing from the district's roster%s%s%s; "
                     "nothing was deactivated. %s", (unsigned long long)a.absent,
                     (unsigned long long)a.active_before,
                     a.active_before ? 100.0 * (double)a.absent / (double)a.active_before : 100.0,
                     a.empty_role[0] ? ", including every active " : "", a.empty_role, why, next);
            if (mh_hold_set(r->s, r->app->id, r->run_id, a.absent) != 0 ||
                mh_store_absent_hold(r->s, r->app->id, r->run_id) != 0)
                return -1;
        } else {
            if (a.absent > 0 && mh_store_deactivate_absent(r->s, r->app->id, r->run_id) != 0)
                return -1;
            out->deactivated_absent = a.absent;
            /* A complete full run applied its deactivations: nothing is held any more. */
            if (mh_hold_clear(r->s, r->app->id) != 0)
                return -1;
        }
        if (mh_store_mark_stale_orgs(r->s, r->app->id, r->run_id) != 0)
            return -1;
        if (mh_sync_last_full_set(r->s, r->app->id, (long long)time(NULL)) != 0)
            return -1;
    }
    /* The next delta starts from what this run proved it has read: only a
     * complete run proves it.  The watermark is the newest change seen, so
     * after an incomplete delta (a page skipped when the server's offsets
     * shifted) it could pass a change that was never read. */
    if (texts->watermark != NULL && texts->watermark[0] != '\0' && res->complete &&
        mh_sync_watermark_set(r->s, r->app->id, texts->watermark) != 0)
        return -1;
    return 0;
}

#define MAX_PATHS 256

/* With config fetch_projection=on, ask only for the fields the mapping
 * shows (faster over a slow link; fields chosen later are empty until the
 * next full run, so it is off by default).  Returns how many, 0 for all. */
static int projection(mh_store *s, const mh_app *app, const mh_mapping_cfg *cfg,
                      const char **paths, int cap)
{
    static const char *const defaults[] = {"givenName", "familyName", "email", "username",
                                           "identifier", "grades"};
    char on[8];
    int n = 0;
    size_t i, k;
    if (mh_host_setting_get(s, app->id, "fetch_projection", on, sizeof on) != 0 || strcmp(on, "on") != 0)
        return 0;
    for (i = 0; i < sizeof defaults / sizeof defaults[0] && n < cap; i++)
        paths[n++] = defaults[i];
    for (i = 0; i < cfg->m.n_role_fields; i++)
        for (k = 0; k < cfg->m.role_fields[i].n_paths && n < cap; k++)
            paths[n++] = cfg->m.role_fields[i].paths[k];
    return n;
}

/* Fetches into the open transaction through the writer thread. */
static int fetch_into_db(run_ctx *r, sis_host_app *happ, const sis_fetch_request *req,
                         sis_fetch_result *res, sis_error *err)
{
    char why[256];
    int rc;
    if (mh_sync_writer_start(&r->writer, r->s, &happ->app, r->run_id, r->conn, r->inst,
                             &r->cfg.m) != 0) {
        /* When the writer exists, mh_sync_writer_finish below gives the cause. */
        snprintf(err->message, err->message_cap, "cannot start storing: %s",
                 r->writer == NULL ? "out of memory" : mh_store_error(r->s));
        rc = SIS_ERR_GENERIC;
    } else {
        rc = r->conn->fetch_users(r->inst, req, mh_sync_writer_sink(r->writer), res, err);
    }
    if (r->writer != NULL && mh_sync_writer_finish(r->writer, why, sizeof why) != 0) {
        snprintf(err->message, err->message_cap, "%s", why);  /* the real cause */
        rc = rc == SIS_OK || rc == SIS_ERR_SINK ? SIS_ERR_SINK : rc;
    }
    if (r->writer != NULL)
        r->counts = mh_sync_writer_counts(r->writer);
    return rc;
}

/* Commits (or, for a dry run or a failure, rolls back) and records the run.
 * A million-user run writes a WAL of gigabytes: the commit and the
 * checkpoint that copies it into the database take seconds, so each says
 * so on the progress line (automatic checkpoints are off during the run,
 * see sync_one, so the checkpoint is this explicit step and not a silent
 * part of COMMIT). */
static int close_run(mh_store *s, const run_ctx *r, int rc, int dry_run, run_outcome *out,
                     const char *counts, mh_progress *progress)
{
    char msg[512];
    if (rc == SIS_OK && !dry_run) {
        mh_save_writeback *wb;
        mh_store_run_end(s, r->run_id, out->outcome, counts, out->reason);
        mh_progress_step(progress, "committing…");
        wb = mh_store_save_writeback_start(s);
        if (mh_store_commit(s, msg, sizeof msg) == 0) {
            mh_progress_step(progress, "checkpointing…");
            mh_store_checkpoint(s);
            mh_store_save_writeback_stop(wb);
            mh_progress_finish(progress);
            return SIS_OK;
        }
        mh_store_save_writeback_stop(wb);
        rc = SIS_ERR_GENERIC;
        out->outcome = "failed";
        snprintf(out->reason, sizeof out->reason, "could not save the run: %s", msg);
    }
    mh_store_rollback(s);
    mh_store_run_end(s, r->run_id, dry_run && rc == SIS_OK ? "dry-run" : out->outcome, counts, out->reason);
    return rc;
}

/* The request to the plugin (its projection in paths[MAX_PATHS], the
 * watermark wm borrowed) and the result it fills (its texts owned by
 * *texts). */
static void fetch_init(const run_ctx *r, int full, const char *wm, const char **paths,
                       sis_fetch_request *req, sis_fetch_result *res, fetch_texts *texts)
{
    int n_paths = projection(r->s, r->app, &r->cfg, paths, MAX_PATHS);
    memset(req, 0, sizeof *req);
    req->struct_size = sizeof *req;
    req->mode = full ? SIS_FETCH_FULL : SIS_FETCH_DELTA;
    req->watermark = wm;
    req->paths = n_paths > 0 ? paths : NULL;
    req->n_paths = (size_t)n_paths;
    memset(res, 0, sizeof *res);
    res->struct_size = sizeof *res;
    res->watermark = mh_text_out(&texts->watermark);
    res->incomplete_reason = mh_text_out(&texts->incomplete);
}

/* What a run that completed tells the admin on stdout (the console shows
 * the same lines).  1 when deactivations are held (this run's, or an
 * earlier run's still pending), else 0. */
static int report_run(sis_host_app *happ, int full, const run_ctx *r,
                      const sis_fetch_result *res, const run_outcome *out, const char *counts,
                      double seconds, const sync_opts *o)
{
    mh_hold hold;
    char msg[512];
    /* partial: the plugin's snapshot was incomplete, or not every record could be named */
    print_summary(happ, full ? "Full" : "Delta", r, res, out->deactivated_absent, seconds,
                  o->dry_run, strcmp(out->outcome, "partial") != 0);
    if (happ->app.itxm)
        print_unmapped(happ->app.name, counts);
    if (out->held)
        printf("  HELD: %s\n", out->reason);
    if (strcmp(out->outcome, "partial") == 0)
        printf("  Incomplete, so %s: %s\n", full ? "nobody was deactivated by absence"
               : "the next delta reads again from where this one began", out->reason);
    if (out->held)
        return !o->dry_run;
    if (mh_hold_get(r->s, happ->app.id, &hold) == 1) {
        /* e.g. the automatic delta after a held full run: it cannot see
         * removed users, so the admin must hear the hold is still there. */
        mh_hold_describe(&hold, happ->app.name, msg, sizeof msg);
        printf("  STILL HELD from an earlier run: %s\n", msg);
        return !o->dry_run;
    }
    return 0;
}

static int sync_one(mh_ctx *ctx, sis_host_app *happ, const sync_opts *o)
{
    static const mh_sync_counts no_counts;
    const char *paths[MAX_PATHS];
    int lock, full, rc;
    run_ctx r;
    sis_fetch_request req;
    sis_fetch_result res;
    fetch_texts texts = {NULL, NULL};
    sis_error err = SIS_ERROR_LOCAL;
    mh_progress progress;
    run_outcome out;
    mh_str counts = {0};
    char wm[64] = "", msg[512] = "";
    uint64_t active_before = 0;
    int held = 0, fast = 0;
    double t0 = now_s();

    lock = mh_store_sync_lock(ctx->store, happ->app.id);
    if (lock == -1)
        return mh_fail("a sync of %s is already running; wait for it to finish", happ->app.name);
    if (lock < 0)
        return mh_fail("cannot take the sync lock of %s in %s: %s", happ->app.name, ctx->db_path,
                       mh_store_error(ctx->store));
    full = o->full || (!o->delta && !choose_delta(ctx->store, happ->app.id));
    if (!full && mh_sync_watermark_get(ctx->store, happ->app.id, wm, sizeof wm) != 0) {
        mh_store_sync_unlock(ctx->store, happ->app.id, lock);
        return mh_fail("%s has no delta watermark yet; run a full sync first", happ->app.name);
    }
    memset(&r, 0, sizeof r);
    memset(&out, 0, sizeof out);
    r.s = ctx->store;
    r.app = &happ->app;
    r.conn = happ->plugin->connector;
    r.counts = &no_counts;
    r.run_id = mh_store_run_start(ctx->store, happ->app.id, full ? "full" : "delta");
    if (r.run_id < 0 || mh_instance_create(&r.inst, happ, msg, sizeof msg) != 0) {
        mh_store_sync_unlock(ctx->store, happ->app.id, lock);
        return mh_fail("cannot start the run: %s", r.run_id < 0 ? mh_store_error(ctx->store) : msg);
    }
    mh_progress_init(&progress, stderr);
    happ->progress = &progress;
    mh_mapping_load(ctx->store, &happ->app, &r.cfg);
    fetch_init(&r, full, wm, paths, &req, &res, &texts);

    mh_store_autocheckpoint(ctx->store, 0);  /* see close_run */
    /* A first import writes each page once, without the WAL (store_fast.h). */
    fast = full && !o->dry_run && mh_store_fast_import_begin(ctx->store);
    rc = mh_store_begin(ctx->store, msg, sizeof msg) == 0 ? SIS_OK : SIS_ERR_GENERIC;
    /* Only a full run can deactivate by absence; a delta need not scan the page. */
    if (full) {
        long long n = mh_store_active_users(ctx->store, happ->app.id);
        active_before = n > 0 ? (uint64_t)n : 0;  /* unreadable: nobody is deactivated */
    }
    if (rc == SIS_OK)
        rc = fetch_into_db(&r, happ, &req, &res, &err);
    else
        snprintf(err.message, err.message_cap, "%s", msg);
    happ->progress = NULL;  /* the plugin is done: the steps below are the host's */
    if (rc == SIS_OK && full && !o->dry_run)
        mh_progress_step(&progress, "checking for absent users…");
    if (rc == SIS_OK && finish_fetch(&r, &res, &texts, full, o, active_before, &out) != 0) {
        rc = SIS_ERR_GENERIC;
        snprintf(err.message, err.message_cap, "database: %s", mh_store_error(ctx->store));
    }
    if (rc != SIS_OK) {
        out.outcome = rc == SIS_ERR_CANCELLED ? "cancelled" : "failed";
        snprintf(out.reason, sizeof out.reason, "%s", err.message);
    }
    counts_json(&r, &res, out.deactivated_absent, out.held, rc == SIS_OK, &counts);
    rc = close_run(ctx->store, &r, rc, o->dry_run, &out, counts.data, &progress);
    if (fast)
        mh_store_fast_import_end(ctx->store);
    mh_progress_finish(&progress);
    mh_store_autocheckpoint(ctx->store, 1);
    if (rc == SIS_OK)
        held = report_run(happ, full, &r, &res, &out, counts.data, now_s() - t0, o);
    mh_sync_writer_free(r.writer);
    r.conn->destroy(r.inst);
    mh_mapping_free(&r.cfg);
    mh_str_free(&counts);
    free(texts.watermark);
    free(texts.incomplete);
    mh_store_sync_unlock(ctx->store, happ->app.id, lock);
    if (rc != SIS_OK)
        return mh_fail("sync of %s %s: %s. The Users page is unchanged.", happ->app.name,
                       rc == SIS_ERR_CANCELLED ? "cancelled" : "failed", out.reason);
    return held ? MH_EXIT_HELD : 0;
}

int mh_sync_scheduled(mh_ctx *ctx, sis_host_app *happ)
{
    sync_opts o;
    memset(&o, 0, sizeof o);
    o.app = happ->app.name;
    return sync_one(ctx, happ, &o);
}

static int parse_sync(int argc, char **argv, sync_opts *o)
{
    int i;
    memset(o, 0, sizeof *o);
    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--full") == 0) o->full = 1;
        else if (strcmp(argv[i], "--delta") == 0) o->delta = 1;
        else if (strcmp(argv[i], "--dry-run") == 0) o->dry_run = 1;
        else if (strcmp(argv[i], "--all") == 0) o->all = 1;
        else if (strcmp(argv[i], "--confirm-deactivations") == 0) o->confirm = 1;
        else if (argv[i][0] == '-' || o->app != NULL)
            return mh_usage_error("sync", "unexpected argument '%s'", argv[i]);
        else
            o->app = argv[i];
    }
    if (o->full && o->delta)
        return mh_usage_error("sync", "choose --full or --delta, not both");
    if (o->confirm && !o->full)
        return mh_usage_error("sync", "--confirm-deactivations goes with --full");
    if ((o->app == NULL) == !o->all)
        return mh_usage_error("sync", "name one app, or --all");
    return 0;
}

typedef struct all_ctx {
    mh_ctx *ctx;
    const sync_opts *o;
    int failures, held, runs;
} all_ctx;

static int sync_each(void *vctx, const mh_app *a)
{
    all_ctx *all = vctx;
    sis_host_app happ;
    int rc;
    if (a->connected_at[0] == '\0') {
        printf("Not synced: %s is not connected to a district; run 'mock-host connect %s'.\n",
               a->name, a->name);
        return 0;
    }
    all->runs++;
    rc = mh_ctx_app(all->ctx, a->name, &happ);
    if (rc == 0)
        rc = sync_one(all->ctx, &happ, all->o);
    if (rc == MH_EXIT_HELD)
        all->held++;
    else if (rc != 0)
        all->failures++;
    return mh_cancel_requested != 0;
}

int mh_cmd_sync(mh_ctx *ctx, int argc, char **argv)
{
    sync_opts o;
    sis_host_app happ;
    int rc = parse_sync(argc, argv, &o);
    if (rc != 0)
        return rc;
    if (o.all && mh_store_is_pg_location(ctx->db_path))  /* shared: the workers sync */
        return mh_sync_enqueue_all(ctx, o.full || o.delta || o.dry_run || o.confirm);
    if (o.all) {
        all_ctx all = {ctx, &o, 0, 0, 0};
        if (mh_ctx_store(ctx) != 0)
            return 1;
        mh_store_app_each(ctx->store, sync_each, &all);
        if (all.runs == 0) {
            printf("No connected apps to sync.\n");
            return 0;
        }
        printf("Synced %d app%s: %d complete, %d with deactivations held, %d failed.\n",
               all.runs, all.runs == 1 ? "" : "s", all.runs - all.held - all.failures, all.held,
               all.failures);
        /* A failure wins over a hold: an app whose Users page did not move at
         * all needs the admin first (the held ones are listed above). */
        return all.failures ? 1 : all.held ? MH_EXIT_HELD : 0;
    }
    if (mh_ctx_app(ctx, o.app, &happ) != 0)
        return 1;
    if (happ.app.connected_at[0] == '\0')
        return mh_fail("%s is not connected to a district; run 'mock-host connect %s' first",
                       o.app, o.app);
    return sync_one(ctx, &happ, &o);
}
