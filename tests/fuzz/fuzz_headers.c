/* Fuzz: response headers (paging counts, Link, Retry-After, Date), one per
 * line, and the retry delay computed from them. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../plugin/http.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cl_http_response r;
    cl_http_opts o;
    char *copy = malloc(size + 1), *line, *save = NULL;
    memcpy(copy, data, size);
    copy[size] = '\0';
    cl_http_response_reset(&r);
    cl_http_opts_default(&o);
    for (line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
        cl_http_header_cb(line, 1, strlen(line), &r);
    (void)cl_http_retry_delay_ms(&o, 1 + (int)(size % 8), r.retry_after);
    free(copy);
    return 0;
}
