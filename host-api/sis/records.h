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
 */
#ifndef SIS_RECORDS_H
#define SIS_RECORDS_H

#include <stddef.h>
#include <stdint.h>

/* One field of a record, by path.  A list value (e.g. grades) is sent as
 * its elements joined with ", ".  `value` is never NULL; an empty field is
 * "" or absent. */
typedef struct sis_field {
    const char *path;   /* "givenName", "metadata.student_cohort" */
    const char *value;
} sis_field;

typedef enum sis_record_status {
    SIS_RECORD_ACTIVE = 0,
    SIS_RECORD_TOBEDELETED = 1   /* the SIS says the record is going away */
} sis_record_status;

/* A user as the SIS describes it. */
typedef struct sis_record {
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
} sis_record;

/* An organisation: school, district, department... */
typedef struct sis_org {
    const char *sourced_id;
    sis_record_status status;
    const char *name;
    const char *type;            /* "school", "district", ... */
    const char *identifier;      /* may be "" */
    const char *parent_id;       /* may be "" */
} sis_org;

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
    const char *role;            /* the role this line describes */
    const char *path;            /* "givenName", "metadata.cohort" */
    const char *label;           /* human label, e.g. "First name" */
    sis_field_type type;
    int is_metadata;             /* 1 for district-defined metadata */
    uint64_t filled;             /* sampled records of this role with a value */
    uint64_t sampled;            /* sampled records of this role */
} sis_schema_field;

/* A role present in the district, with how many users hold it. */
typedef struct sis_schema_role {
    const char *role;
    uint64_t count;              /* UINT64_MAX when the SIS gives no count */
} sis_schema_role;

/* The admin's mapping choices, as the host passes them to apply_mappings. */
typedef struct sis_role_fields {
    const char *role;
    const char *const *paths;    /* the fields to show for this role */
    size_t n_paths;
} sis_role_fields;

typedef struct sis_pair {
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

/* What the host shows on its Users page for one SIS record. */
typedef struct sis_host_user {
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

#endif /* SIS_RECORDS_H */
