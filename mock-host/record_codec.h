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
} mh_decoded;

/* 0 on success, -1 when the stored body is damaged. Free with
 * mh_decoded_free. */
int mh_record_decode(mh_decoded *d, const char *sourced_id, int status, int enabled,
                     const char *modified, const char *body);
void mh_decoded_free(mh_decoded *d);

#endif
