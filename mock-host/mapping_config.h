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

#endif
