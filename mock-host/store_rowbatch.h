/* store_rowbatch.h - rows of one INSERT gathered and applied MH_ROWBATCH_ROWS at
 * a time by a single multi-row statement.
 *
 * Why: a first import writes a million rows into sis_records.  One
 * statement step per row costs SQLite a statement run, cursors opened,
 * sought and closed per row; one step per 16 rows does that once: ~35% less
 * CPU per row for sis_records.  Not for users: with its second index
 * (users_by_role) the multi-row statement measured slower than one row at a
 * time (tests/bench/FINDINGS.md, "Fourth round").
 *
 * The values are copied as they are added (the caller's memory may be gone
 * when the batch is applied).  Rows are applied in the order added, so a
 * row that comes twice ends as the later one, exactly as one statement per
 * row would leave it; a reader of the table must call mh_row_batch_flush
 * first, since gathered rows are not in the table yet.
 */
#ifndef MH_STORE_ROWBATCH_H
#define MH_STORE_ROWBATCH_H

#include <stddef.h>
#include <stdint.h>

#include "store.h"
#include "jsonw.h"
#include "store_sql.h"

#define MH_ROWBATCH_ROWS 16

typedef struct mh_row_value {
    enum { MH_ROW_INT, MH_ROW_TEXT } kind;
    int64_t i;
    size_t off, len;             /* text: in the batch's text buffer */
} mh_row_value;

typedef struct mh_row_batch {
    mh_stmt *one, *many;         /* the statement for one row, and for MH_ROWBATCH_ROWS */
    int n_cols;
    size_t n_rows;               /* complete rows gathered */
    size_t n_vals;               /* values gathered, the current row's included */
    mh_row_value *vals;          /* n_cols * MH_ROWBATCH_ROWS */
    mh_str text;
} mh_row_batch;

/* Prepares "HEAD VALUES(row) TAIL" for one row and for MH_ROWBATCH_ROWS rows,
 * where row is n_cols parameters and then `fixed` (SQL text, may be "", as
 * ",1" for a constant last column).  0 or -1 (the store's error). */
int mh_row_batch_open(mh_row_batch *b, mh_store *s, const char *head, int n_cols,
                      const char *fixed, const char *tail);
void mh_row_batch_close(mh_row_batch *b);

/* The current row's next value (copied; p may be NULL for ""). */
void mh_row_batch_int(mh_row_batch *b, int64_t v);
void mh_row_batch_text(mh_row_batch *b, const char *p, size_t len);
/* Ends the current row (exactly n_cols values); applies the batch when it
 * is full.  0 or -1. */
int mh_row_batch_row_end(mh_row_batch *b);
/* Applies every gathered row.  0 or -1. */
int mh_row_batch_flush(mh_row_batch *b);
/* 1 when a gathered row has the text p (len bytes) in column col (from 0):
 * a reader looking for that row must flush first. */
int mh_row_batch_has_text(const mh_row_batch *b, int col, const char *p, size_t len);

#endif
