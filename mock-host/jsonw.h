/* jsonw.h - a small JSON writer into a growable string, for the bodies the
 * host stores and prints.  Fast enough for a million rows, and escapes
 * everything JSON requires. */
#ifndef MH_JSONW_H
#define MH_JSONW_H

#include <stddef.h>
#include <stdint.h>

typedef struct mh_str {
    char *data;     /* NUL-terminated; owned */
    size_t len, cap;
} mh_str;

void mh_str_reset(mh_str *s);
void mh_str_free(mh_str *s);
void mh_str_add(mh_str *s, const char *p, size_t n);
void mh_str_adds(mh_str *s, const char *p);
/* Appends p as a JSON string literal, quotes included. */
void mh_str_json(mh_str *s, const char *p);

/* Copies the text a plugin gave (src) into dst[0..cap) as valid UTF-8: a
 * byte that does not start a whole character becomes '?', and the copy
 * ends before a character that does not fit, never inside one (a UTF8
 * PostgreSQL database refuses a cut character, and with it the run).
 * Returns the bytes written, the NUL excluded. */
size_t mh_utf8_clip(char *dst, size_t cap, const char *src);

#endif
