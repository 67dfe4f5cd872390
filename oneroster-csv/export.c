#include "export.h"

#include <stdio.h>
#include <string.h>

#define CHECK_EVERY 1000u      /* rows between cancellation checks */
#define PROGRESS_EVERY 10000u  /* rows between progress reports */

int orc_export_manifest(orc_source *src, orc_manifest *m, orc_err *err)
{
    FILE *f = NULL;
    int rc = orc_source_file(src, "manifest.csv", &f, err);
    if (rc == ORC_ERR_NOT_FOUND)
        return orc_fail(err, ORC_ERR_DATA, "%s has no manifest.csv: it is not a OneRoster 1.1 CSV "
                        "export", orc_source_label(src));
    if (rc != ORC_OK)
        return rc;
    rc = orc_manifest_read(m, f, err);
    fclose(f);
    return rc;
}

static int open_users(orc_source *src, const orc_manifest *m, FILE **f, orc_users **ur,
                      orc_err *err)
{
    int rc = orc_source_file(src, "users.csv", f, err);
    if (rc == ORC_ERR_NOT_FOUND)
        return orc_fail(err, ORC_ERR_DATA, "%s has no users.csv, but its manifest.csv says "
                        "file.users is %s", orc_source_label(src), orc_file_mode_name(m->users));
    if (rc != ORC_OK)
        return rc;
    rc = orc_users_open(ur, *f, "users.csv", m->users, err);
    if (rc != ORC_OK) {
        fclose(*f);
        *f = NULL;
    }
    return rc;
}

/* A bad row to cb->bad_row, counted. */
static int report_bad(const orc_stream_cb *cb, const char *file, const char *id, uint64_t *count,
                      const orc_err *why, orc_err *err)
{
    (*count)++;
    return cb->bad_row != NULL ? cb->bad_row(cb->ctx, file, id, why->msg, err) : ORC_OK;
}

static int stream_orgs(orc_source *src, const orc_manifest *m, const orc_stream_cb *cb,
                       orc_stream_stats *st, orc_err *err)
{
    FILE *f = NULL;
    orc_orgs *or = NULL;
    orc_org o;
    orc_err first = {0, ""}, why = {0, ""};
    int rc = orc_source_file(src, "orgs.csv", &f, err);

    if (rc == ORC_ERR_NOT_FOUND)
        return orc_fail(err, ORC_ERR_DATA, "%s has no orgs.csv, but its manifest.csv says "
                        "file.orgs is %s", orc_source_label(src), orc_file_mode_name(m->orgs));
    if (rc != ORC_OK)
        return rc;
    rc = orc_orgs_open(&or, f, "orgs.csv", m->orgs, err);
    while (rc == ORC_OK) {
        rc = orc_orgs_next(or, &o, &why);
        if (rc < 0)
            *err = why;   /* a fault of the whole file */
        if (rc <= 0)
            break;
        if (rc == ORC_ROW_BAD) {
            if (st->bad_orgs == 0)
                first = why;
            rc = report_bad(cb, "orgs.csv", o.sourced_id, &st->bad_orgs, &why, err);
            continue;
        }
        rc = cb->org(cb->ctx, &o, err);
        st->orgs++;
    }
    if (rc == ORC_OK && st->bad_orgs > 0)
        rc = orc_fail(err, ORC_ERR_DATA, "%s%s; every user belongs to orgs, so a bad org row "
                      "stops the sync before anything is applied: fix orgs.csv and sync again",
                      first.msg, st->bad_orgs == 1 ? "" : " (and more bad rows in orgs.csv, "
                      "each logged)");
    if (or != NULL)
        st->bytes += orc_orgs_bytes(or);
    orc_orgs_close(or);
    fclose(f);
    return rc < 0 ? rc : ORC_OK;
}

int orc_export_stream(orc_source *src, const orc_stream_cb *cb, orc_stream_stats *st,
                      orc_err *err)
{
    orc_manifest m;
    FILE *f = NULL;
    orc_users *ur = NULL;
    orc_user u;
    orc_err why = {0, ""};
    uint64_t rows = 0;
    int rc;

    memset(st, 0, sizeof *st);
    snprintf(st->incomplete_reason, sizeof st->incomplete_reason, "the export could not be read");
    rc = orc_export_manifest(src, &m, err);
    if (rc == ORC_OK && m.orgs != ORC_FILE_ABSENT)
        rc = stream_orgs(src, &m, cb, st, err);
    if (rc == ORC_OK)
        rc = open_users(src, &m, &f, &ur, err);
    while (rc == ORC_OK) {
        rc = orc_users_next(ur, &u, &why);
        if (rc < 0)
            *err = why;   /* a fault of the whole file */
        if (rc <= 0)
            break;
        if (rc == ORC_ROW_BAD) {
            st->bad_users_unnamed += u.sourced_id == NULL;
            rc = report_bad(cb, "users.csv", u.sourced_id, &st->bad_users, &why, err);
        } else {
            rc = cb->user(cb->ctx, &u, err);
            st->users++;
        }
        rows++;
        if (rc == ORC_OK && rows % CHECK_EVERY == 0 && cb->cancelled != NULL &&
            cb->cancelled(cb->ctx))
            rc = orc_fail(err, ORC_ERR_CANCELLED, "the sync was cancelled after %llu users",
                          (unsigned long long)rows);
        if (rc == ORC_OK && rows % PROGRESS_EVERY == 0 && cb->progress != NULL)
            cb->progress(cb->ctx, "users", rows);
    }
    if (ur != NULL)
        st->bytes += orc_users_bytes(ur);
    orc_users_close(ur);
    if (f != NULL)
        fclose(f);
    if (rc < 0)
        return rc;
    if (cb->progress != NULL)
        cb->progress(cb->ctx, "users", rows);
    if (m.users == ORC_FILE_BULK) {
        st->complete = 1;
        st->incomplete_reason[0] = '\0';
    } else {
        snprintf(st->incomplete_reason, sizeof st->incomplete_reason,
                 "users.csv is a delta file: users it does not list are kept");
    }
    return ORC_OK;
}
