/* id_bloom.c - see id_bloom.h. */
#include "id_bloom.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "row_hash.h"

#define BLOOM_BITS (1u << 25)
#define BLOOM_HASHES 5

static void bloom_bits(const char *id, uint32_t bit[BLOOM_HASHES])
{
    uint64_t h = mh_hash64(id, strlen(id)), g = h * 0x9e3779b97f4a7c15ULL;
    int i;
    for (i = 0; i < BLOOM_HASHES; i++)
        bit[i] = (uint32_t)((h + (uint64_t)i * (g | 1)) >> 19) & (BLOOM_BITS - 1);
}

unsigned char *mh_id_bloom_new(void)
{
    return calloc(BLOOM_BITS / 8, 1);
}

void mh_id_bloom_add(unsigned char *bloom, const char *id)
{
    uint32_t bit[BLOOM_HASHES];
    int i;
    bloom_bits(id, bit);
    for (i = 0; i < BLOOM_HASHES; i++)
        bloom[bit[i] >> 3] |= (unsigned char)(1u << (bit[i] & 7));
}

int mh_id_bloom_maybe(const unsigned char *bloom, const char *id)
{
    uint32_t bit[BLOOM_HASHES];
    int i;
    bloom_bits(id, bit);
    for (i = 0; i < BLOOM_HASHES; i++)
        if (!(bloom[bit[i] >> 3] & (1u << (bit[i] & 7))))
            return 0;
    return 1;
}
