/* store_fast.h - storage shortcuts for the sync's hot path that need the
 * SQLite handle (store_fast.c is one of the store*.c modules). */
#ifndef MH_STORE_FAST_H
#define MH_STORE_FAST_H

#include "store.h"

/* Before the transaction of a full import: when the database holds no SIS
 * record and no user of any app yet, switches it from the WAL to a rollback
 * journal, so that every page of the import is written once, straight into
 * the database file, instead of into the WAL and again by the checkpoint
 * (for a million users, ~850 MB twice and ~3 s after the last record; see
 * tests/bench/FINDINGS.md).  Pages appended to a file are not journaled, so
 * the journal stays small, and a kill at any moment still rolls back to the
 * previous state on the next open.  SQLite refuses the switch at once while
 * any other connection has the database open (the console, say): then the
 * import goes through the WAL as usual.  A reader that opens the database
 * during the import sees "busy" instead of the empty Users page it replaces.
 * Returns 1 when switched (call mh_store_fast_import_end after COMMIT or
 * ROLLBACK), 0 when the database stays in WAL mode (not empty, or in use). */
int mh_store_fast_import_begin(mh_store *s);

/* Back to the WAL for everyday work.  When another connection holds the
 * database just then, the next mh_store_open switches it back. */
void mh_store_fast_import_end(mh_store *s);

/* Asks the kernel to start writing the database file's (and its WAL's)
 * dirty pages to disk now, without waiting for them.  A big run leaves its
 * writes in the page cache (with plenty of RAM the kernel starts on its own
 * only past gigabytes), so COMMIT's fsync would otherwise write the whole
 * import after the last record: ~0.8 s for a million users, with both cores
 * idle.  Called now and then during a run, it overlaps that disk work with
 * the parsing and writing.  A no-op on PostgreSQL and off Linux. */
void mh_store_start_writeback(mh_store *s);

/* While a run saves (COMMIT, then the checkpoint that copies the WAL's
 * pages into the database file), a second thread asks the kernel every few
 * milliseconds to start writing back what has been written so far, so
 * that the disk works while SQLite copies, and each fsync at the end finds
 * most pages already written.  For a delta of 10,000 changed users in a
 * district of a million, the database's fsync after the checkpoint fell
 * from 0.13 s to 0.02 s (tests/bench/DELTA.md).  mh_store_save_writeback_start
 * returns NULL when there is nothing to do (PostgreSQL, off Linux) or the
 * thread cannot start; both calls accept NULL.  The caller owns the result
 * until mh_store_save_writeback_stop, which joins the thread and frees it. */
typedef struct mh_save_writeback mh_save_writeback;
mh_save_writeback *mh_store_save_writeback_start(mh_store *s);
void mh_store_save_writeback_stop(mh_save_writeback *w);

#endif
