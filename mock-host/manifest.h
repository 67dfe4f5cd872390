/* manifest.h - reading and vetting a plugin's manifest before anything
 * loads: where the library is, which entry to call, and who the plugin
 * says it is (checked again against the library's own header). */
#ifndef MH_MANIFEST_H
#define MH_MANIFEST_H

#include <stddef.h>
#include <stdint.h>

#include <sis/plugin.h>

typedef struct mh_manifest {
    char *path;          /* the manifest file, as found */
    char *id;
    sis_plugin_kind kind;
    char *version;
    char *library;       /* absolute path, resolved against the manifest's folder */
    char *entry;         /* exported symbol name */
    unsigned abi_major;
    unsigned abi_minor;
} mh_manifest;

/* Parses and validates the manifest at `path`.  On success *out belongs to
 * the caller (free with mh_manifest_free).  On failure returns -1 and writes
 * one sentence naming the file and what to fix into errbuf. */
int mh_manifest_load(mh_manifest **out, const char *path, char *errbuf, size_t cap);
void mh_manifest_free(mh_manifest *m);

#endif
