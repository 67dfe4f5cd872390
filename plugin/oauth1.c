/*
 * oauth1.c - RFC 5849 section 3.4: the base string is the method, the base
 * URI and the normalised parameters (query + oauth_*, each decoded then
 * encoded again, sorted by name then value).  Getting this exactly right is
 * what stands between a district and a wall of 401s.
 */
#include "oauth1.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include "buf.h"
#include "cl_error.h"
#include "url.h"

typedef struct param {
    char *name;    /* encoded */
    char *value;   /* encoded */
} param;

typedef struct param_list {
    param *items;
    size_t n, cap;
} param_list;

static int add_encoded(param_list *l, const char *name, const char *value)
{
    if (l->n == l->cap) {
        size_t ncap = l->cap ? l->cap * 2 : 16;
        param *n = realloc(l->items, ncap * sizeof *n);
        if (n == NULL)
            return -1;
        l->items = n;
        l->cap = ncap;
    }
    l->items[l->n].name = cl_url_encode(name);
    l->items[l->n].value = cl_url_encode(value);
    if (l->items[l->n].name == NULL || l->items[l->n].value == NULL)
        return -1;
    l->n++;
    return 0;
}

static void free_params(param_list *l)
{
    size_t i;
    for (i = 0; i < l->n; i++) {
        free(l->items[i].name);
        free(l->items[i].value);
    }
    free(l->items);
}

/* Adds every name=value of a raw query string, decoded. */
static int add_query(param_list *l, const char *query)
{
    while (query != NULL && *query != '\0' && *query != '#') {
        size_t len = strcspn(query, "&#"), nlen = strcspn(query, "=&#");
        char *name = cl_url_decode(query, nlen < len ? nlen : len, NULL);
        char *value = nlen < len ? cl_url_decode(query + nlen + 1, len - nlen - 1, NULL)
                                 : strdup("");
        int rc = (name && value) ? add_encoded(l, name, value) : -1;
        free(name);
        free(value);
        if (rc != 0)
            return -1;
        query += len;
        if (*query == '&')
            query++;
    }
    return 0;
}

static int cmp_param(const void *a, const void *b)
{
    const param *x = a, *y = b;
    int c = strcmp(x->name, y->name);
    return c != 0 ? c : strcmp(x->value, y->value);
}

static const char *method_name(cl_sig_method m)
{
    return m == CL_SIG_HMAC_SHA1 ? "HMAC-SHA1" : "HMAC-SHA256";
}

/* The oauth_* protocol parameters, in the order they appear in the header. */
static int add_protocol_params(param_list *l, const cl_oauth1 *p, const char *ts, const char *nonce)
{
    if (add_encoded(l, "oauth_consumer_key", p->consumer_key) != 0 ||
        add_encoded(l, "oauth_nonce", nonce) != 0 ||
        add_encoded(l, "oauth_signature_method", method_name(p->method)) != 0 ||
        add_encoded(l, "oauth_timestamp", ts) != 0)
        return -1;
    if (p->token != NULL && add_encoded(l, "oauth_token", p->token) != 0)
        return -1;
    if (p->include_version && add_encoded(l, "oauth_version", "1.0") != 0)
        return -1;
    return 0;
}

static int base_string(cl_buf *out, const char *http_method, const char *url, const cl_oauth1 *p,
                       const char *ts, const char *nonce, sis_error *err)
{
    param_list l = {NULL, 0, 0};
    cl_url u;
    cl_buf uri, norm;
    char *e_uri = NULL, *e_norm = NULL;
    size_t i;
    int rc = cl_url_parse(&u, url, err), ok;

    if (rc != SIS_OK)
        return rc;
    cl_buf_init(&uri, 0);
    cl_buf_init(&norm, 0);
    ok = cl_buf_addf(&uri, "%s://%s", u.scheme, u.host) == 0;
    if (ok && u.port != 0 && u.port != (strcmp(u.scheme, "https") == 0 ? 443 : 80))
        ok = cl_buf_addf(&uri, ":%d", u.port) == 0;
    ok = ok && cl_buf_adds(&uri, u.path) == 0 && add_query(&l, u.query) == 0 &&
         add_protocol_params(&l, p, ts, nonce) == 0;
    if (ok) {
        qsort(l.items, l.n, sizeof *l.items, cmp_param);
        for (i = 0; ok && i < l.n; i++)
            ok = cl_buf_addf(&norm, "%s%s=%s", i ? "&" : "", l.items[i].name, l.items[i].value) == 0;
    }
    ok = ok && (e_uri = cl_url_encode(uri.data)) != NULL &&
         (e_norm = cl_url_encode(norm.data ? norm.data : "")) != NULL &&
         cl_buf_addf(out, "%s&%s&%s", http_method, e_uri, e_norm) == 0;
    free(e_uri);
    free(e_norm);
    cl_buf_free(&uri);
    cl_buf_free(&norm);
    free_params(&l);
    return ok ? SIS_OK : cl_fail(err, SIS_ERR_NOMEM, "out of memory while signing a request");
}

int cl_oauth1_base_string(char **out, const char *http_method, const char *url,
                          const cl_oauth1 *p, sis_error *err)
{
    cl_buf b;
    int rc;
    cl_buf_init(&b, 0);
    rc = base_string(&b, http_method, url, p, p->timestamp, p->nonce, err);
    *out = rc == SIS_OK ? cl_buf_take(&b) : NULL;
    cl_buf_free(&b);
    return rc;
}

/* base64(HMAC(enc(consumer_secret) & enc(token_secret), base)); malloc'd. */
static char *sign(const cl_oauth1 *p, const char *base)
{
    char *ecs = cl_url_encode(p->consumer_secret);
    char *ets = cl_url_encode(p->token_secret ? p->token_secret : "");
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int mac_len = 0;
    char *key = NULL, *b64 = NULL;
    int ok = ecs && ets && asprintf(&key, "%s&%s", ecs, ets) >= 0;

    ok = ok && HMAC(p->method == CL_SIG_HMAC_SHA1 ? EVP_sha1() : EVP_sha256(), key,
                    (int)strlen(key), (const unsigned char *)base, strlen(base), mac,
                    &mac_len) != NULL;
    if (ok && (b64 = malloc(4 * ((mac_len + 2) / 3) + 1)) != NULL)
        EVP_EncodeBlock((unsigned char *)b64, mac, (int)mac_len);
    if (key != NULL) {
        OPENSSL_cleanse(key, strlen(key));
        free(key);
    }
    if (ecs != NULL) {
        OPENSSL_cleanse(ecs, strlen(ecs));
        free(ecs);
    }
    free(ets);
    OPENSSL_cleanse(mac, sizeof mac);
    return ok ? b64 : NULL;
}

int cl_oauth1_authorization(char **out, char **sig_out, const char *http_method, const char *url,
                            const cl_oauth1 *p, sis_error *err)
{
    char ts[24], nonce[33];
    unsigned char rnd[16];
    cl_buf base, hdr;
    char *sig = NULL, *esig = NULL, *ekey = NULL, *enonce = NULL;
    int rc, i, ok;

    *out = NULL;
    if (p->timestamp != NULL)
        snprintf(ts, sizeof ts, "%s", p->timestamp);
    else
        snprintf(ts, sizeof ts, "%lld", (long long)time(NULL));
    if (p->nonce != NULL) {
        snprintf(nonce, sizeof nonce, "%s", p->nonce);
    } else {
        if (RAND_bytes(rnd, sizeof rnd) != 1)
            return cl_fail(err, SIS_ERR_GENERIC, "no random bytes for an OAuth nonce");
        for (i = 0; i < 16; i++)
            snprintf(nonce + 2 * i, 3, "%02x", rnd[i]);
    }
    cl_buf_init(&base, 0);
    cl_buf_init(&hdr, 0);
    rc = base_string(&base, http_method, url, p, ts, nonce, err);
    if (rc != SIS_OK) {
        cl_buf_free(&base);
        return rc;
    }
    sig = sign(p, base.data);
    ok = sig && (esig = cl_url_encode(sig)) && (ekey = cl_url_encode(p->consumer_key)) &&
         (enonce = cl_url_encode(nonce));
    ok = ok && cl_buf_addf(&hdr, "OAuth oauth_consumer_key=\"%s\",oauth_nonce=\"%s\","
                           "oauth_signature=\"%s\",oauth_signature_method=\"%s\","
                           "oauth_timestamp=\"%s\"", ekey, enonce, esig,
                           method_name(p->method), ts) == 0;
    if (ok && p->token != NULL) {
        char *etok = cl_url_encode(p->token);
        ok = etok && cl_buf_addf(&hdr, ",oauth_token=\"%s\"", etok) == 0;
        free(etok);
    }
    if (ok && p->include_version)
        ok = cl_buf_adds(&hdr, ",oauth_version=\"1.0\"") == 0;
    if (ok) {
        *out = cl_buf_take(&hdr);
        if (sig_out != NULL) {
            *sig_out = sig;
            sig = NULL;
        }
    }
    free(sig);
    free(esig);
    free(ekey);
    free(enonce);
    cl_buf_free(&base);
    cl_buf_free(&hdr);
    return ok ? SIS_OK : cl_fail(err, SIS_ERR_NOMEM, "out of memory while signing a request");
}
