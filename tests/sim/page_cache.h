/*
 * page_cache.h - whole collection pages rendered once (gzip included) and
 * served from memory, so that in a benchmark the simulator costs little next
 * to the client it serves.  Entries belong to one district generation: every
 * mutation or reset bumps it and so retires every entry.  Only requests that
 * no fault, no per-record delay and no huge page touch are cached (server.c
 * decides); the bytes served are the ones streaming would have produced.
 */
#ifndef SIM_PAGE_CACHE_H
#define SIM_PAGE_CACHE_H

#include <stddef.h>
#include <stdint.h>

typedef struct sim_page {
    struct sim_page *next;
    char *key;
    uint64_t generation;
    char *data;                 /* the body as sent (gzip when the key says so) */
    size_t len;
    int refs;                   /* responses still sending it */
    int listed;                 /* still in the cache's list */
} sim_page;

typedef struct sim_page_cache {
    sim_page *head;             /* newest first */
    size_t bytes, budget;       /* budget 0: caching off */
    uint64_t hits, misses;
} sim_page_cache;

/* The following are called with the server's lock held. */

/* The entry for key at generation, with a reference taken; NULL if none. */
sim_page *sim_page_get(sim_page_cache *c, const char *key, uint64_t generation);

/* Makes a referenced entry of data (taken over, malloc'd) and lists it when
 * generation is the current one and it fits the budget; entries of other
 * generations and the oldest ones go first.  NULL when out of memory (data
 * is then freed). */
sim_page *sim_page_put(sim_page_cache *c, const char *key, uint64_t generation,
                       uint64_t current, char *data, size_t len);

/* Drops a reference; an unlisted entry is freed with its last one. */
void sim_page_release(sim_page_cache *c, sim_page *p);

void sim_page_cache_free(sim_page_cache *c);

#endif
