/* store_names.h - the host's own name lists for ITxM accounts (Customer
 * Portal roles, locations) and what refers to a name: the mappings that
 * point at it and the users that carry it. */
#ifndef MH_STORE_NAMES_H
#define MH_STORE_NAMES_H

#include <stdint.h>

#include "store.h"

typedef enum mh_name_list {
    MH_PORTAL_ROLES = 0,
    MH_LOCATIONS = 1
} mh_name_list;

/* 0 added, 1 it existed already, -1 error. */
int mh_store_name_add(mh_store *s, mh_name_list list, const char *name);
/* 0 removed, 1 there was none, -1 error. */
int mh_store_name_remove(mh_store *s, mh_name_list list, const char *name);
/* 1 when the name exists, 0 when not, -1 on error. */
int mh_store_name_exists(mh_store *s, mh_name_list list, const char *name);
/* Calls fn for each name in order; stops when fn returns non-zero.  The
 * name is borrowed for the call.  Returns how many were visited, or -1. */
int mh_store_name_each(mh_store *s, mh_name_list list,
                       int (*fn)(void *ctx, const char *name), void *ctx);

typedef struct mh_name_usage {
    long long mappings;     /* role or location mappings (every app) naming it */
    long long users;        /* stored users (every app) that carry it */
} mh_name_usage;

/* What refers to `name`; 0 or -1. */
int mh_store_name_usage(mh_store *s, mh_name_list list, const char *name, mh_name_usage *out);
/* The ids of the apps whose mappings or users refer to `name`, at most cap;
 * returns how many, or -1. */
int mh_store_name_apps(mh_store *s, mh_name_list list, const char *name, int64_t *ids, int cap);
/* Deletes every mapping (every app) that points at `name`; 0 or -1.  The
 * caller re-applies the mappings of the apps concerned in the same
 * transaction, so no user keeps the name. */
int mh_store_name_unmap(mh_store *s, mh_name_list list, const char *name);

#endif
