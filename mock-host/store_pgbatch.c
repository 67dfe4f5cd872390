/*
 * store_pgbatch.c - see store_pgbatch.h.
 */
#include "store_pgbatch.h"
#include "row_hash.h"
#include "store_sql.h"

#include <stdlib.h>
#include <string.h>

int mh_pg_put_rows(mh_store *s, const mh_pg_put_sql *sql, mh_str *rows, int staged)
{
    if (mh_sql_copy_in(s, staged ? sql->copy_stage : sql->copy_new, rows->data, rows->len) != 0)
        return -1;
    mh_str_reset(rows);
    return staged ? mh_sql_send_text(s, sql->apply) : 0;
}

void mh_pg_array_add(mh_str *a, const char *v, size_t len)
{
    size_t i, run;
    mh_str_add(a, a->len == 0 ? "{" : ",", 1);
    if (v == NULL) {
        mh_str_add(a, "NULL", 4);
        return;
    }
    /* Quoted, with " and \ escaped: any text reads back as itself. */
    mh_str_add(a, "\"", 1);
    for (i = 0; i < len; i += run) {
        for (run = 0; i + run < len && v[i + run] != '"' && v[i + run] != '\\'; run++)
            ;
        mh_str_add(a, v + i, run);
        if (i + run < len) {
            mh_str_add(a, "\\", 1);
            mh_str_add(a, v + i + run, 1);
            run++;
        }
    }
    mh_str_add(a, "\"", 1);
}

void mh_pg_array_end(mh_str *a)
{
    mh_str_add(a, a->len == 0 ? "{}" : "}", a->len == 0 ? 2 : 1);
}

void mh_pg_copy_field(mh_str *rows, const char *v, size_t len, int first)
{
    size_t i, run;
    if (!first)
        mh_str_add(rows, "\t", 1);
    if (v == NULL) {
        mh_str_add(rows, "\\N", 2);
        return;
    }
    for (i = 0; i < len; i += run) {
        for (run = 0; i + run < len && v[i + run] != '\\' && v[i + run] != '\t' &&
                      v[i + run] != '\n' && v[i + run] != '\r'; run++)
            ;
        mh_str_add(rows, v + i, run);
        if (i + run < len) {
            char c = v[i + run];
            mh_str_add(rows, c == '\\' ? "\\\\" : c == '\t' ? "\\t" : c == '\n' ? "\\n" : "\\r", 2);
            run++;
        }
    }
}

void mh_pg_copy_row_end(mh_str *rows)
{
    mh_str_add(rows, "\n", 1);
}

static mh_pg_seen *slot_of(const mh_pg_lookup *t, const char *id)
{
    size_t mask = t->cap - 1, i;
    if (t->cap == 0)
        return NULL;
    for (i = (size_t)mh_hash64(id, strlen(id)) & mask;; i = (i + 1) & mask) {
        mh_pg_seen *e = &t->slots[i];
        if (e->id == 0 || strcmp(t->arena.data + e->id, id) == 0)
            return e;
    }
}

static int grow(mh_pg_lookup *t)
{
    mh_pg_lookup bigger = {0};
    size_t i;
    bigger.cap = t->cap ? t->cap * 2 : 2048;
    bigger.slots = calloc(bigger.cap, sizeof *bigger.slots);
    if (bigger.slots == NULL)
        return -1;
    bigger.arena = t->arena;
    for (i = 0; i < t->cap; i++)
        if (t->slots[i].id != 0)
            *slot_of(&bigger, t->arena.data + t->slots[i].id) = t->slots[i];
    bigger.used = t->used;
    free(t->slots);
    *t = bigger;
    return 0;
}

int mh_pg_lookup_put(mh_pg_lookup *t, const char *id, int found, uint64_t hash, int present)
{
    const mh_pg_seen *e = mh_pg_lookup_find(t, id);
    return mh_pg_lookup_put_batch(t, id, found, hash, present, e != NULL ? e->batch : 0);
}

int mh_pg_lookup_put_batch(mh_pg_lookup *t, const char *id, int found, uint64_t hash,
                           int present, unsigned batch)
{
    mh_pg_seen *e;
    if ((t->used + 1) * 2 > t->cap && grow(t) != 0)
        return -1;
    e = slot_of(t, id);
    if (e->id == 0) {
        if (t->arena.len == 0)
            mh_str_add(&t->arena, "", 1);  /* the pad: offset 0 means free */
        e->id = t->arena.len;
        mh_str_add(&t->arena, id, strlen(id) + 1);  /* aborts without memory */
        t->used++;
    }
    e->found = found;
    e->hash = hash;
    e->present = present;
    e->batch = batch;
    return 0;
}

const mh_pg_seen *mh_pg_lookup_find(const mh_pg_lookup *t, const char *id)
{
    const mh_pg_seen *e = slot_of(t, id);
    return e != NULL && e->id != 0 ? e : NULL;
}

void mh_pg_lookup_clear(mh_pg_lookup *t)
{
    if (t->slots != NULL)
        memset(t->slots, 0, t->cap * sizeof *t->slots);
    t->used = 0;
    mh_str_reset(&t->arena);
}

void mh_pg_lookup_free(mh_pg_lookup *t)
{
    free(t->slots);
    mh_str_free(&t->arena);
    memset(t, 0, sizeof *t);
}
