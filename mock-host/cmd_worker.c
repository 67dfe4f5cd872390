/*
 * cmd_worker.c - `mock-host worker`: syncs every connected app when its
 * schedule (host setting sync_every) says it is due.  Any number of workers
 * on any number of machines share one database.  Coordination is the app's
 * sync lock (mh_store_sync_lock: a PostgreSQL advisory lock, or a lock file
 * beside an SQLite database): a worker takes it, and only then decides
 * whether the app is due, so a run another worker finished a moment ago
 * is seen and the app is not synced twice in a round.  The server drops
 * the lock with a crashed worker's connection; that worker's run never
 * ended, so it does not count and the next round syncs the app again.
 *
 * `sync --all` on PostgreSQL does not sync: it queues (sync_queue.h); a
 * worker's round syncs a queued app whatever its schedule.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "host_settings.h"
#include "services.h"
#include "store_runs.h"
#include "sync_hold.h"
#include "sync_queue.h"

#define MAX_CONCURRENCY 64

typedef struct worker_opts {
    int concurrency, once;
    long interval_s;
} worker_opts;

/* The connected apps, read at the start of a round (not iterated while
 * syncing: a sync must not run inside another statement's walk). */
typedef struct app_ref {
    int64_t id;
    char name[64];
} app_ref;

typedef struct app_list {
    app_ref *items;   /* owned: free() */
    size_t n, cap;
} app_list;

typedef struct round_counts {
    int complete, held, failed, not_due, elsewhere;
} round_counts;

static int collect(void *vlist, const mh_app *a)
{
    app_list *l = vlist;
    if (a->connected_at[0] == '\0')
        return 0;
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 32;
        app_ref *p = realloc(l->items, cap * sizeof *p);
        if (p == NULL)
            return 1;
        l->items = p;
        l->cap = cap;
    }
    l->items[l->n].id = a->id;
    snprintf(l->items[l->n].name, sizeof l->items[l->n].name, "%s", a->name);
    l->n++;
    return 0;
}

/* The ISO 8601 UTC time `minutes` ago, comparable with runs.started_at. */
static void iso_minutes_ago(long minutes, char *buf, size_t cap)
{
    time_t t = time(NULL) - (time_t)minutes * 60;
    struct tm tm;
    gmtime_r(&t, &tm);
    if (strftime(buf, cap, "%Y-%m-%dT%H:%M:%S.000Z", &tm) == 0 && cap > 0)
        buf[0] = '\0';
}

/* One app: under its sync lock, sync it when due. */
static void visit(mh_ctx *ctx, const app_ref *a, round_counts *c)
{
    sis_host_app happ;
    char since[32], asked[64];
    long every;
    int lock, rc, recent, queued, loaded;

    lock = mh_store_sync_lock(ctx->store, a->id);
    if (lock == -1) {
        c->elsewhere++;  /* another worker (or an admin's sync) runs it now */
        return;
    }
    if (lock < 0) {
        mh_fail("worker: cannot take the sync lock of %s in %s: %s", a->name, ctx->db_path,
                mh_store_error(ctx->store));
        c->failed++;
        return;
    }
    /* Queued by `sync --all`: due now, whatever the schedule. */
    queued = mh_sync_queued(ctx->store, a->id, asked, sizeof asked) == 1;
    every = mh_host_setting_long(ctx->store, a->id, "sync_every");
    recent = 1;
    if (queued) {
        recent = 0;
    } else if (every > 0) {
        iso_minutes_ago(every, since, sizeof since);
        recent = mh_store_run_finished_since(ctx->store, a->id, since);
    }
    if (recent != 0) {
        mh_store_sync_unlock(ctx->store, a->id, lock);
        if (recent < 0) {
            mh_fail("worker: cannot read the runs of %s: %s", a->name, mh_store_error(ctx->store));
            c->failed++;
        } else {
            c->not_due++;
        }
        return;
    }
    printf("worker %ld: syncing %s\n", (long)getpid(), a->name);
    fflush(stdout);
    loaded = (rc = mh_ctx_app(ctx, a->name, &happ)) == 0;
    if (loaded)
        rc = mh_sync_scheduled(ctx, &happ);  /* takes the lock again: it nests */
    /* The queued sync has run (whatever its outcome: a failure is in its
     * run history, not retried forever; a cancelled one stays queued, and
     * so does one whose plugin did not load: no run recorded it).  Still
     * under the lock, and only when nobody queued it again while it ran. */
    if (queued && loaded && !mh_cancel_requested &&
        mh_sync_queue_done(ctx->store, a->id, asked) != 0)
        mh_fail("worker: cannot clear the queued sync of %s: %s", a->name,
                mh_store_error(ctx->store));
    mh_store_sync_unlock(ctx->store, a->id, lock);
    if (rc == 0)
        c->complete++;
    else if (rc == MH_EXIT_HELD)
        c->held++;
    else
        c->failed++;
    fflush(stdout);
}

/* One round over every connected app, starting at the `slot`-th of
 * `slots` (so that a worker's processes start apart); 0, or -1 when the
 * apps cannot be read. */
static int run_round(mh_ctx *ctx, int slot, int slots, round_counts *c)
{
    app_list l = {NULL, 0, 0};
    size_t i, start;
    memset(c, 0, sizeof *c);
    if (mh_store_app_each(ctx->store, collect, &l) != 0) {
        free(l.items);
        mh_fail("worker: cannot read the installed apps from %s: %s", ctx->db_path,
                mh_store_error(ctx->store));
        return -1;
    }
    start = l.n ? (size_t)slot * l.n / (size_t)slots : 0;
    for (i = 0; i < l.n && !mh_cancel_requested; i++)
        visit(ctx, &l.items[(start + i) % l.n], c);
    free(l.items);
    printf("worker %ld: round done: %d complete, %d with deactivations held, %d failed, "
           "%d not due, %d left to another process that held it.\n", (long)getpid(), c->complete, c->held,
           c->failed, c->not_due, c->elsewhere);
    fflush(stdout);
    return 0;
}

/* A PostgreSQL connection that dropped stays dropped, and every round on
 * it would fail until someone restarts the worker: each round starts on a
 * live one, opened again when needed (the sync locks went with the old
 * one).  0, or -1 when the database cannot be opened (said). */
static int live_store(mh_ctx *ctx)
{
    if (ctx->store != NULL && mh_store_connection_lost(ctx->store)) {
        fprintf(stderr, "worker %ld: the connection to %s was lost; connecting again\n",
                (long)getpid(), ctx->db_path);
        mh_store_close(ctx->store);
        ctx->store = NULL;
    }
    return mh_ctx_store(ctx);
}

/* Rounds until stopped (or one with --once); the exit status of the last
 * round as `sync --all` gives it. */
static int worker_loop(mh_ctx *ctx, const worker_opts *o, int slot)
{
    round_counts c;
    long waited;
    int rc = 0;
    if (mh_ctx_store(ctx) != 0)
        return 1;
    for (;;) {
        if (live_store(ctx) != 0 || run_round(ctx, slot, o->concurrency, &c) != 0)
            rc = 1;
        else
            rc = c.failed ? 1 : c.held ? MH_EXIT_HELD : 0;
        if (o->once || mh_cancel_requested)
            break;
        for (waited = 0; waited < o->interval_s && !mh_cancel_requested; waited++)
            sleep(1);  /* a signal ends it early */
        if (mh_cancel_requested)
            break;
    }
    if (mh_cancel_requested) {
        /* Asked to stop: a run it cancelled applied nothing and is recorded
         * as cancelled; stopping is not a failure. */
        printf("worker %ld: stopped.\n", (long)getpid());
        return 0;
    }
    return rc;
}

static int parse_worker(int argc, char **argv, worker_opts *o)
{
    int i;
    char *end;
    o->concurrency = 1;
    o->once = 0;
    o->interval_s = 60;
    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--once") == 0) {
            o->once = 1;
        } else if (strcmp(argv[i], "--concurrency") == 0 && i + 1 < argc) {
            long n = strtol(argv[++i], &end, 10);
            if (*end != '\0' || n < 1 || n > MAX_CONCURRENCY)
                return mh_usage_error("worker", "--concurrency takes a number from 1 to %d",
                                      MAX_CONCURRENCY);
            o->concurrency = (int)n;
        } else if (strcmp(argv[i], "--interval") == 0 && i + 1 < argc) {
            long n = strtol(argv[++i], &end, 10);
            if (*end != '\0' || n < 1 || n > 86400)
                return mh_usage_error("worker", "--interval takes seconds from 1 to 86400");
            o->interval_s = n;
        } else {
            return mh_usage_error("worker", "unexpected argument '%s'", argv[i]);
        }
    }
    return 0;
}

static void on_child(int sig)
{
    (void)sig;  /* only wakes sigsuspend */
}

/* Forwards a stop request to the children once, and waits for them.
 * SIGINT, SIGTERM and SIGCHLD are blocked except inside sigsuspend, so a
 * signal that arrives while the children are being started, or between
 * the flag's check and the wait, is taken at the next sigsuspend and
 * never leaves the children running. */
static int wait_children(pid_t *pids, int live, const sigset_t *waiting_mask)
{
    int worst = 0, forwarded = 0;
    while (live > 0) {
        int status, k;
        pid_t pid;
        if (mh_cancel_requested && !forwarded) {
            for (k = 0; k < live; k++)
                kill(pids[k], SIGTERM);  /* each cancels its run cleanly */
            forwarded = 1;
        }
        pid = waitpid(-1, &status, WNOHANG);
        if (pid == 0) {
            sigsuspend(waiting_mask);  /* a child ended, or a stop request */
            continue;
        }
        if (pid < 0 && errno == EINTR)
            continue;
        if (pid < 0)
            break;
        for (k = 0; k < live; k++)
            if (pids[k] == pid) {
                pids[k] = pids[--live];
                break;
            }
        if (!WIFEXITED(status)) {
            worst = 1;
        } else if (WEXITSTATUS(status) != 0 && worst != 1) {
            worst = WEXITSTATUS(status);
        }
    }
    return worst;
}

/* --concurrency N: N processes, each with its own database connection
 * and plugins.  The parent opens the database once first, so that a new
 * one is created and migrated before the children open it; it closes it
 * again before forking (an SQLite connection must not cross a fork). */
static int run_processes(mh_ctx *ctx, const worker_opts *o)
{
    pid_t pids[MAX_CONCURRENCY], parent = getpid();
    int i, live = 0, worst;
    sigset_t stops, before, waiting;
    struct sigaction chld, old_chld;

    if (mh_ctx_store(ctx) != 0)
        return 1;
    mh_store_close(ctx->store);
    ctx->store = NULL;
    memset(&chld, 0, sizeof chld);
    chld.sa_handler = on_child;
    sigaction(SIGCHLD, &chld, &old_chld);
    sigemptyset(&stops);
    sigaddset(&stops, SIGINT);
    sigaddset(&stops, SIGTERM);
    sigaddset(&stops, SIGCHLD);
    sigprocmask(SIG_BLOCK, &stops, &before);
    waiting = before;
    sigdelset(&waiting, SIGINT);
    sigdelset(&waiting, SIGTERM);
    sigdelset(&waiting, SIGCHLD);
    fflush(stdout);
    fflush(stderr);
    for (i = 0; i < o->concurrency; i++) {
        pid_t pid = fork();
        if (pid < 0) {
            mh_fail("worker: cannot start process %d of %d: %s", i + 1, o->concurrency,
                    strerror(errno));
            break;
        }
        if (pid == 0) {
            int rc;
            /* A parent killed outright (SIGKILL, the OOM killer) cannot
             * forward the stop: the kernel does, as a SIGTERM that cancels
             * the child's run cleanly, instead of leaving it syncing with
             * nobody to stop it.  Blocked until the mask is restored; a
             * parent already gone is checked for after asking. */
            if (prctl(PR_SET_PDEATHSIG, SIGTERM) != 0 || getppid() != parent)
                kill(getpid(), SIGTERM);
            sigaction(SIGCHLD, &old_chld, NULL);
            sigprocmask(SIG_SETMASK, &before, NULL);
            rc = worker_loop(ctx, o, i);
            mh_registry_free(&ctx->registry);
            mh_store_close(ctx->store);
            exit(rc);
        }
        pids[live++] = pid;
    }
    worst = wait_children(pids, live, &waiting);
    if (live < o->concurrency)
        worst = 1;
    sigprocmask(SIG_SETMASK, &before, NULL);
    sigaction(SIGCHLD, &old_chld, NULL);
    return worst;
}

int mh_cmd_worker(mh_ctx *ctx, int argc, char **argv)
{
    worker_opts o;
    int rc = parse_worker(argc, argv, &o);
    if (rc != 0)
        return rc;
    if (o.concurrency == 1)
        return worker_loop(ctx, &o, 0);
    return run_processes(ctx, &o);
}
