/*
 * mapping.h - apply_mappings: one stored record plus the admin's choices
 * into the user the Users page shows.
 */
#ifndef ORC_MAPPING_H
#define ORC_MAPPING_H

#include <sis/connector.h>

/* Pure: reads only its arguments (never the instance or the host), so the
 * host may call it from its writer thread while fetch_users runs.  Every
 * pointer is borrowed for the call; `emit` receives the user once. */
int orc_apply_mappings(const sis_record *record, const sis_mapping *mapping, sis_user_fn emit,
                       void *ctx, sis_error *err);

#endif
