/* mapping.h - apply_mappings: one stored record plus the admin's choices to
 * a host user.  Pure: no request to ClassLink. */
#ifndef CL_MAPPING_H
#define CL_MAPPING_H

#include <sis/connector.h>

int cl_apply_mappings(sis_instance *inst, const sis_record *record, const sis_mapping *mapping,
                      sis_user_fn emit, void *ctx, sis_error *err);

#endif
