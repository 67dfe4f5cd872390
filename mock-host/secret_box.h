/* secret_box.h - secrets at rest: AES-256-GCM with a key file beside the
 * database (mode 0600, created on first use). */
#ifndef MH_SECRET_BOX_H
#define MH_SECRET_BOX_H

#include <stddef.h>

#define MH_SECRET_KEY_LEN 32
#define MH_SECRET_NONCE_LEN 12
#define MH_SECRET_TAG_LEN 16

typedef struct mh_secret_box {
    unsigned char key[MH_SECRET_KEY_LEN];
} mh_secret_box;

/* Loads the key from `key_path`, creating it (0600, published whole with
 * link(), so a concurrent opener never sees it half written) when absent.
 * Refuses a key file that others can read.  Returns 0 or -1 with errbuf. */
int mh_secret_box_open(mh_secret_box *box, const char *key_path, char *errbuf, size_t cap);
/* Wipes the key. */
void mh_secret_box_close(mh_secret_box *box);

/* Encrypts len bytes of plain, bound to `aad` (so a ciphertext cannot be
 * moved to another app or key).  *out (malloc'd, caller frees) holds
 * nonce || ciphertext || tag; *out_len its length.  Returns 0 or -1. */
int mh_secret_seal(const mh_secret_box *box, const char *aad, const void *plain, size_t len,
                   unsigned char **out, size_t *out_len);
/* Decrypts what mh_secret_seal produced into buf (cap bytes, NUL added).
 * Returns the plaintext length, -1 on tampering or a wrong key, -2 when
 * buf is too small. */
int mh_secret_open(const mh_secret_box *box, const char *aad, const unsigned char *in,
                   size_t in_len, char *buf, size_t cap);

#endif
