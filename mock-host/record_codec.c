#include "record_codec.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static void str_array(mh_str *out, const char *const *items, size_t n)
{
    size_t i;
    mh_str_add(out, "[", 1);
    for (i = 0; i < n; i++) {
        if (i)
            mh_str_add(out, ",", 1);
        mh_str_json(out, items[i]);
    }
    mh_str_add(out, "]", 1);
}

void mh_record_encode(const sis_record *r, mh_str *out)
{
    size_t i;
    mh_str_adds(out, "{\"roles\":");
    str_array(out, r->roles, r->n_roles);
    mh_str_adds(out, ",\"orgs\":");
    str_array(out, r->org_ids, r->n_org_ids);
    mh_str_adds(out, ",\"fields\":[");
    for (i = 0; i < r->n_fields; i++) {
        if (i)
            mh_str_add(out, ",", 1);
        mh_str_add(out, "[", 1);
        mh_str_json(out, r->fields[i].path);
        mh_str_add(out, ",", 1);
        mh_str_json(out, r->fields[i].value);
        if (r->fields[i].n_items > 0) {  /* a list: its elements, exactly */
            mh_str_add(out, ",", 1);
            str_array(out, r->fields[i].items, r->fields[i].n_items);
        }
        mh_str_add(out, "]", 1);
    }
    mh_str_adds(out, "]}");
}

static const char **strings_of(json_object *arr, size_t *n)
{
    const char **out;
    size_t i;
    *n = json_object_is_type(arr, json_type_array) ? json_object_array_length(arr) : 0;
    out = calloc(*n + 1, sizeof *out);
    for (i = 0; out != NULL && i < *n; i++)
        out[i] = json_object_get_string(json_object_array_get_idx(arr, i));
    return out;
}

int mh_record_decode(mh_decoded *d, const char *sourced_id, int status, int enabled,
                     const char *modified, const char *body)
{
    json_object *roles, *orgs, *fields;
    size_t i, n;

    memset(d, 0, sizeof *d);
    d->root = json_tokener_parse(body);
    if (d->root == NULL || !json_object_object_get_ex(d->root, "roles", &roles) ||
        !json_object_object_get_ex(d->root, "orgs", &orgs) ||
        !json_object_object_get_ex(d->root, "fields", &fields))
        return -1;
    d->roles = strings_of(roles, &d->rec.n_roles);
    d->orgs = strings_of(orgs, &d->rec.n_org_ids);
    if (!json_object_is_type(fields, json_type_array))
        return -1;
    n = json_object_array_length(fields);
    d->fields = calloc(n + 1, sizeof *d->fields);
    if (d->roles == NULL || d->orgs == NULL || d->fields == NULL || d->rec.n_roles == 0)
        return -1;
    for (i = 0; i < n; i++) {
        json_object *pair = json_object_array_get_idx(fields, i);
        size_t len = json_object_is_type(pair, json_type_array) ? json_object_array_length(pair) : 0;
        if (len != 2 && len != 3)
            return -1;
        d->fields[i].path = json_object_get_string(json_object_array_get_idx(pair, 0));
        d->fields[i].value = json_object_get_string(json_object_array_get_idx(pair, 1));
        if (len == 3) {
            /* One allocation per list; freed with the field array. */
            const char **items = strings_of(json_object_array_get_idx(pair, 2),
                                            &d->fields[i].n_items);
            if (items == NULL)
                return -1;
            d->fields[i].items = items;
        }
    }
    d->rec.struct_size = sizeof d->rec;
    d->rec.sourced_id = sourced_id;
    d->rec.status = status ? SIS_RECORD_TOBEDELETED : SIS_RECORD_ACTIVE;
    d->rec.enabled = enabled;
    d->rec.modified = modified;
    d->rec.role = d->roles[0];
    d->rec.roles = d->roles;
    d->rec.org_ids = d->orgs;
    d->rec.fields = d->fields;
    d->rec.n_fields = n;
    return 0;
}

void mh_decoded_free(mh_decoded *d)
{
    size_t i;
    for (i = 0; d->fields != NULL && i < d->rec.n_fields; i++)
        free((void *)d->fields[i].items);
    json_object_put(d->root);
    free(d->roles);
    free(d->orgs);
    free(d->fields);
    memset(d, 0, sizeof *d);
}

static void add_off(mh_record_copy *c, size_t off)
{
    if (c->n_offs == c->cap_offs) {
        c->cap_offs = c->cap_offs ? c->cap_offs * 2 : 64;
        c->offs = realloc(c->offs, c->cap_offs * sizeof *c->offs);
        if (c->offs == NULL)
            abort();  /* as mh_str: no way on without memory for one record */
    }
    c->offs[c->n_offs++] = off;
}

/* The plugin's block of strings (ABI 2.1), while it is walked. */
typedef struct block {
    const char *data;  /* NULL: no block, every string is copied */
    size_t len;
} block;

/* One string: its offset in the block, which is copied whole afterwards,
 * or (no block) measured and copied on its own.  -1 when it starts outside
 * the block. */
static int keep(mh_record_copy *c, const block *b, const char *s)
{
    uintptr_t lo = (uintptr_t)b->data, p = (uintptr_t)s;
    if (b->data == NULL) {
        add_off(c, c->arena.len);
        mh_str_add(&c->arena, s != NULL ? s : "", s != NULL ? strlen(s) + 1 : 1);
        return 0;
    }
    if (s == NULL || p < lo || p - lo >= b->len)
        return -1;
    add_off(c, p - lo);
    return 0;
}

/* Every string of r through keep, in the order mh_record_copy_view reads
 * them back. */
static int walk(mh_record_copy *c, const sis_record *r, const block *b)
{
    size_t i, k;
    c->n_offs = 0;
    c->n_items = 0;
    if (keep(c, b, r->sourced_id) != 0 || keep(c, b, r->modified) != 0)
        return -1;
    for (i = 0; i < r->n_roles; i++)
        if (keep(c, b, r->roles[i]) != 0)
            return -1;
    for (i = 0; i < r->n_org_ids; i++)
        if (keep(c, b, r->org_ids[i]) != 0)
            return -1;
    for (i = 0; i < r->n_fields; i++) {
        if (keep(c, b, r->fields[i].path) != 0 || keep(c, b, r->fields[i].value) != 0)
            return -1;
        for (k = 0; k < r->fields[i].n_items; k++)
            if (keep(c, b, r->fields[i].items[k]) != 0)
                return -1;
        c->field_items[i] = r->fields[i].n_items;
        c->n_items += r->fields[i].n_items;
    }
    return 0;
}

void mh_record_copy_set(mh_record_copy *c, const sis_record *r)
{
    static const block none = {NULL, 0};
    block b = none;
    /* Usable only when its last byte is a NUL: then every string that
     * starts inside it also ends inside it. */
    if (SIS_HAS_MEMBER(r, sis_record, strings_len) && r->strings != NULL && r->strings_len > 0 &&
        r->strings[r->strings_len - 1] == '\0') {
        b.data = r->strings;
        b.len = r->strings_len;
    }
    if (r->n_fields > c->cap_field_items) {
        c->cap_field_items = r->n_fields + 64;
        c->field_items = realloc(c->field_items, c->cap_field_items * sizeof *c->field_items);
        if (c->field_items == NULL)
            abort();
    }
    mh_str_reset(&c->arena);
    /* A block saves a strlen and a copy per string (~40 per ClassLink
     * user); a plugin whose strings are not all inside it gets them copied
     * one by one, as from a plugin built before ABI 2.1. */
    if (b.data != NULL && walk(c, r, &b) == 0)
        mh_str_add(&c->arena, b.data, b.len);
    else
        walk(c, r, &none);
    c->n_roles = r->n_roles;
    c->n_orgs = r->n_org_ids;
    c->n_fields = r->n_fields;
    c->status = r->status;
    c->enabled = r->enabled;
}

const sis_record *mh_record_copy_view(mh_record_copy *c)
{
    const char *a = c->arena.data;
    size_t i, k = 2, p;
    if (c->n_roles + c->n_orgs + c->n_items + 1 > c->cap_ptrs) {
        c->cap_ptrs = c->n_roles + c->n_orgs + c->n_items + 16;
        c->ptrs = realloc(c->ptrs, c->cap_ptrs * sizeof *c->ptrs);
    }
    if (c->n_fields + 1 > c->cap_fields) {
        c->cap_fields = c->n_fields + 64;
        c->fields = realloc(c->fields, c->cap_fields * sizeof *c->fields);
    }
    if (c->ptrs == NULL || c->fields == NULL)
        abort();
    for (i = 0; i < c->n_roles + c->n_orgs; i++)
        c->ptrs[i] = a + c->offs[k++];
    p = c->n_roles + c->n_orgs;
    for (i = 0; i < c->n_fields; i++) {
        size_t j;
        c->fields[i].path = a + c->offs[k++];
        c->fields[i].value = a + c->offs[k++];
        c->fields[i].n_items = c->field_items[i];
        c->fields[i].items = c->field_items[i] > 0 ? c->ptrs + p : NULL;
        for (j = 0; j < c->field_items[i]; j++)
            c->ptrs[p++] = a + c->offs[k++];
    }
    c->rec.struct_size = sizeof c->rec;
    c->rec.sourced_id = a + c->offs[0];
    c->rec.modified = a + c->offs[1];
    c->rec.status = (sis_record_status)c->status;
    c->rec.enabled = c->enabled;
    c->rec.roles = c->ptrs;
    c->rec.n_roles = c->n_roles;
    c->rec.role = c->n_roles > 0 ? c->ptrs[0] : "";
    c->rec.org_ids = c->ptrs + c->n_roles;
    c->rec.n_org_ids = c->n_orgs;
    c->rec.fields = c->fields;
    c->rec.n_fields = c->n_fields;
    return &c->rec;
}

void mh_record_copy_free(mh_record_copy *c)
{
    mh_str_free(&c->arena);
    free(c->offs);
    free(c->ptrs);
    free(c->fields);
    free(c->field_items);
    memset(c, 0, sizeof *c);
}
