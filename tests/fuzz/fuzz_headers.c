/* Fuzz: response headers (paging counts, Link, Retry-After, Date), one per
 * line, and the retry delay computed from them. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../plugin/http.h"
#include "../../plugin/retry.h"

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
    {
        /* The policy's decision on that answer, as after a 429. */
        cl_retry rs;
        cl_retry_start(&rs, 0);
        cl_retry_attempt(&rs, 0);
        (void)cl_retry_next(&rs, &o, CL_FAIL_THROTTLED, cl_retry_after_ms(r.retry_after, 1700000000),
                            1000);
    }
    free(copy);
    return 0;
}
