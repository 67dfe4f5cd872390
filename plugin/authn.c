/*
 * authn.c - connecting an app to its district.  Nothing is stored until a
 * real roster request has succeeded with the new credentials.
 */
#include "authn.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "cl_error.h"
#include "instance.h"
#include "login.h"
#include "url.h"
#include "verify.h"

static const char *param(const sis_auth_request *req, const char *key)
{
    size_t i;
    for (i = 0; i < req->n_params; i++)
        if (req->params[i].key != NULL && strcmp(req->params[i].key, key) == 0 &&
            req->params[i].value != NULL && req->params[i].value[0] != '\0')
            return req->params[i].value;
    return NULL;
}

static int manual(sis_instance *inst, const sis_auth_request *req, sis_auth_result *res,
                  sis_error *err)
{
    const char *server = param(req, "server"), *id = param(req, "client_id");
    const char *secret = param(req, "client_secret"), *mode = param(req, "auth");
    const char *token_url = param(req, "token_url");
    cl_conn c;
    int m = mode != NULL ? cl_auth_mode_parse(mode) : CL_AUTH_OAUTH1, rc;
    uint64_t visible = UINT64_MAX;

    if (server == NULL)
        return cl_fail(err, SIS_ERR_CONFIG, "the Roster Server URL is required");
    if (m < 0)
        return cl_fail(err, SIS_ERR_CONFIG, "unknown signing mode \"%s\"; use oauth1, oauth1-sha1, "
                       "oauth2 or bearer", mode);
    if (secret == NULL)
        return cl_fail(err, SIS_ERR_CONFIG, m == CL_AUTH_BEARER ? "the bearer token is required"
                                                                : "the client secret is required");
    if (m != CL_AUTH_BEARER && id == NULL)
        return cl_fail(err, SIS_ERR_CONFIG, "the client id is required");
    if (m == CL_AUTH_OAUTH2 && token_url == NULL)
        return cl_fail(err, SIS_ERR_CONFIG, "OAuth 2.0 needs the token URL (--token-url): the "
                       "provider's token endpoint, which its documentation or console names");
    memset(&c, 0, sizeof c);
    cl_conn_tuning(&c, inst->host, inst->app);
    rc = cl_conn_normalise_root(server, c.root, sizeof c.root, err);
    if (rc == SIS_OK && token_url != NULL)
        rc = cl_url_check_transport(token_url, err);
    if (rc != SIS_OK)
        return rc;
    c.auth.mode = (cl_auth_mode)m;
    c.auth.client_id = strdup(id != NULL ? id : "");
    c.auth.client_secret = strdup(secret);
    c.auth.token_url = token_url != NULL ? strdup(token_url) : NULL;
    cl_conn_bind(&c, inst->host, inst->app);
    rc = cl_verify_connection(&c, &visible, err);
    if (rc == SIS_OK)
        rc = cl_store_connection(&c, inst->host, inst->app, err);
    if (rc == SIS_OK) {
        res->visible_users = visible;
        rc = sis_text_set(&res->source, c.root);
    }
    cl_conn_clear(&c);
    return rc;
}

int cl_authenticate(sis_instance *inst, const sis_auth_request *req, sis_auth_result *res,
                    sis_error *err)
{
    if (req == NULL || res == NULL)
        return cl_fail(err, SIS_ERR_INVALID_ARG, "authenticate needs a request and a result");
    switch (req->step) {
    case SIS_AUTH_MANUAL:
        return manual(inst, req, res, err);
    case SIS_AUTH_BEGIN:
        return cl_login_begin(inst, req, res, err);
    case SIS_AUTH_COMPLETE:
        return cl_login_complete(inst, req, res, err);
    }
    return cl_fail(err, SIS_ERR_INVALID_ARG, "unknown authentication step %d", (int)req->step);
}
