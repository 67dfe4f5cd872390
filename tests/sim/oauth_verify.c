#include "oauth_verify.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

char *sim_pct_encode(const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t n = strlen(s), i, o = 0;
    char *out = malloc(3 * n + 1);
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
            out[o++] = (char)c;
        } else {
            out[o++] = '%';
            out[o++] = hex[c >> 4];
            out[o++] = hex[c & 15];
        }
    }
    out[o] = '\0';
    return out;
}

static int hexv(int c)
{
    return isdigit(c) ? c - '0' : isxdigit(c) ? (tolower(c) - 'a' + 10) : -1;
}

static char *pct_decode(const char *s, size_t n)
{
    char *out = malloc(n + 1);
    size_t i, o = 0;
    for (i = 0; i < n; i++) {
        if (s[i] == '%' && i + 2 < n && hexv((unsigned char)s[i + 1]) >= 0 &&
            hexv((unsigned char)s[i + 2]) >= 0) {
            out[o++] = (char)(hexv((unsigned char)s[i + 1]) * 16 + hexv((unsigned char)s[i + 2]));
            i += 2;
        } else {
            out[o++] = s[i];
        }
    }
    out[o] = '\0';
    return out;
}

typedef struct pair {
    char *k, *v;   /* encoded */
} pair;

static int cmp_pair(const void *a, const void *b)
{
    const pair *x = a, *y = b;
    int c = strcmp(x->k, y->k);
    return c ? c : strcmp(x->v, y->v);
}

/* Parses `OAuth k="v", k2="v2"` into decoded key/values. */
static size_t parse_header(const char *h, sim_kv *out, size_t cap)
{
    size_t n = 0;
    if (strncmp(h, "OAuth ", 6) != 0)
        return 0;
    h += 6;
    while (*h && n < cap) {
        const char *eq, *q1, *q2;
        while (*h == ' ' || *h == ',')
            h++;
        eq = strchr(h, '=');
        if (eq == NULL || eq[1] != '"')
            break;
        q1 = eq + 2;
        q2 = strchr(q1, '"');
        if (q2 == NULL)
            break;
        out[n].key = pct_decode(h, (size_t)(eq - h));
        out[n].value = pct_decode(q1, (size_t)(q2 - q1));
        n++;
        h = q2 + 1;
    }
    return n;
}

static const char *find(const sim_kv *kv, size_t n, const char *key)
{
    size_t i;
    for (i = 0; i < n; i++)
        if (strcmp(kv[i].key, key) == 0)
            return kv[i].value;
    return NULL;
}

int sim_oauth1_verify(const char *auth_header, const char *method, const char *base_uri,
                      const sim_kv *params, size_t n_params, const char *client_id,
                      const char *client_secret, char *nonce_out, size_t nonce_cap,
                      long long *ts_out, char *why, size_t why_cap)
{
    sim_kv oa[16];
    size_t n_oa = parse_header(auth_header ? auth_header : "", oa, 16), i, np = 0;
    pair *ps = calloc(n_params + n_oa, sizeof *ps);
    const char *sig = find(oa, n_oa, "oauth_signature"), *meth = find(oa, n_oa, "oauth_signature_method");
    const char *key = find(oa, n_oa, "oauth_consumer_key"), *ts = find(oa, n_oa, "oauth_timestamp");
    const char *nonce = find(oa, n_oa, "oauth_nonce");
    char *norm = NULL, *base = NULL, *e_uri, *e_norm, *e_secret, *hkey;
    size_t len = 0;
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int mac_len = 0;
    char b64[128];
    int rc = -1;

    if (!sig || !meth || !key || !ts || !nonce) {
        snprintf(why, why_cap, "missing OAuth parameters");
        goto out;
    }
    if (strcmp(key, client_id) != 0) {
        snprintf(why, why_cap, "unknown consumer key");
        goto out;
    }
    if (strcmp(meth, "HMAC-SHA256") != 0 && strcmp(meth, "HMAC-SHA1") != 0) {
        snprintf(why, why_cap, "unsupported signature method");
        goto out;
    }
    for (i = 0; i < n_params; i++) {
        ps[np].k = sim_pct_encode(params[i].key);
        ps[np++].v = sim_pct_encode(params[i].value);
    }
    for (i = 0; i < n_oa; i++) {
        if (strcmp(oa[i].key, "oauth_signature") == 0 || strcmp(oa[i].key, "realm") == 0)
            continue;
        ps[np].k = sim_pct_encode(oa[i].key);
        ps[np++].v = sim_pct_encode(oa[i].value);
    }
    qsort(ps, np, sizeof *ps, cmp_pair);
    for (i = 0; i < np; i++)
        len += strlen(ps[i].k) + strlen(ps[i].v) + 2;
    norm = calloc(1, len + 1);
    for (i = 0; i < np; i++) {
        if (i)
            strcat(norm, "&");
        strcat(norm, ps[i].k);
        strcat(norm, "=");
        strcat(norm, ps[i].v);
    }
    e_uri = sim_pct_encode(base_uri);
    e_norm = sim_pct_encode(norm);
    if (asprintf(&base, "%s&%s&%s", method, e_uri, e_norm) < 0)
        base = NULL;
    free(e_uri);
    free(e_norm);
    e_secret = sim_pct_encode(client_secret);
    if (asprintf(&hkey, "%s&", e_secret) < 0)
        hkey = NULL;
    free(e_secret);
    HMAC(strcmp(meth, "HMAC-SHA1") == 0 ? EVP_sha1() : EVP_sha256(), hkey, (int)strlen(hkey),
         (unsigned char *)base, strlen(base), mac, &mac_len);
    EVP_EncodeBlock((unsigned char *)b64, mac, (int)mac_len);
    free(hkey);
    if (strlen(b64) != strlen(sig) || CRYPTO_memcmp(b64, sig, strlen(b64)) != 0) {
        snprintf(why, why_cap, "signature mismatch");
        goto out;
    }
    snprintf(nonce_out, nonce_cap, "%s", nonce);
    *ts_out = atoll(ts);
    rc = 0;
out:
    for (i = 0; i < n_oa; i++) {
        free(oa[i].key);
        free(oa[i].value);
    }
    for (i = 0; i < np; i++) {
        free(ps[i].k);
        free(ps[i].v);
    }
    free(ps);
    free(norm);
    free(base);
    return rc;
}
