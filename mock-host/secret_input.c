#include "secret_input.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "cli.h"

int mh_secret_from_env(const char *var, char *buf, size_t cap)
{
    const char *v = getenv(var);
    size_t n;
    /* Set but empty is usually VAR=$MISSPELLED: "not set" would send the
     * admin to `env`, which shows it set. */
    if (v == NULL)
        return mh_fail("the environment variable %s is not set; export it with the secret "
                       "first", var);
    if (v[0] == '\0')
        return mh_fail("the environment variable %s is empty; it must hold the secret itself "
                       "(was it copied from a misspelled variable?)", var);
    n = strlen(v);
    if (n + 1 > cap)
        return mh_fail("the secret in %s is longer than %zu bytes", var, cap - 1);
    memcpy(buf, v, n + 1);
    return 0;
}

/* The secret is the file's first line.  One longer than buf holds is
 * refused, not cut: a cut secret would be stored and only fail later as
 * "credentials rejected". */
int mh_secret_from_file(const char *path, char *buf, size_t cap)
{
    FILE *f = fopen(path, "r");
    size_t n, line;
    int more;
    if (f == NULL)
        return mh_fail("cannot read the secret file %s: %s", path, strerror(errno));
    n = fread(buf, 1, cap - 1, f);
    buf[n] = '\0';
    line = strcspn(buf, "\r\n");
    more = line == n && n == cap - 1 ? fgetc(f) : EOF;  /* the line goes on past buf? */
    fclose(f);
    if (more != EOF && more != '\r' && more != '\n') {
        OPENSSL_cleanse(buf, cap);
        return mh_fail("the secret in %s is longer than %zu bytes, the most mock-host keeps; "
                       "nothing was saved", path, cap - 1);
    }
    buf[line] = '\0';
    return buf[0] == '\0' ? mh_fail("the secret file %s is empty", path) : 0;
}

int mh_secret_prompt(const char *label, const char *hint, char *buf, size_t cap)
{
    struct termios old, quiet;
    FILE *tty = fopen("/dev/tty", "r+");
    if (tty == NULL || !isatty(fileno(tty))) {
        if (tty)
            fclose(tty);
        return mh_fail("no %s given: %s (secrets are never accepted as command-line values)",
                       label, hint);
    }
    fprintf(tty, "%s: ", label);
    fflush(tty);
    tcgetattr(fileno(tty), &old);
    quiet = old;
    quiet.c_lflag &= (tcflag_t)~ECHO;
    tcsetattr(fileno(tty), TCSAFLUSH, &quiet);
    if (fgets(buf, (int)cap, tty) == NULL)
        buf[0] = '\0';
    tcsetattr(fileno(tty), TCSAFLUSH, &old);
    fputc('\n', tty);
    fclose(tty);
    buf[strcspn(buf, "\r\n")] = '\0';
    return buf[0] == '\0' ? mh_fail("no %s entered", label) : 0;
}
