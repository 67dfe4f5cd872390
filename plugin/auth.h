/* auth.h - how requests to one roster endpoint are authorised: OAuth 1.0a
 * signatures, OAuth 2.0 client-credentials tokens, or a static bearer. */
#ifndef CL_AUTH_H
#define CL_AUTH_H

#include <time.h>

#include <sis/status.h>

typedef enum cl_auth_mode {
    CL_AUTH_OAUTH1 = 0,       /* HMAC-SHA256, ClassLink's default */
    CL_AUTH_OAUTH1_SHA1 = 1,
    CL_AUTH_OAUTH2 = 2,       /* client credentials */
    CL_AUTH_BEARER = 3        /* a static token (the ClassLink proxy) */
} cl_auth_mode;

/* Owns its strings; secrets are wiped by cl_auth_clear. */
typedef struct cl_auth {
    cl_auth_mode mode;
    char *client_id;
    char *client_secret;      /* the bearer token in BEARER mode */
    char *token_url;          /* OAUTH2 */
    char *scope;              /* OAUTH2 */
    char *access_token;       /* OAUTH2: the current token, or NULL */
    time_t token_expires;
} cl_auth;

/* "oauth1", "oauth1-sha1", "oauth2", "bearer" -> mode; -1 when unknown. */
int cl_auth_mode_parse(const char *name);
const char *cl_auth_mode_name(cl_auth_mode mode);

void cl_auth_clear(cl_auth *a);

#endif
