#include "auth.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

static const char *const mode_names[] = {"oauth1", "oauth1-sha1", "oauth2", "bearer"};

int cl_auth_mode_parse(const char *name)
{
    int i;
    for (i = 0; i < 4; i++)
        if (strcmp(name, mode_names[i]) == 0)
            return i;
    return -1;
}

const char *cl_auth_mode_name(cl_auth_mode mode)
{
    return (unsigned)mode < 4 ? mode_names[mode] : "unknown";
}

static void wipe_free(char **s)
{
    if (*s != NULL) {
        OPENSSL_cleanse(*s, strlen(*s));
        free(*s);
        *s = NULL;
    }
}

void cl_auth_clear(cl_auth *a)
{
    wipe_free(&a->client_secret);
    wipe_free(&a->access_token);
    free(a->client_id);
    free(a->token_url);
    free(a->scope);
    memset(a, 0, sizeof *a);
}
