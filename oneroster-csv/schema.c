#include "schema.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define N_ROLES 8
static const char *const role_names[N_ROLES] = {"administrator", "aide", "guardian", "parent",
                                               "proctor", "relative", "student", "teacher"};

/* Per role and column: how often filled, and which types every value fits. */
typedef struct col_stat {
    uint64_t filled;
    unsigned not_number : 1, not_bool : 1, not_date : 1;
} col_stat;

const char *orc_field_label(const char *path)
{
    static const struct { const char *path, *label; } labels[] = {
        {"username", "Username"}, {"userIds", "Other user ids"}, {"givenName", "First name"},
        {"familyName", "Last name"}, {"middleName", "Middle name"},
        {"identifier", "Identifier"}, {"email", "Email"}, {"sms", "SMS"}, {"phone", "Phone"},
        {"agentSourcedIds", "Agents (parents, guardians)"}, {"grades", "Grades"},
    };
    size_t i;
    for (i = 0; i < sizeof labels / sizeof labels[0]; i++)
        if (strcmp(labels[i].path, path) == 0)
            return labels[i].label;
    return strncmp(path, "metadata.", 9) == 0 ? path + 9 : path;
}

static int is_number(const char *v)
{
    char *end;
    if (!isdigit((unsigned char)v[v[0] == '-']))
        return 0;
    (void)strtod(v, &end);
    return *end == '\0';
}

static int is_bool(const char *v)
{
    return strcasecmp(v, "true") == 0 || strcasecmp(v, "false") == 0;
}

/* YYYY-MM-DD, optionally followed by a time. */
static int is_date(const char *v)
{
    int i;
    for (i = 0; i < 10; i++) {
        if (i == 4 || i == 7) {
            if (v[i] != '-')
                return 0;
        } else if (!isdigit((unsigned char)v[i])) {
            return 0;
        }
    }
    return v[10] == '\0' || v[10] == 'T' || v[10] == ' ';
}

static int role_index(const char *role)
{
    int i;
    for (i = 0; i < N_ROLES; i++)
        if (strcmp(role_names[i], role) == 0)
            return i;
    return 0;
}

static orc_type type_of(const char *path, const col_stat *st)
{
    if (strcmp(path, "grades") == 0 || strcmp(path, "userIds") == 0 ||
        strcmp(path, "agentSourcedIds") == 0)
        return ORC_TYPE_LIST;
    if (st->filled == 0)
        return ORC_TYPE_STRING;
    if (!st->not_bool)
        return ORC_TYPE_BOOLEAN;
    if (!st->not_number)
        return ORC_TYPE_NUMBER;
    if (!st->not_date)
        return ORC_TYPE_DATE;
    return ORC_TYPE_STRING;
}

static int report(const orc_schema_cb *cb, const orc_users *ur, const col_stat *stats,
                  const uint64_t *sampled, int whole_file)
{
    const char *const *field_paths;
    size_t n = orc_users_columns(ur, &field_paths), r, i;
    int rc;

    for (r = 0; r < N_ROLES; r++) {
        if (sampled[r] == 0)
            continue;
        rc = cb->role(cb->ctx, role_names[r], whole_file ? sampled[r] : UINT64_MAX);
        if (rc != ORC_OK)
            return rc;
        for (i = 0; i < n; i++) {
            const col_stat *st = &stats[r * n + i];
            rc = cb->field(cb->ctx, role_names[r], field_paths[i], orc_field_label(field_paths[i]),
                           type_of(field_paths[i], st),
                           strncmp(field_paths[i], "metadata.", 9) == 0, st->filled, sampled[r]);
            if (rc != ORC_OK)
                return rc;
        }
    }
    return ORC_OK;
}

static int discover_users(orc_source *src, const orc_manifest *m, uint64_t sample,
                          const orc_schema_cb *cb, orc_err *err)
{
    FILE *f = NULL;
    orc_users *ur = NULL;
    orc_user u;
    col_stat *stats = NULL;
    uint64_t sampled[N_ROLES] = {0}, rows = 0;
    size_t n_paths = 0, i;
    int rc = orc_source_file(src, "users.csv", &f, err);

    if (rc != ORC_OK)
        return rc;
    rc = orc_users_open(&ur, f, "users.csv", m->users, err);
    if (rc != ORC_OK)
        goto out;
    {
        const char *const *paths;
        n_paths = orc_users_columns(ur, &paths);
    }
    stats = calloc(N_ROLES * (n_paths ? n_paths : 1), sizeof *stats);
    if (stats == NULL) {
        rc = orc_fail(err, ORC_ERR_NOMEM, "out of memory reading users.csv");
        goto out;
    }
    /* Bad rows (roster.h) count toward the sample but tell nothing about
     * the fields: the sync reports them. */
    while (rows < sample && (rc = orc_users_next(ur, &u, err)) > 0) {
        int r;
        rows++;
        if (rc == ORC_ROW_BAD)
            continue;
        r = role_index(u.role);
        sampled[r]++;
        for (i = 0; i < u.n_fields && i < n_paths; i++) {
            col_stat *st = &stats[(size_t)r * n_paths + i];
            const char *v = u.fields[i].value;
            if (v[0] == '\0')
                continue;
            st->filled++;
            st->not_number |= !is_number(v);
            st->not_bool |= !is_bool(v);
            st->not_date |= !is_date(v);
        }
    }
    if (rc < 0)
        goto out;
    rc = report(cb, ur, stats, sampled, rows < sample);
out:
    free(stats);
    orc_users_close(ur);
    fclose(f);
    return rc;
}

int orc_schema_discover(orc_source *src, const orc_manifest *m, uint64_t sample,
                        const orc_schema_cb *cb, orc_err *err)
{
    FILE *f = NULL;
    orc_orgs *or = NULL;
    orc_org o;
    int rc = discover_users(src, m, sample, cb, err);

    if (rc != ORC_OK || m->orgs == ORC_FILE_ABSENT)
        return rc;
    rc = orc_source_file(src, "orgs.csv", &f, err);
    if (rc != ORC_OK)
        return rc;
    rc = orc_orgs_open(&or, f, "orgs.csv", m->orgs, err);
    while (rc == ORC_OK && (rc = orc_orgs_next(or, &o, err)) > 0)
        rc = rc == ORC_ROW_BAD ? ORC_OK : cb->org(cb->ctx, &o);   /* the sync reports it */
    orc_orgs_close(or);
    fclose(f);
    return rc < 0 ? rc : ORC_OK;
}
