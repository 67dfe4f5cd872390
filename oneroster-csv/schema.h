/*
 * schema.h - what an export holds, for the field catalogue: the roles
 * present, each column's fill rate and type per role (from the header and
 * the first `sample` users), and the orgs.
 *
 * Reads at most `sample` users whatever the file's size; role counts are
 * exact when the whole file fit in the sample, unknown (UINT64_MAX)
 * otherwise.  Orgs are all streamed (orgs.csv is small).
 */
#ifndef ORC_SCHEMA_H
#define ORC_SCHEMA_H

#include <stdint.h>

#include "csv_manifest.h"
#include "roster.h"
#include "source.h"

typedef enum orc_type {
    ORC_TYPE_STRING, ORC_TYPE_NUMBER, ORC_TYPE_BOOLEAN, ORC_TYPE_DATE, ORC_TYPE_LIST
} orc_type;

/* Callbacks return ORC_OK to go on, or an orc_code (with a message in the
 * err passed to orc_schema_discover) to stop.  Everything is borrowed for
 * the call. */
typedef struct orc_schema_cb {
    void *ctx;
    int (*role)(void *ctx, const char *role, uint64_t count);
    int (*field)(void *ctx, const char *role, const char *path, const char *label, orc_type type,
                 int is_metadata, uint64_t filled, uint64_t sampled);
    int (*org)(void *ctx, const orc_org *org);
} orc_schema_cb;

int orc_schema_discover(orc_source *src, const orc_manifest *m, uint64_t sample,
                        const orc_schema_cb *cb, orc_err *err);

/* A human label for a field path ("givenName" -> "First name",
 * "metadata.cohort" -> "cohort").  Static or pointing into `path`. */
const char *orc_field_label(const char *path);

#endif
