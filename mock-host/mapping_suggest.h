/* mapping_suggest.h - the suggestion shown beside an unmapped SIS role or
 * org on the Role Mapping and Location Mapping pages (command line and
 * console alike): the most similar name of the host's own list. */
#ifndef MH_MAPPING_SUGGEST_H
#define MH_MAPPING_SUGGEST_H

#include <stddef.h>

#include "store.h"

/* The Customer Portal role most like `sis_role` (synonyms first: "aide" is
 * "Staff"), or "" when none is alike enough. */
void mh_suggest_portal_role(mh_store *s, const char *sis_role, char *out, size_t cap);
/* The location most like the org's name, or the one its identifier names;
 * "" when none is alike enough. */
void mh_suggest_location(mh_store *s, const char *org_name, const char *identifier, char *out,
                         size_t cap);

#endif
