/* sync_queue.h - syncs queued for the workers.  On PostgreSQL, where any
 * number of workers share the database, `sync --all` does not sync every
 * app in its own process: it marks each connected app as queued (in the
 * host's own state namespace of the app), and the next worker round syncs
 * each queued app once, whatever its schedule (cmd_worker.c). */
#ifndef MH_SYNC_QUEUE_H
#define MH_SYNC_QUEUE_H

#include <stddef.h>
#include <stdint.h>

#include "cli.h"
#include "store.h"

/* `sync --all` on PostgreSQL: queues every connected app and prints what
 * was queued and how workers run it.  with_options: other sync options
 * were given, which a queued sync cannot carry (refused as a usage
 * error).  An exit status. */
int mh_sync_enqueue_all(mh_ctx *ctx, int with_options);

/* 1 when the app is queued (*asked: which request, to hand to
 * mh_sync_queue_done), 0 when not, -1 on error. */
int mh_sync_queued(mh_store *s, int64_t app_id, char *asked, size_t cap);
/* The queued sync `asked` has run: unqueues the app, unless it was queued
 * again since (a newer request stays).  Under the app's sync lock.  0 or -1. */
int mh_sync_queue_done(mh_store *s, int64_t app_id, const char *asked);

#endif
