/* mapping_config.h - the admin's mapping choices of one app, loaded into
 * the sis_mapping the plugin's apply_mappings wants. */
#ifndef MH_MAPPING_CONFIG_H
#define MH_MAPPING_CONFIG_H

#include <sis/connector.h>

#include "store.h"

/* Owns every string the sis_mapping points at. */
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

/* Fills *out (the caller frees it with mh_mapping_free, even on failure);
 * role and location maps only for an ITxM app.  0 or -1. */
int mh_mapping_load(mh_store *s, const mh_app *app, mh_mapping_cfg *out);
void mh_mapping_free(mh_mapping_cfg *c);

/* Receives one field path (borrowed for the call); non-zero stops. */
typedef int (*mh_path_fn)(void *ctx, const char *path);

/* The fields a sync shows for `role` under `c`, in order, whatever the
 * metadata switch hides: the admin's saved choice (*is_default = 0), or
 * when the role has none the plugin's default fields (*is_default = 1).
 * The default rule is the plugin's alone and is not written in the host:
 * its apply_mappings maps a record of that role that has no field at all,
 * and the fields of the user it emits are the ones a sync would show
 * (connector.h: exactly the chosen fields for the role).  The command
 * line and the console both ask here.  0, or -1 when the plugin refused. */
int mh_mapping_role_fields(const mh_mapping_cfg *c, const sis_connector *conn,
                           sis_instance *inst, const char *role, mh_path_fn each, void *ctx,
                           int *is_default);

#endif
