#include "idset.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tempfile.h"

#define IO_BUF (32u * 1024)

/* One id of the current chunk; its text is arena[off, off + len). */
typedef struct entry {
    uint64_t hash;
    uint64_t line;
    uint32_t off, len;
} entry;

/* A sorted run in the temporary file: records of
 * [u64 hash][u64 line][u32 len][len bytes], native byte order (the file
 * never outlives the process). */
typedef struct run {
    uint64_t start, count;
} run;

struct orc_idset {
    char *name;
    entry *ents;
    size_t n, cap;
    char *arena;
    size_t used, arena_cap;
    int fd;                         /* -1 until the first spill */
    uint64_t fd_end;
    run runs[ORC_IDSET_MAX_RUNS];
    size_t n_runs;
};

static uint64_t hash_id(const char *s, size_t len)
{
    uint64_t h = 1469598103934665603ull;   /* FNV-1a, then a murmur3 finaliser */
    size_t i;
    for (i = 0; i < len; i++) {
        h ^= (unsigned char)s[i];
        h *= 1099511628211ull;
    }
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ull;
    h ^= h >> 33;
    return h;
}

static int key_cmp(uint64_t ha, const char *a, size_t la, uint64_t hb, const char *b, size_t lb)
{
    int c;
    if (ha != hb)
        return ha < hb ? -1 : 1;
    c = memcmp(a, b, la < lb ? la : lb);
    if (c != 0)
        return c;
    return la < lb ? -1 : la > lb;
}

static int entry_cmp(const void *pa, const void *pb, void *arena)
{
    const entry *a = pa, *b = pb;
    const char *base = arena;
    return key_cmp(a->hash, base + a->off, a->len, b->hash, base + b->off, b->len);
}

static int duplicate(const orc_idset *s, const char *id, size_t len, uint64_t l1, uint64_t l2,
                     orc_err *err)
{
    return orc_fail(err, ORC_ERR_DATA, "%s lines %llu and %llu: the sourcedId %.*s appears "
                    "twice (sourcedIds must be unique)", s->name,
                    (unsigned long long)(l1 < l2 ? l1 : l2), (unsigned long long)(l1 < l2 ? l2 : l1),
                    (int)(len > 100 ? 100 : len), id);
}

static int io_failed(const orc_idset *s, orc_err *err)
{
    return orc_fail(err, ORC_ERR_IO, "could not use a temporary file in %s to check %s for "
                    "duplicate sourcedIds (%s); check that the folder exists and has free space "
                    "(TMPDIR chooses it)", orc_temp_dir(), s->name, strerror(errno));
}

/* ---- buffered writer and readers over pread/pwrite ------------------- */

typedef struct writer {
    int fd;
    uint64_t pos;
    size_t n;
    char buf[IO_BUF];
} writer;

static int w_flush(writer *w)
{
    size_t done = 0;
    while (done < w->n) {
        ssize_t k = pwrite(w->fd, w->buf + done, w->n - done, (off_t)(w->pos + done));
        if (k <= 0)
            return -1;
        done += (size_t)k;
    }
    w->pos += w->n;
    w->n = 0;
    return 0;
}

static int w_put(writer *w, const void *p, size_t len)
{
    const char *c = p;
    while (len > 0) {
        size_t k = sizeof w->buf - w->n < len ? sizeof w->buf - w->n : len;
        memcpy(w->buf + w->n, c, k);
        w->n += k;
        c += k;
        len -= k;
        if (w->n == sizeof w->buf && w_flush(w) != 0)
            return -1;
    }
    return 0;
}

static int w_record(writer *w, uint64_t hash, uint64_t line, const char *id, uint32_t len)
{
    return w_put(w, &hash, 8) || w_put(w, &line, 8) || w_put(w, &len, 4) || w_put(w, id, len) ? -1 : 0;
}

typedef struct reader {
    int fd;
    uint64_t pos, left;       /* next file offset to read; records not yet read */
    char *buf;
    size_t have, at;
    uint64_t hash, line;      /* the current record */
    uint32_t len;
    char *id;
    size_t id_cap;
    int done;                 /* the run has no more records */
} reader;

static int r_read(reader *r, void *dst, size_t len)
{
    char *d = dst;
    while (len > 0) {
        size_t k;
        if (r->at == r->have) {
            ssize_t got = pread(r->fd, r->buf, IO_BUF, (off_t)r->pos);
            if (got <= 0)
                return -1;
            r->pos += (uint64_t)got;
            r->have = (size_t)got;
            r->at = 0;
        }
        k = r->have - r->at < len ? r->have - r->at : len;
        memcpy(d, r->buf + r->at, k);
        r->at += k;
        d += k;
        len -= k;
    }
    return 0;
}

/* 1: a record; 0: the run is done; -1: I/O error. */
static int r_next(reader *r)
{
    if (r->left == 0)
        return 0;
    if (r_read(r, &r->hash, 8) || r_read(r, &r->line, 8) || r_read(r, &r->len, 4))
        return -1;
    if ((size_t)r->len + 1 > r->id_cap) {
        char *id = realloc(r->id, (size_t)r->len + 1);
        if (id == NULL)
            return -1;
        r->id = id;
        r->id_cap = (size_t)r->len + 1;
    }
    if (r_read(r, r->id, r->len))
        return -1;
    r->left--;
    return 1;
}

/* Merges every run; checks neighbours for duplicates; writes the merged
 * sequence to `w` when given. */
static int merge_runs(orc_idset *s, writer *w, uint64_t *written, orc_err *err)
{
    reader *rs = calloc(s->n_runs, sizeof *rs);
    char *prev = NULL;
    size_t prev_cap = 0, i, live = 0;
    uint64_t prev_hash = 0, prev_line = 0;
    uint32_t prev_len = 0;
    int have_prev = 0, rc = ORC_OK;

    *written = 0;
    if (rs == NULL)
        return orc_fail(err, ORC_ERR_NOMEM, "out of memory checking %s for duplicates", s->name);
    for (i = 0; i < s->n_runs; i++) {
        rs[i].fd = s->fd;
        rs[i].pos = s->runs[i].start;
        rs[i].left = s->runs[i].count;
        rs[i].buf = malloc(IO_BUF);
        if (rs[i].buf == NULL) {
            rc = orc_fail(err, ORC_ERR_NOMEM, "out of memory checking %s for duplicates", s->name);
            goto done;
        }
        switch (r_next(&rs[i])) {
        case 1: live++; break;
        case 0: rs[i].done = 1; break;
        default: rc = io_failed(s, err); goto done;
        }
    }
    while (live > 0) {
        reader *m = NULL;
        for (i = 0; i < s->n_runs; i++) {
            if (rs[i].done)
                continue;
            if (m == NULL || key_cmp(rs[i].hash, rs[i].id, rs[i].len, m->hash, m->id, m->len) < 0)
                m = &rs[i];
        }
        if (have_prev && key_cmp(prev_hash, prev, prev_len, m->hash, m->id, m->len) == 0) {
            rc = duplicate(s, m->id, m->len, prev_line, m->line, err);
            goto done;
        }
        if (w != NULL) {
            if (w_record(w, m->hash, m->line, m->id, m->len) != 0) {
                rc = io_failed(s, err);
                goto done;
            }
            (*written)++;
        }
        if ((size_t)m->len + 1 > prev_cap) {
            char *p = realloc(prev, (size_t)m->len + 1);
            if (p == NULL) {
                rc = orc_fail(err, ORC_ERR_NOMEM, "out of memory checking %s", s->name);
                goto done;
            }
            prev = p;
            prev_cap = (size_t)m->len + 1;
        }
        memcpy(prev, m->id, m->len);
        prev_len = m->len;
        prev_hash = m->hash;
        prev_line = m->line;
        have_prev = 1;
        switch (r_next(m)) {
        case 1: break;
        case 0: m->done = 1; live--; break;
        default: rc = io_failed(s, err); goto done;
        }
    }
done:
    for (i = 0; i < s->n_runs; i++) {
        free(rs[i].buf);
        free(rs[i].id);
    }
    free(rs);
    free(prev);
    return rc;
}

/* Replaces every run by one, in a new temporary file. */
static int compact(orc_idset *s, orc_err *err)
{
    writer *w = malloc(sizeof *w);
    uint64_t count;
    int rc;
    if (w == NULL)
        return orc_fail(err, ORC_ERR_NOMEM, "out of memory checking %s", s->name);
    w->fd = orc_temp_fd("ids");
    w->pos = 0;
    w->n = 0;
    if (w->fd < 0) {
        free(w);
        return io_failed(s, err);
    }
    rc = merge_runs(s, w, &count, err);
    if (rc == ORC_OK && w_flush(w) != 0)
        rc = io_failed(s, err);
    if (rc != ORC_OK) {
        close(w->fd);
        free(w);
        return rc;
    }
    close(s->fd);
    s->fd = w->fd;
    s->fd_end = w->pos;
    s->runs[0].start = 0;
    s->runs[0].count = count;
    s->n_runs = 1;
    free(w);
    return ORC_OK;
}

/* Sorts the chunk and checks it; with `spill`, writes it as a run. */
static int close_chunk(orc_idset *s, int spill, orc_err *err)
{
    size_t i;
    writer *w;
    qsort_r(s->ents, s->n, sizeof *s->ents, entry_cmp, s->arena);
    for (i = 1; i < s->n; i++)
        if (entry_cmp(&s->ents[i - 1], &s->ents[i], s->arena) == 0)
            return duplicate(s, s->arena + s->ents[i].off, s->ents[i].len, s->ents[i - 1].line,
                             s->ents[i].line, err);
    if (!spill || s->n == 0)
        return ORC_OK;
    if (s->fd < 0 && (s->fd = orc_temp_fd("ids")) < 0)
        return io_failed(s, err);
    if (s->n_runs == ORC_IDSET_MAX_RUNS) {
        int rc = compact(s, err);
        if (rc != ORC_OK)
            return rc;
    }
    w = malloc(sizeof *w);
    if (w == NULL)
        return orc_fail(err, ORC_ERR_NOMEM, "out of memory checking %s", s->name);
    w->fd = s->fd;
    w->pos = s->fd_end;
    w->n = 0;
    for (i = 0; i < s->n; i++)
        if (w_record(w, s->ents[i].hash, s->ents[i].line, s->arena + s->ents[i].off,
                     s->ents[i].len) != 0)
            break;
    if (i < s->n || w_flush(w) != 0) {
        free(w);
        return io_failed(s, err);
    }
    s->runs[s->n_runs].start = s->fd_end;
    s->runs[s->n_runs++].count = s->n;
    s->fd_end = w->pos;
    s->n = 0;
    s->used = 0;
    free(w);
    return ORC_OK;
}

int orc_idset_new(orc_idset **out, const char *name, orc_err *err)
{
    orc_idset *s = calloc(1, sizeof *s);
    if (s == NULL || (s->name = strdup(name)) == NULL) {
        free(s);
        return orc_fail(err, ORC_ERR_NOMEM, "out of memory reading %s", name);
    }
    s->fd = -1;
    *out = s;
    return ORC_OK;
}

static int grow(void **p, size_t *cap, size_t need, size_t unit, size_t max)
{
    size_t n = *cap ? *cap : 1024;
    void *q;
    while (n < need)
        n *= 2;
    if (n > max)
        n = max < need ? need : max;
    q = realloc(*p, n * unit);
    if (q == NULL)
        return -1;
    *p = q;
    *cap = n;
    return 0;
}

int orc_idset_add(orc_idset *s, const char *id, unsigned long line, orc_err *err)
{
    size_t len = strlen(id);
    int rc;
    if (s->n == ORC_IDSET_CHUNK_IDS || (s->n > 0 && s->used + len > ORC_IDSET_CHUNK_BYTES)) {
        rc = close_chunk(s, 1, err);
        if (rc != ORC_OK)
            return rc;
    }
    if ((s->n + 1 > s->cap &&
         grow((void **)&s->ents, &s->cap, s->n + 1, sizeof *s->ents, ORC_IDSET_CHUNK_IDS) != 0) ||
        (s->used + len > s->arena_cap &&
         grow((void **)&s->arena, &s->arena_cap, s->used + len, 1, ORC_IDSET_CHUNK_BYTES) != 0))
        return orc_fail(err, ORC_ERR_NOMEM, "out of memory reading %s", s->name);
    s->ents[s->n].hash = hash_id(id, len);
    s->ents[s->n].line = line;
    s->ents[s->n].off = (uint32_t)s->used;
    s->ents[s->n].len = (uint32_t)len;
    memcpy(s->arena + s->used, id, len);
    s->used += len;
    s->n++;
    return ORC_OK;
}

int orc_idset_finish(orc_idset *s, orc_err *err)
{
    uint64_t unused;
    int rc;
    if (s->fd < 0)
        return close_chunk(s, 0, err);
    rc = close_chunk(s, 1, err);
    return rc == ORC_OK ? merge_runs(s, NULL, &unused, err) : rc;
}

void orc_idset_free(orc_idset *s)
{
    if (s == NULL)
        return;
    if (s->fd >= 0)
        close(s->fd);
    free(s->ents);
    free(s->arena);
    free(s->name);
    free(s);
}
