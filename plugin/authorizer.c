/*
 * authorizer.c - see authorizer.h.
 */
#include "authorizer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "cl_error.h"
#include "oauth1.h"
#include "oauth2.h"

int cl_auth_header(cl_auth *a, cl_client *c, const char *method, const char *url, char **out,
                   sis_error *err)
{
    int rc;
    *out = NULL;
    switch (a->mode) {
    case CL_AUTH_OAUTH1:
    case CL_AUTH_OAUTH1_SHA1: {
        cl_oauth1 p = {a->client_id, a->client_secret, NULL, NULL,
                       a->mode == CL_AUTH_OAUTH1_SHA1 ? CL_SIG_HMAC_SHA1 : CL_SIG_HMAC_SHA256,
                       NULL, NULL, 0};
        char *v = NULL;
        rc = cl_oauth1_authorization(&v, NULL, method, url, &p, err);
        if (rc == SIS_OK && asprintf(out, "Authorization: %s", v) < 0) {
            *out = NULL;
            rc = cl_fail(err, SIS_ERR_NOMEM, "out of memory");
        }
        free(v);
        return rc;
    }
    case CL_AUTH_OAUTH2:
        rc = cl_oauth2_ensure_token(a, c, 0, err);
        if (rc != SIS_OK)
            return rc;
        if (asprintf(out, "Authorization: Bearer %s", a->access_token) < 0) {
            *out = NULL;
            return cl_fail(err, SIS_ERR_NOMEM, "out of memory");
        }
        return SIS_OK;
    case CL_AUTH_BEARER:
        if (asprintf(out, "Authorization: Bearer %s", a->client_secret) < 0) {
            *out = NULL;
            return cl_fail(err, SIS_ERR_NOMEM, "out of memory");
        }
        return SIS_OK;
    }
    return cl_fail(err, SIS_ERR_CONFIG, "unknown authorisation mode");
}

static struct curl_slist *auth_headers(void *ctx, cl_client *c, const char *method,
                                       const char *url, sis_error *err)
{
    struct curl_slist *h, *more;
    char *line = NULL;

    if (cl_auth_header(ctx, c, method, url, &line, err) != SIS_OK)
        return NULL;
    h = curl_slist_append(NULL, line);
    if (h != NULL) {
        more = curl_slist_append(h, "Accept: application/json");
        if (more == NULL)
            curl_slist_free_all(h);
        h = more;
    }
    OPENSSL_cleanse(line, strlen(line));
    free(line);
    if (h == NULL)
        cl_fail(err, SIS_ERR_NOMEM, "out of memory");
    return h;
}

static int auth_refresh(void *ctx, cl_client *c, sis_error *err)
{
    return cl_oauth2_ensure_token(ctx, c, 1, err);
}

void cl_auth_authorizer(cl_auth *a, cl_authorizer *out)
{
    out->headers = auth_headers;
    out->refresh = a->mode == CL_AUTH_OAUTH2 ? auth_refresh : NULL;
    out->ctx = a;
}
