/*
 * csv_manifest.h - a OneRoster 1.1 CSV manifest.csv: which files the
 * export holds and how (bulk, delta or absent).
 *
 * Only the entries the plugin acts on are kept: file.users, file.orgs,
 * oneroster.version and source.systemName.  Other properties (file.classes,
 * manifest.version...) are accepted and ignored.
 */
#ifndef ORC_CSV_MANIFEST_H
#define ORC_CSV_MANIFEST_H

#include <stdio.h>

#include "orc_error.h"

typedef enum orc_file_mode {
    ORC_FILE_ABSENT = 0,
    ORC_FILE_BULK = 1,     /* a complete snapshot */
    ORC_FILE_DELTA = 2     /* changes only: never complete for absence */
} orc_file_mode;

typedef struct orc_manifest {
    orc_file_mode users;
    orc_file_mode orgs;
    char oneroster_version[16];  /* "" when not stated */
    char system_name[128];       /* source.systemName; "" when not stated */
} orc_manifest;

/* Reads manifest.csv from `in` (borrowed).  Fails, naming the line, on a
 * wrong header, a row without two columns, a file.* value other than
 * bulk/delta/absent, a repeated property, a OneRoster version other than
 * 1.0/1.1, and when there is no users file to import. */
int orc_manifest_read(orc_manifest *m, FILE *in, orc_err *err);

const char *orc_file_mode_name(orc_file_mode m);

#endif
