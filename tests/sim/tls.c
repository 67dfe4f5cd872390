#include "tls.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

static EVP_PKEY *new_key(void)
{
    return EVP_EC_gen("P-256");
}

static void add_ext(X509 *cert, X509 *issuer, int nid, const char *value)
{
    X509V3_CTX ctx;
    X509_EXTENSION *ext;
    X509V3_set_ctx(&ctx, issuer, cert, NULL, NULL, 0);
    ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
    if (ext != NULL) {
        X509_add_ext(cert, ext, -1);
        X509_EXTENSION_free(ext);
    }
}

static X509 *new_cert(EVP_PKEY *key, const char *cn, X509 *issuer, long serial)
{
    X509 *c = X509_new();
    X509_NAME *name;
    X509_set_version(c, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(c), serial);
    X509_gmtime_adj(X509_getm_notBefore(c), -3600);
    X509_gmtime_adj(X509_getm_notAfter(c), 86400);
    X509_set_pubkey(c, key);
    name = X509_get_subject_name(c);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0);
    X509_set_issuer_name(c, issuer ? X509_get_subject_name(issuer) : name);
    if (issuer == NULL) {
        add_ext(c, c, NID_basic_constraints, "critical,CA:TRUE");
        add_ext(c, c, NID_key_usage, "critical,keyCertSign,cRLSign");
    }
    return c;
}

static char *pem_of(int (*write)(BIO *, void *), void *obj)
{
    BIO *b = BIO_new(BIO_s_mem());
    char *data, *out;
    long n;
    write(b, obj);
    n = BIO_get_mem_data(b, &data);
    out = malloc((size_t)n + 1);
    memcpy(out, data, (size_t)n);
    out[n] = '\0';
    BIO_free(b);
    return out;
}

static int write_cert(BIO *b, void *c)
{
    return PEM_write_bio_X509(b, c);
}

static int write_key(BIO *b, void *k)
{
    return PEM_write_bio_PrivateKey(b, k, NULL, NULL, 0, NULL, NULL);
}

int sim_tls_make(const char *dir, const char *dns_name, char **cert_pem, char **key_pem)
{
    EVP_PKEY *ca_key = new_key(), *key = new_key();
    X509 *ca, *srv;
    char path[1024], san[300];
    FILE *f;

    if (ca_key == NULL || key == NULL)
        return -1;
    ca = new_cert(ca_key, "classlink-sim test CA", NULL, 1);
    X509_sign(ca, ca_key, EVP_sha256());
    srv = new_cert(key, dns_name, ca, 2);
    snprintf(san, sizeof san, "DNS:%s", dns_name);
    add_ext(srv, ca, NID_subject_alt_name, san);
    add_ext(srv, ca, NID_ext_key_usage, "serverAuth");
    X509_sign(srv, ca_key, EVP_sha256());
    snprintf(path, sizeof path, "%s/ca.pem", dir);
    f = fopen(path, "w");
    if (f == NULL)
        return -1;
    PEM_write_X509(f, ca);
    fclose(f);
    *cert_pem = pem_of(write_cert, srv);
    *key_pem = pem_of(write_key, key);
    X509_free(ca);
    X509_free(srv);
    EVP_PKEY_free(ca_key);
    EVP_PKEY_free(key);
    return 0;
}
