/*
 * idset.h - which sourcedIds a file has already used, to refuse duplicates.
 *
 * Keeps a 64-bit hash per id, not the id: 16 bytes per row at most (an
 * open-addressing table kept under half full), so a million-user file costs
 * about 16 MiB, the only memory of a sync that grows with the file.  Two
 * different ids with the same 64-bit hash (odds about 1 in 3e7 for a
 * million ids) would be reported as a duplicate.
 */
#ifndef ORC_IDSET_H
#define ORC_IDSET_H

#include <stddef.h>
#include <stdint.h>

typedef struct orc_idset {
    uint64_t *slots;    /* 0 = empty */
    size_t cap;         /* a power of two */
    size_t n;
} orc_idset;

/* 1: added; 0: already present; -1: out of memory. */
int orc_idset_add(orc_idset *s, const char *id);
void orc_idset_free(orc_idset *s);

#endif
