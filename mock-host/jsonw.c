#include "jsonw.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void mh_str_reset(mh_str *s)
{
    s->len = 0;
    if (s->data != NULL)
        s->data[0] = '\0';
}

void mh_str_free(mh_str *s)
{
    free(s->data);
    memset(s, 0, sizeof *s);
}

void mh_str_add(mh_str *s, const char *p, size_t n)
{
    if (s->len + n + 1 > s->cap) {
        size_t ncap = s->cap ? s->cap * 2 : 1024;
        while (ncap < s->len + n + 1)
            ncap *= 2;
        s->data = realloc(s->data, ncap);
        if (s->data == NULL)
            abort();  /* the host cannot go on without memory for one row */
        s->cap = ncap;
    }
    memcpy(s->data + s->len, p, n);
    s->len += n;
    s->data[s->len] = '\0';
}

void mh_str_adds(mh_str *s, const char *p)
{
    mh_str_add(s, p, strlen(p));
}

void mh_str_json(mh_str *s, const char *p)
{
    const char *run = p;
    mh_str_add(s, "\"", 1);
    for (; *p != '\0'; p++) {
        unsigned char c = (unsigned char)*p;
        char esc[8];
        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        mh_str_add(s, run, (size_t)(p - run));
        if (c == '"' || c == '\\')
            snprintf(esc, sizeof esc, "\\%c", c);
        else if (c == '\n')
            snprintf(esc, sizeof esc, "\\n");
        else if (c == '\t')
            snprintf(esc, sizeof esc, "\\t");
        else
            snprintf(esc, sizeof esc, "\\u%04x", c);
        mh_str_adds(s, esc);
        run = p + 1;
    }
    mh_str_add(s, run, (size_t)(p - run));
    mh_str_add(s, "\"", 1);
}

/* 8 bytes at a time with a multiply-xorshift mix: run for every record
 * and row, so it must be cheap; it need not be cryptographic. */
