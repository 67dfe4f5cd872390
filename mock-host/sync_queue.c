/*
 * sync_queue.c - see sync_queue.h.  The mark is one host_state row per app
 * (QUEUED_KEY) whose value names the request (when, which process), so
 * that a worker finishing an older request leaves a newer one queued.
 */
#include "sync_queue.h"

#include <stdio.h>
#include <time.h>
#include <unistd.h>

#define QUEUED_KEY "sync_queued"

typedef struct queue_ctx {
    mh_ctx *ctx;
    const char *asked;
    int queued, failed;
} queue_ctx;

static int queue_one(void *vq, const mh_app *a)
{
    queue_ctx *q = vq;
    if (a->connected_at[0] == '\0') {
        printf("Not queued: %s is not connected to a district; run 'mock-host connect %s'.\n",
               a->name, a->name);
        return 0;
    }
    if (mh_store_state_set(q->ctx->store, a->id, QUEUED_KEY, q->asked) != 0) {
        mh_fail("cannot queue a sync of %s in %s: %s", a->name, q->ctx->db_path,
                mh_store_error(q->ctx->store));
        q->failed++;
        return 0;
    }
    printf("Queued: %s\n", a->name);
    q->queued++;
    return 0;
}

int mh_sync_enqueue_all(mh_ctx *ctx, int with_options)
{
    char now[40], asked[64];
    queue_ctx q = {ctx, asked, 0, 0};
    if (with_options)
        return mh_usage_error("sync", "on PostgreSQL, 'sync --all' queues every connected app's "
                              "usual sync for the workers and takes no other option; for a "
                              "--full, --delta or --dry-run run, name the app: 'mock-host sync "
                              "APP --full'");
    if (mh_ctx_store(ctx) != 0)
        return 1;
    mh_now_iso(now, sizeof now);
    snprintf(asked, sizeof asked, "%s pid %ld", now, (long)getpid());
    if (mh_store_app_each(ctx->store, queue_one, &q) != 0)
        return mh_fail("cannot read the installed apps from %s: %s", ctx->db_path,
                       mh_store_error(ctx->store));
    if (q.queued == 0 && q.failed == 0) {
        printf("No connected apps to sync.\n");
        return 0;
    }
    printf("Queued %d app%s for the workers; nothing was synced by this command. Each is "
           "synced once by the next worker round: keep 'mock-host worker' running on any "
           "machine with this database, or run 'mock-host worker --once' to sync them "
           "here now.\n", q.queued, q.queued == 1 ? "" : "s");
    return q.failed ? 1 : 0;
}

int mh_sync_queued(mh_store *s, int64_t app_id, char *asked, size_t cap)
{
    int rc = mh_store_state_get(s, app_id, QUEUED_KEY, asked, cap);
    return rc == 0 ? 1 : rc == 1 ? 0 : -1;
}

int mh_sync_queue_done(mh_store *s, int64_t app_id, const char *asked)
{
    /* `sync --all` takes no lock: a newer request may replace this one at
     * any moment, and must then stay queued for the next round.  So the
     * comparison and the delete are one statement. */
    return mh_store_state_delete_if(s, app_id, QUEUED_KEY, asked);
}
