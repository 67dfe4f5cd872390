/* Fuzz: error bodies (imsx status objects) turned into an admin's message. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../plugin/http.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *body = malloc(size + 1);
    cl_http_response r;
    sis_error err = SIS_ERROR_LOCAL;
    static const long statuses[] = {400, 401, 403, 404, 422, 429, 500, 503};
    memcpy(body, data, size);
    body[size] = '\0';
    cl_http_response_reset(&r);
    r.status = statuses[size % 8];
    cl_http_explain(&err, "the Roster Server", "https://x.example/users", CURLE_OK, "", &r, body, 3);
    free(body);
    return 0;
}
