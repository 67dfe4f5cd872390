/* oauth1.h - OAuth 1.0a request signing (RFC 5849), HMAC-SHA256 or -SHA1,
 * header form.  Every query parameter is signed. */
#ifndef CL_OAUTH1_H
#define CL_OAUTH1_H

#include <sis/status.h>

typedef enum cl_sig_method {
    CL_SIG_HMAC_SHA256 = 0,
    CL_SIG_HMAC_SHA1 = 1
} cl_sig_method;

/* Borrowed strings.  token/token_secret are NULL for two-legged requests
 * (ClassLink).  timestamp/nonce NULL: the current time and 128 random bits
 * from OpenSSL. */
typedef struct cl_oauth1 {
    const char *consumer_key;
    const char *consumer_secret;
    const char *token;
    const char *token_secret;
    cl_sig_method method;
    const char *timestamp;
    const char *nonce;
    int include_version;     /* add oauth_version="1.0" */
} cl_oauth1;

/* The signature base string for `method` and the full request `url`
 * (query included, as sent).  *out is malloc'd; the caller frees it. */
int cl_oauth1_base_string(char **out, const char *http_method, const char *url,
                          const cl_oauth1 *p, sis_error *err);

/* The value of the Authorization header ("OAuth oauth_consumer_key=...").
 * *out is malloc'd; the caller frees it.  When sig_out is not NULL it gets
 * the base64 signature too (malloc'd), for tests. */
int cl_oauth1_authorization(char **out, char **sig_out, const char *http_method, const char *url,
                            const cl_oauth1 *p, sis_error *err);

#endif
