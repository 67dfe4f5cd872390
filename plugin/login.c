/*
 * login.c - ClassLink Login.  Begin hands the host a LaunchPad URL with a
 * random, single-use, expiring `state`; complete checks that state, trades
 * the code for a token, insists the person is a tenant administrator, finds
 * the district among the vendor's installed applications, reads its roster
 * server and credentials, proves them with a real request, and stores them.
 * Nothing is stored unless every step succeeded.
 */
#include "login.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <json-c/json.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "cl_error.h"
#include "cl_text.h"
#include "conn.h"
#include "instance.h"
#include "url.h"
#include "verify.h"

#define STATE_TTL_S 600
#define DEFAULT_DOMAINS "oneroster.com,classlink.com,classlink.io"

typedef struct login_settings {
    char client_id[256], client_secret[512], partner_key[512];
    char launchpad[256], nodeapi[256], proxy[256], domains[512];
} login_settings;

static void wipe_settings(login_settings *s)
{
    OPENSSL_cleanse(s, sizeof *s);
}

static int setting(const sis_instance *inst, const char *key, char *buf, size_t cap, int required,
                   sis_error *err)
{
    buf[0] = '\0';
    if (inst->host->setting_get(inst->app, key, buf, cap) == SIS_OK && buf[0] != '\0')
        return SIS_OK;
    return required ? cl_fail(err, SIS_ERR_CONFIG, "ClassLink Login needs the host setting \"%s\" "
                              "(the vendor's ClassLink app); ask the host's operator to set it", key)
                    : SIS_OK;
}

static int load_settings(const sis_instance *inst, login_settings *s, int need_all, sis_error *err)
{
    int rc = setting(inst, "client_id", s->client_id, sizeof s->client_id, 1, err);
    if (rc == SIS_OK)
        rc = setting(inst, "launchpad_url", s->launchpad, sizeof s->launchpad, 1, err);
    if (rc == SIS_OK && need_all)
        rc = setting(inst, "client_secret", s->client_secret, sizeof s->client_secret, 1, err);
    if (rc == SIS_OK && need_all)
        rc = setting(inst, "partner_key", s->partner_key, sizeof s->partner_key, 1, err);
    if (rc == SIS_OK && need_all)
        rc = setting(inst, "nodeapi_url", s->nodeapi, sizeof s->nodeapi, 1, err);
    if (rc == SIS_OK && need_all)
        rc = setting(inst, "proxy_url", s->proxy, sizeof s->proxy, 1, err);
    if (rc == SIS_OK && need_all)
        setting(inst, "allowed_domains", s->domains, sizeof s->domains, 0, err);
    if (s->domains[0] == '\0')
        snprintf(s->domains, sizeof s->domains, DEFAULT_DOMAINS);
    return rc;
}

int cl_host_allowed(const char *host, const char *domains)
{
    char copy[512], *tok, *save = NULL;
    size_t hl = strlen(host);
    snprintf(copy, sizeof copy, "%s", domains);
    for (tok = strtok_r(copy, ", ", &save); tok; tok = strtok_r(NULL, ", ", &save)) {
        size_t dl = strlen(tok);
        if (strcasecmp(host, tok) == 0 ||
            (hl > dl && host[hl - dl - 1] == '.' && strcasecmp(host + hl - dl, tok) == 0))
            return 1;
    }
    return 0;
}

int cl_login_begin(sis_instance *inst, const sis_auth_request *req, sis_auth_result *res,
                   sis_error *err)
{
    login_settings s;
    unsigned char rnd[24];
    char state[64], expires[32], *e_id = NULL, *e_redirect = NULL;
    int i, rc;

    memset(&s, 0, sizeof s);
    if (req->redirect_uri == NULL || req->redirect_uri[0] == '\0')
        return cl_fail(err, SIS_ERR_INVALID_ARG, "ClassLink Login needs the host's redirect URI");
    rc = load_settings(inst, &s, 0, err);
    if (rc == SIS_OK)
        rc = cl_url_check_transport(s.launchpad, err);
    if (rc != SIS_OK)
        return rc;
    if (RAND_bytes(rnd, sizeof rnd) != 1)
        return cl_fail(err, SIS_ERR_GENERIC, "no random bytes for the OAuth state");
    for (i = 0; i < (int)sizeof rnd; i++)
        snprintf(state + 2 * i, 3, "%02x", rnd[i]);
    snprintf(expires, sizeof expires, "%lld", (long long)time(NULL) + STATE_TTL_S);
    e_id = cl_url_encode(s.client_id);
    e_redirect = cl_url_encode(req->redirect_uri);
    if (inst->host->config_set(inst->app, "pending.login_state", state) != SIS_OK ||
        inst->host->config_set(inst->app, "pending.login_state_expires", expires) != SIS_OK ||
        inst->host->config_set(inst->app, "pending.login_redirect_uri", req->redirect_uri) != SIS_OK)
        rc = cl_fail(err, SIS_ERR_GENERIC, "the host could not keep the login state");
    else
        rc = cl_text_setf(&res->url, "%s/oauth2/v2/auth?client_id=%s&redirect_uri=%s&response_type=code&"
                 "scope=profile%%20oneroster&state=%s", s.launchpad, e_id, e_redirect, state);
    free(e_id);
    free(e_redirect);
    wipe_settings(&s);
    return rc;
}

static const char *param(const sis_auth_request *req, const char *key)
{
    size_t i;
    for (i = 0; i < req->n_params; i++)
        if (req->params[i].key && strcmp(req->params[i].key, key) == 0 && req->params[i].value)
            return req->params[i].value;
    return NULL;
}

/* The stored state must match and be fresh; it is used up either way. */
static int check_state(sis_instance *inst, const char *state, char *redirect, size_t cap,
                       sis_error *err)
{
    char stored[128] = "", expires[32] = "0";
    int ok;
    inst->host->config_get(inst->app, "pending.login_state", stored, sizeof stored);
    inst->host->config_get(inst->app, "pending.login_state_expires", expires, sizeof expires);
    inst->host->config_get(inst->app, "pending.login_redirect_uri", redirect, cap);
    inst->host->config_set(inst->app, "pending.login_state", NULL);
    inst->host->config_set(inst->app, "pending.login_state_expires", NULL);
    inst->host->config_set(inst->app, "pending.login_redirect_uri", NULL);
    ok = state != NULL && stored[0] != '\0' && strlen(state) == strlen(stored) &&
         CRYPTO_memcmp(state, stored, strlen(stored)) == 0;
    if (!ok)
        return cl_fail(err, SIS_ERR_STATE, "the sign-in answer does not belong to a login started "
                       "here (wrong or missing state); start ClassLink Login again");
    if (atoll(expires) < (long long)time(NULL))
        return cl_fail(err, SIS_ERR_STATE, "the ClassLink Login took too long and expired; start it "
                       "again");
    return SIS_OK;
}

/* GET or POST with a bearer through the client (its retry policy,
 * cancellation and notices), JSON answer parsed into *out (caller puts). */
static int call_json(cl_client *c, const char *method, const char *url, const char *bearer,
                     const char *form, const char *what, json_object **out, sis_error *err)
{
    char *auth = NULL;
    cl_fixed_headers f = {{NULL, form ? "Content-Type: application/x-www-form-urlencoded" : NULL,
                           NULL}};
    cl_authorizer fixed;
    cl_request rq = {method, url, form, what, &fixed};
    cl_buf body;
    cl_http_response resp;
    int rc;

    *out = NULL;
    if (bearer != NULL && asprintf(&auth, "Authorization: Bearer %s", bearer) < 0)
        return cl_fail(err, SIS_ERR_NOMEM, "out of memory");
    f.lines[0] = auth;
    cl_fixed_authorizer(&fixed, &f);
    cl_buf_init(&body, 4u << 20);
    rc = cl_client_request(c, &rq, &body, &resp, err);
    if (rc == SIS_OK) {
        *out = json_tokener_parse(body.data ? body.data : "");
        if (*out == NULL || !json_object_is_type(*out, json_type_object))
            rc = cl_fail(err, SIS_ERR_PROTOCOL, "%s answered with something that is not a JSON "
                         "object", what);
    }
    if (auth != NULL) {
        OPENSSL_cleanse(auth, strlen(auth));
        free(auth);
    }
    if (body.data != NULL)
        OPENSSL_cleanse(body.data, body.len);
    cl_buf_free(&body);
    return rc;
}

static const char *jstr(json_object *o, const char *k)
{
    json_object *v;
    if (o != NULL && json_object_object_get_ex(o, k, &v) && !json_object_is_type(v, json_type_null))
        return json_object_get_string(v);
    return NULL;
}

static int exchange_code(cl_client *client, const login_settings *s, const char *code,
                         const char *redirect, char **token, sis_error *err)
{
    char url[320], *form = NULL, *e_id = cl_url_encode(s->client_id);
    char *e_sec = cl_url_encode(s->client_secret), *e_code = cl_url_encode(code);
    char *e_redirect = cl_url_encode(redirect);
    json_object *answer = NULL;
    int rc;

    rc = cl_url_format(url, sizeof url, err, "%s/oauth2/v2/token", s->launchpad);
    if (rc != SIS_OK)
        form = NULL;
    else if (asprintf(&form, "grant_type=authorization_code&client_id=%s&client_secret=%s&code=%s&"
                 "redirect_uri=%s", e_id, e_sec, e_code, e_redirect) < 0)
        form = NULL;
    if (rc == SIS_OK)
        rc = form ? call_json(client, "POST", url, NULL, form, "ClassLink LaunchPad", &answer, err)
                  : cl_fail(err, SIS_ERR_NOMEM, "out of memory");
    if (rc == SIS_ERR_PROTOCOL || rc == SIS_ERR_AUTH || rc == SIS_ERR_NOT_FOUND)
        rc = cl_fail(err, SIS_ERR_AUTH, "ClassLink LaunchPad refused the sign-in code (it is valid "
                     "for 5 minutes and only once); start ClassLink Login again");
    if (rc == SIS_OK && jstr(answer, "access_token") == NULL)
        rc = cl_fail(err, SIS_ERR_PROTOCOL, "ClassLink LaunchPad answered without an access token");
    if (rc == SIS_OK)
        *token = strdup(jstr(answer, "access_token"));
    json_object_put(answer);
    if (form != NULL) {
        OPENSSL_cleanse(form, strlen(form));
        free(form);
    }
    OPENSSL_cleanse(e_sec, strlen(e_sec));
    free(e_id);
    free(e_sec);
    free(e_code);
    free(e_redirect);
    return rc;
}

/* Copies a value ClassLink sent that is compared or sent on (an id, a
 * token): cutting it would make it another value, so one that does not fit
 * is an error naming it, never shortened. */
static int copy_whole(char *dst, size_t cap, const char *src, const char *what, sis_error *err)
{
    size_t n = strlen(src);
    if (n >= cap)
        return cl_fail(err, SIS_ERR_PROTOCOL, "ClassLink sent a %s of %zu characters, longer than "
                       "the %zu this connector accepts; nothing was connected. Report this to "
                       "the connector's maintainers", what, n, cap - 1);
    memcpy(dst, src, n + 1);
    return SIS_OK;
}

/* The signed-in person: must be a tenant administrator. */
static int check_admin(cl_client *client, const login_settings *s, const char *token,
                       char *tenant_id, size_t cap, sis_error *err)
{
    char url[320];
    json_object *me = NULL;
    const char *role, *tid;
    int rc;
    rc = cl_url_format(url, sizeof url, err, "%s/v2/my/info", s->nodeapi);
    if (rc == SIS_OK)
        rc = call_json(client, "GET", url, token, NULL, "ClassLink (nodeapi)", &me, err);
    if (rc == SIS_OK) {
        role = jstr(me, "Role");
        tid = jstr(me, "TenantId");
        if (role == NULL || tid == NULL)
            rc = cl_fail(err, SIS_ERR_PROTOCOL, "ClassLink did not say who signed in");
        else if (strcasecmp(role, "Tenant Administrator") != 0)
            rc = cl_fail(err, SIS_ERR_PERMISSION, "only a ClassLink tenant administrator can "
                         "connect a district; %s signed in as a %s. Ask the district's ClassLink "
                         "administrator to connect it", jstr(me, "DisplayName") ? jstr(me, "DisplayName")
                                                                                : "the user", role);
        else
            rc = copy_whole(tenant_id, cap, tid, "tenant id", err);
    }
    json_object_put(me);
    return rc;
}

typedef struct district {
    char name[256];
    char app_id[256];    /* oneroster_application_id, escaped as ClassLink sent it */
    char bearer[512];
} district;

static int find_district(cl_client *client, const login_settings *s, const char *tenant_id,
                         district *d, sis_error *err)
{
    char url[320];
    json_object *answer = NULL, *apps;
    size_t i, n;
    int rc, found = 0;

    rc = cl_url_format(url, sizeof url, err, "%s/applications", s->proxy);
    if (rc == SIS_OK)
        rc = call_json(client, "GET", url, s->partner_key, NULL, "the ClassLink OneRoster proxy", &answer, err);
    if (rc == SIS_OK && !json_object_object_get_ex(answer, "applications", &apps))
        rc = cl_fail(err, SIS_ERR_PROTOCOL, "the ClassLink proxy's /applications answer has no "
                     "\"applications\"; check the partner API key and proxy URL");
    if (rc == SIS_OK) {
        if (json_object_is_type(apps, json_type_object)) {
            json_object *one = apps;
            apps = json_object_new_array();
            json_object_array_add(apps, json_object_get(one));
            json_object_object_add(answer, "applications", apps);
        }
        n = json_object_is_type(apps, json_type_array) ? json_object_array_length(apps) : 0;
        for (i = 0; i < n && !found; i++) {
            json_object *a = json_object_array_get_idx(apps, i);
            const char *tid = jstr(a, "tenant_id"), *id = jstr(a, "oneroster_application_id");
            if (tid == NULL || id == NULL || strcmp(tid, tenant_id) != 0)
                continue;  /* ids compared as strings: one side may be a number */
            found = 1;
            snprintf(d->name, sizeof d->name, "%s", jstr(a, "tenant_name") ? jstr(a, "tenant_name") : "");
            rc = copy_whole(d->app_id, sizeof d->app_id, id, "Roster Server application id", err);
            if (rc == SIS_OK)
                rc = copy_whole(d->bearer, sizeof d->bearer,
                                jstr(a, "bearer") ? jstr(a, "bearer") : "", "proxy token", err);
        }
        if (!found && rc == SIS_OK)
            rc = cl_fail(err, SIS_ERR_NOT_FOUND, "this district (ClassLink tenant %s) has not added "
                         "the app as a Roster Server application; in ClassLink's Roster Server "
                         "console add it with permissions \"Full\", then connect again", tenant_id);
    }
    json_object_put(answer);
    return rc;
}

/* Reads the district's roster endpoint and credentials into c. */
static int read_server(cl_client *client, const login_settings *s, const district *d,
                       cl_conn *c, sis_error *err)
{
    char url[600];
    json_object *answer = NULL, *server = NULL;
    const char *id, *secret, *endpoint;
    int rc;

    rc = cl_url_format(url, sizeof url, err, "%s/applications/%s/server", s->proxy, d->app_id);
    if (rc == SIS_OK)
        rc = call_json(client, "GET", url, s->partner_key, NULL, "the ClassLink OneRoster proxy", &answer, err);
    if (rc == SIS_OK && !json_object_object_get_ex(answer, "server", &server))
        rc = cl_fail(err, SIS_ERR_PROTOCOL, "the district's server record has no \"server\"");
    if (rc != SIS_OK) {
        json_object_put(answer);
        return rc;
    }
    id = jstr(server, "client_id");
    secret = jstr(server, "client_secret");
    endpoint = jstr(server, "endpoint_url");
    if (id && secret && endpoint && id[0] && secret[0] && endpoint[0]) {
        cl_url u;
        rc = cl_conn_normalise_root(endpoint, c->root, sizeof c->root, err);
        if (rc == SIS_OK && cl_url_parse(&u, c->root, err) == SIS_OK &&
            !cl_host_allowed(u.host, s->domains))
            rc = cl_fail(err, SIS_ERR_PERMISSION, "ClassLink named a roster server at %s, which is "
                         "not under ClassLink's domains (%s); refusing to send credentials there",
                         u.host, s->domains);
        c->auth.mode = CL_AUTH_OAUTH1;
        c->auth.client_id = strdup(id);
        c->auth.client_secret = strdup(secret);
    } else if (d->bearer[0] != '\0') {
        /* No direct credentials: read through the proxy with the app's bearer. */
        rc = cl_url_format(c->root, sizeof c->root, err, "%s/%s/ims/oneroster/v1p1", s->proxy,
                           d->app_id);
        c->auth.mode = CL_AUTH_BEARER;
        c->auth.client_id = strdup("");
        c->auth.client_secret = strdup(d->bearer);
    } else {
        rc = cl_fail(err, SIS_ERR_CONFIG, "ClassLink has no roster credentials for this district's "
                     "app yet; in the Roster Server console check that the app is enabled with "
                     "\"Full\" permissions, then connect again");
    }
    json_object_put(answer);
    return rc;
}

int cl_login_complete(sis_instance *inst, const sis_auth_request *req, sis_auth_result *res,
                      sis_error *err)
{
    login_settings s;
    cl_conn c;
    district d;
    char redirect[512] = "", tenant_id[256];
    char *token = NULL;
    const char *error = param(req, "error"), *code = param(req, "code");
    uint64_t visible = UINT64_MAX;
    int rc;

    memset(&s, 0, sizeof s);
    memset(&c, 0, sizeof c);
    memset(&d, 0, sizeof d);
    rc = check_state(inst, param(req, "state"), redirect, sizeof redirect, err);
    if (rc == SIS_OK && error != NULL)
        rc = strcmp(error, "access_denied") == 0
                 ? cl_fail(err, SIS_ERR_DENIED, "the ClassLink sign-in was declined (access_denied); "
                           "nothing was connected")
                 : cl_fail(err, SIS_ERR_AUTH, "ClassLink LaunchPad answered \"%.100s\"", error);
    if (rc == SIS_OK && code == NULL)
        rc = cl_fail(err, SIS_ERR_PROTOCOL, "the sign-in answer carries no code");
    if (rc == SIS_OK)
        rc = load_settings(inst, &s, 1, err);
    cl_conn_tuning(&c, inst->host, inst->app);
    cl_conn_bind(&c, inst->host, inst->app);
    if (rc == SIS_OK)
        rc = exchange_code(&c.client, &s, code, redirect, &token, err);
    if (rc == SIS_OK)
        rc = check_admin(&c.client, &s, token, tenant_id, sizeof tenant_id, err);
    if (rc == SIS_OK)
        rc = find_district(&c.client, &s, tenant_id, &d, err);
    if (rc == SIS_OK)
        rc = read_server(&c.client, &s, &d, &c, err);
    if (rc == SIS_OK) {
        cl_conn_bind(&c, inst->host, inst->app);  /* the district's credentials, now known */
        rc = cl_verify_connection(&c, &visible, err);
        if (rc != SIS_OK)
            cl_error_prefix(err, "the district's roster server did not accept its credentials");
    }
    if (rc == SIS_OK)
        rc = cl_store_connection(&c, inst->host, inst->app, err);
    if (rc == SIS_OK) {
        res->visible_users = visible;
        rc = sis_text_set(&res->tenant_name, d.name);
        if (rc == SIS_OK)
            rc = sis_text_set(&res->source, c.root);
    }
    if (token != NULL) {
        OPENSSL_cleanse(token, strlen(token));
        free(token);
    }
    OPENSSL_cleanse(&d, sizeof d);
    wipe_settings(&s);
    cl_conn_clear(&c);
    return rc;
}
