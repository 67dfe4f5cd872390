/*
 * idset.h - refuses a sourcedId used twice in one file, in memory that
 * does not grow with the file.
 *
 * Ids are gathered in a fixed-size chunk (ORC_IDSET_CHUNK_IDS ids or
 * ORC_IDSET_CHUNK_BYTES of id text, whichever fills first).  A full chunk
 * is sorted (by a 64-bit hash, then the id itself, so no two different ids
 * are ever confused) and written as a sorted run to an unlinked temporary
 * file; at the end of the file the runs are merged, and equal neighbours
 * are duplicates.  At most ORC_IDSET_MAX_RUNS runs are kept: when that many
 * have been written they are merged into one, in a second temporary file.
 * So memory is one chunk plus one read buffer per run, whatever the file's
 * size (about 6 MiB at most); disk is about 24 bytes plus the id per row.
 * A file that fits in one chunk never touches the disk.
 *
 * A duplicate is reported with both lines, the id and the file:
 * "users.csv lines 2 and 4: the sourcedId u1 appears twice ...".  It may be
 * found while rows are still being read (inside one chunk, or when runs are
 * merged) or only at the end; either way the read fails, so a caller that
 * streamed rows before must discard them (the host applies nothing from a
 * failed fetch).
 */
#ifndef ORC_IDSET_H
#define ORC_IDSET_H

#include <stddef.h>
#include <stdint.h>

#include "orc_error.h"

#define ORC_IDSET_CHUNK_IDS 65536u
#define ORC_IDSET_CHUNK_BYTES (2u << 20)
#define ORC_IDSET_MAX_RUNS 32u

typedef struct orc_idset orc_idset;

/* `name` (the file, for messages) is copied.  *out belongs to the caller. */
int orc_idset_new(orc_idset **out, const char *name, orc_err *err);
/* Notes `id` (NUL-terminated, borrowed for the call) seen on `line`.
 * ORC_OK, or ORC_ERR_DATA for a duplicate, or ORC_ERR_NOMEM / ORC_ERR_IO. */
int orc_idset_add(orc_idset *s, const char *id, unsigned long line, orc_err *err);
/* After the last row: ORC_OK when every id was unique. */
int orc_idset_finish(orc_idset *s, orc_err *err);
void orc_idset_free(orc_idset *s);

#endif
