#include "mapping.h"

#include <string.h>

#include "cl_error.h"
#include "record_map.h"

/* Shown before the admin chooses: who the person is, and grades for
 * students. */
static const char *const default_paths[] = {"givenName", "familyName", "email", "username",
                                            "identifier"};
static const char *const default_student_paths[] = {"givenName", "familyName", "email",
                                                    "username", "identifier", "grades"};

static const sis_field *field_find(const sis_record *r, const char *path)
{
    size_t i;
    for (i = 0; i < r->n_fields; i++)
        if (strcmp(r->fields[i].path, path) == 0)
            return &r->fields[i];
    return NULL;
}

static const char *field_value(const sis_record *r, const char *path)
{
    const sis_field *f = field_find(r, path);
    return f != NULL ? f->value : NULL;
}

static const char *lookup(const sis_pair *pairs, size_t n, const char *from)
{
    size_t i;
    for (i = 0; i < n; i++)
        if (strcmp(pairs[i].from, from) == 0)
            return pairs[i].to;
    return NULL;
}

static const sis_role_fields *choice_for(const sis_mapping *m, const char *role)
{
    size_t i;
    for (i = 0; i < m->n_role_fields; i++)
        if (strcmp(m->role_fields[i].role, role) == 0)
            return &m->role_fields[i];
    return NULL;
}

static int is_metadata(const char *path)
{
    return strncmp(path, "metadata.", 9) == 0;
}

int cl_apply_mappings(sis_instance *inst, const sis_record *r, const sis_mapping *m,
                      sis_user_fn emit, void *ctx, sis_error *err)
{
    sis_field fields[CL_MAX_FIELDS];
    const char *locations[CL_MAX_ORGS], *unmapped[CL_MAX_ORGS];
    const sis_role_fields *choice;
    const char *const *paths;
    size_t n_paths, i, j, n_fields = 0, n_loc = 0, n_unmapped = 0;
    sis_host_user u;
    const sis_field *f;
    const char *v;
    (void)inst;

    if (r == NULL || m == NULL || emit == NULL || r->sourced_id == NULL || r->role == NULL)
        return cl_fail(err, SIS_ERR_INVALID_ARG, "apply_mappings needs a record with an id and a "
                       "role, a mapping and an emit callback");
    choice = choice_for(m, r->role);
    if (choice != NULL) {
        paths = choice->paths;
        n_paths = choice->n_paths;
    } else if (strcmp(r->role, "student") == 0) {
        paths = default_student_paths;
        n_paths = sizeof default_student_paths / sizeof default_student_paths[0];
    } else {
        paths = default_paths;
        n_paths = sizeof default_paths / sizeof default_paths[0];
    }
    for (i = 0; i < n_paths && n_fields < CL_MAX_FIELDS; i++) {
        if (is_metadata(paths[i]) && !m->show_metadata)
            continue;
        f = field_find(r, paths[i]);
        if (f != NULL)
            fields[n_fields] = *f;  /* a list keeps its items */
        else
            fields[n_fields] = (sis_field){paths[i], "", NULL, 0};
        fields[n_fields++].path = paths[i];
    }
    for (i = 0; i < r->n_org_ids && i < CL_MAX_ORGS; i++) {
        v = lookup(m->location_map, m->n_location_map, r->org_ids[i]);
        if (v == NULL) {
            unmapped[n_unmapped++] = r->org_ids[i];
            continue;
        }
        for (j = 0; j < n_loc && strcmp(locations[j], v) != 0; j++)
            ;
        if (j == n_loc)
            locations[n_loc++] = v;
    }
    memset(&u, 0, sizeof u);
    u.struct_size = sizeof u;
    u.sourced_id = r->sourced_id;
    u.role = r->role;
    u.active = r->status == SIS_RECORD_ACTIVE && r->enabled;
    u.given_name = (v = field_value(r, "givenName")) ? v : "";
    u.family_name = (v = field_value(r, "familyName")) ? v : "";
    u.email = (v = field_value(r, "email")) ? v : "";
    u.username = (v = field_value(r, "username")) ? v : "";
    u.portal_role = lookup(m->role_map, m->n_role_map, r->role);
    u.role_unmapped = m->n_role_map > 0 && u.portal_role == NULL;
    u.locations = locations;
    u.n_locations = n_loc;
    u.unmapped_org_ids = unmapped;
    u.n_unmapped_org_ids = n_unmapped;
    u.fields = fields;
    u.n_fields = n_fields;
    return emit(ctx, &u) == SIS_OK ? SIS_OK
                                   : cl_fail(err, SIS_ERR_SINK, "the host refused a mapped user");
}
