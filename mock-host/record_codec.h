/* record_codec.h - how the host stores a generic SIS record (as compact
 * JSON) and rebuilds it for re-mapping without a fetch. */
#ifndef MH_RECORD_CODEC_H
#define MH_RECORD_CODEC_H

#include <json-c/json.h>
#include <sis/records.h>

#include "jsonw.h"

/* Appends the record's roles, orgs and fields as JSON to out. */
void mh_record_encode(const sis_record *r, mh_str *out);

/* A record rebuilt from its stored columns; owns what it points to. */
typedef struct mh_decoded {
    sis_record rec;
    json_object *root;
    const char **roles;
    const char **orgs;
    sis_field *fields;
    const char **items;        /* list elements of every field, in order */
} mh_decoded;

/* 0 on success, -1 when the stored body is damaged. Free with
 * mh_decoded_free. */
int mh_record_decode(mh_decoded *d, const char *sourced_id, int status, int enabled,
                     const char *modified, const char *body);
void mh_decoded_free(mh_decoded *d);

/* A deep copy of a record in one buffer, so that another thread can use it
 * after the plugin's record is gone.  Reuse it: buffers keep their size. */
typedef struct mh_record_copy {
    mh_str arena;
    size_t *offs;              /* id, modified, roles, orgs, field paths/values/items */
    size_t n_offs, cap_offs;
    size_t n_roles, n_orgs, n_fields, n_items;
    size_t *field_items;       /* per field: how many list items follow it */
    size_t cap_field_items;
    int status, enabled;
    sis_record rec;            /* the view, rebuilt by mh_record_copy_view */
    const char **ptrs;         /* roles, orgs, then list items */
    sis_field *fields;
    size_t cap_ptrs, cap_fields;
} mh_record_copy;

void mh_record_copy_set(mh_record_copy *c, const sis_record *r);
/* The copied record; valid until the copy is set again or freed. */
const sis_record *mh_record_copy_view(mh_record_copy *c);
void mh_record_copy_free(mh_record_copy *c);

#endif
