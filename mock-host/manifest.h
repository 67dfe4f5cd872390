/* manifest.h - reading and vetting a plugin.manifest before anything loads. */
#ifndef MH_MANIFEST_H
#define MH_MANIFEST_H

#include <stddef.h>
#include <stdint.h>

/* A credential field (manual auth) or a host-level setting. */
typedef struct mh_field {
    char *name;          /* key the plugin reads, e.g. "client_id" */
    char *label;         /* what the admin sees */
    int secret;          /* kept through the secret store, never printed */
    char *env;           /* host settings: environment variable; may be NULL */
    char *default_value; /* host settings: default; may be NULL */
} mh_field;

typedef struct mh_manifest {
    char *path;          /* the manifest file, as found */
    char *id;
    char *name;
    char *kind;          /* "sis" */
    char *version;
    char *description;
    char *library;       /* absolute path, resolved against the manifest's folder */
    char *entry;         /* exported symbol name */
    unsigned abi_major;
    unsigned abi_minor;
    int auth_login;
    int auth_manual;
    mh_field *manual_fields;
    size_t n_manual_fields;
    mh_field *settings;
    size_t n_settings;
    uint32_t capabilities; /* SIS_CAP_* declared by the manifest */
} mh_manifest;

/* Parses and validates the manifest at `path`.  On success *out belongs to
 * the caller (free with mh_manifest_free).  On failure returns -1 and writes
 * one sentence naming the file and what to fix into errbuf. */
int mh_manifest_load(mh_manifest **out, const char *path, char *errbuf, size_t cap);
void mh_manifest_free(mh_manifest *m);

/* The field named `name` among the manual fields or settings, or NULL. */
const mh_field *mh_manifest_setting(const mh_manifest *m, const char *name);

#endif
