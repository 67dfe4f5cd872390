/*
 * userpage.c - mapping configuration and the users table.  A user row is
 * rewritten only when its mapped content changes (a hash of the row), so a
 * re-run of an unchanged roster writes nothing.
 */
#include "userpage.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "record_codec.h"

static const char *keep(mh_mapping_cfg *c, const unsigned char *s)
{
    char *d = strdup(s != NULL ? (const char *)s : "");
    if (c->n_strings == c->cap_strings) {
        c->cap_strings = c->cap_strings ? c->cap_strings * 2 : 64;
        c->strings = realloc(c->strings, c->cap_strings * sizeof *c->strings);
    }
    c->strings[c->n_strings++] = d;
    return d;
}

/* Reads (from, to) pairs; n is set to how many. */
static sis_pair *load_pairs(mh_mapping_cfg *c, mh_store *s, const char *sql, int64_t app_id,
                            size_t *n)
{
    sqlite3_stmt *st;
    sis_pair *p = NULL;
    size_t cap = 0;
    *n = 0;
    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
        return NULL;
    sqlite3_bind_int64(st, 1, app_id);
    while (sqlite3_step(st) == SQLITE_ROW) {
        if (*n == cap) {
            cap = cap ? cap * 2 : 16;
            p = realloc(p, cap * sizeof *p);
        }
        p[*n].from = keep(c, sqlite3_column_text(st, 0));
        p[*n].to = keep(c, sqlite3_column_text(st, 1));
        (*n)++;
    }
    sqlite3_finalize(st);
    return p;
}

static void load_field_choices(mh_mapping_cfg *c, mh_store *s, int64_t app_id)
{
    size_t n = 0, i;
    sis_pair *rows = load_pairs(c, s, "SELECT role, paths FROM field_choice WHERE app_id = ?1 "
                                      "ORDER BY role", app_id, &n);
    c->role_fields = calloc(n + 1, sizeof *c->role_fields);
    c->path_lists = calloc(n + 1, sizeof *c->path_lists);
    for (i = 0; i < n; i++) {
        json_object *arr = json_tokener_parse(rows[i].to);
        size_t k, m = json_object_is_type(arr, json_type_array) ? json_object_array_length(arr) : 0;
        const char **paths = calloc(m + 1, sizeof *paths);
        for (k = 0; k < m; k++)
            paths[k] = keep(c, (const unsigned char *)json_object_get_string(
                                   json_object_array_get_idx(arr, k)));
        json_object_put(arr);
        c->path_lists[c->n_path_lists++] = paths;
        c->role_fields[i].role = rows[i].from;
        c->role_fields[i].paths = paths;
        c->role_fields[i].n_paths = m;
    }
    c->m.role_fields = c->role_fields;
    c->m.n_role_fields = n;
    free(rows);
}

int mh_mapping_load(mh_store *s, const mh_app *app, mh_mapping_cfg *c)
{
    char buf[16];
    memset(c, 0, sizeof *c);
    c->m.struct_size = sizeof c->m;
    c->m.show_metadata = mh_store_config_get(s, app->id, "show_metadata", buf, sizeof buf) == 0 &&
                         strcmp(buf, "on") == 0;
    load_field_choices(c, s, app->id);
    if (app->itxm) {
        c->role_map = load_pairs(c, s, "SELECT sis_role, portal_role FROM role_map WHERE app_id = ?1",
                                 app->id, &c->m.n_role_map);
        c->location_map = load_pairs(c, s, "SELECT org_id, location FROM location_map WHERE "
                                           "app_id = ?1", app->id, &c->m.n_location_map);
        c->m.role_map = c->role_map;
        c->m.location_map = c->location_map;
    }
    return 0;
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

static void user_row_free(mh_user_row *row);

int mh_user_writer_open(mh_user_writer *w, mh_store *s, const mh_app *app)
{
    memset(w, 0, sizeof *w);
    w->store = s;
    w->app_id = app->id;
    w->itxm = app->itxm;
    mh_now_iso(w->now, sizeof w->now);
    if (sqlite3_prepare_v3(s->db, "SELECT active, hash FROM users WHERE app_id = ?1 AND "
                           "sourced_id = ?2", -1, SQLITE_PREPARE_PERSISTENT, &w->get, NULL) != SQLITE_OK ||
        sqlite3_prepare_v3(s->db,
                           "INSERT INTO users(app_id, sourced_id, role, active, given_name, "
                           "family_name, email, username, portal_role, locations, fields, flags, "
                           "updated_at, hash) VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14) "
                           "ON CONFLICT(app_id, sourced_id) DO UPDATE SET role=excluded.role, "
                           "active=excluded.active, given_name=excluded.given_name, "
                           "family_name=excluded.family_name, email=excluded.email, "
                           "username=excluded.username, portal_role=excluded.portal_role, "
                           "locations=excluded.locations, fields=excluded.fields, "
                           "flags=excluded.flags, updated_at=excluded.updated_at, hash=excluded.hash",
                           -1, SQLITE_PREPARE_PERSISTENT, &w->put, NULL) != SQLITE_OK)
        return -1;
    return 0;
}

void mh_user_writer_close(mh_user_writer *w)
{
    sqlite3_finalize(w->get);
    sqlite3_finalize(w->put);
    user_row_free(&w->row);
}

static void set_str(mh_str *dst, const char *src)
{
    mh_str_reset(dst);
    mh_str_adds(dst, src != NULL ? src : "");
}

static void encode_user(mh_user_row *row, const sis_host_user *u, int itxm)
{
    size_t i;
    mh_str_reset(&row->fields);
    mh_str_reset(&row->locations);
    mh_str_reset(&row->flags);
    mh_str_add(&row->fields, "{", 1);
    for (i = 0; i < u->n_fields; i++) {
        if (i)
            mh_str_add(&row->fields, ",", 1);
        mh_str_json(&row->fields, u->fields[i].path);
        mh_str_add(&row->fields, ":", 1);
        mh_str_json(&row->fields, u->fields[i].value);
    }
    mh_str_add(&row->fields, "}", 1);
    mh_str_add(&row->locations, "[", 1);
    for (i = 0; i < u->n_locations; i++) {
        if (i)
            mh_str_add(&row->locations, ",", 1);
        mh_str_json(&row->locations, u->locations[i]);
    }
    mh_str_add(&row->locations, "]", 1);
    if (!itxm) {
        mh_str_adds(&row->flags, "{}");  /* no mapping applies to a standard account */
        return;
    }
    mh_str_adds(&row->flags, u->portal_role == NULL ? "{\"roleUnmapped\":true" : "{\"roleUnmapped\":false");
    mh_str_adds(&row->flags, ",\"unmappedOrgs\":[");
    for (i = 0; i < u->n_unmapped_org_ids; i++) {
        if (i)
            mh_str_add(&row->flags, ",", 1);
        mh_str_json(&row->flags, u->unmapped_org_ids[i]);
    }
    mh_str_adds(&row->flags, "]}");
}

static void tally_json(mh_store *s, const char *sql, int64_t app_id, mh_str *out)
{
    sqlite3_stmt *st;
    char num[32];
    int first = 1;
    mh_str_add(out, "{", 1);
    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_int64(st, 1, app_id);
        while (sqlite3_step(st) == SQLITE_ROW) {
            if (!first)
                mh_str_add(out, ",", 1);
            mh_str_json(out, (const char *)sqlite3_column_text(st, 0));
            snprintf(num, sizeof num, ":%lld", (long long)sqlite3_column_int64(st, 1));
            mh_str_adds(out, num);
            first = 0;
        }
    }
    sqlite3_finalize(st);
    mh_str_add(out, "}", 1);
}

void mh_unmapped_json(mh_store *s, const mh_app *app, mh_str *out)
{
    mh_str_adds(out, "\"unmapped_roles\":");
    if (app->itxm)
        tally_json(s, "SELECT role, count(*) FROM users WHERE app_id = ?1 AND active = 1 AND "
                      "portal_role IS NULL GROUP BY role ORDER BY role", app->id, out);
    else
        mh_str_adds(out, "{}");
    mh_str_adds(out, ",\"unmapped_orgs\":");
    if (app->itxm)
        tally_json(s, "SELECT j.value, count(*) FROM users u, json_each(u.flags, '$.unmappedOrgs') j "
                      "WHERE u.app_id = ?1 AND u.active = 1 GROUP BY j.value ORDER BY j.value",
                   app->id, out);
    else
        mh_str_adds(out, "{}");
}

static uint64_t user_hash(const mh_user_row *row)
{
    const mh_str *parts[] = {&row->fields, &row->locations, &row->flags, &row->role,
                             &row->given_name, &row->family_name, &row->email, &row->username,
                             &row->portal_role};
    uint64_t h = 1469598103934665603ULL;
    size_t i;
    for (i = 0; i < sizeof parts / sizeof parts[0]; i++)
        h = h * 1099511628211ULL ^ mh_hash64(parts[i]->data ? parts[i]->data : "", parts[i]->len);
    return (h * 4) ^ (uint64_t)(row->has_portal_role * 2) ^ (uint64_t)(row->active != 0);
}

static void user_row_fill(mh_user_row *row, const sis_host_user *u, int itxm)
{
    set_str(&row->sourced_id, u->sourced_id);
    set_str(&row->role, u->role);
    set_str(&row->given_name, u->given_name);
    set_str(&row->family_name, u->family_name);
    set_str(&row->email, u->email);
    set_str(&row->username, u->username);
    set_str(&row->portal_role, u->portal_role);
    row->has_portal_role = u->portal_role != NULL;
    row->active = u->active != 0;
    encode_user(row, u, itxm);
    row->hash = user_hash(row);
}

static void user_row_free(mh_user_row *row)
{
    mh_str *all[] = {&row->sourced_id, &row->role, &row->given_name, &row->family_name,
                     &row->email, &row->username, &row->portal_role, &row->fields,
                     &row->locations, &row->flags};
    size_t i;
    for (i = 0; i < sizeof all / sizeof all[0]; i++)
        mh_str_free(all[i]);
}

#define TEXT(st, i, str) sqlite3_bind_text(st, i, (str)->data ? (str)->data : "", (int)(str)->len, SQLITE_STATIC)

static int user_store(mh_user_writer *w, const mh_user_row *row)
{
    int exists = 0, old_active = 0, rc;
    sqlite3_int64 old_hash = 0;

    if (!w->known_new) {
        sqlite3_bind_int64(w->get, 1, w->app_id);
        TEXT(w->get, 2, &row->sourced_id);
        exists = sqlite3_step(w->get) == SQLITE_ROW;
        if (exists) {
            old_active = sqlite3_column_int(w->get, 0);
            old_hash = sqlite3_column_int64(w->get, 1);
        }
        sqlite3_reset(w->get);
    }
    if (exists && old_hash == (sqlite3_int64)row->hash) {
        w->counts.unchanged++;
        return SIS_OK;
    }
    sqlite3_bind_int64(w->put, 1, w->app_id);
    TEXT(w->put, 2, &row->sourced_id);
    TEXT(w->put, 3, &row->role);
    sqlite3_bind_int(w->put, 4, row->active);
    TEXT(w->put, 5, &row->given_name);
    TEXT(w->put, 6, &row->family_name);
    TEXT(w->put, 7, &row->email);
    TEXT(w->put, 8, &row->username);
    if (row->has_portal_role)
        TEXT(w->put, 9, &row->portal_role);
    else
        sqlite3_bind_null(w->put, 9);
    TEXT(w->put, 10, &row->locations);
    TEXT(w->put, 11, &row->fields);
    TEXT(w->put, 12, &row->flags);
    sqlite3_bind_text(w->put, 13, w->now, -1, SQLITE_STATIC);
    sqlite3_bind_int64(w->put, 14, (sqlite3_int64)row->hash);
    rc = sqlite3_step(w->put);
    sqlite3_reset(w->put);
    if (rc != SQLITE_DONE)
        return SIS_ERR_SINK;
    if (!exists)
        w->counts.created++;
    else
        w->counts.updated++;
    if (exists && old_active && !row->active)
        w->counts.deactivated++;
    if (exists && !old_active && row->active)
        w->counts.reactivated++;
    return SIS_OK;
}

int mh_user_write(void *ctx, const sis_host_user *u)
{
    mh_user_writer *w = ctx;
    /* The plugin built it: read nothing beyond what it says it has. */
    if (u == NULL || !SIS_HAS_MEMBER(u, sis_host_user, n_unmapped_org_ids))
        return SIS_ERR_ABI;
    user_row_fill(&w->row, u, w->itxm);
    return user_store(w, &w->row);
}

int mh_reapply_mappings(mh_store *s, const mh_app *app, const sis_connector *conn,
                        sis_instance *inst, mh_user_counts *counts)
{
    mh_mapping_cfg cfg;
    mh_user_writer w;
    sqlite3_stmt *st = NULL;
    sis_error err = SIS_ERROR_LOCAL;
    char msg[512];
    int rc = 0;

    if (mh_store_exec(s, "BEGIN IMMEDIATE", msg, sizeof msg) != 0) {
        fprintf(stderr, "mock-host: %s\n", msg);
        return -1;
    }
    mh_mapping_load(s, app, &cfg);
    if (mh_user_writer_open(&w, s, app) != 0 ||
        sqlite3_prepare_v2(s->db, "SELECT sourced_id, status, enabled, modified, body FROM "
                           "sis_records WHERE app_id = ?1 AND present = 1", -1, &st, NULL) != SQLITE_OK)
        rc = -1;
    if (rc == 0)
        sqlite3_bind_int64(st, 1, app->id);
    while (rc == 0 && sqlite3_step(st) == SQLITE_ROW) {
        mh_decoded d;
        if (mh_record_decode(&d, (const char *)sqlite3_column_text(st, 0), sqlite3_column_int(st, 1),
                             sqlite3_column_int(st, 2), (const char *)sqlite3_column_text(st, 3),
                             (const char *)sqlite3_column_text(st, 4)) == 0 &&
            conn->apply_mappings(inst, &d.rec, &cfg.m, mh_user_write, &w, &err) != SIS_OK) {
            fprintf(stderr, "mock-host: mapping failed: %s\n", err.message);
            rc = -1;
        }
        mh_decoded_free(&d);
    }
    sqlite3_finalize(st);
    *counts = w.counts;
    mh_user_writer_close(&w);
    mh_mapping_free(&cfg);
    if (mh_store_exec(s, rc == 0 ? "COMMIT" : "ROLLBACK", msg, sizeof msg) != 0)
        rc = -1;
    return rc;
}
