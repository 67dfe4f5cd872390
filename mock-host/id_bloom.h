/*
 * id_bloom.h - a fixed-size filter of the sourcedIds a run has put, so a
 * first import into either backend skips looking up ids it never stored.
 */
#ifndef MH_ID_BLOOM_H
#define MH_ID_BLOOM_H

/* The ids a run has put, for a first import (the app had none when the run
 * began): an id it says no to is certainly not in the database, so needs
 * no lookup, and its row can go in without ON CONFLICT.  A fixed 4 MB
 * whatever the district's size: about 50 false "maybe"s in a million ids,
 * more beyond, which only cost a lookup or an upsert each.  NULL when
 * out of memory (then every id is a "maybe"); free() it. */
unsigned char *mh_id_bloom_new(void);
void mh_id_bloom_add(unsigned char *bloom, const char *id);
/* 0: never added; 1: maybe added. */
int mh_id_bloom_maybe(const unsigned char *bloom, const char *id);

#endif
