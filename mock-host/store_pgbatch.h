/* store_pgbatch.h - helpers for the PostgreSQL backend's batched writes
 * (store_records.c, store_users.c): rows in COPY's text format, array
 * literals that carry a batch's ids as one parameter, the batch's table of
 * looked-up records, and a first import's filter of the ids put.  Their
 * memory is bounded by the batch or fixed, never by the district. */
#ifndef MH_STORE_PGBATCH_H
#define MH_STORE_PGBATCH_H

#include <stddef.h>
#include <stdint.h>

#include "jsonw.h"
#include "store.h"

/* Appends one element (NULL: SQL NULL) to the array literal being built
 * in *a ("{" is added before the first).  mh_pg_array_end closes it
 * ("{}" when empty); the caller resets *a after binding it. */
void mh_pg_array_add(mh_str *a, const char *v, size_t len);
void mh_pg_array_end(mh_str *a);

/* Appends one field of a row in COPY's text format to *rows: a tab
 * before every field but a row's first (first != 0), NULL (v == NULL) as
 * \N, backslash, tab, newline and carriage return escaped so that any text
 * reads back as itself.  mh_pg_copy_row_end ends the row. */
void mh_pg_copy_field(mh_str *rows, const char *v, size_t len, int first);
void mh_pg_copy_row_end(mh_str *rows);

/* One table's batched puts: straight in by COPY when every row of the
 * batch is new to the table, else by COPY into the run's staging table and
 * one upsert from it.  Fixed SQL text, never a value from outside. */
typedef struct mh_pg_put_sql {
    const char *copy_new;    /* COPY table(cols) FROM STDIN */
    const char *copy_stage;  /* COPY staging table(cols) FROM STDIN */
    const char *apply;       /* the upsert from the staging table, which empties it */
} mh_pg_put_sql;

/* Sends the batch *rows (COPY text) by sql->copy_new, or, when staged,
 * by sql->copy_stage and sql->apply; does not wait for the server (a
 * failure shows at the next statement).  Empties *rows once they are
 * sent.  0 or -1, the reason in mh_store_error. */
int mh_pg_put_rows(mh_store *s, const mh_pg_put_sql *sql, mh_str *rows, int staged);

/* A record looked up for the batch: found in the database (or put since),
 * and then its hash and present flag. */
typedef struct mh_pg_seen {
    size_t id;          /* offset of the NUL-terminated sourcedId in the arena; 0: free slot */
    int found, present;
    uint64_t hash;
    unsigned batch;     /* the owner's batch number when it gathered a put of it; 0: none */
} mh_pg_seen;

/* sourcedId -> mh_pg_seen, open addressing.  Zero-initialised is empty. */
typedef struct mh_pg_lookup {
    mh_pg_seen *slots;
    size_t cap, used;
    mh_str arena;       /* the ids, after a one-byte pad so that no id sits at 0 */
} mh_pg_lookup;

/* Sets (adding when missing) an entry; 0 or -1 (out of memory). */
int mh_pg_lookup_put(mh_pg_lookup *t, const char *id, int found, uint64_t hash, int present);
/* The same, also noting the batch a put of it is gathered in. */
int mh_pg_lookup_put_batch(mh_pg_lookup *t, const char *id, int found, uint64_t hash,
                           int present, unsigned batch);
/* The entry or NULL; borrowed until the next put or clear. */
const mh_pg_seen *mh_pg_lookup_find(const mh_pg_lookup *t, const char *id);
void mh_pg_lookup_clear(mh_pg_lookup *t);
void mh_pg_lookup_free(mh_pg_lookup *t);

#endif
