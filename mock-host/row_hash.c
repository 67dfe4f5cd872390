/*
 * row_hash.c - the change-detection hash.  Eight bytes at a time: each word
 * is multiplied by the golden-ratio constant and mixed in with a multiply
 * and an xor-shift (MurmurHash3's finalizer constants), seeded with FNV's
 * offset basis and the length.  It is not FNV-1a (which goes a byte at a
 * time and is several times slower on ~1 KB rows); the stored hashes of
 * existing databases depend on exactly this function.
 */
#include "row_hash.h"

#include <string.h>

uint64_t mh_hash64(const char *p, size_t n)
{
    const uint64_t k = 0x9e3779b97f4a7c15ULL;
    uint64_t h = 0xcbf29ce484222325ULL ^ (n * k);
    uint64_t w;
    while (n >= 8) {
        memcpy(&w, p, 8);
        h = (h ^ (w * k)) * 0xff51afd7ed558ccdULL;
        h ^= h >> 32;
        p += 8;
        n -= 8;
    }
    w = 0;
    memcpy(&w, p, n);
    h = (h ^ (w * k)) * 0xc4ceb9fe1a85ec53ULL;
    return h ^ (h >> 29);
}
