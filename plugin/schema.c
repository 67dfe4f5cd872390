/*
 * schema.c - the field catalogue comes from the data, not from a list:
 * metadata keys are whatever the district configured, and a key on 3% of
 * students must still be found, so each role is sampled on its own
 * (role-filtered requests), up to CL_SCHEMA_SAMPLE users per role.
 */
#include "schema.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "cl_error.h"
#include "conn.h"
#include "instance.h"
#include "pager.h"
#include "record_map.h"

#define MAX_PATHS 1000
#define MAX_ROLES 32

static const char *const roles_11[] = {"administrator", "aide", "guardian", "parent",
                                       "proctor", "relative", "student", "teacher"};

static const struct { const char *path, *label; } labels[] = {
    {"givenName", "First name"}, {"familyName", "Last name"}, {"middleName", "Middle name"},
    {"preferredFirstName", "Preferred first name"}, {"preferredLastName", "Preferred last name"},
    {"email", "Email"}, {"username", "Username"}, {"identifier", "Identifier"},
    {"grades", "Grades"}, {"userIds", "User IDs"}, {"sms", "SMS"}, {"phone", "Phone"},
    {"agents", "Agents (guardians and relatives)"}, {"pronouns", "Pronouns"},
    {"userMasterIdentifier", "Master identifier"},
};

const char *cl_field_label(const char *path)
{
    size_t i;
    for (i = 0; i < sizeof labels / sizeof labels[0]; i++)
        if (strcmp(labels[i].path, path) == 0)
            return labels[i].label;
    return NULL;
}

typedef struct path_stat {
    char *path;
    sis_field_type type;
    int typed;             /* a type was seen */
    uint64_t filled;
} path_stat;

typedef struct role_stat {
    char role[64];
    uint64_t count;        /* X-Total-Count, or sampled when unknown */
    uint64_t sampled;
    path_stat paths[MAX_PATHS];
    size_t n_paths;
} role_stat;

typedef struct schema_ctx {
    role_stat *roles;
    size_t n_roles;
    const char *only_role;  /* role-filtered pass: records count for this role */
    uint64_t truncated;     /* paths over MAX_PATHS, dropped */
} schema_ctx;

static role_stat *role_for(schema_ctx *s, const char *role)
{
    size_t i;
    for (i = 0; i < s->n_roles; i++)
        if (strcmp(s->roles[i].role, role) == 0)
            return &s->roles[i];
    if (s->n_roles >= MAX_ROLES)
        return NULL;
    snprintf(s->roles[s->n_roles].role, sizeof s->roles[0].role, "%s", role);
    return &s->roles[s->n_roles++];
}

static int looks_like_date(const char *v)
{
    return strlen(v) >= 10 && isdigit((unsigned char)v[0]) && isdigit((unsigned char)v[3]) &&
           v[4] == '-' && isdigit((unsigned char)v[5]) && v[7] == '-' && isdigit((unsigned char)v[8]);
}

static sis_field_type type_of(json_object *v)
{
    switch (json_object_get_type(v)) {
    case json_type_boolean: return SIS_FIELD_BOOLEAN;
    case json_type_int:
    case json_type_double: return SIS_FIELD_NUMBER;
    case json_type_array: return SIS_FIELD_LIST;
    case json_type_object: return SIS_FIELD_OBJECT;
    default: break;
    }
    if (cl_json_bool(v) >= 0)
        return SIS_FIELD_BOOLEAN;  /* ClassLink's "true"/"false" strings */
    if (looks_like_date(json_object_get_string(v)))
        return SIS_FIELD_DATE;
    return SIS_FIELD_STRING;
}

static int is_empty(json_object *v)
{
    return v == NULL || json_object_is_type(v, json_type_null) ||
           (json_object_is_type(v, json_type_string) && json_object_get_string_len(v) == 0) ||
           (json_object_is_type(v, json_type_array) && json_object_array_length(v) == 0);
}

static void note(schema_ctx *s, role_stat *r, const char *path, json_object *v)
{
    size_t i;
    sis_field_type t;
    for (i = 0; i < r->n_paths && strcmp(r->paths[i].path, path) != 0; i++)
        ;
    if (i == r->n_paths) {
        if (r->n_paths >= MAX_PATHS) {
            s->truncated++;
            return;
        }
        r->paths[i].path = strdup(path);
        r->n_paths++;
    }
    if (is_empty(v))
        return;
    r->paths[i].filled++;
    t = type_of(v);
    if (!r->paths[i].typed) {
        r->paths[i].type = t;
        r->paths[i].typed = 1;
    } else if (r->paths[i].type != t) {
        r->paths[i].type = SIS_FIELD_STRING;  /* mixed: show it as text */
    }
}

static int is_structural(const char *k)
{
    return strcmp(k, "sourcedId") == 0 || strcmp(k, "status") == 0 ||
           strcmp(k, "dateLastModified") == 0 || strcmp(k, "role") == 0 ||
           strcmp(k, "roles") == 0 || strcmp(k, "orgs") == 0 || strcmp(k, "primaryOrg") == 0 ||
           strcmp(k, "password") == 0 || strcmp(k, "metadata") == 0 ||
           strcmp(k, "enabledUser") == 0;  /* shown as the user's status, not a field */
}

static int on_user(void *vctx, json_object *u)
{
    schema_ctx *s = vctx;
    json_object *md;
    const char *role = s->only_role;
    role_stat *r;
    char path[300];

    if (role == NULL) {
        cl_record_scratch tmp;
        const char *why;
        cl_record_scratch_init(&tmp);
        role = cl_map_user(&tmp, u, &why) == 0 ? strdup(tmp.rec.role) : NULL;
        cl_record_scratch_free(&tmp);
        if (role == NULL)
            return 0;
        r = role_for(s, role);
        free((char *)role);
    } else {
        r = role_for(s, role);
    }
    if (r == NULL)
        return 0;
    r->sampled++;
    {
        json_object_object_foreach(u, key, val) {
            if (!is_structural(key))
                note(s, r, key, val);
        }
    }
    if (json_object_object_get_ex(u, "metadata", &md) && json_object_is_type(md, json_type_object)) {
        json_object_object_foreach(md, mkey, mval) {
            snprintf(path, sizeof path, "metadata.%s", mkey);
            note(s, r, path, mval);
        }
    }
    return 0;
}

static int sample(cl_conn *c, const char *filter, uint64_t max, schema_ctx *s, cl_page_result *pr,
                  sis_error *err)
{
    char url[640];
    cl_collection_handlers h = {s, on_user, NULL};
    cl_page_query q;
    snprintf(url, sizeof url, "%s/users", c->root);
    memset(&q, 0, sizeof q);
    q.url = url;
    q.collection = "users";
    q.filter = filter;
    q.limit = max < (uint64_t)c->page_size ? (long)max : c->page_size;
    q.concurrency = 1;
    q.max_records = max;
    q.max_record_bytes = c->max_record_bytes;
    q.phase = "schema";
    return cl_pager_run(&c->client, &q, &h, pr, err);
}

static int on_org(void *vctx, json_object *o)
{
    const sis_schema_sink *sink = vctx;
    sis_org org;
    const char *why;
    if (cl_map_org(o, &org, &why) != 0 || sink->org == NULL)
        return 0;
    return sink->org(sink->ctx, &org) == SIS_OK ? 0 : -1;
}

static int report(const schema_ctx *s, const sis_schema_sink *sink)
{
    size_t i, k;
    for (i = 0; i < s->n_roles; i++) {
        const role_stat *r = &s->roles[i];
        sis_schema_role sr = {sizeof(sis_schema_role), r->role, r->count};
        if (r->sampled == 0)
            continue;
        if (sink->role != NULL && sink->role(sink->ctx, &sr) != SIS_OK)
            return -1;
        for (k = 0; k < r->n_paths; k++) {
            const path_stat *p = &r->paths[k];
            const char *label = cl_field_label(p->path);
            sis_schema_field f = {sizeof(sis_schema_field), r->role, p->path, label ? label : p->path, p->type,
                                  strncmp(p->path, "metadata.", 9) == 0, p->filled, r->sampled};
            if (sink->field != NULL && sink->field(sink->ctx, &f) != SIS_OK)
                return -1;
        }
    }
    return 0;
}

static void free_stats(schema_ctx *s)
{
    size_t i, k;
    for (i = 0; i < s->n_roles; i++)
        for (k = 0; k < s->roles[i].n_paths; k++)
            free(s->roles[i].paths[k].path);
    free(s->roles);
}

/* 1.1: one role-filtered sample per role; 1.2 (roles[] cannot be filtered
 * portably) or a server refusing the role filter: one broad sample. */
static int sample_roles(cl_conn *c, schema_ctx *s, sis_error *err)
{
    cl_page_result pr;
    char filter[96];
    size_t i;
    int rc = SIS_OK;

    for (i = 0; !c->version12 && i < sizeof roles_11 / sizeof roles_11[0]; i++) {
        role_stat *r;
        snprintf(filter, sizeof filter, "role='%s'", roles_11[i]);
        s->only_role = roles_11[i];
        rc = sample(c, filter, CL_SCHEMA_SAMPLE, s, &pr, err);
        if (rc != SIS_OK)
            break;
        r = role_for(s, roles_11[i]);
        if (r != NULL)
            r->count = pr.total >= 0 ? (uint64_t)pr.total : r->sampled;
    }
    s->only_role = NULL;
    if (c->version12 || (rc == SIS_ERR_PROTOCOL && strstr(err->message, "filter") != NULL)) {
        rc = sample(c, NULL, (uint64_t)CL_SCHEMA_SAMPLE * 10, s, &pr, err);
        for (i = 0; i < s->n_roles; i++)
            s->roles[i].count = UINT64_MAX;  /* counts of a broad sample are not totals */
    }
    return rc;
}

int cl_discover_schema(sis_instance *inst, const sis_schema_sink *sink, sis_error *err)
{
    cl_conn c;
    schema_ctx s;
    cl_page_result pr;
    cl_collection_handlers oh = {(void *)sink, on_org, NULL};
    cl_page_query q;
    char url[640];
    int rc;

    memset(&s, 0, sizeof s);
    rc = cl_conn_load(&c, inst->host, inst->app, err);
    if (rc != SIS_OK)
        return rc;
    s.roles = calloc(MAX_ROLES, sizeof *s.roles);
    if (s.roles == NULL) {
        cl_conn_clear(&c);
        return cl_fail(err, SIS_ERR_NOMEM, "out of memory");
    }
    rc = sample_roles(&c, &s, err);
    if (rc == SIS_OK) {
        snprintf(url, sizeof url, "%s/orgs", c.root);
        memset(&q, 0, sizeof q);
        q.url = url;
        q.collection = "orgs";
        q.limit = c.page_size;
        q.concurrency = c.concurrency;
        q.max_record_bytes = c.max_record_bytes;
        q.phase = "orgs";
        rc = cl_pager_run(&c.client, &q, &oh, &pr, err);
    }
    if (rc == SIS_OK && report(&s, sink) != 0)
        rc = cl_fail(err, SIS_ERR_SINK, "the host refused the field catalogue");
    if (rc == SIS_OK && s.truncated > 0) {
        char msg[160];
        snprintf(msg, sizeof msg, "more than %d distinct fields in one role; %llu field "
                 "occurrences beyond that were not catalogued", MAX_PATHS,
                 (unsigned long long)s.truncated);
        inst->host->log(inst->app, SIS_LOG_WARN, msg);
    }
    free_stats(&s);
    cl_conn_clear(&c);
    return rc;
}
