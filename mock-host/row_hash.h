/* row_hash.h - a fast 64-bit hash of bytes, for "did this stored row
 * change" (records and Users page rows).  Not cryptographic; stored in the
 * database, so its output must never change for the same input. */
#ifndef MH_ROW_HASH_H
#define MH_ROW_HASH_H

#include <stddef.h>
#include <stdint.h>

uint64_t mh_hash64(const char *p, size_t n);

#endif
