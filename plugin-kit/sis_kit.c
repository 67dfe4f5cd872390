/* sis_kit.c - see sis_kit.h. */
#include "sis_kit.h"

#include <stdlib.h>
#include <string.h>

/* Records with more fields or orgs than this are mapped from the heap;
 * the common record fits on the stack. */
#define SMALL_FIELDS 32
#define SMALL_ORGS 16

static const char *const default_paths[] = {"givenName", "familyName", "email", "username",
                                            "identifier"};
static const char *const default_student_paths[] = {"givenName", "familyName", "email",
                                                    "username", "identifier", "grades"};

int sis_kit_entry_check(uint32_t host_abi, const sis_host *host, const char *who,
                        sis_error *err)
{
    if (SIS_ABI_MAJOR(host_abi) != SIS_ABI_VERSION_MAJOR)
        return sis_error_set(err, SIS_ERR_ABI, "%s speaks SIS ABI %u.x but the host speaks %u.%u; "
                             "install the release built for this host", who,
                             (unsigned)SIS_ABI_VERSION_MAJOR, (unsigned)SIS_ABI_MAJOR(host_abi),
                             (unsigned)SIS_ABI_MINOR(host_abi));
    if (host == NULL || SIS_ABI_MAJOR(host->abi_version) != SIS_ABI_VERSION_MAJOR ||
        host->struct_size < offsetof(sis_host, is_cancelled) + sizeof(host->is_cancelled))
        return sis_error_set(err, SIS_ERR_ABI, "the host's services table is missing or older "
                             "than SIS ABI %d.0", SIS_ABI_VERSION_MAJOR);
    return SIS_OK;
}

/* Every member the checks below require is from ABI 2.0; later minors'
 * members are optional, so a 2.0 host is served. */
static int too_old(sis_error *err, const char *what)
{
    return sis_error_set(err, SIS_ERR_ABI, "the host passed a %s older than SIS ABI %d.0; "
                         "update the host", what, SIS_ABI_VERSION_MAJOR);
}

int sis_kit_check_auth(const sis_auth_request *req, const sis_auth_result *res, sis_error *err)
{
    if (!SIS_KIT_FITS(req, sis_auth_request, n_params))
        return too_old(err, "sis_auth_request");
    if (!SIS_KIT_FITS(res, sis_auth_result, visible_users))
        return too_old(err, "sis_auth_result");
    return SIS_OK;
}

int sis_kit_check_schema_sink(const sis_schema_sink *sink, sis_error *err)
{
    return SIS_KIT_FITS(sink, sis_schema_sink, org) ? SIS_OK : too_old(err, "sis_schema_sink");
}

int sis_kit_check_fetch(const sis_fetch_request *req, const sis_sink *sink,
                        const sis_fetch_result *res, sis_error *err)
{
    if (!SIS_KIT_FITS(req, sis_fetch_request, n_paths))
        return too_old(err, "sis_fetch_request");
    if (!SIS_KIT_FITS(sink, sis_sink, invalid))
        return too_old(err, "sis_sink");
    if (!SIS_KIT_FITS(res, sis_fetch_result, bytes))
        return too_old(err, "sis_fetch_result");
    return SIS_OK;
}

int sis_kit_check_apply(const sis_record *record, const sis_mapping *mapping, sis_error *err)
{
    if (!SIS_KIT_FITS(record, sis_record, n_fields))
        return too_old(err, "sis_record");
    if (!SIS_KIT_FITS(mapping, sis_mapping, n_location_map))
        return too_old(err, "sis_mapping");
    return SIS_OK;
}

long long sis_kit_setting_int(const sis_decl *const *decls, size_t n, const sis_host *host,
                              sis_host_app *app, const char *name)
{
    const sis_decl *d = NULL;
    char buf[32], *end;
    long long v, dflt;
    size_t i;

    for (i = 0; i < n && d == NULL; i++)
        if (decls[i]->scope == SIS_DECL_SETTING && strcmp(decls[i]->name, name) == 0)
            d = decls[i];
    if (d == NULL || d->type != SIS_VALUE_INTEGER)
        return 0;
    dflt = strtoll(d->default_value, NULL, 10);
    if (host->config_get(app, name, buf, sizeof buf) != SIS_OK)
        return dflt;
    v = strtoll(buf, &end, 10);
    if (end == buf || *end != '\0' || v < d->min || v > d->max)
        return dflt;
    return v;
}

const sis_field *sis_kit_field(const sis_record *r, const char *path)
{
    size_t i;
    for (i = 0; i < r->n_fields; i++)
        if (strcmp(r->fields[i].path, path) == 0)
            return &r->fields[i];
    return NULL;
}

static const char *field_text(const sis_record *r, const char *path)
{
    const sis_field *f = sis_kit_field(r, path);
    return f != NULL && f->value != NULL ? f->value : "";
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

/* The chosen fields of `r` into `out` (room for n_paths): a list keeps its
 * items, an absent field shows empty.  Returns how many. */
static size_t pick_fields(const sis_record *r, const sis_mapping *m, const char *const *paths,
                          size_t n_paths, sis_field *out)
{
    size_t i, n = 0;
    for (i = 0; i < n_paths; i++) {
        const sis_field *f;
        if (strncmp(paths[i], "metadata.", 9) == 0 && !m->show_metadata)
            continue;
        f = sis_kit_field(r, paths[i]);
        out[n] = f != NULL ? *f : (sis_field){paths[i], "", NULL, 0};
        out[n++].path = paths[i];
    }
    return n;
}

/* Each org of `r` to its location (each location once) or to `unmapped`
 * (both with room for r->n_org_ids). */
static void place_orgs(const sis_record *r, const sis_mapping *m, sis_host_user *u,
                       const char **locations, const char **unmapped)
{
    size_t i, j;
    for (i = 0; i < r->n_org_ids; i++) {
        const char *to = lookup(m->location_map, m->n_location_map, r->org_ids[i]);
        if (to == NULL) {
            unmapped[u->n_unmapped_org_ids++] = r->org_ids[i];
            continue;
        }
        for (j = 0; j < u->n_locations && strcmp(locations[j], to) != 0; j++)
            ;
        if (j == u->n_locations)
            locations[u->n_locations++] = to;
    }
    u->locations = locations;
    u->unmapped_org_ids = unmapped;
}

int sis_kit_apply_mappings(const sis_record *r, const sis_mapping *m, sis_user_fn emit,
                           void *ctx, sis_error *err)
{
    sis_field small_fields[SMALL_FIELDS], *fields = small_fields;
    const char *small_orgs[2 * SMALL_ORGS], **orgs = small_orgs;
    sis_host_user u = SIS_HOST_USER_INIT;
    const char *const *paths;
    size_t n_paths;
    int rc;

    if (r == NULL || m == NULL || emit == NULL || r->sourced_id == NULL || r->role == NULL)
        return sis_error_set(err, SIS_ERR_INVALID_ARG, "apply_mappings needs a record with an id "
                             "and a role, a mapping and an emit callback");
    chosen_paths(m, r->role, &paths, &n_paths);
    if (n_paths > SMALL_FIELDS)
        fields = malloc(n_paths * sizeof *fields);
    if (r->n_org_ids > SMALL_ORGS)
        orgs = malloc(2 * r->n_org_ids * sizeof *orgs);
    if (fields == NULL || orgs == NULL) {
        rc = sis_error_set(err, SIS_ERR_NOMEM, "out of memory mapping a user");
        goto done;
    }
    u.sourced_id = r->sourced_id;
    u.role = r->role;
    u.active = r->status == SIS_RECORD_ACTIVE && r->enabled;
    u.given_name = field_text(r, "givenName");
    u.family_name = field_text(r, "familyName");
    u.email = field_text(r, "email");
    u.username = field_text(r, "username");
    u.portal_role = lookup(m->role_map, m->n_role_map, r->role);
    u.role_unmapped = m->n_role_map > 0 && u.portal_role == NULL;
    u.fields = fields;
    u.n_fields = pick_fields(r, m, paths, n_paths, fields);
    place_orgs(r, m, &u, orgs, orgs + (orgs == small_orgs ? SMALL_ORGS : r->n_org_ids));
    rc = emit(ctx, &u) == SIS_OK ? SIS_OK
                                 : sis_error_set(err, SIS_ERR_SINK, "the host refused a mapped user");
done:
    if (fields != small_fields)
        free(fields);
    if (orgs != small_orgs)
        free(orgs);
    return rc;
}
