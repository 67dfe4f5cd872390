/* schema.h - discover_schema: which roles the district has, which fields
 * (standard and district-defined metadata) each role's users carry, of what
 * type and how often filled, and the orgs. */
#ifndef CL_SCHEMA_H
#define CL_SCHEMA_H

#include <sis/connector.h>

#define CL_SCHEMA_SAMPLE 2000   /* users sampled per role */

int cl_discover_schema(sis_instance *inst, const sis_schema_sink *sink, sis_error *err);

/* A human label for a standard OneRoster user field, or NULL. */
const char *cl_field_label(const char *path);

#endif
