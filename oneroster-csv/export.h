/*
 * export.h - a OneRoster CSV export as a whole: its manifest, the check
 * `connect` runs before storing anything, and the stream a sync reads.
 *
 * Completeness: only a bulk users file is a complete snapshot (the host may
 * then deactivate absent users).  A delta users file never is; its
 * tobedeleted rows still deactivate.
 *
 * Faults (the rule is in roster.h): a bad users.csv row is handed to
 * cb->bad_row and the stream goes on.  A bad orgs.csv row is handed there
 * too, every one of them, and then the stream stops at the end of orgs.csv
 * before any user: orgs are what every user belongs to, and the sink's
 * invalid path is for users (an org's sourcedId there would pass for a
 * user's).  A fault of a whole file stops the stream with an error, and the
 * host applies nothing from a failed fetch.
 */
#ifndef ORC_EXPORT_H
#define ORC_EXPORT_H

#include <stdint.h>

#include "csv_manifest.h"
#include "roster.h"
#include "source.h"

/* Reads the export's manifest.csv. */
int orc_export_manifest(orc_source *src, orc_manifest *m, orc_err *err);

/* Callbacks return ORC_OK to go on, or an orc_code after writing a message
 * into the err they were given through orc_export_stream.  Records are
 * borrowed for the call. */
typedef struct orc_stream_cb {
    void *ctx;
    int (*org)(void *ctx, const orc_org *org, orc_err *err);
    int (*user)(void *ctx, const orc_user *user, orc_err *err);
    int (*cancelled)(void *ctx);                       /* may be NULL */
    void (*progress)(void *ctx, const char *phase, uint64_t done); /* may be NULL */
    /* A bad row of `file` ("users.csv", "orgs.csv"): its sourcedId, NULL when
     * it could not be read, and why, naming the file and line.  May be NULL:
     * the row is then skipped silently (still counted). */
    int (*bad_row)(void *ctx, const char *file, const char *sourced_id, const char *reason,
                   orc_err *err);
} orc_stream_cb;

typedef struct orc_stream_stats {
    int complete;                 /* 1: a bulk users file read to its end */
    char incomplete_reason[200];
    uint64_t orgs, users, bytes;  /* orgs and users: the good rows handed out */
    uint64_t bad_orgs, bad_users; /* bad rows, handed to bad_row */
    uint64_t bad_users_unnamed;   /* of bad_users, those without a readable sourcedId */
} orc_stream_stats;

/* Orgs (when the manifest lists them), then users.  `stats` is filled
 * also on failure.  Memory stays flat: one row at a time. */
int orc_export_stream(orc_source *src, const orc_stream_cb *cb, orc_stream_stats *stats,
                      orc_err *err);

#endif
