#include "roster.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "csv_reader.h"
#include "idset.h"

/* A cell quoted in a message: at most 40 bytes, cut before a character,
 * never inside one (the cell is valid UTF-8; the host stores the message). */
static int quoted_len(const char *v)
{
    size_t n = strnlen(v, 40);
    if (n == 40)
        while (n > 0 && ((unsigned char)v[n] & 0xc0) == 0x80)
            n--;
    return (int)n;
}
#define QUOTED(v) quoted_len(v), (v)

enum col_kind {
    COL_IGNORED = 0,  /* a column this plugin does not use */
    COL_PASSWORD,     /* never read */
    COL_SOURCED_ID,
    COL_STATUS,
    COL_MODIFIED,
    COL_ENABLED,
    COL_ORGS,
    COL_ROLE,
    COL_FIELD,        /* a plain field: its header is its path */
    COL_LIST,         /* a comma-separated list field */
    /* orgs.csv */
    COL_NAME,
    COL_TYPE,
    COL_IDENTIFIER,
    COL_PARENT
};

static const char *const roles[] = {"administrator", "aide", "guardian", "parent",
                                    "proctor", "relative", "student", "teacher"};
static const char *const org_types[] = {"department", "school", "district", "local",
                                        "state", "national"};

static const char *canonical(const char *v, const char *const *set, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++)
        if (strcasecmp(v, set[i]) == 0)
            return set[i];
    return NULL;
}

const char *orc_role_canonical(const char *role)
{
    return canonical(role, roles, sizeof roles / sizeof roles[0]);
}

typedef struct col_spec {
    const char *name;
    enum col_kind kind;
    int required;         /* 1 always, 2 only in delta files */
} col_spec;

static const col_spec user_cols[] = {
    {"sourcedId", COL_SOURCED_ID, 1}, {"status", COL_STATUS, 2},
    {"dateLastModified", COL_MODIFIED, 2}, {"enabledUser", COL_ENABLED, 1},
    {"orgSourcedIds", COL_ORGS, 1}, {"role", COL_ROLE, 1}, {"username", COL_FIELD, 1},
    {"userIds", COL_LIST, 0}, {"givenName", COL_FIELD, 1}, {"familyName", COL_FIELD, 1},
    {"middleName", COL_FIELD, 0}, {"identifier", COL_FIELD, 0}, {"email", COL_FIELD, 0},
    {"sms", COL_FIELD, 0}, {"phone", COL_FIELD, 0}, {"agentSourcedIds", COL_LIST, 0},
    {"grades", COL_LIST, 0}, {"password", COL_PASSWORD, 0},
};

static const col_spec org_cols[] = {
    {"sourcedId", COL_SOURCED_ID, 1}, {"status", COL_STATUS, 2},
    {"dateLastModified", COL_MODIFIED, 2}, {"name", COL_NAME, 1}, {"type", COL_TYPE, 1},
    {"identifier", COL_IDENTIFIER, 0}, {"parentSourcedId", COL_PARENT, 0},
};

/* What both readers share: the CSV stream, the header's meaning, the ids
 * seen so far, and a scratch buffer for normalised lists. */
typedef struct table {
    orc_csv *csv;
    char *name;
    orc_file_mode mode;
    size_t n_cols;
    size_t id_col;            /* the sourcedId column (required, so always there) */
    enum col_kind *kinds;
    char **headers;
    orc_idset *ids;
    int ids_checked;          /* the end of the file was reached and checked */
    char *scratch;
    size_t scratch_cap;
} table;

struct orc_users {
    table t;
    const char **paths;       /* the paths of orc_user.fields, in order */
    size_t n_paths;
    orc_field *fields;
    const char **items;       /* list items and org ids of the current row */
    size_t items_cap;
};

struct orc_orgs {
    table t;
};

static void table_free(table *t)
{
    size_t i;
    orc_csv_close(t->csv);
    for (i = 0; t->headers != NULL && i < t->n_cols; i++)
        free(t->headers[i]);
    free(t->headers);
    free(t->kinds);
    free(t->name);
    free(t->scratch);
    orc_idset_free(t->ids);
}

static int table_open(table *t, FILE *in, const char *name, orc_file_mode mode,
                      const col_spec *spec, size_t n_spec, int metadata, orc_err *err)
{
    orc_csv_row row;
    size_t i, j;
    int rc;

    memset(t, 0, sizeof *t);
    t->mode = mode;
    t->name = strdup(name);
    if (t->name == NULL)
        return orc_fail(err, ORC_ERR_NOMEM, "out of memory reading %s", name);
    rc = orc_idset_new(&t->ids, name, err);
    if (rc == ORC_OK)
        rc = orc_csv_open(&t->csv, in, name, err);
    if (rc != ORC_OK)
        return rc;
    rc = orc_csv_next(t->csv, &row, err);
    if (rc == 0)
        return orc_fail(err, ORC_ERR_DATA, "%s is empty: it needs a header row", name);
    if (rc < 0)
        return rc;
    t->n_cols = row.n;
    t->kinds = calloc(row.n, sizeof *t->kinds);
    t->headers = calloc(row.n, sizeof *t->headers);
    if (t->kinds == NULL || t->headers == NULL)
        return orc_fail(err, ORC_ERR_NOMEM, "out of memory reading %s", name);
    for (i = 0; i < row.n; i++) {
        const char *h = row.fields[i];
        for (j = 0; j < i; j++)
            if (strcmp(t->headers[j], h) == 0)
                return orc_fail(err, ORC_ERR_DATA, "%s line %lu: the column %s appears twice",
                                name, row.line, h);
        t->headers[i] = strdup(h);
        if (t->headers[i] == NULL)
            return orc_fail(err, ORC_ERR_NOMEM, "out of memory reading %s", name);
        for (j = 0; j < n_spec && strcmp(spec[j].name, h) != 0; j++)
            ;
        if (j < n_spec)
            t->kinds[i] = spec[j].kind;
        if (t->kinds[i] == COL_SOURCED_ID)
            t->id_col = i;
        else if (metadata && strncmp(h, "metadata.", 9) == 0 && h[9] != '\0')
            t->kinds[i] = COL_FIELD;
    }
    for (j = 0; j < n_spec; j++) {
        if (spec[j].required == 0 || (spec[j].required == 2 && mode != ORC_FILE_DELTA))
            continue;
        for (i = 0; i < row.n && strcmp(t->headers[i], spec[j].name) != 0; i++)
            ;
        if (i == row.n)
            return orc_fail(err, ORC_ERR_DATA, "%s line %lu: the required column %s is missing%s",
                            name, row.line, spec[j].name,
                            spec[j].required == 2 ? " (a delta file must say each row's status)" : "");
    }
    return ORC_OK;
}

/* A row skipped under the rule in roster.h: the message in `err`, and
 * ORC_ROW_BAD for the caller to return. */
static int bad_row(orc_err *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int bad_row(orc_err *err, const char *fmt, ...)
{
    va_list ap;
    if (err != NULL) {
        err->code = ORC_ERR_DATA;
        va_start(ap, fmt);
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        va_end(ap);
    }
    return ORC_ROW_BAD;
}

/* The next data row, with the common checks done: 1 with *id set, 0 at the
 * end, ORC_ROW_BAD (*id NULL when the row has no readable sourcedId), or a
 * negative orc_code for a fault of the whole file. */
static int table_row(table *t, orc_csv_row *row, const char **id, int *tobedeleted, orc_err *err)
{
    const char *v;
    size_t i;
    int rc = orc_csv_next(t->csv, row, err);
    *id = NULL;
    *tobedeleted = 0;
    if (rc == 0 && !t->ids_checked) {
        t->ids_checked = 1;
        return orc_idset_finish(t->ids, err);   /* ORC_OK (0) at a clean end */
    }
    if (rc <= 0)
        return rc;
    /* Columns out of place: no value of the row, its id included, can be
     * trusted to be what its header says. */
    if (row->n != t->n_cols)
        return bad_row(err, "%s line %lu: %zu columns where the header has %zu", t->name,
                       row->line, row->n, t->n_cols);
    v = row->fields[t->id_col];
    if (v[0] == '\0')
        return bad_row(err, "%s line %lu: sourcedId is empty", t->name, row->line);
    rc = orc_idset_add(t->ids, v, row->line, err);
    if (rc != ORC_OK)
        return rc;   /* a sourcedId used twice: the file as a whole is wrong */
    *id = v;
    for (i = 0; i < row->n; i++) {
        if (t->kinds[i] != COL_STATUS)
            continue;
        v = row->fields[i];
        if (strcasecmp(v, "tobedeleted") == 0 || strcasecmp(v, "inactive") == 0)
            *tobedeleted = 1;
        else if (v[0] == '\0' && t->mode == ORC_FILE_DELTA)
            return bad_row(err, "%s line %lu: status is empty, and a delta file must say active "
                           "or tobedeleted", t->name, row->line);
        else if (v[0] != '\0' && strcasecmp(v, "active") != 0)
            return bad_row(err, "%s line %lu: unknown status '%.*s' (expected active or "
                           "tobedeleted)", t->name, row->line, QUOTED(v));
    }
    return 1;
}

/* The `n` digits at `v` as a number no greater than `max`, else -1. */
static int digits(const char *v, int n, int max)
{
    int i, x = 0;
    for (i = 0; i < n; i++) {
        if (v[i] < '0' || v[i] > '9')
            return -1;
        x = x * 10 + (v[i] - '0');
    }
    return x <= max ? x : -1;
}

/* 1 when `v` is an ISO 8601 date, or date and time: YYYY-MM-DD, optionally
 * followed by Thh:mm[:ss[.fraction]] and Z or an offset (+hh:mm, +hhmm). */
static int is_iso_datetime(const char *v)
{
    if (digits(v, 4, 9999) < 0 || v[4] != '-' || digits(v + 5, 2, 12) < 1 || v[7] != '-' ||
        digits(v + 8, 2, 31) < 1)
        return 0;
    v += 10;
    if (*v == '\0')
        return 1;
    if (*v != 'T' || digits(v + 1, 2, 23) < 0 || v[3] != ':' || digits(v + 4, 2, 59) < 0)
        return 0;
    v += 6;
    if (*v == ':') {
        if (digits(v + 1, 2, 60) < 0)
            return 0;
        v += 3;
        if (*v == '.') {
            if (digits(++v, 1, 9) < 0)
                return 0;
            while (*v >= '0' && *v <= '9')
                v++;
        }
    }
    if (*v == 'Z')
        return v[1] == '\0';
    if (*v != '+' && *v != '-')
        return 0;
    if (digits(v + 1, 2, 23) < 0)
        return 0;
    v += 3;
    if (*v == ':')
        v++;
    return digits(v, 2, 59) >= 0 && v[2] == '\0';
}

/* Room for `n` bytes in the scratch buffer (which only ever holds one row's
 * lists, so it stays under three times the CSV row limit). */
static int scratch_room(table *t, size_t n)
{
    if (n > t->scratch_cap) {
        char *s = realloc(t->scratch, n);
        if (s == NULL)
            return -1;
        t->scratch = s;
        t->scratch_cap = n;
    }
    return 0;
}

/* Copies the comma-separated list `v` to *pos in the scratch buffer twice:
 * its items trimmed and joined with ", " (the display value, returned), then
 * each item on its own, NUL-terminated, appended to `items` at *n_items.
 * Needs 3 * strlen(v) + 2 bytes of scratch and strlen(v) / 2 + 1 item
 * slots at most. */
static const char *put_list(table *t, size_t *pos, const char *v, const char **items,
                            size_t *n_items)
{
    char *out = t->scratch + *pos, *o = out;
    const char *p = v;
    size_t first = *n_items, k;
    while (*p) {
        const char *b, *e;
        while (*p == ' ' || *p == ',')
            p++;
        b = p;
        while (*p && *p != ',')
            p++;
        e = p;
        while (e > b && e[-1] == ' ')
            e--;
        if (e == b)
            continue;
        if (o != out) {
            *o++ = ',';
            *o++ = ' ';
        }
        memcpy(o, b, (size_t)(e - b));
        o += e - b;
        items[(*n_items)++] = b;     /* re-pointed below, at its own copy */
    }
    *o++ = '\0';
    for (k = first; k < *n_items; k++) {
        const char *b = items[k];
        size_t len = strcspn(b, ",");
        while (len > 0 && b[len - 1] == ' ')
            len--;
        memcpy(o, b, len);
        items[k] = o;
        o += len;
        *o++ = '\0';
    }
    *pos += (size_t)(o - out);
    return out;
}

int orc_users_open(orc_users **out, FILE *in, const char *name, orc_file_mode mode, orc_err *err)
{
    orc_users *r = calloc(1, sizeof *r);
    size_t i;
    int rc;
    if (r == NULL)
        return orc_fail(err, ORC_ERR_NOMEM, "out of memory reading %s", name);
    rc = table_open(&r->t, in, name, mode, user_cols, sizeof user_cols / sizeof user_cols[0], 1, err);
    if (rc == ORC_OK) {
        r->fields = calloc(r->t.n_cols, sizeof *r->fields);
        r->paths = calloc(r->t.n_cols, sizeof *r->paths);
        if (r->fields == NULL || r->paths == NULL)
            rc = orc_fail(err, ORC_ERR_NOMEM, "out of memory reading %s", name);
    }
    if (rc != ORC_OK) {
        orc_users_close(r);
        return rc;
    }
    for (i = 0; i < r->t.n_cols; i++)
        if (r->t.kinds[i] == COL_FIELD || r->t.kinds[i] == COL_LIST)
            r->paths[r->n_paths++] = r->t.headers[i];
    *out = r;
    return ORC_OK;
}

int orc_users_next(orc_users *r, orc_user *u, orc_err *err)
{
    table *t = &r->t;
    orc_csv_row row;
    size_t i, pos = 0, total = 0;
    size_t n_items = 0, max_items = 0;
    const char *role = NULL, *enabled = NULL, *id = NULL;
    int tobedeleted = 0;
    int rc = table_row(t, &row, &id, &tobedeleted, err);

    memset(u, 0, sizeof *u);
    u->modified = "";
    u->fields = r->fields;
    if (rc == ORC_ROW_BAD) {
        u->sourced_id = id;
        u->line = row.line;
    }
    if (rc != 1)
        return rc;
    for (i = 0; i < row.n; i++)
        if (t->kinds[i] == COL_LIST || t->kinds[i] == COL_ORGS) {
            size_t len = strlen(row.fields[i]);
            total += 3 * len + 2;
            max_items += len / 2 + 1;
        }
    if (scratch_room(t, total + 1) != 0)
        return orc_fail(err, ORC_ERR_NOMEM, "out of memory reading %s", t->name);
    if (max_items > r->items_cap) {
        const char **items = realloc(r->items, max_items * sizeof *items);
        if (items == NULL)
            return orc_fail(err, ORC_ERR_NOMEM, "out of memory reading %s", t->name);
        r->items = items;
        r->items_cap = max_items;
    }
    u->line = row.line;
    u->sourced_id = id;
    u->tobedeleted = tobedeleted;
    for (i = 0; i < row.n; i++) {
        const char *v = row.fields[i];
        switch (t->kinds[i]) {
        case COL_MODIFIED: u->modified = v; break;
        case COL_ENABLED: enabled = v; break;
        case COL_ROLE: role = v; break;
        case COL_ORGS: {
            size_t first = n_items;
            put_list(t, &pos, v, r->items, &n_items);
            u->org_ids = r->items + first;
            u->n_org_ids = n_items - first;
            break;
        }
        case COL_FIELD:
            r->fields[u->n_fields].path = t->headers[i];
            r->fields[u->n_fields].items = NULL;
            r->fields[u->n_fields].n_items = 0;
            r->fields[u->n_fields++].value = v;
            break;
        case COL_LIST: {
            orc_field *f = &r->fields[u->n_fields++];
            size_t first = n_items;
            f->path = t->headers[i];
            f->value = put_list(t, &pos, v, r->items, &n_items);
            f->items = r->items + first;
            f->n_items = n_items - first;
            break;
        }
        default:
            break;   /* sourcedId and status are read above; password and unknown
                        columns are never read */
        }
    }
    /* From here on the row has a sourcedId: a bad value skips this one user,
     * whom the host keeps as it was (roster.h). */
    if (role == NULL || (u->role = orc_role_canonical(role)) == NULL)
        return bad_row(err, "%s line %lu: unknown role '%.*s' (expected administrator, aide, "
                       "guardian, parent, proctor, relative, student or teacher)", t->name,
                       row.line, QUOTED(role ? role : ""));
    if (strcasecmp(enabled, "true") == 0)
        u->enabled = 1;
    else if (strcasecmp(enabled, "false") == 0)
        u->enabled = 0;
    else
        return bad_row(err, "%s line %lu: enabledUser is '%.20s' (expected true or false)",
                       t->name, row.line, enabled);
    if (u->n_org_ids == 0)
        return bad_row(err, "%s line %lu: orgSourcedIds is empty (every user belongs to at "
                       "least one org)", t->name, row.line);
    if (u->modified[0] != '\0' && !is_iso_datetime(u->modified))
        return bad_row(err, "%s line %lu: dateLastModified '%.*s' is not an ISO 8601 date "
                       "(e.g. 2024-05-01T10:00:00Z)", t->name, row.line, QUOTED(u->modified));
    return 1;
}

size_t orc_users_columns(const orc_users *r, const char *const **paths)
{
    *paths = r->paths;
    return r->n_paths;
}

uint64_t orc_users_bytes(const orc_users *r)
{
    return orc_csv_bytes(r->t.csv);
}

void orc_users_close(orc_users *r)
{
    if (r == NULL)
        return;
    table_free(&r->t);
    free(r->fields);
    free(r->paths);
    free(r->items);
    free(r);
}

int orc_orgs_open(orc_orgs **out, FILE *in, const char *name, orc_file_mode mode, orc_err *err)
{
    orc_orgs *r = calloc(1, sizeof *r);
    int rc;
    if (r == NULL)
        return orc_fail(err, ORC_ERR_NOMEM, "out of memory reading %s", name);
    rc = table_open(&r->t, in, name, mode, org_cols, sizeof org_cols / sizeof org_cols[0], 0, err);
    if (rc != ORC_OK) {
        orc_orgs_close(r);
        return rc;
    }
    *out = r;
    return ORC_OK;
}

int orc_orgs_next(orc_orgs *r, orc_org *o, orc_err *err)
{
    table *t = &r->t;
    orc_csv_row row;
    size_t i;
    const char *type = "", *id = NULL;
    int tobedeleted = 0;
    int rc = table_row(t, &row, &id, &tobedeleted, err);

    memset(o, 0, sizeof *o);
    o->name = o->identifier = o->parent_id = "";
    if (rc == ORC_ROW_BAD) {
        o->sourced_id = id;
        o->line = row.line;
    }
    if (rc != 1)
        return rc;
    o->sourced_id = id;
    o->tobedeleted = tobedeleted;
    o->line = row.line;
    for (i = 0; i < row.n; i++) {
        const char *v = row.fields[i];
        switch (t->kinds[i]) {
        case COL_NAME: o->name = v; break;
        case COL_TYPE: type = v; break;
        case COL_IDENTIFIER: o->identifier = v; break;
        case COL_PARENT: o->parent_id = v; break;
        default: break;
        }
    }
    o->type = canonical(type, org_types, sizeof org_types / sizeof org_types[0]);
    if (o->type == NULL)
        return bad_row(err, "%s line %lu: unknown org type '%.*s' (expected department, "
                       "school, district, local, state or national)", t->name, row.line,
                       QUOTED(type));
    if (o->name[0] == '\0')
        return bad_row(err, "%s line %lu: name is empty", t->name, row.line);
    return 1;
}

uint64_t orc_orgs_bytes(const orc_orgs *r)
{
    return orc_csv_bytes(r->t.csv);
}

void orc_orgs_close(orc_orgs *r)
{
    if (r == NULL)
        return;
    table_free(&r->t);
    free(r);
}
