/*
 * store_fast.c - see store_fast.h.
 */
#include "store_fast.h"
#include "store_db.h"

#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
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

/* A descriptor of the database's WAL, or -1 (none just now: a first
 * import).  The WAL carries no lock (SQLite locks the database file and
 * the -shm), so a descriptor of it may come and go. */
static int open_wal(mh_store *s)
{
    const char *db = sqlite3_db_filename(s->db, "main");
    char wal[4096];
    if (db == NULL || (size_t)snprintf(wal, sizeof wal, "%s-wal", db) >= sizeof wal)
        return -1;
    return open(wal, O_RDONLY | O_CLOEXEC);
}

/* A hint: a failure costs only time.  The kernel writes back a file's
 * pages whichever descriptor asks. */
static void start_writeback(int fd)
{
#ifdef __linux__
    if (fd >= 0)
        (void)sync_file_range(fd, 0, 0, SYNC_FILE_RANGE_WRITE);
#else
    (void)fd;
#endif
}

void mh_store_start_writeback(mh_store *s)
{
    int wal;
    if (s->db == NULL || s->wb_fd < 0)
        return;
    start_writeback(s->wb_fd);
    wal = open_wal(s);
    start_writeback(wal);
    if (wal >= 0)
        close(wal);
}

struct mh_save_writeback {
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    int stop;           /* under lock */
    int db_fd, wal_fd;  /* db_fd borrowed from the store; wal_fd owned, or -1 */
};

/* Every 5 ms: often enough that the disk never idles while SQLite copies
 * pages (~0.2 million pages a second), rarely enough to cost nothing. */
#define SAVE_WRITEBACK_NS 5000000L

static void *save_writeback_run(void *arg)
{
    mh_save_writeback *w = arg;
    struct timespec until;
    pthread_mutex_lock(&w->lock);
    while (!w->stop) {
        pthread_mutex_unlock(&w->lock);
        start_writeback(w->db_fd);
        start_writeback(w->wal_fd);
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_nsec += SAVE_WRITEBACK_NS;
        if (until.tv_nsec >= 1000000000L) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000L;
        }
        pthread_mutex_lock(&w->lock);
        if (!w->stop)
            pthread_cond_timedwait(&w->wake, &w->lock, &until);
    }
    pthread_mutex_unlock(&w->lock);
    return NULL;
}

static void save_writeback_free(mh_save_writeback *w)
{
    if (w->wal_fd >= 0)
        close(w->wal_fd);
    pthread_cond_destroy(&w->wake);
    pthread_mutex_destroy(&w->lock);
    free(w);
}

mh_save_writeback *mh_store_save_writeback_start(mh_store *s)
{
#ifdef __linux__
    mh_save_writeback *w;
    if (s->db == NULL || s->wb_fd < 0 || (w = calloc(1, sizeof *w)) == NULL)
        return NULL;
    w->db_fd = s->wb_fd;
    w->wal_fd = open_wal(s);
    pthread_mutex_init(&w->lock, NULL);
    pthread_cond_init(&w->wake, NULL);
    if (pthread_create(&w->thread, NULL, save_writeback_run, w) != 0) {
        save_writeback_free(w);
        return NULL;
    }
    return w;
#else
    (void)s;
    return NULL;
#endif
}

void mh_store_save_writeback_stop(mh_save_writeback *w)
{
    if (w == NULL)
        return;
    pthread_mutex_lock(&w->lock);
    w->stop = 1;
    pthread_cond_signal(&w->wake);
    pthread_mutex_unlock(&w->lock);
    pthread_join(w->thread, NULL);
    save_writeback_free(w);
}
