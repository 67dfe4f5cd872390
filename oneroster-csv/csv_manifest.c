#include "csv_manifest.h"

#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "csv_reader.h"

#define NAME "manifest.csv"

const char *orc_file_mode_name(orc_file_mode m)
{
    return m == ORC_FILE_BULK ? "bulk" : m == ORC_FILE_DELTA ? "delta" : "absent";
}

static int parse_mode(const char *v, orc_file_mode *out)
{
    if (strcasecmp(v, "bulk") == 0)
        *out = ORC_FILE_BULK;
    else if (strcasecmp(v, "delta") == 0)
        *out = ORC_FILE_DELTA;
    else if (strcasecmp(v, "absent") == 0)
        *out = ORC_FILE_ABSENT;
    else
        return -1;
    return 0;
}

int orc_manifest_read(orc_manifest *m, FILE *in, orc_err *err)
{
    orc_csv *r = NULL;
    orc_csv_row row;
    int rc, seen_users = 0, seen_orgs = 0, seen_version = 0, seen_name = 0;

    memset(m, 0, sizeof *m);
    rc = orc_csv_open(&r, in, NAME, err);
    if (rc != ORC_OK)
        return rc;
    rc = orc_csv_next(r, &row, err);
    if (rc == 0)
        rc = orc_fail(err, ORC_ERR_DATA, NAME " is empty: it needs the header propertyName,value");
    if (rc < 0)
        goto out;
    if (row.n != 2 || strcmp(row.fields[0], "propertyName") != 0 || strcmp(row.fields[1], "value") != 0) {
        rc = orc_fail(err, ORC_ERR_DATA, NAME " line %lu: the header must be propertyName,value",
                      row.line);
        goto out;
    }
    while ((rc = orc_csv_next(r, &row, err)) == 1) {
        const char *k, *v;
        int *seen = NULL;
        if (row.n != 2) {
            rc = orc_fail(err, ORC_ERR_DATA, NAME " line %lu: %zu columns where the header has 2",
                          row.line, row.n);
            goto out;
        }
        k = row.fields[0];
        v = row.fields[1];
        if (strcmp(k, "file.users") == 0 || strcmp(k, "file.orgs") == 0) {
            int users = k[5] == 'u';
            seen = users ? &seen_users : &seen_orgs;
            if (!*seen && parse_mode(v, users ? &m->users : &m->orgs) != 0) {
                rc = orc_fail(err, ORC_ERR_DATA, NAME " line %lu: %s must be bulk, delta or absent",
                              row.line, k);
                goto out;
            }
        } else if (strcmp(k, "oneroster.version") == 0) {
            seen = &seen_version;
            if (strcmp(v, "1.1") != 0 && strcmp(v, "1.0") != 0) {
                rc = orc_fail(err, ORC_ERR_DATA, NAME " line %lu: oneroster.version must be 1.1 "
                              "(this plugin reads OneRoster 1.1 CSV exports)", row.line);
                goto out;
            }
            snprintf(m->oneroster_version, sizeof m->oneroster_version, "%s", v);
        } else if (strcmp(k, "source.systemName") == 0) {
            seen = &seen_name;
            snprintf(m->system_name, sizeof m->system_name, "%s", v);
        }
        if (seen != NULL) {
            if (*seen) {
                rc = orc_fail(err, ORC_ERR_DATA, NAME " line %lu: %s appears twice", row.line, k);
                goto out;
            }
            *seen = 1;
        }
    }
    if (rc < 0)
        goto out;
    if (!seen_users)
        rc = orc_fail(err, ORC_ERR_DATA, NAME " has no file.users entry: the export must hold "
                      "users.csv (file.users,bulk)");
    else if (m->users == ORC_FILE_ABSENT)
        rc = orc_fail(err, ORC_ERR_DATA, NAME " says file.users is absent: the export holds no "
                      "users to import");
    else
        rc = ORC_OK;
out:
    orc_csv_close(r);
    return rc;
}
