/*
 * userpage.c - writing the Users page.  A user row is rewritten only when
 * its mapped content changes (a hash of the row), so a re-run of an
 * unchanged roster writes nothing.  Storage is store_users.c's.
 */
#include "userpage.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "record_codec.h"

static void user_row_free(mh_user_row *row);

int mh_user_writer_open(mh_user_writer *w, mh_store *s, const mh_app *app)
{
    memset(w, 0, sizeof *w);
    w->itxm = app->itxm;
    mh_now_iso(w->now, sizeof w->now);
    return mh_user_rows_open(&w->rows, s, app->id);
}

void mh_user_writer_close(mh_user_writer *w)
{
    mh_user_rows_close(w->rows);
    w->rows = NULL;
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

void mh_unmapped_json(mh_store *s, const mh_app *app, mh_str *out)
{
    mh_store_unmapped_json(s, app->id, app->itxm, out);
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

static int user_store(mh_user_writer *w, const mh_user_row *row)
{
    int exists = 0, old_active = 0;
    uint64_t old_hash = 0;

    if (!w->known_new) {
        exists = mh_user_rows_get(w->rows, &row->sourced_id, &old_active, &old_hash);
        if (exists < 0)
            return SIS_ERR_SINK;
    }
    if (exists && old_hash == row->hash) {
        w->counts.unchanged++;
        return SIS_OK;
    }
    if (mh_user_rows_put(w->rows, row, w->now) != 0)
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
    char msg[512];
    int rc;
    if (mh_store_begin(s, msg, sizeof msg) != 0) {
        fprintf(stderr, "mock-host: %s\n", msg);
        return -1;
    }
    rc = mh_reapply_mappings_in(s, app, conn, inst, counts);
    if (rc != 0)
        mh_store_rollback(s);
    else if (mh_store_commit(s, msg, sizeof msg) != 0)
        rc = -1;
    return rc;
}

typedef struct reapply_ctx {
    sis_instance *inst;
    const sis_connector *conn;
    mh_mapping_cfg *cfg;
    mh_user_writer *w;
} reapply_ctx;

static int reapply_one(void *vctx, const mh_stored_record *rec)
{
    reapply_ctx *c = vctx;
    sis_error err = SIS_ERROR_LOCAL;
    mh_decoded d;
    int rc = 0;
    if (mh_record_decode(&d, rec->sourced_id, rec->status, rec->enabled, rec->modified,
                         rec->body) == 0 &&
        c->conn->apply_mappings(c->inst, &d.rec, &c->cfg->m, mh_user_write, c->w, &err) != SIS_OK) {
        fprintf(stderr, "mock-host: mapping failed: %s\n", err.message);
        rc = 1;
    }
    mh_decoded_free(&d);
    return rc;
}

int mh_reapply_mappings_in(mh_store *s, const mh_app *app, const sis_connector *conn,
                           sis_instance *inst, mh_user_counts *counts)
{
    mh_mapping_cfg cfg;
    mh_user_writer w;
    reapply_ctx c = {inst, conn, &cfg, &w};
    int rc = 0;

    mh_mapping_load(s, app, &cfg);
    if (mh_user_writer_open(&w, s, app) != 0 || mh_store_records_each(s, app->id, reapply_one, &c) != 0)
        rc = -1;
    *counts = w.counts;
    mh_user_writer_close(&w);
    mh_mapping_free(&cfg);
    return rc;
}
