/* oauth_verify.h - the simulator checks OAuth 1.0a signatures with its own
 * code on libcrypto (not the plugin's signer), plus timestamps and nonces. */
#ifndef SIM_OAUTH_VERIFY_H
#define SIM_OAUTH_VERIFY_H

#include <stddef.h>

typedef struct sim_kv {
    char *key;
    char *value;
} sim_kv;

/* Verifies an Authorization header for (method, base_uri, query params).
 * Returns 0 when valid; otherwise -1 with a reason in why.  `nonce_out`
 * receives the nonce (for the replay check) and `ts_out` the timestamp. */
int sim_oauth1_verify(const char *auth_header, const char *method, const char *base_uri,
                      const sim_kv *params, size_t n_params, const char *client_id,
                      const char *client_secret, char *nonce_out, size_t nonce_cap,
                      long long *ts_out, char *why, size_t why_cap);

/* RFC 3986 unreserved-set encoding; caller frees. */
char *sim_pct_encode(const char *s);

#endif
