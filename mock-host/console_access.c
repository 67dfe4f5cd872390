/*
 * console_access.c - see console_access.h.
 */
#include "console_access.h"
#include "console_html.h"
#include "console_session.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CODE_BYTES 16   /* 128 bits: no guessing over the network */

struct mh_access {
    char code[2 * CODE_BYTES + 1];
    char *path;     /* where it was published, or NULL */
};

static int write_code(const char *path, const char *code, char *err, size_t cap)
{
    size_t len = strlen(code);
    int fd, ok;
    /* Never through a link, never a file another account made readable:
     * the old file goes, a new one is made for this account alone. */
    if (unlink(path) != 0 && errno != ENOENT)
        return snprintf(err, cap, "cannot replace the console's access code file %s: %s",
                        path, strerror(errno)), -1;
    fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0)
        return snprintf(err, cap, "cannot write the console's access code to %s: %s; a "
                        "console that listens beyond this machine needs it (or listen on "
                        "127.0.0.1)", path, strerror(errno)), -1;
    ok = write(fd, code, len) == (ssize_t)len && write(fd, "\n", 1) == 1;
    ok = close(fd) == 0 && ok;
    if (!ok) {
        unlink(path);
        return snprintf(err, cap, "cannot write the console's access code to %s", path), -1;
    }
    return 0;
}

int mh_access_create(mh_access **out, char *err, size_t cap)
{
    mh_access *a = calloc(1, sizeof *a);
    *out = NULL;
    if (a == NULL)
        return snprintf(err, cap, "out of memory"), -1;
    if (mh_session_random_hex(a->code, CODE_BYTES) != 0) {
        free(a);
        return snprintf(err, cap, "no random bytes for the console's access code"), -1;
    }
    *out = a;
    return 0;
}

int mh_access_publish(mh_access *a, const char *path, char *err, size_t cap)
{
    if ((a->path = strdup(path)) == NULL)
        return snprintf(err, cap, "out of memory"), -1;
    if (write_code(path, a->code, err, cap) != 0) {
        free(a->path);
        a->path = NULL;
        return -1;
    }
    return 0;
}

const char *mh_access_path(const mh_access *a)
{
    return a->path != NULL ? a->path : "(being written: reload this page)";
}

int mh_access_matches(const mh_access *a, const char *code)
{
    size_t len;
    if (code == NULL)
        return 0;
    code += strspn(code, " \t\r\n");
    len = strcspn(code, " \t\r\n");
    return len == sizeof a->code - 1 && code[len + strspn(code + len, " \t\r\n")] == '\0' &&
           CRYPTO_memcmp(code, a->code, len) == 0;
}

void mh_access_free(mh_access *a)
{
    if (a == NULL)
        return;
    if (a->path != NULL)
        unlink(a->path);
    OPENSSL_cleanse(a->code, sizeof a->code);
    free(a->path);
    free(a);
}

void mh_page_sign_in(mh_request *r, mh_response *res)
{
    mh_str *o = &res->body;
    mh_html_begin(o, "Sign in to this console", NULL, 0);
    mh_html(o, "<p>This console listens beyond this machine, so it asks for its access code "
               "first. The code is in the file <code>%s</code> on the machine running "
               "<code>mock-host serve</code>, readable only by the account that started it; "
               "a new one is made each time the console starts.</p>",
            mh_access_path(r->con->access));
    mh_html(o, "<form method=\"post\" action=\"/signin\">");
    mh_html_csrf(o, r->session);
    mh_html(o, "<label>Access code <input type=\"password\" name=\"code\" "
               "autocomplete=\"off\" required autofocus></label>");
    mh_html_flash(o, r->session, "code");
    mh_html(o, "<button type=\"submit\">Sign in</button></form>");
    mh_html_end(o);
}

void mh_action_sign_in(mh_request *r, mh_response *res)
{
    if (r->con->access == NULL || mh_session_signed_in(r->session)) {
        mh_redirect(res, "/apps");
        return;
    }
    if (!mh_access_matches(r->con->access, mh_form_get(r, "code"))) {
        mh_flash_set(r->session, 1, "code", "That is not this console's access code. Copy it "
                                            "again from the file named above; it changed if the "
                                            "console was restarted.");
        res->status = 403;
        mh_page_sign_in(r, res);
        return;
    }
    if (mh_session_renew(r->session) != 0) {
        mh_flash_set(r->session, 1, "code", "No random bytes for a new session; try again.");
        res->status = 500;
        mh_page_sign_in(r, res);
        return;
    }
    mh_session_sign_in(r->session);
    res->renewed_session = 1;
    mh_redirect(res, "/apps");
}
