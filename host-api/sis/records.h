/*
 * sis/records.h - the generic records that cross the plugin boundary.
 *
 * Nothing here is specific to one SIS: a record is an id, a status, a
 * modification time, roles, org ids and a flat list of field path/value
 * pairs ("givenName", "metadata.cohort", "grades").  The host stores them
 * without knowing where they came from.
 *
 * Lifetime rule for every struct in this file: all pointers are BORROWED
 * from whoever passes the struct, and are valid only for the duration of the
 * call that receives it.  A receiver that wants to keep anything copies it.
 * All strings are NUL-terminated UTF-8.
 *
 * Evolution: every struct passed by pointer starts with struct_size, set by
 * whoever builds it (use the _INIT macros); a reader never touches a member
 * beyond struct_size.  The small structs that travel as ARRAY ELEMENTS
 * (sis_field, sis_kv, sis_pair, sis_role_fields) are frozen: their size is
 * the array's stride, so they never grow; new information goes into the
 * struct that holds the array.
 */
#ifndef SIS_RECORDS_H
#define SIS_RECORDS_H

#include <stddef.h>
#include <stdint.h>

/* One field of a record, by path.  Frozen (array element).
 * A scalar has `value` and n_items == 0.  A list (e.g. grades) has its
 * elements, exactly, in items[0..n_items); `value` is then the elements
 * joined with ", " for display only.  `value` is never NULL. */
typedef struct sis_field {
    const char *path;            /* "givenName", "metadata.student_cohort" */
    const char *value;
    const char *const *items;    /* list elements; NULL when n_items == 0 */
    size_t n_items;
} sis_field;

/* A key and a value, e.g. a redirect's query parameter.  Frozen. */
typedef struct sis_kv {
    const char *key;
    const char *value;
} sis_kv;

typedef enum sis_record_status {
    SIS_RECORD_ACTIVE = 0,
    SIS_RECORD_TOBEDELETED = 1   /* the SIS says the record is going away */
} sis_record_status;

/* A user as the SIS describes it. */
typedef struct sis_record {
    uint32_t struct_size;        /* sizeof(sis_record) as the sender built it */
    const char *sourced_id;      /* unique within one installed app; never NULL */
    sis_record_status status;
    int enabled;                 /* 0 when the SIS disabled the account */
    const char *modified;        /* ISO 8601 UTC, full precision as sent; may be "" */
    const char *role;            /* the primary role, e.g. "student" */
    const char *const *roles;    /* every role, primary first; n_roles >= 1 */
    size_t n_roles;
    const char *const *org_ids;  /* sourcedIds of the user's orgs, primary first */
    size_t n_org_ids;
    const sis_field *fields;     /* every other field, by path */
    size_t n_fields;
    /* ABI 2.1; optional (NULL, 0 when unused).  A block of memory that
     * holds every string above, each with its NUL: sourced_id, modified,
     * role, roles, org_ids and the fields' paths, values and items; so its
     * last byte is a NUL.  A host that keeps the record past the call
     * copies this one block and rebases the pointers instead of measuring
     * and copying each string (for a million users, ~40 million small
     * copies).  A host checks that the last byte is a NUL and that every
     * string starts inside the block, and copies the strings one by one
     * when not. */
    const char *strings;
    size_t strings_len;
} sis_record;

#define SIS_RECORD_INIT {(uint32_t)sizeof(sis_record), NULL, SIS_RECORD_ACTIVE, 1, "", "", NULL, 0, NULL, 0, NULL, 0, NULL, 0}

/* An organisation: school, district, department... */
typedef struct sis_org {
    uint32_t struct_size;
    const char *sourced_id;
    sis_record_status status;
    const char *name;
    const char *type;            /* "school", "district", ... */
    const char *identifier;      /* may be "" */
    const char *parent_id;       /* may be "" */
} sis_org;

#define SIS_ORG_INIT {(uint32_t)sizeof(sis_org), NULL, SIS_RECORD_ACTIVE, "", "", "", ""}

typedef enum sis_field_type {
    SIS_FIELD_STRING = 0,
    SIS_FIELD_NUMBER = 1,
    SIS_FIELD_BOOLEAN = 2,
    SIS_FIELD_DATE = 3,
    SIS_FIELD_LIST = 4,
    SIS_FIELD_OBJECT = 5
} sis_field_type;

/* One entry of the field catalogue, for one role. */
typedef struct sis_schema_field {
    uint32_t struct_size;
    const char *role;            /* the role this line describes */
    const char *path;            /* "givenName", "metadata.cohort" */
    const char *label;           /* human label, e.g. "First name" */
    sis_field_type type;
    int is_metadata;             /* 1 for district-defined metadata */
    uint64_t filled;             /* sampled records of this role with a value */
    uint64_t sampled;            /* sampled records of this role */
} sis_schema_field;

#define SIS_SCHEMA_FIELD_INIT {(uint32_t)sizeof(sis_schema_field), "", "", "", SIS_FIELD_STRING, 0, 0, 0}

/* A role present in the district, with how many users hold it. */
typedef struct sis_schema_role {
    uint32_t struct_size;
    const char *role;
    uint64_t count;              /* UINT64_MAX when the SIS gives no count */
} sis_schema_role;

#define SIS_SCHEMA_ROLE_INIT {(uint32_t)sizeof(sis_schema_role), "", UINT64_MAX}

/* The admin's mapping choices, as the host passes them to apply_mappings. */
typedef struct sis_role_fields { /* frozen (array element) */
    const char *role;
    const char *const *paths;    /* the fields to show for this role */
    size_t n_paths;
} sis_role_fields;

typedef struct sis_pair {        /* frozen (array element) */
    const char *from;            /* SIS role, or org sourcedId */
    const char *to;              /* portal role, or location name */
} sis_pair;

typedef struct sis_mapping {
    uint32_t struct_size;        /* sizeof(sis_mapping) as the host built it */
    int show_metadata;           /* 0 hides every metadata.* field */
    const sis_role_fields *role_fields;  /* roles not listed: plugin defaults */
    size_t n_role_fields;
    const sis_pair *role_map;    /* SIS role -> portal role (ITxM); may be empty */
    size_t n_role_map;
    const sis_pair *location_map;/* org sourcedId -> location (ITxM); may be empty */
    size_t n_location_map;
} sis_mapping;

#define SIS_MAPPING_INIT {(uint32_t)sizeof(sis_mapping), 0, NULL, 0, NULL, 0, NULL, 0}

/* What the host shows on its Users page for one SIS record. */
typedef struct sis_host_user {
    uint32_t struct_size;        /* sizeof(sis_host_user) as the plugin built it */
    const char *sourced_id;
    const char *role;
    int active;                  /* 0 when tobedeleted or disabled */
    const char *given_name;
    const char *family_name;
    const char *email;
    const char *username;
    const char *portal_role;     /* NULL when the role is not mapped */
    const char *const *locations;/* mapped location names, deduplicated */
    size_t n_locations;
    const sis_field *fields;     /* exactly the chosen fields for the role */
    size_t n_fields;
    int role_unmapped;           /* 1 when a role map exists but has no entry */
    const char *const *unmapped_org_ids; /* orgs with no location mapping */
    size_t n_unmapped_org_ids;
} sis_host_user;

#define SIS_HOST_USER_INIT {(uint32_t)sizeof(sis_host_user), "", "", 0, "", "", "", "", NULL, \
                            NULL, 0, NULL, 0, 0, NULL, 0}

/* True when the struct at `p`, built with struct_size, contains `member`. */
#define SIS_HAS_MEMBER(p, type, member) \
    ((p)->struct_size >= offsetof(type, member) + sizeof(((type *)0)->member))

#endif /* SIS_RECORDS_H */
