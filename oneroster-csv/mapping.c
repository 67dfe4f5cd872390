#include "mapping.h"

#include <stdlib.h>
#include <string.h>

/* Shown before the admin chooses: who the person is, and grades for
 * students (the same defaults as the ClassLink connector, so one district
 * moving between the two sees the same page). */
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
    return f != NULL ? f->value : "";
}

static const char *lookup(const sis_pair *pairs, size_t n, const char *from)
{
    size_t i;
    for (i = 0; i < n; i++)
        if (strcmp(pairs[i].from, from) == 0)
            return pairs[i].to;
    return NULL;
}

static void chosen_paths(const sis_mapping *m, const char *role, const char *const **paths,
                         size_t *n)
{
    size_t i;
    for (i = 0; i < m->n_role_fields; i++)
        if (strcmp(m->role_fields[i].role, role) == 0) {
            *paths = m->role_fields[i].paths;
            *n = m->role_fields[i].n_paths;
            return;
        }
    if (strcmp(role, "student") == 0) {
        *paths = default_student_paths;
        *n = sizeof default_student_paths / sizeof default_student_paths[0];
    } else {
        *paths = default_paths;
        *n = sizeof default_paths / sizeof default_paths[0];
    }
}

int orc_apply_mappings(const sis_record *r, const sis_mapping *m, sis_user_fn emit, void *ctx,
                       sis_error *err)
{
    const char *const *paths;
    size_t n_paths, i, j, n_fields = 0, n_loc = 0, n_unmapped = 0;
    sis_host_user u = SIS_HOST_USER_INIT;
    sis_field *fields;
    const char **locations, **unmapped;
    int rc;

    if (r->sourced_id == NULL || r->role == NULL || emit == NULL)
        return sis_error_set(err, SIS_ERR_INVALID_ARG, "apply_mappings needs a record with an id "
                             "and a role, and an emit callback");
    chosen_paths(m, r->role, &paths, &n_paths);
    /* Sized by this record: no field or org is ever dropped. */
    fields = malloc((n_paths + 1) * sizeof *fields);
    locations = malloc((2 * r->n_org_ids + 2) * sizeof *locations);
    if (fields == NULL || locations == NULL) {
        free(fields);
        free(locations);
        return sis_error_set(err, SIS_ERR_NOMEM, "out of memory mapping a user");
    }
    unmapped = locations + r->n_org_ids + 1;
    for (i = 0; i < n_paths; i++) {
        const sis_field *f;
        if (strncmp(paths[i], "metadata.", 9) == 0 && !m->show_metadata)
            continue;
        f = field_find(r, paths[i]);
        fields[n_fields] = f != NULL ? *f : (sis_field){paths[i], "", NULL, 0};  /* lists keep items */
        fields[n_fields++].path = paths[i];
    }
    for (i = 0; i < r->n_org_ids; i++) {
        const char *to = lookup(m->location_map, m->n_location_map, r->org_ids[i]);
        if (to == NULL) {
            unmapped[n_unmapped++] = r->org_ids[i];
            continue;
        }
        for (j = 0; j < n_loc && strcmp(locations[j], to) != 0; j++)
            ;
        if (j == n_loc)
            locations[n_loc++] = to;
    }
    u.sourced_id = r->sourced_id;
    u.role = r->role;
    u.active = r->status == SIS_RECORD_ACTIVE && r->enabled;
    u.given_name = field_value(r, "givenName");
    u.family_name = field_value(r, "familyName");
    u.email = field_value(r, "email");
    u.username = field_value(r, "username");
    u.portal_role = lookup(m->role_map, m->n_role_map, r->role);
    u.role_unmapped = m->n_role_map > 0 && u.portal_role == NULL;
    u.locations = locations;
    u.n_locations = n_loc;
    u.unmapped_org_ids = unmapped;
    u.n_unmapped_org_ids = n_unmapped;
    u.fields = fields;
    u.n_fields = n_fields;
    rc = emit(ctx, &u) == SIS_OK ? SIS_OK
                                 : sis_error_set(err, SIS_ERR_SINK, "the host refused a mapped user");
    free(fields);
    free(locations);   /* unmapped lives in the same block */
    return rc;
}
