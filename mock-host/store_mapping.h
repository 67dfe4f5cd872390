/* store_mapping.h - the admin's mapping choices per app, as stored: fields
 * per role, SIS role to portal role, org to location; and the rows of the
 * Role Mapping and Location Mapping pages. */
#ifndef MH_STORE_MAPPING_H
#define MH_STORE_MAPPING_H

#include <stdint.h>

#include "store.h"

/* fn gets one stored pair; both strings are borrowed for the call.  A
 * non-zero return stops the walk.  The _each functions return 0 or -1. */
typedef int (*mh_pair_fn)(void *ctx, const char *a, const char *b);

/* (role, JSON array of field paths) per role with a choice, by role. */
int mh_store_field_choices_each(mh_store *s, int64_t app_id, mh_pair_fn fn, void *ctx);
int mh_store_field_choice_set(mh_store *s, int64_t app_id, const char *role, const char *paths_json);
/* (SIS role, portal role) and (org sourcedId, location). */
int mh_store_role_map_each(mh_store *s, int64_t app_id, mh_pair_fn fn, void *ctx);
int mh_store_role_map_set(mh_store *s, int64_t app_id, const char *sis_role, const char *portal_role);
int mh_store_location_map_each(mh_store *s, int64_t app_id, mh_pair_fn fn, void *ctx);
int mh_store_location_map_set(mh_store *s, int64_t app_id, const char *org_id, const char *location);

/* 1 when a present record of the app has `role`, 0 when none, -1 error. */
int mh_store_sis_role_present(mh_store *s, int64_t app_id, const char *role);
/* The org named by `given`, its sourcedId or its identifier (e.g. SCH001),
 * into out.  0 found, 1 none, 2 the identifier names several orgs, -1 error. */
int mh_store_org_resolve(mh_store *s, int64_t app_id, const char *given, char *out, size_t cap);

/* A row of the Role Mapping page; strings borrowed for the call. */
typedef struct mh_role_row {
    const char *role;
    long long users;
    const char *portal_role;   /* NULL when unmapped */
} mh_role_row;
int mh_store_role_rows_each(mh_store *s, int64_t app_id,
                            int (*fn)(void *ctx, const mh_role_row *row), void *ctx);

/* A row of the Location Mapping page; strings borrowed for the call. */
typedef struct mh_org_row {
    const char *sourced_id, *type, *identifier, *name;
    int stale;                 /* no longer in the SIS */
    const char *location;      /* NULL when unmapped */
    long long users;
} mh_org_row;
int mh_store_org_rows_each(mh_store *s, int64_t app_id,
                           int (*fn)(void *ctx, const mh_org_row *row), void *ctx);

#endif
