/*
 * mapping_config.c - one app's mapping choices, from storage into the
 * plugin's sis_mapping: fields per role, metadata on or off, and (ITxM)
 * the role and location maps.  Every string is copied and owned here, so
 * the mapping outlives the queries that read it.  Also the one answer to
 * "which fields does a sync show for this role", saved choice or default.
 */
#include "mapping_config.h"

#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "store_mapping.h"

static const char *keep(mh_mapping_cfg *c, const char *s)
{
    char *d = strdup(s != NULL ? s : "");
    if (c->n_strings == c->cap_strings) {
        c->cap_strings = c->cap_strings ? c->cap_strings * 2 : 64;
        c->strings = realloc(c->strings, c->cap_strings * sizeof *c->strings);
    }
    c->strings[c->n_strings++] = d;
    return d;
}

typedef struct pair_list {
    mh_mapping_cfg *cfg;
    sis_pair *p;
    size_t n, cap;
} pair_list;

static int add_pair(void *vctx, const char *a, const char *b)
{
    pair_list *l = vctx;
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 16;
        l->p = realloc(l->p, l->cap * sizeof *l->p);
    }
    l->p[l->n].from = keep(l->cfg, a);
    l->p[l->n].to = keep(l->cfg, b);
    l->n++;
    return 0;
}

static int load_field_choices(mh_mapping_cfg *c, mh_store *s, int64_t app_id)
{
    pair_list rows = {c, NULL, 0, 0};
    size_t i;
    int rc = mh_store_field_choices_each(s, app_id, add_pair, &rows);
    c->role_fields = calloc(rows.n + 1, sizeof *c->role_fields);
    c->path_lists = calloc(rows.n + 1, sizeof *c->path_lists);
    for (i = 0; i < rows.n; i++) {
        json_object *arr = json_tokener_parse(rows.p[i].to);
        size_t k, m = json_object_is_type(arr, json_type_array) ? json_object_array_length(arr) : 0;
        const char **paths = calloc(m + 1, sizeof *paths);
        for (k = 0; k < m; k++)
            paths[k] = keep(c, json_object_get_string(json_object_array_get_idx(arr, k)));
        json_object_put(arr);
        c->path_lists[c->n_path_lists++] = paths;
        c->role_fields[i].role = rows.p[i].from;
        c->role_fields[i].paths = paths;
        c->role_fields[i].n_paths = m;
    }
    c->m.role_fields = c->role_fields;
    c->m.n_role_fields = rows.n;
    free(rows.p);
    return rc;
}

int mh_mapping_load(mh_store *s, const mh_app *app, mh_mapping_cfg *c)
{
    char buf[16];
    int rc;
    memset(c, 0, sizeof *c);
    c->m.struct_size = sizeof c->m;
    c->m.show_metadata = mh_store_state_get(s, app->id, "show_metadata", buf, sizeof buf) == 0 &&
                         strcmp(buf, "on") == 0;
    rc = load_field_choices(c, s, app->id);
    if (app->itxm) {
        pair_list roles = {c, NULL, 0, 0}, locs = {c, NULL, 0, 0};
        rc |= mh_store_role_map_each(s, app->id, add_pair, &roles);
        rc |= mh_store_location_map_each(s, app->id, add_pair, &locs);
        c->role_map = roles.p;
        c->m.n_role_map = roles.n;
        c->location_map = locs.p;
        c->m.n_location_map = locs.n;
        c->m.role_map = c->role_map;
        c->m.location_map = c->location_map;
    }
    return rc != 0 ? -1 : 0;
}

void mh_mapping_free(mh_mapping_cfg *c)
{
    size_t i;
    for (i = 0; i < c->n_strings; i++)
        free(c->strings[i]);
    for (i = 0; i < c->n_path_lists; i++)
        free(c->path_lists[i]);
    free(c->strings);
    free(c->path_lists);
    free(c->role_fields);
    free(c->role_map);
    free(c->location_map);
    memset(c, 0, sizeof *c);
}

typedef struct probe {
    mh_path_fn each;
    void *ctx;
    int stopped;
} probe;

static int probe_user(void *vctx, const sis_host_user *u)
{
    probe *p = vctx;
    size_t i;
    for (i = 0; i < u->n_fields && !p->stopped; i++)
        p->stopped = p->each(p->ctx, u->fields[i].path) != 0;
    return SIS_OK;
}

int mh_mapping_role_fields(const mh_mapping_cfg *c, const sis_connector *conn,
                           sis_instance *inst, const char *role, mh_path_fn each, void *ctx,
                           int *is_default)
{
    sis_mapping defaults = SIS_MAPPING_INIT;
    sis_record rec = SIS_RECORD_INIT;
    sis_error err = SIS_ERROR_LOCAL;
    probe p = {each, ctx, 0};
    const char *roles[1];
    size_t i, k;

    for (i = 0; i < c->m.n_role_fields; i++)
        if (strcmp(c->m.role_fields[i].role, role) == 0) {
            *is_default = 0;
            for (k = 0; k < c->m.role_fields[i].n_paths; k++)
                if (each(ctx, c->m.role_fields[i].paths[k]) != 0)
                    break;
            return 0;
        }
    *is_default = 1;
    /* No choice for any role, every field shown: the plugin's defaults. */
    defaults.show_metadata = 1;
    roles[0] = role;
    rec.sourced_id = "field-defaults";
    rec.role = role;
    rec.roles = roles;
    rec.n_roles = 1;
    return conn->apply_mappings(inst, &rec, &defaults, probe_user, &p, &err) == SIS_OK ? 0 : -1;
}
