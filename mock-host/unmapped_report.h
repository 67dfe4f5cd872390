/* unmapped_report.h - what an ITxM admin reads about users the mapping
 * does not cover, from a run's counts ("unmapped_roles", "unmapped_orgs",
 * "unknown_orgs"). */
#ifndef MH_UNMAPPED_REPORT_H
#define MH_UNMAPPED_REPORT_H

#include <json-c/json.h>

#include "jsonw.h"

typedef struct mh_unmapped_totals {
    long long role_users;    /* active users without a portal role */
    long long org_users;     /* user-org pairs whose org has no location */
    long long unknown_users; /* user-org pairs whose org the roster does not have */
    int roles, orgs, unknown; /* how many distinct roles / orgs / unknown orgs */
} mh_unmapped_totals;

/* Sums the objects of `counts` (borrowed; any may be absent). */
mh_unmapped_totals mh_unmapped_totals_of(json_object *counts);

/* Appends, for `app`, lines like
 *   "  unmapped: 30 users have no portal role (teacher 20, aide 10): mock-host roles APP ..."
 * each starting with `indent`; appends nothing when everything is mapped.
 * Returns 1 when something was appended. */
int mh_unmapped_describe(json_object *counts, const char *app, const char *indent, mh_str *out);

#endif
