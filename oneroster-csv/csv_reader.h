/*
 * csv_reader.h - RFC 4180 rows from a stream, one at a time, in bounded
 * memory, on top of libcsv.
 *
 * Accepts quoted fields holding commas, quotes ("") and line breaks, a
 * UTF-8 byte-order mark, and CRLF, LF or CR line ends.  Blank lines are
 * skipped.  Refuses, naming the file and the line: malformed quoting, a
 * field longer than ORC_CSV_FIELD_MAX, a row longer than ORC_CSV_ROW_MAX or
 * with more than ORC_CSV_COLUMNS_MAX columns, a NUL byte and invalid UTF-8.
 * Memory: one row at a time, so at most about ORC_CSV_ROW_MAX plus a 64 KiB
 * read buffer, whatever the file's size.
 */
#ifndef ORC_CSV_READER_H
#define ORC_CSV_READER_H

#include <stdint.h>
#include <stdio.h>

#include "orc_error.h"

#define ORC_CSV_FIELD_MAX (64u * 1024)
#define ORC_CSV_ROW_MAX (1024u * 1024)
#define ORC_CSV_COLUMNS_MAX 1024u

typedef struct orc_csv orc_csv;

/* One row.  Every pointer belongs to the reader and is valid until the
 * next orc_csv_next or orc_csv_close.  Fields are NUL-terminated UTF-8. */
typedef struct orc_csv_row {
    const char *const *fields;
    size_t n;
    unsigned long line;       /* the physical line (1-based) the row starts on */
} orc_csv_row;

/* `in` is borrowed: the caller closes it after orc_csv_close.  `name` (the
 * file name used in messages) is copied.  *out belongs to the caller. */
int orc_csv_open(orc_csv **out, FILE *in, const char *name, orc_err *err);

/* 1: a row is in *row; 0: end of file; negative: an orc_code with the
 * message in err.  After an error the reader only returns that error. */
int orc_csv_next(orc_csv *r, orc_csv_row *row, orc_err *err);

/* Bytes consumed so far. */
uint64_t orc_csv_bytes(const orc_csv *r);

/* The file name given to orc_csv_open. */
const char *orc_csv_name(const orc_csv *r);

void orc_csv_close(orc_csv *r);

/* 1 when s[0..len) is valid UTF-8 without NUL bytes. */
int orc_utf8_valid(const unsigned char *s, size_t len);

#endif
