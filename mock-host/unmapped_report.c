/*
 * unmapped_report.c - turning a run's unmapped counts into sentences an
 * admin can act on: how many users, which roles or orgs (the largest few),
 * and the command that maps them.  Shared by sync's summary and `runs`.
 */
#include "unmapped_report.h"

#include <stdio.h>
#include <string.h>

#define SHOWN 5   /* names listed before "and N more" */

static long long sum_of(json_object *obj, int *n)
{
    long long total = 0;
    *n = 0;
    if (obj == NULL || !json_object_is_type(obj, json_type_object))
        return 0;
    json_object_object_foreach(obj, k, v) {
        (void)k;
        total += json_object_get_int64(v);
        (*n)++;
    }
    return total;
}

mh_unmapped_totals mh_unmapped_totals_of(json_object *counts)
{
    mh_unmapped_totals t;
    json_object *o = NULL;
    memset(&t, 0, sizeof t);
    if (json_object_object_get_ex(counts, "unmapped_roles", &o))
        t.role_users = sum_of(o, &t.roles);
    o = NULL;
    if (json_object_object_get_ex(counts, "unmapped_orgs", &o))
        t.org_users = sum_of(o, &t.orgs);
    o = NULL;
    if (json_object_object_get_ex(counts, "unknown_orgs", &o))
        t.unknown_users = sum_of(o, &t.unknown);
    return t;
}

/* "teacher 20, aide 10, and 3 more" (in the stored order: by name). */
static void list_names(json_object *obj, mh_str *out)
{
    char buf[64];
    int i = 0, n = 0;
    json_object_object_foreach(obj, k, v) {
        n++;
        if (i >= SHOWN)
            continue;
        if (i++)
            mh_str_adds(out, ", ");
        mh_str_adds(out, k);
        snprintf(buf, sizeof buf, " %lld", (long long)json_object_get_int64(v));
        mh_str_adds(out, buf);
    }
    if (n > SHOWN) {
        snprintf(buf, sizeof buf, ", and %d more", n - SHOWN);
        mh_str_adds(out, buf);
    }
}

int mh_unmapped_describe(json_object *counts, const char *app, const char *indent, mh_str *out)
{
    mh_unmapped_totals t = mh_unmapped_totals_of(counts);
    json_object *o = NULL;
    char buf[256];
    int said = 0;
    if (t.role_users > 0 && json_object_object_get_ex(counts, "unmapped_roles", &o)) {
        snprintf(buf, sizeof buf, "%sunmapped roles: %lld active user%s %s no portal role (", indent,
                 t.role_users, t.role_users == 1 ? "" : "s", t.role_users == 1 ? "has" : "have");
        mh_str_adds(out, buf);
        list_names(o, out);
        snprintf(buf, sizeof buf, "); map them with: mock-host roles %s --map SISROLE=PORTALROLE\n", app);
        mh_str_adds(out, buf);
        said = 1;
    }
    if (t.org_users > 0 && json_object_object_get_ex(counts, "unmapped_orgs", &o)) {
        snprintf(buf, sizeof buf, "%sunmapped orgs: %d org%s with no location, %lld user membership%s (",
                 indent, t.orgs, t.orgs == 1 ? "" : "s", t.org_users, t.org_users == 1 ? "" : "s");
        mh_str_adds(out, buf);
        list_names(o, out);
        snprintf(buf, sizeof buf, "); map them with: mock-host locations %s --map ORG=LOCATION\n", app);
        mh_str_adds(out, buf);
        said = 1;
    }
    if (t.unknown_users > 0 && json_object_object_get_ex(counts, "unknown_orgs", &o)) {
        snprintf(buf, sizeof buf, "%sunknown orgs: %lld user membership%s name%s %d org%s the "
                 "district's roster does not have (", indent, t.unknown_users,
                 t.unknown_users == 1 ? "" : "s", t.unknown_users == 1 ? "s" : "", t.unknown,
                 t.unknown == 1 ? "" : "s");
        mh_str_adds(out, buf);
        list_names(o, out);
        mh_str_adds(out, "); no location can be mapped to them: correct those users' orgs in the "
                         "SIS, or add the orgs to it\n");
        said = 1;
    }
    return said;
}
