/*
 * launchpad.c - the parties of ClassLink Login: LaunchPad's authorize and
 * token endpoints, nodeapi's /v2/my/info, and the proxy's /applications
 * and /applications/{id}/server, shaped as ClassLink documents them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#include <openssl/rand.h>

#include "server.h"

#define APP_ID_ESCAPED "MoYPlyQWmG0%3D"   /* arrives escaped; never escape it again */
#define APP_ID "MoYPlyQWmG0="
#define TENANT_ID 2
#define TENANT_NAME "Springfield Unified School District"

static void random_token(const char *prefix, char *out, size_t cap)
{
    unsigned char r[12];
    size_t i, n;
    RAND_bytes(r, sizeof r);
    n = (size_t)snprintf(out, cap, "%s", prefix);
    for (i = 0; i < sizeof r && n + 2 < cap; i++, n += 2)
        snprintf(out + n, 3, "%02x", r[i]);
}

static const char *arg(struct MHD_Connection *c, const char *k)
{
    return MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, k);
}

/* A value from an x-www-form-urlencoded body (undecoded; ours are plain). */
static int form_value(const char *body, const char *key, char *out, size_t cap)
{
    size_t k = strlen(key);
    const char *p = body;
    while (p != NULL && *p) {
        if (strncmp(p, key, k) == 0 && p[k] == '=') {
            size_t n = strcspn(p + k + 1, "&");
            snprintf(out, cap, "%.*s", (int)n, p + k + 1);
            return 1;
        }
        p = strchr(p, '&');
        if (p)
            p++;
    }
    return 0;
}

static enum MHD_Result redirect(struct MHD_Connection *c, const char *location)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
    enum MHD_Result ret;
    MHD_add_response_header(r, "Location", location);
    ret = MHD_queue_response(c, 302, r);
    MHD_destroy_response(r);
    return ret;
}

static enum MHD_Result authorize(sim_server *s, struct MHD_Connection *c)
{
    const char *client = arg(c, "client_id"), *redirect_uri = arg(c, "redirect_uri");
    const char *state = arg(c, "state"), *type = arg(c, "response_type");
    char code[48], *loc;
    struct timeval tv;
    enum MHD_Result ret;

    if (client == NULL || strcmp(client, s->lp_client_id) != 0 || redirect_uri == NULL ||
        type == NULL || strcmp(type, "code") != 0)
        return sim_send_json(c, 400, "{\"error\":\"invalid_request\"}");
    gettimeofday(&tv, NULL);
    if (s->login_deny) {
        if (asprintf(&loc, "%s?error=access_denied&state=%s", redirect_uri, state ? state : "") < 0)
            return MHD_NO;
    } else {
        random_token("code-", code, sizeof code);
        pthread_mutex_lock(&s->mu);
        snprintf(s->codes[s->code_pos], sizeof s->codes[0], "%s", code);
        s->code_expiry[s->code_pos] = (long long)tv.tv_sec + 300;  /* codes live 5 minutes */
        s->code_pos = (s->code_pos + 1) % 8;
        pthread_mutex_unlock(&s->mu);
        if (asprintf(&loc, "%s?code=%s&state=%s", redirect_uri, code, state ? state : "") < 0)
            return MHD_NO;
    }
    ret = redirect(c, loc);
    free(loc);
    return ret;
}

static enum MHD_Result token(sim_server *s, struct MHD_Connection *c, const char *body)
{
    char id[64] = "", secret[64] = "", code[64] = "", tok[48], out[256];
    int i, ok = 0;
    long long now = (long long)time(NULL);
    form_value(body, "client_id", id, sizeof id);
    form_value(body, "client_secret", secret, sizeof secret);
    form_value(body, "code", code, sizeof code);
    if (strcmp(id, s->lp_client_id) != 0 || strcmp(secret, s->lp_client_secret) != 0)
        return sim_send_json(c, 401, "{\"error\":\"invalid_client\"}");
    pthread_mutex_lock(&s->mu);
    for (i = 0; i < 8; i++)
        if (s->codes[i][0] && strcmp(s->codes[i], code) == 0) {
            ok = s->code_expiry[i] >= now;
            s->codes[i][0] = '\0';  /* single use */
        }
    if (ok) {
        random_token("lp-", tok, sizeof tok);
        snprintf(s->access_tokens[s->access_pos], sizeof s->access_tokens[0], "%s", tok);
        s->access_pos = (s->access_pos + 1) % 8;
    }
    pthread_mutex_unlock(&s->mu);
    if (!ok)
        return sim_send_json(c, 400, "{\"error\":\"invalid_grant\",\"error_description\":"
                                     "\"The code is invalid or expired\"}");
    snprintf(out, sizeof out, "{\"access_token\":\"%s\",\"token_type\":\"Bearer\",\"id_token\":"
             "\"eyJ.sim.jwt\"}", tok);
    return sim_send_json(c, 200, out);
}

static int bearer_is(struct MHD_Connection *c, const char *expect)
{
    const char *a = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization");
    return a != NULL && strncmp(a, "Bearer ", 7) == 0 && expect[0] != '\0' && strcmp(a + 7, expect) == 0;
}

/* The district's TenantId as JSON: the number ClassLink sends today, or the
 * string a test set (/_sim/reset?tenant_id=...).  Call with s->mu held. */
static void tenant_json(const sim_server *s, char *out, size_t cap)
{
    if (s->tenant_id[0] != '\0')
        snprintf(out, cap, "\"%s\"", s->tenant_id);
    else
        snprintf(out, cap, "%d", TENANT_ID);
}

static enum MHD_Result my_info(sim_server *s, struct MHD_Connection *c)
{
    const char *a = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization");
    char out[1536], tenant[sizeof s->tenant_id + 2];
    int i, ok = 0;
    pthread_mutex_lock(&s->mu);
    for (i = 0; i < 8 && a != NULL && strlen(a) > 7; i++)
        ok |= s->access_tokens[i][0] && strcmp(s->access_tokens[i], a + 7) == 0;
    tenant_json(s, tenant, sizeof tenant);
    pthread_mutex_unlock(&s->mu);
    if (!ok)
        return sim_send_json(c, 401, "{\"error\":\"invalid_token\"}");
    snprintf(out, sizeof out, "{\"UserId\":8123,\"TenantId\":%s,\"LoginId\":\"jdoe\",\"Email\":"
             "\"jdoe@district.example.org\",\"FirstName\":\"Jordan\",\"LastName\":\"Doe\","
             "\"DisplayName\":\"Jordan Doe\",\"Role\":\"%s\",\"Tenant\":\"%s\",\"Building\":\"\","
             "\"SourcedId\":\"u0000001\"}", tenant, s->login_role, TENANT_NAME);
    return sim_send_json(c, 200, out);
}

static enum MHD_Result applications(sim_server *s, struct MHD_Connection *c)
{
    char out[2048], tenant[sizeof s->tenant_id + 2];
    if (!bearer_is(c, s->partner_key))
        return sim_send_json(c, 401, "{\"status\":0,\"message\":\"Invalid API key\"}");
    if (!s->app_installed)
        return sim_send_json(c, 200, "{\"status\":1,\"applications\":[{\"id\":9,\"tenant_name\":"
                                     "\"Another District\",\"tenant_id\":\"77\",\"application_id\":57,"
                                     "\"bearer\":null,\"name\":\"ClassLink\","
                                     "\"oneroster_application_id\":\"zzz%3D\"}]}");
    pthread_mutex_lock(&s->mu);
    tenant_json(s, tenant, sizeof tenant);
    pthread_mutex_unlock(&s->mu);
    snprintf(out, sizeof out, "{\"status\":1,\"applications\":[{\"id\":9,\"tenant_name\":\"Another "
             "District\",\"tenant_id\":77,\"application_id\":57,\"bearer\":null,\"name\":\"ClassLink\","
             "\"oneroster_application_id\":\"zzz%%3D\"},{\"id\":1176,\"tenant_name\":\"%s\","
             "\"tenant_id\":%s,\"application_id\":57,\"bearer\":%s%s%s,\"name\":\"ClassLink\","
             "\"oneroster_application_id\":\"%s\",\"enabled\":\"true\",\"tenant_status\":\"Active\"}]}",
             TENANT_NAME, tenant, s->bearer[0] ? "\"" : "", s->bearer[0] ? s->bearer : "null",
             s->bearer[0] ? "\"" : "", APP_ID_ESCAPED);
    return sim_send_json(c, 200, out);
}

static enum MHD_Result server_record(sim_server *s, struct MHD_Connection *c, const char *app)
{
    char out[768], endpoint[300];
    const char *host = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Host");
    if (!bearer_is(c, s->partner_key))
        return sim_send_json(c, 401, "{\"status\":0,\"message\":\"Invalid API key\"}");
    if (strcmp(app, APP_ID) != 0)  /* an id escaped twice arrives as MoYPlyQWmG0%3D */
        return sim_send_json(c, 404, "{\"status\":0,\"message\":\"Unknown application\"}");
    if (s->endpoint_url[0])
        snprintf(endpoint, sizeof endpoint, "%s", s->endpoint_url);
    else
        snprintf(endpoint, sizeof endpoint, "http://%s", host ? host : "127.0.0.1");  /* a bare host */
    if (s->server_creds)
        snprintf(out, sizeof out, "{\"status\":1,\"server\":{\"client_id\":\"%s\",\"client_secret\":"
                 "\"%s\",\"endpoint_url\":\"%s\"},\"message\":\"\"}", s->client_id, s->client_secret,
                 endpoint);
    else
        snprintf(out, sizeof out, "{\"status\":1,\"server\":{\"client_id\":\"\",\"client_secret\":"
                 "\"\",\"endpoint_url\":\"\"},\"message\":\"\"}");
    return sim_send_json(c, 200, out);
}

enum MHD_Result sim_login_routes(sim_server *s, struct MHD_Connection *c, const char *url,
                                 const char *method, const char *body)
{
    sim_fault f;
    if ((strncmp(url, "/oauth2/v2/", 11) == 0 || strcmp(url, "/v2/my/info") == 0 ||
         strncmp(url, "/applications", 13) == 0) && sim_take_fault(s, url, &f)) {
        enum MHD_Result ret = sim_fault_response(s, c, &f);
        if (ret != MHD_NO)
            return ret;
    }
    if (strcmp(url, "/oauth2/v2/auth") == 0 && strcmp(method, "GET") == 0)
        return authorize(s, c);
    if (strcmp(url, "/oauth2/v2/token") == 0 && strcmp(method, "POST") == 0)
        return token(s, c, body ? body : "");
    if (strcmp(url, "/v2/my/info") == 0)
        return my_info(s, c);
    if (strcmp(url, "/applications") == 0)
        return applications(s, c);
    if (strncmp(url, "/applications/", 14) == 0) {
        char app[128];
        const char *end = strstr(url + 14, "/server");
        if (end != NULL && strcmp(end, "/server") == 0) {
            snprintf(app, sizeof app, "%.*s", (int)(end - url - 14), url + 14);
            return server_record(s, c, app);
        }
    }
    return MHD_NO;
}
