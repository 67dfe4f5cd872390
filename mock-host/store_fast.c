/*
 * store_fast.c - see store_fast.h.
 */
#include "store_fast.h"
#include "store_db.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int is_empty(sqlite3 *db)
{
    sqlite3_stmt *st;
    int empty = 0;
    if (sqlite3_prepare_v2(db, "SELECT NOT EXISTS(SELECT 1 FROM sis_records) AND "
                               "NOT EXISTS(SELECT 1 FROM users)", -1, &st, NULL) != SQLITE_OK)
        return 0;
    if (sqlite3_step(st) == SQLITE_ROW)
        empty = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    return empty;
}

/* The journal mode SQLite reports after a PRAGMA journal_mode=...; "" when
 * the change failed (e.g. SQLITE_BUSY: another connection is reading). */
static void set_mode(sqlite3 *db, const char *sql, char *mode, size_t cap)
{
    sqlite3_stmt *st;
    mode[0] = '\0';
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        return;
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0) != NULL)
        snprintf(mode, cap, "%s", (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
}

int mh_store_fast_import_begin(mh_store *s)
{
    char mode[16];
    /* SQLite only: PostgreSQL has no WAL detour to skip. */
    if (s->db == NULL || s->read_only || !is_empty(s->db))
        return 0;
    set_mode(s->db, "PRAGMA journal_mode=DELETE", mode, sizeof mode);
    return strcmp(mode, "delete") == 0;
}

void mh_store_fast_import_end(mh_store *s)
{
    char mode[16];
    if (s->db == NULL)
        return;
    set_mode(s->db, "PRAGMA journal_mode=WAL", mode, sizeof mode);
}

void mh_store_start_writeback(mh_store *s)
{
#ifdef __linux__
    const char *db;
    char wal[4096];
    int fd;
    if (s->db == NULL || s->wb_fd < 0)
        return;
    /* A hint: a failure costs only time.  The kernel writes back the file's
     * pages whichever descriptor asks. */
    (void)sync_file_range(s->wb_fd, 0, 0, SYNC_FILE_RANGE_WRITE);
    db = sqlite3_db_filename(s->db, "main");
    /* The WAL carries no lock (SQLite locks the database file and the
     * -shm), so a descriptor of it may come and go. */
    if (db == NULL || (size_t)snprintf(wal, sizeof wal, "%s-wal", db) >= sizeof wal ||
        (fd = open(wal, O_RDONLY | O_CLOEXEC)) < 0)
        return;  /* no WAL just now (a first import): nothing more to start */
    (void)sync_file_range(fd, 0, 0, SYNC_FILE_RANGE_WRITE);
    close(fd);
#else
    (void)s;
#endif
}
