/*
 * export.h - a OneRoster CSV export as a whole: its manifest, the check
 * `connect` runs before storing anything, and the stream a sync reads.
 *
 * Completeness: only a bulk users file is a complete snapshot (the host may
 * then deactivate absent users).  A delta users file never is; its
 * tobedeleted rows still deactivate.  A fault anywhere stops the stream
 * with an error, and the host applies nothing from a failed fetch.
 */
#ifndef ORC_EXPORT_H
#define ORC_EXPORT_H

#include <stdint.h>

#include "csv_manifest.h"
#include "roster.h"
#include "source.h"

/* Reads the export's manifest.csv. */
int orc_export_manifest(orc_source *src, orc_manifest *m, orc_err *err);

/* The connect-time check: a manifest that lists users, and a users.csv
 * whose header has every required column.  Reads no user rows. */
int orc_export_verify(orc_source *src, orc_manifest *m, orc_err *err);

/* Callbacks return ORC_OK to go on, or an orc_code after writing a message
 * into the err they were given through orc_export_stream.  Records are
 * borrowed for the call. */
typedef struct orc_stream_cb {
    void *ctx;
    int (*org)(void *ctx, const orc_org *org, orc_err *err);
    int (*user)(void *ctx, const orc_user *user, orc_err *err);
    int (*cancelled)(void *ctx);                       /* may be NULL */
    void (*progress)(void *ctx, const char *phase, uint64_t done); /* may be NULL */
} orc_stream_cb;

typedef struct orc_stream_stats {
    int complete;                 /* 1: a bulk users file read to its end */
    char incomplete_reason[200];
    uint64_t orgs, users, bytes;
} orc_stream_stats;

/* Orgs (when the manifest lists them), then users.  `stats` is filled
 * also on failure. */
int orc_export_stream(orc_source *src, const orc_stream_cb *cb, orc_stream_stats *stats,
                      orc_err *err);

#endif
