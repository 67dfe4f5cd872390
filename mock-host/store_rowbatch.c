/*
 * store_rowbatch.c - see store_rowbatch.h.
 */
#include "store_rowbatch.h"
#include "jsonw.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* "HEAD VALUES(?1,...,?n FIXED),(...) TAIL" for `rows` rows. */
static int prepare(mh_store *s, const char *head, int n_cols, const char *fixed, const char *tail,
                   int rows, mh_stmt **out)
{
    mh_str sql = {0};
    char num[16];
    int r, c, rc;
    mh_str_adds(&sql, head);
    mh_str_adds(&sql, " VALUES");
    for (r = 0; r < rows; r++) {
        mh_str_adds(&sql, r > 0 ? ",(" : "(");
        for (c = 0; c < n_cols; c++) {
            snprintf(num, sizeof num, "%s?%d", c > 0 ? "," : "", r * n_cols + c + 1);
            mh_str_adds(&sql, num);
        }
        mh_str_adds(&sql, fixed);
        mh_str_adds(&sql, ")");
    }
    mh_str_adds(&sql, " ");
    mh_str_adds(&sql, tail);
    rc = mh_sql_prepare(s, sql.data, out);
    mh_str_free(&sql);
    return rc;
}

int mh_row_batch_open(mh_row_batch *b, mh_store *s, const char *head, int n_cols,
                      const char *fixed, const char *tail)
{
    memset(b, 0, sizeof *b);
    b->n_cols = n_cols;
    b->vals = calloc((size_t)n_cols * MH_ROWBATCH_ROWS, sizeof *b->vals);
    if (b->vals == NULL || prepare(s, head, n_cols, fixed, tail, 1, &b->one) != 0 ||
        prepare(s, head, n_cols, fixed, tail, MH_ROWBATCH_ROWS, &b->many) != 0) {
        mh_row_batch_close(b);
        return -1;
    }
    return 0;
}

void mh_row_batch_close(mh_row_batch *b)
{
    mh_sql_finalize(b->one);
    mh_sql_finalize(b->many);
    free(b->vals);
    mh_str_free(&b->text);
    memset(b, 0, sizeof *b);
}

/* The next value's slot.  More values than a full batch holds is a bug
 * in the caller (a row of more than n_cols values), never input. */
static mh_row_value *next_value(mh_row_batch *b)
{
    if (b->n_vals == (size_t)b->n_cols * MH_ROWBATCH_ROWS)
        abort();
    return &b->vals[b->n_vals++];
}

void mh_row_batch_int(mh_row_batch *b, int64_t v)
{
    mh_row_value *x = next_value(b);
    x->kind = MH_ROW_INT;
    x->i = v;
}

void mh_row_batch_text(mh_row_batch *b, const char *p, size_t len)
{
    mh_row_value *x = next_value(b);
    x->kind = MH_ROW_TEXT;
    x->off = b->text.len;
    x->len = p != NULL ? len : 0;
    mh_str_add(&b->text, p != NULL ? p : "", x->len);
}

int mh_row_batch_has_text(const mh_row_batch *b, int col, const char *p, size_t len)
{
    size_t r;
    for (r = 0; r < b->n_rows; r++) {
        const mh_row_value *x = &b->vals[r * (size_t)b->n_cols + (size_t)col];
        if (x->kind == MH_ROW_TEXT && x->len == len && memcmp(b->text.data + x->off, p, len) == 0)
            return 1;
    }
    return 0;
}

/* Binds n values from v to st's parameters 1..n and steps it once. */
static int apply(mh_row_batch *b, mh_stmt *st, const mh_row_value *v, size_t n)
{
    size_t i;
    int rc;
    for (i = 0; i < n; i++) {
        int at = (int)i + 1;
        if (v[i].kind == MH_ROW_INT)
            mh_sql_bind_int64(st, at, v[i].i);
        else  /* the text buffer stays as it is until the step */
            mh_sql_bind_text_kept(st, at, b->text.data + v[i].off, (int)v[i].len);
    }
    rc = mh_sql_step(st);
    mh_sql_reset(st);
    return rc == MH_SQL_DONE ? 0 : -1;
}

int mh_row_batch_flush(mh_row_batch *b)
{
    size_t r, cols = (size_t)b->n_cols;
    int rc = 0;
    if (b->n_rows == MH_ROWBATCH_ROWS)
        rc = apply(b, b->many, b->vals, MH_ROWBATCH_ROWS * cols);
    else
        for (r = 0; r < b->n_rows && rc == 0; r++)
            rc = apply(b, b->one, b->vals + r * cols, cols);
    b->n_rows = 0;
    b->n_vals = 0;
    mh_str_reset(&b->text);
    return rc;
}

int mh_row_batch_row_end(mh_row_batch *b)
{
    if (b->n_vals != (b->n_rows + 1) * (size_t)b->n_cols)
        abort();  /* a row of the wrong width: a bug in the caller */
    b->n_rows++;
    return b->n_rows == MH_ROWBATCH_ROWS ? mh_row_batch_flush(b) : 0;
}
