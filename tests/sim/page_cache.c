/* page_cache.c - see page_cache.h. */
#include "page_cache.h"

#include <stdlib.h>
#include <string.h>

static void page_free(sim_page *p)
{
    free(p->key);
    free(p->data);
    free(p);
}

/* Takes p out of the list; frees it unless a response still sends it. */
static void unlist(sim_page_cache *c, sim_page **link)
{
    sim_page *p = *link;
    *link = p->next;
    p->next = NULL;
    p->listed = 0;
    c->bytes -= p->len;
    if (p->refs == 0)
        page_free(p);
}

sim_page *sim_page_get(sim_page_cache *c, const char *key, uint64_t generation)
{
    sim_page *p;
    for (p = c->head; p != NULL; p = p->next)
        if (p->generation == generation && strcmp(p->key, key) == 0) {
            p->refs++;
            c->hits++;
            return p;
        }
    c->misses++;
    return NULL;
}

sim_page *sim_page_put(sim_page_cache *c, const char *key, uint64_t generation,
                       uint64_t current, char *data, size_t len)
{
    sim_page *p = calloc(1, sizeof *p), **link;
    if (p == NULL || (p->key = strdup(key)) == NULL) {
        free(p);
        free(data);
        return NULL;
    }
    p->generation = generation;
    p->data = data;
    p->len = len;
    p->refs = 1;
    if (generation != current || len > c->budget)
        return p;   /* served once, never listed */
    for (link = &c->head; *link != NULL;) {
        if ((*link)->generation != current || strcmp((*link)->key, key) == 0)
            unlist(c, link);
        else
            link = &(*link)->next;
    }
    while (c->bytes + len > c->budget && c->head != NULL) {
        for (link = &c->head; (*link)->next != NULL; link = &(*link)->next)
            ;
        unlist(c, link);   /* the oldest */
    }
    p->next = c->head;
    p->listed = 1;
    c->head = p;
    c->bytes += len;
    return p;
}

void sim_page_release(sim_page_cache *c, sim_page *p)
{
    (void)c;
    if (--p->refs == 0 && !p->listed)
        page_free(p);
}

void sim_page_cache_free(sim_page_cache *c)
{
    while (c->head != NULL)
        unlist(c, &c->head);
}
