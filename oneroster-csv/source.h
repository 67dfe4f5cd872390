/*
 * source.h - where a OneRoster CSV export comes from: a local folder, a
 * local .zip, an https:// URL of a zip, or an sftp:// URL of a zip or of a
 * folder (the URL ends with '/').
 *
 * Remote files are downloaded into unlinked temporary files in $TMPDIR or
 * /tmp (tempfile.h: nothing is left behind, even after a crash), bounded
 * by max_download; a zip is then read in place through zipsrc.  Opening
 * a source reaches the server and vets a zip, so a wrong password, an
 * unknown host key or a corrupt archive fails here.
 */
#ifndef ORC_SOURCE_H
#define ORC_SOURCE_H

#include <stdint.h>
#include <stdio.h>

#include "download.h"
#include "orc_error.h"
#include "zipsrc.h"

typedef struct orc_source_opts {
    const char *location;          /* path or URL */
    const char *query;             /* the URL's query without '?' (a pre-signed URL's
                                    * signature), joined to every download and never
                                    * shown; NULL or "" when none */
    orc_remote_opts remote;        /* credentials and limits for URLs */
    orc_zip_limits zip;
} orc_source_opts;

typedef struct orc_source orc_source;

/* Strings in `o` are copied.  *out belongs to the caller. */
int orc_source_open(orc_source **out, const orc_source_opts *o, orc_err *err);

/* A stream over the export's file `name` ("users.csv").  *out belongs to
 * the caller (fclose).  ORC_ERR_NOT_FOUND when the export has no such file. */
int orc_source_file(orc_source *s, const char *name, FILE **out, orc_err *err);

/* The location for messages and the Installed Apps page, without any
 * credentials.  Borrowed from the source. */
const char *orc_source_label(const orc_source *s);

/* Bytes downloaded so far (0 for local sources). */
uint64_t orc_source_downloaded(const orc_source *s);

void orc_source_close(orc_source *s);

#endif
