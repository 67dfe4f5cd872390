/*
 * connection.h - one app's connection to its export: what the admin typed
 * at connect (checked before any network or disk access), what is stored
 * through the host once the export is verified, and what schema and sync
 * read back.
 *
 * Stored per app, in the plugin's own namespace: config "source" (an
 * absolute path, or a URL without credentials, query or fragment),
 * "username", "private_key_file", "known_hosts" (absolute paths); secrets
 * "password" (the SFTP password or the private key's passphrase) and
 * "source_query" (the URL's query without its '?': a pre-signed URL's
 * signature is a bearer credential, so it is sealed like a password and
 * joined back to the URL only in memory, to download).  A connection stored
 * before the query was sealed (the whole URL in config "source") is read
 * too, and moved to the sealed form the first time it is loaded.
 */
#ifndef ORC_CONNECTION_H
#define ORC_CONNECTION_H

#include <sis/connector.h>

#include "source.h"

/* Owned by the caller (on its stack); wiped with orc_conn_wipe. */
typedef struct orc_conn {
    char location[4096], query[4096], username[256], password[1024], key_file[4096],
        known_hosts[4096], ca_file[4096];
    orc_source_opts opts;        /* points into the arrays above */
} orc_conn;

/* From SIS_AUTH_MANUAL's params (the declared CREDENTIAL fields). */
int orc_conn_from_params(orc_conn *c, const sis_host *host, sis_host_app *app,
                         const sis_kv *params, size_t n_params, sis_error *err);
/* The stored connection; SIS_ERR_CONFIG when the app is not connected. */
int orc_conn_load(orc_conn *c, const sis_host *host, sis_host_app *app, sis_error *err);
/* Stores a verified connection through the host. */
int orc_conn_store(const orc_conn *c, const sis_host *host, sis_host_app *app, sis_error *err);
/* Wipes the password and the URL's query. */
void orc_conn_wipe(orc_conn *c);

#endif
