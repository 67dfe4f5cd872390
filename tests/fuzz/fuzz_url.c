/* Fuzz: URLs and query strings as they arrive in OAuth redirects and
 * server records: parsing, the loopback rule, root normalising, decoding,
 * and the OAuth1 base string over every query parameter. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../plugin/conn.h"
#include "../../plugin/oauth1.h"
#include "../../plugin/url.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1), root[512], *base = NULL, *dec;
    cl_url u;
    sis_error err = SIS_ERROR_LOCAL;
    cl_oauth1 p = {"key", "secret", NULL, NULL, CL_SIG_HMAC_SHA256, "1", "n", 0};
    memcpy(s, data, size);
    s[size] = '\0';
    cl_url_parse(&u, s, &err);
    cl_url_check_transport(s, &err);
    cl_conn_normalise_root(s, root, sizeof root, &err);
    if (cl_oauth1_base_string(&base, "GET", s, &p, &err) == SIS_OK)
        free(base);
    dec = cl_url_decode(s, size, NULL);
    free(dec);
    free(s);
    return 0;
}
