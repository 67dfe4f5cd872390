#include "idset.h"

#include <stdlib.h>

static uint64_t hash_id(const char *s)
{
    uint64_t h = 1469598103934665603ull;   /* FNV-1a, then a murmur3 finaliser */
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211ull;
    }
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ull;
    h ^= h >> 33;
    return h ? h : 1;
}

static int insert(uint64_t *slots, size_t cap, uint64_t h)
{
    size_t i = (size_t)h & (cap - 1);
    while (slots[i] != 0) {
        if (slots[i] == h)
            return 0;
        i = (i + 1) & (cap - 1);
    }
    slots[i] = h;
    return 1;
}

int orc_idset_add(orc_idset *s, const char *id)
{
    uint64_t h = hash_id(id);
    int rc;
    if ((s->n + 1) * 2 > s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 1024, i;
        uint64_t *slots = calloc(cap, sizeof *slots);
        if (slots == NULL)
            return -1;
        for (i = 0; i < s->cap; i++)
            if (s->slots[i] != 0)
                insert(slots, cap, s->slots[i]);
        free(s->slots);
        s->slots = slots;
        s->cap = cap;
    }
    rc = insert(s->slots, s->cap, h);
    s->n += (size_t)rc;
    return rc;
}

void orc_idset_free(orc_idset *s)
{
    free(s->slots);
    s->slots = NULL;
    s->cap = s->n = 0;
}
