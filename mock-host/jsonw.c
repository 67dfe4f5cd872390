#include "jsonw.h"

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

/* Room for n more bytes and the NUL. */
static void mh_str_grow(mh_str *s, size_t n)
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
}

void mh_str_add(mh_str *s, const char *p, size_t n)
{
    mh_str_grow(s, n);
    memcpy(s->data + s->len, p, n);
    s->len += n;
    s->data[s->len] = '\0';
}

void mh_str_adds(mh_str *s, const char *p)
{
    mh_str_add(s, p, strlen(p));
}

/* Called for every string of every record and row (a million-user sync
 * makes tens of millions of calls): one reservation for the worst case (every
 * byte a \u00XX escape), then bytes written in place. */
void mh_str_json(mh_str *s, const char *p)
{
    static const char hex[] = "0123456789abcdef";
    size_t n = strlen(p);
    char *d;
    mh_str_grow(s, 6 * n + 2);
    d = s->data + s->len;
    *d++ = '"';
    for (; *p != '\0'; p++) {
        unsigned char c = (unsigned char)*p;
        if (c >= 0x20 && c != '"' && c != '\\') {
            *d++ = (char)c;
            continue;
        }
        *d++ = '\\';
        if (c == '"' || c == '\\') {
            *d++ = (char)c;
        } else if (c == '\n') {
            *d++ = 'n';
        } else if (c == '\t') {
            *d++ = 't';
        } else {
            *d++ = 'u';
            *d++ = '0';
            *d++ = '0';
            *d++ = hex[c >> 4];
            *d++ = hex[c & 15];
        }
    }
    *d++ = '"';
    s->len = (size_t)(d - s->data);
    s->data[s->len] = '\0';
}

/* 8 bytes at a time with a multiply-xorshift mix: run for every record
 * and row, so it must be cheap; it need not be cryptographic. */

/* The length of the valid UTF-8 character at s (1-4), or 0. */
static size_t utf8_char(const unsigned char *s)
{
    size_t need, k;
    if (s[0] < 0x80)
        return 1;
    need = s[0] >= 0xc2 && s[0] <= 0xdf ? 1 : s[0] >= 0xe0 && s[0] <= 0xef ? 2
         : s[0] >= 0xf0 && s[0] <= 0xf4 ? 3 : 0;
    for (k = 1; need > 0 && k <= need; k++)
        if ((s[k] & 0xc0) != 0x80)
            return 0;
    /* Overlong three-byte forms, surrogates, and beyond U+10FFFF. */
    if ((s[0] == 0xe0 && s[1] < 0xa0) || (s[0] == 0xed && s[1] >= 0xa0) ||
        (s[0] == 0xf0 && s[1] < 0x90) || (s[0] == 0xf4 && s[1] >= 0x90))
        return 0;
    return need > 0 ? need + 1 : 0;
}

size_t mh_utf8_clip(char *dst, size_t cap, const char *src)
{
    const unsigned char *s = (const unsigned char *)src;
    size_t o = 0, n;
    if (cap == 0)
        return 0;
    while (*s != '\0') {
        n = utf8_char(s);
        if (o + (n ? n : 1) >= cap)
            break;
        if (n == 0) {
            dst[o++] = '?';
            s++;
        } else {
            memcpy(dst + o, s, n);
            o += n;
            s += n;
        }
    }
    dst[o] = '\0';
    return o;
}
