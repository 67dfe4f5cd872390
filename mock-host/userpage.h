/* userpage.h - the Users page: mapping configuration from the database,
 * and writing mapped users (only when something changed). */
#ifndef MH_USERPAGE_H
#define MH_USERPAGE_H

#include <sis/connector.h>

#include "jsonw.h"
#include "store.h"

/* The admin's choices for one app, as the plugin's apply_mappings wants
 * them; owns every string. */
typedef struct mh_mapping_cfg {
    sis_mapping m;
    sis_role_fields *role_fields;
    sis_pair *role_map;
    sis_pair *location_map;
    char **strings;            /* every owned string, for freeing */
    size_t n_strings, cap_strings;
    const char ***path_lists;
    size_t n_path_lists;
} mh_mapping_cfg;

int mh_mapping_load(mh_store *s, const mh_app *app, mh_mapping_cfg *out);
void mh_mapping_free(mh_mapping_cfg *c);

typedef enum mh_user_change {
    MH_USER_UNCHANGED = 0,
    MH_USER_CREATED = 1,
    MH_USER_UPDATED = 2
} mh_user_change;

typedef struct mh_user_counts {
    uint64_t created, updated, unchanged, deactivated, reactivated;
} mh_user_counts;

/* A mapped user, encoded for its row.  Owns its buffers; reused. */
typedef struct mh_user_row {
    mh_str sourced_id, role, given_name, family_name, email, username, portal_role;
    int has_portal_role;
    int active;
    mh_str fields, locations, flags;
    uint64_t hash;
} mh_user_row;

/* Prepared statements and buffers reused for every user of a run. */
typedef struct mh_user_writer {
    mh_store *store;
    int64_t app_id;
    sqlite3_stmt *get, *put;
    mh_user_row row;
    mh_user_counts counts;
    char now[32];
    int itxm;                        /* role and location mapping apply */
    int known_new;                   /* the caller knows no row exists: skip the lookup */
} mh_user_writer;

/* Appends "unmapped_roles":{role:n},"unmapped_orgs":{org:n} for the app's
 * active users (ITxM; empty objects otherwise). */
void mh_unmapped_json(mh_store *s, const mh_app *app, mh_str *out);

int mh_user_writer_open(mh_user_writer *w, mh_store *s, const mh_app *app);
void mh_user_writer_close(mh_user_writer *w);
/* sis_user_fn-compatible: ctx is the writer.  Encodes the user and stores
 * the row only when it changed, counting what happened. */
int mh_user_write(void *ctx, const sis_host_user *u);

/* Re-applies the current mapping to every stored record of the app, in one
 * transaction, without asking the SIS.  Returns 0 or -1 (reason printed). */
int mh_reapply_mappings(mh_store *s, const mh_app *app, const sis_connector *conn,
                        sis_instance *inst, mh_user_counts *counts);
/* The same inside a transaction the caller holds (and commits or rolls back). */
int mh_reapply_mappings_in(mh_store *s, const mh_app *app, const sis_connector *conn,
                           sis_instance *inst, mh_user_counts *counts);

#endif
