#include "secret_box.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

static int read_key(mh_secret_box *box, int fd, const char *key_path, char *errbuf, size_t cap)
{
    struct stat st;
    ssize_t n;

    if (fstat(fd, &st) != 0 || (st.st_mode & 077) != 0) {
        snprintf(errbuf, cap, "secret key %s is readable by other users; run chmod 600 %s",
                 key_path, key_path);
        return -1;
    }
    n = read(fd, box->key, sizeof box->key);
    if (n != (ssize_t)sizeof box->key) {
        snprintf(errbuf, cap, "secret key %s is damaged (expected %d bytes); secrets stored with it "
                 "cannot be read, reconnect the apps after moving it away", key_path,
                 MH_SECRET_KEY_LEN);
        return -1;
    }
    return 0;
}

/* Where link() cannot publish (a file system without hard links): the key
 * written straight to its path, created exclusively; 1 when another
 * process's key is already there. */
static int write_key_in_place(const mh_secret_box *box, const char *key_path, char *errbuf,
                              size_t cap)
{
    int fd = open(key_path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600), ok;
    if (fd < 0 && errno == EEXIST)
        return 1;
    if (fd < 0)
        return snprintf(errbuf, cap, "cannot create secret key %s: %s", key_path,
                        strerror(errno)), -1;
    ok = write(fd, box->key, sizeof box->key) == (ssize_t)sizeof box->key && fsync(fd) == 0;
    close(fd);
    if (!ok) {
        unlink(key_path);
        return snprintf(errbuf, cap, "cannot write secret key %s", key_path), -1;
    }
    return 0;
}

/* A new key is written whole to a temporary file beside it (mode 0600)
 * and published with link(), which never replaces a file: a process that
 * opens the key at the same moment finds no file or the whole key, never
 * an empty one.  When another process published its key first (EEXIST),
 * that key is the one, and ours is discarded.  0, 1 when another key won
 * the race, or -1 with errbuf. */
static int create_key(mh_secret_box *box, const char *key_path, char *errbuf, size_t cap)
{
    char tmp[4200];
    int fd, rc = 0;

    if (snprintf(tmp, sizeof tmp, "%s.new-XXXXXX", key_path) >= (int)sizeof tmp)
        return snprintf(errbuf, cap, "cannot create secret key %s: the path is too long",
                        key_path), -1;
    fd = mkstemp(tmp);  /* 0600 */
    if (fd < 0)
        return snprintf(errbuf, cap, "cannot create secret key %s: %s", key_path,
                        strerror(errno)), -1;
    if (RAND_bytes(box->key, sizeof box->key) != 1 ||
        write(fd, box->key, sizeof box->key) != (ssize_t)sizeof box->key || fsync(fd) != 0) {
        snprintf(errbuf, cap, "cannot write secret key %s", key_path);
        rc = -1;
    } else if (link(tmp, key_path) != 0) {
        if (errno == EEXIST) {
            rc = 1;
        } else if (errno == EPERM || errno == ENOTSUP || errno == EOPNOTSUPP) {
            rc = write_key_in_place(box, key_path, errbuf, cap);  /* no hard links here */
        } else {
            snprintf(errbuf, cap, "cannot create secret key %s: %s", key_path, strerror(errno));
            rc = -1;
        }
    }
    close(fd);
    unlink(tmp);
    if (rc != 0)
        OPENSSL_cleanse(box->key, sizeof box->key);
    return rc;
}

int mh_secret_box_open(mh_secret_box *box, const char *key_path, char *errbuf, size_t cap)
{
    int fd = open(key_path, O_RDONLY | O_CLOEXEC);
    int rc;

    if (fd < 0 && errno == ENOENT) {
        rc = create_key(box, key_path, errbuf, cap);
        if (rc <= 0)
            return rc;
        fd = open(key_path, O_RDONLY | O_CLOEXEC);  /* another process's key won */
    }
    if (fd < 0) {
        snprintf(errbuf, cap, "cannot open secret key %s: %s", key_path, strerror(errno));
        return -1;
    }
    rc = read_key(box, fd, key_path, errbuf, cap);
    close(fd);
    return rc;
}

void mh_secret_box_close(mh_secret_box *box)
{
    OPENSSL_cleanse(box->key, sizeof box->key);
}

int mh_secret_seal(const mh_secret_box *box, const char *aad, const void *plain, size_t len,
                   unsigned char **out, size_t *out_len)
{
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    unsigned char *buf = malloc(MH_SECRET_NONCE_LEN + len + MH_SECRET_TAG_LEN);
    unsigned char *ct = buf + MH_SECRET_NONCE_LEN;
    int n = 0, fin = 0, ok;

    ok = ctx != NULL && buf != NULL && RAND_bytes(buf, MH_SECRET_NONCE_LEN) == 1 &&
         EVP_EncryptInit_ex(ctx, EVP_aes_256_gcm(), NULL, box->key, buf) == 1 &&
         EVP_EncryptUpdate(ctx, NULL, &n, (const unsigned char *)aad, (int)strlen(aad)) == 1 &&
         EVP_EncryptUpdate(ctx, ct, &n, plain, (int)len) == 1 &&
         EVP_EncryptFinal_ex(ctx, ct + n, &fin) == 1 &&
         EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, MH_SECRET_TAG_LEN, ct + n + fin) == 1;
    EVP_CIPHER_CTX_free(ctx);
    if (!ok) {
        free(buf);
        return -1;
    }
    *out = buf;
    *out_len = MH_SECRET_NONCE_LEN + (size_t)(n + fin) + MH_SECRET_TAG_LEN;
    return 0;
}

int mh_secret_open(const mh_secret_box *box, const char *aad, const unsigned char *in,
                   size_t in_len, char *buf, size_t cap)
{
    EVP_CIPHER_CTX *ctx;
    size_t ct_len;
    int n = 0, fin = 0, ok;

    if (in_len < MH_SECRET_NONCE_LEN + MH_SECRET_TAG_LEN)
        return -1;
    ct_len = in_len - MH_SECRET_NONCE_LEN - MH_SECRET_TAG_LEN;
    if (ct_len + 1 > cap)
        return -2;
    ctx = EVP_CIPHER_CTX_new();
    ok = ctx != NULL &&
         EVP_DecryptInit_ex(ctx, EVP_aes_256_gcm(), NULL, box->key, in) == 1 &&
         EVP_DecryptUpdate(ctx, NULL, &n, (const unsigned char *)aad, (int)strlen(aad)) == 1 &&
         EVP_DecryptUpdate(ctx, (unsigned char *)buf, &n, in + MH_SECRET_NONCE_LEN, (int)ct_len) == 1 &&
         EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, MH_SECRET_TAG_LEN,
                             (void *)(in + in_len - MH_SECRET_TAG_LEN)) == 1 &&
         EVP_DecryptFinal_ex(ctx, (unsigned char *)buf + n, &fin) == 1;
    EVP_CIPHER_CTX_free(ctx);
    if (!ok) {
        OPENSSL_cleanse(buf, cap);
        return -1;
    }
    buf[n + fin] = '\0';
    return n + fin;
}
