/* console_access.h - the access code of a console that listens beyond
 * this machine.  Whoever reaches a console on loopback is already on this
 * machine; on any other address, a browser on the network could otherwise
 * read every student on the Users page and connect a district to a server
 * of its choosing.  So such a console makes a new random code at each
 * start, writes it to a file only the account that started it can read
 * (beside the database's key), and asks each browser session for it once.
 * The code is never printed, logged or put on a command line. */
#ifndef MH_CONSOLE_ACCESS_H
#define MH_CONSOLE_ACCESS_H

#include <stddef.h>

#include "console.h"

typedef struct mh_access mh_access;

/* Makes a new code.  *out belongs to the caller: mh_access_free, which
 * removes the file it was published to.  0, or -1 with a sentence in err. */
int mh_access_create(mh_access **out, char *err, size_t cap);
/* Writes the code to `path` (mode 0600, replacing an older file there),
 * once the console's port is known: the port is in the name, so that two
 * consoles on one database do not overwrite each other's code.  0, or -1
 * with a sentence in err. */
int mh_access_publish(mh_access *a, const char *path, char *err, size_t cap);
/* Where the code is (borrowed). */
const char *mh_access_path(const mh_access *a);
/* 1 when `code` (NULL allowed; surrounding blanks ignored, as a pasted
 * line brings them) is the code; compared in constant time. */
int mh_access_matches(const mh_access *a, const char *code);
void mh_access_free(mh_access *a);

/* The sign-in page every page of an unsigned session shows, and its form's
 * action (POST /signin). */
void mh_page_sign_in(mh_request *r, mh_response *res);
void mh_action_sign_in(mh_request *r, mh_response *res);

#endif
