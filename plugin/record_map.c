#include "record_map.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* Fields with a slot of their own in sis_record, and fields never kept. */
static int is_structural(const char *k)
{
    switch (k[0]) {  /* called for every field of every record: look at the first letter */
    case 's': return strcmp(k, "sourcedId") == 0 || strcmp(k, "status") == 0;
    case 'd': return strcmp(k, "dateLastModified") == 0;
    case 'r': return strcmp(k, "role") == 0 || strcmp(k, "roles") == 0;
    case 'o': return strcmp(k, "orgs") == 0;
    case 'p': return strcmp(k, "primaryOrg") == 0 || strcmp(k, "password") == 0;
    case 'e': return strcmp(k, "enabledUser") == 0;
    default: return 0;
    }
}

void cl_record_scratch_init(cl_record_scratch *s)
{
    memset(s, 0, sizeof *s);
    cl_buf_init(&s->arena, 32u << 20);
}

void cl_record_scratch_free(cl_record_scratch *s)
{
    cl_buf_free(&s->arena);
}

/* Appends a NUL-terminated string to the arena; its offset in *off. */
static int put(cl_record_scratch *s, const char *str, size_t len, size_t *off)
{
    *off = s->arena.len;
    return cl_buf_add(&s->arena, str, len) == 0 && cl_buf_add(&s->arena, "", 1) == 0 ? 0 : -1;
}

int cl_json_bool(json_object *v)
{
    const char *s;
    if (v == NULL)
        return -1;
    if (json_object_is_type(v, json_type_boolean))
        return json_object_get_boolean(v);
    if (!json_object_is_type(v, json_type_string))
        return -1;
    s = json_object_get_string(v);
    if (strcasecmp(s, "true") == 0)
        return 1;
    if (strcasecmp(s, "false") == 0)
        return 0;
    return -1;
}

static const char *str_member(json_object *o, const char *k)
{
    json_object *v;
    if (o != NULL && json_object_object_get_ex(o, k, &v) && json_object_is_type(v, json_type_string))
        return json_object_get_string(v);
    return NULL;
}

/* a, b and c one after the other in tmp, cut to cap - 1 bytes (as
 * snprintf would, without its cost for every record). */
static const char *join(char *tmp, size_t cap, const char *a, const char *b, const char *c)
{
    const char *parts[3] = {a, b, c};
    size_t len = 0, n, i;
    for (i = 0; i < 3; i++) {
        n = strlen(parts[i]);
        if (n > cap - 1 - len)
            n = cap - 1 - len;
        memcpy(tmp + len, parts[i], n);
        len += n;
    }
    tmp[len] = '\0';
    return tmp;
}

/* One element of a list, as text: strings as they are, GUIDRefs by
 * sourcedId, userIds as type:identifier. */
static const char *element_text(json_object *e, char *tmp, size_t cap)
{
    const char *id, *type;
    if (json_object_is_type(e, json_type_string))
        return json_object_get_string(e);
    if (json_object_is_type(e, json_type_object)) {
        if ((id = str_member(e, "sourcedId")) != NULL)
            return id;
        if ((id = str_member(e, "identifier")) != NULL) {
            type = str_member(e, "type");
            return join(tmp, cap, type ? type : "", type ? ":" : "", id);
        }
    }
    return json_object_to_json_string_ext(e, JSON_C_TO_STRING_PLAIN);
}

static int add_field(cl_record_scratch *s, const char *path, json_object *v)
{
    char tmp[256];
    size_t i, n, start;
    int b;

    if (s->n_fields >= CL_MAX_FIELDS)
        return -1;
    if (put(s, path, strlen(path), &s->field_off[s->n_fields][0]) != 0)
        return -1;
    start = s->arena.len;
    if (v == NULL || json_object_is_type(v, json_type_null)) {
        /* nothing: an empty value */
    } else if (json_object_is_type(v, json_type_array)) {
        n = json_object_array_length(v);
        for (i = 0; i < n; i++) {
            const char *t = element_text(json_object_array_get_idx(v, i), tmp, sizeof tmp);
            if ((i > 0 && cl_buf_add(&s->arena, ", ", 2) != 0) || cl_buf_adds(&s->arena, t) != 0)
                return -1;
        }
    } else if (json_object_is_type(v, json_type_boolean)) {
        /* (tested before the string case: cl_json_bool on every string
         * value cost two strcasecmp per field) */
        if (cl_buf_adds(&s->arena, json_object_get_boolean(v) ? "true" : "false") != 0)
            return -1;
    } else if (json_object_is_type(v, json_type_string) &&
               (json_object_get_string_len(v) == 4 || json_object_get_string_len(v) == 5) &&
               (b = cl_json_bool(v)) >= 0) {
        if (cl_buf_adds(&s->arena, b ? "true" : "false") != 0)  /* "True" -> "true" */
            return -1;
    } else if (json_object_is_type(v, json_type_object)) {
        if (cl_buf_adds(&s->arena, json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN)) != 0)
            return -1;
    } else if (json_object_is_type(v, json_type_string)) {
        /* json-c knows the length: no strlen over every value */
        if (cl_buf_add(&s->arena, json_object_get_string(v), (size_t)json_object_get_string_len(v)) != 0)
            return -1;
    } else if (cl_buf_adds(&s->arena, json_object_get_string(v)) != 0) {
        return -1;
    }
    s->field_off[s->n_fields][1] = start;
    if (cl_buf_add(&s->arena, "", 1) != 0)
        return -1;
    /* A list also crosses element by element, so nothing is lost to the
     * ", " of its display text. */
    s->field_items[s->n_fields][0] = s->n_items;
    s->field_items[s->n_fields][1] = 0;
    if (v != NULL && json_object_is_type(v, json_type_array)) {
        n = json_object_array_length(v);
        if (s->n_items + n > CL_MAX_ITEMS)
            return -1;
        for (i = 0; i < n; i++) {
            const char *t = element_text(json_object_array_get_idx(v, i), tmp, sizeof tmp);
            if (put(s, t, strlen(t), &s->item_off[s->n_items++]) != 0)
                return -1;
        }
        s->field_items[s->n_fields][1] = n;
    }
    s->n_fields++;
    return 0;
}

static int add_org(cl_record_scratch *s, json_object *ref)
{
    const char *id = json_object_is_type(ref, json_type_string) ? json_object_get_string(ref)
                                                               : str_member(ref, "sourcedId");
    size_t i;
    if (id == NULL || id[0] == '\0')
        return 0;
    for (i = 0; i < s->n_orgs; i++)
        if (strcmp(s->arena.data + s->org_off[i], id) == 0)
            return 0;
    if (s->n_orgs >= CL_MAX_ORGS)
        return -1;  /* refused whole (roles_and_orgs says why): never a cut list of locations */
    return put(s, id, strlen(id), &s->org_off[s->n_orgs++]);
}

static int add_role(cl_record_scratch *s, const char *role)
{
    size_t i;
    for (i = 0; i < s->n_roles; i++)
        if (strcmp(s->arena.data + s->role_off[i], role) == 0)
            return 0;
    if (s->n_roles >= CL_MAX_ROLES)
        return 0;
    return put(s, role, strlen(role), &s->role_off[s->n_roles++]);
}

/* 1.1 `role` + `orgs`, or 1.2 `roles[]` (primary first) + `primaryOrg`. */
static int roles_and_orgs(cl_record_scratch *s, json_object *u, const char **why)
{
    json_object *roles, *orgs, *primary;
    const char *role = str_member(u, "role");
    size_t i, n;
    int pass;

    if (json_object_object_get_ex(u, "primaryOrg", &primary) && add_org(s, primary) != 0)
        return -1;
    if (json_object_object_get_ex(u, "roles", &roles) && json_object_is_type(roles, json_type_array)) {
        n = json_object_array_length(roles);
        for (pass = 0; pass < 2; pass++)  /* primary roles first */
            for (i = 0; i < n; i++) {
                json_object *r = json_object_array_get_idx(roles, i), *org;
                const char *rt = str_member(r, "roleType"), *name = str_member(r, "role");
                if (name == NULL || (pass == 0) != (rt != NULL && strcmp(rt, "primary") == 0))
                    continue;
                if (add_role(s, name) != 0)
                    return -1;
                if (json_object_object_get_ex(r, "org", &org) && add_org(s, org) != 0)
                    return -1;
            }
    }
    if (role != NULL && role[0] != '\0' && add_role(s, role) != 0)
        return -1;
    if (json_object_object_get_ex(u, "orgs", &orgs) && json_object_is_type(orgs, json_type_array))
        for (i = 0; i < json_object_array_length(orgs); i++)
            if (add_org(s, json_object_array_get_idx(orgs, i)) != 0)
                return -1;
    if (s->n_roles == 0) {
        *why = "record without a role";
        return -1;
    }
    return 0;
}

static int map_fields(cl_record_scratch *s, json_object *u)
{
    char path[256];
    json_object_object_foreach(u, key, val) {
        if (is_structural(key))
            continue;
        if (strcmp(key, "metadata") == 0 && json_object_is_type(val, json_type_object)) {
            json_object_object_foreach(val, mkey, mval) {
                if (add_field(s, join(path, sizeof path, "metadata.", mkey, ""), mval) != 0)
                    return -1;
            }
        } else if (add_field(s, key, val) != 0) {
            return -1;
        }
    }
    return 0;
}

/* Maps u's strings onto the end of s->arena, recording offsets; the
 * arena may move, so pointers are made afterwards. */
static int map_user(cl_record_scratch *s, json_object *u, const char **why)
{
    const char *id = str_member(u, "sourcedId"), *status = str_member(u, "status");
    const char *modified = str_member(u, "dateLastModified");
    json_object *enabled;

    *why = NULL;
    s->n_fields = s->n_roles = s->n_orgs = s->n_items = 0;
    if (id == NULL || id[0] == '\0') {
        *why = "record without a sourcedId";
        return -1;
    }
    memset(&s->rec, 0, sizeof s->rec);
    s->rec.struct_size = sizeof s->rec;
    if (status == NULL || strcmp(status, "active") == 0) {
        s->rec.status = SIS_RECORD_ACTIVE;
    } else if (strcmp(status, "tobedeleted") == 0 || strcmp(status, "inactive") == 0) {
        s->rec.status = SIS_RECORD_TOBEDELETED;
    } else {
        *why = "record with an unknown status";
        return -1;
    }
    s->rec.enabled = 1;
    if (json_object_object_get_ex(u, "enabledUser", &enabled) && cl_json_bool(enabled) == 0)
        s->rec.enabled = 0;
    if (put(s, id, strlen(id), &s->id_off) != 0 ||
        put(s, modified ? modified : "", modified ? strlen(modified) : 0, &s->modified_off) != 0 ||
        roles_and_orgs(s, u, why) != 0)
        goto too_big;
    if (map_fields(s, u) != 0) {
        *why = s->n_fields >= CL_MAX_FIELDS ? "record with more than 512 fields" : "record too large";
        return -1;
    }
    return 0;
too_big:
    if (*why == NULL)
        *why = s->n_orgs >= CL_MAX_ORGS ? "record with more than 4096 orgs" : "record too large";
    return -1;
}

/* Points s->rec and its arrays at `arena` (len bytes, all the record's
 * strings) through the offsets the scratch holds (the mapping's own arena,
 * or a flat form read back). */
static void point_into(cl_record_scratch *s, const char *arena, size_t len)
{
    size_t i;
    s->rec.sourced_id = arena + s->id_off;
    s->rec.modified = arena + s->modified_off;
    for (i = 0; i < s->n_roles; i++)
        s->roles[i] = arena + s->role_off[i];
    for (i = 0; i < s->n_orgs; i++)
        s->orgs[i] = arena + s->org_off[i];
    for (i = 0; i < s->n_items; i++)
        s->items[i] = arena + s->item_off[i];
    for (i = 0; i < s->n_fields; i++) {
        s->fields[i].path = arena + s->field_off[i][0];
        s->fields[i].value = arena + s->field_off[i][1];
        s->fields[i].n_items = s->field_items[i][1];
        s->fields[i].items = s->fields[i].n_items > 0 ? s->items + s->field_items[i][0] : NULL;
    }
    s->rec.role = s->roles[0];
    s->rec.roles = s->roles;
    s->rec.n_roles = s->n_roles;
    s->rec.org_ids = s->orgs;
    s->rec.n_org_ids = s->n_orgs;
    s->rec.fields = s->fields;
    s->rec.n_fields = s->n_fields;
    s->rec.strings = arena;  /* the host copies the record in one piece */
    s->rec.strings_len = len;
}

int cl_map_user(cl_record_scratch *s, json_object *u, const char **why)
{
    cl_buf_reset(&s->arena);
    if (map_user(s, u, why) != 0)
        return -1;
    /* The arena no longer moves: turn offsets into pointers. */
    point_into(s, s->arena.data, s->arena.len);
    return 0;
}

/* ---- the flat form ------------------------------------------------------
 * u8 1, u32 arena length, the arena (the record's strings, written there
 * by the mapping itself: no copy), then u32: status, enabled, n_roles,
 * n_orgs, n_fields, n_items, id, modified, role offsets, org offsets, per
 * field (path, value, first item, items), item offsets; offsets from the
 * arena's start.  Or u8 0 and the `why` pointer (a static string: both
 * threads are one process). */

static int put_u32(cl_buf *out, size_t v)
{
    uint32_t u = (uint32_t)v;
    return cl_buf_add(out, &u, sizeof u);
}

int cl_map_user_flat(cl_record_scratch *s, json_object *user, cl_buf *out)
{
    const char *why = NULL;
    size_t i, mark = out->len, base;
    uint32_t alen;
    cl_buf own = s->arena;
    int rc, bad = 0;

    if (cl_buf_add(out, "\1\0\0\0\0", 5) != 0)
        return -1;
    base = out->len;
    s->arena = *out;  /* the mapping writes its strings into out */
    s->arena.max = out->len + own.max < out->max ? out->len + own.max : out->max;
    rc = map_user(s, user, &why);
    s->arena.max = out->max;
    *out = s->arena;
    s->arena = own;
    if (rc != 0) {
        out->len = mark;
        return cl_buf_add(out, "\0", 1) == 0 && cl_buf_add(out, &why, sizeof why) == 0 ? 0 : -1;
    }
    alen = (uint32_t)(out->len - base);
    memcpy(out->data + mark + 1, &alen, sizeof alen);
    s->id_off -= base;
    s->modified_off -= base;
    for (i = 0; i < s->n_roles; i++)
        s->role_off[i] -= base;
    for (i = 0; i < s->n_orgs; i++)
        s->org_off[i] -= base;
    for (i = 0; i < s->n_fields; i++) {
        s->field_off[i][0] -= base;
        s->field_off[i][1] -= base;
    }
    for (i = 0; i < s->n_items; i++)
        s->item_off[i] -= base;
    bad |= put_u32(out, (size_t)s->rec.status);
    bad |= put_u32(out, (size_t)s->rec.enabled);
    bad |= put_u32(out, s->n_roles);
    bad |= put_u32(out, s->n_orgs);
    bad |= put_u32(out, s->n_fields);
    bad |= put_u32(out, s->n_items);
    bad |= put_u32(out, s->id_off);
    bad |= put_u32(out, s->modified_off);
    for (i = 0; i < s->n_roles; i++)
        bad |= put_u32(out, s->role_off[i]);
    for (i = 0; i < s->n_orgs; i++)
        bad |= put_u32(out, s->org_off[i]);
    for (i = 0; i < s->n_fields; i++) {
        bad |= put_u32(out, s->field_off[i][0]);
        bad |= put_u32(out, s->field_off[i][1]);
        bad |= put_u32(out, s->field_items[i][0]);
        bad |= put_u32(out, s->field_items[i][1]);
    }
    for (i = 0; i < s->n_items; i++)
        bad |= put_u32(out, s->item_off[i]);
    return bad ? -1 : 0;
}

/* Reads n u32s at *p (bounded by end) into dst. */
static int get_u32s(const char **p, const char *end, size_t *dst, size_t n)
{
    size_t i;
    uint32_t u;
    if ((size_t)(end - *p) / sizeof u < n)
        return -1;
    for (i = 0; i < n; i++, *p += sizeof u) {
        memcpy(&u, *p, sizeof u);
        dst[i] = u;
    }
    return 0;
}

int cl_flat_user(cl_record_scratch *s, const char *data, size_t len, const char **why)
{
    const char *p = data + 1, *end = data + len, *arena;
    size_t h[8], i, f[4], alen;

    *why = "record could not be read back";
    if (len < 1)
        return -1;
    if (data[0] == 0) {
        if (len >= 1 + sizeof *why)
            memcpy(why, p, sizeof *why);
        return -1;
    }
    if (get_u32s(&p, end, &alen, 1) != 0 || (size_t)(end - p) < alen)
        return -1;
    arena = p;
    p += alen;
    if (get_u32s(&p, end, h, 8) != 0 || h[2] > CL_MAX_ROLES || h[2] == 0 || h[3] > CL_MAX_ORGS ||
        h[4] > CL_MAX_FIELDS || h[5] > CL_MAX_ITEMS || get_u32s(&p, end, s->role_off, h[2]) != 0 ||
        get_u32s(&p, end, s->org_off, h[3]) != 0)
        return -1;
    for (i = 0; i < h[4]; i++) {
        if (get_u32s(&p, end, f, 4) != 0)
            return -1;
        s->field_off[i][0] = f[0];
        s->field_off[i][1] = f[1];
        s->field_items[i][0] = f[2];
        s->field_items[i][1] = f[3];
    }
    if (get_u32s(&p, end, s->item_off, h[5]) != 0)
        return -1;
    /* The arena's strings were written by cl_map_user on this process's
     * other thread: the offsets are trusted as cl_map_user's own are. */
    memset(&s->rec, 0, sizeof s->rec);
    s->rec.struct_size = sizeof s->rec;
    s->rec.status = (sis_record_status)h[0];
    s->rec.enabled = (int)h[1];
    s->n_roles = h[2];
    s->n_orgs = h[3];
    s->n_fields = h[4];
    s->n_items = h[5];
    s->id_off = h[6];
    s->modified_off = h[7];
    point_into(s, arena, alen);
    *why = NULL;
    return 0;
}

int cl_map_org(json_object *o, sis_org *out, const char **why)
{
    json_object *parent;
    const char *status = str_member(o, "status");
    memset(out, 0, sizeof *out);
    out->struct_size = sizeof *out;
    out->sourced_id = str_member(o, "sourcedId");
    if (out->sourced_id == NULL || out->sourced_id[0] == '\0') {
        *why = "org without a sourcedId";
        return -1;
    }
    out->status = status != NULL && strcmp(status, "active") != 0 ? SIS_RECORD_TOBEDELETED
                                                                   : SIS_RECORD_ACTIVE;
    out->name = str_member(o, "name") ? str_member(o, "name") : "";
    out->type = str_member(o, "type") ? str_member(o, "type") : "";
    out->identifier = str_member(o, "identifier") ? str_member(o, "identifier") : "";
    out->parent_id = "";
    if (json_object_object_get_ex(o, "parent", &parent) && str_member(parent, "sourcedId"))
        out->parent_id = str_member(parent, "sourcedId");
    return 0;
}
