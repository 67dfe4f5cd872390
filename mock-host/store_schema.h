/* store_schema.h - the field catalogue last discovered per app: the roles
 * present (with counts) and every field per role, with type and fill rate. */
#ifndef MH_STORE_SCHEMA_H
#define MH_STORE_SCHEMA_H

#include <stdint.h>

#include "store.h"

/* Replaces an app's catalogue, one role and field at a time, inside a
 * transaction the caller holds.  Opaque; mh_schema_writer_close frees it. */
typedef struct mh_schema_writer mh_schema_writer;

/* Deletes the app's old catalogue and prepares the writer; 0 or -1. */
int mh_schema_writer_open(mh_schema_writer **out, mh_store *s, int64_t app_id);
/* count < 0: not known.  0 or -1. */
int mh_schema_writer_role(mh_schema_writer *w, const char *role, long long count);
int mh_schema_writer_field(mh_schema_writer *w, const char *role, const char *path,
                           const char *label, const char *type, int is_metadata,
                           long long filled, long long sampled);
void mh_schema_writer_close(mh_schema_writer *w);

/* 1 when the app has a catalogue, 0 when not, -1 on error. */
int mh_store_schema_has(mh_store *s, int64_t app_id);
/* 1 when the catalogue lists `role`, 0 when not, -1 on error. */
int mh_store_schema_role_known(mh_store *s, int64_t app_id, const char *role);

/* One catalogue line; strings borrowed for the call. */
typedef struct mh_schema_row {
    const char *role;
    long long role_count;     /* -1: not known */
    const char *path, *label, *type;
    int is_metadata;
    long long filled, sampled;
} mh_schema_row;
/* By role, standard fields before metadata, then path; `role` filters when
 * not NULL.  Stops at a non-zero return of fn; 0 or -1. */
int mh_store_schema_each(mh_store *s, int64_t app_id, const char *role,
                         int (*fn)(void *ctx, const mh_schema_row *row), void *ctx);

#endif
