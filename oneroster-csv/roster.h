/*
 * roster.h - users.csv and orgs.csv, validated and turned into records.
 *
 * Each reader pulls one row at a time from csv_reader and checks it against
 * OneRoster 1.1 before handing it out: the column count, a sourcedId that is
 * present and not used twice in the file, status (active, tobedeleted, or
 * 1.0's inactive; required in delta files), role, enabledUser,
 * orgSourcedIds, dateLastModified, org type and name.
 *
 * The rule for what a fault stops (every message names the file and line):
 *  - A row whose sourcedId is readable but whose values are bad (unknown
 *    status, role or org type, enabledUser not true/false, no org, a
 *    dateLastModified that is not ISO 8601, an org without a name) is a bad
 *    row: ORC_ROW_BAD with the id, and the reader goes on.  A sync skips
 *    that one user, whom the host keeps as it was.
 *  - A row without a readable sourcedId (empty, or a column count unlike the
 *    header's, so no column can be trusted) is a bad row too, without an id:
 *    nobody can say whose it is, so a full sync that meets one deactivates
 *    nobody by absence (the host makes the run partial).
 *  - Faults of the file as a whole stop the read with a negative orc_code,
 *    and the host applies nothing: no header or a required column missing,
 *    a sourcedId used twice (which row is right?), invalid UTF-8, malformed
 *    quoting, a row or field over the reader's limits (csv_reader.h), and
 *    around it a manifest or a zip that cannot be read.
 * What to do with a bad org row is export.c's choice (it stops the sync).
 *
 * The `password` column is never copied anywhere: its index is skipped.
 * Every `metadata.*` column becomes a field of that path.  Lists (grades,
 * userIds, agentSourcedIds, orgSourcedIds) are split on commas; list fields
 * are handed out item by item, and joined with ", " for display.
 */
#ifndef ORC_ROSTER_H
#define ORC_ROSTER_H

#include <stdint.h>
#include <stdio.h>

#include "csv_manifest.h"
#include "orc_error.h"

/* A list field (grades, userIds, agentSourcedIds) has its items, exactly,
 * and `value` is them joined with ", " for display; a scalar has none. */
typedef struct orc_field {
    const char *path;          /* "givenName", "metadata.cohort" */
    const char *value;         /* never NULL; "" when empty */
    const char *const *items;  /* NULL when n_items == 0 */
    size_t n_items;
} orc_field;

/* One user.  Every pointer belongs to the reader, valid until the next
 * orc_users_next or orc_users_close. */
typedef struct orc_user {
    const char *sourced_id;
    int tobedeleted;           /* status tobedeleted (or inactive) */
    int enabled;               /* enabledUser */
    const char *modified;      /* dateLastModified as written; may be "" */
    const char *role;          /* lower-case OneRoster role */
    const char *const *org_ids;
    size_t n_org_ids;
    const orc_field *fields;   /* every other column but password, by path */
    size_t n_fields;
    unsigned long line;
} orc_user;

typedef struct orc_org {
    const char *sourced_id;
    int tobedeleted;
    const char *name;
    const char *type;          /* lower-case OneRoster org type */
    const char *identifier;    /* may be "" */
    const char *parent_id;     /* may be "" */
    unsigned long line;
} orc_org;

typedef struct orc_users orc_users;
typedef struct orc_orgs orc_orgs;

/* What orc_users_next and orc_orgs_next return for a bad row (see above):
 * the message is in err, and the record's sourced_id (NULL when it could
 * not be read) and line are set; nothing else of it is. */
#define ORC_ROW_BAD 2

/* Reads and checks the header.  `in` is borrowed (closed by the caller
 * after orc_users_close); `mode` says whether the file is bulk or delta. */
int orc_users_open(orc_users **out, FILE *in, const char *name, orc_file_mode mode, orc_err *err);
/* 1: a user in *u; ORC_ROW_BAD: a bad row, skipped (see above); 0: end of
 * file; negative: an orc_code for the whole file, message in err. */
int orc_users_next(orc_users *r, orc_user *u, orc_err *err);
/* The paths of every orc_user's fields, in the same order (the file's
 * field and metadata.* columns; never password).  Borrowed from the reader. */
size_t orc_users_columns(const orc_users *r, const char *const **paths);
uint64_t orc_users_bytes(const orc_users *r);
void orc_users_close(orc_users *r);

int orc_orgs_open(orc_orgs **out, FILE *in, const char *name, orc_file_mode mode, orc_err *err);
int orc_orgs_next(orc_orgs *r, orc_org *o, orc_err *err);
uint64_t orc_orgs_bytes(const orc_orgs *r);
void orc_orgs_close(orc_orgs *r);

/* The canonical spelling of a OneRoster 1.1 role, or NULL. */
const char *orc_role_canonical(const char *role);

#endif
