/*
 * download.h - fetching files over https:// and sftp:// with libcurl.
 *
 * Bodies stream into a caller's FILE (an unlinked temporary file), cut off
 * at max_bytes.  https: certificate and host name always verified (an extra
 * CA file may be given), no redirects to other schemes; plain http only to
 * a loopback host.  sftp: password or private key, and the server's host
 * key must already be in the known-hosts file: an unknown or changed key is
 * refused (CURLOPT_SSH_KEYFUNCTION), never trusted on first use.
 */
#ifndef ORC_DOWNLOAD_H
#define ORC_DOWNLOAD_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "orc_error.h"

typedef struct orc_remote_opts {
    const char *username;          /* sftp; may be NULL (then the URL's) */
    const char *password;          /* sftp password, or the private key's passphrase */
    const char *private_key_file;  /* sftp; NULL for password authentication */
    const char *known_hosts;       /* sftp; NULL: ~/.ssh/known_hosts */
    const char *ca_file;           /* https; NULL: the system's CAs */
    uint64_t max_bytes;            /* per file */
} orc_remote_opts;

typedef struct orc_remote orc_remote;

/* Strings in `o` are copied.  *out belongs to the caller. */
int orc_remote_open(orc_remote **out, const orc_remote_opts *o, orc_err *err);

/* Downloads `url` into `dest` (borrowed), adding the bytes to *bytes.
 * ORC_ERR_NOT_FOUND when the server has no such file. */
int orc_remote_get(orc_remote *r, const char *url, FILE *dest, uint64_t *bytes, orc_err *err);

/* Wipes the password, frees everything. */
void orc_remote_close(orc_remote *r);

/* 1 when `url` is http://, https:// or sftp:// (case-insensitive). */
int orc_is_url(const char *url);

/* `url` for messages and the app's Source: without any user:password@ part,
 * and with its query (a pre-signed URL's signature, a bearer credential)
 * and fragment cut off; "?…" marks that there was a query:
 * "https://host/path/export.zip?…".  NULL when out of memory; caller frees. */
char *orc_url_redacted(const char *url);

/* Where `url`'s query ('?') or fragment ('#') begins, or its length when it
 * has neither. */
size_t orc_url_query_at(const char *url);

#endif
