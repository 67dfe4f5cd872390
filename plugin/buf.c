#include "buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CL_BUF_DEFAULT_MAX ((size_t)64 * 1024 * 1024)

void cl_buf_init(cl_buf *b, size_t max)
{
    b->data = NULL;
    b->len = b->cap = 0;
    b->max = max ? max : CL_BUF_DEFAULT_MAX;
}

int cl_buf_add(cl_buf *b, const void *data, size_t len)
{
    if (len > b->max - b->len)
        return -1;
    if (b->len + len + 1 > b->cap) {
        size_t ncap = b->cap ? b->cap : 256;
        char *n;
        while (ncap < b->len + len + 1)
            ncap *= 2;
        n = realloc(b->data, ncap);
        if (n == NULL)
            return -1;
        b->data = n;
        b->cap = ncap;
    }
    memcpy(b->data + b->len, data, len);
    b->len += len;
    b->data[b->len] = '\0';
    return 0;
}

int cl_buf_adds(cl_buf *b, const char *s)
{
    return cl_buf_add(b, s, strlen(s));
}

int cl_buf_addf(cl_buf *b, const char *fmt, ...)
{
    char small[512], *big = NULL;
    va_list ap;
    int n, rc;

    va_start(ap, fmt);
    n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0)
        return -1;
    if ((size_t)n < sizeof small)
        return cl_buf_add(b, small, (size_t)n);
    va_start(ap, fmt);
    n = vasprintf(&big, fmt, ap);
    va_end(ap);
    if (n < 0)
        return -1;
    rc = cl_buf_add(b, big, (size_t)n);
    free(big);
    return rc;
}

int cl_buf_reserve(cl_buf *b, size_t cap)
{
    char *n;
    if (cap <= b->cap)
        return 0;
    if (cap > b->max + 1)
        return -1;
    n = realloc(b->data, cap);
    if (n == NULL)
        return -1;
    if (b->data == NULL)
        n[0] = '\0';
    b->data = n;
    b->cap = cap;
    return 0;
}

void cl_buf_reset(cl_buf *b)
{
    b->len = 0;
    if (b->data != NULL)
        b->data[0] = '\0';
}

char *cl_buf_take(cl_buf *b)
{
    char *d = b->data;
    if (d == NULL)
        d = calloc(1, 1);
    b->data = NULL;
    b->len = b->cap = 0;
    return d;
}

void cl_buf_free(cl_buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}
