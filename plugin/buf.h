/* buf.h - a growable byte buffer with a hard size cap (after curl's dynbuf),
 * for anything whose size comes from the network. */
#ifndef CL_BUF_H
#define CL_BUF_H

#include <stddef.h>

typedef struct cl_buf {
    char *data;      /* always NUL-terminated when non-NULL; owned */
    size_t len;
    size_t cap;      /* allocated bytes */
    size_t max;      /* hard limit on len; 0 means 64 MiB */
} cl_buf;

void cl_buf_init(cl_buf *b, size_t max);
/* 0 on success, -1 when out of memory or past the cap (nothing appended). */
int cl_buf_add(cl_buf *b, const void *data, size_t len);
int cl_buf_adds(cl_buf *b, const char *s);
int cl_buf_addf(cl_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Makes room for cap bytes in all (so that adds up to it never move the
 * data); 0, or -1 when out of memory or past the cap. */
int cl_buf_reserve(cl_buf *b, size_t cap);
void cl_buf_reset(cl_buf *b);
/* Hands the string to the caller (who frees it) and resets the buffer. */
char *cl_buf_take(cl_buf *b);
void cl_buf_free(cl_buf *b);

#endif
