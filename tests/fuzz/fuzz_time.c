/* Fuzz: dateLastModified values, which become the next delta's filter. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../plugin/iso_time.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1), iso[40];
    long long ms;
    memcpy(s, data, size);
    s[size] = '\0';
    ms = cl_iso_to_ms(s);
    if (ms >= 0 && ms < 253402300799000LL)
        cl_ms_to_iso(ms, iso, sizeof iso);
    free(s);
    return 0;
}
