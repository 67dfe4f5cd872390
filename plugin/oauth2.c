#include "oauth2.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "buf.h"
#include "cl_error.h"
#include "url.h"

#define DEFAULT_SCOPE "https://purl.imsglobal.org/spec/or/v1p1/scope/roster-core.readonly"

/* "Basic base64(urlenc(id):urlenc(secret))", malloc'd, or NULL. */
static char *basic_header(const char *id, const char *secret)
{
    char *eid = cl_url_encode(id), *esec = cl_url_encode(secret), *pair = NULL, *hdr = NULL;
    size_t plen;
    unsigned char *b64 = NULL;

    if (eid && esec && asprintf(&pair, "%s:%s", eid, esec) >= 0) {
        plen = strlen(pair);
        b64 = malloc(4 * ((plen + 2) / 3) + 1);
        if (b64 != NULL) {
            EVP_EncodeBlock(b64, (unsigned char *)pair, (int)plen);
            if (asprintf(&hdr, "Authorization: Basic %s", b64) < 0)
                hdr = NULL;
            OPENSSL_cleanse(b64, strlen((char *)b64));
        }
        OPENSSL_cleanse(pair, plen);
    }
    if (esec != NULL)
        OPENSSL_cleanse(esec, strlen(esec));
    free(eid);
    free(esec);
    free(pair);
    free(b64);
    return hdr;
}

static int read_token(cl_auth *a, const char *body, sis_error *err)
{
    json_object *root = json_tokener_parse(body), *tok, *exp;
    long long expires = 3600;
    int rc = SIS_OK;

    if (root == NULL || !json_object_object_get_ex(root, "access_token", &tok) ||
        !json_object_is_type(tok, json_type_string)) {
        rc = cl_fail(err, SIS_ERR_PROTOCOL, "the OAuth 2.0 token URL answered without an "
                     "access_token; check the token URL");
    } else {
        if (json_object_object_get_ex(root, "expires_in", &exp))
            expires = json_object_get_int64(exp);
        if (expires <= 0)
            expires = 3600;
        if (a->access_token != NULL) {
            OPENSSL_cleanse(a->access_token, strlen(a->access_token));
            free(a->access_token);
        }
        a->access_token = strdup(json_object_get_string(tok));
        a->token_expires = time(NULL) + (time_t)expires;
    }
    json_object_put(root);
    return rc;
}

int cl_oauth2_ensure_token(cl_auth *a, cl_client *c, int force, sis_error *err)
{
    cl_fixed_headers th = {{NULL, "Content-Type: application/x-www-form-urlencoded", NULL}};
    cl_authorizer token_auth;
    cl_request rq = {"POST", a->token_url, NULL, "the OAuth 2.0 token URL", &token_auth};
    char *basic, *scope, *form = NULL;
    cl_buf body;
    cl_http_response resp;
    int rc;

    if (!force && a->access_token != NULL && time(NULL) < a->token_expires - 60)
        return SIS_OK;
    if (a->token_url == NULL || a->token_url[0] == '\0')
        return cl_fail(err, SIS_ERR_CONFIG, "OAuth 2.0 needs a token URL; connect again with "
                       "--token-url");
    basic = basic_header(a->client_id, a->client_secret);
    scope = cl_url_encode(a->scope != NULL ? a->scope : DEFAULT_SCOPE);
    if (basic == NULL || scope == NULL ||
        asprintf(&form, "grant_type=client_credentials&scope=%s", scope) < 0) {
        free(basic);
        free(scope);
        return cl_fail(err, SIS_ERR_NOMEM, "out of memory");
    }
    th.lines[0] = basic;
    cl_fixed_authorizer(&token_auth, &th);
    rq.body = form;
    cl_buf_init(&body, 64 * 1024);
    rc = cl_client_request(c, &rq, &body, &resp, err);
    if (rc == SIS_OK)
        rc = read_token(a, body.data ? body.data : "", err);
    OPENSSL_cleanse(basic, strlen(basic));
    if (body.data != NULL)
        OPENSSL_cleanse(body.data, body.len);
    cl_buf_free(&body);
    free(basic);
    free(scope);
    free(form);
    return rc;
}
