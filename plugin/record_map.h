/* record_map.h - OneRoster JSON (1.1 or 1.2) to the generic records of the
 * host API.  ClassLink's quirks are absorbed here: string booleans, ""
 * for absent values, 1.2 roles[] and primaryOrg. */
#ifndef CL_RECORD_MAP_H
#define CL_RECORD_MAP_H

#include <json-c/json.h>
#include <sis/records.h>

#include "buf.h"

#define CL_MAX_FIELDS 512
#define CL_MAX_ROLES 16
#define CL_MAX_ORGS 4096   /* more than any district has schools */
#define CL_MAX_ITEMS 4096   /* list elements over all fields of one record */

/* Reused from record to record, so mapping allocates nothing once warm.
 * Everything the sis_record points to lives here until the next call. */
typedef struct cl_record_scratch {
    cl_buf arena;
    size_t field_off[CL_MAX_FIELDS][2];
    size_t field_items[CL_MAX_FIELDS][2];   /* first item, count */
    size_t n_fields;
    size_t item_off[CL_MAX_ITEMS];
    size_t n_items;
    size_t role_off[CL_MAX_ROLES];
    size_t n_roles;
    size_t org_off[CL_MAX_ORGS];
    size_t n_orgs;
    size_t id_off, modified_off;
    sis_field fields[CL_MAX_FIELDS];
    const char *items[CL_MAX_ITEMS];
    const char *roles[CL_MAX_ROLES];
    const char *orgs[CL_MAX_ORGS];
    sis_record rec;
} cl_record_scratch;

void cl_record_scratch_init(cl_record_scratch *s);
void cl_record_scratch_free(cl_record_scratch *s);

/* Maps one user.  0 with s->rec filled, or -1 with *why (a static phrase
 * that names no personal data). */
int cl_map_user(cl_record_scratch *s, json_object *user, const char **why);

/* Maps one user as cl_map_user does and appends the result to out in a
 * flat form that cl_flat_user reads back (on another thread, as the parse
 * thread hands records to the calling thread): either the mapped record
 * (the scratch's string arena and offsets) or the reason it was refused.
 * 0, or -1 when out of memory. */
int cl_map_user_flat(cl_record_scratch *s, json_object *user, cl_buf *out);

/* Reads what cl_map_user_flat wrote: 0 with s->rec filled (its strings
 * point into data, which must outlive the use of s->rec), or -1 with *why
 * (a static phrase) when the record was refused or data is not such a
 * form. */
int cl_flat_user(cl_record_scratch *s, const char *data, size_t len, const char **why);

/* Maps one org; the strings are borrowed from `org`. */
int cl_map_org(json_object *org, sis_org *out, const char **why);

/* "true"/"false" from a JSON boolean or ClassLink's string booleans; -1
 * when the value is neither. */
int cl_json_bool(json_object *v);

#endif
