/*
 * verify.c - see verify.h.  Both ways of connecting (manual credentials in
 * authn.c, ClassLink Login in login.c) end here, so neither calls the other.
 */
#include "verify.h"

#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "cl_error.h"

int cl_verify_connection(cl_conn *c, uint64_t *visible_users, sis_error *err)
{
    char url[640];
    cl_buf body;
    cl_http_response resp;
    json_object *root = NULL, *users, *first;
    int rc;

    snprintf(url, sizeof url, "%s/users?limit=1&offset=0", c->root);
    cl_buf_init(&body, c->http.max_body);
    rc = cl_client_get(&c->client, url, "the Roster Server", &body, &resp, err);
    if (rc == SIS_OK) {
        root = json_tokener_parse(body.data ? body.data : "");
        if (root == NULL || !json_object_object_get_ex(root, "users", &users) ||
            !json_object_is_type(users, json_type_array)) {
            rc = cl_fail(err, SIS_ERR_PROTOCOL, "the server at %s answered, but not with a "
                         "OneRoster user list; check that the URL is the OneRoster root "
                         "(ending in /ims/oneroster/v1p1)", c->root);
        } else {
            first = json_object_array_get_idx(users, 0);
            c->version12 = strstr(c->root, "v1p2") != NULL ||
                           (first != NULL && json_object_object_get_ex(first, "roles", NULL));
            *visible_users = resp.total_count >= 0 ? (uint64_t)resp.total_count : UINT64_MAX;
        }
    }
    json_object_put(root);
    cl_buf_free(&body);
    return rc;
}

int cl_store_connection(const cl_conn *c, const sis_host *host, sis_host_app *app, sis_error *err)
{
    int rc = host->config_set(app, "server", c->root);
    if (rc == SIS_OK)
        rc = host->config_set(app, "auth", cl_auth_mode_name(c->auth.mode));
    if (rc == SIS_OK)
        rc = host->config_set(app, "client_id", c->auth.client_id);
    if (rc == SIS_OK)
        rc = host->config_set(app, "token_url", c->auth.token_url);
    if (rc == SIS_OK)
        rc = host->config_set(app, "oneroster_version", c->version12 ? "1.2" : "1.1");
    if (rc == SIS_OK)
        rc = host->secret_set(app, "client_secret", c->auth.client_secret);
    if (rc != SIS_OK)
        return cl_fail(err, rc, "the host could not store the connection (status %d)", rc);
    return SIS_OK;
}
