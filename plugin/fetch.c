/*
 * fetch.c - a full or delta read of a district: orgs first (so the host can
 * resolve memberships), then users (parsed and mapped on the pager's parse
 * thread, handed to the host on the calling thread).  Records go to the
 * host one at a time; the new delta watermark is the largest
 * dateLastModified seen in the data, never this machine's clock.
 */
#include "fetch.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cl_error.h"
#include "cl_text.h"
#include "conn.h"
#include "instance.h"
#include "iso_time.h"
#include "pager.h"
#include "record_map.h"
#include "url.h"

/* The fields a host user can be built from; other fields the mapping asks
 * for are added to the projection. */
static const char *const base_fields_11 =
    "sourcedId,status,dateLastModified,enabledUser,role,orgs,givenName,familyName,email,username";
static const char *const base_fields_12 =
    "sourcedId,status,dateLastModified,enabledUser,roles,primaryOrg,givenName,familyName,email,"
    "username";

typedef struct fetch_ctx {
    sis_instance *inst;
    const sis_sink *sink;
    cl_record_scratch scratch;        /* the calling thread's */
    cl_record_scratch parse_scratch;  /* the parse thread's (users) */
    long long max_modified_ms;
    int sink_failed;
} fetch_ctx;

static int on_org(void *vctx, json_object *item)
{
    fetch_ctx *ctx = vctx;
    sis_org org;
    const char *why = NULL;
    if (cl_map_org(item, &org, &why) != 0)
        return ctx->sink->invalid ? ctx->sink->invalid(ctx->sink->ctx, NULL, why) : 0;
    if (ctx->sink->org == NULL)
        return 0;
    if (ctx->sink->org(ctx->sink->ctx, &org) != SIS_OK) {
        ctx->sink_failed = 1;
        return -1;
    }
    return 0;
}

/* The record in ctx->scratch (mapped == 0) to the host's sink, or the
 * reason it was refused (`id` NULL when it had none) to sink->invalid. */
static int to_host(fetch_ctx *ctx, int mapped, const char *id, const char *why)
{
    long long ms;
    if (mapped != 0)
        return ctx->sink->invalid ? ctx->sink->invalid(ctx->sink->ctx, id, why) : 0;
    ms = cl_iso_to_ms(ctx->scratch.rec.modified);
    if (ms > ctx->max_modified_ms)
        ctx->max_modified_ms = ms;
    if (ctx->sink->record(ctx->sink->ctx, &ctx->scratch.rec) != SIS_OK) {
        ctx->sink_failed = 1;
        return -1;
    }
    return 0;
}

static int on_user(void *vctx, json_object *item)
{
    fetch_ctx *ctx = vctx;
    const char *why = NULL;
    json_object *id;
    int mapped = cl_map_user(&ctx->scratch, item, &why);
    const char *sid = mapped != 0 && json_object_object_get_ex(item, "sourcedId", &id) &&
                              json_object_is_type(id, json_type_string)
                          ? json_object_get_string(id) : NULL;
    return to_host(ctx, mapped, sid, why);
}

/* Users are parsed and mapped on the pager's parse thread (encode_user);
 * deliver_user hands each to the host on the calling thread. */
static int encode_user(void *scratch, json_object *item, cl_buf *out)
{
    return cl_map_user_flat(scratch, item, out);
}

static int deliver_user(void *vctx, const char *id, const char *data, size_t len)
{
    fetch_ctx *ctx = vctx;
    const char *why = NULL;
    int mapped = cl_flat_user(&ctx->scratch, data, len, &why);
    return to_host(ctx, mapped, id[0] ? id : NULL, why);
}

static int on_invalid(void *vctx, const char *reason)
{
    fetch_ctx *ctx = vctx;
    return ctx->sink->invalid ? ctx->sink->invalid(ctx->sink->ctx, NULL, reason) : 0;
}

/* fields= for users: the base fields plus the top level of each path. */
static char *projection(const cl_conn *c, const sis_fetch_request *req)
{
    cl_buf b;
    size_t i;
    if (req->paths == NULL)
        return NULL;
    cl_buf_init(&b, 64 * 1024);
    cl_buf_adds(&b, c->version12 ? base_fields_12 : base_fields_11);
    for (i = 0; i < req->n_paths; i++) {
        char top[128];
        size_t n = strcspn(req->paths[i], ".");
        char needle[132];
        snprintf(top, sizeof top, "%.*s", (int)n, req->paths[i]);
        snprintf(needle, sizeof needle, ",%s,", top);
        if (top[0] == '\0' || strcmp(top, "password") == 0)
            continue;
        /* skip what is there already */
        {
            char *hay;
            int dup;
            if (asprintf(&hay, ",%s,", b.data) < 0)
                continue;
            dup = strstr(hay, needle) != NULL;
            free(hay);
            if (dup)
                continue;
        }
        cl_buf_addf(&b, ",%s", top);
    }
    return cl_buf_take(&b);
}

static int read_collection(cl_conn *c, const char *path, const char *collection, const char *phase,
                           const char *filter, const char *fields,
                           int (*item)(void *, json_object *), fetch_ctx *ctx, cl_page_result *pr,
                           sis_error *err)
{
    char url[640];
    cl_collection_handlers h = {ctx, item, on_invalid};
    cl_page_query q;
    int rc = cl_url_format(url, sizeof url, err, "%s%s", c->root, path);
    if (rc != SIS_OK)
        return rc;
    memset(&q, 0, sizeof q);
    q.url = url;
    q.collection = collection;
    q.filter = filter;
    q.fields = fields;
    q.limit = c->page_size;
    q.concurrency = c->concurrency;
    q.max_record_bytes = c->max_record_bytes;
    q.phase = phase;
    if (item == on_user) {
        q.encode = encode_user;
        q.encode_ctx = &ctx->parse_scratch;
        q.deliver = deliver_user;
    }
    return cl_pager_run(&c->client, &q, &h, pr, err);
}

/* dateLastModified>'watermark - overlap', at full precision. */
static int delta_filter(const cl_conn *c, const char *watermark, char *out, size_t cap,
                        sis_error *err)
{
    long long ms = cl_iso_to_ms(watermark);
    char iso[40];
    if (ms < 0)
        return cl_fail(err, SIS_ERR_INVALID_ARG, "the delta watermark \"%.60s\" is not a UTC "
                       "time; run a full sync", watermark ? watermark : "");
    cl_ms_to_iso(ms - c->delta_overlap_s * 1000, iso, sizeof iso);
    snprintf(out, cap, "dateLastModified>'%s'", iso);
    return SIS_OK;
}

static void fill_result(sis_fetch_result *res, const cl_conn *c, const cl_page_result *orgs,
                        const cl_page_result *users, const fetch_ctx *ctx,
                        const sis_fetch_request *req)
{
    res->orgs = orgs->records;
    res->records = users->records;
    res->invalid = orgs->invalid + users->invalid;
    res->requests = c->client.requests;
    res->retries = c->client.retries;
    res->bytes = c->client.bytes;
    res->complete = orgs->complete && users->complete;
    if (!orgs->complete)
        cl_text_setf(&res->incomplete_reason, "orgs: %s", orgs->reason);
    else if (!users->complete)
        cl_text_setf(&res->incomplete_reason, "users: %s", users->reason);
    if (ctx->max_modified_ms > 0) {
        long long old = req->mode == SIS_FETCH_DELTA ? cl_iso_to_ms(req->watermark) : -1;
        char mark[40];
        cl_ms_to_iso(ctx->max_modified_ms > old ? ctx->max_modified_ms : old, mark, sizeof mark);
        sis_text_set(&res->watermark, mark);
    } else if (req->mode == SIS_FETCH_DELTA && req->watermark != NULL) {
        sis_text_set(&res->watermark, req->watermark);
    }
}

int cl_fetch_users(sis_instance *inst, const sis_fetch_request *req, const sis_sink *sink,
                   sis_fetch_result *res, sis_error *err)
{
    cl_conn c;
    fetch_ctx ctx;
    cl_page_result orgs, users;
    char filter[128], *fields = NULL;
    int rc, delta = req->mode == SIS_FETCH_DELTA;

    memset(&orgs, 0, sizeof orgs);
    memset(&users, 0, sizeof users);
    if (sink == NULL || sink->record == NULL)
        return cl_fail(err, SIS_ERR_INVALID_ARG, "fetch_users needs a sink with a record callback");
    rc = cl_conn_load(&c, inst->host, inst->app, err);
    if (rc == SIS_OK && delta)
        rc = delta_filter(&c, req->watermark, filter, sizeof filter, err);
    if (rc != SIS_OK) {
        cl_conn_clear(&c);
        return rc;
    }
    memset(&ctx, 0, sizeof ctx);
    ctx.inst = inst;
    ctx.sink = sink;
    ctx.max_modified_ms = -1;
    cl_record_scratch_init(&ctx.scratch);
    cl_record_scratch_init(&ctx.parse_scratch);
    rc = read_collection(&c, "/orgs", "orgs", "orgs", NULL, NULL, on_org, &ctx, &orgs, err);
    if (rc == SIS_OK) {
        fields = projection(&c, req);
        rc = read_collection(&c, "/users", "users", "users", delta ? filter : NULL, fields, on_user,
                             &ctx, &users, err);
        if (rc == SIS_ERR_PROTOCOL && fields != NULL && strstr(err->message, "invalid_selection_field")) {
            inst->host->log(inst->app, SIS_LOG_WARN, "the server refused the field projection; "
                            "reading every field instead");
            memset(&users, 0, sizeof users);
            rc = read_collection(&c, "/users", "users", "users", delta ? filter : NULL, NULL,
                                 on_user, &ctx, &users, err);
        }
    }
    if (rc != SIS_OK && ctx.sink_failed)
        rc = cl_fail(err, SIS_ERR_SINK, "the host stopped accepting records");
    fill_result(res, &c, &orgs, &users, &ctx, req);
    if (rc != SIS_OK)
        res->complete = 0;
    free(fields);
    cl_record_scratch_free(&ctx.scratch);
    cl_record_scratch_free(&ctx.parse_scratch);
    cl_conn_clear(&c);
    return rc;
}
