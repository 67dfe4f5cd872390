/* secret_input.h - where the host takes a secret from: an environment
 * variable named on the command line, a file, or a no-echo prompt; never
 * the command line itself (it would show in ps). */
#ifndef MH_SECRET_INPUT_H
#define MH_SECRET_INPUT_H

#include <stddef.h>

#define MH_SECRET_MAX 4096

/* Each copies the secret into buf (NUL-terminated, trailing newline cut)
 * and returns 0, or prints the reason (mh_fail) and returns 1.  The caller
 * wipes buf (OPENSSL_cleanse) when done. */
int mh_secret_from_env(const char *var, char *buf, size_t cap);
int mh_secret_from_file(const char *path, char *buf, size_t cap);
/* `hint` is printed when there is no terminal: which flags to use. */
int mh_secret_prompt(const char *label, const char *hint, char *buf, size_t cap);

#endif
