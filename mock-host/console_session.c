/* console_session.c - the console's sessions and flash messages (see
 * console_session.h).  Ids and tokens are 32 random bytes as hex; the table
 * has a fixed size, so a flood of new visitors reuses the oldest slots
 * rather than growing memory. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "console_session.h"

#define MAX_SESSIONS 128
#define MAX_KEPT_VALUES 16

struct mh_session {
    char id[65];                 /* "" = free slot */
    char csrf[65];
    time_t used;
    int has_flash, flash_error;
    char flash_field[64];
    char *flash_msg;
    char *keep_key[MAX_KEPT_VALUES], *keep_val[MAX_KEPT_VALUES];
    size_t n_keep;
    int flash_shown;             /* the flash was rendered by this request */
    int signed_in;               /* gave the access code (console_access.h) */
};

struct mh_session_table {
    mh_session sessions[MAX_SESSIONS];
};

int mh_session_random_hex(char *out, size_t bytes)
{
    unsigned char b[32];
    size_t i;
    if (bytes > sizeof b || RAND_bytes(b, (int)bytes) != 1)
        return -1;
    for (i = 0; i < bytes; i++)
        sprintf(out + 2 * i, "%02x", b[i]);
    OPENSSL_cleanse(b, sizeof b);
    return 0;
}

static void flash_clear(mh_session *s)
{
    size_t i;
    free(s->flash_msg);
    s->flash_msg = NULL;
    s->has_flash = 0;
    s->flash_field[0] = '\0';
    for (i = 0; i < s->n_keep; i++) {
        free(s->keep_key[i]);
        free(s->keep_val[i]);
    }
    s->n_keep = 0;
}

mh_session_table *mh_sessions_new(void)
{
    return calloc(1, sizeof(mh_session_table));
}

void mh_sessions_free(mh_session_table *t)
{
    size_t i;
    if (t == NULL)
        return;
    for (i = 0; i < MAX_SESSIONS; i++)
        flash_clear(&t->sessions[i]);
    free(t);
}

mh_session *mh_session_find(mh_session_table *t, const char *id)
{
    size_t i;
    if (id == NULL || strlen(id) != 64)
        return NULL;
    for (i = 0; i < MAX_SESSIONS; i++)
        if (t->sessions[i].id[0] != '\0' && CRYPTO_memcmp(t->sessions[i].id, id, 64) == 0)
            return &t->sessions[i];
    return NULL;
}

/* The slot a new session takes: a free one; when full, the least recently
 * used session that has not signed in, so that anyone's requests (each
 * without a cookie makes a session) cannot push out a signed-in admin;
 * only when every session is signed in, the least recently used of all. */
static mh_session *slot_for_new(mh_session_table *t)
{
    mh_session *lru = NULL, *lru_unsigned = NULL;
    size_t i;
    for (i = 0; i < MAX_SESSIONS; i++) {
        mh_session *c = &t->sessions[i];
        if (c->id[0] == '\0')
            return c;
        if (lru == NULL || c->used < lru->used)
            lru = c;
        if (!c->signed_in && (lru_unsigned == NULL || c->used < lru_unsigned->used))
            lru_unsigned = c;
    }
    return lru_unsigned != NULL ? lru_unsigned : lru;
}

mh_session *mh_session_new(mh_session_table *t)
{
    mh_session *s = slot_for_new(t);
    flash_clear(s);
    s->signed_in = 0;   /* a reused slot is a new session: it signs in itself */
    if (mh_session_random_hex(s->id, 32) != 0 || mh_session_random_hex(s->csrf, 32) != 0) {
        s->id[0] = '\0';
        return NULL;
    }
    return s;
}

int mh_session_renew(mh_session *s)
{
    char id[sizeof s->id], csrf[sizeof s->csrf];
    if (mh_session_random_hex(id, 32) != 0 || mh_session_random_hex(csrf, 32) != 0)
        return -1;
    memcpy(s->id, id, sizeof id);
    memcpy(s->csrf, csrf, sizeof csrf);
    return 0;
}

const char *mh_session_id(const mh_session *s)
{
    return s->id;
}

int mh_session_csrf_matches(const mh_session *s, const char *token)
{
    return token != NULL && strlen(token) == 64 && CRYPTO_memcmp(token, s->csrf, 64) == 0;
}

void mh_session_sign_in(mh_session *s)
{
    s->signed_in = 1;
}

int mh_session_signed_in(const mh_session *s)
{
    return s->signed_in;
}

void mh_session_request_begin(mh_session *s)
{
    s->flash_shown = 0;
}

void mh_session_request_end(mh_session *s)
{
    if (s->flash_shown)
        flash_clear(s);
    s->used = time(NULL);
}

void mh_flash_set(mh_session *s, int error, const char *field, const char *message)
{
    flash_clear(s);
    s->has_flash = 1;
    s->flash_error = error;
    snprintf(s->flash_field, sizeof s->flash_field, "%s", field ? field : "");
    s->flash_msg = strdup(message ? message : "");
}

void mh_flash_keep_value(mh_session *s, const char *key, const char *value)
{
    if (s->n_keep >= MAX_KEPT_VALUES || value == NULL)
        return;
    s->keep_key[s->n_keep] = strdup(key);
    s->keep_val[s->n_keep] = strdup(value);
    s->n_keep++;
}

const char *mh_flash_for(mh_session *s, const char *field, int *error)
{
    if (!s->has_flash || s->flash_msg == NULL || strcmp(s->flash_field, field) != 0)
        return NULL;
    s->flash_shown = 1;
    *error = s->flash_error;
    return s->flash_msg;
}

const char *mh_flash_value(mh_session *s, const char *key)
{
    size_t i;
    for (i = 0; s->has_flash && i < s->n_keep; i++)
        if (strcmp(s->keep_key[i], key) == 0)
            return s->keep_val[i];
    return NULL;
}

const char *mh_session_csrf(mh_session *s)
{
    return s->csrf;
}
