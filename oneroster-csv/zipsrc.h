/*
 * zipsrc.h - the CSV files of a OneRoster zip, read through libzip with
 * limits against hostile archives.
 *
 * Vetted once, at open, from the central directory: every entry name must
 * be relative and free of `..` components and backslashes; every entry's
 * declared size must stay under max_entry and its size/compressed ratio
 * under max_ratio, and all entries together under 4 times max_entry.
 * While an entry is read, the bytes actually inflated are counted too, so
 * an entry that lies about its size is cut off at max_entry.
 */
#ifndef ORC_ZIPSRC_H
#define ORC_ZIPSRC_H

#include <stdint.h>
#include <stdio.h>

#include "orc_error.h"

typedef struct orc_zip_limits {
    uint64_t max_entry;     /* bytes, uncompressed */
    uint64_t max_ratio;     /* uncompressed / compressed */
} orc_zip_limits;

typedef struct orc_zip orc_zip;

/* Opens the archive on `fd`, which it takes over (closed by
 * orc_zip_close, also on failure).  `label` names the archive in messages. */
int orc_zip_open_fd(orc_zip **out, int fd, const char *label, const orc_zip_limits *lim,
                    orc_err *err);

/* A stream over the entry named `name` at the archive's root (or, when the
 * export sits in one folder, the only entry with that base name).  *out
 * belongs to the caller (fclose).  ORC_ERR_NOT_FOUND when there is none. */
int orc_zip_entry(orc_zip *z, const char *name, FILE **out, orc_err *err);

void orc_zip_close(orc_zip *z);

#endif
